/* chat.c - channels, direct and group conversations, messages with threads,
 * reactions, mentions and attachments, read markers and search. (Typing and presence
 * belong to the realtime gateway.)
 *
 * Every change writes its outbox event ("chat.*", audience "channel:ID") in its own
 * transaction, so the gateway pushes exactly what committed. A send carries the
 * client's UUID: a repeat (double submit, resend after a reconnect) returns the
 * message that is already there instead of writing another one. A channel the caller
 * is not in answers 404, like one that does not exist. */
#include "chat.h"

#include <math.h>
#include <mysqld_error.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audience.h"
#include "audit.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "files.h"
#include "kb.h"
#include "markdown.h"
#include "notify.h"
#include "outbox.h"
#include "richtext.h"
#include "utf8.h"

#define JSON_IDS(col)                                                                              \
    "SELECT " col " FROM JSON_TABLE(?, '$[*]' COLUMNS (" col " BIGINT PATH '$')) j"

#define MSG_COLUMNS                                                                                \
    "m.id, m.channel_id, m.parent_id, m.client_id, m.author_id, u.name, u.handle, m.body_md,"      \
    " m.body_html, m.created_at, m.edited_at, m.deleted_at, m.reply_count, m.last_reply_at"
#define MSG_FROM " FROM chat_messages m JOIN users u ON u.id = m.author_id"

/* The caller's membership row: kind, name, topic, role, last_read_id, created_at,
 * archived_at, version. */
static const char sql_membership[] =
    "SELECT c.id, c.kind, c.name, c.topic, m.role, m.last_read_id, c.created_at, c.archived_at,"
    " c.version FROM chat_channels c JOIN chat_members m ON m.channel_id = c.id AND m.user_id = ?"
    " WHERE c.id = ?";
static const char sql_channel_kind[] = "SELECT kind, archived_at FROM chat_channels WHERE id = ?";
static const char sql_my_channels[] =
    "SELECT c.id, c.kind, c.name, c.topic, m.last_read_id,"
    " (SELECT MAX(x.id) FROM chat_messages x WHERE x.channel_id = c.id AND x.parent_id IS NULL),"
    " (SELECT COUNT(*) FROM chat_messages x WHERE x.channel_id = c.id AND x.parent_id IS NULL"
    "  AND x.id > m.last_read_id AND x.author_id <> m.user_id AND x.deleted_at IS NULL),"
    " (SELECT COUNT(*) FROM chat_members y WHERE y.channel_id = c.id), c.archived_at, m.role"
    " FROM chat_members m JOIN chat_channels c ON c.id = m.channel_id WHERE m.user_id = ?"
    " AND (? OR c.archived_at IS NULL) ORDER BY c.id LIMIT 1000";
/* The people of the caller's conversations (direct and group), for their titles. */
static const char sql_my_conversation_people[] =
    "SELECT y.channel_id, u.id, u.name, u.handle FROM chat_members me"
    " JOIN chat_channels c ON c.id = me.channel_id AND c.kind IN ('direct', 'group')"
    " JOIN chat_members y ON y.channel_id = me.channel_id JOIN users u ON u.id = y.user_id"
    " WHERE me.user_id = ? ORDER BY y.channel_id, u.name LIMIT 5000";
static const char sql_browse[] =
    "SELECT c.id, c.name, c.topic, (SELECT COUNT(*) FROM chat_members y WHERE y.channel_id = c.id),"
    " EXISTS (SELECT 1 FROM chat_members y WHERE y.channel_id = c.id AND y.user_id = ?),"
    " c.archived_at FROM chat_channels c WHERE c.kind = 'public' AND (? IS NULL OR c.name LIKE ?)"
    " AND (? OR c.archived_at IS NULL) ORDER BY c.name LIMIT 200";
static const char sql_members[] =
    "SELECT u.id, u.name, u.handle, m.role, m.last_read_id FROM chat_members m"
    " JOIN users u ON u.id = m.user_id WHERE m.channel_id = ? ORDER BY u.name LIMIT 2000";
static const char sql_insert_channel[] =
    "INSERT INTO chat_channels (kind, name, direct_key, topic, created_by, created_at)"
    " VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6) - INTERVAL ? MINUTE)";
/* A newcomer starts with nothing unread: the history is there, not a backlog. */
static const char sql_add_member[] =
    "INSERT IGNORE INTO chat_members (channel_id, user_id, role, joined_at, last_read_id)"
    " SELECT ?, u.id, ?, UTC_TIMESTAMP(6), COALESCE((SELECT MAX(x.id) FROM chat_messages x"
    " WHERE x.channel_id = ?), 0) FROM users u"
    " WHERE u.id = ? AND u.realm = 'employee' AND u.disabled = 0";
static const char sql_remove_member[] =
    "DELETE FROM chat_members WHERE channel_id = ? AND user_id = ?";
static const char sql_active_employees[] =
    "SELECT u.id FROM users u WHERE u.realm = 'employee' AND u.disabled = 0"
    " AND u.id IN (" JSON_IDS("id") ")";
static const char sql_direct_find[] = "SELECT id FROM chat_channels WHERE direct_key = ?";

static const char sql_page_before[] =
    "SELECT " MSG_COLUMNS MSG_FROM " WHERE m.channel_id = ? AND m.parent_id IS NULL"
    " AND (? = 0 OR m.id < ?) ORDER BY m.id DESC LIMIT ?";
static const char sql_page_after[] =
    "SELECT " MSG_COLUMNS MSG_FROM " WHERE m.channel_id = ? AND m.parent_id IS NULL"
    " AND m.id > ? ORDER BY m.id LIMIT ?";
static const char sql_message[] = "SELECT " MSG_COLUMNS MSG_FROM " WHERE m.id = ?";
/* A message the caller may see: its channel has the caller as a member. */
static const char sql_visible_message[] =
    "SELECT " MSG_COLUMNS ", c.kind" MSG_FROM " JOIN chat_channels c ON c.id = m.channel_id"
    " JOIN chat_members cm ON cm.channel_id = m.channel_id AND cm.user_id = ? WHERE m.id = ?";
static const char sql_lock_message[] =
    "SELECT m.id, m.channel_id, m.author_id, m.body_md, m.deleted_at, m.parent_id"
    " FROM chat_messages m JOIN chat_members cm ON cm.channel_id = m.channel_id"
    " AND cm.user_id = ? WHERE m.id = ? FOR UPDATE";
static const char sql_thread[] =
    "SELECT " MSG_COLUMNS MSG_FROM " WHERE m.parent_id = ? ORDER BY m.id LIMIT 1000";
static const char sql_by_client_id[] =
    "SELECT " MSG_COLUMNS MSG_FROM " WHERE m.author_id = ? AND m.client_id = ?";
static const char sql_insert_message[] =
    "INSERT INTO chat_messages (channel_id, author_id, parent_id, client_id, body_md, body_html,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6) - INTERVAL ? MINUTE)";
/* A send: the message goes in only while its channel is not archived; the shared lock
 * orders it against an archive committing meanwhile (sends do not block each other). */
static const char sql_send_message[] =
    "INSERT INTO chat_messages (channel_id, author_id, parent_id, client_id, body_md, body_html,"
    " created_at) SELECT id, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6) FROM chat_channels"
    " WHERE id = ? AND archived_at IS NULL LOCK IN SHARE MODE";
static const char sql_bump_thread[] =
    "UPDATE chat_messages SET reply_count = reply_count + 1,"
    " last_reply_at = UTC_TIMESTAMP(6) - INTERVAL ? MINUTE WHERE id = ?";
static const char sql_edit_message[] =
    "UPDATE chat_messages SET body_md = ?, body_html = ?, edited_at = UTC_TIMESTAMP(6)"
    " WHERE id = ?";
static const char sql_delete_message[] =
    "UPDATE chat_messages SET body_md = '', body_html = '', deleted_at = UTC_TIMESTAMP(6)"
    " WHERE id = ?";
static const char sql_reactions[] =
    "SELECT message_id, emoji, COUNT(*), GROUP_CONCAT(user_id ORDER BY created_at)"
    " FROM chat_reactions WHERE message_id IN (" JSON_IDS(
        "id") ")"
              " GROUP BY message_id, emoji ORDER BY message_id, MIN(created_at)";
static const char sql_react[] =
    "INSERT IGNORE INTO chat_reactions (message_id, user_id, emoji, created_at)"
    " VALUES (?, ?, ?, UTC_TIMESTAMP(6))";
static const char sql_unreact[] =
    "DELETE FROM chat_reactions WHERE message_id = ? AND user_id = ? AND emoji = ?";
static const char sql_mention_targets[] =
    "SELECT u.id FROM users u JOIN chat_members cm ON cm.user_id = u.id AND cm.channel_id = ?"
    " WHERE u.disabled = 0 AND u.handle IN"
    " (SELECT h FROM JSON_TABLE(?, '$[*]' COLUMNS (h VARCHAR(64) PATH '$')) t)";
static const char sql_add_mention[] =
    "INSERT IGNORE INTO chat_mentions (message_id, user_id) VALUES (?, ?)";
static const char sql_read[] =
    "UPDATE chat_members SET last_read_id = ? WHERE channel_id = ? AND user_id = ?"
    " AND last_read_id < ? AND EXISTS (SELECT 1 FROM chat_messages x WHERE x.id = ?"
    " AND x.channel_id = ?)";
