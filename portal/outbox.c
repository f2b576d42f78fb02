/* outbox.c - the event table the realtime gateway tails: all SQL on it. */
#include "outbox.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "log.h"

static const char sql_append[] =
    "INSERT INTO event (type, audience, payload, created_at) VALUES (?, ?, ?, UTC_TIMESTAMP(6))";
static const char sql_max_id[] = "SELECT COALESCE(MAX(id), 0) FROM event";
static const char sql_poll[] = "SELECT id, type, audience, payload FROM event WHERE id > ?"
                               " ORDER BY id LIMIT 1000";
static const char sql_backfill[] =
    "SELECT id, type, audience, payload FROM event WHERE id > ? AND id <= ?"
    " AND type NOT IN ('typing', 'presence') ORDER BY id LIMIT 1000";
static const char sql_purge_ephemeral[] =
    "DELETE FROM event WHERE type IN ('typing', 'presence')"
    " AND created_at < UTC_TIMESTAMP(6) - INTERVAL 120 SECOND LIMIT 5000";
static const char sql_prune[] =
    "DELETE FROM event WHERE created_at < UTC_TIMESTAMP(6) - INTERVAL 30 DAY LIMIT 10000";

long long outbox_append(const char *type, const char *audience, json_t *payload)
{
    if (!db_in_tx()) {
        log_error("outbox_append(%s) outside a transaction", type);
        return -1;
    }
    if (!type || !*type || strlen(type) > 64 || !audience || !*audience || strlen(audience) > 128)
        return -1;
    char *text = payload ? json_dumps(payload, JSON_COMPACT) : strdup("{}");
    if (!text)
        return -1;
    int rc = db_exec(sql_append, "sss", type, audience, text);
    free(text);
    return rc < 0 ? -1 : db_insert_id();
}

long long outbox_max_id(struct arena *a)
{
    struct db_res *res = db_query(a, sql_max_id, "");
    return res && res->nrows == 1 ? db_ll(res, 0, 0) : -1;
}

struct db_res *outbox_after(struct arena *a, long long after)
{
    return db_query(a, sql_poll, "i", after);
}

struct db_res *outbox_backfill(struct arena *a, long long after, long long upto)
{
    return db_query(a, sql_backfill, "ii", after, upto);
}

int outbox_purge_ephemeral(void)
{
    return db_exec(sql_purge_ephemeral, "");
}

int outbox_prune(void)
{
    return db_exec(sql_prune, "");
}
