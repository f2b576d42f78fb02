/* search_index.c - the knowledge base's words in memory, for searches that InnoDB's
 * FULLTEXT answers in hundreds of milliseconds once a word is in a good part of the
 * articles (it ranks every match). Here a search walks the postings of its words once:
 * about a millisecond for a word in 40 % of 100,000 articles.
 *
 * One thread owns the writing: it rebuilds the index from kb_articles at start and
 * whenever the kb epoch moves (an article saved on any node, or the bench loader), by
 * comparing (id, revision) pairs and re-reading only what changed. Searches read under
 * a read lock and are answered only while the index was synced under the current
 * epoch: a node that just saved an article searches the database until its index has
 * caught up, so nobody misses their own change. What a search finds is then read from
 * the database with the visibility rule again: a stale index can only miss or
 * mis-rank, never show what the caller may not see. */
#include "search_index.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "epoch.h"
#include "log.h"

#define FETCH_BATCH      500
#define RECHECK_MS       60000 /* compare with the database this often even when quiet */
#define TITLE_WEIGHT     3     /* as MATCH(title) * 3 + MATCH(title, body, tags) did */
#define NO_DOC           UINT32_MAX

/* Files are attached without a new revision: has_files counts as a change too. */
static const char sql_versions[] = "SELECT id, revision, has_files FROM kb_articles ORDER BY id";
/* The columns of kb.c's article view (KB_ROW_COLS of them, the author's name left out:
 * it comes from sql_names when shown), then whether the cabinet may see it. */
static const char sql_texts[] =
    "SELECT a.id, a.space_id, s.name, a.parent_id, a.position, a.title, a.body_md, a.body_html,"
    " a.tags, a.visibility, a.status, a.revision, a.created_at, a.updated_at, a.author_id, NULL,"
    " a.has_files, a.visibility = 'public' AND a.status = 'published'"
    " FROM kb_articles a JOIN kb_spaces s ON s.id = a.space_id"
    " WHERE a.id IN (SELECT id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) t)";
static const char sql_names[] = "SELECT id, name FROM users ORDER BY id";
#define COL_TITLE  5
#define COL_BODY   6
#define COL_TAGS   8
#define COL_REV    11
#define COL_AUTHOR 14
#define COL_FILES  16
#define COL_OPEN   KB_ROW_COLS

/* ---------------------------------------------------------------------------------------
 * Words
 * ------------------------------------------------------------------------------------- */

void kb_lower_utf8(char *s)
{
    unsigned char *p = (unsigned char *)s;
    for (; *p; p++) {
        if (*p >= 'A' && *p <= 'Z') {
            *p = (unsigned char)(*p + 32);
        } else if (*p == 0xd0 && p[1]) {
            if (p[1] >= 0x90 && p[1] <= 0x9f) { /* А..П -> а..п */
                p[1] = (unsigned char)(p[1] + 0x20);
            } else if (p[1] >= 0xa0 && p[1] <= 0xaf) { /* Р..Я -> р..я */
                p[0] = 0xd1;
                p[1] = (unsigned char)(p[1] - 0x20);
            } else if (p[1] == 0x81) { /* Ё -> ё */
                p[0] = 0xd1;
                p[1] = 0x91;
            }
            p++;
        }
    }
}

static bool word_byte(unsigned char c)
{
    return c >= 0x80 || isalnum(c);
}

int kb_words_each(const char *text, void (*fn)(const char *word, size_t len, void *arg), void *arg)
{
    int n = 0;
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        while (*p && !word_byte(*p))
            p++;
        const unsigned char *start = p;
        size_t chars = 0;
        while (*p && word_byte(*p))
            chars += (*p++ & 0xc0) != 0x80;
        if (chars >= KB_WORD_MIN_CHARS) {
            fn((const char *)start, (size_t)(p - start), arg);
            n++;
        }
    }
    return n;
}

/* ---------------------------------------------------------------------------------------
 * The index
 * ------------------------------------------------------------------------------------- */

