/* notify.c - the notifications table and its API. */
#include "notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "outbox.h"
#include "utf8.h"

static const char sql_insert[] =
    "INSERT INTO notifications (user_id, kind, actor_id, object_type, object_id, summary,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))";
static const char sql_list[] =
    "SELECT n.id, n.kind, n.object_type, n.object_id, n.summary, n.created_at, n.read_at,"
    " u.id, u.name, u.handle FROM notifications n LEFT JOIN users u ON u.id = n.actor_id"
    " WHERE n.user_id = ? AND (? = 0 OR n.id < ?) AND (? = 0 OR n.read_at IS NULL)"
    " ORDER BY n.id DESC LIMIT ?";
static const char sql_unread[] =
    "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL";
static const char sql_read_all[] =
    "UPDATE notifications SET read_at = UTC_TIMESTAMP(6) WHERE user_id = ? AND read_at IS NULL";
static const char sql_read_some[] =
    "UPDATE notifications SET read_at = UTC_TIMESTAMP(6) WHERE user_id = ? AND read_at IS NULL"
    " AND id IN (SELECT id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) t)";

int notify_user(long long user_id, long long actor_id, const char *kind, const char *object_type,
                long long object_id, const char *summary)
{
    if (user_id == actor_id)
        return 0;
    char text[1300];
    snprintf(text, sizeof text, "%s", summary ? summary : "");
    utf8_truncate(text, 300);
    if (db_exec(sql_insert, "isIsis", user_id, kind, actor_id, object_type, object_id, text) < 0)
        return -1;
    long long id = db_insert_id();
    char audience[40];
    snprintf(audience, sizeof audience, "user:%lld", user_id);
    json_t *payload =
        json_pack("{s:I, s:s, s:s, s:I, s:s, s:I}", "id", (json_int_t)id, "kind", kind,
                  "object_type", object_type, "object_id", (json_int_t)object_id, "summary", text,
                  "actor_id", (json_int_t)actor_id);
    long long ev = outbox_append("notification", audience, payload);
    json_decref(payload);
    return ev < 0 ? -1 : 0;
}

static long long unread_count(struct req *r)
{
    struct db_res *res = db_query(&r->arena, sql_unread, "i", r->session->user_id);
    return res ? db_ll(res, 0, 0) : -1;
}

int notify_list(struct req *r)
{
    int limit;
    long long before;
    if (http_page_args(r, 30, 100, &limit, &before) < 0)
        return r->status;
    const char *unread = http_query(r, "unread");
    long long only_unread = unread && (strcmp(unread, "1") == 0 || strcmp(unread, "true") == 0);
    struct db_res *res = db_query(&r->arena, sql_list, "iiiii", r->session->user_id, before, before,
                                  only_unread, (long long)limit);
    long long count = res ? unread_count(r) : -1;
    if (!res || count < 0)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < res->nrows; i++) {
        json_t *o = db_row_json(res, i, "isssstt", &r->arena);
        json_object_set_new(o, "object_id", json_integer(db_ll(res, i, 3)));
        json_object_set_new(o, "actor",
                            db_str(res, i, 7)
                                ? json_pack("{s:I, s:s, s:s?}", "id", (json_int_t)db_ll(res, i, 7),
                                            "name", db_str(res, i, 8), "handle", db_str(res, i, 9))
                                : json_null());
        json_array_append_new(items, o);
    }
    json_t *out = json_pack("{s:o, s:I}", "items", items, "unread_count", (json_int_t)count);
    db_page_next(out, res, limit);
    return http_json(r, 200, out);
}

int notify_mark_read(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    json_t *ids = NULL;
    int all = 0;
    if (HTTP_FIELDS(r, body, {"all", FIELD_BOOL, false, 0, &all},
                    {"ids", FIELD_JSON, false, 0, &ids}) < 0)
        return r->status;
    if (!all) {
        if (!json_is_array(ids) || json_array_size(ids) == 0 || json_array_size(ids) > 500)
            return http_error(r, 400, "validation_failed",
                              "Give ids (1 to 500 notification ids) or all: true", "ids");
        size_t i;
        json_t *v;
        json_array_foreach(
            ids, i, v) if (!json_is_integer(v) ||
                           json_integer_value(v) <
                               1) return http_error(r, 400, "validation_failed",
                                                    "ids must be positive whole numbers", "ids");
    }
    char *list = all ? NULL : json_dumps(ids, JSON_COMPACT);
    int rc = all ? db_exec(sql_read_all, "i", r->session->user_id)
                 : db_exec(sql_read_some, "is", r->session->user_id, list);
    free(list);
    long long count = rc < 0 ? -1 : unread_count(r);
    if (count < 0)
        return http_db_error(r);
    return http_json(r, 200, json_pack("{s:I}", "unread_count", (json_int_t)count));
}