static const char sql_unread[] =
    "SELECT cm.last_read_id, (SELECT COUNT(*) FROM chat_messages x WHERE x.channel_id = ?"
    " AND x.parent_id IS NULL AND x.id > cm.last_read_id AND x.author_id <> ?"
    " AND x.deleted_at IS NULL) FROM chat_members cm WHERE cm.channel_id = ? AND cm.user_id = ?";
static const char sql_search[] =
    "SELECT " MSG_COLUMNS
    ", c.kind, c.name, MATCH (m.body_md) AGAINST (? IN BOOLEAN MODE) AS score" MSG_FROM
    " JOIN chat_members cm ON cm.channel_id = m.channel_id AND cm.user_id = ?"
    " JOIN chat_channels c ON c.id = m.channel_id"
    " WHERE MATCH (m.body_md) AGAINST (? IN BOOLEAN MODE) AND m.deleted_at IS NULL"
    " AND (? = 0 OR m.channel_id = ?) ORDER BY score DESC, m.id DESC LIMIT ?";
/* Settings: the channel row locked for the change; then the caller's role (a plain read:
 * locking the membership row too would deadlock against the caller's own reactions). */
static const char sql_settings_lock[] =
    "SELECT kind, name, topic, archived_at, version FROM chat_channels WHERE id = ? FOR UPDATE";
static const char sql_my_role[] =
    "SELECT role FROM chat_members WHERE channel_id = ? AND user_id = ?";
/* archive: 1 archives now, -1 unarchives, 0 keeps (archived_by first: MariaDB's UPDATE
 * sees the values assigned before). */
static const char sql_update_channel[] =
    "UPDATE chat_channels SET name = ?, topic = ?,"
    " archived_by = CASE ? WHEN 1 THEN ? WHEN -1 THEN NULL ELSE archived_by END,"
    " archived_at = CASE ? WHEN 1 THEN UTC_TIMESTAMP(6) WHEN -1 THEN NULL ELSE archived_at END,"
    " version = version + 1 WHERE id = ?";
static const char sql_settings_row[] =
    "SELECT c.kind, c.name, c.topic, c.archived_at, c.version, u.id, u.name"
    " FROM chat_channels c LEFT JOIN users u ON u.id = c.archived_by WHERE c.id = ?";
/* Is the channel archived? A shared lock: an edit or a reaction commits before an archive
 * or waits for it, without blocking the other writers of the channel. */
static const char sql_archived_lock[] =
    "SELECT archived_at FROM chat_channels WHERE id = ? LOCK IN SHARE MODE";
/* The owners of a channel, locked: two owners leaving at once cannot both be "the other". */
static const char sql_owners_lock[] =
    "SELECT user_id FROM chat_members WHERE channel_id = ? AND role = 'owner' FOR UPDATE";
static const char sql_member_count[] = "SELECT COUNT(*) FROM chat_members WHERE channel_id = ?";
static const char sql_set_role[] =
    "UPDATE chat_members SET role = ? WHERE channel_id = ? AND user_id = ?";
static const char sql_file_readable[] =
    "SELECT 1 FROM chat_messages m JOIN chat_members cm ON cm.channel_id = m.channel_id"
    " AND cm.user_id = ? WHERE m.id = ? AND m.deleted_at IS NULL";

enum { CONVERSATION_MAX = 8 }; /* people in a group conversation, the caller included */

/* ---------------------------------------------------------------------------------------
 * The send budget: a token bucket per user, in this process
 * ------------------------------------------------------------------------------------- */

#define RATE_SLOTS 4096
#define RATE_PROBE 8

static struct bucket {
    long long user_id;
    double tokens, at;
} buckets[RATE_SLOTS];
static pthread_mutex_t buckets_lock = PTHREAD_MUTEX_INITIALIZER;

/* Finds the user's bucket, or takes over an idle (full again) one in the probe window. */
static struct bucket *bucket_of(long long user_id, double now, double burst, double per_s)
{
    size_t h = (size_t)((unsigned long long)user_id * 0x9E3779B97F4A7C15ull >> 52) % RATE_SLOTS;
    struct bucket *idle = NULL;
    for (int k = 0; k < RATE_PROBE; k++) {
        struct bucket *b = &buckets[(h + (size_t)k) % RATE_SLOTS];
        if (b->user_id == user_id)
            return b;
        if (!idle && (b->user_id == 0 || b->tokens + (now - b->at) * per_s >= burst))
            idle = b;
    }
    if (!idle) /* every slot nearby is busy: share the first one rather than refuse */
        return &buckets[h];
    idle->user_id = user_id;
    idle->tokens = burst;
    idle->at = now;
    return idle;
}

int chat_rate_take(long long user_id, double now)
{
    double burst = config.chat_burst > 0 ? config.chat_burst : 1;
    double per_s = (config.chat_rate > 0 ? config.chat_rate : 1) / 60.0;
    pthread_mutex_lock(&buckets_lock);
    struct bucket *b = bucket_of(user_id, now, burst, per_s);
    b->tokens += (now - b->at) * per_s;
    if (b->tokens > burst)
        b->tokens = burst;
    b->at = now;
    int wait = 0;
    if (b->tokens >= 1)
        b->tokens -= 1;
    else
        wait = (int)ceil((1 - b->tokens) / per_s);
    pthread_mutex_unlock(&buckets_lock);
    return wait;
}

/* ---------------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------------- */

static const char *channel_audience(struct arena *a, long long channel_id)
{
    return arena_printf(a, "channel:%lld", channel_id);
}

/* The caller's membership of channel id as one row (see sql_membership), or NULL
 * after answering 404 (not a member, no such channel) or the database error. */
static struct db_res *membership(struct req *r, long long id)
{
    struct db_res *m =
        id ? db_query(&r->arena, sql_membership, "ii", r->session->user_id, id) : NULL;
    if (id && !m) {
        http_db_error(r);
        return NULL;
    }
    if (!m || m->nrows == 0) {
        http_error(r, 404, "not_found", "No such channel", NULL);
        return NULL;
    }
    return m;
}

/* The answer to a write into an archived channel. */
static int refuse_archived(struct req *r)
{
    return http_error(r, 409, "channel_archived",
                      "This channel is archived: its history is read-only. Unarchive it first",
                      NULL);
}

static bool is_conversation(const char *kind)
{
    return strcmp(kind, "direct") == 0 || strcmp(kind, "group") == 0;
}

static bool uuid_like(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]))
            return false;
    }
    return true;
}

/* A JSON array text of the ids in column 0 of res, in a. */
static const char *id_list(struct arena *a, const struct db_res *res)
{
    json_t *arr = json_array();
    for (int i = 0; i < res->nrows; i++)
        json_array_append_new(arr, json_integer(db_ll(res, i, 0)));
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    char *out = arena_strdup(a, text ? text : "[]");
    free(text);
    return out;
}

/* The reactions of one message from sql_reactions rows: [{emoji, count, user_ids}]. */
static json_t *reactions_for(const struct db_res *rx, long long message_id)
{
    json_t *out = json_array();
    for (int i = 0; rx && i < rx->nrows; i++) {
        if (db_ll(rx, i, 0) != message_id)
            continue;
        json_t *users = json_array();
        for (const char *p = db_str(rx, i, 3); p && *p;) {
            char *end;
            json_array_append_new(users, json_integer(strtoll(p, &end, 10)));
            p = *end == ',' ? end + 1 : end + strlen(end);
        }
        json_array_append_new(out, json_pack("{s:s, s:I, s:o}", "emoji", db_str(rx, i, 1), "count",
                                             (json_int_t)db_ll(rx, i, 2), "user_ids", users));
    }
    return out;
}

static json_t *message_json(const struct db_res *m, int i, struct arena *a)
{
    bool deleted = db_str(m, i, 11) != NULL;
    return json_pack(
        "{s:I, s:I, s:o, s:s?, s:{s:I, s:s, s:s?}, s:s, s:s, s:s, s:s?, s:b, s:b, s:I, s:s?}", "id",
        (json_int_t)db_ll(m, i, 0), "channel_id", (json_int_t)db_ll(m, i, 1), "parent_id",
        db_str(m, i, 2) ? json_integer(db_ll(m, i, 2)) : json_null(), "client_id", db_str(m, i, 3),
        "author", "id", (json_int_t)db_ll(m, i, 4), "name", db_str(m, i, 5), "handle",
        db_str(m, i, 6), "body", db_str(m, i, 7), "html", db_str(m, i, 8), "created_at",
        db_time_iso(a, db_str(m, i, 9)), "edited_at", db_time_iso(a, db_str(m, i, 10)), "edited",
        db_str(m, i, 10) != NULL, "deleted", deleted, "reply_count", (json_int_t)db_ll(m, i, 12),
        "last_reply_at", db_time_iso(a, db_str(m, i, 13)));
}

/* The rows of messages as a JSON array with reactions and files: two queries for the
 * whole page. NULL on a database error. */
static json_t *messages_json(struct req *r, const struct db_res *m)
{
    json_t *out = json_array();
    if (m->nrows == 0)
        return out;
    const char *ids = id_list(&r->arena, m);
    struct db_res *rx = db_query(&r->arena, sql_reactions, "s", ids);
    struct db_res *files = rx ? files_for_owners(&r->arena, "chat", ids) : NULL;
    if (!files) {
        json_decref(out);
        return NULL;
    }
    for (int i = 0; i < m->nrows; i++) {
        long long id = db_ll(m, i, 0);
        json_t *o = message_json(m, i, &r->arena);
        bool deleted = db_str(m, i, 11) != NULL;
        json_object_set_new(o, "reactions", deleted ? json_array() : reactions_for(rx, id));
        json_object_set_new(o, "files", deleted ? json_array() : files_json_for(files, id));
        json_array_append_new(out, o);
    }
    return out;
}

