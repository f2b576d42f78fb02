/* tail.c - the outbox tailer: one thread with its own database connection that polls the
 * event table, resolves each event's audience (member lists cached per audience,
 * dropped by membership-change events) and hands the events, in id order, to the lws
 * thread. It also serves the lws thread's requests that need the database: backfill for
 * a reconnecting client, typing indicators and presence.
 *
 * Out-of-order commits. Ids are allocated when a transaction inserts its event, but
 * transactions commit in any order: id 11 can be visible while 10 is not yet. Delivering
 * 11 first would let a client that disconnects right then resume "after 11" and never
 * see 10. So the tailer delivers strictly in id order and stops at the first missing id.
 * A missing id is either still uncommitted or will never appear (its transaction rolled
 * back, or a Galera node skipped it). When the tailer first meets a gap it notes the
 * database clock T0: the transaction that owns a missing id allocated it before the
 * higher id was committed, so it started before T0. Once no InnoDB transaction that
 * started at or before T0 is still open, one more poll shows whatever of the gap
 * committed, and the rest is dead and skipped. Without the PROCESS privilege (no view of
 * other transactions) a gap is given up after PORTAL_WS_GAP_WAIT_MS. InnoDB refreshes its
 * view of the open transactions only when nobody read it for 100 ms, so it is read every
 * TRX_CHECK_S: a rolled-back id holds the events behind it for about half a second. */
#include <errno.h>
#include <libwebsockets.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "chat.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "outbox.h"
#include "rt.h"

#define POLL_BATCH    1000
#define CACHE_BUCKETS 512
#define CACHE_TTL_S   60.0
#define HEARTBEAT_S   30.0
#define TRX_CHECK_S   0.3 /* at most this often: innodb_trx is cached by InnoDB */

static const char sql_now[] = "SELECT NOW(6)";
static const char sql_older_trx[] =
    "SELECT COUNT(*) FROM information_schema.innodb_trx"
    " WHERE trx_started <= ? AND trx_mysql_thread_id <> CONNECTION_ID()";
static const char sql_presence_upsert[] =
    "INSERT INTO presence (user_id, node, state, updated_at) VALUES (?, ?, ?, UTC_TIMESTAMP(6))"
    " ON DUPLICATE KEY UPDATE state = VALUES(state), updated_at = VALUES(updated_at)";
static const char sql_presence_delete[] = "DELETE FROM presence WHERE user_id = ? AND node = ?";
static const char sql_presence_of[] =
    "SELECT COUNT(*), COALESCE(MAX(state = 'online'), 0) FROM presence WHERE user_id = ?"
    " AND updated_at > UTC_TIMESTAMP(6) - INTERVAL 90 SECOND";
static const char sql_presence_watch[] =
    "SELECT user_id, MAX(state = 'online') FROM presence"
    " WHERE updated_at > UTC_TIMESTAMP(6) - INTERVAL 90 SECOND AND user_id IN"
    " (SELECT id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) t) GROUP BY user_id";
static const char sql_presence_node_delete[] = "DELETE FROM presence WHERE node = ?";
static const char sql_heartbeat[] =
    "UPDATE presence SET updated_at = UTC_TIMESTAMP(6) WHERE node = ?";
static const char sql_presence_stale[] =
    "SELECT DISTINCT user_id FROM presence WHERE updated_at <= UTC_TIMESTAMP(6) - INTERVAL 90 "
    "SECOND";
static const char sql_presence_reap[] =
    "DELETE FROM presence WHERE user_id = ? AND updated_at <= UTC_TIMESTAMP(6) - INTERVAL 90 "
    "SECOND";
static const char sql_purge_tickets[] =
    "DELETE FROM realtime_tickets WHERE expires_at < UTC_TIMESTAMP(6) - INTERVAL 1 HOUR LIMIT 5000";

static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct rt_request *req_head, *req_tail;
static int stopping, running;
static long long start_id;
static char node[96];

