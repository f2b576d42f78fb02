/* feed.c - the company feed. A page of posts costs a fixed handful of queries: the
 * page itself, then likes, comments, acknowledgements and files for all of its posts
 * at once (ids passed as one JSON array through JSON_TABLE). A page once built is kept
 * per reader until a feed change on any node (the feed epoch) or a user change (the
 * auth epoch) makes it stale: every write below bumps the feed epoch in its
 * transaction. */
#include "feed.h"

#include <ctype.h>
#include <mysqld_error.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audience.h"
#include "auth.h"
#include "db.h"
#include "epoch.h"
#include "pagecache.h"
#include "files.h"
#include "markdown.h"
#include "notify.h"
#include "outbox.h"
#include "richtext.h"

#define IDS_TABLE(col)                                                                             \
    "SELECT " col " FROM JSON_TABLE(?, '$[*]' COLUMNS (" col " BIGINT PATH '$')) t"

/* Who sees a post: company-wide posts everyone; group posts the group and admins.
 * Arguments: is_admin, user_id. */
#define VISIBLE                                                                                    \
    " (p.group_id IS NULL OR ? = 1 OR EXISTS (SELECT 1 FROM group_members gm"                      \
    " WHERE gm.group_id = p.group_id AND gm.user_id = ?))"
#define POST_COLUMNS                                                                               \
    "p.id, p.author_id, u.name, u.handle, p.group_id, g.name, p.body_md, p.body_html,"             \
    " p.important, p.pinned_at, p.created_at, p.edited_at, p.version"
/* posts first, always: left to itself the optimizer may start from users and sort
 * every post of every author (seconds on a million posts) to keep twenty. */
#define POST_FROM_HINT(hint)                                                                       \
    " FROM posts p " hint " STRAIGHT_JOIN users u ON u.id = p.author_id"                           \
    " LEFT JOIN `groups` g ON g.id = p.group_id"
#define POST_FROM POST_FROM_HINT("")

/* A page must not read "pinned_at IS NULL" off the pinned index: that visits every
 * older post. */
#define PAGE_FROM POST_FROM_HINT("IGNORE INDEX (posts_pinned)")

static const char sql_page[] =
    "SELECT " POST_COLUMNS PAGE_FROM " WHERE p.deleted_at IS NULL AND" VISIBLE
    " AND (? = 0 OR p.id < ?) AND (? IS NULL OR p.author_id = ?) AND (? IS NULL OR p.group_id = ?)"
    " AND (? = 0 OR p.id IN (SELECT post_id FROM post_mentions WHERE user_id = ?))"
    " AND (? = 0 OR p.pinned_at IS NULL)"
    " ORDER BY p.id DESC LIMIT ?";
static const char sql_pinned[] =
    "SELECT " POST_COLUMNS POST_FROM
    " WHERE p.deleted_at IS NULL AND p.pinned_at IS NOT NULL AND" VISIBLE
    " ORDER BY p.pinned_at DESC LIMIT 50";
static const char sql_post[] =
    "SELECT " POST_COLUMNS POST_FROM " WHERE p.id = ? AND p.deleted_at IS NULL AND" VISIBLE;
static const char sql_likes[] = "SELECT post_id, COUNT(*), MAX(user_id = ?) FROM post_likes"
                                " WHERE post_id IN (" IDS_TABLE("id") ") GROUP BY post_id";
static const char sql_comment_counts[] =
    "SELECT post_id, COUNT(*) FROM post_comments WHERE deleted_at IS NULL"
    " AND post_id IN (" IDS_TABLE("id") ") GROUP BY post_id";
static const char sql_acks[] = "SELECT post_id, COUNT(*), MAX(user_id = ?) FROM post_acks"
                               " WHERE post_id IN (" IDS_TABLE("id") ") GROUP BY post_id";
static const char sql_comments[] =
    "SELECT c.id, c.parent_id, c.author_id, u.name, u.handle, c.body_md, c.body_html,"
    " c.created_at, c.deleted_at IS NOT NULL,"
    " (SELECT COUNT(*) FROM comment_likes l WHERE l.comment_id = c.id),"
    " EXISTS (SELECT 1 FROM comment_likes l WHERE l.comment_id = c.id AND l.user_id = ?)"
    " FROM post_comments c JOIN users u ON u.id = c.author_id WHERE c.post_id = ?"
    " ORDER BY c.id LIMIT 1000";
static const char sql_insert_post[] =
    "INSERT INTO posts (author_id, group_id, body_md, body_html, important, created_at)"
    " VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))";
static const char sql_insert_post_at[] =
    "INSERT INTO posts (author_id, group_id, body_md, body_html, important, pinned_at,"
    " created_at) VALUES (?, ?, ?, ?, ?, IF(? = 1, UTC_TIMESTAMP(6) - INTERVAL ? MINUTE, NULL),"
    " UTC_TIMESTAMP(6) - INTERVAL ? MINUTE)";
static const char sql_lock_post[] =
    "SELECT p.id, p.author_id, p.version, p.body_md, p.group_id, p.important FROM posts p"
    " WHERE p.id = ? AND p.deleted_at IS NULL AND" VISIBLE " FOR UPDATE";
static const char sql_save_version[] =
    "INSERT INTO post_versions (post_id, body_md, edited_by, edited_at)"
    " VALUES (?, ?, ?, UTC_TIMESTAMP(6))";
static const char sql_update_post[] =
    "UPDATE posts SET body_md = ?, body_html = ?, important = ?,"
    " pinned_at = IF(? = 1, COALESCE(pinned_at, UTC_TIMESTAMP(6)), NULL),"
    " edited_at = IF(? = 1, UTC_TIMESTAMP(6), edited_at), version = version + 1"
    " WHERE id = ? AND version = ?";
static const char sql_soft_delete[] =
    "UPDATE posts SET deleted_at = UTC_TIMESTAMP(6), version = version + 1 WHERE id = ?";
static const char sql_hard_delete[] = "DELETE FROM posts WHERE id = ?";
static const char sql_versions[] =
    "SELECT v.id, v.body_md, v.edited_at, u.id, u.name FROM post_versions v"
    " JOIN users u ON u.id = v.edited_by WHERE v.post_id = ? ORDER BY v.id DESC LIMIT 200";
static const char sql_mention_targets[] =
    "SELECT u.id FROM users u WHERE u.realm = 'employee' AND u.disabled = 0"
    " AND (u.handle IN (SELECT h FROM JSON_TABLE(?, '$[*]' COLUMNS (h VARCHAR(64) PATH '$')) t)"
    " OR u.id IN (SELECT gm.user_id FROM group_members gm JOIN `groups` g ON g.id = gm.group_id"
    " WHERE g.handle IN (SELECT h FROM JSON_TABLE(?, '$[*]' COLUMNS (h VARCHAR(64) PATH '$')) t2)))"
    " AND (? IS NULL OR u.role = 'admin' OR EXISTS (SELECT 1 FROM group_members m"
    " WHERE m.group_id = ? AND m.user_id = u.id))";
