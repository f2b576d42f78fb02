/* test_chat_rate.c - the per-user chat send budget: a burst, then the refill rate, with
 * Retry-After seconds that are honest, and users that do not share a budget. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "chat.h"
#include "config.h"

static void budget(int per_minute, int burst)
{
    config.chat_rate = per_minute;
    config.chat_burst = burst;
}

static void burst_then_refused(void **state)
{
    budget(60, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(chat_rate_take(101, 1000.0), 0);
    assert_int_equal(chat_rate_take(101, 1000.0), 1); /* one a second: wait 1 s */
    assert_int_equal(chat_rate_take(101, 1000.5), 1);
    assert_int_equal(chat_rate_take(101, 1001.01), 0); /* a token came back */
    assert_int_equal(chat_rate_take(101, 1001.02), 1);
}

static void retry_after_follows_the_rate(void **state)
{
    budget(6, 1); /* one every 10 s */
    assert_int_equal(chat_rate_take(202, 50.0), 0);
    assert_int_equal(chat_rate_take(202, 50.0), 10);
    assert_int_equal(chat_rate_take(202, 57.0), 3);
    assert_int_equal(chat_rate_take(202, 60.0), 0);
}

static void users_have_their_own_budget(void **state)
{
    budget(60, 2);
    for (long long u = 300; u < 400; u++) {
        assert_int_equal(chat_rate_take(u, 2000.0), 0);
        assert_int_equal(chat_rate_take(u, 2000.0), 0);
    }
    for (long long u = 300; u < 400; u++)
        assert_int_not_equal(chat_rate_take(u, 2000.0), 0);
}

static void refill_caps_at_the_burst(void **state)
{
    budget(60, 3);
    assert_int_equal(chat_rate_take(404, 0.0), 0);
    /* an hour later there are 3 tokens, not 3,600 */
    for (int i = 0; i < 3; i++)
        assert_int_equal(chat_rate_take(404, 3600.0), 0);
    assert_int_not_equal(chat_rate_take(404, 3600.0), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(burst_then_refused),
        cmocka_unit_test(retry_after_follows_the_rate),
        cmocka_unit_test(users_have_their_own_budget),
        cmocka_unit_test(refill_caps_at_the_burst),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
