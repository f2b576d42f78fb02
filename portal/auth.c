/* auth.c - sessions live in the database (any number of HTTP nodes), identified by a
 * 256-bit random cookie of which only the SHA-256 is stored. A node keeps what it
 * looked up for a few seconds (the session cache below), as long as the auth epoch
 * says no session was revoked and no user changed anywhere meanwhile; last_seen is
 * written at most once a minute. */
#include "auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "audit.h"
#include "config.h"
#include "crm.h"
#include "db.h"
#include "email.h"
#include "epoch.h"
#include "log.h"
#include "password.h"
#include "realtime.h"
#include "users.h"

#define TOKEN_BYTES      32
#define TOKEN_CHARS      43 /* base64url, no padding */
#define ACCOUNT_FAILURES 5  /* per email within the window before a block */
#define ADDRESS_FAILURES 30 /* per client address */

static const char sql_lookup[] =
    "SELECT s.id, s.user_id, s.csrf_token, s.last_seen < UTC_TIMESTAMP(6) - INTERVAL ? SECOND,"
    " u.realm, u.role, u.account_id, u.email, u.name, u.locale,"
    " TIMESTAMPDIFF(MICROSECOND, s.last_seen, UTC_TIMESTAMP(6)),"
    " TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(6), s.expires_at)"
    " FROM sessions s JOIN users u ON u.id = s.user_id"
    " WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > UTC_TIMESTAMP(6)"
    " AND s.last_seen > UTC_TIMESTAMP(6) - INTERVAL ? SECOND AND u.disabled = 0";
static const char sql_touch[] = "UPDATE sessions SET last_seen = UTC_TIMESTAMP(6) WHERE id = ?";
static const char sql_insert_session[] =
    "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen, expires_at,"
    " ip, user_agent) VALUES (?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6),"
    " UTC_TIMESTAMP(6) + INTERVAL ? SECOND, ?, ?)";
static const char sql_revoke_one[] =
    "UPDATE sessions SET revoked_at = UTC_TIMESTAMP(6) WHERE id = ? AND user_id = ?"
    " AND revoked_at IS NULL";
static const char sql_revoke_any[] =
    "UPDATE sessions SET revoked_at = UTC_TIMESTAMP(6) WHERE id = ? AND revoked_at IS NULL";
static const char sql_revoke_user[] =
    "UPDATE sessions SET revoked_at = UTC_TIMESTAMP(6) WHERE user_id = ? AND id <> ?"
    " AND revoked_at IS NULL";
static const char sql_my_sessions[] =
    "SELECT id, created_at, last_seen, ip, user_agent FROM sessions"
    " WHERE user_id = ? AND revoked_at IS NULL AND expires_at > UTC_TIMESTAMP(6)"
    " AND last_seen > UTC_TIMESTAMP(6) - INTERVAL ? SECOND ORDER BY last_seen DESC LIMIT 200";
static const char sql_all_sessions[] =
    "SELECT s.id, s.created_at, s.last_seen, s.ip, s.user_agent, u.id, u.email, u.name, u.realm"
    " FROM sessions s JOIN users u ON u.id = s.user_id"
    " WHERE s.revoked_at IS NULL AND s.expires_at > UTC_TIMESTAMP(6)"
    " AND s.last_seen > UTC_TIMESTAMP(6) - INTERVAL ? SECOND AND u.disabled = 0"
    " AND (? = 0 OR s.id < ?) ORDER BY s.id DESC LIMIT ?";
static const char sql_blocked[] =
    "SELECT MAX(TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), blocked_until)) + 1 FROM login_throttle"
    " WHERE k IN (?, ?, ?) AND blocked_until > UTC_TIMESTAMP(6)";
/* Assignments run left to right and see the new values: failures first. */
static const char sql_fail[] =
    "INSERT INTO login_throttle (k, failures, window_start) VALUES (?, 1, UTC_TIMESTAMP(6))"
    " ON DUPLICATE KEY UPDATE"
    " failures = IF(window_start < UTC_TIMESTAMP(6) - INTERVAL 15 MINUTE, 1, failures + 1),"
    " window_start = IF(failures = 1, UTC_TIMESTAMP(6), window_start),"
    " blocked_until = IF(failures >= ?, UTC_TIMESTAMP(6) + INTERVAL"
    " LEAST(900, 30 * POW(2, LEAST(failures - ?, 5))) SECOND, blocked_until)";
