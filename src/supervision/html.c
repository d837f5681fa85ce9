/*
 * html.c - the supervisor's page: one self-contained HTML file, charts
 * drawn as inline SVG by hand, no script, no style sheet or font fetched.
 *
 * Charts, from the institution grouping of each month (published cells
 * only; a suppressed cell is a gap):
 *   1. the share of accounts past due (1+ days) per institution, by month;
 *   2. the roll rates of the last month, over every published cell;
 *   3. multi-lending in the last month: each institution's borrowers by how
 *      many lenders they owe;
 * and from the province grouping of the last month:
 *   4. the share of accounts past due per province, each labelled with its
 *      name from the region table (region.h, escaped as text) and code; a
 *      suppressed province says so and shows nothing else.
 * Further charts (funding shares, data quality) come ready-made, as
 * <section>s the caller renders (quality.h, colending.h), and are put
 * after these.
 */
#include "sup_render.h"

#include <string.h>

#include "cr_date.h"
#include "cr_err.h"

#define W 720
#define H 300
#define PAD 48

static const char *const palette[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
#define PALETTE (sizeof palette / sizeof palette[0])

static double past_due(const struct cr_sup_cell *c)
{
	uint64_t late = 0;
	for (int b = 1; b < CR_DPD_BANDS; b++)
		late += c->bands[b];
	return c->accounts ? (double)late / (double)c->accounts : 0.0;
}

static const struct cr_sup_cell *find(const struct cr_sup_month *m, const char *key)
{
	const struct cr_sup_table *t = &m->by[CR_SUP_BY_INSTITUTION];
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->cells[i].key, key) == 0)
			return t->cells[i].suppressed == CR_SUP_SHOWN ? &t->cells[i] : NULL;
	return NULL;
}

static double max_rate(const struct cr_sup_month *ms, size_t n)
{
	double mx = 0.01;
	for (size_t i = 0; i < n; i++) {
		const struct cr_sup_table *t = &ms[i].by[CR_SUP_BY_INSTITUTION];
		for (size_t j = 0; j < t->n; j++)
			if (t->cells[j].suppressed == CR_SUP_SHOWN && past_due(&t->cells[j]) > mx)
				mx = past_due(&t->cells[j]);
	}
	return mx;
}

static void axes(FILE *f, const struct cr_sup_month *ms, size_t n, double ymax)
{
	fprintf(f, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#000'/>"
		   "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#000'/>",
		PAD, H - PAD, W - PAD, H - PAD, PAD, PAD / 2, PAD, H - PAD);
	for (int k = 0; k <= 4; k++) {
		const double y = H - PAD - k * (H - 1.5 * PAD) / 4;
		fprintf(f, "<text x='4' y='%.0f' font-size='10'>%.1f%%</text>", y + 3,
			100.0 * ymax * k / 4);
	}
	for (size_t i = 0; i < n; i++) {
		char m[8];
		cr_month_format(ms[i].month, m);
		const double x = PAD + (n > 1 ? (double)i * (W - 2 * PAD) / (double)(n - 1) : 0);
		fprintf(f, "<text x='%.0f' y='%d' font-size='10' text-anchor='middle'>%s</text>",
			x, H - PAD + 14, m);
	}
}

static void line_of(FILE *f, const struct cr_sup_month *ms, size_t n, const char *key,
		    double ymax, const char *colour)
{
	fprintf(f, "<polyline fill='none' stroke='%s' stroke-width='2' points='", colour);
	for (size_t i = 0; i < n; i++) {
		const struct cr_sup_cell *c = find(&ms[i], key);
		if (!c) {
			fprintf(f, "'/><polyline fill='none' stroke='%s' stroke-width='2' points='",
				colour);
			continue;
		}
		const double x = PAD + (n > 1 ? (double)i * (W - 2 * PAD) / (double)(n - 1) : 0);
		const double y = H - PAD - past_due(c) / ymax * (H - 1.5 * PAD);
		fprintf(f, "%.1f,%.1f ", x, y);
	}
	fprintf(f, "'/>");
}

