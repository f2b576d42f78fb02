/* db.c - one MariaDB connection per thread (CivetWeb workers, scheduler, gateway),
 * a per-thread cache of prepared statements, transactions with retries. */
#include "db.h"

#include <errno.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

#define STMT_CACHE 128
#define MAX_ARGS   48

struct cached_stmt {
    const char *sql; /* key: the static string's address */
    MYSQL_STMT *stmt;
};

struct dbconn {
    MYSQL *mysql;
    bool in_tx;
    int nstmts;
    struct cached_stmt stmts[STMT_CACHE];
};

static _Thread_local struct dbconn *tl;
static _Thread_local int last_errno;
static _Thread_local char last_error[256];
static _Thread_local long long last_insert_id, last_affected;
static _Thread_local unsigned long round_trips; /* statements, BEGIN, COMMIT, ROLLBACK sent */

/* What runs once this thread's transaction ends (db_on_commit). */
#define ON_COMMIT_MAX 8
static _Thread_local struct {
    void (*fn)(void *arg, bool committed);
    void *arg;
} on_commit[ON_COMMIT_MAX];
static _Thread_local int on_commit_n;

static void on_commit_run(bool committed)
{
    int n = on_commit_n;
    on_commit_n = 0; /* a callback may open a transaction of its own */
    for (int i = 0; i < n; i++)
        on_commit[i].fn(on_commit[i].arg, committed);
}

/* Parsed PORTAL_DB_URL. */
static struct {
    char user[128], pass[256], host[256], db[128], socket[1024];
    unsigned port;
} target;

/* ---------------------------------------------------------------------------------------
 * Connection
 * ------------------------------------------------------------------------------------- */

static void pct_decode(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (*s == '%' && s[1] && s[2]) {
            char hex[3] = {s[1], s[2], 0};
            char *end;
            long v = strtol(hex, &end, 16);
            if (!*end) {
                *o++ = (char)v;
                s += 2;
                continue;
            }
        }
        *o++ = *s;
    }
    *o = '\0';
}

/* mariadb://user:pass@host:port/db?socket=/path ; empty url = private server. */
static int parse_url(const char *url)
{
    memset(&target, 0, sizeof target);
    if (!url || !*url) {
        snprintf(target.user, sizeof target.user, "root");
        snprintf(target.db, sizeof target.db, "portal");
        snprintf(target.host, sizeof target.host, "localhost");
        snprintf(target.socket, sizeof target.socket, "%s/mariadb/mysqld.sock", config.data_dir);
        return 0;
    }
    const char *p = url;
    if (strncmp(p, "mariadb://", 10) == 0)
        p += 10;
    else if (strncmp(p, "mysql://", 8) == 0)
        p += 8;
    else
        return -1;
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", p);
    char *query = strchr(buf, '?');
    if (query) {
        *query++ = '\0';
        for (char *kv = strtok(query, "&"); kv; kv = strtok(NULL, "&"))
            if (strncmp(kv, "socket=", 7) == 0) {
                snprintf(target.socket, sizeof target.socket, "%s", kv + 7);
                pct_decode(target.socket);
            }
    }
    char *hostpart = buf;
    char *at = strrchr(buf, '@');
    if (at) {
        *at = '\0';
        hostpart = at + 1;
        char *colon = strchr(buf, ':');
        if (colon) {
            *colon = '\0';
            snprintf(target.pass, sizeof target.pass, "%s", colon + 1);
            pct_decode(target.pass);
        }
        snprintf(target.user, sizeof target.user, "%s", buf);
        pct_decode(target.user);
    }
    char *slash = strchr(hostpart, '/');
    if (!slash || !slash[1])
        return -1;
    *slash = '\0';
    snprintf(target.db, sizeof target.db, "%s", slash + 1);
    char *colon = strrchr(hostpart, ':');
    if (colon) {
        *colon = '\0';
        target.port = (unsigned)atoi(colon + 1);
    }
    snprintf(target.host, sizeof target.host, "%s", *hostpart ? hostpart : "localhost");
    return 0;
}

