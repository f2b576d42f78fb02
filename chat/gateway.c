/* gateway.c - the realtime front door: libwebsockets on PORTAL_WS, one service thread
 * that owns every connection. The outbox tailer (tail.c) hands it events through a
 * mutex-guarded queue and lws_cancel_service(); every other lws call happens here, in
 * the callback. LWS_CALLBACK_HTTP_CONFIRM_UPGRADE is deliberately not handled
 * (CVE-2025-11677); HTTP/2 and extensions stay off.
 *
 * Wire protocol (text frames, JSON; see chat/README.md):
 *   server -> client  {"type":"hello","last_id":N[,"reset":true]}
 *                     {"type":"event","id":N,"event":"<type>","data":{...}}
 *                     {"type":"typing","channel":C,"user_id":U}
 *                     {"type":"presence","users":[{"user_id":U,"state":"online|away|offline"}]}
 *                     {"type":"session","role":"admin|manager|member"}  (role changed)
 *                     {"type":"pong"}   {"type":"error","code":"..."}
 *   client -> server  {"type":"resume","after":N}  (or ?after=N on the URL)
 *                     {"type":"typing","channel":C}
 *                     {"type":"presence","state":"away|online"}
 *                     {"type":"presence","watch":[U,...]}  (whose presence to follow, <= 500)
 *                     {"type":"ping"}
 *
 * Flow control: a client message is at most PORTAL_WS_MAX_MESSAGE bytes (1009 beyond,
 * decided from the frame header before the payload is read); a user may send
 * PORTAL_WS_RATE messages a second (a burst of twice that), and one who keeps flooding is
 * closed with 1008; a connection's unsent frames are bounded by PORTAL_WS_QUEUE_BYTES: a
 * client that does not read is cut off, the others never wait for it.
 *
 * Sessions: a socket whose session ends (logout, revocation, a disabled user, idleness,
 * expiry) is closed with 4001 and offered nothing more from that moment; a role change
 * re-authorises the open sockets in place (see sessions_item(), reauth_item()). */
#include "gateway.h"

#include <ev.h>
#include <jansson.h>
#include <libwebsockets.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "realtime.h"
#include "rt.h"

#define CONN_BUCKETS  4096
#define USER_BUCKETS  4096
#define QUEUE_MAX     8192 /* frames queued for one connection */
#define TYPING_GAP_S  2.0  /* typing notices from one connection, at most one per this */
#define WRITES_PER_CB 64

#define LAPSE_RETRY_S 10.0 /* a session check left unanswered is asked again after this */
#define LAPSE_BATCH   1000 /* sessions checked per sweep at most */

#define CLOSE_SESSION_ENDED 4001
#define CLOSE_ROLE_CHANGED  4002

struct user;

/* One websocket connection: lws allocates it (zeroed) as the session's user data. */
struct conn {
    struct lws *wsi;
    struct conn *prev, *next;   /* every established connection */
    struct conn *uprev, *unext; /* the same user's connections */
    struct conn *aprev, *anext; /* the connections of employee admins */
    struct conn *hnext;         /* by serial */
    uint64_t serial;
    struct audience_ident who;
    struct user *user;
    long long after;  /* from the URL: -1 when absent */
    long long cursor; /* events up to here were handled for this connection; while it is
                       * not pending, every event up to live_upto was too (conn_seen) */
    bool established, pending, closing, away;
    const char *close_why; /* a close frame to send from the writable callback */
    int close_code;
    /* when the session may have gone idle or expired: then ask the database */
    double lapse_at;
    struct rt_msg **q; /* ring of frames to send */
    unsigned qhead, qcount, qcap;
    size_t qbytes;
    struct idlist *watch; /* users whose presence this connection follows */
    char *rx;             /* the client message being assembled */
    size_t rxlen;
    double typing_at;
    double heard_at;  /* when the client last sent anything (a pong counts) */
    bool pinged;      /* a ping went out since then */
    bool ping_due;    /* send one from the writable callback */
};

/* The users connected to this node: presence and the send rate limit. */
struct user {
    struct user *next;
    struct conn *first; /* its connections on this node */
    long long id;
    int employee;
    int conns, away;
    enum rt_presence shown; /* what this node last reported */
    double tokens, refilled, last_error;
    int strikes;
};

static struct lws_context *context;
static struct ev_loop *loop; /* libev's epoll loop that lws runs on; NULL: lws' own poll() */
static pthread_t thread;
static volatile int stopping;
static lws_retry_bo_t retry_policy; /* zeroed: lws' own validity pings are off */
static lws_sorted_usec_list_t sweep_timer;