struct posting {
    uint32_t doc;
    uint16_t title_tf, all_tf; /* in the title; in title, body and tags */
};

struct term {
    char *text;
    uint32_t len, n, cap;
    struct posting *p;
};

struct doc {
    long long id;
    long long revision;
    bool alive; /* false once a newer revision (or a deletion) replaced it */
    bool has_files;
    bool open;  /* public and published: the cabinet may find it */
    char *row;  /* the view's columns, NUL-terminated one after another (NULL: SQL NULL
                 * marked by a 0 in null_mask) */
    uint32_t null_mask;
};

struct index {
    struct doc *docs;
    uint32_t ndocs, docs_cap, alive, dead;
    long long *map_id; /* open addressing: article id -> its live doc */
    uint32_t *map_doc;
    uint32_t map_cap, map_n;
    struct term *terms;
    uint32_t nterms, terms_cap;
    uint32_t *term_slot; /* open addressing: term number + 1, 0 = empty */
    uint32_t term_slot_cap;
    uint32_t *sorted; /* term numbers in byte order of their text, for prefixes */
    uint32_t nsorted;
};

static void index_free(struct index *ix)
{
    if (!ix)
        return;
    for (uint32_t i = 0; i < ix->nterms; i++) {
        free(ix->terms[i].text);
        free(ix->terms[i].p);
    }
    free(ix->terms);
    free(ix->term_slot);
    free(ix->sorted);
    for (uint32_t d = 0; d < ix->ndocs; d++)
        free(ix->docs[d].row);
    free(ix->docs);
    free(ix->map_id);
    free(ix->map_doc);
    free(ix);
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h ^ (h >> 31);
}

static uint64_t hash_id(long long id)
{
    uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 29);
}

static int grow(void **p, uint32_t *cap, size_t elem, uint32_t need)
{
    if (need <= *cap)
        return 0;
    uint32_t ncap = *cap ? *cap : 16;
    while (ncap < need)
        ncap = ncap + ncap / 2 + 16;
    void *n = realloc(*p, (size_t)ncap * elem);
    if (!n)
        return -1;
    *p = n;
    *cap = ncap;
    return 0;
}

static uint32_t map_find(const struct index *ix, long long id)
{
    if (!ix->map_cap)
        return NO_DOC;
    for (uint32_t i = (uint32_t)hash_id(id) & (ix->map_cap - 1);; i = (i + 1) & (ix->map_cap - 1)) {
        if (ix->map_id[i] == 0)
            return NO_DOC;
        if (ix->map_id[i] == id)
            return ix->map_doc[i];
    }
}

static int map_set(struct index *ix, long long id, uint32_t doc)
{
    if ((ix->map_n + 1) * 2 > ix->map_cap) {
        uint32_t ncap = ix->map_cap ? ix->map_cap * 2 : 1024;
        long long *nid = calloc(ncap, sizeof *nid);
        uint32_t *ndoc = calloc(ncap, sizeof *ndoc);
        if (!nid || !ndoc) {
            free(nid);
            free(ndoc);
            return -1;
        }
        for (uint32_t i = 0; i < ix->map_cap; i++)
            if (ix->map_id[i]) {
                uint32_t k = (uint32_t)hash_id(ix->map_id[i]) & (ncap - 1);
                while (nid[k])
                    k = (k + 1) & (ncap - 1);
                nid[k] = ix->map_id[i];
                ndoc[k] = ix->map_doc[i];
            }
        free(ix->map_id);
        free(ix->map_doc);
        ix->map_id = nid;
        ix->map_doc = ndoc;
        ix->map_cap = ncap;
    }
    uint32_t k = (uint32_t)hash_id(id) & (ix->map_cap - 1);
    while (ix->map_id[k] && ix->map_id[k] != id)
        k = (k + 1) & (ix->map_cap - 1);
    if (!ix->map_id[k])
        ix->map_n++;
    ix->map_id[k] = id;
    ix->map_doc[k] = doc;
    return 0;
}

