/* documents.c - documents of customer and partner accounts. A document lives in a
 * folder of one account and keeps every version (a row of `files` in the content-
 * addressed store, owner ("document", id)). Employees see every account's documents;
 * the cabinet sees only its own account's shared and inbox folders, by the session's
 * account id (the scope argument below is 0 for employees). Uploads stream to the
 * store first and create their rows in one transaction afterwards, so a cut-off upload
 * leaves no row at all. Share links and upload-request links carry a 256-bit token of
 * which only the SHA-256 is stored; /s/{token} and /u/{token} answer small
 * server-rendered pages (strict CSP: no inline script or style) in English or Russian,
 * whose strings live in page_text[] below. */
#include "documents.h"

#include <mysqld_error.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "audit.h"
#include "auth.h"
#include "config.h"
#include "crm.h"
#include "db.h"
#include "files.h"
#include "html.h"
#include "log.h"
#include "notify.h"
#include "outbox.h"
#include "password.h"
#include "utf8.h"

#define TOKEN_BYTES       32
#define TOKEN_CHARS       43 /* base64url, no padding */
#define LINK_FAILURES     5  /* wrong passwords per link within 15 minutes before a block */
#define ADDRESS_FAILURES  30 /* per client address, over every link */
#define LINK_PASSWORD_MIN 8
#define MAX_TITLE         255
#define MAX_COMMENT       1000
#define MAX_USES          1000000
#define FILE_OWNER        "document"

/* Which documents the caller reaches: all (employees, scope 0) or one account's shared
 * and inbox folders. Arguments: scope, scope. */
#define IN_SCOPE " (? = 0 OR (d.account_id = ? AND f.kind <> 'internal'))"

#define DOC_COLUMNS                                                                                \
    "d.id, d.title, d.needs_ack, d.ack_requested_at, d.reviewed_at, d.created_at, d.updated_at,"   \
    " d.version, d.versions, d.size, a.id, a.name, a.kind, f.id, f.name, f.kind, v.id, v.number,"  \
    " v.name, v.size, v.sha256, v.content_type, v.comment, v.created_at, u.id, u.name, v.link_id," \
    " (SELECT k.acked_at FROM document_acks k WHERE k.document_id = d.id AND k.user_id = ?),"      \
    " (SELECT COUNT(*) FROM document_acks k WHERE k.document_id = d.id),"                          \
    " (SELECT COUNT(*) FROM users w WHERE w.account_id = d.account_id AND w.disabled = 0)"
#define DOC_FROM                                                                                   \
    " FROM documents d JOIN accounts a ON a.id = d.account_id"                                     \
    " JOIN doc_folders f ON f.id = d.folder_id"                                                    \
    " LEFT JOIN document_versions v ON v.id = d.current_version_id"                                \
    " LEFT JOIN users u ON u.id = v.uploader_id"

static const char sql_list[] =
    "SELECT " DOC_COLUMNS DOC_FROM " WHERE" IN_SCOPE " AND (? = 0 OR d.account_id = ?)"
    " AND (? = 0 OR d.folder_id = ?) AND (? = 0 OR d.needs_ack = 1) AND (? IS NULL OR d.title LIKE "
    "?)"
    " AND (? = 0 OR d.id < ?) ORDER BY d.id DESC LIMIT ?";
static const char sql_get[] = "SELECT " DOC_COLUMNS DOC_FROM " WHERE d.id = ? AND" IN_SCOPE;
static const char sql_head[] =
    "SELECT d.id, d.account_id, d.folder_id, f.kind, d.needs_ack, d.version, d.title"
    " FROM documents d JOIN doc_folders f ON f.id = d.folder_id WHERE d.id = ? AND" IN_SCOPE;
static const char sql_lock_doc[] =
    "SELECT versions, needs_ack, version FROM documents WHERE id = ? FOR UPDATE";
static const char sql_versions[] =
    "SELECT v.id, v.number, v.name, v.size, v.sha256, v.content_type, v.comment, v.created_at,"
    " u.id, u.name, v.link_id FROM document_versions v LEFT JOIN users u ON u.id = v.uploader_id"
    " WHERE v.document_id = ? ORDER BY v.number DESC";
static const char sql_version_file[] =
    "SELECT v.id, v.name, v.size, v.sha256, v.content_type FROM document_versions v"
    " WHERE v.id = ? AND v.document_id = ?";
static const char sql_acks[] =
    "SELECT u.id, u.name, u.email, k.acked_at, kv.number FROM users u"
    " LEFT JOIN document_acks k ON k.user_id = u.id AND k.document_id = ?"
    " LEFT JOIN document_versions kv ON kv.id = k.version_id"
    " WHERE u.account_id = ? AND (u.disabled = 0 OR k.user_id IS NOT NULL) ORDER BY u.name, u.id";
#define LINK_COLUMNS                                                                               \
    "SELECT id, kind, expires_at, password_hash IS NOT NULL, max_uses, uses, revoked_at,"          \
    " created_at, expires_at <= UTC_TIMESTAMP(6), max_uses IS NOT NULL AND uses >= max_uses,"      \
    " folder_id FROM doc_links"
static const char sql_links[] = LINK_COLUMNS " WHERE document_id = ? ORDER BY id DESC LIMIT 100";
static const char sql_folder_links[] =
    LINK_COLUMNS " WHERE account_id = ? AND kind = 'upload' ORDER BY id DESC LIMIT 200";
static const char sql_access_log[] =
    "SELECT l.id, l.action, l.at, l.ip, u.id, u.name, u.realm, l.link_id, v.number"
    " FROM doc_access_log l LEFT JOIN users u ON u.id = l.user_id"
    " LEFT JOIN document_versions v ON v.id = l.version_id"
    " WHERE l.document_id = ? ORDER BY l.id DESC LIMIT 200";
static const char sql_log_insert[] =
    "INSERT INTO doc_access_log (document_id, version_id, action, user_id, link_id, ip, at)"
    " VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))";
static const char sql_doc_insert[] =
    "INSERT INTO documents (account_id, folder_id, title, created_by, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))";
static const char sql_version_insert[] =
    "INSERT INTO document_versions (document_id, number, file_id, name, size, sha256,"
    " content_type, uploader_id, link_id, comment, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))";
static const char sql_doc_bump[] =
    "UPDATE documents SET current_version_id = ?, versions = ?, size = size + ?,"
    " updated_at = UTC_TIMESTAMP(6), version = version + 1,"
    " reviewed_at = IF(? = 1, NULL, reviewed_at), reviewed_by = IF(? = 1, NULL, reviewed_by)"
    " WHERE id = ?";
static const char sql_doc_update[] =
    "UPDATE documents SET title = ?, folder_id = ?, needs_ack = ?,"
    " ack_requested_at = IF(? = 1, UTC_TIMESTAMP(6), IF(? = 1, ack_requested_at, NULL)),"
    " ack_requested_by = IF(? = 1, ?, IF(? = 1, ack_requested_by, NULL)),"
    " reviewed_at = IF(? = 1, COALESCE(reviewed_at, UTC_TIMESTAMP(6)), reviewed_at),"
    " reviewed_by = IF(? = 1, COALESCE(reviewed_by, ?), reviewed_by),"
    " updated_at = UTC_TIMESTAMP(6), version = version + 1 WHERE id = ?";
static const char sql_acks_clear[] = "DELETE FROM document_acks WHERE document_id = ?";
static const char sql_ack_insert[] =
    "INSERT IGNORE INTO document_acks (document_id, user_id, version_id, acked_at, ip)"
    " SELECT d.id, ?, d.current_version_id, UTC_TIMESTAMP(6), ? FROM documents d"
    " WHERE d.id = ? AND d.needs_ack = 1";
static const char sql_ack_requester[] = "SELECT ack_requested_by FROM documents WHERE id = ?";
static const char sql_account_users[] =
    "SELECT id FROM users WHERE account_id = ? AND disabled = 0 ORDER BY id";
/* Who reviews what an account sends: its owner, or the managers and admins when it has
 * none. Argument: the account's owner (crm_account_owner), 0 for none. */
static const char sql_reviewers[] =
    "SELECT u.id FROM users u JOIN (SELECT ? AS owner_id) a WHERE u.realm = 'employee'"
    " AND u.disabled = 0 AND (u.id = a.owner_id OR (a.owner_id = 0"
    " AND u.role IN ('admin', 'manager'))) ORDER BY u.id LIMIT 50";

static const char sql_folders[] =
    "SELECT f.id, f.name, f.kind, f.created_at,"
    " (SELECT COUNT(*) FROM documents d WHERE d.folder_id = f.id) AS documents"
    " FROM doc_folders f WHERE f.account_id = ? ORDER BY f.kind = 'inbox' DESC, f.name, f.id";
static const char sql_folder_get[] =
    "SELECT id, account_id, kind, name FROM doc_folders WHERE id = ?";
static const char sql_folder_of_kind[] =
    "SELECT id FROM doc_folders WHERE account_id = ? AND kind = ? ORDER BY id LIMIT 1";
static const char sql_folder_insert[] =
    "INSERT INTO doc_folders (account_id, name, kind, created_by, created_at)"
    " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6))";

static const char sql_quota_row[] = "INSERT INTO doc_quota (account_id, used) VALUES (?, 0)"
                                    " ON DUPLICATE KEY UPDATE account_id = account_id";