/* Tailer-thread state. */
static long long delivered;  /* every id <= delivered is settled */
static long long gap_hi;     /* > 0 while waiting on missing ids up to gap_hi */
static char gap_t0[40];      /* database clock when that gap was first seen */
static double gap_since;     /* monotonic time of the same */
static long long dead_upto;  /* missing ids up to here never commit */
static int trx_view = 1;     /* 0 once innodb_trx turned out unreadable */
static long long early_upto; /* ended sessions behind a gap were posted up to this id */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------------------------------
 * Messages and items
 * ------------------------------------------------------------------------------------- */

struct rt_msg *rt_msg_create(const char *text, size_t len)
{
    struct rt_msg *m = malloc(sizeof *m + LWS_PRE + len + 1);
    if (!m)
        return NULL;
    m->refs = 1;
    m->len = len;
    memcpy(m->buf + LWS_PRE, text, len);
    m->buf[LWS_PRE + len] = '\0';
    return m;
}

void rt_msg_unref(struct rt_msg *m)
{
    if (m && --m->refs == 0)
        free(m);
}

void rt_item_free(struct rt_item *it)
{
    if (!it)
        return;
    idlist_unref(it->rule.members);
    rt_msg_unref(it->msg);
    for (size_t i = 0; i < it->nmsgs; i++)
        rt_msg_unref(it->msgs[i]);
    free(it->msgs);
    free(it->pres_ids);
    free(it->pres_states);
    idlist_unref(it->ended);
    free(it->live);
    free(it);
}

static struct rt_msg *msg_from_json(json_t *o)
{
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!text)
        return NULL;
    struct rt_msg *m = rt_msg_create(text, strlen(text));
    free(text);
    return m;
}

/* The frame for an event row: typing and presence events become their own frame types,
 * everything else {"type":"event","id":N,"event":T,"data":{...}}. */
static struct rt_msg *event_frame(long long id, const char *type, const char *payload)
{
    json_t *data = json_loads(payload, 0, NULL);
    if (!data)
        data = json_object();
    if (strcmp(type, "typing") == 0 || strcmp(type, "presence") == 0) {
        if (!json_is_object(data)) {
            json_decref(data);
            data = json_object();
        }
        json_object_set_new(data, "type", json_string(type));
        return msg_from_json(data);
    }
    return msg_from_json(json_pack("{s:s, s:I, s:s, s:o}", "type", "event", "id", (json_int_t)id,
                                   "event", type, "data", data));
}

/* ---------------------------------------------------------------------------------------
 * Audience cache: member lists by audience, dropped by membership-change events and
 * after CACHE_TTL_S (feed groups change without events).
 * ------------------------------------------------------------------------------------- */

struct cache_entry {
    struct cache_entry *next;
    enum audience_kind kind;
    long long id;
    struct idlist *members;
    double loaded;
};
static struct cache_entry *cache[CACHE_BUCKETS];

static unsigned cache_slot(enum audience_kind kind, long long id)
{
    return (unsigned)(((unsigned long long)id * 2654435761u) ^ (unsigned)kind) % CACHE_BUCKETS;
}

static void cache_drop(enum audience_kind kind, long long id)
{
    for (struct cache_entry **p = &cache[cache_slot(kind, id)]; *p;) {
        struct cache_entry *e = *p;
        if (e->kind == kind && (e->id == id || id == 0)) {
            *p = e->next;
            idlist_unref(e->members);
            free(e);
        } else
            p = &e->next;
    }
}

static void cache_drop_kind(enum audience_kind kind)
{
    for (unsigned s = 0; s < CACHE_BUCKETS; s++)
        for (struct cache_entry **p = &cache[s]; *p;) {
            struct cache_entry *e = *p;
            if (e->kind == kind) {
                *p = e->next;
                idlist_unref(e->members);
                free(e);
            } else
                p = &e->next;
        }
}

static void cache_clear(void)
{
    for (unsigned s = 0; s < CACHE_BUCKETS; s++)
        while (cache[s]) {
            struct cache_entry *e = cache[s];
            cache[s] = e->next;
            idlist_unref(e->members);
            free(e);
        }
}

/* The member list of an audience (a new reference), from the cache or the function its
 * module registered (audience_register). No function, or a table that does not exist
 * (chat_members before the chat module), gives an empty list: nobody. NULL on any other
 * database error. */