/* One message by id as JSON (reactions, files), or NULL on a database error or when
 * it is gone. */
static json_t *message_by_id(struct req *r, long long id)
{
    struct db_res *m = db_query(&r->arena, sql_message, "i", id);
    if (!m || m->nrows == 0)
        return NULL;
    json_t *arr = messages_json(r, m);
    json_t *one = arr ? json_incref(json_array_get(arr, 0)) : NULL;
    json_decref(arr);
    return one;
}

/* Appends a chat.member event for the affected user and for the channel (the gateway
 * refreshes its membership cache from these). 0 or -1. */
static int member_event(struct req *r, long long channel_id, long long user_id, const char *action)
{
    json_t *payload =
        json_pack("{s:I, s:I, s:s, s:I}", "channel_id", (json_int_t)channel_id, "user_id",
                  (json_int_t)user_id, "action", action, "by", (json_int_t)r->session->user_id);
    int rc =
        outbox_append("chat.member", arena_printf(&r->arena, "user:%lld", user_id), payload) < 0 ||
                outbox_append("chat.member", channel_audience(&r->arena, channel_id), payload) < 0
            ? -1
            : 0;
    json_decref(payload);
    return rc;
}

/* Adds user_id to channel_id (an active employee only). 1 added, 0 already there or
 * not an active employee, -1 database error. */
static int add_member(struct req *r, long long channel_id, long long user_id, const char *role)
{
    if (db_exec(sql_add_member, "isii", channel_id, role, channel_id, user_id) < 0)
        return -1;
    if (db_affected() == 0)
        return 0;
    return member_event(r, channel_id, user_id,
                        user_id == r->session->user_id ? "joined" : "added") < 0
               ? -1
               : 1;
}

/* Checks that every id of the JSON array ids is an active employee; 0, or answers
 * 400 naming field (or the database error) and returns -1. */
static int check_people(struct req *r, json_t *ids, const char *field, size_t max)
{
    if (!json_is_array(ids) || json_array_size(ids) > max) {
        http_error(r, 400, "validation_failed",
                   arena_printf(&r->arena, "%s must be a list of at most %zu user ids", field, max),
                   field);
        return -1;
    }
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            http_error(r, 400, "validation_failed", "user ids are positive whole numbers", field);
            return -1;
        }
    }
    if (json_array_size(ids) == 0)
        return 0;
    char *text = json_dumps(ids, JSON_COMPACT);
    struct db_res *ok = db_query(&r->arena, sql_active_employees, "s", text);
    free(text);
    if (!ok) {
        http_db_error(r);
        return -1;
    }
    /* duplicates in the list count once */
    json_t *seen = json_object();
    json_array_foreach(ids, i, v) json_object_set_new(
        seen, arena_printf(&r->arena, "%lld", (long long)json_integer_value(v)), json_true());
    size_t distinct = json_object_size(seen);
    json_decref(seen);
    if ((size_t)ok->nrows != distinct) {
        http_error(r, 400, "validation_failed", "Every member must be an active employee", field);
        return -1;
    }
    return 0;
}

static json_t *people_json(const struct db_res *p, int from, int to)
{
    json_t *arr = json_array();
    for (int i = from; i < to; i++)
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s?}", "id", (json_int_t)db_ll(p, i, 1),
                                             "name", db_str(p, i, 2), "handle", db_str(p, i, 3)));
    return arr;
}

/* The channel as the caller sees it: membership row + every member with read marker. */
static int channel_answer(struct req *r, long long id, int status)
{
    struct db_res *c = membership(r, id);
    if (!c)
        return r->status;
    struct db_res *m = db_query(&r->arena, sql_members, "i", id);
    if (!m)
        return http_db_error(r);
    json_t *members = json_array();
    for (int i = 0; i < m->nrows; i++)
        json_array_append_new(
            members, json_pack("{s:I, s:s, s:s?, s:s, s:I}", "id", (json_int_t)db_ll(m, i, 0),
                               "name", db_str(m, i, 1), "handle", db_str(m, i, 2), "role",
                               db_str(m, i, 3), "last_read_id", (json_int_t)db_ll(m, i, 4)));
    return http_json(
        r, status,
        json_pack("{s:I, s:s, s:s?, s:s, s:s, s:I, s:s, s:b, s:s?, s:I, s:o}", "id", (json_int_t)id,
                  "kind", db_str(c, 0, 1), "name", db_str(c, 0, 2), "topic", db_str(c, 0, 3),
                  "role", db_str(c, 0, 4), "last_read_id", (json_int_t)db_ll(c, 0, 5), "created_at",
                  db_time_iso(&r->arena, db_str(c, 0, 6)), "archived", db_str(c, 0, 7) != NULL,
                  "archived_at", db_time_iso(&r->arena, db_str(c, 0, 7)), "version",
                  (json_int_t)db_ll(c, 0, 8), "members", members));
}

/* ---------------------------------------------------------------------------------------
 * Channels and conversations
 * ------------------------------------------------------------------------------------- */

/* ?archived=1 also lists archived channels (0 or absent: not). 0 or 1, or -1 after
 * answering 400. */
static int archived_param(struct req *r)
{
    const char *v = http_query(r, "archived");
    if (!v || strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
        return 0;
    if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
        return 1;
    http_error(r, 400, "validation_failed", "archived is 1 or 0", "archived");
    return -1;
}

int chat_channels_list(struct req *r)
{
    long long me = r->session->user_id;
    int archived = archived_param(r);
    if (archived < 0)
        return r->status;
    struct db_res *c = db_query(&r->arena, sql_my_channels, "ii", me, (long long)archived);
    struct db_res *p = c ? db_query(&r->arena, sql_my_conversation_people, "i", me) : NULL;
    if (!p)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < c->nrows; i++) {
        long long id = db_ll(c, i, 0);
        json_t *o = json_pack(
            "{s:I, s:s, s:s?, s:s, s:I, s:I, s:I, s:I, s:b, s:s}", "id", (json_int_t)id, "kind",
            db_str(c, i, 1), "name", db_str(c, i, 2), "topic", db_str(c, i, 3), "last_read_id",
            (json_int_t)db_ll(c, i, 4), "last_message_id", (json_int_t)db_ll(c, i, 5), "unread",
            (json_int_t)db_ll(c, i, 6), "member_count", (json_int_t)db_ll(c, i, 7), "archived",
            db_str(c, i, 8) != NULL, "role", db_str(c, i, 9));
        if (is_conversation(db_str(c, i, 1))) {
            int from = 0;
            while (from < p->nrows && db_ll(p, from, 0) != id)
                from++;
            int to = from;
            while (to < p->nrows && db_ll(p, to, 0) == id)
                to++;
            json_object_set_new(o, "members", people_json(p, from, to));
        }
        json_array_append_new(items, o);
    }
    return http_json(r, 200, json_pack("{s:o}", "items", items));
}

int chat_channels_browse(struct req *r)
{
    const char *q = http_query(r, "q");
    const char *like = q && *q ? db_like(&r->arena, q, true) : NULL;
    int archived = archived_param(r);
    if (archived < 0)
        return r->status;
    struct db_res *c = db_query(&r->arena, sql_browse, "issi", r->session->user_id, like, like,
                                (long long)archived);
    if (!c)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < c->nrows; i++)
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:I, s:b, s:b}", "id", (json_int_t)db_ll(c, i, 0),
                             "name", db_str(c, i, 1), "topic", db_str(c, i, 2), "member_count",
                             (json_int_t)db_ll(c, i, 3), "member", db_ll(c, i, 4) != 0, "archived",
                             db_str(c, i, 5) != NULL));
    return http_json(r, 200, json_pack("{s:o}", "items", items));
}

struct channel_new {
    const char *name, *topic;
    int private;
    json_t *members;
    long long id;
};

static int channel_create_tx(struct req *r, void *arg, struct http_change *change)
{
    struct channel_new *c = arg;
    long long me = r->session->user_id;
    if (db_exec(sql_insert_channel, "ssssii", c->private ? "private" : "public", c->name, NULL,
                c->topic, me, 0LL) < 0)
        return db_errno() == ER_DUP_ENTRY
                   ? http_error(r, 409, "name_taken", "A channel with this name exists", "name")
                   : -1;
    c->id = db_insert_id();
    if (add_member(r, c->id, me, "owner") < 0)
        return -1;
    size_t i;
    json_t *v;
    if (json_is_array(c->members))
        json_array_foreach(c->members, i, v) if (add_member(r, c->id, json_integer_value(v),
                                                            "member") < 0) return -1;
    *change = (struct http_change){"chat.channel.create", "chat_channel", c->id,
                                   json_pack("{s:s, s:b}", "name", c->name, "private", c->private)};
    return 0;
}

