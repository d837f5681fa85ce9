/*
 * store_admin.c - the small records every part of the bureau reads by key:
 * institutions, API keys, alert thresholds, the audit head (meta), and the
 * alerts themselves (their own column family, in seq order per
 * institution).
 *
 * Meta keys of a family start with a control byte no named value starts
 * with (named values are lower-case ASCII: "version", "next_pid", ...):
 *
 *   0x01 code        institution: kind, name
 *   0x02 key id      API key: hash, role, subject, times, institution
 *   0x03 code        alert thresholds
 *   0x04 code        webhook (store_webhook.c)
 *   0x05 id          dispute -> pid (store_events.c)
 */
#include <stdio.h>
#include <string.h>

#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

#define MK_INST 0x01
#define MK_APIKEY 0x02
#define MK_ALERT_CFG 0x03

/* A meta family key: tag, then s (at most max bytes). */
static size_t meta_key(uint8_t tag, const char *s, size_t max, uint8_t *out)
{
	const size_t n = strnlen(s, max);
	out[0] = tag;
	memcpy(out + 1, s, n);
	return 1 + n;
}

/* ---- institutions ------------------------------------------------------ */

int cr_store_inst_get(cr_txn *txn, const char *code, struct cr_institution *out)
{
	uint8_t kb[1 + CR_INST_CODE_MAX];
	struct kv_val v = {0};
	if (strlen(code) > CR_INST_CODE_MAX)
		return CR_ENOTFOUND;
	int rc = kv_get(txn, CF_META, kb, meta_key(MK_INST, code, CR_INST_CODE_MAX, kb), &v);
	if (!rc)
		rc = cr_inst_decode(code, v.p, v.n, out);
	kv_val_free(&v);
	return rc;
}

int cr_store_inst_put(cr_txn *txn, const struct cr_institution *in)
{
	uint8_t kb[1 + CR_INST_CODE_MAX], buf[CR_INST_NAME_MAX + 8];
	const size_t n = cr_inst_encode(in, buf), kn = meta_key(MK_INST, in->code,
								 CR_INST_CODE_MAX, kb);
	struct kv_val v = {0};
	int rc = kv_get(txn, CF_META, kb, kn, &v);
	const int same = rc == 0 && v.n == n && memcmp(v.p, buf, n) == 0;
	kv_val_free(&v);
	if (rc && rc != CR_ENOTFOUND)
		return rc;
	if (same)
		return 0;
	if (rc == CR_ENOTFOUND) {
		uint64_t count;
		if ((rc = meta_get_u64(txn, "n_institutions", &count)) ||
		    (rc = meta_put_u64(txn, "n_institutions", count + 1)))
			return rc;
	}
	kv_put(txn, CF_META, kb, kn, buf, n);
	return 1;
}

/* ---- the audit head ---------------------------------------------------- */

/* meta "audit_head" -> u64 BE seq, hash, mac. */
#define AUDIT_HEAD_LEN (8 + 2 * CR_AUDIT_HASH_LEN)

int cr_store_audit_head_put(cr_txn *txn, const struct cr_audit_head *h)
{
	uint8_t b[AUDIT_HEAD_LEN];
	cr_put_u64be(b, h->seq);
	memcpy(b + 8, h->hash, CR_AUDIT_HASH_LEN);
	memcpy(b + 8 + CR_AUDIT_HASH_LEN, h->mac, CR_AUDIT_HASH_LEN);
	return kv_put(txn, CF_META, "audit_head", 10, b, sizeof b);
}

int cr_store_audit_head_get(cr_txn *txn, struct cr_audit_head *out)
{
	struct kv_val v = {0};
	int rc = kv_get(txn, CF_META, "audit_head", 10, &v);
	if (!rc && v.n != AUDIT_HEAD_LEN)
		rc = CR_ECORRUPT;
	if (!rc) {
		out->seq = cr_get_u64be(v.p);
		memcpy(out->hash, v.p + 8, CR_AUDIT_HASH_LEN);
		memcpy(out->mac, v.p + 8 + CR_AUDIT_HASH_LEN, CR_AUDIT_HASH_LEN);
	}
	kv_val_free(&v);
	return rc;
}

/* ---- API keys ---------------------------------------------------------- */

/* API key: hash[32] role[1] has_subject[1] subject[16] created[8]
 * revoked[8] inst_len[1] inst, keyed by the key id. */
#define APIKEY_FIXED (CR_APIKEY_HASH_LEN + 2 + CR_SUBJECT_KEY_LEN + 16 + 1)

