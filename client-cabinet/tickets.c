/* tickets.c - support tickets: an account's requests with a thread of public replies and
 * internal notes, the employee queue (filters, assignment, status workflow, SLA) and
 * the cabinet's view of the same tickets, always keyed by the session's account.
 *
 * Status workflow (POST /api/v1/tickets/{id}/status; customers move it only by replying):
 *   new      -> open, waiting, resolved, closed
 *   open     -> waiting, resolved, closed
 *   waiting  -> open, resolved, closed
 *   resolved -> open (reopen), closed
 *   closed   -> nothing: final; a customer opens a new ticket instead
 * Automatic moves: the first public employee reply turns new into open; a customer reply
 * turns waiting into open and reopens a resolved ticket (a new resolution clock). */
#include "tickets.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "auth.h"
#include "config.h"
#include "crm.h"
#include "db.h"
#include "files.h"
#include "html.h"
#include "log.h"
#include "mail.h"
#include "notify.h"
#include "outbox.h"
#include "richtext.h"
#include "sla.h"

#define FILE_KIND     "ticket_message"
#define MAX_FILES     20
#define MAX_BODY      100000
#define MAX_RECIPIENT 50

/* ---------------------------------------------------------------------------------------
 * SQL
 * ------------------------------------------------------------------------------------- */

/* A ticket row with its account, requester and assignee. Tickets come first
 * (STRAIGHT_JOIN): left to itself the optimizer started from the smaller accounts table
 * and sorted a million tickets for a page of fifty. */
#define TICKET_FIELDS                                                                              \
    "SELECT t.id, t.subject, t.status, t.priority, t.version, t.created_at, t.updated_at,"         \
    " t.last_message_at, t.first_response_due, t.first_response_at, t.resolution_due,"             \
    " t.resolved_at, t.sla_due, t.sla_due < UTC_TIMESTAMP(6), a.id, a.name, rq.id, rq.name,"       \
    " asg.id, asg.name, t.rating, t.rating_comment, t.closed_at"
#define TICKET_JOINS                                                                               \
    " STRAIGHT_JOIN accounts a ON a.id = t.account_id STRAIGHT_JOIN users rq"                      \
    " ON rq.id = t.requester_id LEFT JOIN users asg ON asg.id = t.assignee_id"
#define TICKET_COLS TICKET_FIELDS " FROM tickets t" TICKET_JOINS
enum {
    C_ID,
    C_SUBJECT,
    C_STATUS,
    C_PRIORITY,
    C_VERSION,
    C_CREATED,
    C_UPDATED,
    C_LAST_MESSAGE,
    C_FR_DUE,
    C_FR_AT,
    C_RES_DUE,
    C_RESOLVED,
    C_SLA_DUE,
    C_OVERDUE,
    C_ACC_ID,
    C_ACC_NAME,
    C_REQ_ID,
    C_REQ_NAME,
    C_ASG_ID,
    C_ASG_NAME,
    C_RATING,
    C_RATING_COMMENT,
    C_CLOSED
};

/* The queue: every filter is optional; keyset paging on id, newest first. Measured on a
 * million tickets (bench/tickets-run), these keep every page a short index walk:
 * - each set of filters has its own statement text with only the conditions it needs
 *   (an absent filter keeps its placeholder as "? IS NULL", bound to NULL, so every
 *   variant takes the same arguments): the generic "(? IS NULL OR t.status = ?)" form
 *   hid the ranges from the optimizer;
 * - the page's ids are found first, from the filter's (column, id) index alone, and the
 *   rows joined after ("late row lookup"): reading whole rows, MariaDB preferred "ref"
 *   access, which cannot seek to `id < before` and walked a status down from its newest
 *   row (two seconds half-way through the closed tickets); on the index alone it takes
 *   the range that starts at the page;
 * - each filtered variant names its candidate indexes, those of the filters present, in
 *   FORCE INDEX: left free, a prepared statement re-executed on the same connection
 *   with other values (status=new, open, waiting, then closed&before=<mid>) fell back
 *   to "ref" on (status), which cannot seek to `id < before` and read 461,000 rows for
 *   a page half-way down (0.1-0.5 s); forced, the same page is the 50-entry range on
 *   (status, id). "overdue" thus reads the sla_due index (only active tickets have an
 *   sla_due, so it stays small) rather than the primary key, which a sparse last page
 *   walked to the bottom;
 * - index-merge intersection is off: it intersected the status and priority indexes
 *   over 100,000 rows to find 50.
 * Checked with the slow log (log_slow_verbosity=explain) over the bench requests and
 * a deep page of every filter kind: all "range", at most ~11,000 index entries (the
 * first overdue page), most 50-350. */
enum { Q_STATUS = 1, Q_PRIORITY = 2, Q_ACCOUNT = 4, Q_OVERDUE = 8, Q_VARIANTS = 16 };
enum { Q_ANYONE, Q_ASSIGNEE, Q_UNASSIGNED, Q_ASSIGNEE_MODES };
static char *queue_sql[Q_VARIANTS][Q_ASSIGNEE_MODES]; /* built once, kept for the process */
static pthread_once_t queue_sql_once = PTHREAD_ONCE_INIT;

static void queue_sql_build(void)
{
    for (int f = 0; f < Q_VARIANTS; f++)
        for (int m = 0; m < Q_ASSIGNEE_MODES; m++) {
            /* The indexes of the filters present, and only those (see above). */
            char hint[200] = "";
            if (f || m != Q_ANYONE)
                snprintf(hint, sizeof hint, " FORCE INDEX (%s%s%s%s%s)",
                         f & Q_OVERDUE ? ",tickets_sla" : "", f & Q_STATUS ? ",tickets_status" : "",
                         f & Q_PRIORITY ? ",tickets_priority" : "",
                         f & Q_ACCOUNT ? ",tickets_account" : "",
                         m != Q_ANYONE ? ",tickets_assignee" : "");
            char *comma = strchr(hint, ',');
            if (comma)
                memmove(comma, comma + 1, strlen(comma));
            char text[2048];
            snprintf(
                text, sizeof text,
                "SET STATEMENT optimizer_switch='index_merge_intersection=off' FOR " TICKET_FIELDS
                " FROM (SELECT t.id FROM tickets t%s WHERE t.id < ?%s%s%s%s%s"
                " ORDER BY t.id DESC LIMIT ?) page STRAIGHT_JOIN tickets t ON t.id = "
                "page.id" TICKET_JOINS " ORDER BY t.id DESC",
                hint, f & Q_STATUS ? " AND t.status = ?" : " AND ? IS NULL",
                f & Q_PRIORITY ? " AND t.priority = ?" : " AND ? IS NULL",
                f & Q_ACCOUNT ? " AND t.account_id = ?" : " AND ? IS NULL",
                m == Q_ASSIGNEE     ? " AND t.assignee_id = ?"
                : m == Q_UNASSIGNED ? " AND t.assignee_id IS NULL AND ? IS NULL"
                                    : " AND ? IS NULL",
                f & Q_OVERDUE ? " AND t.sla_due < UTC_TIMESTAMP(6)" : "");
            queue_sql[f][m] = strdup(text);
        }
}

static const char sql_cab_list[] =
    TICKET_COLS " WHERE t.account_id = ? AND (? IS NULL OR t.status = ?) AND t.id < ?"
                " ORDER BY t.id DESC LIMIT ?";
