/* ws-load.c - load client for the realtime gateway (libwebsockets, one thread): opens
 * --conns websockets with the one-time tickets bench/ws-data.sql made, then a writer
 * thread commits --rate chat events a second to one channel's audience straight into the
 * outbox (as the chat module's transaction would) for --seconds, each stamped with its
 * commit time. Every frame received is matched to its stamp: delivery latency from
 * commit to the member's socket. Prints p50/p95/p99/max, deliveries seen/expected, and
 * the resident memory of the portal (--pid, from /proc) with all connections open.
 *
 *   ws-load --port 8081 --origin http://127.0.0.1:8080 --conns 10000 --members 1000
 *           --channel 900001 --db-socket /path/mysqld.sock --db portal_bench --pid PID */
#include <errno.h>
#include <ev.h>
#include <getopt.h>
#include <libwebsockets.h>
#include <mysql.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define HIST_US_MAX 10000000 /* 10 s, 100 us buckets */
#define HIST_BUCKET 100

struct client {
    struct lws *wsi;
    int index;
    int open, failed;
};

static struct {
    int port, conns, members, seconds, rate, ramp;
    const char *host, *origin, *db_socket, *db, *ticket_prefix;
    long long channel;
    int pid;
} opt = {.port = 8081,
         .conns = 10000,
         .members = 1000,
         .seconds = 30,
         .rate = 50,
         .ramp = 200,
         .host = "127.0.0.1",
         .origin = "http://127.0.0.1:8080",
         .db = "portal_bench",
         .ticket_prefix = "wsbench",
         .channel = 900001};

static struct lws_context *context;
static struct ev_loop *loop; /* lws runs on libev (epoll): poll() over 10,000 sockets
                              * would make the client the bottleneck it measures */
static struct client *clients;
/* No client-side validity pings: lws 4.1 re-files a timer per connection in one sorted
 * list on each, a walk over all 10,000 that would be measured as delivery latency. The
 * gateway pings; lws answers with pongs on its own. */
