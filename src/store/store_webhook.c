/*
 * store_webhook.c - the webhook records: one per institution, in meta.
 *
 *   key    0x04, institution code
 *   value  gen u64, created_s i64, updated_s i64, cursor u64,
 *          last_attempt_ms i64, next_attempt_ms i64, failures u32,
 *          last_status u16, last_error u8, url_len u16  (57 bytes, BE)
 *          url (url_len bytes)
 *          secret, sealed (XChaCha20-Poly1305 under the data key, with
 *          "webhook" NUL code as associated data)
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
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

#define WH_FIXED 57
#define WH_STATE_OFF 24 /* after gen, created_s, updated_s */
#define WH_AD_MAX (8 + CR_INST_CODE_MAX)
#define WH_VAL_MAX (WH_FIXED + CR_WEBHOOK_URL_MAX + CR_WEBHOOK_SECRET_MAX + \
		    CR_STORE_SEAL_OVERHEAD)

#define MK_WEBHOOK 0x04

static size_t wh_key(const char *inst, size_t il, uint8_t out[1 + CR_INST_CODE_MAX])
{
	out[0] = MK_WEBHOOK;
	memcpy(out + 1, inst, il);
	return 1 + il;
}

static size_t wh_ad(const char *inst, uint8_t out[WH_AD_MAX])
{
	const size_t n = strnlen(inst, CR_INST_CODE_MAX);
	memcpy(out, "webhook", 8); /* with its NUL */
	memcpy(out + 8, inst, n);
	return 8 + n;
}

