/* arena.c - per-request bump allocator (h2o's req->pool, lwan's coro_malloc). */
#include "arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
    struct arena_block *next;
    size_t size, used;
    _Alignas(16) char data[];
};

#define ALIGN16(n) (((n) + 15) & ~(size_t)15)

void arena_init(struct arena *a)
{
    a->head = NULL;
    a->first_used = 0;
}

void arena_cleanup(struct arena *a)
{
    struct arena_block *b = a->head, *next;
    for (; b; b = next) {
        next = b->next;
        free(b);
    }
    arena_init(a);
}

void *arena_alloc(struct arena *a, size_t size)
{
    if (size > ((size_t)1 << 40)) /* no request needs a terabyte; rounding must not wrap */
        return NULL;
    size = ALIGN16(size ? size : 1);
    size_t start = ALIGN16(a->first_used);
    if (start + size <= sizeof(a->first)) {
        a->first_used = start + size;
        return a->first + start;
    }
    struct arena_block *b = a->head;
    if (b && b->used + size <= b->size) {
        void *p = b->data + b->used;
        b->used += size;
        return p;
    }
    size_t bsize = size > 8192 ? size : 8192;
    b = malloc(sizeof(*b) + bsize);
    if (!b)
        return NULL;
    b->size = bsize;
    b->used = size;
    b->next = a->head;
    a->head = b;
    return b->data;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *p = arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