static const char sql_add_mention[] =
    "INSERT IGNORE INTO post_mentions (post_id, user_id) VALUES (?, ?)";
static const char sql_insert_comment[] =
    "INSERT INTO post_comments (post_id, parent_id, author_id, body_md, body_html, created_at)"
    " VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6) - INTERVAL ? MINUTE)";
static const char sql_comment_parent[] =
    "SELECT id FROM post_comments WHERE id = ? AND post_id = ? AND parent_id IS NULL"
    " AND deleted_at IS NULL";
static const char sql_like[] =
    "INSERT IGNORE INTO post_likes (post_id, user_id, created_at) VALUES (?, ?, UTC_TIMESTAMP(6))";
static const char sql_unlike[] = "DELETE FROM post_likes WHERE post_id = ? AND user_id = ?";
static const char sql_like_count[] =
    "SELECT COUNT(*), COALESCE(MAX(user_id = ?), 0) FROM post_likes WHERE post_id = ?";
static const char sql_comment_visible[] =
    "SELECT c.id, c.post_id FROM post_comments c JOIN posts p ON p.id = c.post_id"
    " WHERE c.id = ? AND c.deleted_at IS NULL AND p.deleted_at IS NULL AND" VISIBLE;
static const char sql_clike[] = "INSERT IGNORE INTO comment_likes (comment_id, user_id, created_at)"
                                " VALUES (?, ?, UTC_TIMESTAMP(6))";
static const char sql_cunlike[] = "DELETE FROM comment_likes WHERE comment_id = ? AND user_id = ?";
static const char sql_clike_count[] =
    "SELECT COUNT(*), COALESCE(MAX(user_id = ?), 0) FROM comment_likes WHERE comment_id = ?";
static const char sql_likers[] =
    "SELECT u.id, u.name, u.handle FROM post_likes l JOIN users u ON u.id = l.user_id"
    " WHERE l.post_id = ? ORDER BY l.created_at LIMIT 500";
static const char sql_ack[] =
    "INSERT IGNORE INTO post_acks (post_id, user_id, acked_at) VALUES (?, ?, UTC_TIMESTAMP(6))";
/* The audience of a post: every active employee, or the group's members. */
static const char sql_audience_acks[] =
    "SELECT u.id, u.name, u.handle, a.acked_at FROM users u"
    " LEFT JOIN post_acks a ON a.post_id = ? AND a.user_id = u.id"
    " WHERE u.realm = 'employee' AND u.disabled = 0"
    " AND (? IS NULL OR EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = ?"
    " AND m.user_id = u.id)) ORDER BY a.acked_at IS NULL, u.name LIMIT 5000";
static const char sql_groups[] =
    "SELECT g.id, g.name, g.handle, g.description,"
    " (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id) AS member_count,"
    " EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id AND m.user_id = ?) AS member"
    " FROM `groups` g ORDER BY g.name LIMIT 500";
static const char sql_group_exists[] = "SELECT id FROM `groups` WHERE id = ?";
static const char sql_member_of[] =
    "SELECT 1 FROM group_members WHERE group_id = ? AND user_id = ?";
static const char sql_insert_group[] =
    "INSERT INTO `groups` (name, handle, description, created_by, created_at)"
    " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6))";
static const char sql_group_handle[] = "UPDATE `groups` SET handle = ? WHERE id = ?";
static const char sql_add_member[] =
    "INSERT IGNORE INTO group_members (group_id, user_id, added_at)"
    " SELECT ?, id, UTC_TIMESTAMP(6) FROM users WHERE id = ? AND realm = 'employee'";
static const char sql_remove_member[] =
    "DELETE FROM group_members WHERE group_id = ? AND user_id = ?";
static const char sql_people[] =
    "SELECT id, name, handle FROM users WHERE realm = 'employee' AND disabled = 0"
    " AND (handle LIKE ? OR name LIKE ?) ORDER BY name LIMIT 10";
static const char sql_people_groups[] =
    "SELECT id, name, handle FROM `groups` WHERE handle LIKE ? OR name LIKE ? ORDER BY name"
    " LIMIT 5";

/* ---------------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------------- */

static long long is_admin(struct req *r)
{
    return auth_is_employee(r, ROLE_ADMIN) ? 1 : 0;
}

/* Records mentions of a post (or one of its comments) and notifies the mentioned who
 * may see the post. An edit notifies only those it mentions for the first time; a new
 * post or comment notifies everyone it mentions. Returns 0 or -1. */
static int mention(struct req *r, long long post_id, long long group_id, const char *md, bool edit,
                   const char *summary)
{
    const char *handles = richtext_mentions(&r->arena, md);
    if (strcmp(handles, "[]") == 0)
        return 0;
    struct db_res *who =
        db_query(&r->arena, sql_mention_targets, "ssII", handles, handles, group_id, group_id);
    if (!who)
        return -1;
    for (int i = 0; i < who->nrows; i++) {
        long long uid = db_ll(who, i, 0);
        if (db_exec(sql_add_mention, "ii", post_id, uid) < 0)
            return -1;
        if (edit && db_affected() == 0)
            continue; /* mentioned before: notified already */
        if (notify_user(uid, auth_user_id(r), "mention", "post", post_id, summary) < 0)
            return -1;
    }
    return 0;
}

/* Every feed write bumps the feed epoch (see the top of the file) and names its audit
 * entry (details stolen). Returns 0 or -1, for the end of an http_write function. */
static int changed(struct http_change *change, const char *action, const char *type, long long id,
                   json_t *details)
{
    *change = (struct http_change){action, type, id, details};
    return epoch_write(EPOCH_FEED);
}

static const char *audience_of(struct arena *a, long long group_id)
{
    return group_id ? arena_printf(a, "group:%lld", group_id) : "employees";
}

/* JSON array text of the ids in column 0 of the rows of n results. */
static const char *ids_json(struct arena *a, const struct db_res *const *sets, int n)
{
    size_t rows = 0;
    for (int k = 0; k < n; k++)
        rows += (size_t)sets[k]->nrows;
    size_t cap = 3 + rows * 21, len = 0;
    char *s = arena_alloc(a, cap);
    s[len++] = '[';
    for (int k = 0; k < n; k++)
        for (int i = 0; i < sets[k]->nrows; i++)
            len += (size_t)snprintf(s + len, cap - len, "%s%s", len > 1 ? "," : "",
                                    db_str(sets[k], i, 0));
    s[len++] = ']';
    s[len] = '\0';
    return s;
}

