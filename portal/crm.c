/* crm.c - CRM records: accounts (the companies customers and partners belong to, with
 * their company data and owner), contacts (the people at an account) and the account's
 * timeline of everything that happened with it. Every employee may read and edit them;
 * creating an account takes a manager. */
#include "crm.h"

#include <ctype.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "log.h"
#include "orders.h"
#include "outbox.h"
#include "users.h"
#include "utf8.h"

/* --- accounts ------------------------------------------------------------------------ */

static const char sql_kind[] = "SELECT kind FROM accounts WHERE id = ?";
static const char sql_get[] = "SELECT id, name, kind FROM accounts WHERE id = ?";
static const char sql_insert[] = "INSERT INTO accounts (name, kind, created_at, updated_at)"
                                 " VALUES (?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))";
static const char sql_insert_full[] =
    "INSERT INTO accounts (name, kind, tax_id, legal_address, shipping_address, email, phone,"
    " owner_id, notes, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))";
#define ACCOUNT_LIST_COLUMNS "a.id, a.name, a.kind, a.tax_id, a.created_at, o.id, o.name"
static const char sql_list[] =
    "SELECT " ACCOUNT_LIST_COLUMNS " FROM accounts a LEFT JOIN users o ON o.id = a.owner_id"
    " WHERE (? IS NULL OR a.kind = ?) AND (? IS NULL OR a.name LIKE ? OR a.tax_id LIKE ?)"
    " AND (? = 0 OR a.owner_id = ?) AND (? = 0 OR a.id < ?) ORDER BY a.id DESC LIMIT ?";
static const char sql_account[] =
    "SELECT a.id, a.name, a.kind, a.tax_id, a.legal_address, a.shipping_address, a.email,"
    " a.phone, a.notes, a.created_at, a.updated_at, a.version, o.id, o.name,"
    " (SELECT COUNT(*) FROM contacts c WHERE c.account_id = a.id)"
    " FROM accounts a LEFT JOIN users o ON o.id = a.owner_id WHERE a.id = ?";
static const char sql_account_users[] =
    "SELECT id, name, email, realm, disabled FROM users WHERE account_id = ? ORDER BY name"
    " LIMIT 200";
static const char sql_lock[] =
    "SELECT name, kind, tax_id, legal_address, shipping_address, email, phone, owner_id, notes,"
    " version FROM accounts WHERE id = ? FOR UPDATE";
static const char sql_update[] =
    "UPDATE accounts SET name = ?, kind = ?, tax_id = ?, legal_address = ?, shipping_address = ?,"
    " email = ?, phone = ?, owner_id = ?, notes = ?, updated_at = UTC_TIMESTAMP(6),"
    " version = version + 1 WHERE id = ?";
static const char sql_employee[] =
    "SELECT 1 FROM users WHERE id = ? AND realm = 'employee' AND disabled = 0";
static const char sql_timeline_add[] =
    "INSERT INTO account_timeline (account_id, created_at, actor_id, kind, ref_id, summary)"
    " VALUES (?, UTC_TIMESTAMP(6), ?, ?, ?, ?)";
static const char sql_timeline[] =
    "SELECT t.id, t.created_at, t.kind, t.ref_id, t.summary, u.id, u.name"
    " FROM account_timeline t LEFT JOIN users u ON u.id = t.actor_id"
    " WHERE t.account_id = ? AND (? = 0 OR t.id < ?) ORDER BY t.id DESC LIMIT ?";
static const char sql_exists[] = "SELECT 1 FROM accounts WHERE id = ?";
static const char sql_owner[] = "SELECT COALESCE(owner_id, 0) FROM accounts WHERE id = ?";

/* --- contacts ------------------------------------------------------------------------ */

#define CONTACT_COLUMNS                                                                            \
    "c.id, c.account_id, c.name, c.position, c.email, c.phone, c.created_at, c.updated_at,"        \
    " c.version, a.name AS account_name"
static const char sql_contacts[] =
    "SELECT " CONTACT_COLUMNS " FROM contacts c JOIN accounts a ON a.id = c.account_id"
    " WHERE (? = 0 OR c.account_id = ?)"
    " AND (? IS NULL OR c.name LIKE ? OR c.email LIKE ? OR c.phone LIKE ?)"
    " AND (? = 0 OR c.id < ?) ORDER BY c.id DESC LIMIT ?";