static const char sql_quota_lock[] = "SELECT used FROM doc_quota WHERE account_id = ? FOR UPDATE";
static const char sql_quota_peek[] = "SELECT used FROM doc_quota WHERE account_id = ?";
static const char sql_quota_add[] = "UPDATE doc_quota SET used = used + ? WHERE account_id = ?";

static const char sql_link_insert[] =
    "INSERT INTO doc_links (kind, token_hash, account_id, document_id, folder_id, password_hash,"
    " expires_at, max_uses, created_by, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))";
static const char sql_expiry_check[] =
    "SELECT ? > UTC_TIMESTAMP(6), ? <= UTC_TIMESTAMP(6) + INTERVAL ? DAY";
static const char sql_link_lookup[] =
    "SELECT l.id, l.kind, l.token_hash, l.password_hash, l.expires_at <= UTC_TIMESTAMP(6),"
    " l.revoked_at IS NOT NULL, l.max_uses IS NOT NULL AND l.uses >= l.max_uses,"
    " l.document_id, l.folder_id, l.account_id, d.title, v.id, v.name, v.size, v.sha256,"
    " v.content_type, fo.name"
    " FROM doc_links l LEFT JOIN documents d ON d.id = l.document_id"
    " LEFT JOIN document_versions v ON v.id = d.current_version_id"
    " LEFT JOIN doc_folders fo ON fo.id = l.folder_id WHERE l.token_hash = ?";
static const char sql_link_use[] =
    "UPDATE doc_links SET uses = uses + 1 WHERE id = ? AND revoked_at IS NULL"
    " AND expires_at > UTC_TIMESTAMP(6) AND (max_uses IS NULL OR uses < max_uses)";
static const char sql_link_get[] =
    "SELECT l.id, l.account_id, l.document_id, l.folder_id, l.kind, l.revoked_at IS NOT NULL"
    " FROM doc_links l WHERE l.id = ?";
static const char sql_link_revoke[] =
    "UPDATE doc_links SET revoked_at = UTC_TIMESTAMP(6), revoked_by = ? WHERE id = ?"
    " AND revoked_at IS NULL";

/* ---------------------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------------------- */

static json_t *time_or_null(struct arena *a, const char *dbtime)
{
    return dbtime ? json_string(db_time_iso(a, dbtime)) : json_null();
}

static json_t *int_or_null(const struct db_res *res, int row, int col)
{
    return db_str(res, row, col) ? json_integer(db_ll(res, row, col)) : json_null();
}

static long long query_id(struct req *r, const char *name)
{
    const char *v = http_query(r, name);
    if (!v || !*v || strlen(v) > 18 || strspn(v, "0123456789") != strlen(v))
        return v ? -1 : 0;
    return strtoll(v, NULL, 10);
}

/* Appends one event for the employees and, when the folder is visible to the account,
 * one for the account's cabinet users. 0 or -1. */
static int publish(const char *type, long long account_id, const char *folder_kind, json_t *payload)
{
    char audience[40];
    int rc = outbox_append(type, "employees", payload) < 0 ? -1 : 0;
    if (rc == 0 && strcmp(folder_kind, "internal") != 0) {
        snprintf(audience, sizeof audience, "account:%lld", account_id);
        rc = outbox_append(type, audience, payload) < 0 ? -1 : 0;
    }
    json_decref(payload);
    return rc;
}

static int access_log(struct req *r, long long doc_id, long long version_id, const char *action,
                      long long link_id)
{
    return db_exec(sql_log_insert, "iIsIIs", doc_id, version_id, action, auth_user_id(r), link_id,
                   http_client_addr(r));
}

static json_t *user_or_null(const struct db_res *res, int row, int id_col)
{
    if (!db_str(res, row, id_col))
        return json_null();
    return json_pack("{s:I, s:s}", "id", (json_int_t)db_ll(res, row, id_col), "name",
                     db_str(res, row, id_col + 1));
}

/* A document row of DOC_COLUMNS as JSON. */
static json_t *doc_json(const struct db_res *res, int i, struct arena *a, bool employee)
{
    json_t *current = json_null();
    if (db_str(res, i, 16))
        current =
            json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:o, s:o, s:b}", "id",
                      (json_int_t)db_ll(res, i, 16), "number", (json_int_t)db_ll(res, i, 17),
                      "name", db_str(res, i, 18), "size", (json_int_t)db_ll(res, i, 19), "sha256",
                      db_str(res, i, 20), "content_type", db_str(res, i, 21), "comment",
                      db_str(res, i, 22), "created_at", time_or_null(a, db_str(res, i, 23)),
                      "uploader", user_or_null(res, i, 24), "via_link", db_str(res, i, 26) != NULL);
    json_t *o = json_pack(
        "{s:I, s:s, s:b, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:{s:I, s:s, s:s}, s:{s:I, s:s, s:s},"
        " s:o, s:o}",
        "id", (json_int_t)db_ll(res, i, 0), "title", db_str(res, i, 1), "needs_ack",
        db_ll(res, i, 2) != 0, "ack_requested_at", time_or_null(a, db_str(res, i, 3)),
        "reviewed_at", time_or_null(a, db_str(res, i, 4)), "created_at",
        time_or_null(a, db_str(res, i, 5)), "updated_at", time_or_null(a, db_str(res, i, 6)),
        "version", (json_int_t)db_ll(res, i, 7), "versions_count", (json_int_t)db_ll(res, i, 8),
        "size", (json_int_t)db_ll(res, i, 9), "account", "id", (json_int_t)db_ll(res, i, 10),
        "name", db_str(res, i, 11), "kind", db_str(res, i, 12), "folder", "id",
        (json_int_t)db_ll(res, i, 13), "name", db_str(res, i, 14), "kind", db_str(res, i, 15),
        "current_version", current, "my_ack_at", time_or_null(a, db_str(res, i, 27)));
    if (employee) {
        json_object_set_new(o, "acks_count", json_integer(db_ll(res, i, 28)));
        json_object_set_new(o, "ack_users", json_integer(db_ll(res, i, 29)));
    } else {
        json_object_del(o, "reviewed_at");
    }
    return o;
}

/* The display name of an upload from ?name=: the path part, control and invisible
 * characters go (files_clean_name); a NUL anywhere refuses it. NULL after sending 400. */
static const char *upload_name(struct req *r)
{
    const char *qs = r->ri->query_string;
    const char *qname = http_query(r, "name");
    char *name = arena_alloc(&r->arena, 256);
    if (qs && strcasestr(qs, "%00")) {
        http_error(r, 400, "validation_failed", "The file name contains a NUL character", "name");
        return NULL;
    }
    if (!qname || !name || files_clean_name(qname, name, 256) < 0) {
        http_error(r, 400, "validation_failed", "Give the file a name: ?name=", "name");
        return NULL;
    }
    return name;
}

static bool query_text(struct req *r, const char *field, size_t max, const char **out)
{
    const char *v = http_query(r, field);
    *out = NULL;
    if (!v)
        return true;
    if (!utf8_valid(v, strlen(v)) || utf8_chars(v) > max) {
        http_error(
            r, 400, "validation_failed",
            arena_printf(&r->arena, "%s must be valid text of at most %zu characters", field, max),
            field);
        return false;
    }
    *out = v;
    return true;
}

/* A row of LINK_COLUMNS as JSON; "downloads" or "uploads" by the link's kind. */
static json_t *link_json(const struct db_res *res, int i, struct arena *a)
{
    bool download = strcmp(db_str(res, i, 1), "download") == 0;
    const char *state = db_str(res, i, 6)  ? "revoked"
                        : db_ll(res, i, 8) ? "expired"
                        : db_ll(res, i, 9) ? "exhausted"
                                           : "active";
    return json_pack("{s:I, s:s, s:o, s:b, s:o, s:I, s:o, s:o, s:s}", "id",
                     (json_int_t)db_ll(res, i, 0), "kind", db_str(res, i, 1), "expires_at",
                     time_or_null(a, db_str(res, i, 2)), "has_password", db_ll(res, i, 3) != 0,
                     download ? "max_downloads" : "max_uploads", int_or_null(res, i, 4),
                     download ? "downloads" : "uploads", (json_int_t)db_ll(res, i, 5), "revoked_at",
                     time_or_null(a, db_str(res, i, 6)), "created_at",
                     time_or_null(a, db_str(res, i, 7)), "state", state);
}

/* ---------------------------------------------------------------------------------------
 * Folders
 * ------------------------------------------------------------------------------------- */

/* The account's folder of kind ("shared" or "inbox"), created on first use. Its id, or
 * -1. In the caller's transaction. */
static long long folder_of_kind(struct arena *a, long long account_id, const char *kind,
                                long long actor)
{
    struct db_res *res = db_query(a, sql_folder_of_kind, "is", account_id, kind);
    if (!res)
        return -1;
    if (res->nrows)
        return db_ll(res, 0, 0);
    const char *name = strcmp(kind, "inbox") == 0 ? "Inbox" : "Shared";
    if (db_exec(sql_folder_insert, "issI", account_id, name, kind, actor) == 0)
        return db_insert_id();
    if (db_errno() != ER_DUP_ENTRY) /* else a concurrent first upload made it: use that */
        return -1;
    res = db_query(a, sql_folder_of_kind, "is", account_id, kind);
    return res && res->nrows ? db_ll(res, 0, 0) : -1;
}

/* The kind of folder_id when it belongs to account, else NULL after answering 400 (or
 * the database error). */
