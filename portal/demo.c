/* demo.c - seeds demo data on the first run only. Each domain adds its part here. */
#include "demo.h"

#include <stdio.h>

#include "arena.h"
#include "db.h"
#include "log.h"

static const char sql_seeded[] = "SELECT v FROM meta WHERE k = 'demo_seeded'";
static const char sql_mark[] = "INSERT INTO meta (k, v) VALUES ('demo_seeded', "
                               "DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%dT%H:%i:%sZ'))";

static int seed_all(void *arg)
{
    /* Domains seed here, inside one transaction: all or nothing. */
    return db_exec(sql_mark, "");
}

int demo_seed(void)
{
    struct arena a;
    arena_init(&a);
    struct db_res *r = db_query(&a, sql_seeded, "");
    int rc = -1;
    if (!r) {
        log_error("demo: %s", db_error());
    } else if (r->nrows) {
        printf("demo data already present (seeded %s)\n", db_str(r, 0, 0));
        rc = 0;
    } else if (db_tx(seed_all, NULL) != 0) {
        log_error("demo: seeding failed, nothing was written: %s", db_error());
    } else {
        printf("demo data seeded\n");
        rc = 0;
    }
    arena_cleanup(&a);
    return rc;
}
