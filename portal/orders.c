/* orders.c - orders of an account: line items with exact money (minor units, see
 * money.h), totals computed here and never taken from the client, a status workflow with
 * its history, and the cabinet's read-only view, which always filters by the session's
 * account. Every status change notifies the account's cabinet users (notification and
 * mail) and writes an outbox event in the same transaction. Every order write also bumps
 * the orders epoch (epoch.h) in its transaction: the cabinet's list pages are cached per
 * account until it moves. */
#include "orders.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "config.h"
#include "crm.h"
#include "db.h"
#include "epoch.h"
#include "jsonw.h"
#include "log.h"
#include "mail.h"
#include "money.h"
#include "notify.h"
#include "outbox.h"
#include "pagecache.h"
#include "users.h"

#define MAX_ITEMS    200
#define MAX_QUANTITY 1000000000LL /* thousandths: a million units */
#define MAX_VAT_BP   10000        /* 100 % */

/* --- SQL ----------------------------------------------------------------------------- */

#define ORDER_COLUMNS                                                                              \
    "o.id, o.order_date, o.status, o.currency, o.subtotal, o.vat_total, o.total,"                  \
    " o.item_count, o.comment, o.created_at, o.updated_at, o.version, a.id, a.name, u.id, u.name"
#define ORDER_FROM                                                                                 \
    " FROM orders o JOIN accounts a ON a.id = o.account_id LEFT JOIN users u ON u.id = o.created_by"
static const char sql_order[] = "SELECT " ORDER_COLUMNS ORDER_FROM " WHERE o.id = ?";
static const char sql_cab_order[] =
    "SELECT " ORDER_COLUMNS ORDER_FROM " WHERE o.id = ? AND o.account_id = ?";
static const char sql_items[] =
    "SELECT id, position, product_name, sku, quantity, unit_price, vat_rate, net, vat, total"
    " FROM order_items WHERE order_id = ? ORDER BY position";
static const char sql_history[] =
    "SELECT h.id, h.from_status, h.to_status, h.comment, h.created_at, u.id, u.name"
    " FROM order_status_history h LEFT JOIN users u ON u.id = h.actor_id"
    " WHERE h.order_id = ? ORDER BY h.id";

#define LIST_COLUMNS                                                                               \
    "o.id, o.order_date, o.status, o.currency, o.total, o.item_count, o.updated_at, a.id, a.name"
static const char sql_list[] =
    "SELECT " LIST_COLUMNS " FROM orders o JOIN accounts a ON a.id = o.account_id"
    " WHERE (? IS NULL OR o.status = ?) AND (? = 0 OR o.account_id = ?) AND (? = 0 OR o.id = ?)"
    " AND (? IS NULL OR a.name LIKE ?) AND (? = 0 OR o.id < ?) ORDER BY o.id DESC LIMIT ?";
/* The cabinet's list: the session's account only, newest first, keyset by id; the
 * account is the caller's own, so it is not joined. */
#define CAB_LIST_COLUMNS                                                                           \
    "o.id, o.order_date, o.status, o.currency, o.total, o.item_count, o.updated_at"
static const char sql_cab_list[] = "SELECT " CAB_LIST_COLUMNS " FROM orders o"
                                   " WHERE o.account_id = ? AND (? = 0 OR o.id < ?)"
                                   " ORDER BY o.id DESC LIMIT ?";
static const char sql_cab_list_status[] = "SELECT " CAB_LIST_COLUMNS " FROM orders o"
                                          " WHERE o.account_id = ? AND o.status = ?"
                                          " AND (? = 0 OR o.id < ?) ORDER BY o.id DESC LIMIT ?";

static const char sql_insert[] =
    "INSERT INTO orders (account_id, order_date, status, currency, subtotal, vat_total, total,"
    " item_count, comment, created_by, created_at, updated_at)"
    " VALUES (?, COALESCE(?, UTC_DATE()), 'new', ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6),"
    " UTC_TIMESTAMP(6))";
static const char sql_item_insert[] =
    "INSERT INTO order_items (order_id, position, product_name, sku, quantity, unit_price,"
    " vat_rate, net, vat, total) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_items_delete[] = "DELETE FROM order_items WHERE order_id = ?";
static const char sql_history_insert[] =
    "INSERT INTO order_status_history (order_id, from_status, to_status, comment, actor_id,"
    " created_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))";
static const char sql_lock[] =
    "SELECT account_id, status, version, comment, currency, order_date FROM orders"
    " WHERE id = ? FOR UPDATE";
static const char sql_set_status[] =
    "UPDATE orders SET status = ?, updated_at = UTC_TIMESTAMP(6), version = version + 1"
    " WHERE id = ?";
static const char sql_update[] =
    "UPDATE orders SET comment = ?, order_date = ?, currency = ?, subtotal = ?, vat_total = ?,"
    " total = ?, item_count = ?, updated_at = UTC_TIMESTAMP(6), version = version + 1"
    " WHERE id = ?";
static const char sql_sums[] =
    "SELECT subtotal, vat_total, total, item_count FROM orders WHERE id = ?";
static const char sql_update_comment[] =
    "UPDATE orders SET comment = ?, updated_at = UTC_TIMESTAMP(6), version = version + 1"
    " WHERE id = ?";

/* ---------------------------------------------------------------------------------------
 * The workflow
 * ------------------------------------------------------------------------------------- */

static const char *const STATUSES[] = {"new",       "confirmed", "in_progress", "shipped",
                                       "delivered", "closed",    "cancelled"};
#define NSTATUS (int)(sizeof STATUSES / sizeof STATUSES[0])

static int status_index(const char *s)
{
    for (int i = 0; s && i < NSTATUS; i++)
        if (strcmp(s, STATUSES[i]) == 0)
            return i;
    return -1;
}