static const char sql_clear[] = "DELETE FROM login_throttle WHERE k = ?";
static const char sql_set_hash[] =
    "UPDATE users SET password_hash = ?, updated_at = UTC_TIMESTAMP(6) WHERE id = ?";

/* ---------------------------------------------------------------------------------------
 * Names
 * ------------------------------------------------------------------------------------- */

const char *realm_name(unsigned realm)
{
    switch (realm) {
    case REALM_EMPLOYEE:
        return "employee";
    case REALM_CUSTOMER:
        return "customer";
    case REALM_PARTNER:
        return "partner";
    default:
        return "anonymous";
    }
}

unsigned realm_from_name(const char *name)
{
    if (!name)
        return 0;
    if (strcmp(name, "employee") == 0)
        return REALM_EMPLOYEE;
    if (strcmp(name, "customer") == 0)
        return REALM_CUSTOMER;
    if (strcmp(name, "partner") == 0)
        return REALM_PARTNER;
    return 0;
}

const char *role_name(enum role role)
{
    switch (role) {
    case ROLE_ADMIN:
        return "admin";
    case ROLE_MANAGER:
        return "manager";
    case ROLE_MEMBER:
        return "member";
    default:
        return NULL;
    }
}

enum role role_from_name(const char *name)
{
    if (!name)
        return ROLE_NONE;
    if (strcmp(name, "admin") == 0)
        return ROLE_ADMIN;
    if (strcmp(name, "manager") == 0)
        return ROLE_MANAGER;
    if (strcmp(name, "member") == 0)
        return ROLE_MEMBER;
    return ROLE_NONE;
}

/* ---------------------------------------------------------------------------------------
 * Tokens and cookies
 * ------------------------------------------------------------------------------------- */

static const char *cookie_name(void)
{
    return config.secure_cookies ? "__Host-portal_session" : "portal_session";
}