/* The number of the term text[0..len) (lower-cased already), created when new; NO_DOC
 * when out of memory. */
static uint32_t term_get(struct index *ix, const char *text, uint32_t len)
{
    if ((ix->nterms + 1) * 2 > ix->term_slot_cap) {
        uint32_t ncap = ix->term_slot_cap ? ix->term_slot_cap * 2 : 4096;
        uint32_t *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return NO_DOC;
        for (uint32_t t = 0; t < ix->nterms; t++) {
            uint32_t k = (uint32_t)hash_bytes(ix->terms[t].text, ix->terms[t].len) & (ncap - 1);
            while (ns[k])
                k = (k + 1) & (ncap - 1);
            ns[k] = t + 1;
        }
        free(ix->term_slot);
        ix->term_slot = ns;
        ix->term_slot_cap = ncap;
    }
    uint32_t k = (uint32_t)hash_bytes(text, len) & (ix->term_slot_cap - 1);
    for (; ix->term_slot[k]; k = (k + 1) & (ix->term_slot_cap - 1)) {
        struct term *t = &ix->terms[ix->term_slot[k] - 1];
        if (t->len == len && memcmp(t->text, text, len) == 0)
            return ix->term_slot[k] - 1;
    }
    if (grow((void **)&ix->terms, &ix->terms_cap, sizeof *ix->terms, ix->nterms + 1) < 0)
        return NO_DOC;
    struct term *t = &ix->terms[ix->nterms];
    memset(t, 0, sizeof *t);
    if (!(t->text = malloc(len + 1)))
        return NO_DOC;
    memcpy(t->text, text, len);
    t->text[len] = '\0';
    t->len = len;
    ix->term_slot[k] = ++ix->nterms;
    return ix->nterms - 1;
}

/* Words of one article while it is being added: term numbers, title ones first. */
struct doc_words {
    struct index *ix;
    uint32_t *terms;
    uint32_t n, cap;
    bool failed;
};

