/* kb.c - knowledge base. Every save is a revision; PUT carries the revision it was
 * based on and a stale base answers 409 with the current article, so two editors never
 * overwrite each other. Search is InnoDB FULLTEXT, filtered by what the caller may
 * see in the same query: a customer never gets an internal article, not even a title. */
#include "kb.h"

#include <ctype.h>
#include <mysqld_error.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "diff.h"
#include "epoch.h"
#include "files.h"
#include "jsonw.h"
#include "markdown.h"
#include "richtext.h"
#include "search_index.h"
#include "utf8.h"

#define MAX_TAGS      20
#define SNIPPET_BYTES 200

#define ARTICLE_COLUMNS                                                                            \
    "a.id, a.space_id, s.name, a.parent_id, a.position, a.title, a.body_md, a.body_html,"          \
    " a.tags, a.visibility, a.status, a.revision, a.created_at, a.updated_at, u.id, u.name,"     \
    " a.has_files"
#define ARTICLE_FROM                                                                               \
    " FROM kb_articles a JOIN kb_spaces s ON s.id = a.space_id JOIN users u ON u.id = a.author_id"

static const char sql_spaces[] =
    "SELECT s.id, s.name, s.description, (SELECT COUNT(*) FROM kb_articles a"
    " WHERE a.space_id = s.id) AS article_count FROM kb_spaces s ORDER BY s.name LIMIT 500";
static const char sql_space_insert[] =
    "INSERT INTO kb_spaces (name, description, created_at) VALUES (?, ?, UTC_TIMESTAMP(6))";
static const char sql_space_exists[] = "SELECT id FROM kb_spaces WHERE id = ?";
static const char sql_list[] =
    "SELECT a.id, a.space_id, a.parent_id, a.position, a.title, a.visibility, a.status,"
    " a.revision, a.updated_at FROM kb_articles a"
    " WHERE (? IS NULL OR a.space_id = ?) AND (? = 0 OR a.id < ?)"
    " ORDER BY a.id DESC LIMIT ?";
static const char sql_get[] = "SELECT " ARTICLE_COLUMNS ARTICLE_FROM " WHERE a.id = ?";
static const char sql_get_public[] =
    "SELECT " ARTICLE_COLUMNS ARTICLE_FROM
    " WHERE a.id = ? AND a.visibility = 'public' AND a.status = 'published'";
static const char sql_lock[] =
    "SELECT id, space_id, revision, title, body_md, tags, visibility, status, parent_id, position"
    " FROM kb_articles WHERE id = ? FOR UPDATE";
static const char sql_has_files[] = "UPDATE kb_articles SET has_files = 1 WHERE id = ?";
static const char sql_parent_of[] = "SELECT parent_id, space_id FROM kb_articles WHERE id = ?";
static const char sql_insert[] =
    "INSERT INTO kb_articles (space_id, parent_id, position, title, body_md, body_html, tags,"
    " visibility, status, revision, author_id, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, UTC_TIMESTAMP(6) - INTERVAL ? MINUTE,"
    " UTC_TIMESTAMP(6) - INTERVAL ? MINUTE)";
static const char sql_update[] =
    "UPDATE kb_articles SET parent_id = ?, position = ?, title = ?, body_md = ?, body_html = ?,"
    " tags = ?, visibility = ?, status = ?, revision = revision + 1, author_id = ?,"
    " updated_at = UTC_TIMESTAMP(6) - INTERVAL ? MINUTE WHERE id = ? AND revision = ?";
static const char sql_rev_insert[] =
    "INSERT INTO kb_revisions (article_id, rev, title, body_md, tags, visibility, status,"
    " author_id, summary, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6) - INTERVAL ? MINUTE)";
static const char sql_revs[] =
    "SELECT r.rev, r.title, r.summary, r.visibility, r.status, r.created_at, u.id, u.name"
    " FROM kb_revisions r JOIN users u ON u.id = r.author_id WHERE r.article_id = ?"
    " ORDER BY r.rev DESC LIMIT 500";
static const char sql_rev[] =
    "SELECT r.rev, r.title, r.body_md, r.tags, r.visibility, r.status, r.summary, r.created_at,"
    " u.id, u.name FROM kb_revisions r JOIN users u ON u.id = r.author_id"
    " WHERE r.article_id = ? AND r.rev = ?";
static const char sql_search[] =
    "SELECT a.id, a.title, a.body_md, a.tags, a.visibility, a.status, s.id, s.name,"
    " MATCH (a.title) AGAINST (? IN BOOLEAN MODE) * 3"
    " + MATCH (a.title, a.body_md, a.tags) AGAINST (? IN BOOLEAN MODE) AS score"
    " FROM kb_articles a JOIN kb_spaces s ON s.id = a.space_id"
    " WHERE MATCH (a.title, a.body_md, a.tags) AGAINST (? IN BOOLEAN MODE)"
    " AND (? = 1 OR (a.visibility = 'public' AND a.status = 'published'))"
    " ORDER BY score DESC, a.id DESC LIMIT ?";
/* The rows of the articles a search in the index found, with the visibility rule again. */
static const char sql_search_rows[] =
    "SELECT a.id, a.title, a.body_md, a.tags, a.visibility, a.status, s.id, s.name"
    " FROM kb_articles a JOIN kb_spaces s ON s.id = a.space_id"
    " WHERE a.id IN (SELECT id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) t)"
    " AND (? = 1 OR (a.visibility = 'public' AND a.status = 'published'))";
static const char sql_public_list[] =
    "SELECT a.id, a.title, s.id, s.name, a.updated_at FROM kb_articles a"
    " JOIN kb_spaces s ON s.id = a.space_id"
    " WHERE a.visibility = 'public' AND a.status = 'published' AND (? = 0 OR a.id < ?)"
    " ORDER BY a.id DESC LIMIT ?";

/* ---------------------------------------------------------------------------------------
 * Text helpers
 * ------------------------------------------------------------------------------------- */

static size_t chars_in(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xc0) != 0x80;
    return c;
}

/* Words of a search string: letters and digits (any script) of 3+ characters. */
static int words(struct arena *a, const char *q, char **out, int max)
{
    int n = 0;
    const char *p = q;
    while (*p && n < max) {
        while (*p && !((unsigned char)*p >= 0x80 || isalnum((unsigned char)*p)))
            p++;
        const char *start = p;
        while (*p && ((unsigned char)*p >= 0x80 || isalnum((unsigned char)*p)))
            p++;
        size_t len = (size_t)(p - start);
        if (len && chars_in(start, len) >= 3) {
            out[n] = arena_strndup(a, start, len);
            kb_lower_utf8(out[n]);
            n++;
        }
    }
    return n;
}