bool orders_transition_ok(const char *from, const char *to)
{
    int f = status_index(from), t = status_index(to);
    if (f < 0 || t < 0)
        return false;
    if (t == 6) /* cancelled: only before the goods leave */
        return f <= 2;
    return f <= 4 && t == f + 1;
}

/* The statuses an order in `from` may go to, as a JSON array. */
static json_t *next_statuses(const char *from)
{
    json_t *out = json_array();
    for (int i = 0; i < NSTATUS; i++)
        if (orders_transition_ok(from, STATUSES[i]))
            json_array_append_new(out, json_string(STATUSES[i]));
    return out;
}

static const char *order_number(struct arena *a, long long id)
{
    return arena_printf(a, "ORD-%06lld", id);
}

/* ---------------------------------------------------------------------------------------
 * Input: line items and money
 * ------------------------------------------------------------------------------------- */

struct item {
    const char *product_name, *sku;
    long long quantity, unit_price, vat_rate, net, vat, total;
};

struct order_input {
    long long account_id, version;
    const char *currency, *order_date, *comment;
    bool has_account, has_version, has_currency, has_date, has_comment, has_items;
    struct item *items;
    int nitems;
    long long subtotal, vat_total, total;
};

/* Reads one amount of item i: `name` as a decimal (string or number) at scale, or, when
 * minor_name is given, `minor_name` as a whole number of units. Returns 0, or sends the
 * 400 and returns -1. */
static int read_amount(struct req *r, json_t *item, int i, const char *name,
                       const char *minor_name, int scale, long long max, long long *out)
{
    json_t *v = json_object_get(item, name);
    json_t *m = minor_name ? json_object_get(item, minor_name) : NULL;
    const char *field = arena_printf(&r->arena, "items[%d].%s", i, name);
    if (v && m)
        return http_error(r, 400, "validation_failed",
                          arena_printf(&r->arena, "Give %s or %s, not both", name, minor_name),
                          field),
               -1;
    if (m) {
        field = arena_printf(&r->arena, "items[%d].%s", i, minor_name);
        if (!json_is_integer(m))
            return http_error(r, 400, "validation_failed",
                              arena_printf(&r->arena, "%s must be a whole number of minor units",
                                           field),
                              field),
                   -1;
        v = m;
        scale = 0;
    }
    if (!v)
        return http_error(r, 400, "validation_failed",
                          arena_printf(&r->arena, "%s is required", field), field),
               -1;
    switch (money_parse_json(v, scale, max, out)) {
    case MONEY_OK:
        return 0;
    case MONEY_NEGATIVE:
        return http_error(r, 400, "validation_failed",
                          arena_printf(&r->arena, "%s must not be negative", field), field),
               -1;
    case MONEY_DECIMALS:
        return http_error(r, 400, "validation_failed",
                          arena_printf(&r->arena, "%s has more than %d decimal places", field,
                                       scale),
                          field),
               -1;
    case MONEY_TOO_LARGE:
        return http_error(r, 400, "amount_too_large",
                          arena_printf(&r->arena, "%s is too large", field), field),
               -1;
    default:
        return http_error(r, 400, "validation_failed",
                          arena_printf(&r->arena, "%s must be a decimal number such as \"12.34\"",
                                       field),
                          field),
               -1;
    }
}

/* Reads body.items into in (1 to MAX_ITEMS lines) and computes every line and the
 * totals: net = quantity x unit price, VAT per line rounded half up, all in minor units
 * and each at most MONEY_MAX. Returns 0, or sends the 400 and returns -1. */
static int read_items(struct req *r, json_t *items, struct order_input *in)
{
    if (!json_is_array(items) || json_array_size(items) < 1 || json_array_size(items) > MAX_ITEMS)
        return http_error(r, 400, "validation_failed",
                          "items must be a list of 1 to 200 order lines", "items"),
               -1;
    in->nitems = (int)json_array_size(items);
    in->items = arena_alloc(&r->arena, sizeof *in->items * (size_t)in->nitems);
    in->subtotal = in->vat_total = in->total = 0;
    for (int i = 0; i < in->nitems; i++) {
        json_t *o = json_array_get(items, (size_t)i);
        struct item *it = &in->items[i];
        memset(it, 0, sizeof *it);
        const char *field = arena_printf(&r->arena, "items[%d]", i);
        json_t *amount; /* read_amount() reads these: declared here so nothing else slips in */
        if (HTTP_ITEM_FIELDS(r, o, "items", (size_t)i,
                             {"product_name", FIELD_STRING, true, 200, &it->product_name},
                             {"sku", FIELD_TEXT, false, 64, &it->sku},
                             {"quantity", FIELD_JSON, false, 0, &amount},
                             {"unit_price", FIELD_JSON, false, 0, &amount},
                             {"unit_price_minor", FIELD_JSON, false, 0, &amount},
                             {"vat_rate", FIELD_JSON, false, 0, &amount}) < 0)
            return -1;
        if (it->sku && !*it->sku)
            it->sku = NULL;
        if (read_amount(r, o, i, "quantity", NULL, 3, MAX_QUANTITY, &it->quantity) < 0 ||
            read_amount(r, o, i, "unit_price", "unit_price_minor", 2, MONEY_MAX, &it->unit_price) <
                0 ||
            read_amount(r, o, i, "vat_rate", NULL, 2, MAX_VAT_BP, &it->vat_rate) < 0)
            return -1;
        if (it->quantity == 0)
            return http_error(r, 400, "validation_failed",
                              arena_printf(&r->arena, "%s.quantity must be above zero", field),
                              arena_printf(&r->arena, "%s.quantity", field)),
                   -1;
        it->net = money_mul_div(it->quantity, it->unit_price, 1000, MONEY_MAX);
        it->vat = it->net < 0 ? -1 : money_mul_div(it->net, it->vat_rate, 10000, MONEY_MAX);
        if (it->net < 0 || it->vat < 0 || it->net > MONEY_MAX - it->vat)
            return http_error(r, 400, "amount_too_large",
                              arena_printf(&r->arena,
                                           "%s: the line total exceeds the largest amount", field),
                              field),
                   -1;
        it->total = it->net + it->vat;
        if (in->subtotal > MONEY_MAX - it->net || in->vat_total > MONEY_MAX - it->vat ||
            in->total > MONEY_MAX - it->total)
            return http_error(r, 400, "amount_too_large",
                              "The order total exceeds the largest amount (2^53 - 1 minor units)",
                              "items"),
                   -1;
        in->subtotal += it->net;
        in->vat_total += it->vat;
        in->total += it->total;
    }
    return 0;
}

