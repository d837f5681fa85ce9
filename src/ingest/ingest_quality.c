/*
 * ingest_quality.c - per-furnisher quality counters of an ingest session;
 * see ingest_quality.h.
 */
#include "ingest_quality.h"

#include <stdlib.h>
#include <string.h>

#include "cr_date.h"
#include "cr_err.h"
#include "ingest.h"

int64_t cr_qual_arrival(int32_t asof_days, int64_t now_s)
{
	const int64_t lo = cr_day_start_s(asof_days), hi = cr_day_end_s(asof_days);
	return now_s < lo ? lo : now_s > hi ? hi : now_s;
}

int cr_qual_bucket(int64_t s)
{
	int b = 0;
	while (s > 0 && b < CR_QUALITY_LAG_BUCKETS - 1) {
		s >>= 1;
		b++;
	}
	return b;
}

/* The entry of inst, added when new; NULL when out of memory. */
static struct cr_qual_inst *entry(struct cr_ingest_qual *q, const char *inst)
{
	if (q->last < q->n && strcmp(q->v[q->last].d.inst, inst) == 0)
		return &q->v[q->last];
	for (size_t i = 0; i < q->n; i++) {
		if (strcmp(q->v[i].d.inst, inst) == 0) {
			q->last = i;
			return &q->v[i];
		}
	}
	if (q->n == q->cap) {
		const size_t cap = q->cap ? 2 * q->cap : 4;
		struct cr_qual_inst *v = realloc(q->v, cap * sizeof *v);
		if (!v)
			return NULL;
		q->v = v;
		q->cap = cap;
	}
	struct cr_qual_inst *e = &q->v[q->n];
	memset(e, 0, sizeof *e);
	memcpy(e->d.inst, inst, strnlen(inst, CR_INST_CODE_MAX));
	q->last = q->n++;
	return e;
}

static void count_reason(struct cr_qual_inst *e, const char *reason)
{
	unsigned i;
	for (i = 0; i < e->n_reasons; i++)
		if (strncmp(e->reasons[i].reason, reason, CR_QUALITY_REASON_MAX) == 0)
			break;
	if (i == e->n_reasons) {
		if (i == CR_QUALITY_REASONS_MAX) {
			reason = "other";
			i--;
		}
		e->n_reasons = i + 1;
		memset(e->reasons[i].reason, 0, sizeof e->reasons[i].reason);
		memcpy(e->reasons[i].reason, reason, strnlen(reason, CR_QUALITY_REASON_MAX));
	}
	e->reasons[i].n++;
}

int cr_qual_count(struct cr_ingest_qual *q, const struct cr_qual_line *l)
{
	const char *inst = l->inst && l->inst[0] ? l->inst : CR_QUALITY_NO_INST;
	struct cr_qual_inst *e = entry(q, inst);
	if (!e)
		return CR_ENOMEM;
	struct cr_quality_day *d = &e->d;
	d->submitted++;
	switch (l->outcome) {
	case CR_OUT_ACCEPTED: d->accepted++; break;
	case CR_OUT_HELD: d->held++; break;
	case CR_OUT_UNCHANGED: d->unchanged++; return 0;
	default:
		d->rejected++;
		count_reason(e, l->reason && l->reason[0] ? l->reason : "rejected");
		return 0;
	}
	d->late += l->late != 0;
	if (l->has_lag)
		d->lag[cr_qual_bucket(q->arrival_s - l->at_s)]++;
	return 0;
}

int cr_qual_flush(struct cr_ingest_qual *q, cr_txn *txn, int32_t day)
{
	int rc = 0;
	for (size_t i = 0; i < q->n && !rc; i++) {
		struct cr_qual_inst *e = &q->v[i];
		e->d.day = day;
		rc = cr_store_quality_add(txn, &e->d);
		for (unsigned r = 0; r < e->n_reasons && !rc; r++)
			rc = cr_store_quality_reason_add(txn, e->d.inst, day,
							 e->reasons[r].reason,
							 e->reasons[r].n);
	}
	q->n = 0;
	q->last = 0;
	return rc;
}

void cr_qual_free(struct cr_ingest_qual *q)
{
	free(q->v);
	memset(q, 0, sizeof *q);
}