static long long lookup(const struct db_res *res, long long id, int col)
{
    for (int i = 0; res && i < res->nrows; i++)
        if (db_ll(res, i, 0) == id)
            return db_ll(res, i, col);
    return 0;
}

static json_t *post_json(const struct db_res *p, int i, struct arena *a)
{
    json_t *o =
        json_pack("{s:I, s:{s:I, s:s, s:s?}, s:s, s:s, s:b, s:b, s:s, s:s?, s:b, s:I}", "id",
                  (json_int_t)db_ll(p, i, 0), "author", "id", (json_int_t)db_ll(p, i, 1), "name",
                  db_str(p, i, 2), "handle", db_str(p, i, 3), "body", db_str(p, i, 6), "html",
                  db_str(p, i, 7), "important", db_ll(p, i, 8) != 0, "pinned",
                  db_str(p, i, 9) != NULL, "created_at", db_time_iso(a, db_str(p, i, 10)),
                  "edited_at", db_time_iso(a, db_str(p, i, 11)), "edited", db_str(p, i, 11) != NULL,
                  "version", (json_int_t)db_ll(p, i, 12));
    json_object_set_new(o, "group",
                        db_str(p, i, 4) ? json_pack("{s:I, s:s}", "id", (json_int_t)db_ll(p, i, 4),
                                                    "name", db_str(p, i, 5))
                                        : json_null());
    return o;
}

/* Turns n pages of post rows into n JSON arrays with counts, my flags and files: four
 * queries for all of them, whatever their size. Returns 0, or -1 on a database error
 * (outs are then NULL). */
static int decorate_sets(struct req *r, const struct db_res *const *sets, json_t **outs, int n)
{
    int rows = 0;
    for (int k = 0; k < n; k++) {
        outs[k] = json_array();
        rows += sets[k]->nrows;
    }
    if (rows == 0)
        return 0;
    const char *ids = ids_json(&r->arena, sets, n);
    long long me = r->session->user_id;
    struct db_res *likes = db_query(&r->arena, sql_likes, "is", me, ids);
    struct db_res *comments = likes ? db_query(&r->arena, sql_comment_counts, "s", ids) : NULL;
    struct db_res *acks = comments ? db_query(&r->arena, sql_acks, "is", me, ids) : NULL;
    struct db_res *files = acks ? files_for_owners(&r->arena, "post", ids) : NULL;
    if (!files) {
        for (int k = 0; k < n; k++) {
            json_decref(outs[k]);
            outs[k] = NULL;
        }
        return -1;
    }
    for (int k = 0; k < n; k++) {
        const struct db_res *posts = sets[k];
        for (int i = 0; i < posts->nrows; i++) {
            long long id = db_ll(posts, i, 0);
            json_t *o = post_json(posts, i, &r->arena);
            json_object_set_new(o, "like_count", json_integer(lookup(likes, id, 1)));
            json_object_set_new(o, "liked", json_boolean(lookup(likes, id, 2)));
            json_object_set_new(o, "comment_count", json_integer(lookup(comments, id, 1)));
            json_object_set_new(o, "ack_count", json_integer(lookup(acks, id, 1)));
            json_object_set_new(o, "acked", json_boolean(lookup(acks, id, 2)));
            json_object_set_new(o, "files", files_json_for(files, id));
            json_array_append_new(outs[k], o);
        }
    }
    return 0;
}

static json_t *decorate(struct req *r, const struct db_res *posts)
{
    json_t *out;
    return decorate_sets(r, &posts, &out, 1) < 0 ? NULL : out;
}

/* Loads one visible post as rows (NULL + 404/503 answered when it is not there). */
static struct db_res *load_post(struct req *r, long long id)
{
    struct db_res *p =
        id ? db_query(&r->arena, sql_post, "iii", id, is_admin(r), r->session->user_id) : NULL;
    if (id && !p) {
        http_db_error(r);
        return NULL;
    }
    if (!p || p->nrows == 0) {
        http_error(r, 404, "not_found", "No such post", NULL);
        return NULL;
    }
    return p;
}

static json_t *full_post(struct req *r, const struct db_res *p)
{
    json_t *arr = decorate(r, p);
    if (!arr)
        return NULL;
    json_t *post = json_incref(json_array_get(arr, 0));
    json_decref(arr);
    struct db_res *c = db_query(&r->arena, sql_comments, "ii", r->session->user_id, db_ll(p, 0, 0));
    if (!c) {
        json_decref(post);
        return NULL;
    }
    json_t *comments = json_array();
    for (int i = 0; i < c->nrows; i++) {
        bool deleted = db_ll(c, i, 8) != 0;
        json_array_append_new(
            comments,
            json_pack("{s:I, s:o*, s:{s:I, s:s, s:s?}, s:s, s:s, s:s, s:b, s:I, s:b}", "id",
                      (json_int_t)db_ll(c, i, 0), "parent_id",
                      db_str(c, i, 1) ? json_integer(db_ll(c, i, 1)) : NULL, "author", "id",
                      (json_int_t)db_ll(c, i, 2), "name", db_str(c, i, 3), "handle",
                      db_str(c, i, 4), "body", deleted ? "" : db_str(c, i, 5), "html",
                      deleted ? "" : db_str(c, i, 6), "created_at",
                      db_time_iso(&r->arena, db_str(c, i, 7)), "deleted", deleted, "like_count",
                      (json_int_t)db_ll(c, i, 9), "liked", db_ll(c, i, 10) != 0));
    }
    json_object_set_new(post, "comments", comments);
    return post;
}

/* Validates the "files" value f ([ids], from HTTP_FIELDS) into a JSON array (borrowed) or
 * sends 400. */
static int file_ids(struct req *r, json_t *f, json_t **out)
{
    *out = NULL;
    if (!f || json_is_null(f))
        return 0;
    if (!json_is_array(f) || json_array_size(f) > 20)
        return http_error(r, 400, "validation_failed", "files must be a list of up to 20 file ids",
                          "files"),
               -1;
    size_t i;
    json_t *v;
    json_array_foreach(f, i, v) if (!json_is_integer(v) ||
                                    json_integer_value(v) <
                                        1) return http_error(r, 400, "validation_failed",
                                                             "files must be a list of file ids",
                                                             "files"),
        -1;
    *out = f;
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * The page cache: GET /feed/posts answers, kept as the JSON text sent, per reader and
 * query. An entry is served while both epochs are those it was filled under (see
 * epoch.h: a change on any node reaches every node within EPOCH_POLL_MS, and the node
 * that made it before it answers) and for 30 s at most (a change made in SQL by
 * hand). Per reader because the page holds the reader's own flags (liked,
 * acked) and only the posts the reader may see.
 * ------------------------------------------------------------------------------------- */

