/* users.h - people who log in: employees, customer and partner contacts; their
 * invitations and password resets. */
#ifndef PORTAL_USERS_H
#define PORTAL_USERS_H

#include <jansson.h>

#include "arena.h"
#include "http.h"

struct db_res;

struct user_auth {
    long long id;
    const char *email, *name, *realm, *password_hash;
    int disabled;
};

/* 1 found (out filled from a's memory), 0 not found, -1 database error. */
int users_find_for_login(struct arena *a, const char *email, struct user_auth *out);
/* The user as the API shows it, or NULL (database error or no such user). */
json_t *users_json(struct arena *a, long long id);
/* The enabled customer and partner users of an account: columns id, email, name,
 * locale (in a), or NULL on a database error. */
struct db_res *users_of_account(struct arena *a, long long account_id);
int users_set_password(long long id, const char *hash);
/* Inserts a user; password_hash may be NULL. Returns the id, or -1 (db_errno() is
 * ER_DUP_ENTRY when the email is taken). */
long long users_insert(const char *email, const char *name, const char *realm, const char *role,
                       long long account_id, const char *password_hash);

/* The scheduler job that mails the password-reset links asked for (auth_mail_queue);
 * reset_request kicks it after each answer. 0 or -1. */
#define USERS_RESET_MAIL_JOB "auth.reset_mail"
int users_reset_mail_job(void);

/* `portal user add ...`: returns the process exit code. */
int users_cli_add(int argc, char **argv);

/* Route handlers. */
int users_list(struct req *r);
int users_create(struct req *r);
int users_update(struct req *r);
int invitations_list(struct req *r);
int invitations_create(struct req *r);
int invitations_revoke(struct req *r);
int invitations_inspect(struct req *r);
int invitations_accept(struct req *r);
int reset_request(struct req *r);
int reset_confirm(struct req *r);

#endif
