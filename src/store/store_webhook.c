/*
 * store_webhook.c - the webhook database: one record per institution.
 *
 *   key    institution code
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

static MDB_val val(const void *p, size_t n)
{
	MDB_val v = {.mv_size = n, .mv_data = (void *)p};
	return v;
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
	MDB_val k = val(w->inst, il), v = val(b, n);
	return cr_store__map_err(mdb_put(txn->t, txn->st->dbi[DB_WEBHOOK], &k, &v, 0));
}

/* Decodes a stored record; the secret only when with_secret. */
static int wh_decode(cr_txn *txn, const MDB_val *k, const MDB_val *v, int with_secret,
		     struct cr_webhook *out)
{
	const uint8_t *p = v->mv_data;
	if (k->mv_size == 0 || k->mv_size > CR_INST_CODE_MAX || v->mv_size < WH_FIXED)
		return CR_ECORRUPT;
	const size_t ul = (size_t)p[WH_FIXED - 2] << 8 | p[WH_FIXED - 1];
	if (ul == 0 || ul > CR_WEBHOOK_URL_MAX || v->mv_size < WH_FIXED + ul ||
	    v->mv_size - WH_FIXED - ul > CR_WEBHOOK_SECRET_MAX + CR_STORE_SEAL_OVERHEAD)
		return CR_ECORRUPT;
	memset(out, 0, sizeof *out);
	memcpy(out->inst, k->mv_data, k->mv_size);
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
				  v->mv_size - WH_FIXED - ul, (uint8_t *)out->secret, &sl);
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
	MDB_val k = val(inst, il), v;
	int rc = mdb_get(txn->t, txn->st->dbi[DB_WEBHOOK], &k, &v);
	return rc ? cr_store__map_err(rc) : wh_decode(txn, &k, &v, with_secret, out);
}

int cr_store_webhook_state_put(cr_txn *txn, const char *inst, uint64_t gen,
			       const struct cr_webhook_state *s)
{
	uint8_t b[WH_VAL_MAX];
	const size_t il = strnlen(inst, CR_INST_CODE_MAX + 1);
	if (!txn->write || il == 0 || il > CR_INST_CODE_MAX)
		return CR_EINVAL;
	MDB_val k = val(inst, il), v;
	int rc = mdb_get(txn->t, txn->st->dbi[DB_WEBHOOK], &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return cr_store__map_err(rc);
	if (v.mv_size < WH_FIXED || v.mv_size > sizeof b)
		return CR_ECORRUPT;
	if (cr_get_u64be(v.mv_data) != gen)
		return 0;
	memcpy(b, v.mv_data, v.mv_size);
	state_encode(s, b + WH_STATE_OFF);
	MDB_val nv = val(b, v.mv_size);
	rc = mdb_put(txn->t, txn->st->dbi[DB_WEBHOOK], &k, &nv, 0);
	return rc ? cr_store__map_err(rc) : 1;
}

int cr_store_webhook_del(cr_txn *txn, const char *inst)
{
	const size_t il = strnlen(inst, CR_INST_CODE_MAX + 1);
	if (il == 0 || il > CR_INST_CODE_MAX)
		return CR_ENOTFOUND;
	MDB_val k = val(inst, il);
	return cr_store__map_err(mdb_del(txn->t, txn->st->dbi[DB_WEBHOOK], &k, NULL));
}

int cr_store_webhooks(cr_txn *txn, int (*fn)(const struct cr_webhook *w, void *arg),
		      void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(txn->t, txn->st->dbi[DB_WEBHOOK], &c);
	if (rc)
		return cr_store__map_err(rc);
	MDB_val k, v;
	struct cr_webhook w;
	int result = 0;
	while (!result && (rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0) {
		result = wh_decode(txn, &k, &v, 0, &w);
		if (!result)
			result = fn(&w, arg);
	}
	mdb_cursor_close(c);
	if (result)
		return result;
	return rc == MDB_NOTFOUND ? 0 : cr_store__map_err(rc);
}
