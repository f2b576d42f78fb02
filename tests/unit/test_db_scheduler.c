/* test_db_scheduler.c - job leases: one winner per job and period across threads (and
 * so across processes), not before the period has passed, taken over after a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db_fixture.h"

/* The statics (sql_release, node_id, jobs) are part of what is tested. */
#include "scheduler.c"

/* Ends the lease the way scheduler_tick does after a job ran. */
static void release(const char *name, const char *status)
{
    assert_int_equal(db_exec(sql_release, "sss", status, name, node_id), 0);
    assert_int_equal(db_affected(), 1);
}

static void sleep_ms(int ms)
{
    usleep((useconds_t)ms * 1000);
}

/* --- racing threads ------------------------------------------------------------------ */

enum { RACERS = 8, ROUNDS = 6 };

struct race {
    pthread_barrier_t start;
    int won[ROUNDS];
    int errors[ROUNDS];
    pthread_mutex_t mu;
};

static void *racer(void *arg)
{
    struct race *race = arg;
    for (int round = 0; round < ROUNDS; round++) {
        char name[32];
        snprintf(name, sizeof name, "race_%d", round);
        /* Each racer has its own connection already, so the UPDATEs really meet. */
        if (round == 0)
            db_ping();
        pthread_barrier_wait(&race->start);
        int rc = scheduler_try_lease(name, 60, 600);
        pthread_mutex_lock(&race->mu);
        if (rc == 1)
            race->won[round]++;
        else if (rc < 0)
            race->errors[round]++;
        pthread_mutex_unlock(&race->mu);
    }
    db_thread_end();
    return NULL;
}

static void racing_threads_one_winner(void **state)
{
    struct race race;
    memset(&race, 0, sizeof race);
    pthread_barrier_init(&race.start, NULL, RACERS);
    pthread_mutex_init(&race.mu, NULL);
    pthread_t t[RACERS];
    for (int i = 0; i < RACERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, racer, &race), 0);
    for (int i = 0; i < RACERS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&race.start);
    pthread_mutex_destroy(&race.mu);
    for (int round = 0; round < ROUNDS; round++) {
        if (race.errors[round])
            fail_msg("round %d: %d racers got a database error", round, race.errors[round]);
        if (race.won[round] != 1)
            fail_msg("round %d: %d racers won the lease", round, race.won[round]);
    }
    /* The row says who holds it and until when. */
    char *owner = fixture_text("SELECT owner FROM job_lease WHERE name = 'race_0'");
    assert_non_null(owner);
    assert_string_equal(owner, node_id);
    free(owner);
    assert_int_equal(fixture_scalar("SELECT lease_until > UTC_TIMESTAMP(6) + INTERVAL 590 SECOND"
                                    " FROM job_lease WHERE name = 'race_0'"),
                     1);
}

/* --- due or not ---------------------------------------------------------------------- */

static void held_lease_not_taken_again(void **state)
{
    assert_int_equal(scheduler_try_lease("held", 1, 600), 1);
    assert_int_equal(scheduler_try_lease("held", 1, 600), 0);
    sleep_ms(1200); /* the period passed, but the lease is still live */
    assert_int_equal(scheduler_try_lease("held", 1, 600), 0);
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM job_lease"), 1);
}

static void not_due_until_period_passed(void **state)
{
    assert_int_equal(scheduler_try_lease("hourly", 3600, 600), 1);
    assert_int_equal(scheduler_try_lease("every_second", 1, 600), 1);
    release("hourly", "ok");
    release("every_second", "ok");
    /* Released, but the period since the last start has not passed. */
    assert_int_equal(scheduler_try_lease("hourly", 3600, 600), 0);
    assert_int_equal(scheduler_try_lease("every_second", 1, 600), 0);
    sleep_ms(1200);
    assert_int_equal(scheduler_try_lease("hourly", 3600, 600), 0);
    assert_int_equal(scheduler_try_lease("every_second", 1, 600), 1); /* due again */
    assert_int_equal(scheduler_try_lease("every_second", 1, 600), 0);
    char *status = fixture_text("SELECT last_status FROM job_lease WHERE name = 'hourly'");
    assert_string_equal(status, "ok");
    free(status);
    assert_int_equal(
        fixture_scalar("SELECT lease_until IS NULL FROM job_lease WHERE name = 'hourly'"), 1);
}

/* A runner that died holding the lease blocks the job only until the lease expires. */
static void expired_lease_taken_over(void **state)
{
    assert_int_equal(scheduler_try_lease("crashy", 1, 1), 1);
    assert_int_equal(scheduler_try_lease("crashy", 1, 1), 0);
    /* Another process (another node id) finds it expired. */
    fixture_sql("UPDATE job_lease SET owner = 'dead-node' WHERE name = 'crashy'");
    sleep_ms(1200);
    assert_int_equal(scheduler_try_lease("crashy", 1, 1), 1);
    char *owner = fixture_text("SELECT owner FROM job_lease WHERE name = 'crashy'");
    assert_string_equal(owner, node_id);
    free(owner);
}

