/* fuzz_frame.c - a client's websocket text frame as the gateway's client_message takes
 * it (rt_client_frame_parse, chat/frame.c), on a worker-sized stack (worker_stack.h):
 * never a crash, and every frame accepted is one the protocol (chat/README.md) allows,
 * checked against an independent parse. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonin.h"
#include "rt.h"
#include "worker_stack.h"

static void fail(const char *what, long long v)
{
    fprintf(stderr, "fuzz_frame: %s (%lld)\n", what, v);
    abort();
}

struct input {
    const char *data;
    size_t size;
};

static void parse_and_check(void *arg)
{
    const struct input *in = arg;
    struct rt_client_frame f;
    enum rt_client_kind kind = rt_client_frame_parse(in->data, in->size, &f);
    if (kind != f.kind || kind < RT_CLIENT_BAD || kind > RT_CLIENT_WATCH)
        fail("kind out of range", kind);
    if (kind == RT_CLIENT_BAD) {
        if (f.after || f.channel || f.away || f.nwatch)
            fail("a refused frame left fields set", kind);
        return;
    }
    /* Accepted: it is a JSON object within the depth limit, whose "type" says the kind. */
    if (jsonin_depth(in->data, in->size, JSONIN_MAX_DEPTH) > JSONIN_MAX_DEPTH)
        fail("a frame past the depth limit was accepted", kind);
    json_t *m = jsonin_load(in->data, in->size, 0, JSONIN_MAX_DEPTH, NULL);
    const char *type = json_string_value(json_object_get(m, "type"));
    static const char *const types[] = {NULL, "ping", "resume", "typing", "presence", "presence"};
    if (!json_is_object(m) || !type || strcmp(type, types[kind]) != 0)
        fail("accepted a frame whose type differs", kind);
    switch (kind) {
    case RT_CLIENT_RESUME:
        if (f.after < 0 || f.after != json_integer_value(json_object_get(m, "after")))
            fail("resume: after", f.after);
        break;
    case RT_CLIENT_TYPING:
        if (f.channel <= 0 || f.channel != json_integer_value(json_object_get(m, "channel")))
            fail("typing: channel", f.channel);
        break;
    case RT_CLIENT_WATCH: {
        json_t *ids = json_object_get(m, "watch");
        if (f.nwatch > RT_WATCH_MAX || f.nwatch != json_array_size(ids))
            fail("watch: count", (long long)f.nwatch);
        for (size_t i = 0; i < f.nwatch; i++)
            if (f.watch[i] <= 0 || f.watch[i] != json_integer_value(json_array_get(ids, i)))
                fail("watch: id", f.watch[i]);
        break;
    }
    case RT_CLIENT_PRESENCE: {
        const char *state = json_string_value(json_object_get(m, "state"));
        if (!state || strcmp(state, f.away ? "away" : "online") != 0)
            fail("presence: state", f.away);
        break;
    }
    default:
        break;
    }
    json_decref(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Not NUL-terminated, exactly size bytes, as lws hands the payload over. */
    char *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    struct input in = {copy, size};
    worker_stack_run(parse_and_check, &in);
    free(copy);
    return 0;
}
