/* ticket.c - one-time tickets that open the realtime websocket. The browser cannot set
 * headers on a websocket and the gateway's port is another origin for cookies' sake, so
 * a logged-in page asks for a ticket over HTTP (CSRF-checked) and hands it over in the
 * URL. Only the ticket's SHA-256 is stored; redeeming it marks it used in one UPDATE, so
 * two nodes racing for one ticket cannot both win. */
#include "realtime.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "config.h"
#include "db.h"

#define TICKET_BYTES 32
#define TICKET_CHARS 43 /* base64url, no padding */

static const char sql_insert[] =
    "INSERT INTO realtime_tickets (token_hash, session_id, created_at, expires_at)"
    " VALUES (?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL ? SECOND)";
static const char sql_use[] =
    "UPDATE realtime_tickets SET used_at = UTC_TIMESTAMP(6)"
    " WHERE token_hash = ? AND used_at IS NULL AND expires_at > UTC_TIMESTAMP(6)";
static const char sql_session_of[] = "SELECT session_id FROM realtime_tickets WHERE token_hash = ?";

/* The websocket URL the browser should open: PORTAL_WS_PUBLIC_URL when set, else the
 * host the page was served from with the gateway's port (so localhost and 127.0.0.1
 * both work with their own Origin). In r's arena. */
static const char *socket_url(struct req *r)
{
    if (config.ws_public_url[0])
        return config.ws_public_url;
    const char *port = strrchr(config.ws_listen, ':');
    const char *host = http_header(r, "Host");
    size_t hl = 0;
    if (host && host[0] == '[')
        hl = strcspn(host, "]") + 1;
    else if (host)
        hl = strcspn(host, ":");
    if (!host || hl == 0 || hl > 255 || strspn(host, "abcdefghijklmnopqrstuvwxyz"
                                                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-[]:") <
                                             hl)
        return arena_printf(&r->arena, "ws://%s/realtime", config.ws_listen);
    return arena_printf(&r->arena, "ws://%.*s%s/realtime", (int)hl, host, port ? port : "");
}

int realtime_ticket_create(struct req *r)
{
    if (http_no_fields(r) < 0) /* takes no body */
        return r->status;
    unsigned char raw[TICKET_BYTES], hash[crypto_hash_sha256_BYTES];
    char ticket[TICKET_CHARS + 1];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(ticket, sizeof ticket, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    crypto_hash_sha256(hash, (const unsigned char *)ticket, strlen(ticket));
    if (db_exec(sql_insert, "bii", hash, sizeof hash, r->session->id,
                (long long)REALTIME_TICKET_SECONDS) < 0)
        return http_db_error(r);
    return http_json(r, 201,
                     json_pack("{s:s, s:s, s:i}", "ticket", ticket, "url", socket_url(r),
                               "expires_in", REALTIME_TICKET_SECONDS));
}

int realtime_ticket_redeem(const char *ticket, struct audience_ident *who, long long *lapse_ms)
{
    if (!ticket || strlen(ticket) != TICKET_CHARS)
        return 0;
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, (const unsigned char *)ticket, TICKET_CHARS);
    if (db_exec(sql_use, "b", hash, sizeof hash) < 0)
        return -1;
    if (db_affected() != 1)
        return 0;
    struct arena a;
    arena_init(&a);
    int rc = -1;
    long long idle = config.session_idle_s;
    /* the ticket's session, if it is still live (auth owns the sessions) */
    struct db_res *t = db_query(&a, sql_session_of, "b", hash, sizeof hash);
    struct db_res *res = t && t->nrows == 1 ? auth_session_live(&a, db_ll(t, 0, 0), idle) : t;
    if (!res)
        goto cleanup;
    rc = 0;
    if (res->nrows != 1)
        goto cleanup;
    memset(who, 0, sizeof *who);
    who->session_id = db_ll(res, 0, 0);
    who->user_id = db_ll(res, 0, 1);
    who->realm = (int)realm_from_name(db_str(res, 0, 2));
    who->role = db_str(res, 0, 3) ? (int)role_from_name(db_str(res, 0, 3)) : ROLE_NONE;
    who->account_id = db_str(res, 0, 4) ? db_ll(res, 0, 4) : 0;
    *lapse_ms = db_ll(res, 0, 5);
    rc = who->realm ? 1 : 0;
cleanup:
    arena_cleanup(&a);
    return rc;
}