static const char sql_get[] = TICKET_COLS " WHERE t.id = ?";
static const char sql_cab_get[] = TICKET_COLS " WHERE t.id = ? AND t.account_id = ?";

static const char sql_thread[] =
    "SELECT m.id, m.internal, m.body_html, m.created_at, u.id, u.name, u.realm"
    " FROM ticket_messages m JOIN users u ON u.id = m.author_id"
    " WHERE m.ticket_id = ? AND (? = 1 OR m.internal = 0) ORDER BY m.id";

static const char sql_lock[] = "SELECT account_id, status, version, assignee_id, subject, priority,"
                               " first_response_at IS NULL FROM tickets WHERE id = ? FOR UPDATE";
enum { L_ACCOUNT, L_STATUS, L_VERSION, L_ASSIGNEE, L_SUBJECT, L_PRIORITY, L_NO_RESPONSE };

static const char sql_insert[] =
    "INSERT INTO tickets (account_id, requester_id, subject, status, priority, assignee_id,"
    " created_by, created_at, updated_at, last_message_at, first_response_due, resolution_due,"
    " sla_due) VALUES (?, ?, ?, 'new', ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6),"
    " UTC_TIMESTAMP(6), ?, ?, ?)";
static const char sql_message_insert[] =
    "INSERT INTO ticket_messages (ticket_id, author_id, internal, body_md, body_html, created_at)"
    " VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))";

/* After a message: the thread moved; the first public employee reply is the first
 * response and opens a new ticket. */
static const char sql_after_message[] =
    "UPDATE tickets SET last_message_at = UTC_TIMESTAMP(6), updated_at = UTC_TIMESTAMP(6),"
    " version = version + 1,"
    " first_response_at = IF(? = 1 AND first_response_at IS NULL, UTC_TIMESTAMP(6),"
    " first_response_at),"
    " status = IF(? = 1 AND status = 'new', 'open', status) WHERE id = ?";
static const char sql_set_status[] =
    "UPDATE tickets SET status = ?, updated_at = UTC_TIMESTAMP(6), version = version + 1,"
    " resolved_at = CASE WHEN ? = 'resolved' THEN UTC_TIMESTAMP(6)"
    " WHEN ? IN ('new','open','waiting') THEN NULL ELSE resolved_at END,"
    " closed_at = IF(? = 'closed', UTC_TIMESTAMP(6), closed_at),"
    " resolution_due = COALESCE(?, resolution_due) WHERE id = ?";
/* The next pending deadline, NULL when nothing is pending. */
static const char sql_sla_refresh[] =
    "UPDATE tickets SET sla_due = CASE WHEN status IN ('resolved','closed') THEN NULL"
    " WHEN first_response_at IS NULL THEN LEAST(first_response_due, resolution_due)"
    " ELSE resolution_due END WHERE id = ?";
static const char sql_assign[] =
    "UPDATE tickets SET assignee_id = ?, updated_at = UTC_TIMESTAMP(6), version = version + 1"
    " WHERE id = ? AND version = ?";
static const char sql_update[] =
    "UPDATE tickets SET subject = ?, priority = ?, updated_at = UTC_TIMESTAMP(6),"
    " version = version + 1, first_response_due = COALESCE(?, first_response_due),"
    " resolution_due = COALESCE(?, resolution_due) WHERE id = ?";
static const char sql_opened_at[] =
    "SELECT UNIX_TIMESTAMP(created_at), first_response_at IS NULL, resolved_at IS NULL"
    " FROM tickets WHERE id = ?";
static const char sql_rate[] =
    "UPDATE tickets SET rating = ?, rating_comment = ?, rated_at = UTC_TIMESTAMP(6),"
    " updated_at = UTC_TIMESTAMP(6), version = version + 1 WHERE id = ?";

static const char sql_employee[] =
    "SELECT id, name, email FROM users WHERE id = ? AND realm = 'employee' AND disabled = 0";
static const char sql_requester[] =
    "SELECT id FROM users WHERE id = ? AND account_id = ? AND disabled = 0";
static const char sql_account_users[] =
    "SELECT id, email FROM users WHERE account_id = ? AND disabled = 0 ORDER BY id LIMIT 50";
static const char sql_file_access[] =
    "SELECT 1 FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id"
    " WHERE m.id = ? AND m.internal = 0 AND t.account_id = ?";

/* ---------------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------------- */

static const char *const statuses[] = {"new", "open", "waiting", "resolved", "closed"};

static bool valid_status(const char *s)
{
    for (size_t i = 0; s && i < sizeof statuses / sizeof statuses[0]; i++)
        if (strcmp(s, statuses[i]) == 0)
            return true;
    return false;
}

/* May an employee move a ticket from `from` to `to`? (the workflow at the top) */
static bool transition_allowed(const char *from, const char *to)
{
    if (strcmp(from, to) == 0 || strcmp(from, "closed") == 0 || strcmp(to, "new") == 0)
        return false;
    if (strcmp(from, "resolved") == 0)
        return strcmp(to, "open") == 0 || strcmp(to, "closed") == 0;
    return true;
}

static long long me(struct req *r)
{
    return r->session->user_id;
}

static bool is_employee(struct req *r)
{
    return r->session && r->session->realm == REALM_EMPLOYEE;
}

/* Is r a cabinet route (/api/v1/cabinet/...)? Then it sees what the account's customers
 * see, within auth_account_id(r): no internal notes, no SLA clock. Decided by the route,
 * not the session, so an employee previewing a cabinet sees exactly the customer's view. */
static bool cabinet_view(struct req *r)
{
    return strncmp(r->route->pattern, "/api/v1/cabinet/", 16) == 0;
}

static json_t *person(const struct db_res *res, int i, int col)
{
    if (!db_str(res, i, col))
        return json_null();
    return json_pack("{s:I, s:s}", "id", (json_int_t)db_ll(res, i, col), "name",
                     db_str(res, i, col + 1));
}

/* A ticket row as JSON; employees also see the SLA clock. */
static json_t *ticket_json(const struct db_res *t, int i, struct arena *a, bool employee)
{
    json_t *o = json_pack(
        "{s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:{s:I, s:s}, s:o, s:o, s:o, s:o}", "id",
        (json_int_t)db_ll(t, i, C_ID), "subject", db_str(t, i, C_SUBJECT), "status",
        db_str(t, i, C_STATUS), "priority", db_str(t, i, C_PRIORITY), "version",
        (json_int_t)db_ll(t, i, C_VERSION), "created_at", db_time_iso(a, db_str(t, i, C_CREATED)),
        "updated_at", db_time_iso(a, db_str(t, i, C_UPDATED)), "last_message_at",
        db_time_iso(a, db_str(t, i, C_LAST_MESSAGE)), "account", "id",
        (json_int_t)db_ll(t, i, C_ACC_ID), "name", db_str(t, i, C_ACC_NAME), "requester",
        person(t, i, C_REQ_ID), "assignee", person(t, i, C_ASG_ID), "rating",
        db_str(t, i, C_RATING) ? json_integer(db_ll(t, i, C_RATING)) : json_null(),
        "rating_comment",
        db_str(t, i, C_RATING_COMMENT) ? json_string(db_str(t, i, C_RATING_COMMENT)) : json_null());
    if (!employee)
        return o;
    static const struct {
        const char *name;
        int col;
    } times[] = {{"first_response_due", C_FR_DUE}, {"first_response_at", C_FR_AT},
                 {"resolution_due", C_RES_DUE},    {"resolved_at", C_RESOLVED},
                 {"closed_at", C_CLOSED},          {"sla_due", C_SLA_DUE}};
    json_t *sla = json_object();
    for (size_t k = 0; k < sizeof times / sizeof times[0]; k++) {
        const char *v = db_str(t, i, times[k].col);
        json_object_set_new(sla, times[k].name, v ? json_string(db_time_iso(a, v)) : json_null());
    }
    json_object_set_new(o, "sla", sla);
    json_object_set_new(o, "overdue", json_boolean(db_ll(t, i, C_OVERDUE) == 1));
    return o;
}