/* InnoDB's default stopwords of 3+ letters are not in the index: a required "+how*"
 * matches nothing and would empty the whole result, so they are left out. */
static bool stopword(const char *w)
{
    static const char *const list[] = {"about", "are", "com",  "for",  "from", "how",
                                       "that",  "the", "this", "was",  "what", "when",
                                       "where", "who", "will", "with", "und",  "www"};
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
        if (strcmp(w, list[i]) == 0)
            return true;
    return false;
}

const char *kb_boolean_query(struct arena *a, const char *q)
{
    char *w[16];
    int n = words(a, q ? q : "", w, 16);
    if (n == 0)
        return NULL;
    char *out = arena_strdup(a, "");
    for (int i = 0; i < n; i++)
        if (!stopword(w[i]))
            out = arena_printf(a, "%s%s+%s*", out, *out ? " " : "", w[i]);
    return *out ? out : NULL;
}

/* A plain-text window of body around the first hit, as segments {text, hit}. */
static json_t *snippet(struct arena *a, const char *body, char **w, int nw)
{
    size_t len = strlen(body);
    char *low = arena_strndup(a, body, len);
    kb_lower_utf8(low);
    size_t first = len;
    for (int i = 0; i < nw; i++) {
        char *f = strstr(low, w[i]);
        if (f && (size_t)(f - low) < first)
            first = (size_t)(f - low);
    }
    size_t start = first == len ? 0 : (first > 60 ? first - 60 : 0);
    while (start > 0 && ((unsigned char)body[start] & 0xc0) == 0x80)
        start--;
    size_t end = start + SNIPPET_BYTES < len ? start + SNIPPET_BYTES : len;
    while (end < len && ((unsigned char)body[end] & 0xc0) == 0x80)
        end++;
    json_t *segs = json_array();
    size_t pos = start;
    char *plain = arena_alloc(a, end - start + 8);
    if (start > 0)
        json_array_append_new(segs, json_pack("{s:s, s:b}", "text", "…", "hit", 0));
    while (pos < end) {
        /* the nearest hit at or after pos within the window */
        size_t hit = end, hit_len = 0;
        for (int i = 0; i < nw; i++) {
            size_t wl = strlen(w[i]);
            char *f = memmem(low + pos, end - pos, w[i], wl);
            if (f && (size_t)(f - low) < hit)
                hit = (size_t)(f - low), hit_len = wl;
        }
        /* plain text before the hit, Markdown marks and newlines flattened */
        size_t o = 0;
        for (size_t k = pos; k < hit; k++) {
            char c = body[k];
            if (c == '\n' || c == '\r' || c == '\t')
                c = ' ';
            if (strchr("#*_`>|", c))
                continue;
            if (c == ' ' && o && plain[o - 1] == ' ')
                continue;
            plain[o++] = c;
        }
        plain[o] = '\0';
        if (o)
            json_array_append_new(segs, json_pack("{s:s, s:b}", "text", plain, "hit", 0));
        if (hit == end)
            break;
        json_array_append_new(segs,
                              json_pack("{s:s%, s:b}", "text", body + hit, hit_len, "hit", 1));
        pos = hit + hit_len;
    }
    if (end < len)
        json_array_append_new(segs, json_pack("{s:s, s:b}", "text", "…", "hit", 0));
    return segs;
}

/* Article links are written [text](kb:42) and survive renames; they become app or
 * help-center paths when shown. */
static char *rewrite_links(struct arena *a, const char *html, bool cabinet)
{
    const char *needle = "href=\"kb:";
    const char *to = cabinet ? "href=\"/cabinet/help/" : "href=\"/app/kb/";
    size_t count = 0;
    for (const char *p = html; (p = strstr(p, needle)); p += strlen(needle))
        count++;
    char *out = arena_alloc(a, strlen(html) + count * strlen(to) + 1), *o = out;
    const char *p = html, *f;
    while ((f = strstr(p, needle))) {
        memcpy(o, p, (size_t)(f - p));
        o += f - p;
        strcpy(o, to);
        o += strlen(to);
        p = f + strlen(needle);
    }
    strcpy(o, p);
    return out;
}

static json_t *tags_json(const char *tags)
{
    json_t *arr = json_array();
    const char *p = tags ? tags : "";
    while (*p) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        if (l)
            json_array_append_new(arr, json_stringn(p, l));
        p += l;
        if (*p == ',')
            p++;
    }
    return arr;
}

static json_t *article_json(struct req *r, const struct db_res *res, bool cabinet)
{
    json_t *o = json_pack(
        "{s:I, s:{s:I, s:s}, s:o*, s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:I, s:s, s:s,"
        " s:{s:I, s:s}}",
        "id", (json_int_t)db_ll(res, 0, 0), "space", "id", (json_int_t)db_ll(res, 0, 1), "name",
        db_str(res, 0, 2), "parent_id", db_str(res, 0, 3) ? json_integer(db_ll(res, 0, 3)) : NULL,
        "position", (json_int_t)db_ll(res, 0, 4), "title", db_str(res, 0, 5), "body",
        db_str(res, 0, 6), "html", rewrite_links(&r->arena, db_str(res, 0, 7), cabinet), "tags",
        tags_json(db_str(res, 0, 8)), "visibility", db_str(res, 0, 9), "status", db_str(res, 0, 10),
        "revision", (json_int_t)db_ll(res, 0, 11), "created_at",
        db_time_iso(&r->arena, db_str(res, 0, 12)), "updated_at",
        db_time_iso(&r->arena, db_str(res, 0, 13)), "author", "id", (json_int_t)db_ll(res, 0, 14),
        "name", db_str(res, 0, 15));
    /* Most articles have no files: then the view is one query. */
    struct db_res *files = NULL;
    if (db_ll(res, 0, 16)) {
        char ids[32];
        snprintf(ids, sizeof ids, "[%lld]", db_ll(res, 0, 0));
        files = files_for_owners(&r->arena, "kb_article", ids);
    }
    json_object_set_new(o, "files", files ? files_json_for(files, db_ll(res, 0, 0)) : json_array());
    if (cabinet) { /* customers see what the page needs, not who wrote it */
        json_object_del(o, "author");
        json_object_del(o, "body");
    }
    return o;
}

/* The employee view of an article written straight to text with jsonw, as
 * article_json() dumped compactly would read (same keys, order and escapes) without
 * building the jansson tree: for a view of ~4 KB that tree and its dump were most of
 * the portal's time. In the arena, its length in *len; NULL when out of memory. */
