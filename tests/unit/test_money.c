/* test_money.c - exact money: parsing decimals into minor units (and refusing what is
 * not exact), printing them back, rounding half up without overflow; the order
 * workflow's allowed steps; INN check digits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "crm.h"
#include "money.h"
#include "orders.h"

static long long parsed(const char *s, int scale, enum money_err want)
{
    long long v = -12345;
    assert_int_equal(money_parse_text(s, scale, MONEY_MAX, &v), want);
    return v;
}

static void parse_plain_decimals(void **state)
{
    assert_int_equal(parsed("12.34", 2, MONEY_OK), 1234);
    assert_int_equal(parsed("12", 2, MONEY_OK), 1200);
    assert_int_equal(parsed("12.3", 2, MONEY_OK), 1230);
    assert_int_equal(parsed("0", 2, MONEY_OK), 0);
    assert_int_equal(parsed("0.01", 2, MONEY_OK), 1);
    assert_int_equal(parsed("007.10", 2, MONEY_OK), 710);
    assert_int_equal(parsed("1.500", 2, MONEY_OK), 150); /* trailing zeros past the scale */
    assert_int_equal(parsed("2.5", 3, MONEY_OK), 2500);
    assert_int_equal(parsed("90071992547409.91", 2, MONEY_OK), MONEY_MAX);
}

static void parse_refusals(void **state)
{
    parsed("12.345", 2, MONEY_DECIMALS);
    parsed("0.001", 2, MONEY_DECIMALS);
    parsed("-1", 2, MONEY_NEGATIVE);
    parsed("-0.00", 2, MONEY_NEGATIVE);
    parsed("90071992547409.92", 2, MONEY_TOO_LARGE);
    parsed("99999999999999999999999999999999999999", 2, MONEY_TOO_LARGE);
    const char *syntax[] = {"", ".", "1.", ".5", "1..2", "1.2.3", "+1", "1e3", " 1", "1 ", "0x10",
                            "1,5", "--1", "-", "NaN", "inf", "12a"};
    for (size_t i = 0; i < sizeof syntax / sizeof syntax[0]; i++)
        parsed(syntax[i], 2, MONEY_SYNTAX);
    parsed("99999999999999999999999x", 2, MONEY_SYNTAX); /* syntax wins over size */
}

static void parse_json_numbers(void **state)
{
    long long v;
    json_t *j = json_real(12.34);
    assert_int_equal(money_parse_json(j, 2, MONEY_MAX, &v), MONEY_OK);
    assert_int_equal(v, 1234);
    json_decref(j);
    j = json_real(0.1 + 0.2); /* 0.30000000000000004 */
    assert_int_equal(money_parse_json(j, 2, MONEY_MAX, &v), MONEY_DECIMALS);
    json_decref(j);
    j = json_real(12.0);
    assert_int_equal(money_parse_json(j, 2, MONEY_MAX, &v), MONEY_OK);
    assert_int_equal(v, 1200);
    json_decref(j);
    j = json_real(-3.5);
    assert_int_equal(money_parse_json(j, 2, MONEY_MAX, &v), MONEY_NEGATIVE);
    json_decref(j);
    j = json_real(1e300);
    assert_int_equal(money_parse_json(j, 2, MONEY_MAX, &v), MONEY_TOO_LARGE);
    json_decref(j);
    j = json_integer(7);
    assert_int_equal(money_parse_json(j, 0, MONEY_MAX, &v), MONEY_OK);
    assert_int_equal(v, 7);
    json_decref(j);
    j = json_true();
    assert_int_equal(money_parse_json(j, 2, MONEY_MAX, &v), MONEY_SYNTAX);
    j = json_stringn("1\0002", 3);
    assert_int_equal(money_parse_json(j, 2, MONEY_MAX, &v), MONEY_SYNTAX);
    json_decref(j);
}

static void format_round_trip(void **state)
{
    char buf[40];
    assert_string_equal(money_format(1234, 2, false, buf, sizeof buf), "12.34");
    assert_string_equal(money_format(5, 2, false, buf, sizeof buf), "0.05");
    assert_string_equal(money_format(MONEY_MAX, 2, false, buf, sizeof buf), "90071992547409.91");
    assert_string_equal(money_format(2500, 3, true, buf, sizeof buf), "2.5");
    assert_string_equal(money_format(2000, 3, true, buf, sizeof buf), "2");
    assert_string_equal(money_format(750, 2, true, buf, sizeof buf), "7.5");
    assert_string_equal(money_format(-150, 2, false, buf, sizeof buf), "-1.50");
    for (long long v = 0; v < 100000; v += 37) {
        long long back;
        money_format(v, 2, false, buf, sizeof buf);
        assert_int_equal(money_parse_text(buf, 2, MONEY_MAX, &back), MONEY_OK);
        assert_int_equal(back, v);
    }
}

static void mul_div_rounds_half_up_without_overflow(void **state)
{
    assert_int_equal(money_mul_div(5997, 2000, 10000, MONEY_MAX), 1199);    /* 1199.4 */
    assert_int_equal(money_mul_div(362625, 1000, 10000, MONEY_MAX), 36263); /* 36262.5 */
    assert_int_equal(money_mul_div(2500, 145050, 1000, MONEY_MAX), 362625);
    assert_int_equal(money_mul_div(MONEY_MAX, 10000, 10000, MONEY_MAX), MONEY_MAX);
    assert_int_equal(money_mul_div(MONEY_MAX, 10001, 10000, MONEY_MAX), -1);
    assert_int_equal(money_mul_div(1000000000LL, MONEY_MAX, 1000, MONEY_MAX), -1);
    assert_int_equal(money_mul_div(-1, 1, 1, MONEY_MAX), -1);
}

static void workflow_steps(void **state)
{
    const char *ok[][2] = {{"new", "confirmed"},         {"confirmed", "in_progress"},
                           {"in_progress", "shipped"},   {"shipped", "delivered"},
                           {"delivered", "closed"},      {"new", "cancelled"},
                           {"confirmed", "cancelled"},   {"in_progress", "cancelled"}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_true(orders_transition_ok(ok[i][0], ok[i][1]));
    const char *no[][2] = {{"new", "new"},           {"new", "in_progress"},     {"new", "closed"},
                           {"shipped", "cancelled"}, {"delivered", "cancelled"}, {"closed", "new"},
                           {"cancelled", "new"},     {"confirmed", "new"},       {"closed", "cancelled"},
                           {"new", "lost"},          {"lost", "new"}};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(orders_transition_ok(no[i][0], no[i][1]));
}

static void tax_ids(void **state)
{
    assert_true(crm_valid_tax_id("7707083893"));   /* 10-digit INN */
    assert_false(crm_valid_tax_id("7707083894"));
    assert_true(crm_valid_tax_id("500100732259")); /* 12-digit INN */
    assert_false(crm_valid_tax_id("500100732258"));
    assert_true(crm_valid_tax_id("DE123456789"));  /* a VAT number */
    assert_true(crm_valid_tax_id("12345678"));     /* digits, but not INN-long */
    assert_false(crm_valid_tax_id("abc"));
    assert_false(crm_valid_tax_id("12;34"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_plain_decimals),
        cmocka_unit_test(parse_refusals),
        cmocka_unit_test(parse_json_numbers),
        cmocka_unit_test(format_round_trip),
        cmocka_unit_test(mul_div_rounds_half_up_without_overflow),
        cmocka_unit_test(workflow_steps),
        cmocka_unit_test(tax_ids),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
