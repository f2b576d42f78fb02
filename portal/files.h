/* files.h - content-addressed upload store; downloads follow the owner's access rule. */
#ifndef PORTAL_FILES_H
#define PORTAL_FILES_H

#include <stdbool.h>

#include "http.h"

/* May the caller read a file attached to the object (kind, id)? Each module that
 * owns objects with attachments registers one rule for its kind at start-up. */
typedef bool (*files_access_rule)(struct req *r, long long owner_id);
int files_register_owner(const char *kind, files_access_rule rule);

int files_init(void); /* creates the store folders under PORTAL_DATA_DIR/files */

/* Attaches an uploaded, still unattached file of uploader_id to (kind, owner_id),
 * inside the caller's transaction. 0, or -1 when the file is not the uploader's,
 * is attached already or does not exist. */
int files_attach(long long file_id, long long uploader_id, const char *kind, long long owner_id);

/* The files attached to any of the objects (kind, ids) where ids is a JSON array text:
 * rows of (owner_id, id, name, size, content_type), or NULL on a database error. */
struct db_res *files_for_owners(struct arena *a, const char *kind, const char *ids_json);
/* The same rows as a JSON array of {id, name, size, content_type} for one owner. */
json_t *files_json_for(const struct db_res *rows, long long owner_id);

/* Where a stored blob lives: PORTAL_DATA_DIR/files/ab/cd/<sha256>. */
int files_blob_path(const char *sha256_hex, char *out, size_t outsize);

/* Sanitises a display name: no path, no control characters, at most 255 bytes of
 * valid UTF-8. Returns 0, or -1 when nothing usable is left. */
int files_clean_name(const char *in, char *out, size_t outsize);

/* RFC 6266 Content-Disposition header line for name (ASCII fallback + filename*);
 * kind is "attachment" or "inline". */
void files_disposition(const char *kind, const char *name, char *out, size_t outsize);

/* A stored upload: the blob is in the store, no database row yet. */
struct files_blob {
    char sha256[65];
    long long size;
    unsigned char head[16]; /* the first bytes, for files_upload_type */
    size_t head_len;
};
/* Streams r's raw body into the store under its SHA-256 (temporary file, fsync,
 * rename: a cut-off upload leaves nothing). Refuses bodies over max_bytes (413) and,
 * with need_length, bodies without a Content-Length (411). Returns 0, or sends the
 * error and returns -1. */
int files_store_body(struct req *r, long long max_bytes, bool need_length, struct files_blob *out);
/* The same for bytes in memory (demo data). 0 or -1. */
int files_store_bytes(const void *data, size_t len, struct files_blob *out);
/* Inserts the files row for a stored blob, attached to (owner_kind, owner_id) when
 * owner_kind is not NULL, in the caller's transaction. The new id, or -1. */
long long files_insert(const struct files_blob *blob, const char *name, const char *content_type,
                       long long uploader_id, const char *owner_kind, long long owner_id);
/* A safe Content-Type from what the client declared (application/octet-stream else);
 * the result lives in thread-local storage until the next call. */
const char *files_clean_type(const char *content_type);
/* The type to store for an upload called name, declared as declared: one of the
 * served allow-list (PNG, JPEG, GIF, WebP, PDF, plain text) only when the name's
 * extension (or, without one, the declared type) names it and the first bytes agree;
 * an allow-listed type they contradict becomes application/octet-stream; any other
 * declared type is kept as a description. Static or thread-local storage. */
const char *files_upload_type(const char *name, const char *declared,
                              const struct files_blob *blob);

/* How every download is sent, whatever the route: the one place that decides. */
struct files_headers {
    const char *content_type; /* the allow-listed type, else application/octet-stream */
    const char *csp;          /* replaces the default Content-Security-Policy: "sandbox" */
    char lines[1200];         /* Content-Disposition (inline only for allow-listed
                               * images) and Cache-Control lines */
};
void files_download_headers(const char *name, const char *stored_type, struct files_headers *out);
/* Streams a stored blob with files_download_headers; after the access check.
 * Returns the status sent. */
int files_send(struct req *r, const char *sha256, const char *name, const char *stored_type,
               long long size);

/* Route handlers: POST /api/v1/files?name=, GET /api/v1/files/{id}. */
int files_upload(struct req *r);
int files_download(struct req *r);

#endif
