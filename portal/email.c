/* email.c - email normalisation (libunistring: NFC and case folding). */
#include "email.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

static bool ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Characters that look like nothing or like a space: an address holding one is a
 * spoof of another address, never a typo worth guessing at. */
static bool refused(ucs4_t c)
{
    if (c == ' ')
        return false; /* an inner ASCII space fails email_well_formed, clearly visible */
    return uc_is_general_category(c, UC_CATEGORY_Cc) || uc_is_general_category(c, UC_CATEGORY_Cf) ||
           uc_is_general_category(c, UC_CATEGORY_Z) || uc_is_property_white_space(c);
}

const char *email_normalize(struct arena *a, const char *in, const char **why)
{
    static const char bad_chars[] =
        "email must not contain control characters or spaces other than the ASCII space";
    const char *start = in;
    size_t n = strlen(in);
    while (n && ascii_space(*start))
        start++, n--;
    while (n && ascii_space(start[n - 1]))
        n--;
    const uint8_t *s = (const uint8_t *)start;
    if (u8_check(s, n)) {
        *why = "email is not valid UTF-8";
        return NULL;
    }
    for (const uint8_t *p = s; p < s + n;) {
        ucs4_t c;
        p += u8_mbtouc(&c, p, (size_t)(s + n - p));
        if (refused(c)) {
            *why = bad_chars;
            return NULL;
        }
    }
    size_t len = 0;
    uint8_t *folded = u8_casefold(s, n, NULL, UNINORM_NFC, NULL, &len);
    if (!folded) {
        *why = "email could not be normalised";
        return NULL;
    }
    char *out = NULL;
    if (u8_mbsnlen(folded, len) > EMAIL_MAX)
        *why = "email is longer than 254 characters";
    else if ((out = arena_strndup(a, (const char *)folded, len)))
        *why = NULL;
    else
        *why = "email could not be normalised";
    free(folded);
    return out;
}

bool email_well_formed(const char *e)
{
    const char *at = strchr(e, '@');
    return at && at != e && at[1] && !strchr(at + 1, '@') && strchr(at + 1, '.') &&
           !strpbrk(e, " \t\r\n<>,;\"'()[]\\");
}
