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

/* RFC 6266 Content-Disposition header line for name (ASCII fallback + filename*). */
void files_disposition(const char *name, char *out, size_t outsize);

/* Route handlers: POST /api/v1/files?name=, GET /api/v1/files/{id}. */
int files_upload(struct req *r);
int files_download(struct req *r);

#endif
