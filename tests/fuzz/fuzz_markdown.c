/* fuzz_markdown.c - markdown_render on arbitrary input up to 300 KiB: the status agrees
 * with an independent UTF-8 check, the size cap and the image-mark cap, and the HTML
 * has only the tags cmark's safe renderer makes, never a script,
 * an event handler or a javascript:/vbscript:/file:/data:text URL. Runs on a worker-sized
 * stack (worker_stack.h), as markdown_render does in production. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "markdown.h"
#include "worker_stack.h"

static const char *input_desc;

static void fail(const char *what, const char *html, size_t at)
{
    fprintf(stderr, "fuzz_markdown: %s at offset %zu (%s)\n%.300s\n", what, at, input_desc,
            html ? html + (at > 100 ? at - 100 : 0) : "");
    abort();
}

/* Strict UTF-8 without NUL: what markdown_render promises to accept. */
static bool utf8_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], len, cp;
        if (c == 0)
            return false;
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
            return false;
        if (i + len > n)
            return false;
        for (unsigned k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

static bool in_list(const char *s, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == n && strncmp(s, *list, n) == 0)
            return true;
    return false;
}

/* Every tag in the output is one cmark's safe renderer makes, with its attributes. */
static void check_html(const char *html)
{
    static const char *const tags[] = {"p",  "h1",  "h2",         "h3",     "h4",   "h5",  "h6",
                                       "a",  "img", "em",         "strong", "code", "pre", "ul",
                                       "ol", "li",  "blockquote", "hr",     "br",   NULL};
    static const char *const attrs[] = {"href", "src", "alt", "title", "start", "class", NULL};
    static const char *const bad_schemes[] = {"javascript:", "vbscript:", "file:", "data:text",
                                              NULL};
    static const char omitted[] = "<!-- raw HTML omitted -->";
    for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
        size_t at = (size_t)(p - html);
        if (strncasecmp(p, "<script", 7) == 0)
            fail("<script in output", html, at);
        if (strncmp(p, omitted, sizeof omitted - 1) == 0)
            continue;
        const char *q = p + 1;
        if (*q == '/')
            q++;
        const char *name = q;
        while ((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9'))
            q++;
        if (!in_list(name, (size_t)(q - name), tags))
            fail("unexpected tag", html, at);
        for (;;) {
            while (*q == ' ')
                q++;
            if (*q == '>' || (q[0] == '/' && q[1] == '>'))
                break;
            const char *an = q;
            while ((*q >= 'a' && *q <= 'z') || *q == '-')
                q++;
            if (!in_list(an, (size_t)(q - an), attrs))
                fail("unexpected attribute", html, (size_t)(an - html));
            if (*q != '=' || q[1] != '"')
                fail("attribute without a quoted value", html, (size_t)(q - html));
            const char *v = q + 2, *end = strchr(v, '"');
            if (!end)
                fail("unterminated attribute", html, (size_t)(v - html));
            if (memchr(v, '<', (size_t)(end - v)) || memchr(v, '>', (size_t)(end - v)))
                fail("angle bracket inside an attribute", html, (size_t)(v - html));
            if ((size_t)(q - an) == 4 || (size_t)(q - an) == 3) { /* href, src */
                const char *s = v;
                while (s < end && (*s == ' ' || (*s > 0 && *s < 0x20)))
                    s++;
                for (const char *const *b = bad_schemes; *b; b++)
                    if (strncasecmp(s, *b, strlen(*b)) == 0 &&
                        (strncmp(an, "href", 4) == 0 || strncmp(an, "src", 3) == 0))
                        fail("dangerous URL", html, (size_t)(s - html));
            }
            q = end + 1;
        }
    }
}

static void render_and_check(const char *src, size_t len)
{
    enum markdown_status st = MARKDOWN_NOMEM;
    char *html = markdown_render(src, len, &st);
    if ((html != NULL) != (st == MARKDOWN_OK))
        fail("status and result disagree", NULL, 0);
    size_t images = 0; /* "![" marks: over MARKDOWN_MAX_IMAGES is too complex */
    for (size_t i = 0; i + 1 < len; i++)
        images += src[i] == '!' && src[i + 1] == '[';
    if (len > MARKDOWN_MAX_INPUT) {
        if (st != MARKDOWN_TOO_LARGE)
            fail("input over the cap was not refused as too large", NULL, len);
    } else if (!utf8_ok((const unsigned char *)src, len)) {
        if (st != MARKDOWN_BAD_UTF8)
            fail("invalid UTF-8 was not refused", NULL, 0);
    } else if (images > MARKDOWN_MAX_IMAGES) {
        if (st != MARKDOWN_TOO_COMPLEX)
            fail("too many image marks were not refused", NULL, images);
    } else if (st != MARKDOWN_OK) {
        fail("valid input was refused", NULL, (size_t)st);
    }
    if (html) {
        size_t n = strlen(html);
        if (!utf8_ok((const unsigned char *)html, n))
            fail("output is not valid UTF-8", html, 0);
        check_html(html);
    }
    free(html);
}

struct input {
    const char *src;
    size_t len;
};

static void render_on_worker(void *arg)
{
    const struct input *in = arg;
    render_and_check(in->src, in->len);
}

static void render_and_check_on_worker(const char *src, size_t len)
{
    struct input in = {src, len};
    worker_stack_run(render_on_worker, &in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* 0xff, k, unit...: unit repeated to (k + 1) * 1200 bytes (up to 300 KiB), so big
     * documents (and the cap) are reached without huge corpus files. */
    if (size >= 3 && data[0] == 0xff) {
        size_t want = ((size_t)data[1] + 1) * 1200, ul = size - 2;
        char *big = malloc(want);
        if (!big)
            return 0;
        for (size_t o = 0; o < want; o += ul)
            memcpy(big + o, data + 2, want - o < ul ? want - o : ul);
        input_desc = "repeated";
        render_and_check_on_worker(big, want);
        free(big);
        return 0;
    }
    /* Not NUL-terminated, exactly size bytes: ASan catches a read past the end. */
    char *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    input_desc = "as is";
    render_and_check_on_worker(copy, size);
    free(copy);
    return 0;
}
