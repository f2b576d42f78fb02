/* audit.h - who did what to which object, when and from where. */
#ifndef PORTAL_AUDIT_H
#define PORTAL_AUDIT_H

#include <jansson.h>

#include "http.h"

/* Records a write by r's caller (r may be NULL for the CLI and the scheduler). Runs in
 * the caller's transaction when one is open, so the entry commits with the change.
 * details may be NULL; the reference is stolen (freed here). 0 or -1. */
int audit_log(struct req *r, const char *action, const char *object_type, long long object_id,
              json_t *details);

/* The same with an explicit actor, for the moment a session is born (login). */
int audit_log_as(struct req *r, long long actor_id, const char *actor_realm, const char *action,
                 const char *object_type, long long object_id, json_t *details);

/* GET /api/v1/audit (admins): filters actor, object_type, object_id, since, until. */
int audit_list(struct req *r);

#endif