/* "YYYY-MM-DD" naming a real day from 1970 to 9999. */
static bool real_date(const char *s)
{
    struct tm tm = {0};
    const char *end = strlen(s) == 10 ? strptime(s, "%Y-%m-%d", &tm) : NULL;
    if (!end || *end || tm.tm_year < 70)
        return false;
    struct tm back = tm;
    time_t t = timegm(&back);
    struct tm check;
    gmtime_r(&t, &check);
    return check.tm_mday == tm.tm_mday && check.tm_mon == tm.tm_mon &&
           check.tm_year == tm.tm_year;
}

/* Reads an order body: on create account_id and items are required; on edit version is.
 * Returns 0, or sends the 400 and returns -1. */
static int read_order(struct req *r, json_t *body, struct order_input *in, bool create)
{
    memset(in, 0, sizeof *in);
    json_t *items = NULL;
    if (HTTP_FIELDS(r, body, {"account_id", FIELD_ID, create, 0, &in->account_id, &in->has_account},
                    {"currency", FIELD_STRING, false, 3, &in->currency, &in->has_currency},
                    {"order_date", FIELD_STRING, false, 10, &in->order_date, &in->has_date},
                    {"comment", FIELD_TEXT, false, 2000, &in->comment, &in->has_comment},
                    {"version", FIELD_INT, !create, 0, &in->version, &in->has_version},
                    {"items", FIELD_JSON, false, 0, &items}) < 0)
        return -1;
    if (!create && in->has_account)
        return http_error(r, 400, "validation_failed", "An order cannot move to another account",
                          "account_id"),
               -1;
    if (in->has_currency) {
        char *c = (char *)in->currency;
        bool ok = strlen(c) == 3;
        for (int i = 0; ok && i < 3; i++) {
            c[i] = (char)toupper((unsigned char)c[i]);
            ok = c[i] >= 'A' && c[i] <= 'Z';
        }
        if (!ok)
            return http_error(r, 400, "validation_failed",
                              "currency must be a three-letter ISO 4217 code such as RUB",
                              "currency"),
                   -1;
    }
    if (in->has_date && !real_date(in->order_date))
        return http_error(r, 400, "validation_failed", "order_date must be a date (YYYY-MM-DD)",
                          "order_date"),
               -1;
    in->has_items = items && !json_is_null(items);
    if (create && !in->has_items)
        return http_error(r, 400, "validation_failed", "items is required", "items"), -1;
    if (in->has_items && read_items(r, items, in) < 0)
        return -1;
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Output
 * ------------------------------------------------------------------------------------- */

/* Sets name (decimal string) and name_minor (integer) of an amount on o. */
static void put_amount(json_t *o, const char *name, long long minor)
{
    char buf[40], key[48];
    json_object_set_new(o, name, json_string(money_format(minor, 2, false, buf, sizeof buf)));
    snprintf(key, sizeof key, "%s_minor", name);
    json_object_set_new(o, key, json_integer(minor));
}

static json_t *ref_json(const struct db_res *res, int i, int col)
{
    if (!db_str(res, i, col))
        return json_null();
    return json_pack("{s:I, s:s}", "id", (json_int_t)db_ll(res, i, col), "name",
                     db_str(res, i, col + 1));
}

/* A row of sql_list / sql_cab_list as a list item. */
static json_t *list_item(struct arena *a, const struct db_res *res, int i, bool cabinet)
{
    json_t *o = db_row_json(res, i, "isss--t", a);
    json_object_set_new(o, "number", json_string(order_number(a, db_ll(res, i, 0))));
    put_amount(o, "total", db_ll(res, i, 4));
    json_object_set_new(o, "item_count", json_integer(db_ll(res, i, 5)));
    if (!cabinet)
        json_object_set_new(o, "account", ref_json(res, i, 7));
    return o;
}

/* The whole order (items, totals, history, the statuses it may go to). For the cabinet
 * only an order of account_id is found, and the creator is left out. NULL when there is
 * no such order (or on a database error: see db_errno()). */
static json_t *order_json(struct arena *a, long long id, long long account_id, bool cabinet)
{
    struct db_res *o = cabinet ? db_query(a, sql_cab_order, "ii", id, account_id)
                               : db_query(a, sql_order, "i", id);
    if (!o || o->nrows == 0)
        return NULL;
    struct db_res *items = db_query(a, sql_items, "i", id);
    struct db_res *hist = items ? db_query(a, sql_history, "i", id) : NULL;
    if (!hist)
        return NULL;
    json_t *out = db_row_json(o, 0, "isss---istti", a);
    json_object_set_new(out, "number", json_string(order_number(a, id)));
    put_amount(out, "subtotal", db_ll(o, 0, 4));
    put_amount(out, "vat_total", db_ll(o, 0, 5));
    put_amount(out, "total", db_ll(o, 0, 6));
    json_object_set_new(out, "account", ref_json(o, 0, 12));
    if (!cabinet)
        json_object_set_new(out, "created_by", ref_json(o, 0, 14));
    json_object_set_new(out, "next_statuses", cabinet ? json_array() : next_statuses(db_str(o, 0, 2)));
    json_object_set_new(out, "editable", json_boolean(!cabinet && strcmp(db_str(o, 0, 2), "new") == 0));
    json_t *lines = json_array();
    for (int i = 0; i < items->nrows; i++) {
        char buf[40];
        json_t *l = db_row_json(items, i, "iiss", a);
        json_object_set_new(l, "quantity",
                            json_string(money_format(db_ll(items, i, 4), 3, true, buf, sizeof buf)));
        put_amount(l, "unit_price", db_ll(items, i, 5));
        json_object_set_new(l, "vat_rate",
                            json_string(money_format(db_ll(items, i, 6), 2, true, buf, sizeof buf)));
        put_amount(l, "net", db_ll(items, i, 7));
        put_amount(l, "vat", db_ll(items, i, 8));
        put_amount(l, "total", db_ll(items, i, 9));
        json_array_append_new(lines, l);
    }
    json_object_set_new(out, "items", lines);
    json_t *history = json_array();
    for (int i = 0; i < hist->nrows; i++) {
        json_t *h = json_pack("{s:I, s:s?, s:s, s:s, s:s}", "id", (json_int_t)db_ll(hist, i, 0),
                              "from", db_str(hist, i, 1), "to", db_str(hist, i, 2), "comment",
                              db_str(hist, i, 3), "at", db_time_iso(a, db_str(hist, i, 4)));
        json_object_set_new(h, "by", ref_json(hist, i, 5));
        json_array_append_new(history, h);
    }
    json_object_set_new(out, "history", history);
    return out;
}

/* 409 carrying the order as it is now. Returns 409. */
static int conflict(struct req *r, long long id, const char *code, const char *message,
                    const char *field)
{
    json_t *err = json_pack("{s:s, s:s}", "code", code, "message", message);
    if (field)
        json_object_set_new(err, "field", json_string(field));
    r->error_code = code;
    return http_json(r, 409, json_pack("{s:o, s:o?}", "error", err, "current",
                                       order_json(&r->arena, id, 0, false)));
}

/* ---------------------------------------------------------------------------------------
 * Side effects of a change: timeline, notifications, events, mail
 * ------------------------------------------------------------------------------------- */

/* The account's enabled cabinet users (id, email, name, locale), read in the change's
 * transaction so the mail after the commit goes to the same people. */
struct audience {
    struct db_res *users;
};

/* Appends an order event for the account's cabinet and for the employees; does not
 * steal payload. 0 or -1. */
static int order_event(const char *type, long long account_id, json_t *payload)
{
    char audience[40];
    snprintf(audience, sizeof audience, "account:%lld", account_id);
    return outbox_append(type, audience, payload) < 0 ||
                   outbox_append(type, "employees", payload) < 0
               ? -1
               : 0;
}

/* Inside the transaction: the timeline line, a notification per cabinet user of the
 * account, and the "order.status" event for the account and the employees. from is
 * NULL for a new order. 0 or -1. */
static int status_changed(struct req *r, long long id, long long account_id, const char *from,
                          const char *to, const char *comment, struct audience *aud)
{
    const char *number = order_number(&r->arena, id);
    long long actor = auth_user_id(r);
    const char *line = from ? arena_printf(&r->arena, "%s: %s -> %s", number, from, to)
                            : arena_printf(&r->arena, "%s created", number);
    if (crm_timeline_add(account_id, actor, from ? "order.status" : "order.created", id, line) < 0)
        return -1;
    aud->users = users_of_account(&r->arena, account_id);
    if (!aud->users)
        return -1;
    const char *summary = arena_printf(&r->arena, "%s: %s", number, to);
    for (int i = 0; i < aud->users->nrows; i++)
        if (notify_user(db_ll(aud->users, i, 0), actor, "order.status", "order", id, summary) < 0)
            return -1;
    json_t *payload = json_pack("{s:I, s:s, s:I, s:s?, s:s, s:s}", "id", (json_int_t)id, "number",
                                number, "account_id", (json_int_t)account_id, "from", from, "to",
                                to, "comment", comment ? comment : "");
    int rc = order_event("order.status", account_id, payload);
    json_decref(payload);
    return rc;
}

static const char *status_text(const char *status, bool ru)
{
    static const char *const en[] = {"New",       "Confirmed", "In progress", "Shipped",
                                     "Delivered", "Closed",    "Cancelled"};
    static const char *const rus[] = {"Новый",     "Подтверждён", "В работе", "Отгружен",
                                      "Доставлен", "Закрыт",      "Отменён"};
    int i = status_index(status);
    return i < 0 ? status : ru ? rus[i] : en[i];
}

/* After the commit: one mail per cabinet user, in the user's language. Best effort: a
 * failed mail is logged by mail_send and changes nothing. */
static void mail_status(struct req *r, long long id, const char *to, const char *comment,
                        const struct audience *aud)
{
    const char *number = order_number(&r->arena, id);
    for (int i = 0; aud->users && i < aud->users->nrows; i++) {
        bool ru = db_str(aud->users, i, 3) && strcmp(db_str(aud->users, i, 3), "ru") == 0;
        const char *subject =
            ru ? arena_printf(&r->arena, "Заказ %s: %s", number, status_text(to, true))
               : arena_printf(&r->arena, "Order %s: %s", number, status_text(to, false));
        const char *body = arena_printf(
            &r->arena,
            ru ? "Здравствуйте, %s!\n\nСтатус заказа %s: %s.\n%s%s%s\nЗаказ: %s/cabinet/orders/%lld\n"
               : "Hello %s,\n\nOrder %s is now: %s.\n%s%s%s\nSee the order: %s/cabinet/orders/%lld\n",
            db_str(aud->users, i, 2), number, status_text(to, ru), comment && *comment ? "\n" : "",
            comment && *comment ? comment : "", comment && *comment ? "\n" : "", config.public_url,
            id);
        mail_send(db_str(aud->users, i, 1), subject, body);
    }
}

/* ---------------------------------------------------------------------------------------
 * Employee handlers
 * ------------------------------------------------------------------------------------- */

/* q as an order number ("ORD-000123", "#123", "123"): the id, else 0. */
static long long number_of(const char *q)
{
    if (strncasecmp(q, "ORD-", 4) == 0)
        q += 4;
    else if (*q == '#')
        q++;
    if (!*q || strlen(q) > 18)
        return 0;
    for (const char *p = q; *p; p++)
        if (!isdigit((unsigned char)*p))
            return 0;
    return atoll(q);
}

int orders_list(struct req *r)
{
    int limit;
    long long before, account = 0;
    if (http_page_args(r, 50, 200, &limit, &before) < 0)
        return r->status;
    const char *status = http_query(r, "status"), *acc = http_query(r, "account_id"),
               *q = http_query(r, "q");
    if (status && !*status)
        status = NULL;
    if (status && status_index(status) < 0)
        return http_error(r, 400, "validation_failed", "status is not an order status", "status");
    if (acc && *acc && (sscanf(acc, "%lld", &account) != 1 || account < 1))
        return http_error(r, 400, "validation_failed", "account_id must be an id", "account_id");
    long long number = q && *q ? number_of(q) : 0;
    const char *like = q && *q && !number ? db_like(&r->arena, q, true) : NULL;
    struct db_res *res =
        db_query(&r->arena, sql_list, "ssiiiissiii", status, status, account, account, number,
                 number, like, like, before, before, (long long)limit);
    if (!res)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < res->nrows; i++)
        json_array_append_new(items, list_item(&r->arena, res, i, false));
    json_t *out = json_pack("{s:o}", "items", items);
    db_page_next(out, res, limit);
    return http_json(r, 200, out);
}

