/* db_fixture.h - a private, migrated database for each test_db_* case on the ctest
 * MariaDB (scripts/mariadb-private, socket in PORTAL_TEST_SOCKET), plus a root
 * connection of the test's own that sees the database as another client would.
 * Include once, from a test_db_*.c file. */
#ifndef PORTAL_TEST_DB_FIXTURE_H
#define PORTAL_TEST_DB_FIXTURE_H

#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "migrate.h"

static char fixture_db[64];
static char fixture_url[1400];
static MYSQL *fixture_root; /* the test's own connection, not the portal's */

/* Runs sql on the root connection; fails the test on error. */
static void fixture_sql(const char *sql)
{
    if (mysql_query(fixture_root, sql))
        fail_msg("fixture SQL failed (%u %s): %s", mysql_errno(fixture_root),
                 mysql_error(fixture_root), sql);
}

/* The first column of the first row of sql (NULL = -1), through the root connection. */
static long long fixture_scalar(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));
static long long fixture_scalar(const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    fixture_sql(sql);
    MYSQL_RES *res = mysql_store_result(fixture_root);
    if (!res)
        fail_msg("no result: %s", sql);
    MYSQL_ROW row = mysql_fetch_row(res);
    long long v = row && row[0] ? strtoll(row[0], NULL, 10) : -1;
    mysql_free_result(res);
    return v;
}

/* Same, for a text value; the caller frees. NULL for no row or SQL NULL. */
static char *fixture_text(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));
static char *fixture_text(const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    fixture_sql(sql);
    MYSQL_RES *res = mysql_store_result(fixture_root);
    if (!res)
        fail_msg("no result: %s", sql);
    MYSQL_ROW row = mysql_fetch_row(res);
    char *v = row && row[0] ? strdup(row[0]) : NULL;
    mysql_free_result(res);
    return v;
}

/* Appends s to out, percent-encoding what the URL parser treats specially. */
static void fixture_url_escape(char *out, size_t outsize, const char *s)
{
    size_t o = strlen(out);
    for (; *s && o + 4 < outsize; s++) {
        if (strchr("%&?#@ ", *s))
            o += (size_t)snprintf(out + o, outsize - o, "%%%02X", (unsigned char)*s);
        else
            out[o++] = *s;
    }
    out[o] = '\0';
}

/* Per case: CREATE DATABASE with a name of its own, point the portal at it
 * (config.db_url, db_global_init) and migrate it. */
static int db_fixture_setup(void **state)
{
    const char *sock = getenv("PORTAL_TEST_SOCKET");
    if (!sock || !*sock) {
        fprintf(stderr, "PORTAL_TEST_SOCKET is not set: run this test through ctest\n");
        return -1;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(fixture_db, sizeof fixture_db, "unit_%d_%lx", (int)getpid(),
             (unsigned long)now.tv_nsec ^ (unsigned long)now.tv_sec);

    fixture_root = mysql_init(NULL);
    if (!fixture_root)
        return -1;
    mysql_optionsv(fixture_root, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!mysql_real_connect(fixture_root, "localhost", "root", NULL, NULL, 0, sock, 0)) {
        fprintf(stderr, "cannot connect to the test MariaDB at %s: %s\n", sock,
                mysql_error(fixture_root));
        mysql_close(fixture_root);
        fixture_root = NULL;
        return -1;
    }
    char sql[256];
    snprintf(sql, sizeof sql,
             "CREATE DATABASE `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", fixture_db);
    if (mysql_query(fixture_root, sql) || mysql_select_db(fixture_root, fixture_db)) {
        fprintf(stderr, "%s: %s\n", sql, mysql_error(fixture_root));
        return -1;
    }

    unsetenv("PORTAL_CONFIG");
    unsetenv("PORTAL_DB_URL");
    if (config_load() < 0)
        return -1;
    snprintf(fixture_url, sizeof fixture_url, "mariadb://root@localhost/%s?socket=", fixture_db);
    fixture_url_escape(fixture_url, sizeof fixture_url, sock);
    config.db_url = fixture_url;
    if (db_global_init() < 0) {
        fprintf(stderr, "db_global_init failed for %s\n", fixture_url);
        return -1;
    }
    if (migrate_run() < 0) {
        fprintf(stderr, "migrate_run failed: %d %s\n", db_errno(), db_error());
        return -1;
    }
    return 0;
}

static int db_fixture_teardown(void **state)
{
    db_thread_end(); /* this thread's portal connection */
    if (fixture_root) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS `%s`", fixture_db);
        if (mysql_query(fixture_root, sql))
            fprintf(stderr, "%s: %s\n", sql, mysql_error(fixture_root));
        mysql_close(fixture_root);
        fixture_root = NULL;
    }
    return 0;
}

static int db_fixture_group_teardown(void **state)
{
    db_global_cleanup();
    return 0;
}

/* The server-side id of this thread's portal connection (connects if needed). */
__attribute__((unused)) static long long fixture_portal_connection_id(void)
{
    static const char sql[] = "SELECT CONNECTION_ID()";
    struct arena a;
    arena_init(&a);
    struct db_res *r = db_query(&a, sql, "");
    long long id = r && r->nrows == 1 ? db_ll(r, 0, 0) : -1;
    arena_cleanup(&a);
    return id;
}

/* Kills a connection from the root connection, as an administrator or a server
 * restart would, and waits until the server has let go of it. */
__attribute__((unused)) static void fixture_kill(long long id)
{
    char sql[64];
    snprintf(sql, sizeof sql, "KILL CONNECTION %lld", id);
    fixture_sql(sql);
    for (int i = 0; i < 200; i++) {
        if (fixture_scalar("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = %lld",
                           id) == 0)
            return;
        usleep(10000);
    }
    fail_msg("connection %lld is still there after KILL", id);
}

#endif
