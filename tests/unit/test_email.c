/* test_email.c - email normalisation: one spelling per address, look-alikes refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "email.h"

/* Normalises in; returns the result (or NULL) and the reason through why. */
static const char *norm(struct arena *a, const char *in, const char **why)
{
    const char *w = NULL;
    const char *out = email_normalize(a, in, &w);
    if (why)
        *why = w;
    return out;
}

static void case_and_outer_spaces_fold(void **state)
{
    struct arena a;
    arena_init(&a);
    assert_string_equal(norm(&a, "  Anna@Demo.EXAMPLE\t", NULL), "anna@demo.example");
    assert_string_equal(norm(&a, "ANNA@demo.example", NULL), "anna@demo.example");
    /* full case folding, not just lower case */
    assert_string_equal(norm(&a, "STRASSE@x.example", NULL), "strasse@x.example");
    assert_string_equal(norm(&a, "Straße@x.example", NULL), "strasse@x.example");
    assert_string_equal(norm(&a, "ÉLODIE@x.example", NULL), "élodie@x.example");
    arena_cleanup(&a);
}

static void nfc_makes_one_spelling(void **state)
{
    struct arena a;
    arena_init(&a);
    /* e + COMBINING DIAERESIS and the precomposed letter are one address */
    const char *decomposed = norm(&a, "zoe\xcc\x88@x.example", NULL);
    const char *composed = norm(&a, "ZO\xc3\x8b@x.example", NULL);
    assert_non_null(decomposed);
    assert_string_equal(decomposed, "zo\xc3\xab@x.example");
    assert_string_equal(decomposed, composed);
    /* an accent is another address, not the plain one */
    assert_string_not_equal(norm(&a, "\xc3\xa1nna@demo.example", NULL), "anna@demo.example");
    arena_cleanup(&a);
}

static void normalising_twice_changes_nothing(void **state)
{
    struct arena a;
    arena_init(&a);
    const char *inputs[] = {"Zoe\xcc\x88@X.example", " Straße@x.example ", "plain@x.example",
                            "\xe2\x84\xab@x.example" /* ANGSTROM SIGN */};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        const char *once = norm(&a, inputs[i], NULL);
        assert_non_null(once);
        assert_string_equal(norm(&a, once, NULL), once);
    }
    arena_cleanup(&a);
}

static void look_alike_spaces_and_controls_refused(void **state)
{
    struct arena a;
    arena_init(&a);
    const char *bad[] = {
        "anna@demo.example\xc2\xa0", /* NO-BREAK SPACE */
        "\u00a0anna@demo.example",      /* NO-BREAK SPACE first (UTF-8 C2 A0) */
        "anna\xe2\x80\x8b@demo.example", /* ZERO WIDTH SPACE */
        "anna@demo.example\xe3\x80\x80", /* IDEOGRAPHIC SPACE */
        "anna@demo.example\xe2\x80\xa8", /* LINE SEPARATOR */
        "anna@demo\x07.example",         /* BEL */
        "anna@demo.example\xc2\x85",     /* NEXT LINE (C1) */
        "anna\xef\xbb\xbf@demo.example", /* BOM */
        "anna\xe2\x80\xae@demo.example", /* RIGHT-TO-LEFT OVERRIDE */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *why = NULL;
        assert_null(norm(&a, bad[i], &why));
        assert_non_null(strstr(why, "space"));
    }
    arena_cleanup(&a);
}

static void invalid_utf8_and_too_long_refused(void **state)
{
    struct arena a;
    arena_init(&a);
    const char *why = NULL;
    assert_null(norm(&a, "anna\xc3@demo.example", &why));
    assert_non_null(strstr(why, "UTF-8"));
    assert_null(norm(&a, "anna\xc0\xae@demo.example", &why)); /* overlong */
    char longest[300];
    memset(longest, 'a', 254);
    longest[254] = '\0';
    assert_non_null(norm(&a, longest, NULL));
    /* 128 "ß" are 128 characters typed but 256 once folded ("ss"): too long */
    char sharp[300] = "";
    for (int i = 0; i < 128; i++)
        strcat(sharp, "\xc3\x9f");
    assert_null(norm(&a, sharp, &why));
    assert_non_null(strstr(why, "254"));
    arena_cleanup(&a);
}

static void shape_of_a_stored_address(void **state)
{
    assert_true(email_well_formed("anna@demo.example"));
    assert_true(email_well_formed("zo\xc3\xab@x.example"));
    assert_false(email_well_formed("not-an-email"));
    assert_false(email_well_formed("@demo.example"));
    assert_false(email_well_formed("anna@demo"));
    assert_false(email_well_formed("anna@@demo.example"));
    assert_false(email_well_formed("an na@demo.example"));
    assert_false(email_well_formed("anna@demo.example>"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(case_and_outer_spaces_fold),
        cmocka_unit_test(nfc_makes_one_spelling),
        cmocka_unit_test(normalising_twice_changes_nothing),
        cmocka_unit_test(look_alike_spaces_and_controls_refused),
        cmocka_unit_test(invalid_utf8_and_too_long_refused),
        cmocka_unit_test(shape_of_a_stored_address),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