static const lws_retry_bo_t no_pings;
static int started, opened, failed, closed_early;
static long long received, late_frames;
static unsigned *hist;
static long long max_us;
static volatile int writing, written;
static long long write_t0;        /* when the writer started, for the per-second view */
static long long slow_per_s[600]; /* deliveries over 100 ms, by the second they were sent */
static long long max_per_s[600];
static long long commit_max_per_s[600]; /* the writer's slowest INSERT (autocommit) */
static volatile int interrupted;

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static long rss_kb(int pid, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long kb = -1;
    size_t fl = strlen(field);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, fl) == 0 && line[fl] == ':') {
            kb = strtol(line + fl + 1, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

/* utime + stime of a process, in seconds (/proc/PID/stat fields 14 and 15). */
static double cpu_s(int pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    unsigned long long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void record(long long us)
{
    if (us < 0)
        us = 0;
    if (us > max_us)
        max_us = us;
    long long b = us >= HIST_US_MAX ? HIST_US_MAX / HIST_BUCKET - 1 : us / HIST_BUCKET;
    hist[b]++;
}

static double percentile(double p)
{
    long long total = 0, seen = 0;
    for (int i = 0; i < HIST_US_MAX / HIST_BUCKET; i++)
        total += hist[i];
    if (!total)
        return -1;
    long long want = (long long)(p * (double)total);
    for (int i = 0; i < HIST_US_MAX / HIST_BUCKET; i++) {
        seen += hist[i];
        if (seen > want)
            return (i + 1) * HIST_BUCKET / 1000.0;
    }
    return max_us / 1000.0;
}

static void on_timer(struct ev_loop *l, ev_timer *t, int revents)
{
    (void)l;
    (void)t;
    (void)revents;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    struct client *c = user;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        c->open = 1;
        opened++;
        break;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (c) {
            c->failed = 1;
            c->wsi = NULL;
        }
        failed++;
        if (failed <= 5)
            fprintf(stderr, "ws-load: connection failed: %s\n", in ? (const char *)in : "?");
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE: {
        /* {"type":"event","id":N,"event":"chat.message","data":{"t":...,"seq":...}} */
        const char *t = memmem(in, len, "\"t\":", 4);
        if (t && memmem(in, len, "\"bench.msg\"", 11)) {
            long long sent = strtoll(t + 4, NULL, 10);
            if (writing || written) {
                long long us = now_us() - sent, sec = (sent - write_t0) / 1000000;
                record(us);
                if (sec >= 0 && sec < 600) {
                    slow_per_s[sec] += us > 100000;
                    if (us > max_per_s[sec])
                        max_per_s[sec] = us;
                }
            }
            received++;
        } else if (t)
            late_frames++;
        break;
    }
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (c) {
            if (c->open)
                closed_early++;
            c->open = 0;
            c->wsi = NULL;
        }
        break;
    default:
        break;
    }
    return 0;
}

static const struct lws_protocols protocols[] = {
    {"bench", callback, 0, 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void connect_one(int i)
{
    char path[128], host[64];
    snprintf(path, sizeof path, "/realtime?ticket=%s%036d", opt.ticket_prefix, i + 1);
    snprintf(host, sizeof host, "%s:%d", opt.host, opt.port);
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof ci);
    ci.context = context;
    ci.address = opt.host;
    ci.port = opt.port;
    ci.path = path;
    ci.host = host;
    /* lws writes "Origin: http://" + this */
    ci.origin = strncmp(opt.origin, "http://", 7) == 0 ? opt.origin + 7 : opt.origin;
    ci.ietf_version_or_minus_one = -1;
    ci.userdata = &clients[i];
    ci.retry_and_idle_policy = &no_pings;
    ci.pwsi = &clients[i].wsi;
    clients[i].index = i;
    if (!lws_client_connect_via_info(&ci)) {
        failed++;
        clients[i].failed = 1;
    }
}

/* Commits rate events a second to channel:ID, each with its commit-time stamp. */
static void *writer(void *arg)
{
    (void)arg;
    MYSQL *db = mysql_init(NULL);
    if (!mysql_real_connect(db, NULL, "root", NULL, opt.db, 0, opt.db_socket, 0)) {
        fprintf(stderr, "ws-load: database: %s\n", mysql_error(db));
        writing = 0;
        return NULL;
    }
    long long period = 1000000LL / opt.rate, next = now_us();
    long long end = next + (long long)opt.seconds * 1000000LL;
    char sql[512];
    for (int seq = 0; now_us() < end && !interrupted; seq++) {
        long long t = now_us();
        snprintf(sql, sizeof sql,
                 "INSERT INTO event (type, audience, payload, created_at) VALUES ('bench.msg',"
                 " 'channel:%lld', '{\"t\":%lld,\"seq\":%d}', UTC_TIMESTAMP(6))",
                 opt.channel, t, seq);
        if (mysql_query(db, sql) != 0) {
            fprintf(stderr, "ws-load: insert: %s\n", mysql_error(db));
            break;
        }
        written++;
        long long took = now_us() - t, sec = (t - write_t0) / 1000000;
        if (sec >= 0 && sec < 600 && took > commit_max_per_s[sec])
            commit_max_per_s[sec] = took;
        next += period;
        long long wait = next - now_us();
        if (wait > 0)
            usleep((useconds_t)wait);
    }
    mysql_close(db);
    writing = 0;
    return NULL;
}

/* Runs the loop for about ms milliseconds. */
static void service_for(int ms)
{
    ev_timer t;
    ev_timer_init(&t, on_timer, ms / 1000.0, 0);
    ev_timer_start(loop, &t);
    ev_run(loop, EVRUN_ONCE);
    ev_timer_stop(loop, &t);
}

static double loadavg(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1;
        fclose(f);
    }
    return l;
}

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"port", 1, 0, 'p'},    {"conns", 1, 0, 'n'},     {"members", 1, 0, 'm'},
        {"seconds", 1, 0, 's'}, {"rate", 1, 0, 'r'},      {"host", 1, 0, 'H'},
        {"origin", 1, 0, 'o'},  {"db-socket", 1, 0, 'S'}, {"db", 1, 0, 'd'},
        {"channel", 1, 0, 'c'}, {"pid", 1, 0, 'P'},       {"ramp", 1, 0, 'R'},
        {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (ch) {
        case 'p': opt.port = atoi(optarg); break;
        case 'n': opt.conns = atoi(optarg); break;
        case 'm': opt.members = atoi(optarg); break;
        case 's': opt.seconds = atoi(optarg); break;
        case 'r': opt.rate = atoi(optarg); break;
        case 'H': opt.host = optarg; break;
        case 'o': opt.origin = optarg; break;
        case 'S': opt.db_socket = optarg; break;
        case 'd': opt.db = optarg; break;
        case 'c': opt.channel = atoll(optarg); break;
        case 'P': opt.pid = atoi(optarg); break;
        case 'R': opt.ramp = atoi(optarg); break;
        default: fprintf(stderr, "usage: see the comment at the top of bench/ws-load.c\n"); return 2;
        }
    }
    if (opt.conns < 1 || opt.rate < 1 || !opt.db_socket) {
        fprintf(stderr, "ws-load: --conns, --rate and --db-socket are needed\n");
        return 2;
    }
    /* One descriptor per connection, and some. */
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = (rlim_t)opt.conns + 256 < rl.rlim_max ? (rlim_t)opt.conns + 256 : rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
    if ((long long)rl.rlim_cur < opt.conns + 64) {
        fprintf(stderr, "ws-load: the open-files limit %llu is below %d connections\n",
                (unsigned long long)rl.rlim_cur, opt.conns);
        return 1;
    }
    signal(SIGINT, on_signal);
    hist = calloc(HIST_US_MAX / HIST_BUCKET, sizeof *hist);
    clients = calloc((size_t)opt.conns, sizeof *clients);
    lws_set_log_level(LLL_ERR, NULL);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.gid = -1;
    info.uid = -1;
    /* Exactly the open-files limit: below it, lws 4.1 finds a socket's connection by a
     * linear search over all of them (max_fds_unrelated_to_ulimit), which made this
     * client, not the gateway, the slowest part whenever the idle sockets got pinged. */
    info.fd_limit_per_thread = (unsigned)rl.rlim_cur;
    info.timeout_secs = 30;
    info.retry_and_idle_policy = &no_pings;
    loop = ev_loop_new(EVFLAG_AUTO);
    void *foreign[1] = {loop};
    info.options = LWS_SERVER_OPTION_LIBEV;
    info.foreign_loops = foreign;
    context = loop ? lws_create_context(&info) : NULL;
    if (!context || !hist || !clients)
        return 1;

    /* Connect in waves of --ramp, keeping at most 2 * ramp handshakes in flight. */
    long long t0 = now_us();
    while (!interrupted && opened + failed < opt.conns) {
        while (started < opt.conns && started - opened - failed < 2 * opt.ramp)
            connect_one(started++);
        service_for(10);
        if (now_us() - t0 > 120000000LL)
            break;
    }
    double connect_s = (double)(now_us() - t0) / 1e6;
    fprintf(stderr, "ws-load: %d connections open, %d failed, in %.1f s\n", opened, failed,
            connect_s);
    /* Let hello/presence frames settle, then take the memory with every connection open. */
    long long settle = now_us() + 2000000LL;
    while (now_us() < settle)
        service_for(10);
    long rss_open = opt.pid ? rss_kb(opt.pid, "VmRSS") : -1;

    double cpu0 = opt.pid ? cpu_s(opt.pid) : -1, self0 = cpu_s(getpid());
    long long w0 = now_us();
    pthread_t w;
    writing = 1;
    write_t0 = now_us();
    pthread_create(&w, NULL, writer, NULL);
    while (writing && !interrupted)
        service_for(5);
    pthread_join(w, NULL);
    double wall = (double)(now_us() - w0) / 1e6;
    double cpu_pct = opt.pid ? 100.0 * (cpu_s(opt.pid) - cpu0) / wall : -1;
    double self_pct = 100.0 * (cpu_s(getpid()) - self0) / wall;
    long long drain = now_us() + 3000000LL; /* the last events' deliveries */
    while (now_us() < drain && !interrupted)
        service_for(5);
    long rss_end = opt.pid ? rss_kb(opt.pid, "VmRSS") : -1;
    long hwm = opt.pid ? rss_kb(opt.pid, "VmHWM") : -1;
    /* Where the slow deliveries were: a burst (a stall) or spread out (a steady cost). */
    fprintf(stderr, "ws-load: per second, max ms / deliveries over 100 ms / slowest commit ms:");
    for (int i = 0; i < opt.seconds && i < 600; i++)
        fprintf(stderr, " %lld/%lld/%lld", max_per_s[i] / 1000, slow_per_s[i],
                commit_max_per_s[i] / 1000);
    fprintf(stderr, "\n");
    long long expected = (long long)written * (opt.members < opened ? opt.members : opened);
    printf("{\"connections\":%d,\"failed\":%d,\"connect_seconds\":%.1f,\"closed_early\":%d,"
           "\"messages\":%d,\"rate\":%d,\"members\":%d,\"deliveries\":%lld,\"expected\":%lld,"
           "\"p50_ms\":%.1f,\"p95_ms\":%.1f,\"p99_ms\":%.1f,\"max_ms\":%.1f,"
           "\"portal_rss_mb_open\":%.1f,\"portal_rss_mb_end\":%.1f,\"portal_hwm_mb\":%.1f,"
           "\"client_rss_mb\":%.1f,\"portal_cpu_pct\":%.0f,\"client_cpu_pct\":%.0f,"
           "\"loadavg\":%.1f}\n",
           opened, failed, connect_s, closed_early, written, opt.rate, opt.members, received,
           expected, percentile(0.50), percentile(0.95), percentile(0.99), max_us / 1000.0,
           rss_open / 1024.0, rss_end / 1024.0, hwm / 1024.0,
           rss_kb(getpid(), "VmRSS") / 1024.0, cpu_pct, self_pct, loadavg());
    lws_context_destroy(context);
    ev_loop_destroy(loop);
    free(clients);
    free(hist);
    return received == expected && failed == 0 ? 0 : 3;
}
