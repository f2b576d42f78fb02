/* users.c - user records, the admin API over them, invitations and password reset. */
#include "users.h"

#include <mysqld_error.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "auth.h"
#include "config.h"
#include "crm.h"
#include "db.h"
#include "email.h"
#include "log.h"
#include "mail.h"
#include "password.h"
#include "realtime.h"
#include "scheduler.h"

#define INVITE_HOURS  72
#define RESET_MINUTES 60
/* Invitations mail the address: an admin's client may send this many per 15 minutes,
 * and one address gets at most this many. */
#define INVITE_PER_ADDRESS 100
#define INVITE_PER_EMAIL   3
/* Weak passwords tried with one valid reset or invitation link before 429. */
#define LINK_TRIES 10

static const char sql_find_login[] =
    "SELECT id, email, name, realm, password_hash, disabled FROM users WHERE email = ?";
#define USER_COLUMNS                                                                               \
    "u.id, u.email, u.name, u.realm, u.role, u.locale, u.disabled, u.created_at, u.version,"       \
    " a.id, a.name, a.kind, u.handle"
static const char sql_user[] =
    "SELECT " USER_COLUMNS " FROM users u LEFT JOIN accounts a ON a.id = u.account_id"
    " WHERE u.id = ?";
static const char sql_list[] =
    "SELECT " USER_COLUMNS " FROM users u LEFT JOIN accounts a ON a.id = u.account_id"
    " WHERE (? IS NULL OR u.realm = ?)"
    " AND (? IS NULL OR u.email COLLATE utf8mb4_unicode_ci LIKE ? OR u.name LIKE ?)"
    " AND (? = 0 OR u.id < ?) ORDER BY u.id DESC LIMIT ?";
static const char sql_insert[] =
    "INSERT INTO users (email, name, realm, role, account_id, password_hash, created_at,"
    " updated_at, password_changed_at) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6),"
    " UTC_TIMESTAMP(6), IF(? IS NULL, NULL, UTC_TIMESTAMP(6)))";
static const char sql_of_account[] =
    "SELECT id, email, name, locale FROM users WHERE account_id = ? AND disabled = 0"
    " AND realm IN ('customer', 'partner') ORDER BY id";
static const char sql_set_handle[] = "UPDATE users SET handle = ? WHERE id = ?";
static const char sql_set_password[] =
    "UPDATE users SET password_hash = ?, password_changed_at = UTC_TIMESTAMP(6),"
    " updated_at = UTC_TIMESTAMP(6), version = version + 1 WHERE id = ?";
static const char sql_lock_user[] =
    "SELECT id, realm, role, disabled, version, name, email FROM users WHERE id = ? FOR UPDATE";
/* Taken first, in id order, whenever a role or the disabled flag may change: two admins
 * demoting each other at once queue up here, and the second then counts what the first
 * committed (a plain read would count its own stale snapshot: both see the other). */
static const char sql_lock_admins[] =
    "SELECT id FROM users WHERE realm = 'employee' AND role = 'admin' AND disabled = 0"
    " ORDER BY id FOR UPDATE";
static const char sql_active_admins[] =
    "SELECT COUNT(*) FROM users WHERE realm = 'employee' AND role = 'admin' AND disabled = 0"
    " AND id <> ? FOR UPDATE";
static const char sql_update[] =
    "UPDATE users SET name = ?, role = ?, disabled = ?, email = ?, updated_at = UTC_TIMESTAMP(6),"
    " version = version + 1 WHERE id = ? AND version = ?";
static const char sql_email_taken[] = "SELECT 1 FROM users WHERE email = ?";
static const char sql_token_insert[] =
    "INSERT INTO auth_tokens (kind, token_hash, email, user_id, name, realm, role, account_id,"
    " created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6),"
    " UTC_TIMESTAMP(6) + INTERVAL ? MINUTE)";
static const char sql_token_revoke_pending[] =
    "UPDATE auth_tokens SET revoked_at = UTC_TIMESTAMP(6) WHERE kind = 'invite' AND email = ?"
    " AND used_at IS NULL AND revoked_at IS NULL";
static const char sql_token_lock[] =
    "SELECT id, email, user_id, name, realm, role, account_id, expires_at FROM auth_tokens"
    " WHERE token_hash = ? AND kind = ? AND used_at IS NULL AND revoked_at IS NULL"
    " AND expires_at > UTC_TIMESTAMP(6) FOR UPDATE";
static const char sql_token_peek[] =
    "SELECT id, email, user_id, name, realm, role, account_id, expires_at FROM auth_tokens"
    " WHERE token_hash = ? AND kind = ? AND used_at IS NULL AND revoked_at IS NULL"
    " AND expires_at > UTC_TIMESTAMP(6)";
static const char sql_token_use[] =
    "UPDATE auth_tokens SET used_at = UTC_TIMESTAMP(6) WHERE id = ? AND used_at IS NULL";
/* A new password, a used link, a disabled account or a new email: no older link may
 * still set a password. */
static const char sql_resets_spend[] =
    "UPDATE auth_tokens SET revoked_at = UTC_TIMESTAMP(6) WHERE kind = 'reset' AND user_id = ?"
    " AND used_at IS NULL AND revoked_at IS NULL";
static const char sql_reset_queue[] =
    "INSERT INTO auth_mail_queue (kind, user_id, created_at) VALUES ('reset', ?, UTC_TIMESTAMP(6))";
