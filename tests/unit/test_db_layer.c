/* test_db_layer.c - the db layer against a real MariaDB: argument types, whole cells,
 * JSON rows, transactions, deadlock retries, reconnects and migrations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "db_fixture.h"
#include "migrate.h"

/* --- argument types ------------------------------------------------------------------ */

static const char sql_types_insert[] =
    "INSERT INTO t_types (i, ref, d, s, b, n) VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_types_all[] = "SELECT id, i, ref, d, s, b, n FROM t_types ORDER BY id";
static const char sql_types_by_ref[] = "SELECT id FROM t_types WHERE ref <=> ? ORDER BY id";
static const char sql_types_by_is[] = "SELECT s FROM t_types WHERE i = ? AND s = ?";
static const char sql_types_by_blob[] = "SELECT id FROM t_types WHERE b = ?";
static const char sql_plus_one[] = "SELECT ? + 1";

static void create_types_table(void)
{
    fixture_sql("CREATE TABLE t_types (id BIGINT AUTO_INCREMENT PRIMARY KEY, i BIGINT NULL,"
                " ref BIGINT NULL, d DOUBLE NULL, s VARCHAR(300) NULL, b VARBINARY(300) NULL,"
                " n INT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
}

static void every_type_letter(void **state)
{
    create_types_table();
    assert_int_equal(
        db_exec(sql_types_insert, "iIdsbn", -42LL, 7LL, 3.25, "héllo ✓", "a\0b\0c", (size_t)5), 0);
    assert_int_equal(db_affected(), 1);
    long long first = db_insert_id();
    assert_true(first > 0);
    /* 'I' with 0 and 's' with NULL bind SQL NULL; an empty 'b' is an empty value. */
    assert_int_equal(db_exec(sql_types_insert, "iIdsbn", LLONG_MAX, 0LL, -0.5, NULL, "", (size_t)0),
                     0);
    assert_int_equal(db_insert_id(), first + 1);
    assert_int_equal(
        db_exec(sql_types_insert, "iIdsbn", LLONG_MIN, -3LL, 1e300, "", "\xff", (size_t)1), 0);

    struct arena a;
    arena_init(&a);
    struct db_res *r = db_query(&a, sql_types_all, "");
    assert_non_null(r);
    assert_int_equal(r->nrows, 3);
    assert_int_equal(r->ncols, 7);
    assert_string_equal(r->names[1], "i");
    assert_string_equal(r->names[6], "n");

    assert_string_equal(db_str(r, 0, 1), "-42");
    assert_int_equal(db_ll(r, 0, 1), -42);
    assert_string_equal(db_str(r, 0, 2), "7");
    assert_string_equal(db_str(r, 0, 3), "3.25");
    assert_string_equal(db_str(r, 0, 4), "héllo ✓");
    assert_int_equal(r->lens[0][5], 5);
    assert_memory_equal(db_str(r, 0, 5), "a\0b\0c", 5);
    assert_null(db_str(r, 0, 6));

    assert_string_equal(db_str(r, 1, 1), "9223372036854775807");
    assert_int_equal(db_ll(r, 1, 1), LLONG_MAX);
    assert_null(db_str(r, 1, 2));
    assert_string_equal(db_str(r, 1, 3), "-0.5");
    assert_null(db_str(r, 1, 4));
    assert_non_null(db_str(r, 1, 5)); /* empty, not NULL */
    assert_int_equal(r->lens[1][5], 0);

    assert_int_equal(db_ll(r, 2, 1), LLONG_MIN);
    assert_string_equal(db_str(r, 2, 2), "-3");
    assert_string_equal(db_str(r, 2, 3), "1e300");
    assert_string_equal(db_str(r, 2, 4), "");
    assert_int_equal(r->lens[2][5], 1);
    assert_int_equal((unsigned char)db_str(r, 2, 5)[0], 0xff);

    /* Out of range cells are NULL / 0, not a crash. */
    assert_null(db_str(r, 3, 0));
    assert_null(db_str(r, 0, 7));
    assert_null(db_str(r, -1, 0));
    assert_int_equal(db_ll(r, 9, 9), 0);
    assert_null(db_str(NULL, 0, 0));

    /* As WHERE arguments. */
    r = db_query(&a, sql_types_by_ref, "I", 0LL); /* NULL <=> NULL */
    assert_non_null(r);
    assert_int_equal(r->nrows, 1);
    assert_int_equal(db_ll(r, 0, 0), first + 1);
    r = db_query(&a, sql_types_by_ref, "I", 7LL);
    assert_int_equal(r->nrows, 1);
    assert_int_equal(db_ll(r, 0, 0), first);
    r = db_query(&a, sql_types_by_ref, "n");
    assert_int_equal(r->nrows, 1);
    r = db_query(&a, sql_types_by_is, "is", -42LL, "héllo ✓");
    assert_int_equal(r->nrows, 1);
    r = db_query(&a, sql_types_by_is, "is", -42LL, "hello");
    assert_non_null(r);
    assert_int_equal(r->nrows, 0);
    r = db_query(&a, sql_types_by_blob, "b", "a\0b\0c", (size_t)5);
    assert_int_equal(r->nrows, 1);
    r = db_query(&a, sql_types_by_blob, "b", "a\0b\0d", (size_t)5);
    assert_int_equal(r->nrows, 0);
    r = db_query(&a, sql_plus_one, "d", 1.5);
    assert_string_equal(db_str(r, 0, 0), "2.5");
    arena_cleanup(&a);
}

static void bad_arguments_refused(void **state)
{
    create_types_table();
    /* Too few arguments for the placeholders, an unknown letter, bad SQL: -1 with an
     * error, and nothing written. */
    assert_int_equal(db_exec(sql_types_insert, "ii", 1LL, 2LL), -1);
    assert_int_not_equal(db_errno(), 0);
    assert_int_equal(db_exec(sql_types_insert, "iIdsbx", 1LL, 1LL, 1.0, "s", "b", (size_t)1), -1);
    static const char bad_sql[] = "SELEC nothing";
    assert_int_equal(db_exec(bad_sql, ""), -1);
    assert_int_equal(db_errno(), 1064); /* ER_PARSE_ERROR */
    assert_false(db_errno_is_down(db_errno()));
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM t_types"), 0);
    /* The connection is still good. */
    assert_int_equal(db_ping(), 0);
    assert_int_equal(db_exec(sql_types_insert, "iIdsbn", 1LL, 0LL, 0.0, "ok", "", (size_t)0), 0);
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM t_types"), 1);
}

static void error_classes(void **state)
{
    assert_true(db_errno_is_retryable(1213)); /* deadlock, Galera certification */
    assert_true(db_errno_is_retryable(1205)); /* lock wait timeout */
    assert_false(db_errno_is_retryable(1062));
    assert_true(db_errno_is_down(2006));
    assert_true(db_errno_is_down(2013));
    assert_true(db_errno_is_down(2002));
    assert_false(db_errno_is_down(1062));
    assert_false(db_errno_is_down(1213));
}

/* --- whole cells ------------------------------------------------------------------- */

static const char sql_long_insert[] = "INSERT INTO t_long (id, txt, bin, v) VALUES (?, ?, ?, ?)";
static const char sql_long_all[] = "SELECT id, txt, bin, v FROM t_long ORDER BY id";

static void long_cells_fetched_whole(void **state)
{
    fixture_sql("CREATE TABLE t_long (id INT PRIMARY KEY, txt LONGTEXT NULL, bin LONGBLOB NULL,"
                " v VARCHAR(400) NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
    static const size_t sizes[] = {0, 1, 254, 255, 256, 257, 300, 4096, 70000, 300000};
    enum { N = sizeof sizes / sizeof sizes[0] };
    char *txt[N];
    unsigned char *bin[N];
    char v[N][401];
    for (size_t k = 0; k < N; k++) {
        size_t n = sizes[k];
        txt[k] = malloc(n + 1);
        bin[k] = malloc(n + 1);
        assert_non_null(txt[k]);
        assert_non_null(bin[k]);
        for (size_t j = 0; j < n; j++) {
            txt[k][j] = (char)('a' + (j * 7 + k) % 26);
            bin[k][j] = (unsigned char)((j * 31 + k) % 256); /* NULs and 0xff included */
        }
        txt[k][n] = '\0';
        /* A VARCHAR of multibyte characters: 2 bytes each, up to 400 characters. */
        size_t chars = n < 200 ? n : 200, o = 0;
        for (size_t j = 0; j < chars; j++) {
            memcpy(v[k] + o, "ж", 2);
            o += 2;
        }
        v[k][o] = '\0';
        assert_int_equal(db_exec(sql_long_insert, "isbs", (long long)k, txt[k], bin[k], n, v[k]),
                         0);
    }
    struct arena a;
    arena_init(&a);
    struct db_res *r = db_query(&a, sql_long_all, "");
    assert_non_null(r);
    assert_int_equal(r->nrows, N);
    for (size_t k = 0; k < N; k++) {
        size_t n = sizes[k];
        if (r->lens[k][1] != n || strlen(db_str(r, (int)k, 1)) != n ||
            memcmp(db_str(r, (int)k, 1), txt[k], n) != 0)
            fail_msg("text of %zu bytes came back as %lu bytes", n, r->lens[k][1]);
        if (r->lens[k][2] != n || memcmp(db_str(r, (int)k, 2), bin[k], n) != 0)
            fail_msg("binary of %zu bytes came back as %lu bytes or different", n, r->lens[k][2]);
        assert_int_equal(db_str(r, (int)k, 2)[n], '\0'); /* terminated even when binary */
        assert_string_equal(db_str(r, (int)k, 3), v[k]);
        free(txt[k]);
        free(bin[k]);
    }
    arena_cleanup(&a);
}

/* --- JSON rows --------------------------------------------------------------------- */

static const char sql_json_row[] =
    "SELECT 42 AS n, 'text' AS s, 1 AS yes, 0 AS no,"
    " CAST('2024-05-01 10:20:30.123456' AS DATETIME(6)) AS t, '{\"a\":[1,2]}' AS j,"
    " NULL AS z, 'hidden' AS h, 'Привет 😀' AS u, 'not json' AS bad, -7 AS neg,"
    " CAST('2024-05-01 10:20:30' AS DATETIME) AS t0";

static void row_json_types(void **state)
{
    struct arena a;
    arena_init(&a);
    struct db_res *r = db_query(&a, sql_json_row, "");
    assert_non_null(r);
    assert_int_equal(r->nrows, 1);
    json_t *o = db_row_json(r, 0, "isbbtjs-sjit", &a);
    assert_non_null(o);
    assert_int_equal(json_integer_value(json_object_get(o, "n")), 42);
    assert_true(json_is_integer(json_object_get(o, "n")));
    assert_string_equal(json_string_value(json_object_get(o, "s")), "text");
    assert_true(json_is_true(json_object_get(o, "yes")));
    assert_true(json_is_false(json_object_get(o, "no")));
    assert_string_equal(json_string_value(json_object_get(o, "t")), "2024-05-01T10:20:30.123456Z");
    assert_string_equal(json_string_value(json_object_get(o, "t0")), "2024-05-01T10:20:30Z");
    json_t *want = json_loads("{\"a\":[1,2]}", 0, NULL);
    assert_true(json_equal(json_object_get(o, "j"), want));
    json_decref(want);
    assert_true(json_is_null(json_object_get(o, "z")));
    assert_null(json_object_get(o, "h")); /* '-' skips the column */
    assert_string_equal(json_string_value(json_object_get(o, "u")), "Привет 😀");
    assert_true(json_is_null(json_object_get(o, "bad"))); /* invalid JSON text */
    assert_int_equal(json_integer_value(json_object_get(o, "neg")), -7);
    assert_int_equal(json_object_size(o), 11);
    json_decref(o);

    /* A spec shorter than the row: the rest is left out. */
    o = db_row_json(r, 0, "is", &a);
    assert_int_equal(json_object_size(o), 2);
    json_decref(o);

    static const char sql_rows[] = "SELECT seq AS id, CONCAT('row ', seq) AS name"
                                   " FROM seq_1_to_5 ORDER BY seq";
    r = db_query(&a, sql_rows, "");
    assert_non_null(r);
    json_t *arr = db_rows_json(r, "is", &a);
    assert_int_equal(json_array_size(arr), 5);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 4), "id")), 5);
    assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 4), "name")),
                        "row 5");
    json_decref(arr);
    arr = db_rows_json(NULL, "is", &a);
    assert_int_equal(json_array_size(arr), 0);
    json_decref(arr);
    arena_cleanup(&a);
}