static const char *article_text(struct req *r, const struct db_res *res, size_t *len)
{
    const char *html = rewrite_links(&r->arena, db_str(res, 0, 7), false);
    const char *created = db_time_iso(&r->arena, db_str(res, 0, 12));
    const char *updated = db_time_iso(&r->arena, db_str(res, 0, 13));
    const char *tags = db_str(res, 0, 8) ? db_str(res, 0, 8) : "";
    const char *strs[] = {db_str(res, 0, 2), db_str(res, 0, 5),  db_str(res, 0, 6), html,
                          db_str(res, 0, 9), db_str(res, 0, 10), created,           updated,
                          db_str(res, 0, 15)};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (!strs[i])
            return NULL;
    struct jsonw w;
    jsonw_init(&w, &r->arena);
    jsonw_obj_begin(&w);
    jsonw_key(&w, "id");
    jsonw_int(&w, db_ll(res, 0, 0));
    jsonw_key(&w, "space");
    jsonw_obj_begin(&w);
    jsonw_key(&w, "id");
    jsonw_int(&w, db_ll(res, 0, 1));
    jsonw_key(&w, "name");
    jsonw_str(&w, db_str(res, 0, 2));
    jsonw_obj_end(&w);
    if (db_str(res, 0, 3)) {
        jsonw_key(&w, "parent_id");
        jsonw_int(&w, db_ll(res, 0, 3));
    }
    jsonw_key(&w, "position");
    jsonw_int(&w, db_ll(res, 0, 4));
    jsonw_key(&w, "title");
    jsonw_str(&w, db_str(res, 0, 5));
    jsonw_key(&w, "body");
    jsonw_str(&w, db_str(res, 0, 6));
    jsonw_key(&w, "html");
    jsonw_str(&w, html);
    jsonw_key(&w, "tags");
    jsonw_arr_begin(&w);
    for (const char *p = tags; *p;) { /* as tags_json(): commas split, empty parts skipped */
        size_t l = strcspn(p, ",");
        if (l)
            jsonw_strn(&w, p, l);
        p += l;
        if (*p == ',')
            p++;
    }
    jsonw_arr_end(&w);
    jsonw_key(&w, "visibility");
    jsonw_str(&w, db_str(res, 0, 9));
    jsonw_key(&w, "status");
    jsonw_str(&w, db_str(res, 0, 10));
    jsonw_key(&w, "revision");
    jsonw_int(&w, db_ll(res, 0, 11));
    jsonw_key(&w, "created_at");
    jsonw_str(&w, created);
    jsonw_key(&w, "updated_at");
    jsonw_str(&w, updated);
    jsonw_key(&w, "author");
    jsonw_obj_begin(&w);
    jsonw_key(&w, "id");
    jsonw_int(&w, db_ll(res, 0, 14));
    jsonw_key(&w, "name");
    jsonw_str(&w, db_str(res, 0, 15));
    jsonw_obj_end(&w);
    jsonw_key(&w, "files");
    if (db_ll(res, 0, 16)) {
        char ids[32];
        snprintf(ids, sizeof ids, "[%lld]", db_ll(res, 0, 0));
        struct db_res *rows = files_for_owners(&r->arena, "kb_article", ids);
        json_t *arr = rows ? files_json_for(rows, db_ll(res, 0, 0)) : json_array();
        jsonw_json(&w, arr);
        json_decref(arr);
    } else {
        jsonw_raw(&w, "[]", 2);
    }
    jsonw_obj_end(&w);
    return jsonw_finish(&w, len);
}

/* ---------------------------------------------------------------------------------------
 * Input
 * ------------------------------------------------------------------------------------- */

struct article_input {
    const char *title, *body, *visibility, *status, *summary;
    char *tags; /* comma-joined */
    long long parent_id, position, space_id, base_revision;
    bool has_parent, has_position;
    json_t *files; /* borrowed: ids of uploads to attach */
};

/* Reads and checks the fields of a create (create = true) or a save. A save is a partial
 * update: a field it does not name stays NULL here (has_parent/has_position false) and
 * save_revision() keeps the article's value, so leaving visibility out keeps a public
 * article public. */
static int read_input(struct req *r, json_t *body, struct article_input *in, bool create)
{
    json_t *parent = NULL, *files = NULL, *tags = NULL;
    memset(in, 0, sizeof *in);
    if (create) {
        in->visibility = "internal";
        in->status = "published";
    }
    in->summary = "";
    if (HTTP_FIELDS(r, body, {"title", FIELD_STRING, create, 300, &in->title},
                    {"body", FIELD_TEXT, create, SIZE_MAX, &in->body}, /* render(): 413 */
                    {"visibility", FIELD_STRING, false, 16, &in->visibility},
                    {"status", FIELD_STRING, false, 16, &in->status},
                    {"summary", FIELD_TEXT, false, 300, &in->summary},
                    {"parent_id", FIELD_JSON, false, 0, &parent},
                    {"position", FIELD_INT, false, 0, &in->position, &in->has_position},
                    {"space_id", FIELD_ID, create, 0, &in->space_id},
                    {"base_revision", FIELD_INT, !create, 0, &in->base_revision},
                    {"files", FIELD_JSON, false, 0, &files},
                    {"tags", FIELD_JSON, false, 0, &tags}) < 0)
        return -1;
    if (in->title && !*in->title)
        return http_error(r, 400, "validation_failed", "title must not be empty", "title"), -1;
    /* Markdown is kept as written: leading spaces make a code block. */
    if (in->body)
        in->body = arena_strdup(&r->arena, json_string_value(json_object_get(body, "body")));
    if (parent && !json_is_null(parent)) {
        if (!json_is_integer(parent) || json_integer_value(parent) < 1)
            return http_error(r, 400, "validation_failed", "parent_id must be a positive id",
                              "parent_id"),
                   -1;
        in->has_parent = true;
        in->parent_id = json_integer_value(parent);
    } else if (parent && !create) {
        in->has_parent = true; /* null moves the article to the top level */
        in->parent_id = 0;
    }
    if (files && !json_is_null(files)) {
        size_t i;
        json_t *v;
        if (!json_is_array(files) || json_array_size(files) > 50)
            return http_error(r, 400, "validation_failed", "files must be a list of file ids",
                              "files"),
                   -1;
        json_array_foreach(
            files, i, v) if (!json_is_integer(v) ||
                             json_integer_value(v) <
                                 1) return http_error(r, 400, "validation_failed",
                                                      "files must be a list of file ids", "files"),
            -1;
        in->files = files;
    }
    if (in->visibility && strcmp(in->visibility, "internal") != 0 &&
        strcmp(in->visibility, "public") != 0)
        return http_error(r, 400, "validation_failed", "visibility must be internal or public",
                          "visibility"),
               -1;
    if (in->status && strcmp(in->status, "draft") != 0 && strcmp(in->status, "published") != 0)
        return http_error(r, 400, "validation_failed", "status must be draft or published",
                          "status"),
               -1;
    if (in->position < 0 || in->position > 1000000)
        return http_error(r, 400, "validation_failed", "position must be 0 to 1000000", "position"),
               -1;
    if (create || tags)
        in->tags = arena_strdup(&r->arena, ""); /* on a save, null clears the tags */
    if (tags && !json_is_null(tags)) {
        if (!json_is_array(tags) || json_array_size(tags) > MAX_TAGS)
            return http_error(r, 400, "validation_failed", "tags must be a list of up to 20 words",
                              "tags"),
                   -1;
        size_t i;
        json_t *t;
        json_array_foreach(tags, i, t)
        {
            const char *s = json_string_value(t);
            if (!s || !*s || strlen(s) > 50 || strchr(s, ','))
                return http_error(r, 400, "validation_failed",
                                  "each tag is 1 to 50 characters without commas", "tags"),
                       -1;
            in->tags = arena_printf(&r->arena, "%s%s%s", in->tags, i ? "," : "", s);
        }
    }
    return 0;
}

