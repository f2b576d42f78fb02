/* files.c - uploads stream to a temporary file while being hashed, then are renamed
 * to their SHA-256, so a half-written upload never becomes visible. */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "utf8.h"

#define MAX_OWNERS 16

static struct {
    const char *kind;
    files_access_rule rule;
} owners[MAX_OWNERS];
static int nowners;

static char store_dir[1024], tmp_dir[1100];

static const char sql_insert[] =
    "INSERT INTO files (sha256, size, name, content_type, uploader_id, owner_kind, owner_id,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))";
static const char sql_get[] =
    "SELECT id, sha256, size, name, content_type, uploader_id, owner_kind, owner_id"
    " FROM files WHERE id = ?";
static const char sql_attach[] = "UPDATE files SET owner_kind = ?, owner_id = ?"
                                 " WHERE id = ? AND uploader_id = ? AND owner_kind IS NULL";

static const char sql_for_owners[] =
    "SELECT owner_id, id, name, size, content_type FROM files WHERE owner_kind = ?"
    " AND owner_id IN (SELECT id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) t)"
    " ORDER BY id";

struct db_res *files_for_owners(struct arena *a, const char *kind, const char *ids_json)
{
    return db_query(a, sql_for_owners, "ss", kind, ids_json);
}

json_t *files_json_for(const struct db_res *rows, long long owner_id)
{
    json_t *arr = json_array();
    for (int i = 0; rows && i < rows->nrows; i++)
        if (db_ll(rows, i, 0) == owner_id)
            json_array_append_new(
                arr, json_pack("{s:I, s:s, s:I, s:s}", "id", (json_int_t)db_ll(rows, i, 1), "name",
                               db_str(rows, i, 2), "size", (json_int_t)db_ll(rows, i, 3),
                               "content_type", db_str(rows, i, 4)));
    return arr;
}

int files_register_owner(const char *kind, files_access_rule rule)
{
    if (nowners == MAX_OWNERS)
        return -1;
    owners[nowners].kind = kind;
    owners[nowners].rule = rule;
    nowners++;
    return 0;
}

static int mkdir_p(const char *path)
{
    char buf[1200];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0750) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0750) < 0 && errno != EEXIST ? -1 : 0;
}

int files_init(void)
{
    snprintf(store_dir, sizeof store_dir, "%s/files", config.data_dir);
    snprintf(tmp_dir, sizeof tmp_dir, "%s/tmp", store_dir);
    if (mkdir_p(tmp_dir) < 0) {
        log_error("cannot create %s: %s", tmp_dir, strerror(errno));
        return -1;
    }
    return 0;
}

int files_blob_path(const char *hex, char *out, size_t outsize)
{
    if (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64)
        return -1;
    int n = snprintf(out, outsize, "%s/%.2s/%.2s/%s", store_dir, hex, hex + 2, hex);
    return n < 0 || (size_t)n >= outsize ? -1 : 0;
}

/* Characters that change how a name looks without being visible: C1 controls, the
 * Arabic letter mark, zero-width and bidirectional controls (a right-to-left override
 * makes "gpj.exe" read as "exe.jpg"), the byte order mark. */
static bool invisible(const unsigned char *p, size_t l)
{
    if (l == 2)
        return (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) || (p[0] == 0xd8 && p[1] == 0x9c);
    if (l != 3)
        return false;
    if (p[0] == 0xe2 && p[1] == 0x80)
        return (p[2] >= 0x8b && p[2] <= 0x8f) || (p[2] >= 0xaa && p[2] <= 0xae);
    if (p[0] == 0xe2 && p[1] == 0x81)
        return p[2] >= 0xa6 && p[2] <= 0xa9;
    return p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf;
}

