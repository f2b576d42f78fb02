/* http.c - CivetWeb glue: dispatch through the route table, JSON in and out, errors,
 * limits, security headers and the access log. */
#include "http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "epoch.h"
#include "jsonin.h"
#include "log.h"
#include "static.h"
#include "utf8.h"

/* The policy unless a handler sets r->csp (downloads: "sandbox"); one CSP header either way. */
#define DEFAULT_CSP                                                                                \
    "default-src 'self'; connect-src 'self' ws: wss:; "                                            \
    "img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; "     \
    "form-action 'self'"
/* Sent with every response, whatever produced it. */
#define SECURITY_HEADERS                                                                           \
    "Content-Security-Policy: %s\r\n"                                                              \
    "X-Content-Type-Options: nosniff\r\n"                                                          \
    "Referrer-Policy: same-origin\r\n"                                                             \
    "X-Frame-Options: DENY\r\n"                                                                    \
    "Cross-Origin-Opener-Policy: same-origin\r\n"                                                  \
    "Keep-Alive: timeout=2\r\n" /* idle connections close after 2 s: say so */

static struct mg_context *ctx;

static int conn_socket(const struct mg_connection *conn);

double http_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *status_text(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 417:
        return "Expectation Failed";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

/* ---------------------------------------------------------------------------------------
 * Responses
 * ------------------------------------------------------------------------------------- */

/* An answer sent before the body was read closes the connection: reading the rest of a
 * body nobody wants (or waiting for it, from a slow client) would hold the worker. */
static const char *close_header(struct req *r)
{
    if (!r->close && r->ri && http_has_body(r) && !r->body_done)
        http_close_after(r);
    return r->close ? "Connection: close\r\n" : "";
}

int http_send_head(struct req *r, int status, const char *content_type, const char *extra_headers,
                   long long content_length)
{
    char head[2048];
    char len[48] = "";
    if (content_length >= 0)
        snprintf(len, sizeof len, "Content-Length: %lld\r\n", content_length);
    else
        http_close_after(r); /* the body ends with the connection */
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\n"
                     "Content-Type: %s\r\n"
                     "%s" SECURITY_HEADERS "%s%s%s\r\n",
                     status, status_text(status), content_type, len, r->csp ? r->csp : DEFAULT_CSP,
                     extra_headers ? extra_headers : "", r->headers_out ? r->headers_out : "",
                     close_header(r));
    r->status = status;
    if (n < 0 || (size_t)n >= sizeof head) /* extra headers too long: a programming error */
        return status;
    mg_write(r->conn, head, (size_t)n);
    return status;
}

int http_send(struct req *r, int status, const char *content_type, const char *extra_headers,
              const void *body, size_t len)
{
    if (r->status) /* a response already went out; never send two */
        return r->status;
    /* A write answered: this node's caches learn of what it changed (and committed)
     * before the client can send its next request. */
    if (status < 400 && r->ri && r->ri->request_method &&
        strcmp(r->ri->request_method, "GET") != 0 && strcmp(r->ri->request_method, "HEAD") != 0)
        epoch_sync();
    /* One write: a second syscall costs more than the copy, and two segments per
     * response cost the client a second wake-up. */
    char buf[4096];
    char lenhdr[48];
    snprintf(lenhdr, sizeof lenhdr, "Content-Length: %zu\r\n", len);
    int n = snprintf(buf, sizeof buf,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n%s" SECURITY_HEADERS "%s%s%s\r\n",
                     status, status_text(status), content_type, lenhdr, r->csp ? r->csp : DEFAULT_CSP,
                     extra_headers ? extra_headers : "", r->headers_out ? r->headers_out : "",
                     close_header(r));
    r->status = status;
    if (n < 0 || (size_t)n >= sizeof buf)
        return status;
    if (r->ri && r->ri->request_method && strcmp(r->ri->request_method, "HEAD") == 0)
        len = 0; /* the headers say how long the body would be; none follows */
    if ((size_t)n + len <= sizeof buf) {
        if (len)
            memcpy(buf + n, body, len);
        mg_write(r->conn, buf, (size_t)n + len);
    } else {
        char *all = arena_alloc(&r->arena, (size_t)n + len);
        if (all) {
            memcpy(all, buf, (size_t)n);
            memcpy(all + n, body, len);
            mg_write(r->conn, all, (size_t)n + len);
        } else {
            mg_write(r->conn, buf, (size_t)n);
            mg_write(r->conn, body, len);
        }
    }
    r->sent = (long long)len;
    return status;
}

static int json_with_headers(struct req *r, int status, json_t *body, const char *extra)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    char headers[512];
    snprintf(headers, sizeof headers, "Cache-Control: no-store\r\n%s", extra ? extra : "");
    if (!text) {
        static const char oom[] =
            "{\"error\":{\"code\":\"internal\",\"message\":\"Internal error\"}}";
        r->error_code = "internal";
        return http_send(r, 500, "application/json", headers, oom, sizeof oom - 1);
    }
    int rc = http_send(r, status, "application/json", headers, text, strlen(text));
    free(text);
    return rc;
}

int http_json(struct req *r, int status, json_t *body)
{
    return json_with_headers(r, status, body, NULL);
}

int http_error_headers(struct req *r, int status, const char *code, const char *message,
                       const char *field, const char *extra_headers)
{
    json_t *err = json_pack("{s:s, s:s}", "code", code, "message", message);
    if (err && field)
        json_object_set_new(err, "field", json_string(field));
    r->error_code = code;
    return json_with_headers(r, status, err ? json_pack("{s:o}", "error", err) : NULL,
                             extra_headers);
}

