/* main.c - the portal command line: serve, migrate, demo, user add, version, help. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "boards.h"
#include "chat.h"
#include "config.h"
#include "db.h"
#include "demo.h"
#include "epoch.h"
#include "feed.h"
#include "files.h"
#include "gateway.h"
#include "http.h"
#include "jobs.h"
#include "kb.h"
#include "log.h"
#include "migrate.h"
#include "password.h"
#include "scheduler.h"
#include "search_index.h"
#include "static.h"
#include "tickets.h"
#include "users.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    stop_requested = 1;
}

static void usage(FILE *out)
{
    fprintf(out,
            "portal %s - a self-hosted collaborative CRM\n\n"
            "Usage: portal COMMAND\n\n"
            "Commands:\n"
            "  serve      serve HTTP on PORTAL_HTTP and realtime on PORTAL_WS\n"
            "  migrate    apply pending database migrations (safe to repeat)\n"
            "  demo       seed demo data when the database has none (safe to repeat)\n"
            "  user add --email E --name N --role admin|manager|member [--password-stdin]\n"
            "             create an employee; the password is read from stdin or asked for\n"
            "  version    print the version and the schema version this binary knows\n"
            "  routes     print the route table as JSON (the access-matrix test reads it)\n"
            "  config     print the effective settings\n"
            "  help       this text\n\n",
            PORTAL_VERSION);
    config_print_help(out);
}

/* Waits up to ~15 s for the database: `make run` starts MariaDB just before us. */
static int wait_for_db(void)
{
    for (int i = 0; i < 30; i++) {
        if (db_ping() == 0)
            return 0;
        if (i == 0)
            log_info("waiting for the database (%s)...", db_error());
        struct timespec ts = {0, 500000000L};
        nanosleep(&ts, NULL);
    }
    log_error("the database does not answer: %s", db_error());
    return -1;
}

static int cmd_serve(void)
{
    if (wait_for_db() < 0 || migrate_check() < 0)
        return 1;
    if (static_init() < 0 || files_init() < 0 || feed_init() < 0 || kb_init() < 0 ||
        boards_init() < 0 || chat_init() < 0 || tickets_init() < 0 || log_access_open() < 0)
        return 1;
    if (jobs_register_core() < 0 || boards_register_jobs() < 0)
        return 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (config.caches && (epoch_start() < 0 || kb_index_start() < 0))
        return 1;
    if (http_start() < 0) {
        kb_index_stop();
        epoch_stop();
        return 1;
    }
    if (gateway_start() < 0) {
        http_stop();
        kb_index_stop();
        epoch_stop();
        return 1;
    }
    scheduler_start();
    log_info("portal %s serving http://%s (realtime ws://%s)", PORTAL_VERSION, config.http_listen,
             config.ws_listen);
    while (!stop_requested) {
        struct timespec ts = {0, 250000000L};
        nanosleep(&ts, NULL);
        log_flush();
    }
    log_info("stopping");
    scheduler_stop();
    gateway_stop();
    http_stop();
    kb_index_stop();
    epoch_stop();
    log_access_close();
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("portal %s (schema %d)\n", PORTAL_VERSION, migrate_latest());
        return 0;
    }
    if (config_load() < 0)
        return 2;
    if (strcmp(cmd, "routes") == 0)
        return http_routes_print(stdout);
    if (password_init() < 0) {
        fprintf(stderr, "portal: cannot initialise libsodium\n");
        return 1;
    }
    if (db_global_init() < 0)
        return 1;
    int rc;
    if (strcmp(cmd, "serve") == 0) {
        rc = cmd_serve();
    } else if (strcmp(cmd, "migrate") == 0) {
        rc = wait_for_db() < 0 || migrate_run() < 0 ? 1 : 0;
        if (!rc)
            printf("schema at version %d\n", migrate_latest());
    } else if (strcmp(cmd, "demo") == 0) {
        rc = wait_for_db() < 0 || migrate_check() < 0 || demo_seed() < 0 ? 1 : 0;
    } else if (strcmp(cmd, "user") == 0 && argc >= 3 && strcmp(argv[2], "add") == 0) {
        rc = wait_for_db() < 0 || migrate_check() < 0 ? 1 : users_cli_add(argc - 3, argv + 3);
    } else if (strcmp(cmd, "config") == 0) {
        config_print(stdout);
        rc = 0;
    } else {
        fprintf(stderr, "portal: unknown command '%s'\n\n", cmd);
        usage(stderr);
        rc = 2;
    }
    db_thread_end();
    db_global_cleanup();
    return rc;
}
