/* test_http_path.c - http_path_normalize: what reaches the router and the static file
 * handler is decoded once, has no dot segments and cannot climb above the root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "http.h"

/* Normalises raw into a heap buffer of exactly the size dispatch() gives it
 * (strlen + 2), so ASan sees any write past it. Returns the result (caller frees) or
 * NULL when refused. */
static char *norm(const char *raw)
{
    size_t size = strlen(raw) + 2;
    char *out = malloc(size);
    assert_non_null(out);
    if (http_path_normalize(raw, out, size) < 0) {
        free(out);
        return NULL;
    }
    assert_true(strlen(out) < size);
    return out;
}

static void expect(const char *raw, const char *want)
{
    char *got = norm(raw);
    if (!got)
        fail_msg("\"%s\" was refused, expected \"%s\"", raw, want);
    if (strcmp(got, want) != 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "\"%s\" -> \"%s\", expected \"%s\"", raw, got, want);
        free(got);
        fail_msg("%s", msg);
    }
    free(got);
}

static void refused(const char *raw)
{
    char *got = norm(raw);
    if (got) {
        char msg[512];
        snprintf(msg, sizeof msg, "\"%s\" was accepted as \"%s\", expected a refusal", raw, got);
        free(got);
        fail_msg("%s", msg);
    }
}

static void plain_paths_unchanged(void **state)
{
    expect("/", "/");
    expect("/healthz", "/healthz");
    expect("/api/v1/files/42", "/api/v1/files/42");
    expect("/app/index.html", "/app/index.html");
    expect("/a/.hidden/...x", "/a/.hidden/...x"); /* only "." and ".." are special */
    expect("/a/.../b", "/a/.../b");
}

static void dot_segments_removed(void **state)
{
    expect("/a/./b", "/a/b");
    expect("/./a", "/a");
    expect("/a/.", "/a");
    expect("/a/b/../c", "/a/c");
    expect("/a/b/c/../../d", "/a/d");
    expect("/a/..", "/");
    expect("/a/b/..", "/a");
    expect("/.", "/");
    expect("/./", "/");
    expect("/a/./././b/./", "/a/b/");
}

static void encoded_dots_are_dot_segments(void **state)
{
    expect("/a/%2e/b", "/a/b");
    expect("/a/%2e%2e/b", "/b");
    expect("/a/%2E%2E/b", "/b");
    expect("/a/.%2e/b", "/b");
    expect("/a/%2e./b", "/b");
    expect("/static/%2e%2e/api/v1/ping", "/api/v1/ping");
}

static void climbing_above_root_refused(void **state)
{
    refused("/..");
    refused("/../");
    refused("/../etc/passwd");
    refused("/a/../..");
    refused("/a/../../etc/passwd");
    refused("/a/b/../../../c");
    refused("/%2e%2e/etc/passwd");
    refused("/%2E%2e");
    refused("/a/%2e%2e/%2e%2e/x");
    refused("/./..");
    refused("//../x");
}

static void encoded_slash_refused(void **state)
{
    refused("/a%2fb");
    refused("/a%2Fb");
    refused("/files/..%2f..%2fetc");
    refused("/a%5cb"); /* backslash: a separator somewhere, so never encoded */
    refused("/a%5C..%5Cb");
}

static void nul_and_control_refused(void **state)
{
    refused("/a%00b");
    refused("/a%00");
    refused("/%00/x");
    refused("/a%0d%0aSet-Cookie:%20x=1");
    refused("/a%0a");
    refused("/a%09b");
    refused("/a%1fb");
    refused("/a%7fb");
    refused("/a\tb");
    refused("/a\rb");
    refused("/a\nb");
    refused("/a\x01");
    refused("/a\x7f");
}

static void malformed_escapes_refused(void **state)
{
    refused("/a%");
    refused("/a%2");
    refused("/a%zz");
    refused("/a%g0");
    refused("/a%0g");
    refused("/%%41");
    refused("/a%2/b");
}

static void decoded_exactly_once(void **state)
{
    expect("/a%20b", "/a b");
    expect("/%41%62c", "/Abc");
    expect("/%d0%b4%D0%BE%D0%BA", "/док");  /* UTF-8 bytes decoded as bytes */
    expect("/caf\xc3\xa9", "/caf\xc3\xa9"); /* raw UTF-8 passes through */
    expect("/a%25b", "/a%b");
    /* "%252e%252e" decodes to the text "%2e%2e", not to a parent reference */
    expect("/x/a%252e%252e", "/x/a%2e%2e");
    expect("/x/%252e%252e", "/x/%2e%2e");
    expect("/s/abc%3Fd", "/s/abc?d");
}