int files_clean_name(const char *in, char *out, size_t outsize)
{
    if (!in || outsize < 2)
        return -1;
    const char *base = in;
    for (const char *p = in; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    /* Copy whole valid sequences only; invalid bytes and control characters go. */
    size_t o = 0, limit = outsize - 1 < 255 ? outsize - 1 : 255;
    const unsigned char *p = (const unsigned char *)base;
    size_t left = strlen(base);
    while (left) {
        size_t l = utf8_seq(p, left);
        if (l == 0 || (l == 1 && (*p < 0x20 || *p == 0x7f || *p == '"'))) {
            p++, left--;
            continue;
        }
        if (invisible(p, l)) {
            p += l, left -= l;
            continue;
        }
        if (o + l > limit)
            break;
        memcpy(out + o, p, l);
        o += l, p += l, left -= l;
    }
    out[o] = '\0';
    while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '.'))
        out[--o] = '\0';
    if (o == 0 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
        return -1;
    return 0;
}

void files_disposition(const char *kind, const char *name, char *out, size_t outsize)
{
    char ascii[256], enc[800];
    size_t a = 0, e = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (a < sizeof ascii - 1)
            ascii[a++] =
                (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' && *p != '%') ? (char)*p : '_';
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || strchr("!#$&+-.^_`|~", *p);
        if (e + 4 >= sizeof enc)
            break;
        if (plain)
            enc[e++] = (char)*p;
        else
            e += (size_t)snprintf(enc + e, sizeof enc - e, "%%%02X", *p);
    }
    ascii[a] = '\0';
    enc[e] = '\0';
    snprintf(out, outsize, "Content-Disposition: %s; filename=\"%s\"; filename*=UTF-8''%s\r\n",
             kind, ascii, enc);
}