static const char sql_queue_next[] = "SELECT id, user_id FROM auth_mail_queue ORDER BY id LIMIT 50";
static const char sql_queue_claim[] = "DELETE FROM auth_mail_queue WHERE id = ?";
static const char sql_reset_user[] =
    "SELECT email, name, realm FROM users WHERE id = ? AND disabled = 0";
static const char sql_invites[] =
    "SELECT t.id, t.email, t.name, t.realm, t.role, t.created_at, t.expires_at, t.used_at,"
    " t.revoked_at, a.id, a.name, a.kind, c.id, c.name"
    " FROM auth_tokens t LEFT JOIN accounts a ON a.id = t.account_id"
    " LEFT JOIN users c ON c.id = t.created_by"
    " WHERE t.kind = 'invite' AND (? = 0 OR t.id < ?) ORDER BY t.id DESC LIMIT ?";
static const char sql_invite_revoke[] =
    "UPDATE auth_tokens SET revoked_at = UTC_TIMESTAMP(6) WHERE id = ? AND kind = 'invite'"
    " AND used_at IS NULL AND revoked_at IS NULL";

/* ---------------------------------------------------------------------------------------
 * Records
 * ------------------------------------------------------------------------------------- */

int users_find_for_login(struct arena *a, const char *email, struct user_auth *out)
{
    struct db_res *res = db_query(a, sql_find_login, "s", email);
    if (!res)
        return -1;
    if (res->nrows == 0)
        return 0;
    out->id = db_ll(res, 0, 0);
    out->email = db_str(res, 0, 1);
    out->name = db_str(res, 0, 2);
    out->realm = db_str(res, 0, 3);
    out->password_hash = db_str(res, 0, 4);
    out->disabled = (int)db_ll(res, 0, 5);
    return 1;
}

static json_t *user_row_json(const struct db_res *res, int i, struct arena *a)
{
    json_t *o = db_row_json(res, i, "isssssbti", a);
    json_object_set_new(o, "account",
                        db_str(res, i, 9)
                            ? json_pack("{s:I, s:s, s:s}", "id", (json_int_t)db_ll(res, i, 9),
                                        "name", db_str(res, i, 10), "kind", db_str(res, i, 11))
                            : json_null());
    json_object_set_new(o, "handle",
                        db_str(res, i, 12) ? json_string(db_str(res, i, 12)) : json_null());
    return o;
}

json_t *users_json(struct arena *a, long long id)
{
    struct db_res *res = db_query(a, sql_user, "i", id);
    return res && res->nrows ? user_row_json(res, 0, a) : NULL;
}

struct db_res *users_of_account(struct arena *a, long long account_id)
{
    return db_query(a, sql_of_account, "i", account_id);
}

int users_set_password(long long id, const char *hash)
{
    return db_exec(sql_set_password, "si", hash, id) < 0 ? -1 : db_exec(sql_resets_spend, "i", id);
}

/* The @handle for mentions: the email's local part, reduced to [a-z0-9._-]; when
 * another user has it already, the id is appended. */
static int assign_handle(long long id, const char *email)
{
    char base[56];
    size_t n = 0;
    for (const char *p = email; *p && *p != '@' && n < 48; p++) {
        char c = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')
            base[n++] = c;
    }
    base[n] = '\0';
    if (n == 0)
        snprintf(base, sizeof base, "user");
    if (db_exec(sql_set_handle, "si", base, id) == 0)
        return 0;
    if (db_errno() != ER_DUP_ENTRY)
        return -1;
    char alt[80];
    snprintf(alt, sizeof alt, "%s%lld", base, id);
    return db_exec(sql_set_handle, "si", alt, id);
}

long long users_insert(const char *email, const char *name, const char *realm, const char *role,
                       long long account_id, const char *password_hash)
{
    struct arena a;
    arena_init(&a);
    const char *why, *norm = email_normalize(&a, email, &why); /* callers passed it already */
    long long id = -1;
    if (!norm) {
        log_warn("user %s not stored: %s", email, why);
    } else if (db_exec(sql_insert, "ssssIss", norm, name, realm, role, account_id, password_hash,
                       password_hash) == 0) {
        id = db_insert_id();
        if (assign_handle(id, norm) < 0)
            id = -1;
    }
    arena_cleanup(&a);
    return id;
}

/* ---------------------------------------------------------------------------------------
 * Validation shared by create, invite and the CLI
 * ------------------------------------------------------------------------------------- */

/* The normalised address to store, or NULL with *why (a message for the user). */
static const char *email_for_store(struct arena *a, const char *in, const char **why)
{
    const char *norm = email_normalize(a, in, why);
    if (norm && !email_well_formed(norm)) {
        *why = "email is not a valid email address";
        norm = NULL;
    }
    return norm;
}

/* Checks realm/role/account of a new user. Returns NULL when fine, else the message,
 * with *field set. */
static const char *check_shape(struct arena *a, const char *realm, const char *role,
                               long long account_id, const char **field)
{
    unsigned rb = realm_from_name(realm);
    if (!rb) {
        *field = "realm";
        return "realm must be employee, customer or partner";
    }
    if (rb == REALM_EMPLOYEE) {
        if (!role || role_from_name(role) == ROLE_NONE) {
            *field = "role";
            return "role must be admin, manager or member";
        }
        if (account_id) {
            *field = "account_id";
            return "employees do not belong to an account";
        }
        return NULL;
    }
    if (role) {
        *field = "role";
        return "only employees have a role";
    }
    if (!account_id) {
        *field = "account_id";
        return "customers and partners belong to an account: give account_id";
    }
    const char *kind = crm_account_kind(a, account_id);
    if (!kind) {
        *field = "account_id";
        return "no such account";
    }
    if ((rb == REALM_PARTNER) != (strcmp(kind, "partner") == 0)) {
        *field = "account_id";
        return rb == REALM_PARTNER ? "partner users belong to a partner account"
                                   : "customer users belong to a customer or prospect account";
    }
    return NULL;
}