static const char *folder_kind_in(struct req *r, long long folder_id, long long account_id)
{
    struct db_res *f = db_query(&r->arena, sql_folder_get, "i", folder_id);
    if (!f) {
        http_db_error(r);
        return NULL;
    }
    if (f->nrows == 0 || db_ll(f, 0, 1) != account_id) {
        http_error(r, 400, "validation_failed", "No such folder in this account", "folder_id");
        return NULL;
    }
    return db_str(f, 0, 2);
}

int doc_folders_list(struct req *r)
{
    long long account = query_id(r, "account_id");
    if (account <= 0)
        return http_error(r, 400, "validation_failed",
                          "Give the account: ?account_id=", "account_id");
    struct db_res *res = db_query(&r->arena, sql_folders, "i", account);
    struct db_res *links = res ? db_query(&r->arena, sql_folder_links, "i", account) : NULL;
    if (!links)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < res->nrows; i++) {
        json_t *o = db_row_json(res, i, "issti", &r->arena);
        json_t *ul = json_array();
        for (int k = 0; k < links->nrows; k++)
            if (db_ll(links, k, 10) == db_ll(res, i, 0))
                json_array_append_new(ul, link_json(links, k, &r->arena));
        json_object_set_new(o, "upload_links", ul);
        json_array_append_new(items, o);
    }
    return http_json(r, 200, json_pack("{s:o}", "items", items));
}

struct folder_new {
    long long account;
    const char *name, *kind;
    long long id; /* out */
};

static int folder_create_tx(struct req *r, void *arg, struct http_change *change)
{
    struct folder_new *f = arg;
    if (db_exec(sql_folder_insert, "issI", f->account, f->name, f->kind, auth_user_id(r)) < 0)
        return db_errno() == ER_DUP_ENTRY
                   ? http_error(r, 409, "conflict", "The account has a folder of this name", "name")
                   : -1;
    f->id = db_insert_id();
    if (crm_timeline_add(f->account, auth_user_id(r), "document.folder", f->id,
                         arena_printf(&r->arena, "Folder \"%s\" created", f->name)) < 0 ||
        publish("document.folder", f->account, f->kind,
                json_pack("{s:I, s:I, s:s}", "id", (json_int_t)f->id, "account_id",
                          (json_int_t)f->account, "name", f->name)) < 0)
        return -1;
    *change = (struct http_change){"document.folder_create", "doc_folder", f->id,
                                   json_pack("{s:s}", "name", f->name)};
    return 0;
}

int doc_folder_create(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    long long account = 0;
    const char *name = NULL, *kind = "shared";
    if (HTTP_FIELDS(r, body, {"account_id", FIELD_ID, true, 0, &account},
                    {"name", FIELD_STRING, true, 200, &name},
                    {"kind", FIELD_STRING, false, 16, &kind}) < 0)
        return r->status;
    if (strcmp(kind, "shared") != 0 && strcmp(kind, "internal") != 0)
        return http_error(r, 400, "validation_failed", "kind must be shared or internal", "kind");
    if (!crm_account_kind(&r->arena, account))
        return db_errno()
                   ? http_db_error(r)
                   : http_error(r, 400, "validation_failed", "No such account", "account_id");
    struct folder_new f = {account, name, kind, 0};
    int rc = http_write(r, folder_create_tx, &f);
    if (rc)
        return rc;
    return http_json(r, 201,
                     json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)f.id, "name", name, "kind",
                               kind, "account_id", (json_int_t)account));
}

/* ---------------------------------------------------------------------------------------
 * Uploads: the body goes to the store first; the rows come in one transaction after.
 * ------------------------------------------------------------------------------------- */

struct upload {
    struct req *r;
    long long account_id, folder_id, document_id; /* document_id 0: a new document */
    long long link_id;                            /* through an upload-request link */
    long long actor;                              /* 0 for a link */
    const char *folder_kind, *name, *title, *comment, *content_type, *source;
    bool from_outside; /* cabinet or link: employees are told, the review resets */
    struct files_blob blob;
    /* results */
    long long new_document_id, version_id;
    int number;
    long long quota_used;
};

/* Notifies everyone sql (one integer argument, arg) lists. */
static int notify_all(struct arena *a, const char *sql, long long arg, long long actor,
                      const char *kind, long long doc_id, const char *summary)
{
    struct db_res *who = db_query(a, sql, "i", arg);
    if (!who)
        return -1;
    for (int i = 0; i < who->nrows; i++)
        if (notify_user(db_ll(who, i, 0), actor, kind, "document", doc_id, summary) < 0)
            return -1;
    return 0;
}

/* 413: the account's storage would overflow (used bytes of it in use). */
static int over_quota(struct req *r, long long used)
{
    return http_error(r, 413, "quota_exceeded",
                      arena_printf(&r->arena,
                                   "The account's document storage is full: %lld of %zu bytes "
                                   "used",
                                   used, config.doc_quota),
                      NULL);
}

static int upload_tx(struct req *r, void *arg, struct http_change *change)
{
    struct upload *u = arg;
    struct arena *a = &r->arena;
    u->new_document_id = 0;
    if (db_exec(sql_quota_row, "i", u->account_id) < 0)
        return -1;
    struct db_res *q = db_query(a, sql_quota_lock, "i", u->account_id);
    if (!q || q->nrows != 1)
        return -1;
    u->quota_used = db_ll(q, 0, 0);
    if (u->quota_used + u->blob.size > (long long)config.doc_quota)
        return over_quota(r, u->quota_used);

    long long doc = u->document_id;
    bool needs_ack = false;
    if (!doc) {
        if (db_exec(sql_doc_insert, "iisI", u->account_id, u->folder_id, u->title, u->actor) < 0)
            return -1;
        doc = u->new_document_id = db_insert_id();
        u->number = 1;
    } else {
        struct db_res *d = db_query(a, sql_lock_doc, "i", doc);
        if (!d || d->nrows != 1)
            return -1;
        u->number = (int)db_ll(d, 0, 0) + 1;
        needs_ack = db_ll(d, 0, 1) != 0;
    }
    long long file_id = files_insert(&u->blob, u->name, u->content_type, u->actor, FILE_OWNER, doc);
    if (file_id < 0 || db_exec(sql_version_insert, "iiisissIIs", doc, (long long)u->number, file_id,
                               u->name, u->blob.size, u->blob.sha256, u->content_type, u->actor,
                               u->link_id, u->comment ? u->comment : "") < 0)
        return -1;
    u->version_id = db_insert_id();
    long long outside = u->from_outside;
    if (db_exec(sql_doc_bump, "iiiiii", u->version_id, (long long)u->number, u->blob.size, outside,
                outside, doc) < 0 ||
        db_exec(sql_quota_add, "ii", u->blob.size, u->account_id) < 0 ||
        db_exec(sql_log_insert, "iisIIs", doc, u->version_id, "upload", u->actor, u->link_id,
                http_client_addr(u->r)) < 0)
        return -1;
    const char *summary = u->number == 1
                              ? arena_printf(a, "Document \"%s\" uploaded (%s)", u->title, u->name)
                              : arena_printf(a, "Document \"%s\": version %d uploaded (%s)",
                                             u->title, u->number, u->name);
    *change = (struct http_change){
        u->number == 1 ? "document.create" : "document.version", "document", doc,
        json_pack("{s:I, s:s, s:I, s:s, s:s}", "version", (json_int_t)u->number, "name", u->name,
                  "size", (json_int_t)u->blob.size, "sha256", u->blob.sha256, "via", u->source)};
    if (crm_timeline_add(u->account_id, u->actor, "document.version", doc, summary) < 0 ||
        publish("document.version", u->account_id, u->folder_kind,
                json_pack("{s:I, s:I, s:I, s:I}", "document_id", (json_int_t)doc, "account_id",
                          (json_int_t)u->account_id, "version_id", (json_int_t)u->version_id,
                          "number", (json_int_t)u->number)) < 0)
        return -1;
    /* A new version of a document awaiting acknowledgement must be acknowledged anew. */
    if (needs_ack && (db_exec(sql_acks_clear, "i", doc) < 0 ||
                      notify_all(a, sql_account_users, u->account_id, u->actor, "document_ack", doc,
                                 arena_printf(a, "Please acknowledge version %d of \"%s\"",
                                              u->number, u->title)) < 0))
        return -1;
    long long owner = u->from_outside ? crm_account_owner(a, u->account_id) : 0;
    if (u->from_outside && (owner < 0 || notify_all(a, sql_reviewers, owner, u->actor,
                                                    "document_uploaded", doc, summary) < 0))
        return -1;
    return 0;
}

/* Stores the body and writes the rows; answers the request either way. */
static int upload_run(struct upload *u)
{
    struct req *r = u->r;
    long long cl = r->ri->content_length;
    struct db_res *q = db_query(&r->arena, sql_quota_peek, "i", u->account_id);
    if (!q)
        return http_db_error(r);
    long long used = q->nrows ? db_ll(q, 0, 0) : 0;
    if (cl >= 0 && used + cl > (long long)config.doc_quota)
        return over_quota(r, used);
    if (files_store_body(r, (long long)config.doc_max_file, true, &u->blob) < 0)
        return r->status;
    u->content_type = files_upload_type(u->name, http_header(r, "Content-Type"), &u->blob);
    if (!u->title)
        u->title = u->name;
    int rc = http_write(r, upload_tx, u);
    if (rc)
        return rc; /* the blob stays: content-addressed, reused by a retry */
    long long doc = u->document_id ? u->document_id : u->new_document_id;
    return http_json(r, 201,
                     json_pack("{s:I, s:I, s:I, s:s, s:I, s:s}", "document_id", (json_int_t)doc,
                               "version_id", (json_int_t)u->version_id, "number",
                               (json_int_t)u->number, "name", u->name, "size",
                               (json_int_t)u->blob.size, "sha256", u->blob.sha256));
}