/* --- transactions ------------------------------------------------------------------ */

static const char sql_tx_insert[] = "INSERT INTO t_tx (id, v) VALUES (?, ?)";

struct tx_probe {
    int calls;
    int ret;                /* what fn returns after its inserts */
    long long seen_outside; /* rows another connection saw while fn ran */
    bool in_tx;
};

static int tx_insert_two(void *arg)
{
    struct tx_probe *p = arg;
    p->calls++;
    p->in_tx = db_in_tx();
    if (db_exec(sql_tx_insert, "is", 1LL, "one") < 0 ||
        db_exec(sql_tx_insert, "is", 2LL, "two") < 0)
        return -1;
    p->seen_outside = fixture_scalar("SELECT COUNT(*) FROM t_tx");
    return p->ret;
}

static void create_tx_table(void)
{
    fixture_sql("CREATE TABLE t_tx (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB");
}

static void tx_commit(void **state)
{
    create_tx_table();
    struct tx_probe p = {.ret = 0};
    assert_false(db_in_tx());
    assert_int_equal(db_tx(tx_insert_two, &p), 0);
    assert_int_equal(p.calls, 1);
    assert_true(p.in_tx);
    assert_int_equal(p.seen_outside, 0); /* not visible before the commit */
    assert_false(db_in_tx());
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM t_tx"), 2);
}

