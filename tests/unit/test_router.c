/* test_router.c - route matching: {name} parameters, 405 with Allow, HEAD as GET, and
 * invariants of the one route table in routes.c (every route reachable, none shadowed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static int req_setup(void **state)
{
    struct req *r = calloc(1, sizeof *r);
    if (!r)
        return -1;
    arena_init(&r->arena);
    *state = r;
    return 0;
}

static int req_teardown(void **state)
{
    struct req *r = *state;
    arena_cleanup(&r->arena);
    free(r);
    return 0;
}

/* Looks a route up the way dispatch() does. */
static const struct route *find(struct req *r, const char *method, const char *path, bool *known,
                                char *allow, size_t allowsize)
{
    r->nparam = 0;
    return http_route_find(method, path, r, known, allow, allowsize);
}

/* --- patterns directly -------------------------------------------------------------- */

static void literal_patterns(void **state)
{
    struct req *r = *state;
    assert_int_equal(http_route_match("/api/v1/ping", "/api/v1/ping", r), 1);
    assert_int_equal(r->nparam, 0);
    assert_int_equal(http_route_match("/api/v1/ping", "/api/v1/pin", r), 0);
    assert_int_equal(http_route_match("/api/v1/ping", "/api/v1/pingx", r), 0);
    assert_int_equal(http_route_match("/api/v1/ping", "/api/v1/ping/", r), 0);
    assert_int_equal(http_route_match("/api/v1/ping", "/API/v1/ping", r), 0);
    assert_int_equal(http_route_match("/", "/", r), 1);
    assert_int_equal(http_route_match("/", "", r), 0);
    assert_int_equal(http_route_match("/healthz", "/healthz", NULL), 1); /* r is optional */
}

static void one_parameter(void **state)
{
    struct req *r = *state;
    assert_int_equal(http_route_match("/api/v1/files/{id}", "/api/v1/files/42", r), 1);
    assert_int_equal(r->nparam, 1);
    assert_string_equal(r->param_name[0], "id");
    assert_string_equal(r->param[0], "42");
    assert_string_equal(http_param(r, "id"), "42");
    assert_null(http_param(r, "other"));
    assert_int_equal(http_param_id(r, "id"), 42);

    /* A parameter is exactly one non-empty segment. */
    assert_int_equal(http_route_match("/api/v1/files/{id}", "/api/v1/files/", r), 0);
    assert_int_equal(http_route_match("/api/v1/files/{id}", "/api/v1/files", r), 0);
    assert_int_equal(http_route_match("/api/v1/files/{id}", "/api/v1/files/4/2", r), 0);
    assert_int_equal(http_route_match("/api/v1/files/{id}", "/api/v1/files/42/", r), 0);
    assert_int_equal(http_route_match("/s/{token}", "/s/AbC-_9", r), 1);
    assert_string_equal(http_param(r, "token"), "AbC-_9");
}

static void parameter_in_the_middle_and_several(void **state)
{
    struct req *r = *state;
    const char *pat = "/api/v1/kb/articles/{id}/revisions/{rev}";
    assert_int_equal(http_route_match(pat, "/api/v1/kb/articles/7/revisions/3", r), 1);
    assert_int_equal(r->nparam, 2);
    assert_string_equal(http_param(r, "id"), "7");
    assert_string_equal(http_param(r, "rev"), "3");
    assert_int_equal(http_route_match(pat, "/api/v1/kb/articles/7/revisions", r), 0);
    assert_int_equal(http_route_match(pat, "/api/v1/kb/articles/7/revision/3", r), 0);
    assert_int_equal(http_route_match(pat, "/api/v1/kb/articles//revisions/3", r), 0);

    assert_int_equal(http_route_match("/a/{w}/{x}/{y}/{z}", "/a/1/2/3/4", r), 1);
    assert_int_equal(r->nparam, 4);
    assert_string_equal(http_param(r, "z"), "4");
    /* More parameters than HTTP_MAX_PARAMS never match (no overflow of param[]). */
    assert_int_equal(http_route_match("/a/{v}/{w}/{x}/{y}/{z}", "/a/1/2/3/4/5", r), 0);
    /* A broken pattern matches nothing. */
    assert_int_equal(http_route_match("/a/{id", "/a/1", r), 0);
}