/* A parent must be an article of the same space and not the article or one of its
 * descendants. Returns 0 or sends the error. */
static int check_parent(struct req *r, long long article_id, long long space_id, long long parent)
{
    long long cur = parent;
    for (int depth = 0; cur; depth++) {
        if (cur == article_id || depth > 64)
            return http_error(r, 400, "validation_failed",
                              "An article cannot be placed under itself", "parent_id"),
                   -1;
        struct db_res *p = db_query(&r->arena, sql_parent_of, "i", cur);
        if (!p)
            return http_db_error(r), -1;
        if (p->nrows == 0 || db_ll(p, 0, 1) != space_id)
            return http_error(r, 400, "validation_failed", "No such parent article in this space",
                              "parent_id"),
                   -1;
        cur = db_ll(p, 0, 0);
    }
    return 0;
}

/* Attaches the caller's new uploads to the article (inside the transaction). Files
 * already attached to this article are skipped. 0, or -1 with *bad set when a file is
 * not the caller's unattached upload. */
static int attach_files(struct req *r, long long id, json_t *files, bool *bad)
{
    size_t i;
    json_t *v;
    *bad = false;
    if (!files)
        return 0;
    char ids[32];
    snprintf(ids, sizeof ids, "[%lld]", id);
    struct db_res *have = files_for_owners(&r->arena, "kb_article", ids);
    if (!have)
        return -1;
    json_array_foreach(files, i, v)
    {
        long long fid = json_integer_value(v);
        bool attached = false;
        for (int k = 0; k < have->nrows; k++)
            attached |= db_ll(have, k, 1) == fid;
        if (attached)
            continue;
        if (files_attach(fid, r->session->user_id, "kb_article", id) < 0) {
            *bad = db_errno() == 0;
            return -1;
        }
        if (db_exec(sql_has_files, "i", id) < 0)
            return -1;
    }
    return 0;
}

static int bad_files(struct req *r)
{
    return http_error(r, 400, "validation_failed",
                      "A file is not yours, is attached elsewhere or does not exist", "files");
}

static int send_article(struct req *r, int status, long long id)
{
    struct db_res *res = db_query(&r->arena, sql_get, "i", id);
    if (!res)
        return http_db_error(r);
    if (res->nrows == 0)
        return http_error(r, 404, "not_found", "No such article", NULL);
    size_t len;
    const char *text = article_text(r, res, &len);
    if (!text)
        return http_error(r, 503, "service_unavailable", "Out of memory, try again", NULL);
    return http_send(r, status, "application/json", "Cache-Control: no-store\r\n", text, len);
}

/* ---------------------------------------------------------------------------------------
 * Spaces and articles
 * ------------------------------------------------------------------------------------- */

int kb_spaces_list(struct req *r)
{
    struct db_res *s = db_query(&r->arena, sql_spaces, "");
    if (!s)
        return http_db_error(r);
    return http_json(r, 200, json_pack("{s:o}", "items", db_rows_json(s, "issi", &r->arena)));
}

struct space_ctx {
    const char *name, *description;
    long long id;
};

static int space_create_tx(struct req *r, void *arg, struct http_change *change)
{
    struct space_ctx *c = arg;
    if (db_exec(sql_space_insert, "ss", c->name, c->description) < 0)
        return db_errno() == ER_DUP_ENTRY
                   ? http_error(r, 409, "conflict", "A space with this name exists", "name")
                   : -1;
    c->id = db_insert_id();
    *change = (struct http_change){"kb_space.create", "kb_space", c->id, NULL};
    return 0;
}

int kb_space_create(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    const char *name = NULL, *description = "";
    if (HTTP_FIELDS(r, body, {"name", FIELD_STRING, true, 100, &name},
                    {"description", FIELD_TEXT, false, 500, &description}) < 0)
        return r->status;
    struct space_ctx c = {name, description, 0};
    int rc = http_write(r, space_create_tx, &c);
    if (rc)
        return rc;
    return http_json(r, 201,
                     json_pack("{s:I, s:s, s:s, s:i}", "id", (json_int_t)c.id, "name", name,
                               "description", description, "article_count", 0));
}

int kb_articles_list(struct req *r)
{
    int limit;
    long long before;
    if (http_page_args(r, 500, 1000, &limit, &before) < 0)
        return r->status;
    const char *space_q = http_query(r, "space");
    long long space = space_q ? strtoll(space_q, NULL, 10) : 0;
    if (space_q && space < 1)
        return http_error(r, 400, "validation_failed", "space must be an id", "space");
    struct db_res *res =
        db_query(&r->arena, sql_list, "IIiii", space, space, before, before, (long long)limit);
    if (!res)
        return http_db_error(r);
    json_t *out = json_pack("{s:o}", "items", db_rows_json(res, "iiiisssit", &r->arena));
    db_page_next(out, res, limit);
    return http_json(r, 200, out);
}

/* An article write: the input, for a create its rendered body, and the article's id. */
struct article_ctx {
    const struct article_input *in;
    const char *html;
    long long id;
};

