/* notify.h - notifications for a user: stored, counted, and pushed live through the
 * outbox. Any module may notify; the notifications table belongs here. */
#ifndef PORTAL_NOTIFY_H
#define PORTAL_NOTIFY_H

#include "http.h"

/* Records a notification for user_id inside the caller's transaction and appends a
 * "notification" event for "user:<id>" to the outbox. Does nothing (returns 0) when
 * user_id is the actor. summary is plain text (cut to 300 characters). 0 or -1. */
int notify_user(long long user_id, long long actor_id, const char *kind, const char *object_type,
                long long object_id, const char *summary);

int notify_list(struct req *r);      /* GET /api/v1/notifications */
int notify_mark_read(struct req *r); /* POST /api/v1/notifications/read */

#endif
