/* test_kb_diff.c - kb_diff, the line diff behind GET /api/v1/kb/articles/{id}/diff:
 * every script rebuilds both texts, is the shortest one while the texts are close, and
 * past KB_DIFF_MAX_EDITS falls back to "remove the middle, add the new one" without
 * crashing. Lines point into the inputs and carry no newline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"

/* ---- helpers ------------------------------------------------------------------------- */

/* The lines of s the way kb_diff counts them: split on '\n', a final newline does not
 * make an empty last line, "" has none. Returns the count; lines[i] point into s. */
static size_t lines_of(const char *s, const char **starts, size_t *lens, size_t max)
{
    size_t n = 0;
    const char *p = s;
    if (!*s)
        return 0;
    for (;;) {
        const char *e = strchr(p, '\n');
        assert_true(n < max);
        starts[n] = p;
        lens[n] = e ? (size_t)(e - p) : strlen(p);
        n++;
        if (!e || !e[1])
            break;
        p = e + 1;
    }
    return n;
}

/* Diffs a and b and checks what holds for every answer: each line points into the
 * text it comes from ('-' and '=' into a, '+' into b), has no '\n', and the '='+'-'
 * lines rebuild a, the '='+'+' lines rebuild b. Returns the script (caller frees). */
static struct diff_line *diff_checked(const char *a, const char *b, size_t *n)
{
    *n = (size_t)-1;
    struct diff_line *d = kb_diff(a, b, n);
    assert_non_null(d);
    assert_true(*n != (size_t)-1);
    size_t la = strlen(a), lb = strlen(b);
    size_t cap = 16;
    for (const char *p = a; *p; p++)
        cap += *p == '\n';
    for (const char *p = b; *p; p++)
        cap += *p == '\n';
    const char **sa = malloc(cap * sizeof *sa), **sb = malloc(cap * sizeof *sb);
    size_t *za = malloc(cap * sizeof *za), *zb = malloc(cap * sizeof *zb);
    assert_true(sa && sb && za && zb);
    size_t na = lines_of(a, sa, za, cap), nb = lines_of(b, sb, zb, cap);
    size_t ia = 0, ib = 0;
    for (size_t i = 0; i < *n; i++) {
        const struct diff_line *l = &d[i];
        assert_true(l->op == '=' || l->op == '-' || l->op == '+');
        assert_null(memchr(l->text, '\n', l->len));
        if (l->op != '+') { /* from a */
            assert_true(l->text >= a && l->text + l->len <= a + la);
            assert_true(ia < na);
            assert_int_equal(l->len, za[ia]);
            assert_memory_equal(l->text, sa[ia], l->len);
            ia++;
        }
        if (l->op != '-') {
            /* '=' lines point into a (checked above); '+' into b */
            if (l->op == '+')
                assert_true(l->text >= b && l->text + l->len <= b + lb);
            assert_true(ib < nb);
            assert_int_equal(l->len, zb[ib]);
            assert_memory_equal(l->text, sb[ib], l->len);
            ib++;
        }
    }
    assert_int_equal(ia, na);
    assert_int_equal(ib, nb);
    free(sa);
    free(sb);
    free(za);
    free(zb);
    return d;
}

/* The script as text: one "op text" per line joined by '|', e.g. "=a|-b|+c". */
static char *script(const char *a, const char *b)
{
    size_t n;
    struct diff_line *d = diff_checked(a, b, &n);
    size_t size = 1;
    for (size_t i = 0; i < n; i++)
        size += d[i].len + 2;
    char *out = malloc(size), *o = out;
    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            *o++ = '|';
        *o++ = d[i].op;
        memcpy(o, d[i].text, d[i].len);
        o += d[i].len;
    }
    *o = '\0';
    free(d);
    return out;
}

#define assert_script(a, b, expected)                                                              \
    do {                                                                                           \
        char *s_ = script((a), (b));                                                               \
        assert_string_equal(s_, (expected));                                                       \
        free(s_);                                                                                  \
    } while (0)

static size_t count_op(const struct diff_line *d, size_t n, char op)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += d[i].op == op;
    return c;
}

/* n lines "<prefix><i>\n" in a heap string. */
static char *numbered(const char *prefix, size_t from, size_t n)
{
    char *s = malloc(n * (strlen(prefix) + 24) + 1), *o = s;
    assert_non_null(s);
    *o = '\0';
    for (size_t i = 0; i < n; i++)
        o += sprintf(o, "%s%zu\n", prefix, from + i);
    return s;
}

/* ---- cases --------------------------------------------------------------------------- */

static void identical(void **state)
{
    assert_script("a\nb\nc\n", "a\nb\nc\n", "=a|=b|=c");
    assert_script("one line", "one line", "=one line");
    char *big = numbered("line ", 0, 20000);
    size_t n;
    struct diff_line *d = diff_checked(big, big, &n);
    assert_int_equal(n, 20000);
    assert_int_equal(count_op(d, n, '='), 20000);
    free(d);
    free(big);
}

static void all_added(void **state)
{
    assert_script("", "x\ny\n", "+x|+y");
    assert_script("", "x", "+x");
}

