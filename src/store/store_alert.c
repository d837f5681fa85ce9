/*
 * store_alert.c - alerts for post-loan monitoring (alert.h), in their own
 * column family: the receiving institution's code NUL-padded, then seq ->
 * subject, kind and times (store_codec.h), so one institution's alerts are
 * one range in seq order.  The last seq of each institution is the meta
 * counter "alert_seq:" + code.
 */
#include <string.h>

#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

int cr_alert_rec_check(const struct cr_alert_rec *a)
{
	if (a->seq == 0 || a->kind < 1 || a->kind > CR_ALERT_KIND_MAX)
		return CR_EINVAL;
	return cr_time_valid(a->raised_s) && cr_time_valid(a->at_s) ? 0 : CR_EINVAL;
}

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
	CR_ASSERT(cr_alert_rec_check(a) == 0);
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
	if (!rc && cr_alert_rec_check(&a))
		rc = CR_ECORRUPT;
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
