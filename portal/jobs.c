/* jobs.c - the jobs of the core: stale uploads, old events, password-reset mail. */
#include "jobs.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "outbox.h"
#include "scheduler.h"
#include "users.h"

/* Uploads that died half-way leave upload-* files in files/tmp: remove those older
 * than an hour (a live upload touches its file continuously). */
static int clean_tmp_uploads(void)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/files/tmp", config.data_dir);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "upload-", 7) != 0)
            continue;
        char path[1400];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) == 0 && now - st.st_mtime > 3600)
            unlink(path);
    }
    closedir(d);
    return 0;
}

int jobs_register_core(void)
{
    return scheduler_register("files.tmp_cleanup", 600, clean_tmp_uploads) |
           scheduler_register("event.prune", 3600, outbox_prune) |
           /* kicked after every request; the period only sweeps up after a restart */
           scheduler_register(USERS_RESET_MAIL_JOB, 10, users_reset_mail_job);
}