static void put_u32(uint8_t *p, uint32_t x)
{
	p[0] = (uint8_t)(x >> 24);
	p[1] = (uint8_t)(x >> 16);
	p[2] = (uint8_t)(x >> 8);
	p[3] = (uint8_t)x;
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The state's 31 bytes at p. */
static void state_encode(const struct cr_webhook_state *s, uint8_t *p)
{
	cr_put_u64be(p, s->cursor);
	cr_put_u64be(p + 8, (uint64_t)s->last_attempt_ms);
	cr_put_u64be(p + 16, (uint64_t)s->next_attempt_ms);
	put_u32(p + 24, s->failures);
	p[28] = (uint8_t)(s->last_status >> 8);
	p[29] = (uint8_t)s->last_status;
	p[30] = s->last_error;
}

static void state_decode(const uint8_t *p, struct cr_webhook_state *s)
{
	s->cursor = cr_get_u64be(p);
	s->last_attempt_ms = (int64_t)cr_get_u64be(p + 8);
	s->next_attempt_ms = (int64_t)cr_get_u64be(p + 16);
	s->failures = get_u32(p + 24);
	s->last_status = (uint16_t)(p[28] << 8 | p[29]);
	s->last_error = p[30];
}

int cr_store_webhook_put(cr_txn *txn, const struct cr_webhook *w)
{
	uint8_t b[WH_VAL_MAX], ad[WH_AD_MAX];
	const size_t ul = strnlen(w->url, CR_WEBHOOK_URL_MAX + 1);
	const size_t sl = strnlen(w->secret, CR_WEBHOOK_SECRET_MAX + 1);
	const size_t il = strnlen(w->inst, CR_INST_CODE_MAX + 1);
	if (!txn->write || il == 0 || il > CR_INST_CODE_MAX || ul == 0 ||
	    ul > CR_WEBHOOK_URL_MAX || sl == 0 || sl > CR_WEBHOOK_SECRET_MAX)
		return CR_EINVAL;
	cr_put_u64be(b, w->gen);
	cr_put_u64be(b + 8, (uint64_t)w->created_s);
	cr_put_u64be(b + 16, (uint64_t)w->updated_s);
	state_encode(&w->s, b + WH_STATE_OFF);
	b[WH_FIXED - 2] = (uint8_t)(ul >> 8);
	b[WH_FIXED - 1] = (uint8_t)ul;
	memcpy(b + WH_FIXED, w->url, ul);
	size_t n = WH_FIXED + ul;
	n += cr_store__seal(txn->st, ad, wh_ad(w->inst, ad), (const uint8_t *)w->secret, sl,
			    b + n);
	CR_ASSERT(n <= sizeof b);
	uint8_t kb[1 + CR_INST_CODE_MAX];
	return kv_put(txn, CF_META, kb, wh_key(w->inst, il, kb), b, n);
}

/* Decodes a stored record of institution inst[0..il); the secret only
 * when with_secret. */
static int wh_decode(cr_txn *txn, const uint8_t *inst, size_t il, const uint8_t *p,
		     size_t n, int with_secret, struct cr_webhook *out)
{
	if (il == 0 || il > CR_INST_CODE_MAX || n < WH_FIXED)
		return CR_ECORRUPT;
	const size_t ul = (size_t)p[WH_FIXED - 2] << 8 | p[WH_FIXED - 1];
	if (ul == 0 || ul > CR_WEBHOOK_URL_MAX || n < WH_FIXED + ul ||
	    n - WH_FIXED - ul > CR_WEBHOOK_SECRET_MAX + CR_STORE_SEAL_OVERHEAD)
		return CR_ECORRUPT;
	memset(out, 0, sizeof *out);
	memcpy(out->inst, inst, il);
	out->gen = cr_get_u64be(p);
	out->created_s = (int64_t)cr_get_u64be(p + 8);
	out->updated_s = (int64_t)cr_get_u64be(p + 16);
	state_decode(p + WH_STATE_OFF, &out->s);
	memcpy(out->url, p + WH_FIXED, ul);
	if (!with_secret)
		return 0;
	uint8_t ad[WH_AD_MAX];
	size_t sl;
	int rc = cr_store__unseal(txn->st, ad, wh_ad(out->inst, ad), p + WH_FIXED + ul,
				  n - WH_FIXED - ul, (uint8_t *)out->secret, &sl);
	if (rc)
		return rc;
	CR_ASSERT(sl <= CR_WEBHOOK_SECRET_MAX);
	out->secret[sl] = '\0';
	return 0;
}

int cr_store_webhook_get(cr_txn *txn, const char *inst, int with_secret,
			 struct cr_webhook *out)
{
	const size_t il = strnlen(inst, CR_INST_CODE_MAX + 1);
	if (il == 0 || il > CR_INST_CODE_MAX)
		return CR_ENOTFOUND;
	uint8_t kb[1 + CR_INST_CODE_MAX];
	struct kv_val v = {0};
	int rc = kv_get(txn, CF_META, kb, wh_key(inst, il, kb), &v);
	if (!rc)
		rc = wh_decode(txn, (const uint8_t *)inst, il, v.p, v.n, with_secret, out);
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
	uint8_t kb[1 + CR_INST_CODE_MAX];
	const size_t kn = wh_key(inst, il, kb);
	struct kv_val v = {0};
	int rc = kv_get(txn, CF_META, kb, kn, &v);
	if (!rc && (v.n < WH_FIXED || v.n > sizeof b))
		rc = CR_ECORRUPT;
	const size_t n = v.n;
	const int current = !rc && cr_get_u64be(v.p) == gen;
	if (current)
		memcpy(b, v.p, n);
	kv_val_free(&v);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	if (!current)
		return 0;
	state_encode(s, b + WH_STATE_OFF);
	rc = kv_put(txn, CF_META, kb, kn, b, n);
	return rc ? rc : 1;
}

int cr_store_webhook_del(cr_txn *txn, const char *inst)
{
	const size_t il = strnlen(inst, CR_INST_CODE_MAX + 1);
	if (il == 0 || il > CR_INST_CODE_MAX)
		return CR_ENOTFOUND;
	uint8_t kb[1 + CR_INST_CODE_MAX];
	const size_t kn = wh_key(inst, il, kb);
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
	int rc = wh_decode(w->txn, s->k + 1, s->kn - 1, s->v, s->vn, 0, &wh);
	return rc ? rc : w->fn(&wh, w->arg);
}

int cr_store_webhooks(cr_txn *txn, int (*fn)(const struct cr_webhook *w, void *arg),
		      void *arg)
{
	const uint8_t prefix = MK_WEBHOOK;
	struct webhook_walk w = {txn, fn, arg};
	return kv_walk(txn, CF_META, &prefix, 1, NULL, 0, each_webhook, &w);
}