static void tx_positive_return_rolls_back(void **state)
{
    create_tx_table();
    struct tx_probe p = {.ret = 409};
    assert_int_equal(db_tx(tx_insert_two, &p), 409);
    assert_int_equal(p.calls, 1); /* a business refusal is not retried */
    assert_false(db_in_tx());
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM t_tx"), 0);
    /* The connection is usable and not stuck in the old transaction. */
    p.ret = 0;
    assert_int_equal(db_tx(tx_insert_two, &p), 0);
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM t_tx"), 2);
}

static int tx_duplicate(void *arg)
{
    struct tx_probe *p = arg;
    p->calls++;
    if (db_exec(sql_tx_insert, "is", 1LL, "one") < 0)
        return -1;
    return db_exec(sql_tx_insert, "is", 1LL, "again") < 0 ? -1 : 0; /* duplicate key */
}

static void tx_error_rolls_back_without_retry(void **state)
{
    create_tx_table();
    struct tx_probe p = {0};
    assert_int_equal(db_tx(tx_duplicate, &p), -1);
    assert_int_equal(p.calls, 1);
    assert_int_equal(db_errno(), 1062);
    assert_false(db_in_tx());
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM t_tx"), 0); /* the first row too */
}

static void begin_commit_rollback(void **state)
{
    create_tx_table();
    assert_int_equal(db_begin(), 0);
    assert_true(db_in_tx());
    assert_int_equal(db_begin(), 0); /* nested begin joins the open transaction */
    assert_int_equal(db_exec(sql_tx_insert, "is", 1LL, "a"), 0);
    db_rollback();
    assert_false(db_in_tx());
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM t_tx"), 0);
    assert_int_equal(db_begin(), 0);
    assert_int_equal(db_exec(sql_tx_insert, "is", 1LL, "a"), 0);
    assert_int_equal(db_commit(), 0);
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM t_tx"), 1);
    assert_int_equal(db_commit(), 0); /* nothing open: harmless */
    db_rollback();
    /* db_request_end rolls back what a handler left open. */
    assert_int_equal(db_begin(), 0);
    assert_int_equal(db_exec(sql_tx_insert, "is", 2LL, "b"), 0);
    db_request_end();
    assert_false(db_in_tx());
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM t_tx"), 1);
}