static void all_removed(void **state)
{
    assert_script("x\ny", "", "-x|-y");
    assert_script("x\ny\n", "", "-x|-y");
}

static void middle_change(void **state)
{
    assert_script("a\nb\nc\nd\ne\n", "a\nb\nX\nd\ne\n", "=a|=b|-c|+X|=d|=e");
    assert_script("a\nb\nc\nd\ne\n", "a\nb\nd\ne\n", "=a|=b|-c|=d|=e");
    assert_script("a\nb\nd\ne\n", "a\nb\nc\nd\ne\n", "=a|=b|+c|=d|=e");
    /* a change at either end */
    assert_script("a\nb\nc", "A\nb\nc", "-a|+A|=b|=c");
    assert_script("a\nb\nc", "a\nb\nC", "=a|=b|-c|+C");
    /* a change inside a long article stays one line, whatever surrounds it */
    char *a = numbered("p", 0, 5000), *b = numbered("p", 0, 5000);
    char *mid = strstr(b, "\np2500\n");
    assert_non_null(mid);
    mid[1] = 'q';
    size_t n;
    struct diff_line *d = diff_checked(a, b, &n);
    assert_int_equal(n, 5001);
    assert_int_equal(count_op(d, n, '-'), 1);
    assert_int_equal(count_op(d, n, '+'), 1);
    assert_int_equal(d[2500].op, '-');
    assert_int_equal(d[2501].op, '+');
    free(d);
    free(a);
    free(b);
}

static void moved_and_repeated_lines(void **state)
{
    /* shortest scripts: one line moved costs one removal and one addition */
    size_t n;
    struct diff_line *d = diff_checked("a\nb\nc\nd\n", "b\nc\nd\na\n", &n);
    assert_int_equal(count_op(d, n, '-') + count_op(d, n, '+'), 2);
    free(d);
    d = diff_checked("x\nx\nx\n", "x\nx\n", &n);
    assert_int_equal(count_op(d, n, '-'), 1);
    assert_int_equal(count_op(d, n, '='), 2);
    free(d);
    d = diff_checked("a\nb\na\nb\na\n", "b\na\nb\na\nb\n", &n);
    assert_int_equal(count_op(d, n, '-') + count_op(d, n, '+'), 2);
    free(d);
}

static void trailing_newline_handling(void **state)
{
    /* A final newline does not make an empty line: adding or dropping it is no change. */
    assert_script("a\nb", "a\nb\n", "=a|=b");
    assert_script("a\nb\n", "a\nb", "=a|=b");
    /* A blank line at the end is a line. */
    assert_script("a\nb\n\n", "a\nb\n", "=a|=b|-");
    assert_script("a\nb", "a\nb\n\n", "=a|=b|+");
    assert_script("\n", "", "-");
    assert_script("", "\n", "+");
    assert_script("\n\n\n", "\n\n", "=|=|-");
    assert_script("a\n\nb", "a\nb", "=a|-|=b");
}

static void crlf_lines_keep_their_carriage_return(void **state)
{
    /* The diff is byte-exact: "\r" stays part of the line (only '\n' splits). */
    assert_script("a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\n", "=a\r|-b\r|+B\r|=c\r");
    size_t n;
    struct diff_line *d = diff_checked("a\r\nb\r\n", "a\r\nb\r\n", &n);
    assert_int_equal(n, 2);
    assert_int_equal(d[0].len, 2);
    assert_memory_equal(d[0].text, "a\r", 2);
    free(d);
    /* Converting line ends is a change of every line, not silently equal. */
    assert_script("a\r\nb\r\n", "a\nb\n", "-a\r|-b\r|+a|+b");
    /* A lone CR is not a line break. */
    assert_script("a\rb\n", "a\rb\n", "=a\rb");
}

static void empty_strings(void **state)
{
    size_t n = 12345;
    struct diff_line *d = kb_diff("", "", &n);
    assert_non_null(d); /* NULL means out of memory, not "no lines" */
    assert_int_equal(n, 0);
    free(d);
    assert_script("", "", "");
    assert_script("", "a", "+a");
    assert_script("a", "", "-a");
}

/* Far apart texts: past KB_DIFF_MAX_EDITS the middle is reported removed then added;
 * the common head and tail are still found, and the script still rebuilds both. */