static const char sql_contact[] =
    "SELECT " CONTACT_COLUMNS " FROM contacts c JOIN accounts a ON a.id = c.account_id"
    " WHERE c.id = ?";
static const char sql_contact_insert[] =
    "INSERT INTO contacts (account_id, name, position, email, phone, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))";
static const char sql_contact_lock[] =
    "SELECT account_id, name, position, email, phone, version FROM contacts WHERE id = ?"
    " FOR UPDATE";
static const char sql_contact_update[] =
    "UPDATE contacts SET name = ?, position = ?, email = ?, phone = ?,"
    " updated_at = UTC_TIMESTAMP(6), version = version + 1 WHERE id = ?";
static const char sql_contact_delete[] = "DELETE FROM contacts WHERE id = ?";

/* ---------------------------------------------------------------------------------------
 * Calls for other modules
 * ------------------------------------------------------------------------------------- */

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

int crm_account_exists(struct arena *a, long long id)
{
    struct db_res *res = db_query(a, sql_exists, "i", id);
    return res ? res->nrows > 0 : -1;
}

long long crm_account_owner(struct arena *a, long long id)
{
    struct db_res *res = db_query(a, sql_owner, "i", id);
    return !res ? -1 : res->nrows == 1 ? db_ll(res, 0, 0) : 0;
}

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
    if (db_exec(sql_timeline_add, "iIsIs", account_id, actor_id, kind, ref_id, cut) < 0)
        return -1;
    long long id = db_insert_id();
    /* The account page's timeline follows this; the line itself is internal: employees only. */
    json_t *payload = json_pack("{s:I, s:I, s:s}", "id", (json_int_t)id, "account_id",
                                (json_int_t)account_id, "kind", kind);
    long long ev = payload ? outbox_append("crm.timeline", "employees", payload) : -1;
    json_decref(payload);
    return ev < 0 ? -1 : id;
}

/* ---------------------------------------------------------------------------------------
 * Validation
 * ------------------------------------------------------------------------------------- */

static bool valid_kind(const char *k)
{
    return k &&
           (strcmp(k, "customer") == 0 || strcmp(k, "partner") == 0 || strcmp(k, "prospect") == 0);
}

/* A Russian INN (10 digits for companies, 12 for individuals) must carry its check
 * digits; any other tax id (a VAT number) is 4 to 32 letters, digits, dots or dashes. */
bool crm_valid_tax_id(const char *s)
{
    size_t n = strlen(s), digits = 0;
    if (n < 4 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isdigit(c))
            digits++;
        else if (!isalnum(c) && c != '-' && c != '.' && c != ' ')
            return false;
    }
    if (digits != n || (n != 10 && n != 12))
        return true;
    static const int w10[] = {2, 4, 10, 3, 5, 9, 4, 6, 8};
    static const int w11[] = {7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
    static const int w12[] = {3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
    int d[12], sum = 0;
    for (size_t i = 0; i < n; i++)
        d[i] = s[i] - '0';
    if (n == 10) {
        for (int i = 0; i < 9; i++)
            sum += w10[i] * d[i];
        return sum % 11 % 10 == d[9];
    }
    for (int i = 0; i < 10; i++)
        sum += w11[i] * d[i];
    if (sum % 11 % 10 != d[10])
        return false;
    sum = 0;
    for (int i = 0; i < 11; i++)
        sum += w12[i] * d[i];
    return sum % 11 % 10 == d[11];
}

static bool valid_email(const char *s)
{
    const char *at = strchr(s, '@');
    return at && at != s && at[1] && !strchr(at + 1, '@') && !strpbrk(s, " \t<>,;");
}

static bool valid_phone(const char *s)
{
    int digits = 0;
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (!strchr("+-() .", *p))
            return false;
    }
    return digits >= 5 && digits <= 20;
}

/* An optional text: "" (or absent) is NULL. */
static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

/* The account fields of a create or an edit, already validated. */
struct account_input {
    const char *name, *kind, *tax_id, *legal_address, *shipping_address, *email, *phone, *notes;
    long long owner_id, version;
    bool has_owner, owner_cleared, has_version;
    bool has_name, has_kind, has_tax, has_legal, has_shipping, has_email, has_phone, has_notes;
};

