/* jobs.h - registers the core's periodic jobs with the scheduler. */
#ifndef PORTAL_JOBS_H
#define PORTAL_JOBS_H

int jobs_register_core(void);

#endif
