/* test_jsonw.c - jsonw writes the very bytes json_dumps(JSON_COMPACT) writes for the same
 * value: hostile strings, numbers at their limits, nesting, members after a jansson
 * object, buffers in the heap and in an arena; and it refuses what jansson refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "jsonw.h"

/* The writer's text equals jansson's compact dump of want (stolen). Frees the writer. */
static void same_as(struct jsonw *w, json_t *want)
{
    assert_non_null(want);
    char *dumped = json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY);
    assert_non_null(dumped);
    size_t len = 0;
    const char *got = jsonw_finish(w, &len);
    if (!got)
        fail_msg("jsonw failed where jansson wrote %s", dumped);
    assert_int_equal(len, strlen(dumped));
    assert_memory_equal(got, dumped, len);
    assert_int_equal(got[len], '\0');
    free(dumped);
    json_decref(want);
    jsonw_cleanup(w);
}

static void string_same(const char *s, size_t n)
{
    struct jsonw w;
    jsonw_init(&w, NULL);
    jsonw_strn(&w, s, n);
    same_as(&w, json_stringn(s, n));
}

static void every_byte(void **state)
{
    /* each ASCII byte alone, between text, and all of them in one string */
    char all[128];
    for (int c = 0; c < 128; c++) {
        char one[3] = {'a', (char)c, 'z'};
        string_same(one + 1, 1);
        string_same(one, 3);
        all[c] = (char)c;
    }
    string_same(all, sizeof all);
    string_same(all + 1, sizeof all - 1);
}

static void hostile_strings(void **state)
{
    static const char *const samples[] = {
        "",
        "plain",
        "quote \" and backslash \\ and \\\" both",
        "\"\"\"\\\\\\",
        "line\nbreak\ttab\rcr\bbs\fff",
        "\x01\x1f\x1b\x7f ctl",
        "slash / </script> &amp; <!--",
        "U+2028 \xe2\x80\xa8 U+2029 \xe2\x80\xa9",
        "4 bytes \xf0\x9f\x91\x8b \xf4\x8f\xbf\xbf \xf0\x90\x80\x80",
        "\xc2\x80 \xdf\xbf \xe0\xa0\x80 \xef\xbf\xbf \xed\x9f\xbf \xee\x80\x80",
        "Привет, мир e\xcc\x81",
        "\\u0000 literally",
    };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
        string_same(samples[i], strlen(samples[i]));
    /* long strings, past any first buffer, with escapes spread through */
    size_t n = 300000;
    char *big = malloc(n);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++)
        big[i] = "ab\"c\\d\ne\x01/"[i % 11];
    string_same(big, n);
    memset(big, 'x', n);
    string_same(big, n);
    memset(big, '\n', n);
    string_same(big, n);
    free(big);
    /* NUL inside (json_stringn keeps it) */
    string_same("a\0b", 3);
    /* keys escape as strings do */
    struct jsonw w;
    jsonw_init(&w, NULL);
    jsonw_obj_begin(&w);
    jsonw_key(&w, "k\"\x01\xe2\x80\xa8");
    jsonw_str(&w, "v");
    jsonw_key(&w, "");
    jsonw_str(&w, "");
    jsonw_obj_end(&w);
    same_as(&w, json_pack("{s:s, s:s}", "k\"\x01\xe2\x80\xa8", "v", "", ""));
}

static void invalid_utf8_refused(void **state)
{
    static const char *const bad[] = {
        "\x80",
        "\xbf",
        "\xc0\xaf",
        "\xc1\xbf",
        "\xc2",
        "\xc2\x20",
        "\xe0\x80\xaf",
        "\xe0\x9f\xbf",
        "\xed\xa0\x80",
        "\xed\xbf\xbf",
        "\xe2\x82",
        "\xf0\x80\x80\x80",
        "\xf0\x8f\xbf\xbf",
        "\xf4\x90\x80\x80",
        "\xf5\x80\x80\x80",
        "\xff",
        "ok then \xfe",
        "\xf0\x9f\x91",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n = strlen(bad[i]);
        assert_null(json_stringn(bad[i], n)); /* jansson will not hold it */
        json_t *forced = json_stringn_nocheck(bad[i], n);
        char *dumped = json_dumps(forced, JSON_COMPACT | JSON_ENCODE_ANY);
        assert_null(dumped); /* nor write it */
        json_decref(forced);
        struct jsonw w;
        jsonw_init(&w, NULL);
        jsonw_arr_begin(&w);
        jsonw_str(&w, "fine");
        jsonw_strn(&w, bad[i], n);
        jsonw_int(&w, 1); /* sticky: nothing after the failure helps */
        jsonw_arr_end(&w);
        if (jsonw_finish(&w, NULL))
            fail_msg("accepted invalid UTF-8 sample %zu", i);
        jsonw_cleanup(&w);
    }
}

