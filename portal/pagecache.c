/* pagecache.c - answers kept per key under change generations (see pagecache.h). */
#include "pagecache.h"

#include <stdlib.h>
#include <string.h>

#include "epoch.h"

/* The key padded with zeros, and its slot. */
static struct pagecache_entry *slot(struct pagecache *c, const long long *key, size_t nkey,
                                    long long full[PAGECACHE_KEY_MAX])
{
    memset(full, 0, sizeof(long long) * PAGECACHE_KEY_MAX);
    memcpy(full, key, sizeof(long long) * (nkey < PAGECACHE_KEY_MAX ? nkey : PAGECACHE_KEY_MAX));
    uint64_t h = 1469598103934665603ull; /* FNV-1a over the key's numbers */
    for (size_t i = 0; i < PAGECACHE_KEY_MAX; i++)
        h = (h ^ (uint64_t)full[i]) * 1099511628211ull;
    return &c->slots[(h ^ (h >> 29)) & (c->nslots - 1)];
}

char *pagecache_get(struct pagecache *c, struct arena *a, const long long *key, size_t nkey,
                    const uint64_t gen[2], size_t *len)
{
    if (!gen[0] || !gen[1] || nkey > PAGECACHE_KEY_MAX)
        return NULL;
    long long full[PAGECACHE_KEY_MAX];
    char *out = NULL;
    pthread_rwlock_rdlock(&c->lock);
    struct pagecache_entry *e = slot(c, key, nkey, full);
    if (e->gen[0] == gen[0] && e->gen[1] == gen[1] && memcmp(e->key, full, sizeof full) == 0 &&
        epoch_clock_ms() - e->filled_ms < c->ttl_ms && (out = arena_alloc(a, e->len))) {
        memcpy(out, e->text, e->len);
        *len = e->len;
    }
    pthread_rwlock_unlock(&c->lock);
    return out;
}

void pagecache_put(struct pagecache *c, const long long *key, size_t nkey, const uint64_t gen[2],
                   uint64_t filled, const char *text, size_t len)
{
    if (!gen[0] || !gen[1] || nkey > PAGECACHE_KEY_MAX || len > c->max_len)
        return;
    char *copy = malloc(len);
    if (!copy)
        return;
    memcpy(copy, text, len);
    long long full[PAGECACHE_KEY_MAX];
    pthread_rwlock_wrlock(&c->lock);
    struct pagecache_entry *e = slot(c, key, nkey, full);
    if (c->bytes - e->len + len > c->max_bytes) {
        pthread_rwlock_unlock(&c->lock);
        free(copy);
        return;
    }
    char *old = e->text;
    c->bytes = c->bytes - e->len + len;
    memcpy(e->key, full, sizeof full);
    e->gen[0] = gen[0];
    e->gen[1] = gen[1];
    e->filled_ms = filled;
    e->text = copy;
    e->len = len;
    pthread_rwlock_unlock(&c->lock);
    free(old);
}
