/* static.c - regular files under www/ only, never outside it whatever the path, with
 * client-side routes falling back to the app's index.html. No CivetWeb document_root
 * (CVE-2025-55763). */
#include "static.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

/* npm packages the browser apps may load, as /vendor/<name>/<path>. */
static const char *const vendor_allow[] = {"htm"};

static char www_root[PATH_MAX], vendor_root[PATH_MAX];

int static_init(void)
{
    if (!realpath(config.www_dir, www_root)) {
        log_error("PORTAL_WWW_DIR %s: %s", config.www_dir, strerror(errno));
        return -1;
    }
    if (!realpath(config.node_modules, vendor_root)) {
        log_warn("PORTAL_NODE_MODULES %s: %s (run `npm ci`); /vendor/ will answer 404",
                 config.node_modules, strerror(errno));
        vendor_root[0] = '\0';
    }
    return 0;
}

static const char *mime_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
        {".webmanifest", "application/manifest+json"},
    };
    const char *dot = strrchr(path, '.');
    if (dot)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcmp(dot, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

/* Resolves root + rel and proves the result is a regular file inside root, symlinks
 * included. Returns an open fd or -1. */
static int open_inside(const char *root, const char *rel, struct stat *st)
{
    char joined[PATH_MAX], real[PATH_MAX];
    if (snprintf(joined, sizeof joined, "%s%s", root, rel) >= (int)sizeof joined)
        return -1;
    if (!realpath(joined, real))
        return -1;
    size_t rl = strlen(root);
    if (strncmp(real, root, rl) != 0 || (real[rl] != '/' && real[rl] != '\0'))
        return -1;
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

static bool has_hidden_segment(const char *path)
{
    for (const char *p = path; (p = strchr(p, '/')); p++)
        if (p[1] == '.')
            return true;
    return false;
}

/* /app/... and /cabinet/... without a file extension are client-side routes. */
static const char *spa_index(const char *path)
{
    const char *last = strrchr(path, '/');
    if (last && strchr(last, '.'))
        return NULL;
    if (strncmp(path, "/app/", 5) == 0 || strcmp(path, "/app") == 0)
        return "/app/index.html";
    if (strncmp(path, "/cabinet/", 9) == 0 || strcmp(path, "/cabinet") == 0)
        return "/cabinet/index.html";
    return NULL;
}

static int not_found(struct req *r)
{
    return http_error(r, 404, "not_found", "No such file", NULL);
}

int static_serve(struct req *r)
{
    const char *path = r->path;
    if (strcmp(path, "/") == 0)
        return http_send(r, 302, "text/plain; charset=utf-8", "Location: /app/\r\n", "", 0);
    if (has_hidden_segment(path) || strlen(path) > 1024)
        return not_found(r);

    struct stat st;
    char with_index[1100];
    int fd = -1;
    bool versioned = false;
    if (strncmp(path, "/vendor/", 8) == 0) {
        const char *name = path + 8, *slash = strchr(name, '/');
        if (!slash || !vendor_root[0])
            return not_found(r);
        size_t nl = (size_t)(slash - name);
        bool allowed = false;
        for (size_t i = 0; i < sizeof vendor_allow / sizeof vendor_allow[0]; i++)
            if (strlen(vendor_allow[i]) == nl && memcmp(vendor_allow[i], name, nl) == 0)
                allowed = true;
        if (!allowed)
            return not_found(r);
        fd = open_inside(vendor_root, path + 7, &st);
        versioned = http_query(r, "v") != NULL;
    } else {
        const char *rel = path;
        size_t pl = strlen(path);
        if (path[pl - 1] == '/') {
            snprintf(with_index, sizeof with_index, "%sindex.html", path);
            rel = with_index;
        }
        fd = open_inside(www_root, rel, &st);
        if (fd < 0) {
            const char *idx = spa_index(path);
            if (idx)
                fd = open_inside(www_root, idx, &st);
            rel = idx ? idx : rel;
        }
        path = rel;
        versioned = http_query(r, "v") != NULL;
    }
    if (fd < 0)
        return not_found(r);

    char etag[64], headers[256];
    snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtim.tv_sec * 1000000000ULL +
                 (unsigned long long)st.st_mtim.tv_nsec);
    snprintf(headers, sizeof headers, "ETag: %s\r\nCache-Control: %s\r\n", etag,
             versioned ? "public, max-age=31536000, immutable" : "no-cache");
    const char *inm = http_header(r, "If-None-Match");
    if (inm && strcmp(inm, etag) == 0) {
        close(fd);
        return http_send(r, 304, mime_type(path), headers, "", 0);
    }
    http_send_head(r, 200, mime_type(path), headers, (long long)st.st_size);
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