static int insert_items(long long order_id, const struct order_input *in)
{
    for (int i = 0; i < in->nitems; i++) {
        const struct item *it = &in->items[i];
        if (db_exec(sql_item_insert, "iissiiiiii", order_id, (long long)i + 1, it->product_name,
                    it->sku, it->quantity, it->unit_price, it->vat_rate, it->net, it->vat,
                    it->total) < 0)
            return -1;
    }
    return 0;
}

struct order_ctx {
    struct order_input *in;
    long long id;
    const char *status, *comment; /* a status change */
    bool has_version;
    long long version;
    struct audience aud;
    bool mail;
};

static int create_tx(struct req *r, void *arg, struct http_change *change)
{
    struct order_ctx *c = arg;
    struct order_input *in = c->in;
    int exists = crm_account_exists(&r->arena, in->account_id);
    if (exists < 0)
        return -1;
    if (!exists)
        return http_error(r, 400, "validation_failed", "No such account", "account_id");
    if (db_exec(sql_insert, "issiiiisI", in->account_id, in->has_date ? in->order_date : NULL,
                in->has_currency ? in->currency : "RUB", in->subtotal, in->vat_total, in->total,
                (long long)in->nitems, in->has_comment ? in->comment : "", auth_user_id(r)) < 0)
        return -1;
    c->id = db_insert_id();
    if (insert_items(c->id, in) < 0 ||
        db_exec(sql_history_insert, "inssI", c->id, "new", "", auth_user_id(r)) < 0 ||
        status_changed(r, c->id, in->account_id, NULL, "new", in->comment, &c->aud) < 0 ||
        epoch_write(EPOCH_ORDERS) < 0)
        return -1;
    *change = (struct http_change){"order.create", "order", c->id,
                                   json_pack("{s:I, s:I}", "account_id", (json_int_t)in->account_id,
                                             "total", (json_int_t)in->total)};
    return 0;
}