/* db_on_commit: the callback runs after a COMMIT (seeing the change committed), is told
 * of a rollback, and runs at once outside a transaction. */
static int on_commit_calls, on_commit_yes, on_commit_rows;

static void count_commit(void *arg, bool committed)
{
    (void)arg;
    on_commit_calls++;
    on_commit_yes += committed;
    if (committed)
        on_commit_rows = (int)fixture_scalar("SELECT COUNT(*) FROM t_tx");
}

static void on_commit_runs_after_commit_only(void **state)
{
    create_tx_table();
    assert_int_equal(db_begin(), 0);
    assert_int_equal(db_exec(sql_tx_insert, "is", 1LL, "a"), 0);
    assert_int_equal(db_on_commit(count_commit, NULL), 0);
    assert_int_equal(on_commit_calls, 0); /* not before the commit */
    assert_int_equal(db_commit(), 0);
    assert_int_equal(on_commit_calls, 1);
    assert_int_equal(on_commit_yes, 1);
    assert_int_equal(on_commit_rows, 1); /* another connection sees the row by then */
    assert_int_equal(db_begin(), 0);
    assert_int_equal(db_on_commit(count_commit, NULL), 0);
    db_rollback();
    assert_int_equal(on_commit_calls, 2);
    assert_int_equal(on_commit_yes, 1); /* told it rolled back */
    assert_int_equal(db_commit(), 0);   /* and not run again by a later commit */
    assert_int_equal(on_commit_calls, 2);
    assert_int_equal(db_on_commit(count_commit, NULL), 0); /* no transaction: at once */
    assert_int_equal(on_commit_calls, 3);
    assert_int_equal(on_commit_yes, 2);
}

