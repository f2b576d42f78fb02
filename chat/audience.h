/* audience.h - who may see an outbox event: an audience string ("user:7", "employees",
 * "account:3", "group:2", "project:5", "board:9", "channel:4") resolved to a rule, and
 * the check of a connection's identity against it. Pure: no database, no lws. */
#ifndef PORTAL_AUDIENCE_H
#define PORTAL_AUDIENCE_H

#include <stdbool.h>
#include <stddef.h>

enum audience_kind {
    AUD_NONE,      /* nobody (unknown audience, or a table that does not exist yet) */
    AUD_USER,      /* id: that user */
    AUD_EMPLOYEES, /* every employee */
    AUD_ACCOUNT,   /* id: the cabinet users (customer, partner) of that account */
    AUD_GROUP,     /* id: members of a feed group (+ admins) */
    AUD_PROJECT,   /* id: members of a project (+ admins) */
    AUD_BOARD,     /* id: a board, seen by the members of its project (+ admins) */
    AUD_CHANNEL,   /* id: chat_members of a channel */
};

/* Splits an audience string. Returns the kind and sets *id (0 for "employees"); AUD_NONE
 * for anything malformed. */
enum audience_kind audience_parse(const char *audience, long long *id);

/* A sorted, immutable list of user ids, shared by reference count between the thread
 * that loads it and the one that delivers events (atomic counts). */
struct idlist {
    int refs;
    size_t n;
    long long ids[];
};
struct idlist *idlist_create(const long long *ids, size_t n); /* copies and sorts; refs = 1 */
struct idlist *idlist_ref(struct idlist *l);
void idlist_unref(struct idlist *l); /* accepts NULL */
bool idlist_has(const struct idlist *l, long long id);

/* Who an event reaches once its audience is resolved. */
struct audience_rule {
    enum audience_kind kind;
    long long id;
    bool admins;              /* employee admins also see it (groups, projects, boards) */
    struct idlist *members;   /* AUD_GROUP/PROJECT/BOARD/CHANNEL: owned reference */
};

/* The identity a websocket connection was opened with (from its ticket). */
struct audience_ident {
    long long user_id, session_id, account_id;
    int realm; /* REALM_EMPLOYEE, REALM_CUSTOMER or REALM_PARTNER (http.h) */
    int role;  /* enum role, employees only */
};

bool audience_may_see(const struct audience_rule *rule, const struct audience_ident *who);

/* Event types that change who belongs to an audience: seeing one drops the cached
 * member list of that audience before the event itself is delivered. */
bool audience_changes_members(const char *type, enum audience_kind kind);

/* The members of group, project, board and channel audiences come from the module that
 * owns them (the gateway never reads their tables): at init each registers a function
 * giving the user ids of audience `id` as rows (column 0) allocated in a, NULL on a
 * database error. Registration happens before the gateway starts, so it takes no lock. */
struct arena;
struct db_res;
typedef struct db_res *(*audience_members_fn)(struct arena *a, long long id);
int audience_register(enum audience_kind kind, audience_members_fn fn); /* 0/-1 */
audience_members_fn audience_members(enum audience_kind kind);          /* NULL: none */

#endif
