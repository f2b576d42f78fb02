/* migrate.h - numbered SQL migrations compiled into the binary. */
#ifndef PORTAL_MIGRATE_H
#define PORTAL_MIGRATE_H

struct migration {
    int version;
    const char *name;
    const char *sql;
};

extern const struct migration migrations[]; /* generated from portal/sql/ */
extern const int migrations_count;

int migrate_latest(void); /* the newest version this binary knows */
/* Applies every pending migration, in order, under a lock shared by all portal
 * processes. Idempotent. 0 or -1. */
int migrate_run(void);
/* For `serve`: 0 when the schema is exactly what this binary knows; -1 (with a
 * message) when it is older (run `portal migrate`) or newer (upgrade the binary). */
int migrate_check(void);

#endif