static void random_token(char out[TOKEN_CHARS + 1])
{
    unsigned char raw[TOKEN_BYTES];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, TOKEN_CHARS + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

static void token_hash(const char *token, unsigned char out[crypto_hash_sha256_BYTES])
{
    crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

static void queue_cookie(struct req *r, const char *value, long long max_age)
{
    r->headers_out = arena_printf(
        &r->arena, "%sSet-Cookie: %s=%s; HttpOnly; SameSite=Lax; Path=/; Max-Age=%lld%s\r\n",
        r->headers_out ? r->headers_out : "", cookie_name(), value, max_age,
        config.secure_cookies ? "; Secure" : "");
}

/* ---------------------------------------------------------------------------------------
 * Session lookup and the access check
 * ------------------------------------------------------------------------------------- */

/* The session cache: a node answers most requests of a session without asking the
 * database. An entry is served only while
 *   - the auth epoch is the one it was filled under: a revocation (logout, password
 *     change, "end session", a disabled user) or any change of a user, on any node,
 *     bumps the database row (triggers of 0012_perf.sql) and so every node's epoch
 *     within EPOCH_POLL_MS, and at once on the node that made it (epoch_sync());
 *   - the epoch poller reached the database in the last EPOCH_STALE_MS (else the
 *     database decides, as without a cache);
 *   - it is younger than SESSION_CACHE_TTL_MS (a change written behind the portal's
 *     back, by hand in SQL, lives at most that long);
 *   - the session is neither expired nor idle, counted on the monotonic clock from
 *     what the database said at the fill (no clock skew between nodes and database).
 * last_seen is still written at most once per touch_after, as without the cache. */
#define SESSION_CACHE_SLOTS  2048 /* direct-mapped by the token hash; a collision evicts */
#define SESSION_CACHE_TTL_MS 10000

struct cached_session {
    unsigned char hash[crypto_hash_sha256_BYTES];
    uint64_t gen;                  /* auth epoch at the fill; 0 = empty slot */
    uint64_t filled_ms;            /* epoch_clock_ms() at the fill */
    _Atomic uint64_t last_seen_ms; /* last_seen on the monotonic clock */
    uint64_t expires_ms;           /* expires_at on the monotonic clock */
    struct session s;              /* email, name, locale point into the fields below */
    char email[256], name[804], locale[36];
};

static struct cached_session session_cache[SESSION_CACHE_SLOTS]; /* ~2.4 MB of BSS */
/* As feed.c's page cache: readers in parallel, a fill before new readers. */
static pthread_rwlock_t session_cache_lock = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;

static long long touch_after_s(void)
{
    /* last_seen is written at most once a minute, and more often when the idle timeout
     * is short: a session in use must never look idle. */
    return config.session_idle_s / 4 < 60 ? config.session_idle_s / 4 : 60;
}

static struct cached_session *cache_slot(const unsigned char *hash)
{
    uint32_t h;
    memcpy(&h, hash, sizeof h); /* SHA-256 bytes are uniform already */
    return &session_cache[h & (SESSION_CACHE_SLOTS - 1)];
}

/* Copies a live cached session for hash into the arena. Returns it, or NULL (miss);
 * *touch is set when last_seen is due to be written. */
static struct session *cache_get(struct req *r, const unsigned char *hash, bool *touch)
{
    uint64_t gen = epoch_now(EPOCH_AUTH);
    *touch = false;
    if (!gen)
        return NULL;
    uint64_t now = epoch_clock_ms();
    struct session *out = NULL;
    pthread_rwlock_rdlock(&session_cache_lock);
    struct cached_session *c = cache_slot(hash);
    uint64_t seen = atomic_load(&c->last_seen_ms);
    if (c->gen == gen && sodium_memcmp(c->hash, hash, sizeof c->hash) == 0 &&
        now - c->filled_ms < SESSION_CACHE_TTL_MS && now < c->expires_ms &&
        now - seen < (uint64_t)config.session_idle_s * 1000u) {
        out = arena_alloc(&r->arena, sizeof *out);
        *out = c->s;
        out->preview_account_id = 0; /* per request, set by preview() */
        out->email = arena_strdup(&r->arena, c->email);
        out->name = arena_strdup(&r->arena, c->name);
        out->locale = arena_strdup(&r->arena, c->locale);
        /* One toucher per interval: whoever moves last_seen_ms writes the row. */
        if (now - seen > (uint64_t)touch_after_s() * 1000u &&
            atomic_compare_exchange_strong(&c->last_seen_ms, &seen, now))
            *touch = true;
    }
    pthread_rwlock_unlock(&session_cache_lock);
    return out;
}

static void cache_put(const unsigned char *hash, const struct session *s, uint64_t gen,
                      uint64_t filled_ms, long long seen_age_us, long long expires_in_us)
{
    if (!gen || strlen(s->email) >= sizeof session_cache[0].email ||
        strlen(s->name) >= sizeof session_cache[0].name ||
        strlen(s->locale) >= sizeof session_cache[0].locale)
        return;
    pthread_rwlock_wrlock(&session_cache_lock);
    struct cached_session *c = cache_slot(hash);
    memcpy(c->hash, hash, sizeof c->hash);
    c->gen = gen;
    c->filled_ms = filled_ms;
    atomic_store(&c->last_seen_ms,
                 filled_ms - (uint64_t)(seen_age_us > 0 ? seen_age_us / 1000 : 0));
    c->expires_ms = filled_ms + (uint64_t)(expires_in_us > 0 ? expires_in_us / 1000 : 0);
    c->s = *s;
    snprintf(c->email, sizeof c->email, "%s", s->email);
    snprintf(c->name, sizeof c->name, "%s", s->name);
    snprintf(c->locale, sizeof c->locale, "%s", s->locale);
    c->s.email = c->s.name = c->s.locale = NULL;
    pthread_rwlock_unlock(&session_cache_lock);
}

/* The cookie's token hash; false when the request carries no well-formed cookie. */
static bool cookie_hash(struct req *r, unsigned char hash[crypto_hash_sha256_BYTES])
{
    const char *cookies = http_header(r, "Cookie");
    if (!cookies)
        return false;
    char token[TOKEN_CHARS + 8];
    int n = mg_get_cookie(cookies, cookie_name(), token, sizeof token);
    if (n != TOKEN_CHARS)
        return false;
    token_hash(token, hash);
    sodium_memzero(token, sizeof token);
    return true;
}

/* Returns 0 (r->session set or not), or -1 on a database error. */
static int load_session(struct req *r)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    if (!cookie_hash(r, hash))
        return 0;
    bool touch;
    struct session *hit = cache_get(r, hash, &touch);
    if (hit) {
        r->session = hit;
        if (touch)
            db_exec(sql_touch, "i", hit->id); /* best effort, as below */
        return 0;
    }
    uint64_t gen = epoch_now(EPOCH_AUTH), filled = epoch_clock_ms(); /* before the query */
    struct db_res *res = db_query(&r->arena, sql_lookup, "ibi", touch_after_s(), hash, sizeof hash,
                                  (long long)config.session_idle_s);
    if (!res)
        return -1;
    if (res->nrows != 1)
        return 0;
    struct session *s = arena_alloc(&r->arena, sizeof *s);
    memset(s, 0, sizeof *s);
    s->id = db_ll(res, 0, 0);
    s->user_id = db_ll(res, 0, 1);
    snprintf(s->csrf, sizeof s->csrf, "%s", db_str(res, 0, 2));
    s->realm = realm_from_name(db_str(res, 0, 4));
    s->role = role_from_name(db_str(res, 0, 5));
    s->account_id = db_ll(res, 0, 6);
    s->email = db_str(res, 0, 7);
    s->name = db_str(res, 0, 8);
    s->locale = db_str(res, 0, 9);
    if (!s->realm)
        return 0;
    r->session = s;
    bool touched = db_ll(res, 0, 3) && db_exec(sql_touch, "i", s->id) == 0;
    /* best effort: a failed touch only delays idle expiry */
    cache_put(hash, s, gen, filled, touched ? 0 : db_ll(res, 0, 10), db_ll(res, 0, 11));
    return 0;
}

/* The account named by the preview header, or 0 when the header is absent; -1 when it
 * is not an id. */
static long long preview_header(struct req *r)
{
    const char *h = http_header(r, AUTH_PREVIEW_HEADER);
    if (!h)
        return 0;
    char *end;
    long long id = strtoll(h, &end, 10);
    return *h && !*end && id > 0 ? id : -1;
}

static bool cabinet_only(const struct route *rt)
{
    return (rt->realms & REALM_CABINET) && !(rt->realms & (REALM_EMPLOYEE | REALM_ANON));
}

/* Preview as customer: lets an employee read a cabinet-only route as the account named by
 * the header would see it (auth_account_id() answers that account), and nothing else:
 * only GET and HEAD, so a preview can never change what the customer has. Returns 0 to
 * go on, or the status of the error it sent. */
static int preview(struct req *r, bool write)
{
    long long id = preview_header(r);
    if (id < 0)
        return http_error(r, 400, "validation_failed", AUTH_PREVIEW_HEADER " must be an account id",
                          NULL);
    if (write)
        return http_error(r, 403, "preview_read_only",
                          "Preview as customer is read-only: nothing can be changed", NULL);
    int exists = crm_account_exists(&r->arena, id);
    if (exists < 0)
        return http_db_error(r);
    if (!exists)
        return http_error(r, 404, "not_found", "No such account to preview", NULL);
    r->session->preview_account_id = id;
    return 0;
}

/* With PORTAL_CABINET_HOST set, the cabinet host serves only the cabinet and the main
 * host never the cabinet (ASVS 3.5.4: separate origins for separate audiences). */
static bool wrong_host(struct req *r)
{
    if (!config.cabinet_host[0])
        return false;
    const char *host = http_header(r, "Host");
    size_t hl = host ? strcspn(host, ":") : 0;
    bool on_cabinet = host && hl == strlen(config.cabinet_host) &&
                      strncasecmp(host, config.cabinet_host, hl) == 0;
    unsigned realms = r->route->realms;
    if (on_cabinet)
        return (realms & REALM_EMPLOYEE) && !(realms & (REALM_CABINET | REALM_ANON));
    /* an employee's preview reads the cabinet's API from the employee host */
    return cabinet_only(r->route) && !preview_header(r);
}

int auth_authorize(struct req *r, bool write)
{
    const struct route *rt = r->route;
    if (wrong_host(r))
        return http_error(r, 404, "not_found", "No such API path", NULL);
    /* Routes open to everyone that do not look at the caller skip the lookup: /healthz
     * and /ping never touch the sessions table. */
    if (rt->realms == REALM_ALL && !(rt->flags & ROUTE_SESSION_AWARE))
        return 0;
    if (load_session(r) < 0)
        return http_db_error(r);
    unsigned caller = r->session ? r->session->realm : REALM_ANON;
    if (r->session && cabinet_only(rt) && preview_header(r)) {
        if (caller != REALM_EMPLOYEE)
            return http_error(r, 403, "forbidden", "Only employees preview a cabinet", NULL);
        return preview(r, write);
    }
    if (!(rt->realms & caller)) {
        if (!r->session)
            return http_error(r, 401, "unauthorized", "Log in first", NULL);
        return http_error(r, 403, "forbidden", "This is not available to your account", NULL);
    }
    if (caller == REALM_EMPLOYEE && r->session->role < rt->min_role)
        return http_error(r, 403, "forbidden", "Your role does not allow this", NULL);
    if (write && r->session && !(rt->flags & ROUTE_NO_CSRF)) {
        const char *sent = http_header(r, "X-CSRF-Token");
        if (!sent || strlen(sent) != strlen(r->session->csrf) ||
            sodium_memcmp(sent, r->session->csrf, strlen(sent)) != 0)
            return http_error(r, 403, "csrf_failed", "Missing or wrong X-CSRF-Token header", NULL);
    }
    return 0;
}

void auth_request_end(struct req *r)
{
    r->session = NULL;
}

long long auth_user_id(struct req *r)
{
    return r && r->session ? r->session->user_id : 0;
}

long long auth_account_id(struct req *r)
{
    if (!r || !r->session)
        return 0;
    if (r->session->realm == REALM_EMPLOYEE)
        return r->session->preview_account_id;
    return (r->session->realm & REALM_CABINET) ? r->session->account_id : 0;
}

bool auth_is_preview(struct req *r)
{
    return r && r->session && r->session->realm == REALM_EMPLOYEE &&
           r->session->preview_account_id > 0;
}

const char *auth_realm_name(struct req *r)
{
    return realm_name(r && r->session ? r->session->realm : 0);
}

bool auth_is_employee(struct req *r, enum role at_least)
{
    return r->session && r->session->realm == REALM_EMPLOYEE && r->session->role >= at_least;
}

const char *auth_session_start(struct req *r, long long user_id)
{
    char token[TOKEN_CHARS + 1], *csrf = arena_alloc(&r->arena, TOKEN_CHARS + 1);
    random_token(token);
    random_token(csrf);
    unsigned char hash[crypto_hash_sha256_BYTES];
    token_hash(token, hash);
    const char *ua = http_header(r, "User-Agent");
    char ua_cut[256];
    snprintf(ua_cut, sizeof ua_cut, "%s", ua ? ua : "");
    /* Cut at a character boundary: the column is utf8mb4 and STRICT. */
    size_t ul = strlen(ua_cut);
    while (ul > 0 && ((unsigned char)ua_cut[ul - 1] & 0x80)) {
        bool lead = ((unsigned char)ua_cut[ul - 1] & 0xc0) == 0xc0;
        ua_cut[--ul] = '\0';
        if (lead)
            break;
    }
    if (db_exec(sql_insert_session, "bisiss", hash, sizeof hash, user_id, csrf,
                (long long)config.session_max_s, http_client_addr(r), ua_cut) < 0)
        return NULL;
    queue_cookie(r, token, config.session_max_s);
    sodium_memzero(token, sizeof token);
    return csrf;
}

int auth_sessions_revoke_user(long long user_id, long long keep_session_id)
{
    /* their sockets close on every node: the gateways are told which sessions these are */
    if (realtime_user_sessions_ending(user_id, keep_session_id) < 0)
        return -1;
    return db_exec(sql_revoke_user, "ii", user_id, keep_session_id);
}

/* ---------------------------------------------------------------------------------------
 * Login throttling: per account and per client address
 * ------------------------------------------------------------------------------------- */

static long long blocked3(struct arena *a, const char *key1, const char *key2, const char *key3)
{
    struct db_res *res = db_query(a, sql_blocked, "sss", key1, key2, key3);
    return res && res->nrows ? db_ll(res, 0, 0) : (res ? 0 : -1);
}

long long auth_throttle_blocked(struct arena *a, const char *key1, const char *key2)
{
    return blocked3(a, key1, key2, key2);
}

void auth_throttle_failure(const char *key, int allowed)
{
    db_exec(sql_fail, "sii", key, (long long)allowed, (long long)allowed);
}

/* auth_throttle_check over three keys. */
static int check3(struct req *r, const char *key1, const char *key2, const char *key3,
                  const char *message)
{
    long long wait = blocked3(&r->arena, key1, key2, key3);
    if (wait < 0)
        return http_db_error(r);
    if (wait == 0)
        return 0;
    char hdr[48];
    snprintf(hdr, sizeof hdr, "Retry-After: %lld\r\n", wait);
    return http_error_headers(r, 429, "rate_limited", message, NULL, hdr);
}

int auth_throttle_check(struct req *r, const char *key1, const char *key2, const char *message)
{
    return check3(r, key1, key2, key2, message);
}

/* ---------------------------------------------------------------------------------------
 * Handlers
 * ------------------------------------------------------------------------------------- */

struct session_new {
    long long user_id;
    const char *realm;
    const char *headers_before; /* r->headers_out before the session's cookie */
    const char *csrf;           /* out */
};

/* The session row and its cookie (queued anew by each attempt: the one of a rolled-back
 * attempt is dropped), and the audit entry, written as the user signing in (the request
 * has no session yet: audit_log_as, so change stays empty). */
static int login_tx(struct req *r, void *arg, struct http_change *change)
{
    (void)change;
    struct session_new *n = arg;
    r->headers_out = n->headers_before;
    if (!(n->csrf = auth_session_start(r, n->user_id)) ||
        audit_log_as(r, n->user_id, n->realm, "auth.login", "user", n->user_id, NULL) < 0)
        return -1;
    return 0;
}

int auth_login(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    const char *email = NULL, *password = NULL, *want = NULL;
    if (HTTP_FIELDS(r, body, {"email", FIELD_STRING, true, 254, &email},
                    {"password", FIELD_TEXT, true, 1024, &password},
                    {"realm", FIELD_STRING, false, 16, &want}) < 0)
        return r->status;
    if (want && strcmp(want, "employee") != 0 && strcmp(want, "cabinet") != 0)
        return http_error(r, 400, "validation_failed", "realm must be employee or cabinet",
                          "realm");
    /* The password field is taken untrimmed: spaces may be part of it. */
    password = json_string_value(json_object_get(body, "password"));
    const char *why, *norm = email_normalize(&r->arena, email, &why);
    if (!norm)
        return http_error(r, 400, "validation_failed", why, "email");
    const char *email_key = arena_printf(&r->arena, "e:%s", norm);
    const char *addr_key = arena_printf(&r->arena, "a:%s", http_client_addr(r));
    struct user_auth u;
    int found = users_find_for_login(&r->arena, norm, &u);
    if (found < 0)
        return http_db_error(r);
    /* Failures count per user as well as per typed email: however many spellings could
     * reach an account, it gets ACCOUNT_FAILURES guesses. The same queries run for
     * unknown emails (their user key is the email key), so the time tells nothing. */
    const char *user_key = found ? arena_printf(&r->arena, "u:%lld", u.id) : NULL;
    int rc = check3(r, email_key, addr_key, user_key ? user_key : email_key,
                    "Too many failed logins; try again later");
    if (rc)
        return rc;
    bool ok;
    if (found && u.password_hash && !u.disabled) {
        ok = password_verify(u.password_hash, password);
    } else {
        password_verify_dummy(password); /* same time for unknown users */
        ok = false;
    }
    if (!ok) {
        auth_throttle_failure(email_key, ACCOUNT_FAILURES);
        auth_throttle_failure(addr_key, ADDRESS_FAILURES);
        if (user_key)
            auth_throttle_failure(user_key, ACCOUNT_FAILURES);
        audit_log(r, "auth.login_failed", "user", found ? u.id : 0, NULL);
        return http_error(r, 401, "invalid_credentials", "Wrong email or password", NULL);
    }
    unsigned realm = realm_from_name(u.realm);
    bool cabinet = realm & REALM_CABINET;
    if (want && (strcmp(want, "cabinet") == 0) != cabinet)
        return http_error(r, 403, "wrong_realm",
                          cabinet ? "Customers and partners sign in to the client cabinet"
                                  : "Employees sign in to the portal app",
                          NULL);

    db_exec(sql_clear, "s", email_key);
    db_exec(sql_clear, "s", user_key);
    if (password_needs_rehash(u.password_hash)) {
        char fresh[crypto_pwhash_STRBYTES];
        if (password_hash(password, fresh) == 0)
            db_exec(sql_set_hash, "si", fresh, u.id);
    }
    /* A session cookie the browser already had is ended: login always issues a new
     * token (no fixation). */
    if (load_session(r) == 0 && r->session && db_exec(sql_revoke_any, "i", r->session->id) == 0)
        realtime_session_ended(r->session->id);
    r->session = NULL;

    struct session_new n = {u.id, realm_name(realm), r->headers_out, NULL};
    if ((rc = http_write(r, login_tx, &n))) {
        r->headers_out = NULL;
        return rc;
    }
    const char *csrf = n.csrf;
    json_t *user = users_json(&r->arena, u.id);
    if (!user)
        return http_db_error(r);
    return http_json(r, 200, json_pack("{s:o, s:s}", "user", user, "csrf_token", csrf));
}

static int logout_tx(struct req *r, void *arg, struct http_change *change)
{
    (void)arg;
    if (db_exec(sql_revoke_any, "i", r->session->id) < 0 ||
        realtime_session_ended(r->session->id) < 0)
        return -1;
    *change = (struct http_change){"auth.logout", "user", r->session->user_id, NULL};
    return 0;
}

int auth_logout(struct req *r)
{
    if (http_no_fields(r) < 0) /* takes no body */
        return r->status;
    int rc = http_write(r, logout_tx, NULL);
    if (rc)
        return rc;
    queue_cookie(r, "", 0);
    return http_send(r, 204, "application/json", "Cache-Control: no-store\r\n", "", 0);
}

int auth_me(struct req *r)
{
    json_t *user = users_json(&r->arena, r->session->user_id);
    if (!user)
        return http_db_error(r);
    return http_json(r, 200, json_pack("{s:o, s:s}", "user", user, "csrf_token", r->session->csrf));
}

int auth_my_sessions(struct req *r)
{
    struct db_res *res = db_query(&r->arena, sql_my_sessions, "ii", r->session->user_id,
                                  (long long)config.session_idle_s);
    if (!res)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < res->nrows; i++) {
        json_t *o = db_row_json(res, i, "ittss", &r->arena);
        json_object_set_new(o, "current", json_boolean(db_ll(res, i, 0) == r->session->id));
        json_array_append_new(items, o);
    }
    return http_json(r, 200, json_pack("{s:o}", "items", items));
}