static void collect(const char *word, size_t len, void *arg)
{
    struct doc_words *w = arg;
    char buf[KB_WORD_MAX_BYTES + 1];
    if (len > KB_WORD_MAX_BYTES || w->failed)
        return; /* InnoDB leaves such tokens out too */
    memcpy(buf, word, len);
    buf[len] = '\0';
    kb_lower_utf8(buf);
    uint32_t t = term_get(w->ix, buf, (uint32_t)len);
    if (t == NO_DOC || grow((void **)&w->terms, &w->cap, sizeof *w->terms, w->n + 1) < 0) {
        w->failed = true;
        return;
    }
    w->terms[w->n++] = t;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void kill_doc(struct index *ix, uint32_t d)
{
    if (d == NO_DOC || !ix->docs[d].alive)
        return;
    ix->docs[d].alive = false;
    free(ix->docs[d].row);
    ix->docs[d].row = NULL;
    ix->alive--;
    ix->dead++;
}

/* The view columns of row i of res in one block; *nulls gets a bit per non-NULL cell. */
static char *pack_row(const struct db_res *res, int i, uint32_t *nulls)
{
    size_t size = 0;
    *nulls = 0;
    for (int c = 0; c < KB_ROW_COLS; c++)
        size += (res->rows[i][c] ? res->lens[i][c] : 0) + 1;
    char *row = malloc(size), *o = row;
    for (int c = 0; row && c < KB_ROW_COLS; c++) {
        if (res->rows[i][c]) {
            memcpy(o, res->rows[i][c], res->lens[i][c]);
            o += res->lens[i][c];
            *nulls |= 1u << c;
        }
        *o++ = '\0';
    }
    return row;
}

/* Indexes row i of res (sql_texts), replacing what the index had of that article. 0 or -1. */
static int add_article(struct index *ix, const struct db_res *res, int row_no)
{
    long long id = db_ll(res, row_no, 0), rev = db_ll(res, row_no, COL_REV);
    bool open = db_ll(res, row_no, COL_OPEN) != 0;
    const char *title = db_str(res, row_no, COL_TITLE), *body = db_str(res, row_no, COL_BODY),
               *tags = db_str(res, row_no, COL_TAGS);
    kill_doc(ix, map_find(ix, id));
    if (grow((void **)&ix->docs, &ix->docs_cap, sizeof *ix->docs, ix->ndocs + 1) < 0)
        return -1;
    uint32_t d = ix->ndocs;
    struct doc_words w = {.ix = ix};
    kb_words_each(title, collect, &w);
    uint32_t title_words = w.n;
    kb_words_each(body, collect, &w);
    kb_words_each(tags, collect, &w);
    uint32_t nulls;
    char *row = w.failed ? NULL : pack_row(res, row_no, &nulls);
    if (!row || map_set(ix, id, d) < 0) {
        free(row);
        free(w.terms);
        return -1;
    }
    ix->docs[d] = (struct doc){
        .id = id, .revision = rev, .alive = true, .open = open, .row = row, .null_mask = nulls,
        .has_files = db_ll(res, row_no, COL_FILES) != 0};
    ix->ndocs++;
    ix->alive++;
    /* Title counts first, then everything sorted: equal terms become runs. */
    uint32_t *title_sorted = malloc(((size_t)title_words + 1) * sizeof *title_sorted);
    if (!title_sorted) {
        free(w.terms);
        return -1;
    }
    if (title_words) { /* w.terms may be NULL when there are no words at all */
        memcpy(title_sorted, w.terms, (size_t)title_words * sizeof *title_sorted);
        qsort(title_sorted, title_words, sizeof *title_sorted, cmp_u32);
    }
    if (w.n)
        qsort(w.terms, w.n, sizeof *w.terms, cmp_u32);
    int rc = 0;
    uint32_t ti = 0;
    for (uint32_t i = 0; i < w.n;) {
        uint32_t t = w.terms[i], j = i;
        while (j < w.n && w.terms[j] == t)
            j++;
        uint32_t in_title = 0;
        while (ti < title_words && title_sorted[ti] < t)
            ti++;
        while (ti < title_words && title_sorted[ti] == t)
            ti++, in_title++;
        struct term *tm = &ix->terms[t];
        if (grow((void **)&tm->p, &tm->cap, sizeof *tm->p, tm->n + 1) < 0) {
            rc = -1;
            break;
        }
        uint32_t all = j - i;
        tm->p[tm->n++] = (struct posting){d, (uint16_t)(in_title > 65535 ? 65535 : in_title),
                                          (uint16_t)(all > 65535 ? 65535 : all)};
        i = j;
    }
    free(title_sorted);
    free(w.terms);
    return rc;
}

static void remove_article(struct index *ix, long long id)
{
    kill_doc(ix, map_find(ix, id));
}

static struct index *sort_ix; /* qsort has no context argument; the builder thread only */

static int cmp_term_text(const void *a, const void *b)
{
    const struct term *x = &sort_ix->terms[*(const uint32_t *)a];
    const struct term *y = &sort_ix->terms[*(const uint32_t *)b];
    return strcmp(x->text, y->text);
}

/* Makes ix->sorted cover every term. 0 or -1. */
static int sort_terms(struct index *ix)
{
    if (ix->nsorted == ix->nterms)
        return 0;
    uint32_t *s = malloc(((size_t)ix->nterms + 1) * sizeof *s);
    if (!s)
        return -1;
    for (uint32_t i = 0; i < ix->nterms; i++)
        s[i] = i;
    sort_ix = ix;
    qsort(s, ix->nterms, sizeof *s, cmp_term_text);
    free(ix->sorted);
    ix->sorted = s;
    ix->nsorted = ix->nterms;
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * The live index and its thread
 * ------------------------------------------------------------------------------------- */

static pthread_rwlock_t live_lock = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP; /* a sync goes before new readers */
static struct index *live;  /* under live_lock; replaced or changed by the thread only */
static uint64_t live_gen;   /* the kb epoch live was synced under; 0 = not usable */

/* Authors' names for the article rows, under live_lock too. */
static long long *name_ids;
static char **names;
static int nnames;
static uint64_t names_gen; /* the auth epoch they were read under */

static pthread_t thread;
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t run_wake = PTHREAD_COND_INITIALIZER;
static bool running;

/* Reads the texts of ids[0..n) and adds them to ix (the live index: under the write
 * lock for each batch). 0 or -1. */
static int fetch_and_add(struct index *ix, const long long *ids, size_t n, bool is_live)
{
    for (size_t at = 0; at < n; at += FETCH_BATCH) {
        size_t k = n - at < FETCH_BATCH ? n - at : FETCH_BATCH;
        struct arena a;
        arena_init(&a);
        char *json = arena_alloc(&a, k * 21 + 3), *o = json;
        *o++ = '[';
        for (size_t i = 0; i < k; i++)
            o += sprintf(o, "%s%lld", i ? "," : "", ids[at + i]);
        strcpy(o, "]");
        struct db_res *res = db_query(&a, sql_texts, "s", json);
        if (!res) {
            arena_cleanup(&a);
            return -1;
        }
        if (is_live)
            pthread_rwlock_wrlock(&live_lock);
        int rc = 0;
        for (int i = 0; i < res->nrows && rc == 0; i++)
            rc = add_article(ix, res, i);
        if (is_live)
            pthread_rwlock_unlock(&live_lock);
        arena_cleanup(&a);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* Brings the index in line with kb_articles as read after the epoch was gen. */
static int sync_index(uint64_t gen)
{
    struct arena a;
    arena_init(&a);
    int rc = -1;
    struct db_res *v = db_query(&a, sql_versions, "");
    long long *todo = v ? malloc(((size_t)v->nrows + 1) * sizeof *todo) : NULL;
    if (!todo)
        goto out;
    bool full = !live || live->dead > live->alive / 4 + 64;
    size_t n = 0, present = 0;
    for (int i = 0; i < v->nrows; i++) {
        long long id = db_ll(v, i, 0);
        uint32_t d = full ? NO_DOC : map_find(live, id);
        present += d != NO_DOC && live->docs[d].alive;
        if (d == NO_DOC || !live->docs[d].alive || live->docs[d].revision != db_ll(v, i, 1) ||
            live->docs[d].has_files != (db_ll(v, i, 2) != 0))
            todo[n++] = id;
    }
    if (full) {
        struct index *fresh = calloc(1, sizeof *fresh);
        if (!fresh || fetch_and_add(fresh, todo, n, false) < 0 || sort_terms(fresh) < 0) {
            index_free(fresh);
            goto out;
        }
        pthread_rwlock_wrlock(&live_lock);
        struct index *old = live;
        live = fresh;
        live_gen = gen;
        pthread_rwlock_unlock(&live_lock);
        index_free(old);
        log_info("kb search index: %u articles, %u words", fresh->alive, fresh->nterms);
    } else {
        /* Articles gone from the table (none are deleted today; a restore from backup
         * may do it) leave the index too. */
        if (live->alive > present) {
            pthread_rwlock_wrlock(&live_lock);
            for (uint32_t d = 0; d < live->ndocs; d++) {
                bool found = false;
                for (int lo = 0, hi = v->nrows - 1; lo <= hi && !found;) {
                    int mid = (lo + hi) / 2;
                    long long id = db_ll(v, mid, 0);
                    if (id == live->docs[d].id)
                        found = true;
                    else if (id < live->docs[d].id)
                        lo = mid + 1;
                    else
                        hi = mid - 1;
                }
                if (live->docs[d].alive && !found)
                    remove_article(live, live->docs[d].id);
            }
            pthread_rwlock_unlock(&live_lock);
        }
        if (fetch_and_add(live, todo, n, true) < 0)
            goto out;
        pthread_rwlock_wrlock(&live_lock);
        rc = sort_terms(live);
        if (rc == 0)
            live_gen = gen;
        pthread_rwlock_unlock(&live_lock);
        if (rc < 0)
            goto out;
        if (n > 1000) /* a load behind the portal's back, not an editor's save */
            log_info("kb search index: %zu articles re-read, %u articles, %u words", n,
                     live->alive, live->nterms);
    }
    rc = 0;
out:
    if (rc < 0) {
        pthread_rwlock_wrlock(&live_lock);
        live_gen = 0; /* half applied: the database answers until the next sync */
        pthread_rwlock_unlock(&live_lock);
        log_warn("kb search index: sync failed (%s); searching the database meanwhile",
                 db_error());
    }
    free(todo);
    arena_cleanup(&a);
    return rc;
}

static void free_names(long long *ids, char **n, int count)
{
    for (int i = 0; i < count; i++)
        free(n[i]);
    free(n);
    free(ids);
}

/* Re-reads the users' names (any user change moves the auth epoch). 0 or -1. */
static int sync_names(uint64_t gen)
{
    struct arena a;
    arena_init(&a);
    struct db_res *res = db_query(&a, sql_names, "");
    int n = res ? res->nrows : 0;
    long long *ids = res ? malloc(((size_t)n + 1) * sizeof *ids) : NULL;
    char **fresh = ids ? calloc((size_t)n + 1, sizeof *fresh) : NULL;
    bool ok = fresh != NULL;
    for (int i = 0; ok && i < n; i++) {
        ids[i] = db_ll(res, i, 0);
        ok = (fresh[i] = strdup(db_str(res, i, 1) ? db_str(res, i, 1) : "")) != NULL;
    }
    arena_cleanup(&a);
    if (!ok) {
        free_names(ids, fresh, n);
        return -1;
    }
    pthread_rwlock_wrlock(&live_lock);
    long long *old_ids = name_ids;
    char **old = names;
    int old_n = nnames;
    name_ids = ids;
    names = fresh;
    nnames = n;
    names_gen = gen;
    pthread_rwlock_unlock(&live_lock);
    free_names(old_ids, old, old_n);
    return 0;
}

int kb_index_article(struct arena *a, long long id, struct db_res **out)
{
    uint64_t kg = epoch_now(EPOCH_KB), ag = epoch_now(EPOCH_AUTH);
    int rc = -1;
    pthread_rwlock_rdlock(&live_lock);
    if (!kg || !ag || !live || live_gen != kg || names_gen != ag)
        goto out;
    uint32_t d = map_find(live, id);
    if (d == NO_DOC || !live->docs[d].alive) {
        rc = 0;
        goto out;
    }
    const struct doc *doc = &live->docs[d];
    struct db_res *res = arena_alloc(a, sizeof *res);
    char **cells = arena_alloc(a, KB_ROW_COLS * sizeof *cells);
    unsigned long *lens = arena_alloc(a, KB_ROW_COLS * sizeof *lens);
    if (!res || !cells || !lens)
        goto out;
    const char *p = doc->row;
    for (int c = 0; c < KB_ROW_COLS; c++) {
        size_t l = strlen(p);
        cells[c] = doc->null_mask & (1u << c) ? arena_strndup(a, p, l) : NULL;
        lens[c] = l;
        p += l + 1;
    }
    long long author = cells[COL_AUTHOR] ? strtoll(cells[COL_AUTHOR], NULL, 10) : 0;
    int lo = 0, hi = nnames - 1, at = -1;
    while (lo <= hi && at < 0) {
        int mid = (lo + hi) / 2;
        if (name_ids[mid] == author)
            at = mid;
        else if (name_ids[mid] < author)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    if (at < 0) /* an author we do not know yet: the database knows */
        goto out;
    cells[COL_AUTHOR + 1] = arena_strdup(a, names[at]);
    lens[COL_AUTHOR + 1] = strlen(names[at]);
    *res = (struct db_res){.ncols = KB_ROW_COLS, .nrows = 1};
    res->rows = arena_alloc(a, sizeof *res->rows);
    res->lens = arena_alloc(a, sizeof *res->lens);
    if (!res->rows || !res->lens)
        goto out;
    res->rows[0] = cells;
    res->lens[0] = lens;
    *out = res;
    rc = 1;
out:
    pthread_rwlock_unlock(&live_lock);
    return rc;
}

static void *index_loop(void *arg)
{
    (void)arg;
    uint64_t synced = 0, checked_ms = 0, names_synced = 0;
    pthread_mutex_lock(&run_lock);
    while (running) {
        pthread_mutex_unlock(&run_lock);
        uint64_t auth = epoch_now(EPOCH_AUTH);
        if (auth && auth != names_synced && sync_names(auth) == 0)
            names_synced = auth;
        uint64_t gen = epoch_now(EPOCH_KB), now = epoch_clock_ms();
        if (gen && (gen != synced || now - checked_ms > RECHECK_MS)) {
            if (sync_index(gen) == 0)
                synced = gen;
            checked_ms = now;
        }
        pthread_mutex_lock(&run_lock);
        if (!running)
            break;
        epoch_wait(&run_wake, &run_lock, 20); /* a fraction of the epoch poll */
    }
    pthread_mutex_unlock(&run_lock);
    db_thread_end();
    return NULL;
}

int kb_index_start(void)
{
    pthread_mutex_lock(&run_lock);
    running = true;
    pthread_mutex_unlock(&run_lock);
    if (pthread_create(&thread, NULL, index_loop, NULL) != 0) {
        running = false;
        log_error("cannot start the kb search index thread");
        return -1;
    }
    return 0;
}

void kb_index_stop(void)
{
    pthread_mutex_lock(&run_lock);
    bool was = running;
    running = false;
    pthread_cond_signal(&run_wake);
    pthread_mutex_unlock(&run_lock);
    if (was)
        pthread_join(thread, NULL);
    pthread_rwlock_wrlock(&live_lock);
    index_free(live);
    live = NULL;
    live_gen = 0;
    free_names(name_ids, names, nnames);
    name_ids = NULL;
    names = NULL;
    nnames = 0;
    names_gen = 0;
    pthread_rwlock_unlock(&live_lock);
}

/* ---------------------------------------------------------------------------------------
 * Search
 * ------------------------------------------------------------------------------------- */

/* Per worker thread: a mark and a score per document, reset after each search. */
static _Thread_local uint8_t *marks;
static _Thread_local float *doc_scores;
static _Thread_local uint32_t *touched;
static _Thread_local uint32_t marks_cap, touched_cap;

/* The buffers above are freed when their worker thread ends (a key's destructor runs
 * while the thread's own variables still exist). */
static pthread_key_t buffers_key;
static pthread_once_t buffers_once = PTHREAD_ONCE_INIT;

static void free_buffers(void *unused)
{
    (void)unused;
    free(marks);
    free(doc_scores);
    free(touched);
    marks = NULL;
    doc_scores = NULL;
    touched = NULL;
    marks_cap = touched_cap = 0;
}

static void make_buffers_key(void)
{
    pthread_key_create(&buffers_key, free_buffers);
}

/* The terms starting with prefix: [*lo, *hi) in ix->sorted. */
static void prefix_range(const struct index *ix, const char *prefix, uint32_t *lo, uint32_t *hi)
{
    size_t pl = strlen(prefix);
    uint32_t l = 0, h = ix->nsorted;
    while (l < h) {
        uint32_t m = l + (h - l) / 2;
        if (strcmp(ix->terms[ix->sorted[m]].text, prefix) < 0)
            l = m + 1;
        else
            h = m;
    }
    *lo = l;
    while (l < ix->nsorted && strncmp(ix->terms[ix->sorted[l]].text, prefix, pl) == 0)
        l++;
    *hi = l;
}

int kb_index_search(char *const *words, int nwords, bool public_only, int max, long long *ids,
                    double *scores)
{
    if (nwords < 1 || nwords > 16 || max < 1)
        return nwords < 1 ? 0 : -1;
    uint64_t gen = epoch_now(EPOCH_KB);
    pthread_rwlock_rdlock(&live_lock);
    struct index *ix = live;
    if (!gen || !ix || live_gen != gen || ix->nsorted != ix->nterms) {
        pthread_rwlock_unlock(&live_lock);
        return -1;
    }
    if (marks_cap < ix->ndocs) {
        pthread_once(&buffers_once, make_buffers_key);
        pthread_setspecific(buffers_key, &buffers_key); /* non-NULL: the destructor runs */
        uint32_t cap = ix->ndocs + ix->ndocs / 4 + 1024;
        free(marks);
        free(doc_scores);
        marks = calloc(cap, 1);
        doc_scores = calloc(cap, sizeof *doc_scores);
        marks_cap = marks && doc_scores ? cap : 0;
        if (!marks_cap) {
            pthread_rwlock_unlock(&live_lock);
            return -1;
        }
    }
    /* Rarest word first: only its articles can match, later words only narrow them. */
    uint32_t lo[16], hi[16], total[16];
    int order[16];
    for (int w = 0; w < nwords; w++) {
        prefix_range(ix, words[w], &lo[w], &hi[w]);
        total[w] = 0;
        for (uint32_t k = lo[w]; k < hi[w]; k++)
            total[w] += ix->terms[ix->sorted[k]].n;
        order[w] = w;
    }
    for (int i = 1; i < nwords; i++)
        for (int j = i; j > 0 && total[order[j]] < total[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    int found = 0;
    uint32_t ntouched = 0;
    double alive = ix->alive ? ix->alive : 1;
    bool ok = true;
    for (int step = 0; step < nwords && ok; step++) {
        int w = order[step];
        for (uint32_t k = lo[w]; k < hi[w] && ok; k++) {
            const struct term *t = &ix->terms[ix->sorted[k]];
            double idf = log10(alive / (t->n ? t->n : 1));
            float weight = (float)((idf > 0 ? idf * idf : 0) + 1e-4);
            for (uint32_t i = 0; i < t->n; i++) {
                const struct posting *p = &t->p[i];
                uint8_t m = marks[p->doc];
                if (step == 0 && m == 0) {
                    if (ntouched == touched_cap &&
                        grow((void **)&touched, &touched_cap, sizeof *touched, ntouched + 1) < 0) {
                        ok = false;
                        break;
                    }
                    touched[ntouched++] = p->doc;
                } else if (m != step && m != step + 1) {
                    continue; /* missed an earlier word */
                }
                marks[p->doc] = (uint8_t)(step + 1);
                doc_scores[p->doc] += weight * (float)(TITLE_WEIGHT * p->title_tf + p->all_tf);
            }
        }
    }
    for (uint32_t i = 0; i < ntouched; i++) {
        uint32_t d = touched[i];
        const struct doc *doc = &ix->docs[d];
        if (ok && marks[d] == nwords && doc->alive && (!public_only || doc->open)) {
            double s = doc_scores[d];
            int at = found < max ? found : max;
            while (at > 0 && (scores[at - 1] < s || (scores[at - 1] == s && ids[at - 1] < doc->id)))
                at--;
            if (at < max) {
                int last = found < max ? found : max - 1;
                memmove(&ids[at + 1], &ids[at], (size_t)(last - at) * sizeof *ids);
                memmove(&scores[at + 1], &scores[at], (size_t)(last - at) * sizeof *scores);
                ids[at] = doc->id;
                scores[at] = s;
                if (found < max)
                    found++;
            }
        }
        marks[d] = 0;
        doc_scores[d] = 0;
    }
    pthread_rwlock_unlock(&live_lock);
    return ok ? found : -1;
}
