/*
 * store_quality.c - data-quality counters: meta 0x06 furnisher day 'C' ->
 * what the furnisher's ingests did that day (counts by outcome, late
 * corrections, a histogram of reporting lags), and meta 0x06 furnisher day
 * 'R' reason -> how many lines were rejected for that reason
 * (store_codec.h lays them out).
 *
 * The ingest adds to them once per batch, in the batch's own transaction
 * (ingest.c), so the counts are exactly as durable as the records they
 * count.  A furnisher's keys sort by day, so a range of days is one walk.
 */
#include <string.h>

#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

static int inst_ok(const char *inst)
{
	return cr_str_fits(inst, CR_INST_CODE_MAX + 1, 1);
}

int cr_quality_day_check(const struct cr_quality_day *d)
{
	uint64_t lags = 0;
	if (!inst_ok(d->inst) || !cr_days_valid(d->day))
		return CR_EINVAL;
	for (int i = 0; i < CR_QUALITY_LAG_BUCKETS; i++)
		lags += d->lag[i];
	if (d->submitted != d->accepted + d->rejected + d->held + d->unchanged)
		return CR_EINVAL;
	return d->late + lags > d->accepted + d->held ? CR_EINVAL : 0;
}

static int read_u64(const struct kv_val *v, uint64_t *x)
{
	if (v->n != 8)
		return CR_ECORRUPT;
	*x = cr_get_u64be(v->p);
	return 0;
}

int cr_store_quality_add(cr_txn *txn, const struct cr_quality_day *d)
{
	uint8_t kb[CR_KEY_QUALITY_MAX], vb[CR_QUALITY_ENC_LEN];
	struct cr_quality_day sum;
	struct kv_val v = {0};
	CR_ASSERT(cr_quality_day_check(d) == 0);
	const size_t kn = cr_key_quality(d->inst, d->day, CR_QK_COUNTS, NULL, kb);
	int rc = kv_get(txn, CF_META, kb, kn, &v);
	memset(&sum, 0, sizeof sum);
	if (!rc)
		rc = cr_quality_decode(v.p, v.n, &sum);
	kv_val_free(&v);
	if (rc && rc != CR_ENOTFOUND)
		return rc;
	memcpy(sum.inst, d->inst, sizeof sum.inst);
	sum.day = d->day;
	if (!rc && cr_quality_day_check(&sum))
		return CR_ECORRUPT;
	sum.submitted += d->submitted;
	sum.accepted += d->accepted;
	sum.rejected += d->rejected;
	sum.held += d->held;
	sum.unchanged += d->unchanged;
	sum.late += d->late;
	for (int i = 0; i < CR_QUALITY_LAG_BUCKETS; i++)
		sum.lag[i] += d->lag[i];
	cr_quality_encode(&sum, vb);
	return kv_put(txn, CF_META, kb, kn, vb, sizeof vb);
}

int cr_store_quality_reason_add(cr_txn *txn, const char *inst, int32_t day,
				const char *reason, uint64_t n)
{
	uint8_t kb[CR_KEY_QUALITY_MAX], vb[8];
	uint64_t count = 0;
	struct kv_val v = {0};
	CR_ASSERT(inst_ok(inst) && reason && reason[0] && n > 0);
	const size_t kn = cr_key_quality(inst, day, CR_QK_REASON, reason, kb);
	int rc = kv_get(txn, CF_META, kb, kn, &v);
	if (!rc)
		rc = read_u64(&v, &count);
	kv_val_free(&v);
	if (rc && rc != CR_ENOTFOUND)
		return rc;
	cr_put_u64be(vb, count + n);
	return kv_put(txn, CF_META, kb, kn, vb, 8);
}

struct qwalk {
	const struct cr_quality_walk *w;
	int32_t from, to;
};

static int each_quality(struct kv_step *s, void *arg)
{
	struct qwalk *q = arg;
	char inst[CR_INST_CODE_MAX + 1], reason[CR_QUALITY_REASON_MAX + 1];
	int32_t day;
	uint8_t kind;
	if (cr_key_quality_parse(s->k, s->kn, inst, &day, &kind, reason))
		return CR_ECORRUPT;
	if (day < q->from || day > q->to)
		return 0;
	if (kind == CR_QK_REASON) {
		if (s->vn != 8)
			return CR_ECORRUPT;
		return q->w->reason_fn ? q->w->reason_fn(inst, day, reason,
							  cr_get_u64be(s->v), q->w->arg) : 0;
	}
	struct cr_quality_day d;
	memset(&d, 0, sizeof d);
	memcpy(d.inst, inst, sizeof d.inst);
	d.day = day;
	if (cr_quality_decode(s->v, s->vn, &d) || cr_quality_day_check(&d))
		return CR_ECORRUPT;
	return q->w->day_fn ? q->w->day_fn(&d, q->w->arg) : 0;
}

int cr_store_quality(cr_txn *txn, const char *inst, int32_t from, int32_t to,
		     const struct cr_quality_walk *w)
{
	uint8_t prefix[CR_KEY_QUALITY_PREFIX_LEN];
	struct qwalk q = {w, from, to};
	size_t pn = 1;
	memset(prefix, 0, sizeof prefix);
	prefix[0] = MK_QUALITY;
	if (inst) {
		if (!inst_ok(inst))
			return 0;
		memcpy(prefix + 1, inst, strlen(inst));
		pn = sizeof prefix;
	}
	return kv_walk(txn, CF_META, prefix, pn, NULL, 0, each_quality, &q);
}