/* Owned by the lws thread. */
static struct conn *conns;
static struct conn *admins; /* they see group, project and board events too */
static struct conn *by_serial[CONN_BUCKETS];
static struct user *users[USER_BUCKETS];
static uint64_t next_serial = 1;
static long long live_upto; /* the last event id handed over by the tailer */
static int nconns;

/* Shared with the tailer. */
static pthread_mutex_t inbox_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rt_item *inbox_head, *inbox_tail;
static int nconns_shared; /* read by other threads for the limit check */
static bool accepting;    /* the gateway runs: posts are kept (else freed) */
/* the context to wake, while it may be woken */
static struct lws_context *wake_ctx;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------------------------------
 * Origins
 * ------------------------------------------------------------------------------------- */

static int origin_allowed(const char *origin)
{
    if (!origin || !*origin)
        return 0;
    const char *list = config.ws_origins;
    size_t ol = strlen(origin);
    while (*list) {
        while (*list == ' ')
            list++;
        const char *comma = strchr(list, ',');
        size_t l = comma ? (size_t)(comma - list) : strlen(list);
        size_t t = l;
        while (t > 0 && list[t - 1] == ' ')
            t--;
        if (t == ol && strncmp(list, origin, t) == 0)
            return 1;
        list += l;
        if (*list == ',')
            list++;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Users and connections
 * ------------------------------------------------------------------------------------- */

static struct user *user_find(long long id)
{
    for (struct user *u = users[(unsigned long long)id % USER_BUCKETS]; u; u = u->next)
        if (u->id == id)
            return u;
    return NULL;
}

static struct user *user_get(const struct audience_ident *who)
{
    unsigned s = (unsigned)((unsigned long long)who->user_id % USER_BUCKETS);
    struct user *u = user_find(who->user_id);
    if (u)
        return u;
    u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->id = who->user_id;
    u->employee = who->realm == REALM_EMPLOYEE;
    u->tokens = 2.0 * config.ws_rate;
    u->refilled = now_s();
    u->next = users[s];
    users[s] = u;
    return u;
}

static void user_release(struct user *u)
{
    if (!u || u->conns > 0)
        return;
    unsigned s = (unsigned)((unsigned long long)u->id % USER_BUCKETS);
    for (struct user **p = &users[s]; *p; p = &(*p)->next)
        if (*p == u) {
            *p = u->next;
            break;
        }
    free(u);
}

/* Tells the tailer when an employee's state on this node changes. */
static void presence_update(struct user *u)
{
    if (!u->employee)
        return;
    enum rt_presence now = u->conns == 0 ? RT_OFFLINE : u->away >= u->conns ? RT_AWAY : RT_ONLINE;
    if (now == u->shown)
        return;
    u->shown = now;
    struct rt_request *rq = calloc(1, sizeof *rq);
    if (!rq)
        return;
    rq->kind = RQ_PRESENCE;
    rq->who.user_id = u->id;
    rq->state = now;
    rt_tail_request(rq);
}

static struct conn *conn_find(uint64_t serial)
{
    for (struct conn *c = by_serial[serial % CONN_BUCKETS]; c; c = c->hnext)
        if (c->serial == serial)
            return c;
    return NULL;
}

static bool is_admin(const struct conn *c)
{
    return c->who.realm == REALM_EMPLOYEE && c->who.role == ROLE_ADMIN;
}

static void admin_link(struct conn *c)
{
    c->anext = admins;
    c->aprev = NULL;
    if (admins)
        admins->aprev = c;
    admins = c;
}

static void admin_unlink(struct conn *c)
{
    if (c->aprev)
        c->aprev->anext = c->anext;
    else
        admins = c->anext;
    if (c->anext)
        c->anext->aprev = c->aprev;
    c->aprev = c->anext = NULL;
}

static void conn_link(struct conn *c)
{
    c->next = conns;
    if (conns)
        conns->prev = c;
    conns = c;
    c->unext = c->user->first;
    if (c->unext)
        c->unext->uprev = c;
    c->user->first = c;
    if (is_admin(c))
        admin_link(c);
    c->hnext = by_serial[c->serial % CONN_BUCKETS];
    by_serial[c->serial % CONN_BUCKETS] = c;
}

static void conn_unlink(struct conn *c)
{
    if (!c->established)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (c->uprev)
        c->uprev->unext = c->unext;
    else
        c->user->first = c->unext;
    if (c->unext)
        c->unext->uprev = c->uprev;
    if (is_admin(c))
        admin_unlink(c);
    for (struct conn **p = &by_serial[c->serial % CONN_BUCKETS]; *p; p = &(*p)->hnext)
        if (*p == c) {
            *p = c->hnext;
            break;
        }
    c->established = false;
    nconns--;
    __atomic_store_n(&nconns_shared, nconns, __ATOMIC_RELAXED);
}

/* Cuts a connection off from outside its own callback (it may never become writable). */
static void conn_kill(struct conn *c, const char *why)
{
    if (c->closing)
        return;
    c->closing = true;
    log_info("realtime: closing connection of user %lld: %s", c->who.user_id, why);
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

/* Ends a connection with a close frame (code, why) once it is writable, cut off if it
 * never is. From here on nothing more is queued for it. */
static void conn_end(struct conn *c, int code, const char *why)
{
    if (c->closing)
        return;
    c->closing = true;
    c->close_code = code;
    c->close_why = why;
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, 5);
    lws_callback_on_writable(c->wsi);
}

/* Queues a frame (taking a new reference). A reader that lets PORTAL_WS_QUEUE_BYTES pile
 * up is cut off. */
static void conn_send(struct conn *c, struct rt_msg *m)
{
    if (!m || c->closing)
        return;
    if (c->qbytes + m->len > config.ws_queue_bytes || c->qcount >= QUEUE_MAX) {
        conn_kill(c, "too slow a reader (send queue full)");
        return;
    }
    if (c->qcount == c->qcap) {
        unsigned cap = c->qcap ? c->qcap * 2 : 8;
        struct rt_msg **q = malloc(cap * sizeof *q);
        if (!q) {
            conn_kill(c, "out of memory");
            return;
        }
        for (unsigned i = 0; i < c->qcount; i++)
            q[i] = c->q[(c->qhead + i) % c->qcap];
        free(c->q);
        c->q = q;
        c->qhead = 0;
        c->qcap = cap;
    }
    m->refs++;
    c->q[(c->qhead + c->qcount) % c->qcap] = m;
    c->qcount++;
    c->qbytes += m->len;
    lws_callback_on_writable(c->wsi);
}

static void conn_send_text(struct conn *c, const char *text)
{
    struct rt_msg *m = rt_msg_create(text, strlen(text));
    conn_send(c, m);
    rt_msg_unref(m);
}

static void conn_send_json(struct conn *c, json_t *o)
{
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (text)
        conn_send_text(c, text);
    free(text);
}

static void conn_hello(struct conn *c, bool reset)
{
    conn_send_json(c, json_pack("{s:s, s:I, s:I, s:b}", "type", "hello", "last_id",
                                (json_int_t)c->cursor, "user_id", (json_int_t)c->who.user_id,
                                "reset", reset));
}

static void conn_cleanup(struct conn *c)
{
    for (unsigned i = 0; i < c->qcount; i++)
        rt_msg_unref(c->q[(c->qhead + i) % c->qcap]);
    free(c->q);
    c->q = NULL;
    c->qcount = c->qcap = 0;
    free(c->rx);
    c->rx = NULL;
    idlist_unref(c->watch);
    c->watch = NULL;
}

/* ---------------------------------------------------------------------------------------
 * Items from the tailer
 * ------------------------------------------------------------------------------------- */

void rt_gateway_post(struct rt_item *first, struct rt_item *last)
{
    pthread_mutex_lock(&inbox_lock);
    if (!accepting) { /* no gateway in this process (or it stopped): nobody to tell */
        pthread_mutex_unlock(&inbox_lock);
        while (first) {
            struct rt_item *next = first == last ? NULL : first->next;
            rt_item_free(first);
            first = next;
        }
        return;
    }
    if (inbox_tail)
        inbox_tail->next = first;
    else
        inbox_head = first;
    inbox_tail = last;
    last->next = NULL;
    /* under the lock: HTTP threads post too, and gateway_stop() must not destroy the
     * context between this test and the call */
    if (wake_ctx)
        lws_cancel_service(wake_ctx);
    pthread_mutex_unlock(&inbox_lock);
}

/* A presence event, cut down to the users this connection watches. */
static void send_presence(struct conn *c, const struct rt_item *it)
{
    json_t *list = NULL;
    for (size_t i = 0; i < it->npres; i++)
        if (idlist_has(c->watch, it->pres_ids[i])) {
            if (!list)
                list = json_array();
            json_array_append_new(list, json_pack("{s:I, s:s}", "user_id",
                                                   (json_int_t)it->pres_ids[i], "state",
                                                   it->pres_states[i]));
        }
    if (list)
        conn_send_json(c, json_pack("{s:s, s:o}", "type", "presence", "users", list));
}

/* What a connection has been offered: everything up to this id. */
static long long conn_seen(const struct conn *c)
{
    return c->pending || c->cursor > live_upto ? c->cursor : live_upto;
}

/* Offers a live event to a connection; one visited twice gets it once (the cursor). */
static void offer(struct conn *c, struct rt_item *it)
{
    if (c->pending || c->closing || it->id <= c->cursor)
        return;
    c->cursor = it->id;
    if (it->exclude_user && it->exclude_user == c->who.user_id)
        return;
    if (!audience_may_see(&it->rule, &c->who))
        return;
    if (it->pres_ids)
        send_presence(c, it);
    else
        conn_send(c, it->msg);
}

static void offer_user(long long id, struct rt_item *it)
{
    struct user *u = user_find(id);
    for (struct conn *c = u ? u->first : NULL; c; c = c->unext)
        offer(c, it);
}

/* An audience named by its members reaches them through the users table: a message to a
 * channel of 1,000 costs 1,000 lookups, not a pass over all 10,000 sockets (which was a
 * seventh of the gateway's time at 50 messages a second). Sockets not visited keep an
 * older cursor; conn_seen() reads it together with live_upto. */
static void deliver_event(struct rt_item *it)
{
    const struct audience_rule *r = &it->rule;
    if (r->kind == AUD_USER) {
        offer_user(r->id, it);
    } else if (r->members && r->members->n < (size_t)nconns) {
        for (size_t i = 0; i < r->members->n; i++)
            offer_user(r->members->ids[i], it);
        for (struct conn *c = r->admins ? admins : NULL; c; c = c->anext)
            offer(c, it);
    } else if (r->kind != AUD_NONE) {
        for (struct conn *c = conns; c; c = c->next)
            offer(c, it);
    }
    if (it->id > live_upto)
        live_upto = it->id;
}

static void deliver_backfill(struct rt_item *it)
{
    struct conn *c = conn_find(it->serial);
    if (!c || c->closing)
        return;
    if (it->upto < 0) {
        conn_kill(c, "backfill failed");
        return;
    }
    for (size_t i = 0; i < it->nmsgs; i++)
        conn_send(c, it->msgs[i]);
    if (it->upto > c->cursor)
        c->cursor = it->upto;
    if (it->state == RT_BACKFILL_MORE)
        return;
    c->pending = false;
    conn_hello(c, it->state == RT_BACKFILL_RESET);
}

/* Asks the tailer which of these sessions (a JSON array it takes) ended. */
static void ask_sessions(json_t *ids)
{
    struct rt_request *rq = calloc(1, sizeof *rq);
    if (rq) {
        rq->kind = RQ_SESSIONS;
        rq->watch = json_dumps(ids, JSON_COMPACT);
        rt_tail_request(rq);
    }
    json_decref(ids);
}

static int left_cmp(const void *k, const void *e)
{
    long long id = *(const long long *)k, other = ((const struct rt_session_left *)e)->session_id;
    return id < other ? -1 : id > other;
}

/* The tailer asks for the open sessions (id 0), or names those that ended: their
 * sockets close (logout, revocation, a password change, expiry, idleness, a disabled
 * user), and says when each of the others lapses unless used. Sent as soon as the
 * change commits on this node, and in id order with the events from the outbox on every
 * node, so no event after the change reaches a socket of that session. */
static void sessions_item(const struct rt_item *it)
{
    if (it->id == 0) {
        if (!conns)
            return;
        json_t *ids = json_array();
        for (struct conn *c = conns; c; c = c->next)
            json_array_append_new(ids, json_integer(c->who.session_id));
        ask_sessions(ids);
        return;
    }
    double now = now_s();
    for (struct conn *c = conns; c; c = c->next) {
        if (c->closing)
            continue;
        const struct rt_session_left *left;
        if (idlist_has(it->ended, c->who.session_id))
            conn_end(c, CLOSE_SESSION_ENDED, "session ended");
        else if (it->nlive && (left = bsearch(&c->who.session_id, it->live, it->nlive,
                                              sizeof *it->live, left_cmp)))
            c->lapse_at = now + (left->ms > 0 ? (double)left->ms / 1000.0 : 1.0);
    }
}

/* A user's role changed: their sockets carry the new one for every later event (and say
 * so in a {"type":"session","role":R} frame). One still waiting for its backfill, which
 * the tailer filtered under the old role, is closed instead (4002): it reconnects. */
static void reauth_item(const struct rt_item *it)
{
    struct user *u = user_find(it->reauth_user);
    for (struct conn *c = u ? u->first : NULL; c; c = c->unext) {
        if (c->closing || c->who.realm != REALM_EMPLOYEE || c->who.role == it->reauth_role)
            continue;
        if (c->pending) {
            conn_end(c, CLOSE_ROLE_CHANGED, "role changed");
            continue;
        }
        bool was_admin = is_admin(c);
        c->who.role = it->reauth_role;
        if (was_admin && !is_admin(c))
            admin_unlink(c);
        else if (!was_admin && is_admin(c))
            admin_link(c);
        conn_send_json(c, json_pack("{s:s, s:s?}", "type", "session", "role",
                                    role_name((enum role)c->who.role)));
    }
}

static void set_accepting(bool on, struct lws_context *wake)
{
    pthread_mutex_lock(&inbox_lock);
    accepting = on;
    wake_ctx = wake;
    if (wake && inbox_head) /* what came before the loop ran */
        lws_cancel_service(wake);
    pthread_mutex_unlock(&inbox_lock);
}

static void drain_inbox(void)
{
    pthread_mutex_lock(&inbox_lock);
    struct rt_item *it = inbox_head;
    inbox_head = inbox_tail = NULL;
    pthread_mutex_unlock(&inbox_lock);
    while (it) {
        struct rt_item *next = it->next;
        switch (it->kind) {
        case RT_EVENT:
            deliver_event(it);
            break;
        case RT_WATERMARK:
            if (it->id > live_upto)
                live_upto = it->id;
            break;
        case RT_BACKFILL:
            deliver_backfill(it);
            break;
        case RT_SESSIONS:
            sessions_item(it);
            break;
        case RT_REAUTH:
            reauth_item(it);
            break;
        case RT_FRAME: {
            struct conn *c = conn_find(it->serial);
            if (c)
                conn_send(c, it->msg);
            break;
        }
        }
        rt_item_free(it);
        it = next;
    }
}

/* Asks the tailer for what the connection missed after `after` (it stays pending and
 * receives nothing live until the backfill arrives; -1: nothing) and for the presence of
 * the users in watch (a JSON array it takes, or NULL). */
static void conn_register(struct conn *c, long long after, char *watch)
{
    struct rt_request *rq = calloc(1, sizeof *rq);
    if (!rq) {
        conn_kill(c, "out of memory");
        return;
    }
    rq->kind = RQ_REGISTER;
    rq->serial = c->serial;
    rq->who = c->who;
    rq->after = after;
    rq->watch = watch;
    if (after >= 0)
        c->pending = true;
    rt_tail_request(rq);
}

/* Keepalive, once a second. lws 4.1's own ping/pong (the retry policy) re-files a timer
 * per connection in one sorted list on every ping and pong, and each re-filing walks the
 * list: with 10,000 sockets, a walk of 10,000 per ping. Here a connection silent for
 * PORTAL_WS_PING seconds gets a ping; one silent for twice that and 5 s more is cut off.
 * A sweep costs one pass over the connections. */
static void sweep(lws_sorted_usec_list_t *sul)
{
    double now = now_s(), ping = config.ws_ping_s > 0 ? config.ws_ping_s : 30;
    /* Sockets that opened together fall quiet together: at most a ping interval's share
     * of them (and some) are pinged per sweep, so a wave spreads over seconds instead of
     * taking one turn of the loop. The rest wait a sweep; the hangup has the slack. */
    int budget = (int)(nconns / ping) + 64;
    json_t *lapsed = NULL; /* sessions that may have gone idle: one query per sweep */
    size_t nlapsed = 0;
    for (struct conn *c = conns; c; c = c->next) {
        double quiet = now - c->heard_at;
        if (c->closing)
            continue;
        if (now >= c->lapse_at && nlapsed < LAPSE_BATCH && (lapsed || (lapsed = json_array()))) {
            json_array_append_new(lapsed, json_integer(c->who.session_id));
            nlapsed++;
            c->lapse_at = now + LAPSE_RETRY_S; /* the answer sets the next one */
        }
        if (quiet >= 2 * ping + 5)
            conn_kill(c, "no answer to pings");
        else if (quiet >= ping && !c->pinged && budget > 0) {
            budget--;
            c->pinged = c->ping_due = true;
            lws_callback_on_writable(c->wsi);
        }
    }
    if (lapsed)
        ask_sessions(lapsed);
    lws_sul_schedule(context, 0, sul, sweep, LWS_US_PER_SEC);
}

static void heard(struct conn *c)
{
    c->heard_at = now_s();
    c->pinged = false;
}

/* ---------------------------------------------------------------------------------------
 * Client messages
 * ------------------------------------------------------------------------------------- */

/* Token bucket per user. Returns 1 to go on, 0 to drop the message, -1 to close. */
static int rate_check(struct conn *c)
{
    struct user *u = c->user;
    double now = now_s(), burst = 2.0 * config.ws_rate;
    u->tokens += (now - u->refilled) * config.ws_rate;
    u->refilled = now;
    if (u->tokens > burst) {
        u->tokens = burst;
        u->strikes = 0;
    }
    if (u->tokens >= 1.0) {
        u->tokens -= 1.0;
        return 1;
    }
    if (++u->strikes > 5 * config.ws_rate)
        return -1;
    if (now - u->last_error >= 1.0) {
        u->last_error = now;
        conn_send_text(c, "{\"type\":\"error\",\"code\":\"rate_limited\"}");
    }
    return 0;
}

/* {"type":"presence","watch":[user ids]}: from now on the connection gets the presence
 * of these users (employees only), starting with their state now. */
static void watch_presence(struct conn *c, const struct rt_client_frame *f)
{
    if (c->who.realm != REALM_EMPLOYEE) {
        conn_send_text(c, "{\"type\":\"error\",\"code\":\"bad_message\"}");
        return;
    }
    idlist_unref(c->watch);
    c->watch = idlist_create(f->watch, f->nwatch);
    if (!f->nwatch)
        return;
    json_t *ids = json_array();
    for (size_t i = 0; i < f->nwatch; i++)
        json_array_append_new(ids, json_integer(f->watch[i]));
    conn_register(c, -1, json_dumps(ids, JSON_COMPACT));
    json_decref(ids);
}

/* One text frame: rt_client_frame_parse (frame.c) decides, this acts. */
static void client_message(struct conn *c, const char *text, size_t len)
{
    struct rt_client_frame f; /* 4 KiB, as the watch list always took */
    double now;
    switch (rt_client_frame_parse(text, len, &f)) {
    case RT_CLIENT_PING:
        conn_send_text(c, "{\"type\":\"pong\"}");
        break;
    case RT_CLIENT_RESUME:
        if (!c->pending && f.after < conn_seen(c))
            conn_register(c, f.after, NULL);
        break;
    case RT_CLIENT_TYPING:
        now = now_s();
        if (now - c->typing_at >= TYPING_GAP_S) {
            c->typing_at = now;
            struct rt_request *rq = calloc(1, sizeof *rq);
            if (rq) {
                rq->kind = RQ_TYPING;
                rq->who = c->who;
                rq->channel = f.channel;
                rt_tail_request(rq);
            }
        }
        break;
    case RT_CLIENT_WATCH:
        watch_presence(c, &f);
        break;
    case RT_CLIENT_PRESENCE:
        if (f.away != c->away) {
            c->away = f.away;
            c->user->away += f.away ? 1 : -1;
            presence_update(c->user);
        }
        break;
    case RT_CLIENT_BAD:
    default:
        conn_send_text(c, "{\"type\":\"error\",\"code\":\"bad_message\"}");
        break;
    }
}

/* ---------------------------------------------------------------------------------------
 * The lws callback
 * ------------------------------------------------------------------------------------- */

/* Decides whether an upgrade may proceed: the path, the connection limit, the Origin and
 * the one-time ticket. Fills c on success. 0 to accept, 1 to refuse. */
static int admit(struct lws *wsi, struct conn *c)
{
    char uri[64] = "", origin[256] = "", buf[128];
    if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) < 0 || strcmp(uri, "/realtime") != 0)
        return 1;
    if (__atomic_load_n(&nconns_shared, __ATOMIC_RELAXED) >= config.ws_max_conns) {
        log_warn("realtime: refusing a connection: PORTAL_WS_MAX_CONNS (%d) reached",
                 config.ws_max_conns);
        return 1;
    }
    if (lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN) < 0 || !origin_allowed(origin)) {
        log_info("realtime: refused: origin \"%.80s\" is not in PORTAL_WS_ORIGINS", origin);
        return 1;
    }
    const char *ticket = lws_get_urlarg_by_name(wsi, "ticket=", buf, sizeof buf);
    struct audience_ident who;
    long long lapse_ms = 0;
    int ok = ticket ? realtime_ticket_redeem(ticket, &who, &lapse_ms) : 0;
    if (ok < 0)
        log_warn("realtime: cannot check a ticket: %s", db_error());
    if (ok == 0)
        log_info("realtime: refused: unknown, used or expired ticket");
    if (ok != 1)
        return 1;
    c->who = who;
    c->lapse_at = now_s() + (double)lapse_ms / 1000.0;
    c->after = -1;
    const char *after = lws_get_urlarg_by_name(wsi, "after=", buf, sizeof buf);
    if (!after)
        after = lws_get_urlarg_by_name(wsi, "since=", buf, sizeof buf);
    if (after && *after) {
        char *end;
        long long v = strtoll(after, &end, 10);
        if (!*end && v >= 0)
            c->after = v;
    }
    return 0;
}