static void numbers(void **state)
{
    static const long long ints[] = {0,
                                     1,
                                     -1,
                                     9,
                                     10,
                                     -10,
                                     4294967296,
                                     -4294967297,
                                     INT32_MAX,
                                     INT32_MIN,
                                     INT64_MAX,
                                     INT64_MIN,
                                     INT64_MAX - 1,
                                     INT64_MIN + 1,
                                     1000000000000000000};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        struct jsonw w;
        jsonw_init(&w, NULL);
        jsonw_int(&w, ints[i]);
        same_as(&w, json_integer(ints[i]));
    }
    static const double reals[] = {0.0,     -0.0,    1.0,       -1.5,
                                   0.1,     1e20,    1e21,      1e-5,
                                   1e-7,    1.5e300, -2.5e-300, 3.14159,
                                   DBL_MAX, DBL_MIN, 5e-324,    123456789012345678.0,
                                   1e16,    1e17,    100.0,     0.30000000000000004};
    for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
        struct jsonw w;
        jsonw_init(&w, NULL);
        jsonw_real(&w, reals[i]);
        same_as(&w, json_real(reals[i]));
    }
    struct jsonw w;
    jsonw_init(&w, NULL);
    jsonw_real(&w, 1.0 / 0.0);
    assert_null(jsonw_finish(&w, NULL));
    jsonw_cleanup(&w);
}

/* A number given as text equals jsonw_int of what strtoll makes of it, canonical or not. */
static void integer_text(void **state)
{
    static const char *const texts[] = {"0",
                                        "7",
                                        "-7",
                                        "42",
                                        "-0",
                                        "007",
                                        "-012",
                                        "",
                                        "-",
                                        "+5",
                                        "12x",
                                        " 3",
                                        "1.5",
                                        "1e3",
                                        "999999999999999999",
                                        "-999999999999999999",
                                        "9223372036854775807",
                                        "-9223372036854775808",
                                        "9223372036854775808",
                                        "99999999999999999999",
                                        "-99999999999999999999",
                                        NULL};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct jsonw w;
        jsonw_init(&w, NULL);
        jsonw_arr_begin(&w);
        jsonw_int_text(&w, texts[i]);
        jsonw_int_text(&w, texts[i]);
        jsonw_arr_end(&w);
        long long v = texts[i] ? strtoll(texts[i], NULL, 10) : 0;
        same_as(&w, json_pack("[I,I]", (json_int_t)v, (json_int_t)v));
    }
}

static void structure(void **state)
{
    struct jsonw w;
    jsonw_init(&w, NULL);
    jsonw_obj_begin(&w);
    jsonw_key(&w, "empty_obj");
    jsonw_obj_begin(&w);
    jsonw_obj_end(&w);
    jsonw_key(&w, "empty_arr");
    jsonw_arr_begin(&w);
    jsonw_arr_end(&w);
    jsonw_key(&w, "list");
    jsonw_arr_begin(&w);
    jsonw_int(&w, 1);
    jsonw_str(&w, NULL);
    jsonw_bool(&w, true);
    jsonw_bool(&w, false);
    jsonw_null(&w);
    jsonw_arr_begin(&w);
    jsonw_arr_end(&w);
    jsonw_obj_begin(&w);
    jsonw_key(&w, "a");
    jsonw_raw(&w, "[3,5]", 5);
    jsonw_obj_end(&w);
    jsonw_raw(&w, "{\"x\":\"y\"}", 9);
    jsonw_arr_end(&w);
    jsonw_key(&w, "tree");
    json_t *tree = json_pack("{s:[i,s,{}], s:n, s:f}", "z", 1, "\xe2\x80\xa8", "b", "c", 0.5);
    jsonw_json(&w, tree);
    jsonw_key(&w, "last");
    jsonw_str(&w, "end");
    jsonw_obj_end(&w);
    same_as(&w, json_pack("{s:{}, s:[], s:[i,n,b,b,n,[],{s:[i,i]},{s:s}], s:O, s:s}", "empty_obj",
                          "empty_arr", "list", 1, 1, 0, "a", 3, 5, "x", "y", "tree", tree, "last",
                          "end"));
    json_decref(tree);
}

