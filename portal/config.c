/* config.c - one table of settings: name, default, help. Environment beats file. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct config config;

enum kind { STR, INT, SIZE };

struct setting {
    const char *name;
    enum kind kind;
    const char *def;
    const char *help;
    void *dst;
    char *value; /* owned: from the file or the environment */
};

static struct setting settings[] = {
    {"PORTAL_HTTP", STR, "127.0.0.1:8080", "HTTP listen address (host:port)", &config.http_listen},
    {"PORTAL_WS", STR, "127.0.0.1:8081", "realtime (websocket) listen address", &config.ws_listen},
    {"PORTAL_DB_URL", STR, "",
     "mariadb://user:pass@host:port/db[?socket=/path]; empty = private MariaDB under "
     "PORTAL_DATA_DIR/mariadb (started by `make run`)",
     &config.db_url},
    {"PORTAL_DATA_DIR", STR, "var", "state: private MariaDB, uploaded files, mail",
     &config.data_dir},
    {"PORTAL_WWW_DIR", STR, PORTAL_SOURCE_DIR "/www", "browser apps served as static files",
     &config.www_dir},
    {"PORTAL_NODE_MODULES", STR, PORTAL_SOURCE_DIR "/node_modules",
     "npm packages served under /vendor/ (allow-listed)", &config.node_modules},
    {"PORTAL_ACCESS_LOG", STR, "-", "access log: - (stdout), off, or a file path",
     &config.access_log},
    {"PORTAL_WS_ORIGINS", STR, "http://127.0.0.1:8080,http://localhost:8080",
     "origins allowed to open the realtime websocket", &config.ws_origins},
    {"PORTAL_WS_PUBLIC_URL", STR, "",
     "websocket URL given to browsers (behind a proxy: wss://host/realtime); empty = the page's "
     "host with PORTAL_WS's port",
     &config.ws_public_url},
    {"PORTAL_WS_EVENT_LOOP", STR, "libev",
     "the gateway's event loop: libev (epoll; falls back to poll when the libwebsockets "
     "libev plugin is missing) or poll (lws' own, slow beyond a few thousand sockets)",
     &config.ws_event_loop},
    {"PORTAL_WS_MAX_MESSAGE", SIZE, "4096",
     "largest message a browser may send on the websocket (closed with 1009 beyond)",
     &config.ws_max_message},
    {"PORTAL_WS_QUEUE_BYTES", SIZE, "1048576",
     "unsent bytes queued for one websocket before the reader is cut off as too slow",
     &config.ws_queue_bytes},
    {"PORTAL_WS_RATE", INT, "20",
     "messages per second one user may send on websockets (burst twice that); flooding closes "
     "the connection",
     &config.ws_rate},
    {"PORTAL_WS_PING", INT, "30",
     "idle seconds before the gateway pings a websocket; no answer within as long again "
     "closes it",
     &config.ws_ping_s},
    {"PORTAL_WS_MAX_CONNS", INT, "12000",
     "most websocket connections of this process (the open-files limit is raised to fit)",
     &config.ws_max_conns},
    {"PORTAL_WS_POLL_MS", INT, "20", "milliseconds between polls of the outbox (event table)",
     &config.ws_poll_ms},
    {"PORTAL_WS_GAP_WAIT_MS", INT, "5000",
     "longest wait for an event id that is allocated but not committed before it is skipped",
     &config.ws_gap_wait_ms},
    {"PORTAL_WS_BACKFILL_MAX", INT, "20000",
     "event ids a reconnecting client may be behind; further behind it is told to reload",
     &config.ws_backfill_max},
    {"PORTAL_WS_SESSION_CHECK", INT, "30",
     "seconds between checks of every open websocket's session, for changes made behind the "
     "portal's back (logouts, revocations, disabled users and idle expiry close sockets at "
     "once without it)",
     &config.ws_session_check_s},
    {"PORTAL_THREADS", INT, "96", "HTTP worker threads (one MariaDB connection each)",
     &config.threads},
    {"PORTAL_CACHES", INT, "1",
     "1 = keep sessions, feed pages, cabinet order lists and the knowledge base (search "
     "index and articles, ~6 KB an article) in memory, kept in step with every node "
     "through the cache_epochs table (polled every 100 ms); 0 = ask the database every time",
     &config.caches},
    {"PORTAL_MAX_BODY", SIZE, "1048576", "largest JSON request body in bytes (413 beyond)",
     &config.max_body},
    {"PORTAL_MAX_UPLOAD", SIZE, "52428800", "largest uploaded file in bytes (413 beyond)",
     &config.max_upload},
    {"PORTAL_REQUEST_TIMEOUT_MS", INT, "10000",
     "milliseconds to receive a request's headers (and the first part of its body); the "
     "connection closes past it",
     &config.request_timeout_ms},
    {"PORTAL_BODY_MIN_RATE", SIZE, "8192",
     "slowest average rate, in bytes/s, a request body may arrive at once the request "
     "timeout has passed (408 and close below it)",
     &config.body_min_rate},
    {"PORTAL_CONN_PER_ADDR", INT, "32",
     "most HTTP connections open at once from one client address; more are answered 503 "
     "and closed before they hold a worker (0 = no cap)",
     &config.conn_per_addr},
    {"PORTAL_TEST_WRITE_FAULT", STR, "",
     "tests only: \"METHOD /api/pattern\" (comma-separated) makes the first attempt of each "
     "such write fail "
     "as a deadlock, to prove it is retried and committed once",
     &config.test_write_fault},
    {"PORTAL_TRUSTED_PROXIES", STR, "127.0.0.1,::1",
     "comma-separated addresses of reverse proxies in front (scripts/run-proxy): their "
     "connections have no per-address cap, and their X-Real-IP header names the client",
     &config.trusted_proxies},
    {"PORTAL_DB_TIMEOUT", INT, "2", "MariaDB connect timeout in seconds", &config.db_timeout_s},
    {"PORTAL_SCHEDULER_INTERVAL", INT, "30", "seconds between scheduler ticks",
     &config.scheduler_interval_s},
    {"PORTAL_SESSION_IDLE", INT, "28800", "seconds a session may sit idle (8 h)",
     &config.session_idle_s},
    {"PORTAL_SESSION_MAX", INT, "2592000", "absolute session lifetime in seconds (30 days)",
     &config.session_max_s},
    {"PORTAL_PWHASH_MODERATE", INT, "0",
     "1 = hash passwords with argon2id MODERATE limits (default INTERACTIVE); old hashes are "
     "upgraded at login",
     &config.pwhash_moderate},
    {"PORTAL_RESET_PER_EMAIL", INT, "3",
     "password-reset requests for one email within 15 minutes before 429 (the block then "
     "doubles from 30 s)",
     &config.reset_per_email},
    {"PORTAL_RESET_PER_ADDRESS", INT, "30",
     "password-reset requests, and unusable reset or invitation links, from one client "
     "address within 15 minutes before 429",
     &config.reset_per_address},
    {"PORTAL_SECURE_COOKIES", INT, "0",
     "1 when served over TLS: cookies get Secure and the __Host- prefix", &config.secure_cookies},
    {"PORTAL_PUBLIC_URL", STR, "http://127.0.0.1:8080", "base URL used in links sent by mail",
     &config.public_url},
    {"PORTAL_CABINET_HOST", STR, "",
     "host name that serves only the client cabinet (the employee app is refused there)",
     &config.cabinet_host},
    {"PORTAL_SMTP_URL", STR, "",
     "smtp://user:pass@host:587 to send mail; empty = write .eml files to PORTAL_DATA_DIR/mail",
     &config.smtp_url},
    {"PORTAL_DOC_MAX_FILE", SIZE, "104857600",
     "largest document version in bytes (413 beyond; K/M/G suffixes)", &config.doc_max_file},
    {"PORTAL_DOC_QUOTA", SIZE, "5G",
     "document storage per customer/partner account, every version counted (413 beyond)",
     &config.doc_quota},
    {"PORTAL_DOC_LINK_MAX_DAYS", INT, "30", "longest lifetime of a document share link in days",
     &config.doc_link_max_days},
    {"PORTAL_MAIL_FROM", STR, "portal@localhost", "sender address of mail", &config.mail_from},
    {"PORTAL_CHAT_MAX_MESSAGE", INT, "10000", "most characters in one chat message (413 beyond)",
     &config.chat_max_message},
    {"PORTAL_CHAT_RATE", INT, "120",
     "chat messages one user may send per minute, per portal process (429 with Retry-After "
     "beyond)",
     &config.chat_rate},
    {"PORTAL_CHAT_BURST", INT, "20", "chat messages one user may send in a quick burst",
     &config.chat_burst},
    {"PORTAL_SLA_HOURS", STR, "Mon-Fri 09:00-18:00",
     "support business hours the ticket SLA clock runs in: \"Mon-Fri 09:00-18:00, Sat "
     "10:00-14:00\" or \"24/7\"",
     &config.sla_hours},
    {"PORTAL_SLA_TIMEZONE", STR, "UTC", "time zone of the business hours (tz name, e.g. Europe/Moscow)",
     &config.sla_timezone},
    {"PORTAL_SLA_FIRST_RESPONSE", STR, "urgent=1h high=4h normal=8h low=16h",
     "business time to the first public reply, per ticket priority (h hours, m minutes)",
     &config.sla_first_response},
    {"PORTAL_SLA_RESOLUTION", STR, "urgent=8h high=24h normal=40h low=80h",
     "business time to resolve a ticket, per priority", &config.sla_resolution},
};
#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

