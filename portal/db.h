/* db.h - MariaDB access: one connection per thread, prepared statements only,
 * transactions with retry of deadlocks/certification failures, reconnect. */
#ifndef PORTAL_DB_H
#define PORTAL_DB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

/* A fully fetched result. Cells are NUL-terminated strings in the caller's arena,
 * NULL for SQL NULL. */
struct db_res {
    int ncols, nrows;
    const char **names;
    char ***rows;         /* rows[r][c] */
    unsigned long **lens; /* lens[r][c] */
};

int db_global_init(void); /* once, before any thread uses the database */
void db_global_cleanup(void);
void db_thread_end(void);  /* closes this thread's connection */
void db_request_end(void); /* rolls back a transaction left open by a handler */

/* Connects now if needed and runs a trivial query: 0 when the database answers. */
int db_ping(void);

/* Runs sql (a static string: it keys the per-thread statement cache) with arguments
 * described by types, one letter each:
 *   'i' long long   'I' long long id, 0 binds NULL   'd' double   's' const char * (NULL binds SQL
 * NULL) 'b' const void *, size_t (binary)   'n' SQL NULL (no argument) db_query returns the rows
 * (allocated in a), db_exec only the status. Both return NULL / -1 on error: see db_errno().
 * Out-of-transaction statements that meet a lost connection reconnect and run once more. */
struct db_res *db_query(struct arena *a, const char *sql, const char *types, ...);
int db_exec(const char *sql, const char *types, ...);
long long db_insert_id(void);
long long db_affected(void);

int db_errno(void);
const char *db_error(void);
bool db_errno_is_down(int err);      /* connection lost or refused */
bool db_errno_is_retryable(int err); /* deadlock, lock wait timeout, certification */
/* Records err as the last error, as a failed call would (fault injection in tests). */
void db_fail(int err, const char *message);

/* Transactions. db_tx runs fn(arg) between BEGIN and COMMIT; fn returns 0 to commit,
 * a positive value to roll back and return that value (a business refusal), or -1 on
 * a database error, in which case retryable errors run fn again (up to 4 times). */
int db_begin(void);
int db_commit(void);
void db_rollback(void);
bool db_in_tx(void);
/* Runs fn(arg, true) once this thread's open transaction has committed, or fn(arg, false)
 * when it rolls back or its COMMIT fails (fn owns arg either way: it frees it). Outside a
 * transaction fn(arg, true) runs at once. For what must not happen before the change is
 * visible, such as telling another thread about it. 0, or -1 when too many are queued
 * (then fn(arg, false) has run). */
int db_on_commit(void (*fn)(void *arg, bool committed), void *arg);
int db_tx(int (*fn)(void *arg), void *arg);

/* Runs a multi-statement script (migrations only; no arguments). 0 or -1. */
int db_exec_script(const char *sql);

/* Cell helpers. */
const char *db_str(const struct db_res *res, int row, int col);
long long db_ll(const struct db_res *res, int row, int col);

/* A LIKE pattern matching q literally (% _ \ escaped): "q%" for a prefix, or "%q%"
 * when anywhere is true. In a. */
char *db_like(struct arena *a, const char *q, bool anywhere);

/* Converts "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC) to ISO 8601 "…T…Z" in a. */
char *db_time_iso(struct arena *a, const char *dbtime);

/* Keyset paging: when a page came back full, sets out's "next_before" to the id in
 * column 0 of its last row. */
void db_page_next(json_t *out, const struct db_res *page, int limit);

/* One row as a JSON object. spec has one letter per column: 'i' integer, 's' string,
 * 'b' boolean, 't' time (ISO 8601), 'j' JSON text, '-' skip. */
json_t *db_row_json(const struct db_res *res, int row, const char *spec, struct arena *a);
json_t *db_rows_json(const struct db_res *res, const char *spec, struct arena *a);

/* Round trips this thread has sent to the database so far (statements, BEGIN, COMMIT,
 * ROLLBACK): the access log shows each request's count. */
unsigned long db_round_trips(void);

#endif