const char *files_clean_type(const char *ct)
{
    /* type/subtype from a conservative alphabet, parameters dropped. */
    static _Thread_local char buf[128];
    if (!ct)
        return "application/octet-stream";
    size_t n = strcspn(ct, ";");
    if (n == 0 || n >= sizeof buf)
        return "application/octet-stream";
    memcpy(buf, ct, n);
    buf[n] = '\0';
    while (n && buf[n - 1] == ' ')
        buf[--n] = '\0';
    if (strspn(buf, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-/") != n ||
        !strchr(buf, '/'))
        return "application/octet-stream";
    return buf;
}

/* ---------------------------------------------------------------------------------------
 * What a stored file is served as
 * ------------------------------------------------------------------------------------- */

/* The only types a download is ever labelled with; everything else goes out as
 * application/octet-stream. No SVG (it is a document that runs script), no HTML, no
 * JavaScript. The leading bytes say what a browser would decode: a file whose bytes do
 * not start with them is not stored under that type. */
static const struct served_type {
    const char *type;   /* as stored */
    const char *served; /* the Content-Type sent */
    const char *ext[3]; /* names that may carry it */
    const char *magic;  /* its first bytes (NULL: any) */
    size_t magic_len;
    const char *magic2; /* and these at magic2_at (WebP's "WEBP" after "RIFF" and a size) */
    size_t magic2_at;
    bool inline_ok; /* shown in the page (<img>), not only saved */
} served_types[] = {
    {"image/png", "image/png", {"png"}, "\x89PNG\r\n\x1a\n", 8, NULL, 0, true},
    {"image/jpeg", "image/jpeg", {"jpg", "jpeg"}, "\xff\xd8\xff", 3, NULL, 0, true},
    {"image/gif", "image/gif", {"gif"}, "GIF8", 4, NULL, 0, true},
    {"image/webp", "image/webp", {"webp"}, "RIFF", 4, "WEBP", 8, true},
    {"application/pdf", "application/pdf", {"pdf"}, "%PDF-", 5, NULL, 0, false},
    {"text/plain", "text/plain; charset=utf-8", {"txt"}, NULL, 0, NULL, 0, false},
};
#define NSERVED (sizeof served_types / sizeof served_types[0])

static const struct served_type *served_by_type(const char *type)
{
    for (size_t i = 0; type && i < NSERVED; i++)
        if (strcasecmp(served_types[i].type, type) == 0)
            return &served_types[i];
    return NULL;
}

/* The extension of name without its dot, or NULL when it has none (".profile" has none). */
static const char *extension(const char *name)
{
    const char *dot = name ? strrchr(name, '.') : NULL;
    return dot && dot != name && dot[1] ? dot + 1 : NULL;
}

static bool has_ext(const struct served_type *t, const char *ext)
{
    for (size_t i = 0; i < sizeof t->ext / sizeof t->ext[0] && t->ext[i]; i++)
        if (strcasecmp(t->ext[i], ext) == 0)
            return true;
    return false;
}

static const struct served_type *served_by_ext(const char *ext)
{
    for (size_t i = 0; ext && i < NSERVED; i++)
        if (has_ext(&served_types[i], ext))
            return &served_types[i];
    return NULL;
}

static bool magic_ok(const struct served_type *t, const struct files_blob *blob)
{
    if (t->magic && (blob->head_len < t->magic_len || memcmp(blob->head, t->magic, t->magic_len)))
        return false;
    size_t l2 = t->magic2 ? strlen(t->magic2) : 0;
    return !t->magic2 || (blob->head_len >= t->magic2_at + l2 &&
                          !memcmp(blob->head + t->magic2_at, t->magic2, l2));
}

/* The allow-listed type a file of this name and stored type goes out as, or NULL: the
 * name's extension, when it has one, must be one of the type's ("a.html" stored as
 * image/gif is not shown, nor saved by the browser under a name that would run). */
static const struct served_type *served_for(const char *name, const char *stored_type)
{
    const struct served_type *t = served_by_type(stored_type);
    const char *ext = extension(name);
    return t && (!ext || has_ext(t, ext)) ? t : NULL;
}

const char *files_upload_type(const char *name, const char *declared, const struct files_blob *blob)
{
    const char *clean = files_clean_type(declared);
    const struct served_type *by_decl = served_by_type(clean);
    const char *ext = extension(name);
    /* The name decides when it has an extension (curl and many browsers send
     * application/octet-stream for everything); the bytes must agree either way. */
    const struct served_type *t = ext ? served_by_ext(ext) : by_decl;
    if (t && magic_ok(t, blob))
        return t->type;
    /* An allow-listed type the name or the bytes contradict is not kept; any other
     * declared type is kept to describe the file: it is never what is served. */
    return by_decl ? "application/octet-stream" : clean;
}

void files_download_headers(const char *name, const char *stored_type, struct files_headers *out)
{
    const struct served_type *t = served_for(name, stored_type);
    out->content_type = t ? t->served : "application/octet-stream";
    /* A sandboxed document has a unique origin: even a file a browser did render as
     * a page could not reach the portal's cookies, storage or API. */
    out->csp = "sandbox";
    files_disposition(t && t->inline_ok ? "inline" : "attachment", name, out->lines,
                      sizeof out->lines - 64);
    strcat(out->lines, "Cache-Control: private, no-cache\r\n");
}

/* Keeps the first bytes of an upload for files_upload_type, across short reads. */
static void blob_head(struct files_blob *b, const char *data, size_t n)
{
    size_t take = sizeof b->head - b->head_len < n ? sizeof b->head - b->head_len : n;
    memcpy(b->head + b->head_len, data, take);
    b->head_len += take;
}

int files_store_body(struct req *r, long long max_bytes, bool need_length, struct files_blob *out)
{
    long long cl = r->ri->content_length;
    if (need_length && cl < 0)
        return http_error(r, 411, "length_required", "Send the file with a Content-Length", NULL),
               -1;
    if (cl > max_bytes)
        return http_error(r, 413, "payload_too_large", "The file is larger than the upload limit",
                          NULL),
               -1;

    char tmp_path[1200];
    snprintf(tmp_path, sizeof tmp_path, "%s/upload-XXXXXX", tmp_dir);
    int fd = mkstemp(tmp_path);
    if (fd < 0) {
        log_error("upload: mkstemp in %s: %s", tmp_dir, strerror(errno));
        return http_error(r, 503, "storage_unavailable", "The file store is not writable", NULL),
               -1;
    }
    /* http_read gives a client that asked to wait (curl does, for bodies over 1 MB) the
     * go-ahead only now that the request is accepted. */
    crypto_hash_sha256_state sha;
    crypto_hash_sha256_init(&sha);
    out->head_len = 0;
    long long total = 0;
    /* CivetWeb workers have small stacks: big buffers go in the arena. */
    enum { BUFSZ = 65536 };
    char *buf = arena_alloc(&r->arena, BUFSZ);
    int status = 0;
    for (;;) {
        int n = http_read(r, buf, BUFSZ);
        if (n < 0 || (n == 0 && !r->body_done && r->ri->content_length >= 0)) {
            status = r->error_code && strcmp(r->error_code, "request_timeout") == 0
                         ? http_error(r, 408, "request_timeout", "The upload came too slowly", NULL)
                         : http_error(r, 400, "bad_request", "The upload was interrupted", NULL);
            break;
        }
        if (n == 0)
            break;
        total += n;
        if (total > max_bytes) {
            status = http_error(r, 413, "payload_too_large",
                                "The file is larger than the upload limit", NULL);
            break;
        }
        crypto_hash_sha256_update(&sha, (unsigned char *)buf, (unsigned long long)n);
        blob_head(out, buf, (size_t)n);
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(fd, buf + off, (size_t)(n - off));
            if (w < 0) {
                log_error("upload: write: %s", strerror(errno));
                status = http_error(r, 507, "storage_full", "The file store is full", NULL);
                break;
            }
            off += w;
        }
        if (status)
            break;
    }
    if (!status && cl >= 0 && total != cl)
        status = http_error(r, 400, "bad_request", "The upload ended early", NULL);
    if (!status && fsync(fd) < 0)
        status = http_error(r, 507, "storage_full", "The file store is full", NULL);
    close(fd);
    if (status) {
        unlink(tmp_path);
        return -1;
    }

    unsigned char digest[crypto_hash_sha256_BYTES];
    char final_path[1200], dir[1200];
    crypto_hash_sha256_final(&sha, digest);
    sodium_bin2hex(out->sha256, sizeof out->sha256, digest, sizeof digest);
    out->size = total;
    files_blob_path(out->sha256, final_path, sizeof final_path);
    snprintf(dir, sizeof dir, "%s/%.2s/%.2s", store_dir, out->sha256, out->sha256 + 2);
    if (mkdir_p(dir) < 0 || rename(tmp_path, final_path) < 0) {
        log_error("upload: store %s: %s", final_path, strerror(errno));
        unlink(tmp_path);
        return http_error(r, 503, "storage_unavailable", "The file store is not writable", NULL),
               -1;
    }
    return 0;
}

