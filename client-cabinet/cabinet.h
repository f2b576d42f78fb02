/* cabinet.h - the customer/partner realm's own API (everything under /api/v1/cabinet). */
#ifndef PORTAL_CABINET_H
#define PORTAL_CABINET_H

#include "http.h"

int cab_account(struct req *r); /* GET /api/v1/cabinet/account: the caller's company */

#endif