static int article_create_tx(struct req *r, void *arg, struct http_change *change)
{
    struct article_ctx *c = arg;
    const struct article_input *in = c->in;
    long long me = r->session->user_id;
    if (db_exec(sql_insert, "iIissssssiii", in->space_id, in->parent_id, in->position, in->title,
                in->body, c->html, in->tags, in->visibility, in->status, me, 0LL, 0LL) < 0)
        return -1;
    c->id = db_insert_id();
    bool bad = false;
    if (attach_files(r, c->id, in->files, &bad) < 0)
        return bad ? bad_files(r) : -1;
    if (db_exec(sql_rev_insert, "iisssssisi", c->id, 1LL, in->title, in->body, in->tags,
                in->visibility, in->status, me, *in->summary ? in->summary : "Created", 0LL) < 0 ||
        epoch_write(EPOCH_KB) < 0)
        return -1;
    *change = (struct http_change){"kb_article.create", "kb_article", c->id, NULL};
    return 0;
}

int kb_article_create(struct req *r)
{
    json_t *body = http_json_body(r);
    struct article_input in;
    if (!body || read_input(r, body, &in, true) < 0)
        return r->status;
    struct db_res *sp = db_query(&r->arena, sql_space_exists, "i", in.space_id);
    if (!sp)
        return http_db_error(r);
    if (sp->nrows == 0)
        return http_error(r, 400, "validation_failed", "No such space", "space_id");
    if (in.parent_id && check_parent(r, 0, in.space_id, in.parent_id) < 0)
        return r->status;
    char *html = richtext_render(r, in.body, "body");
    if (!html)
        return r->status;
    struct article_ctx c = {.in = &in, .html = html};
    int rc = http_write(r, article_create_tx, &c);
    free(html);
    return rc ? rc : send_article(r, 201, c.id);
}

int kb_article_get(struct req *r)
{
    long long id = http_param_id(r, "id");
    struct db_res *res = NULL;
    int got = id ? kb_index_article(&r->arena, id, &res) : 0; /* memory first (see there) */
    if (got < 0)
        return send_article(r, 200, id);
    if (got == 0)
        return http_error(r, 404, "not_found", "No such article", NULL);
    size_t len;
    const char *text = article_text(r, res, &len);
    if (!text)
        return http_error(r, 503, "service_unavailable", "Out of memory, try again", NULL);
    return http_send(r, 200, "application/json", "Cache-Control: no-store\r\n", text, len);
}

/* Saves a new revision of article c->id from c->in (locked, base checked), through
 * http_write: on a refusal this sends the answer and returns its status, on success 0,
 * on a database error -1. It fills what the save does not name from the locked row into
 * a copy of the input, so a second run reads the row afresh. */
static int save_revision(struct req *r, void *arg, struct http_change *change)
{
    const struct article_ctx *c = arg;
    long long id = c->id;
    struct article_input copy = *c->in, *in = &copy;
    struct db_res *cur = db_query(&r->arena, sql_lock, "i", id);
    if (!cur)
        return -1;
    if (cur->nrows == 0)
        return http_error(r, 404, "not_found", "No such article", NULL);
    long long rev = db_ll(cur, 0, 2);
    if (rev != in->base_revision) {
        /* Someone saved first: answer with the current article so nothing typed is lost
         * (the editor shows both). Not http_conflict: this 409 names the field. */
        struct db_res *now = db_query(&r->arena, sql_get, "i", id);
        r->error_code = "conflict";
        return http_json(r, 409,
                         json_pack("{s:{s:s, s:s, s:s}, s:o*}", "error", "code", "conflict",
                                   "message", "Someone saved a newer revision meanwhile", "field",
                                   "base_revision", "current",
                                   now && now->nrows ? article_json(r, now, false) : NULL));
    }
    /* What the save does not name stays as it is (a restore names everything). */
    if (!in->title)
        in->title = db_str(cur, 0, 3);
    if (!in->body)
        in->body = db_str(cur, 0, 4);
    if (!in->tags)
        in->tags = (char *)db_str(cur, 0, 5);
    if (!in->visibility)
        in->visibility = db_str(cur, 0, 6);
    if (!in->status)
        in->status = db_str(cur, 0, 7);
    long long parent = in->has_parent ? in->parent_id : db_ll(cur, 0, 8);
    long long position = in->has_position ? in->position : db_ll(cur, 0, 9);
    if (in->has_parent && parent && check_parent(r, id, db_ll(cur, 0, 1), parent) < 0)
        return r->status;
    bool bad = false;
    if (attach_files(r, id, in->files, &bad) < 0)
        return bad ? bad_files(r) : -1;
    bool same = strcmp(db_str(cur, 0, 3), in->title) == 0 &&
                strcmp(db_str(cur, 0, 4), in->body) == 0 &&
                strcmp(db_str(cur, 0, 5), in->tags) == 0 &&
                strcmp(db_str(cur, 0, 6), in->visibility) == 0 &&
                strcmp(db_str(cur, 0, 7), in->status) == 0;
    if (same && parent == db_ll(cur, 0, 8) && position == db_ll(cur, 0, 9))
        return in->files ? epoch_write(EPOCH_KB) : 0; /* nothing changed but maybe the
                                                        * files: no empty revision */
    char *html = richtext_render(r, in->body, "body");
    if (!html)
        return r->status;
    long long me = r->session->user_id;
    int rc = db_exec(sql_update, "Iissssssiiii", parent, position, in->title, in->body, html,
                     in->tags, in->visibility, in->status, me, 0LL, id, rev);
    free(html);
    if (rc < 0 ||
        db_exec(sql_rev_insert, "iisssssisi", id, rev + 1, in->title, in->body, in->tags,
                in->visibility, in->status, me, in->summary, 0LL) < 0 ||
        epoch_write(EPOCH_KB) < 0)
        return -1;
    *change = (struct http_change){"kb_article.update", "kb_article", id,
                                   json_pack("{s:I}", "revision", (json_int_t)(rev + 1))};
    return 0;
}

int kb_article_update(struct req *r)
{
    long long id = http_param_id(r, "id");
    json_t *body = http_json_body(r);
    struct article_input in;
    if (!body || read_input(r, body, &in, false) < 0)
        return r->status;
    if (!id)
        return http_error(r, 404, "not_found", "No such article", NULL);
    struct article_ctx c = {.in = &in, .id = id};
    int rc = http_write(r, save_revision, &c);
    return rc ? rc : send_article(r, 200, id);
}