static struct idlist *members_of(enum audience_kind kind, long long id)
{
    double now = now_s();
    for (struct cache_entry *e = cache[cache_slot(kind, id)]; e; e = e->next)
        if (e->kind == kind && e->id == id) {
            if (now - e->loaded < CACHE_TTL_S)
                return idlist_ref(e->members);
            cache_drop(kind, id);
            break;
        }
    audience_members_fn members = audience_members(kind);
    struct arena a;
    arena_init(&a);
    struct idlist *l = NULL;
    struct db_res *res = members ? members(&a, id) : NULL;
    if (!members || (!res && db_errno() == 1146)) /* ER_NO_SUCH_TABLE */
        l = idlist_create(NULL, 0);
    else if (res) {
        long long *ids = arena_alloc(&a, sizeof(long long) * (size_t)(res->nrows + 1));
        for (int i = 0; i < res->nrows; i++)
            ids[i] = db_ll(res, i, 0);
        l = idlist_create(ids, (size_t)res->nrows);
    }
    arena_cleanup(&a);
    if (!l)
        return NULL;
    struct cache_entry *e = calloc(1, sizeof *e);
    if (e) {
        unsigned s = cache_slot(kind, id);
        e->kind = kind;
        e->id = id;
        e->members = idlist_ref(l);
        e->loaded = now;
        e->next = cache[s];
        cache[s] = e;
    }
    return l;
}

/* Resolves an event's audience into rule (which then owns a member list reference).
 * Drops cached members first when the event itself changes them, so someone just added
 * sees the event that says so. 0, or -1 on a database error (try again later). */
static int resolve(const char *type, const char *audience, struct audience_rule *rule)
{
    memset(rule, 0, sizeof *rule);
    rule->kind = audience_parse(audience, &rule->id);
    if (audience_changes_members(type, rule->kind)) {
        cache_drop(rule->kind, rule->id);
        if (rule->kind == AUD_PROJECT)
            cache_drop_kind(AUD_BOARD); /* boards inherit their project's members */
    }
    switch (rule->kind) {
    case AUD_GROUP:
    case AUD_PROJECT:
    case AUD_BOARD:
        rule->admins = true;
        /* fall through */
    case AUD_CHANNEL:
        rule->members = members_of(rule->kind, rule->id);
        return rule->members ? 0 : -1;
    default:
        return 0;
    }
}

/* ---------------------------------------------------------------------------------------
 * Requests from the lws thread
 * ------------------------------------------------------------------------------------- */

void rt_tail_request(struct rt_request *rq)
{
    rq->next = NULL;
    pthread_mutex_lock(&lock);
    if (!running || stopping) { /* closing connections while the process stops */
        pthread_mutex_unlock(&lock);
        free(rq->watch);
        free(rq);
        return;
    }
    if (req_tail)
        req_tail->next = rq;
    else
        req_head = rq;
    req_tail = rq;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
}

static struct rt_item *item_new(enum rt_item_kind kind)
{
    struct rt_item *it = calloc(1, sizeof *it);
    if (it)
        it->kind = kind;
    return it;
}

static void post_one(struct rt_item *it)
{
    if (it)
        rt_gateway_post(it, it);
}

/* The state of the users a connection watches (offline for those without a fresh row). */
static void presence_snapshot(const struct rt_request *rq)
{
    struct arena a;
    arena_init(&a);
    struct db_res *res = db_query(&a, sql_presence_watch, "s", rq->watch);
    json_t *ids = json_loads(rq->watch, 0, NULL);
    if (res && ids) {
        json_t *users = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(ids, i, v)
        {
            long long uid = json_integer_value(v);
            const char *state = "offline";
            for (int r = 0; r < res->nrows; r++)
                if (db_ll(res, r, 0) == uid)
                    state = db_ll(res, r, 1) == 1 ? "online" : "away";
            json_array_append_new(
                users, json_pack("{s:I, s:s}", "user_id", (json_int_t)uid, "state", state));
        }
        struct rt_item *it = item_new(RT_FRAME);
        if (it) {
            it->serial = rq->serial;
            it->msg = msg_from_json(json_pack("{s:s, s:o}", "type", "presence", "users", users));
            post_one(it);
        } else
            json_decref(users);
    }
    json_decref(ids);
    arena_cleanup(&a);
}

