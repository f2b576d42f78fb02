/* pagecache.h - the answers of a GET route kept as the bytes sent, per key (a few
 * numbers: the reader or account and the query's arguments), valid under up to two
 * change generations (epoch.h): an entry is served only while the generations read
 * before its queries are still current, and for ttl_ms at most (changes made in SQL by
 * hand). Bounded: a fixed array of direct-mapped slots (a collision evicts) and a byte
 * budget for all entries' text. Used by the feed's pages and the cabinet's order list. */
#ifndef PORTAL_PAGECACHE_H
#define PORTAL_PAGECACHE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

#define PAGECACHE_KEY_MAX 8 /* numbers in a key */

struct pagecache_entry {
    long long key[PAGECACHE_KEY_MAX];
    uint64_t gen[2]; /* 0 = empty slot */
    uint64_t filled_ms;
    char *text; /* malloc'd */
    size_t len;
};

struct pagecache {
    struct pagecache_entry *slots;
    size_t nslots;    /* a power of two */
    uint64_t ttl_ms;  /* an entry's longest life */
    size_t max_len;   /* bigger texts are not kept */
    size_t max_bytes; /* all entries' text together */
    size_t bytes;     /* under the write lock */
    /* Readers never wait for each other (a reader the scheduler preempts while copying
     * must not stall the others); a fill waits for the readers but goes before new ones. */
    pthread_rwlock_t lock;
};

/* A cache over the static array slots (a power of two in size). */
#define PAGECACHE_INIT(slots_, ttl_ms_, max_len_, max_bytes_)                                      \
    {                                                                                              \
        .slots = (slots_), .nslots = sizeof(slots_) / sizeof((slots_)[0]), .ttl_ms = (ttl_ms_),    \
        .max_len = (max_len_), .max_bytes = (max_bytes_),                                          \
        .lock = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP,                                 \
    }

/* The text kept for key (nkey numbers) under the generations gen (both must be non-zero:
 * epoch_now() returns 0 when caches stand aside), copied into a; NULL when there is none. */
char *pagecache_get(struct pagecache *c, struct arena *a, const long long *key, size_t nkey,
                    const uint64_t gen[2], size_t *len);

/* Keeps a copy of text for key, filled under gen (read before the queries that made it)
 * at filled (epoch_clock_ms()). Too big, over the budget or gen 0: not kept. */
void pagecache_put(struct pagecache *c, const long long *key, size_t nkey, const uint64_t gen[2],
                   uint64_t filled, const char *text, size_t len);

#endif
