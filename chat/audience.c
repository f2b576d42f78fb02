/* audience.c - resolving outbox audiences, checking a connection against them, and the
 * member-list functions the owning modules register. */
#include "audience.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static const struct {
    const char *prefix;
    enum audience_kind kind;
} prefixes[] = {
    {"user:", AUD_USER},       {"account:", AUD_ACCOUNT}, {"group:", AUD_GROUP},
    {"project:", AUD_PROJECT}, {"board:", AUD_BOARD},     {"channel:", AUD_CHANNEL},
};

enum audience_kind audience_parse(const char *audience, long long *id)
{
    *id = 0;
    if (!audience)
        return AUD_NONE;
    if (strcmp(audience, "employees") == 0)
        return AUD_EMPLOYEES;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t l = strlen(prefixes[i].prefix);
        if (strncmp(audience, prefixes[i].prefix, l) != 0)
            continue;
        const char *digits = audience + l;
        if (*digits < '1' || *digits > '9')
            return AUD_NONE;
        char *end;
        errno = 0;
        long long v = strtoll(digits, &end, 10);
        if (errno || *end || v <= 0)
            return AUD_NONE;
        *id = v;
        return prefixes[i].kind;
    }
    return AUD_NONE;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

struct idlist *idlist_create(const long long *ids, size_t n)
{
    struct idlist *l = malloc(sizeof *l + n * sizeof(long long));
    if (!l)
        return NULL;
    l->refs = 1;
    l->n = n;
    if (n)
        memcpy(l->ids, ids, n * sizeof(long long));
    qsort(l->ids, n, sizeof(long long), cmp_ll);
    return l;
}

struct idlist *idlist_ref(struct idlist *l)
{
    if (l)
        __atomic_add_fetch(&l->refs, 1, __ATOMIC_RELAXED);
    return l;
}

void idlist_unref(struct idlist *l)
{
    if (l && __atomic_sub_fetch(&l->refs, 1, __ATOMIC_ACQ_REL) == 0)
        free(l);
}

bool idlist_has(const struct idlist *l, long long id)
{
    if (!l)
        return false;
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->ids[mid] == id)
            return true;
        if (l->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

bool audience_may_see(const struct audience_rule *rule, const struct audience_ident *who)
{
    bool employee = who->realm == REALM_EMPLOYEE;
    switch (rule->kind) {
    case AUD_USER:
        return who->user_id == rule->id;
    case AUD_EMPLOYEES:
        return employee;
    case AUD_ACCOUNT:
        return (who->realm == REALM_CUSTOMER || who->realm == REALM_PARTNER) &&
               who->account_id == rule->id;
    case AUD_GROUP:
    case AUD_PROJECT:
    case AUD_BOARD:
        /* Feed groups and projects are employee spaces, whatever the member list says. */
        return employee &&
               ((rule->admins && who->role == ROLE_ADMIN) || idlist_has(rule->members, who->user_id));
    case AUD_CHANNEL:
        return idlist_has(rule->members, who->user_id);
    case AUD_NONE:
        break;
    }
    return false;
}

bool audience_changes_members(const char *type, enum audience_kind kind)
{
    switch (kind) {
    case AUD_PROJECT:
        return strncmp(type, "project.", 8) == 0;
    case AUD_GROUP:
        return strncmp(type, "group.", 6) == 0;
    case AUD_CHANNEL:
        return strncmp(type, "chat.member", 11) == 0 || strncmp(type, "chat.channel", 12) == 0;
    default:
        return false;
    }
}

static audience_members_fn resolvers[AUD_CHANNEL + 1];

int audience_register(enum audience_kind kind, audience_members_fn fn)
{
    if ((int)kind <= AUD_NONE || kind > AUD_CHANNEL)
        return -1;
    resolvers[kind] = fn;
    return 0;
}

audience_members_fn audience_members(enum audience_kind kind)
{
    return (int)kind > AUD_NONE && kind <= AUD_CHANNEL ? resolvers[kind] : NULL;
}