static struct setting *find(const char *name, size_t len)
{
    for (size_t i = 0; i < NSETTINGS; i++)
        if (strlen(settings[i].name) == len && memcmp(settings[i].name, name, len) == 0)
            return &settings[i];
    return NULL;
}

static void set_value(struct setting *s, const char *v)
{
    free(s->value);
    s->value = strdup(v);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* KEY=VALUE per line, # comments, optional quotes around the value. */
static int load_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "portal: config file %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[4096];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *l = trim(line);
        if (*l == '\0' || *l == '#')
            continue;
        char *eq = strchr(l, '=');
        if (!eq) {
            fprintf(stderr, "portal: %s:%d: expected KEY=VALUE\n", path, lineno);
            rc = -1;
            continue;
        }
        *eq = '\0';
        char *key = trim(l), *val = trim(eq + 1);
        size_t vl = strlen(val);
        if (vl >= 2 && (val[0] == '"' || val[0] == '\'') && val[vl - 1] == val[0]) {
            val[vl - 1] = '\0';
            val++;
        }
        struct setting *s = find(key, strlen(key));
        if (!s) {
            fprintf(stderr, "portal: %s:%d: unknown setting %s\n", path, lineno, key);
            rc = -1;
            continue;
        }
        set_value(s, val);
    }
    fclose(f);
    return rc;
}