/* Reads and checks the account fields of body; on create, name and kind are required.
 * Returns 0, or sends the 400 and returns -1. */
static int read_account(struct req *r, json_t *body, struct account_input *in, bool create)
{
    memset(in, 0, sizeof *in);
    if (HTTP_FIELDS(r, body, {"name", FIELD_STRING, create, 200, &in->name, &in->has_name},
                    {"kind", FIELD_STRING, create, 16, &in->kind, &in->has_kind},
                    {"tax_id", FIELD_TEXT, false, 32, &in->tax_id, &in->has_tax},
                    {"legal_address", FIELD_TEXT, false, 500, &in->legal_address, &in->has_legal},
                    {"shipping_address", FIELD_TEXT, false, 500, &in->shipping_address,
                     &in->has_shipping},
                    {"email", FIELD_TEXT, false, 254, &in->email, &in->has_email},
                    {"phone", FIELD_TEXT, false, 50, &in->phone, &in->has_phone},
                    {"notes", FIELD_TEXT, false, 10000, &in->notes, &in->has_notes},
                    {"owner_id", FIELD_ID, false, 0, &in->owner_id, &in->has_owner},
                    {"version", FIELD_INT, !create, 0, &in->version, &in->has_version}) < 0)
        return -1;
    json_t *owner = json_object_get(body, "owner_id");
    in->owner_cleared = owner && json_is_null(owner);
    if (in->has_name && !*in->name)
        return http_error(r, 400, "validation_failed", "name must not be empty", "name"), -1;
    if (in->has_kind && !valid_kind(in->kind))
        return http_error(r, 400, "validation_failed", "kind must be customer, partner or prospect",
                          "kind"),
               -1;
    if (nonempty(in->tax_id) && !crm_valid_tax_id(in->tax_id))
        return http_error(r, 400, "invalid_tax_id",
                          "tax_id is not a valid INN (check digits) or VAT number", "tax_id"),
               -1;
    if (nonempty(in->email) && !valid_email(in->email))
        return http_error(r, 400, "validation_failed", "email is not an email address", "email"),
               -1;
    if (nonempty(in->phone) && !valid_phone(in->phone))
        return http_error(r, 400, "validation_failed", "phone is not a phone number", "phone"), -1;
    return 0;
}

/* Is id an active employee? 1 yes, 0 no (the 400 is sent), -1 database error. */
static int owner_ok(struct req *r, long long id)
{
    struct db_res *res = db_query(&r->arena, sql_employee, "i", id);
    if (!res)
        return -1;
    if (res->nrows == 0) {
        http_error(r, 400, "validation_failed", "owner_id must be an active employee", "owner_id");
        return 0;
    }
    return 1;
}

static json_t *ref_json(const struct db_res *res, int i, int col)
{
    if (!db_str(res, i, col))
        return json_null();
    return json_pack("{s:I, s:s}", "id", (json_int_t)db_ll(res, i, col), "name",
                     db_str(res, i, col + 1));
}

/* The whole account as GET /api/v1/accounts/{id} shows it, or NULL (missing, or a
 * database error: see db_errno()). */
static json_t *account_full(struct arena *a, long long id)
{
    struct db_res *res = db_query(a, sql_account, "i", id);
    if (!res || res->nrows == 0)
        return NULL;
    struct db_res *users = db_query(a, sql_account_users, "i", id);
    long long orders = 0, open_orders = 0;
    if (!users || orders_account_counts(a, id, &orders, &open_orders) < 0)
        return NULL;
    json_t *o = db_row_json(res, 0, "isssssssstti", a);
    json_object_set_new(o, "owner", ref_json(res, 0, 12));
    json_object_set_new(o, "counts",
                        json_pack("{s:I, s:I, s:I}", "contacts", (json_int_t)db_ll(res, 0, 14),
                                  "orders", (json_int_t)orders, "open_orders",
                                  (json_int_t)open_orders));
    json_object_set_new(o, "users", db_rows_json(users, "isssb", a));
    return o;
}

/* ---------------------------------------------------------------------------------------
 * Accounts
 * ------------------------------------------------------------------------------------- */

