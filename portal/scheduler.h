/* scheduler.h - periodic jobs, run by one portal process at a time (a lease row each). */
#ifndef PORTAL_SCHEDULER_H
#define PORTAL_SCHEDULER_H

/* A job returns 0 or -1; it runs on the scheduler thread with its own db connection. */
typedef int (*scheduler_job)(void);

/* Registers a job to run every period_s seconds across all processes sharing the
 * database. Call before scheduler_start(). 0 or -1. */
int scheduler_register(const char *name, int period_s, scheduler_job fn);
int scheduler_start(void);
/* Runs the job named soon on the scheduler thread (without waiting for its period or
 * taking its lease): for jobs that claim their rows one at a time, like the mail queue.
 * Cheap; any thread may call it. Without a running scheduler the job waits for a tick. */
void scheduler_kick(const char *name);
void scheduler_stop(void);

/* One pass over the jobs: runs each one whose period has passed and whose lease this
 * process wins. Returns how many ran. (Exposed for tests.) */
int scheduler_tick(void);
/* Tries to take the lease of a job: 1 won, 0 someone else has it or it is not due,
 * -1 database error. */
int scheduler_try_lease(const char *name, int period_s, int lease_s);

#endif
