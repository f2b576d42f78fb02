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

/* Adds a line to the account's timeline inside the caller's open transaction (it
 * refuses to run outside one). kind names what happened ("order.status",
 * "ticket.opened", "document.version", ...); ref_id the object (0: none); actor_id
 * the user who did it (0: the system); summary is plain text, cut to 500 characters.
 * Returns the row id or -1. */
long long crm_timeline_add(long long account_id, long long actor_id, const char *kind,
                           long long ref_id, const char *summary);

int crm_accounts_list(struct req *r);   /* GET /api/v1/accounts */
int crm_accounts_create(struct req *r); /* POST /api/v1/accounts */

#endif