int orders_create(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct order_input in;
    if (read_order(r, body, &in, true) < 0)
        return r->status;
    struct order_ctx c = {.in = &in};
    int rc = http_write(r, create_tx, &c);
    if (rc)
        return rc;
    mail_status(r, c.id, "new", in.comment, &c.aud);
    json_t *out = order_json(&r->arena, c.id, 0, false);
    return out ? http_json(r, 201, out) : http_db_error(r);
}

int orders_get(struct req *r)
{
    long long id = http_param_id(r, "id");
    return http_json_found(r, id ? order_json(&r->arena, id, 0, false) : NULL, "No such order");
}

static int update_tx(struct req *r, void *arg, struct http_change *change)
{
    struct order_ctx *c = arg;
    struct order_input *in = c->in;
    struct db_res *cur = db_query(&r->arena, sql_lock, "i", c->id);
    if (!cur)
        return -1;
    if (cur->nrows == 0)
        return http_error(r, 404, "not_found", "No such order", NULL);
    long long account = db_ll(cur, 0, 0);
    const char *status = db_str(cur, 0, 1);
    if (db_ll(cur, 0, 2) != in->version)
        return conflict(r, c->id, "conflict", "The order changed meanwhile; reload", "version");
    bool lines = in->has_items || in->has_currency || in->has_date;
    if (lines && strcmp(status, "new") != 0)
        return conflict(r, c->id, "order_locked",
                        "Items, currency and date can only change while the order is new",
                        in->has_items ? "items" : in->has_currency ? "currency" : "order_date");
    if (!lines && !in->has_comment)
        return 0; /* nothing to change: no new version */
    const char *comment = in->has_comment ? in->comment : db_str(cur, 0, 3);
    if (lines) {
        if (!in->has_items) {
            /* Totals stay; only currency or date change: re-read the lines' sums. */
            struct db_res *o = db_query(&r->arena, sql_sums, "i", c->id);
            if (!o || o->nrows == 0)
                return -1;
            in->subtotal = db_ll(o, 0, 0);
            in->vat_total = db_ll(o, 0, 1);
            in->total = db_ll(o, 0, 2);
            in->nitems = (int)db_ll(o, 0, 3);
        } else if (db_exec(sql_items_delete, "i", c->id) < 0 || insert_items(c->id, in) < 0) {
            return -1;
        }
        if (db_exec(sql_update, "sssiiiii", comment, in->has_date ? in->order_date : db_str(cur, 0, 5),
                    in->has_currency ? in->currency : db_str(cur, 0, 4), in->subtotal,
                    in->vat_total, in->total, (long long)in->nitems, c->id) < 0)
            return -1;
    } else if (db_exec(sql_update_comment, "si", comment, c->id) < 0) {
        return -1;
    }
    const char *number = order_number(&r->arena, c->id);
    json_t *payload = json_pack("{s:I, s:s, s:I}", "id", (json_int_t)c->id, "number", number,
                                "account_id", (json_int_t)account);
    int ev = order_event("order.updated", account, payload);
    json_decref(payload);
    if (ev < 0 ||
        crm_timeline_add(account, auth_user_id(r), "order.updated", c->id,
                         arena_printf(&r->arena, "%s changed", number)) < 0 ||
        epoch_write(EPOCH_ORDERS) < 0)
        return -1;
    *change = (struct http_change){"order.update", "order", c->id, NULL};
    return 0;
}

