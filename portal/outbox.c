/* outbox.c - the event table the realtime gateway tails. */
#include "outbox.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"

static const char sql_append[] =
    "INSERT INTO event (type, audience, payload, created_at) VALUES (?, ?, ?, UTC_TIMESTAMP(6))";

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