struct session_end {
    long long id;
    bool own; /* only one of the caller's own sessions */
};

static int session_end_tx(struct req *r, void *arg, struct http_change *change)
{
    struct session_end *e = arg;
    if ((e->own ? db_exec(sql_revoke_one, "ii", e->id, r->session->user_id)
                : db_exec(sql_revoke_any, "i", e->id)) < 0)
        return -1;
    if (db_affected() != 1)
        return http_error(r, 404, "not_found", "No such session", NULL);
    if (realtime_session_ended(e->id) < 0)
        return -1;
    *change = (struct http_change){"session.end", "session", e->id, NULL};
    return 0;
}

int auth_end_my_session(struct req *r)
{
    if (http_no_fields(r) < 0) /* takes no body */
        return r->status;
    long long id = http_param_id(r, "id");
    if (!id)
        return http_error(r, 404, "not_found", "No such session", NULL);
    struct session_end e = {id, true};
    int rc = http_write(r, session_end_tx, &e);
    if (rc)
        return rc;
    if (id == r->session->id)
        queue_cookie(r, "", 0);
    return http_send(r, 204, "application/json", "Cache-Control: no-store\r\n", "", 0);
}

struct password_new {
    long long user_id;
    const char *hash;
};

/* The new hash; every other session of the user ends. */
static int password_tx(struct req *r, void *arg, struct http_change *change)
{
    struct password_new *n = arg;
    if (users_set_password(n->user_id, n->hash) < 0 ||
        auth_sessions_revoke_user(n->user_id, r->session->id) < 0)
        return -1;
    *change = (struct http_change){"user.password_change", "user", n->user_id, NULL};
    return 0;
}

