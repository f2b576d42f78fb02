/* test_arena.c - the per-request bump allocator: alignment, growth, copies, reuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "arena.h"

static void small_allocations_are_aligned_and_distinct(void **state)
{
    struct arena a;
    arena_init(&a);
    char *prev = NULL;
    size_t prev_size = 0;
    for (size_t size = 1; size < 40; size++) {
        char *p = arena_alloc(&a, size);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        if (prev) /* no overlap with the previous one */
            assert_true(p >= prev + prev_size || p + size <= prev);
        memset(p, 0xab, size);
        prev = p;
        prev_size = size;
    }
    arena_cleanup(&a);
}

/* Many allocations across the inline block and several heap blocks: every byte a
 * caller was given stays its own (a fill pattern per allocation survives). */
static void allocations_never_overlap_across_blocks(void **state)
{
    enum { N = 600 };
    struct arena a;
    arena_init(&a);
    unsigned char *ptr[N];
    size_t len[N];
    for (int i = 0; i < N; i++) {
        len[i] = (size_t)(i * 37 % 700) + 1;
        if (i % 97 == 0)
            len[i] = 9000 + (size_t)i; /* bigger than a default block */
        ptr[i] = arena_alloc(&a, len[i]);
        assert_non_null(ptr[i]);
        assert_int_equal((uintptr_t)ptr[i] % 16, 0);
        memset(ptr[i], i & 0xff, len[i]);
    }
    for (int i = 0; i < N; i++)
        for (size_t k = 0; k < len[i]; k++)
            if (ptr[i][k] != (unsigned char)(i & 0xff))
                fail_msg("allocation %d byte %zu was overwritten", i, k);
    arena_cleanup(&a);
}

static void zero_size_gives_a_usable_pointer(void **state)
{
    struct arena a;
    arena_init(&a);
    void *p = arena_alloc(&a, 0), *q = arena_alloc(&a, 0);
    assert_non_null(p);
    assert_non_null(q);
    assert_ptr_not_equal(p, q);
    arena_cleanup(&a);
}

static void large_allocation_is_whole(void **state)
{
    struct arena a;
    arena_init(&a);
    size_t big = 1 << 20;
    unsigned char *p = arena_alloc(&a, big);
    assert_non_null(p);
    memset(p, 0x5a, big); /* ASan catches a short block */
    assert_int_equal(p[big - 1], 0x5a);
    char *after = arena_strdup(&a, "after");
    assert_string_equal(after, "after");
    assert_int_equal(p[big - 1], 0x5a);
    arena_cleanup(&a);
}

/* "NULL on OOM": a size no allocator can satisfy must not wrap around to a tiny block
 * the caller then overruns. */
static void impossible_size_returns_null(void **state)
{
    struct arena a;
    arena_init(&a);
    assert_null(arena_alloc(&a, SIZE_MAX));
    assert_null(arena_alloc(&a, SIZE_MAX - 8));
    assert_null(arena_alloc(&a, SIZE_MAX - 64));
    arena_cleanup(&a);
}

static void strdup_and_strndup(void **state)
{
    struct arena a;
    arena_init(&a);
    assert_null(arena_strdup(&a, NULL));
    assert_null(arena_strndup(&a, NULL, 3));
    const char *src = "hello, мир";
    char *d = arena_strdup(&a, src);
    assert_string_equal(d, src);
    assert_ptr_not_equal(d, src);
    char *n = arena_strndup(&a, "abcdef", 3);
    assert_string_equal(n, "abc");
    char *e = arena_strndup(&a, "abc", 0);
    assert_string_equal(e, "");
    /* The db layer copies binary cells with it: embedded NULs are copied, then one
     * terminating NUL is added. */
    char *bin = arena_strndup(&a, "a\0b\0c", 5);
    assert_memory_equal(bin, "a\0b\0c", 5);
    assert_int_equal(bin[5], '\0');
    arena_cleanup(&a);
}

static void printf_formats_short_and_long(void **state)
{
    struct arena a;
    arena_init(&a);
    char *s = arena_printf(&a, "%s-%d-%lld", "id", 42, -7LL);
    assert_string_equal(s, "id-42--7");
    char *pad = arena_printf(&a, "[%10000d]", 5); /* longer than any block */
    assert_non_null(pad);
    assert_int_equal(strlen(pad), 10002);
    assert_int_equal(pad[0], '[');
    assert_int_equal(pad[10000], '5');
    assert_int_equal(pad[10001], ']');
    assert_string_equal(arena_printf(&a, "%s", ""), "");
    assert_string_equal(s, "id-42--7"); /* earlier results stay valid */
    arena_cleanup(&a);
}

/* cleanup frees every block (ASan's leak check sees the rest) and leaves the arena
 * ready for the next request. */
static void cleanup_then_reuse(void **state)
{
    struct arena a;
    arena_init(&a);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 50; i++)
            assert_non_null(arena_alloc(&a, 3000));
        char *s = arena_printf(&a, "round %d", round);
        assert_non_null(s);
        arena_cleanup(&a);
        assert_null(a.head);
        assert_int_equal(a.first_used, 0);
    }
    char *p = arena_alloc(&a, 16);
    assert_ptr_equal(p, a.first); /* back to the inline block */
    arena_cleanup(&a);
    arena_cleanup(&a); /* twice is harmless */
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(small_allocations_are_aligned_and_distinct),
        cmocka_unit_test(allocations_never_overlap_across_blocks),
        cmocka_unit_test(zero_size_gives_a_usable_pointer),
        cmocka_unit_test(large_allocation_is_whole),
        cmocka_unit_test(impossible_size_returns_null),
        cmocka_unit_test(strdup_and_strndup),
        cmocka_unit_test(printf_formats_short_and_long),
        cmocka_unit_test(cleanup_then_reuse),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