int chat_channel_create(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct channel_new c = {.topic = ""};
    if (HTTP_FIELDS(r, body, {"name", FIELD_STRING, true, 80, &c.name},
                    {"topic", FIELD_TEXT, false, 250, &c.topic},
                    {"private", FIELD_BOOL, false, 0, &c.private},
                    {"members", FIELD_JSON, false, 0, &c.members}) < 0)
        return r->status;
    if (c.members && !json_is_null(c.members) && check_people(r, c.members, "members", 500) < 0)
        return r->status;
    if (strchr(c.name, '\n') || strchr(c.name, '\r'))
        return http_error(r, 400, "validation_failed", "A channel name is one line", "name");
    int rc = http_write(r, channel_create_tx, &c);
    return rc ? rc : channel_answer(r, c.id, 201);
}

int chat_channel_get(struct req *r)
{
    return channel_answer(r, http_param_id(r, "id"), 200);
}

/* A member joining or being added (join_tx). */
struct member_new {
    long long id, user_id;
    const char *action; /* the audit entry when added */
    bool with_user;     /* its details name the user */
    int added;
};

static int join_tx(struct req *r, void *arg, struct http_change *change)
{
    struct member_new *m = arg;
    if ((m->added = add_member(r, m->id, m->user_id, "member")) < 0)
        return -1;
    if (m->added)
        *change = (struct http_change){
            m->action, "chat_channel", m->id,
            m->with_user ? json_pack("{s:I}", "user_id", (json_int_t)m->user_id) : NULL};
    return 0;
}

int chat_channel_join(struct req *r)
{
    if (http_no_fields(r) < 0) /* takes no body */
        return r->status;
    long long id = http_param_id(r, "id");
    struct db_res *k = id ? db_query(&r->arena, sql_channel_kind, "i", id) : NULL;
    if (id && !k)
        return http_db_error(r);
    if (!k || k->nrows == 0 || strcmp(db_str(k, 0, 0), "public") != 0)
        return http_error(r, 404, "not_found", "No such channel", NULL);
    if (db_str(k, 0, 1))
        return refuse_archived(r);
    struct member_new m = {id, r->session->user_id, "chat.channel.join", false, 0};
    int rc = http_write(r, join_tx, &m);
    return rc ? rc : channel_answer(r, id, 200);
}

int chat_member_add(struct req *r)
{
    long long id = http_param_id(r, "id"), user_id = 0;
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    if (HTTP_FIELDS(r, body, {"user_id", FIELD_ID, true, 0, &user_id}) < 0)
        return r->status;
    struct db_res *c = membership(r, id);
    if (!c)
        return r->status;
    if (is_conversation(db_str(c, 0, 1)))
        return http_error(r, 409, "conversation_fixed",
                          "People of a conversation are fixed: start a new one", "user_id");
    if (db_str(c, 0, 7))
        return refuse_archived(r);
    struct member_new m = {id, user_id, "chat.member.add", true, 0};
    int rc = http_write(r, join_tx, &m);
    if (rc)
        return rc;
    if (m.added == 0) { /* nothing was written: not an employee, or a member already */
        json_t *one = json_pack("[I]", (json_int_t)user_id);
        int bad = check_people(r, one, "user_id", 1);
        json_decref(one);
        if (bad < 0)
            return r->status;
    }
    return channel_answer(r, id, 200);
}

/* Inside the open transaction, with the channel's owner rows locked: may user_id stop
 * being an owner of channel id (of kind, archived or not), by leaving or being removed
 * (gone) or demoted? A channel with other members keeps an owner; the last member of a
 * private channel does not leave it (nobody could open it again) unless it is archived.
 * 0 yes, 1 after answering 409, -1 on a database error. */
static int owner_may_go(struct req *r, long long id, const char *kind, bool archived,
                        long long user_id, bool gone)
{
    struct db_res *owners = db_query(&r->arena, sql_owners_lock, "i", id);
    if (!owners)
        return -1;
    bool owner = false;
    for (int i = 0; i < owners->nrows; i++)
        owner = owner || db_ll(owners, i, 0) == user_id;
    if (!owner || owners->nrows > 1 || is_conversation(kind))
        return 0;
    struct db_res *n = db_query(&r->arena, sql_member_count, "i", id);
    if (!n)
        return -1;
    if (db_ll(n, 0, 0) > 1 || !gone) {
        http_error(r, 409, "last_owner",
                   "A channel keeps an owner: make another member an owner first", NULL);
        return 1;
    }
    if (strcmp(kind, "private") == 0 && !archived) {
        http_error(r, 409, "last_member",
                   "The last member of a private channel cannot leave it: archive it instead",
                   NULL);
        return 1;
    }
    return 0;
}

struct member_gone {
    long long id, user_id;
    const char *kind;
    bool archived, self;
};

static int member_remove_tx(struct req *r, void *arg, struct http_change *change)
{
    struct member_gone *g = arg;
    int refused = owner_may_go(r, g->id, g->kind, g->archived, g->user_id, true);
    if (refused)
        return refused < 0 ? -1 : r->status;
    if (db_exec(sql_remove_member, "ii", g->id, g->user_id) < 0)
        return -1;
    if (db_affected() == 0)
        return http_error(r, 404, "not_found", "Not a member of this channel", NULL);
    if (member_event(r, g->id, g->user_id, g->self ? "left" : "removed") < 0)
        return -1;
    *change =
        (struct http_change){g->self ? "chat.channel.leave" : "chat.member.remove", "chat_channel",
                             g->id, json_pack("{s:I}", "user_id", (json_int_t)g->user_id)};
    return 0;
}

int chat_member_remove(struct req *r)
{
    if (http_no_fields(r) < 0) /* takes no body */
        return r->status;
    long long id = http_param_id(r, "id"), user_id = http_param_id(r, "user_id");
    struct db_res *c = membership(r, id);
    if (!c)
        return r->status;
    long long me = r->session->user_id;
    bool self = user_id == me;
    if (strcmp(db_str(c, 0, 1), "direct") == 0)
        return http_error(r, 409, "conversation_fixed", "A direct conversation cannot be left",
                          NULL);
    if (!self && (is_conversation(db_str(c, 0, 1)) ||
                  (strcmp(db_str(c, 0, 4), "owner") != 0 && !auth_is_employee(r, ROLE_ADMIN))))
        return http_error(r, 403, "forbidden", "Only the channel's owner removes others", NULL);
    struct member_gone g = {id, user_id, db_str(c, 0, 1), db_str(c, 0, 7) != NULL, self};
    int rc = http_write(r, member_remove_tx, &g);
    return rc ? rc : http_send(r, 204, "application/json", "Cache-Control: no-store\r\n", "", 0);
}

/* ---------------------------------------------------------------------------------------
 * Channel settings (name, topic, archive) and owners
 * ------------------------------------------------------------------------------------- */

/* The right to manage channel id (not 0), checked inside the write's transaction with the
 * channel's row locked (sql_settings_lock: kind, name, topic, archived_at, version). Its
 * owner or an employee admin may; a private channel is 404 to every outsider (admins
 * too), like a channel that does not exist. Returns the row, or NULL with *status the
 * answer sent (404, 409 not_a_channel for a conversation, 403) or -1. */
static struct db_res *manage_check(struct req *r, long long id, int *status)
{
    struct db_res *c = db_query(&r->arena, sql_settings_lock, "i", id), *role = NULL;
    if (!c || !(role = db_query(&r->arena, sql_my_role, "ii", id, r->session->user_id))) {
        *status = -1;
        return NULL;
    }
    const char *kind = c->nrows ? db_str(c, 0, 0) : NULL;
    bool member = role->nrows > 0;
    if (!kind || (!member && strcmp(kind, "public") != 0))
        *status = http_error(r, 404, "not_found", "No such channel", NULL);
    else if (is_conversation(kind))
        *status = http_error(
            r, 409, "not_a_channel",
            "Only channels have a name, a topic, owners and an archive; conversations do not",
            NULL);
    else if (!(member && strcmp(db_str(role, 0, 0), "owner") == 0) &&
             !auth_is_employee(r, ROLE_ADMIN))
        *status = http_error(r, 403, "forbidden", "Only the channel's owner or an admin changes it",
                             NULL);
    else
        return c;
    return NULL;
}

/* A channel's settings as JSON (also the payload of chat.channel.updated), or NULL on a
 * database error. */
static json_t *settings_json(struct req *r, long long id)
{
    struct db_res *c = db_query(&r->arena, sql_settings_row, "i", id);
    if (!c || c->nrows == 0)
        return NULL;
    json_t *by = db_str(c, 0, 5) ? json_pack("{s:I, s:s}", "id", (json_int_t)db_ll(c, 0, 5), "name",
                                             db_str(c, 0, 6))
                                 : json_null();
    return json_pack("{s:I, s:s, s:s?, s:s, s:b, s:s?, s:o, s:I}", "id", (json_int_t)id, "kind",
                     db_str(c, 0, 0), "name", db_str(c, 0, 1), "topic", db_str(c, 0, 2), "archived",
                     db_str(c, 0, 3) != NULL, "archived_at",
                     db_time_iso(&r->arena, db_str(c, 0, 3)), "archived_by", by, "version",
                     (json_int_t)db_ll(c, 0, 4));
}

/* {"from": a, "to": b} for the audit log. */
static json_t *change_of(const char *a, const char *b)
{
    return json_pack("{s:s, s:s}", "from", a, "to", b);
}

struct channel_change {
    long long id, version;
    const char *name, *topic;
    int archive;
    bool has_name, has_topic, has_archived, has_version;
    bool unchanged; /* out: nothing to change, nothing written */
    json_t *out;    /* out: the settings as committed */
};