/* The thread of ticket id (internal notes only for employees) with its attachments. */
static json_t *thread_json(struct req *r, long long id, bool employee)
{
    struct db_res *m = db_query(&r->arena, sql_thread, "ii", id, (long long)employee);
    if (!m)
        return NULL;
    size_t cap = 3 + (size_t)m->nrows * 21, n = 0;
    char *ids = arena_alloc(&r->arena, cap);
    ids[n++] = '[';
    for (int i = 0; i < m->nrows; i++)
        n += (size_t)snprintf(ids + n, cap - n, "%s%lld", i ? "," : "", db_ll(m, i, 0));
    ids[n++] = ']';
    ids[n] = '\0';
    struct db_res *files = files_for_owners(&r->arena, FILE_KIND, ids);
    if (!files)
        return NULL;
    json_t *out = json_array();
    for (int i = 0; i < m->nrows; i++) {
        json_t *msg = json_pack("{s:I, s:s, s:s, s:{s:I, s:s, s:b}, s:o}", "id",
                                (json_int_t)db_ll(m, i, 0), "body_html", db_str(m, i, 2),
                                "created_at", db_time_iso(&r->arena, db_str(m, i, 3)), "author",
                                "id", (json_int_t)db_ll(m, i, 4), "name", db_str(m, i, 5), "staff",
                                strcmp(db_str(m, i, 6), "employee") == 0, "files",
                                files_json_for(files, db_ll(m, i, 0)));
        if (employee)
            json_object_set_new(msg, "internal", json_boolean(db_ll(m, i, 1) == 1));
        json_array_append_new(out, msg);
    }
    return out;
}

/* Sends the ticket with its thread, or 404: for a cabinet caller only within the
 * session's account. */
static int send_ticket(struct req *r, int status, long long id)
{
    bool employee = !cabinet_view(r);
    struct db_res *t = employee ? db_query(&r->arena, sql_get, "i", id)
                                : db_query(&r->arena, sql_cab_get, "ii", id, auth_account_id(r));
    if (!t)
        return http_db_error(r);
    if (t->nrows == 0)
        return http_error(r, 404, "not_found", "No such ticket", NULL);
    json_t *thread = thread_json(r, id, employee);
    if (!thread)
        return http_db_error(r);
    json_t *o = ticket_json(t, 0, &r->arena, employee);
    json_object_set_new(o, "messages", thread);
    return http_json(r, status, o);
}

/* 409 with the ticket's current state, so the client can show what changed. */
static int conflict(struct req *r, const char *code, const char *message, long long id)
{
    struct db_res *t = db_query(&r->arena, sql_get, "i", id);
    json_t *current = t && t->nrows ? ticket_json(t, 0, &r->arena, !cabinet_view(r)) : NULL;
    return http_conflict(r, code, message, current);
}

/* Reads the file_ids value v (from HTTP_FIELDS; NULL when absent): at most MAX_FILES
 * positive ids, in the arena. 0 or -1 (400 sent). */
static int read_file_ids(struct req *r, json_t *v, long long **out, int *n)
{
    *n = 0;
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v) || json_array_size(v) > MAX_FILES) {
        http_error(r, 400, "validation_failed", "file_ids must be a list of at most 20 file ids",
                   "file_ids");
        return -1;
    }
    *out = arena_alloc(&r->arena, sizeof(long long) * (json_array_size(v) + 1));
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (!json_is_integer(x) || json_integer_value(x) < 1) {
            http_error(r, 400, "validation_failed", "file_ids must be a list of file ids",
                       "file_ids");
            return -1;
        }
        for (int k = 0; k < *n; k++)
            if ((*out)[k] == json_integer_value(x))
                goto dup;
        (*out)[(*n)++] = json_integer_value(x);
    dup:;
    }
    return 0;
}

/* Mail queued during a transaction and sent once it committed. */
struct mail_out {
    int n;
    const char *to[MAX_RECIPIENT + 1];
    const char *subject, *text;
};

static void mail_flush(const struct mail_out *m)
{
    for (int i = 0; i < m->n; i++)
        if (mail_send(m->to[i], m->subject, m->text) < 0)
            log_warn("ticket mail to %s failed", m->to[i]);
}

/* Notifies every active user of the account (but the actor) and queues mail to them. */
static int tell_customers(struct req *r, long long account_id, long long ticket_id,
                          const char *kind, const char *summary, struct mail_out *mail)
{
    struct db_res *u = db_query(&r->arena, sql_account_users, "i", account_id);
    if (!u)
        return -1;
    for (int i = 0; i < u->nrows; i++) {
        if (db_ll(u, i, 0) == me(r))
            continue;
        if (notify_user(db_ll(u, i, 0), me(r), kind, "ticket", ticket_id, summary) < 0)
            return -1;
        if (mail->n < MAX_RECIPIENT)
            mail->to[mail->n++] = db_str(u, i, 1);
    }
    return 0;
}

/* Notifies the assignee (when there is one and it is not the actor) and queues mail. */
static int tell_assignee(struct req *r, long long assignee, long long ticket_id, const char *kind,
                         const char *summary, struct mail_out *mail)
{
    if (!assignee || assignee == me(r))
        return 0;
    struct db_res *u = db_query(&r->arena, sql_employee, "i", assignee);
    if (!u)
        return -1;
    if (u->nrows == 0)
        return 0;
    if (notify_user(assignee, me(r), kind, "ticket", ticket_id, summary) < 0)
        return -1;
    if (mail->n < MAX_RECIPIENT)
        mail->to[mail->n++] = db_str(u, 0, 2);
    return 0;
}

static const char *mail_subject(struct req *r, long long id, const char *subject)
{
    return arena_printf(&r->arena, "[#%lld] %s", id, subject);
}

static const char *mail_text(struct req *r, const char *what_en, const char *what_ru, long long id,
                             bool cabinet_link)
{
    const char *link = arena_printf(&r->arena, "%s/%s/%lld", config.public_url,
                                    cabinet_link ? "cabinet/tickets" : "app/crm/tickets", id);
    return arena_printf(&r->arena, "%s\r\n\r\n%s\r\n\r\n--\r\n%s\r\n\r\n%s\r\n", what_en, link,
                        what_ru, link);
}

/* After a change's transaction: the refusal it answered, the database error, or the
 * queued mail sent (now that the change committed) and the ticket answered. */
static int finish(struct req *r, int rc, struct mail_out *m, long long id, const char *subject,
                  const char *text_en, const char *text_ru, bool cabinet_link, int status)
{
    if (rc)
        return rc;
    if (m->n) {
        m->subject = mail_subject(r, id, subject);
        m->text = mail_text(r, text_en, text_ru, id, cabinet_link);
        mail_flush(m);
    }
    return send_ticket(r, status, id);
}

