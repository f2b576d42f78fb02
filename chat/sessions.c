/* sessions.c - sockets follow their session: when a session ends or a user's role
 * changes, the HTTP side writes a "session.*" event into the outbox in the same
 * transaction (every node's tailer hands it to its gateway in id order, before any
 * later event) and, the moment it commits, gives the same item to this node's gateway
 * (which need not wait for its next poll). Those events never reach a browser. */
#include "realtime.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "log.h"
#include "outbox.h"
#include "rt.h"

struct pending {
    const char *type; /* a static string */
    char *payload;
};

/* db_on_commit's callback: takes p. */
static void tell_gateway(void *arg, bool committed)
{
    struct pending *p = arg;
    if (committed) {
        struct rt_item *it = rt_control_item(p->type, p->payload);
        if (it)
            rt_gateway_post(it, it);
    }
    free(p->payload);
    free(p);
}

struct announcement {
    const char *type; /* a static string */
    json_t *payload;
};

/* The event in the open transaction, the gateway told once it commits. 0/-1. */
static int announce_tx(void *arg)
{
    struct announcement *a = arg;
    struct pending *p = calloc(1, sizeof *p);
    if (!p || !(p->payload = json_dumps(a->payload, JSON_COMPACT)) ||
        outbox_append(a->type, "none", a->payload) < 0) {
        if (p)
            free(p->payload);
        free(p);
        return -1;
    }
    p->type = a->type;
    return db_on_commit(tell_gateway, p) < 0 ? -1 : 0; /* it owns p, whatever it returns */
}

/* Writes the event in the caller's transaction, or in one of its own. Does not steal
 * payload. 0/-1. */
static int announce(const char *type, json_t *payload)
{
    struct announcement a = {type, payload};
    if ((db_in_tx() ? announce_tx(&a) : db_tx(announce_tx, &a)) == 0)
        return 0;
    log_warn("realtime: cannot record %s: %s (sockets close at the next session check)", type,
             db_error());
    return -1;
}

int realtime_session_ended(long long session_id)
{
    json_t *payload = json_pack("{s:[I]}", "sessions", (json_int_t)session_id);
    int rc = payload ? announce("session.ended", payload) : -1;
    json_decref(payload);
    return rc;
}

int realtime_user_sessions_ending(long long user_id, long long keep_session_id)
{
    struct arena a;
    arena_init(&a);
    int rc = -1;
    json_t *ids = NULL;
    struct db_res *res = auth_user_sessions_lock(&a, user_id, keep_session_id) /* locked */;
    if (!res)
        goto cleanup;
    rc = 0;
    if (res->nrows == 0)
        goto cleanup;
    ids = json_array();
    for (int i = 0; i < res->nrows; i++)
        json_array_append_new(ids, json_integer(db_ll(res, i, 0)));
    json_t *payload = json_pack("{s:O}", "sessions", ids);
    rc = payload ? announce("session.ended", payload) : -1;
    json_decref(payload);
cleanup:
    json_decref(ids);
    arena_cleanup(&a);
    return rc;
}

int realtime_role_changed(long long user_id, const char *role)
{
    json_t *payload = json_pack("{s:I, s:s}", "user_id", (json_int_t)user_id, "role", role);
    int rc = payload ? announce("session.role", payload) : -1;
    json_decref(payload);
    return rc;
}
