/* jsonin.c - JSON from outside, parsed with bounded nesting (see jsonin.h). */
#include "jsonin.h"

#include <stdio.h>
#include <string.h>

/* Returns the depth reached, or max + 1 at the first byte past max (its offset goes to
 * *where when where is not NULL). */
static int depth_scan(const char *buf, size_t len, int max, size_t *where)
{
    int depth = 0, deepest = 0;
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_string) {
            if (c == '\\')
                i++; /* whatever is escaped cannot end the string */
            else if (c == '"')
                in_string = 0;
            continue;
        }
        switch (c) {
        case '"':
            in_string = 1;
            break;
        case '[':
        case '{':
            if (++depth > max) {
                if (where)
                    *where = i;
                return max + 1;
            }
            if (depth > deepest)
                deepest = depth;
            break;
        case ']':
        case '}':
            if (depth > 0)
                depth--;
            break;
        default:
            break;
        }
    }
    return deepest;
}

int jsonin_depth(const char *buf, size_t len, int max)
{
    return depth_scan(buf, len, max, NULL);
}

json_t *jsonin_load(const char *buf, size_t len, size_t flags, int max_depth, json_error_t *err)
{
    size_t where = 0;
    if (depth_scan(buf, len, max_depth, &where) > max_depth) {
        if (err) {
            memset(err, 0, sizeof *err);
            err->line = -1;
            err->column = -1;
            err->position = (int)where;
            snprintf(err->text, sizeof err->text, "nesting deeper than %d levels", max_depth);
            snprintf(err->source, sizeof err->source, "<buffer>");
        }
        return NULL;
    }
    return json_loadb(buf, len, flags, err);
}
