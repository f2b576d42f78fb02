/* write.c - the one write path: every change a request makes runs through http_write,
 * which owns the transaction, the retries, the audit entry and the answer to a database
 * error, so no handler writes that ending by hand (and none forgets part of it). */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "log.h"

struct attempt {
    struct req *r;
    http_write_fn fn;
    void *ctx;
    struct http_change change;
    int runs;
};

/* PORTAL_TEST_WRITE_FAULT="METHOD /pattern": the first attempt of each such write fails
 * as a deadlock would, after its work and before its commit (tests of the retry). */
static bool fault_due(struct attempt *a)
{
    const char *list = config.test_write_fault;
    if (!list || !*list || a->runs != 1 || !a->r->route)
        return false;
    const char *method = a->r->route->method, *pattern = a->r->route->pattern;
    size_t ml = strlen(method), pl = strlen(pattern);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        if (len == ml + 1 + pl && strncmp(p, method, ml) == 0 && p[ml] == ' ' &&
            strncmp(p + ml + 1, pattern, pl) == 0)
            return true;
        p += len;
        p += *p == ',';
    }
    return false;
}

static int run_once(void *arg)
{
    struct attempt *a = arg;
    json_decref(a->change.details); /* what a rolled-back attempt prepared */
    memset(&a->change, 0, sizeof a->change);
    a->runs++;
    int rc = a->fn(a->r, a->ctx, &a->change);
    if (rc != 0)
        return rc; /* > 0: a refusal fn sent; < 0: a database error */
    if (a->change.action) {
        json_t *details = a->change.details;
        a->change.details = NULL;
        if (audit_log(a->r, a->change.action, a->change.object_type, a->change.object_id,
                      details) < 0)
            return -1;
    }
    if (fault_due(a)) {
        db_fail(1213, "Deadlock found when trying to get lock (injected by PORTAL_TEST_WRITE_FAULT)");
        return -1;
    }
    return 0;
}

int http_write(struct req *r, http_write_fn fn, void *ctx)
{
    struct attempt a = {.r = r, .fn = fn, .ctx = ctx};
    int rc = db_tx(run_once, &a);
    json_decref(a.change.details);
    if (rc > 0)
        return r->status ? r->status : rc;
    if (rc < 0)
        return r->status ? r->status : http_db_error(r);
    if (a.runs > 1) /* worth knowing: many mean hot rows (or a Galera cluster under load) */
        log_info("%s %s committed on attempt %d", r->route ? r->route->method : "-",
                 r->route ? r->route->pattern : "-", a.runs);
    r->changed_type = a.change.object_type;
    r->changed_id = a.change.object_id;
    r->write_runs = a.runs;
    return 0;
}

int http_conflict(struct req *r, const char *code, const char *message, json_t *current)
{
    json_t *body = json_pack("{s:{s:s, s:s}, s:o*}", "error", "code", code, "message", message,
                             "current", current);
    r->error_code = code;
    return http_json(r, 409, body);
}
