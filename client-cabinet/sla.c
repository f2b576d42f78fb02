/* sla.c - business-hours arithmetic for ticket SLAs. Due times are computed here in C
 * (not in SQL) so the rules can be unit-tested: weekday windows in the configured time
 * zone, walked day by day, so daylight-saving changes shift the window like a clock
 * on the wall would. */
#include "sla.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static const char *const day_names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
static const char *const priority_names[SLA_NPRIORITIES] = {"low", "normal", "high", "urgent"};

int sla_priority_from_name(const char *name)
{
    for (int i = 0; name && i < SLA_NPRIORITIES; i++)
        if (strcmp(name, priority_names[i]) == 0)
            return i;
    return -1;
}

static int day_from(const char *s)
{
    for (int i = 0; i < 7; i++)
        if (strncasecmp(s, day_names[i], 3) == 0)
            return i;
    return -1;
}

/* "HH:MM" (00:00 .. 24:00) -> minutes, or -1. */
static int clock_from(const char *s)
{
    if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
        !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
        return -1;
    int h = (s[0] - '0') * 10 + s[1] - '0', m = (s[3] - '0') * 10 + s[4] - '0';
    if (m > 59 || h > 24 || (h == 24 && m))
        return -1;
    return h * 60 + m;
}

int sla_parse_hours(const char *spec, struct sla_hours *out, char *err, size_t errsize)
{
    memset(out, 0, sizeof *out);
    while (spec && isspace((unsigned char)*spec))
        spec++;
    if (!spec || !*spec) {
        snprintf(err, errsize, "no business hours given");
        return -1;
    }
    if (strcmp(spec, "24/7") == 0) {
        for (int d = 0; d < 7; d++)
            out->close[d] = 24 * 60;
        return 0;
    }
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    char *save = NULL;
    for (char *group = strtok_r(buf, ",;", &save); group; group = strtok_r(NULL, ",;", &save)) {
        while (isspace((unsigned char)*group))
            group++;
        /* DAY[-DAY] HH:MM-HH:MM */
        int d1 = day_from(group), d2 = d1;
        if (d1 < 0 || strlen(group) < 3)
            goto bad;
        char *p = group + 3;
        if (*p == '-') {
            if ((d2 = day_from(p + 1)) < 0 || strlen(p + 1) < 3)
                goto bad;
            p += 4;
        }
        while (isspace((unsigned char)*p))
            p++;
        if (strlen(p) < 11 || p[5] != '-')
            goto bad;
        int open = clock_from(p), close = clock_from(p + 6);
        char *rest = p + 11;
        while (isspace((unsigned char)*rest))
            rest++;
        if (open < 0 || close < 0 || open >= close || *rest)
            goto bad;
        for (int d = d1;; d = (d + 1) % 7) {
            out->open[d] = open;
            out->close[d] = close;
            if (d == d2)
                break;
        }
        continue;
    bad:
        snprintf(err, errsize,
                 "cannot read \"%s\": write like \"Mon-Fri 09:00-18:00, Sat 10:00-14:00\"", group);
        return -1;
    }
    for (int d = 0; d < 7; d++)
        if (out->close[d] > out->open[d])
            return 0;
    snprintf(err, errsize, "the business hours have no open day");
    return -1;
}

int sla_parse_targets(const char *spec, long out[SLA_NPRIORITIES], char *err, size_t errsize)
{
    for (int i = 0; i < SLA_NPRIORITIES; i++)
        out[i] = -1;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec ? spec : "");
    char *save = NULL;
    for (char *tok = strtok_r(buf, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq)
            goto bad;
        *eq = '\0';
        int pr = sla_priority_from_name(tok);
        char *end;
        long n = strtol(eq + 1, &end, 10);
        long unit = *end == 'm' ? 60 : *end == 'h' ? 3600 : 0;
        if (pr < 0 || end == eq + 1 || !unit || end[1] || n <= 0 || n > 100000) {
            *eq = '=';
            goto bad;
        }
        out[pr] = n * unit;
        continue;
    bad:
        snprintf(err, errsize,
                 "cannot read \"%s\": write like \"urgent=1h high=4h normal=8h low=16h\"", tok);
        return -1;
    }
    for (int i = 0; i < SLA_NPRIORITIES; i++)
        if (out[i] < 0) {
            snprintf(err, errsize, "no target for priority %s", priority_names[i]);
            return -1;
        }
    return 0;
}

/* Local midnight of the day containing tm plus add_days, as time_t. */
static time_t local_at(const struct tm *day, int add_days, int minutes)
{
    struct tm t = *day;
    t.tm_mday += add_days;
    t.tm_hour = minutes / 60;
    t.tm_min = minutes % 60;
    t.tm_sec = 0;
    t.tm_isdst = -1;
    return mktime(&t);
}

time_t sla_add(const struct sla_hours *h, time_t start, long seconds)
{
    time_t t = start;
    long left = seconds;
    /* Fourteen years of days is more than any target: a guard, not a limit. */
    for (int i = 0; i < 5200; i++) {
        struct tm tm;
        localtime_r(&t, &tm);
        int wd = tm.tm_wday;
        if (h->close[wd] > h->open[wd]) {
            time_t open = local_at(&tm, 0, h->open[wd]), close = local_at(&tm, 0, h->close[wd]);
            if (t < open)
                t = open;
            if (t < close) {
                if (left <= close - t)
                    return t + left;
                left -= (long)(close - t);
            }
        }
        t = local_at(&tm, 1, 0);
    }
    return (time_t)-1;
}

static struct sla_hours hours;
static struct sla_targets targets;

int sla_init(void)
{
    char err[300];
    if (config.sla_timezone && *config.sla_timezone) {
        setenv("TZ", config.sla_timezone, 1);
        tzset();
    }
    if (sla_parse_hours(config.sla_hours, &hours, err, sizeof err) < 0) {
        fprintf(stderr, "portal: PORTAL_SLA_HOURS: %s\n", err);
        return -1;
    }
    if (sla_parse_targets(config.sla_first_response, targets.first_response, err, sizeof err) < 0) {
        fprintf(stderr, "portal: PORTAL_SLA_FIRST_RESPONSE: %s\n", err);
        return -1;
    }
    if (sla_parse_targets(config.sla_resolution, targets.resolution, err, sizeof err) < 0) {
        fprintf(stderr, "portal: PORTAL_SLA_RESOLUTION: %s\n", err);
        return -1;
    }
    return 0;
}

const struct sla_hours *sla_hours(void)
{
    return &hours;
}

const struct sla_targets *sla_targets(void)
{
    return &targets;
}

static void utc_text(time_t t, char out[20])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

void sla_due_times(int priority, time_t start, char first[20], char resolution[20])
{
    if (priority < 0 || priority >= SLA_NPRIORITIES)
        priority = SLA_NORMAL;
    utc_text(sla_add(&hours, start, targets.first_response[priority]), first);
    utc_text(sla_add(&hours, start, targets.resolution[priority]), resolution);
}
