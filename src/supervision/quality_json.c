/*
 * quality_json.c - the data-quality figures (quality.h) as one JSON
 * object: {"from","to","as_of","institutions":[...],"days":[...],
 * "reasons":[...]}, the shape of GET /v1/supervision/quality and of
 * creditref quality (docs/quality.md).
 */
#include "quality.h"

#include <string.h>

#include "cr_buf.h"
#include "cr_date.h"

static uint64_t events(const struct cr_quality_day *d)
{
	uint64_t n = 0;
	for (int i = 0; i < CR_QUALITY_LAG_BUCKETS; i++)
		n += d->lag[i];
	return n;
}

static int put_counts(struct cr_buf *o, const struct cr_quality_day *d)
{
	return cr_buf_printf(o, "\"submitted\":%llu,\"accepted\":%llu,\"rejected\":%llu,"
			     "\"held\":%llu,\"unchanged\":%llu,\"late_corrections\":%llu,"
			     "\"events\":%llu,\"lag_p50_s\":%lld,\"lag_p99_s\":%lld",
			     (unsigned long long)d->submitted, (unsigned long long)d->accepted,
			     (unsigned long long)d->rejected, (unsigned long long)d->held,
			     (unsigned long long)d->unchanged, (unsigned long long)d->late,
			     (unsigned long long)events(d),
			     (long long)cr_quality_percentile(d->lag, 50),
			     (long long)cr_quality_percentile(d->lag, 99));
}

static int put_inst(struct cr_buf *o, const struct cr_quality_inst *in)
{
	int rc = cr_buf_printf(o, "{\"institution\":\"%s\",", in->total.inst);
	if (!rc)
		rc = put_counts(o, &in->total);
	if (!rc)
		rc = cr_buf_printf(o, ",\"borrowers\":%llu,\"borrowers_consented\":%llu,"
				   "\"consent_coverage_bp\":%llu,\"accounts\":%llu,"
				   "\"accounts_with_gaps\":%llu,\"months_missing\":%llu}",
				   (unsigned long long)in->borrowers,
				   (unsigned long long)in->borrowers_covered,
				   (unsigned long long)(in->borrowers ? in->borrowers_covered * 10000 /
							in->borrowers : 0),
				   (unsigned long long)in->accounts,
				   (unsigned long long)in->accounts_with_gaps,
				   (unsigned long long)in->months_missing);
	return rc;
}

static int put_day(struct cr_buf *o, const struct cr_quality_day *d)
{
	char day[11];
	cr_date_format(d->day, day);
	int rc = cr_buf_printf(o, "{\"institution\":\"%s\",\"day\":\"%s\",", d->inst, day);
	if (!rc)
		rc = put_counts(o, d);
	if (!rc)
		rc = cr_buf_putc(o, '}');
	return rc;
}

static int put_reason(struct cr_buf *o, const struct cr_quality_reason_row *r)
{
	int rc = cr_buf_printf(o, "{\"institution\":\"%s\",\"reason\":", r->inst);
	if (!rc)
		rc = cr_buf_put_json_str(o, r->reason, strlen(r->reason));
	if (!rc)
		rc = cr_buf_printf(o, ",\"rejected\":%llu}", (unsigned long long)r->n);
	return rc;
}

static int sep(struct cr_buf *o, size_t i)
{
	return i ? cr_buf_putc(o, ',') : 0;
}

int cr_quality_json(const struct cr_quality *q, struct cr_buf *o)
{
	char from[11], to[11], asof[11];
	cr_date_format(q->from, from);
	cr_date_format(q->to, to);
	cr_date_format(q->asof, asof);
	int rc = cr_buf_printf(o, "{\"from\":\"%s\",\"to\":\"%s\",\"as_of\":\"%s\","
			       "\"institutions\":[", from, to, asof);
	for (size_t i = 0; i < q->n_insts && !rc; i++)
		if (!(rc = sep(o, i)))
			rc = put_inst(o, &q->insts[i]);
	if (!rc)
		rc = cr_buf_puts(o, "],\"days\":[");
	for (size_t i = 0; i < q->n_days && !rc; i++)
		if (!(rc = sep(o, i)))
			rc = put_day(o, &q->days[i]);
	if (!rc)
		rc = cr_buf_puts(o, "],\"reasons\":[");
	for (size_t i = 0; i < q->n_reasons && !rc; i++)
		if (!(rc = sep(o, i)))
			rc = put_reason(o, &q->reasons[i]);
	if (!rc)
		rc = cr_buf_puts(o, "]}");
	return rc;
}
