/* utf8.h - the few UTF-8 helpers every module needs. */
#ifndef PORTAL_UTF8_H
#define PORTAL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the valid, shortest-form sequence at p (at most avail bytes), or 0. */
size_t utf8_seq(const unsigned char *p, size_t avail);
/* True when s[0..n) is valid UTF-8 without NUL bytes. */
bool utf8_valid(const char *s, size_t n);
/* Characters (code points) in the NUL-terminated s. */
size_t utf8_chars(const char *s);
/* Cuts s in place to at most max characters, never inside a sequence. */
void utf8_truncate(char *s, size_t max);

#endif
