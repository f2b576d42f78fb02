/* mail.c - RFC 5322 messages, sent with libcurl's SMTP or written to disk. */
#include "mail.h"

#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "log.h"

/* Builds the message text (malloc'd). The subject is RFC 2047 base64-encoded so
 * Cyrillic survives any relay. */
static char *compose(const char *to, const char *subject, const char *body)
{
    char date[64], msgid[40];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    unsigned char rnd[12];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(msgid, sizeof msgid, rnd, sizeof rnd);
    size_t sl = strlen(subject);
    size_t b64len = sodium_base64_ENCODED_LEN(sl, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(b64len);
    if (!b64)
        return NULL;
    sodium_bin2base64(b64, b64len, (const unsigned char *)subject, sl,
                      sodium_base64_VARIANT_ORIGINAL);
    const char *fmt = "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: =?UTF-8?B?%s?=\r\n"
                      "Message-ID: <%s@portal>\r\nMIME-Version: 1.0\r\n"
                      "Content-Type: text/plain; charset=utf-8\r\n"
                      "Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n";
    size_t need = strlen(fmt) + strlen(date) + strlen(config.mail_from) + strlen(to) + strlen(b64) +
                  strlen(msgid) + strlen(body) + 1;
    char *msg = malloc(need);
    if (msg)
        snprintf(msg, need, fmt, date, config.mail_from, to, b64, msgid, body);
    free(b64);
    return msg;
}

struct upload {
    const char *data;
    size_t left;
};

static size_t read_cb(char *buf, size_t size, size_t n, void *arg)
{
    struct upload *u = arg;
    size_t max = size * n, len = u->left < max ? u->left : max;
    memcpy(buf, u->data, len);
    u->data += len;
    u->left -= len;
    return len;
}

static int send_smtp(const char *to, const char *msg)
{
    CURL *curl = curl_easy_init();
    if (!curl)
        return -1;
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    struct upload u = {msg, strlen(msg)};
    curl_easy_setopt(curl, CURLOPT_URL, config.smtp_url);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, config.mail_from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(curl, CURLOPT_READDATA, &u);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK)
        log_error("mail to %s: %s", to, curl_easy_strerror(rc));
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    return rc == CURLE_OK ? 0 : -1;
}

static int write_eml(const char *msg)
{
    char dir[1100], tmp[1200], path[1200];
    snprintf(dir, sizeof dir, "%s/mail", config.data_dir);
    if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
        log_error("mail: mkdir %s: %s", dir, strerror(errno));
        return -1;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned r = randombytes_random();
    snprintf(path, sizeof path, "%s/%lld%06ld-%08x.eml", dir, (long long)ts.tv_sec,
             ts.tv_nsec / 1000, r);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        log_error("mail: %s: %s", tmp, strerror(errno));
        return -1;
    }
    fputs(msg, f);
    if (fclose(f) != 0 || rename(tmp, path) < 0) {
        log_error("mail: %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int mail_send(const char *to, const char *subject, const char *body)
{
    char *msg = compose(to, subject, body);
    if (!msg)
        return -1;
    int rc = config.smtp_url[0] ? send_smtp(to, msg) : write_eml(msg);
    free(msg);
    return rc;
}
