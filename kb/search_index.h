/* search_index.h - the knowledge base's search index in memory: every article's words
 * (title, body, tags) with their counts, rebuilt from the database by one thread and
 * kept in step with it through the kb epoch (portal/epoch.h). A search is served from
 * it only while it reflects the current epoch; otherwise kb.c asks MariaDB's FULLTEXT
 * index as before. */
#ifndef PORTAL_KB_SEARCH_INDEX_H
#define PORTAL_KB_SEARCH_INDEX_H

#include <stdbool.h>
#include <stddef.h>

#define KB_WORD_MIN_CHARS 3  /* shorter words are neither indexed nor searched */
#define KB_WORD_MAX_BYTES 252 /* 84 characters of up to 3 bytes, as InnoDB's tokens */

int kb_index_start(void); /* the indexing thread; `portal serve` with caches on */
void kb_index_stop(void);

/* Searches for articles holding every word (lower-cased; each matches as a prefix, like
 * "+word*"), public and published ones only when public_only. Writes up to max ids and
 * scores, best first (ties: higher id first), and returns how many; -1 when the index
 * does not reflect the current kb epoch (then the caller asks the database). */
int kb_index_search(char *const *words, int nwords, bool public_only, int max, long long *ids,
                    double *scores);

/* The index also keeps each article as kb.c's view shows it (sql_get's columns), so a
 * view asks no database either: the row of article id copied into a. Returns 1 with
 * *out set, 0 when there is no such article, -1 when the copy does not reflect the
 * current kb and auth epochs (then the caller asks the database). Only for reads that
 * follow no write of the same request: a handler that just saved has not synced the
 * epoch yet. */
#define KB_ROW_COLS 17
struct arena;
struct db_res;
int kb_index_article(struct arena *a, long long id, struct db_res **out);

/* Lower-cases ASCII and Cyrillic in place; byte lengths do not change. */
void kb_lower_utf8(char *s);

/* Calls fn(word, len, arg) for each word of text: a run of letters and digits (any
 * byte >= 0x80 counts as a letter) of at least KB_WORD_MIN_CHARS characters, not
 * lower-cased. Returns the number of words. */
int kb_words_each(const char *text, void (*fn)(const char *word, size_t len, void *arg), void *arg);

#endif
