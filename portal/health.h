/* health.h - liveness and readiness. */
#ifndef PORTAL_HEALTH_H
#define PORTAL_HEALTH_H

#include "http.h"

int health_healthz(struct req *r); /* GET /healthz: touches the database */
int health_ping(struct req *r);    /* GET /api/v1/ping: never touches it */

#endif
