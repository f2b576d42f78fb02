/* gateway.h - the realtime front door (libwebsockets) on PORTAL_WS. */
#ifndef PORTAL_GATEWAY_H
#define PORTAL_GATEWAY_H

int gateway_start(void); /* starts the lws service thread; 0 or -1 */
void gateway_stop(void);

#endif
