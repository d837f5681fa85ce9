/*
 * store_webhook.c - the webhook records: one per institution, in meta
 * (0x04 code -> the registration, its delivery state, the URL and the
 * secret sealed under the data key; store_codec.h lays it out).
 *
 * The URL is kept in the clear: it names a lender's endpoint, not a person,
 * and the deliverer reads it on every attempt.  The secret is sealed like
 * an identity, because the server must hold it to sign (a hash would not
 * do): a copy of the data directory without the key file does not yield
 * it.  The delivery state sits in front so that the deliverer rewrites it
 * without unsealing anything (cr_store_webhook_state_put).
 */
#include <string.h>

#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

#define WH_VAL_MAX (CR_WEBHOOK_ENC_MAX + CR_WEBHOOK_SECRET_MAX + CR_STORE_SEAL_OVERHEAD)

static int ms_valid(int64_t ms)
{
	return ms >= CR_TIME_MIN * 1000 && ms <= CR_TIME_MAX * 1000;
}

int cr_webhook_state_check(const struct cr_webhook_state *s)
{
	if (!ms_valid(s->last_attempt_ms) || !ms_valid(s->next_attempt_ms))
		return CR_EINVAL;
	return s->last_status > 999 || s->last_error > CR_WEBHOOK_LAST_ERROR_MAX ? CR_EINVAL : 0;
}

int cr_webhook_check(const struct cr_webhook *w)
{
	if (!cr_str_fits(w->inst, sizeof w->inst, 1) || !cr_str_fits(w->url, sizeof w->url, 1) ||
	    !cr_str_fits(w->secret, sizeof w->secret, 0))
		return CR_EINVAL;
	if (w->gen == 0 || !cr_time_valid(w->created_s) || !cr_time_valid(w->updated_s))
		return CR_EINVAL;
	return cr_webhook_state_check(&w->s);
}

/* The lengths are checked here, as the interface promises (CR_EINVAL);
 * the rest of the record is the caller's to get right, and asserted. */

int cr_store_webhook_put(cr_txn *txn, const struct cr_webhook *w)
{
	uint8_t b[WH_VAL_MAX], ad[CR_WEBHOOK_AD_MAX], kb[1 + CR_INST_CODE_MAX];
	const size_t ul = strnlen(w->url, CR_WEBHOOK_URL_MAX + 1);
	const size_t sl = strnlen(w->secret, CR_WEBHOOK_SECRET_MAX + 1);
	const size_t il = strnlen(w->inst, CR_INST_CODE_MAX + 1);
	if (!txn->write || il == 0 || il > CR_INST_CODE_MAX || ul == 0 ||
	    ul > CR_WEBHOOK_URL_MAX || sl == 0 || sl > CR_WEBHOOK_SECRET_MAX)
		return CR_EINVAL;
	CR_ASSERT(cr_webhook_check(w) == 0);
	size_t n = cr_webhook_encode(w, b);
	n += cr_store__seal(txn->st, ad, cr_webhook_ad(w->inst, ad), (const uint8_t *)w->secret,
			    sl, b + n);
	CR_ASSERT(n <= sizeof b);
	return kv_put(txn, CF_META, kb, cr_key_meta(MK_WEBHOOK, w->inst, il, kb), b, n);
}

/* Decodes a stored record of institution inst[0..il); the secret only
 * when with_secret. */
static int wh_decode(cr_txn *txn, const uint8_t *inst, size_t il, const uint8_t *p,
		     size_t n, int with_secret, struct cr_webhook *out)
{
	uint8_t ad[CR_WEBHOOK_AD_MAX];
	size_t used, sl;
	int rc = cr_webhook_decode(inst, il, p, n, out, &used);
	if (!rc && n - used > CR_WEBHOOK_SECRET_MAX + CR_STORE_SEAL_OVERHEAD)
		rc = CR_ECORRUPT;
	if (rc || !with_secret)
		return rc;
	rc = cr_store__unseal(txn->st, ad, cr_webhook_ad(out->inst, ad), p + used, n - used,
			      (uint8_t *)out->secret, &sl);
	if (rc)
		return rc;
	CR_ASSERT(sl <= CR_WEBHOOK_SECRET_MAX);
	out->secret[sl] = '\0';
	return 0;
}