/* Appends an event; steals payload. 0/-1. */
static int event(const char *type, const char *audience, json_t *payload)
{
    long long ev = outbox_append(type, audience, payload);
    json_decref(payload);
    return ev < 0 ? -1 : 0;
}

static int account_event(const char *type, long long account_id, json_t *payload)
{
    char audience[40];
    snprintf(audience, sizeof audience, "account:%lld", account_id);
    return event(type, audience, payload);
}

/* Recomputes sla_due after a change of status or first response. 0/-1. */
static int sla_refresh(long long id)
{
    return db_exec(sql_sla_refresh, "i", id);
}

/* ---------------------------------------------------------------------------------------
 * Reading: the queue, the cabinet list, one ticket
 * ------------------------------------------------------------------------------------- */

/* A query parameter that must be one of the listed words, or absent. */
static int query_enum(struct req *r, const char *name, bool (*ok)(const char *), const char **out)
{
    *out = http_query(r, name);
    if (*out && !**out)
        *out = NULL;
    if (*out && !ok(*out)) {
        http_error(r, 400, "validation_failed",
                   arena_printf(&r->arena, "%s has no such value", name), name);
        return -1;
    }
    return 0;
}

static bool valid_priority(const char *p)
{
    return sla_priority_from_name(p) >= 0;
}

/* ?NAME= as a positive id (0 when absent). 0, or -1 after a 400. */
static int query_id(struct req *r, const char *name, long long *out)
{
    const char *v = http_query(r, name);
    *out = 0;
    if (!v || !*v)
        return 0;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (*end || n < 1) {
        http_error(r, 400, "validation_failed",
                   arena_printf(&r->arena, "%s must be a positive id", name), name);
        return -1;
    }
    *out = n;
    return 0;
}

int tickets_list(struct req *r)
{
    int limit;
    long long before, account, assignee = 0;
    const char *status, *priority;
    if (http_page_args(r, 50, 200, &limit, &before) < 0 ||
        query_enum(r, "status", valid_status, &status) < 0 ||
        query_enum(r, "priority", valid_priority, &priority) < 0 ||
        query_id(r, "account_id", &account) < 0)
        return r->status;
    const char *a = http_query(r, "assignee");
    int mode = Q_ANYONE;
    if (a && *a) { /* an id, "me" or "none" */
        mode = Q_ASSIGNEE;
        if (strcmp(a, "me") == 0)
            assignee = me(r);
        else if (strcmp(a, "none") == 0)
            mode = Q_UNASSIGNED;
        else if (query_id(r, "assignee", &assignee) < 0)
            return r->status;
    }
    const char *ov = http_query(r, "overdue");
    bool overdue = ov && (strcmp(ov, "1") == 0 || strcmp(ov, "true") == 0);
    /* A resolved or closed ticket has no pending deadline: nothing to look for (and no
     * reason to walk every closed ticket for one that cannot be there). */
    if (overdue && status && (strcmp(status, "resolved") == 0 || strcmp(status, "closed") == 0))
        return http_json(r, 200, json_pack("{s:[]}", "items"));
    pthread_once(&queue_sql_once, queue_sql_build);
    const char *sql = queue_sql[(status ? Q_STATUS : 0) | (priority ? Q_PRIORITY : 0) |
                                (account ? Q_ACCOUNT : 0) | (overdue ? Q_OVERDUE : 0)][mode];
    if (!sql)
        return http_error(r, 500, "internal", "Internal error", NULL);
    struct db_res *res =
        db_query(&r->arena, sql, "issIIi", before ? before : LLONG_MAX, status, priority, account,
                 mode == Q_ASSIGNEE ? assignee : 0, (long long)limit);
    if (!res)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < res->nrows; i++)
        json_array_append_new(items, ticket_json(res, i, &r->arena, true));
    json_t *out = json_pack("{s:o}", "items", items);
    db_page_next(out, res, limit);
    return http_json(r, 200, out);
}

int cab_tickets_list(struct req *r)
{
    int limit;
    long long before;
    const char *status;
    if (http_page_args(r, 50, 200, &limit, &before) < 0 ||
        query_enum(r, "status", valid_status, &status) < 0)
        return r->status;
    struct db_res *res = db_query(&r->arena, sql_cab_list, "issii", auth_account_id(r), status,
                                  status, before ? before : LLONG_MAX, (long long)limit);
    if (!res)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < res->nrows; i++)
        json_array_append_new(items, ticket_json(res, i, &r->arena, false));
    json_t *out = json_pack("{s:o}", "items", items);
    db_page_next(out, res, limit);
    return http_json(r, 200, out);
}

int tickets_get(struct req *r)
{
    long long id = http_param_id(r, "id");
    return id ? send_ticket(r, 200, id) : http_error(r, 404, "not_found", "No such ticket", NULL);
}

static const char sql_agents[] = "SELECT id, name, email FROM users WHERE realm = 'employee'"
                                 " AND disabled = 0 ORDER BY name LIMIT 500";
static const char sql_requesters[] =
    "SELECT id, name, email FROM users WHERE account_id = ? AND disabled = 0 ORDER BY name"
    " LIMIT 500";

int tickets_people(struct req *r)
{
    long long account;
    if (query_id(r, "account_id", &account) < 0)
        return r->status;
    struct db_res *agents = db_query(&r->arena, sql_agents, "");
    struct db_res *req =
        agents && account ? db_query(&r->arena, sql_requesters, "i", account) : NULL;
    if (!agents || (account && !req))
        return http_db_error(r);
    return http_json(r, 200,
                     json_pack("{s:o, s:o}", "agents", db_rows_json(agents, "iss", &r->arena),
                               "requesters",
                               req ? db_rows_json(req, "iss", &r->arena) : json_array()));
}

int cab_tickets_get(struct req *r)
{
    return tickets_get(r); /* send_ticket filters by the session's account */
}

/* ---------------------------------------------------------------------------------------
 * Opening a ticket
 * ------------------------------------------------------------------------------------- */

struct create_ctx {
    struct req *r;
    long long account_id, requester_id, assignee_id, ticket_id, message_id;
    const char *subject, *body, *priority;
    char *html;
    long long *files;
    int nfiles;
    struct mail_out mail;
};

static int attach_files(struct req *r, long long message_id, const long long *files, int n)
{
    for (int i = 0; i < n; i++)
        if (files_attach(files[i], me(r), FILE_KIND, message_id) < 0)
            return db_errno() ? -1
                              : http_error(r, 400, "validation_failed",
                                           "A file is not yours, is attached already or does "
                                           "not exist",
                                           "file_ids");
    return 0;
}

