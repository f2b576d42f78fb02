/* diff.h - line-based diff (Myers) of two texts, for article revisions. */
#ifndef PORTAL_KB_DIFF_H
#define PORTAL_KB_DIFF_H

#include <stddef.h>

struct diff_line {
    char op;          /* '=', '-' (only in the old text) or '+' (only in the new) */
    const char *text; /* points into the input; not NUL-terminated */
    size_t len;       /* without the newline */
};

/* Diffs a against b line by line. Returns a malloc'd array (caller frees) of *n
 * lines, or NULL on allocation failure. Past KB_DIFF_MAX_EDITS differences it stops
 * looking for the shortest script and reports the middle as removed then added. */
#define KB_DIFF_MAX_EDITS 2000
struct diff_line *kb_diff(const char *a, const char *b, size_t *n);

#endif
