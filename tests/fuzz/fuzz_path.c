/* fuzz_path.c - http_path_normalize and the router on arbitrary request paths, on a
 * worker-sized stack (worker_stack.h) as in production. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "worker_stack.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant failed: %s\n  raw: \"%s\"\n  out: \"%s\"\n", #cond, raw,    \
                    out);                                                                          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static void route(const char *method, const char *path)
{
    struct req r;
    memset(&r, 0, sizeof r);
    arena_init(&r.arena);
    bool known = false;
    char allow[128];
    const struct route *rt = http_route_find(method, path, &r, &known, allow, sizeof allow);
    if (rt) {
        if (!known || r.nparam < 0 || r.nparam > HTTP_MAX_PARAMS)
            abort();
        for (int i = 0; i < r.nparam; i++) /* every parameter is one non-empty segment */
            if (!r.param[i] || !*r.param[i] || strchr(r.param[i], '/') ||
                http_param(&r, r.param_name[i]) == NULL)
                abort();
        (void)http_param_id(&r, "id");
    } else if (!known && allow[0]) {
        abort(); /* an Allow list only for a known path */
    }
    arena_cleanup(&r.arena);
}

struct input {
    const uint8_t *data;
    size_t size;
};

static void check_path(void *arg)
{
    const uint8_t *data = ((const struct input *)arg)->data;
    size_t size = ((const struct input *)arg)->size;
    /* The path as CivetWeb hands it over: a C string, so stop at a NUL. */
    char *raw = malloc(size + 1);
    if (!raw)
        return;
    memcpy(raw, data, size);
    raw[size] = '\0';
    size_t rawlen = strlen(raw);
    /* Exactly the buffer dispatch() gives it, so ASan sees an overrun. */
    char *out = malloc(rawlen + 2);
    if (!out) {
        free(raw);
        return;
    }
    out[0] = '\0';
    if (http_path_normalize(raw, out, rawlen + 2) == 0) {
        size_t n = strlen(out);
        CHECK(n < rawlen + 2);
        CHECK(out[0] == '/');
        CHECK(!strstr(out, "/../") && !strstr(out, "/./") && !strstr(out, "//"));
        CHECK(!(n >= 3 && strcmp(out + n - 3, "/..") == 0));
        CHECK(!(n >= 2 && strcmp(out + n - 2, "/.") == 0));
        for (size_t i = 0; i < n; i++)
            CHECK((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
        /* The trailing slash survives normalisation either way. */
        if (n > 1)
            CHECK((out[n - 1] == '/') == (raw[rawlen - 1] == '/'));
        /* Already normal: normalising again changes nothing (when nothing is left to
         * decode; "%25" decodes to a "%" that would be decoded again). */
        if (!strchr(out, '%')) {
            char *again = malloc(n + 2);
            if (again) {
                CHECK(http_path_normalize(out, again, n + 2) == 0);
                CHECK(strcmp(again, out) == 0);
                free(again);
            }
        }
        route("GET", out);
        route("HEAD", out);
        route("POST", out);
    }
    free(out);
    free(raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {data, size};
    worker_stack_run(check_path, &in);
    return 0;
}