/* 1,024 direct-mapped pages of up to 256 KB each (bigger pages are not kept). */
static struct pagecache_entry page_slots[1024];
static struct pagecache page_cache =
    PAGECACHE_INIT(page_slots, 30000, 256 * 1024, (size_t)1024 * 256 * 1024);

/* ---------------------------------------------------------------------------------------
 * Posts
 * ------------------------------------------------------------------------------------- */

int feed_posts_list(struct req *r)
{
    int limit;
    long long before;
    if (http_page_args(r, 20, 50, &limit, &before) < 0)
        return r->status;
    const char *author_q = http_query(r, "author"), *group_q = http_query(r, "group"),
               *mentions_q = http_query(r, "mentions");
    long long author = author_q ? strtoll(author_q, NULL, 10) : 0;
    long long group = group_q ? strtoll(group_q, NULL, 10) : 0;
    if ((author_q && author < 1) || (group_q && group < 1))
        return http_error(r, 400, "validation_failed", "author and group are ids",
                          author_q && author < 1 ? "author" : "group");
    if (mentions_q && strcmp(mentions_q, "me") != 0)
        return http_error(r, 400, "validation_failed", "mentions can only be me", "mentions");
    long long me = r->session->user_id, admin = is_admin(r);
    const long long key[] = {me, admin, before, author, group, mentions_q != NULL, limit};
    uint64_t gen[2] = {epoch_now(EPOCH_FEED), epoch_now(EPOCH_AUTH)}, filled = epoch_clock_ms();
    size_t cached_len;
    char *cached = pagecache_get(&page_cache, &r->arena, key, sizeof key / sizeof key[0], gen, &cached_len);
    if (cached)
        return http_send(r, 200, "application/json", "Cache-Control: no-store\r\n", cached,
                         cached_len);
    /* Pinned posts head the first unfiltered page and are left out of the stream. */
    bool plain = !author && !group && !mentions_q, first_plain = plain && !before;
    struct db_res *none = &(struct db_res){0};
    struct db_res *pinned = first_plain ? db_query(&r->arena, sql_pinned, "ii", admin, me) : none;
    struct db_res *page =
        pinned ? db_query(&r->arena, sql_page, "iiiiIIIIiiii", admin, me, before, before, author,
                          author, group, group, (long long)(mentions_q != NULL), me,
                          (long long)plain, (long long)limit)
               : NULL;
    const struct db_res *sets[2] = {pinned, page};
    json_t *arrs[2];
    if (!page || decorate_sets(r, sets, arrs, 2) < 0)
        return http_db_error(r);
    json_t *out = json_object(), *items = arrs[1];
    json_object_set_new(out, "pinned", arrs[0]);
    json_object_set_new(out, "items", items);
    db_page_next(out, page, limit);
    char *text = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    if (!text)
        return http_error(r, 503, "service_unavailable", "Out of memory, try again", NULL);
    pagecache_put(&page_cache, key, sizeof key / sizeof key[0], gen, filled, text, strlen(text));
    int rc = http_send(r, 200, "application/json", "Cache-Control: no-store\r\n", text,
                       strlen(text));
    free(text);
    return rc;
}

struct post_ctx {
    const char *md, *html;
    long long group_id, id;
    int important;
    json_t *files;
};

static int post_create_tx(struct req *r, void *arg, struct http_change *change)
{
    struct post_ctx *c = arg;
    if (db_exec(sql_insert_post, "iIssi", r->session->user_id, c->group_id, c->md, c->html,
                (long long)c->important) < 0)
        return -1;
    c->id = db_insert_id();
    size_t i;
    json_t *v;
    json_array_foreach(c->files, i, v)
    {
        if (files_attach(json_integer_value(v), r->session->user_id, "post", c->id) < 0)
            return db_errno() ? -1
                              : http_error(r, 400, "validation_failed",
                                           "A file is not yours, is attached already or does "
                                           "not exist",
                                           "files");
    }
    const char *summary = richtext_summary(&r->arena, r->session->name, "mentioned you", c->md);
    if (mention(r, c->id, c->group_id, c->md, false, summary) < 0)
        return -1;
    json_t *event = json_pack("{s:I, s:I}", "post_id", (json_int_t)c->id, "author_id",
                              (json_int_t)r->session->user_id);
    long long ev = outbox_append("feed.post", audience_of(&r->arena, c->group_id), event);
    json_decref(event);
    return ev < 0 ? -1 : changed(change, "post.create", "post", c->id, NULL);
}

int feed_post_create(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct post_ctx c = {0};
    if (HTTP_FIELDS(r, body, {"body", FIELD_STRING, true, SIZE_MAX, &c.md},
                    {"group_id", FIELD_ID, false, 0, &c.group_id},
                    {"important", FIELD_BOOL, false, 0, &c.important},
                    {"files", FIELD_JSON, false, 0, &c.files}) < 0 ||
        file_ids(r, c.files, &c.files) < 0)
        return r->status;
    if (c.group_id) {
        struct db_res *g = db_query(&r->arena, sql_group_exists, "i", c.group_id);
        struct db_res *m =
            g ? db_query(&r->arena, sql_member_of, "ii", c.group_id, r->session->user_id) : NULL;
        if (!m)
            return http_db_error(r);
        if (g->nrows == 0)
            return http_error(r, 400, "validation_failed", "No such group", "group_id");
        if (m->nrows == 0 && !is_admin(r))
            return http_error(r, 403, "forbidden", "Only members post to a group", "group_id");
    }
    char *html = richtext_render(r, c.md, "body");
    if (!html)
        return r->status;
    c.html = html;
    int rc = http_write(r, post_create_tx, &c);
    free(html);
    if (rc)
        return rc;
    struct db_res *p = load_post(r, c.id);
    if (!p)
        return r->status;
    json_t *post = full_post(r, p);
    return post ? http_json(r, 201, post) : http_db_error(r);
}

int feed_post_get(struct req *r)
{
    struct db_res *p = load_post(r, http_param_id(r, "id"));
    if (!p)
        return r->status;
    json_t *post = full_post(r, p);
    return post ? http_json(r, 200, post) : http_db_error(r);
}

/* Locks post id if the reader may see it: its row, or NULL with *rc set (-1 after a
 * database error, else the status of the 404 sent). */
static struct db_res *lock_post(struct req *r, long long id, int *rc)
{
    struct db_res *cur =
        db_query(&r->arena, sql_lock_post, "iii", id, is_admin(r), r->session->user_id);
    *rc = !cur ? -1 : cur->nrows == 0 ? http_error(r, 404, "not_found", "No such post", NULL) : 0;
    return *rc ? NULL : cur;
}