static void param_id_accepts_only_positive_decimal(void **state)
{
    struct req *r = *state;
    static const struct {
        const char *seg;
        long long id;
    } cases[] = {
        {"1", 1},
        {"42", 42},
        {"007", 7},
        {"999999999999999999", 999999999999999999LL},
        {"0", 0},
        {"-1", 0},
        {"+1", 0},
        {"1a", 0},
        {"a1", 0},
        {"1.5", 0},
        {"1e3", 0},
        {"9999999999999999999", 0},
        {"%31", 0},
        {" 1", 0},
        {"１", 0 /* fullwidth */},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[64];
        snprintf(path, sizeof path, "/x/%s", cases[i].seg);
        assert_int_equal(http_route_match("/x/{id}", path, r), 1);
        if (http_param_id(r, "id") != cases[i].id)
            fail_msg("\"%s\" gave id %lld, expected %lld", cases[i].seg, http_param_id(r, "id"),
                     cases[i].id);
    }
}

/* --- the real table ------------------------------------------------------------------ */

static void get_known_route(void **state)
{
    struct req *r = *state;
    bool known = false;
    char allow[128];
    const struct route *rt = find(r, "GET", "/healthz", &known, allow, sizeof allow);
    assert_non_null(rt);
    assert_true(known);
    assert_string_equal(rt->method, "GET");
    assert_string_equal(rt->pattern, "/healthz");
    assert_non_null(rt->handler);

    rt = find(r, "GET", "/api/v1/files/123", &known, allow, sizeof allow);
    assert_non_null(rt);
    assert_string_equal(rt->pattern, "/api/v1/files/{id}");
    assert_int_equal(r->nparam, 1);
    assert_int_equal(http_param_id(r, "id"), 123);

    rt = find(r, "POST", "/api/v1/files", &known, allow, sizeof allow);
    assert_non_null(rt);
    assert_string_equal(rt->method, "POST");
    assert_true(rt->flags & ROUTE_RAW_BODY);
}

static void head_matches_get(void **state)
{
    struct req *r = *state;
    bool known = false;
    char allow[128];
    const struct route *get = find(r, "GET", "/api/v1/files/9", &known, allow, sizeof allow);
    const struct route *head = find(r, "HEAD", "/api/v1/files/9", &known, allow, sizeof allow);
    assert_non_null(head);
    assert_ptr_equal(head, get);
    assert_string_equal(http_param(r, "id"), "9");
    assert_non_null(find(r, "HEAD", "/healthz", &known, allow, sizeof allow));
    /* HEAD is GET without a body, not any method: a POST-only path is a 405. */
    assert_null(find(r, "HEAD", "/api/v1/files", &known, allow, sizeof allow));
    assert_true(known);
}

static void method_mismatch_gives_allow(void **state)
{
    struct req *r = *state;
    bool known = false;
    char allow[128] = "garbage";
    assert_null(find(r, "DELETE", "/healthz", &known, allow, sizeof allow));
    assert_true(known);
    assert_string_equal(allow, "GET");

    assert_null(find(r, "POST", "/api/v1/files/5", &known, allow, sizeof allow));
    assert_true(known);
    assert_non_null(strstr(allow, "GET"));
    assert_null(strstr(allow, "POST"));

    assert_null(find(r, "GET", "/api/v1/files", &known, allow, sizeof allow));
    assert_true(known);
    assert_non_null(strstr(allow, "POST"));
    /* Methods are case-sensitive (RFC 9110): "get" is not GET. */
    assert_null(find(r, "get", "/healthz", &known, allow, sizeof allow));
    assert_true(known);
}

static void unknown_path(void **state)
{
    struct req *r = *state;
    bool known = true;
    char allow[128] = "garbage";
    static const char *paths[] = {
        "/api/v1/nope",   "/api/v1/files/", "/api/v1/files/1/2", "/healthz/", "/api/v1", "/",
        "/api/v1/ping/x", "/HEALTHZ",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        known = true;
        strcpy(allow, "garbage");
        if (find(r, "GET", paths[i], &known, allow, sizeof allow))
            fail_msg("GET %s found a route", paths[i]);
        if (known)
            fail_msg("GET %s: path_known set for an unknown path", paths[i]);
        assert_string_equal(allow, "");
    }
    /* allow may be NULL when the caller does not want it. */
    assert_null(http_route_find("PUT", "/healthz", r, &known, NULL, 0));
    assert_true(known);
}

/* Replaces every {name} in pattern with value. */
static void instantiate(const char *pattern, const char *value, char *out, size_t outsize)
{
    size_t o = 0;
    for (const char *p = pattern; *p && o + 1 < outsize;) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            assert_non_null(close);
            int n = snprintf(out + o, outsize - o, "%s", value);
            o += (size_t)n;
            p = close + 1;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
}

static int count_params(const char *pattern)
{
    int n = 0;
    for (const char *p = pattern; *p; p++)
        n += *p == '{';
    return n;
}

