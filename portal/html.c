/* html.c - escaping for the few pages the server renders itself (share and upload links). */
#include "html.h"

#include <string.h>

const char *html_escape(struct arena *a, const char *s)
{
    static const char *const entity[256] = {
        ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
    };
    if (!s)
        return "";
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += entity[*p] ? strlen(entity[*p]) : 1;
    char *out = arena_alloc(a, n + 1), *o = out;
    if (!out)
        return "";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *e = entity[*p];
        size_t l = e ? strlen(e) : 1;
        memcpy(o, e ? e : (const char *)p, l);
        o += l;
    }
    *o = '\0';
    return out;
}