int http_error(struct req *r, int status, const char *code, const char *message, const char *field)
{
    return http_error_headers(r, status, code, message, field, NULL);
}

int http_db_error(struct req *r)
{
    int err = db_errno();
    if (db_errno_is_down(err))
        return http_error_headers(r, 503, "service_unavailable",
                                  "The database is unavailable; try again shortly", NULL,
                                  "Retry-After: 2\r\n");
    if (db_errno_is_retryable(err))
        return http_error_headers(r, 503, "service_unavailable", "The server is busy; try again",
                                  NULL, "Retry-After: 1\r\n");
    log_error("database error %d on %s %s: %s", err, r->ri ? r->ri->request_method : "?",
              r->path ? r->path : "?", db_error());
    return http_error(r, 500, "internal", "Internal error", NULL);
}

int http_json_found(struct req *r, json_t *found, const char *missing)
{
    if (found)
        return http_json(r, 200, found);
    if (db_errno())
        return http_db_error(r);
    return http_error(r, 404, "not_found", missing, NULL);
}

/* ---------------------------------------------------------------------------------------
 * Paths and routes
 * ------------------------------------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int http_path_normalize(const char *raw, char *out, size_t outsize)
{
    if (!raw || raw[0] != '/' || outsize < 2)
        return -1;
    size_t o = 0;
    /* Segments are decoded one at a time so "%2e%2e" and "%2f" are seen as what they
     * decode to: ".." climbs (and is checked), an encoded slash is refused. */
    const char *p = raw;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        size_t seg_start = o;
        if (o + 1 >= outsize)
            return -1;
        out[o++] = '/';
        for (; *p && *p != '/'; p++) {
            int c = (unsigned char)*p;
            if (c == '%') {
                int hi = hexval((unsigned char)p[1]),
                    lo = hi < 0 ? -1 : hexval((unsigned char)p[2]);
                if (hi < 0 || lo < 0)
                    return -1;
                c = hi * 16 + lo;
                p += 2;
                if (c == '/' || c == '\\')
                    return -1;
            }
            if (c < 0x20 || c == 0x7f)
                return -1; /* NUL, CR, LF and friends */
            if (o + 1 >= outsize)
                return -1;
            out[o++] = (char)c;
        }
        size_t seg_len = o - seg_start - 1;
        const char *seg = out + seg_start + 1;
        if (seg_len == 1 && seg[0] == '.') {
            o = seg_start;
        } else if (seg_len == 2 && seg[0] == '.' && seg[1] == '.') {
            if (seg_start == 0)
                return -1; /* above the root */
            o = seg_start;
            while (o > 0 && out[o - 1] != '/')
                o--;
            o--; /* drop the previous segment and its slash */
        }
    }
    /* Keep a trailing slash: "/app/" and "/app" differ for the static handler. */
    size_t rl = strlen(raw);
    if (o == 0 || (rl > 1 && raw[rl - 1] == '/' && out[o - 1] != '/')) {
        if (o + 1 >= outsize)
            return -1;
        out[o++] = '/';
    }
    out[o] = '\0';
    return 0;
}

int http_route_match(const char *pattern, const char *path, struct req *r)
{
    const char *p = pattern, *s = path;
    int n = 0;
    while (*p && *s) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            const char *seg_end = strchr(s, '/');
            if (!close)
                return 0;
            if (!seg_end)
                seg_end = s + strlen(s);
            if (seg_end == s || n >= HTTP_MAX_PARAMS)
                return 0;
            if (r) {
                r->param_name[n] = arena_strndup(&r->arena, p + 1, (size_t)(close - p - 1));
                r->param[n] = arena_strndup(&r->arena, s, (size_t)(seg_end - s));
            }
            n++;
            p = close + 1;
            s = seg_end;
            continue;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    if (*p || *s)
        return 0;
    if (r)
        r->nparam = n;
    return 1;
}

const struct route *http_route_find(const char *method, const char *path, struct req *r,
                                    bool *path_known, char *allow, size_t allowsize)
{
    *path_known = false;
    if (allow && allowsize)
        allow[0] = '\0';
    const struct route *found = NULL;
    for (size_t i = 0; i < http_routes_count; i++) {
        const struct route *rt = &http_routes[i];
        if (!http_route_match(rt->pattern, path, NULL))
            continue;
        if (strcmp(rt->method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0)) {
            if (!found)
                found = rt;
        }
        *path_known = true;
        if (allow && !strstr(allow, rt->method)) {
            size_t l = strlen(allow);
            snprintf(allow + l, allowsize - l, "%s%s", l ? ", " : "", rt->method);
        }
    }
    if (found && r)
        http_route_match(found->pattern, path, r);
    return found;
}

