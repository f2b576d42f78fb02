/* fuzz_json.c - request bodies as http_json_body parses them (jsonin_load with
 * JSON_REJECT_DUPLICATES and JSONIN_MAX_DEPTH) on a worker-sized stack: nothing deeper
 * than the limit gets through, and whatever parses must dump and reload to an equal
 * value. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonin.h"
#include "worker_stack.h"

static void fail(const char *what, const char *text)
{
    fprintf(stderr, "fuzz_json: %s\n%s\n", what, text ? text : "");
    abort();
}

/* Strict UTF-8 (RFC 3629) of n bytes: what every string jansson hands out must be. */
static int utf8_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], len, cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            len = 2, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            len = 3, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            len = 4, cp = c & 0x07;
        else
            return 0;
        if (i + len > n)
            return 0;
        for (unsigned k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

/* The walk a handler does: every key and string is valid UTF-8 without NUL (no
 * JSON_ALLOW_NUL), counts add up. Returns the number of values. */
static size_t walk(json_t *v, int depth)
{
    /* containers at depths 0 .. JSONIN_MAX_DEPTH - 1: that many levels */
    if ((json_is_object(v) || json_is_array(v)) && depth >= JSONIN_MAX_DEPTH)
        fail("nesting deeper than JSONIN_MAX_DEPTH got through", NULL);
    size_t n = 1;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *val;
        size_t seen = 0;
        json_object_foreach(v, key, val)
        {
            if (!utf8_ok((const unsigned char *)key, strlen(key)))
                fail("key is not UTF-8", key);
            if (json_object_get(v, key) != val)
                fail("duplicate or unreachable key", key);
            n += walk(val, depth + 1);
            seen++;
        }
        if (seen != json_object_size(v))
            fail("object size mismatch", NULL);
        break;
    }
    case JSON_ARRAY:
        for (size_t i = 0; i < json_array_size(v); i++)
            n += walk(json_array_get(v, i), depth + 1);
        break;
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t len = json_string_length(v);
        if (memchr(s, '\0', len) || !utf8_ok((const unsigned char *)s, len))
            fail("string with NUL or bad UTF-8", s);
        break;
    }
    default:
        break;
    }
    return n;
}

static void round_trip(json_t *j, size_t flags)
{
    char *text = json_dumps(j, flags | JSON_ENCODE_ANY);
    if (!text)
        fail("json_dumps failed on a parsed value", NULL);
    json_error_t err;
    json_t *back = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    if (!back)
        fail(err.text, text);
    if (!json_equal(j, back))
        fail("dump and reload differ", text);
    json_decref(back);
    free(text);
}

struct input {
    const char *data;
    size_t size;
};

/* What a worker does with a body: the bounded parse, then a handler's walk and dumps. */
static void parse_and_check(void *arg)
{
    const struct input *in = arg;
    json_error_t err;
    json_t *j = jsonin_load(in->data, in->size, JSON_REJECT_DUPLICATES, JSONIN_MAX_DEPTH, &err);
    if (!j) {
        if (err.position > (int)in->size + 1)
            fail("error position past the input", err.text);
        return;
    }
    if (!json_is_object(j) && !json_is_array(j))
        fail("json_loadb without JSON_DECODE_ANY returned a scalar", NULL);
    walk(j, 0);
    round_trip(j, JSON_COMPACT);
    round_trip(j, JSON_COMPACT | JSON_ENSURE_ASCII); /* what http_json sends */
    round_trip(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_t *copy = json_deep_copy(j);
    if (!copy || !json_equal(copy, j))
        fail("deep copy differs", NULL);
    json_decref(copy);
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {(const char *)data, size};
    worker_stack_run(parse_and_check, &in);
    return 0;
}
