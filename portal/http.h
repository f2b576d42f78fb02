/* http.h - request context, route table types, JSON responses and errors. */
#ifndef PORTAL_HTTP_H
#define PORTAL_HTTP_H

#include <civetweb.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "arena.h"

/* Who may call a route: a set of realms (a session belongs to exactly one). */
enum {
    REALM_ANON = 1 << 0,     /* no session */
    REALM_EMPLOYEE = 1 << 1, /* employee session */
    REALM_CUSTOMER = 1 << 2, /* customer session, bound to one account */
    REALM_PARTNER = 1 << 3,  /* partner session, bound to one account */
};
#define REALM_CABINET (REALM_CUSTOMER | REALM_PARTNER)
#define REALM_SESSION (REALM_EMPLOYEE | REALM_CABINET)
#define REALM_ALL     (REALM_ANON | REALM_SESSION)

/* Employee roles, ordered: a route's minimum role admits every higher one. */
enum role { ROLE_NONE = 0, ROLE_MEMBER = 1, ROLE_MANAGER = 2, ROLE_ADMIN = 3 };

/* Route flags. */
enum {
    ROUTE_RAW_BODY = 1 << 0,      /* body is not JSON (uploads): the handler streams it */
    ROUTE_NO_CSRF = 1 << 1,       /* state-changing route reachable without a session (login) */
    ROUTE_SESSION_AWARE = 1 << 2, /* open to all, but the handler looks at the caller */
};

struct req;
typedef int (*http_handler)(struct req *r);

struct route {
    const char *method;
    const char *pattern; /* "/api/v1/users/{id}": a {name} matches one segment */
    unsigned realms;
    enum role min_role; /* for REALM_EMPLOYEE */
    http_handler handler;
    unsigned flags;
};

/* The one route table lives in routes.c. */
extern const struct route http_routes[];
extern const size_t http_routes_count;

struct session; /* defined by the identity module */

#define HTTP_MAX_PARAMS 4

struct req {
    struct mg_connection *conn;
    const struct mg_request_info *ri;
    struct arena arena;
    const struct route *route;
    const char *path; /* decoded, dot segments removed */
    const char *param_name[HTTP_MAX_PARAMS];
    const char *param[HTTP_MAX_PARAMS];
    int nparam;
    json_t *body; /* parsed JSON body (owned), NULL until http_json_body() */
    struct session *session;
    int status;              /* status sent, 0 until a response goes out */
    long long sent;          /* body bytes sent */
    const char *error_code;  /* for the access log */
    const char *headers_out; /* extra "Name: value\r\n" lines for the response (Set-Cookie) */
    double started;          /* http_now() when the request's handling began */
    long long body_read;     /* body bytes read through http_read */
    bool body_started;       /* http_read ran (and answered Expect: 100-continue) */
    bool body_done;          /* the whole declared body has been read */
    bool close;              /* the connection closes after this answer */
    bool fields_declared;    /* http_fields (or http_no_fields) checked the whole body */
    const char *changed_type; /* what the committed write changed (http_write) */
    long long changed_id;
    int write_runs;           /* attempts http_write took (1 unless it retried) */
    const char *csp;         /* replaces the default Content-Security-Policy when set */
};

/* --- path and routing (pure functions, fuzzed) ---------------------------------------- */

/* Decodes a raw URL path into out: percent-decoding, then removal of "." and ".."
 * segments and duplicate slashes. Refuses (returns -1) NUL bytes, malformed escapes,
 * control characters and paths that climb above the root. */
int http_path_normalize(const char *raw, char *out, size_t outsize);

/* Matches path against pattern; on success fills r->param[] (copied into r's arena)
 * and returns 1, else 0. */
int http_route_match(const char *pattern, const char *path, struct req *r);

/* Finds the route for method+path. Returns it, or NULL with *path_known set when the
 * path exists under another method (then allow gets "GET, POST" etc.). */