int orders_update(struct req *r)
{
    long long id;
    json_t *body = http_id_body(r, "No such order", &id);
    if (!body)
        return r->status;
    struct order_input in;
    if (read_order(r, body, &in, false) < 0)
        return r->status;
    struct order_ctx c = {.in = &in, .id = id};
    int rc = http_write(r, update_tx, &c);
    if (rc)
        return rc;
    json_t *out = order_json(&r->arena, id, 0, false);
    return out ? http_json(r, 200, out) : http_db_error(r);
}

static int status_tx(struct req *r, void *arg, struct http_change *change)
{
    struct order_ctx *c = arg;
    c->aud.users = NULL;
    struct db_res *cur = db_query(&r->arena, sql_lock, "i", c->id);
    if (!cur)
        return -1;
    if (cur->nrows == 0)
        return http_error(r, 404, "not_found", "No such order", NULL);
    long long account = db_ll(cur, 0, 0);
    const char *from = db_str(cur, 0, 1);
    if (c->has_version && db_ll(cur, 0, 2) != c->version)
        return conflict(r, c->id, "conflict", "The order changed meanwhile; reload", "version");
    if (!orders_transition_ok(from, c->status))
        return conflict(r, c->id, "invalid_transition",
                        arena_printf(&r->arena, "An order cannot go from %s to %s", from,
                                     c->status),
                        "status");
    if (db_exec(sql_set_status, "si", c->status, c->id) < 0 ||
        db_exec(sql_history_insert, "isssI", c->id, from, c->status, c->comment, auth_user_id(r)) <
            0 ||
        status_changed(r, c->id, account, from, c->status, c->comment, &c->aud) < 0 ||
        epoch_write(EPOCH_ORDERS) < 0)
        return -1;
    *change = (struct http_change){"order.status", "order", c->id,
                                   json_pack("{s:s, s:s}", "from", from, "to", c->status)};
    return 0;
}

int orders_set_status(struct req *r)
{
    long long id;
    json_t *body = http_id_body(r, "No such order", &id);
    if (!body)
        return r->status;
    struct order_ctx c = {.id = id, .comment = ""};
    if (HTTP_FIELDS(r, body, {"status", FIELD_STRING, true, 16, &c.status},
                    {"comment", FIELD_TEXT, false, 2000, &c.comment},
                    {"version", FIELD_INT, false, 0, &c.version, &c.has_version}) < 0)
        return r->status;
    if (status_index(c.status) < 0)
        return http_error(r, 400, "validation_failed",
                          "status must be one of new, confirmed, in_progress, shipped, delivered,"
                          " closed, cancelled",
                          "status");
    int rc = http_write(r, status_tx, &c);
    if (rc)
        return rc;
    mail_status(r, id, c.status, c.comment, &c.aud);
    json_t *out = order_json(&r->arena, id, 0, false);
    return out ? http_json(r, 200, out) : http_db_error(r);
}

/* ---------------------------------------------------------------------------------------
 * Cabinet handlers: the account is the session's (or the previewed one), never the
 * request's; another account's order answers 404 like a missing one.
 * ------------------------------------------------------------------------------------- */

/* The customer's order list is the cabinet's busiest answer, and building it as jansson
 * values cost more than its query, so it is written straight from the rows with jsonw
 * (in a), its length in *len. Same members as list_item(); NULL when out of memory. */