int http_routes_print(FILE *out)
{
    static const struct {
        unsigned bit;
        const char *name;
    } realms[] = {{REALM_ANON, "anonymous"},
                  {REALM_EMPLOYEE, "employee"},
                  {REALM_CUSTOMER, "customer"},
                  {REALM_PARTNER, "partner"}};
    static const char *const roles[] = {"none", "member", "manager", "admin"};
    int rc = 0;
    json_t *arr = json_array();
    for (size_t i = 0; i < http_routes_count; i++) {
        const struct route *rt = &http_routes[i];
        json_t *names = json_array();
        for (size_t k = 0; k < sizeof realms / sizeof realms[0]; k++)
            if (rt->realms & realms[k].bit)
                json_array_append_new(names, json_string(realms[k].name));
        if (!rt->realms || ((rt->realms & REALM_EMPLOYEE) && rt->realms != REALM_ALL &&
                            rt->min_role == ROLE_NONE)) {
            fprintf(stderr, "route %s %s has no access rule\n", rt->method, rt->pattern);
            rc = 1;
        }
        json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:s, s:b, s:b}", "method", rt->method,
                                             "pattern", rt->pattern, "realms", names, "min_role",
                                             roles[rt->min_role], "raw_body",
                                             (rt->flags & ROUTE_RAW_BODY) != 0, "csrf",
                                             !(rt->flags & ROUTE_NO_CSRF)));
    }
    json_dumpf(arr, out, JSON_INDENT(1));
    fputc('\n', out);
    json_decref(arr);
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Request helpers
 * ------------------------------------------------------------------------------------- */

const char *http_param(struct req *r, const char *name)
{
    for (int i = 0; i < r->nparam; i++)
        if (strcmp(r->param_name[i], name) == 0)
            return r->param[i];
    return NULL;
}

long long http_param_id(struct req *r, const char *name)
{
    const char *v = http_param(r, name);
    if (!v || !*v || strlen(v) > 18)
        return 0;
    long long n = 0;
    for (const char *p = v; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return 0;
        n = n * 10 + (*p - '0');
    }
    return n;
}

const char *http_query(struct req *r, const char *name)
{
    const char *qs = r->ri->query_string;
    if (!qs)
        return NULL;
    size_t qlen = strlen(qs);
    char *buf = arena_alloc(&r->arena, qlen + 1);
    if (!buf)
        return NULL;
    int n = mg_get_var(qs, qlen, name, buf, qlen + 1);
    return n >= 0 ? buf : NULL;
}

const char *http_header(struct req *r, const char *name)
{
    return mg_get_header(r->conn, name);
}

int http_page_args(struct req *r, int def, int max, int *limit, long long *before)
{
    const char *l = http_query(r, "limit"), *b = http_query(r, "before");
    *limit = def;
    *before = 0;
    if (l) {
        char *end;
        long v = strtol(l, &end, 10);
        if (!*l || *end || v < 1 || v > max) {
            char msg[80];
            snprintf(msg, sizeof msg, "limit must be a whole number from 1 to %d", max);
            http_error(r, 400, "validation_failed", msg, "limit");
            return -1;
        }
        *limit = (int)v;
    }
    if (b) {
        char *end;
        long long v = strtoll(b, &end, 10);
        if (!*b || *end || v < 1) {
            http_error(r, 400, "validation_failed", "before must be a positive id", "before");
            return -1;
        }
        *before = v;
    }
    return 0;
}

/* Refuses the first key of obj that no field declares: 400 unknown_field naming it (with
 * where's prefix), the message listing what the object takes. Returns 0 or -1. */
static int refuse_unknown_keys(struct req *r, json_t *obj, const char *where,
                               const struct field *fields, size_t n)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        size_t i = 0;
        while (i < n && strcmp(fields[i].name, key) != 0)
            i++;
        if (i < n)
            continue;
        size_t cap = 96;
        for (i = 0; i < n; i++)
            cap += strlen(fields[i].name) + 2;
        char *takes = arena_alloc(&r->arena, cap);
        if (!takes)
            return http_error(r, 503, "service_unavailable", "Out of memory, try again", NULL), -1;
        size_t len = 0;
        takes[0] = '\0';
        for (i = 0; i < n; i++)
            len += (size_t)snprintf(takes + len, cap - len, "%s%s", i ? ", " : "", fields[i].name);
        /* The key is the caller's text: keep it short in the message, whole in field. */
        const char *name = arena_printf(&r->arena, "%s%s", where, key);
        const char *msg = n ? arena_printf(&r->arena, "Unknown field %.80s; %s takes: %s", name,
                                           *where ? "this item" : "this route", takes)
                            : arena_printf(&r->arena, "Unknown field %.80s; %s takes no fields",
                                           name, *where ? "this item" : "this route");
        http_error(r, 400, "unknown_field", msg ? msg : "Unknown field", name);
        return -1;
    }
    return 0;
}

/* http_fields for obj, the field names prefixed with where ("" at the top, "items[2]."
 * inside an array) in errors. */