/* One page of missed events for a reconnecting client, filtered by what it may see.
 * Returns 1 when more pages follow (rq->after moved on), 0 when done, -1 on error. */
static int backfill(struct rt_request *rq)
{
    struct rt_item *it = item_new(RT_BACKFILL);
    if (!it)
        return -1;
    it->serial = rq->serial;
    if (delivered - rq->after > config.ws_backfill_max) {
        it->state = RT_BACKFILL_RESET;
        it->upto = delivered;
        post_one(it);
        return 0;
    }
    struct arena a;
    arena_init(&a);
    int rc = -1;
    long long upto = delivered;
    struct db_res *res = outbox_backfill(&a, rq->after, upto);
    if (!res)
        goto cleanup;
    it->msgs = calloc((size_t)res->nrows + 1, sizeof *it->msgs);
    if (!it->msgs)
        goto cleanup;
    for (int i = 0; i < res->nrows; i++) {
        struct audience_rule rule;
        if (strncmp(db_str(res, i, 1), RT_CONTROL_PREFIX, strlen(RT_CONTROL_PREFIX)) == 0)
            continue; /* the gateway's own, delivered live only */
        if (resolve(db_str(res, i, 1), db_str(res, i, 2), &rule) < 0)
            goto cleanup;
        bool visible = audience_may_see(&rule, &rq->who);
        idlist_unref(rule.members);
        if (!visible)
            continue;
        struct rt_msg *m = event_frame(db_ll(res, i, 0), db_str(res, i, 1), db_str(res, i, 3));
        if (m)
            it->msgs[it->nmsgs++] = m;
    }
    if (res->nrows == POLL_BATCH) {
        upto = db_ll(res, res->nrows - 1, 0);
        it->state = RT_BACKFILL_MORE;
        rq->after = upto;
        rc = 1;
    } else {
        it->state = RT_BACKFILL_DONE;
        rc = 0;
    }
    it->upto = upto;
    post_one(it);
    it = NULL;
cleanup:
    rt_item_free(it);
    arena_cleanup(&a);
    return rc;
}

struct event_out {
    const char *type, *audience;
    json_t *payload;
};

static int append_tx(void *arg)
{
    struct event_out *e = arg;
    return outbox_append(e->type, e->audience, e->payload) < 0 ? -1 : 0;
}

/* Appends an event in a transaction of its own (this thread serves no request: db_tx).
 * 0/-1. */
static int append_event(const char *type, const char *audience, json_t *payload)
{
    struct event_out e = {type, audience, payload};
    return db_tx(append_tx, &e) == 0 ? 0 : -1;
}

static void typing(const struct rt_request *rq)
{
    struct idlist *members = members_of(AUD_CHANNEL, rq->channel);
    bool member = idlist_has(members, rq->who.user_id);
    idlist_unref(members);
    if (!member)
        return; /* not their channel (or no chat yet): nothing to say */
    struct arena a;
    arena_init(&a);
    bool writable = chat_channel_writable(&a, rq->channel) == 1;
    arena_cleanup(&a);
    if (!writable)
        return; /* archived: read-only, nobody types there */
    char audience[48];
    snprintf(audience, sizeof audience, "channel:%lld", rq->channel);
    json_t *p = json_pack("{s:I, s:I}", "channel", (json_int_t)rq->channel, "user_id",
                          (json_int_t)rq->who.user_id);
    if (append_event("typing", audience, p) < 0)
        log_warn("realtime: cannot record typing: %s", db_error());
    json_decref(p);
}

/* The user's state over every node, as the others should see it. */
static const char *presence_name(long long user_id)
{
    struct arena a;
    arena_init(&a);
    struct db_res *res = db_query(&a, sql_presence_of, "i", user_id);
    const char *state = !res || db_ll(res, 0, 0) == 0 ? "offline"
                        : db_ll(res, 0, 1)            ? "online"
                                                      : "away";
    arena_cleanup(&a);
    return state;
}

struct presence_round {
    struct rt_request **changes;
    size_t n;
};

