/* health.c - /healthz reports the database; /api/v1/ping only that we serve. */
#include "health.h"

#include "db.h"

static const char ok_body[] = "{\"status\":\"ok\",\"db\":\"ok\"}";
static const char down_body[] = "{\"status\":\"degraded\",\"db\":\"down\"}";
static const char pong_body[] = "{\"status\":\"ok\"}";

int health_healthz(struct req *r)
{
    /* db_ping reconnects when the connection was lost, so /healthz turns back to 200
     * by itself once MariaDB returns. The connect time-out bounds the wait. */
    if (db_ping() == 0)
        return http_send(r, 200, "application/json", "Cache-Control: no-store\r\n", ok_body,
                         sizeof ok_body - 1);
    r->error_code = "db_down";
    return http_send(r, 503, "application/json", "Cache-Control: no-store\r\nRetry-After: 2\r\n",
                     down_body, sizeof down_body - 1);
}

int health_ping(struct req *r)
{
    return http_send(r, 200, "application/json", "Cache-Control: no-store\r\n", pong_body,
                     sizeof pong_body - 1);
}