static int create_tx(struct req *r, void *arg, struct http_change *change)
{
    struct create_ctx *c = arg;
    c->mail.n = 0;
    if (!cabinet_view(r)) {
        struct db_res *q = db_query(&r->arena, sql_requester, "ii", c->requester_id, c->account_id);
        if (!q)
            return -1;
        if (q->nrows == 0)
            return http_error(r, 400, "validation_failed",
                              "The requester must be an active user of the account",
                              "requester_id");
        if (c->assignee_id) {
            struct db_res *e = db_query(&r->arena, sql_employee, "i", c->assignee_id);
            if (!e)
                return -1;
            if (e->nrows == 0)
                return http_error(r, 400, "validation_failed",
                                  "The assignee must be an active employee", "assignee_id");
        }
    }
    char first[20], resolution[20], due[20];
    sla_due_times(sla_priority_from_name(c->priority), time(NULL), first, resolution);
    snprintf(due, sizeof due, "%s", strcmp(first, resolution) < 0 ? first : resolution);
    if (db_exec(sql_insert, "iissIisss", c->account_id, c->requester_id, c->subject, c->priority,
                c->assignee_id, me(r), first, resolution, due) < 0)
        return -1;
    c->ticket_id = db_insert_id();
    /* The description is the requester's message, also when an employee types it in. */
    if (db_exec(sql_message_insert, "iiiss", c->ticket_id, c->requester_id, 0LL, c->body, c->html) <
        0)
        return -1;
    c->message_id = db_insert_id();
    int refused = attach_files(r, c->message_id, c->files, c->nfiles);
    if (refused)
        return refused;
    const char *who = r->session->name;
    const char *summary =
        arena_printf(&r->arena, "%s opened #%lld: %s", who, c->ticket_id, c->subject);
    json_t *payload =
        json_pack("{s:I, s:I, s:s, s:s}", "ticket_id", (json_int_t)c->ticket_id, "account_id",
                  (json_int_t)c->account_id, "status", "new", "subject", c->subject);
    int rc = crm_timeline_add(c->account_id, me(r), "ticket.opened", c->ticket_id, summary) < 0 ||
                     event("ticket.created", "employees", json_incref(payload)) < 0 ||
                     account_event("ticket.created", c->account_id, payload) < 0
                 ? -1
                 : 0;
    if (rc < 0)
        return -1;
    if (!cabinet_view(r)) { /* opened on the customer's behalf: the account hears of it */
        if (tell_customers(r, c->account_id, c->ticket_id, "ticket_opened", summary, &c->mail) <
                0 ||
            tell_assignee(r, c->assignee_id, c->ticket_id, "ticket_assigned", summary, &c->mail) <
                0)
            return -1;
    }
    *change = (struct http_change){
        "ticket.create", "ticket", c->ticket_id,
        json_pack("{s:I, s:s}", "account_id", (json_int_t)c->account_id, "priority", c->priority)};
    return 0;
}

static int create(struct req *r, struct create_ctx *c, json_t *file_ids)
{
    if (read_file_ids(r, file_ids, &c->files, &c->nfiles) < 0)
        return r->status;
    if (!c->priority)
        c->priority = "normal";
    if (!valid_priority(c->priority))
        return http_error(r, 400, "validation_failed",
                          "priority must be low, normal, high or urgent", "priority");
    if (!(c->html = richtext_render(r, c->body, "body")))
        return r->status;
    int rc = http_write(r, create_tx, c);
    free(c->html);
    return finish(r, rc, &c->mail, c->ticket_id, c->subject,
                  arena_printf(&r->arena, "A support ticket was opened for you: %s", c->subject),
                  "Для вас открыто обращение в поддержку.", true, 201);
}

int tickets_create(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct create_ctx c = {.r = r};
    json_t *file_ids = NULL;
    if (HTTP_FIELDS(r, body, {"account_id", FIELD_ID, true, 0, &c.account_id},
                    {"requester_id", FIELD_ID, true, 0, &c.requester_id},
                    {"subject", FIELD_STRING, true, 200, &c.subject},
                    {"body", FIELD_STRING, true, MAX_BODY, &c.body},
                    {"priority", FIELD_STRING, false, 16, &c.priority},
                    {"assignee_id", FIELD_ID, false, 0, &c.assignee_id},
                    {"file_ids", FIELD_JSON, false, 0, &file_ids}) < 0)
        return r->status;
    return create(r, &c, file_ids);
}

/* A cabinet caller never writes internal notes: the flag (v, from HTTP_FIELDS) is refused,
 * not ignored, so a client that believes it wrote one learns it did not. */
static int refuse_internal(struct req *r, json_t *v)
{
    if (v && !json_is_false(v) && !json_is_null(v))
        return http_error(r, 400, "validation_failed", "Customers cannot write internal notes",
                          "internal");
    return 0;
}

int cab_tickets_create(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct create_ctx c = {.r = r, .account_id = auth_account_id(r), .requester_id = me(r)};
    json_t *internal = NULL, *file_ids = NULL;
    if (HTTP_FIELDS(r, body, {"subject", FIELD_STRING, true, 200, &c.subject},
                    {"body", FIELD_STRING, true, MAX_BODY, &c.body},
                    {"priority", FIELD_STRING, false, 16, &c.priority},
                    {"internal", FIELD_JSON, false, 0, &internal},
                    {"file_ids", FIELD_JSON, false, 0, &file_ids}) < 0 ||
        refuse_internal(r, internal))
        return r->status;
    return create(r, &c, file_ids);
}

/* ---------------------------------------------------------------------------------------
 * Replies and internal notes
 * ------------------------------------------------------------------------------------- */

struct message_ctx {
    struct req *r;
    long long id, message_id;
    const char *body, *subject;
    char *html;
    int internal;
    bool to_customers;
    long long *files;
    int nfiles;
    struct mail_out mail;
};

/* Locks the ticket row; for a cabinet caller only within the session's account.
 * Returns the row, or NULL with *status set (404 sent, or -1 on a database error). */
static struct db_res *lock_ticket(struct req *r, long long id, int *status)
{
    struct db_res *t = db_query(&r->arena, sql_lock, "i", id);
    if (!t) {
        *status = -1;
        return NULL;
    }
    if (t->nrows == 0 || (cabinet_view(r) && db_ll(t, 0, L_ACCOUNT) != auth_account_id(r))) {
        *status = http_error(r, 404, "not_found", "No such ticket", NULL);
        return NULL;
    }
    return t;
}