static int post_delete_tx(struct req *r, void *arg, struct http_change *change)
{
    long long id = *(long long *)arg;
    int rc;
    struct db_res *cur = lock_post(r, id, &rc);
    if (!cur)
        return rc;
    bool admin = is_admin(r), mine = db_ll(cur, 0, 1) == r->session->user_id;
    if (!admin && !mine)
        return http_error(r, 403, "forbidden", "Only the author or an admin deletes a post", NULL);
    /* Authors delete softly (the post can be restored from the database); admins
     * remove it for good. */
    json_t *event = json_pack("{s:I}", "post_id", (json_int_t)id);
    long long ev =
        outbox_append("feed.post.deleted", audience_of(&r->arena, db_ll(cur, 0, 4)), event);
    json_decref(event);
    if (ev < 0 || db_exec(admin ? sql_hard_delete : sql_soft_delete, "i", id) < 0)
        return -1;
    return changed(change, admin ? "post.purge" : "post.delete", "post", id,
                   json_pack("{s:s}", "body", db_str(cur, 0, 3)));
}

struct post_edit {
    long long id, version;
    const char *md, *html;
    int pinned, important;
    bool has_body, has_pinned, has_important;
};

static int post_update_tx(struct req *r, void *arg, struct http_change *change)
{
    struct post_edit *c = arg;
    long long id = c->id;
    int rc;
    struct db_res *cur = lock_post(r, id, &rc);
    if (!cur)
        return rc;
    bool mine = db_ll(cur, 0, 1) == r->session->user_id;
    if (((c->has_body || c->has_important) && !mine) ||
        (c->has_pinned && !auth_is_employee(r, ROLE_MANAGER)))
        return http_error(r, 403, "forbidden",
                          c->has_pinned && !auth_is_employee(r, ROLE_MANAGER)
                              ? "Only managers pin posts"
                              : "Only the author edits a post",
                          NULL);
    if (db_ll(cur, 0, 2) != c->version) {
        struct db_res *p = load_post(r, id);
        return http_conflict(r, "conflict", "The post changed meanwhile; reload",
                             p ? full_post(r, p) : NULL);
    }
    bool changed_body = c->has_body && strcmp(c->md, db_str(cur, 0, 3)) != 0;
    long long group_id = db_ll(cur, 0, 4);
    /* Current pin state comes from the row when not given. */
    struct db_res *full = db_query(&r->arena, sql_post, "iii", id, 1LL, r->session->user_id);
    if (!full || full->nrows == 0)
        return -1;
    long long pin_value = c->has_pinned ? c->pinned : db_str(full, 0, 9) != NULL;
    if ((changed_body &&
         db_exec(sql_save_version, "isi", id, db_str(cur, 0, 3), r->session->user_id) < 0) ||
        db_exec(sql_update_post, "ssiiiii", c->has_body ? c->md : db_str(cur, 0, 3),
                c->has_body ? c->html : db_str(full, 0, 7),
                c->has_important ? (long long)c->important : db_ll(cur, 0, 5), pin_value,
                (long long)changed_body, id, c->version) < 0)
        return -1;
    if (changed_body &&
        mention(r, id, group_id, c->md, true,
                richtext_summary(&r->arena, r->session->name, "mentioned you", c->md)) < 0)
        return -1;
    json_t *event = json_pack("{s:I}", "post_id", (json_int_t)id);
    long long ev = outbox_append("feed.post.updated", audience_of(&r->arena, group_id), event);
    json_decref(event);
    if (ev < 0)
        return -1;
    json_t *details = json_object();
    if (changed_body)
        json_object_set_new(details, "body", json_true());
    if (c->has_pinned)
        json_object_set_new(details, "pinned", json_boolean(c->pinned));
    if (c->has_important)
        json_object_set_new(details, "important", json_boolean(c->important));
    return changed(change, "post.update", "post", id, details);
}

int feed_post_update(struct req *r)
{
    struct post_edit c = {.id = http_param_id(r, "id")};
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    if (HTTP_FIELDS(r, body, {"body", FIELD_STRING, false, SIZE_MAX, &c.md, &c.has_body},
                    {"pinned", FIELD_BOOL, false, 0, &c.pinned, &c.has_pinned},
                    {"important", FIELD_BOOL, false, 0, &c.important, &c.has_important},
                    {"version", FIELD_INT, true, 0, &c.version}) < 0)
        return r->status;
    if (c.has_body && !*c.md)
        return http_error(r, 400, "validation_failed", "body must not be empty", "body");
    char *html = NULL;
    if (c.has_body && !(html = richtext_render(r, c.md, "body")))
        return r->status;
    c.html = html;
    int rc = c.id ? http_write(r, post_update_tx, &c)
                  : http_error(r, 404, "not_found", "No such post", NULL);
    free(html);
    if (rc)
        return rc;
    struct db_res *p = load_post(r, c.id);
    if (!p)
        return r->status;
    json_t *post = full_post(r, p);
    return post ? http_json(r, 200, post) : http_db_error(r);
}

int feed_post_delete(struct req *r)
{
    if (http_no_fields(r) < 0) /* takes no body */
        return r->status;
    long long id = http_param_id(r, "id");
    if (!id)
        return http_error(r, 404, "not_found", "No such post", NULL);
    int rc = http_write(r, post_delete_tx, &id);
    if (rc)
        return rc;
    return http_send(r, 204, "application/json", "Cache-Control: no-store\r\n", "", 0);
}

int feed_post_versions(struct req *r)
{
    long long id = http_param_id(r, "id");
    if (!load_post(r, id))
        return r->status;
    struct db_res *v = db_query(&r->arena, sql_versions, "i", id);
    if (!v)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < v->nrows; i++)
        json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:{s:I, s:s}}", "id",
                                               (json_int_t)db_ll(v, i, 0), "body", db_str(v, i, 1),
                                               "edited_at", db_time_iso(&r->arena, db_str(v, i, 2)),
                                               "edited_by", "id", (json_int_t)db_ll(v, i, 3),
                                               "name", db_str(v, i, 4)));
    return http_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---------------------------------------------------------------------------------------
 * Comments, likes, acknowledgements
 * ------------------------------------------------------------------------------------- */

struct comment_ctx {
    long long post_id, parent_id, group_id, author, id;
    const char *md, *html;
};