static int on_established(struct lws *wsi, struct conn *c)
{
    c->wsi = wsi;
    c->serial = next_serial++;
    heard(c);
    c->user = user_get(&c->who);
    if (!c->user)
        return -1;
    c->user->conns++;
    c->established = true;
    conn_link(c);
    nconns++;
    __atomic_store_n(&nconns_shared, nconns, __ATOMIC_RELAXED);
    c->cursor = live_upto;
    if (c->after >= 0 && c->after < live_upto) {
        c->cursor = c->after;
        conn_register(c, c->after, NULL);
    } else {
        if (c->after > c->cursor)
            c->cursor = c->after; /* a node ahead of this one served it: nothing twice */
        conn_hello(c, false);
    }
    presence_update(c->user);
    return 0;
}

static int on_writable(struct lws *wsi, struct conn *c)
{
    if (c->closing) {
        if (c->close_why)
            lws_close_reason(wsi, (enum lws_close_status)c->close_code,
                             (unsigned char *)c->close_why, strlen(c->close_why));
        return -1;
    }
    if (c->ping_due) {
        /* with a payload: lws 4.1 reports no RECEIVE_PONG for an empty pong */
        unsigned char ping[LWS_PRE + 4] = {0};
        memcpy(ping + LWS_PRE, "ping", 4);
        c->ping_due = false;
        if (lws_write(wsi, ping + LWS_PRE, 4, LWS_WRITE_PING) < 0)
            return -1;
        if (c->qcount > 0)
            lws_callback_on_writable(wsi);
        return 0;
    }
    for (int n = 0; c->qcount > 0 && n < WRITES_PER_CB; n++) {
        struct rt_msg *m = c->q[c->qhead];
        int w = lws_write(wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT);
        c->qhead = (c->qhead + 1) % c->qcap;
        c->qcount--;
        c->qbytes -= m->len;
        rt_msg_unref(m);
        if (w < 0)
            return -1;
        /* lws_send_pipe_choked() costs a poll(): only ask when more is waiting */
        if (c->qcount == 0 || lws_send_pipe_choked(wsi))
            break;
    }
    if (c->qcount > 0)
        lws_callback_on_writable(wsi);
    return 0;
}

