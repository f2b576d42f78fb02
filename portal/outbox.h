/* outbox.h - live events written in the same transaction as the change they report. */
#ifndef PORTAL_OUTBOX_H
#define PORTAL_OUTBOX_H

#include <jansson.h>

/* Appends an event inside the caller's open transaction (it refuses to run outside
 * one: an event must commit or vanish with its change). audience names who may see
 * it: "user:42", "employees", "account:7", "channel:3", "board:5". Does not steal
 * payload. Returns the event id, or -1. */
long long outbox_append(const char *type, const char *audience, json_t *payload);

#endif