static void table_is_well_formed(void **state)
{
    static const char *methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    assert_true(http_routes_count > 0);
    for (size_t i = 0; i < http_routes_count; i++) {
        const struct route *rt = &http_routes[i];
        assert_non_null(rt->pattern);
        assert_non_null(rt->method);
        if (rt->pattern[0] != '/')
            fail_msg("route %zu: pattern %s does not start with /", i, rt->pattern);
        if (rt->pattern[1] && rt->pattern[strlen(rt->pattern) - 1] == '/')
            fail_msg("route %s: trailing slash can never match a normalised API path", rt->pattern);
        if (strstr(rt->pattern, "//"))
            fail_msg("route %s: empty segment", rt->pattern);
        bool method_ok = false;
        for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++)
            method_ok |= strcmp(rt->method, methods[m]) == 0;
        if (!method_ok)
            fail_msg("route %s %s: unknown method", rt->method, rt->pattern);
        if (!rt->handler)
            fail_msg("route %s %s: no handler", rt->method, rt->pattern);
        if (!rt->realms || (rt->realms & ~(unsigned)REALM_ALL))
            fail_msg("route %s %s: realms 0x%x", rt->method, rt->pattern, rt->realms);
        /* Parameters: "{name}" with a name of [a-z_], one whole segment each. */
        int nparams = 0;
        for (const char *p = strchr(rt->pattern, '{'); p; p = strchr(p + 1, '{')) {
            const char *close = strchr(p, '}');
            if (!close || p[-1] != '/' || (close[1] && close[1] != '/') || close == p + 1 ||
                strspn(p + 1, "abcdefghijklmnopqrstuvwxyz_") != (size_t)(close - p - 1))
                fail_msg("route %s: malformed parameter", rt->pattern);
            nparams++;
        }
        if (nparams > HTTP_MAX_PARAMS)
            fail_msg("route %s: more than %d parameters", rt->pattern, HTTP_MAX_PARAMS);
        for (size_t j = 0; j < i; j++)
            if (strcmp(http_routes[j].method, rt->method) == 0 &&
                strcmp(http_routes[j].pattern, rt->pattern) == 0)
                fail_msg("route %s %s is listed twice", rt->method, rt->pattern);
    }
}

/* Every route is what the router finds for its own path: no earlier pattern shadows
 * it (e.g. "/users/{id}" listed before "/users/me"), and the path is already in
 * normalised form. */
static void every_route_reachable(void **state)
{
    struct req *r = *state;
    static const char *values[] = {"123", "me", "x_y-Z"};
    for (size_t i = 0; i < http_routes_count; i++) {
        const struct route *rt = &http_routes[i];
        for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
            char path[512], normal[520];
            instantiate(rt->pattern, values[v], path, sizeof path);
            assert_int_equal(http_path_normalize(path, normal, sizeof normal), 0);
            assert_string_equal(normal, path);
            bool known = false;
            char allow[128];
            const struct route *got = find(r, rt->method, path, &known, allow, sizeof allow);
            /* A more literal route that happens to equal the probe ("/users/me" for
             * "/users/{id}") may legitimately win; a less literal one may not. */
            if (got != rt && !(got && count_params(got->pattern) < count_params(rt->pattern)))
                fail_msg("%s %s is answered by %s %s", rt->method, path,
                         got ? got->method : "(none)", got ? got->pattern : "");
            assert_true(known);
            assert_non_null(strstr(allow, rt->method));
            if (strcmp(rt->method, "GET") == 0)
                assert_ptr_equal(find(r, "HEAD", path, &known, allow, sizeof allow), got);
        }
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(literal_patterns, req_setup, req_teardown),
        cmocka_unit_test_setup_teardown(one_parameter, req_setup, req_teardown),
        cmocka_unit_test_setup_teardown(parameter_in_the_middle_and_several, req_setup,
                                        req_teardown),
        cmocka_unit_test_setup_teardown(param_id_accepts_only_positive_decimal, req_setup,
                                        req_teardown),
        cmocka_unit_test_setup_teardown(get_known_route, req_setup, req_teardown),
        cmocka_unit_test_setup_teardown(head_matches_get, req_setup, req_teardown),
        cmocka_unit_test_setup_teardown(method_mismatch_gives_allow, req_setup, req_teardown),
        cmocka_unit_test_setup_teardown(unknown_path, req_setup, req_teardown),
        cmocka_unit_test(table_is_well_formed),
        cmocka_unit_test_setup_teardown(every_route_reachable, req_setup, req_teardown),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