static int check_fields(struct req *r, json_t *obj, const char *where, const struct field *fields,
                        size_t n)
{
    char msg[300];
    if (refuse_unknown_keys(r, obj, where, fields, n) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const struct field *f = &fields[i];
        const char *name = *where ? arena_printf(&r->arena, "%s%s", where, f->name) : f->name;
        if (!name)
            name = f->name;
        json_t *v = json_object_get(obj, f->name);
        if (f->present)
            *f->present = v && !json_is_null(v);
        if (f->type == FIELD_JSON) {
            /* The handler checks the value; JSON null is handed over too (it may mean
             * "clear"). */
            if (!v && f->required) {
                snprintf(msg, sizeof msg, "%s is required", name);
                http_error(r, 400, "validation_failed", msg, name);
                return -1;
            }
            if (v)
                *(json_t **)f->out = v;
            continue;
        }
        if (!v || (json_is_null(v) && !f->required)) {
            if (f->required) {
                snprintf(msg, sizeof msg, "%s is required", name);
                http_error(r, 400, "validation_failed", msg, name);
                return -1;
            }
            continue;
        }
        switch (f->type) {
        case FIELD_STRING:
        case FIELD_TEXT: {
            if (!json_is_string(v))
                goto wrong_type;
            const char *sv = json_string_value(v);
            size_t len = json_string_length(v);
            if (strlen(sv) != len) {
                snprintf(msg, sizeof msg, "%s must not contain NUL characters", name);
                http_error(r, 400, "validation_failed", msg, name);
                return -1;
            }
            while (len && isspace((unsigned char)*sv))
                sv++, len--;
            while (len && isspace((unsigned char)sv[len - 1]))
                len--;
            if (f->type == FIELD_STRING && len == 0 && f->required) {
                snprintf(msg, sizeof msg, "%s must not be empty", name);
                http_error(r, 400, "validation_failed", msg, name);
                return -1;
            }
            char *copy = arena_strndup(&r->arena, sv, len);
            size_t max = f->max ? f->max : 1000;
            if (!copy || utf8_chars(copy) > max) {
                snprintf(msg, sizeof msg, "%s is longer than %zu characters", name, max);
                http_error(r, 400, "validation_failed", msg, name);
                return -1;
            }
            *(const char **)f->out = copy;
            break;
        }
        case FIELD_INT:
        case FIELD_ID:
            if (!json_is_integer(v))
                goto wrong_type;
            if (f->type == FIELD_ID && json_integer_value(v) < 1) {
                snprintf(msg, sizeof msg, "%s must be a positive id", name);
                http_error(r, 400, "validation_failed", msg, name);
                return -1;
            }
            *(long long *)f->out = json_integer_value(v);
            break;
        case FIELD_BOOL:
            if (!json_is_boolean(v))
                goto wrong_type;
            *(int *)f->out = json_is_true(v);
            break;
        case FIELD_ARRAY:
            if (!json_is_array(v))
                goto wrong_type;
            *(json_t **)f->out = v;
            break;
        case FIELD_JSON:
            break; /* handled above */
        }
        continue;
    wrong_type:
        snprintf(msg, sizeof msg, "%s must be %s", name,
                 f->type == FIELD_BOOL                         ? "true or false"
                 : f->type == FIELD_INT || f->type == FIELD_ID ? "a whole number"
                 : f->type == FIELD_ARRAY                      ? "an array"
                                                               : "a string");
        http_error(r, 400, "validation_failed", msg, name);
        return -1;
    }
    return 0;
}

int http_fields(struct req *r, json_t *body, const struct field *fields, size_t n)
{
    if (body == r->body)
        r->fields_declared = true;
    return check_fields(r, body, "", fields, n);
}

int http_item_fields(struct req *r, json_t *item, const char *array, size_t index,
                     const struct field *fields, size_t n)
{
    const char *where = arena_printf(&r->arena, "%s[%zu].", array, index);
    if (!where)
        return http_error(r, 503, "service_unavailable", "Out of memory, try again", NULL), -1;
    if (!json_is_object(item)) {
        const char *name = arena_printf(&r->arena, "%s[%zu]", array, index);
        http_error(r, 400, "validation_failed",
                   arena_printf(&r->arena, "%s must be an object", name), name);
        return -1;
    }
    return check_fields(r, item, where, fields, n);
}

int http_no_fields(struct req *r)
{
    /* The browser's api.js says application/json on every write, body or not: only a
     * body that is there is parsed (and must be empty). */
    if (!http_has_body(r))
        return 0;
    json_t *body = http_json_body(r);
    if (!body)
        return -1;
    r->fields_declared = true;
    return check_fields(r, body, "", NULL, 0);
}

json_t *http_id_body(struct req *r, const char *missing, long long *id)
{
    *id = http_param_id(r, "id");
    if (!*id) {
        http_error(r, 404, "not_found", missing, NULL);
        return NULL;
    }
    return http_json_body(r);
}

