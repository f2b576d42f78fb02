/* richtext.h - what every module that stores Markdown from users needs: render or
 * answer the error, find @mentions, and a plain summary line for notifications. */
#ifndef PORTAL_RICHTEXT_H
#define PORTAL_RICHTEXT_H

#include "http.h"

#define RICHTEXT_MAX_MENTIONS 50

/* Renders md (markdown.h's safe wrapper). Returns HTML the caller frees, or NULL after
 * answering 413 (over 256 KiB), 400 naming field (invalid UTF-8, too complex) or 503. */
char *richtext_render(struct req *r, const char *md, const char *field);

/* The @handles in md as a JSON array text, in a: an @ that starts a word, outside code
 * spans, lower-cased, at most RICHTEXT_MAX_MENTIONS, each once. */
const char *richtext_mentions(struct arena *a, const char *md);

/* "who verb: first line of md", Markdown marks dropped, in a. */
const char *richtext_summary(struct arena *a, const char *who, const char *verb, const char *md);

#endif
