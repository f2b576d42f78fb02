/* auth.h - who is calling: session lookup, realm/role check, CSRF. */
#ifndef PORTAL_AUTH_H
#define PORTAL_AUTH_H

#include <stdbool.h>

#include "http.h"

/* Checks r->route's realms and role against the caller (and CSRF for writes).
 * Returns 0 to go on, or the status of the error it sent. */
int auth_authorize(struct req *r, bool write);
void auth_request_end(struct req *r);
/* The caller's user id, 0 when anonymous. */
long long auth_user_id(struct req *r);
/* The caller's realm name ("employee", "customer", "partner") or "anonymous". */
const char *auth_realm_name(struct req *r);

#endif
