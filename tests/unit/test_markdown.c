/* test_markdown.c - markdown_render: cmark's safe mode, the input cap and UTF-8 checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>

#include "markdown.h"

/* Renders a NUL-terminated source; fails the test unless it renders. Caller frees. */
static char *render_ok(const char *src)
{
    enum markdown_status st = MARKDOWN_NOMEM;
    char *html = markdown_render(src, strlen(src), &st);
    if (!html || st != MARKDOWN_OK)
        fail_msg("rendering \"%s\" failed with status %d", src, (int)st);
    return html;
}

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return false;
}

/* Returns the first href= or src= value whose scheme a browser would run or open
 * locally (javascript:, vbscript:, file:, data: other than images), else NULL. The
 * link's visible text may say anything: it is escaped text. */
static const char *dangerous_attr(const char *html)
{
    static const char *attrs[] = {"href=\"", "src=\""};
    static const char *schemes[] = {"javascript:", "vbscript:", "file:", "data:text"};
    for (size_t a = 0; a < 2; a++)
        for (const char *p = strstr(html, attrs[a]); p; p = strstr(p + 1, attrs[a])) {
            const char *v = p + strlen(attrs[a]);
            while (*v == ' ' || (*v > 0 && *v < 0x20))
                v++;
            for (size_t k = 0; k < sizeof schemes / sizeof schemes[0]; k++)
                if (strncasecmp(v, schemes[k], strlen(schemes[k])) == 0)
                    return schemes[k];
        }
    return NULL;
}

static void expect_contains(const char *src, const char *want)
{
    char *html = render_ok(src);
    if (!strstr(html, want)) {
        char msg[1024];
        snprintf(msg, sizeof msg, "\"%s\" rendered as \"%s\", which lacks \"%s\"", src, html, want);
        free(html);
        fail_msg("%s", msg);
    }
    free(html);
}

static void expect_lacks(const char *src, const char *bad)
{
    char *html = render_ok(src);
    if (contains_nocase(html, bad)) {
        char msg[1024];
        snprintf(msg, sizeof msg, "\"%s\" rendered as \"%s\", which contains \"%s\"", src, html,
                 bad);
        free(html);
        fail_msg("%s", msg);
    }
    free(html);
}

static void renders_basic_markdown(void **state)
{
    expect_contains("# Title", "<h1>Title</h1>");
    expect_contains("**bold** and _em_", "<strong>bold</strong> and <em>em</em>");
    expect_contains("- one\n- two\n", "<li>one</li>");
    expect_contains("`code <b>`", "<code>code &lt;b&gt;</code>");
    expect_contains("a < b & c > d", "a &lt; b &amp; c &gt; d");
    expect_contains("[site](https://example.com/x?a=1&b=2)",
                    "<a href=\"https://example.com/x?a=1&amp;b=2\">site</a>");
    char *empty = render_ok("");
    assert_string_equal(empty, "");
    free(empty);
    enum markdown_status st;
    char *html = markdown_render("plain", 5, NULL); /* status is optional */
    assert_non_null(html);
    free(html);
    html = markdown_render("abcdef", 3, &st); /* len, not strlen, bounds the input */
    assert_int_equal(st, MARKDOWN_OK);
    assert_string_equal(html, "<p>abc</p>\n");
    free(html);
}

static void script_tags_dropped(void **state)
{
    expect_lacks("<script>alert(1)</script>", "<script");
    expect_lacks("text <script>alert(1)</script> more", "<script");
    expect_lacks("<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "<script");
    expect_lacks("<scr<script>ipt>alert(1)</script>", "<script");
    expect_lacks("> <script>alert(1)</script>", "<script");
    expect_lacks("- <script>alert(1)</script>", "<script");
    /* As text it is escaped, so the reader still sees what was written. */
    expect_contains("`<script>`", "&lt;script&gt;");
}

static void raw_html_omitted(void **state)
{
    expect_lacks("<img src=x onerror=alert(1)>", "<img");
    expect_lacks("<img src=x onerror=alert(1)>", "onerror");
    expect_lacks("hi <a href=\"javascript:alert(1)\">x</a>", "<a ");
    expect_lacks("<iframe src=\"https://evil.example\"></iframe>", "<iframe");
    expect_lacks("<div onclick=\"alert(1)\">x</div>", "onclick");
    expect_lacks("<style>body{display:none}</style>", "<style");
    expect_lacks("<svg><script>alert(1)</script></svg>", "<svg");
    expect_contains("<b>bold</b>", "raw HTML omitted");
}

static void dangerous_links_emptied(void **state)
{
    static const char *srcs[] = {
        "[x](javascript:alert(1))",
        "[x](JavaScript:alert(1))",
        "[x](  javascript:alert(1)  )",
        "[x](<javascript:alert(1)>)",
        "<javascript:alert(1)>",
        "[x](&#106;avascript:alert(1))",
        "[x](java&#x73;cript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](file:///etc/passwd)",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![i](javascript:alert(1))",
        "[x][r]\n\n[r]: javascript:alert(1)\n",
    };
    for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
        char *html = render_ok(srcs[i]);
        const char *bad = dangerous_attr(html);
        if (bad) {
            char msg[1024];
            snprintf(msg, sizeof msg, "\"%s\" rendered as \"%s\" (%s)", srcs[i], html, bad);
            free(html);
            fail_msg("%s", msg);
        }
        if (!strstr(html, "href=\"\"") && !strstr(html, "src=\"\"")) {
            char msg[1024];
            snprintf(msg, sizeof msg, "\"%s\": link not emptied: \"%s\"", srcs[i], html);
            free(html);
            fail_msg("%s", msg);
        }
        free(html);
    }
    /* Ordinary schemes and relative links are kept. */
    expect_contains("[x](mailto:a@example.com)", "href=\"mailto:a@example.com\"");
    expect_contains("[x](/kb/articles/3)", "href=\"/kb/articles/3\"");
    expect_contains("[x](http://example.com/javascript:x)",
                    "href=\"http://example.com/javascript:x\"");
}