/* The release of a runner whose lease was taken over must not end the new lease. */
static void stale_release_does_not_end_new_lease(void **state)
{
    assert_int_equal(scheduler_try_lease("handover", 1, 600), 1);
    fixture_sql("UPDATE job_lease SET owner = 'other-node' WHERE name = 'handover'");
    assert_int_equal(db_exec(sql_release, "sss", "ok", "handover", node_id), 0);
    assert_int_equal(db_affected(), 0);
    assert_int_equal(
        fixture_scalar("SELECT lease_until IS NOT NULL FROM job_lease WHERE name = 'handover'"), 1);
}

/* --- scheduler_tick ---------------------------------------------------------------- */

static int runs_ok, runs_fail, runs_tx;
static const char sql_job_meta[] = "INSERT INTO meta (k, v) VALUES ('left_open', 'yes')";

static int job_ok(void)
{
    runs_ok++;
    return 0;
}

static int job_fail(void)
{
    runs_fail++;
    return -1;
}

static int job_leaves_tx_open(void)
{
    runs_tx++;
    if (db_begin() < 0)
        return -1;
    return db_exec(sql_job_meta, "");
}

static void tick_runs_due_jobs_once(void **state)
{
    njobs = 0; /* only this case's jobs, also when every case runs in one process */
    assert_int_equal(scheduler_register("tick_ok", 1, job_ok), 0);
    assert_int_equal(scheduler_register("tick_fail", 1, job_fail), 0);
    assert_int_equal(scheduler_register("tick_tx", 1, job_leaves_tx_open), 0);
    assert_int_equal(scheduler_register("bad_period", 0, job_ok), -1);

    assert_int_equal(scheduler_tick(), 3);
    assert_int_equal(runs_ok, 1);
    assert_int_equal(runs_fail, 1);
    assert_int_equal(runs_tx, 1);
    assert_false(db_in_tx());
    /* Each job's outcome is recorded and its lease released. */
    char *s = fixture_text("SELECT last_status FROM job_lease WHERE name = 'tick_ok'");
    assert_string_equal(s, "ok");
    free(s);
    s = fixture_text("SELECT last_status FROM job_lease WHERE name = 'tick_fail'");
    assert_string_equal(s, "failed");
    free(s);
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM job_lease WHERE name LIKE 'tick_%%'"
                                    " AND lease_until IS NULL AND last_finished IS NOT NULL"),
                     3);
    /* A job's open transaction is rolled back, not committed by the release. */
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM meta WHERE k = 'left_open'"), 0);

    assert_int_equal(scheduler_tick(), 0); /* not due yet */
    assert_int_equal(runs_ok, 1);
    sleep_ms(1200);
    assert_int_equal(scheduler_tick(), 3);
    assert_int_equal(runs_ok, 2);
    assert_int_equal(runs_fail, 2);
}

/* Two schedulers (threads here, processes in production) ticking at the same moment
 * run each job once between them. */
static int runs_shared;
static pthread_mutex_t runs_mu = PTHREAD_MUTEX_INITIALIZER;

static int job_shared(void)
{
    pthread_mutex_lock(&runs_mu);
    runs_shared++;
    pthread_mutex_unlock(&runs_mu);
    return 0;
}

struct ticker {
    pthread_barrier_t *start;
    int ran;
};

static void *ticker(void *arg)
{
    struct ticker *t = arg;
    db_ping();
    pthread_barrier_wait(t->start);
    t->ran = scheduler_tick();
    db_thread_end();
    return NULL;
}

static void concurrent_ticks_run_job_once(void **state)
{
    njobs = 0;
    assert_int_equal(scheduler_register("shared_a", 60, job_shared), 0);
    assert_int_equal(scheduler_register("shared_b", 60, job_shared), 0);
    enum { T = 4 };
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, T);
    struct ticker tk[T];
    pthread_t th[T];
    for (int i = 0; i < T; i++) {
        tk[i] = (struct ticker){.start = &start};
        assert_int_equal(pthread_create(&th[i], NULL, ticker, &tk[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < T; i++) {
        pthread_join(th[i], NULL);
        total += tk[i].ran;
    }
    pthread_barrier_destroy(&start);
    assert_int_equal(total, 2);
    assert_int_equal(runs_shared, 2);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(racing_threads_one_winner, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(held_lease_not_taken_again, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(not_due_until_period_passed, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(expired_lease_taken_over, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(stale_release_does_not_end_new_lease, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(tick_runs_due_jobs_once, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(concurrent_ticks_run_job_once, db_fixture_setup,
                                        db_fixture_teardown),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, db_fixture_group_teardown);
}
