/* cabinet.h - the customer/partner realm's own API (everything under /api/v1/cabinet). */
#ifndef PORTAL_CABINET_H
#define PORTAL_CABINET_H

#include "http.h"

int cab_account(struct req *r); /* GET /api/v1/cabinet/account: the caller's company */

/* Documents (cabinet_documents.c): the caller's account's shared and inbox folders. */
int cab_documents_list(struct req *r);  /* GET /api/v1/cabinet/documents */
int cab_document_upload(struct req *r); /* POST /api/v1/cabinet/documents?name= (raw) */
int cab_document_get(struct req *r);    /* GET /api/v1/cabinet/documents/{id} */
int cab_document_download(
    struct req *r);                  /* GET .../documents/{id}/versions/{version_id}/download */
int cab_document_ack(struct req *r); /* POST /api/v1/cabinet/documents/{id}/ack */

#endif
