/* fuzz_preview.c - POST /api/v1/markdown/preview end to end but for the socket: the input
 * is the Markdown a client types, sent as the route's JSON body {"text": ...}, parsed as
 * http_json_body does (jsonin_load) and handed to the route's handler,
 * feed_markdown_preview (validation, richtext_render, markdown_render, cmark), on a
 * worker-sized stack (worker_stack.h). It must answer 200, 400 or 413, never crash or
 * hang. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "http.h"
#include "jsonin.h"
#include "worker_stack.h"

/* The request body a browser sends for src[0..len): a JSON string with quotes,
 * backslashes and control bytes escaped, other bytes as they are (jansson then refuses
 * invalid UTF-8, as it would from the network). Returns malloc'd text, its length in *n. */
static char *body_for(const uint8_t *src, size_t len, size_t *n)
{
    char *out = malloc(len * 6 + 16), *p = out;
    if (!out)
        return NULL;
    p += sprintf(p, "{\"text\":\"");
    for (size_t i = 0; i < len; i++) {
        if (src[i] == '"' || src[i] == '\\')
            *p++ = '\\', *p++ = (char)src[i];
        else if (src[i] < 0x20)
            p += sprintf(p, "\\u%04x", src[i]);
        else
            *p++ = (char)src[i];
    }
    p += sprintf(p, "\"}");
    *n = (size_t)(p - out);
    return out;
}

struct input {
    const char *body;
    size_t len;
};

/* What dispatch() does for the route once the session is checked; the answer goes to a
 * NULL connection (mg_write ignores it), the status stays in the request. */
static void preview(void *arg)
{
    const struct input *in = arg;
    struct req r;
    memset(&r, 0, sizeof r);
    arena_init(&r.arena);
    r.body = jsonin_load(in->body, in->len, JSON_REJECT_DUPLICATES, JSONIN_MAX_DEPTH, NULL);
    if (r.body) {
        int status = feed_markdown_preview(&r);
        if (status != r.status || (status != 200 && status != 400 && status != 413)) {
            fprintf(stderr, "fuzz_preview: answered %d (sent %d)\n", status, r.status);
            abort();
        }
    }
    json_decref(r.body);
    arena_cleanup(&r.arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* 0xff, k, unit...: unit repeated to (k + 1) * 1200 bytes (up to 300 KiB), so deep
     * nesting (50,000 `>`) is reached from a few bytes, as in fuzz_markdown. */
    uint8_t *big = NULL;
    if (size >= 3 && data[0] == 0xff) {
        size_t want = ((size_t)data[1] + 1) * 1200, ul = size - 2;
        if (!(big = malloc(want)))
            return 0;
        for (size_t o = 0; o < want; o += ul)
            memcpy(big + o, data + 2, want - o < ul ? want - o : ul);
        data = big;
        size = want;
    }
    struct input in;
    char *body = body_for(data, size, &in.len);
    if (body) {
        in.body = body;
        worker_stack_run(preview, &in);
    }
    free(body);
    free(big);
    return 0;
}
