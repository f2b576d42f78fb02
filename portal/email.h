/* email.h - the one spelling of an email address: how it is stored and how it is looked up. */
#ifndef PORTAL_EMAIL_H
#define PORTAL_EMAIL_H

#include <stdbool.h>

#include "arena.h"

#define EMAIL_MAX 254 /* characters, after normalisation (the column's size) */

/* Normalises a typed or stored address: ASCII white space trimmed, Unicode NFC,
 * case-folded (full folding: "ß" becomes "ss"). Returns the result in a's memory, or
 * NULL with *why set (a message for the user) when the text is not valid UTF-8, holds a
 * control or format character or a space other than the ASCII one, or is longer than
 * EMAIL_MAX characters once normalised. Normalising a normalised address changes
 * nothing, so every store and every lookup goes through here and compares exactly. */
const char *email_normalize(struct arena *a, const char *in, const char **why);

/* True when a normalised address has the shape the portal stores: one '@', a local
 * part, a dotted domain, none of the characters mail headers would trip over. */
bool email_well_formed(const char *norm);

#endif