static int on_receive(struct lws *wsi, struct conn *c, const char *in, size_t len)
{
    if (lws_frame_is_binary(wsi)) {
        lws_close_reason(wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE, (unsigned char *)"text only",
                         9);
        return -1;
    }
    size_t total = c->rxlen + len + lws_remaining_packet_payload(wsi);
    if (total > config.ws_max_message) {
        lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)"too large",
                         9);
        return -1;
    }
    if (!c->rx) {
        c->rx = malloc(config.ws_max_message + 1);
        if (!c->rx)
            return -1;
    }
    memcpy(c->rx + c->rxlen, in, len);
    c->rxlen += len;
    if (lws_remaining_packet_payload(wsi) > 0 || !lws_is_final_fragment(wsi))
        return 0;
    size_t n = c->rxlen;
    c->rxlen = 0;
    int rate = rate_check(c);
    if (rate < 0) {
        lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)"rate limit",
                         10);
        return -1;
    }
    if (rate > 0)
        client_message(c, c->rx, n);
    /* Most connections send a message now and then: give the buffer back. */
    free(c->rx);
    c->rx = NULL;
    return 0;
}

static int callback_realtime(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                             void *in, size_t len)
{
    struct conn *c = user;
    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return c ? admit(wsi, c) : 1;
    case LWS_CALLBACK_ESTABLISHED:
        return on_established(wsi, c);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return on_writable(wsi, c);
    case LWS_CALLBACK_RECEIVE:
        heard(c);
        return on_receive(wsi, c, in, len);
    case LWS_CALLBACK_RECEIVE_PONG:
        heard(c);
        break;
    case LWS_CALLBACK_PROTOCOL_INIT:
        lws_sul_schedule(context ? context : lws_get_context(wsi), 0, &sweep_timer, sweep,
                         LWS_US_PER_SEC);
        break;
    case LWS_CALLBACK_PROTOCOL_DESTROY:
        lws_sul_cancel(&sweep_timer);
        break;
    case LWS_CALLBACK_CLOSED:
        if (c && c->established) {
            conn_unlink(c);
            if (c->away)
                c->user->away--;
            c->user->conns--;
            presence_update(c->user);
            user_release(c->user);
            c->user = NULL;
        }
        if (c)
            conn_cleanup(c);
        break;
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        drain_inbox();
        if (stopping && loop)
            ev_break(loop, EVBREAK_ALL);
        break;
    case LWS_CALLBACK_HTTP:
        return -1; /* only the websocket lives here */
    default:
        break;
    }
    return 0;
}

