/*
 * colending_json.c - the co-lending funding shares (colending.h) as one
 * JSON object: {"from","to","as_of","floor_bp","platforms":[...],
 * "partners":[...]}, the shape of GET /v1/supervision/colending and of
 * creditref colending (docs/quality.md).
 */
#include "colending.h"

#include "cr_buf.h"
#include "cr_date.h"

static int put_platform(struct cr_buf *o, const struct cr_colending_platform *p)
{
	char m[8];
	cr_month_format(p->month, m);
	return cr_buf_printf(o, "{\"month\":\"%s\",\"platform\":\"%s\",\"outstanding\":%lld,"
			     "\"own_funded\":%lld,\"own_share_bp\":%u,\"accounts\":%llu,"
			     "\"below_floor\":%s}", m, p->platform, (long long)p->outstanding,
			     (long long)p->own, p->own_share_bp,
			     (unsigned long long)p->accounts, p->flagged ? "true" : "false");
}

static int put_partner(struct cr_buf *o, const struct cr_colending_partner *q)
{
	char m[8];
	cr_month_format(q->month, m);
	return cr_buf_printf(o, "{\"month\":\"%s\",\"platform\":\"%s\",\"partner\":\"%s\","
			     "\"funded\":%lld,\"accounts\":%llu}", m, q->platform, q->partner,
			     (long long)q->funded, (unsigned long long)q->accounts);
}

static int sep(struct cr_buf *o, size_t i)
{
	return i ? cr_buf_putc(o, ',') : 0;
}

int cr_colending_json(const struct cr_colending *c, struct cr_buf *o)
{
	char from[8], to[8], asof[11];
	cr_month_format(c->from, from);
	cr_month_format(c->to, to);
	cr_date_format(c->asof, asof);
	int rc = cr_buf_printf(o, "{\"from\":\"%s\",\"to\":\"%s\",\"as_of\":\"%s\","
			       "\"floor_bp\":%u,\"platforms\":[", from, to, asof, c->floor_bp);
	for (size_t i = 0; i < c->n_platforms && !rc; i++)
		if (!(rc = sep(o, i)))
			rc = put_platform(o, &c->platforms[i]);
	if (!rc)
		rc = cr_buf_puts(o, "],\"partners\":[");
	for (size_t i = 0; i < c->n_partners && !rc; i++)
		if (!(rc = sep(o, i)))
			rc = put_partner(o, &c->partners[i]);
	if (!rc)
		rc = cr_buf_puts(o, "]}");
	return rc;
}
