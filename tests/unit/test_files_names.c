/* test_files_names.c - upload names and types: files_clean_name, files_disposition
 * (RFC 6266 / RFC 5987), files_blob_path, files_upload_type, files_download_headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "files.h"

/* An independent strict UTF-8 check (RFC 3629). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], len, cp;
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

static void clean_expect(const char *in, const char *want)
{
    char out[256];
    memset(out, 'Z', sizeof out);
    if (files_clean_name(in, out, sizeof out) < 0)
        fail_msg("\"%s\" was refused, expected \"%s\"", in, want);
    if (strcmp(out, want) != 0)
        fail_msg("\"%s\" -> \"%s\", expected \"%s\"", in, out, want);
}

static void clean_refused(const char *in)
{
    char out[256];
    if (files_clean_name(in, out, sizeof out) == 0)
        fail_msg("\"%s\" was accepted as \"%s\"", in ? in : "(null)", out);
}

static void clean_keeps_ordinary_names(void **state)
{
    clean_expect("report.pdf", "report.pdf");
    clean_expect("Q3 results (final) v2.xlsx", "Q3 results (final) v2.xlsx");
    clean_expect(".profile", ".profile");
    clean_expect("a..b.txt", "a..b.txt");
    clean_expect("it's; 100% & more.txt", "it's; 100% & more.txt");
}

static void clean_strips_paths(void **state)
{
    clean_expect("/etc/passwd", "passwd");
    clean_expect("../../etc/passwd", "passwd");
    clean_expect("C:\\Users\\ann\\Desktop\\plan.docx", "plan.docx");
    clean_expect("a/b\\c/d.txt", "d.txt");
    clean_expect("..\\..\\boot.ini", "boot.ini");
}

static void clean_strips_control_chars_and_quotes(void **state)
{
    clean_expect("a\tb\r\nc.txt", "abc.txt");
    clean_expect("\x01\x02name\x7f.txt", "name.txt");
    clean_expect("say \"hi\".txt", "say hi.txt");
    clean_expect("x\x1b[31mred.txt", "x[31mred.txt");
}

/* Invisible characters that change how a name reads go: a right-to-left override
 * makes "reportfdp.exe" look like "reportexe.pdf"; C1 controls, zero-width characters
 * and the byte order mark are dropped as well. */
static void clean_strips_bidi_and_invisible(void **state)
{
    clean_expect("report\xe2\x80\xae"
                 "fdp.exe",
                 "reportfdp.exe"); /* U+202E */
    clean_expect("a\xe2\x80\x8f"
                 "b\xe2\x81\xa6"
                 "c\xe2\x81\xa9.txt",
                 "abc.txt");                              /* RLM, LRI, PDI */
    clean_expect("\xc2\x85next\xc2\x9f.txt", "next.txt"); /* C1 */
    clean_expect("\xef\xbb\xbf"
                 "bom\xe2\x80\x8b.txt",
                 "bom.txt");                    /* BOM, ZWSP */
    clean_expect("\xd8\x9cعقد.pdf", "عقد.pdf"); /* ALM */
    clean_refused("\xe2\x80\xae\xe2\x80\xae");
}

/* Trailing dots and spaces are stripped (Windows drops them anyway). */
static void clean_trims_trailing_dots_and_spaces(void **state)
{
    clean_expect("notes.txt. . ", "notes.txt");
    clean_expect("name...", "name");
}

static void clean_refuses_empty_and_dots(void **state)
{
    clean_refused(NULL);
    clean_refused("");
    clean_refused(".");
    clean_refused("..");
    clean_refused("...");
    clean_refused(" ");
    clean_refused("dir/");
    clean_refused("a/..");
    clean_refused("a\\.");
    clean_refused("\r\n\t");
    clean_refused("\"\"");
    char out[8];
    assert_int_equal(files_clean_name("a.txt", out, 1), -1); /* no room */
}

/* Non-ASCII names survive whole: a name is not cut short unless it is longer than 255
 * bytes. */
static void clean_keeps_utf8(void **state)
{
    clean_expect("Отчёт за май.pdf", "Отчёт за май.pdf");
    clean_expect("résumé", "résumé");
    clean_expect("Отчёт", "Отчёт");
    clean_expect("📎", "📎");
    clean_expect("日本語のファイル", "日本語のファイル");
    clean_expect("naïve café", "naïve café");
}

/* Over 255 bytes: cut at a character boundary, never inside a UTF-8 sequence, and the
 * result is at most 255 bytes. */
