/* markdown.c - libcmark in safe mode with an input cap: cmark 0.30.2 has quadratic
 * inputs (CVE-2023-22484, CVE-2023-22486), so size is bounded before parsing. */
#include "markdown.h"

#include "utf8.h"

#include <cmark.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t count_images(const char *s, size_t n)
{
    size_t count = 0;
    for (const char *p = s; (p = memchr(p, '!', n - (size_t)(p - s))) && p + 1 < s + n; p++)
        if (p[1] == '[')
            count++;
    return count;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Block parsing in small pieces against the clock: cmark 0.30.2 spends depth x lines
 * on a deeply nested list followed by blank lines (54 s at the cap), and no cheap scan
 * of the text bounds the nesting depth. */
static char *render_budgeted(const char *src, size_t len, enum markdown_status *st)
{
    cmark_parser *p = cmark_parser_new(CMARK_OPT_DEFAULT);
    if (!p) {
        *st = MARKDOWN_NOMEM;
        return NULL;
    }
    double start = now();
    for (size_t off = 0; off < len; off += MARKDOWN_FEED_BYTES) {
        size_t n = len - off < MARKDOWN_FEED_BYTES ? len - off : MARKDOWN_FEED_BYTES;
        cmark_parser_feed(p, src + off, n);
        if (now() - start > MARKDOWN_PARSE_SECONDS) {
            /* The document so far belongs to us only after finish (parser_free would leak
             * it); finishing an abandoned parse is cheap, the cost was in the blocks. */
            cmark_node_free(cmark_parser_finish(p));
            cmark_parser_free(p);
            *st = MARKDOWN_TOO_COMPLEX;
            return NULL;
        }
    }
    cmark_node *doc = cmark_parser_finish(p);
    char *html = doc ? cmark_render_html(doc, CMARK_OPT_DEFAULT) : NULL;
    cmark_node_free(doc);
    cmark_parser_free(p);
    if (!html)
        *st = MARKDOWN_NOMEM;
    return html;
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
        html = render_budgeted(src, len, &st);
    }
    if (status)
        *status = st;
    return html;
}