int crm_accounts_list(struct req *r)
{
    int limit;
    long long before, owner = 0;
    if (http_page_args(r, 100, 500, &limit, &before) < 0)
        return r->status;
    const char *kind = http_query(r, "kind"), *q = http_query(r, "q"),
               *owner_s = http_query(r, "owner");
    if (kind && !*kind)
        kind = NULL;
    if (kind && !valid_kind(kind))
        return http_error(r, 400, "validation_failed", "kind must be customer, partner or prospect",
                          "kind");
    if (owner_s && *owner_s) {
        if (strcmp(owner_s, "me") == 0)
            owner = auth_user_id(r);
        else if (sscanf(owner_s, "%lld", &owner) != 1 || owner < 1)
            return http_error(r, 400, "validation_failed", "owner must be an id or me", "owner");
    }
    const char *like = q && *q ? db_like(&r->arena, q, true) : NULL;
    const char *prefix = q && *q ? db_like(&r->arena, q, false) : NULL;
    struct db_res *res = db_query(&r->arena, sql_list, "sssssiiiii", kind, kind, like, like,
                                  prefix, owner, owner, before, before, (long long)limit);
    /* the open orders of each account on the page, from orders (one query) */
    size_t n = res ? (size_t)res->nrows : 0;
    long long *ids = res ? arena_alloc(&r->arena, sizeof(long long) * (n + 1)) : NULL;
    long long *open = res ? arena_alloc(&r->arena, sizeof(long long) * (n + 1)) : NULL;
    for (int i = 0; ids && i < res->nrows; i++)
        ids[i] = db_ll(res, i, 0);
    if (!ids || !open || orders_open_counts(&r->arena, ids, n, open) < 0)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < res->nrows; i++) {
        json_t *o = db_row_json(res, i, "issst", &r->arena);
        json_object_set_new(o, "owner", ref_json(res, i, 5));
        json_object_set_new(o, "open_orders", json_integer(open[i]));
        json_array_append_new(items, o);
    }
    json_t *out = json_pack("{s:o}", "items", items);
    db_page_next(out, res, limit);
    return http_json(r, 200, out);
}

/* An account write that failed: the 409 for a taken name, else -1 (a database error),
 * for the end of an http_write function. */
static int account_write_failed(struct req *r)
{
    if (db_errno() == ER_DUP_ENTRY)
        return http_error(r, 409, "conflict", "An account with this name exists", "name");
    return -1;
}

/* An account or contact write: the input and the record's id. */
struct crm_ctx {
    const void *in;
    long long id;
};

static int account_create_tx(struct req *r, void *arg, struct http_change *change)
{
    struct crm_ctx *c = arg;
    const struct account_input *in = c->in;
    if (in->has_owner) {
        int ok = owner_ok(r, in->owner_id);
        if (ok <= 0)
            return ok < 0 ? -1 : r->status;
    }
    if (db_exec(sql_insert_full, "sssssssIs", in->name, in->kind, nonempty(in->tax_id),
                nonempty(in->legal_address), nonempty(in->shipping_address), nonempty(in->email),
                nonempty(in->phone), in->has_owner ? in->owner_id : 0, nonempty(in->notes)) < 0)
        return account_write_failed(r);
    c->id = db_insert_id();
    char summary[300];
    snprintf(summary, sizeof summary, "Account created: %s", in->name);
    if (crm_timeline_add(c->id, auth_user_id(r), "account.created", c->id, summary) < 0)
        return account_write_failed(r);
    *change = (struct http_change){"account.create", "account", c->id, NULL};
    return 0;
}

int crm_accounts_create(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct account_input in;
    if (read_account(r, body, &in, true) < 0)
        return r->status;
    struct crm_ctx c = {&in, 0};
    int rc = http_write(r, account_create_tx, &c);
    if (rc)
        return rc;
    json_t *out = account_full(&r->arena, c.id);
    return out ? http_json(r, 201, out) : http_db_error(r);
}

int crm_account_get(struct req *r)
{
    long long id = http_param_id(r, "id");
    return http_json_found(r, id ? account_full(&r->arena, id) : NULL, "No such account");
}

