/* mail.h - outgoing mail: SMTP when PORTAL_SMTP_URL is set, else .eml files. */
#ifndef PORTAL_MAIL_H
#define PORTAL_MAIL_H

/* Sends a plain-text UTF-8 message. Returns 0, or -1 (logged). Without SMTP the
 * message lands in PORTAL_DATA_DIR/mail/<time>-<random>.eml for a person (or a test)
 * to read. */
int mail_send(const char *to, const char *subject, const char *body);

#endif