int kb_revisions_list(struct req *r)
{
    long long id = http_param_id(r, "id");
    struct db_res *a = id ? db_query(&r->arena, sql_get, "i", id) : NULL;
    if (id && !a)
        return http_db_error(r);
    if (!a || a->nrows == 0)
        return http_error(r, 404, "not_found", "No such article", NULL);
    struct db_res *v = db_query(&r->arena, sql_revs, "i", id);
    if (!v)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < v->nrows; i++)
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:{s:I, s:s}}", "rev",
                             (json_int_t)db_ll(v, i, 0), "title", db_str(v, i, 1), "summary",
                             db_str(v, i, 2), "visibility", db_str(v, i, 3), "status",
                             db_str(v, i, 4), "created_at", db_time_iso(&r->arena, db_str(v, i, 5)),
                             "author", "id", (json_int_t)db_ll(v, i, 6), "name", db_str(v, i, 7)));
    return http_json(r, 200, json_pack("{s:o}", "items", items));
}

static struct db_res *load_rev(struct req *r, long long id, long long rev)
{
    return db_query(&r->arena, sql_rev, "ii", id, rev);
}

int kb_revision_get(struct req *r)
{
    long long id = http_param_id(r, "id"), rev = http_param_id(r, "rev");
    struct db_res *v = id && rev ? load_rev(r, id, rev) : NULL;
    if (id && rev && !v)
        return http_db_error(r);
    if (!v || v->nrows == 0)
        return http_error(r, 404, "not_found", "No such revision", NULL);
    enum markdown_status st;
    char *html = markdown_render(db_str(v, 0, 2), strlen(db_str(v, 0, 2)), &st);
    json_t *o = json_pack(
        "{s:I, s:I, s:s, s:s, s:s?, s:o, s:s, s:s, s:s, s:s, s:{s:I, s:s}}", "article_id",
        (json_int_t)id, "rev", (json_int_t)db_ll(v, 0, 0), "title", db_str(v, 0, 1), "body",
        db_str(v, 0, 2), "html", html ? rewrite_links(&r->arena, html, false) : NULL, "tags",
        tags_json(db_str(v, 0, 3)), "visibility", db_str(v, 0, 4), "status", db_str(v, 0, 5),
        "summary", db_str(v, 0, 6), "created_at", db_time_iso(&r->arena, db_str(v, 0, 7)), "author",
        "id", (json_int_t)db_ll(v, 0, 8), "name", db_str(v, 0, 9));
    free(html);
    return http_json(r, 200, o);
}

int kb_article_diff(struct req *r)
{
    long long id = http_param_id(r, "id");
    const char *fq = http_query(r, "from"), *tq = http_query(r, "to");
    long long from = fq ? strtoll(fq, NULL, 10) : 0, to = tq ? strtoll(tq, NULL, 10) : 0;
    if (from < 1 || to < 1)
        return http_error(r, 400, "validation_failed", "from and to must be revision numbers",
                          from < 1 ? "from" : "to");
    struct db_res *a = id ? load_rev(r, id, from) : NULL, *b = a ? load_rev(r, id, to) : NULL;
    if (id && !b)
        return http_db_error(r);
    if (!a || !b || a->nrows == 0 || b->nrows == 0)
        return http_error(r, 404, "not_found", "No such revision", NULL);
    size_t n;
    struct diff_line *d = kb_diff(db_str(a, 0, 2), db_str(b, 0, 2), &n);
    if (!d)
        return http_error(r, 503, "service_unavailable", "Out of memory, try again", NULL);
    json_t *lines = json_array();
    long long added = 0, removed = 0;
    for (size_t i = 0; i < n; i++) {
        char op[2] = {d[i].op, 0};
        added += d[i].op == '+';
        removed += d[i].op == '-';
        json_array_append_new(lines,
                              json_pack("{s:s, s:s%}", "op", op, "text", d[i].text, d[i].len));
    }
    free(d);
    return http_json(r, 200,
                     json_pack("{s:I, s:I, s:{s:s, s:s}, s:I, s:I, s:o}", "from", (json_int_t)from,
                               "to", (json_int_t)to, "title", "from", db_str(a, 0, 1), "to",
                               db_str(b, 0, 1), "added", (json_int_t)added, "removed",
                               (json_int_t)removed, "lines", lines));
}

int kb_article_restore(struct req *r)
{
    long long id = http_param_id(r, "id");
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    long long rev = 0, base = 0;
    bool has_base;
    if (HTTP_FIELDS(r, body, {"rev", FIELD_ID, true, 0, &rev},
                    {"base_revision", FIELD_INT, false, 0, &base, &has_base}) < 0)
        return r->status;
    struct db_res *v = id ? load_rev(r, id, rev) : NULL;
    if (id && !v)
        return http_db_error(r);
    if (!v || v->nrows == 0)
        return http_error(r, 404, "not_found", "No such revision", NULL);
    struct db_res *cur = db_query(&r->arena, sql_get, "i", id);
    if (!cur)
        return http_db_error(r);
    struct article_input in = {
        .title = db_str(v, 0, 1),
        .body = db_str(v, 0, 2),
        .tags = (char *)db_str(v, 0, 3),
        .visibility = db_str(v, 0, 4),
        .status = db_str(v, 0, 5),
        .summary = arena_printf(&r->arena, "Restored revision %lld", rev),
        .base_revision = has_base ? base : db_ll(cur, 0, 11),
    };
    struct article_ctx c = {.in = &in, .id = id};
    int rc = http_write(r, save_revision, &c);
    return rc ? rc : send_article(r, 200, id);
}

/* ---------------------------------------------------------------------------------------
 * Search and the help center
 * ------------------------------------------------------------------------------------- */

/* The rows sql_search_rows would give for ids, from the index's copy of the articles;
 * NULL when that copy is not current (then the database answers). */
static struct db_res *search_rows_from_memory(struct req *r, const long long *ids, int n,
                                              bool employee)
{
    static const int view_col[] = {0, 5, 6, 8, 9, 10, 1, 2}; /* sql_search_rows from sql_get */
    enum { NCOLS = sizeof view_col / sizeof view_col[0] };
    struct db_res *out = arena_alloc(&r->arena, sizeof *out);
    out->ncols = NCOLS;
    out->nrows = 0;
    out->names = NULL;
    out->rows = arena_alloc(&r->arena, (size_t)(n ? n : 1) * sizeof *out->rows);
    out->lens = arena_alloc(&r->arena, (size_t)(n ? n : 1) * sizeof *out->lens);
    for (int k = 0; k < n; k++) {
        struct db_res *v = NULL;
        int got = kb_index_article(&r->arena, ids[k], &v);
        if (got < 0)
            return NULL;
        if (got == 0 || (!employee && (strcmp(db_str(v, 0, 9), "public") != 0 ||
                                       strcmp(db_str(v, 0, 10), "published") != 0)))
            continue; /* the visibility rule once more, as in the query */
        char **row = arena_alloc(&r->arena, NCOLS * sizeof *row);
        unsigned long *lens = arena_alloc(&r->arena, NCOLS * sizeof *lens);
        for (int c = 0; c < NCOLS; c++) {
            row[c] = v->rows[0][view_col[c]];
            lens[c] = v->lens[0][view_col[c]];
        }
        out->rows[out->nrows] = row;
        out->lens[out->nrows++] = lens;
    }
    return out;
}