/* Appends "name" to the comma-separated list of changed fields when old and new differ. */
static void changed(char *list, size_t size, const char *name, const char *old, const char *new)
{
    if ((old == NULL) == (new == NULL) && (!old || strcmp(old, new) == 0))
        return;
    size_t l = strlen(list);
    snprintf(list + l, size - l, "%s%s", l ? ", " : "", name);
}

/* 409 for a stale version, with the record as it is now (current, stolen; may be NULL). */
static int stale(struct req *r, const char *message, json_t *current)
{
    r->error_code = "conflict";
    return http_json(r, 409,
                     json_pack("{s:{s:s, s:s, s:s}, s:o?}", "error", "code", "conflict", "message",
                               message, "field", "version", "current", current));
}

static int account_update_tx(struct req *r, void *arg, struct http_change *change)
{
    const struct crm_ctx *c = arg;
    const struct account_input *in = c->in;
    long long id = c->id;
    struct db_res *cur = db_query(&r->arena, sql_lock, "i", id);
    if (!cur)
        return -1;
    if (cur->nrows == 0)
        return http_error(r, 404, "not_found", "No such account", NULL);
    if (db_ll(cur, 0, 9) != in->version)
        return stale(r, "The account changed meanwhile; reload", account_full(&r->arena, id));
    const char *v[9];
    for (int col = 0; col < 9; col++)
        v[col] = db_str(cur, 0, col);
    const char *name = in->has_name ? in->name : v[0], *kind = in->has_kind ? in->kind : v[1];
    const char *tax = in->has_tax ? nonempty(in->tax_id) : v[2];
    const char *legal = in->has_legal ? nonempty(in->legal_address) : v[3];
    const char *ship = in->has_shipping ? nonempty(in->shipping_address) : v[4];
    const char *email = in->has_email ? nonempty(in->email) : v[5];
    const char *phone = in->has_phone ? nonempty(in->phone) : v[6];
    const char *notes = in->has_notes ? nonempty(in->notes) : v[8];
    long long owner = in->owner_cleared ? 0
                      : in->has_owner   ? in->owner_id
                                        : (v[7] ? db_ll(cur, 0, 7) : 0);
    if (in->has_owner && (!v[7] || in->owner_id != db_ll(cur, 0, 7))) {
        int ok = owner_ok(r, in->owner_id);
        if (ok <= 0)
            return ok < 0 ? -1 : r->status;
    }
    char list[200] = "";
    const char *owner_text = owner ? arena_printf(&r->arena, "%lld", owner) : NULL;
    changed(list, sizeof list, "name", v[0], name);
    changed(list, sizeof list, "kind", v[1], kind);
    changed(list, sizeof list, "tax_id", v[2], tax);
    changed(list, sizeof list, "legal_address", v[3], legal);
    changed(list, sizeof list, "shipping_address", v[4], ship);
    changed(list, sizeof list, "email", v[5], email);
    changed(list, sizeof list, "phone", v[6], phone);
    changed(list, sizeof list, "owner", v[7], owner_text);
    changed(list, sizeof list, "notes", v[8], notes);
    if (list[0]) { /* else nothing changed: no timeline entry, no audit */
        if (db_exec(sql_update, "sssssssIsi", name, kind, tax, legal, ship, email, phone, owner,
                    notes, id) < 0 ||
            crm_timeline_add(id, auth_user_id(r), "account.updated", id,
                             arena_printf(&r->arena, "Changed: %s", list)) < 0)
            return account_write_failed(r);
        *change = (struct http_change){"account.update", "account", id,
                                       json_pack("{s:s}", "fields", list)};
    }
    return 0;
}

int crm_account_update(struct req *r)
{
    long long id;
    json_t *body = http_id_body(r, "No such account", &id);
    if (!body)
        return r->status;
    struct account_input in;
    if (read_account(r, body, &in, false) < 0)
        return r->status;
    int rc = http_write(r, account_update_tx, &(struct crm_ctx){&in, id});
    if (rc)
        return rc;
    json_t *out = account_full(&r->arena, id);
    return out ? http_json(r, 200, out) : http_db_error(r);
}