int auth_change_password(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    const char *current = NULL, *fresh = NULL;
    if (HTTP_FIELDS(r, body, {"current_password", FIELD_TEXT, true, 1024, &current},
                    {"new_password", FIELD_TEXT, true, 1024, &fresh}) < 0)
        return r->status;
    current = json_string_value(json_object_get(body, "current_password"));
    fresh = json_string_value(json_object_get(body, "new_password"));
    struct user_auth u;
    int found = users_find_for_login(&r->arena, r->session->email, &u);
    if (found < 0)
        return http_db_error(r);
    if (!found || !password_verify(u.password_hash, current))
        return http_error(r, 400, "wrong_password", "The current password is wrong",
                          "current_password");
    const char *why = password_weakness(fresh, u.email, u.name);
    if (why)
        return http_error(r, 400, "weak_password", arena_printf(&r->arena, "Password %s", why),
                          "new_password");
    if (strcmp(current, fresh) == 0)
        return http_error(r, 400, "weak_password", "Choose a password you have not used here",
                          "new_password");
    char hash[crypto_pwhash_STRBYTES];
    if (password_hash(fresh, hash) < 0)
        return http_error(r, 503, "service_unavailable", "Out of memory, try again", NULL);
    struct password_new n = {u.id, hash};
    int rc = http_write(r, password_tx, &n);
    if (rc)
        return rc;
    return http_send(r, 204, "application/json", "Cache-Control: no-store\r\n", "", 0);
}