int cr_store_apikey_put(cr_txn *txn, const struct cr_apikey *k)
{
	uint8_t b[APIKEY_FIXED + CR_INST_CODE_MAX], kb[1 + CR_APIKEY_ID_LEN];
	const size_t il = strlen(k->inst);
	if (strlen(k->key_id) != CR_APIKEY_ID_LEN || il > CR_INST_CODE_MAX)
		return CR_EINVAL;
	uint8_t *p = b;
	memcpy(p, k->hash, CR_APIKEY_HASH_LEN);
	p += CR_APIKEY_HASH_LEN;
	*p++ = k->role;
	*p++ = (uint8_t)(k->has_subject != 0);
	memcpy(p, k->subject.b, CR_SUBJECT_KEY_LEN);
	p += CR_SUBJECT_KEY_LEN;
	cr_put_u64be(p, (uint64_t)k->created);
	cr_put_u64be(p + 8, (uint64_t)k->revoked);
	p += 16;
	*p++ = (uint8_t)il;
	memcpy(p, k->inst, il);
	return kv_put(txn, CF_META, kb, meta_key(MK_APIKEY, k->key_id, CR_APIKEY_ID_LEN, kb),
		      b, APIKEY_FIXED + il);
}

static int apikey_decode(const uint8_t *id, size_t idn, const uint8_t *p, size_t n,
			 struct cr_apikey *out)
{
	if (idn != CR_APIKEY_ID_LEN || n < APIKEY_FIXED)
		return CR_ECORRUPT;
	const size_t il = p[APIKEY_FIXED - 1];
	if (il > CR_INST_CODE_MAX || n != APIKEY_FIXED + il)
		return CR_ECORRUPT;
	memset(out, 0, sizeof *out);
	memcpy(out->key_id, id, CR_APIKEY_ID_LEN);
	memcpy(out->hash, p, CR_APIKEY_HASH_LEN);
	p += CR_APIKEY_HASH_LEN;
	out->role = *p++;
	out->has_subject = *p++;
	memcpy(out->subject.b, p, CR_SUBJECT_KEY_LEN);
	p += CR_SUBJECT_KEY_LEN;
	out->created = (int64_t)cr_get_u64be(p);
	out->revoked = (int64_t)cr_get_u64be(p + 8);
	memcpy(out->inst, p + 17, il);
	return 0;
}

int cr_store_apikey_get(cr_txn *txn, const char *key_id, struct cr_apikey *out)
{
	uint8_t kb[1 + CR_APIKEY_ID_LEN];
	struct kv_val v = {0};
	if (strlen(key_id) != CR_APIKEY_ID_LEN)
		return CR_ENOTFOUND;
	int rc = kv_get(txn, CF_META, kb, meta_key(MK_APIKEY, key_id, CR_APIKEY_ID_LEN, kb), &v);
	if (!rc)
		rc = apikey_decode((const uint8_t *)key_id, CR_APIKEY_ID_LEN, v.p, v.n, out);
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
	int rc = apikey_decode(s->k + 1, s->kn - 1, s->v, s->vn, &k);
	return rc ? rc : w->fn(&k, w->arg);
}

int cr_store_apikeys(cr_txn *txn, int (*fn)(const struct cr_apikey *k, void *arg),
		     void *arg)
{
	const uint8_t prefix = MK_APIKEY;
	struct apikey_walk w = {fn, arg};
	return kv_walk(txn, CF_META, &prefix, 1, NULL, 0, each_apikey, &w);
}

/* ---- alerts ------------------------------------------------------------ */

/*
 * Alerts: key (institution code NUL-padded to CR_INST_CODE_MAX + 1 bytes,
 * seq u64), value (subject key, kind, raised_s, at_s); the sequence of each
 * institution is the meta counter "alert_seq:" + code.  The padded code
 * keeps one institution's alerts together in seq order.
 */
#define ALERT_KEY_LEN (CR_INST_CODE_MAX + 1 + 8)
#define ALERT_VAL_LEN (CR_SUBJECT_KEY_LEN + 1 + 8 + 8)

static void alert_key(const char *inst, uint64_t seq, uint8_t out[ALERT_KEY_LEN])
{
	memset(out, 0, ALERT_KEY_LEN);
	memcpy(out, inst, strnlen(inst, CR_INST_CODE_MAX));
	cr_put_u64be(out + CR_INST_CODE_MAX + 1, seq);
}

static void alert_seq_name(const char *inst, char out[32])
{
	snprintf(out, 32, "alert_seq:%.*s", CR_INST_CODE_MAX, inst);
}

int cr_store_alert_add(cr_txn *txn, const char *inst, struct cr_alert_rec *a)
{
	char name[32];
	uint64_t seq;
	alert_seq_name(inst, name);
	int rc = meta_get_u64(txn, name, &seq);
	if (!rc)
		rc = meta_put_u64(txn, name, seq + 1);
	if (rc)
		return rc;
	a->seq = seq + 1;
	uint8_t kb[ALERT_KEY_LEN], vb[ALERT_VAL_LEN];
	alert_key(inst, a->seq, kb);
	memcpy(vb, a->subject.b, CR_SUBJECT_KEY_LEN);
	vb[CR_SUBJECT_KEY_LEN] = a->kind;
	cr_put_u64be(vb + CR_SUBJECT_KEY_LEN + 1, (uint64_t)a->raised_s);
	cr_put_u64be(vb + CR_SUBJECT_KEY_LEN + 9, (uint64_t)a->at_s);
	return kv_put(txn, CF_ALERT, kb, sizeof kb, vb, sizeof vb);
}