static void size_cap(void **state)
{
    size_t cap = MARKDOWN_MAX_INPUT;
    assert_int_equal(cap, 256 * 1024);
    char *src = malloc(cap + 2);
    assert_non_null(src);
    memset(src, 'a', cap + 1);
    src[cap + 1] = '\0';
    enum markdown_status st = MARKDOWN_NOMEM;
    char *html = markdown_render(src, cap, &st); /* exactly the cap: accepted */
    assert_int_equal(st, MARKDOWN_OK);
    assert_non_null(html);
    assert_int_equal(strlen(html), cap + strlen("<p></p>\n"));
    free(html);
    st = MARKDOWN_OK;
    html = markdown_render(src, cap + 1, &st);
    assert_null(html);
    assert_int_equal(st, MARKDOWN_TOO_LARGE);
    st = MARKDOWN_OK;
    html = markdown_render(src, (size_t)1 << 40, &st); /* never read: refused by size */
    assert_null(html);
    assert_int_equal(st, MARKDOWN_TOO_LARGE);
    free(src);
}


/* More than MARKDOWN_MAX_IMAGES "![" marks is refused as too complex (the quadratic
 * case needs image openers); a document with that many images still renders. */
static void image_marks_capped(void **state)
{
    size_t unit = strlen("![a](b) ");
    char *src = malloc(unit * (MARKDOWN_MAX_IMAGES + 1) + 1);
    assert_non_null(src);
    for (size_t i = 0; i <= MARKDOWN_MAX_IMAGES; i++)
        memcpy(src + i * unit, "![a](b) ", unit);
    enum markdown_status st = MARKDOWN_NOMEM;
    char *html = markdown_render(src, unit * MARKDOWN_MAX_IMAGES, &st);
    assert_int_equal(st, MARKDOWN_OK);
    assert_non_null(html);
    size_t imgs = 0;
    for (const char *p = html; (p = strstr(p, "<img src=\"b\"")); p++)
        imgs++;
    free(html);
    assert_int_equal(imgs, MARKDOWN_MAX_IMAGES);
    st = MARKDOWN_OK;
    html = markdown_render(src, unit * (MARKDOWN_MAX_IMAGES + 1), &st);
    assert_null(html);
    assert_int_equal(st, MARKDOWN_TOO_COMPLEX);
    /* Exclamation marks and links on their own are not images. */
    for (size_t i = 0; i <= MARKDOWN_MAX_IMAGES; i++)
        memcpy(src + i * unit, "! [a](b)", unit);
    html = markdown_render(src, unit * (MARKDOWN_MAX_IMAGES + 1), &st);
    assert_int_equal(st, MARKDOWN_OK);
    free(html);
    free(src);
}

static void invalid_utf8_refused(void **state)
{
    static const struct {
        const char *bytes;
        size_t len;
    } bad[] = {
        {"\xff", 1},
        {"abc\xfe", 4},
        {"\xc3", 1},                 /* truncated two-byte sequence */
        {"\xe2\x82", 2},             /* truncated three-byte sequence */
        {"\xf0\x9f\x98", 3},         /* truncated emoji */
        {"\x80", 1},                 /* stray continuation byte */
        {"\xc0\xaf", 2},             /* overlong "/" */
        {"\xe0\x80\xaf", 3},         /* overlong "/" */
        {"\xf0\x80\x80\xaf", 4},     /* overlong "/" */
        {"\xed\xa0\x80", 3},         /* UTF-16 surrogate */
        {"\xf4\x90\x80\x80", 4},     /* above U+10FFFF */
        {"\xf8\x88\x80\x80\x80", 5}, /* five-byte form */
        {"ok\0no", 5},               /* NUL inside */
        {"\xc3(", 2},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum markdown_status st = MARKDOWN_OK;
        char *html = markdown_render(bad[i].bytes, bad[i].len, &st);
        if (html || st != MARKDOWN_BAD_UTF8) {
            free(html);
            fail_msg("case %zu was not refused as bad UTF-8 (status %d)", i, (int)st);
        }
    }
}

static void unicode_passes_through(void **state)
{
    expect_contains("Привет, мир! Ёлка", "<p>Привет, мир! Ёлка</p>");
    expect_contains("smile 😀 and 👍🏽 and 👨‍👩‍👧",
                    "smile 😀 and 👍🏽 and 👨‍👩‍👧");
    expect_contains("# Заголовок", "<h1>Заголовок</h1>");
    expect_contains("中文 日本語 한국어", "中文 日本語 한국어");
    expect_contains("edge \xf4\x8f\xbf\xbf \xef\xbf\xbd \xc2\x80",
                    "edge \xf4\x8f\xbf\xbf"); /* U+10FFFF */
    expect_contains("[ссылка](https://example.com/путь)", ">ссылка</a>");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(renders_basic_markdown),
        cmocka_unit_test(script_tags_dropped),
        cmocka_unit_test(raw_html_omitted),
        cmocka_unit_test(dangerous_links_emptied),
        cmocka_unit_test(size_cap),
        cmocka_unit_test(image_marks_capped),
        cmocka_unit_test(invalid_utf8_refused),
        cmocka_unit_test(unicode_passes_through),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
