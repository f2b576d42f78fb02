/* crm.h - CRM records: accounts (companies), contacts (people at an account) and the
 * account timeline every module writes to. */
#ifndef PORTAL_CRM_H
#define PORTAL_CRM_H

#include <stdbool.h>

#include "http.h"

/* The kind of account id ("customer", "partner", "prospect") copied into a, or NULL
 * when there is no such account (or the database failed: see db_errno()). */
const char *crm_account_kind(struct arena *a, long long id);
/* The account as {id, name, kind}, or NULL when missing (or on a database error:
 * see db_errno()). */
json_t *crm_account_json(struct arena *a, long long id);
/* Inserts an account; returns its id or -1. */
long long crm_account_insert(const char *name, const char *kind);
/* 1 when the account exists, 0 when not, -1 on a database error. */
int crm_account_exists(struct arena *a, long long id);
/* The employee who owns the account (its manager), 0 when none (or no such account), -1 on
 * a database error. */
long long crm_account_owner(struct arena *a, long long id);
/* A tax id as accounts take it: a Russian INN with valid check digits, or another
 * (VAT) number of 4 to 32 letters, digits, spaces, dots and dashes. */
bool crm_valid_tax_id(const char *s);

/* Adds a line to the account's timeline inside the caller's open transaction (it
 * refuses to run outside one). kind names what happened ("order.status",
 * "ticket.opened", "document.version", ...); ref_id the object (0: none); actor_id
 * the user who did it (0: the system); summary is plain text, cut to 500 characters.
 * Also writes the event "crm.timeline" {id, account_id, kind} for the employees (the
 * account page follows it). Returns the row id or -1. */
long long crm_timeline_add(long long account_id, long long actor_id, const char *kind,
                           long long ref_id, const char *summary);

/* Demo company data, contacts and owners for the demo accounts (seeding transaction). */
int crm_demo_seed(void);

int crm_accounts_list(struct req *r);    /* GET /api/v1/accounts */
int crm_accounts_create(struct req *r);  /* POST /api/v1/accounts */
int crm_account_get(struct req *r);      /* GET /api/v1/accounts/{id} */
int crm_account_update(struct req *r);   /* PATCH /api/v1/accounts/{id} (version) */
int crm_account_timeline(struct req *r); /* GET /api/v1/accounts/{id}/timeline */
int crm_contacts_list(struct req *r);    /* GET /api/v1/contacts */
int crm_contact_create(struct req *r);   /* POST /api/v1/contacts */
int crm_contact_get(struct req *r);      /* GET /api/v1/contacts/{id} */
int crm_contact_update(struct req *r);   /* PATCH /api/v1/contacts/{id} (version) */
int crm_contact_delete(struct req *r);   /* DELETE /api/v1/contacts/{id} */

#endif