int files_store_bytes(const void *data, size_t len, struct files_blob *out)
{
    char tmp_path[1200], final_path[1200], dir[1200];
    snprintf(tmp_path, sizeof tmp_path, "%s/seed-XXXXXX", tmp_dir);
    int fd = mkstemp(tmp_path);
    if (fd < 0)
        return -1;
    bool ok = write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
    close(fd);
    out->head_len = 0;
    blob_head(out, data, len);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, data, len);
    sodium_bin2hex(out->sha256, sizeof out->sha256, digest, sizeof digest);
    out->size = (long long)len;
    files_blob_path(out->sha256, final_path, sizeof final_path);
    snprintf(dir, sizeof dir, "%s/%.2s/%.2s", store_dir, out->sha256, out->sha256 + 2);
    if (!ok || mkdir_p(dir) < 0 || rename(tmp_path, final_path) < 0) {
        unlink(tmp_path);
        return -1;
    }
    return 0;
}

long long files_insert(const struct files_blob *blob, const char *name, const char *content_type,
                       long long uploader_id, const char *owner_kind, long long owner_id)
{
    if (db_exec(sql_insert, "sissIsI", blob->sha256, blob->size, name, content_type, uploader_id,
                owner_kind, owner_id) < 0)
        return -1;
    return db_insert_id();
}

