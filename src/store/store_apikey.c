/*
 * store_apikey.c - API keys (apikey.h): meta 0x02 key id -> a keyed hash of
 * the whole token, the role, the binding (institution or subject) and the
 * times (store_codec.h).  The token itself is never stored.
 */
#include <string.h>

#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

int cr_apikey_rec_check(const struct cr_apikey *k)
{
	if (strnlen(k->key_id, sizeof k->key_id) != CR_APIKEY_ID_LEN ||
	    strspn(k->key_id, "0123456789abcdef") != CR_APIKEY_ID_LEN)
		return CR_EINVAL;
	if (k->role < 1 || k->role > CR_APIKEY_ROLE_MAX || (k->has_subject != 0 && k->has_subject != 1))
		return CR_EINVAL;
	if (!cr_str_fits(k->inst, sizeof k->inst, 0) || !cr_time_valid(k->created) ||
	    !cr_time_valid(k->revoked))
		return CR_EINVAL;
	return 0;
}

/* The key id and institution are checked for length here, as the
 * interface promises (CR_EINVAL); the rest of the record is the caller's
 * to get right, and asserted. */
int cr_store_apikey_put(cr_txn *txn, const struct cr_apikey *k)
{
	uint8_t b[CR_APIKEY_ENC_MAX], kb[1 + CR_APIKEY_ID_LEN];
	if (strlen(k->key_id) != CR_APIKEY_ID_LEN || strlen(k->inst) > CR_INST_CODE_MAX)
		return CR_EINVAL;
	CR_ASSERT(cr_apikey_rec_check(k) == 0);
	return kv_put(txn, CF_META, kb, cr_key_meta(MK_APIKEY, k->key_id, CR_APIKEY_ID_LEN, kb),
		      b, cr_apikey_encode(k, b));
}

int cr_store_apikey_get(cr_txn *txn, const char *key_id, struct cr_apikey *out)
{
	uint8_t kb[1 + CR_APIKEY_ID_LEN];
	struct kv_val v = {0};
	if (strlen(key_id) != CR_APIKEY_ID_LEN)
		return CR_ENOTFOUND;
	int rc = kv_get(txn, CF_META, kb, cr_key_meta(MK_APIKEY, key_id, CR_APIKEY_ID_LEN, kb), &v);
	if (!rc)
		rc = cr_apikey_decode((const uint8_t *)key_id, CR_APIKEY_ID_LEN, v.p, v.n, out);
	if (!rc && cr_apikey_rec_check(out))
		rc = CR_ECORRUPT;
	kv_val_free(&v);
	return rc;
}

struct apikey_walk {
	int (*fn)(const struct cr_apikey *k, void *arg);
	void *arg;
};

static int each_apikey(struct kv_step *s, void *arg)
{
	const struct apikey_walk *w = arg;
	struct cr_apikey k;
	int rc = cr_apikey_decode(s->k + 1, s->kn - 1, s->v, s->vn, &k);
	if (!rc && cr_apikey_rec_check(&k))
		rc = CR_ECORRUPT;
	return rc ? rc : w->fn(&k, w->arg);
}

int cr_store_apikeys(cr_txn *txn, int (*fn)(const struct cr_apikey *k, void *arg),
		     void *arg)
{
	const uint8_t prefix = MK_APIKEY;
	struct apikey_walk w = {fn, arg};
	return kv_walk(txn, CF_META, &prefix, 1, NULL, 0, each_apikey, &w);
}
