/* outbox.h - live events written in the same transaction as the change they report. */
#ifndef PORTAL_OUTBOX_H
#define PORTAL_OUTBOX_H

#include <jansson.h>

/* Appends an event inside the caller's open transaction (it refuses to run outside
 * one: an event must commit or vanish with its change). audience names who may see
 * it: "user:42", "employees", "account:7", "channel:3", "board:5". Does not steal
 * payload. Returns the event id, or -1. */
long long outbox_append(const char *type, const char *audience, json_t *payload);

/* The readers of the table (the gateway's tailer, the jobs): rows are (id, type,
 * audience, payload) in id order, at most 1000, or NULL on a database error. */
struct arena;
struct db_res;
long long outbox_max_id(struct arena *a);                      /* the newest id (0: none), or -1 */
struct db_res *outbox_after(struct arena *a, long long after); /* every event after `after` */
/* Backfill: the events in (after, upto] a reconnecting client missed, without the
 * ephemeral ones (typing, presence). */
struct db_res *outbox_backfill(struct arena *a, long long after, long long upto);
int outbox_purge_ephemeral(void); /* typing and presence events older than 2 minutes; 0/-1 */
int outbox_prune(void);           /* events older than 30 days (job event.prune); 0/-1 */

#endif
