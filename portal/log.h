/* log.h - diagnostics to stderr and a buffered access log. */
#ifndef PORTAL_LOG_H
#define PORTAL_LOG_H

#include <stdbool.h>
#include <stddef.h>

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Opens the access log named by config.access_log ("-", "off" or a path). */
int log_access_open(void);
bool log_access_enabled(void);
void log_access_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Copies in[0..len) to out as one printable line: control bytes, DEL, invalid UTF-8 and
 * backslashes become \xNN (a backslash \\), cut (never inside an escape) to fit outsize
 * with its NUL. Returns the length written. */
size_t log_escape(char *out, size_t outsize, const char *in, size_t len);
void log_flush(void); /* called about once a second by the main loop */
void log_access_close(void);

#endif