/* Two threads lock rows 1 and 2 in opposite order; InnoDB kills one transaction with
 * ER_LOCK_DEADLOCK, db_tx runs it again, and both increments land. */
static const char sql_bump[] = "UPDATE t_acct SET v = v + 1 WHERE id = ?";

struct deadlock_side {
    pthread_barrier_t *both_hold_first;
    long long first, second;
    int attempts;
    int rc;
    int first_errno; /* the error that made db_tx try again */
};

static int deadlock_fn(void *arg)
{
    struct deadlock_side *s = arg;
    s->attempts++;
    if (db_exec(sql_bump, "i", s->first) < 0)
        return -1;
    if (s->attempts == 1)
        pthread_barrier_wait(s->both_hold_first);
    if (db_exec(sql_bump, "i", s->second) < 0) {
        if (!s->first_errno)
            s->first_errno = db_errno();
        return -1;
    }
    return 0;
}

static void *deadlock_thread(void *arg)
{
    struct deadlock_side *s = arg;
    s->rc = db_tx(deadlock_fn, s);
    db_thread_end();
    return NULL;
}

static void deadlock_retried(void **state)
{
    fixture_sql("CREATE TABLE t_acct (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB");
    fixture_sql("INSERT INTO t_acct VALUES (1, 0), (2, 0)");
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, 2);
    struct deadlock_side a = {.both_hold_first = &barrier, .first = 1, .second = 2};
    struct deadlock_side b = {.both_hold_first = &barrier, .first = 2, .second = 1};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, deadlock_thread, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, deadlock_thread, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&barrier);
    assert_int_equal(a.rc, 0);
    assert_int_equal(b.rc, 0);
    assert_int_equal(a.attempts + b.attempts, 3); /* exactly one victim, retried once */
    assert_int_equal(a.first_errno + b.first_errno, 1213);
    assert_int_equal(fixture_scalar("SELECT v FROM t_acct WHERE id = 1"), 2);
    assert_int_equal(fixture_scalar("SELECT v FROM t_acct WHERE id = 2"), 2);
}

/* A locking read that fails after its result has begun (the server has sent the columns
 * and the first row, then cannot lock the next one: a deadlock, a lock wait timeout) is
 * run again at once on the same connection, as db_tx does after a deadlock. Connector/C
 * leaves such a statement looking as if rows were still coming: its next execute waited
 * for them until MYSQL_OPT_READ_TIMEOUT (30 s) and lost the connection (a card move that
 * hung for 30 s under concurrent moves). It must answer at once, on the same connection. */
static const char sql_lock_both[] =
    "SELECT id FROM t_acct WHERE id IN (?, ?) ORDER BY id FOR UPDATE NOWAIT";

