/* routes.c - every route of the portal in one table: method, path, who may call it,
 * handler. The access-matrix test is generated from this table, so a route without a
 * rule cannot slip in. Realms: ANON (no session), EMPLOYEE (+ minimum role),
 * CUSTOMER, PARTNER; see http.h. */
#include "http.h"

#include "files.h"
#include "health.h"

#define ANY     REALM_ALL
#define SESSION REALM_SESSION

const struct route http_routes[] = {
    /* method  path                       who      min role    handler */
    {"GET", "/healthz", ANY, ROLE_NONE, health_healthz, 0},
    {"GET", "/api/v1/ping", ANY, ROLE_NONE, health_ping, 0},

    /* files: any realm with a session; downloads follow the owning object's rule */
    {"POST", "/api/v1/files", SESSION, ROLE_MEMBER, files_upload, ROUTE_RAW_BODY},
    {"GET", "/api/v1/files/{id}", SESSION, ROLE_MEMBER, files_download, 0},
};

const size_t http_routes_count = sizeof(http_routes) / sizeof(http_routes[0]);