static int presence_tx(void *arg)
{
    struct presence_round *pr = arg;
    struct rt_request **changes = pr->changes;
    size_t n = pr->n;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        long long uid = changes[i]->who.user_id;
        enum rt_presence state = changes[i]->state;
        rc = state == RT_OFFLINE ? db_exec(sql_presence_delete, "is", uid, node)
                                 : db_exec(sql_presence_upsert, "iss", uid, node,
                                           state == RT_AWAY ? "away" : "online");
    }
    if (rc < 0)
        return -1;
    json_t *users = json_array();
    for (size_t i = 0; i < n; i++) {
        long long uid = changes[i]->who.user_id;
        bool seen = false; /* the same user twice in one round: its last state counts */
        for (size_t k = i + 1; k < n && !seen; k++)
            seen = changes[k]->who.user_id == uid;
        if (!seen)
            json_array_append_new(users, json_pack("{s:I, s:s}", "user_id", (json_int_t)uid,
                                                   "state", presence_name(uid)));
    }
    json_t *p = json_pack("{s:o}", "users", users);
    rc = outbox_append("presence", "employees", p) < 0 ? -1 : 0;
    json_decref(p);
    return rc;
}

/* Records the presence changes of this node gathered in one round of requests, in one
 * transaction with one "presence" event listing every user's state over all nodes (a
 * thousand people connecting at once cost one commit and one frame per watcher, not a
 * thousand). 0/-1. */
static int presence_changes(struct rt_request **changes, size_t n)
{
    if (n == 0)
        return 0;
    struct presence_round pr = {changes, n};
    if (db_tx(presence_tx, &pr) == 0)
        return 0;
    log_warn("realtime: cannot record presence: %s", db_error());
    return -1;
}

/* Of the sessions the open connections belong to (a JSON array), tells the lws thread
 * those that ended, so it closes their sockets, and when each of the others lapses. */
static void sessions_check(const char *ids)
{
    struct arena a;
    arena_init(&a);
    long long idle = config.session_idle_s;
    struct db_res *res = ids ? auth_sessions_state(&a, ids, idle) : NULL;
    struct rt_item *it = res && res->nrows > 0 ? item_new(RT_SESSIONS) : NULL;
    long long *ended = it ? arena_alloc(&a, sizeof(long long) * (size_t)res->nrows) : NULL;
    size_t nended = 0;
    if (it && ended && (it->live = calloc((size_t)res->nrows, sizeof *it->live))) {
        it->id = 1;
        for (int i = 0; i < res->nrows; i++)
            if (db_ll(res, i, 1))
                ended[nended++] = db_ll(res, i, 0);
            else
                it->live[it->nlive++] =
                    (struct rt_session_left){db_ll(res, i, 0), db_ll(res, i, 2)};
        it->ended = idlist_create(ended, nended);
        post_one(it);
    } else
        rt_item_free(it);
    if (ids && !res)
        log_warn("realtime: cannot check sessions: %s", db_error());
    arena_cleanup(&a);
}

/* The gateway's own events: "session.ended" {"sessions":[ids]}: those sessions ended;
 * "session.role" {"user_id":U,"role":R}: U's role is R from here on. */
struct rt_item *rt_control_item(const char *type, const char *payload)
{
    if (strncmp(type, RT_CONTROL_PREFIX, strlen(RT_CONTROL_PREFIX)) != 0)
        return NULL;
    json_t *p = json_loads(payload ? payload : "{}", 0, NULL);
    long long user = json_integer_value(json_object_get(p, "user_id"));
    struct rt_item *it = NULL;
    if (strcmp(type, "session.ended") == 0 && (it = item_new(RT_SESSIONS))) {
        json_t *list = json_object_get(p, "sessions");
        size_t n = json_array_size(list);
        long long *v = calloc(n + 1, sizeof *v);
        for (size_t i = 0; v && i < n; i++)
            v[i] = json_integer_value(json_array_get(list, i));
        it->id = 1;
        it->ended = v ? idlist_create(v, n) : NULL;
        free(v);
    } else if (strcmp(type, "session.role") == 0 && user > 0 && (it = item_new(RT_REAUTH))) {
        it->reauth_user = user;
        it->reauth_role = (int)role_from_name(json_string_value(json_object_get(p, "role")));
    }
    json_decref(p);
    return it;
}