static void locking_read_failed_mid_result_runs_again(void **state)
{
    fixture_sql("CREATE TABLE t_acct (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB");
    fixture_sql("INSERT INTO t_acct VALUES (1, 0), (2, 0)");
    long long conn = fixture_portal_connection_id();
    struct arena a;
    arena_init(&a);
    for (int round = 0; round < 2; round++) { /* a second failure of the fresh statement too */
        fixture_sql("START TRANSACTION");
        fixture_sql("UPDATE t_acct SET v = v + 1 WHERE id = 2"); /* another client holds row 2 */
        assert_int_equal(db_begin(), 0);
        assert_null(db_query(&a, sql_lock_both, "ii", 1LL, 2LL)); /* row 1 came, row 2 did not */
        assert_int_equal(db_errno(), 1205);
        db_rollback();
        fixture_sql("ROLLBACK");
        assert_int_equal(db_begin(), 0);
        struct db_res *r = db_query(&a, sql_lock_both, "ii", 1LL, 2LL);
        assert_non_null(r);
        assert_int_equal(r->nrows, 2);
        assert_int_equal(db_ll(r, 1, 0), 2);
        assert_int_equal(db_commit(), 0);
    }
    assert_int_equal(fixture_portal_connection_id(), conn); /* never lost on the way */
    arena_cleanup(&a);
}

/* --- reconnect --------------------------------------------------------------------- */

static const char sql_conn_insert[] = "INSERT INTO t_tx (id, v) VALUES (?, 'x')";

static void reconnect_after_kill(void **state)
{
    create_tx_table();
    long long id1 = fixture_portal_connection_id();
    assert_true(id1 > 0);

    /* A cached statement on a killed connection: reconnect, prepare again, answer. */
    fixture_kill(id1);
    long long id2 = fixture_portal_connection_id();
    assert_true(id2 > 0);
    assert_true(id2 != id1);

    /* A write runs exactly once after the reconnect. */
    fixture_kill(id2);
    assert_int_equal(db_exec(sql_conn_insert, "i", 1LL), 0);
    assert_int_equal(db_affected(), 1);
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM t_tx"), 1);

    /* BEGIN on a killed connection reconnects too. */
    long long id3 = fixture_portal_connection_id();
    fixture_kill(id3);
    assert_int_equal(db_begin(), 0);
    assert_int_equal(db_exec(sql_conn_insert, "i", 2LL), 0);
    assert_int_equal(db_commit(), 0);
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM t_tx"), 2);
    assert_int_equal(db_ping(), 0);
}

/* Inside a transaction a lost connection is an error: running the statement again on
 * a fresh connection would commit half a transaction. */
static void kill_inside_transaction_not_replayed(void **state)
{
    create_tx_table();
    long long id = fixture_portal_connection_id();
    assert_int_equal(db_begin(), 0);
    assert_int_equal(db_exec(sql_conn_insert, "i", 1LL), 0);
    fixture_kill(id);
    assert_int_equal(db_exec(sql_conn_insert, "i", 2LL), -1);
    assert_true(db_errno_is_down(db_errno()));
    assert_false(db_in_tx());
    db_rollback();
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM t_tx"), 0);
    assert_int_equal(db_ping(), 0); /* and the next statement works */
}

struct kill_probe {
    int calls;
};

static int tx_killed_once(void *arg)
{
    struct kill_probe *p = arg;
    p->calls++;
    if (db_exec(sql_conn_insert, "i", 1LL) < 0)
        return -1;
    if (p->calls == 1)
        fixture_kill(fixture_portal_connection_id());
    return db_exec(sql_conn_insert, "i", 2LL) < 0 ? -1 : 0;
}

static void tx_retried_after_lost_connection(void **state)
{
    create_tx_table();
    struct kill_probe p = {0};
    assert_int_equal(db_tx(tx_killed_once, &p), 0);
    assert_int_equal(p.calls, 2);
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM t_tx"), 2);
}

/* --- statement cache --------------------------------------------------------------- */

/* More distinct statements than the per-thread cache holds: the oldest are dropped and
 * prepared again when used, and every one still returns its own answer. */
static void statement_cache_overflow(void **state)
{
    enum { N = 150 };
    static char sql[N][48];
    struct arena a;
    arena_init(&a);
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < N; i++) {
            snprintf(sql[i], sizeof sql[i], "SELECT %d + ?", i);
            struct db_res *r = db_query(&a, sql[i], "i", 1000LL);
            assert_non_null(r);
            assert_int_equal(db_ll(r, 0, 0), 1000 + i);
        }
    arena_cleanup(&a);
}