struct file_new {
    const struct files_blob *blob;
    const char *name, *type;
    long long id; /* out */
};

static int upload_tx(struct req *r, void *arg, struct http_change *change)
{
    struct file_new *f = arg;
    if ((f->id = files_insert(f->blob, f->name, f->type, auth_user_id(r), NULL, 0)) < 0)
        return -1;
    *change = (struct http_change){"file.upload", "file", f->id, NULL};
    return 0;
}

int files_upload(struct req *r)
{
    char name[256];
    const char *qname = http_query(r, "name");
    if (!qname || files_clean_name(qname, name, sizeof name) < 0)
        return http_error(r, 400, "validation_failed", "Give the file a name: ?name=", "name");
    struct files_blob blob;
    if (files_store_body(r, (long long)config.max_upload, false, &blob) < 0)
        return r->status;
    struct file_new f = {&blob, name,
                         files_upload_type(name, http_header(r, "Content-Type"), &blob), 0};
    int rc = http_write(r, upload_tx, &f);
    if (rc)
        return rc; /* the blob stays: content-addressed, reused by a retry */
    return http_json(r, 201,
                     json_pack("{s:I, s:s, s:I, s:s, s:s}", "id", (json_int_t)f.id, "name", name,
                               "size", (json_int_t)blob.size, "sha256", blob.sha256, "content_type",
                               f.type));
}

int files_attach(long long file_id, long long uploader_id, const char *kind, long long owner_id)
{
    if (db_exec(sql_attach, "siii", kind, owner_id, file_id, uploader_id) < 0)
        return -1;
    return db_affected() == 1 ? 0 : -1;
}

static bool may_read(struct req *r, const char *kind, long long owner_id, long long uploader)
{
    if (!kind) /* not attached yet: the uploader's alone */
        return uploader && uploader == auth_user_id(r);
    for (int i = 0; i < nowners; i++)
        if (strcmp(owners[i].kind, kind) == 0)
            return owners[i].rule(r, owner_id);
    return false;
}

int files_send(struct req *r, const char *sha256, const char *name, const char *stored_type,
               long long size)
{
    char path[1200];
    if (files_blob_path(sha256, path, sizeof path) < 0)
        return http_error(r, 500, "internal", "Internal error", NULL);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        log_error("download %s: %s", path, strerror(errno));
        return http_error(r, 503, "storage_unavailable", "The stored file is missing", NULL);
    }
    struct files_headers h;
    files_download_headers(name, stored_type, &h);
    r->csp = h.csp;
    http_send_head(r, 200, h.content_type, h.lines, size);
    if (strcmp(r->ri->request_method, "HEAD") != 0) {
        /* CivetWeb workers have small stacks: big buffers go in the arena. */
        enum { BUFSZ = 65536 };
        char *buf = arena_alloc(&r->arena, BUFSZ);
        ssize_t n;
        while ((n = read(fd, buf, BUFSZ)) > 0) {
            if (mg_write(r->conn, buf, (size_t)n) <= 0)
                break;
            r->sent += n;
        }
    }
    close(fd);
    return 200;
}

int files_download(struct req *r)
{
    long long id = http_param_id(r, "id");
    struct db_res *res = id ? db_query(&r->arena, sql_get, "i", id) : NULL;
    if (id && !res)
        return http_db_error(r);
    /* Someone who may not read the file learns nothing, not even that it exists. */
    if (!res || res->nrows == 0 ||
        !may_read(r, db_str(res, 0, 6), db_ll(res, 0, 7), db_ll(res, 0, 5)))
        return http_error(r, 404, "not_found", "No such file", NULL);
    return files_send(r, db_str(res, 0, 1), db_str(res, 0, 3), db_str(res, 0, 4), db_ll(res, 0, 2));
}
