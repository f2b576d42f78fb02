/* markdown.h - the one wrapper over libcmark every module renders Markdown with. */
#ifndef PORTAL_MARKDOWN_H
#define PORTAL_MARKDOWN_H

#include <stddef.h>

#define MARKDOWN_MAX_INPUT (256 * 1024)

#define MARKDOWN_MAX_IMAGES    1000
#define MARKDOWN_FEED_BYTES    64  /* block parsing checks the clock this often */
#define MARKDOWN_PARSE_SECONDS 1.0 /* beyond: MARKDOWN_TOO_COMPLEX */

enum markdown_status {
    MARKDOWN_OK = 0,
    MARKDOWN_TOO_LARGE,
    MARKDOWN_BAD_UTF8,
    MARKDOWN_TOO_COMPLEX, /* more than MARKDOWN_MAX_IMAGES "![", or block parsing past
                           * MARKDOWN_PARSE_SECONDS (deep nesting, see markdown.c) */
    MARKDOWN_NOMEM
};

/* Renders src in cmark's safe mode (raw HTML and javascript:/vbscript:/file: links
 * dropped, never CMARK_OPT_UNSAFE). Returns HTML the caller frees with free(), or NULL
 * with *status saying why (input over MARKDOWN_MAX_INPUT, invalid UTF-8, or more than
 * MARKDOWN_MAX_IMAGES "![": cmark 0.30.2 is quadratic in unmatched image openers
 * followed by links, 20 s at the cap). */
char *markdown_render(const char *src, size_t len, enum markdown_status *status);

#endif