static const char *cabinet_list_text(struct arena *a, const struct db_res *res, int limit,
                                     size_t *len)
{
    struct jsonw w;
    jsonw_init(&w, a);
    jsonw_obj_begin(&w);
    jsonw_key(&w, "items");
    jsonw_arr_begin(&w);
    for (int i = 0; i < res->nrows; i++) {
        char *const *row = res->rows[i];
        char total[40];
        jsonw_obj_begin(&w);
        jsonw_key(&w, "id"); /* the cells as db_row_json(res, i, "isss--t") has them */
        jsonw_int_text(&w, row[0]);
        jsonw_key(&w, "order_date");
        jsonw_str(&w, row[1]);
        jsonw_key(&w, "status");
        jsonw_str(&w, row[2]);
        jsonw_key(&w, "currency");
        jsonw_str(&w, row[3]);
        jsonw_key(&w, "updated_at");
        jsonw_str(&w, row[6] ? db_time_iso(a, row[6]) : NULL);
        jsonw_key(&w, "number");
        jsonw_str(&w, order_number(a, db_ll(res, i, 0)));
        jsonw_key(&w, "total");
        jsonw_str(&w, money_format(db_ll(res, i, 4), 2, false, total, sizeof total));
        jsonw_key(&w, "total_minor");
        jsonw_int_text(&w, row[4]);
        jsonw_key(&w, "item_count");
        jsonw_int_text(&w, row[5]);
        jsonw_obj_end(&w);
    }
    jsonw_arr_end(&w);
    if (res->nrows == limit && limit > 0) { /* as db_page_next() */
        jsonw_key(&w, "next_before");
        jsonw_int(&w, db_ll(res, res->nrows - 1, 0));
    }
    jsonw_obj_end(&w);
    return jsonw_finish(&w, len);
}

/* The list cache: the bytes of GET /cabinet/orders answers, per account and query
 * (limit, before, status), served while the orders epoch is the one they were filled
 * under (any order write on any node moves it within EPOCH_POLL_MS, on the writing node
 * before it answers) and for 30 s at most (changes made in SQL by hand). Keyed by the
 * account alone: the page holds nothing of the reader, so an employee previewing the
 * account gets the customer's bytes. Bounded: 4,096 direct-mapped entries of up to
 * 64 KB (a page of 100 orders is ~20 KB), 32 MB of text in all. */
static struct pagecache_entry list_slots[4096];
static struct pagecache list_cache =
    PAGECACHE_INIT(list_slots, 30000, 64 * 1024, 32 * 1024 * 1024);

static int send_list(struct req *r, const char *text, size_t len)
{
    return http_send(r, 200, "application/json", "Cache-Control: no-store\r\n", text, len);
}

int orders_cabinet_list(struct req *r)
{
    long long account = auth_account_id(r);
    int limit;
    long long before;
    if (http_page_args(r, 20, 100, &limit, &before) < 0)
        return r->status;
    const char *status = http_query(r, "status");
    if (status && !*status)
        status = NULL;
    if (status && status_index(status) < 0)
        return http_error(r, 400, "validation_failed", "status is not an order status", "status");
    if (!account)
        return http_error(r, 404, "not_found", "No account", NULL);
    /* status: its index + 1, 0 = any */
    const long long key[] = {account, limit, before, status ? status_index(status) + 1 : 0};
    size_t len;
    uint64_t gen[2] = {epoch_now(EPOCH_ORDERS), 1}, filled = epoch_clock_ms();
    char *cached = pagecache_get(&list_cache, &r->arena, key, sizeof key / sizeof key[0], gen, &len);
    if (cached)
        return send_list(r, cached, len);
    struct db_res *res =
        status ? db_query(&r->arena, sql_cab_list_status, "isiii", account, status, before, before,
                          (long long)limit)
               : db_query(&r->arena, sql_cab_list, "iiii", account, before, before,
                          (long long)limit);
    if (!res)
        return http_db_error(r);
    const char *text = cabinet_list_text(&r->arena, res, limit, &len);
    if (!text)
        return http_json(r, 200, NULL); /* out of memory: the 500 answer */
    pagecache_put(&list_cache, key, sizeof key / sizeof key[0], gen, filled, text, len);
    return send_list(r, text, len);
}

int orders_cabinet_get(struct req *r)
{
    long long id = http_param_id(r, "id"), account = auth_account_id(r);
    return http_json_found(r, id && account ? order_json(&r->arena, id, account, true) : NULL,
                           "No such order");
}

/* ---------------------------------------------------------------------------------------
 * Counts for the CRM
 * ------------------------------------------------------------------------------------- */

static const char sql_open_counts[] =
    "SELECT account_id, COUNT(*) FROM orders WHERE account_id IN"
    " (SELECT id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) t)"
    " AND status NOT IN ('closed', 'cancelled') GROUP BY account_id";
static const char sql_account_counts[] =
    "SELECT COUNT(*), COALESCE(SUM(status NOT IN ('closed', 'cancelled')), 0) FROM orders"
    " WHERE account_id = ?";

int orders_open_counts(struct arena *a, const long long *ids, size_t n, long long *counts)
{
    if (n == 0)
        return 0;
    char *list = arena_alloc(a, n * 21 + 3), *p = list;
    if (!list)
        return -1;
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%c%lld", i ? ',' : '[', ids[i]);
    strcpy(p, "]");
    struct db_res *res = db_query(a, sql_open_counts, "s", list);
    if (!res)
        return -1;
    for (size_t i = 0; i < n; i++)
        counts[i] = 0;
    for (int k = 0; k < res->nrows; k++)
        for (size_t i = 0; i < n; i++)
            if (ids[i] == db_ll(res, k, 0))
                counts[i] = db_ll(res, k, 1);
    return 0;
}