/* ---------------------------------------------------------------------------------------
 * Admin API
 * ------------------------------------------------------------------------------------- */

int users_list(struct req *r)
{
    int limit;
    long long before;
    if (http_page_args(r, 50, 500, &limit, &before) < 0)
        return r->status;
    const char *realm = http_query(r, "realm"), *q = http_query(r, "q");
    if (realm && *realm && !realm_from_name(realm))
        return http_error(r, 400, "validation_failed",
                          "realm must be employee, customer or partner", "realm");
    if (realm && !*realm)
        realm = NULL;
    const char *like = q && *q ? db_like(&r->arena, q, true) : NULL;
    struct db_res *res = db_query(&r->arena, sql_list, "sssssiii", realm, realm, like, like, like,
                                  before, before, (long long)limit);
    if (!res)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < res->nrows; i++)
        json_array_append_new(items, user_row_json(res, i, &r->arena));
    json_t *out = json_pack("{s:o}", "items", items);
    db_page_next(out, res, limit);
    return http_json(r, 200, out);
}

struct user_new {
    const char *email, *name, *realm, *role;
    long long account_id;
    const char *hash;
    long long id; /* out */
};

static int user_create_tx(struct req *r, void *arg, struct http_change *change)
{
    struct user_new *n = arg;
    if ((n->id = users_insert(n->email, n->name, n->realm, n->role, n->account_id, n->hash)) < 0)
        return db_errno() == ER_DUP_ENTRY
                   ? http_error(r, 409, "email_taken", "A user with this email exists", "email")
                   : -1;
    *change = (struct http_change){"user.create", "user", n->id,
                                   json_pack("{s:s, s:s?}", "realm", n->realm, "role", n->role)};
    return 0;
}

int users_create(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    const char *email = NULL, *name = NULL, *realm = NULL, *role = NULL, *password = NULL;
    long long account_id = 0;
    if (HTTP_FIELDS(r, body, {"email", FIELD_STRING, true, 254, &email},
                    {"name", FIELD_STRING, true, 200, &name},
                    {"realm", FIELD_STRING, true, 16, &realm},
                    {"role", FIELD_STRING, false, 16, &role},
                    {"account_id", FIELD_ID, false, 0, &account_id},
                    {"password", FIELD_TEXT, true, 1024, &password}) < 0)
        return r->status;
    password = json_string_value(json_object_get(body, "password"));
    const char *why, *norm = email_for_store(&r->arena, email, &why);
    if (!norm)
        return http_error(r, 400, "validation_failed", why, "email");
    const char *field = NULL;
    why = check_shape(&r->arena, realm, role, account_id, &field);
    if (why)
        return field ? http_error(r, 400, "validation_failed", why, field) : http_db_error(r);
    if ((why = password_weakness(password, norm, name)))
        return http_error(r, 400, "weak_password", arena_printf(&r->arena, "Password %s", why),
                          "password");
    char hash[crypto_pwhash_STRBYTES];
    if (password_hash(password, hash) < 0)
        return http_error(r, 503, "service_unavailable", "Out of memory, try again", NULL);
    struct user_new n = {norm, name, realm, role, account_id, hash, 0};
    int rc = http_write(r, user_create_tx, &n);
    if (rc)
        return rc;
    json_t *user = users_json(&r->arena, n.id);
    return user ? http_json(r, 201, user) : http_db_error(r);
}

struct user_change {
    long long id, version;
    const char *name, *role, *email;
    int disabled;
    bool has_name, has_role, has_disabled, has_email;
};