static int comment_create_tx(struct req *r, void *arg, struct http_change *change)
{
    struct comment_ctx *c = arg;
    if (db_exec(sql_insert_comment, "iIissi", c->post_id, c->parent_id, r->session->user_id, c->md,
                c->html, 0LL) < 0)
        return -1;
    c->id = db_insert_id();
    json_t *event =
        json_pack("{s:I, s:I}", "post_id", (json_int_t)c->post_id, "comment_id", (json_int_t)c->id);
    int rc = notify_user(c->author, r->session->user_id, "comment", "post", c->post_id,
                         richtext_summary(&r->arena, r->session->name, "commented", c->md)) < 0 ||
             mention(r, c->post_id, c->group_id, c->md, false,
                     richtext_summary(&r->arena, r->session->name, "mentioned you", c->md)) < 0 ||
             outbox_append("feed.comment", audience_of(&r->arena, c->group_id), event) < 0;
    json_decref(event);
    if (rc)
        return -1;
    return changed(change, "comment.create", "comment", c->id,
                   json_pack("{s:I}", "post_id", (json_int_t)c->post_id));
}

int feed_comment_create(struct req *r)
{
    struct comment_ctx c = {.post_id = http_param_id(r, "id")};
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    if (HTTP_FIELDS(r, body, {"body", FIELD_STRING, true, SIZE_MAX, &c.md},
                    {"parent_id", FIELD_ID, false, 0, &c.parent_id}) < 0)
        return r->status;
    struct db_res *p = load_post(r, c.post_id);
    if (!p)
        return r->status;
    if (c.parent_id) {
        struct db_res *par = db_query(&r->arena, sql_comment_parent, "ii", c.parent_id, c.post_id);
        if (!par)
            return http_db_error(r);
        if (par->nrows == 0)
            return http_error(r, 400, "validation_failed",
                              "parent_id must be a top-level comment of this post", "parent_id");
    }
    char *html = richtext_render(r, c.md, "body");
    if (!html)
        return r->status;
    c.html = html;
    c.group_id = db_ll(p, 0, 4);
    c.author = db_ll(p, 0, 1);
    int rc = http_write(r, comment_create_tx, &c);
    free(html);
    if (rc)
        return rc;
    json_t *post = full_post(r, p);
    return post ? http_json(r, 201, post) : http_db_error(r);
}

/* A like or unlike of a post or a comment, and the count after it. */
struct like_ctx {
    long long id;
    bool on, post;
    struct db_res *count; /* like count, whether mine */
};

static int like_tx(struct req *r, void *arg, struct http_change *change)
{
    struct like_ctx *c = arg;
    const char *sql = c->post ? (c->on ? sql_like : sql_unlike) : (c->on ? sql_clike : sql_cunlike);
    if (db_exec(sql, "ii", c->id, r->session->user_id) < 0)
        return -1;
    /* Liking twice is a no-op, and so is its audit. */
    if (db_affected()) {
        const char *action = c->post ? (c->on ? "post.like" : "post.unlike")
                                     : (c->on ? "comment.like" : "comment.unlike");
        *change = (struct http_change){action, c->post ? "post" : "comment", c->id, NULL};
        if (c->post && epoch_write(EPOCH_FEED) < 0)
            return -1;
    }
    c->count = db_query(&r->arena, c->post ? sql_like_count : sql_clike_count, "ii",
                        r->session->user_id, c->id);
    return c->count ? 0 : -1;
}

static int send_like(struct req *r, struct like_ctx *c)
{
    int rc = http_write(r, like_tx, c);
    if (rc)
        return rc;
    return http_json(r, 200,
                     json_pack("{s:b, s:I}", "liked", db_ll(c->count, 0, 1) != 0, "like_count",
                               (json_int_t)db_ll(c->count, 0, 0)));
}

int feed_post_like(struct req *r)
{
    if (http_no_fields(r) < 0) /* takes no body */
        return r->status;
    long long id = http_param_id(r, "id");
    if (!load_post(r, id))
        return r->status;
    struct like_ctx c = {.id = id, .on = strcmp(r->ri->request_method, "PUT") == 0, .post = true};
    return send_like(r, &c);
}

int feed_comment_like(struct req *r)
{
    if (http_no_fields(r) < 0) /* takes no body */
        return r->status;
    long long id = http_param_id(r, "id");
    struct db_res *c =
        id ? db_query(&r->arena, sql_comment_visible, "iii", id, is_admin(r), r->session->user_id)
           : NULL;
    if (id && !c)
        return http_db_error(r);
    if (!c || c->nrows == 0)
        return http_error(r, 404, "not_found", "No such comment", NULL);
    struct like_ctx l = {.id = id, .on = strcmp(r->ri->request_method, "PUT") == 0};
    return send_like(r, &l);
}

int feed_post_likers(struct req *r)
{
    long long id = http_param_id(r, "id");
    if (!load_post(r, id))
        return r->status;
    struct db_res *l = db_query(&r->arena, sql_likers, "i", id);
    if (!l)
        return http_db_error(r);
    return http_json(r, 200, json_pack("{s:o}", "items", db_rows_json(l, "iss", &r->arena)));
}

static int ack_tx(struct req *r, void *arg, struct http_change *change)
{
    long long id = *(long long *)arg;
    if (db_exec(sql_ack, "ii", id, r->session->user_id) < 0)
        return -1;
    /* Acknowledging twice is a no-op, and so is its audit. */
    return db_affected() ? changed(change, "post.ack", "post", id, NULL) : 0;
}

int feed_post_ack(struct req *r)
{
    if (http_no_fields(r) < 0) /* takes no body */
        return r->status;
    long long id = http_param_id(r, "id");
    struct db_res *p = load_post(r, id);
    if (!p)
        return r->status;
    if (!db_ll(p, 0, 8))
        return http_error(r, 400, "validation_failed", "Only important posts are acknowledged",
                          NULL);
    int rc = http_write(r, ack_tx, &id);
    return rc ? rc : feed_post_acks(r);
}

int feed_post_acks(struct req *r)
{
    long long id = http_param_id(r, "id");
    struct db_res *p = load_post(r, id);
    if (!p)
        return r->status;
    long long group = db_ll(p, 0, 4);
    struct db_res *a = db_query(&r->arena, sql_audience_acks, "iII", id, group, group);
    if (!a)
        return http_db_error(r);
    json_t *read = json_array(), *unread = json_array();
    for (int i = 0; i < a->nrows; i++) {
        json_t *u = json_pack("{s:I, s:s, s:s?}", "id", (json_int_t)db_ll(a, i, 0), "name",
                              db_str(a, i, 1), "handle", db_str(a, i, 2));
        if (db_str(a, i, 3)) {
            json_object_set_new(u, "acked_at",
                                json_string(db_time_iso(&r->arena, db_str(a, i, 3))));
            json_array_append_new(read, u);
        } else {
            json_array_append_new(unread, u);
        }
    }
    return http_json(r, 200,
                     json_pack("{s:I, s:I, s:o, s:o}", "read_count",
                               (json_int_t)json_array_size(read), "unread_count",
                               (json_int_t)json_array_size(unread), "read", read, "unread",
                               unread));
}

