/* rt.h - what the realtime gateway's two threads hand each other. The lws service thread
 * (gateway.c) owns every connection; the outbox tailer (tail.c) owns a database
 * connection, polls the event table and resolves audiences. They talk only through
 * these two mutex-guarded queues: requests go to the tailer, items come back to the
 * lws thread (which is woken with lws_cancel_service()). */
#ifndef PORTAL_RT_H
#define PORTAL_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audience.h"

/* A frame to send, shared by every connection it goes to (reference counted, touched
 * only by the lws thread once handed over). buf has LWS_PRE bytes of headroom. */
struct rt_msg {
    int refs;
    size_t len;
    unsigned char buf[];
};
struct rt_msg *rt_msg_create(const char *text, size_t len); /* refs = 1 */
void rt_msg_unref(struct rt_msg *m);                          /* accepts NULL */

enum rt_item_kind {
    RT_EVENT,     /* an outbox event, in id order, to every connection whose user may see it */
    RT_WATERMARK, /* every id up to id is settled (delivered or known never to commit) */
    RT_BACKFILL,  /* missed events for one connection (serial), then its cursor is upto */
    RT_FRAME,     /* one frame for one connection (presence snapshot, refusals) */
    RT_SESSIONS,  /* id == 0: tell the tailer every open session; else sessions that ended
                   * (closed) and how long the live ones may stay idle */
    RT_REAUTH,    /* a user's role changed: their sockets carry the new one from here on */
};

enum rt_backfill_state { RT_BACKFILL_MORE, RT_BACKFILL_DONE, RT_BACKFILL_RESET };

struct rt_item {
    struct rt_item *next;
    enum rt_item_kind kind;
    long long id;              /* RT_EVENT, RT_WATERMARK */
    struct audience_rule rule; /* RT_EVENT: owns rule.members */
    long long exclude_user;    /* RT_EVENT: not sent to this user (their own typing) */
    struct rt_msg *msg;        /* RT_EVENT, RT_FRAME: owned reference */
    uint64_t serial;           /* RT_BACKFILL, RT_FRAME: the connection */
    long long upto;            /* RT_BACKFILL */
    enum rt_backfill_state state;
    struct rt_msg **msgs; /* RT_BACKFILL: owned */
    size_t nmsgs;
    /* RT_EVENT of type "presence": the users it reports, so each connection gets only
     * those it watches (owned) */
    long long *pres_ids;
    char (*pres_states)[8];
    size_t npres;
    struct idlist *ended; /* RT_SESSIONS: the sessions that ended (owned) */
    /* RT_SESSIONS: sessions still valid and the milliseconds until each lapses (idle or
     * expired) unless used meanwhile; sorted by id (owned) */
    struct rt_session_left *live;
    size_t nlive;
    /* RT_REAUTH: whose role (enum role) changed */
    long long reauth_user;
    int reauth_role;
};
struct rt_session_left {
    long long session_id, ms;
};
void rt_item_free(struct rt_item *it); /* the item and every reference it owns */

enum rt_request_kind {
    RQ_REGISTER, /* a connection opened or resumed: backfill from after, presence snapshot */
    RQ_TYPING,   /* who is typing in channel */
    RQ_PRESENCE, /* who's state on this node changed */
    RQ_SESSIONS, /* which of these sessions ended (watch: JSON array of ids) */
};

enum rt_presence { RT_OFFLINE = 0, RT_ONLINE = 1, RT_AWAY = 2 };

struct rt_request {
    struct rt_request *next;
    enum rt_request_kind kind;
    uint64_t serial;
    struct audience_ident who;
    long long after;    /* RQ_REGISTER: -1 for no backfill */
    char *watch;        /* RQ_REGISTER: JSON array of user ids whose presence to send, owned */
    long long channel;  /* RQ_TYPING */
    enum rt_presence state; /* RQ_PRESENCE */
};

/* gateway.c: hands a list of items (in order) to the lws thread and wakes it. When the
 * gateway is not running (a command line tool, a stop) the items are freed. */
void rt_gateway_post(struct rt_item *first, struct rt_item *last);

/* frame.c: a client's text frame as the gateway dispatches on it. */
#define RT_WATCH_MAX 500 /* users one connection may follow the presence of */
enum rt_client_kind {
    RT_CLIENT_BAD = 0,  /* not JSON, too deep, unknown type or a bad field: bad_message */
    RT_CLIENT_PING,     /* {"type":"ping"} */
    RT_CLIENT_RESUME,   /* {"type":"resume","after":N>=0}: after */
    RT_CLIENT_TYPING,   /* {"type":"typing","channel":C>0}: channel */
    RT_CLIENT_PRESENCE, /* {"type":"presence","state":"away|online"}: away */
    RT_CLIENT_WATCH,    /* {"type":"presence","watch":[U>0,...]}: watch[0..nwatch) */
};
struct rt_client_frame {
    enum rt_client_kind kind;
    long long after, channel;
    bool away;
    size_t nwatch;
    long long watch[RT_WATCH_MAX];
};
/* Parses text[0..len) (jsonin_load, JSONIN_MAX_DEPTH) into *f, which is all zero but
 * the kind unless the frame is good. Returns f->kind. Allocates nothing that outlives it. */
enum rt_client_kind rt_client_frame_parse(const char *text, size_t len, struct rt_client_frame *f);

/* tail.c */
int rt_tail_start(void);                /* reads the newest id, starts the thread; 0/-1 */
void rt_tail_stop(void);                /* joins the thread */
void rt_tail_request(struct rt_request *rq); /* takes ownership; any thread */
long long rt_tail_start_id(void);       /* the newest event id when the tailer started */

/* tail.c: one of the gateway's own outbox events ("session.*", never sent to a browser)
 * as a new item for rt_gateway_post() (NULL for any other type or payload). The tailer
 * delivers them in id order; sessions.c hands the same item to this node's gateway as
 * soon as the change commits. */
struct rt_item *rt_control_item(const char *type, const char *payload);
#define RT_CONTROL_PREFIX "session."

#endif