static void deep_nesting(void **state)
{
    for (int depth = 1; depth <= 200; depth += 199) {
        struct jsonw w;
        jsonw_init(&w, NULL);
        json_t *want = json_integer(depth), *inner;
        for (int i = 0; i < depth; i++) {
            if (i % 2) {
                jsonw_arr_begin(&w);
                jsonw_int(&w, i);
                inner = json_pack("[i]", i);
            } else {
                jsonw_obj_begin(&w);
                jsonw_key(&w, "k");
                inner = json_object();
            }
            (void)inner;
            json_decref(inner);
        }
        jsonw_int(&w, depth);
        /* build jansson's from the inside out: level i wraps level i + 1 */
        for (int i = depth - 1; i >= 0; i--)
            want = i % 2 ? json_pack("[i,o]", i, want) : json_pack("{s:o}", "k", want);
        for (int i = depth - 1; i >= 0; i--)
            (i % 2 ? jsonw_arr_end : jsonw_obj_end)(&w);
        same_as(&w, want);
    }
    /* unbalanced: no text */
    struct jsonw w;
    jsonw_init(&w, NULL);
    jsonw_arr_begin(&w);
    assert_null(jsonw_finish(&w, NULL));
    jsonw_cleanup(&w);
}

static void open_jansson_object(void **state)
{
    for (int empty = 0; empty < 2; empty++) {
        json_t *head = empty ? json_object() : json_pack("{s:i, s:s}", "id", 7, "name", "n\"");
        struct jsonw w;
        jsonw_init(&w, NULL);
        jsonw_arr_begin(&w);
        jsonw_obj_open(&w, head);
        jsonw_key(&w, "cards");
        jsonw_arr_begin(&w);
        jsonw_int(&w, 1);
        jsonw_arr_end(&w);
        jsonw_obj_end(&w);
        jsonw_obj_open(&w, head);
        jsonw_obj_end(&w);
        jsonw_arr_end(&w);
        json_t *first = json_deep_copy(head);
        json_object_set_new(first, "cards", json_pack("[i]", 1));
        same_as(&w, json_pack("[o,O]", first, head));
        json_decref(head);
    }
    struct jsonw w;
    jsonw_init(&w, NULL);
    json_t *arr = json_array();
    jsonw_obj_open(&w, arr); /* not an object */
    assert_null(jsonw_finish(&w, NULL));
    jsonw_cleanup(&w);
    json_decref(arr);
}

static void arena_buffer(void **state)
{
    struct arena a;
    arena_init(&a);
    struct jsonw w;
    jsonw_init(&w, &a);
    json_t *want = json_array();
    jsonw_arr_begin(&w);
    for (int i = 0; i < 20000; i++) { /* ~400 KB: many growths in the arena */
        char s[32];
        snprintf(s, sizeof s, "card \"%d\"\n", i);
        jsonw_str(&w, s);
        jsonw_int(&w, -i);
        json_array_append_new(want, json_string(s));
        json_array_append_new(want, json_integer(-i));
    }
    jsonw_arr_end(&w);
    same_as(&w, want);
    arena_cleanup(&a);
}

int main(int argc, char **argv)
{
    /* one case a line: tests/CMakeLists.txt reads them so */
    // clang-format off
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_byte),
        cmocka_unit_test(hostile_strings),
        cmocka_unit_test(invalid_utf8_refused),
        cmocka_unit_test(numbers),
        cmocka_unit_test(integer_text),
        cmocka_unit_test(structure),
        cmocka_unit_test(deep_nesting),
        cmocka_unit_test(open_jansson_object),
        cmocka_unit_test(arena_buffer),
    };
    // clang-format on
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
