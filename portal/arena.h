/* arena.h - per-request bump allocator, freed in one go when the request ends. */
#ifndef PORTAL_ARENA_H
#define PORTAL_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head;      /* newest block first */
    _Alignas(16) char first[2048]; /* small requests never touch malloc */
    size_t first_used;
};

void arena_init(struct arena *a);
void arena_cleanup(struct arena *a);                /* frees every block; the arena may be reused */
void *arena_alloc(struct arena *a, size_t size);    /* 16-byte aligned, NULL on OOM */
char *arena_strdup(struct arena *a, const char *s); /* NULL in, NULL out */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