static int user_update_tx(struct req *r, void *arg, struct http_change *change)
{
    struct user_change *u = arg;
    long long id = u->id, version = u->version;
    const char *role = u->role, *email = u->email;
    if ((u->has_role || u->has_disabled) && !db_query(&r->arena, sql_lock_admins, ""))
        return -1;
    struct db_res *cur = db_query(&r->arena, sql_lock_user, "i", id);
    if (!cur)
        return -1;
    if (cur->nrows == 0)
        return http_error(r, 404, "not_found", "No such user", NULL);
    bool employee = strcmp(db_str(cur, 0, 1), "employee") == 0;
    if (u->has_role && !employee)
        return http_error(r, 400, "validation_failed", "only employees have a role", "role");
    if (db_ll(cur, 0, 4) != version)
        return http_conflict(r, "conflict", "Someone changed this user meanwhile; reload",
                             users_json(&r->arena, id));
    const char *new_role = u->has_role ? role : db_str(cur, 0, 2);
    int new_disabled = u->has_disabled ? u->disabled : (int)db_ll(cur, 0, 3);
    bool was_admin = employee && strcmp(db_str(cur, 0, 2), "admin") == 0 && !db_ll(cur, 0, 3);
    bool stays_admin = new_role && strcmp(new_role, "admin") == 0 && !new_disabled;
    if (was_admin && !stays_admin) {
        struct db_res *admins = db_query(&r->arena, sql_active_admins, "i", id);
        if (!admins)
            return -1;
        if (db_ll(admins, 0, 0) == 0)
            return http_error(r, 409, "last_admin", "The portal needs at least one active admin",
                              NULL);
    }
    bool new_email = u->has_email && strcmp(email, db_str(cur, 0, 6)) != 0;
    if (db_exec(sql_update, "ssisii", u->has_name ? u->name : db_str(cur, 0, 5), new_role,
                (long long)new_disabled, new_email ? email : db_str(cur, 0, 6), id, version) < 0)
        return db_errno() == ER_DUP_ENTRY
                   ? http_error(r, 409, "email_taken", "A user with this email exists", "email")
                   : -1;
    int rc = 0;
    if (new_disabled)
        rc = auth_sessions_revoke_user(id, 0); /* disabling ends every session at once */
    else if (u->has_role && strcmp(role, db_str(cur, 0, 2)) != 0)
        rc = realtime_role_changed(id, role); /* open sockets take the new role */
    /* A reset link mailed to the old address, or to a disabled user, must not work. */
    if (rc == 0 && (new_disabled || new_email))
        rc = db_exec(sql_resets_spend, "i", id);
    if (rc < 0)
        return -1;
    json_t *changes = json_object();
    if (u->has_name)
        json_object_set_new(changes, "name", json_string(u->name));
    if (u->has_role)
        json_object_set_new(changes, "role", json_string(role));
    if (u->has_disabled)
        json_object_set_new(changes, "disabled", json_boolean(u->disabled));
    if (new_email)
        json_object_set_new(changes, "email", json_string(email));
    *change = (struct http_change){
        new_disabled && !db_ll(cur, 0, 3) ? "user.disable" : "user.update", "user", id, changes};
    return 0;
}

int users_update(struct req *r)
{
    long long id = http_param_id(r, "id");
    if (!id)
        return http_error(r, 404, "not_found", "No such user", NULL);
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    const char *name = NULL, *role = NULL, *email = NULL;
    int disabled = 0;
    long long version = 0;
    bool has_name, has_role, has_disabled, has_email;
    if (HTTP_FIELDS(r, body, {"name", FIELD_STRING, false, 200, &name, &has_name},
                    {"role", FIELD_STRING, false, 16, &role, &has_role},
                    {"disabled", FIELD_BOOL, false, 0, &disabled, &has_disabled},
                    {"email", FIELD_STRING, false, 254, &email, &has_email},
                    {"version", FIELD_INT, true, 0, &version}) < 0)
        return r->status;
    const char *why = NULL;
    if (has_email && !(email = email_for_store(&r->arena, email, &why)))
        return http_error(r, 400, "validation_failed", why, "email");
    if (has_role && role_from_name(role) == ROLE_NONE)
        return http_error(r, 400, "validation_failed", "role must be admin, manager or member",
                          "role");
    if (id == r->session->user_id &&
        ((has_role && strcmp(role, "admin") != 0) || (has_disabled && disabled)))
        return http_error(r, 400, "validation_failed",
                          "You cannot demote or disable your own account",
                          has_role ? "role" : "disabled");
    struct user_change u = {id,       version,  name,     role,         email,
                            disabled, has_name, has_role, has_disabled, has_email};
    int rc = http_write(r, user_update_tx, &u);
    if (rc)
        return rc;
    json_t *user = users_json(&r->arena, id);
    return user ? http_json(r, 200, user) : http_db_error(r);
}

/* ---------------------------------------------------------------------------------------
 * One-time tokens: invitations and password resets
 * ------------------------------------------------------------------------------------- */

/* Makes a token, stores its hash; returns the token text (in a) or NULL. created_by is
 * the inviter (0: nobody, a reset). */
static const char *token_create(struct arena *a, long long created_by, const char *kind,
                                const char *email, long long user_id, const char *name,
                                const char *realm, const char *role, long long account_id,
                                long long minutes)
{
    unsigned char raw[32], hash[crypto_hash_sha256_BYTES];
    char *token = arena_alloc(a, 44);
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, 44, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_hash_sha256(hash, (unsigned char *)token, strlen(token));
    if (db_exec(sql_token_insert, "sbsIsssIIi", kind, hash, sizeof hash, email, user_id, name,
                realm, role, account_id, created_by, minutes) < 0)
        return NULL;
    return token;
}

/* Finds a live token (locking it when lock); NULL when unknown, used, revoked or
 * expired (then *db_failed tells a database error apart). */
static struct db_res *token_find(struct req *r, const char *kind, const char *token, bool lock,
                                 bool *db_failed)
{
    *db_failed = false;
    if (!token || strlen(token) != 43)
        return NULL;
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, (const unsigned char *)token, strlen(token));
    struct db_res *res =
        db_query(&r->arena, lock ? sql_token_lock : sql_token_peek, "bs", hash, sizeof hash, kind);
    if (!res) {
        *db_failed = true;
        return NULL;
    }
    return res->nrows ? res : NULL;
}

static int invalid_token(struct req *r)
{
    return http_error(r, 400, "invalid_token",
                      "This link is not valid any more: it was used, revoked or has expired",
                      "token");
}