/* The folder of u->folder_kind on u->account_id, made when missing (not audited: the
 * upload it is for is). */
static int folder_tx(struct req *r, void *arg, struct http_change *change)
{
    (void)change;
    struct upload *u = arg;
    u->folder_id = folder_of_kind(&r->arena, u->account_id, u->folder_kind, u->actor);
    return u->folder_id < 0 ? -1 : 0;
}

/* The query of an upload: name, title, comment. false after sending 400. */
static bool upload_args(struct req *r, struct upload *u)
{
    if (!(u->name = upload_name(r)))
        return false;
    if (!query_text(r, "title", MAX_TITLE, &u->title) ||
        !query_text(r, "comment", MAX_COMMENT, &u->comment))
        return false;
    if (u->title) {
        char *t = arena_strdup(&r->arena, u->title);
        while (*t == ' ')
            t++;
        u->title = *t ? t : NULL;
    }
    return true;
}

int doc_create(struct req *r)
{
    struct upload u = {.r = r, .actor = auth_user_id(r), .source = "app"};
    long long account = query_id(r, "account_id"), folder = query_id(r, "folder_id");
    if (account <= 0)
        return http_error(r, 400, "validation_failed",
                          "Give the account: ?account_id=", "account_id");
    if (folder < 0)
        return http_error(r, 400, "validation_failed", "folder_id must be a positive id",
                          "folder_id");
    if (!upload_args(r, &u))
        return r->status;
    if (!crm_account_kind(&r->arena, account))
        return db_errno()
                   ? http_db_error(r)
                   : http_error(r, 400, "validation_failed", "No such account", "account_id");
    u.account_id = account;
    if (folder) {
        if (!(u.folder_kind = folder_kind_in(r, folder, account)))
            return r->status;
        u.folder_id = folder;
    } else {
        u.folder_kind = "shared";
        int rc = http_write(r, folder_tx, &u);
        if (rc)
            return rc;
    }
    return upload_run(&u);
}

/* The document's head row (id, account, folder, folder kind, needs_ack, version, title)
 * within scope, or NULL after answering 404 (or the database error). */
static struct db_res *doc_head(struct req *r, long long id, long long scope)
{
    struct db_res *res = id ? db_query(&r->arena, sql_head, "iii", id, scope, scope) : NULL;
    if (id && !res) {
        http_db_error(r);
        return NULL;
    }
    if (!res || res->nrows == 0) {
        http_error(r, 404, "not_found", "No such document", NULL);
        return NULL;
    }
    return res;
}

int doc_version_upload(struct req *r)
{
    struct db_res *h = doc_head(r, http_param_id(r, "id"), 0);
    if (!h)
        return r->status;
    struct upload u = {.r = r, .actor = auth_user_id(r), .source = "app"};
    if (!upload_args(r, &u))
        return r->status;
    u.document_id = db_ll(h, 0, 0);
    u.account_id = db_ll(h, 0, 1);
    u.folder_id = db_ll(h, 0, 2);
    u.folder_kind = db_str(h, 0, 3);
    u.title = db_str(h, 0, 6);
    return upload_run(&u);
}

int doc_cabinet_upload(struct req *r, long long account_id)
{
    struct upload u = {.r = r,
                       .actor = auth_user_id(r),
                       .account_id = account_id,
                       .folder_kind = "inbox",
                       .from_outside = true,
                       .source = "cabinet"};
    if (!upload_args(r, &u))
        return r->status;
    int rc = http_write(r, folder_tx, &u);
    return rc ? rc : upload_run(&u);
}

/* ---------------------------------------------------------------------------------------
 * Reading
 * ------------------------------------------------------------------------------------- */

static int list(struct req *r, long long scope)
{
    int limit;
    long long before;
    if (http_page_args(r, 50, 200, &limit, &before) < 0)
        return r->status;
    long long account = scope ? 0 : query_id(r, "account_id");
    long long folder = query_id(r, "folder_id");
    const char *na = http_query(r, "needs_ack"), *q = http_query(r, "q");
    if (account < 0 || folder < 0)
        return http_error(r, 400, "validation_failed", "ids must be positive whole numbers",
                          account < 0 ? "account_id" : "folder_id");
    long long needs_ack = na && (strcmp(na, "1") == 0 || strcmp(na, "true") == 0);
    const char *like = q && *q ? db_like(&r->arena, q, true) : NULL;
    struct db_res *res =
        db_query(&r->arena, sql_list, "iiiiiiiissiii", auth_user_id(r), scope, scope, account,
                 account, folder, folder, needs_ack, like, like, before, before, (long long)limit);
    if (!res)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < res->nrows; i++)
        json_array_append_new(items, doc_json(res, i, &r->arena, scope == 0));
    json_t *out = json_pack("{s:o}", "items", items);
    db_page_next(out, res, limit);
    if (scope == 0 && account) {
        struct db_res *qr = db_query(&r->arena, sql_quota_peek, "i", account);
        if (!qr)
            return http_db_error(r);
        json_object_set_new(out, "quota",
                            json_pack("{s:I, s:I, s:I}", "used",
                                      (json_int_t)(qr->nrows ? db_ll(qr, 0, 0) : 0), "limit",
                                      (json_int_t)config.doc_quota, "max_file",
                                      (json_int_t)config.doc_max_file));
    }
    return http_json(r, 200, out);
}

int doc_list(struct req *r)
{
    return list(r, 0);
}

int doc_cabinet_list(struct req *r, long long account_id)
{
    return list(r, account_id);
}

static json_t *links_json(struct req *r, long long doc_id)
{
    struct db_res *res = db_query(&r->arena, sql_links, "i", doc_id);
    if (!res)
        return NULL;
    json_t *arr = json_array();
    for (int i = 0; i < res->nrows; i++)
        json_array_append_new(arr, link_json(res, i, &r->arena));
    return arr;
}

static json_t *access_log_json(struct req *r, long long doc_id)
{
    struct db_res *res = db_query(&r->arena, sql_access_log, "i", doc_id);
    if (!res)
        return NULL;
    json_t *arr = json_array();
    for (int i = 0; i < res->nrows; i++) {
        json_t *who = db_str(res, i, 4)
                          ? json_pack("{s:I, s:s, s:s}", "id", (json_int_t)db_ll(res, i, 4), "name",
                                      db_str(res, i, 5), "realm", db_str(res, i, 6))
                          : json_null();
        json_array_append_new(arr,
                              json_pack("{s:I, s:s, s:o, s:s, s:o, s:o, s:o}", "id",
                                        (json_int_t)db_ll(res, i, 0), "action", db_str(res, i, 1),
                                        "at", time_or_null(&r->arena, db_str(res, i, 2)), "ip",
                                        db_str(res, i, 3), "user", who, "link_id",
                                        int_or_null(res, i, 7), "version", int_or_null(res, i, 8)));
    }
    return arr;
}

static int get(struct req *r, long long scope, long long id)
{
    struct db_res *res =
        id ? db_query(&r->arena, sql_get, "iiii", auth_user_id(r), id, scope, scope) : NULL;
    if (id && !res)
        return http_db_error(r);
    if (!res || res->nrows == 0)
        return http_error(r, 404, "not_found", "No such document", NULL);
    json_t *doc = doc_json(res, 0, &r->arena, scope == 0);
    struct db_res *v = db_query(&r->arena, sql_versions, "i", id);
    if (!v) {
        json_decref(doc);
        return http_db_error(r);
    }
    json_t *versions = json_array();
    for (int i = 0; i < v->nrows; i++)
        json_array_append_new(
            versions,
            json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:o, s:o, s:b}", "id",
                      (json_int_t)db_ll(v, i, 0), "number", (json_int_t)db_ll(v, i, 1), "name",
                      db_str(v, i, 2), "size", (json_int_t)db_ll(v, i, 3), "sha256",
                      db_str(v, i, 4), "content_type", db_str(v, i, 5), "comment", db_str(v, i, 6),
                      "created_at", time_or_null(&r->arena, db_str(v, i, 7)), "uploader",
                      user_or_null(v, i, 8), "via_link", db_str(v, i, 10) != NULL));
    json_object_set_new(doc, "versions", versions);
    if (scope == 0) {
        struct db_res *acks = db_query(&r->arena, sql_acks, "ii", id, db_ll(res, 0, 10));
        json_t *links = acks ? links_json(r, id) : NULL;
        json_t *log = links ? access_log_json(r, id) : NULL;
        if (!log) {
            json_decref(links);
            json_decref(doc);
            return http_db_error(r);
        }
        json_t *arr = json_array();
        for (int i = 0; acks && i < acks->nrows; i++)
            json_array_append_new(arr,
                                  json_pack("{s:{s:I, s:s, s:s}, s:o, s:o}", "user", "id",
                                            (json_int_t)db_ll(acks, i, 0), "name",
                                            db_str(acks, i, 1), "email", db_str(acks, i, 2),
                                            "acked_at", time_or_null(&r->arena, db_str(acks, i, 3)),
                                            "version", int_or_null(acks, i, 4)));
        json_object_set_new(doc, "acks", arr);
        json_object_set_new(doc, "links", links);
        json_object_set_new(doc, "access_log", log);
    }
    /* The view is recorded after the read; a failure to record costs the reader nothing
     * but is logged. */
    if (access_log(r, id, db_ll(res, 0, 16), "view", 0) < 0)
        log_warn("document %lld: access log: %s", id, db_error());
    return http_json(r, 200, doc);
}

