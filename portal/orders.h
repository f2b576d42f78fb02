/* orders.h - orders of an account: line items, totals, the status workflow and the
 * cabinet's read-only view of them. */
#ifndef PORTAL_ORDERS_H
#define PORTAL_ORDERS_H

#include <stdbool.h>

#include "http.h"

/* May an order go from status `from` to `to`? new -> confirmed -> in_progress ->
 * shipped -> delivered -> closed, and to cancelled from new, confirmed or in_progress. */
bool orders_transition_ok(const char *from, const char *to);

/* Order counts for the CRM's account pages (orders owns the table). Open: not closed or
 * cancelled. orders_open_counts sets counts[i] to the open orders of account ids[i];
 * orders_account_counts gives one account's orders and open ones. 0/-1. */
int orders_open_counts(struct arena *a, const long long *ids, size_t n, long long *counts);
int orders_account_counts(struct arena *a, long long account_id, long long *all, long long *open);

/* Demo orders in every status for the demo accounts, inside the seeding transaction. */
int orders_demo_seed(void);

int orders_list(struct req *r);          /* GET /api/v1/orders */
int orders_create(struct req *r);        /* POST /api/v1/orders */
int orders_get(struct req *r);           /* GET /api/v1/orders/{id} */
int orders_update(struct req *r);        /* PATCH /api/v1/orders/{id} */
int orders_set_status(struct req *r);    /* POST /api/v1/orders/{id}/status */
int orders_cabinet_list(struct req *r);  /* GET /api/v1/cabinet/orders */
int orders_cabinet_get(struct req *r);   /* GET /api/v1/cabinet/orders/{id} */

#endif
