/* jsonw.c - append-only JSON writer whose bytes equal jansson's json_dumps(JSON_COMPACT).
 *
 * The big answers (a board of thousands of cards, an article view, the cabinet's order
 * list) cost more as jansson trees and their dump than as their queries, so they are
 * written straight from the rows. The rules are jansson 2.14's dump.c with JSON_COMPACT
 * and no other flag: ',' and ':' without spaces; in strings '"' '\\' and \b \f \n \r \t
 * get their short escapes, the other bytes below 0x20 \u00XX in upper-case hex, and
 * everything else (DEL, '/', U+2028, any non-ASCII) goes out as it is (UTF-8). Invalid
 * UTF-8 (bad lead or continuation bytes, overlong forms, surrogates, past U+10FFFF):
 * jansson's dump refuses it, so here it fails the writer (the caller answers as for
 * out of memory); substituting U+FFFD would send text that jansson never would. */
#include "jsonw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

void jsonw_init(struct jsonw *w, struct arena *a)
{
    *w = (struct jsonw){.arena = a};
}

void jsonw_cleanup(struct jsonw *w)
{
    if (!w->arena)
        free(w->buf);
    w->buf = NULL;
    w->len = w->cap = 0;
}

/* Grows the buffer for n more bytes and the NUL; geometric, so a text of N bytes
 * copies < 2N. */
static int grow(struct jsonw *w, size_t n)
{
    if (w->failed)
        return -1;
    size_t cap = w->cap ? w->cap : 256;
    while (cap < w->len + n + 1) {
        if (cap > ((size_t)1 << 40))
            goto fail;
        cap *= 2;
    }
    char *grown;
    if (w->arena) {
        grown = arena_alloc(w->arena, cap); /* the old buffer stays until the request ends */
        if (grown && w->len)
            memcpy(grown, w->buf, w->len);
    } else {
        grown = realloc(w->buf, cap);
    }
    if (!grown)
        goto fail;
    w->buf = grown;
    w->cap = cap;
    return 0;
fail:
    w->failed = true;
    return -1;
}

/* Room for n more bytes and the NUL. */
static inline int reserve(struct jsonw *w, size_t n)
{
    return w->len + n < w->cap && !w->failed ? 0 : grow(w, n);
}

static void put(struct jsonw *w, const char *s, size_t n)
{
    if (reserve(w, n) < 0)
        return;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static void put_char(struct jsonw *w, char c)
{
    if (reserve(w, 1) < 0)
        return;
    w->buf[w->len++] = c;
}

/* Before any key or value: the comma that separates it from the one before. */
static void before_value(struct jsonw *w)
{
    if (w->comma)
        put_char(w, ',');
    w->comma = true;
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), 0 when invalid. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n;
    unsigned lo = 0x80, hi = 0xbf; /* range of the second byte */
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    else
        return 0;
    if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

/* 0: copied as it is; 1: escaped; 2: lead of a multi-byte sequence. */
static const unsigned char kind[256] = {
    [0x00 ... 0x1f] = 1,
    ['"'] = 1,
    ['\\'] = 1,
    [0x80 ... 0xff] = 2,
};

static void put_string(struct jsonw *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s, *end = p + n, *run = p;
    while (p < end && !kind[*p])
        p++;
    if (p == end) { /* nothing to escape or check: the usual text, in one go */
        if (reserve(w, n + 2) == 0) {
            char *o = w->buf + w->len;
            *o = '"';
            memcpy(o + 1, s, n);
            o[n + 1] = '"';
            w->len += n + 2;
        }
        return;
    }
    put_char(w, '"');
    while (p < end) {
        unsigned char k = kind[*p];
        if (k == 0) {
            p++;
            continue;
        }
        if (k == 2) {
            size_t l = utf8_len(p, end);
            if (!l) {
                w->failed = true;
                return;
            }
            p += l;
            continue;
        }
        put(w, (const char *)run, (size_t)(p - run));
        char esc[6] = {'\\', 0, '0', '0', hex[*p >> 4], hex[*p & 15]};
        size_t el = 2;
        switch (*p) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[1] = 'u', el = 6;
        }
        put(w, esc, el);
        run = ++p;
    }
    put(w, (const char *)run, (size_t)(p - run));
    put_char(w, '"');
}

void jsonw_obj_begin(struct jsonw *w)
{
    before_value(w);
    put_char(w, '{');
    w->depth++;
    w->comma = false;
}

void jsonw_obj_end(struct jsonw *w)
{
    put_char(w, '}');
    w->depth--;
    w->comma = true;
}