static int channel_update_tx(struct req *r, void *arg, struct http_change *change)
{
    struct channel_change *u = arg;
    long long id = u->id;
    json_decref(u->out); /* from an attempt that rolled back */
    u->out = NULL;
    u->unchanged = false;
    int status = 0;
    struct db_res *c = manage_check(r, id, &status);
    if (!c)
        return status;
    if (u->has_version && u->version != db_ll(c, 0, 4)) {
        /* http_conflict's shape, plus the field (the tests and the client read it) */
        r->error_code = "conflict";
        return http_json(r, 409,
                         json_pack("{s:{s:s, s:s, s:s}, s:o?}", "error", "code", "conflict",
                                   "message", "The channel changed meanwhile; reload", "field",
                                   "version", "current", settings_json(r, id)));
    }
    const char *old_name = db_str(c, 0, 1), *old_topic = db_str(c, 0, 2);
    const char *name = u->has_name ? u->name : old_name;
    const char *topic = u->has_topic ? u->topic : old_topic;
    bool was = db_str(c, 0, 3) != NULL, now = u->has_archived ? u->archive != 0 : was;
    json_t *changes = json_object();
    if (strcmp(name, old_name) != 0)
        json_object_set_new(changes, "name", change_of(old_name, name));
    if (strcmp(topic, old_topic) != 0)
        json_object_set_new(changes, "topic", change_of(old_topic, topic));
    if (was && now && json_object_size(changes)) {
        json_decref(changes);
        return refuse_archived(r);
    }
    if (now != was)
        json_object_set_new(changes, "archived", json_boolean(now));
    if (json_object_size(changes) == 0) { /* nothing to change: the channel as it is */
        json_decref(changes);
        u->unchanged = true;
        return 0;
    }
    long long archiving = now == was ? 0 : now ? 1 : -1;
    if (db_exec(sql_update_channel, "ssiiii", name, topic, archiving, r->session->user_id,
                archiving, id) < 0) {
        json_decref(changes);
        return db_errno() == ER_DUP_ENTRY
                   ? http_error(r, 409, "name_taken", "A channel with this name exists", "name")
                   : -1;
    }
    if (!(u->out = settings_json(r, id))) {
        json_decref(changes);
        return -1;
    }
    json_t *event = json_deep_copy(u->out);
    json_object_set_new(event, "by", json_integer(r->session->user_id));
    json_object_set(event, "changes", changes);
    long long ev = outbox_append("chat.channel.updated", channel_audience(&r->arena, id), event);
    json_decref(event);
    *change = (struct http_change){"chat.channel.update", "chat_channel", id, changes};
    return ev < 0 ? -1 : 0;
}

int chat_channel_update(struct req *r)
{
    struct channel_change u = {.id = http_param_id(r, "id")};
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    if (HTTP_FIELDS(r, body, {"name", FIELD_STRING, false, 80, &u.name, &u.has_name},
                    {"topic", FIELD_TEXT, false, 250, &u.topic, &u.has_topic},
                    {"archived", FIELD_BOOL, false, 0, &u.archive, &u.has_archived},
                    {"version", FIELD_INT, false, 0, &u.version, &u.has_version}) < 0)
        return r->status;
    if (u.has_name && (!*u.name || strchr(u.name, '\n') || strchr(u.name, '\r')))
        return http_error(r, 400, "validation_failed", "A channel name is one line of text",
                          "name");
    if (!u.has_name && !u.has_topic && !u.has_archived)
        return http_error(r, 400, "validation_failed", "Change name, topic or archived", NULL);
    if (!u.id)
        return http_error(r, 404, "not_found", "No such channel", NULL);
    int rc = http_write(r, channel_update_tx, &u);
    if (rc) {
        json_decref(u.out);
        return rc;
    }
    if (u.unchanged)
        return http_json_found(r, settings_json(r, u.id), "No such channel");
    return http_json(r, 200, u.out);
}

struct role_change {
    long long id, user_id;
    const char *role;
};

static int member_role_tx(struct req *r, void *arg, struct http_change *change)
{
    struct role_change *m = arg;
    int status = 0;
    struct db_res *c = manage_check(r, m->id, &status);
    if (!c)
        return status;
    struct db_res *now =
        m->user_id ? db_query(&r->arena, sql_my_role, "ii", m->id, m->user_id) : NULL;
    if (m->user_id && !now)
        return -1;
    if (!now || now->nrows == 0)
        return http_error(r, 404, "not_found", "Not a member of this channel", NULL);
    if (strcmp(db_str(now, 0, 0), m->role) == 0) /* already so: nothing to write */
        return 0;
    bool promote = strcmp(m->role, "owner") == 0;
    int refused = promote ? 0
                          : owner_may_go(r, m->id, db_str(c, 0, 0), db_str(c, 0, 3) != NULL,
                                         m->user_id, false);
    if (refused)
        return refused < 0 ? -1 : r->status;
    if (db_exec(sql_set_role, "sii", m->role, m->id, m->user_id) < 0 ||
        member_event(r, m->id, m->user_id, promote ? "promoted" : "demoted") < 0)
        return -1;
    *change = (struct http_change){
        "chat.member.role", "chat_channel", m->id,
        json_pack("{s:I, s:s}", "user_id", (json_int_t)m->user_id, "role", m->role)};
    return 0;
}

int chat_member_role(struct req *r)
{
    struct role_change m = {http_param_id(r, "id"), http_param_id(r, "user_id"), NULL};
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    if (HTTP_FIELDS(r, body, {"role", FIELD_STRING, true, 20, &m.role}) < 0)
        return r->status;
    if (strcmp(m.role, "owner") != 0 && strcmp(m.role, "member") != 0)
        return http_error(r, 400, "validation_failed", "role is owner or member", "role");
    if (!m.id)
        return http_error(r, 404, "not_found", "No such channel", NULL);
    int rc = http_write(r, member_role_tx, &m);
    if (rc)
        return rc;
    return http_json(r, 200,
                     json_pack("{s:I, s:I, s:s}", "channel_id", (json_int_t)m.id, "user_id",
                               (json_int_t)m.user_id, "role", m.role));
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

struct conversation_new {
    const char *key;
    const long long *people;
    int n;
    long long id; /* out; 0 when the other side opened it meanwhile */
};

static int direct_open_tx(struct req *r, void *arg, struct http_change *change)
{
    struct conversation_new *c = arg;
    long long me = r->session->user_id;
    c->id = 0;
    if (db_exec(sql_insert_channel, "ssssii", c->n == 2 ? "direct" : "group", NULL, c->key, "", me,
                0LL) < 0)
        return db_errno() == ER_DUP_ENTRY ? 0 : -1; /* theirs: commits nothing */
    c->id = db_insert_id();
    for (int k = 0; k < c->n; k++)
        if (add_member(r, c->id, c->people[k], c->people[k] == me ? "owner" : "member") < 0)
            return -1;
    *change = (struct http_change){"chat.conversation.create", "chat_channel", c->id,
                                   json_pack("{s:s}", "people", c->key)};
    return 0;
}

int chat_direct_open(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    json_t *ids = NULL;
    if (HTTP_FIELDS(r, body, {"user_ids", FIELD_JSON, false, 0, &ids}) < 0)
        return r->status;
    if (!ids || json_array_size(ids) == 0)
        return http_error(r, 400, "validation_failed", "Name whom to talk to", "user_ids");
    if (check_people(r, ids, "user_ids", CONVERSATION_MAX - 1) < 0)
        return r->status;
    long long me = r->session->user_id, people[CONVERSATION_MAX];
    int n = 0;
    people[n++] = me;
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        long long id = json_integer_value(v);
        bool dup = false;
        for (int k = 0; k < n; k++)
            dup = dup || people[k] == id;
        if (!dup && n < CONVERSATION_MAX)
            people[n++] = id;
    }
    if (n < 2)
        return http_error(r, 400, "validation_failed", "Name someone other than yourself",
                          "user_ids");
    qsort(people, (size_t)n, sizeof people[0], cmp_ll);
    char key[CONVERSATION_MAX * 21] = "";
    for (int k = 0; k < n; k++)
        snprintf(key + strlen(key), sizeof key - strlen(key), "%s%lld", k ? ":" : "", people[k]);
    struct conversation_new c = {key, people, n, 0};
    for (int attempt = 0; attempt < 2; attempt++) {
        struct db_res *found = db_query(&r->arena, sql_direct_find, "s", key);
        if (!found)
            return http_db_error(r);
        if (found->nrows)
            return channel_answer(r, db_ll(found, 0, 0), 200);
        int rc = http_write(r, direct_open_tx, &c);
        if (rc)
            return rc;
        if (c.id)
            return channel_answer(r, c.id, 201);
        /* opened by the other side meanwhile: take theirs */
    }
    return http_db_error(r);
}

/* ---------------------------------------------------------------------------------------
 * Messages
 * ------------------------------------------------------------------------------------- */

int chat_messages_list(struct req *r)
{
    long long id = http_param_id(r, "id");
    int limit;
    long long before, after = 0;
    if (http_page_args(r, 50, 200, &limit, &before) < 0)
        return r->status;
    const char *after_q = http_query(r, "after");
    if (after_q) {
        char *end;
        after = strtoll(after_q, &end, 10);
        if (!*after_q || *end || after < 0 || before)
            return http_error(r, 400, "validation_failed",
                              "after is a message id (0 for the oldest) and excludes before",
                              "after");
    }
    struct db_res *c = membership(r, id);
    if (!c)
        return r->status;
    struct db_res *m =
        after_q
            ? db_query(&r->arena, sql_page_after, "iii", id, after, (long long)limit)
            : db_query(&r->arena, sql_page_before, "iiii", id, before, before, (long long)limit);
    json_t *items = m ? messages_json(r, m) : NULL;
    if (!items)
        return http_db_error(r);
    json_t *out = json_pack("{s:o}", "items", items);
    if (after_q)
        json_object_set_new(out, "has_more", json_boolean(m->nrows == limit));
    else
        db_page_next(out, m, limit);
    return http_json(r, 200, out);
}