/* Serves the queued requests. Backfills that need more pages go back in the queue, so
 * that every page ends at the watermark of its own moment. */
static struct rt_request *take_requests(void)
{
    pthread_mutex_lock(&lock);
    struct rt_request *rq = req_head;
    req_head = req_tail = NULL;
    pthread_mutex_unlock(&lock);
    return rq;
}

static void serve_requests(void)
{
    struct rt_request *rq = take_requests();
    struct rt_request *presence[256];
    size_t npresence = 0;
    while (rq) {
        struct rt_request *next = rq->next;
        int again = 0;
        switch (rq->kind) {
        case RQ_REGISTER:
            if (rq->watch) {
                presence_snapshot(rq);
                free(rq->watch);
                rq->watch = NULL;
            }
            if (rq->after >= 0) {
                again = backfill(rq);
                if (again < 0) { /* the database failed: the client reconnects and retries */
                    struct rt_item *it = item_new(RT_BACKFILL);
                    if (it) {
                        it->serial = rq->serial;
                        it->state = RT_BACKFILL_RESET;
                        it->upto = -1; /* close it */
                        post_one(it);
                    }
                    again = 0;
                }
            }
            break;
        case RQ_TYPING:
            typing(rq);
            break;
        case RQ_SESSIONS:
            sessions_check(rq->watch);
            free(rq->watch);
            rq->watch = NULL;
            break;
        case RQ_PRESENCE:
            if (npresence == sizeof presence / sizeof presence[0]) {
                presence_changes(presence, npresence);
                for (size_t i = 0; i < npresence; i++)
                    free(presence[i]);
                npresence = 0;
            }
            presence[npresence++] = rq;
            again = -1; /* kept until the batch is written */
            break;
        }
        if (again > 0)
            rt_tail_request(rq);
        else if (again == 0)
            free(rq);
        rq = next;
    }
    presence_changes(presence, npresence);
    for (size_t i = 0; i < npresence; i++)
        free(presence[i]);
}

/* ---------------------------------------------------------------------------------------
 * Polling
 * ------------------------------------------------------------------------------------- */

/* After a gap was seen at gap_t0: has every transaction that could own a missing id
 * ended? Then whatever the next poll does not show never will. */
static void settle_gap(void)
{
    if (gap_hi == 0 || dead_upto >= gap_hi)
        return;
    if (now_s() - gap_since > config.ws_gap_wait_ms / 1000.0) {
        log_warn("realtime: event ids up to %lld still missing after %d ms: skipped", gap_hi,
                 config.ws_gap_wait_ms);
        dead_upto = gap_hi;
        return;
    }
    /* InnoDB refreshes its innodb_trx snapshot only after 100 ms without a reader. */
    static double checked;
    if (!trx_view || now_s() - checked < TRX_CHECK_S)
        return;
    checked = now_s();
    struct arena a;
    arena_init(&a);
    struct db_res *res = db_query(&a, sql_older_trx, "s", gap_t0);
    if (!res) {
        log_warn("realtime: cannot read information_schema.innodb_trx (%s); gaps in event ids "
                 "wait PORTAL_WS_GAP_WAIT_MS",
                 db_error());
        trx_view = 0;
    } else if (db_ll(res, 0, 0) == 0)
        dead_upto = gap_hi;
    arena_cleanup(&a);
}

/* A gap blocks delivery at id `missing`; ids up to `hi` have been seen. While an earlier
 * T0 still covers `missing`, it stays (a newer one would never settle under steady
 * writes); else the clock is read now and covers every gap up to hi. */
static void note_gap(long long missing, long long hi)
{
    if (gap_hi != 0 && missing <= gap_hi && dead_upto < gap_hi)
        return;
    struct arena a;
    arena_init(&a);
    struct db_res *res = db_query(&a, sql_now, "");
    if (res) {
        snprintf(gap_t0, sizeof gap_t0, "%s", db_str(res, 0, 0));
        gap_hi = hi;
        gap_since = now_s();
    }
    arena_cleanup(&a);
}

