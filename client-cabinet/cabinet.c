/* cabinet.c - cabinet endpoints. Every lookup here is keyed by the session's account
 * id (auth_account_id), never by an id from the request alone. */
#include "cabinet.h"

#include "auth.h"
#include "crm.h"
#include "db.h"

int cab_account(struct req *r)
{
    json_t *account = crm_account_json(&r->arena, auth_account_id(r));
    if (!account)
        return db_errno() && db_errno_is_down(db_errno())
                   ? http_db_error(r)
                   : http_error(r, 404, "not_found", "Your account no longer exists", NULL);
    return http_json(r, 200, account);
}