/* ---------------------------------------------------------------------------------------
 * Groups, people, preview
 * ------------------------------------------------------------------------------------- */

int feed_groups_list(struct req *r)
{
    struct db_res *g = db_query(&r->arena, sql_groups, "i", r->session->user_id);
    if (!g)
        return http_db_error(r);
    return http_json(r, 200, json_pack("{s:o}", "items", db_rows_json(g, "isssib", &r->arena)));
}

/* An ASCII handle from a group name; non-Latin names get "group<id>" later. */
static void slug(const char *name, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = name; *p && n + 1 < size; p++) {
        char c = (char)tolower((unsigned char)*p);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[n++] = c;
        else if ((c == ' ' || c == '-' || c == '_') && n && out[n - 1] != '-')
            out[n++] = '-';
    }
    while (n && out[n - 1] == '-')
        n--;
    out[n] = '\0';
}

struct group_ctx {
    const char *name, *description, *handle, *tmp;
    json_t *members;
};

static int group_create_tx(struct req *r, void *arg, struct http_change *change)
{
    struct group_ctx *c = arg;
    if (db_exec(sql_insert_group, "sssi", c->name, c->tmp, c->description, r->session->user_id) < 0)
        return db_errno() == ER_DUP_ENTRY
                   ? http_error(r, 409, "conflict", "A group with this name exists", "name")
                   : -1;
    long long id = db_insert_id();
    const char *final = c->handle[0] ? c->handle : arena_printf(&r->arena, "group%lld", id);
    if (db_exec(sql_group_handle, "si", final, id) < 0) {
        if (db_errno() != ER_DUP_ENTRY ||
            db_exec(sql_group_handle, "si", arena_printf(&r->arena, "%s%lld", c->handle, id), id) <
                0)
            return -1;
    }
    size_t i;
    json_t *v;
    json_array_foreach(c->members, i, v)
    {
        if (!json_is_integer(v))
            return http_error(r, 400, "validation_failed", "members must be user ids", "members");
        if (db_exec(sql_add_member, "ii", id, json_integer_value(v)) < 0)
            return -1;
    }
    return changed(change, "group.create", "group", id, NULL);
}

int feed_group_create(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct group_ctx c = {.description = ""};
    if (HTTP_FIELDS(r, body, {"name", FIELD_STRING, true, 100, &c.name},
                    {"description", FIELD_TEXT, false, 500, &c.description},
                    {"members", FIELD_ARRAY, false, 0, &c.members}) < 0)
        return r->status;
    char handle[64];
    slug(c.name, handle, sizeof handle);
    c.handle = handle;
    c.tmp = arena_printf(&r->arena, "tmp-%s-%lld", handle, r->session->user_id);
    int rc = http_write(r, group_create_tx, &c);
    return rc ? rc : feed_groups_list(r);
}

struct member_ctx {
    long long group_id, user_id;
    bool add;
};

static int member_tx(struct req *r, void *arg, struct http_change *change)
{
    struct member_ctx *c = arg;
    if (db_exec(c->add ? sql_add_member : sql_remove_member, "ii", c->group_id, c->user_id) < 0)
        return -1;
    if (c->add && db_affected() == 0) {
        /* Either a member already (fine) or no such employee. */
        struct db_res *m = db_query(&r->arena, sql_member_of, "ii", c->group_id, c->user_id);
        if (!m)
            return -1;
        if (m->nrows == 0)
            return http_error(r, 400, "validation_failed", "No such employee", "user_id");
    }
    return changed(change, c->add ? "group.member_add" : "group.member_remove", "group",
                   c->group_id, json_pack("{s:I}", "user_id", (json_int_t)c->user_id));
}

static int member_change(struct req *r, long long group_id, long long user_id, bool add)
{
    struct db_res *g = db_query(&r->arena, sql_group_exists, "i", group_id);
    if (!g)
        return http_db_error(r);
    if (g->nrows == 0)
        return http_error(r, 404, "not_found", "No such group", NULL);
    struct member_ctx c = {group_id, user_id, add};
    int rc = http_write(r, member_tx, &c);
    return rc ? rc : feed_groups_list(r);
}

int feed_group_add_member(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    long long user_id = 0;
    if (HTTP_FIELDS(r, body, {"user_id", FIELD_ID, true, 0, &user_id}) < 0)
        return r->status;
    return member_change(r, http_param_id(r, "id"), user_id, true);
}

int feed_group_remove_member(struct req *r)
{
    if (http_no_fields(r) < 0) /* takes no body */
        return r->status;
    long long uid = http_param_id(r, "user_id");
    if (!uid)
        return http_error(r, 404, "not_found", "No such member", NULL);
    return member_change(r, http_param_id(r, "id"), uid, false);
}

int feed_people_lookup(struct req *r)
{
    const char *like = db_like(&r->arena, http_query(r, "q"), false);
    struct db_res *u = db_query(&r->arena, sql_people, "ss", like, like);
    struct db_res *g = u ? db_query(&r->arena, sql_people_groups, "ss", like, like) : NULL;
    if (!g)
        return http_db_error(r);
    return http_json(r, 200,
                     json_pack("{s:o, s:o}", "users", db_rows_json(u, "iss", &r->arena), "groups",
                               db_rows_json(g, "iss", &r->arena)));
}

int feed_markdown_preview(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    const char *text = NULL;
    if (HTTP_FIELDS(r, body, {"text", FIELD_TEXT, true, SIZE_MAX, &text}) < 0)
        return r->status;
    char *html = richtext_render(r, text, "text");
    if (!html)
        return r->status;
    json_t *out = json_pack("{s:s}", "html", html);
    free(html);
    return http_json(r, 200, out);
}

/* ---------------------------------------------------------------------------------------
 * File access and demo data
 * ------------------------------------------------------------------------------------- */

static bool post_file_readable(struct req *r, long long post_id)
{
    if (!r->session || r->session->realm != REALM_EMPLOYEE)
        return false;
    struct db_res *p =
        db_query(&r->arena, sql_post, "iii", post_id, is_admin(r), r->session->user_id);
    return p && p->nrows == 1;
}

/* The gateway's audience "group:N": its members. */
static const char sql_group_member_ids[] = "SELECT user_id FROM group_members WHERE group_id = ?";

static struct db_res *group_members(struct arena *a, long long group_id)
{
    return db_query(a, sql_group_member_ids, "i", group_id);
}

int feed_init(void)
{
    return files_register_owner("post", post_file_readable) |
           audience_register(AUD_GROUP, group_members);
}

static const char sql_demo_user[] = "SELECT id, name FROM users WHERE handle = ?";
static const char sql_demo_group[] =
    "INSERT INTO `groups` (name, handle, description, created_by, created_at)"
    " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6) - INTERVAL 30 DAY)";