int auth_sessions_list(struct req *r)
{
    int limit;
    long long before;
    if (http_page_args(r, 100, 500, &limit, &before) < 0)
        return r->status;
    struct db_res *res =
        db_query(&r->arena, sql_all_sessions, "iiii", (long long)config.session_idle_s, before,
                 before, (long long)limit);
    if (!res)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < res->nrows; i++) {
        json_t *o = db_row_json(res, i, "ittss", &r->arena);
        json_object_set_new(o, "user",
                            json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)db_ll(res, i, 5),
                                      "email", db_str(res, i, 6), "name", db_str(res, i, 7),
                                      "realm", db_str(res, i, 8)));
        json_array_append_new(items, o);
    }
    json_t *out = json_pack("{s:o}", "items", items);
    db_page_next(out, res, limit);
    return http_json(r, 200, out);
}

int auth_sessions_end(struct req *r)
{
    if (http_no_fields(r) < 0) /* takes no body */
        return r->status;
    long long id = http_param_id(r, "id");
    if (!id)
        return http_error(r, 404, "not_found", "No such session", NULL);
    struct session_end e = {id, false};
    int rc = http_write(r, session_end_tx, &e);
    return rc ? rc : http_send(r, 204, "application/json", "Cache-Control: no-store\r\n", "", 0);
}

