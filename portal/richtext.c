/* richtext.c - Markdown from users: render or refuse, mentions, summaries. */
#include "richtext.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "markdown.h"

/* Renders Markdown or answers the error. Returns HTML (malloc'd) or NULL. */
char *richtext_render(struct req *r, const char *md, const char *field)
{
    enum markdown_status st;
    char *html = markdown_render(md, strlen(md), &st);
    if (html)
        return html;
    if (st == MARKDOWN_TOO_LARGE)
        http_error(r, 413, "payload_too_large", "The text is larger than 256 KiB", field);
    else if (st == MARKDOWN_TOO_COMPLEX)
        http_error(r, 400, "validation_failed",
                   "The text has too many images (at most 1000) or nests too deeply", field);
    else if (st == MARKDOWN_BAD_UTF8)
        http_error(r, 400, "validation_failed", "The text is not valid UTF-8", field);
    else
        http_error(r, 503, "service_unavailable", "Out of memory, try again", NULL);
    return NULL;
}

/* Collects @handles from Markdown source as a JSON array text (arena). An @ counts
 * when it starts a word (not inside an email address or code span). */
const char *richtext_mentions(struct arena *a, const char *md)
{
    json_t *arr = json_array();
    bool in_code = false;
    for (const char *p = md; *p && json_array_size(arr) < RICHTEXT_MAX_MENTIONS; p++) {
        if (*p == '`') {
            in_code = !in_code;
            continue;
        }
        if (in_code || *p != '@')
            continue;
        if (p > md &&
            (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '.' || p[-1] == '@'))
            continue;
        char h[65];
        size_t n = 0;
        for (const char *q = p + 1;
             n < 64 && (isalnum((unsigned char)*q) || *q == '.' || *q == '_' || *q == '-'); q++)
            h[n++] = (char)tolower((unsigned char)*q);
        while (n && (h[n - 1] == '.' || h[n - 1] == '-'))
            n--;
        h[n] = '\0';
        if (n == 0)
            continue;
        bool dup = false;
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v) if (strcmp(json_string_value(v), h) == 0) dup = true;
        if (!dup)
            json_array_append_new(arr, json_string(h));
    }
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    char *out = arena_strdup(a, text ? text : "[]");
    free(text);
    return out;
}

/* Plain-text summary of Markdown for notifications: the first line, unadorned. */
const char *richtext_summary(struct arena *a, const char *who, const char *verb, const char *md)
{
    char line[160];
    size_t n = 0;
    for (const char *p = md; *p && *p != '\n' && n < sizeof line - 1; p++)
        if (!strchr("#*_`>[]", *p))
            line[n++] = *p;
    line[n] = '\0';
    return arena_printf(a, "%s %s: %s", who, verb, line);
}
