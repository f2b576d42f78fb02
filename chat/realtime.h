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
 * who with the identity of its still valid session. Returns 1 when it opened, 0 when it
 * is unknown, used, expired or its session has ended, -1 on a database error. */
int realtime_ticket_redeem(const char *ticket, struct audience_ident *who);

#endif