/* Records the mentions in md of members of the channel and notifies them; an edit
 * notifies only those mentioned for the first time. 0 or -1. */
static int mention(struct req *r, long long channel_id, long long message_id, const char *md,
                   bool edit)
{
    const char *handles = richtext_mentions(&r->arena, md);
    if (strcmp(handles, "[]") == 0)
        return 0;
    struct db_res *who = db_query(&r->arena, sql_mention_targets, "is", channel_id, handles);
    if (!who)
        return -1;
    const char *summary = richtext_summary(&r->arena, r->session->name, "mentioned you", md);
    for (int i = 0; i < who->nrows; i++) {
        long long uid = db_ll(who, i, 0);
        if (db_exec(sql_add_mention, "ii", message_id, uid) < 0)
            return -1;
        if (edit && db_affected() == 0)
            continue;
        if (notify_user(uid, r->session->user_id, "mention", "chat_channel", channel_id, summary) <
            0)
            return -1;
    }
    return 0;
}

/* The message-size limit: 413 beyond PORTAL_CHAT_MAX_MESSAGE characters. 0 or -1. */
static int check_size(struct req *r, const char *md)
{
    if (utf8_chars(md) <= (size_t)config.chat_max_message)
        return 0;
    http_error(
        r, 413, "payload_too_large",
        arena_printf(&r->arena, "A message has at most %d characters", config.chat_max_message),
        "body");
    return -1;
}

/* Answers a repeated send with the message that is there: 200 when it is in this
 * channel, 409 when the client reused its id elsewhere. */
static int repeat_answer(struct req *r, struct db_res *m, long long channel_id)
{
    if (db_ll(m, 0, 1) != channel_id)
        return http_error(r, 409, "conflict", "client_id belongs to another message", "client_id");
    json_t *arr = messages_json(r, m);
    if (!arr)
        return http_db_error(r);
    json_t *one = json_incref(json_array_get(arr, 0));
    json_decref(arr);
    return http_json(r, 200, one);
}

struct send_tx {
    long long channel_id, parent_id;
    const char *md, *html, *client_id;
    json_t *files;
    json_t *msg;    /* out: the message as sent (owned by the caller after a commit) */
    bool duplicate; /* out: the client_id is there already (nothing written) */
};

/* The write of a send (run again after a deadlock or a certification failure): the
 * message, its files, the thread counter, mentions, its event and audit entry. */
static int send_write(struct req *r, void *arg, struct http_change *change)
{
    struct send_tx *tx = arg;
    long long me = r->session->user_id, id = tx->channel_id;
    json_decref(tx->msg);
    tx->msg = NULL;
    tx->duplicate = false;
    if (db_exec(sql_send_message, "iIsssi", me, tx->parent_id, tx->client_id, tx->md, tx->html,
                id) < 0) {
        if (db_errno() != ER_DUP_ENTRY)
            return -1;
        tx->duplicate = true; /* the statement failed whole: committing writes nothing */
        return 0;
    }
    if (db_affected() == 0)
        return refuse_archived(r); /* archived since the check before the transaction */
    long long mid = db_insert_id();
    size_t i;
    json_t *v;
    if (tx->files)
        json_array_foreach(tx->files, i, v) if (files_attach(json_integer_value(v), me, "chat",
                                                             mid) < 0) return db_errno()
            ? -1
            : http_error(r, 400, "validation_failed",
                         "A file is not yours, is attached already or does not exist", "files");
    if ((tx->parent_id && db_exec(sql_bump_thread, "ii", 0LL, tx->parent_id) < 0) ||
        mention(r, id, mid, tx->md, false) < 0 || !(tx->msg = message_by_id(r, mid)))
        return -1;
    if (tx->parent_id) {
        struct db_res *p = db_query(&r->arena, sql_message, "i", tx->parent_id);
        if (!p)
            return -1;
        json_object_set_new(tx->msg, "thread",
                            json_pack("{s:I, s:I, s:s?}", "id", (json_int_t)tx->parent_id,
                                      "reply_count", (json_int_t)db_ll(p, 0, 12), "last_reply_at",
                                      db_time_iso(&r->arena, db_str(p, 0, 13))));
    }
    if (outbox_append("chat.message", channel_audience(&r->arena, id), tx->msg) < 0)
        return -1;
    *change = (struct http_change){"chat.message.send", "chat_message", mid,
                                   json_pack("{s:I}", "channel_id", (json_int_t)id)};
    return 0;
}

int chat_message_send(struct req *r)
{
    long long id = http_param_id(r, "id"), parent_id = 0, me = r->session->user_id;
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    const char *md = "", *client_id = NULL;
    json_t *files = NULL;
    if (HTTP_FIELDS(r, body, {"body", FIELD_TEXT, false, SIZE_MAX, &md},
                    {"client_id", FIELD_STRING, true, 36, &client_id},
                    {"parent_id", FIELD_ID, false, 0, &parent_id},
                    {"files", FIELD_JSON, false, 0, &files}) < 0)
        return r->status;
    if (!uuid_like(client_id))
        return http_error(r, 400, "validation_failed", "client_id must be a UUID", "client_id");
    if (files && !json_is_null(files)) {
        size_t i;
        json_t *v;
        if (!json_is_array(files) || json_array_size(files) > 10)
            return http_error(r, 400, "validation_failed", "files is a list of up to 10 file ids",
                              "files");
        json_array_foreach(files, i, v) if (!json_is_integer(v) ||
                                            json_integer_value(v) <
                                                1) return http_error(r, 400, "validation_failed",
                                                                     "files is a list of file ids",
                                                                     "files");
    } else {
        files = NULL;
    }
    if (!*md && !files)
        return http_error(r, 400, "validation_failed", "Write something or attach a file", "body");
    if (check_size(r, md) < 0)
        return r->status;
    struct db_res *c = membership(r, id);
    if (!c)
        return r->status;
    struct db_res *prev = db_query(&r->arena, sql_by_client_id, "is", me, client_id);
    if (!prev)
        return http_db_error(r);
    if (prev->nrows)
        return repeat_answer(r, prev, id);
    if (db_str(c, 0, 7))
        return refuse_archived(r);
    if (parent_id) {
        struct db_res *p = db_query(&r->arena, sql_message, "i", parent_id);
        if (!p)
            return http_db_error(r);
        if (p->nrows == 0 || db_ll(p, 0, 1) != id || db_str(p, 0, 2) || db_str(p, 0, 11))
            return http_error(r, 400, "validation_failed",
                              "parent_id must be a message of this channel outside a thread",
                              "parent_id");
    }
    int wait = chat_rate_take(me, http_now());
    if (wait) {
        char hdr[64];
        snprintf(hdr, sizeof hdr, "Retry-After: %d\r\n", wait);
        return http_error_headers(r, 429, "rate_limited", "Too many messages; wait a moment", NULL,
                                  hdr);
    }
    char *html = richtext_render(r, md, "body");
    if (!html)
        return r->status;
    struct send_tx tx = {id, parent_id, md, html, client_id, files, NULL, false};
    int rc = http_write(r, send_write, &tx);
    free(html);
    if (rc == 0 && !tx.duplicate)
        return http_json(r, 201, tx.msg);
    json_decref(tx.msg); /* from an attempt that did not commit */
    if (rc)
        return rc;
    /* the same client_id raced in on another connection: answer with that one */
    prev = db_query(&r->arena, sql_by_client_id, "is", me, client_id);
    if (!prev || prev->nrows == 0)
        return http_db_error(r);
    return repeat_answer(r, prev, id);
}

/* An edit, a deletion or a reaction of message id (ctx of their tx functions). */
struct message_change {
    long long id;
    const char *md, *html, *emoji;
    bool on;
    json_t *out; /* out: the answer's body (edit, reaction) */
};

/* Locks message c->id, which the caller may see, for a change inside the write's
 * transaction (dropping what an attempt that rolled back left in c->out). Returns its
 * row (id, channel_id, author_id, body_md, deleted_at, parent_id), or NULL with *status
 * the answer sent (404, 409 channel_archived) or -1. */
static struct db_res *lock_message(struct req *r, struct message_change *c, int *status)
{
    json_decref(c->out);
    c->out = NULL;
    struct db_res *m = db_query(&r->arena, sql_lock_message, "ii", r->session->user_id, c->id);
    if (!m) {
        *status = -1;
        return NULL;
    }
    if (m->nrows == 0 || db_str(m, 0, 4)) {
        *status = http_error(r, 404, "not_found", "No such message", NULL);
        return NULL;
    }
    struct db_res *a = db_query(&r->arena, sql_archived_lock, "i", db_ll(m, 0, 1));
    if (!a || a->nrows == 0 || db_str(a, 0, 0)) {
        *status = a && a->nrows ? refuse_archived(r) : -1;
        return NULL;
    }
    return m;
}