int invitations_list(struct req *r)
{
    int limit;
    long long before;
    if (http_page_args(r, 100, 500, &limit, &before) < 0)
        return r->status;
    struct db_res *res = db_query(&r->arena, sql_invites, "iii", before, before, (long long)limit);
    if (!res)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < res->nrows; i++) {
        json_t *o = db_row_json(res, i, "isssstttt", &r->arena);
        json_object_set_new(o, "account",
                            db_str(res, i, 9)
                                ? json_pack("{s:I, s:s, s:s}", "id", (json_int_t)db_ll(res, i, 9),
                                            "name", db_str(res, i, 10), "kind", db_str(res, i, 11))
                                : json_null());
        json_object_set_new(o, "created_by",
                            db_str(res, i, 12)
                                ? json_pack("{s:I, s:s}", "id", (json_int_t)db_ll(res, i, 12),
                                            "name", db_str(res, i, 13))
                                : json_null());
        json_array_append_new(items, o);
    }
    json_t *out = json_pack("{s:o}", "items", items);
    db_page_next(out, res, limit);
    return http_json(r, 200, out);
}

/* Checks the throttle keys of a request that mails someone, "<kind>:e:<email>" and
 * "<kind>:a:<client address>" (set for recording), like auth_throttle_check. */
static int mail_throttle(struct req *r, char kind, const char *norm, const char *message,
                         const char **email_key, const char **addr_key)
{
    *email_key = arena_printf(&r->arena, "%c:e:%s", kind, norm);
    *addr_key = arena_printf(&r->arena, "%c:a:%s", kind, http_client_addr(r));
    return auth_throttle_check(r, *email_key, *addr_key, message);
}

static const char *app_path(const char *realm)
{
    return strcmp(realm, "employee") == 0 ? "/app" : "/cabinet";
}

struct invite_new {
    const char *email, *name, *realm, *role;
    long long account_id;
    const char *token; /* out */
    long long id;      /* out */
};

static int invite_tx(struct req *r, void *arg, struct http_change *change)
{
    struct invite_new *n = arg;
    struct db_res *taken = db_query(&r->arena, sql_email_taken, "s", n->email);
    if (!taken)
        return -1;
    if (taken->nrows)
        return http_error(r, 409, "email_taken", "A user with this email exists", "email");
    /* Inviting again replaces the earlier, unused invitation. */
    if (db_exec(sql_token_revoke_pending, "s", n->email) < 0 ||
        !(n->token = token_create(&r->arena, auth_user_id(r), "invite", n->email, 0, n->name,
                                  n->realm, n->role, n->account_id, INVITE_HOURS * 60)))
        return -1;
    n->id = db_insert_id();
    *change = (struct http_change){
        "invitation.create", "invitation", n->id,
        json_pack("{s:s, s:s, s:s?}", "email", n->email, "realm", n->realm, "role", n->role)};
    return 0;
}

int invitations_create(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    const char *email = NULL, *name = NULL, *realm = NULL, *role = NULL;
    long long account_id = 0;
    if (HTTP_FIELDS(r, body, {"email", FIELD_STRING, true, 254, &email},
                    {"name", FIELD_STRING, true, 200, &name},
                    {"realm", FIELD_STRING, true, 16, &realm},
                    {"role", FIELD_STRING, false, 16, &role},
                    {"account_id", FIELD_ID, false, 0, &account_id}) < 0)
        return r->status;
    const char *why, *norm = email_for_store(&r->arena, email, &why);
    if (!norm)
        return http_error(r, 400, "validation_failed", why, "email");
    const char *field = NULL;
    why = check_shape(&r->arena, realm, role, account_id, &field);
    if (why)
        return field ? http_error(r, 400, "validation_failed", why, field) : http_db_error(r);
    if (role && strcmp(role, "admin") == 0 && !auth_is_employee(r, ROLE_ADMIN))
        return http_error(r, 403, "forbidden", "Only admins may invite admins", "role");
    /* Each invitation is a mail: no flooding one mailbox, nor the world from one client. */
    const char *email_key, *addr_key;
    int rc =
        mail_throttle(r, 'i', norm, "Too many invitations; try again later", &email_key, &addr_key);
    if (rc)
        return rc;

    struct invite_new n = {norm, name, realm, role, account_id, NULL, 0};
    if ((rc = http_write(r, invite_tx, &n)))
        return rc;
    const char *token = n.token;
    long long id = n.id;
    auth_throttle_failure(email_key, INVITE_PER_EMAIL);
    auth_throttle_failure(addr_key, INVITE_PER_ADDRESS);

    const char *link =
        arena_printf(&r->arena, "%s%s/invite?token=%s", config.public_url, app_path(realm), token);
    const char *text = arena_printf(
        &r->arena,
        "Hello %s,\r\n\r\n%s invites you to the portal. Open this link within %d hours to set "
        "your password:\r\n\r\n%s\r\n\r\n"
        "Здравствуйте, %s!\r\n\r\n%s приглашает вас на портал. Откройте ссылку в течение %d "
        "часов, чтобы задать пароль:\r\n\r\n%s\r\n",
        name, r->session->name, INVITE_HOURS, link, name, r->session->name, INVITE_HOURS, link);
    if (mail_send(norm, "Invitation to the portal / Приглашение на портал", text) < 0)
        log_warn("invitation %lld: mail to %s failed; the link is in the API answer", id, norm);
    struct db_res *exp = db_query(&r->arena, "SELECT UTC_TIMESTAMP(6) + INTERVAL 72 HOUR", "");
    return http_json(r, 201,
                     json_pack("{s:I, s:s, s:s?, s:s}", "id", (json_int_t)id, "email", norm,
                               "expires_at", exp ? db_time_iso(&r->arena, db_str(exp, 0, 0)) : NULL,
                               "link", link));
}

