/* audit.h - who did what to which object, when and from where. */
#ifndef PORTAL_AUDIT_H
#define PORTAL_AUDIT_H

#include <jansson.h>

#include "http.h"

/* Records a write by r's caller (r may be NULL for the CLI and the scheduler). Runs in
 * the caller's transaction when one is open, so the entry commits with the change.
 * details is not stolen and may be NULL. 0 or -1. */
int audit_log(struct req *r, const char *action, const char *object_type, long long object_id,
              json_t *details);

#endif