static int search(struct req *r, bool employee)
{
    const char *q = http_query(r, "q");
    int limit;
    long long before;
    if (http_page_args(r, 20, 50, &limit, &before) < 0)
        return r->status;
    if (q && !utf8_valid(q, strlen(q)))
        return http_error(r, 400, "validation_failed", "q is not valid UTF-8", "q");
    if (!q || strlen(q) > 200)
        return http_error(r, 400, "validation_failed", "q is required (at most 200 characters)",
                          "q");
    char *w[16];
    int nw = words(&r->arena, q, w, 16);
    const char *bq = kb_boolean_query(&r->arena, q);
    if (!bq)
        return http_json(r, 200, json_pack("{s:[], s:s}", "items", "query", q));
    /* The index when it is current (see search_index.h), else MariaDB's FULLTEXT. Both
     * give rows of sql_search's first eight columns, best first. */
    char *iw[16];
    int niw = 0;
    for (int i = 0; i < nw; i++)
        if (!stopword(w[i]))
            iw[niw++] = w[i];
    long long ids[50];
    double scores[50];
    int found = kb_index_search(iw, niw, !employee, limit, ids, scores);
    struct db_res *res = found >= 0 ? search_rows_from_memory(r, ids, found, employee) : NULL;
    if (res) {
        /* every row from the in-memory copy: no query at all */
    } else if (found >= 0) {
        char *json = arena_alloc(&r->arena, (size_t)found * 21 + 3), *o = json;
        *o++ = '[';
        for (int i = 0; i < found; i++)
            o += sprintf(o, "%s%lld", i ? "," : "", ids[i]);
        strcpy(o, "]");
        res = db_query(&r->arena, sql_search_rows, "si", json, (long long)employee);
    } else {
        res = db_query(&r->arena, sql_search, "sssii", bq, bq, bq, (long long)employee,
                       (long long)limit);
    }
    if (!res)
        return http_db_error(r);
    json_t *items = json_array();
    for (int k = 0; k < (found >= 0 ? found : res->nrows); k++) {
        int i = k;
        double score = 0;
        if (found >= 0) { /* the rows come in any order: put them in the index's */
            for (i = 0; i < res->nrows && db_ll(res, i, 0) != ids[k]; i++)
                ;
            if (i == res->nrows)
                continue; /* changed meanwhile and no longer visible */
            score = scores[k];
        } else {
            score = strtod(db_str(res, i, 8) ? db_str(res, i, 8) : "0", NULL);
        }
        json_t *o = json_pack("{s:I, s:s, s:o, s:{s:I, s:s}, s:o, s:f}", "id",
                              (json_int_t)db_ll(res, i, 0), "title", db_str(res, i, 1), "snippet",
                              snippet(&r->arena, db_str(res, i, 2), w, nw), "space", "id",
                              (json_int_t)db_ll(res, i, 6), "name", db_str(res, i, 7), "tags",
                              tags_json(db_str(res, i, 3)), "score", score);
        if (employee) {
            json_object_set_new(o, "visibility", json_string(db_str(res, i, 4)));
            json_object_set_new(o, "status", json_string(db_str(res, i, 5)));
        }
        json_array_append_new(items, o);
    }
    return http_json(r, 200, json_pack("{s:o, s:s}", "items", items, "query", q));
}

int kb_search(struct req *r)
{
    return search(r, true);
}

int kb_cabinet_list(struct req *r)
{
    if (http_query(r, "q"))
        return search(r, false);
    int limit;
    long long before;
    if (http_page_args(r, 50, 200, &limit, &before) < 0)
        return r->status;
    struct db_res *res =
        db_query(&r->arena, sql_public_list, "iii", before, before, (long long)limit);
    if (!res)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < res->nrows; i++)
        json_array_append_new(
            items,
            json_pack("{s:I, s:s, s:{s:I, s:s}, s:s}", "id", (json_int_t)db_ll(res, i, 0), "title",
                      db_str(res, i, 1), "space", "id", (json_int_t)db_ll(res, i, 2), "name",
                      db_str(res, i, 3), "updated_at", db_time_iso(&r->arena, db_str(res, i, 4))));
    json_t *out = json_pack("{s:o}", "items", items);
    db_page_next(out, res, limit);
    return http_json(r, 200, out);
}

int kb_cabinet_get(struct req *r)
{
    long long id = http_param_id(r, "id");
    struct db_res *res = id ? db_query(&r->arena, sql_get_public, "i", id) : NULL;
    if (id && !res)
        return http_db_error(r);
    /* Internal, draft and missing articles answer alike. */
    if (!res || res->nrows == 0)
        return http_error(r, 404, "not_found", "No such article", NULL);
    return http_json(r, 200, article_json(r, res, true));
}

static bool article_file_readable(struct req *r, long long article_id)
{
    if (!r->session)
        return false;
    bool employee = r->session->realm == REALM_EMPLOYEE;
    struct db_res *res = db_query(&r->arena, employee ? sql_get : sql_get_public, "i", article_id);
    return res && res->nrows == 1;
}

int kb_init(void)
{
    return files_register_owner("kb_article", article_file_readable);
}

/* ---------------------------------------------------------------------------------------
 * Demo data: internal and public articles in English and Russian, with history
 * ------------------------------------------------------------------------------------- */

static const char sql_demo_author[] = "SELECT id FROM users WHERE handle = ?";

struct demo_rev {
    const char *author, *summary;
    int minutes_ago;
    const char *title, *body;
};

