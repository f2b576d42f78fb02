/* auth.h - who is calling: sessions, realm/role check, CSRF, login throttling. */
#ifndef PORTAL_AUTH_H
#define PORTAL_AUTH_H

#include <stdbool.h>

#include "http.h"

/* Preview as customer: an employee's GET of a cabinet-only route with this header (an
 * account id) is answered as that account's cabinet would answer it; any other method
 * with the header is refused (403 preview_read_only). */
#define AUTH_PREVIEW_HEADER "X-Portal-Preview-Account"

struct session {
    long long id, user_id, account_id; /* account_id: customers and partners only */
    long long preview_account_id;      /* an employee previewing a cabinet (read-only) */
    unsigned realm;                    /* REALM_EMPLOYEE, REALM_CUSTOMER or REALM_PARTNER */
    enum role role;                    /* employees only */
    char csrf[44];
    const char *email, *name, *locale; /* in the request arena */
};

/* Checks r->route's realms and role against the caller (and CSRF for writes).
 * Returns 0 to go on, or the status of the error it sent. */
int auth_authorize(struct req *r, bool write);
void auth_request_end(struct req *r);

long long auth_user_id(struct req *r); /* 0 when anonymous */
/* The cabinet caller's account, or the account an employee previews; else 0. */
long long auth_account_id(struct req *r);
/* True when an employee reads the cabinet of auth_account_id() ("preview as customer"). */
bool auth_is_preview(struct req *r);
const char *auth_realm_name(struct req *r);
bool auth_is_employee(struct req *r, enum role at_least);

/* Starts a session for user_id (a fresh token: no fixation), queues its cookie on r
 * and returns the CSRF token (in r's arena), or NULL on a database error. Runs in the
 * caller's transaction when one is open. */
const char *auth_session_start(struct req *r, long long user_id);
/* Revokes every session of user_id except keep_session_id (0 = all). */
int auth_sessions_revoke_user(long long user_id, long long keep_session_id);

/* For the realtime gateway, which follows sessions without reading their table. Each
 * returns rows allocated in a, or NULL on a database error.
 * auth_session_live: session_id if it is live (not revoked, expired or idle past idle_s,
 * its user not disabled): one row (session id, user id, realm, role, account_id,
 * milliseconds until it lapses unless used), none when it ended.
 * auth_sessions_state: of the sessions in ids (a JSON array), one row each by id (id,
 * 1 if it ended else 0, milliseconds until it lapses).
 * auth_user_sessions_lock: the open sessions of user_id but keep_session_id (rows: id),
 * locked FOR UPDATE so none starts between this and their revocation. */
struct db_res;
struct db_res *auth_session_live(struct arena *a, long long session_id, long long idle_s);
struct db_res *auth_sessions_state(struct arena *a, const char *ids, long long idle_s);
struct db_res *auth_user_sessions_lock(struct arena *a, long long user_id,
                                       long long keep_session_id);

/* Guess throttling (logins, share-link passwords) over one table: a key is blocked for
 * a growing time once it failed `allowed` times within 15 minutes. blocked returns the
 * seconds left for the longer-blocked of key1/key2 (0: free), or -1 on a database
 * error; failure records one failed guess for key. Keys carry their own prefix. */
long long auth_throttle_blocked(struct arena *a, const char *key1, const char *key2);
void auth_throttle_failure(const char *key, int allowed);
/* Answers 429 rate_limited (Retry-After: the seconds left) when key1 or key2 is blocked:
 * returns 0 to go on, else the status sent (a database error answers 503). */
int auth_throttle_check(struct req *r, const char *key1, const char *key2, const char *message);

const char *realm_name(unsigned realm); /* "employee", "customer", "partner" */
unsigned realm_from_name(const char *name);
const char *role_name(enum role role);
enum role role_from_name(const char *name);

/* Route handlers. */
int auth_login(struct req *r);
int auth_logout(struct req *r);
int auth_me(struct req *r);
int auth_my_sessions(struct req *r);
int auth_end_my_session(struct req *r);
int auth_change_password(struct req *r);
int auth_sessions_list(struct req *r); /* admin: every active session */
int auth_sessions_end(struct req *r);  /* admin */

#endif
