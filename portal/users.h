/* users.h - people who log in: employees, customer and partner contacts. */
#ifndef PORTAL_USERS_H
#define PORTAL_USERS_H

/* `portal user add ...`: returns the process exit code. */
int users_cli_add(int argc, char **argv);

#endif