static int chart_delinquency(FILE *f, const struct cr_sup_month *ms, size_t n)
{
	const struct cr_sup_table *last = &ms[n - 1].by[CR_SUP_BY_INSTITUTION];
	const double ymax = max_rate(ms, n);
	fprintf(f, "<section><h2>Accounts past due (1+ days) per institution</h2>"
		   "<svg width='%d' height='%d'>", W, H);
	axes(f, ms, n, ymax);
	for (size_t j = 0; j < last->n; j++)
		line_of(f, ms, n, last->cells[j].key, ymax, palette[j % PALETTE]);
	fprintf(f, "</svg><p>");
	for (size_t j = 0; j < last->n; j++)
		fprintf(f, "<span style='color:%s'>&#9632; %s</span> ", palette[j % PALETTE],
			last->cells[j].key);
	fprintf(f, "</p></section>\n");
	return 0;
}

static void roll_total(const struct cr_sup_month *m, uint64_t roll[CR_DPD_BANDS][CR_DPD_BANDS + 1])
{
	const struct cr_sup_table *t = &m->by[CR_SUP_BY_INSTITUTION];
	memset(roll, 0, sizeof(uint64_t) * CR_DPD_BANDS * (CR_DPD_BANDS + 1));
	for (size_t i = 0; i < t->n; i++)
		for (int a = 0; t->cells[i].suppressed == CR_SUP_SHOWN && a < CR_DPD_BANDS; a++)
			for (int b = 0; b <= CR_ROLL_ENDED; b++)
				roll[a][b] += t->cells[i].roll[a][b];
}

static void roll_cell(FILE *f, int a, int b, uint64_t num, uint64_t den, uint64_t min)
{
	const int x = 90 + b * 80, y = 40 + a * 30;
	if (den < min) {
		fprintf(f, "<text x='%d' y='%d' font-size='11'>-</text>", x + 30, y + 19);
		return;
	}
	const double r = (double)num / (double)den;
	fprintf(f, "<rect x='%d' y='%d' width='78' height='28' fill='rgb(255,%d,%d)'/>"
		   "<text x='%d' y='%d' font-size='11' text-anchor='middle'>%.1f%%</text>",
		x, y, (int)(255 - 200 * r), (int)(255 - 200 * r), x + 39, y + 19, 100 * r);
}

static int chart_roll(FILE *f, const struct cr_sup_month *ms, size_t n)
{
	uint64_t roll[CR_DPD_BANDS][CR_DPD_BANDS + 1];
	roll_total(&ms[n - 1], roll);
	fprintf(f, "<section><h2>Roll rates into the last month (from the row's band a month "
		   "before to the column's)</h2><svg width='%d' height='%d'>", 90 + 7 * 80,
		40 + CR_DPD_BANDS * 30 + 10);
	for (int b = 0; b <= CR_ROLL_ENDED; b++)
		fprintf(f, "<text x='%d' y='30' font-size='11' text-anchor='middle'>%s</text>",
			90 + b * 80 + 39, b == CR_ROLL_ENDED ? "ended" : cr_sup_band_name(b));
	for (int a = 0; a < CR_DPD_BANDS; a++) {
		uint64_t den = 0;
		for (int b = 0; b <= CR_ROLL_ENDED; b++)
			den += roll[a][b];
		fprintf(f, "<text x='10' y='%d' font-size='11'>%s dpd</text>", 40 + a * 30 + 19,
			cr_sup_band_name(a));
		for (int b = 0; b <= CR_ROLL_ENDED; b++)
			roll_cell(f, a, b, roll[a][b], den, ms[n - 1].min_cell);
	}
	fprintf(f, "</svg></section>\n");
	return 0;
}

static void multi_bar(FILE *f, const struct cr_sup_cell *c, int row)
{
	const int y = 30 + row * 24;
	double x = 100;
	fprintf(f, "<text x='4' y='%d' font-size='11'>%s</text>", y + 14, c->key);
	if (!c->multi_shown) {
		fprintf(f, "<text x='100' y='%d' font-size='11'>suppressed</text>", y + 14);
		return;
	}
	for (int i = 0; i <= c->multi_top; i++) {
		const double w = c->borrowers ? 560.0 * (double)c->multi[i] / (double)c->borrowers : 0;
		fprintf(f, "<rect x='%.1f' y='%d' width='%.1f' height='20' fill='%s'>"
			   "<title>%d%s lenders: %llu</title></rect>", x, y, w, palette[i % PALETTE],
			i, i == c->multi_top && i ? "+" : "", (unsigned long long)c->multi[i]);
		x += w;
	}
}

