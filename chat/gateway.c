/* gateway.c - libwebsockets owns one service thread; other threads only enqueue and
 * call lws_cancel_service(). LWS_CALLBACK_HTTP_CONFIRM_UPGRADE is deliberately not
 * handled (CVE-2025-11677); HTTP/2 and extensions stay off.
 *
 * Until the realtime issue lands tickets, the outbox tailer and chat, the gateway
 * listens, checks the Origin and refuses every upgrade. */
#include "gateway.h"

#include <libwebsockets.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

static struct lws_context *context;
static pthread_t thread;
static volatile int stopping;

static int origin_allowed(const char *origin)
{
    if (!origin || !*origin)
        return 0;
    const char *list = config.ws_origins;
    size_t ol = strlen(origin);
    while (*list) {
        const char *comma = strchr(list, ',');
        size_t l = comma ? (size_t)(comma - list) : strlen(list);
        if (l == ol && strncmp(list, origin, l) == 0)
            return 1;
        list += l;
        if (*list == ',')
            list++;
    }
    return 0;
}

static int callback_realtime(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                             void *in, size_t len)
{
    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
        char origin[256] = "";
        if (lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN) < 0 ||
            !origin_allowed(origin))
            return 1; /* refuse: origin not allowed */
        return 1;     /* refuse: tickets arrive with the realtime issue */
    }
    default:
        break;
    }
    return 0;
}

static const struct lws_protocols protocols[] = {
    {"portal-realtime", callback_realtime, 0, 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void *service(void *arg)
{
    while (!stopping)
        if (lws_service(context, 0) < 0)
            break;
    return NULL;
}

int gateway_start(void)
{
    char host[256];
    snprintf(host, sizeof host, "%s", config.ws_listen);
    char *colon = strrchr(host, ':');
    if (!colon) {
        log_error("PORTAL_WS must be host:port, not %s", config.ws_listen);
        return -1;
    }
    *colon = '\0';
    lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = atoi(colon + 1);
    info.iface = host[0] ? host : NULL;
    info.protocols = protocols;
    info.gid = -1;
    info.uid = -1;
    info.options = LWS_SERVER_OPTION_VALIDATE_UTF8 | LWS_SERVER_OPTION_DISABLE_IPV6;
    context = lws_create_context(&info);
    if (!context) {
        log_error("cannot listen for websockets on %s", config.ws_listen);
        return -1;
    }
    stopping = 0;
    if (pthread_create(&thread, NULL, service, NULL) != 0) {
        lws_context_destroy(context);
        context = NULL;
        return -1;
    }
    return 0;
}

void gateway_stop(void)
{
    if (!context)
        return;
    stopping = 1;
    lws_cancel_service(context);
    pthread_join(thread, NULL);
    lws_context_destroy(context);
    context = NULL;
}
