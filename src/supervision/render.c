/*
 * render.c - the aggregates of one grouping as a JSON document, the same
 * for the CLI and the HTTP API.  A province or prefecture cell carries
 * its region's name after its key (null when the table has none); a cell
 * of the other groupings has no name.  A suppressed cell shows its key
 * (and name) and "suppressed": true, nothing else; rates are shares of the
 * cell's own published counts, with six decimals; the total is over
 * published cells.
 */
#include "sup_render.h"

#include <stdio.h>
#include <string.h>

#include "cr_date.h"

static int put_rate(struct cr_buf *o, uint64_t num, uint64_t den)
{
	return cr_buf_printf(o, "%.6f", den ? (double)num / (double)den : 0.0);
}

static int put_bands(struct cr_buf *o, const uint64_t *bands)
{
	uint64_t all = 0;
	for (int b = 0; b < CR_DPD_BANDS; b++)
		all += bands[b];
	int rc = cr_buf_puts(o, "\"delinquency\":{");
	for (int b = 0; !rc && b < CR_DPD_BANDS; b++)
		rc = cr_buf_printf(o, "%s\"%s\":%llu", b ? "," : "", cr_sup_band_name(b),
				   (unsigned long long)bands[b]);
	rc = rc ? rc : cr_buf_puts(o, "},\"delinquency_rates\":{");
	for (int b = 1; !rc && b < CR_DPD_BANDS; b++) {
		rc = cr_buf_printf(o, "%s\"%s\":", b > 1 ? "," : "", cr_sup_band_name(b));
		rc = rc ? rc : put_rate(o, bands[b], all);
	}
	return rc ? rc : cr_buf_putc(o, '}');
}

static int put_roll_row(struct cr_buf *o, const uint64_t *row, uint64_t min_cell)
{
	uint64_t from = 0;
	for (int b = 0; b <= CR_ROLL_ENDED; b++)
		from += row[b];
	if (from < min_cell)
		return cr_buf_puts(o, "null");
	int rc = cr_buf_printf(o, "{\"accounts\":%llu", (unsigned long long)from);
	for (int b = 0; !rc && b <= CR_ROLL_ENDED; b++) {
		rc = cr_buf_printf(o, ",\"%s\":",
				   b == CR_ROLL_ENDED ? "ended" : cr_sup_band_name(b));
		rc = rc ? rc : put_rate(o, row[b], from);
	}
	return rc ? rc : cr_buf_putc(o, '}');
}

static int put_roll(struct cr_buf *o, const struct cr_sup_cell *c, uint64_t min_cell)
{
	int rc = cr_buf_puts(o, ",\"roll_rates\":{");
	for (int b = 0; !rc && b < CR_DPD_BANDS; b++) {
		rc = cr_buf_printf(o, "%s\"%s\":", b ? "," : "", cr_sup_band_name(b));
		rc = rc ? rc : put_roll_row(o, c->roll[b], min_cell);
	}
	return rc ? rc : cr_buf_putc(o, '}');
}

static int put_multi(struct cr_buf *o, const struct cr_sup_cell *c)
{
	if (!c->multi_shown)
		return cr_buf_puts(o, ",\"multi_lending\":null");
	int rc = cr_buf_puts(o, ",\"multi_lending\":[");
	for (int i = 0; !rc && i <= c->multi_top; i++) {
		const int top = i == c->multi_top && i > 0;
		rc = cr_buf_printf(o, "%s{\"lenders\":\"%d%s\",\"borrowers\":%llu,"
				   "\"outstanding\":%lld}", i ? "," : "", i, top ? "+" : "",
				   (unsigned long long)c->multi[i],
				   (long long)c->multi_outstanding[i]);
	}
	return rc ? rc : cr_buf_putc(o, ']');
}

static int put_days(struct cr_buf *o, const char *name, const int64_t *v, int days)
{
	int rc = cr_buf_printf(o, "\"%s\":[", name);
	for (int d = 0; !rc && d < days; d++)
		rc = cr_buf_printf(o, "%s%lld", d ? "," : "", (long long)v[d]);
	return rc ? rc : cr_buf_putc(o, ']');
}