static int message_edit_tx(struct req *r, void *arg, struct http_change *change)
{
    struct message_change *e = arg;
    int status = 0;
    struct db_res *m = lock_message(r, e, &status);
    if (!m)
        return status;
    if (db_ll(m, 0, 2) != r->session->user_id)
        return http_error(r, 403, "forbidden", "Only the author edits a message", NULL);
    long long channel_id = db_ll(m, 0, 1);
    if (db_exec(sql_edit_message, "ssi", e->md, e->html, e->id) < 0 ||
        mention(r, channel_id, e->id, e->md, true) < 0 || !(e->out = message_by_id(r, e->id)) ||
        outbox_append("chat.message.edited", channel_audience(&r->arena, channel_id), e->out) < 0)
        return -1;
    *change = (struct http_change){"chat.message.edit", "chat_message", e->id,
                                   json_pack("{s:s}", "before", db_str(m, 0, 3))};
    return 0;
}

int chat_message_edit(struct req *r)
{
    struct message_change e = {.id = http_param_id(r, "id")};
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    if (HTTP_FIELDS(r, body, {"body", FIELD_STRING, true, SIZE_MAX, &e.md}) < 0 ||
        check_size(r, e.md) < 0)
        return r->status;
    char *html = richtext_render(r, e.md, "body");
    if (!html)
        return r->status;
    if (!e.id) {
        free(html);
        return http_error(r, 404, "not_found", "No such message", NULL);
    }
    e.html = html;
    int rc = http_write(r, message_edit_tx, &e);
    free(html);
    if (rc) {
        json_decref(e.out);
        return rc;
    }
    return http_json(r, 200, e.out);
}

static int message_delete_tx(struct req *r, void *arg, struct http_change *change)
{
    struct message_change *d = arg;
    int status = 0;
    struct db_res *m = lock_message(r, d, &status);
    if (!m)
        return status;
    if (db_ll(m, 0, 2) != r->session->user_id && !auth_is_employee(r, ROLE_ADMIN))
        return http_error(r, 403, "forbidden", "Only the author or an admin deletes a message",
                          NULL);
    long long channel_id = db_ll(m, 0, 1);
    json_t *event =
        json_pack("{s:I, s:I, s:o}", "id", (json_int_t)d->id, "channel_id", (json_int_t)channel_id,
                  "parent_id", db_str(m, 0, 5) ? json_integer(db_ll(m, 0, 5)) : json_null());
    long long ev =
        outbox_append("chat.message.deleted", channel_audience(&r->arena, channel_id), event);
    json_decref(event);
    if (ev < 0 || db_exec(sql_delete_message, "i", d->id) < 0)
        return -1;
    *change = (struct http_change){"chat.message.delete", "chat_message", d->id,
                                   json_pack("{s:s}", "body", db_str(m, 0, 3))};
    return 0;
}

int chat_message_delete(struct req *r)
{
    if (http_no_fields(r) < 0) /* takes no body */
        return r->status;
    struct message_change d = {.id = http_param_id(r, "id")};
    if (!d.id)
        return http_error(r, 404, "not_found", "No such message", NULL);
    int rc = http_write(r, message_delete_tx, &d);
    return rc ? rc : http_send(r, 204, "application/json", "Cache-Control: no-store\r\n", "", 0);
}

int chat_thread_get(struct req *r)
{
    long long id = http_param_id(r, "id");
    struct db_res *root =
        id ? db_query(&r->arena, sql_visible_message, "ii", r->session->user_id, id) : NULL;
    if (id && !root)
        return http_db_error(r);
    if (!root || root->nrows == 0 || db_str(root, 0, 2))
        return http_error(r, 404, "not_found", "No such thread", NULL);
    struct db_res *replies = db_query(&r->arena, sql_thread, "i", id);
    json_t *roots = replies ? messages_json(r, root) : NULL;
    json_t *items = roots ? messages_json(r, replies) : NULL;
    if (!items) {
        json_decref(roots);
        return http_db_error(r);
    }
    json_t *out = json_pack("{s:O, s:o}", "root", json_array_get(roots, 0), "items", items);
    json_decref(roots);
    return http_json(r, 200, out);
}

/* An emoji (or :short_code:): 1 to 32 bytes of UTF-8, no spaces or control characters. */
static bool emoji_ok(const char *e)
{
    size_t n = strlen(e);
    if (n == 0 || n > 32 || !utf8_valid(e, n))
        return false;
    for (const unsigned char *p = (const unsigned char *)e; *p; p++)
        if (*p <= ' ' || *p == 0x7f || *p == '/')
            return false;
    return true;
}

/* Not audited (reactions never were): change stays empty. */
static int reaction_tx(struct req *r, void *arg, struct http_change *change)
{
    (void)change;
    struct message_change *x = arg;
    int status = 0;
    struct db_res *m = lock_message(r, x, &status);
    if (!m)
        return status;
    long long channel_id = db_ll(m, 0, 1);
    if (db_exec(x->on ? sql_react : sql_unreact, "iis", x->id, r->session->user_id, x->emoji) < 0)
        return -1;
    bool changed = db_affected() > 0;
    json_t *ids = json_pack("[I]", (json_int_t)x->id);
    char *text = json_dumps(ids, JSON_COMPACT);
    json_decref(ids);
    struct db_res *rx = db_query(&r->arena, sql_reactions, "s", text);
    free(text);
    if (!rx)
        return -1;
    x->out = json_pack("{s:I, s:I, s:o}", "message_id", (json_int_t)x->id, "channel_id",
                       (json_int_t)channel_id, "reactions", reactions_for(rx, x->id));
    if (changed &&
        outbox_append("chat.reaction", channel_audience(&r->arena, channel_id), x->out) < 0)
        return -1;
    return 0;
}

int chat_reaction(struct req *r)
{
    if (http_no_fields(r) < 0) /* takes no body */
        return r->status;
    struct message_change x = {.id = http_param_id(r, "id"),
                               .emoji = http_param(r, "emoji"),
                               .on = strcmp(r->ri->request_method, "PUT") == 0};
    if (!x.emoji || !emoji_ok(x.emoji))
        return http_error(r, 400, "validation_failed", "Not an emoji", "emoji");
    if (!x.id)
        return http_error(r, 404, "not_found", "No such message", NULL);
    int rc = http_write(r, reaction_tx, &x);
    if (rc) {
        json_decref(x.out);
        return rc;
    }
    return http_json(r, 200, x.out);
}

struct read_mark {
    long long id, message_id;
    struct db_res *unread; /* out: last_read_id, unread */
};

/* Not audited (reading never was): change stays empty. */
static int read_tx(struct req *r, void *arg, struct http_change *change)
{
    (void)change;
    struct read_mark *k = arg;
    long long id = k->id, me = r->session->user_id;
    if (db_exec(sql_read, "iiiiii", k->message_id, id, me, k->message_id, k->message_id, id) < 0)
        return -1;
    if (db_affected()) {
        json_t *ev = json_pack("{s:I, s:I, s:I}", "channel_id", (json_int_t)id, "user_id",
                               (json_int_t)me, "last_read_id", (json_int_t)k->message_id);
        long long rc = outbox_append("chat.read", channel_audience(&r->arena, id), ev);
        json_decref(ev);
        if (rc < 0)
            return -1;
    }
    k->unread = db_query(&r->arena, sql_unread, "iiii", id, me, id, me);
    return !k->unread || k->unread->nrows == 0 ? -1 : 0;
}

int chat_read(struct req *r)
{
    struct read_mark k = {.id = http_param_id(r, "id")};
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    if (HTTP_FIELDS(r, body, {"message_id", FIELD_ID, true, 0, &k.message_id}) < 0)
        return r->status;
    if (!membership(r, k.id))
        return r->status;
    int rc = http_write(r, read_tx, &k);
    if (rc)
        return rc;
    return http_json(r, 200,
                     json_pack("{s:I, s:I, s:I}", "channel_id", (json_int_t)k.id, "last_read_id",
                               (json_int_t)db_ll(k.unread, 0, 0), "unread",
                               (json_int_t)db_ll(k.unread, 0, 1)));
}