int crm_account_timeline(struct req *r)
{
    long long id = http_param_id(r, "id");
    int limit;
    long long before;
    if (http_page_args(r, 50, 200, &limit, &before) < 0)
        return r->status;
    int exists = id ? crm_account_exists(&r->arena, id) : 0;
    if (exists < 0)
        return http_db_error(r);
    if (!exists)
        return http_error(r, 404, "not_found", "No such account", NULL);
    struct db_res *res =
        db_query(&r->arena, sql_timeline, "iiii", id, before, before, (long long)limit);
    if (!res)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < res->nrows; i++) {
        json_t *o = db_row_json(res, i, "its-s", &r->arena);
        json_object_set_new(o, "ref_id",
                            db_str(res, i, 3) ? json_integer(db_ll(res, i, 3)) : json_null());
        json_object_set_new(o, "actor", ref_json(res, i, 5));
        json_array_append_new(items, o);
    }
    json_t *out = json_pack("{s:o}", "items", items);
    db_page_next(out, res, limit);
    return http_json(r, 200, out);
}

/* ---------------------------------------------------------------------------------------
 * Contacts
 * ------------------------------------------------------------------------------------- */

static json_t *contact_row(const struct db_res *res, int i, struct arena *a)
{
    json_t *o = db_row_json(res, i, "iisssstti-", a);
    json_object_set_new(o, "account",
                        json_pack("{s:I, s:s}", "id", (json_int_t)db_ll(res, i, 1), "name",
                                  db_str(res, i, 9)));
    return o;
}

static json_t *contact_json(struct arena *a, long long id)
{
    struct db_res *res = db_query(a, sql_contact, "i", id);
    return res && res->nrows ? contact_row(res, 0, a) : NULL;
}

int crm_contacts_list(struct req *r)
{
    int limit;
    long long before, account = 0;
    if (http_page_args(r, 100, 500, &limit, &before) < 0)
        return r->status;
    const char *acc = http_query(r, "account_id"), *q = http_query(r, "q");
    if (acc && *acc && (sscanf(acc, "%lld", &account) != 1 || account < 1))
        return http_error(r, 400, "validation_failed", "account_id must be an id", "account_id");
    const char *like = q && *q ? db_like(&r->arena, q, true) : NULL;
    struct db_res *res = db_query(&r->arena, sql_contacts, "iissssiii", account, account, like,
                                  like, like, like, before, before, (long long)limit);
    if (!res)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < res->nrows; i++)
        json_array_append_new(items, contact_row(res, i, &r->arena));
    json_t *out = json_pack("{s:o}", "items", items);
    db_page_next(out, res, limit);
    return http_json(r, 200, out);
}

struct contact_input {
    long long account_id, version;
    const char *name, *position, *email, *phone;
    bool has_account, has_version, has_name, has_position, has_email, has_phone;
};

static int read_contact(struct req *r, json_t *body, struct contact_input *in, bool create)
{
    memset(in, 0, sizeof *in);
    if (HTTP_FIELDS(r, body, {"account_id", FIELD_ID, create, 0, &in->account_id, &in->has_account},
                    {"name", FIELD_STRING, create, 200, &in->name, &in->has_name},
                    {"position", FIELD_TEXT, false, 200, &in->position, &in->has_position},
                    {"email", FIELD_TEXT, false, 254, &in->email, &in->has_email},
                    {"phone", FIELD_TEXT, false, 50, &in->phone, &in->has_phone},
                    {"version", FIELD_INT, !create, 0, &in->version, &in->has_version}) < 0)
        return -1;
    if (!create && in->has_account)
        return http_error(r, 400, "validation_failed", "A contact cannot move to another account",
                          "account_id"),
               -1;
    if (in->has_name && !*in->name)
        return http_error(r, 400, "validation_failed", "name must not be empty", "name"), -1;
    if (nonempty(in->email) && !valid_email(in->email))
        return http_error(r, 400, "validation_failed", "email is not an email address", "email"),
               -1;
    if (nonempty(in->phone) && !valid_phone(in->phone))
        return http_error(r, 400, "validation_failed", "phone is not a phone number", "phone"), -1;
    return 0;
}