/* Unpacks a presence event's {"users":[{user_id,state}]} into the item. */
static void presence_entries(struct rt_item *it, const char *payload)
{
    json_t *p = json_loads(payload, 0, NULL);
    json_t *users = json_object_get(p, "users");
    size_t n = json_array_size(users);
    it->pres_ids = calloc(n + 1, sizeof *it->pres_ids);
    it->pres_states = calloc(n + 1, sizeof *it->pres_states);
    if (it->pres_ids && it->pres_states)
        for (size_t i = 0; i < n; i++) {
            json_t *u = json_array_get(users, i);
            const char *state = json_string_value(json_object_get(u, "state"));
            it->pres_ids[it->npres] = json_integer_value(json_object_get(u, "user_id"));
            snprintf(it->pres_states[it->npres], sizeof it->pres_states[0], "%s",
                     state ? state : "offline");
            it->npres++;
        }
    json_decref(p);
}

/* One poll: delivers the settled events after `delivered`. Returns the number of rows
 * read (POLL_BATCH means poll again at once), or -1 on a database error. */
static int poll_events(void)
{
    settle_gap();
    struct arena a;
    arena_init(&a);
    struct db_res *res = outbox_after(&a, delivered);
    if (!res) {
        arena_cleanup(&a);
        return -1;
    }
    struct rt_item *first = NULL, *last = NULL;
    long long was = delivered;
    bool blocked = false;
    struct rt_item *early = NULL; /* sessions that ended, seen behind a gap */
    for (int i = 0; i < res->nrows; i++) {
        long long id = db_ll(res, i, 0);
        if (id != delivered + 1 && id - 1 > dead_upto) {
            /* Every id missing below the highest one seen now was allocated before now:
             * one settlement covers all the gaps of this batch. */
            note_gap(delivered + 1, db_ll(res, res->nrows - 1, 0) - 1);
            blocked = true;
            /* A session that ended is closed now, not after the gap: closing early shows
             * nobody anything (the item comes again in order, closing nothing twice). */
            for (int k = res->nrows - 1; k >= i && db_ll(res, k, 0) > early_upto; k--)
                if (strcmp(db_str(res, k, 1), "session.ended") == 0) {
                    struct rt_item *e = rt_control_item("session.ended", db_str(res, k, 3));
                    if (e) {
                        e->next = early;
                        early = e;
                    }
                }
            if (db_ll(res, res->nrows - 1, 0) > early_upto)
                early_upto = db_ll(res, res->nrows - 1, 0);
            break;
        }
        const char *type = db_str(res, i, 1);
        struct rt_item *it = NULL;
        if (strncmp(type, RT_CONTROL_PREFIX, strlen(RT_CONTROL_PREFIX)) == 0) {
            /* for the gateway itself, in order with the events around it; never sent */
            it = rt_control_item(type, db_str(res, i, 3));
        } else {
            if (!(it = item_new(RT_EVENT)))
                break;
            if (resolve(type, db_str(res, i, 2), &it->rule) < 0) {
                rt_item_free(it);
                break; /* a database error: this event again next time */
            }
            it->id = id;
            it->msg = event_frame(id, type, db_str(res, i, 3));
            if (strcmp(type, "typing") == 0) {
                json_t *p = json_loads(db_str(res, i, 3), 0, NULL);
                it->exclude_user = json_integer_value(json_object_get(p, "user_id"));
                json_decref(p);
            } else if (strcmp(type, "presence") == 0)
                presence_entries(it, db_str(res, i, 3));
        }
        if (it) {
            if (last)
                last->next = it;
            else
                first = it;
            last = it;
        }
        delivered = id;
    }
    if (!blocked && gap_hi && delivered >= gap_hi)
        gap_hi = 0;
    int rows = res->nrows;
    arena_cleanup(&a);
    if (delivered != was) {
        struct rt_item *w = item_new(RT_WATERMARK);
        if (w) {
            w->id = delivered;
            if (last)
                last->next = w;
            else
                first = w;
            last = w;
        }
    }
    if (early) {
        struct rt_item *e = early;
        while (e->next)
            e = e->next;
        if (last)
            last->next = early;
        else
            first = early;
        last = e;
    }
    if (first)
        rt_gateway_post(first, last);
    return blocked ? 0 : rows;
}

