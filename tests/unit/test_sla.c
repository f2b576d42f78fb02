/* test_sla.c - business-hours arithmetic of ticket SLAs: parsing the settings, due
 * times inside a day, over nights and weekends, in another time zone and across a
 * daylight-saving change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sla.h"

static void use_tz(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

/* "YYYY-MM-DD HH:MM" UTC -> time_t */
static time_t utc(const char *s)
{
    struct tm tm = {0};
    sscanf(s, "%d-%d-%d %d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

static void assert_utc(time_t t, const char *want)
{
    char got[20];
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(got, sizeof got, "%Y-%m-%d %H:%M", &tm);
    assert_string_equal(got, want);
}

static struct sla_hours office(void)
{
    struct sla_hours h;
    char err[200];
    assert_int_equal(sla_parse_hours("Mon-Fri 09:00-18:00", &h, err, sizeof err), 0);
    return h;
}

static void parse_hours(void **state)
{
    struct sla_hours h;
    char err[200];
    assert_int_equal(sla_parse_hours("Mon-Fri 09:00-18:00, Sat 10:00-14:00", &h, err, sizeof err),
                     0);
    assert_int_equal(h.open[1], 9 * 60);
    assert_int_equal(h.close[5], 18 * 60);
    assert_int_equal(h.open[6], 10 * 60);
    assert_int_equal(h.close[6], 14 * 60);
    assert_int_equal(h.close[0], 0); /* Sunday closed */
    assert_int_equal(sla_parse_hours("24/7", &h, err, sizeof err), 0);
    assert_int_equal(h.close[0], 24 * 60);
    assert_int_equal(sla_parse_hours("Fri-Mon 08:00-24:00", &h, err, sizeof err), 0);
    assert_int_equal(h.close[0], 24 * 60); /* ranges wrap over the week's end */
    assert_int_equal(h.close[2], 0);
    static const char *bad[] = {"",
                                "Mon-Fri",
                                "Mon-Fri 18:00-09:00",
                                "Xyz 09:00-18:00",
                                "Mon 9:00-18:00",
                                "Mon 09:00-25:00",
                                "Mon 09:00-18:00 extra",
                                "Mon 09:60-18:00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (sla_parse_hours(bad[i], &h, err, sizeof err) == 0)
            fail_msg("accepted \"%s\"", bad[i]);
}

static void parse_targets(void **state)
{
    long t[SLA_NPRIORITIES];
    char err[200];
    assert_int_equal(sla_parse_targets("urgent=1h high=4h, normal=90m low=16h", t, err, sizeof err),
                     0);
    assert_int_equal(t[SLA_URGENT], 3600);
    assert_int_equal(t[SLA_NORMAL], 90 * 60);
    assert_int_equal(t[SLA_LOW], 16 * 3600);
    assert_int_equal(sla_parse_targets("urgent=1h high=4h normal=8h", t, err, sizeof err), -1);
    assert_non_null(strstr(err, "low"));
    assert_int_equal(sla_parse_targets("urgent=1x high=4h normal=8h low=1h", t, err, sizeof err),
                     -1);
    assert_int_equal(sla_parse_targets("urgent=0h high=4h normal=8h low=1h", t, err, sizeof err),
                     -1);
    assert_int_equal(sla_parse_targets("asap=1h", t, err, sizeof err), -1);
    assert_int_equal(sla_priority_from_name("urgent"), SLA_URGENT);
    assert_int_equal(sla_priority_from_name("asap"), -1);
}

static void within_one_day(void **state)
{
    use_tz("UTC");
    struct sla_hours h = office();
    /* 2026-11-23 is a Monday */
    assert_utc(sla_add(&h, utc("2026-11-23 10:00"), 2 * 3600), "2026-11-23 12:00");
    assert_utc(sla_add(&h, utc("2026-11-23 10:00"), 8 * 3600), "2026-11-23 18:00");
}

static void over_night(void **state)
{
    use_tz("UTC");
    struct sla_hours h = office();
    assert_utc(sla_add(&h, utc("2026-11-23 17:00"), 2 * 3600), "2026-11-24 10:00");
    /* opened before the office opens: the clock starts at 09:00 */
    assert_utc(sla_add(&h, utc("2026-11-24 06:30"), 3600), "2026-11-24 10:00");
    /* opened after closing time */
    assert_utc(sla_add(&h, utc("2026-11-24 21:00"), 30 * 60), "2026-11-25 09:30");
}

static void over_weekend(void **state)
{
    use_tz("UTC");
    struct sla_hours h = office();
    /* Friday 17:00 + 2 h -> Monday 10:00 */
    assert_utc(sla_add(&h, utc("2026-11-27 17:00"), 2 * 3600), "2026-11-30 10:00");
    /* opened on Saturday */
    assert_utc(sla_add(&h, utc("2026-11-28 12:00"), 3600), "2026-11-30 10:00");
    /* 45 business hours (five 9-hour days) from Monday 09:00 = Friday 18:00 */
    assert_utc(sla_add(&h, utc("2026-11-23 09:00"), 45 * 3600), "2026-11-27 18:00");
}

static void other_time_zone(void **state)
{
    use_tz("Europe/Moscow"); /* UTC+3 */
    struct sla_hours h = office();
    /* Monday 05:00 UTC is 08:00 in Moscow: the office opens at 06:00 UTC */
    assert_utc(sla_add(&h, utc("2026-11-23 05:00"), 3600), "2026-11-23 07:00");
    /* Friday 14:30 UTC = 17:30 MSK, 1 h -> Monday 09:30 MSK = 06:30 UTC */
    assert_utc(sla_add(&h, utc("2026-11-27 14:30"), 3600), "2026-11-30 06:30");
    use_tz("UTC");
}

static void daylight_saving(void **state)
{
    use_tz("Europe/Berlin"); /* CET -> CEST on Sunday 2026-03-29 */
    struct sla_hours h;
    char err[200];
    assert_int_equal(sla_parse_hours("Mon-Sun 09:00-18:00", &h, err, sizeof err), 0);
    /* Saturday 17:00 CET (16:00 UTC) + 2 h -> Sunday 10:00 CEST = 08:00 UTC */
    assert_utc(sla_add(&h, utc("2026-03-28 16:00"), 2 * 3600), "2026-03-29 08:00");
    use_tz("UTC");
}

static void always_open(void **state)
{
    use_tz("UTC");
    struct sla_hours h;
    char err[200];
    assert_int_equal(sla_parse_hours("24/7", &h, err, sizeof err), 0);
    assert_utc(sla_add(&h, utc("2026-11-28 23:30"), 3600), "2026-11-29 00:30");
    assert_utc(sla_add(&h, utc("2026-11-28 10:00"), 72 * 3600), "2026-12-01 10:00");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_hours),     cmocka_unit_test(parse_targets),
        cmocka_unit_test(within_one_day),  cmocka_unit_test(over_night),
        cmocka_unit_test(over_weekend),    cmocka_unit_test(other_time_zone),
        cmocka_unit_test(daylight_saving), cmocka_unit_test(always_open),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