int doc_get(struct req *r)
{
    return get(r, 0, http_param_id(r, "id"));
}

int doc_cabinet_get(struct req *r, long long account_id, long long id)
{
    return get(r, account_id, id);
}

static int download(struct req *r, long long scope, long long id, long long version_id)
{
    struct db_res *h = doc_head(r, id, scope);
    if (!h)
        return r->status;
    struct db_res *v =
        version_id ? db_query(&r->arena, sql_version_file, "ii", version_id, id) : NULL;
    if (version_id && !v)
        return http_db_error(r);
    if (!v || v->nrows == 0)
        return http_error(r, 404, "not_found", "No such version", NULL);
    if (strcmp(r->ri->request_method, "HEAD") != 0 &&
        access_log(r, id, version_id, "download", 0) < 0)
        return http_db_error(r); /* an unrecorded download is not served */
    return files_send(r, db_str(v, 0, 3), db_str(v, 0, 1), db_str(v, 0, 4), db_ll(v, 0, 2));
}

int doc_version_download(struct req *r)
{
    return download(r, 0, http_param_id(r, "id"), http_param_id(r, "version_id"));
}

int doc_cabinet_download(struct req *r, long long account_id, long long id, long long version_id)
{
    return download(r, account_id, id, version_id);
}

/* ---------------------------------------------------------------------------------------
 * Changes: title, folder, acknowledgement request, review; acknowledgements
 * ------------------------------------------------------------------------------------- */

struct doc_change {
    struct db_res *head; /* doc_head's row */
    long long id, account, version, folder;
    const char *title, *folder_kind, *event_kind;
    int needs_ack, reviewed;
    bool has_folder;
};

static int doc_update_tx(struct req *r, void *arg, struct http_change *change)
{
    struct doc_change *d = arg;
    long long id = d->id, account = d->account, me = auth_user_id(r);
    struct db_res *cur = db_query(&r->arena, sql_lock_doc, "i", id);
    if (!cur || cur->nrows != 1)
        return -1;
    if (db_ll(cur, 0, 2) != d->version)
        return http_error(r, 409, "conflict", "The document changed meanwhile; reload it",
                          "version");
    bool had_ack = db_ll(cur, 0, 1) != 0;
    bool ask = d->needs_ack == 1 && !had_ack;
    long long keep = d->needs_ack == -1 ? had_ack : d->needs_ack;
    const char *title = d->title ? d->title : db_str(d->head, 0, 6);
    long long folder = d->has_folder ? d->folder : db_ll(d->head, 0, 2);
    long long reviewed = d->reviewed;
    if (db_exec(sql_doc_update, "siiiiiiiiiii", title, folder, keep, (long long)ask, keep,
                (long long)ask, me, keep, reviewed, reviewed, me, id) < 0)
        return -1;
    if (ask && db_exec(sql_acks_clear, "i", id) < 0)
        return -1;
    const char *what = ask                            ? "acknowledgement requested"
                       : d->needs_ack == 0 && had_ack ? "acknowledgement no longer needed"
                       : reviewed                     ? "reviewed"
                       : d->has_folder                ? "moved"
                                                      : "renamed";
    const char *summary = arena_printf(&r->arena, "Document \"%s\": %s", title, what);
    *change = (struct http_change){"document.update", "document", id,
                                   json_pack("{s:s, s:I, s:I, s:b}", "title", title, "folder_id",
                                             (json_int_t)folder, "needs_ack", (json_int_t)keep,
                                             "reviewed", d->reviewed)};
    if (crm_timeline_add(account, me, ask ? "document.ack_requested" : "document.updated", id,
                         summary) < 0 ||
        publish("document.updated", account, d->event_kind,
                json_pack("{s:I, s:I}", "document_id", (json_int_t)id, "account_id",
                          (json_int_t)account)) < 0)
        return -1;
    if (ask && strcmp(d->folder_kind, "internal") != 0 &&
        notify_all(&r->arena, sql_account_users, account, me, "document_ack", id,
                   arena_printf(&r->arena, "Please acknowledge \"%s\"", title)) < 0)
        return -1;
    return 0;
}

int doc_update(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct doc_change d = {.needs_ack = -1};
    if (HTTP_FIELDS(r, body, {"version", FIELD_INT, true, 0, &d.version},
                    {"title", FIELD_STRING, false, MAX_TITLE, &d.title},
                    {"folder_id", FIELD_ID, false, 0, &d.folder, &d.has_folder},
                    {"needs_ack", FIELD_BOOL, false, 0, &d.needs_ack},
                    {"reviewed", FIELD_BOOL, false, 0, &d.reviewed}) < 0)
        return r->status;
    if (d.title && !*d.title)
        return http_error(r, 400, "validation_failed", "title must not be empty", "title");
    if (!(d.head = doc_head(r, http_param_id(r, "id"), 0)))
        return r->status;
    d.id = db_ll(d.head, 0, 0);
    d.account = db_ll(d.head, 0, 1);
    const char *old_kind = d.folder_kind = db_str(d.head, 0, 3);
    if (d.has_folder && !(d.folder_kind = folder_kind_in(r, d.folder, d.account)))
        return r->status;
    /* A move into or out of an internal folder changes what the cabinet shows: it is told
     * (the event carries only ids). */
    d.event_kind = strcmp(old_kind, "internal") != 0 ? old_kind : d.folder_kind;
    int rc = http_write(r, doc_update_tx, &d);
    return rc ? rc : get(r, 0, d.id);
}

struct doc_ack {
    struct db_res *head;
    long long account_id, id;
};

static int ack_tx(struct req *r, void *arg, struct http_change *change)
{
    struct doc_ack *k = arg;
    long long me = auth_user_id(r), id = k->id, account_id = k->account_id;
    if (db_exec(sql_ack_insert, "isi", me, http_client_addr(r), id) < 0)
        return -1;
    if (db_affected() != 1) /* acknowledged already */
        return 0;
    struct db_res *req_by = db_query(&r->arena, sql_ack_requester, "i", id);
    const char *summary = arena_printf(&r->arena, "Document \"%s\" acknowledged by %s",
                                       db_str(k->head, 0, 6), r->session->name);
    if (!req_by || crm_timeline_add(account_id, me, "document.ack", id, summary) < 0 ||
        publish("document.ack", account_id, db_str(k->head, 0, 3),
                json_pack("{s:I, s:I, s:I}", "document_id", (json_int_t)id, "account_id",
                          (json_int_t)account_id, "user_id", (json_int_t)me)) < 0)
        return -1;
    if (req_by->nrows && db_str(req_by, 0, 0) &&
        notify_user(db_ll(req_by, 0, 0), me, "document_acked", "document", id, summary) < 0)
        return -1;
    *change = (struct http_change){"document.ack", "document", id, NULL};
    return 0;
}

int doc_cabinet_ack(struct req *r, long long account_id, long long id)
{
    struct db_res *h = doc_head(r, id, account_id);
    if (!h)
        return r->status;
    if (!db_ll(h, 0, 4))
        return http_error(r, 409, "not_requested", "This document does not need acknowledgement",
                          NULL);
    struct doc_ack k = {h, account_id, id};
    int rc = http_write(r, ack_tx, &k);
    return rc ? rc : get(r, account_id, id);
}

/* ---------------------------------------------------------------------------------------
 * Links: tokens, expiry, passwords
 * ------------------------------------------------------------------------------------- */

static void token_hash(const char *token, unsigned char out[crypto_hash_sha256_BYTES])
{
    crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

static bool token_shape(const char *t)
{
    return t && strlen(t) == TOKEN_CHARS &&
           strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
               TOKEN_CHARS;
}

/* "2026-11-27T16:00:00[.fff]Z" -> "2026-11-27 16:00:00.ffffff" in a, or NULL. */
static const char *parse_utc(struct arena *a, const char *iso)
{
    int y, mo, d, h, mi, s, n = 0;
    if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) != 6 ||
        n != 19)
        return NULL;
    const char *p = iso + n;
    char frac[7] = "000000";
    if (*p == '.') {
        p++;
        size_t k = strspn(p, "0123456789");
        if (k == 0 || k > 9)
            return NULL;
        memcpy(frac, p, k < 6 ? k : 6);
        p += k;
    }
    if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
        return NULL;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = s};
    time_t t = timegm(&tm);
    struct tm back;
    if (t == (time_t)-1 || !gmtime_r(&t, &back) || back.tm_mday != d || back.tm_mon != mo - 1 ||
        back.tm_hour != h || back.tm_min != mi || back.tm_sec != s || y < 2000 || y > 9999)
        return NULL;
    return arena_printf(a, "%04d-%02d-%02d %02d:%02d:%02d.%s", y, mo, d, h, mi, s, frac);
}

struct link_spec {
    const char *kind;
    long long document_id, folder_id, account_id;
    const char *expires, *password;
    long long max_uses;
    bool has_max;
};

/* Validates the link body shared by share and upload links into spec. 0, or -1 after
 * sending 400. */
