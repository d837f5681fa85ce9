/*
 * apikey.c - issuing and checking API keys; see apikey.h.
 *
 * The check costs one B-tree lookup by key id and one keyed hash; the
 * comparison is constant-time, and every failure looks the same to the
 * caller over HTTP (401) while *why tells the log which it was.
 */
#include "apikey.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

#include "cr_err.h"

#define CR_STR(x) #x
#define CR_XSTR(x) CR_STR(x)

static const char *const role_names[CR_ROLE_COUNT + 1] = {
	"", "furnisher", "lender", "subject", "supervisor", "operator",
};

const char *cr_role_name(uint8_t role)
{
	return role <= CR_ROLE_COUNT ? role_names[role] : "";
}

uint8_t cr_role_parse(const char *s)
{
	for (uint8_t r = 1; r <= CR_ROLE_COUNT; r++)
		if (s && strcmp(s, role_names[r]) == 0)
			return r;
	return 0;
}

static void token_hash(const cr_store *st, const char *token, size_t len,
		       uint8_t out[CR_APIKEY_HASH_LEN])
{
	uint8_t key[CR_DERIVED_KEY_LEN];
	cr_store_derive_key(st, "apikey", key);
	crypto_generichash(out, CR_APIKEY_HASH_LEN, (const uint8_t *)token, len,
			   key, sizeof key);
	sodium_memzero(key, sizeof key);
}

static int check_binding(uint8_t role, const char *inst, const char *id,
			 const char **why)
{
	const int by_inst = role == CR_ROLE_FURNISHER || role == CR_ROLE_LENDER;
	if (!role)
		*why = "the role must be furnisher, lender, subject, supervisor or operator";
	else if (by_inst && !(inst && cr_inst_code_valid(inst, strlen(inst))))
		*why = "a furnisher or lender key needs an institution code "
		       "(1-" CR_XSTR(CR_INST_CODE_MAX) " characters of A-Z a-z 0-9 _ -)";
	else if (!by_inst && inst)
		*why = "only furnisher and lender keys are bound to an institution";
	else if (role == CR_ROLE_SUBJECT && !id)
		*why = "a subject key needs the person's ID";
	else if (role != CR_ROLE_SUBJECT && id)
		*why = "only subject keys are bound to a person";
	else
		return 0;
	return CR_EINVAL;
}

int cr_apikey_issue(cr_store *st, cr_txn *txn, uint8_t role, const char *inst,
		    const char *id, int64_t now, char token[CR_APIKEY_TOKEN_LEN + 1],
		    struct cr_apikey *out, const char **why)
{
	*why = NULL;
	int rc = check_binding(role, inst, id, why);
	if (rc)
		return rc;
	uint8_t idb[CR_APIKEY_ID_LEN / 2], secret[32];
	memset(out, 0, sizeof *out);
	randombytes_buf(idb, sizeof idb);
	randombytes_buf(secret, sizeof secret);
	sodium_bin2hex(out->key_id, sizeof out->key_id, idb, sizeof idb);
	char b64[CR_APIKEY_SECRET_LEN + 1];
	sodium_bin2base64(b64, sizeof b64, secret, sizeof secret,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(secret, sizeof secret);
	memcpy(token, "crk_", 4);
	memcpy(token + 4, out->key_id, CR_APIKEY_ID_LEN);
	token[4 + CR_APIKEY_ID_LEN] = '_';
	memcpy(token + 5 + CR_APIKEY_ID_LEN, b64, CR_APIKEY_SECRET_LEN);
	token[CR_APIKEY_TOKEN_LEN] = '\0';
	sodium_memzero(b64, sizeof b64);
	token_hash(st, token, CR_APIKEY_TOKEN_LEN, out->hash);
	out->role = role;
	if (inst)
		memcpy(out->inst, inst, strlen(inst) + 1);
	if (id) {
		out->has_subject = 1;
		cr_store_subject_key(st, id, &out->subject);
	}
	out->created = now;
	return cr_store_apikey_put(txn, out);
}

int cr_apikey_check(cr_store *st, cr_txn *txn, const char *token, size_t len,
		    struct cr_apikey *out, const char **why)
{
	char key_id[CR_APIKEY_ID_LEN + 1];
	if (len != CR_APIKEY_TOKEN_LEN || memcmp(token, "crk_", 4) != 0 ||
	    token[4 + CR_APIKEY_ID_LEN] != '_') {
		*why = "malformed key";
		return CR_EDENIED;
	}
	memcpy(key_id, token + 4, CR_APIKEY_ID_LEN);
	key_id[CR_APIKEY_ID_LEN] = '\0';
	int rc = cr_store_apikey_get(txn, key_id, out);
	if (rc == CR_ENOTFOUND) {
		*why = "unknown key";
		return CR_EDENIED;
	}
	if (rc)
		return rc;
	uint8_t h[CR_APIKEY_HASH_LEN];
	token_hash(st, token, len, h);
	if (crypto_verify_32(h, out->hash) != 0) {
		*why = "wrong secret for this key id";
		return CR_EDENIED;
	}
	if (out->revoked) {
		*why = "revoked key";
		return CR_EDENIED;
	}
	return 0;
}

int cr_apikey_revoke(cr_txn *txn, const char *key_id, int64_t now)
{
	struct cr_apikey k;
	int rc = cr_store_apikey_get(txn, key_id, &k);
	if (rc || k.revoked)
		return rc;
	k.revoked = now;
	return cr_store_apikey_put(txn, &k);
}

void cr_apikey_time(int64_t t, char out[21])
{
	const time_t tt = (time_t)t;
	struct tm tm;
	out[0] = '\0';
	if (t && gmtime_r(&tt, &tm))
		strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
