/* test_limits.c - the bounds on what a client sends: JSON nesting counted before jansson
 * parses (jsonin), and log lines that no value can split, forge or stretch (log_escape). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "jsonin.h"
#include "log.h"

static char *repeat(const char *unit, int n, const char *tail)
{
    size_t ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(ul * (size_t)n + tl + 1);
    for (int i = 0; i < n; i++)
        memcpy(s + ul * (size_t)i, unit, ul);
    memcpy(s + ul * (size_t)n, tail, tl + 1);
    return s;
}

static void depth_counts_arrays_and_objects(void **state)
{
    assert_int_equal(jsonin_depth("{}", 2, 32), 1);
    assert_int_equal(jsonin_depth("{\"a\":[1,{\"b\":[]}]}", 18, 32), 4);
    assert_int_equal(jsonin_depth("1", 1, 32), 0);
    /* brackets inside strings, escaped quotes included, are text */
    const char *s = "{\"a\":\"[[[[\\\"[[[[\"}";
    assert_int_equal(jsonin_depth(s, strlen(s), 32), 1);
    char *deep = repeat("[", 33, "");
    assert_int_equal(jsonin_depth(deep, strlen(deep), 32), 33);
    free(deep);
}

static void load_refuses_deep_input_without_recursing(void **state)
{
    json_error_t err;
    char *ok = repeat("[", 32, "");
    char *ok_full = malloc(65);
    memcpy(ok_full, ok, 32);
    memset(ok_full + 32, ']', 32);
    ok_full[64] = '\0';
    json_t *j = jsonin_load(ok_full, 64, 0, JSONIN_MAX_DEPTH, &err);
    assert_non_null(j);
    json_decref(j);
    /* a million levels: refused by the count, in one pass, on any stack */
    char *deep = repeat("[", 1000000, "");
    j = jsonin_load(deep, strlen(deep), 0, JSONIN_MAX_DEPTH, &err);
    assert_null(j);
    assert_int_equal(err.line, -1);
    assert_int_equal(err.position, 32);
    assert_non_null(strstr(err.text, "deeper than 32"));
    free(deep);
    free(ok);
    free(ok_full);
    /* malformed but shallow input still gets jansson's own message */
    j = jsonin_load("{\"a\":", 5, 0, JSONIN_MAX_DEPTH, &err);
    assert_null(j);
    assert_true(err.line >= 1);
}

static void log_escape_keeps_one_line(void **state)
{
    char out[256];
    const char in[] = "GET /a\r\n2026-01-01 forged\x1b[2J\x7f\\ ok";
    log_escape(out, sizeof out, in, sizeof in - 1);
    assert_string_equal(out, "GET /a\\x0d\\x0a2026-01-01 forged\\x1b[2J\\x7f\\\\ ok");
    /* valid UTF-8 passes, invalid and overlong bytes are escaped one by one */
    const char utf[] = "\xd0\x9f\xd1\x80\xff\xc0\xaf";
    log_escape(out, sizeof out, utf, sizeof utf - 1);
    assert_string_equal(out, "\xd0\x9f\xd1\x80\\xff\\xc0\\xaf");
    /* a NUL inside the value is a byte like any other */
    log_escape(out, sizeof out, "a\0b", 3);
    assert_string_equal(out, "a\\x00b");
}

static void log_escape_cuts_before_an_escape(void **state)
{
    char out[8];
    size_t n = log_escape(out, sizeof out, "abcd\n\n", 6);
    assert_string_equal(out, "abcd"); /* "\x0a" would not fit: cut before it, not inside */
    assert_int_equal(n, 4);
    n = log_escape(out, sizeof out, "\xd0\x9f\xd0\x9f\xd0\x9f\xd0\x9f", 8);
    assert_int_equal(n, 6); /* never inside a character */
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(depth_counts_arrays_and_objects),
        cmocka_unit_test(load_refuses_deep_input_without_recursing),
        cmocka_unit_test(log_escape_keeps_one_line),
        cmocka_unit_test(log_escape_cuts_before_an_escape),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