static int invite_revoke_tx(struct req *r, void *arg, struct http_change *change)
{
    long long id = *(long long *)arg;
    if (db_exec(sql_invite_revoke, "i", id) < 0)
        return -1;
    if (db_affected() != 1)
        return http_error(r, 404, "not_found", "No pending invitation with this id", NULL);
    *change = (struct http_change){"invitation.revoke", "invitation", id, NULL};
    return 0;
}

int invitations_revoke(struct req *r)
{
    if (http_no_fields(r) < 0) /* takes no body */
        return r->status;
    long long id = http_param_id(r, "id");
    if (!id)
        return http_error(r, 404, "not_found", "No such invitation", NULL);
    int rc = http_write(r, invite_revoke_tx, &id);
    return rc ? rc : http_send(r, 204, "application/json", "Cache-Control: no-store\r\n", "", 0);
}

/* Finds the live link presented to accept or confirm, under its throttles: per client
 * address, unusable links; per email, refused passwords (the caller records those
 * on *email_key). Returns the token row, or NULL when it sent the answer (*status). */
static struct db_res *link_for_use(struct req *r, const char *kind, const char *token,
                                   const char **email_key, int *status)
{
    static const char too_many[] = "Too many attempts with this link; try again later";
    const char *addr_key = arena_printf(&r->arena, "t:a:%s", http_client_addr(r));
    if ((*status = auth_throttle_check(r, addr_key, addr_key, too_many)))
        return NULL;
    bool failed;
    struct db_res *t = token_find(r, kind, token, false, &failed);
    if (!t) {
        if (!failed)
            auth_throttle_failure(addr_key, config.reset_per_address);
        *status = failed ? http_db_error(r) : invalid_token(r);
        return NULL;
    }
    *email_key = arena_printf(&r->arena, "t:e:%s", db_str(t, 0, 1));
    if ((*status = auth_throttle_check(r, *email_key, *email_key, too_many)))
        return NULL;
    return t;
}

int invitations_inspect(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    const char *token = NULL;
    if (HTTP_FIELDS(r, body, {"token", FIELD_STRING, true, 64, &token}) < 0)
        return r->status;
    bool failed;
    struct db_res *t = token_find(r, "invite", token, false, &failed);
    if (!t)
        return failed ? http_db_error(r) : invalid_token(r);
    return http_json(r, 200,
                     json_pack("{s:s, s:s?, s:s, s:s}", "email", db_str(t, 0, 1), "name",
                               db_str(t, 0, 3), "realm", db_str(t, 0, 4), "expires_at",
                               db_time_iso(&r->arena, db_str(t, 0, 7))));
}

struct accept {
    const char *token, *email, *name, *hash;
    const char *headers_before; /* r->headers_out before the session's cookie */
    long long id;               /* out: the new user */
    const char *csrf;           /* out */
};

/* The user, the token spent, the session and its cookie (queued anew by each attempt),
 * and the audit entry, written as the new user (audit_log_as: change stays empty). */
static int accept_tx(struct req *r, void *arg, struct http_change *change)
{
    (void)change;
    struct accept *n = arg;
    bool failed;
    r->headers_out = n->headers_before;
    struct db_res *t = token_find(r, "invite", n->token, true, &failed); /* locked: one use */
    if (!t)
        return failed ? -1 : invalid_token(r);
    n->id =
        users_insert(n->email, n->name, db_str(t, 0, 4), db_str(t, 0, 5), db_ll(t, 0, 6), n->hash);
    if (n->id < 0)
        return db_errno() == ER_DUP_ENTRY
                   ? http_error(r, 409, "email_taken", "A user with this email exists already",
                                NULL)
                   : -1;
    if (db_exec(sql_token_use, "i", db_ll(t, 0, 0)) < 0 ||
        audit_log_as(r, n->id, db_str(t, 0, 4), "invitation.accept", "user", n->id, NULL) < 0 ||
        !(n->csrf = auth_session_start(r, n->id)))
        return -1;
    return 0;
}

int invitations_accept(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    const char *token = NULL, *password = NULL, *name = NULL;
    if (HTTP_FIELDS(r, body, {"token", FIELD_STRING, true, 64, &token},
                    {"password", FIELD_TEXT, true, 1024, &password},
                    {"name", FIELD_STRING, false, 200, &name}) < 0)
        return r->status;
    password = json_string_value(json_object_get(body, "password"));
    int status;
    const char *email_key;
    /* Check the token and the password before hashing (slow) and before locking. */
    struct db_res *t = link_for_use(r, "invite", token, &email_key, &status);
    if (!t)
        return status;
    const char *email = db_str(t, 0, 1);
    if (!name || !*name)
        name = db_str(t, 0, 3) ? db_str(t, 0, 3) : email;
    const char *why = password_weakness(password, email, name);
    if (why) {
        auth_throttle_failure(email_key, LINK_TRIES);
        return http_error(r, 400, "weak_password", arena_printf(&r->arena, "Password %s", why),
                          "password");
    }
    char hash[crypto_pwhash_STRBYTES];
    if (password_hash(password, hash) < 0)
        return http_error(r, 503, "service_unavailable", "Out of memory, try again", NULL);

    struct accept n = {token, email, name, hash, r->headers_out, 0, NULL};
    int rc = http_write(r, accept_tx, &n);
    if (rc) {
        r->headers_out = NULL;
        return rc;
    }
    long long id = n.id;
    const char *csrf = n.csrf;
    json_t *user = users_json(&r->arena, id);
    if (!user)
        return http_db_error(r);
    return http_json(r, 200, json_pack("{s:o, s:s}", "user", user, "csrf_token", csrf));
}

