/* cabinet_documents.c - the cabinet's documents: the caller's account only (from the
 * session, never from the request), its shared and inbox folders. The documents module
 * owns the tables; these handlers pass it the session's account as the scope. */
#include "cabinet.h"

#include "auth.h"
#include "documents.h"

int cab_documents_list(struct req *r)
{
    return doc_cabinet_list(r, auth_account_id(r));
}

int cab_document_upload(struct req *r)
{
    return doc_cabinet_upload(r, auth_account_id(r));
}

int cab_document_get(struct req *r)
{
    return doc_cabinet_get(r, auth_account_id(r), http_param_id(r, "id"));
}

int cab_document_download(struct req *r)
{
    return doc_cabinet_download(r, auth_account_id(r), http_param_id(r, "id"),
                                http_param_id(r, "version_id"));
}

int cab_document_ack(struct req *r)
{
    if (http_no_fields(r) < 0) /* takes no body */
        return r->status;
    return doc_cabinet_ack(r, auth_account_id(r), http_param_id(r, "id"));
}
