/* frame.c - what a client's text frame on the realtime socket asks for: the parse the
 * gateway dispatches on, pure (no connection, no lws) so tests/fuzz/fuzz_frame.c runs
 * exactly what the lws thread runs. */
#include <jansson.h>
#include <string.h>

#include "jsonin.h"
#include "rt.h"

/* A positive JSON integer, or 0. */
static long long positive_id(json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) : 0;
}

static int parse_watch(json_t *ids, struct rt_client_frame *f)
{
    size_t n = json_array_size(ids);
    if (!json_is_array(ids) || n > RT_WATCH_MAX)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!(f->watch[i] = positive_id(json_array_get(ids, i))))
            return -1;
    f->nwatch = n;
    return 0;
}

enum rt_client_kind rt_client_frame_parse(const char *text, size_t len, struct rt_client_frame *f)
{
    memset(f, 0, sizeof *f);
    f->kind = RT_CLIENT_BAD;
    json_t *m = jsonin_load(text, len, 0, JSONIN_MAX_DEPTH, NULL); /* too deep: bad */
    const char *type = json_string_value(json_object_get(m, "type"));
    if (!type) {
        /* bad */
    } else if (strcmp(type, "ping") == 0) {
        f->kind = RT_CLIENT_PING;
    } else if (strcmp(type, "resume") == 0) {
        json_t *after = json_object_get(m, "after");
        if (json_is_integer(after) && json_integer_value(after) >= 0) {
            f->kind = RT_CLIENT_RESUME;
            f->after = json_integer_value(after);
        }
    } else if (strcmp(type, "typing") == 0) {
        if ((f->channel = positive_id(json_object_get(m, "channel"))))
            f->kind = RT_CLIENT_TYPING;
    } else if (strcmp(type, "presence") == 0 && json_object_get(m, "watch")) {
        if (parse_watch(json_object_get(m, "watch"), f) == 0)
            f->kind = RT_CLIENT_WATCH;
    } else if (strcmp(type, "presence") == 0) {
        const char *state = json_string_value(json_object_get(m, "state"));
        if (state && (strcmp(state, "away") == 0 || strcmp(state, "online") == 0)) {
            f->kind = RT_CLIENT_PRESENCE;
            f->away = strcmp(state, "away") == 0;
        }
    }
    json_decref(m);
    if (f->kind == RT_CLIENT_BAD)
        memset(f, 0, sizeof *f);
    return f->kind;
}