/* The audit row, as nobody (audit_log_as: change stays empty), and the queue row. */
static int reset_request_tx(struct req *r, void *arg, struct http_change *change)
{
    (void)change;
    long long user_id = *(long long *)arg;
    if (audit_log_as(r, 0, "anonymous", "auth.reset_request", "user", user_id, NULL) < 0 ||
        db_exec(sql_reset_queue, "I", user_id) < 0)
        return -1;
    return 0;
}

/* Answers at once, the same for every address: the lookup, the audit row and the queue
 * row are written for known and unknown addresses alike (so both take the same time),
 * and the scheduler thread makes the link and sends the mail after the answer. */
int reset_request(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    const char *email = NULL;
    if (HTTP_FIELDS(r, body, {"email", FIELD_STRING, true, 254, &email}) < 0)
        return r->status;
    const char *why, *norm = email_normalize(&r->arena, email, &why);
    if (!norm)
        return http_error(r, 400, "validation_failed", why, "email");
    const char *email_key, *addr_key;
    int rc = mail_throttle(r, 'r', norm, "Too many password-reset requests; try again later",
                           &email_key, &addr_key);
    if (rc)
        return rc;
    auth_throttle_failure(email_key, config.reset_per_email);
    auth_throttle_failure(addr_key, config.reset_per_address);
    if (email_well_formed(norm)) {
        struct user_auth u;
        int found = users_find_for_login(&r->arena, norm, &u);
        long long user_id = found > 0 && !u.disabled ? u.id : 0;
        if (found < 0)
            return http_db_error(r);
        if ((rc = http_write(r, reset_request_tx, &user_id)))
            return rc;
    }
    /* The same answer whether or not the address is known. */
    rc = http_json(r, 202, json_pack("{s:s}", "status", "sent"));
    scheduler_kick(USERS_RESET_MAIL_JOB);
    return rc;
}

struct reset_mail {
    struct arena *a;
    long long queue_id, user_id;
    const char *email, *name, *realm, *token; /* out: token NULL, nothing to mail */
};

/* Claims the queued request and, for a known enabled user, stores a fresh link. No
 * request (the scheduler's thread): db_tx. */
static int reset_mail_tx(void *arg)
{
    struct reset_mail *m = arg;
    m->token = NULL;
    if (db_exec(sql_queue_claim, "i", m->queue_id) < 0)
        return -1;
    if (db_affected() != 1 || !m->user_id) /* another node has it, or nobody to mail */
        return 0;
    struct db_res *u = db_query(m->a, sql_reset_user, "i", m->user_id);
    if (!u)
        return -1;
    if (!u->nrows) /* disabled meanwhile */
        return 0;
    m->email = db_str(u, 0, 0);
    m->name = db_str(u, 0, 1);
    m->realm = db_str(u, 0, 2);
    m->token =
        token_create(m->a, 0, "reset", m->email, m->user_id, NULL, NULL, NULL, 0, RESET_MINUTES);
    return m->token ? 0 : -1;
}

/* Claims one queued request and, for a known enabled user, stores a fresh link and
 * mails it (once that committed). 0 or -1. */
static int reset_mail_one(struct arena *a, long long queue_id, long long user_id)
{
    struct reset_mail m = {a, queue_id, user_id, NULL, NULL, NULL, NULL};
    if (db_tx(reset_mail_tx, &m) != 0)
        return -1;
    if (!m.token)
        return 0;
    const char *email = m.email, *name = m.name, *token = m.token;
    const char *link =
        arena_printf(a, "%s%s/reset?token=%s", config.public_url, app_path(m.realm), token);
    const char *text = arena_printf(
        a,
        "Hello %s,\r\n\r\nSomeone asked to reset your portal password. If it was you, open "
        "this link within an hour:\r\n\r\n%s\r\n\r\nIf it was not you, ignore this "
        "mail.\r\n\r\n"
        "Здравствуйте, %s!\r\n\r\nКто-то запросил сброс пароля на портале. Если это вы, "
        "откройте ссылку в течение часа:\r\n\r\n%s\r\n\r\nЕсли это были не вы, просто "
        "проигнорируйте письмо.\r\n",
        name, link, name, link);
    mail_send(email, "Password reset / Сброс пароля", text); /* a failure is logged */
    return 0;
}

int users_reset_mail_job(void)
{
    struct arena a;
    arena_init(&a);
    int rc = 0;
    struct db_res *q;
    /* Until the queue is empty: requests keep coming while mail goes out. */
    while (rc == 0 && (q = db_query(&a, sql_queue_next, "")) && q->nrows) {
        for (int i = 0; i < q->nrows && rc == 0; i++)
            rc = reset_mail_one(&a, db_ll(q, i, 0), db_ll(q, i, 1));
        arena_cleanup(&a);
        arena_init(&a);
    }
    if (!q)
        rc = -1;
    arena_cleanup(&a);
    return rc;
}

struct reset {
    const char *token;
    long long user_id;
    const char *hash;
};

/* The token spent, the new hash, every session ended; the audit entry as nobody
 * (audit_log_as: change stays empty). */