static bool is_json_type(const char *ct)
{
    if (!ct)
        return false;
    while (*ct == ' ')
        ct++;
    size_t n = strlen("application/json");
    return strncasecmp(ct, "application/json", n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* CivetWeb reports content_length -1 both for a chunked body and for no Content-Length
 * at all; only the first has a body. */
bool http_has_body(struct req *r)
{
    if (!r->ri)
        return false;
    if (r->ri->content_length > 0)
        return true;
    const char *te = http_header(r, "Transfer-Encoding");
    return r->ri->content_length < 0 && te && strcasecmp(te, "chunked") == 0;
}

/* CivetWeb has no call that closes a server connection, but mg_send_http_error() with a
 * status below 100 marks it to close and, with on_http_error() declining such a status
 * and no error pages configured, sends nothing: its own response code refuses a status
 * under 100 before writing a byte (response.inl in 1.15). The connection then closes
 * after begin_request returns, without draining the unread body. */
#define HTTP_MARK_CLOSE 99

void http_close_after(struct req *r)
{
    if (r->close)
        return;
    r->close = true;
    if (r->conn)
        mg_send_http_error(r->conn, HTTP_MARK_CLOSE, "%s", "close");
}

int http_read(struct req *r, void *buf, size_t len)
{
    if (r->body_done || !len)
        return 0;
    if (!r->body_started) {
        r->body_started = true;
        /* The client waits for this before sending; the answer's promise is that
         * the body will be read (an error answered instead closes the connection). */
        const char *expect = http_header(r, "Expect");
        if (expect && strcasecmp(expect, "100-continue") == 0) {
            static const char go_on[] = "HTTP/1.1 100 Continue\r\n\r\n";
            mg_write(r->conn, go_on, sizeof go_on - 1);
        }
    }
    /* Header and first bytes within the request timeout, then at least the minimum
     * rate on average: a body sent a byte a second is cut, a slow phone's upload is not. */
    double allowed = config.request_timeout_ms / 1000.0 +
                     (double)r->body_read / (double)(config.body_min_rate ? config.body_min_rate : 1);
    if (http_now() - r->started > allowed) {
        r->error_code = "request_timeout";
        http_close_after(r);
        return -1;
    }
    int n = mg_read(r->conn, buf, len);
    if (n > 0) {
        r->body_read += n;
        if (r->ri->content_length >= 0 && r->body_read >= r->ri->content_length)
            r->body_done = true;
    } else if (n == 0) {
        /* The end of a chunked body, or a timeout or close before the declared length. */
        if (r->ri->content_length < 0 || r->body_read >= r->ri->content_length)
            r->body_done = true;
        else
            r->error_code = "request_timeout";
    }
    if (n < 0 || (n == 0 && !r->body_done))
        http_close_after(r);
    return n;
}

json_t *http_json_body(struct req *r)
{
    if (r->body)
        return r->body;
    if (!is_json_type(http_header(r, "Content-Type"))) {
        http_error(r, 415, "unsupported_media_type", "Send the body as application/json", NULL);
        return NULL;
    }
    long long cl = r->ri->content_length;
    if (cl > (long long)config.max_body) {
        http_error(r, 413, "payload_too_large", "The request body is too large", NULL);
        return NULL;
    }
    /* content_length is -1 for chunked bodies: read until the limit. */
    size_t cap = cl >= 0 ? (size_t)cl : 8192, len = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        http_error(r, 503, "service_unavailable", "Out of memory, try again", NULL);
        return NULL;
    }
    for (;;) {
        if (len == cap) {
            if (cl >= 0)
                break;
            if (cap >= config.max_body) {
                free(buf);
                http_error(r, 413, "payload_too_large", "The request body is too large", NULL);
                return NULL;
            }
            cap = cap * 2 > config.max_body ? config.max_body + 1 : cap * 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                http_error(r, 503, "service_unavailable", "Out of memory, try again", NULL);
                return NULL;
            }
            buf = nb;
        }
        int n = http_read(r, buf + len, cap - len);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    if (r->error_code && strcmp(r->error_code, "request_timeout") == 0) {
        free(buf);
        http_error(r, 408, "request_timeout", "The request body came too slowly", NULL);
        return NULL;
    }
    if (cl >= 0 && len < (size_t)cl) {
        free(buf);
        http_error(r, 400, "invalid_json", "The request body ended early", NULL);
        return NULL;
    }
    json_error_t jerr;
    /* Bounded first: jansson recurses, and this runs on a worker's 100 KiB stack. */
    json_t *j = jsonin_load(buf, len, JSON_REJECT_DUPLICATES, JSONIN_MAX_DEPTH, &jerr);
    free(buf);
    if (!j) {
        char msg[220];
        if (jerr.line < 0)
            snprintf(msg, sizeof msg, "The JSON body nests deeper than %d levels (at byte %d)",
                     JSONIN_MAX_DEPTH, jerr.position);
        else
            snprintf(msg, sizeof msg, "Malformed JSON at line %d, column %d: %s", jerr.line,
                     jerr.column, jerr.text);
        http_error(r, 400, "invalid_json", msg, NULL);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        http_error(r, 400, "invalid_json", "The body must be a JSON object", NULL);
        return NULL;
    }
    r->body = j;
    return j;
}

/* ---------------------------------------------------------------------------------------
 * Access log: one line per request, buffered; log_flush() runs from the main loop.
 * ------------------------------------------------------------------------------------- */

/* "... 200 1234 1.25ms 3q": status, bytes, time, database round trips. */
static void access_log(struct req *r, const char *method, const char *uri, double started,
                       unsigned long trips)
{
    if (!log_access_enabled())
        return;
    double ms = (http_now() - started) * 1000.0;
    const char *addr = http_client_addr(r);
    log_access_line("%s %.16s %.512s %d %lld %.2fms %luq%s%s", addr, method, uri, r->status, r->sent, ms,
                    db_round_trips() - trips, r->error_code ? " " : "",
                    r->error_code ? r->error_code : "");
}

/* ---------------------------------------------------------------------------------------
 * Dispatch
 * ------------------------------------------------------------------------------------- */

static bool is_api_path(const char *path)
{
    return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 ||
           strcmp(path, "/healthz") == 0 || strncmp(path, "/s/", 3) == 0 ||
           strncmp(path, "/u/", 3) == 0; /* share and upload-request links */
}

static bool is_write_method(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

static int dispatch(struct req *r)
{
    const char *method = r->ri->request_method;
    /* CivetWeb hands us request_uri without the query string, still encoded? It decodes
     * local_uri; we decode local_uri_raw ourselves so the checks see one form. */
    const char *raw = r->ri->local_uri_raw ? r->ri->local_uri_raw : r->ri->local_uri;
    size_t rawlen = raw ? strlen(raw) : 0;
    char *path = arena_alloc(&r->arena, rawlen + 2);
    if (!raw || !path || http_path_normalize(raw, path, rawlen + 2) < 0)
        return http_error(r, 400, "bad_path", "The request path is not valid", NULL);
    r->path = path;

    if (!is_api_path(path)) {
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
            return http_error_headers(r, 405, "method_not_allowed",
                                      "Only GET and HEAD are allowed here", NULL,
                                      "Allow: GET, HEAD\r\n");
        return static_serve(r);
    }

    bool known;
    char allow[128];
    const struct route *rt = http_route_find(method, path, r, &known, allow, sizeof allow);
    if (!rt) {
        if (!known)
            return http_error(r, 404, "not_found", "No such API path", NULL);
        char hdr[160], msg[160];
        snprintf(hdr, sizeof hdr, "Allow: %s\r\n", allow);
        snprintf(msg, sizeof msg, "Use one of: %s", allow);
        return http_error_headers(r, 405, "method_not_allowed", msg, NULL, hdr);
    }
    r->route = rt;

    int rc = auth_authorize(r, is_write_method(method));
    if (rc)
        return rc;
    if (is_write_method(method) && !(rt->flags & ROUTE_RAW_BODY)) {
        /* Writes carry JSON (or nothing): refuse other types before the handler runs. */
        const char *ct = http_header(r, "Content-Type");
        long long cl = r->ri->content_length;
        /* A plain DELETE has nothing to label: only a body (or a label) is checked. */
        if ((http_has_body(r) || ct) && !is_json_type(ct))
            return http_error(r, 415, "unsupported_media_type", "Send the body as application/json",
                              NULL);
        if (cl > (long long)config.max_body)
            return http_error(r, 413, "payload_too_large", "The request body is too large", NULL);
    }
    rc = rt->handler(r);
    if (!r->status) /* a handler that forgot to answer is a bug; never hang the client */
        rc = http_error(r, 500, "internal", "Internal error", NULL);
    /* Strict bodies hold only where a handler declares its keys: one that parsed a body
     * and answered without HTTP_FIELDS is a bug the route tests should have caught. */
    if (r->body && !r->fields_declared && rc < 400)
        log_error("%s %s used a JSON body without declaring its fields (HTTP_FIELDS)", method,
                  rt->pattern);
    return rc;
}

/* A connection closed with unread bytes in its receive buffer is reset, and a reset
 * makes the client's kernel drop our answer unread: a 413 for a big upload would look
 * like a broken network. So the answer is followed by our FIN, and what the client still
 * sends is read and thrown away until it closes, for at most LINGER_MS (nginx's
 * lingering close, bounded: a client sending a byte a second cannot hold the worker). */
enum { LINGER_MS = 2000 };

static void linger(const struct mg_connection *conn)
{
    int fd = conn_socket(conn);
    if (fd < 0)
        return;
    shutdown(fd, SHUT_WR);
    double until = http_now() + LINGER_MS / 1000.0;
    char sink[16384];
    for (;;) {
        int left = (int)((until - http_now()) * 1000.0);
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&pfd, 1, left) <= 0)
            break;
        ssize_t n = recv(fd, sink, sizeof sink, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            break;
    }
}

/* RFC 9110 token characters: what a header name may be made of. */
static bool is_token(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("!#$%&'*+-.^_`|~", *s))
            return false;
    return true;
}

