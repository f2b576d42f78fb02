/* crm.c - accounts: the companies customers and partners belong to. The cabinet issue
 * grows this into full CRM records. */
#include "crm.h"

#include <mysqld_error.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "log.h"
#include "utf8.h"

static const char sql_kind[] = "SELECT kind FROM accounts WHERE id = ?";
static const char sql_get[] = "SELECT id, name, kind FROM accounts WHERE id = ?";
static const char sql_insert[] = "INSERT INTO accounts (name, kind, created_at, updated_at)"
                                 " VALUES (?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))";
static const char sql_list[] =
    "SELECT id, name, kind, created_at FROM accounts"
    " WHERE (? IS NULL OR kind = ?) AND (? IS NULL OR name LIKE ?) AND (? = 0 OR id < ?)"
    " ORDER BY id DESC LIMIT ?";

const char *crm_account_kind(struct arena *a, long long id)
{
    struct db_res *res = db_query(a, sql_kind, "i", id);
    return res && res->nrows ? db_str(res, 0, 0) : NULL;
}

json_t *crm_account_json(struct arena *a, long long id)
{
    struct db_res *res = db_query(a, sql_get, "i", id);
    return res && res->nrows ? db_row_json(res, 0, "iss", a) : NULL;
}

long long crm_account_insert(const char *name, const char *kind)
{
    return db_exec(sql_insert, "ss", name, kind) < 0 ? -1 : db_insert_id();
}

static const char sql_timeline_add[] =
    "INSERT INTO account_timeline (account_id, created_at, actor_id, kind, ref_id, summary)"
    " VALUES (?, UTC_TIMESTAMP(6), ?, ?, ?, ?)";

long long crm_timeline_add(long long account_id, long long actor_id, const char *kind,
                           long long ref_id, const char *summary)
{
    if (!db_in_tx()) {
        log_error("crm_timeline_add(%s) outside a transaction", kind);
        return -1;
    }
    char cut[500 * 4 + 1];
    snprintf(cut, sizeof cut, "%s", summary ? summary : "");
    utf8_truncate(cut, 500);
    return db_exec(sql_timeline_add, "iIsIs", account_id, actor_id, kind, ref_id, cut) < 0
               ? -1
               : db_insert_id();
}

static bool valid_kind(const char *k)
{
    return k &&
           (strcmp(k, "customer") == 0 || strcmp(k, "partner") == 0 || strcmp(k, "prospect") == 0);
}

int crm_accounts_list(struct req *r)
{
    int limit;
    long long before;
    if (http_page_args(r, 100, 500, &limit, &before) < 0)
        return r->status;
    const char *kind = http_query(r, "kind"), *q = http_query(r, "q");
    if (kind && !valid_kind(kind))
        return http_error(r, 400, "validation_failed", "kind must be customer, partner or prospect",
                          "kind");
    const char *like = q && *q ? db_like(&r->arena, q, true) : NULL;
    struct db_res *res = db_query(&r->arena, sql_list, "ssssiii", kind, kind, like, like, before,
                                  before, (long long)limit);
    if (!res)
        return http_db_error(r);
    json_t *out = json_pack("{s:o}", "items", db_rows_json(res, "isst", &r->arena));
    db_page_next(out, res, limit);
    return http_json(r, 200, out);
}

int crm_accounts_create(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    const char *name = NULL, *kind = NULL;
    if (HTTP_FIELDS(r, body, {"name", FIELD_STRING, true, 200, &name},
                    {"kind", FIELD_STRING, true, 16, &kind}) < 0)
        return r->status;
    if (!valid_kind(kind))
        return http_error(r, 400, "validation_failed", "kind must be customer, partner or prospect",
                          "kind");
    long long id = -1;
    if (db_begin() < 0 || (id = crm_account_insert(name, kind)) < 0 ||
        audit_log(r, "account.create", "account", id, NULL) < 0 || db_commit() < 0) {
        int err = db_errno();
        db_rollback();
        if (err == ER_DUP_ENTRY)
            return http_error(r, 409, "conflict", "An account with this name exists", "name");
        return http_db_error(r);
    }
    return http_json(
        r, 201, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "name", name, "kind", kind));
}