static int link_args(struct req *r, struct link_spec *s, const char *max_field)
{
    json_t *body = http_json_body(r);
    if (!body)
        return -1;
    const char *expires = NULL;
    if (HTTP_FIELDS(r, body, {"expires_at", FIELD_STRING, true, 40, &expires},
                    {"password", FIELD_TEXT, false, PASSWORD_MAX, &s->password},
                    {max_field, FIELD_INT, false, 0, &s->max_uses, &s->has_max}) < 0)
        return -1;
    if (s->password) /* taken untrimmed: spaces may be part of it */
        s->password = json_string_value(json_object_get(body, "password"));
    if (s->password && !*s->password)
        s->password = NULL;
    if (s->password && utf8_chars(s->password) < LINK_PASSWORD_MIN)
        return http_error(r, 400, "weak_password",
                          arena_printf(&r->arena, "The password needs at least %d characters",
                                       LINK_PASSWORD_MIN),
                          "password"),
               -1;
    if (s->has_max && (s->max_uses < 1 || s->max_uses > MAX_USES))
        return http_error(r, 400, "validation_failed",
                          arena_printf(&r->arena, "%s must be from 1 to %d", max_field, MAX_USES),
                          max_field),
               -1;
    if (!(s->expires = parse_utc(&r->arena, expires)))
        return http_error(r, 400, "validation_failed",
                          "expires_at must be a UTC time like 2026-12-31T18:00:00Z", "expires_at"),
               -1;
    struct db_res *chk = db_query(&r->arena, sql_expiry_check, "ssi", s->expires, s->expires,
                                  (long long)config.doc_link_max_days);
    if (!chk)
        return http_db_error(r), -1;
    if (!db_ll(chk, 0, 0))
        return http_error(r, 400, "validation_failed", "expires_at must be in the future",
                          "expires_at"),
               -1;
    if (!db_ll(chk, 0, 1))
        return http_error(r, 400, "validation_failed",
                          arena_printf(&r->arena, "A link may live at most %d days",
                                       config.doc_link_max_days),
                          "expires_at"),
               -1;
    return 0;
}

struct link_new {
    const struct link_spec *s;
    const unsigned char *hash; /* of the token */
    const char *password_hash;
    long long timeline_ref;
    const char *what;
    long long id; /* out */
};

static int link_insert_tx(struct req *r, void *arg, struct http_change *change)
{
    struct link_new *n = arg;
    const struct link_spec *s = n->s;
    long long me = auth_user_id(r);
    if (db_exec(sql_link_insert, "sbiIIssIi", s->kind, n->hash, (size_t)crypto_hash_sha256_BYTES,
                s->account_id, s->document_id, s->folder_id, n->password_hash, s->expires,
                s->has_max ? s->max_uses : 0, me) < 0)
        return -1;
    n->id = db_insert_id();
    const char *expires_iso = db_time_iso(&r->arena, s->expires);
    *change = (struct http_change){"document.link_create", "doc_link", n->id,
                                   json_pack("{s:s, s:s, s:b}", "kind", s->kind, "expires_at",
                                             expires_iso, "password", s->password != NULL)};
    if (crm_timeline_add(s->account_id, me, "document.link", n->timeline_ref,
                         arena_printf(&r->arena, "%s (until %s)", n->what, expires_iso)) < 0 ||
        publish("document.link", s->account_id, "internal",
                json_pack("{s:I, s:s, s:I}", "link_id", (json_int_t)n->id, "kind", s->kind,
                          "account_id", (json_int_t)s->account_id)) < 0)
        return -1;
    return 0;
}

/* Creates the link row and answers 201 {id, token, url, ...}. */
static int link_insert(struct req *r, struct link_spec *s, long long timeline_ref,
                       const char *folder_kind, const char *what)
{
    char token[TOKEN_CHARS + 1], hash_text[crypto_pwhash_STRBYTES];
    unsigned char raw[TOKEN_BYTES], hash[crypto_hash_sha256_BYTES];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, sizeof token, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    token_hash(token, hash);
    if (s->password && password_hash(s->password, hash_text) < 0)
        return http_error(r, 503, "service_unavailable", "Out of memory, try again", NULL);
    struct link_new n = {s, hash, s->password ? hash_text : NULL, timeline_ref, what, 0};
    int rc = http_write(r, link_insert_tx, &n);
    if (rc) {
        sodium_memzero(token, sizeof token);
        return rc;
    }
    long long id = n.id;
    const char *expires_iso = db_time_iso(&r->arena, s->expires);
    const char *path = strcmp(s->kind, "download") == 0 ? "s" : "u";
    json_t *out =
        json_pack("{s:I, s:s, s:s, s:s, s:b}", "id", (json_int_t)id, "token", token, "url",
                  arena_printf(&r->arena, "%s/%s/%s", config.public_url, path, token), "expires_at",
                  expires_iso, "has_password", s->password != NULL);
    json_object_set_new(out, strcmp(s->kind, "download") == 0 ? "max_downloads" : "max_uploads",
                        s->has_max ? json_integer(s->max_uses) : json_null());
    sodium_memzero(token, sizeof token);
    return http_json(r, 201, out);
}

int doc_link_create(struct req *r)
{
    struct db_res *h = doc_head(r, http_param_id(r, "id"), 0);
    if (!h)
        return r->status;
    struct link_spec s = {
        .kind = "download", .document_id = db_ll(h, 0, 0), .account_id = db_ll(h, 0, 1)};
    if (link_args(r, &s, "max_downloads") < 0)
        return r->status;
    return link_insert(r, &s, s.document_id, db_str(h, 0, 3),
                       arena_printf(&r->arena, "Share link for \"%s\" created", db_str(h, 0, 6)));
}

int doc_upload_link_create(struct req *r)
{
    long long folder = http_param_id(r, "id");
    struct db_res *f = folder ? db_query(&r->arena, sql_folder_get, "i", folder) : NULL;
    if (folder && !f)
        return http_db_error(r);
    if (!f || f->nrows == 0)
        return http_error(r, 404, "not_found", "No such folder", NULL);
    struct link_spec s = {.kind = "upload", .folder_id = folder, .account_id = db_ll(f, 0, 1)};
    if (link_args(r, &s, "max_uploads") < 0)
        return r->status;
    if (s.password)
        return http_error(r, 400, "validation_failed",
                          "Upload links take no password: share the link itself with care",
                          "password");
    return link_insert(
        r, &s, 0, db_str(f, 0, 2),
        arena_printf(&r->arena, "Upload link for folder \"%s\" created", db_str(f, 0, 3)));
}

/* arg: the link's row (sql_link_get). Revoking twice writes nothing the second time. */
static int link_revoke_tx(struct req *r, void *arg, struct http_change *change)
{
    struct db_res *l = arg;
    long long id = db_ll(l, 0, 0), account = db_ll(l, 0, 1), me = auth_user_id(r);
    if (db_exec(sql_link_revoke, "ii", me, id) < 0)
        return -1;
    if (db_affected() != 1)
        return 0;
    if (crm_timeline_add(account, me, "document.link_revoked", db_ll(l, 0, 2),
                         arena_printf(&r->arena, "A %s link was revoked", db_str(l, 0, 4))) < 0 ||
        publish("document.link", account, "internal",
                json_pack("{s:I, s:s, s:I}", "link_id", (json_int_t)id, "state", "revoked",
                          "account_id", (json_int_t)account)) < 0)
        return -1;
    *change = (struct http_change){"document.link_revoke", "doc_link", id, NULL};
    return 0;
}

int doc_link_revoke(struct req *r)
{
    if (http_no_fields(r) < 0) /* takes no body */
        return r->status;
    long long id = http_param_id(r, "id");
    struct db_res *l = id ? db_query(&r->arena, sql_link_get, "i", id) : NULL;
    if (id && !l)
        return http_db_error(r);
    if (!l || l->nrows == 0)
        return http_error(r, 404, "not_found", "No such link", NULL);
    int rc = http_write(r, link_revoke_tx, l);
    return rc ? rc : http_send(r, 204, "application/json", "Cache-Control: no-store\r\n", "", 0);
}

/* ---------------------------------------------------------------------------------------
 * Public pages: /s/{token} and /u/{token}. Server-rendered because they must work
 * without the app; every string comes from page_text[] (English and Russian).
 * ------------------------------------------------------------------------------------- */

enum page_msg {
    MSG_PASSWORD_TITLE,
    MSG_PASSWORD_PROMPT,
    MSG_PASSWORD_LABEL,
    MSG_DOWNLOAD,
    MSG_WRONG_PASSWORD,
    MSG_THROTTLED,
    MSG_NOT_FOUND_TITLE,
    MSG_NOT_FOUND,
    MSG_GONE_TITLE,
    MSG_GONE,
    MSG_UPLOAD_TITLE,
    MSG_UPLOAD_PROMPT,
    MSG_UPLOAD_CHOOSE,
    MSG_UPLOAD_SEND,
    MSG_UPLOAD_SENT,
    MSG_UPLOAD_FAILED,
    MSG_UNAVAILABLE,
    MSG_COUNT
};