static void beyond_max_edits_falls_back(void **state)
{
    size_t lines = KB_DIFF_MAX_EDITS + 1000;
    char *mid_a = numbered("old ", 0, lines), *mid_b = numbered("new ", 0, lines);
    size_t sa = strlen(mid_a) + 64, sb = strlen(mid_b) + 64;
    char *a = malloc(sa), *b = malloc(sb);
    snprintf(a, sa, "head\n%stail\n", mid_a);
    snprintf(b, sb, "head\n%stail\n", mid_b);
    size_t n;
    struct diff_line *d = diff_checked(a, b, &n);
    assert_int_equal(n, 2 * lines + 2);
    assert_int_equal(d[0].op, '=');
    assert_int_equal(d[n - 1].op, '=');
    for (size_t i = 1; i <= lines; i++)
        assert_int_equal(d[i].op, '-');
    for (size_t i = lines + 1; i <= 2 * lines; i++)
        assert_int_equal(d[i].op, '+');
    free(d);

    /* Interleaved: every other line changed, so the edit count passes the limit while
     * many lines still match; the answer need not be minimal but must be a script. */
    char *c = numbered("x", 0, 3 * KB_DIFF_MAX_EDITS), *e = strdup(c);
    for (char *p = e; (p = strchr(p, 'x')); p++)
        if ((p - e) % 4 == 0)
            *p = 'y';
    d = diff_checked(c, e, &n);
    assert_true(count_op(d, n, '-') > 0);
    free(d);

    /* Completely unrelated big texts (the cap is 256 KiB: up to ~130k short lines). */
    char *big_a = numbered("a", 0, 60000), *big_b = numbered("b", 0, 60000);
    d = diff_checked(big_a, big_b, &n);
    assert_int_equal(n, 120000);
    assert_int_equal(count_op(d, n, '-'), 60000);
    free(d);
    free(big_a);
    free(big_b);
    free(c);
    free(e);
    free(a);
    free(b);
    free(mid_a);
    free(mid_b);
}

/* Just inside the limit Myers still finds the shortest script. */
static void at_max_edits_is_still_minimal(void **state)
{
    size_t half = KB_DIFF_MAX_EDITS / 2;
    char *x = numbered("x", 0, half), *y = numbered("y", 0, half);
    size_t size = strlen(x) + strlen(y) + 64;
    char *a = malloc(size), *b = malloc(size);
    snprintf(a, size, "same\n%skeep\n", x);
    snprintf(b, size, "same\n%skeep\n", y);
    size_t n;
    struct diff_line *d = diff_checked(a, b, &n);
    assert_int_equal(count_op(d, n, '-'), half);
    assert_int_equal(count_op(d, n, '+'), half);
    assert_int_equal(count_op(d, n, '='), 2);
    free(d);
    /* many matches among many edits */
    char *c = numbered("k", 0, 1500), *e = numbered("k", 0, 1500);
    for (char *p = e; (p = strchr(p, 'k')); p++)
        if ((p - e) % 3 == 0)
            *p = 'z';
    d = diff_checked(c, e, &n);
    size_t changed = count_op(d, n, '+');
    assert_int_equal(count_op(d, n, '-'), changed);
    assert_int_equal(count_op(d, n, '=') + changed, 1500);
    free(d);
    free(c);
    free(e);
    free(x);
    free(y);
    free(a);
    free(b);
}

/* Random small texts over a 3-line alphabet: the script rebuilds both and its length
 * is N + M - 2 * LCS (the shortest possible). */
static size_t lcs(const char *a, size_t na, const char *b, size_t nb)
{
    size_t t[41][41] = {{0}};
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++)
            t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1
                      : t[i - 1][j] > t[i][j - 1] ? t[i - 1][j] : t[i][j - 1];
    return t[na][nb];
}

static void random_scripts_are_minimal(void **state)
{
    unsigned seed = 12345;
    for (int round = 0; round < 3000; round++) {
        char la[41], lb[41];
        seed = seed * 1103515245u + 12345u;
        size_t na = (seed >> 16) % 41;
        seed = seed * 1103515245u + 12345u;
        size_t nb = (seed >> 16) % 41;
        for (size_t i = 0; i < na; i++) {
            seed = seed * 1103515245u + 12345u;
            la[i] = (char)('a' + (seed >> 16) % 3);
        }
        for (size_t i = 0; i < nb; i++) {
            seed = seed * 1103515245u + 12345u;
            lb[i] = (char)('a' + (seed >> 16) % 3);
        }
        char a[90] = "", b[90] = "";
        for (size_t i = 0; i < na; i++)
            a[2 * i] = la[i], a[2 * i + 1] = '\n', a[2 * i + 2] = '\0';
        for (size_t i = 0; i < nb; i++)
            b[2 * i] = lb[i], b[2 * i + 1] = '\n', b[2 * i + 2] = '\0';
        size_t n;
        struct diff_line *d = diff_checked(a, b, &n);
        size_t edits = count_op(d, n, '-') + count_op(d, n, '+');
        if (edits != na + nb - 2 * lcs(la, na, lb, nb))
            fail_msg("round %d: %zu edits for \"%s\" -> \"%s\", shortest is %zu", round, edits, a, b,
                     na + nb - 2 * lcs(la, na, lb, nb));
        free(d);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identical),
        cmocka_unit_test(all_added),
        cmocka_unit_test(all_removed),
        cmocka_unit_test(middle_change),
        cmocka_unit_test(moved_and_repeated_lines),
        cmocka_unit_test(trailing_newline_handling),
        cmocka_unit_test(crlf_lines_keep_their_carriage_return),
        cmocka_unit_test(empty_strings),
        cmocka_unit_test(beyond_max_edits_falls_back),
        cmocka_unit_test(at_max_edits_is_still_minimal),
        cmocka_unit_test(random_scripts_are_minimal),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