static int demo_article(long long space, long long parent, int position, const char *visibility,
                        const char *tags, const struct demo_rev *revs, int nrevs, long long *id_out)
{
    struct arena a;
    arena_init(&a);
    int rc = -1;
    long long id = 0;
    for (int i = 0; i < nrevs; i++) {
        struct db_res *u = db_query(&a, sql_demo_author, "s", revs[i].author);
        if (!u || u->nrows == 0)
            goto out;
        long long author = db_ll(u, 0, 0);
        enum markdown_status st;
        char *html = markdown_render(revs[i].body, strlen(revs[i].body), &st);
        if (!html)
            goto out;
        int e;
        if (i == 0) {
            e = db_exec(sql_insert, "iIissssssiii", space, parent, (long long)position,
                        revs[i].title, revs[i].body, html, tags, visibility, "published", author,
                        (long long)revs[i].minutes_ago, (long long)revs[i].minutes_ago);
            id = db_insert_id();
        } else {
            e = db_exec(sql_update, "Iissssssiiii", parent, (long long)position, revs[i].title,
                        revs[i].body, html, tags, visibility, "published", author,
                        (long long)revs[i].minutes_ago, id, (long long)i);
        }
        free(html);
        if (e < 0 || db_exec(sql_rev_insert, "iisssssisi", id, (long long)(i + 1), revs[i].title,
                             revs[i].body, tags, visibility, "published", author, revs[i].summary,
                             (long long)revs[i].minutes_ago) < 0)
            goto out;
    }
    if (id_out)
        *id_out = id;
    rc = 0;
out:
    arena_cleanup(&a);
    return rc;
}

int kb_demo_seed(void)
{
    long long sales, support, help, ticket_article = 0;
    if (db_exec(sql_space_insert, "ss", "Sales", "How we sell: offers, contracts, documents") < 0)
        return -1;
    sales = db_insert_id();
    if (db_exec(sql_space_insert, "ss", "Support", "How we help customers: tickets, SLA, tone") < 0)
        return -1;
    support = db_insert_id();
    if (db_exec(sql_space_insert, "ss", "Help center",
                "Public answers for customers and partners") < 0)
        return -1;
    help = db_insert_id();

    static const struct demo_rev acts[] = {
        {"boris", "First draft", 40000, "Acts of acceptance",
         "# Acts of acceptance\n\nUse the template from the shared drive.\n"},
        {"vera", "Added the signing steps", 30000, "Acts of acceptance: template and process",
         "# Acts of acceptance\n\nUse the template from the shared drive.\n\n## Steps\n\n"
         "1. Fill in the order number and the date.\n2. Send it to the customer for signature.\n"
         "3. Upload the signed copy to the account's documents.\n"},
        {"boris", "Clarified who signs", 10000, "Acts of acceptance: template and process",
         "# Acts of acceptance\n\nUse the template from the shared drive.\n\n## Steps\n\n"
         "1. Fill in the order number and the date.\n2. Send it to the customer for signature.\n"
         "3. Upload the signed copy to the account's documents.\n\n"
         "The act is signed by the account owner on our side.\n"},
    };
    static const struct demo_rev sla[] = {
        {"anna", "Created", 35000, "Ticket priorities and SLA",
         "# Ticket priorities\n\nFirst response and resolution times:\n\n"
         "- **Urgent**: 1 h, 8 h\n- **High**: 4 h, 2 days\n- **Normal**: 1 day, 5 days\n"},
        {"anna", "Low priority added", 20000, "Ticket priorities and SLA",
         "# Ticket priorities\n\nFirst response and resolution times:\n\n"
         "- **Urgent**: 1 h, 8 h\n- **High**: 4 h, 2 days\n- **Normal**: 1 day, 5 days\n"
         "- **Low**: 2 days, 10 days\n\nBusiness hours: Mon–Fri, 9:00–18:00 Moscow time.\n"},
    };
    static const struct demo_rev tone[] = {
        {"vera", "Черновик", 25000, "Как отвечать клиентам",
         "# Как отвечать клиентам\n\nОбращайтесь к клиенту по имени и на «вы».\n"},
        {"anna", "Добавлены примеры", 5000, "Как отвечать клиентам",
         "# Как отвечать клиентам\n\nОбращайтесь к клиенту по имени и на «вы».\n\n"
         "## Примеры\n\n- «Здравствуйте, Ирина! Спасибо за обращение.»\n"
         "- «Мы уже работаем над вашим вопросом и ответим до 18:00.»\n"},
    };
    static const struct demo_rev ticket_en[] = {
        {"anna", "Created", 30000, "How to open a support ticket",
         "# How to open a support ticket\n\nSign in to the client cabinet and choose "
         "**Support tickets → New ticket**.\n"},
        {"vera", "Attachments and priorities", 8000, "How to open a support ticket",
         "# How to open a support ticket\n\nSign in to the client cabinet and choose "
         "**Support tickets → New ticket**.\n\nDescribe the problem, attach screenshots or "
         "documents, and pick a priority. We answer within one business day.\n"},
    };
    static const struct demo_rev ticket_ru[] = {
        {"vera", "Создано", 28000, "Как открыть обращение в поддержку",
         "# Как открыть обращение\n\nВойдите в личный кабинет и выберите **Обращения → "
         "Новое обращение**. Опишите проблему и приложите файлы. Мы отвечаем в течение "
         "рабочего дня.\n"},
    };
    static const struct demo_rev order[] = {
        {"boris", "Created", 26000, "Where is my order?",
         "# Where is my order?\n\nOpen **My orders** in the client cabinet: every order shows "
         "its status (new, confirmed, in progress, shipped, delivered) and its history.\n\n"
         "Still unclear? [Open a support ticket](kb:TICKET).\n"},
    };
    static const struct demo_rev reset[] = {
        {"anna", "Created", 22000, "Forgot your password?",
         "# Forgot your password?\n\nOn the sign-in page choose **Forgot password** and enter "
         "your email. The link in the message is valid for one hour.\n"},
    };
    long long acts_id = 0;
    if (demo_article(sales, 0, 1, "internal", "documents,acts", acts, 3, &acts_id) < 0 ||
        demo_article(support, 0, 1, "internal", "sla,tickets", sla, 2, NULL) < 0 ||
        demo_article(support, 0, 2, "internal", "клиенты,тон", tone, 2, NULL) < 0 ||
        demo_article(help, 0, 1, "public", "tickets,support", ticket_en, 2, &ticket_article) < 0 ||
        demo_article(help, 0, 2, "public", "обращения,поддержка", ticket_ru, 1, NULL) < 0 ||
        demo_article(help, 0, 4, "public", "password,login", reset, 1, NULL) < 0)
        return -1;
    /* The order article links the ticket article by id: the link survives renames. */
    struct demo_rev linked = order[0];
    char body[600];
    const char *tmpl = order[0].body, *mark = strstr(tmpl, "TICKET");
    snprintf(body, sizeof body, "%.*s%lld%s", (int)(mark - tmpl), tmpl, ticket_article, mark + 6);
    linked.body = body;
    return demo_article(help, 0, 3, "public", "orders,delivery", &linked, 1, NULL);
}
