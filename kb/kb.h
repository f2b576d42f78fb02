/* kb.h - knowledge base: spaces, article trees, revisions with diff, search, and the
 * public help center the cabinet shows. */
#ifndef PORTAL_KB_H
#define PORTAL_KB_H

#include "http.h"

int kb_init(void); /* registers the "kb_article" file-owner rule */

int kb_spaces_list(struct req *r);
int kb_space_create(struct req *r);
int kb_articles_list(struct req *r);
int kb_article_create(struct req *r);
int kb_article_get(struct req *r);
int kb_article_update(struct req *r);
int kb_revisions_list(struct req *r);
int kb_revision_get(struct req *r);
int kb_article_diff(struct req *r);
int kb_article_restore(struct req *r);
int kb_search(struct req *r);
int kb_cabinet_list(struct req *r); /* public, published: search with ?q= or a list */
int kb_cabinet_get(struct req *r);

/* Turns a search string into a safe InnoDB boolean query ("+word*" per word), in a;
 * NULL when no word is left. (Exposed for tests.) */
const char *kb_boolean_query(struct arena *a, const char *q);

int kb_demo_seed(void);

#endif
