/* tickets.h - support tickets: the employee queue and the customer's cabinet view. */
#ifndef PORTAL_TICKETS_H
#define PORTAL_TICKETS_H

#include "http.h"

int tickets_init(void);      /* SLA settings and the file access rule; 0 or -1 */
int tickets_demo_seed(void); /* inside demo's transaction; 0 or -1 */

/* Employees: /api/v1/tickets... */
int tickets_list(struct req *r);
int tickets_people(struct req *r); /* agents, and the requesters of ?account_id= */
int tickets_create(struct req *r);
int tickets_get(struct req *r);
int tickets_update(struct req *r); /* PATCH: subject, priority */
int tickets_message(struct req *r);
int tickets_assign(struct req *r);
int tickets_status(struct req *r);

/* Customers and partners: /api/v1/cabinet/tickets..., always within their account. */
int cab_tickets_list(struct req *r);
int cab_tickets_create(struct req *r);
int cab_tickets_get(struct req *r);
int cab_tickets_message(struct req *r);
int cab_tickets_rate(struct req *r);

#endif