int cr_store_alert_last(cr_txn *txn, const char *inst, uint64_t *seq)
{
	char name[32];
	alert_seq_name(inst, name);
	return meta_get_u64(txn, name, seq);
}

/* A walk of up to max alerts. */
struct alert_walk {
	int (*fn)(const struct cr_alert_rec *a, void *arg);
	void *arg;
	size_t max, n;
};

static int each_alert(struct kv_step *s, void *arg)
{
	struct alert_walk *w = arg;
	const uint8_t *k = s->k, *p = s->v;
	if (w->n == w->max) {
		s->end = 1;
		return 0;
	}
	w->n++;
	if (s->kn != ALERT_KEY_LEN || s->vn != ALERT_VAL_LEN)
		return CR_ECORRUPT;
	struct cr_alert_rec a;
	a.seq = cr_get_u64be(k + CR_INST_CODE_MAX + 1);
	memcpy(a.subject.b, p, CR_SUBJECT_KEY_LEN);
	a.kind = p[CR_SUBJECT_KEY_LEN];
	a.raised_s = (int64_t)cr_get_u64be(p + CR_SUBJECT_KEY_LEN + 1);
	a.at_s = (int64_t)cr_get_u64be(p + CR_SUBJECT_KEY_LEN + 9);
	return w->fn(&a, w->arg);
}

int cr_store_alerts(cr_txn *txn, const char *inst, uint64_t after, size_t max,
		    int (*fn)(const struct cr_alert_rec *a, void *arg), void *arg)
{
	uint8_t kb[ALERT_KEY_LEN];
	struct alert_walk w = {fn, arg, max, 0};
	if (after == UINT64_MAX || max == 0)
		return 0;
	alert_key(inst, after + 1, kb);
	return kv_walk(txn, CF_ALERT, kb, CR_INST_CODE_MAX + 1, kb, sizeof kb, each_alert, &w);
}

/* Alert thresholds: pct u32, min u64, n u32. */
#define ALERT_CFG_LEN 16

int cr_store_alert_config_put(cr_txn *txn, const char *inst,
			      const struct cr_alert_config *cfg)
{
	uint8_t vb[ALERT_CFG_LEN], kb[1 + CR_INST_CODE_MAX];
	cr_put_i32be(vb, cfg->exposure_pct);
	cr_put_u64be(vb + 4, (uint64_t)cfg->exposure_min);
	cr_put_i32be(vb + 12, cfg->inquiries);
	return kv_put(txn, CF_META, kb, meta_key(MK_ALERT_CFG, inst, CR_INST_CODE_MAX, kb),
		      vb, sizeof vb);
}

int cr_store_alert_config_get(cr_txn *txn, const char *inst,
			      struct cr_alert_config *out)
{
	uint8_t kb[1 + CR_INST_CODE_MAX];
	struct kv_val v = {0};
	int rc = kv_get(txn, CF_META, kb, meta_key(MK_ALERT_CFG, inst, CR_INST_CODE_MAX, kb), &v);
	if (!rc && v.n != ALERT_CFG_LEN)
		rc = CR_ECORRUPT;
	if (!rc) {
		out->exposure_pct = cr_get_i32be(v.p);
		out->exposure_min = (int64_t)cr_get_u64be(v.p + 4);
		out->inquiries = cr_get_i32be(v.p + 12);
	}
	kv_val_free(&v);
	return rc;
}

/* ---- audit lines not yet synced in audit.log --------------------------- */

/* audit: seq (u64 BE) -> the line, newline included. */
int cr_store_audit_pending_put(cr_txn *txn, uint64_t seq, const char *line, size_t n)
{
	uint8_t kb[8];
	cr_put_u64be(kb, seq);
	return kv_put(txn, CF_AUDIT, kb, 8, line, n);
}

int cr_store_audit_pending_get(cr_txn *txn, uint64_t seq, char *buf, size_t cap,
			       size_t *n)
{
	uint8_t kb[8];
	struct kv_val v = {0};
	cr_put_u64be(kb, seq);
	int rc = kv_get(txn, CF_AUDIT, kb, 8, &v);
	if (!rc && v.n > cap)
		rc = CR_ECORRUPT;
	if (!rc) {
		memcpy(buf, v.p, v.n);
		*n = v.n;
	}
	kv_val_free(&v);
	return rc;
}

struct drop_walk {
	cr_txn *txn;
	uint64_t upto;
};

/* Deletes the line a walk is on, up to the last one to drop. */
static int drop_line(struct kv_step *s, void *arg)
{
	const struct drop_walk *w = arg;
	uint8_t kb[8];
	if (s->kn != 8)
		return CR_ECORRUPT;
	if (cr_get_u64be(s->k) > w->upto) {
		s->end = 1;
		return 0;
	}
	memcpy(kb, s->k, 8);
	return kv_del(w->txn, CF_AUDIT, kb, 8);
}

int cr_store_audit_pending_drop(cr_txn *txn, uint64_t upto)
{
	struct drop_walk w = {txn, upto};
	return kv_walk(txn, CF_AUDIT, NULL, 0, NULL, 0, drop_line, &w);
}