int db_global_init(void)
{
    if (mysql_library_init(0, NULL, NULL)) {
        log_error("cannot initialise the MariaDB client library");
        return -1;
    }
    if (parse_url(config.db_url) < 0) {
        log_error("PORTAL_DB_URL must look like mariadb://user:pass@host:port/db");
        return -1;
    }
    return 0;
}

void db_global_cleanup(void)
{
    mysql_library_end();
}

static void set_error(int err, const char *msg)
{
    last_errno = err;
    snprintf(last_error, sizeof last_error, "%s", msg ? msg : "");
}

static void conn_close(void)
{
    if (!tl)
        return;
    if (tl->in_tx)
        on_commit_run(false);
    for (int i = 0; i < tl->nstmts; i++)
        mysql_stmt_close(tl->stmts[i].stmt);
    if (tl->mysql)
        mysql_close(tl->mysql);
    free(tl);
    tl = NULL;
}

void db_thread_end(void)
{
    conn_close();
    mysql_thread_end();
}

static struct dbconn *conn_get(void)
{
    if (tl)
        return tl;
    struct dbconn *c = calloc(1, sizeof *c);
    if (!c) {
        set_error(CR_OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    mysql_thread_init();
    c->mysql = mysql_init(NULL);
    unsigned timeout = (unsigned)config.db_timeout_s, rw_timeout = 30;
    mysql_optionsv(c->mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_optionsv(c->mysql, MYSQL_OPT_READ_TIMEOUT, &rw_timeout);
    mysql_optionsv(c->mysql, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout);
    mysql_optionsv(c->mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_optionsv(c->mysql, MYSQL_INIT_COMMAND,
                   "SET time_zone='+00:00', sql_mode='STRICT_ALL_TABLES,NO_ZERO_DATE,"
                   "NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO'");
    mysql_optionsv(c->mysql, MYSQL_INIT_COMMAND,
                   "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
    if (!mysql_real_connect(c->mysql, target.socket[0] ? "localhost" : target.host, target.user,
                            target.pass[0] ? target.pass : NULL, target.db, target.port,
                            target.socket[0] ? target.socket : NULL, CLIENT_MULTI_STATEMENTS)) {
        set_error((int)mysql_errno(c->mysql), mysql_error(c->mysql));
        mysql_close(c->mysql);
        free(c);
        return NULL;
    }
    tl = c;
    return c;
}

bool db_errno_is_down(int err)
{
    return err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST || err == CR_CONNECTION_ERROR ||
           err == CR_CONN_HOST_ERROR || err == CR_SERVER_LOST_EXTENDED ||
           err == ER_SERVER_SHUTDOWN || err == ER_CONNECTION_KILLED || err == CR_UNKNOWN_HOST ||
           err == 1927 /* ER_CONNECTION_KILLED in older headers */ || err == ER_BAD_DB_ERROR ||
           err == ER_ACCESS_DENIED_ERROR || err == 1047 /* WSREP has not yet prepared node */;
}

bool db_errno_is_retryable(int err)
{
    return err == ER_LOCK_DEADLOCK || err == ER_LOCK_WAIT_TIMEOUT;
}

int db_errno(void)
{
    return last_errno;
}

void db_fail(int err, const char *message)
{
    set_error(err, message);
}

const char *db_error(void)
{
    return last_error;
}

long long db_insert_id(void)
{
    return last_insert_id;
}

long long db_affected(void)
{
    return last_affected;
}

/* ---------------------------------------------------------------------------------------
 * Statements
 * ------------------------------------------------------------------------------------- */

/* Closes a cached statement and drops it from the cache: its next use prepares it anew. */
static void stmt_forget(struct dbconn *c, MYSQL_STMT *st)
{
    for (int i = 0; i < c->nstmts; i++)
        if (c->stmts[i].stmt == st) {
            mysql_stmt_close(st);
            memmove(c->stmts + i, c->stmts + i + 1,
                    sizeof(c->stmts[0]) * (size_t)(c->nstmts - i - 1));
            c->nstmts--;
            return;
        }
}

static MYSQL_STMT *stmt_get(struct dbconn *c, const char *sql)
{
    for (int i = 0; i < c->nstmts; i++)
        if (c->stmts[i].sql == sql)
            return c->stmts[i].stmt;
    MYSQL_STMT *st = mysql_stmt_init(c->mysql);
    if (!st) {
        set_error((int)mysql_errno(c->mysql), mysql_error(c->mysql));
        return NULL;
    }
    if (mysql_stmt_prepare(st, sql, strlen(sql))) {
        set_error((int)mysql_stmt_errno(st), mysql_stmt_error(st));
        if (!db_errno_is_down(last_errno))
            log_error("prepare failed (%d %s): %s", last_errno, last_error, sql);
        mysql_stmt_close(st);
        return NULL;
    }
    if (c->nstmts == STMT_CACHE) /* full: forget the oldest */
        stmt_forget(c, c->stmts[0].stmt);
    c->stmts[c->nstmts].sql = sql;
    c->stmts[c->nstmts].stmt = st;
    c->nstmts++;
    return st;
}

struct args {
    MYSQL_BIND bind[MAX_ARGS];
    long long ints[MAX_ARGS];
    double dbls[MAX_ARGS];
    unsigned long lens[MAX_ARGS];
    int n;
};

static int collect_args(struct args *a, const char *types, va_list ap)
{
    memset(a, 0, sizeof *a);
    for (const char *t = types ? types : ""; *t; t++) {
        if (a->n == MAX_ARGS)
            return -1;
        MYSQL_BIND *b = &a->bind[a->n];
        switch (*t) {
        case 'i':
            a->ints[a->n] = va_arg(ap, long long);
            b->buffer_type = MYSQL_TYPE_LONGLONG;
            b->buffer = &a->ints[a->n];
            break;
        case 'I': /* an id where 0 means none: binds NULL */
            a->ints[a->n] = va_arg(ap, long long);
            b->buffer_type = a->ints[a->n] ? MYSQL_TYPE_LONGLONG : MYSQL_TYPE_NULL;
            b->buffer = &a->ints[a->n];
            break;
        case 'd':
            a->dbls[a->n] = va_arg(ap, double);
            b->buffer_type = MYSQL_TYPE_DOUBLE;
            b->buffer = &a->dbls[a->n];
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) {
                b->buffer_type = MYSQL_TYPE_NULL;
                break;
            }
            b->buffer_type = MYSQL_TYPE_STRING;
            b->buffer = (void *)s;
            a->lens[a->n] = (unsigned long)strlen(s);
            b->buffer_length = a->lens[a->n];
            b->length = &a->lens[a->n];
            break;
        }
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t len = va_arg(ap, size_t);
            b->buffer_type = MYSQL_TYPE_BLOB;
            b->buffer = (void *)p;
            a->lens[a->n] = (unsigned long)len;
            b->buffer_length = a->lens[a->n];
            b->length = &a->lens[a->n];
            break;
        }
        case 'n':
            b->buffer_type = MYSQL_TYPE_NULL;
            break;
        default:
            return -1;
        }
        a->n++;
    }
    return 0;
}

/* Runs one statement; with a non-NULL arena also fetches its rows into *out. */
static int run(struct arena *ar, struct db_res **out, const char *sql, struct args *a)
{
    last_errno = 0; /* db_errno() speaks of the latest statement only */
    struct dbconn *c = conn_get();
    if (!c)
        return -1;
    MYSQL_STMT *st = stmt_get(c, sql);
    if (!st)
        return -1;
    if (mysql_stmt_param_count(st) != (unsigned long)a->n) {
        set_error(CR_INVALID_PARAMETER_NO, "wrong number of arguments");
        log_error("statement wants %lu arguments, got %d: %s", mysql_stmt_param_count(st), a->n,
                  sql);
        return -1;
    }
    round_trips++;
    if ((a->n && mysql_stmt_bind_param(st, a->bind)) || mysql_stmt_execute(st)) {
        set_error((int)mysql_stmt_errno(st), mysql_stmt_error(st));
        return -1;
    }
    last_affected = (long long)mysql_stmt_affected_rows(st);
    last_insert_id = (long long)mysql_stmt_insert_id(st);
    MYSQL_RES *meta = mysql_stmt_result_metadata(st);
    if (!meta) {
        if (out)
            *out = NULL;
        return 0;
    }
    int rc = -1;
    int ncols = (int)mysql_num_fields(meta);
    MYSQL_FIELD *fields = mysql_fetch_fields(meta);
    struct db_res *res = NULL;
    MYSQL_BIND *binds = calloc((size_t)ncols, sizeof *binds);
    unsigned long *lens = calloc((size_t)ncols, sizeof *lens);
    my_bool *nulls = calloc((size_t)ncols, sizeof *nulls);
    char *cells = malloc((size_t)ncols * 256);
    if (!binds || !lens || !nulls || !cells)
        goto out;
    for (int i = 0; i < ncols; i++) {
        binds[i].buffer_type = MYSQL_TYPE_STRING;
        binds[i].buffer = cells + i * 256;
        binds[i].buffer_length = 255;
        binds[i].length = &lens[i];
        binds[i].is_null = &nulls[i];
    }
    if (mysql_stmt_bind_result(st, binds) || mysql_stmt_store_result(st)) {
        set_error((int)mysql_stmt_errno(st), mysql_stmt_error(st));
        goto out;
    }
    if (ar) {
        res = arena_alloc(ar, sizeof *res);
        int nrows = (int)mysql_stmt_num_rows(st);
        res->ncols = ncols;
        res->nrows = 0;
        res->names = arena_alloc(ar, sizeof(char *) * (size_t)ncols);
        res->rows = arena_alloc(ar, sizeof(char **) * (size_t)(nrows ? nrows : 1));
        res->lens = arena_alloc(ar, sizeof(unsigned long *) * (size_t)(nrows ? nrows : 1));
        for (int i = 0; i < ncols; i++)
            res->names[i] = arena_strdup(ar, fields[i].name);
        for (;;) {
            int f = mysql_stmt_fetch(st);
            if (f == MYSQL_NO_DATA)
                break;
            if (f == 1) {
                set_error((int)mysql_stmt_errno(st), mysql_stmt_error(st));
                goto out;
            }
            char **row = arena_alloc(ar, sizeof(char *) * (size_t)ncols);
            unsigned long *rl = arena_alloc(ar, sizeof(unsigned long) * (size_t)ncols);
            for (int i = 0; i < ncols; i++) {
                rl[i] = lens[i];
                if (nulls[i]) {
                    row[i] = NULL;
                } else if (lens[i] <= 255) {
                    row[i] = arena_strndup(ar, binds[i].buffer, lens[i]);
                } else { /* truncated: fetch the whole cell */
                    row[i] = arena_alloc(ar, lens[i] + 1);
                    MYSQL_BIND one;
                    memset(&one, 0, sizeof one);
                    one.buffer_type = MYSQL_TYPE_STRING;
                    one.buffer = row[i];
                    one.buffer_length = lens[i] + 1;
                    if (mysql_stmt_fetch_column(st, &one, (unsigned)i, 0)) {
                        set_error((int)mysql_stmt_errno(st), mysql_stmt_error(st));
                        goto out;
                    }
                    row[i][lens[i]] = '\0';
                }
            }
            res->rows[res->nrows] = row;
            res->lens[res->nrows] = rl;
            res->nrows++;
        }
    }
    rc = 0;
out:
    mysql_stmt_free_result(st);
    mysql_free_result(meta);
    free(binds);
    free(lens);
    free(nulls);
    free(cells);
    /* A result that failed part way (a locking read whose columns and first rows came
     * before it met a deadlock or a lock wait timeout on the next row) leaves Connector/C's
     * statement looking as if rows were still coming, even after mysql_stmt_free_result:
     * its next mysql_stmt_execute first waits for the rest of that result, which the
     * server never sends, until MYSQL_OPT_READ_TIMEOUT (30 s) drops the connection. db_tx
     * runs the same statement again right after a deadlock, so concurrent card moves hung
     * for 30 s. A fresh statement has no such state: close this one, prepare it anew. */
    if (rc < 0)
        stmt_forget(c, st);
    if (out)
        *out = rc == 0 ? res : NULL;
    return rc;
}

/* A statement outside a transaction that finds the connection gone reconnects and
 * runs once more; inside one the transaction is lost and db_tx retries it whole. */
static int run_retry(struct arena *ar, struct db_res **out, const char *sql, struct args *a)
{
    int rc = run(ar, out, sql, a);
    if (rc < 0 && db_errno_is_down(last_errno)) {
        bool was_tx = tl && tl->in_tx;
        conn_close();
        if (!was_tx)
            rc = run(ar, out, sql, a);
    }
    return rc;
}

struct db_res *db_query(struct arena *a, const char *sql, const char *types, ...)
{
    struct args args;
    va_list ap;
    va_start(ap, types);
    int ok = collect_args(&args, types, ap);
    va_end(ap);
    if (ok < 0) {
        set_error(CR_INVALID_PARAMETER_NO, "bad argument types");
        return NULL;
    }
    struct db_res *res = NULL;
    if (run_retry(a, &res, sql, &args) < 0)
        return NULL;
    if (!res) { /* a statement without rows: an empty result */
        res = arena_alloc(a, sizeof *res);
        memset(res, 0, sizeof *res);
    }
    return res;
}

int db_exec(const char *sql, const char *types, ...)
{
    struct args args;
    va_list ap;
    va_start(ap, types);
    int ok = collect_args(&args, types, ap);
    va_end(ap);
    if (ok < 0) {
        set_error(CR_INVALID_PARAMETER_NO, "bad argument types");
        return -1;
    }
    return run_retry(NULL, NULL, sql, &args);
}

int db_ping(void)
{
    struct arena a;
    arena_init(&a);
    struct db_res *r = db_query(&a, "SELECT 1", "");
    int rc = r && r->nrows == 1 ? 0 : -1;
    arena_cleanup(&a);
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Transactions
 * ------------------------------------------------------------------------------------- */

int db_begin(void)
{
    struct dbconn *c = conn_get();
    if (!c)
        return -1;
    if (c->in_tx)
        return 0;
    round_trips++;
    if (mysql_query(c->mysql, "START TRANSACTION")) {
        set_error((int)mysql_errno(c->mysql), mysql_error(c->mysql));
        if (db_errno_is_down(last_errno)) {
            conn_close();
            if (!(c = conn_get()) || mysql_query(c->mysql, "START TRANSACTION")) {
                if (c)
                    set_error((int)mysql_errno(c->mysql), mysql_error(c->mysql));
                return -1;
            }
        } else {
            return -1;
        }
    }
    c->in_tx = true;
    return 0;
}

int db_commit(void)
{
    if (!tl || !tl->in_tx)
        return 0;
    tl->in_tx = false;
    round_trips++;
    if (mysql_commit(tl->mysql)) {
        set_error((int)mysql_errno(tl->mysql), mysql_error(tl->mysql));
        on_commit_run(false);
        if (db_errno_is_down(last_errno))
            conn_close();
        return -1;
    }
    on_commit_run(true);
    return 0;
}

void db_rollback(void)
{
    if (!tl || !tl->in_tx)
        return;
    tl->in_tx = false;
    round_trips++;
    on_commit_run(false);
    if (mysql_rollback(tl->mysql))
        conn_close();
}

int db_on_commit(void (*fn)(void *arg, bool committed), void *arg)
{
    if (!db_in_tx()) {
        fn(arg, true);
        return 0;
    }
    if (on_commit_n == ON_COMMIT_MAX) {
        log_error("db_on_commit: more than %d callbacks in one transaction", ON_COMMIT_MAX);
        fn(arg, false);
        return -1;
    }
    on_commit[on_commit_n].fn = fn;
    on_commit[on_commit_n].arg = arg;
    on_commit_n++;
    return 0;
}

bool db_in_tx(void)
{
    return tl && tl->in_tx;
}

void db_request_end(void)
{
    if (tl && tl->in_tx) {
        log_warn("a handler left a transaction open: rolled back");
        db_rollback();
    }
}

int db_tx(int (*fn)(void *arg), void *arg)
{
    for (int attempt = 0;; attempt++) {
        if (db_begin() < 0)
            return -1;
        int rc = fn(arg);
        if (rc == 0 && db_commit() == 0)
            return 0;
        int err = last_errno;
        db_rollback();
        if (rc > 0)
            return rc;
        /* Deadlocks and Galera certification failures (both 1213) and lock wait
         * time-outs are worth another go; so is a connection lost mid-way, since the
         * transaction did not commit. */
        if (attempt >= 4 || !(db_errno_is_retryable(err) || db_errno_is_down(err)))
            return -1;
        if (db_errno_is_down(err))
            conn_close();
        struct timespec ts = {0, (long)(5 + attempt * 20) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

int db_exec_script(const char *sql)
{
    struct dbconn *c = conn_get();
    if (!c)
        return -1;
    round_trips++;
    if (mysql_query(c->mysql, sql)) {
        set_error((int)mysql_errno(c->mysql), mysql_error(c->mysql));
        return -1;
    }
    /* Drain every result of the multi-statement script. */
    int status;
    do {
        MYSQL_RES *res = mysql_store_result(c->mysql);
        if (res)
            mysql_free_result(res);
        status = mysql_next_result(c->mysql);
        if (status > 0) {
            set_error((int)mysql_errno(c->mysql), mysql_error(c->mysql));
            return -1;
        }
    } while (status == 0);
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Cells and JSON
 * ------------------------------------------------------------------------------------- */

const char *db_str(const struct db_res *res, int row, int col)
{
    if (!res || row < 0 || row >= res->nrows || col < 0 || col >= res->ncols)
        return NULL;
    return res->rows[row][col];
}

long long db_ll(const struct db_res *res, int row, int col)
{
    const char *s = db_str(res, row, col);
    return s ? strtoll(s, NULL, 10) : 0;
}

char *db_like(struct arena *a, const char *q, bool anywhere)
{
    q = q ? q : "";
    char *out = arena_alloc(a, strlen(q) * 2 + 3), *o = out;
    if (!out)
        return NULL;
    if (anywhere)
        *o++ = '%';
    for (const char *p = q; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            *o++ = '\\';
        *o++ = *p;
    }
    *o++ = '%';
    *o = '\0';
    return out;
}

char *db_time_iso(struct arena *a, const char *t)
{
    if (!t)
        return NULL;
    size_t n = strlen(t);
    char *out = arena_alloc(a, n + 2);
    if (!out)
        return NULL;
    memcpy(out, t, n);
    if (n > 10 && out[10] == ' ')
        out[10] = 'T';
    out[n] = 'Z';
    out[n + 1] = '\0';
    return out;
}

json_t *db_row_json(const struct db_res *res, int row, const char *spec, struct arena *a)
{
    json_t *o = json_object();
    for (int c = 0; c < res->ncols && spec[c]; c++) {
        const char *v = res->rows[row][c];
        json_t *val;
        if (spec[c] == '-')
            continue;
        if (!v) {
            val = json_null();
        } else {
            switch (spec[c]) {
            case 'i':
                val = json_integer(strtoll(v, NULL, 10));
                break;
            case 'b':
                val = json_boolean(strcmp(v, "0") != 0);
                break;
            case 't':
                val = json_string(db_time_iso(a, v));
                break;
            case 'j':
                val = json_loads(v, JSON_DECODE_ANY, NULL);
                break;
            default:
                val = json_stringn(v, res->lens[row][c]);
                break;
            }
            if (!val)
                val = json_null();
        }
        json_object_set_new(o, res->names[c], val);
    }
    return o;
}

void db_page_next(json_t *out, const struct db_res *page, int limit)
{
    if (page && page->nrows == limit && limit > 0)
        json_object_set_new(out, "next_before", json_integer(db_ll(page, page->nrows - 1, 0)));
}

json_t *db_rows_json(const struct db_res *res, const char *spec, struct arena *a)
{
    json_t *arr = json_array();
    for (int r = 0; res && r < res->nrows; r++)
        json_array_append_new(arr, db_row_json(res, r, spec, a));
    return arr;
}

unsigned long db_round_trips(void)
{
    return round_trips;
}