/* Refuses every request two parsers could read two ways (RFC 9112 sections 3.2 and 6.3):
 * a body framed by both Content-Length and Transfer-Encoding, several of either, a
 * Content-Length that is not all digits, no Host (or two) on HTTP/1.1, a header name
 * that is not a token or has a space before its colon, and more headers than CivetWeb
 * keeps (it drops those past MG_MAX_HEADERS without a word). Every refusal closes the
 * connection, so bytes after this request are never read as another. Returns 0, or the
 * status sent. */
static int framing_check(struct req *r)
{
    const struct mg_request_info *ri = r->ri;
    int hosts = 0, lengths = 0, encodings = 0;
    const char *length = NULL, *expect = NULL;
    if (ri->num_headers >= MG_MAX_HEADERS) {
        r->close = true;
        char msg[80];
        snprintf(msg, sizeof msg, "A request may carry at most %d headers", MG_MAX_HEADERS - 1);
        return http_error(r, 431, "request_too_large", msg, NULL);
    }
    for (int i = 0; i < ri->num_headers; i++) {
        const char *name = ri->http_headers[i].name, *value = ri->http_headers[i].value;
        size_t nl = strlen(name);
        /* CivetWeb cuts "Name :" at the space and the colon, both now NUL; with no space
         * the byte after the colon is the value, white space or the line's end. */
        bool space_before_colon = name[nl + 1] == '\0' && value != name + nl + 1;
        if (!is_token(name) || space_before_colon) {
            r->close = true;
            return http_error(r, 400, "bad_request", "A header name is not valid", NULL);
        }
        if (strcasecmp(name, "Host") == 0)
            hosts++;
        else if (strcasecmp(name, "Content-Length") == 0)
            lengths++, length = value;
        else if (strcasecmp(name, "Transfer-Encoding") == 0)
            encodings++;
        else if (strcasecmp(name, "Expect") == 0)
            expect = value;
    }
    const char *why = NULL;
    if (lengths && encodings)
        why = "Send either Content-Length or Transfer-Encoding, not both";
    else if (lengths > 1 || encodings > 1)
        why = "Content-Length and Transfer-Encoding may each be sent once";
    else if (length && (!*length || strlen(length) > 18 || strspn(length, "0123456789") != strlen(length)))
        why = "Content-Length must be a whole number of bytes";
    else if (hosts > 1)
        why = "Send one Host header";
    else if (!hosts && ri->http_version && strcmp(ri->http_version, "1.1") == 0)
        why = "HTTP/1.1 requests need a Host header";
    if (why) {
        r->close = true;
        return http_error(r, 400, "bad_request", why, NULL);
    }
    if (expect && strcasecmp(expect, "100-continue") != 0) {
        r->close = true;
        return http_error(r, 417, "expectation_failed", "Only Expect: 100-continue is understood",
                          NULL);
    }
    return 0;
}