/* Reaps the stale presence rows of user *arg, telling everyone when there were some. */
static int reap_tx(void *arg)
{
    long long uid = *(long long *)arg;
    if (db_exec(sql_presence_reap, "i", uid) < 0)
        return -1;
    if (db_affected() == 0)
        return 0;
    json_t *p = json_pack("{s:[{s:I, s:s}]}", "users", "user_id", (json_int_t)uid, "state",
                          presence_name(uid));
    int rc = outbox_append("presence", "employees", p) < 0 ? -1 : 0;
    json_decref(p);
    return rc;
}

/* Every HEARTBEAT_S: keeps this node's presence rows fresh, reaps those of nodes that
 * stopped beating (telling everyone those users went offline), and purges typing and
 * presence events and used tickets: none of them is kept for long. */
static void housekeeping(void)
{
    db_exec(sql_heartbeat, "s", node);
    struct arena a;
    arena_init(&a);
    struct db_res *stale = db_query(&a, sql_presence_stale, "");
    for (int i = 0; stale && i < stale->nrows; i++) {
        long long uid = db_ll(stale, i, 0);
        if (db_tx(reap_tx, &uid) < 0 && db_errno_is_down(db_errno()))
            break;
    }
    arena_cleanup(&a);
    outbox_purge_ephemeral();
    db_exec(sql_purge_tickets, "");
}

static void *tail_main(void *arg)
{
    (void)arg;
    double next_house = now_s() + 1.0, next_sessions = now_s() + config.ws_session_check_s;
    while (!__atomic_load_n(&stopping, __ATOMIC_ACQUIRE)) {
        double t0 = now_s();
        serve_requests();
        double t1 = now_s();
        int rows = poll_events();
        double t2 = now_s();
        if (now_s() >= next_house) {
            housekeeping();
            next_house = now_s() + HEARTBEAT_S;
        }
        double t3 = now_s();
        if (t3 - t0 > 0.25) /* every live event waited this long: say where it went */
            log_warn("realtime: the outbox tailer was busy %.0f ms: requests %.0f, poll %.0f"
                     " (%d rows), housekeeping %.0f",
                     (t3 - t0) * 1e3, (t1 - t0) * 1e3, (t2 - t1) * 1e3, rows, (t3 - t2) * 1e3);
        if (now_s() >= next_sessions) { /* ask the lws thread which sessions are open */
            post_one(item_new(RT_SESSIONS));
            next_sessions = now_s() + config.ws_session_check_s;
        }
        if (rows == POLL_BATCH)
            continue;
        /* Wait for the next poll, or for a request. */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        long long ns = until.tv_nsec + (long long)(rows < 0 ? 500 : config.ws_poll_ms) * 1000000LL;
        until.tv_sec += ns / 1000000000LL;
        until.tv_nsec = ns % 1000000000LL;
        pthread_mutex_lock(&lock);
        if (!req_head && !stopping)
            pthread_cond_timedwait(&wake, &lock, &until);
        pthread_mutex_unlock(&lock);
    }
    /* This node's users are offline now. */
    struct rt_request *rq = take_requests();
    while (rq) {
        struct rt_request *next = rq->next;
        free(rq->watch);
        free(rq);
        rq = next;
    }
    db_exec(sql_presence_node_delete, "s", node);
    cache_clear();
    db_thread_end();
    return NULL;
}

long long rt_tail_start_id(void)
{
    return start_id;
}

int rt_tail_start(void)
{
    char host[64] = "node";
    gethostname(host, sizeof host - 1);
    snprintf(node, sizeof node, "%.60s:%ld", host, (long)getpid());
    struct arena a;
    arena_init(&a);
    long long max_id = outbox_max_id(&a);
    if (max_id < 0) {
        arena_cleanup(&a);
        log_error("realtime: cannot read the event table: %s", db_error());
        return -1;
    }
    start_id = delivered = max_id;
    arena_cleanup(&a);
    gap_hi = dead_upto = 0;
    stopping = 0;
    running = 1;
    if (pthread_create(&thread, NULL, tail_main, NULL) != 0) {
        running = 0;
        return -1;
    }
    return 0;
}

void rt_tail_stop(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&lock);
    __atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    pthread_join(thread, NULL);
    running = 0;
}
