/* feed.h - the company feed: posts, comments, likes, mentions, groups. */
#ifndef PORTAL_FEED_H
#define PORTAL_FEED_H

#include "http.h"

int feed_init(void); /* registers the "post" file-owner rule and "group:N" audiences */

int feed_posts_list(struct req *r);
int feed_post_create(struct req *r);
int feed_post_get(struct req *r);
int feed_post_update(struct req *r);
int feed_post_delete(struct req *r);
int feed_post_versions(struct req *r);
int feed_comment_create(struct req *r);
int feed_post_like(struct req *r);    /* PUT and DELETE */
int feed_comment_like(struct req *r); /* PUT and DELETE */
int feed_post_likers(struct req *r);
int feed_post_ack(struct req *r);
int feed_post_acks(struct req *r);
int feed_groups_list(struct req *r);
int feed_group_create(struct req *r);
int feed_group_add_member(struct req *r);
int feed_group_remove_member(struct req *r);
int feed_people_lookup(struct req *r); /* mention autocomplete */
int feed_markdown_preview(struct req *r);

/* Demo data: a few weeks of posts among the demo employees. 0 or -1. */
int feed_demo_seed(void);

#endif
