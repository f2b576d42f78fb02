/* audit.c - the audit table: every write anywhere in the portal lands here. */
#include "audit.h"

#include <stdlib.h>

#include "auth.h"
#include "db.h"

static const char sql_insert[] =
    "INSERT INTO audit (at, actor_id, actor_realm, action, object_type, object_id, ip, details)"
    " VALUES (UTC_TIMESTAMP(6), ?, ?, ?, ?, ?, ?, ?)";

int audit_log(struct req *r, const char *action, const char *object_type, long long object_id,
              json_t *details)
{
    char *text = details ? json_dumps(details, JSON_COMPACT) : NULL;
    long long actor = r ? auth_user_id(r) : 0;
    int rc = db_exec(sql_insert, "IsssIss", actor, r ? auth_realm_name(r) : "system", action,
                     object_type, object_id, r && r->ri ? r->ri->remote_addr : "-", text);
    free(text);
    return rc;
}