static int contact_create_tx(struct req *r, void *arg, struct http_change *change)
{
    struct crm_ctx *c = arg;
    const struct contact_input *in = c->in;
    int exists = crm_account_exists(&r->arena, in->account_id);
    if (exists <= 0)
        return exists < 0
                   ? -1
                   : http_error(r, 400, "validation_failed", "No such account", "account_id");
    if (db_exec(sql_contact_insert, "issss", in->account_id, in->name, nonempty(in->position),
                nonempty(in->email), nonempty(in->phone)) < 0 ||
        (c->id = db_insert_id()) <= 0 ||
        crm_timeline_add(in->account_id, auth_user_id(r), "contact.created", c->id,
                         arena_printf(&r->arena, "Contact added: %s", in->name)) < 0)
        return -1;
    *change = (struct http_change){"contact.create", "contact", c->id, NULL};
    return 0;
}

int crm_contact_create(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct contact_input in;
    if (read_contact(r, body, &in, true) < 0)
        return r->status;
    struct crm_ctx c = {&in, 0};
    int rc = http_write(r, contact_create_tx, &c);
    if (rc)
        return rc;
    json_t *out = contact_json(&r->arena, c.id);
    return out ? http_json(r, 201, out) : http_db_error(r);
}

int crm_contact_get(struct req *r)
{
    long long id = http_param_id(r, "id");
    return http_json_found(r, id ? contact_json(&r->arena, id) : NULL, "No such contact");
}

/* Locks contact id: its row, or NULL with *rc set (-1 after a database error, else the
 * status of the 404 sent). */
static struct db_res *lock_contact(struct req *r, long long id, int *rc)
{
    struct db_res *cur = db_query(&r->arena, sql_contact_lock, "i", id);
    *rc = !cur              ? -1
          : cur->nrows == 0 ? http_error(r, 404, "not_found", "No such contact", NULL)
                            : 0;
    return *rc ? NULL : cur;
}

static int contact_update_tx(struct req *r, void *arg, struct http_change *change)
{
    const struct crm_ctx *c = arg;
    const struct contact_input *in = c->in;
    long long id = c->id;
    int rc;
    struct db_res *cur = lock_contact(r, id, &rc);
    if (!cur)
        return rc;
    if (db_ll(cur, 0, 5) != in->version)
        return stale(r, "The contact changed meanwhile; reload", contact_json(&r->arena, id));
    long long account = db_ll(cur, 0, 0);
    const char *name = in->has_name ? in->name : db_str(cur, 0, 1);
    const char *position = in->has_position ? nonempty(in->position) : db_str(cur, 0, 2);
    const char *email = in->has_email ? nonempty(in->email) : db_str(cur, 0, 3);
    const char *phone = in->has_phone ? nonempty(in->phone) : db_str(cur, 0, 4);
    if (db_exec(sql_contact_update, "ssssi", name, position, email, phone, id) < 0 ||
        crm_timeline_add(account, auth_user_id(r), "contact.updated", id,
                         arena_printf(&r->arena, "Contact updated: %s", name)) < 0)
        return -1;
    *change = (struct http_change){"contact.update", "contact", id, NULL};
    return 0;
}

static int contact_delete_tx(struct req *r, void *arg, struct http_change *change)
{
    long long id = *(long long *)arg;
    int rc;
    struct db_res *cur = lock_contact(r, id, &rc);
    if (!cur)
        return rc;
    if (db_exec(sql_contact_delete, "i", id) < 0 ||
        crm_timeline_add(db_ll(cur, 0, 0), auth_user_id(r), "contact.deleted", id,
                         arena_printf(&r->arena, "Contact removed: %s", db_str(cur, 0, 1))) < 0)
        return -1;
    *change = (struct http_change){"contact.delete", "contact", id, NULL};
    return 0;
}

int crm_contact_update(struct req *r)
{
    long long id;
    json_t *body = http_id_body(r, "No such contact", &id);
    if (!body)
        return r->status;
    struct contact_input in;
    if (read_contact(r, body, &in, false) < 0)
        return r->status;
    int rc = http_write(r, contact_update_tx, &(struct crm_ctx){&in, id});
    if (rc)
        return rc;
    json_t *out = contact_json(&r->arena, id);
    return out ? http_json(r, 200, out) : http_db_error(r);
}

int crm_contact_delete(struct req *r)
{
    if (http_no_fields(r) < 0) /* takes no body */
        return r->status;
    long long id = http_param_id(r, "id");
    if (!id)
        return http_error(r, 404, "not_found", "No such contact", NULL);
    int rc = http_write(r, contact_delete_tx, &id);
    if (rc)
        return rc;
    return http_send(r, 204, "application/json", "Cache-Control: no-store\r\n", "", 0);
}