static int begin_request(struct mg_connection *conn)
{
    double started = http_now();
    unsigned long trips = db_round_trips();
    struct req r;
    memset(&r, 0, sizeof r);
    r.conn = conn;
    r.ri = mg_get_request_info(conn);
    r.started = started;
    arena_init(&r.arena);
    if (framing_check(&r) == 0)
        dispatch(&r);
    if (r.close || (http_has_body(&r) && !r.body_done)) {
        r.close = false; /* framing_check only flagged it: mark it in CivetWeb now */
        http_close_after(&r);
        linger(conn);
    }
    db_request_end(); /* rolls back a transaction a handler left open */
    access_log(&r, r.ri->request_method, r.ri->local_uri_raw ? r.ri->local_uri_raw : "?", started,
               trips);
    json_decref(r.body);
    auth_request_end(&r);
    arena_cleanup(&r.arena);
    return r.status ? r.status : 500;
}

/* Errors CivetWeb produces itself (header too large, bad request line): JSON too. */
static int on_http_error(struct mg_connection *conn, int status, const char *msg)
{
    struct req r;
    memset(&r, 0, sizeof r);
    r.conn = conn;
    r.ri = mg_get_request_info(conn);
    const char *code = status == 413 || status == 431 ? "request_too_large"
                       : status == 408                ? "request_timeout"
                       : status >= 500                ? "internal"
                                                      : "bad_request";
    if (status < 100)
        return 1; /* HTTP_MARK_CLOSE: CivetWeb marks the connection and sends nothing */
    char body[160];
    int n = snprintf(body, sizeof body, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}", code,
                     status == 413 || status == 431 ? "The request line or headers are too large"
                                                    : "The request could not be handled");
    r.error_code = code;
    r.close = true; /* CivetWeb closes after its own errors */
    http_send(&r, status, "application/json", NULL, body, (size_t)n);
    /* Nothing of a refused request's raw bytes goes to the log: its method and URI may be
     * anything (CR/LF to forge a line); its address and the status are ours. */
    if (log_access_enabled())
        log_access_line("%s - - %d 0 0.00ms %s", r.ri ? r.ri->remote_addr : "-", status, code);
    return 0;
}

static int on_log_message(const struct mg_connection *conn, const char *message)
{
    log_warn("civetweb: %s", message);
    return 1;
}

/* ---------------------------------------------------------------------------------------
 * Connections per client address
 *
 * CivetWeb gives each connection a worker thread for as long as it is open, so a client
 * that opens many and sends slowly would hold them all. The cap is checked when a worker
 * first takes a connection, before it reads a byte: over the cap, the worker answers 503
 * on the socket itself and shuts it down, which ends the connection in microseconds.
 *
 * CivetWeb's callbacks get no socket. The connection structure holds it right after the
 * request and response info (struct socket: the descriptor, then the local and remote
 * addresses); the descriptor is found there once by its peer address, which getpeername()
 * confirms every time, so a wrong guess can only mean "no cap", never the wrong socket.
 * ------------------------------------------------------------------------------------- */

enum { ADDR_SLOTS = 4096 };
static struct addr_slot {
    char addr[48];
    int open;
} addr_slots[ADDR_SLOTS];
static pthread_mutex_t addr_lock = PTHREAD_MUTEX_INITIALIZER;
static long sock_offset = -1; /* of the descriptor in struct mg_connection, once found */

static bool peer_of(int fd, struct sockaddr_storage *ss)
{
    socklen_t sl = sizeof *ss;
    return fd > 2 && getpeername(fd, (struct sockaddr *)ss, &sl) == 0 &&
           (ss->ss_family == AF_INET || ss->ss_family == AF_INET6);
}

/* The socket is followed by its local then remote address (union usa, the size of a
 * sockaddr_in6 at least); a descriptor whose peer matches the remote one is it. */
static bool is_conn_socket(const char *at, int fd)
{
    struct sockaddr_storage ss;
    if (!peer_of(fd, &ss))
        return false;
    size_t alen = ss.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    for (size_t off = sizeof(int); off <= 64; off += sizeof(int))
        if (memcmp(at + off, &ss, alen) == 0)
            return true;
    return false;
}

static int conn_socket(const struct mg_connection *conn)
{
    const char *base = (const char *)conn;
    long known = __atomic_load_n(&sock_offset, __ATOMIC_RELAXED);
    if (known >= 0) {
        int fd;
        memcpy(&fd, base + known, sizeof fd);
        return is_conn_socket(base + known, fd) ? fd : -1;
    }
    /* request_info starts within the first 64 bytes; the socket follows both infos and
     * at most a few pointers. */
    size_t from = sizeof(struct mg_request_info) + sizeof(struct mg_response_info);
    for (size_t off = from; off < from + 192; off += sizeof(int)) {
        int fd;
        memcpy(&fd, base + off, sizeof fd);
        if (is_conn_socket(base + off, fd)) {
            __atomic_store_n(&sock_offset, (long)off, __ATOMIC_RELAXED);
            return fd;
        }
    }
    return -1;
}

