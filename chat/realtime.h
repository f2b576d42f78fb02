/* realtime.h - the HTTP side of the realtime gateway: one-time websocket tickets. */
#ifndef PORTAL_REALTIME_H
#define PORTAL_REALTIME_H

#include "audience.h"
#include "http.h"

#define REALTIME_TICKET_SECONDS 30

/* POST /api/v1/realtime/ticket -> {ticket, url, expires_in}: a one-time ticket bound to
 * the caller's session, valid REALTIME_TICKET_SECONDS, that opens the websocket. */
int realtime_ticket_create(struct req *r);

/* Redeems a ticket (atomically, so it opens one connection on one node only) and fills
 * who with the identity of its still valid session, and lapse_ms with the milliseconds
 * until that session expires or goes idle unless used. Returns 1 when it opened, 0 when
 * it is unknown, used, expired or its session has ended, -1 on a database error. */
int realtime_ticket_redeem(const char *ticket, struct audience_ident *who, long long *lapse_ms);

/* Sockets follow their session (sessions.c). Each call, inside the transaction of the
 * change (or on its own), writes a "session.*" outbox event that every node's gateway
 * applies in id order and never sends to a browser, and tells this node's gateway the
 * moment the transaction commits. 0/-1.
 *   realtime_session_ended: session_id was revoked (logout, "end session").
 *   realtime_user_sessions_ending: every session of user_id but keep_session_id (0: all)
 *     is about to be revoked in this transaction (password change, reset, disabling);
 *     reads and locks them, so call it before the UPDATE.
 *   realtime_role_changed: user_id's role is now role ("admin", "manager", "member"):
 *     their open sockets carry it for every later event. */
int realtime_session_ended(long long session_id);
int realtime_user_sessions_ending(long long user_id, long long keep_session_id);
int realtime_role_changed(long long user_id, const char *role);

#endif
