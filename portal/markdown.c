/* markdown.c - libcmark in safe mode with an input cap: cmark 0.30.2 has quadratic
 * inputs (CVE-2023-22484, CVE-2023-22486), so size is bounded before parsing. */
#include "markdown.h"

#include "utf8.h"

#include <cmark.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static size_t count_images(const char *s, size_t n)
{
    size_t count = 0;
    for (const char *p = s; (p = memchr(p, '!', n - (size_t)(p - s))) && p + 1 < s + n; p++)
        if (p[1] == '[')
            count++;
    return count;
}

char *markdown_render(const char *src, size_t len, enum markdown_status *status)
{
    enum markdown_status st = MARKDOWN_OK;
    char *html = NULL;
    if (len > MARKDOWN_MAX_INPUT) {
        st = MARKDOWN_TOO_LARGE;
    } else if (!utf8_valid(src, len)) {
        st = MARKDOWN_BAD_UTF8;
    } else if (count_images(src, len) > MARKDOWN_MAX_IMAGES) {
        st = MARKDOWN_TOO_COMPLEX;
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
