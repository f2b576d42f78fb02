/* config.h - settings from the environment and an optional KEY=VALUE file. */
#ifndef PORTAL_CONFIG_H
#define PORTAL_CONFIG_H

#include <stddef.h>
#include <stdio.h>

struct config {
    const char *http_listen;  /* PORTAL_HTTP, host:port */
    const char *ws_listen;    /* PORTAL_WS */
    const char *db_url;       /* PORTAL_DB_URL; empty = private MariaDB under data_dir */
    const char *data_dir;     /* PORTAL_DATA_DIR */
    const char *www_dir;      /* PORTAL_WWW_DIR */
    const char *node_modules; /* PORTAL_NODE_MODULES */
    const char *access_log;   /* PORTAL_ACCESS_LOG: "-" stdout, "off", or a path */
    const char *ws_origins;   /* PORTAL_WS_ORIGINS, comma separated */
    const char *ws_event_loop; /* PORTAL_WS_EVENT_LOOP: libev or poll */
    const char *ws_public_url; /* PORTAL_WS_PUBLIC_URL, ws(s)://host:port/realtime or empty */
    size_t ws_max_message;     /* PORTAL_WS_MAX_MESSAGE, bytes of one client message */
    size_t ws_queue_bytes;     /* PORTAL_WS_QUEUE_BYTES, unsent bytes before a slow reader is cut */
    int ws_rate;               /* PORTAL_WS_RATE, client messages per second per user */
    int ws_ping_s;             /* PORTAL_WS_PING, idle seconds before a ping */
    int ws_max_conns;          /* PORTAL_WS_MAX_CONNS */
    int ws_poll_ms;            /* PORTAL_WS_POLL_MS, outbox polling interval */
    int ws_gap_wait_ms;        /* PORTAL_WS_GAP_WAIT_MS, longest wait for an uncommitted id */
    int ws_backfill_max;       /* PORTAL_WS_BACKFILL_MAX, events a resume may replay */
    int ws_session_check_s;    /* PORTAL_WS_SESSION_CHECK, seconds between session checks */
    int threads;              /* PORTAL_THREADS */
    int caches;               /* PORTAL_CACHES: 0 = no session/feed caches */
    size_t max_body;          /* PORTAL_MAX_BODY, bytes of a JSON body */
    size_t max_upload;        /* PORTAL_MAX_UPLOAD, bytes of an uploaded file */
    int request_timeout_ms;   /* PORTAL_REQUEST_TIMEOUT_MS */
    size_t body_min_rate;     /* PORTAL_BODY_MIN_RATE */
    int conn_per_addr;        /* PORTAL_CONN_PER_ADDR */
    const char *trusted_proxies;  /* PORTAL_TRUSTED_PROXIES */
    const char *test_write_fault; /* PORTAL_TEST_WRITE_FAULT (tests only) */
    int db_timeout_s;         /* PORTAL_DB_TIMEOUT, connect/read/write seconds */
    int scheduler_interval_s; /* PORTAL_SCHEDULER_INTERVAL */
    int session_idle_s;       /* PORTAL_SESSION_IDLE */
    int session_max_s;        /* PORTAL_SESSION_MAX */
    int pwhash_moderate;      /* PORTAL_PWHASH_MODERATE: 1 = argon2id MODERATE limits */
    int reset_per_email;      /* PORTAL_RESET_PER_EMAIL, reset mails per address per 15 min */
    int reset_per_address;    /* PORTAL_RESET_PER_ADDRESS, per client address per 15 min */
    int secure_cookies;       /* PORTAL_SECURE_COOKIES: 1 behind TLS */
    const char *public_url;   /* PORTAL_PUBLIC_URL, base of links in mail */
    const char *cabinet_host; /* PORTAL_CABINET_HOST, optional own host for the cabinet */
    const char *smtp_url;     /* PORTAL_SMTP_URL, smtp[s]://user:pass@host:port */
    const char *mail_from;    /* PORTAL_MAIL_FROM */
    int chat_max_message;     /* PORTAL_CHAT_MAX_MESSAGE, characters of a chat message */
    int chat_rate;            /* PORTAL_CHAT_RATE, messages a user may send per minute */
    int chat_burst;           /* PORTAL_CHAT_BURST, messages a user may send at once */
    size_t doc_max_file;      /* PORTAL_DOC_MAX_FILE, bytes of one document version */
    size_t doc_quota;         /* PORTAL_DOC_QUOTA, bytes of documents per account */
    int doc_link_max_days;    /* PORTAL_DOC_LINK_MAX_DAYS */
    const char *sla_hours;    /* PORTAL_SLA_HOURS, "Mon-Fri 09:00-18:00" */
    const char *sla_timezone; /* PORTAL_SLA_TIMEZONE, e.g. "Europe/Moscow" */
    const char *sla_first_response; /* PORTAL_SLA_FIRST_RESPONSE, "urgent=1h high=4h ..." */
    const char *sla_resolution;     /* PORTAL_SLA_RESOLUTION */
};

extern struct config config;

/* Loads defaults, then the file named by PORTAL_CONFIG (if any), then the
 * environment, which wins. Returns 0, or -1 after printing what is wrong. */
int config_load(void);
void config_print_help(FILE *out);
void config_print(FILE *out);

#endif
