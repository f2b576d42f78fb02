/* log.c - diagnostics go to stderr at once; access lines are buffered (one write per
 * request would cost as much as the request) and flushed by the main loop. */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "utf8.h"

static FILE *access_out;
static pthread_mutex_t access_lock = PTHREAD_MUTEX_INITIALIZER;

static void stamp(char *buf, size_t n)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t l = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + l, n - l, ".%03ldZ", ts.tv_nsec / 1000000);
}

size_t log_escape(char *out, size_t outsize, const char *in, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (!outsize)
        return 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)in[i];
        size_t seq = c >= 0x80 ? utf8_seq((const unsigned char *)in + i, len - i) : 1;
        if (c >= 0x20 && c != 0x7f && c != '\\' && seq) {
            if (o + seq >= outsize)
                break;
            memcpy(out + o, in + i, seq);
            o += seq;
            i += seq;
            continue;
        }
        if (o + 4 >= outsize) /* \xNN does not fit: stop before it */
            break;
        out[o++] = '\\';
        if (c == '\\') {
            out[o++] = '\\';
        } else {
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
        i++;
    }
    out[o] = '\0';
    return o;
}

static void vlog(const char *level, const char *fmt, va_list ap)
{
    char ts[40], line[2048], safe[2048];
    stamp(ts, sizeof ts);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    log_escape(safe, sizeof safe, line, len); /* one message is one line, whatever it holds */
    fprintf(stderr, "%s %s %s\n", ts, level, safe);
}

void log_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("info", fmt, ap);
    va_end(ap);
}

void log_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("warn", fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("error", fmt, ap);
    va_end(ap);
}

int log_access_open(void)
{
    const char *dst = config.access_log;
    if (!dst || strcmp(dst, "off") == 0)
        return 0;
    if (strcmp(dst, "-") == 0) {
        access_out = stdout;
    } else {
        access_out = fopen(dst, "a");
        if (!access_out) {
            log_error("access log %s: %s", dst, strerror(errno));
            return -1;
        }
    }
    setvbuf(access_out, NULL, _IOFBF, 1 << 16);
    return 0;
}

bool log_access_enabled(void)
{
    return access_out != NULL;
}

/* Each thread appends its lines to a buffer of its own, whose lock nobody else takes
 * except the flusher four times a second: no lock is ever contended on the request
 * path. The timestamp is formatted once a second per thread. */
struct line_buffer {
    pthread_mutex_t lock;
    size_t len;
    struct line_buffer *next;
    char data[32768];
};

static struct line_buffer *buffers; /* every thread's, for the flusher */
static pthread_mutex_t buffers_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local struct line_buffer *mine;

static void write_out(struct line_buffer *b)
{
    if (!b->len)
        return;
    pthread_mutex_lock(&access_lock);
    fwrite(b->data, 1, b->len, access_out);
    pthread_mutex_unlock(&access_lock);
    b->len = 0;
}

void log_access_line(const char *fmt, ...)
{
    static _Thread_local time_t cached_sec;
    static _Thread_local char cached[32];
    char line[1024], text[1024];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != cached_sec) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
        cached_sec = ts.tv_sec;
    }
    int n = snprintf(line, sizeof line, "%s.%03ldZ ", cached, ts.tv_nsec / 1000000);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    size_t tlen = m < 0 ? 0 : (size_t)m < sizeof text ? (size_t)m : sizeof text - 1;
    /* Escaped here, so no value a client sent (a URI, a method) can end the line early
     * or forge another: control bytes, backslashes and invalid UTF-8 become \xNN. */
    size_t len = (size_t)n + log_escape(line + n, sizeof line - (size_t)n - 1, text, tlen);
    line[len++] = '\n';
    if (!mine) {
        mine = calloc(1, sizeof *mine);
        if (!mine)
            return;
        pthread_mutex_init(&mine->lock, NULL);
        pthread_mutex_lock(&buffers_lock);
        mine->next = buffers;
        buffers = mine;
        pthread_mutex_unlock(&buffers_lock);
    }
    pthread_mutex_lock(&mine->lock);
    if (mine->len + len > sizeof mine->data)
        write_out(mine);
    memcpy(mine->data + mine->len, line, len);
    mine->len += len;
    pthread_mutex_unlock(&mine->lock);
}

void log_flush(void)
{
    if (!access_out)
        return;
    pthread_mutex_lock(&buffers_lock);
    for (struct line_buffer *b = buffers; b; b = b->next) {
        pthread_mutex_lock(&b->lock);
        write_out(b);
        pthread_mutex_unlock(&b->lock);
    }
    pthread_mutex_unlock(&buffers_lock);
    pthread_mutex_lock(&access_lock);
    fflush(access_out);
    pthread_mutex_unlock(&access_lock);
}

void log_access_close(void)
{
    log_flush();
    pthread_mutex_lock(&buffers_lock);
    while (buffers) {
        struct line_buffer *next = buffers->next;
        pthread_mutex_destroy(&buffers->lock);
        free(buffers);
        buffers = next;
    }
    mine = NULL; /* this thread's pointer; the others have exited by now */
    pthread_mutex_unlock(&buffers_lock);
    if (access_out && access_out != stdout)
        fclose(access_out);
    access_out = NULL;
}