int orders_account_counts(struct arena *a, long long account_id, long long *all, long long *open)
{
    struct db_res *res = db_query(a, sql_account_counts, "i", account_id);
    if (!res || res->nrows != 1)
        return -1;
    *all = db_ll(res, 0, 0);
    *open = db_ll(res, 0, 1);
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Demo data
 * ------------------------------------------------------------------------------------- */

static const char sql_demo_account[] = "SELECT id FROM accounts WHERE name = ?";
static const char sql_demo_employee[] = "SELECT id FROM users WHERE email = ?";
static const char sql_demo_age[] =
    "UPDATE orders SET order_date = DATE(UTC_TIMESTAMP(6) - INTERVAL ? HOUR),"
    " created_at = UTC_TIMESTAMP(6) - INTERVAL ? HOUR, updated_at = UTC_TIMESTAMP(6) - INTERVAL ? HOUR"
    " WHERE id = ?";
static const char sql_demo_step_age[] =
    "UPDATE order_status_history SET created_at = UTC_TIMESTAMP(6) - INTERVAL ? HOUR WHERE id = ?";

/* One demo order of account walked to status `to`, with history by actor, dated days
 * ago. */
static int demo_order(struct arena *a, long long account, long long actor, int seq,
                      const char *to, long long days)
{
    static const struct {
        const char *name, *sku, *qty, *price, *vat;
    } catalog[] = {
        {"Office chair Ergo 200", "CH-200", "4", "12490.00", "20"},
        {"Desk lamp LED", "LMP-15", "10", "1890.50", "20"},
        {"Printer paper A4, 500 sheets", "PAP-A4", "25", "389.90", "20"},
        {"Coffee beans, 1 kg", "CF-1KG", "2.5", "1450.00", "10"},
        {"Installation service", "SRV-INST", "1", "7500.00", "0"},
        {"Monitor 27\"", "MON-27", "2", "23990.00", "20"},
    };
    enum { NCAT = sizeof catalog / sizeof catalog[0] };
    int n = 1 + seq % 3;
    struct order_input in = {.account_id = account, .nitems = n};
    struct item items[3];
    in.items = items;
    for (int i = 0; i < n; i++) {
        const typeof(catalog[0]) *c = &catalog[(seq + i * 2) % NCAT];
        struct item *it = &items[i];
        it->product_name = c->name;
        it->sku = c->sku;
        if (money_parse_text(c->qty, 3, MAX_QUANTITY, &it->quantity) ||
            money_parse_text(c->price, 2, MONEY_MAX, &it->unit_price) ||
            money_parse_text(c->vat, 2, MAX_VAT_BP, &it->vat_rate))
            return -1;
        it->net = money_mul_div(it->quantity, it->unit_price, 1000, MONEY_MAX);
        it->vat = money_mul_div(it->net, it->vat_rate, 10000, MONEY_MAX);
        it->total = it->net + it->vat;
        in.subtotal += it->net;
        in.vat_total += it->vat;
        in.total += it->total;
    }
    const char *comment = seq % 2 ? "Delivery to the main office, 9:00-18:00." : "";
    if (db_exec(sql_insert, "issiiiisI", account, NULL, "RUB", in.subtotal, in.vat_total,
                in.total, (long long)n, comment, actor) < 0)
        return -1;
    long long id = db_insert_id();
    /* The order was placed `days` ago; each later step some hours after the one before. */
    long long hours = days * 24, step = days * 24 / 7;
    if (insert_items(id, &in) < 0 || db_exec(sql_history_insert, "inssI", id, "new", "", actor) < 0 ||
        db_exec(sql_demo_step_age, "ii", hours, db_insert_id()) < 0 ||
        crm_timeline_add(account, actor, "order.created", id,
                         arena_printf(a, "%s created", order_number(a, id))) < 0)
        return -1;
    /* Walk the workflow to the target: every step in the history, as people would. */
    static const char *const path[] = {"new", "confirmed", "in_progress", "shipped", "delivered",
                                       "closed"};
    const char *from = "new";
    int target = status_index(to);
    for (int s = 1; s < 6 && target != 0; s++) {
        const char *next = target == 6 && s == 2 ? "cancelled" : path[s];
        const char *note = strcmp(next, "shipped") == 0     ? "Tracking number: RU-45821937"
                           : strcmp(next, "cancelled") == 0 ? "Cancelled at the customer's request"
                                                            : "";
        if (db_exec(sql_set_status, "si", next, id) < 0 ||
            db_exec(sql_history_insert, "isssI", id, from, next, note, actor) < 0 ||
            db_exec(sql_demo_step_age, "ii", hours -= step, db_insert_id()) < 0 ||
            crm_timeline_add(account, actor, "order.status", id,
                             arena_printf(a, "%s: %s -> %s", order_number(a, id), from, next)) < 0)
            return -1;
        from = next;
        if (strcmp(next, to) == 0)
            break;
    }
    return db_exec(sql_demo_age, "iiii", days * 24, days * 24, hours, id);
}

int orders_demo_seed(void)
{
    struct arena a;
    arena_init(&a);
    int rc = -1;
    struct db_res *boris = db_query(&a, sql_demo_employee, "s", "boris@demo.example");
    if (!boris || boris->nrows == 0)
        goto out;
    long long actor = db_ll(boris, 0, 0);
    static const char *const accounts[] = {"Romashka LLC", "Vasilek JSC"};
    for (int k = 0; k < 2; k++) {
        struct db_res *acc = db_query(&a, sql_demo_account, "s", accounts[k]);
        if (!acc || acc->nrows == 0)
            goto out;
        /* Oldest first, so the newest orders are the least advanced. */
        for (int s = NSTATUS - 1, seq = k; s >= 0; s--, seq++)
            if (demo_order(&a, db_ll(acc, 0, 0), actor, seq, STATUSES[s], 1 + s * 4 + k) < 0)
                goto out;
    }
    rc = epoch_write(EPOCH_ORDERS);
out:
    arena_cleanup(&a);
    return rc;
}