/* ---------------------------------------------------------------------------------------
 * Demo data
 * ------------------------------------------------------------------------------------- */

static const char sql_demo_fill[] =
    "UPDATE accounts SET tax_id = ?, legal_address = ?, shipping_address = ?, email = ?,"
    " phone = ?, notes = ?, owner_id = (SELECT id FROM users WHERE email = ?) WHERE name = ?";
static const char sql_demo_id[] = "SELECT id FROM accounts WHERE name = ?";

int crm_demo_seed(void)
{
    static const struct {
        const char *name, *tax_id, *legal, *shipping, *email, *phone, *notes, *owner;
    } accounts[] = {
        {"Romashka LLC", "7708123450", "Moscow, Tverskaya st. 12, office 305, 125009",
         "Moscow, Warehouse 4, Kashirskoe hwy 61, 115409", "office@romashka.example",
         "+7 495 123-45-67", "Key customer since 2021. Prefers deliveries before noon.",
         "boris@demo.example"},
        {"Vasilek JSC", "7810456789", "Saint Petersburg, Nevsky pr. 88, 191025",
         "Saint Petersburg, Obukhovskoy Oborony pr. 120, 192012", "info@vasilek.example",
         "+7 812 765-43-21", "Pays by invoice within 10 days.", "vera@demo.example"},
        {"Logistika Partner", "5003129876", "Moscow region, Vidnoye, Promzona 3, 142703", NULL,
         "hello@logistika.example", "+7 495 222-33-44", "Our delivery partner.",
         "boris@demo.example"},
    };
    static const struct {
        int account;
        const char *name, *position, *email, *phone;
    } contacts[] = {
        {0, "Carol Sokolova", "Purchasing manager", "carol@client.example", "+7 495 123-45-68"},
        {0, "Igor Romanov", "Chief accountant", "igor.romanov@romashka.example",
         "+7 495 123-45-69"},
        {0, "Olga Belova", "Warehouse lead", "olga.belova@romashka.example", "+7 916 555-12-34"},
        {1, "Dmitry Kuznetsov", "Office manager", "dmitry@client2.example", "+7 812 765-43-22"},
        {1, "Svetlana Orlova", "CEO", "s.orlova@vasilek.example", NULL},
        {2, "Pavel Morozov", "Account manager", "pavel@partner.example", "+7 495 222-33-45"},
    };
    struct arena a;
    arena_init(&a);
    int rc = -1;
    long long ids[3];
    for (int i = 0; i < 3; i++) {
        struct db_res *res = db_query(&a, sql_demo_id, "s", accounts[i].name);
        if (!res || res->nrows == 0 ||
            db_exec(sql_demo_fill, "ssssssss", accounts[i].tax_id, accounts[i].legal,
                    accounts[i].shipping, accounts[i].email, accounts[i].phone, accounts[i].notes,
                    accounts[i].owner, accounts[i].name) < 0)
            goto out;
        ids[i] = db_ll(res, 0, 0);
    }
    for (size_t i = 0; i < sizeof contacts / sizeof contacts[0]; i++) {
        long long account = ids[contacts[i].account];
        if (db_exec(sql_contact_insert, "issss", account, contacts[i].name, contacts[i].position,
                    contacts[i].email, contacts[i].phone) < 0 ||
            crm_timeline_add(account, 0, "contact.created", db_insert_id(),
                             arena_printf(&a, "Contact added: %s", contacts[i].name)) < 0)
            goto out;
    }
    long long prospect = -1;
    if (db_exec(sql_insert_full, "sssssssIs", "Gvozdika Trading", "prospect", "3664012344",
                "Voronezh, Koltsovskaya st. 35, 394030", NULL, "sales@gvozdika.example", NULL, 0LL,
                "Asked for a quote on office furniture.") < 0 ||
        (prospect = db_insert_id()) <= 0 ||
        crm_timeline_add(prospect, 0, "account.created", prospect,
                         "Account created: Gvozdika Trading") < 0)
        goto out;
    rc = 0;
out:
    arena_cleanup(&a);
    return rc;
}
