/* audit.c - the audit table: every write anywhere in the portal lands here. */
#include "audit.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db.h"

static const char sql_insert[] =
    "INSERT INTO audit (at, actor_id, actor_realm, action, object_type, object_id, ip, details)"
    " VALUES (UTC_TIMESTAMP(6), ?, ?, ?, ?, ?, ?, ?)";
/* Optional filters bind NULL to switch themselves off. */
static const char sql_list[] =
    "SELECT a.id, a.at, a.actor_realm, a.action, a.object_type, a.object_id, a.ip, a.details,"
    " u.id, u.email, u.name"
    " FROM audit a LEFT JOIN users u ON u.id = a.actor_id"
    " WHERE (? IS NULL OR a.actor_id = ?) AND (? IS NULL OR a.object_type = ?)"
    " AND (? IS NULL OR a.object_id = ?) AND (? IS NULL OR a.at >= ?)"
    " AND (? IS NULL OR a.at < ?) AND (? = 0 OR a.id < ?)"
    " ORDER BY a.id DESC LIMIT ?";

int audit_log_as(struct req *r, long long actor_id, const char *actor_realm, const char *action,
                 const char *object_type, long long object_id, json_t *details)
{
    char *text = details ? json_dumps(details, JSON_COMPACT) : NULL;
    json_decref(details);
    int rc = db_exec(sql_insert, "IsssIss", actor_id, actor_realm, action, object_type, object_id,
                     r ? http_client_addr(r) : "-", text);
    free(text);
    return rc;
}

int audit_log(struct req *r, const char *action, const char *object_type, long long object_id,
              json_t *details)
{
    return audit_log_as(r, r ? auth_user_id(r) : 0, r ? auth_realm_name(r) : "system", action,
                        object_type, object_id, details);
}

/* Accepts "2026-11-27", "2026-11-27T10:00:00Z" and the like; returns a DATETIME string
 * or NULL. */
static const char *parse_time(struct req *r, const char *v)
{
    int y, mo, d, h = 0, mi = 0, s = 0;
    int n = sscanf(v, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s);
    if (n != 3 && n != 5 && n != 6)
        return NULL;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || y < 1970)
        return NULL;
    return arena_printf(&r->arena, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s);
}

int audit_list(struct req *r)
{
    int limit;
    long long before;
    if (http_page_args(r, 50, 500, &limit, &before) < 0)
        return r->status;
    const char *actor = http_query(r, "actor"), *type = http_query(r, "object_type"),
               *object = http_query(r, "object_id"), *since = http_query(r, "since"),
               *until = http_query(r, "until");
    long long actor_id = 0, object_id = 0;
    if (actor && *actor && (actor_id = strtoll(actor, NULL, 10)) < 1)
        return http_error(r, 400, "validation_failed", "actor must be a user id", "actor");
    if (object && *object && (object_id = strtoll(object, NULL, 10)) < 1)
        return http_error(r, 400, "validation_failed", "object_id must be an id", "object_id");
    const char *since_t = since && *since ? parse_time(r, since) : NULL;
    const char *until_t = until && *until ? parse_time(r, until) : NULL;
    if (since && *since && !since_t)
        return http_error(r, 400, "validation_failed", "since must be a date (YYYY-MM-DD)",
                          "since");
    if (until && *until && !until_t)
        return http_error(r, 400, "validation_failed", "until must be a date (YYYY-MM-DD)",
                          "until");
    if (type && !*type)
        type = NULL;
    struct db_res *res =
        db_query(&r->arena, sql_list, "IIssIIssssiii", actor_id, actor_id, type, type, object_id,
                 object_id, since_t, since_t, until_t, until_t, before, before, (long long)limit);
    if (!res)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < res->nrows; i++) {
        json_t *o = db_row_json(res, i, "itsssisj", &r->arena);
        json_object_set_new(o, "actor",
                            db_str(res, i, 8)
                                ? json_pack("{s:I, s:s, s:s}", "id", (json_int_t)db_ll(res, i, 8),
                                            "email", db_str(res, i, 9), "name", db_str(res, i, 10))
                                : json_null());
        json_array_append_new(items, o);
    }
    json_t *out = json_pack("{s:o}", "items", items);
    db_page_next(out, res, limit);
    return http_json(r, 200, out);
}