static int chart_multi(FILE *f, const struct cr_sup_month *ms, size_t n)
{
	const struct cr_sup_table *t = &ms[n - 1].by[CR_SUP_BY_INSTITUTION];
	int rows = 0;
	fprintf(f, "<section><h2>Multi-lending in the last month: borrowers by number of "
		   "lenders owed</h2><svg width='%d' height='%d'>", W, 40 + (int)t->n * 24);
	for (size_t i = 0; i < t->n; i++)
		if (t->cells[i].suppressed == CR_SUP_SHOWN)
			multi_bar(f, &t->cells[i], rows++);
	fprintf(f, "</svg><p>");
	for (int i = 0; i < CR_SUP_LENDER_BINS; i++)
		fprintf(f, "<span style='color:%s'>&#9632; %d%s</span> ", palette[i],
			i, i == CR_SUP_LENDER_BINS - 1 ? "+" : "");
	fprintf(f, " lenders (the highest bin shown is that many or more)</p></section>\n");
	return 0;
}

/* Writes s as the text of an element or a quoted attribute. */
static void put_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '\'': fputs("&#39;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f); break;
		}
	}
}

static void province_bar(FILE *f, const struct cr_sup_cell *c, int row, double xmax)
{
	const int y = 30 + row * 22;
	const char *name = cr_sup_cell_name(CR_SUP_BY_PROVINCE, c->key);
	fprintf(f, "<text x='4' y='%d' font-size='11'>", y + 14);
	if (name) {
		put_text(f, name);
		fputs(" (", f);
	}
	put_text(f, c->key);
	fprintf(f, "%s</text>", name ? ")" : "");
	if (c->suppressed != CR_SUP_SHOWN) {
		fprintf(f, "<text x='200' y='%d' font-size='11'>suppressed</text>", y + 14);
		return;
	}
	const double w = 440.0 * past_due(c) / xmax;
	fprintf(f, "<rect x='200' y='%d' width='%.1f' height='18' fill='%s'/>"
		   "<text x='%.1f' y='%d' font-size='11'>%.2f%%</text>", y, w, palette[0],
		204 + w, y + 14, 100 * past_due(c));
}

static int chart_provinces(FILE *f, const struct cr_sup_month *m)
{
	const struct cr_sup_table *t = &m->by[CR_SUP_BY_PROVINCE];
	double xmax = 0.01;
	for (size_t i = 0; i < t->n; i++)
		if (t->cells[i].suppressed == CR_SUP_SHOWN && past_due(&t->cells[i]) > xmax)
			xmax = past_due(&t->cells[i]);
	fprintf(f, "<section><h2>Accounts past due (1+ days) per province in the last "
		   "month</h2><svg width='%d' height='%d'>", W, 40 + (int)t->n * 22);
	for (size_t i = 0; i < t->n; i++)
		province_bar(f, &t->cells[i], (int)i, xmax);
	fprintf(f, "</svg></section>\n");
	return 0;
}

int cr_sup_html(FILE *f, const struct cr_sup_month *ms, size_t n, const char *extra,
		size_t extra_len)
{
	if (n == 0)
		return CR_EINVAL;
	char first[8], last[8];
	cr_month_format(ms[0].month, first);
	cr_month_format(ms[n - 1].month, last);
	fprintf(f, "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
		   "<title>creditref supervision %s to %s</title></head>"
		   "<body style='font-family:sans-serif'><h1>Market aggregates %s to %s</h1>"
		   "<p>Cells of fewer than %llu borrowers are suppressed "
		   "(docs/supervision.md).</p>\n", first, last, first, last,
		(unsigned long long)ms[n - 1].min_cell);
	int rc = chart_delinquency(f, ms, n);
	rc = rc ? rc : chart_roll(f, ms, n);
	rc = rc ? rc : chart_multi(f, ms, n);
	rc = rc ? rc : chart_provinces(f, &ms[n - 1]);
	if (!rc && extra_len && fwrite(extra, 1, extra_len, f) != extra_len)
		rc = CR_EIO;
	fprintf(f, "</body></html>\n");
	return rc ? rc : ferror(f) ? CR_EIO : 0;
}