static int message_tx(struct req *r, void *arg, struct http_change *change)
{
    struct message_ctx *c = arg;
    c->mail.n = 0;
    c->to_customers = false;
    int status = 0;
    struct db_res *t = lock_ticket(r, c->id, &status);
    if (!t)
        return status;
    long long account = db_ll(t, 0, L_ACCOUNT), assignee = db_ll(t, 0, L_ASSIGNEE);
    const char *cur = db_str(t, 0, L_STATUS);
    c->subject = db_str(t, 0, L_SUBJECT);
    bool employee = !cabinet_view(r);
    if (strcmp(cur, "closed") == 0 && !c->internal)
        return conflict(r, "ticket_closed",
                        employee ? "The ticket is closed: reopening is not possible, add an "
                                   "internal note or open a new ticket"
                                 : "This ticket is closed. Please open a new ticket.",
                        c->id);
    if (db_exec(sql_message_insert, "iiiss", c->id, me(r), (long long)c->internal, c->body,
                c->html) < 0)
        return -1;
    c->message_id = db_insert_id();
    int refused = attach_files(r, c->message_id, c->files, c->nfiles);
    if (refused)
        return refused;
    bool public_staff = employee && !c->internal;
    if (db_exec(sql_after_message, "iii", (long long)public_staff, (long long)public_staff, c->id) <
        0)
        return -1;
    const char *who = r->session->name;
    const char *next = NULL; /* a status the customer's reply moves the ticket to */
    if (!employee && (strcmp(cur, "waiting") == 0 || strcmp(cur, "resolved") == 0))
        next = "open";
    if (next) {
        char first[20], resolution[20];
        sla_due_times(sla_priority_from_name(db_str(t, 0, L_PRIORITY)), time(NULL), first,
                      resolution);
        bool reopen = strcmp(cur, "resolved") == 0;
        if (db_exec(sql_set_status, "sssssi", next, next, next, next, reopen ? resolution : NULL,
                    c->id) < 0 ||
            (reopen && crm_timeline_add(account, me(r), "ticket.reopened", c->id,
                                        arena_printf(&r->arena, "%s reopened #%lld by replying",
                                                     who, c->id)) < 0))
            return -1;
        if (account_event("ticket.status", account,
                          json_pack("{s:I, s:s}", "ticket_id", (json_int_t)c->id, "status", next)) <
            0)
            return -1;
    }
    if (sla_refresh(c->id) < 0)
        return -1;
    const char *verb = c->internal ? "added an internal note to" : "replied to";
    const char *line = arena_printf(&r->arena, "%s %s #%lld: %s", who, verb, c->id, c->subject);
    json_t *payload = json_pack("{s:I, s:I, s:b}", "ticket_id", (json_int_t)c->id, "message_id",
                                (json_int_t)c->message_id, "internal", c->internal);
    if (event("ticket.message", "employees", payload) < 0)
        return -1;
    if (!c->internal) {
        /* What the customer may see: never the notes, not even their existence. */
        if (account_event("ticket.message", account,
                          json_pack("{s:I, s:I}", "ticket_id", (json_int_t)c->id, "message_id",
                                    (json_int_t)c->message_id)) < 0 ||
            crm_timeline_add(account, me(r), employee ? "ticket.reply" : "ticket.customer_reply",
                             c->id, line) < 0)
            return -1;
        if (employee) {
            c->to_customers = true;
            if (tell_customers(r, account, c->id, "ticket_reply",
                               richtext_summary(&r->arena, who, "replied", c->body), &c->mail) < 0)
                return -1;
        } else if (tell_assignee(r, assignee, c->id, "ticket_reply",
                                 richtext_summary(&r->arena, who, "replied", c->body),
                                 &c->mail) < 0) {
            return -1;
        }
    }
    *change = (struct http_change){c->internal ? "ticket.note" : "ticket.reply", "ticket", c->id,
                                   json_pack("{s:I}", "message_id", (json_int_t)c->message_id)};
    return 0;
}

static int post_message(struct req *r, struct message_ctx *c, json_t *file_ids)
{
    if (read_file_ids(r, file_ids, &c->files, &c->nfiles) < 0)
        return r->status;
    if (!c->id)
        return http_error(r, 404, "not_found", "No such ticket", NULL);
    if (!(c->html = richtext_render(r, c->body, "body")))
        return r->status;
    int rc = http_write(r, message_tx, c);
    free(c->html);
    return finish(r, rc, &c->mail, c->id, c->subject,
                  arena_printf(&r->arena, "%s replied:\r\n\r\n%s", r->session->name, c->body),
                  "Новый ответ по обращению.", c->to_customers, 201);
}

int tickets_message(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct message_ctx c = {.r = r, .id = http_param_id(r, "id")};
    json_t *file_ids = NULL;
    if (HTTP_FIELDS(r, body, {"body", FIELD_STRING, true, MAX_BODY, &c.body},
                    {"internal", FIELD_BOOL, false, 0, &c.internal},
                    {"file_ids", FIELD_JSON, false, 0, &file_ids}) < 0)
        return r->status;
    return post_message(r, &c, file_ids);
}

int cab_tickets_message(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct message_ctx c = {.r = r, .id = http_param_id(r, "id")};
    json_t *internal = NULL, *file_ids = NULL;
    if (HTTP_FIELDS(r, body, {"body", FIELD_STRING, true, MAX_BODY, &c.body},
                    {"internal", FIELD_JSON, false, 0, &internal},
                    {"file_ids", FIELD_JSON, false, 0, &file_ids}) < 0 ||
        refuse_internal(r, internal))
        return r->status;
    c.internal = 0;
    return post_message(r, &c, file_ids);
}

/* ---------------------------------------------------------------------------------------
 * Assignment, status, rating
 * ------------------------------------------------------------------------------------- */

struct change_ctx {
    struct req *r;
    long long id, version, assignee_id, rating;
    const char *status, *comment, *subject;
    bool has_assignee;
    struct mail_out mail;
};

static int assign_tx(struct req *r, void *arg, struct http_change *change)
{
    struct change_ctx *c = arg;
    c->mail.n = 0;
    const char *name = NULL;
    if (c->assignee_id) {
        struct db_res *e = db_query(&r->arena, sql_employee, "i", c->assignee_id);
        if (!e)
            return -1;
        if (e->nrows == 0)
            return http_error(r, 400, "validation_failed",
                              "The assignee must be an active employee", "assignee_id");
        name = db_str(e, 0, 1);
    }
    /* Compare-and-set on the version: of two assigns from the same state, one wins. */
    if (db_exec(sql_assign, "Iii", c->assignee_id, c->id, c->version) < 0)
        return -1;
    if (db_affected() == 0) {
        struct db_res *t = db_query(&r->arena, sql_lock, "i", c->id);
        if (!t)
            return -1;
        if (t->nrows == 0)
            return http_error(r, 404, "not_found", "No such ticket", NULL);
        return conflict(r, "conflict", "Someone else changed this ticket first: look at it again",
                        c->id);
    }
    struct db_res *t = db_query(&r->arena, sql_lock, "i", c->id);
    if (!t || t->nrows == 0)
        return -1;
    long long account = db_ll(t, 0, L_ACCOUNT);
    c->subject = db_str(t, 0, L_SUBJECT);
    const char *summary =
        name ? arena_printf(&r->arena, "%s assigned #%lld to %s", r->session->name, c->id, name)
             : arena_printf(&r->arena, "%s unassigned #%lld", r->session->name, c->id);
    json_t *payload = json_pack("{s:I, s:o}", "ticket_id", (json_int_t)c->id, "assignee_id",
                                c->assignee_id ? json_integer(c->assignee_id) : json_null());
    if (event("ticket.assigned", "employees", payload) < 0 ||
        crm_timeline_add(account, me(r), "ticket.assigned", c->id, summary) < 0 ||
        tell_assignee(r, c->assignee_id, c->id, "ticket_assigned", summary, &c->mail) < 0)
        return -1;
    *change = (struct http_change){
        "ticket.assign", "ticket", c->id,
        json_pack("{s:o}", "assignee_id",
                  c->assignee_id ? json_integer(c->assignee_id) : json_null())};
    return 0;
}

int tickets_assign(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct change_ctx c = {.r = r, .id = http_param_id(r, "id")};
    if (HTTP_FIELDS(r, body, {"assignee_id", FIELD_ID, false, 0, &c.assignee_id},
                    {"version", FIELD_INT, true, 0, &c.version}) < 0)
        return r->status;
    if (!json_object_get(body, "assignee_id")) /* declared above; null unassigns */
        return http_error(r, 400, "validation_failed", "assignee_id is required (null to unassign)",
                          "assignee_id");
    if (!c.id)
        return http_error(r, 404, "not_found", "No such ticket", NULL);
    int rc = http_write(r, assign_tx, &c);
    return finish(r, rc, &c.mail, c.id, c.subject, "A ticket was assigned to you.",
                  "Вам назначено обращение.", false, 200);
}

