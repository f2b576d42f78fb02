/* epoch.h - change generations that tell a node's in-process caches (sessions, feed
 * pages) whether what they hold may still be served. Nodes keep no state of their own:
 * every write that a cache depends on also bumps a row of cache_epochs in its
 * transaction, and one thread per node polls those rows, so a change made on any node
 * reaches every cache within EPOCH_POLL_MS. */
#ifndef PORTAL_EPOCH_H
#define PORTAL_EPOCH_H

#include <pthread.h>
#include <stdint.h>

enum epoch_domain {
    EPOCH_AUTH, /* sessions revoked, users changed (role, name, disabled): row 'auth' */
    EPOCH_FEED, /* posts, comments, likes, acks, groups and their members: row 'feed' */
    EPOCH_KB,   /* knowledge base articles saved: row 'kb' */
    EPOCH_ORDERS, /* orders created, edited, moved in their workflow: row 'orders' */
    EPOCH_COUNT,
};

#define EPOCH_POLL_MS  100
#define EPOCH_STALE_MS 1000 /* no successful poll for this long: caches stand aside */

/* Starts (stops) the polling thread; `portal serve` only. 0 or -1. */
int epoch_start(void);
void epoch_stop(void);

/* The node's generation of domain d, or 0 when caches must not be used: the poller is
 * not running or has not reached the database for EPOCH_STALE_MS. An entry filled
 * under generation g may be served while epoch_now() still returns g. Read it before
 * the queries that fill the entry. */
uint64_t epoch_now(enum epoch_domain d);

/* Inside the transaction of a change to domain d: bumps its cache_epochs row (so
 * every node's poller sees it once the change commits). 0 or -1 (database error). */
int epoch_write(enum epoch_domain d);
/* Polls now, from the calling thread: http_send() calls it before answering a write,
 * so the writer's next request on this node never meets an entry its own committed
 * change made stale (whichever module wrote, by trigger or epoch_write). No-op when
 * the poller is not running. */
void epoch_sync(void);

/* For the threads that keep caches: waits on cond (mutex held) for up to ms. */
void epoch_wait(pthread_cond_t *cond, pthread_mutex_t *mutex, long ms);

/* Milliseconds of CLOCK_MONOTONIC, for cache entry ages. */
uint64_t epoch_clock_ms(void);

#endif