static bool addr_trusted(const char *addr)
{
    const char *list = config.trusted_proxies ? config.trusted_proxies : "";
    size_t n = strlen(addr);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ", ");
        if (len == n && strncmp(p, addr, n) == 0)
            return true;
        p += len;
        p += strspn(p, ", ");
    }
    return false;
}

const char *http_client_addr(struct req *r)
{
    if (!r->ri)
        return "-";
    if (!addr_trusted(r->ri->remote_addr))
        return r->ri->remote_addr;
    /* A proxy of ours says who its client is; anything but an address literal is ignored. */
    const char *real = http_header(r, "X-Real-IP");
    unsigned char bin[sizeof(struct in6_addr)];
    if (real && strlen(real) < 46 &&
        (inet_pton(AF_INET, real, bin) == 1 || inet_pton(AF_INET6, real, bin) == 1))
        return real;
    return r->ri->remote_addr;
}

/* The slot of addr (created when missing), or -1 when the table is full. Under addr_lock. */
static int addr_slot_of(const char *addr)
{
    unsigned h = 2166136261u;
    for (const char *p = addr; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    int free_slot = -1;
    for (int i = 0; i < ADDR_SLOTS; i++) {
        int k = (int)((h + (unsigned)i) % ADDR_SLOTS);
        if (strcmp(addr_slots[k].addr, addr) == 0)
            return k;
        if (free_slot < 0 && addr_slots[k].open == 0)
            free_slot = k;
        if (!addr_slots[k].addr[0])
            break;
    }
    if (free_slot >= 0)
        snprintf(addr_slots[free_slot].addr, sizeof addr_slots[free_slot].addr, "%s", addr);
    return free_slot;
}

static int on_init_connection(const struct mg_connection *conn, void **conn_data)
{
    *conn_data = NULL;
    if (config.conn_per_addr <= 0)
        return 0;
    int fd = conn_socket(conn);
    struct sockaddr_storage ss;
    if (fd < 0 || !peer_of(fd, &ss))
        return 0;
    char addr[48];
    const void *in = ss.ss_family == AF_INET ? (const void *)&((struct sockaddr_in *)&ss)->sin_addr
                                             : (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr;
    if (!inet_ntop(ss.ss_family, in, addr, sizeof addr) || addr_trusted(addr))
        return 0;
    pthread_mutex_lock(&addr_lock);
    int slot = addr_slot_of(addr);
    bool over = slot >= 0 && addr_slots[slot].open >= config.conn_per_addr;
    if (slot >= 0 && !over)
        addr_slots[slot].open++;
    pthread_mutex_unlock(&addr_lock);
    if (over) {
        static const char busy[] =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            "Retry-After: 5\r\nConnection: close\r\nContent-Length: 92\r\n\r\n"
            "{\"error\":{\"code\":\"too_many_connections\",\"message\":\"Too many "
            "connections from your address\"}}";
        ssize_t w = send(fd, busy, sizeof busy - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
        (void)w;
        shutdown(fd, SHUT_RDWR); /* CivetWeb's read then fails at once and it closes */
        return 0;
    }
    if (slot >= 0)
        *conn_data = &addr_slots[slot];
    return 0;
}

static void on_connection_close(const struct mg_connection *conn)
{
    struct addr_slot *slot = mg_get_user_connection_data(conn);
    if (!slot)
        return;
    pthread_mutex_lock(&addr_lock);
    if (slot->open > 0)
        slot->open--;
    pthread_mutex_unlock(&addr_lock);
    mg_set_user_connection_data((struct mg_connection *)conn, NULL);
}

static void *on_init_thread(const struct mg_context *c, int thread_type)
{
    return NULL;
}

static void on_exit_thread(const struct mg_context *c, int thread_type, void *p)
{
    db_thread_end(); /* each worker owns one MariaDB connection */
}

int http_start(void)
{
    char threads[16], timeout[16];
    snprintf(threads, sizeof threads, "%d", config.threads);
    snprintf(timeout, sizeof timeout, "%d", config.request_timeout_ms);
    const char *options[] = {
        "listening_ports",
        config.http_listen,
        "num_threads",
        threads,
        "request_timeout_ms",
        timeout,
        "enable_keep_alive",
        "yes",
        "keep_alive_timeout_ms",
        "2000", /* an idle keep-alive connection holds a worker */
        "max_request_size",
        "16384",
        "decode_url",
        "no",
        "tcp_nodelay",
        "1",
        NULL,
    };
    struct mg_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.begin_request = begin_request;
    cb.http_error = on_http_error;
    cb.log_message = on_log_message;
    cb.init_thread = on_init_thread;
    cb.exit_thread = on_exit_thread;
    cb.init_connection = on_init_connection;
    cb.connection_close = on_connection_close;
    mg_init_library(0);
    ctx = mg_start(&cb, NULL, options);
    if (!ctx) {
        log_error("cannot listen on %s (in use, or not a host:port?)", config.http_listen);
        return -1;
    }
    return 0;
}

void http_stop(void)
{
    if (ctx)
        mg_stop(ctx);
    ctx = NULL;
    mg_exit_library();
}
