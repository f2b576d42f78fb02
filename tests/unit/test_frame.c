/* test_frame.c - rt_client_frame_parse: each client frame of chat/README.md's protocol
 * as the gateway dispatches on it, bad fields and frames nested past the JSON limit
 * refused (bad_message), on a CivetWeb worker's 100 KiB stack. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../fuzz/worker_stack.h"
#include "rt.h"

static struct rt_client_frame f;

static enum rt_client_kind parse(const char *text)
{
    return rt_client_frame_parse(text, strlen(text), &f);
}

static void each_kind(void **state)
{
    assert_int_equal(parse("{\"type\":\"ping\"}"), RT_CLIENT_PING);
    assert_int_equal(parse("{\"type\":\"resume\",\"after\":42}"), RT_CLIENT_RESUME);
    assert_int_equal(f.after, 42);
    assert_int_equal(parse("{\"type\":\"typing\",\"channel\":7}"), RT_CLIENT_TYPING);
    assert_int_equal(f.channel, 7);
    assert_int_equal(parse("{\"type\":\"presence\",\"state\":\"away\"}"), RT_CLIENT_PRESENCE);
    assert_true(f.away);
    assert_int_equal(parse("{\"type\":\"presence\",\"state\":\"online\"}"), RT_CLIENT_PRESENCE);
    assert_false(f.away);
    assert_int_equal(parse("{\"type\":\"presence\",\"watch\":[3,1,2]}"), RT_CLIENT_WATCH);
    assert_int_equal(f.nwatch, 3);
    assert_int_equal(f.watch[0], 3);
    assert_int_equal(parse("{\"type\":\"presence\",\"watch\":[]}"), RT_CLIENT_WATCH);
    assert_int_equal(f.nwatch, 0);
}

static void bad_fields(void **state)
{
    const char *bad[] = {
        "",
        "ping",
        "[]",
        "{}",
        "{\"type\":1}",
        "{\"type\":\"pong\"}",
        "{\"type\":\"resume\"}",
        "{\"type\":\"resume\",\"after\":-1}",
        "{\"type\":\"resume\",\"after\":\"1\"}",
        "{\"type\":\"typing\",\"channel\":0}",
        "{\"type\":\"typing\",\"channel\":1.5}",
        "{\"type\":\"presence\",\"state\":\"busy\"}",
        "{\"type\":\"presence\"}",
        "{\"type\":\"presence\",\"watch\":null}",
        "{\"type\":\"presence\",\"watch\":[1,-2]}",
        "{\"type\":\"presence\",\"watch\":[\"1\"]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(parse(bad[i]), RT_CLIENT_BAD);
        assert_int_equal(f.after + f.channel + (long long)f.nwatch, 0);
    }
}

static void watch_at_most_500(void **state)
{
    char buf[8192];
    for (int n = 500; n <= 501; n++) {
        size_t o = (size_t)sprintf(buf, "{\"type\":\"presence\",\"watch\":[");
        for (int i = 1; i <= n; i++)
            o += (size_t)sprintf(buf + o, "%s%d", i > 1 ? "," : "", i);
        strcpy(buf + o, "]}");
        assert_int_equal(parse(buf), n == 500 ? RT_CLIENT_WATCH : RT_CLIENT_BAD);
    }
}

static enum rt_client_kind deep_kind;
static char *deep_text;

static void parse_deep(void *arg)
{
    deep_kind = parse(deep_text);
}

/* 1,500 levels overflow 100 KiB inside jansson unless refused before it parses. */
static void deep_frames_refused_on_a_worker_stack(void **state)
{
    const int n = 1500;
    deep_text = malloc(64 + 2 * (size_t)n);
    strcpy(deep_text, "{\"type\":\"typing\",\"channel\":");
    size_t o = strlen(deep_text);
    memset(deep_text + o, '[', (size_t)n);
    memset(deep_text + o + n, ']', (size_t)n);
    strcpy(deep_text + o + 2 * (size_t)n, "}");
    worker_stack_run(parse_deep, NULL);
    assert_int_equal(deep_kind, RT_CLIENT_BAD);
    free(deep_text);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_kind),
        cmocka_unit_test(bad_fields),
        cmocka_unit_test(watch_at_most_500),
        cmocka_unit_test(deep_frames_refused_on_a_worker_stack),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
