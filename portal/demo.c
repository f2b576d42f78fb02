/* demo.c - seeds demo data on the first run only. Each domain adds its part here. */
#include "demo.h"

#include <stdio.h>

#include <sodium.h>

#include "arena.h"
#include "boards.h"
#include "chat.h"
#include "crm.h"
#include "db.h"
#include "documents.h"
#include "feed.h"
#include "kb.h"
#include "log.h"
#include "orders.h"
#include "password.h"
#include "tickets.h"
#include "users.h"

#define DEMO_PASSWORD "demo-password-1"

/* Identity: three employees and one user per customer/partner account. */
static int seed_people(void)
{
    static const struct {
        const char *name, *kind;
    } accounts[] = {
        {"Romashka LLC", "customer"},
        {"Vasilek JSC", "customer"},
        {"Logistika Partner", "partner"},
    };
    static const struct {
        const char *email, *name, *realm, *role;
        int account; /* index into accounts, -1 for employees */
    } people[] = {
        {"anna@demo.example", "Anna Petrova", "employee", "admin", -1},
        {"boris@demo.example", "Boris Ivanov", "employee", "manager", -1},
        {"vera@demo.example", "Vera Smirnova", "employee", "member", -1},
        {"carol@client.example", "Carol Sokolova", "customer", NULL, 0},
        {"dmitry@client2.example", "Dmitry Kuznetsov", "customer", NULL, 1},
        {"pavel@partner.example", "Pavel Morozov", "partner", NULL, 2},
    };
    long long account_ids[3];
    for (int i = 0; i < 3; i++)
        if ((account_ids[i] = crm_account_insert(accounts[i].name, accounts[i].kind)) < 0)
            return -1;
    for (size_t i = 0; i < sizeof people / sizeof people[0]; i++) {
        char hash[crypto_pwhash_STRBYTES];
        if (password_hash(DEMO_PASSWORD, hash) < 0)
            return -1;
        if (users_insert(people[i].email, people[i].name, people[i].realm, people[i].role,
                         people[i].account < 0 ? 0 : account_ids[people[i].account], hash) < 0)
            return -1;
    }
    return 0;
}

static const char sql_seeded[] = "SELECT v FROM meta WHERE k = 'demo_seeded'";
static const char sql_mark[] = "INSERT INTO meta (k, v) VALUES ('demo_seeded', "
                               "DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%dT%H:%i:%sZ'))";

static int seed_all(void *arg)
{
    /* Domains seed here, inside one transaction: all or nothing. */
    if (seed_people() < 0 || feed_demo_seed() < 0 || kb_demo_seed() < 0 || boards_demo_seed() < 0 ||
        crm_demo_seed() < 0 || orders_demo_seed() < 0 || tickets_demo_seed() < 0 ||
        doc_demo_seed() < 0 || chat_demo_seed() < 0)
        return -1;
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