const struct route *http_route_find(const char *method, const char *path, struct req *r,
                                    bool *path_known, char *allow, size_t allowsize);

/* Prints the route table as a JSON array (method, pattern, realms, min_role, flags);
 * returns 0, or 1 when a route lacks a rule (no realm, or an employee route without
 * a minimum role). */
int http_routes_print(FILE *out);

/* --- responses ---------------------------------------------------------------------- */

/* Sends status with a JSON body; steals the reference to body. Returns status. */
int http_json(struct req *r, int status, json_t *body);
/* Sends {"error":{"code","message","field"}} (field may be NULL). Returns status. */
int http_error(struct req *r, int status, const char *code, const char *message, const char *field);
/* The same with extra "Name: value\r\n" header lines (Allow, Retry-After). */
int http_error_headers(struct req *r, int status, const char *code, const char *message,
                       const char *field, const char *extra_headers);
/* Sends a response with the common security headers. extra_headers is zero or more
 * complete "Name: value\r\n" lines. Returns status. */
int http_send(struct req *r, int status, const char *content_type, const char *extra_headers,
              const void *body, size_t len);
/* Writes the status line and headers only (for streaming); content_length < 0 means
 * the body ends with the connection. */
int http_send_head(struct req *r, int status, const char *content_type, const char *extra_headers,
                   long long content_length);

/* Sends found (stolen) with 200; when it is NULL, the database error of the lookup that
 * failed (db_errno() set), else 404 not_found with message `missing`. */
int http_json_found(struct req *r, json_t *found, const char *missing);

/* After a failed db_* call: 503 with Retry-After when the database is unreachable,
 * else a 500 that leaks nothing (the cause goes to the log). Returns the status. */
int http_db_error(struct req *r);

/* --- request helpers ---------------------------------------------------------------- */

const char *http_param(struct req *r, const char *name);
/* A path parameter as a positive id, or 0 (then the caller answers 404). */
long long http_param_id(struct req *r, const char *name);
/* A query-string variable copied into the arena, or NULL. */
const char *http_query(struct req *r, const char *name);
const char *http_header(struct req *r, const char *name);
/* The client's address: the connection's peer, or, when that is a trusted proxy
 * (PORTAL_TRUSTED_PROXIES), the address its X-Real-IP header names. */
const char *http_client_addr(struct req *r);

/* Reads up to len body bytes: answers "Expect: 100-continue" on the first call, and
 * refuses (returns -1, the caller answers 408) a body that arrives slower than
 * PORTAL_BODY_MIN_RATE bytes/s after the first PORTAL_REQUEST_TIMEOUT_MS. Returns the
 * bytes read, 0 at the end of the body, -1 on error or timeout (r->error_code says
 * "request_timeout" then). Every body read goes through here, so the server knows
 * whether a body is left unread when it answers (then the connection closes). */
int http_read(struct req *r, void *buf, size_t len);
/* True when the request declared a body (Content-Length > 0 or chunked). */
bool http_has_body(struct req *r);
/* The connection closes after this request's answer, without reading what is left of
 * its body. Safe to call at any time, before or after the answer. */
void http_close_after(struct req *r);

/* Reads and parses the JSON object body. On failure sends the 4xx itself and
 * returns NULL (the handler then returns r->status). */
json_t *http_json_body(struct req *r);

/* For a write on /.../{id}: the id (into *id) and the JSON object body. On failure sends
 * 404 not_found with message `missing` (no valid id) or the body's 4xx, and returns NULL
 * (the handler then returns r->status). */
json_t *http_id_body(struct req *r, const char *missing, long long *id);