static const struct lws_protocols protocols[] = {
    /* rx_buffer_size bounds what lws reads per callback, not the message size (ours) */
    {"portal-realtime", callback_realtime, sizeof(struct conn), 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void *service(void *arg)
{
    (void)arg;
    if (loop)
        ev_run(loop, 0); /* until the stop's lws_cancel_service() breaks it */
    else
        while (!stopping)
            if (lws_service(context, 0) < 0)
                break;
    drain_inbox();
    db_thread_end();
    return NULL;
}

/* Raises the open-files limit to what PORTAL_WS_MAX_CONNS needs (plus the HTTP workers,
 * the database and the store), as far as the hard limit allows. */
static unsigned raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1024;
    rlim_t want = (rlim_t)config.ws_max_conns + (rlim_t)config.threads * 2 + 256;
    if (rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < want)
        log_warn("realtime: open-files limit %llu is below the %llu PORTAL_WS_MAX_CONNS needs",
                 (unsigned long long)rl.rlim_cur, (unsigned long long)want);
    return (unsigned)rl.rlim_cur;
}

int gateway_start(void)
{
    char host[256];
    snprintf(host, sizeof host, "%s", config.ws_listen);
    char *colon = strrchr(host, ':');
    if (!colon) {
        log_error("PORTAL_WS must be host:port, not %s", config.ws_listen);
        return -1;
    }
    *colon = '\0';
    unsigned fds = raise_fd_limit();
    set_accepting(true, NULL); /* what the tailer sends before the loop runs waits in the inbox */
    if (rt_tail_start() < 0) {
        set_accepting(false, NULL);
        return -1;
    }
    live_upto = rt_tail_start_id();
    lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
    memset(&retry_policy, 0, sizeof retry_policy); /* no validity timers: see sweep() */
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = atoi(colon + 1);
    info.iface = host[0] ? host : NULL;
    info.protocols = protocols;
    info.gid = -1;
    info.uid = -1;
    info.fd_limit_per_thread = fds;
    info.retry_and_idle_policy = &retry_policy;
    info.timeout_secs = 10; /* handshakes that stall */
    info.options = LWS_SERVER_OPTION_VALIDATE_UTF8 | LWS_SERVER_OPTION_DISABLE_IPV6;
    /* lws 4.1's own loop poll()s every descriptor on every turn: with 10,000 sockets that
     * is most of the gateway's time. On libev (epoll) a turn costs what is ready. The
     * loop is ours ("foreign" to lws) so that stopping can break it. */
    if (strcmp(config.ws_event_loop, "poll") != 0) {
        loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
        void *foreign[1] = {loop};
        info.options |= LWS_SERVER_OPTION_LIBEV;
        info.foreign_loops = foreign;
        context = loop ? lws_create_context(&info) : NULL;
        info.foreign_loops = NULL;
        info.options &= ~(uint64_t)LWS_SERVER_OPTION_LIBEV;
        if (!context) {
            if (loop)
                ev_loop_destroy(loop);
            loop = NULL;
            memset(&sweep_timer, 0, sizeof sweep_timer); /* filed in the failed context */
            /* Said only when poll() works: else the port is the problem, not libev. */
            if ((context = lws_create_context(&info)))
                log_warn("realtime: no libev event loop (is libwebsockets-evlib-ev installed?);"
                         " on poll(), slow beyond a few thousand sockets");
        }
    } else {
        context = lws_create_context(&info);
    }
    if (!context) {
        log_error("cannot listen for websockets on %s", config.ws_listen);
        rt_tail_stop();
        set_accepting(false, NULL);
        drain_inbox();
        return -1;
    }
    stopping = 0;
    if (pthread_create(&thread, NULL, service, NULL) != 0) {
        lws_context_destroy(context);
        context = NULL;
        if (loop)
            ev_loop_destroy(loop);
        loop = NULL;
        rt_tail_stop();
        set_accepting(false, NULL);
        drain_inbox();
        return -1;
    }
    set_accepting(true, context);
    return 0;
}

void gateway_stop(void)
{
    if (!context)
        return;
    rt_tail_stop();
    stopping = 1;
    lws_cancel_service(context);
    pthread_join(thread, NULL);
    set_accepting(false, NULL); /* from here on posts are freed, and nobody wakes context */
    lws_context_destroy(context);
    context = NULL;
    if (loop)
        ev_loop_destroy(loop);
    loop = NULL;
    drain_inbox(); /* no connection is left: this only frees what was sent last */
}
