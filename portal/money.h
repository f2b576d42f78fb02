/* money.h - exact decimal amounts: "12.34" in, integer units out, and back again. No
 * floating point touches an amount; every amount stays at most MONEY_MAX (2^53 - 1), so
 * a browser's JSON.parse reads it exactly. */
#ifndef PORTAL_MONEY_H
#define PORTAL_MONEY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define MONEY_MAX 9007199254740991LL

enum money_err {
    MONEY_OK = 0,
    MONEY_SYNTAX,    /* not a plain decimal number */
    MONEY_NEGATIVE,  /* below zero */
    MONEY_DECIMALS,  /* more decimal places than the scale */
    MONEY_TOO_LARGE, /* above the maximum */
};

/* Parses a plain decimal ("12", "12.5", "12.34"; no sign, exponent or spaces; "-1" is
 * MONEY_NEGATIVE) into units of 10^-scale: ("12.34", 2) -> 1234. Fails when the value
 * has more than scale decimals (trailing zeros count: "1.230" is fine at scale 2 only
 * when they are zeros) or exceeds max. Returns MONEY_OK or the reason. */
enum money_err money_parse_text(const char *s, int scale, long long max, long long *out);

/* The same for a JSON value: a string as above, an integer, or a real, which is read as
 * the shortest decimal text that gives back the same double (12.34 -> "12.34"). */
enum money_err money_parse_json(const json_t *v, int scale, long long max, long long *out);

/* units as a decimal with scale digits after the point into buf (at least 32 bytes):
 * (1234, 2) -> "12.34". With trim, trailing zeros after the point go, and the point
 * with them: (2500, 3) -> "2.5", (2000, 3) -> "2". Returns buf. */
char *money_format(long long units, int scale, bool trim, char *buf, size_t size);

/* round(a * b / d), halves away from zero, for a, b >= 0 and d > 0, computed without
 * overflow; -1 when the result exceeds max. */
long long money_mul_div(long long a, long long b, long long d, long long max);

#endif
