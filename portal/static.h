/* static.h - serves www/ (and allow-listed npm packages under /vendor/). */
#ifndef PORTAL_STATIC_H
#define PORTAL_STATIC_H

#include "http.h"

int static_init(void); /* resolves the roots once; 0 or -1 */
int static_serve(struct req *r);

#endif