/* A stored record decoded and checked. */
static int wh_read(cr_txn *txn, const uint8_t *inst, size_t il, const uint8_t *p, size_t n,
		   int with_secret, struct cr_webhook *out)
{
	int rc = wh_decode(txn, inst, il, p, n, with_secret, out);
	if (!rc && cr_webhook_check(out))
		rc = CR_ECORRUPT;
	return rc;
}

int cr_store_webhook_get(cr_txn *txn, const char *inst, int with_secret,
			 struct cr_webhook *out)
{
	const size_t il = strnlen(inst, CR_INST_CODE_MAX + 1);
	if (il == 0 || il > CR_INST_CODE_MAX)
		return CR_ENOTFOUND;
	uint8_t kb[1 + CR_INST_CODE_MAX];
	struct kv_val v = {0};
	int rc = kv_get(txn, CF_META, kb, cr_key_meta(MK_WEBHOOK, inst, il, kb), &v);
	if (!rc)
		rc = wh_read(txn, (const uint8_t *)inst, il, v.p, v.n, with_secret, out);
	kv_val_free(&v);
	return rc;
}

int cr_store_webhook_state_put(cr_txn *txn, const char *inst, uint64_t gen,
			       const struct cr_webhook_state *s)
{
	uint8_t b[WH_VAL_MAX];
	const size_t il = strnlen(inst, CR_INST_CODE_MAX + 1);
	if (!txn->write || il == 0 || il > CR_INST_CODE_MAX)
		return CR_EINVAL;
	CR_ASSERT(cr_webhook_state_check(s) == 0);
	uint8_t kb[1 + CR_INST_CODE_MAX];
	const size_t kn = cr_key_meta(MK_WEBHOOK, inst, il, kb);
	struct kv_val v = {0};
	int rc = kv_get(txn, CF_META, kb, kn, &v);
	if (!rc && (v.n < CR_WEBHOOK_FIXED || v.n > sizeof b))
		rc = CR_ECORRUPT;
	const size_t n = v.n;
	const int current = !rc && cr_webhook_gen(v.p) == gen;
	if (current)
		memcpy(b, v.p, n);
	kv_val_free(&v);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	if (!current)
		return 0;
	cr_webhook_state_encode(s, b + CR_WEBHOOK_STATE_OFF);
	rc = kv_put(txn, CF_META, kb, kn, b, n);
	return rc ? rc : 1;
}

int cr_store_webhook_del(cr_txn *txn, const char *inst)
{
	const size_t il = strnlen(inst, CR_INST_CODE_MAX + 1);
	if (il == 0 || il > CR_INST_CODE_MAX)
		return CR_ENOTFOUND;
	uint8_t kb[1 + CR_INST_CODE_MAX];
	const size_t kn = cr_key_meta(MK_WEBHOOK, inst, il, kb);
	struct kv_val v = {0};
	int rc = kv_get(txn, CF_META, kb, kn, &v);
	kv_val_free(&v);
	return rc ? rc : kv_del(txn, CF_META, kb, kn);
}

struct webhook_walk {
	cr_txn *txn;
	int (*fn)(const struct cr_webhook *w, void *arg);
	void *arg;
};

static int each_webhook(struct kv_step *s, void *arg)
{
	const struct webhook_walk *w = arg;
	struct cr_webhook wh;
	int rc = wh_read(w->txn, s->k + 1, s->kn - 1, s->v, s->vn, 0, &wh);
	return rc ? rc : w->fn(&wh, w->arg);
}

int cr_store_webhooks(cr_txn *txn, int (*fn)(const struct cr_webhook *w, void *arg),
		      void *arg)
{
	const uint8_t prefix = MK_WEBHOOK;
	struct webhook_walk w = {txn, fn, arg};
	return kv_walk(txn, CF_META, &prefix, 1, NULL, 0, each_webhook, &w);
}