static int apply(struct setting *s)
{
    const char *v = s->value ? s->value : s->def;
    char *end;
    switch (s->kind) {
    case STR:
        *(const char **)s->dst = v;
        return 0;
    case INT: {
        errno = 0;
        long n = strtol(v, &end, 10);
        if (errno || *end || end == v || n < 0 || n > 1000000000) {
            fprintf(stderr, "portal: %s=%s is not a whole number\n", s->name, v);
            return -1;
        }
        *(int *)s->dst = (int)n;
        return 0;
    }
    case SIZE: {
        errno = 0;
        unsigned long long n = strtoull(v, &end, 10);
        if (errno || end == v || strchr(v, '-')) {
            fprintf(stderr, "portal: %s=%s is not a size\n", s->name, v);
            return -1;
        }
        int shift = 0;
        switch (toupper((unsigned char)*end)) {
        case 'K':
            shift = 10;
            end++;
            break;
        case 'M':
            shift = 20;
            end++;
            break;
        case 'G':
            shift = 30;
            end++;
            break;
        }
        if (n > (SIZE_MAX >> shift)) {
            fprintf(stderr, "portal: %s=%s is too large\n", s->name, v);
            return -1;
        }
        n <<= shift;
        if (*end) {
            fprintf(stderr, "portal: %s=%s: use bytes or a K/M/G suffix\n", s->name, v);
            return -1;
        }
        *(size_t *)s->dst = (size_t)n;
        return 0;
    }
    }
    return -1;
}

int config_load(void)
{
    int rc = 0;
    for (size_t i = 0; i < NSETTINGS; i++) { /* a reload starts from the defaults */
        free(settings[i].value);
        settings[i].value = NULL;
    }
    const char *file = getenv("PORTAL_CONFIG");
    if (file && *file && load_file(file) < 0)
        rc = -1;
    for (size_t i = 0; i < NSETTINGS; i++) {
        const char *env = getenv(settings[i].name);
        if (env)
            set_value(&settings[i], env);
        if (apply(&settings[i]) < 0)
            rc = -1;
    }
    if (config.threads < 2)
        config.threads = 2;
    if (config.db_timeout_s < 1)
        config.db_timeout_s = 1;
    return rc;
}

void config_print_help(FILE *out)
{
    fprintf(out,
            "Settings (environment variables; PORTAL_CONFIG=FILE reads KEY=VALUE lines first,\n"
            "the environment wins):\n");
    fprintf(out, "  %-28s %s\n", "PORTAL_CONFIG", "optional settings file");
    for (size_t i = 0; i < NSETTINGS; i++)
        fprintf(out, "  %-28s %s [default: %s]\n", settings[i].name, settings[i].help,
                *settings[i].def ? settings[i].def : "empty");
}

void config_print(FILE *out)
{
    for (size_t i = 0; i < NSETTINGS; i++) {
        const char *v = settings[i].value ? settings[i].value : settings[i].def;
        if (strcmp(settings[i].name, "PORTAL_DB_URL") == 0 && strchr(v, '@'))
            v = "(set, hidden: contains a password)";
        fprintf(out, "%s=%s\n", settings[i].name, v);
    }
}