static void clean_truncates_at_255_bytes_on_a_boundary(void **state)
{
    char in[2048], out[512];
    for (int prefix = 0; prefix < 4; prefix++) {
        /* ASCII prefix of 0..3 bytes shifts where the 255-byte cut lands in the text. */
        size_t n = 0;
        for (int k = 0; k < prefix; k++)
            in[n++] = 'x';
        while (n < 1000) {
            memcpy(in + n, "ж😀", 6); /* 2-byte + 4-byte characters */
            n += 6;
        }
        in[n] = '\0';
        assert_int_equal(files_clean_name(in, out, sizeof out), 0);
        size_t len = strlen(out);
        assert_true(len <= 255);
        assert_true(len >= 255 - 3); /* at most one 4-byte character dropped */
        assert_true(utf8_valid((unsigned char *)out, len));
        assert_memory_equal(out, in, len); /* a prefix of the original */
    }
    memset(in, 'a', 300);
    in[300] = '\0';
    assert_int_equal(files_clean_name(in, out, sizeof out), 0);
    assert_int_equal(strlen(out), 255);
    /* A smaller output buffer is honoured the same way. */
    assert_int_equal(files_clean_name("Привет.txt", out, 8), 0);
    assert_string_equal(out, "При");
}

/* "At most 255 bytes of valid UTF-8": the name is stored in a utf8mb4 column and sent
 * in headers, so invalid bytes must not survive. */
static void clean_output_is_valid_utf8(void **state)
{
    static const char *inputs[] = {
        "bad\xff.txt",      "half\xc3.txt",     "\xed\xa0\x80surrogate.txt",
        "over\xc0\xaf.txt", "\x80\x80lead.txt",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char out[256];
        if (files_clean_name(inputs[i], out, sizeof out) == 0 &&
            !utf8_valid((unsigned char *)out, strlen(out)))
            fail_msg("input %zu kept invalid UTF-8", i);
    }
}

static void disposition(const char *name, const char *want)
{
    char out[1200];
    files_disposition("attachment", name, out, sizeof out);
    if (strcmp(out, want) != 0)
        fail_msg("name \"%s\":\n got  %s\n want %s", name, out, want);
}

static void disposition_ascii(void **state)
{
    disposition("report.pdf", "Content-Disposition: attachment; filename=\"report.pdf\"; "
                              "filename*=UTF-8''report.pdf\r\n");
    /* attr-chars stay, everything else is %XX in filename*; the quoted fallback has no
     * quote, backslash or percent. */
    disposition("a b;c\"d\\e%f.txt",
                "Content-Disposition: attachment; filename=\"a b;c_d_e_f.txt\"; "
                "filename*=UTF-8''a%20b%3Bc%22d%5Ce%25f.txt\r\n");
    disposition("!#$&+-.^_`|~", "Content-Disposition: attachment; filename=\"!#$&+-.^_`|~\"; "
                                "filename*=UTF-8''!#$&+-.^_`|~\r\n");
    disposition("(1)'x'*,=@[]{}", "Content-Disposition: attachment; filename=\"(1)'x'*,=@[]{}\"; "
                                  "filename*=UTF-8''%281%29%27x%27%2A%2C%3D%40%5B%5D%7B%7D\r\n");
}

static void disposition_utf8(void **state)
{
    disposition("Отчёт.pdf", "Content-Disposition: attachment; filename=\"__________.pdf\"; "
                             "filename*=UTF-8''%D0%9E%D1%82%D1%87%D1%91%D1%82.pdf\r\n");
    disposition("€ rates.txt", "Content-Disposition: attachment; filename=\"___ rates.txt\"; "
                               "filename*=UTF-8''%E2%82%AC%20rates.txt\r\n");
    disposition("😀", "Content-Disposition: attachment; filename=\"____\"; "
                     "filename*=UTF-8''%F0%9F%98%80\r\n");
}

/* Whatever the name, exactly one header line comes out: no CR/LF injection, and the
 * fallback parameter stays inside its quotes. */
static void disposition_cannot_inject(void **state)
{
    char out[1200];
    files_disposition("attachment", "x\r\nSet-Cookie: a=b\r\n\"; filename=\"evil.exe", out,
                      sizeof out);
    assert_string_equal(out, "Content-Disposition: attachment; "
                             "filename=\"x__Set-Cookie: a=b___; filename=_evil.exe\"; "
                             "filename*=UTF-8''x%0D%0ASet-Cookie%3A%20a%3Db%0D%0A%22%3B%20"
                             "filename%3D%22evil.exe\r\n");
    /* A 255-byte name of 4-byte characters fits a download's header buffer whole. */
    char name[256];
    size_t n = 0;
    while (n + 4 <= 255) {
        memcpy(name + n, "😀", 4);
        n += 4;
    }
    name[n] = '\0';
    files_disposition("attachment", name, out, sizeof out - 64); /* what files_send passes */
    size_t len = strlen(out);
    assert_true(len >= 2 && strcmp(out + len - 2, "\r\n") == 0);
    assert_ptr_equal(strchr(out, '\n'), out + len - 1);
    assert_non_null(strstr(out, "%F0%9F%98%80\r\n"));
    /* A short output buffer truncates, never overruns. */
    char small[40];
    memset(small, 'Z', sizeof small);
    files_disposition("attachment", "report.pdf", small, 20);
    assert_int_equal(strlen(small), 19);
    assert_int_equal(small[20], 'Z');
}