/* --- migrations -------------------------------------------------------------------- */

static void migrate_idempotent_and_check(void **state)
{
    assert_true(migrations_count > 0);
    assert_int_equal(migrate_latest(), migrations[migrations_count - 1].version);
    for (int i = 1; i < migrations_count; i++)
        assert_true(migrations[i].version > migrations[i - 1].version);
    /* The fixture migrated once; again changes nothing. */
    assert_int_equal(migrate_run(), 0);
    assert_int_equal(migrate_run(), 0);
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM schema_migrations"), migrations_count);
    assert_int_equal(fixture_scalar("SELECT MAX(version) FROM schema_migrations"),
                     migrate_latest());
    assert_int_equal(migrate_check(), 0);
    static const char *tables[] = {"event", "files", "job_lease", "meta", "audit"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (fixture_scalar("SELECT COUNT(*) FROM information_schema.TABLES"
                           " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '%s'",
                           tables[i]) != 1)
            fail_msg("table %s is missing", tables[i]);
    /* Every table has a primary key (Galera needs one). */
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM information_schema.TABLES t"
                                    " WHERE t.TABLE_SCHEMA = DATABASE() AND NOT EXISTS ("
                                    " SELECT 1 FROM information_schema.TABLE_CONSTRAINTS c"
                                    " WHERE c.TABLE_SCHEMA = t.TABLE_SCHEMA"
                                    " AND c.TABLE_NAME = t.TABLE_NAME"
                                    " AND c.CONSTRAINT_TYPE = 'PRIMARY KEY')"),
                     0);
}

static void migrate_refuses_newer_schema(void **state)
{
    char sql[160];
    snprintf(sql, sizeof sql, "INSERT INTO schema_migrations (version, name) VALUES (%d, 'future')",
             migrate_latest() + 1);
    fixture_sql(sql);
    assert_int_equal(migrate_check(), -1);
    assert_int_equal(migrate_run(), -1);
    fixture_sql("DELETE FROM schema_migrations WHERE name = 'future'");
    assert_int_equal(migrate_check(), 0);
    /* An older schema is refused by check and brought up to date by run. */
    snprintf(sql, sizeof sql, "DELETE FROM schema_migrations WHERE version = %d", migrate_latest());
    fixture_sql(sql);
    assert_int_equal(migrate_check(), -1);
    assert_int_equal(migrate_run(), 0); /* re-runnable: IF NOT EXISTS */
    assert_int_equal(migrate_check(), 0);
}

/* A lower migration the database lacks (a branch merged after a higher one ran) is found
 * by check and applied by run; so every migration must run again cleanly. */
static void migrate_applies_a_missing_lower_one(void **state)
{
    for (int i = 0; i < migrations_count; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "DELETE FROM schema_migrations WHERE version = %d",
                 migrations[i].version);
        fixture_sql(sql);
        assert_int_equal(migrate_check(), -1);
        assert_int_equal(migrate_run(), 0);
        assert_int_equal(migrate_check(), 0);
        assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM schema_migrations"),
                         migrations_count);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_type_letter, db_fixture_setup, db_fixture_teardown),
        cmocka_unit_test_setup_teardown(bad_arguments_refused, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test(error_classes),
        cmocka_unit_test_setup_teardown(long_cells_fetched_whole, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(row_json_types, db_fixture_setup, db_fixture_teardown),
        cmocka_unit_test_setup_teardown(tx_commit, db_fixture_setup, db_fixture_teardown),
        cmocka_unit_test_setup_teardown(tx_positive_return_rolls_back, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(tx_error_rolls_back_without_retry, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(begin_commit_rollback, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(on_commit_runs_after_commit_only, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(deadlock_retried, db_fixture_setup, db_fixture_teardown),
        cmocka_unit_test_setup_teardown(locking_read_failed_mid_result_runs_again, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(reconnect_after_kill, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(kill_inside_transaction_not_replayed, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(tx_retried_after_lost_connection, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(statement_cache_overflow, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(migrate_idempotent_and_check, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(migrate_refuses_newer_schema, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(migrate_applies_a_missing_lower_one, db_fixture_setup,
                                        db_fixture_teardown),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, db_fixture_group_teardown);
}
