/* jsonin.h - JSON from outside, parsed with bounded nesting.
 *
 * jansson parses recursively, and a CivetWeb worker runs on a 100 KiB stack (CivetWeb's
 * build-time USE_STACK_SIZE, 102,400 bytes in Debian's package): about 1,500 nested `[`
 * overflow it long before jansson's own limit (2,048) stops the parse. Every parse of
 * bytes a client sent goes through jsonin_load, which counts the nesting in one flat pass
 * first and refuses anything deeper than asked before jansson sees it. */
#ifndef PORTAL_JSONIN_H
#define PORTAL_JSONIN_H

#include <jansson.h>
#include <stddef.h>

/* The deepest request body or websocket frame the API takes. No route needs more than
 * a few levels (an object of arrays of objects); 32 leaves room and costs ~2 KiB of
 * jansson's stack. */
#define JSONIN_MAX_DEPTH 32

/* The deepest nesting of arrays and objects in buf[0..len), strings skipped; stops
 * counting (and returns max + 1) as soon as max is passed. Malformed input is counted
 * as far as it goes: jansson then reports what is wrong with it. */
int jsonin_depth(const char *buf, size_t len, int max);

/* json_loadb with a nesting bound: NULL with err->text "nesting deeper than N levels"
 * (and err->position where it happened) when buf nests deeper than max_depth, else
 * what json_loadb returns. The caller owns the result. */
json_t *jsonin_load(const char *buf, size_t len, size_t flags, int max_depth, json_error_t *err);

#endif