static int reset_confirm_tx(struct req *r, void *arg, struct http_change *change)
{
    (void)change;
    struct reset *n = arg;
    bool failed;
    struct db_res *t = token_find(r, "reset", n->token, true, &failed);
    if (!t)
        return failed ? -1 : invalid_token(r);
    if (db_exec(sql_token_use, "i", db_ll(t, 0, 0)) < 0 ||
        users_set_password(n->user_id, n->hash) < 0 ||
        auth_sessions_revoke_user(n->user_id, 0) < 0 ||
        audit_log_as(r, n->user_id, "anonymous", "auth.reset_confirm", "user", n->user_id, NULL) <
            0)
        return -1;
    return 0;
}

int reset_confirm(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    const char *token = NULL, *password = NULL;
    if (HTTP_FIELDS(r, body, {"token", FIELD_STRING, true, 64, &token},
                    {"password", FIELD_TEXT, true, 1024, &password}) < 0)
        return r->status;
    password = json_string_value(json_object_get(body, "password"));
    int status;
    const char *email_key;
    struct db_res *t = link_for_use(r, "reset", token, &email_key, &status);
    if (!t)
        return status;
    long long user_id = db_ll(t, 0, 2);
    const char *why = password_weakness(password, db_str(t, 0, 1), NULL);
    if (why) {
        auth_throttle_failure(email_key, LINK_TRIES);
        return http_error(r, 400, "weak_password", arena_printf(&r->arena, "Password %s", why),
                          "password");
    }
    char hash[crypto_pwhash_STRBYTES];
    if (password_hash(password, hash) < 0)
        return http_error(r, 503, "service_unavailable", "Out of memory, try again", NULL);
    struct reset n = {token, user_id, hash};
    int rc = http_write(r, reset_confirm_tx, &n);
    if (rc)
        return rc;
    return http_send(r, 204, "application/json", "Cache-Control: no-store\r\n", "", 0);
}

/* The command line's user add: no request, so db_tx (and audit_log as the system). */
static int cli_create_tx(void *arg)
{
    struct user_new *n = arg;
    if ((n->id = users_insert(n->email, n->name, n->realm, n->role, n->account_id, n->hash)) < 0 ||
        audit_log(NULL, "user.create", "user", n->id, NULL) < 0)
        return -1;
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Command line
 * ------------------------------------------------------------------------------------- */

static int read_password(char *buf, size_t size, bool from_stdin)
{
    if (from_stdin || !isatty(STDIN_FILENO)) {
        if (!fgets(buf, (int)size, stdin))
            return -1;
        buf[strcspn(buf, "\r\n")] = '\0';
        return 0;
    }
    char *p = getpass("Password: ");
    if (!p)
        return -1;
    snprintf(buf, size, "%s", p);
    char again[1100];
    p = getpass("Again: ");
    snprintf(again, sizeof again, "%s", p ? p : "");
    if (strcmp(buf, again) != 0) {
        fprintf(stderr, "portal: the passwords differ\n");
        return -1;
    }
    return 0;
}

int users_cli_add(int argc, char **argv)
{
    const char *email = NULL, *name = NULL, *role = "member", *realm = "employee";
    long long account_id = 0;
    bool pw_stdin = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--password-stdin") == 0) {
            pw_stdin = true;
        } else if (v && strcmp(a, "--email") == 0) {
            email = v, i++;
        } else if (v && strcmp(a, "--name") == 0) {
            name = v, i++;
        } else if (v && strcmp(a, "--role") == 0) {
            role = v, i++;
        } else if (v && strcmp(a, "--realm") == 0) {
            realm = v, i++;
        } else if (v && strcmp(a, "--account-id") == 0) {
            account_id = atoll(v), i++;
        } else {
            fprintf(stderr,
                    "portal: user add: unknown option %s\n"
                    "usage: portal user add --email E --name N [--role admin|manager|member]\n"
                    "       [--realm customer|partner --account-id ID] [--password-stdin]\n",
                    a);
            return 2;
        }
    }
    if (!email || !name) {
        fprintf(stderr, "portal: user add needs --email and --name\n");
        return 2;
    }
    if (strcmp(realm, "employee") != 0)
        role = NULL;
    struct arena a;
    arena_init(&a);
    int rc = 1;
    const char *why, *norm = email_for_store(&a, email, &why), *field = NULL;
    char password[1100], hash[crypto_pwhash_STRBYTES];
    if (!norm) {
        fprintf(stderr, "portal: %s: %s\n", email, why);
        goto out;
    }
    if ((why = check_shape(&a, realm, role, account_id, &field))) {
        fprintf(stderr, "portal: %s: %s\n", field ? field : "database", field ? why : db_error());
        goto out;
    }
    if (read_password(password, sizeof password, pw_stdin) < 0) {
        fprintf(stderr, "portal: no password given\n");
        goto out;
    }
    if ((why = password_weakness(password, norm, name))) {
        fprintf(stderr, "portal: password %s\n", why);
        goto out;
    }
    if (password_hash(password, hash) < 0)
        goto out;
    struct user_new n = {norm, name, realm, role, account_id, hash, -1};
    if (db_tx(cli_create_tx, &n) != 0) {
        fprintf(stderr, "portal: %s\n",
                db_errno() == ER_DUP_ENTRY ? "a user with this email exists" : db_error());
        goto out;
    }
    printf("created user %lld <%s> (%s%s%s)\n", n.id, norm, realm, role ? ", " : "",
           role ? role : "");
    rc = 0;
out:
    sodium_memzero(password, sizeof password);
    arena_cleanup(&a);
    return rc;
}