void jsonw_arr_begin(struct jsonw *w)
{
    before_value(w);
    put_char(w, '[');
    w->depth++;
    w->comma = false;
}

void jsonw_arr_end(struct jsonw *w)
{
    put_char(w, ']');
    w->depth--;
    w->comma = true;
}

void jsonw_key(struct jsonw *w, const char *key)
{
    size_t n = strlen(key), i = 0;
    while (i < n && !kind[(unsigned char)key[i]])
        i++;
    if (i < n) { /* something to escape or check: the general way */
        before_value(w);
        put_string(w, key, n);
        put_char(w, ':');
    } else if (reserve(w, n + 4) == 0) { /* the usual key: ,"name": in one go */
        char *o = w->buf + w->len;
        if (w->comma)
            *o++ = ',';
        *o++ = '"';
        memcpy(o, key, n);
        o += n;
        *o++ = '"';
        *o++ = ':';
        w->len = (size_t)(o - w->buf);
    }
    w->comma = false;
}

void jsonw_strn(struct jsonw *w, const char *s, size_t n)
{
    before_value(w);
    put_string(w, s, n);
}

void jsonw_str(struct jsonw *w, const char *s)
{
    if (!s)
        jsonw_null(w);
    else
        jsonw_strn(w, s, strlen(s));
}

/* "%lld" by hand: snprintf was most of the time of a board's thousands of numbers. */
void jsonw_int(struct jsonw *w, long long v)
{
    char digits[24], *o = digits + sizeof digits;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do
        *--o = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--o = '-';
    before_value(w);
    put(w, o, (size_t)(digits + sizeof digits - o));
}

void jsonw_int_text(struct jsonw *w, const char *digits)
{
    size_t n = 0;
    if (digits) {
        const char *d = digits + (*digits == '-');
        while (d[n] >= '0' && d[n] <= '9')
            n++;
        if (d[n] || n == 0 || n > 18 || (d[0] == '0' && (n > 1 || d != digits)))
            n = 0; /* not as "%lld" would write it: the slow way */
        else
            n += (size_t)(d - digits);
    }
    if (!n) {
        jsonw_int(w, digits ? strtoll(digits, NULL, 10) : 0);
        return;
    }
    before_value(w);
    put(w, digits, n);
}

/* jansson's jsonp_dtostr: "%.17g", ".0" when it reads as an integer, and the exponent
 * without '+' or leading zeros. (The C locale's '.': the portal never calls setlocale.) */
void jsonw_real(struct jsonw *w, double v)
{
    char text[64];
    int n = snprintf(text, sizeof text, "%.17g", v);
    if (n < 0 || (size_t)n >= sizeof text - 3 || v != v || v - v != 0) { /* NaN, inf */
        w->failed = true;
        return;
    }
    if (!strchr(text, '.') && !strchr(text, 'e')) {
        memcpy(text + n, ".0", 3);
        n += 2;
    }
    char *e = strchr(text, 'e');
    if (e) {
        char *start = e + 1, *digits = e + 2;
        if (*start == '-')
            start++;
        while (*digits == '0')
            digits++;
        if (digits != start) {
            memmove(start, digits, (size_t)(text + n - digits) + 1);
            n -= (int)(digits - start);
        }
    }
    before_value(w);
    put(w, text, (size_t)n);
}

void jsonw_bool(struct jsonw *w, bool v)
{
    before_value(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void jsonw_null(struct jsonw *w)
{
    before_value(w);
    put(w, "null", 4);
}

void jsonw_raw(struct jsonw *w, const char *json, size_t n)
{
    before_value(w);
    put(w, json, n);
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
    struct jsonw *w = data;
    put(w, buffer, size);
    return w->failed ? -1 : 0;
}

void jsonw_json(struct jsonw *w, const json_t *j)
{
    before_value(w);
    if (w->failed || !j || json_dump_callback(j, dump_cb, w, JSON_COMPACT | JSON_ENCODE_ANY) < 0)
        w->failed = true;
}

void jsonw_obj_open(struct jsonw *w, const json_t *o)
{
    if (!json_is_object(o)) {
        w->failed = true;
        return;
    }
    jsonw_json(w, o);
    if (w->failed)
        return;
    w->len--; /* the closing '}' */
    w->depth++;
    w->comma = json_object_size(o) > 0;
}

const char *jsonw_finish(struct jsonw *w, size_t *len)
{
    if (w->failed || w->depth != 0 || reserve(w, 0) < 0)
        return NULL;
    w->buf[w->len] = '\0';
    if (len)
        *len = w->len;
    return w->buf;
}
