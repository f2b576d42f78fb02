/* documents.h - documents exchanged with customer and partner accounts: folders,
 * versions, acknowledgements, share links, upload-request links, the access log. */
#ifndef PORTAL_DOCUMENTS_H
#define PORTAL_DOCUMENTS_H

#include "http.h"

/* Employee routes (every account's documents). */
int doc_list(struct req *r);           /* GET /api/v1/documents */
int doc_create(struct req *r);         /* POST /api/v1/documents?account_id=&name= (raw) */
int doc_get(struct req *r);            /* GET /api/v1/documents/{id} */
int doc_update(struct req *r);         /* PATCH /api/v1/documents/{id} */
int doc_version_upload(struct req *r); /* POST /api/v1/documents/{id}/versions?name= (raw) */
int doc_version_download(
    struct req *r);                  /* GET /api/v1/documents/{id}/versions/{version_id}/download */
int doc_link_create(struct req *r);  /* POST /api/v1/documents/{id}/links */
int doc_link_revoke(struct req *r);  /* DELETE /api/v1/share-links/{id} */
int doc_folders_list(struct req *r); /* GET /api/v1/folders?account_id= */
int doc_folder_create(struct req *r);      /* POST /api/v1/folders */
int doc_upload_link_create(struct req *r); /* POST /api/v1/folders/{id}/upload-links */

/* Public links (no session): GET/POST /s/{token} serves a shared file or asks for its
 * password; GET /u/{token} is the upload page, POST /u/{token}?name= takes one file. */
int doc_share_get(struct req *r);
int doc_share_post(struct req *r);
int doc_upload_page(struct req *r);
int doc_upload_post(struct req *r);

/* The cabinet's view, limited to account_id (the caller's, from the session) and its
 * shared and inbox folders; client-cabinet/cabinet_documents.c calls these. */
int doc_cabinet_list(struct req *r, long long account_id);
int doc_cabinet_get(struct req *r, long long account_id, long long id);
int doc_cabinet_upload(struct req *r, long long account_id); /* a new document in the inbox */
int doc_cabinet_download(struct req *r, long long account_id, long long id, long long version_id);
int doc_cabinet_ack(struct req *r, long long account_id, long long id);

/* Demo: documents with versions for "Logistika Partner", one awaiting acknowledgement. */
int doc_demo_seed(void);

#endif
