/* epoch.c - per-node change generations for the in-process caches, kept in step with
 * the database by one polling thread (see epoch.h for the contract). */
#include "epoch.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"

static const char *const domain_names[EPOCH_COUNT] = {"auth", "feed", "kb", "orders"};

static const char sql_poll[] = "SELECT domain, n FROM cache_epochs";
static const char sql_write[] = "UPDATE cache_epochs SET n = n + 1 WHERE domain = ?";

static _Atomic uint64_t gens[EPOCH_COUNT] = {1, 1, 1, 1};
static _Atomic uint64_t last_ok_ms; /* start time of the last successful poll, 0 = never */
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static long long seen[EPOCH_COUNT]; /* the rows as last polled */
static bool seen_valid;
static _Atomic bool polling;

static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static bool running;

uint64_t epoch_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t epoch_now(enum epoch_domain d)
{
    uint64_t ok = atomic_load(&last_ok_ms);
    if (!ok || epoch_clock_ms() - ok > EPOCH_STALE_MS)
        return 0;
    return atomic_load(&gens[d]);
}

int epoch_write(enum epoch_domain d)
{
    return db_exec(sql_write, "s", domain_names[d]);
}

static void bump(enum epoch_domain d)
{
    atomic_fetch_add(&gens[d], 1);
}

/* One poll: a changed row bumps its domain. 0, or -1 when the database did not answer.
 * Polls may overlap (the thread and epoch_sync()); one that finishes out of order only
 * bumps once more, it never hides a change. */
static int poll_once(void)
{
    uint64_t started = epoch_clock_ms();
    struct arena a;
    arena_init(&a);
    struct db_res *res = db_query(&a, sql_poll, "");
    if (!res) {
        arena_cleanup(&a);
        return -1;
    }
    pthread_mutex_lock(&seen_lock);
    for (int i = 0; i < res->nrows; i++)
        for (int d = 0; d < EPOCH_COUNT; d++)
            if (db_str(res, i, 0) && strcmp(db_str(res, i, 0), domain_names[d]) == 0) {
                long long n = db_ll(res, i, 1);
                if (seen_valid && n != seen[d])
                    bump((enum epoch_domain)d);
                seen[d] = n;
            }
    seen_valid = true;
    if (started > atomic_load(&last_ok_ms))
        atomic_store(&last_ok_ms, started);
    pthread_mutex_unlock(&seen_lock);
    arena_cleanup(&a);
    return 0;
}

void epoch_wait(pthread_cond_t *cond, pthread_mutex_t *mutex, long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(cond, mutex, &until);
}

void epoch_sync(void)
{
    if (atomic_load(&polling))
        poll_once();
}

static void *poll_loop(void *arg)
{
    (void)arg;
    bool warned = false;
    pthread_mutex_lock(&lock);
    while (running) {
        pthread_mutex_unlock(&lock);
        if (poll_once() < 0) {
            if (!warned)
                log_warn("cache epochs: the database does not answer (%s); caches stand aside",
                         db_error());
            warned = true;
        } else {
            warned = false;
        }
        pthread_mutex_lock(&lock);
        if (!running)
            break;
        epoch_wait(&wake, &lock, EPOCH_POLL_MS);
    }
    pthread_mutex_unlock(&lock);
    db_thread_end();
    return NULL;
}

int epoch_start(void)
{
    pthread_mutex_lock(&lock);
    running = true;
    pthread_mutex_unlock(&lock);
    atomic_store(&polling, true);
    if (pthread_create(&thread, NULL, poll_loop, NULL) != 0) {
        running = false;
        atomic_store(&polling, false);
        log_error("cannot start the cache epoch thread");
        return -1;
    }
    return 0;
}

void epoch_stop(void)
{
    pthread_mutex_lock(&lock);
    bool was = running;
    running = false;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    if (was)
        pthread_join(thread, NULL);
    atomic_store(&polling, false);
    atomic_store(&last_ok_ms, 0);
}
