/* crm.h - accounts (companies) and, later, contacts. */
#ifndef PORTAL_CRM_H
#define PORTAL_CRM_H

#include "http.h"

/* The kind of account id ("customer", "partner", "prospect") copied into a, or NULL
 * when there is no such account (or the database failed: see db_errno()). */
const char *crm_account_kind(struct arena *a, long long id);
/* The account as {id, name, kind}, or NULL when missing (or on a database error:
 * see db_errno()). */
json_t *crm_account_json(struct arena *a, long long id);
/* Inserts an account; returns its id or -1. */
long long crm_account_insert(const char *name, const char *kind);

int crm_accounts_list(struct req *r);   /* GET /api/v1/accounts */
int crm_accounts_create(struct req *r); /* POST /api/v1/accounts */

#endif
