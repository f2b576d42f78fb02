/* markdown.c - libcmark in safe mode with an input cap: cmark 0.30.2 has quadratic
 * inputs (CVE-2023-22484, CVE-2023-22486), so size is bounded before parsing. */
#include "markdown.h"

#include <cmark.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len;
        unsigned cp;
        if (c < 0x80) {
            if (c == 0)
                return false;
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

char *markdown_render(const char *src, size_t len, enum markdown_status *status)
{
    enum markdown_status st = MARKDOWN_OK;
    char *html = NULL;
    if (len > MARKDOWN_MAX_INPUT) {
        st = MARKDOWN_TOO_LARGE;
    } else if (!valid_utf8((const unsigned char *)src, len)) {
        st = MARKDOWN_BAD_UTF8;
    } else {
        /* CMARK_OPT_DEFAULT is safe since cmark 0.29: raw HTML becomes a comment and
         * dangerous link schemes are emptied. */
        html = cmark_markdown_to_html(src, len, CMARK_OPT_DEFAULT);
        if (!html)
            st = MARKDOWN_NOMEM;
    }
    if (status)
        *status = st;
    return html;
}