/* The month's events by day, one entry per day of the month. */
static int put_daily(struct cr_buf *o, const struct cr_sup_cell *c, int days)
{
	int rc = cr_buf_puts(o, ",\"daily\":{");
	rc = rc ? rc : put_days(o, "drawdowns", c->day_drawdowns, days);
	rc = rc ? rc : cr_buf_putc(o, ',');
	rc = rc ? rc : put_days(o, "repayment_events", c->day_repayments, days);
	return rc ? rc : cr_buf_putc(o, '}');
}

/* "key" and, in a named grouping, "name": derived from the key alone. */
static int put_key(struct cr_buf *o, enum cr_sup_by by, const char *key)
{
	int rc = cr_buf_puts(o, "{\"key\":");
	rc = rc ? rc : cr_buf_put_json_str(o, key, strlen(key));
	if (rc || !cr_sup_by_named(by))
		return rc;
	const char *name = cr_sup_cell_name(by, key);
	rc = cr_buf_puts(o, ",\"name\":");
	if (!name)
		return rc ? rc : cr_buf_puts(o, "null");
	return rc ? rc : cr_buf_put_json_str(o, name, strlen(name));
}

static int put_cell(struct cr_buf *o, enum cr_sup_by by, const struct cr_sup_cell *c,
		    uint64_t min_cell, int days)
{
	int rc = put_key(o, by, c->key);
	if (!rc && c->suppressed != CR_SUP_SHOWN)
		return cr_buf_puts(o, ",\"suppressed\":true}");
	rc = rc ? rc : cr_buf_printf(o, ",\"suppressed\":false,\"borrowers\":%llu,"
				     "\"accounts\":%llu,\"outstanding\":%lld,"
				     "\"new_lending\":%lld,\"repayments\":%lld,",
				     (unsigned long long)c->borrowers,
				     (unsigned long long)c->accounts, (long long)c->outstanding,
				     (long long)c->new_lending, (long long)c->repayments);
	rc = rc ? rc : put_bands(o, c->bands);
	rc = rc ? rc : put_roll(o, c, min_cell);
	rc = rc ? rc : put_multi(o, c);
	rc = rc ? rc : put_daily(o, c, days);
	return rc ? rc : cr_buf_putc(o, '}');
}

static int put_total(struct cr_buf *o, const struct cr_sup_table *t, const char *only)
{
	struct cr_sup_cell sum;
	memset(&sum, 0, sizeof sum);
	for (size_t i = 0; i < t->n; i++) {
		const struct cr_sup_cell *c = &t->cells[i];
		if (c->suppressed != CR_SUP_SHOWN || (only && strcmp(c->key, only) != 0))
			continue;
		sum.accounts += c->accounts;
		sum.outstanding += c->outstanding;
		sum.new_lending += c->new_lending;
		sum.repayments += c->repayments;
		for (int b = 0; b < CR_DPD_BANDS; b++)
			sum.bands[b] += c->bands[b];
	}
	int rc = cr_buf_printf(o, "\"total_published\":{\"accounts\":%llu,\"outstanding\":%lld,"
			       "\"new_lending\":%lld,\"repayments\":%lld,",
			       (unsigned long long)sum.accounts, (long long)sum.outstanding,
			       (long long)sum.new_lending, (long long)sum.repayments);
	rc = rc ? rc : put_bands(o, sum.bands);
	return rc ? rc : cr_buf_putc(o, '}');
}

int cr_sup_json(const struct cr_sup_month *m, enum cr_sup_by by, const char *only,
		struct cr_buf *o)
{
	char month[8];
	cr_month_format(m->month, month);
	const struct cr_sup_table *t = &m->by[by];
	int rc = cr_buf_printf(o, "{\"month\":\"%s\",\"by\":\"%s\",\"min_cell\":%llu,"
			       "\"cells\":[", month, cr_sup_by_name(by),
			       (unsigned long long)m->min_cell);
	int first = 1;
	const int days = cr_month_first_day(m->month + 1) - cr_month_first_day(m->month);
	for (size_t i = 0; !rc && i < t->n; i++) {
		if (only && strcmp(t->cells[i].key, only) != 0)
			continue;
		rc = first ? 0 : cr_buf_putc(o, ',');
		rc = rc ? rc : put_cell(o, by, &t->cells[i], m->min_cell, days);
		first = 0;
	}
	rc = rc ? rc : cr_buf_puts(o, "],");
	rc = rc ? rc : put_total(o, t, only);
	return rc ? rc : cr_buf_puts(o, "}\n");
}
