/* html.h - the one way a value reaches server-rendered HTML: escaped. */
#ifndef PORTAL_HTML_H
#define PORTAL_HTML_H

#include "arena.h"

/* s with & < > " ' replaced by entities, allocated in a; safe in element text and in
 * quoted attribute values. NULL in gives "" (so does running out of memory). */
const char *html_escape(struct arena *a, const char *s);

#endif