#define BYTES(s) s, sizeof s - 1
#define PNG      "\x89PNG\r\n\x1a\n\0\0\0\rIHDR"
#define GIF      "GIF89a\x01\0\x01\0<script>"
#define WEBP     "RIFF\x1a\0\0\0WEBPVP8L"
#define HTML     "<!doctype html><script>alert(1)</script>"

/* The allow-listed types are stored only when the name (or, without an extension,
 * the declared type) and the first bytes agree; other types are kept as declared. */
static void upload_type_by_name_and_bytes(void **state)
{
    static const struct {
        const char *name, *declared, *bytes;
        size_t n;
        const char *want;
    } cases[] = {
        {"a.png", "image/png", BYTES(PNG), "image/png"},
        {"a.PNG", "application/octet-stream", BYTES(PNG), "image/png"},
        {"a.png", NULL, BYTES(PNG), "image/png"},
        {"pasted", "image/png", BYTES(PNG), "image/png"},
        {"a.jpeg", "image/jpeg", BYTES("\xff\xd8\xff\xe0"), "image/jpeg"},
        {"a.jpg", "image/pjpeg", BYTES("\xff\xd8\xff\xe0"), "image/jpeg"},
        {"a.webp", "image/webp", BYTES(WEBP), "image/webp"},
        {"a.pdf", "application/pdf", BYTES("%PDF-1.7"), "application/pdf"},
        {"a.pdf", "text/plain", BYTES("%PDF-1.7"), "application/pdf"},
        {"a.txt", "text/plain; charset=koi8-r", BYTES("hello"), "text/plain"},
        {"poly.gif", "text/html", BYTES(GIF), "image/gif"},
        /* Claimed allow-listed types the name or the bytes contradict. */
        {"a.webp", "image/webp", BYTES("RIFF\x1a\0\0\0WAVEfmt "), "application/octet-stream"},
        {"poly.html", "image/gif", BYTES(GIF), "application/octet-stream"},
        {"fake.png", "image/png", BYTES(HTML), "application/octet-stream"},
        {"short.png", "image/png", BYTES("\x89PN"), "application/octet-stream"},
        {"empty.gif", "image/gif", BYTES(""), "application/octet-stream"},
        {"report.txt.pdf", "text/plain", BYTES("hello"), "application/octet-stream"},
        /* Anything else is kept as a description (cleaned); it is never what is served. */
        {"evil.html", "text/html; charset=utf-8", BYTES(HTML), "text/html"},
        {"evil.svg", "image/svg+xml", BYTES("<svg"), "image/svg+xml"},
        {"evil.js", "text/javascript", BYTES("alert(1)"), "text/javascript"},
        {"x.bin", "text/html\r\nX-Evil: 1", BYTES("x"), "application/octet-stream"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct files_blob b = {.head_len = cases[i].n < sizeof b.head ? cases[i].n : sizeof b.head};
        memcpy(b.head, cases[i].bytes, b.head_len);
        const char *got = files_upload_type(cases[i].name, cases[i].declared, &b);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("%s as %s: stored %s, want %s", cases[i].name,
                     cases[i].declared ? cases[i].declared : "(none)", got, cases[i].want);
    }
}

static void served(const char *name, const char *stored, const char *type, const char *disposition)
{
    struct files_headers h;
    files_download_headers(name, stored, &h);
    char want[1300];
    snprintf(want, sizeof want, "%s\r\nCache-Control: private, no-cache\r\n", disposition);
    if (strcmp(h.content_type, type) != 0 || strcmp(h.lines, want) != 0)
        fail_msg("%s stored as %s:\n got  %s | %s\n want %s | %s", name, stored ? stored : "(null)",
                 h.content_type, h.lines, type, want);
    assert_string_equal(h.csp, "sandbox");
}

/* Only the allow-list goes out typed; images alone inline; a name whose extension
 * does not fit the stored type (rows stored before the check) goes out as bytes. */
static void download_headers(void **state)
{
    served("a.png", "image/png", "image/png",
           "Content-Disposition: inline; filename=\"a.png\"; filename*=UTF-8''a.png");
    served("a.JPG", "IMAGE/JPEG", "image/jpeg",
           "Content-Disposition: inline; filename=\"a.JPG\"; filename*=UTF-8''a.JPG");
    served("pasted", "image/gif", "image/gif",
           "Content-Disposition: inline; filename=\"pasted\"; filename*=UTF-8''pasted");
    served("b.webp", "image/webp", "image/webp",
           "Content-Disposition: inline; filename=\"b.webp\"; filename*=UTF-8''b.webp");
    served("r.pdf", "application/pdf", "application/pdf",
           "Content-Disposition: attachment; filename=\"r.pdf\"; filename*=UTF-8''r.pdf");
    served("n.txt", "text/plain", "text/plain; charset=utf-8",
           "Content-Disposition: attachment; filename=\"n.txt\"; filename*=UTF-8''n.txt");
    static const char *const bad[][2] = {
        {"e.html", "text/html"},
        {"e.svg", "image/svg+xml"},
        {"e.js", "text/javascript"},
        {"e.xml", "application/xml"},
        {"e.png", NULL},
        {"e.png", ""},
        {"e.html", "image/gif"},
        {"e.gif.html", "image/gif"},
        {"e.txt", "text/plain; x"},
        {"e.xhtml", "application/xhtml+xml"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[600];
        snprintf(want, sizeof want,
                 "Content-Disposition: attachment; filename=\"%s\"; filename*=UTF-8''%s", bad[i][0],
                 bad[i][0]);
        served(bad[i][0], bad[i][1], "application/octet-stream", want);
    }
    /* The longest name (255 bytes of 4-byte characters) keeps both lines whole. */
    char name[256];
    size_t n = 0;
    while (n + 4 <= 255) {
        memcpy(name + n, "😀", 4);
        n += 4;
    }
    name[n] = '\0';
    struct files_headers h;
    files_download_headers(name, "application/pdf", &h);
    const char *cc = strstr(h.lines, "\r\nCache-Control: private, no-cache\r\n");
    assert_non_null(cc);
    assert_string_equal(cc + 2, "Cache-Control: private, no-cache\r\n");
    assert_ptr_equal(strchr(h.lines, '\n'), cc + 1);
    assert_non_null(strstr(h.lines, "%F0%9F%98%80\r\n"));
}

static void blob_path(void **state)
{
    char dir[] = "/tmp/portal-test-files-XXXXXX";
    assert_non_null(mkdtemp(dir));
    config.data_dir = dir;
    assert_int_equal(files_init(), 0);

    const char *hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    char out[1200], want[1200];
    assert_int_equal(files_blob_path(hex, out, sizeof out), 0);
    snprintf(want, sizeof want, "%s/files/01/23/%s", dir, hex);
    assert_string_equal(out, want);

    static const char *bad[] = {
        "",
        "0123",
        "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", /* upper case */
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
        "../../../../../../../../../../../../../../../../../../etc/passwd.",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
        "/123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (files_blob_path(bad[i], out, sizeof out) == 0)
            fail_msg("\"%s\" gave a path: %s", bad[i], out);
    /* Too small a buffer is an error, not a truncated path. */
    assert_int_equal(files_blob_path(hex, out, strlen(want)), -1);
    assert_int_equal(files_blob_path(hex, out, strlen(want) + 1), 0);

    char tmp[1300];
    snprintf(tmp, sizeof tmp, "%s/files/tmp", dir);
    assert_int_equal(access(tmp, W_OK), 0); /* files_init made the store */
    rmdir(tmp);
    snprintf(tmp, sizeof tmp, "%s/files", dir);
    rmdir(tmp);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_keeps_ordinary_names),
        cmocka_unit_test(clean_strips_paths),
        cmocka_unit_test(clean_strips_control_chars_and_quotes),
        cmocka_unit_test(clean_strips_bidi_and_invisible),
        cmocka_unit_test(clean_trims_trailing_dots_and_spaces),
        cmocka_unit_test(clean_refuses_empty_and_dots),
        cmocka_unit_test(clean_keeps_utf8),
        cmocka_unit_test(clean_truncates_at_255_bytes_on_a_boundary),
        cmocka_unit_test(clean_output_is_valid_utf8),
        cmocka_unit_test(disposition_ascii),
        cmocka_unit_test(disposition_utf8),
        cmocka_unit_test(disposition_cannot_inject),
        cmocka_unit_test(blob_path),
        cmocka_unit_test(upload_type_by_name_and_bytes),
        cmocka_unit_test(download_headers),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