static const char sql_demo_like[] = "INSERT IGNORE INTO post_likes (post_id, user_id, created_at)"
                                    " VALUES (?, ?, UTC_TIMESTAMP(6) - INTERVAL ? MINUTE)";

int feed_demo_seed(void)
{
    enum { ANNA, BORIS, VERA, NPEOPLE };
    static const char *const handles[NPEOPLE] = {"anna", "boris", "vera"};
    static const struct {
        int author, group; /* group: -1 company, 0 Sales */
        int important, pinned;
        int minutes_ago;
        const char *body;
        const char *comments[3]; /* "N:text", N = author index */
        int likes;               /* bit mask of people */
    } posts[] = {
        {ANNA,
         -1,
         1,
         1,
         30240,
         "## Welcome to the portal!\n\nThis is our company feed. Post news, thank colleagues, "
         "ask questions. Please **acknowledge** this post so we know everyone has seen it.\n\n"
         "Добро пожаловать на портал! Отметьте, пожалуйста, что прочитали.",
         {"1:Great start, thank you!", "2:Спасибо, очень удобно."},
         6},
        {BORIS,
         0,
         0,
         0,
         27000,
         "Sales team: the **Romashka LLC** renewal is signed for another year. Thanks "
         "@vera for the demo last week!",
         {"2:It was a pleasure. They liked the ticket cabinet most."},
         5},
        {VERA,
         -1,
         0,
         0,
         24480,
         "Does anyone know where the template for acts of acceptance lives? @boris maybe?",
         {"1:In the knowledge base, *Sales → Documents*. I'll post a link.", "2:Found it, thanks!"},
         0},
        {ANNA,
         -1,
         0,
         0,
         20160,
         "Reminder: the office is closed on Monday for the holiday.\n\n"
         "Напоминаем: в понедельник офис не работает.",
         {NULL},
         7},
        {BORIS,
         -1,
         0,
         0,
         17280,
         "Quarter results:\n\n- New customers: **14**\n- Tickets closed: **312**\n\n"
         "Great work everyone, and special thanks to @anna for the new portal.",
         {"0:Thank you! Next: the knowledge base.", "2:🎉🎉🎉"},
         5},
        {VERA,
         0,
         0,
         0,
         12960,
         "Call notes from Vasilek JSC: they want to try the partner document exchange. "
         "Follow-up on Thursday.",
         {"1:Let's prepare a short demo for them."},
         2},
        {ANNA,
         -1,
         0,
         0,
         8640,
         "Тест кириллицы и эмодзи: привет, коллеги! 👋 Mixed scripts work fine.",
         {NULL},
         3},
        {BORIS,
         -1,
         1,
         0,
         4320,
         "**Important:** starting next week all customer questions go through tickets in the "
         "client cabinet, not personal email. @vera please help customers move over.",
         {"2:Will do. I'll send them instructions today.", "0:Added a help-center article."},
         1},
        {VERA,
         -1,
         0,
         0,
         1440,
         "Shared a checklist for onboarding a new customer: account, contacts, first order, "
         "cabinet invitation. Comments welcome!",
         {"0:Looks complete. Let's link it from the handbook."},
         3},
        {ANNA, -1, 0, 0, 180, "Coffee machine on the 2nd floor is fixed ☕", {NULL}, 6},
    };
    struct arena a;
    arena_init(&a);
    int rc = -1;
    long long ids[NPEOPLE];
    const char *names[NPEOPLE];
    for (int i = 0; i < NPEOPLE; i++) {
        struct db_res *u = db_query(&a, sql_demo_user, "s", handles[i]);
        if (!u || u->nrows == 0)
            goto out;
        ids[i] = db_ll(u, 0, 0);
        names[i] = db_str(u, 0, 1);
    }
    if (db_exec(sql_demo_group, "sssi", "Sales", "sales", "Sales team news and deals", ids[BORIS]) <
        0)
        goto out;
    long long sales = db_insert_id();
    if (db_exec(sql_add_member, "ii", sales, ids[BORIS]) < 0 ||
        db_exec(sql_add_member, "ii", sales, ids[VERA]) < 0)
        goto out;
    if (db_exec(sql_demo_group, "sssi", "Support", "support", "Customer support", ids[ANNA]) < 0)
        goto out;
    long long support = db_insert_id();
    if (db_exec(sql_add_member, "ii", support, ids[VERA]) < 0 ||
        db_exec(sql_add_member, "ii", support, ids[ANNA]) < 0)
        goto out;

    for (size_t i = 0; i < sizeof posts / sizeof posts[0]; i++) {
        enum markdown_status st;
        char *html = markdown_render(posts[i].body, strlen(posts[i].body), &st);
        long long group = posts[i].group == 0 ? sales : 0;
        int ins = html ? db_exec(sql_insert_post_at, "iIssiiii", ids[posts[i].author], group,
                                 posts[i].body, html, (long long)posts[i].important,
                                 (long long)posts[i].pinned, (long long)posts[i].minutes_ago,
                                 (long long)posts[i].minutes_ago)
                       : -1;
        free(html);
        if (ins < 0)
            goto out;
        long long pid = db_insert_id();
        /* Mentions become notifications as they would have live. */
        struct req fake;
        memset(&fake, 0, sizeof fake);
        arena_init(&fake.arena);
        struct session s = {.user_id = ids[posts[i].author],
                            .realm = REALM_EMPLOYEE,
                            .role = ROLE_MEMBER,
                            .name = names[posts[i].author]};
        fake.session = &s;
        int m = mention(
            &fake, pid, group, posts[i].body, false,
            richtext_summary(&fake.arena, names[posts[i].author], "mentioned you", posts[i].body));
        arena_cleanup(&fake.arena);
        if (m < 0)
            goto out;
        for (int c = 0; c < 3 && posts[i].comments[c]; c++) {
            const char *text = posts[i].comments[c];
            int who = text[0] - '0';
            html = markdown_render(text + 2, strlen(text + 2), &st);
            ins = html ? db_exec(sql_insert_comment, "iIissi", pid, 0LL, ids[who], text + 2, html,
                                 (long long)(posts[i].minutes_ago - 30 - c * 20))
                       : -1;
            free(html);
            if (ins < 0)
                goto out;
        }
        for (int k = 0; k < NPEOPLE; k++)
            if ((posts[i].likes & (1 << k)) && db_exec(sql_demo_like, "iii", pid, ids[k],
                                                       (long long)(posts[i].minutes_ago - 60)) < 0)
                goto out;
        if (posts[i].important && db_exec(sql_ack, "ii", pid, ids[posts[i].author]) < 0)
            goto out;
    }
    rc = 0;
out:
    arena_cleanup(&a);
    return rc;
}