/* Declared body fields, checked in one place before a handler does any work. */
enum field_type {
    FIELD_STRING, /* const char **: non-empty after trimming unless optional; no NUL */
    FIELD_TEXT,   /* const char **: may be empty */
    FIELD_INT,    /* long long * */
    FIELD_ID,     /* long long *: a positive integer */
    FIELD_BOOL,   /* int *: 0 or 1 */
    FIELD_ARRAY,  /* json_t **: an array (borrowed from body); objects in it are checked with
                     HTTP_ITEM_FIELDS */
    FIELD_JSON,   /* json_t **: any value, JSON null included (borrowed); the handler checks
                     it. For keys that take several shapes (null clears, string or object) */
};
struct field {
    const char *name;
    enum field_type type;
    bool required;
    size_t max;    /* strings: most characters (0 = 1000); ints: ignored */
    void *out;     /* untouched when the field is absent (or JSON null, if optional) */
    bool *present; /* optional: set when the field was given */
};
/* Validates body against fields; strings are trimmed copies in r's arena. The fields are
 * the whole key set of the body: one call per body declares every key the route reads, and
 * any other key is refused (strict bodies). Returns 0, or sends 400 and returns -1:
 * unknown_field naming the first undeclared key (the message lists the declared ones), or
 * validation_failed naming the field. */
int http_fields(struct req *r, json_t *body, const struct field *fields, size_t n);
#define HTTP_FIELDS(r, body, ...)                                                                  \
    http_fields((r), (body), (const struct field[]){__VA_ARGS__},                                  \
                sizeof((const struct field[]){__VA_ARGS__}) / sizeof(struct field))
/* The same for the object at array[index] of a body (order lines, checklist items): its
 * fields are named "items[2].qty" in errors; an item that is not an object is a 400. */
int http_item_fields(struct req *r, json_t *item, const char *array, size_t index,
                     const struct field *fields, size_t n);
#define HTTP_ITEM_FIELDS(r, item, array, index, ...)                                               \
    http_item_fields((r), (item), (array), (index), (const struct field[]){__VA_ARGS__},           \
                     sizeof((const struct field[]){__VA_ARGS__}) / sizeof(struct field))
/* For a write route that takes no body: none, or an empty JSON object. Returns 0, or sends
 * the 4xx (415, invalid_json, unknown_field) and returns -1. */
int http_no_fields(struct req *r);

/* Keyset paging: ?limit= (1..max, default def) and ?before= (positive id or absent).
 * Returns 0, or sends 400 and returns -1. */
int http_page_args(struct req *r, int def, int max, int *limit, long long *before);

/* --- the one write path -------------------------------------------------------------- */

/* What a write changed: the audit entry it lands as (action NULL: no entry, for writes
 * that audit several objects themselves), and the object caches and live events follow. */
struct http_change {
    const char *action;      /* "post.create" */
    const char *object_type; /* "post" */
    long long object_id;
    json_t *details; /* audit details, stolen (freed by http_write); may be NULL */
};
typedef int (*http_write_fn)(struct req *r, void *ctx, struct http_change *change);

/* Runs fn(r, ctx, change) in a transaction. fn returns 0 to commit, the status of a
 * refusal it sent (http_error, http_conflict) to roll back and stop, or -1 after a failed
 * db_* call. A deadlock, a Galera certification failure, a lock wait timeout or a lost
 * connection rolls back and runs fn again from the start (5 attempts in all), so fn keeps
 * no state outside the transaction and ctx that a second run would double. On 0 the audit
 * entry *change describes is written in the same transaction, then it commits.
 * Returns 0 once committed (the caller answers), else the status sent (a database error
 * answered as http_db_error does). */
int http_write(struct req *r, http_write_fn fn, void *ctx);

/* 409 {"error":{"code","message"},"current": current}: a stale version, with the object as
 * it is now so the client can show it (current stolen; may be NULL). Returns 409. */
int http_conflict(struct req *r, const char *code, const char *message, json_t *current);

/* --- server ------------------------------------------------------------------------- */

int http_start(void); /* starts CivetWeb; 0 or -1 */
void http_stop(void);
double http_now(void); /* monotonic seconds */

#endif
