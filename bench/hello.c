/*
 * bench_hello: the throughput ceiling for the portal benchmark.
 *
 * A plain CivetWeb server with the same library and threading model as the
 * portal, doing no work: every request gets 200 {"ok":true}.
 *
 *   bench_hello LISTENING_PORTS [NUM_THREADS]
 *   bench_hello 127.0.0.1:18090 128
 *
 * A port of 0 ("127.0.0.1:0") lets the kernel choose a free port.
 * Once listening it prints one line to stdout and flushes it:
 *   listening 127.0.0.1:PORT
 * bench/run relies on that line. Runs until SIGINT or SIGTERM.
 *
 * The handler is registered for "/" and answers every path (CivetWeb
 * matches "/" as a prefix pattern), so a second instance can stand in for
 * the portal when testing bench/run itself.
 */
#include <civetweb.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Header and body go out in ONE write: two small writes (headers, then
 * body) on a keep-alive connection hit Nagle + delayed ACK and cap each
 * connection at ~25 requests/s (40 ms per request). */
#define HEADERS                                                                                    \
    "HTTP/1.1 200 OK\r\n"                                                                          \
    "Content-Type: application/json\r\n"                                                           \
    "Content-Length: 11\r\n"                                                                       \
    "Connection: keep-alive\r\n"                                                                   \
    "\r\n"
static const char RESPONSE[] = HEADERS "{\"ok\":true}";
_Static_assert(sizeof "{\"ok\":true}" - 1 == 11, "Content-Length mismatch");

static int hello_handler(struct mg_connection *conn, void *cbdata)
{
    (void)cbdata;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    if (ri != NULL && strcmp(ri->request_method, "HEAD") == 0)
        mg_write(conn, HEADERS, sizeof HEADERS - 1);
    else
        mg_write(conn, RESPONSE, sizeof RESPONSE - 1);
    return 200; /* 1..999: request handled, status for the access log */
}

static int log_message(const struct mg_connection *conn, const char *msg)
{
    (void)conn;
    fprintf(stderr, "bench_hello: %s\n", msg);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr,
                "usage: %s LISTENING_PORTS [NUM_THREADS]\n"
                "  e.g. %s 127.0.0.1:18090 128\n",
                argv[0], argv[0]);
        return 2;
    }
    const char *ports = argv[1];
    const char *threads = argc > 2 ? argv[2] : "128";
    char *end = NULL;
    errno = 0;
    long nthreads = strtol(threads, &end, 10);
    if (errno != 0 || end == threads || *end != '\0' || nthreads < 1) {
        fprintf(stderr, "bench_hello: bad NUM_THREADS '%s'\n", threads);
        return 2;
    }

    /* Block the stop signals before mg_start so every CivetWeb thread
     * inherits the mask and main() receives them via sigwait(). */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    const char *options[] = {"listening_ports",   ports, "num_threads", threads,
                             "enable_keep_alive", "yes", NULL};

    struct mg_callbacks callbacks;
    memset(&callbacks, 0, sizeof callbacks);
    callbacks.log_message = log_message;

    mg_init_library(0);
    struct mg_context *ctx = mg_start(&callbacks, NULL, options);
    if (ctx == NULL) {
        fprintf(stderr, "bench_hello: mg_start failed on '%s'\n", ports);
        mg_exit_library();
        return 1;
    }
    mg_set_request_handler(ctx, "/", hello_handler, NULL);

    struct mg_server_port sp[8];
    int n = mg_get_server_ports(ctx, 8, sp);
    if (n > 0) {
        /* Report the first port; with a host in LISTENING_PORTS the host
         * part is whatever the caller gave us. */
        const char *colon = strrchr(ports, ':');
        int hostlen = colon ? (int)(colon - ports) : 0;
        if (hostlen > 0)
            printf("listening %.*s:%d\n", hostlen, ports, sp[0].port);
        else
            printf("listening 127.0.0.1:%d\n", sp[0].port);
    } else {
        printf("listening %s\n", ports);
    }
    fflush(stdout);

    int sig = 0;
    while (sigwait(&stop, &sig) != 0)
        ;
    fprintf(stderr, "bench_hello: signal %d, stopping\n", sig);
    mg_stop(ctx);
    mg_exit_library();
    return 0;
}
