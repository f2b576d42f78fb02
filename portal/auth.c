/* auth.c - route access check. Sessions arrive with the identity issue; until then
 * every caller is anonymous and only REALM_ANON routes answer. */
#include "auth.h"

int auth_authorize(struct req *r, bool write)
{
    if (r->route->realms & REALM_ANON)
        return 0;
    return http_error(r, 401, "unauthorized", "Log in first", NULL);
}

void auth_request_end(struct req *r)
{
}

long long auth_user_id(struct req *r)
{
    return 0;
}

const char *auth_realm_name(struct req *r)
{
    return "anonymous";
}
