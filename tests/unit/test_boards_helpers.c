/* test_boards_helpers.c - the pure parts of boards.c: due dates are real calendar dates,
 * a card's new sort key falls strictly between its neighbours' (and "no room" is seen),
 * the board's JSON (written with jsonw) escapes what jansson reads back as the same text, and
 * id sets are sorted, deduplicated and subtracted correctly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boards.c"

static void due_dates(void **state)
{
    static const char *const good[] = {"2025-01-31", "2024-02-29", "2000-02-29",
                                       "1970-01-01", "9999-12-31", "2026-11-30"};
    static const char *const bad[] = {"",
                                      "2025-13-01",
                                      "2025-00-10",
                                      "2025-01-00",
                                      "2025-02-29",
                                      "1900-02-29",
                                      "2025-04-31",
                                      "1969-12-31",
                                      "2025-1-05",
                                      "2025-01-5",
                                      "25-01-05",
                                      "2025/01/05",
                                      "2025-01-05T00:00:00Z",
                                      "2025-01-05 ",
                                      " 2025-01-05",
                                      "2o25-01-05",
                                      "+025-01-05",
                                      "tomorrow"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_true(valid_date(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (valid_date(bad[i]))
            fail_msg("accepted %s", bad[i]);
}

static void keys_between_neighbours(void **state)
{
    struct slot empty = {0, 0, 0, 0}, top = {0, 100, 0, 1}, bottom = {100, 0, 1, 0},
                mid = {100, 200, 1, 1}, tight = {100, 102, 1, 1}, none = {100, 101, 1, 1},
                negative = {-300, -100, 1, 1};
    assert_int_equal(slot_key(&empty), 0);
    assert_true(slot_key(&top) < 100);
    assert_true(slot_key(&bottom) > 100);
    assert_true(slot_key(&mid) > 100 && slot_key(&mid) < 200);
    assert_int_equal(slot_key(&tight), 101);
    assert_int_equal(slot_key(&negative), -200);
    assert_true(slot_has_room(&empty) && slot_has_room(&top) && slot_has_room(&bottom));
    assert_true(slot_has_room(&tight));
    assert_false(slot_has_room(&none));
    /* Halving a gap of KEY_GAP lasts about 20 insertions at one spot. */
    struct slot s = {0, KEY_GAP, 1, 1};
    int n = 0;
    while (slot_has_room(&s)) {
        s.hi = slot_key(&s);
        n++;
    }
    assert_int_equal(n, 20);
}

static void board_text_is_json(void **state)
{
    static const char *const samples[] = {"plain",
                                          "quote \" and backslash \\",
                                          "line\nbreak\ttab\r",
                                          "\x01\x1f ctl",
                                          "Привет, мир 👋 e\xcc\x81",
                                          "</script><b>&amp;",
                                          "",
                                          "\\u0000 literally",
                                          "slash / and \x7f"};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        struct jsonw w;
        jsonw_init(&w, NULL);
        jsonw_arr_begin(&w);
        jsonw_str(&w, samples[i]);
        jsonw_str(&w, NULL);
        jsonw_arr_end(&w);
        const char *text = jsonw_finish(&w, NULL);
        assert_non_null(text);
        json_error_t err;
        json_t *v = json_loads(text, 0, &err);
        if (!v)
            fail_msg("not JSON (%s): %s", err.text, text);
        assert_string_equal(json_string_value(json_array_get(v, 0)), samples[i]);
        assert_true(json_is_null(json_array_get(v, 1)));
        json_decref(v);
        jsonw_cleanup(&w);
    }
    /* Id lists: only digits and commas get through. */
    struct jsonw w;
    jsonw_init(&w, NULL);
    jsonw_arr_begin(&w);
    card_ids(&w, "3,5,8");
    card_ids(&w, "");
    card_ids(&w, NULL);
    card_ids(&w, "1]},{\"x\":1");
    jsonw_arr_end(&w);
    assert_string_equal(jsonw_finish(&w, NULL), "[[3,5,8],[],[],[]]");
    jsonw_cleanup(&w);
    /* A large text grows the buffer without losing anything. */
    struct jsonw big;
    jsonw_init(&big, NULL);
    jsonw_arr_begin(&big);
    for (int i = 0; i < 100000; i++)
        jsonw_raw(&big, "123456789", 9);
    jsonw_arr_end(&big);
    size_t len;
    const char *text = jsonw_finish(&big, &len);
    assert_int_equal(len, 1000001);
    assert_int_equal(strlen(text), 1000001);
    jsonw_cleanup(&big);
}

static void id_sets(void **state)
{
    long long a_v[] = {5, 3, 5, 9, 1, 3}, b_v[] = {3, 4, 9};
    struct idset a = {a_v, 6}, b = {b_v, 3};
    idset_normalize(&a);
    assert_int_equal(a.n, 4);
    assert_true(a.v[0] == 1 && a.v[1] == 3 && a.v[2] == 5 && a.v[3] == 9);
    assert_true(idset_has(&a, 9) && !idset_has(&a, 4));
    json_t *only_a = idset_minus(&a, &b), *only_b = idset_minus(&b, &a);
    char *x = json_dumps(only_a, JSON_COMPACT), *y = json_dumps(only_b, JSON_COMPACT);
    assert_string_equal(x, "[1,5]");
    assert_string_equal(y, "[4]");
    free(x);
    free(y);
    json_decref(only_a);
    json_decref(only_b);
    struct idset none = {NULL, 0};
    assert_false(idset_has(&none, 1));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(due_dates),
        cmocka_unit_test(keys_between_neighbours),
        cmocka_unit_test(board_text_is_json),
        cmocka_unit_test(id_sets),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
