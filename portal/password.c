/* password.c - argon2id via crypto_pwhash_str, cracklib for dictionary words. */
#include "password.h"

#include <crack.h>
#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "log.h"
#include "utf8.h"

static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_mutex_t crack_lock = PTHREAD_MUTEX_INITIALIZER; /* cracklib is not reentrant */

static unsigned long long opslimit(void)
{
    return config.pwhash_moderate ? crypto_pwhash_OPSLIMIT_MODERATE
                                  : crypto_pwhash_OPSLIMIT_INTERACTIVE;
}

static size_t memlimit(void)
{
    return config.pwhash_moderate ? crypto_pwhash_MEMLIMIT_MODERATE
                                  : crypto_pwhash_MEMLIMIT_INTERACTIVE;
}

int password_init(void)
{
    if (sodium_init() < 0)
        return -1;
    char random[33];
    for (int i = 0; i < 32; i++)
        random[i] = (char)('a' + randombytes_uniform(26));
    random[32] = '\0';
    return password_hash(random, dummy_hash);
}

int password_hash(const char *password, char *out)
{
    return crypto_pwhash_str(out, password, strlen(password), opslimit(), memlimit());
}

bool password_verify(const char *hash, const char *password)
{
    return hash && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void password_verify_dummy(const char *password)
{
    if (crypto_pwhash_str_verify(dummy_hash, password, strlen(password)) == 0)
        log_warn("a random dummy password matched: impossible");
}

bool password_needs_rehash(const char *hash)
{
    return crypto_pwhash_str_needs_rehash(hash, opslimit(), memlimit()) != 0;
}

const char *password_weakness(const char *password, const char *email, const char *name)
{
    size_t chars = utf8_chars(password);
    if (chars < PASSWORD_MIN)
        return "too short: use at least 10 characters";
    if (chars > PASSWORD_MAX)
        return "too long: use at most 256 characters";
    /* A password equal to (or built on) the login name is the first thing tried. */
    if (email && *email) {
        char local[128];
        size_t l = strcspn(email, "@");
        if (l >= 4 && l < sizeof local) {
            memcpy(local, email, l);
            local[l] = '\0';
            if (strcasestr(password, local))
                return "it contains your email address";
        }
    }
    if (name && strlen(name) >= 4 && strcasestr(password, name))
        return "it contains your name";
    size_t distinct = 0;
    bool seen[256] = {false};
    for (const unsigned char *p = (const unsigned char *)password; *p; p++)
        if (!seen[*p]) {
            seen[*p] = true;
            distinct++;
        }
    if (distinct < 5)
        return "too simple: it repeats too few characters";
    /* cracklib checks ASCII passwords against its dictionary and for common patterns;
     * long passphrases (20+) are accepted on length alone, as NIST 800-63B advises. */
    if (chars < 20) {
        pthread_mutex_lock(&crack_lock);
        const char *why = FascistCheckUser(password, GetDefaultCracklibDict(), "portal", NULL);
        pthread_mutex_unlock(&crack_lock);
        if (why) {
            if (strstr(why, "dictionary"))
                return "too common: it is based on a dictionary word";
            if (strstr(why, "simplistic") || strstr(why, "systematic"))
                return "too simple: avoid sequences like 12345 or qwerty";
            if (strstr(why, "DIFFERENT"))
                return "too simple: it repeats too few characters";
            /* cracklib's "too short" uses its own minimum, below ours */
        }
    }
    return NULL;
}
