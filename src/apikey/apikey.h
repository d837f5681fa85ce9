/*
 * apikey.h - bearer API keys for the HTTP API, each bound to a role.
 *
 * A key is "crk_" + a 16-hex-digit public key id + "_" + 43 characters of
 * secret (32 random bytes, base64url).  It is shown once, when issued; the
 * store keeps only a keyed BLAKE2b hash of the whole token, under the key
 * id, with a secret derived from the store's (cr_store_derive_key
 * "apikey"), so a copy of the data directory does not yield usable keys
 * and a token cannot be checked without the key file.
 *
 * Roles (DESIGN.md "Actors and roles"): a furnisher or lender key is bound
 * to an institution, a subject key to a person (by pseudonym), supervisor
 * and operator keys to nobody.
 */
#ifndef CR_APIKEY_H
#define CR_APIKEY_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

enum cr_role {
	CR_ROLE_FURNISHER = 1,
	CR_ROLE_LENDER = 2,
	CR_ROLE_SUBJECT = 3,
	CR_ROLE_SUPERVISOR = 4,
	CR_ROLE_OPERATOR = 5,
};
#define CR_ROLE_COUNT 5
_Static_assert(CR_ROLE_COUNT == CR_APIKEY_ROLE_MAX,
	       "the store checks roles against CR_APIKEY_ROLE_MAX (store.h)");

#define CR_APIKEY_SECRET_LEN 43
#define CR_APIKEY_TOKEN_LEN (4 + CR_APIKEY_ID_LEN + 1 + CR_APIKEY_SECRET_LEN)

/* "furnisher", ...; "" for an unknown role. */
const char *cr_role_name(uint8_t role);
/* The role named s, or 0. */
uint8_t cr_role_parse(const char *s);

/*
 * Issues a key for role, bound to inst (furnisher, lender) or to the
 * person with normalized ID id (subject), stored in txn.  Writes the token
 * (NUL-terminated) and the stored record.  CR_EINVAL with *why when the
 * binding does not fit the role.
 */
int cr_apikey_issue(cr_store *st, cr_txn *txn, uint8_t role, const char *inst,
		    const char *id, int64_t now,
		    char token[CR_APIKEY_TOKEN_LEN + 1] /* OUT */,
		    struct cr_apikey *out /* OUT */, const char **why /* OUT */);

/* Checks a bearer token (len bytes, not NUL-terminated).  0 with *out for a
 * live key; CR_EDENIED for a malformed, unknown, wrong or revoked one, with
 * *why saying which. */
int cr_apikey_check(cr_store *st, cr_txn *txn, const char *token, size_t len,
		    struct cr_apikey *out /* OUT */, const char **why /* OUT */);

/* Writes Unix seconds t as "YYYY-MM-DDTHH:MM:SSZ" (UTC), or "" for 0. */
void cr_apikey_time(int64_t t, char out[21] /* OUT */);

/* Revokes the key; CR_ENOTFOUND when there is none, 0 when it already was. */
int cr_apikey_revoke(cr_txn *txn, const char *key_id, int64_t now);

#endif