/* ---------------------------------------------------------------------------------------
 * Sessions as the realtime gateway follows them
 * ------------------------------------------------------------------------------------- */

static const char sql_session_live[] =
    "SELECT s.id, u.id, u.realm, u.role, u.account_id,"
    " TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(6),"
    " LEAST(s.expires_at, s.last_seen + INTERVAL ? SECOND)) DIV 1000"
    " FROM sessions s JOIN users u ON u.id = s.user_id"
    " WHERE s.id = ? AND s.revoked_at IS NULL AND s.expires_at > UTC_TIMESTAMP(6)"
    " AND s.last_seen > UTC_TIMESTAMP(6) - INTERVAL ? SECOND AND u.disabled = 0";
/* Ended: gone, revoked, expired, idle past the limit, or its user disabled. */
static const char sql_sessions_state[] =
    "SELECT DISTINCT t.id, s.id IS NULL OR s.revoked_at IS NOT NULL OR u.disabled <> 0"
    " OR s.expires_at <= UTC_TIMESTAMP(6) OR s.last_seen <= UTC_TIMESTAMP(6) - INTERVAL ? SECOND,"
    " TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(6),"
    " LEAST(s.expires_at, s.last_seen + INTERVAL ? SECOND)) DIV 1000"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) t"
    " LEFT JOIN sessions s ON s.id = t.id LEFT JOIN users u ON u.id = s.user_id ORDER BY t.id";
static const char sql_user_sessions_lock[] =
    "SELECT id FROM sessions WHERE user_id = ? AND id <> ? AND revoked_at IS NULL"
    " AND expires_at > UTC_TIMESTAMP(6) FOR UPDATE";

struct db_res *auth_session_live(struct arena *a, long long session_id, long long idle_s)
{
    return db_query(a, sql_session_live, "iii", idle_s, session_id, idle_s);
}

struct db_res *auth_sessions_state(struct arena *a, const char *ids, long long idle_s)
{
    return db_query(a, sql_sessions_state, "iis", idle_s, idle_s, ids);
}

struct db_res *auth_user_sessions_lock(struct arena *a, long long user_id,
                                       long long keep_session_id)
{
    return db_query(a, sql_user_sessions_lock, "ii", user_id, keep_session_id);
}