static void trailing_slash_kept(void **state)
{
    expect("/app/", "/app/");
    expect("/app", "/app");
    expect("/a/b/", "/a/b/");
    expect("/a/b/./", "/a/b/");
    expect("/a/b/../", "/a/");
    expect("/a/b/..", "/a");
    expect("/a//", "/a/");
    expect("/a/%2e/", "/a/");
}

static void double_slashes_collapsed(void **state)
{
    expect("//", "/");
    expect("///", "/");
    expect("//a", "/a");
    expect("//a///b", "/a/b");
    expect("/a//b/", "/a/b/");
    expect("/a//..//b", "/b");
}

static void not_a_path_refused(void **state)
{
    char out[16];
    assert_int_equal(http_path_normalize(NULL, out, sizeof out), -1);
    assert_int_equal(http_path_normalize("", out, sizeof out), -1);
    assert_int_equal(http_path_normalize("a/b", out, sizeof out), -1);
    assert_int_equal(http_path_normalize("*", out, sizeof out), -1);
    assert_int_equal(http_path_normalize("http://x/a", out, sizeof out), -1);
    assert_int_equal(http_path_normalize("%2fa", out, sizeof out), -1);
    assert_int_equal(http_path_normalize("/", out, 1), -1);
    assert_int_equal(http_path_normalize("/", out, 0), -1);
}

/* A small buffer is refused, never overrun; an exactly sufficient one works. */
static void output_buffer_bounds(void **state)
{
    char buf[64];
    memset(buf, 'Z', sizeof buf);
    assert_int_equal(http_path_normalize("/abcdef", buf, 5), -1);
    assert_int_equal(buf[5], 'Z');
    assert_int_equal(http_path_normalize("/abc", buf, 5), 0);
    assert_string_equal(buf, "/abc");
    assert_int_equal(http_path_normalize("/abc", buf, 4), -1);
    assert_int_equal(http_path_normalize("/abc/", buf, 5), -1); /* the trailing slash too */
    assert_int_equal(http_path_normalize("/abc/", buf, 6), 0);
    assert_string_equal(buf, "/abc/");
    memset(buf, 'Z', sizeof buf);
    assert_int_equal(http_path_normalize("/", buf, 2), 0);
    assert_string_equal(buf, "/");
    assert_int_equal(buf[2], 'Z');
}

static void long_paths(void **state)
{
    enum { LEN = 12000 };
    char *raw = malloc(LEN + 1);
    assert_non_null(raw);
    /* "/seg0/seg1/..." */
    size_t n = 0;
    for (int i = 0; n + 12 < LEN; i++)
        n += (size_t)snprintf(raw + n, LEN + 1 - n, "/seg%d", i);
    char *out = norm(raw);
    assert_non_null(out);
    assert_string_equal(out, raw);
    free(out);

    /* One long segment of escapes: decoded to a third of its length. */
    n = 0;
    raw[n++] = '/';
    while (n + 3 < LEN) {
        memcpy(raw + n, "%41", 3);
        n += 3;
    }
    raw[n] = '\0';
    out = norm(raw);
    assert_non_null(out);
    assert_int_equal(strlen(out), 1 + (n - 1) / 3);
    assert_true(strspn(out + 1, "A") == strlen(out) - 1);
    free(out);

    /* Thousands of segments climbed back down to the root. */
    n = 0;
    for (int i = 0; n + 8 < LEN / 3; i++)
        n += (size_t)snprintf(raw + n, LEN + 1 - n, "/d%d", i % 10);
    int depth = 0;
    for (size_t k = 0; k < n; k++)
        depth += raw[k] == '/';
    assert_true(n + 3 * (size_t)depth + 4 <= LEN);
    for (int i = 0; i < depth; i++) {
        memcpy(raw + n, "/..", 3);
        n += 3;
    }
    raw[n] = '\0';
    out = norm(raw);
    assert_non_null(out);
    assert_string_equal(out, "/");
    free(out);
    memcpy(raw + n, "/..", 4); /* one more climbs out */
    refused(raw);
    free(raw);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_paths_unchanged),
        cmocka_unit_test(dot_segments_removed),
        cmocka_unit_test(encoded_dots_are_dot_segments),
        cmocka_unit_test(climbing_above_root_refused),
        cmocka_unit_test(encoded_slash_refused),
        cmocka_unit_test(nul_and_control_refused),
        cmocka_unit_test(malformed_escapes_refused),
        cmocka_unit_test(decoded_exactly_once),
        cmocka_unit_test(trailing_slash_kept),
        cmocka_unit_test(double_slashes_collapsed),
        cmocka_unit_test(not_a_path_refused),
        cmocka_unit_test(output_buffer_bounds),
        cmocka_unit_test(long_paths),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
