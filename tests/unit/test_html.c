/* test_html.c - html_escape, the one way values reach server-rendered HTML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "arena.h"
#include "html.h"

static void escapes_the_five(void **state)
{
    struct arena a;
    arena_init(&a);
    assert_string_equal(html_escape(&a, "\"><script>alert('x')</script>&amp;"),
                        "&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;amp;");
    assert_string_equal(html_escape(&a, "plain Отчёт 😀 `=/"), "plain Отчёт 😀 `=/");
    assert_string_equal(html_escape(&a, ""), "");
    assert_string_equal(html_escape(&a, NULL), "");
    arena_cleanup(&a);
}

/* Output six times the input fits: the arena grows past its first block. */
static void long_input(void **state)
{
    struct arena a;
    arena_init(&a);
    enum { N = 10000 };
    char in[N + 1];
    memset(in, '"', N);
    in[N] = '\0';
    const char *out = html_escape(&a, in);
    assert_int_equal(strlen(out), 6 * N);
    for (size_t i = 0; i < 6 * N; i += 6)
        assert_memory_equal(out + i, "&quot;", 6);
    arena_cleanup(&a);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escapes_the_five),
        cmocka_unit_test(long_input),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