static const char *const page_text[MSG_COUNT][2] = {
    [MSG_PASSWORD_TITLE] = {"Password required", "Нужен пароль"},
    [MSG_PASSWORD_PROMPT] = {"This file is protected. Enter the password you were given.",
                             "Файл защищён. Введите пароль, который вам сообщили."},
    [MSG_PASSWORD_LABEL] = {"Password", "Пароль"},
    [MSG_DOWNLOAD] = {"Download", "Скачать"},
    [MSG_WRONG_PASSWORD] = {"Wrong password.", "Неверный пароль."},
    [MSG_THROTTLED] = {"Too many wrong passwords. Try again in %lld seconds.",
                       "Слишком много неверных паролей. Попробуйте через %lld с."},
    [MSG_NOT_FOUND_TITLE] = {"Link not found", "Ссылка не найдена"},
    [MSG_NOT_FOUND] = {"This link does not exist. Check that it was copied whole.",
                       "Такой ссылки нет. Проверьте, что она скопирована полностью."},
    [MSG_GONE_TITLE] = {"Link no longer works", "Ссылка больше не действует"},
    [MSG_GONE] = {"This link has expired, was revoked or has been used up. Ask the sender for a "
                  "new one.",
                  "Срок действия ссылки истёк, её отозвали или она исчерпана. Попросите "
                  "отправителя прислать новую."},
    [MSG_UPLOAD_TITLE] = {"Send files", "Отправка файлов"},
    [MSG_UPLOAD_PROMPT] = {"Choose files to send. You will not see what others have sent.",
                           "Выберите файлы для отправки. Файлы других отправителей вам не видны."},
    [MSG_UPLOAD_CHOOSE] = {"Files", "Файлы"},
    [MSG_UPLOAD_SEND] = {"Send", "Отправить"},
    [MSG_UPLOAD_SENT] = {"Sent", "Отправлено"},
    [MSG_UPLOAD_FAILED] = {"Not sent", "Не отправлено"},
    [MSG_UNAVAILABLE] = {"The service is unavailable. Try again later.",
                         "Сервис недоступен. Попробуйте позже."},
};

static int page_lang(struct req *r)
{
    const char *q = http_query(r, "lang");
    if (q)
        return strcmp(q, "ru") == 0 ? 1 : 0;
    const char *al = http_header(r, "Accept-Language");
    while (al && *al == ' ')
        al++;
    return al && strncasecmp(al, "ru", 2) == 0 ? 1 : 0;
}

static const char *msg(int lang, enum page_msg m)
{
    return page_text[m][lang];
}

/* Sends a small HTML page: title and already-escaped body HTML. */
static int page(struct req *r, int status, int lang, const char *title, const char *body_html,
                const char *extra_headers)
{
    const char *html =
        arena_printf(&r->arena,
                     "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                     "<meta name=\"robots\" content=\"noindex\"><title>%s</title>"
                     "<link rel=\"icon\" href=\"/shared/icon.svg\">"
                     "<link rel=\"stylesheet\" href=\"/shared/link-page.css\"></head>"
                     "<body><main class=\"link-page\"><h1>%s</h1>%s</main></body></html>\n",
                     lang ? "ru" : "en", html_escape(&r->arena, title),
                     html_escape(&r->arena, title), body_html);
    const char *headers = arena_printf(&r->arena, "Cache-Control: no-store\r\n%s",
                                       extra_headers ? extra_headers : "");
    if (status >= 400)
        r->error_code = status == 404 ? "not_found" : status == 410 ? "gone" : "refused";
    return http_send(r, status, "text/html; charset=utf-8", headers, html, strlen(html));
}

static int page_simple(struct req *r, int status, int lang, enum page_msg title, enum page_msg text)
{
    return page(r, status, lang, msg(lang, title),
                arena_printf(&r->arena, "<p>%s</p>", html_escape(&r->arena, msg(lang, text))),
                NULL);
}

struct link {
    long long id, document_id, folder_id, account_id, version_id, size;
    const char *kind, *password_hash, *title, *name, *sha256, *content_type, *folder_name;
    bool expired, revoked, exhausted;
};

/* Looks the token up. 1 found (l filled), 0 unknown, -1 database error. */
static int link_find(struct req *r, const char *token, struct link *l)
{
    if (!token_shape(token))
        return 0;
    unsigned char hash[crypto_hash_sha256_BYTES];
    token_hash(token, hash);
    struct db_res *res = db_query(&r->arena, sql_link_lookup, "b", hash, sizeof hash);
    if (!res)
        return -1;
    /* The index found the row by hash; the bytes are compared once more in constant
     * time, so no timing of ours depends on how much of a guess was right. */
    if (res->nrows != 1 || res->lens[0][2] != sizeof hash ||
        sodium_memcmp(db_str(res, 0, 2), hash, sizeof hash) != 0)
        return 0;
    memset(l, 0, sizeof *l);
    l->id = db_ll(res, 0, 0);
    l->kind = db_str(res, 0, 1);
    l->password_hash = db_str(res, 0, 3);
    l->expired = db_ll(res, 0, 4) != 0;
    l->revoked = db_ll(res, 0, 5) != 0;
    l->exhausted = db_ll(res, 0, 6) != 0;
    l->document_id = db_ll(res, 0, 7);
    l->folder_id = db_ll(res, 0, 8);
    l->account_id = db_ll(res, 0, 9);
    l->title = db_str(res, 0, 10);
    l->version_id = db_ll(res, 0, 11);
    l->name = db_str(res, 0, 12);
    l->size = db_ll(res, 0, 13);
    l->sha256 = db_str(res, 0, 14);
    l->content_type = db_str(res, 0, 15);
    l->folder_name = db_str(res, 0, 16);
    return 1;
}

/* The link for a /s/ or /u/ request of kind, or NULL after answering with the page (or
 * the JSON error when json is set): 404 unknown, 410 expired/revoked/used up. */
static struct link *link_for(struct req *r, const char *kind, int lang, bool json)
{
    struct link *l = arena_alloc(&r->arena, sizeof *l);
    int found = l ? link_find(r, http_param(r, "token"), l) : -1;
    if (found < 0) {
        if (json)
            http_db_error(r);
        else
            page_simple(r, 503, lang, MSG_UNAVAILABLE, MSG_UNAVAILABLE);
        return NULL;
    }
    if (!found || strcmp(l->kind, kind) != 0 || (!strcmp(kind, "download") && !l->version_id)) {
        if (json)
            http_error(r, 404, "not_found", "No such link", NULL);
        else
            page_simple(r, 404, lang, MSG_NOT_FOUND_TITLE, MSG_NOT_FOUND);
        return NULL;
    }
    if (l->expired || l->revoked || l->exhausted) {
        if (json)
            http_error(r, 410, "link_gone", "This link has expired, was revoked or is used up",
                       NULL);
        else
            page_simple(r, 410, lang, MSG_GONE_TITLE, MSG_GONE);
        return NULL;
    }
    return l;
}

static int share_password_page(struct req *r, struct link *l, int lang, int status,
                               const char *error, const char *extra_headers)
{
    const char *body = arena_printf(
        &r->arena,
        "<p>%s</p><p class=\"doc\">%s</p>%s%s%s"
        "<form method=\"post\" action=\"/s/%s?lang=%s\">"
        "<label>%s <input type=\"password\" name=\"password\" autocomplete=\"off\" required "
        "autofocus></label> <button type=\"submit\">%s</button></form>",
        html_escape(&r->arena, msg(lang, MSG_PASSWORD_PROMPT)), html_escape(&r->arena, l->title),
        error ? "<p class=\"error\" role=\"alert\">" : "",
        error ? html_escape(&r->arena, error) : "", error ? "</p>" : "",
        html_escape(&r->arena, http_param(r, "token")), lang ? "ru" : "en",
        html_escape(&r->arena, msg(lang, MSG_PASSWORD_LABEL)),
        html_escape(&r->arena, msg(lang, MSG_DOWNLOAD)));
    return page(r, status, lang, msg(lang, MSG_PASSWORD_TITLE), body, extra_headers);
}

struct link_use {
    struct req *r;
    struct link *l;
};

enum { LINK_GONE = 1 };

/* One use of a link and its access-log row. 0, LINK_GONE (ran out meanwhile) or -1. */
static int link_use_tx(void *arg)
{
    struct link_use *u = arg;
    if (db_exec(sql_link_use, "i", u->l->id) < 0)
        return -1;
    if (db_affected() != 1)
        return LINK_GONE;
    return access_log(u->r, u->l->document_id, u->l->version_id, "download", u->l->id) < 0 ? -1 : 0;
}

/* Counts one use of the link and serves the file; 410 when the link ran out meanwhile.
 * Not through http_write: a visitor's browser gets HTML pages, also for a database error
 * (http_write answers those in JSON); db_tx still retries a deadlock. */
static int share_serve(struct req *r, struct link *l, int lang)
{
    if (strcmp(r->ri->request_method, "HEAD") == 0)
        return files_send(r, l->sha256, l->name, l->content_type, l->size);
    struct link_use u = {r, l};
    int rc = db_tx(link_use_tx, &u);
    if (rc == LINK_GONE)
        return page_simple(r, 410, lang, MSG_GONE_TITLE, MSG_GONE);
    if (rc)
        return page_simple(r, 503, lang, MSG_UNAVAILABLE, MSG_UNAVAILABLE);
    return files_send(r, l->sha256, l->name, l->content_type, l->size);
}

/* GET /s/{token} serves the file, or shows the password page when the link has a
 * password; the page's form POSTs the password back here (post). */
