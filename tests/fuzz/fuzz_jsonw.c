/* fuzz_jsonw.c - jsonw against jansson on a worker-sized stack: whatever parses (as
 * http_json_body parses, any top-level value) is written again through jsonw by walking
 * the json_t, and the bytes must equal json_dumps(JSON_COMPACT); an object's members are
 * also written after jsonw_obj_open of a copy holding the first half of them. The raw
 * input, as a string value, must be refused exactly when jansson refuses it (invalid
 * UTF-8) and match otherwise; as an integer's text, jsonw_int_text must write what
 * jsonw_int writes of strtoll's reading. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonin.h"
#include "jsonw.h"
#include "worker_stack.h"

static void fail(const char *what, const char *want, const char *got)
{
    fprintf(stderr, "fuzz_jsonw: %s\njansson: %s\njsonw:   %s\n", what, want ? want : "(null)",
            got ? got : "(null)");
    abort();
}

/* v through jsonw, in jansson's order (insertion order; JSON_PRESERVE_ORDER is the
 * default since 2.8). */
static void emit(struct jsonw *w, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *val;
        jsonw_obj_begin(w);
        json_object_foreach((json_t *)v, key, val)
        {
            jsonw_key(w, key);
            emit(w, val);
        }
        jsonw_obj_end(w);
        break;
    }
    case JSON_ARRAY:
        jsonw_arr_begin(w);
        for (size_t i = 0; i < json_array_size(v); i++)
            emit(w, json_array_get(v, i));
        jsonw_arr_end(w);
        break;
    case JSON_STRING:
        jsonw_strn(w, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        jsonw_int(w, json_integer_value(v));
        break;
    case JSON_REAL:
        jsonw_real(w, json_real_value(v));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        jsonw_bool(w, json_is_true(v));
        break;
    case JSON_NULL:
        jsonw_null(w);
        break;
    }
}

/* jsonw's text for the written value equals jansson's dump of want. */
static void check(struct jsonw *w, const json_t *want, const char *what)
{
    char *dumped = json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY);
    size_t len = 0;
    const char *got = jsonw_finish(w, &len);
    if (!dumped)
        fail("jansson could not dump a parsed value", NULL, got);
    if (!got || len != strlen(dumped) || memcmp(got, dumped, len) != 0)
        fail(what, dumped, got);
    free(dumped);
    jsonw_cleanup(w);
}

struct input {
    const char *data;
    size_t size;
};

static void run(void *arg)
{
    const struct input *in = arg;
    struct jsonw w;

    /* the input as one string value: refused together, or the same bytes */
    json_t *s = json_stringn(in->data, in->size);
    jsonw_init(&w, NULL);
    jsonw_strn(&w, in->data, in->size);
    if (s) {
        check(&w, s, "string differs");
        json_decref(s);
    } else {
        if (jsonw_finish(&w, NULL))
            fail("jsonw wrote a string jansson refuses", NULL, in->data);
        jsonw_cleanup(&w);
    }

    /* the input as an integer's text: as jsonw_int of strtoll's reading */
    char digits[32];
    if (in->size < sizeof digits) {
        memcpy(digits, in->data, in->size);
        digits[in->size] = '\0';
        json_t *n = json_integer(strtoll(digits, NULL, 10));
        jsonw_init(&w, NULL);
        jsonw_int_text(&w, digits);
        check(&w, n, "integer text differs");
        json_decref(n);
    }

    json_error_t err;
    json_t *j =
        jsonin_load(in->data, in->size, JSON_DECODE_ANY | JSON_ALLOW_NUL, JSONIN_MAX_DEPTH, &err);
    if (!j)
        return;
    jsonw_init(&w, NULL);
    emit(&w, j);
    check(&w, j, "walk differs");

    jsonw_init(&w, NULL);
    jsonw_json(&w, j);
    check(&w, j, "jsonw_json differs");

    if (json_is_object(j)) { /* the first half from jansson, the rest through jsonw */
        json_t *head = json_object();
        const char *key;
        json_t *val;
        size_t i = 0, half = json_object_size(j) / 2;
        jsonw_init(&w, NULL);
        json_object_foreach(j, key, val)
        {
            if (i++ < half) {
                json_object_set(head, key, val);
                continue;
            }
            if (i == half + 1)
                jsonw_obj_open(&w, head);
            jsonw_key(&w, key);
            emit(&w, val);
        }
        if (i == half) /* empty object */
            jsonw_obj_open(&w, head);
        jsonw_obj_end(&w);
        check(&w, j, "members after jsonw_obj_open differ");
        json_decref(head);
    }
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {(const char *)data, size};
    worker_stack_run(run, &in);
    return 0;
}