/* Starts a change of status, fields or rating: the ticket row locked (see lock_ticket),
 * with versioned the caller's version checked (409 when stale), and the mail queue
 * emptied, as db_tx may run the transaction again. Returns the row, or NULL with
 * *status set to the answer sent (or -1). */
static struct db_res *change_start(struct change_ctx *c, bool versioned, int *status)
{
    c->mail.n = 0;
    struct db_res *t = lock_ticket(c->r, c->id, status);
    if (t && versioned && db_ll(t, 0, L_VERSION) != c->version) {
        *status = conflict(c->r, "conflict",
                           "Someone else changed this ticket first: look at it again", c->id);
        return NULL;
    }
    if (t)
        c->subject = db_str(t, 0, L_SUBJECT);
    return t;
}

static int status_tx(struct req *r, void *arg, struct http_change *change)
{
    struct change_ctx *c = arg;
    int status = 0;
    struct db_res *t = change_start(c, true, &status);
    if (!t)
        return status;
    const char *cur = db_str(t, 0, L_STATUS);
    if (!transition_allowed(cur, c->status))
        return conflict(r, "ticket_transition",
                        arena_printf(&r->arena, "A %s ticket cannot become %s", cur, c->status),
                        c->id);
    long long account = db_ll(t, 0, L_ACCOUNT);
    char first[20], resolution[20];
    bool reopen = strcmp(cur, "resolved") == 0 && strcmp(c->status, "open") == 0;
    if (reopen)
        sla_due_times(sla_priority_from_name(db_str(t, 0, L_PRIORITY)), time(NULL), first,
                      resolution);
    if (db_exec(sql_set_status, "sssssi", c->status, c->status, c->status, c->status,
                reopen ? resolution : NULL, c->id) < 0 ||
        sla_refresh(c->id) < 0)
        return -1;
    const char *summary = arena_printf(&r->arena, "%s changed #%lld from %s to %s",
                                       r->session->name, c->id, cur, c->status);
    json_t *payload = json_pack("{s:I, s:s, s:s}", "ticket_id", (json_int_t)c->id, "status",
                                c->status, "from", cur);
    if (event("ticket.status", "employees", json_incref(payload)) < 0 ||
        account_event("ticket.status", account, payload) < 0 ||
        crm_timeline_add(account, me(r), "ticket.status", c->id, summary) < 0 ||
        tell_customers(r, account, c->id, "ticket_status", summary, &c->mail) < 0)
        return -1;
    *change = (struct http_change){"ticket.status", "ticket", c->id,
                                   json_pack("{s:s, s:s}", "from", cur, "to", c->status)};
    return 0;
}

int tickets_status(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct change_ctx c = {.r = r, .id = http_param_id(r, "id")};
    if (HTTP_FIELDS(r, body, {"status", FIELD_STRING, true, 16, &c.status},
                    {"version", FIELD_INT, true, 0, &c.version}) < 0)
        return r->status;
    if (!valid_status(c.status))
        return http_error(r, 400, "validation_failed",
                          "status must be new, open, waiting, resolved or closed", "status");
    if (!c.id)
        return http_error(r, 404, "not_found", "No such ticket", NULL);
    int rc = http_write(r, status_tx, &c);
    return finish(r, rc, &c.mail, c.id, c.subject,
                  arena_printf(&r->arena, "The status of your ticket is now: %s", c.status),
                  "Статус вашего обращения изменился.", true, 200);
}

/* PATCH: subject and priority. A new priority moves the SLA targets not yet met, counted
 * from when the ticket was opened. */
static int update_tx(struct req *r, void *arg, struct http_change *change)
{
    struct change_ctx *c = arg;
    int status = 0;
    struct db_res *t = change_start(c, true, &status);
    if (!t)
        return status;
    const char *subject = c->comment ? c->comment : db_str(t, 0, L_SUBJECT);
    const char *priority = c->status ? c->status : db_str(t, 0, L_PRIORITY);
    const char *first = NULL, *resolution = NULL;
    bool moved = strcmp(priority, db_str(t, 0, L_PRIORITY)) != 0;
    if (moved) {
        struct db_res *o = db_query(&r->arena, sql_opened_at, "i", c->id);
        if (!o || o->nrows == 0)
            return -1;
        char *f = arena_alloc(&r->arena, 20), *res = arena_alloc(&r->arena, 20);
        sla_due_times(sla_priority_from_name(priority), (time_t)db_ll(o, 0, 0), f, res);
        first = db_ll(o, 0, 1) ? f : NULL;
        resolution = db_ll(o, 0, 2) ? res : NULL;
    }
    long long account = db_ll(t, 0, L_ACCOUNT);
    if (db_exec(sql_update, "ssssi", subject, priority, first, resolution, c->id) < 0 ||
        sla_refresh(c->id) < 0)
        return -1;
    c->subject = subject;
    const char *summary = moved
                              ? arena_printf(&r->arena, "%s set the priority of #%lld to %s",
                                             r->session->name, c->id, priority)
                              : arena_printf(&r->arena, "%s edited #%lld", r->session->name, c->id);
    json_t *payload = json_pack("{s:I, s:s, s:s}", "ticket_id", (json_int_t)c->id, "subject",
                                subject, "priority", priority);
    if (event("ticket.updated", "employees", json_incref(payload)) < 0 ||
        account_event("ticket.updated", account, payload) < 0 ||
        crm_timeline_add(account, me(r), "ticket.updated", c->id, summary) < 0)
        return -1;
    *change =
        (struct http_change){"ticket.update", "ticket", c->id,
                             json_pack("{s:s, s:s}", "subject", subject, "priority", priority)};
    return 0;
}

int tickets_update(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    /* change_ctx's spare fields: status carries the priority, comment the subject */
    struct change_ctx c = {.r = r, .id = http_param_id(r, "id")};
    if (HTTP_FIELDS(r, body, {"subject", FIELD_STRING, false, 200, &c.comment},
                    {"priority", FIELD_STRING, false, 16, &c.status},
                    {"version", FIELD_INT, true, 0, &c.version}) < 0)
        return r->status;
    if (c.status && !valid_priority(c.status))
        return http_error(r, 400, "validation_failed",
                          "priority must be low, normal, high or urgent", "priority");
    if (!c.id)
        return http_error(r, 404, "not_found", "No such ticket", NULL);
    int rc = http_write(r, update_tx, &c);
    return finish(r, rc, &c.mail, c.id, c.subject, "", "", false, 200);
}

static int rate_tx(struct req *r, void *arg, struct http_change *change)
{
    struct change_ctx *c = arg;
    int status = 0;
    struct db_res *t = change_start(c, false, &status);
    if (!t)
        return status;
    const char *cur = db_str(t, 0, L_STATUS);
    if (strcmp(cur, "resolved") != 0 && strcmp(cur, "closed") != 0)
        return conflict(r, "not_resolved", "A ticket can be rated once it is resolved", c->id);
    long long account = db_ll(t, 0, L_ACCOUNT);
    if (db_exec(sql_rate, "isi", c->rating, c->comment, c->id) < 0)
        return -1;
    const char *summary =
        arena_printf(&r->arena, "%s rated #%lld: %lld/5", r->session->name, c->id, c->rating);
    if (event("ticket.rated", "employees",
              json_pack("{s:I, s:I}", "ticket_id", (json_int_t)c->id, "rating",
                        (json_int_t)c->rating)) < 0 ||
        crm_timeline_add(account, me(r), "ticket.rated", c->id, summary) < 0 ||
        tell_assignee(r, db_ll(t, 0, L_ASSIGNEE), c->id, "ticket_rated", summary, &c->mail) < 0)
        return -1;
    *change = (struct http_change){"ticket.rate", "ticket", c->id,
                                   json_pack("{s:I}", "rating", (json_int_t)c->rating)};
    return 0;
}

