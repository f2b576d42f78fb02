/* chat.h - the chat domain: channels, conversations, messages, read markers, search. */
#ifndef PORTAL_CHAT_H
#define PORTAL_CHAT_H

#include "http.h"

/* Registers the "chat" file-owner rule and the members of "channel:N" audiences. 0 or -1. */
int chat_init(void);
/* 1 if the channel exists and is not archived (people may type there), 0 if not, -1 on a
 * database error. */
int chat_channel_writable(struct arena *a, long long channel_id);

/* Channels and conversations. */
int chat_channels_list(struct req *r);   /* GET  /chat/channels: mine, with unread counts */
int chat_channels_browse(struct req *r); /* GET /chat/channels/browse: public ones */
int chat_channel_create(struct req *r);  /* POST /chat/channels */
int chat_channel_get(struct req *r);     /* GET  /chat/channels/{id} */
int chat_channel_join(struct req *r);    /* POST /chat/channels/{id}/join (public) */
int chat_channel_update(struct req *r);  /* PATCH /chat/channels/{id}: name, topic, archived */
int chat_member_add(struct req *r);      /* POST /chat/channels/{id}/members */
int chat_member_remove(struct req *r);   /* DELETE /chat/channels/{id}/members/{user_id} */
int chat_member_role(struct req *r);     /* PATCH /chat/channels/{id}/members/{user_id} */
int chat_direct_open(struct req *r);     /* POST /chat/direct: find or start a conversation */

/* Messages. */
int chat_messages_list(struct req *r); /* GET  /chat/channels/{id}/messages?before=|after= */
int chat_message_send(struct req *r);  /* POST /chat/channels/{id}/messages */
int chat_message_edit(struct req *r);  /* PATCH /chat/messages/{id} */
int chat_message_delete(struct req *r);
int chat_thread_get(struct req *r); /* GET /chat/messages/{id}/thread */
int chat_reaction(struct req *r);   /* PUT and DELETE /chat/messages/{id}/reactions/{emoji} */
int chat_read(struct req *r);       /* POST /chat/channels/{id}/read */
int chat_search(struct req *r);     /* GET /chat/search?q= */

/* The per-user send budget (token bucket); exposed for unit tests. Returns 0 when a
 * message may go now, else the seconds to wait. */
int chat_rate_take(long long user_id, double now);

/* Demo data: a few channels with history among the demo employees. 0 or -1. */
int chat_demo_seed(void);

#endif
