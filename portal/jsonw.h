/* jsonw.h - append-only JSON writer whose bytes equal jansson's json_dumps(JSON_COMPACT). */
#ifndef PORTAL_JSONW_H
#define PORTAL_JSONW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct arena;

/* Caller-owned; the writer puts the commas and colons, the caller only says what comes
 * next. Any failure (out of memory, invalid UTF-8, an object dump jansson refuses) is
 * sticky: later calls do nothing and jsonw_finish() answers NULL. */
struct jsonw {
    char *buf; /* in arena, or malloc'd when arena is NULL */
    size_t len, cap;
    struct arena *arena;
    int depth;  /* open objects and arrays */
    bool comma; /* the next key or value follows a value: write ',' first */
    bool failed;
};

void jsonw_init(struct jsonw *w, struct arena *a); /* a NULL: the buffer is malloc'd */
void jsonw_cleanup(struct jsonw *w);               /* frees a malloc'd buffer */

void jsonw_obj_begin(struct jsonw *w);
void jsonw_obj_end(struct jsonw *w);
void jsonw_arr_begin(struct jsonw *w);
void jsonw_arr_end(struct jsonw *w);
void jsonw_key(struct jsonw *w, const char *key);
void jsonw_str(struct jsonw *w, const char *s); /* NULL writes null */
void jsonw_strn(struct jsonw *w, const char *s, size_t n);
void jsonw_int(struct jsonw *w, long long v);
/* jsonw_int(w, strtoll(digits)) (NULL: 0), but a number already written as "%lld" would
 * write it (MariaDB's text of an integer column) is copied as it is. */
void jsonw_int_text(struct jsonw *w, const char *digits);
void jsonw_real(struct jsonw *w, double v); /* as jansson: %.17g, ".0" added; no NaN/inf */
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
void jsonw_raw(struct jsonw *w, const char *json, size_t n); /* one value, already JSON */
void jsonw_json(struct jsonw *w, const json_t *j);           /* j dumped compact; borrowed */
void jsonw_obj_open(struct jsonw *w, const json_t *o);       /* o's members, object left open */

/* The text (NUL-terminated, owned as the buffer is) and its length in *len, or NULL when
 * something failed or an object or array is still open. */
const char *jsonw_finish(struct jsonw *w, size_t *len);

#endif