int cab_tickets_rate(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct change_ctx c = {.r = r, .id = http_param_id(r, "id")};
    if (HTTP_FIELDS(r, body, {"rating", FIELD_INT, true, 0, &c.rating},
                    {"comment", FIELD_TEXT, false, 1000, &c.comment}) < 0)
        return r->status;
    if (c.rating < 1 || c.rating > 5)
        return http_error(r, 400, "validation_failed", "rating must be 1 to 5", "rating");
    if (c.comment && !*c.comment)
        c.comment = NULL;
    if (!c.id)
        return http_error(r, 404, "not_found", "No such ticket", NULL);
    int rc = http_write(r, rate_tx, &c);
    return finish(r, rc, &c.mail, c.id, c.subject, "The customer rated the resolution of a ticket.",
                  "Клиент оценил решение обращения.", false, 200);
}

/* ---------------------------------------------------------------------------------------
 * Attachments and start-up
 * ------------------------------------------------------------------------------------- */

/* Employees read every ticket's files; a customer or partner only the files of public
 * messages on their own account's tickets. */
static bool message_file_readable(struct req *r, long long message_id)
{
    if (!r->session)
        return false;
    if (is_employee(r))
        return true;
    struct db_res *m = db_query(&r->arena, sql_file_access, "ii", message_id, auth_account_id(r));
    return m && m->nrows == 1;
}

int tickets_init(void)
{
    if (sla_init() < 0)
        return -1;
    return files_register_owner(FILE_KIND, message_file_readable);
}

/* ---------------------------------------------------------------------------------------
 * Demo data: tickets in every state for the two demo customers
 * ------------------------------------------------------------------------------------- */

static const char sql_demo_user[] = "SELECT id, account_id FROM users WHERE email = ?";
static const char sql_demo_insert[] =
    "INSERT INTO tickets (account_id, requester_id, subject, status, priority, assignee_id,"
    " created_by, created_at, updated_at, last_message_at, first_response_due,"
    " first_response_at, resolution_due, resolved_at, closed_at, rating, rating_comment)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_demo_message[] =
    "INSERT INTO ticket_messages (ticket_id, author_id, internal, body_md, body_html, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?)";

static void demo_time(time_t t, char out[20])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

static long long demo_user(struct arena *a, const char *email, long long *account)
{
    struct db_res *u = db_query(a, sql_demo_user, "s", email);
    if (!u || u->nrows == 0)
        return -1;
    if (account)
        *account = db_ll(u, 0, 1);
    return db_ll(u, 0, 0);
}

/* One message; the demo texts are plain sentences, so the HTML is one escaped paragraph. */
static int demo_message(struct arena *a, long long ticket, long long author, int internal,
                        const char *text, time_t at)
{
    char when[20];
    demo_time(at, when);
    return db_exec(sql_demo_message, "iiisss", ticket, author, (long long)internal, text,
                   arena_printf(a, "<p>%s</p>\n", html_escape(a, text)), when);
}

int tickets_demo_seed(void)
{
    static const struct {
        const char *subject, *status, *priority;
        int age_h, assignee; /* hours since opened; 0 none, 1 vera, 2 boris */
        const char *ask, *reply, *note;
        int rating;
    } demo[] = {
        {"Cannot download last month's invoice", "new", "high", 1, 0,
         "The invoice link in the cabinet gives me an error.", NULL, NULL, 0},
        {"Delivery address must change", "open", "normal", 30, 1,
         "Please deliver our next order to the new warehouse on Lesnaya street.",
         "Thank you, we are updating the address. Which order should it apply to?",
         "Check with logistics before confirming.", 0},
        {"Wrong quantity in order", "waiting", "urgent", 50, 2,
         "We received 40 boxes instead of 50.",
         "Sorry about that. Could you send a photo of the delivery note?", NULL, 0},
        {"Access for a new colleague", "resolved", "low", 120, 1,
         "Please give our accountant access to the cabinet.",
         "Done: an invitation was sent to your accountant.", "Invited with the customer role.", 0},
        {"Certificate of conformity", "closed", "normal", 300, 2,
         "We need the certificate of conformity for the last batch.",
         "The certificate is attached to the order documents.", NULL, 5},
        {"Price list for next quarter", "open", "urgent", 200, 0,
         "When will the new price list be available?", NULL, NULL, 0},
    };
    static const char *const customers[] = {"carol@client.example", "dmitry@client2.example"};
    struct arena a;
    arena_init(&a);
    int rc = -1;
    if (sla_init() < 0)
        goto out;
    long long vera = demo_user(&a, "vera@demo.example", NULL);
    long long boris = demo_user(&a, "boris@demo.example", NULL);
    if (vera < 0 || boris < 0)
        goto out;
    time_t now = time(NULL);
    for (size_t c = 0; c < sizeof customers / sizeof customers[0]; c++) {
        long long account = 0, customer = demo_user(&a, customers[c], &account);
        if (customer < 0)
            goto out;
        for (size_t i = 0; i < sizeof demo / sizeof demo[0]; i++) {
            time_t opened = now - (time_t)demo[i].age_h * 3600 - (time_t)c * 600;
            time_t replied = opened + 2 * 3600;
            char created[20], reply_at[20], last[20], first_due[20], res_due[20], done[20];
            demo_time(opened, created);
            demo_time(replied, reply_at);
            demo_time(demo[i].reply ? replied : opened, last);
            demo_time(opened + 3 * 3600, done);
            sla_due_times(sla_priority_from_name(demo[i].priority), opened, first_due, res_due);
            bool resolved = strcmp(demo[i].status, "resolved") == 0,
                 closed = strcmp(demo[i].status, "closed") == 0;
            long long assignee = demo[i].assignee == 1 ? vera : demo[i].assignee == 2 ? boris : 0;
            if (db_exec(sql_demo_insert, "iisssIissssssssIs", account, customer, demo[i].subject,
                        demo[i].status, demo[i].priority, assignee, customer, created, last, last,
                        first_due, demo[i].reply ? reply_at : NULL, res_due,
                        resolved || closed ? done : NULL, closed ? done : NULL,
                        (long long)demo[i].rating,
                        demo[i].rating ? "Quick and clear, thank you." : NULL) < 0)
                goto out;
            long long id = db_insert_id();
            long long staff = assignee ? assignee : boris;
            if (demo_message(&a, id, customer, 0, demo[i].ask, opened) < 0 ||
                (demo[i].note && demo_message(&a, id, staff, 1, demo[i].note, opened + 3600) < 0) ||
                (demo[i].reply && demo_message(&a, id, staff, 0, demo[i].reply, replied) < 0) ||
                sla_refresh(id) < 0 ||
                crm_timeline_add(account, customer, "ticket.opened", id,
                                 arena_printf(&a, "Ticket #%lld opened: %s", id, demo[i].subject)) <
                    0)
                goto out;
        }
    }
    rc = 0;
out:
    arena_cleanup(&a);
    return rc;
}