static int share(struct req *r, bool post)
{
    int lang = page_lang(r);
    struct link *l = link_for(r, "download", lang, false);
    if (!l)
        return r->status;
    if (!l->password_hash)
        return share_serve(r, l, lang);
    if (!post) {
        if (access_log(r, l->document_id, l->version_id, "view", l->id) < 0)
            log_warn("link %lld: access log: %s", l->id, db_error());
        return share_password_page(r, l, lang, 200, NULL, NULL);
    }
    /* A small form body: password=... (application/x-www-form-urlencoded). */
    enum { FORM_MAX = 4096 };
    char *form = arena_alloc(&r->arena, FORM_MAX + 1), *password = arena_alloc(&r->arena, 1100);
    int len = 0, n;
    while (len < FORM_MAX && (n = http_read(r, form + len, (size_t)(FORM_MAX - len))) > 0)
        len += n;
    form[len] = '\0';
    if (mg_get_var(form, (size_t)len, "password", password, 1100) < 0)
        password[0] = '\0';

    const char *link_key = arena_printf(&r->arena, "sl:%lld", l->id);
    const char *addr_key = arena_printf(&r->arena, "sa:%s", http_client_addr(r));
    long long wait = auth_throttle_blocked(&r->arena, link_key, addr_key);
    if (wait < 0)
        return page_simple(r, 503, lang, MSG_UNAVAILABLE, MSG_UNAVAILABLE);
    if (wait > 0)
        return share_password_page(r, l, lang, 429,
                                   arena_printf(&r->arena, msg(lang, MSG_THROTTLED), wait),
                                   arena_printf(&r->arena, "Retry-After: %lld\r\n", wait));
    if (!password[0] || !password_verify(l->password_hash, password)) {
        auth_throttle_failure(link_key, LINK_FAILURES);
        auth_throttle_failure(addr_key, ADDRESS_FAILURES);
        audit_log(r, "document.link_password_failed", "doc_link", l->id, NULL);
        return share_password_page(r, l, lang, 403, msg(lang, MSG_WRONG_PASSWORD), NULL);
    }
    sodium_memzero(password, 1100);
    return share_serve(r, l, lang);
}

int doc_share_get(struct req *r)
{
    return share(r, false);
}

int doc_share_post(struct req *r)
{
    return share(r, true);
}

int doc_upload_page(struct req *r)
{
    int lang = page_lang(r);
    struct link *l = link_for(r, "upload", lang, false);
    if (!l)
        return r->status;
    const char *body = arena_printf(
        &r->arena,
        "<p>%s</p><form id=\"link-upload\" data-token=\"%s\" data-sent=\"%s\" data-failed=\"%s\">"
        "<label>%s <input type=\"file\" name=\"files\" multiple required></label> "
        "<button type=\"submit\">%s</button></form><ul id=\"link-upload-list\"></ul>"
        "<script type=\"module\" src=\"/shared/link-upload.js\"></script>",
        html_escape(&r->arena, msg(lang, MSG_UPLOAD_PROMPT)),
        html_escape(&r->arena, http_param(r, "token")),
        html_escape(&r->arena, msg(lang, MSG_UPLOAD_SENT)),
        html_escape(&r->arena, msg(lang, MSG_UPLOAD_FAILED)),
        html_escape(&r->arena, msg(lang, MSG_UPLOAD_CHOOSE)),
        html_escape(&r->arena, msg(lang, MSG_UPLOAD_SEND)));
    return page(r, 200, lang, msg(lang, MSG_UPLOAD_TITLE), body, NULL);
}

/* One use of upload link arg (not audited: the upload it lets in is). */
static int upload_use_tx(struct req *r, void *arg, struct http_change *change)
{
    (void)change;
    struct link *l = arg;
    if (db_exec(sql_link_use, "i", l->id) < 0)
        return -1;
    if (db_affected() != 1)
        return http_error(r, 410, "link_gone", "This link has expired, was revoked or is used up",
                          NULL);
    return 0;
}

int doc_upload_post(struct req *r)
{
    struct link *l = link_for(r, "upload", 0, true);
    if (!l)
        return r->status;
    struct upload u = {.r = r,
                       .account_id = l->account_id,
                       .folder_id = l->folder_id,
                       .link_id = l->id,
                       .from_outside = true,
                       .source = "upload_link"};
    if (!upload_args(r, &u))
        return r->status;
    struct db_res *f = db_query(&r->arena, sql_folder_get, "i", l->folder_id);
    if (!f || f->nrows != 1)
        return http_db_error(r);
    u.folder_kind = db_str(f, 0, 2);
    /* The use is counted first, in its own transaction: a body that never arrives
     * spends one use, which is what a limited link is for. */
    int rc = http_write(r, upload_use_tx, l);
    return rc ? rc : upload_run(&u); /* the answer names what arrived, nothing about the folder */
}

/* ---------------------------------------------------------------------------------------
 * Demo data
 * ------------------------------------------------------------------------------------- */

static const char sql_demo_account[] = "SELECT id FROM accounts WHERE name = ?";
static const char sql_demo_user[] = "SELECT id FROM users WHERE email = ?";

static long long demo_id(struct arena *a, const char *sql, const char *key)
{
    struct db_res *res = db_query(a, sql, "s", key);
    return res && res->nrows ? db_ll(res, 0, 0) : -1;
}

/* One document with its versions, written as the upload path would. */
static long long demo_document(struct arena *a, long long account, long long folder,
                               const char *title, long long uploader, int nversions,
                               const char *const *names, const char *const *texts,
                               const char *const *comments)
{
    if (db_exec(sql_doc_insert, "iisI", account, folder, title, uploader) < 0)
        return -1;
    long long doc = db_insert_id(), total = 0, vid = 0;
    for (int i = 0; i < nversions; i++) {
        struct files_blob blob;
        if (files_store_bytes(texts[i], strlen(texts[i]), &blob) < 0)
            return -1;
        long long file = files_insert(&blob, names[i], "text/plain", uploader, FILE_OWNER, doc);
        if (file < 0 ||
            db_exec(sql_version_insert, "iiisissIIs", doc, (long long)(i + 1), file, names[i],
                    blob.size, blob.sha256, "text/plain", uploader, 0LL, comments[i]) < 0)
            return -1;
        vid = db_insert_id();
        total += blob.size;
        if (db_exec(sql_doc_bump, "iiiiii", vid, (long long)(i + 1), blob.size, 0LL, 0LL, doc) < 0)
            return -1;
    }
    if (db_exec(sql_quota_row, "i", account) < 0 ||
        db_exec(sql_quota_add, "ii", total, account) < 0)
        return -1;
    char summary[300];
    snprintf(summary, sizeof summary, "Document \"%s\" uploaded", title);
    return crm_timeline_add(account, uploader, "document.version", doc, summary) < 0 ? -1 : doc;
}

int doc_demo_seed(void)
{
    struct arena a;
    arena_init(&a);
    int rc = -1;
    long long account = demo_id(&a, sql_demo_account, "Logistika Partner");
    long long boris = demo_id(&a, sql_demo_user, "boris@demo.example");
    long long pavel = demo_id(&a, sql_demo_user, "pavel@partner.example");
    if (account < 0 || boris < 0 || pavel < 0 || files_init() < 0)
        goto out;
    long long shared = folder_of_kind(&a, account, "shared", boris);
    long long inbox = shared < 0 ? -1 : folder_of_kind(&a, account, "inbox", pavel);
    if (inbox < 0)
        goto out;
    static const char *const c_names[] = {"framework-contract-2026.txt",
                                          "framework-contract-2026-v2.txt"};
    static const char *const c_texts[] = {
        "Framework logistics contract 2026 between Demo Company and Logistika Partner.\n"
        "Draft 1: terms of carriage, rates in annex 1.\n",
        "Framework logistics contract 2026 between Demo Company and Logistika Partner.\n"
        "Draft 2: terms of carriage, rates in annex 1, liability capped at 2x freight.\n"};
    static const char *const c_comments[] = {"First draft", "Liability clause agreed on the call"};
    static const char *const p_names[] = {"price-list-q1-2027.txt"};
    static const char *const p_texts[] = {"Price list Q1 2027\nMoscow - Kazan, 20 t: 95 000 RUB\n"
                                          "Moscow - Samara, 20 t: 88 000 RUB\n"};
    static const char *const p_comments[] = {""};
    static const char *const a_names[] = {"delivery-acts-october.txt"};
    static const char *const a_texts[] = {"Delivery acts, October: 14 trips, all signed.\n"};
    static const char *const a_comments[] = {"Signed scans to follow"};
    long long contract = demo_document(&a, account, shared, "Framework contract 2026", boris, 2,
                                       c_names, c_texts, c_comments);
    if (contract < 0 ||
        demo_document(&a, account, shared, "Price list Q1 2027", boris, 1, p_names, p_texts,
                      p_comments) < 0 ||
        demo_document(&a, account, inbox, "Delivery acts, October", pavel, 1, a_names, a_texts,
                      a_comments) < 0)
        goto out;
    /* The contract waits for Pavel's acknowledgement. */
    if (db_exec(sql_doc_update, "siiiiiiiiiii", "Framework contract 2026", shared, 1LL, 1LL, 1LL,
                1LL, boris, 1LL, 0LL, 0LL, boris, contract) < 0 ||
        notify_user(pavel, boris, "document_ack", "document", contract,
                    "Please acknowledge \"Framework contract 2026\"") < 0)
        goto out;
    rc = 0;
out:
    arena_cleanup(&a);
    return rc;
}
