/* money.c - exact decimal amounts for orders: parsing, printing, rounding. */
#include "money.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum money_err money_parse_text(const char *s, int scale, long long max, long long *out)
{
    if (!s || !*s)
        return MONEY_SYNTAX;
    if (*s == '-' && s[1] != '-') {
        /* "-0" and "-0.00" are still a sign where none belongs */
        enum money_err e = money_parse_text(s + 1, scale, max, out);
        return e == MONEY_SYNTAX ? MONEY_SYNTAX : MONEY_NEGATIVE;
    }
    unsigned __int128 v = 0;
    int digits = 0, decimals = 0;
    bool point = false, too_large = false;
    for (const char *p = s; *p; p++) {
        if (*p == '.') {
            if (point || digits == 0)
                return MONEY_SYNTAX;
            point = true;
            continue;
        }
        if (*p < '0' || *p > '9')
            return MONEY_SYNTAX;
        if (point) {
            if (++decimals > scale) {
                if (*p != '0')
                    return MONEY_DECIMALS;
                continue; /* "1.500" at scale 2 is 1.50 */
            }
        }
        digits++;
        if (v > (unsigned __int128)max * 10)
            too_large = true; /* keep reading: a syntax error still wins */
        else
            v = v * 10 + (unsigned)(*p - '0');
    }
    if (digits == 0 || (point && decimals == 0))
        return MONEY_SYNTAX;
    for (int i = decimals < scale ? decimals : scale; i < scale; i++)
        v *= 10;
    if (too_large || v > (unsigned __int128)max)
        return MONEY_TOO_LARGE;
    *out = (long long)v;
    return MONEY_OK;
}

enum money_err money_parse_json(const json_t *v, int scale, long long max, long long *out)
{
    char text[64];
    if (json_is_string(v)) {
        if (strlen(json_string_value(v)) != json_string_length(v))
            return MONEY_SYNTAX;
        return money_parse_text(json_string_value(v), scale, max, out);
    }
    if (json_is_integer(v)) {
        snprintf(text, sizeof text, "%lld", (long long)json_integer_value(v));
        return money_parse_text(text, scale, max, out);
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!isfinite(d))
            return MONEY_SYNTAX;
        if (fabs(d) >= 1e17)
            return d < 0 ? MONEY_NEGATIVE : MONEY_TOO_LARGE;
        /* The shortest text that reads back as the same double is what the client wrote
         * (up to 17 significant digits): 12.34 stays 12.34, 0.1 + 0.2 shows its tail. */
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(text, sizeof text, "%.*f", prec, d);
            if (strtod(text, NULL) == d)
                break;
        }
        char *dot = strchr(text, '.');
        if (dot) {
            char *end = text + strlen(text);
            while (end > dot + 1 && end[-1] == '0')
                *--end = '\0';
            if (end == dot + 1)
                *dot = '\0'; /* 12.0 is 12 */
        }
        return money_parse_text(text, scale, max, out);
    }
    return MONEY_SYNTAX;
}

char *money_format(long long units, int scale, bool trim, char *buf, size_t size)
{
    long long div = 1;
    for (int i = 0; i < scale; i++)
        div *= 10;
    bool neg = units < 0;
    unsigned long long u = neg ? 0ULL - (unsigned long long)units : (unsigned long long)units;
    if (scale == 0) {
        snprintf(buf, size, "%s%llu", neg ? "-" : "", u);
        return buf;
    }
    snprintf(buf, size, "%s%llu.%0*llu", neg ? "-" : "", u / (unsigned long long)div, scale,
             u % (unsigned long long)div);
    if (trim) {
        char *end = buf + strlen(buf);
        while (end[-1] == '0')
            *--end = '\0';
        if (end[-1] == '.')
            end[-1] = '\0';
    }
    return buf;
}

long long money_mul_div(long long a, long long b, long long d, long long max)
{
    if (a < 0 || b < 0 || d <= 0)
        return -1;
    unsigned __int128 p = (unsigned __int128)a * (unsigned __int128)b;
    unsigned __int128 q = (p + (unsigned __int128)d / 2) / (unsigned __int128)d;
    return q > (unsigned __int128)max ? -1 : (long long)q;
}
