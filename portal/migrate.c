/* migrate.c - applies portal/sql/NNNN_name.sql in order, recorded in schema_migrations.
 * Every migration the table does not record runs, not only those above the highest: a
 * branch merged late can bring a lower number than one a database already has, and
 * skipping it would leave that database without its tables for good. */
#include "migrate.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "arena.h"
#include "db.h"
#include "log.h"

static const char sql_create_table[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INT NOT NULL PRIMARY KEY,"
    " name VARCHAR(200) NOT NULL,"
    " applied_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";
static const char sql_current[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
static const char sql_applied[] = "SELECT version FROM schema_migrations ORDER BY version";
static const char sql_record[] = "INSERT INTO schema_migrations (version, name) VALUES (?, ?)";
static const char sql_lock[] = "SELECT GET_LOCK('portal_migrate', 60)";
static const char sql_unlock[] = "SELECT RELEASE_LOCK('portal_migrate')";

int migrate_latest(void)
{
    return migrations_count ? migrations[migrations_count - 1].version : 0;
}

static int current_version(struct arena *a)
{
    struct db_res *r = db_query(a, sql_current, "");
    return r && r->nrows ? (int)db_ll(r, 0, 0) : -1;
}

/* Does the database record version v? done: the recorded versions (sql_applied). */
static bool applied(const struct db_res *done, int v)
{
    for (int i = 0; i < done->nrows; i++)
        if (db_ll(done, i, 0) == v)
            return true;
    return false;
}

/* The first migration this binary has that the database lacks: 0 when none, -1 on error. */
static int first_missing(struct arena *a)
{
    struct db_res *done = db_query(a, sql_applied, "");
    if (!done)
        return -1;
    for (int i = 0; i < migrations_count; i++)
        if (!applied(done, migrations[i].version))
            return migrations[i].version;
    return 0;
}

int migrate_run(void)
{
    struct arena a;
    arena_init(&a);
    int rc = -1;
    if (db_exec(sql_create_table, "") < 0) {
        log_error("cannot create schema_migrations: %s", db_error());
        goto out;
    }
    struct db_res *lock = db_query(&a, sql_lock, "");
    if (!lock || db_ll(lock, 0, 0) != 1) {
        log_error("another process holds the migration lock");
        goto out;
    }
    int cur = current_version(&a);
    struct db_res *done = cur < 0 ? NULL : db_query(&a, sql_applied, "");
    if (!done)
        goto unlock;
    if (cur > migrate_latest()) {
        log_error("the database schema (version %d) is newer than this binary knows (%d)", cur,
                  migrate_latest());
        goto unlock;
    }
    for (int i = 0; i < migrations_count; i++) {
        const struct migration *m = &migrations[i];
        if (applied(done, m->version))
            continue;
        log_info("applying migration %04d %s", m->version, m->name);
        /* MariaDB commits DDL implicitly, so a migration is recorded only after all of
         * it ran; migrations are written to be re-runnable (IF NOT EXISTS). */
        if (db_exec_script(m->sql) < 0) {
            log_error("migration %s failed: %s", m->name, db_error());
            goto unlock;
        }
        if (db_exec(sql_record, "is", (long long)m->version, m->name) < 0) {
            log_error("cannot record migration %s: %s", m->name, db_error());
            goto unlock;
        }
    }
    rc = 0;
unlock:
    db_query(&a, sql_unlock, "");
out:
    arena_cleanup(&a);
    return rc;
}

int migrate_check(void)
{
    struct arena a;
    arena_init(&a);
    int rc = -1;
    if (db_exec(sql_create_table, "") < 0) {
        log_error("cannot reach the database: %s", db_error());
        goto out;
    }
    int cur = current_version(&a), missing = cur < 0 ? -1 : first_missing(&a);
    if (cur < 0 || missing < 0) {
        log_error("cannot read schema_migrations: %s", db_error());
    } else if (cur > migrate_latest()) {
        log_error("the database schema (version %d) is newer than this binary (%d): refusing "
                  "to serve; upgrade the portal binary",
                  cur, migrate_latest());
    } else if (missing > 0) {
        log_error("the database lacks migration %04d of this binary (its newest is %d): run "
                  "`portal migrate` first",
                  missing, cur);
    } else {
        rc = 0;
    }
out:
    arena_cleanup(&a);
    return rc;
}
