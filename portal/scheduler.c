/* scheduler.c - a thread ticking every PORTAL_SCHEDULER_INTERVAL seconds. Several
 * portal processes over one database stay correct because a job runs only in the
 * process whose UPDATE of the job's lease row matched (one row, one winner). */
#include "scheduler.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "log.h"

#define MAX_JOBS 32

static struct {
    const char *name;
    int period_s;
    scheduler_job fn;
    atomic_bool kicked; /* scheduler_kick() asked for a run now */
} jobs[MAX_JOBS];
static int njobs;
static bool kicks; /* under lock: some job was kicked */

static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int running;
static char node_id[64];

static const char sql_seed[] = "INSERT IGNORE INTO job_lease (name) VALUES (?)";
/* Due when never run or the period passed, and nobody's lease is live. */
static const char sql_take[] =
    "UPDATE job_lease SET owner = ?, lease_until = UTC_TIMESTAMP(6) + INTERVAL ? SECOND,"
    " last_started = UTC_TIMESTAMP(6)"
    " WHERE name = ? AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP(6))"
    " AND (last_started IS NULL OR last_started <= UTC_TIMESTAMP(6) - INTERVAL ? SECOND)";
static const char sql_release[] =
    "UPDATE job_lease SET lease_until = NULL, last_finished = UTC_TIMESTAMP(6), last_status = ?"
    " WHERE name = ? AND owner = ?";

int scheduler_register(const char *name, int period_s, scheduler_job fn)
{
    if (njobs == MAX_JOBS || period_s < 1)
        return -1;
    jobs[njobs].name = name;
    jobs[njobs].period_s = period_s;
    jobs[njobs].fn = fn;
    njobs++;
    return 0;
}

static void make_node_id(void)
{
    if (node_id[0])
        return;
    char host[32] = "host";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    snprintf(node_id, sizeof node_id, "%.31s:%d:%08x", host, (int)getpid(), randombytes_random());
}

int scheduler_try_lease(const char *name, int period_s, int lease_s)
{
    make_node_id();
    if (db_exec(sql_seed, "s", name) < 0)
        return -1;
    if (db_exec(sql_take, "sisi", node_id, (long long)lease_s, name, (long long)period_s) < 0)
        return -1;
    return db_affected() == 1 ? 1 : 0;
}

int scheduler_tick(void)
{
    int ran = 0;
    for (int i = 0; i < njobs; i++) {
        /* The lease outlives a crashed runner by at most ten periods or ten minutes. */
        int lease = jobs[i].period_s * 10 < 600 ? jobs[i].period_s * 10 : 600;
        int won = scheduler_try_lease(jobs[i].name, jobs[i].period_s, lease);
        if (won <= 0)
            continue;
        int rc = jobs[i].fn();
        if (rc < 0)
            log_warn("job %s failed: %s", jobs[i].name, db_error());
        db_rollback(); /* a job must not leave a transaction open */
        db_exec(sql_release, "sss", rc < 0 ? "failed" : "ok", jobs[i].name, node_id);
        ran++;
    }
    return ran;
}

void scheduler_kick(const char *name)
{
    for (int i = 0; i < njobs; i++)
        if (strcmp(jobs[i].name, name) == 0)
            atomic_store(&jobs[i].kicked, true);
    pthread_mutex_lock(&lock);
    kicks = true;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
}

/* Kicked jobs run without the lease: they claim their rows one by one, so two nodes
 * running one at once send nothing twice. */
static void run_kicked(void)
{
    for (int i = 0; i < njobs; i++) {
        if (!atomic_exchange(&jobs[i].kicked, false))
            continue;
        if (jobs[i].fn() < 0)
            log_warn("job %s failed: %s", jobs[i].name, db_error());
        db_rollback();
    }
}

static void *loop(void *arg)
{
    pthread_mutex_lock(&lock);
    while (running) {
        pthread_mutex_unlock(&lock);
        scheduler_tick();
        pthread_mutex_lock(&lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += config.scheduler_interval_s;
        while (running) {
            if (kicks) {
                kicks = false;
                pthread_mutex_unlock(&lock);
                run_kicked();
                pthread_mutex_lock(&lock);
                continue;
            }
            if (pthread_cond_timedwait(&wake, &lock, &until) == ETIMEDOUT)
                break;
        }
    }
    pthread_mutex_unlock(&lock);
    db_thread_end();
    return NULL;
}

int scheduler_start(void)
{
    make_node_id();
    running = 1;
    if (pthread_create(&thread, NULL, loop, NULL) != 0) {
        running = 0;
        return -1;
    }
    return 0;
}

void scheduler_stop(void)
{
    pthread_mutex_lock(&lock);
    if (!running) {
        pthread_mutex_unlock(&lock);
        return;
    }
    running = 0;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    pthread_join(thread, NULL);
}
