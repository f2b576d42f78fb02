/* password.h - argon2id hashing (libsodium) and the strength policy. */
#ifndef PORTAL_PASSWORD_H
#define PORTAL_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_MIN 10
#define PASSWORD_MAX 256

int password_init(void); /* sodium_init; 0 or -1 */

/* Hashes with crypto_pwhash_str (argon2id) at the configured limits, never below
 * INTERACTIVE. out must hold crypto_pwhash_STRBYTES. 0 or -1 (out of memory). */
int password_hash(const char *password, char *out);
bool password_verify(const char *hash, const char *password);
/* Burns the time of one verification, so unknown users cost what known ones do. */
void password_verify_dummy(const char *password);
bool password_needs_rehash(const char *hash);

/* NULL when acceptable, else a reason for the user ("too short", ...). email and
 * name, when given, may not be the password's core. Counts characters, not bytes. */
const char *password_weakness(const char *password, const char *email, const char *name);

#endif
