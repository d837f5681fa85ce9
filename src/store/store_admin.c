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
#include <string.h>

#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

/* ---- institutions ------------------------------------------------------ */

int cr_store_inst_get(cr_txn *txn, const char *code, struct cr_institution *out)
{
	uint8_t kb[1 + CR_INST_CODE_MAX];
	struct kv_val v = {0};
	if (strlen(code) > CR_INST_CODE_MAX)
		return CR_ENOTFOUND;
	int rc = kv_get(txn, CF_META, kb, cr_key_meta(MK_INST, code, CR_INST_CODE_MAX, kb), &v);
	if (!rc)
		rc = cr_inst_decode(code, v.p, v.n, out);
	kv_val_free(&v);
	return rc;
}

int cr_store_inst_put(cr_txn *txn, const struct cr_institution *in)
{
	uint8_t kb[1 + CR_INST_CODE_MAX], buf[CR_INST_ENC_MAX];
	const size_t n = cr_inst_encode(in, buf), kn = cr_key_meta(MK_INST, in->code,
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

int cr_store_audit_head_put(cr_txn *txn, const struct cr_audit_head *h)
{
	uint8_t b[CR_AUDIT_HEAD_LEN];
	cr_audit_head_encode(h, b);
	return kv_put(txn, CF_META, "audit_head", 10, b, sizeof b);
}

int cr_store_audit_head_get(cr_txn *txn, struct cr_audit_head *out)
{
	struct kv_val v = {0};
	int rc = kv_get(txn, CF_META, "audit_head", 10, &v);
	if (!rc)
		rc = cr_audit_head_decode(v.p, v.n, out);
	kv_val_free(&v);
	return rc;
}

/* ---- API keys ---------------------------------------------------------- */

int cr_store_apikey_put(cr_txn *txn, const struct cr_apikey *k)
{
	uint8_t b[CR_APIKEY_ENC_MAX], kb[1 + CR_APIKEY_ID_LEN];
	if (strlen(k->key_id) != CR_APIKEY_ID_LEN || strlen(k->inst) > CR_INST_CODE_MAX)
		return CR_EINVAL;
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

int cr_store_alert_add(cr_txn *txn, const char *inst, struct cr_alert_rec *a)
{
	char name[CR_ALERT_SEQ_NAME_MAX];
	uint64_t seq;
	cr_alert_seq_name(inst, name);
	int rc = meta_get_u64(txn, name, &seq);
	if (!rc)
		rc = meta_put_u64(txn, name, seq + 1);
	if (rc)
		return rc;
	a->seq = seq + 1;
	uint8_t kb[CR_KEY_ALERT_LEN], vb[CR_ALERT_VAL_LEN];
	cr_key_alert(inst, a->seq, kb);
	cr_alert_encode(a, vb);
	return kv_put(txn, CF_ALERT, kb, sizeof kb, vb, sizeof vb);
}

int cr_store_alert_last(cr_txn *txn, const char *inst, uint64_t *seq)
{
	char name[CR_ALERT_SEQ_NAME_MAX];
	cr_alert_seq_name(inst, name);
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
	struct cr_alert_rec a;
	if (w->n == w->max) {
		s->end = 1;
		return 0;
	}
	w->n++;
	int rc = cr_alert_decode(s->k, s->kn, s->v, s->vn, &a);
	return rc ? rc : w->fn(&a, w->arg);
}

int cr_store_alerts(cr_txn *txn, const char *inst, uint64_t after, size_t max,
		    int (*fn)(const struct cr_alert_rec *a, void *arg), void *arg)
{
	uint8_t kb[CR_KEY_ALERT_LEN];
	struct alert_walk w = {fn, arg, max, 0};
	if (after == UINT64_MAX || max == 0)
		return 0;
	cr_key_alert(inst, after + 1, kb);
	return kv_walk(txn, CF_ALERT, kb, CR_KEY_ALERT_PREFIX_LEN, kb, sizeof kb, each_alert, &w);
}

int cr_store_alert_config_put(cr_txn *txn, const char *inst,
			      const struct cr_alert_config *cfg)
{
	uint8_t vb[CR_ALERT_CFG_LEN], kb[1 + CR_INST_CODE_MAX];
	cr_alert_config_encode(cfg, vb);
	return kv_put(txn, CF_META, kb, cr_key_meta(MK_ALERT_CFG, inst, CR_INST_CODE_MAX, kb),
		      vb, sizeof vb);
}

int cr_store_alert_config_get(cr_txn *txn, const char *inst,
			      struct cr_alert_config *out)
{
	uint8_t kb[1 + CR_INST_CODE_MAX];
	struct kv_val v = {0};
	int rc = kv_get(txn, CF_META, kb, cr_key_meta(MK_ALERT_CFG, inst, CR_INST_CODE_MAX, kb),
			&v);
	if (!rc)
		rc = cr_alert_config_decode(v.p, v.n, out);
	kv_val_free(&v);
	return rc;
}

/* ---- audit lines not yet synced in audit.log --------------------------- */

/* audit: seq (u64 BE) -> the line, newline included. */
int cr_store_audit_pending_put(cr_txn *txn, uint64_t seq, const char *line, size_t n)
{
	uint8_t kb[CR_KEY_AUDIT_LEN];
	cr_key_audit(seq, kb);
	return kv_put(txn, CF_AUDIT, kb, sizeof kb, line, n);
}

int cr_store_audit_pending_get(cr_txn *txn, uint64_t seq, char *buf, size_t cap,
			       size_t *n)
{
	uint8_t kb[CR_KEY_AUDIT_LEN];
	struct kv_val v = {0};
	cr_key_audit(seq, kb);
	int rc = kv_get(txn, CF_AUDIT, kb, sizeof kb, &v);
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
	uint8_t kb[CR_KEY_AUDIT_LEN];
	if (s->kn != CR_KEY_AUDIT_LEN)
		return CR_ECORRUPT;
	if (cr_get_u64be(s->k) > w->upto) {
		s->end = 1;
		return 0;
	}
	memcpy(kb, s->k, sizeof kb);
	return kv_del(w->txn, CF_AUDIT, kb, sizeof kb);
}

int cr_store_audit_pending_drop(cr_txn *txn, uint64_t upto)
{
	struct drop_walk w = {txn, upto};
	return kv_walk(txn, CF_AUDIT, NULL, 0, NULL, 0, drop_line, &w);
}
