/* demo.h - demo data for a first run. */
#ifndef PORTAL_DEMO_H
#define PORTAL_DEMO_H

/* Seeds the demo data once: a marker in the meta table makes repeats no-ops. 0/-1. */
int demo_seed(void);

#endif