/* A plain-text window of body around the first word of the query it contains. */
static const char *snippet(struct arena *a, const char *body, const char *q)
{
    size_t len = strlen(body), at = len;
    char *words = arena_strdup(a, q), *save = NULL;
    for (char *w = strtok_r(words, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        w += strspn(w, "+-~<>()\"");
        w[strcspn(w, "*\"")] = '\0';
        const char *f = *w ? strcasestr(body, w) : NULL;
        if (f && (size_t)(f - body) < at)
            at = (size_t)(f - body);
    }
    size_t start = at == len || at < 40 ? 0 : at - 40;
    while (start > 0 && ((unsigned char)body[start] & 0xc0) == 0x80)
        start--;
    size_t end = start + 200 < len ? start + 200 : len;
    while (end < len && ((unsigned char)body[end] & 0xc0) == 0x80)
        end++;
    char *out = arena_printf(a, "%s%.*s%s", start ? "…" : "", (int)(end - start), body + start,
                             end < len ? "…" : "");
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    return out;
}

int chat_search(struct req *r)
{
    const char *q = http_query(r, "q"), *channel_q = http_query(r, "channel");
    int limit;
    long long before;
    if (http_page_args(r, 30, 100, &limit, &before) < 0)
        return r->status;
    long long channel = channel_q ? strtoll(channel_q, NULL, 10) : 0;
    if (channel_q && channel < 1)
        return http_error(r, 400, "validation_failed", "channel is an id", "channel");
    const char *boolean = kb_boolean_query(&r->arena, q);
    if (!boolean)
        return http_json(r, 200, json_pack("{s:[]}", "items"));
    struct db_res *m = db_query(&r->arena, sql_search, "sisiii", boolean, r->session->user_id,
                                boolean, channel, channel, (long long)limit);
    json_t *items = m ? messages_json(r, m) : NULL;
    if (!items)
        return http_db_error(r);
    for (int i = 0; i < m->nrows; i++) {
        json_t *o = json_array_get(items, (size_t)i);
        json_object_set_new(o, "channel",
                            json_pack("{s:I, s:s, s:s?}", "id", (json_int_t)db_ll(m, i, 1), "kind",
                                      db_str(m, i, 14), "name", db_str(m, i, 15)));
        json_object_set_new(o, "snippet",
                            json_string(snippet(&r->arena, db_str(m, i, 7), boolean)));
    }
    return http_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---------------------------------------------------------------------------------------
 * Start-up and demo data
 * ------------------------------------------------------------------------------------- */

static bool chat_file_readable(struct req *r, long long message_id)
{
    struct db_res *m = db_query(&r->arena, sql_file_readable, "ii", auth_user_id(r), message_id);
    return m && m->nrows > 0;
}

/* The gateway's audience "channel:N": its members. */
static const char sql_channel_members[] = "SELECT user_id FROM chat_members WHERE channel_id = ?";
static const char sql_channel_writable[] =
    "SELECT 1 FROM chat_channels WHERE id = ? AND archived_at IS NULL";

static struct db_res *channel_members(struct arena *a, long long channel_id)
{
    return db_query(a, sql_channel_members, "i", channel_id);
}

int chat_channel_writable(struct arena *a, long long channel_id)
{
    struct db_res *res = db_query(a, sql_channel_writable, "i", channel_id);
    return res ? res->nrows == 1 : -1;
}

int chat_init(void)
{
    return files_register_owner("chat", chat_file_readable) |
           audience_register(AUD_CHANNEL, channel_members);
}

static const char sql_demo_user[] = "SELECT id FROM users WHERE handle = ?";
static const char sql_demo_member[] =
    "INSERT INTO chat_members (channel_id, user_id, role, joined_at, last_read_id)"
    " VALUES (?, ?, ?, UTC_TIMESTAMP(6) - INTERVAL 20 DAY, 0)";
/* Everyone has read all but the last two top-level messages of a channel. */
static const char sql_demo_read[] =
    "UPDATE chat_members cm SET last_read_id = COALESCE((SELECT x.id FROM chat_messages x"
    " WHERE x.channel_id = cm.channel_id AND x.parent_id IS NULL ORDER BY x.id DESC"
    " LIMIT 1 OFFSET 2), 0) WHERE cm.channel_id = ?";
/* An archived channel: archived by its owner a week ago. */
static const char sql_demo_archive[] =
    "UPDATE chat_channels SET archived_at = UTC_TIMESTAMP(6) - INTERVAL 7 DAY, archived_by = ?,"
    " version = 2 WHERE id = ?";
static const char sql_demo_react[] =
    "INSERT IGNORE INTO chat_reactions (message_id, user_id, emoji, created_at)"
    " VALUES (?, ?, ?, UTC_TIMESTAMP(6))";

int chat_demo_seed(void)
{
    enum { ANNA, BORIS, VERA, NPEOPLE };
    static const char *const handles[NPEOPLE] = {"anna", "boris", "vera"};
    static const struct {
        const char *kind, *name, *topic;
        int people; /* bit mask; the first one owns it */
        bool archived;
    } channels[] = {
        {"public", "general", "Company-wide chatter / Общий чат", 7, false},
        {"public", "sales", "Deals, leads and renewals", 6, false},
        {"private", "management", "Managers only", 3, false},
        {"direct", NULL, "", 5, false},
        {"group", NULL, "", 7, false},
        {"public", "office-move", "Moving to the new office (done)", 7, true},
    };
    static const struct {
        int channel, author, minutes_ago;
        int reply_to; /* index of the thread root in this table, -1 for none */
        const char *body;
        const char *reaction; /* by the next person, or NULL */
    } messages[] = {
        {0, ANNA, 8000, -1, "Good morning everyone! The new **portal** has a chat now :)", "👍"},
        {0, BORIS, 7990, -1, "Finally! No more lost emails.", NULL},
        {0, VERA, 7980, -1, "Доброе утро! Очень удобно, спасибо.", "❤️"},
        {0, ANNA, 4000, -1, "Reminder: the office is closed on Monday for the holiday.", NULL},
        {0, BORIS, 3990, 3, "Does that include the warehouse?", NULL},
        {0, ANNA, 3980, 3, "Yes, the warehouse too. @boris please tell the drivers.", NULL},
        {0, VERA, 60, -1, "Who has the projector remote? It's not in the meeting room.", NULL},
        {0, BORIS, 45, -1, "I think it's in my drawer, sorry! Bringing it now.", "🙏"},
        {1, BORIS, 6000, -1, "Romashka LLC renewed for another year 🎉", "🎉"},
        {1, VERA, 5990, 8, "Great news! Did they take the extra seats?", NULL},
        {1, BORIS, 5980, 8, "Five more seats, starting next month.", NULL},
        {1, VERA, 120, -1, "Vasilek JSC asked for a demo next Tuesday, @boris can you join?", NULL},
        {1, BORIS, 100, -1, "Sure, put it in my calendar. Let's use the `ticket cabinet` slides.",
         NULL},
        {2, ANNA, 2000, -1, "Budget review is on Friday. Please send the Q3 numbers by Thursday.",
         "👌"},
        {2, BORIS, 1990, -1, "Will do. Sales numbers are almost final.", NULL},
        {3, ANNA, 300, -1, "Vera, could you update the *onboarding* article in the knowledge base?",
         NULL},
        {3, VERA, 290, -1, "Of course, I'll do it today.", "👍"},
        {3, ANNA, 30, -1, "Thank you!", NULL},
        {4, VERA, 500, -1, "Lunch at 13:00 at the usual place?", "✅"},
        {4, BORIS, 495, -1, "I'm in.", NULL},
        {4, ANNA, 490, -1, "Me too — see you there.", NULL},
        {5, ANNA, 20000, -1, "The movers come on Saturday: pack your desks by Friday evening.",
         NULL},
        {5, BORIS, 19990, -1, "Who takes the plants?", NULL},
        {5, VERA, 19980, -1, "Me! Переезд прошёл отлично, спасибо всем.", "🎉"},
    };
    struct arena a;
    arena_init(&a);
    int rc = -1;
    long long people[NPEOPLE], channel_ids[sizeof channels / sizeof channels[0]];
    long long message_ids[sizeof messages / sizeof messages[0]];
    for (int i = 0; i < NPEOPLE; i++) {
        struct db_res *u = db_query(&a, sql_demo_user, "s", handles[i]);
        if (!u || u->nrows == 0)
            goto out;
        people[i] = db_ll(u, 0, 0);
    }
    for (size_t c = 0; c < sizeof channels / sizeof channels[0]; c++) {
        char key[80] = "";
        long long owner = 0;
        for (int p = 0; p < NPEOPLE; p++)
            if (channels[c].people & (1 << p)) {
                owner = owner ? owner : people[p];
                snprintf(key + strlen(key), sizeof key - strlen(key), "%s%lld", *key ? ":" : "",
                         people[p]);
            }
        bool conversation = is_conversation(channels[c].kind);
        if (db_exec(sql_insert_channel, "ssssii", channels[c].kind, channels[c].name,
                    conversation ? key : NULL, channels[c].topic, owner, 28800LL) < 0)
            goto out;
        channel_ids[c] = db_insert_id();
        for (int p = 0; p < NPEOPLE; p++)
            if ((channels[c].people & (1 << p)) &&
                db_exec(sql_demo_member, "iis", channel_ids[c], people[p],
                        people[p] == owner ? "owner" : "member") < 0)
                goto out;
    }
    for (size_t i = 0; i < sizeof messages / sizeof messages[0]; i++) {
        enum markdown_status st;
        const char *md = messages[i].body;
        char *html = markdown_render(md, strlen(md), &st);
        if (!html)
            goto out;
        long long parent = messages[i].reply_to >= 0 ? message_ids[messages[i].reply_to] : 0;
        int bad = db_exec(sql_insert_message, "iiIsssi", channel_ids[messages[i].channel],
                          people[messages[i].author], parent, NULL, md, html,
                          (long long)messages[i].minutes_ago) < 0;
        free(html);
        if (bad)
            goto out;
        message_ids[i] = db_insert_id();
        if (parent &&
            db_exec(sql_bump_thread, "ii", (long long)messages[i].minutes_ago, parent) < 0)
            goto out;
        if (messages[i].reaction &&
            db_exec(sql_demo_react, "iis", message_ids[i],
                    people[(messages[i].author + 1) % NPEOPLE], messages[i].reaction) < 0)
            goto out;
    }
    for (size_t c = 0; c < sizeof channels / sizeof channels[0]; c++)
        if (db_exec(sql_demo_read, "i", channel_ids[c]) < 0 ||
            (channels[c].archived &&
             db_exec(sql_demo_archive, "ii", people[ANNA], channel_ids[c]) < 0))
            goto out;
    rc = 0;
out:
    arena_cleanup(&a);
    return rc;
}
