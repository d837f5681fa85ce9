/*
 * charts_quality.c - the supervision figures of docs/quality.md as SVG
 * fragments (one <svg> element each) for an HTML page: data-quality trends
 * per ingest day, and co-lending own shares per month against the floor.
 *
 * Plain SVG 1.1, no script and no external reference; every text is an
 * institution code (escaped) or a number.  Coordinates are integers
 * computed in basis points, so the output is the same on every machine.
 */
#include <stdlib.h>
#include <string.h>

#include "colending.h"
#include "cr_buf.h"
#include "cr_date.h"
#include "cr_err.h"
#include "quality.h"

#define W 640
#define H 220
#define ML 48   /* left margin: the axis labels */
#define MR 120  /* right margin: the legend */
#define MT 16
#define MB 28

static int x_of(int64_t i, int64_t n)
{
	return ML + (int)(n > 1 ? i * (W - ML - MR) / (n - 1) : (W - ML - MR) / 2);
}

static int y_of(int64_t bp)
{
	bp = bp < 0 ? 0 : bp > 10000 ? 10000 : bp;
	return MT + (int)((10000 - bp) * (H - MT - MB) / 10000);
}

static int open_svg(struct cr_buf *o, const char *title)
{
	int rc = cr_buf_printf(o, "<svg width=\"%d\" "
			       "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\"><title>",
			       W, H, W, H);
	if (!rc)
		rc = cr_buf_puts(o, title);
	if (!rc)
		rc = cr_buf_printf(o, "</title><g font-family=\"sans-serif\" font-size=\"10\">"
				   "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>"
				   "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>",
				   ML, MT, ML, H - MB, ML, H - MB, W - MR, H - MB);
	for (int p = 0; p <= 100 && !rc; p += 25)
		rc = cr_buf_printf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%d%%</text>",
				   ML - 4, y_of(p * 100) + 3, p);
	return rc;
}

/* An x-axis label under position x. */
static int x_label(struct cr_buf *o, int x, const char *s)
{
	return cr_buf_printf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>",
			     x, H - MB + 14, s);
}

static int legend(struct cr_buf *o, int row, const char *color, const char *name, int dashed)
{
	int rc = cr_buf_printf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"%s/>"
			       "<text x=\"%d\" y=\"%d\">", W - MR + 8, MT + 8 + 14 * row,
			       W - MR + 24, MT + 8 + 14 * row, color,
			       dashed ? " stroke-dasharray=\"4 3\"" : "", W - MR + 28,
			       MT + 12 + 14 * row);
	for (const char *p = name; *p && !rc; p++)
		rc = *p == '<' ? cr_buf_puts(o, "&lt;") : *p == '&' ? cr_buf_puts(o, "&amp;")
		     : cr_buf_putc(o, *p);
	return rc ? rc : cr_buf_puts(o, "</text>");
}

/* One polyline of the points (i, bp[i]) where has[i], each point marked
 * too: a day alone (one ingest) is a dot, not an invisible line. */
static int series(struct cr_buf *o, const int64_t *bp, const uint8_t *has, int64_t n,
		  const char *color, int dashed)
{
	int rc = cr_buf_printf(o, "<polyline fill=\"none\" stroke=\"%s\"%s points=\"", color,
			       dashed ? " stroke-dasharray=\"4 3\"" : "");
	for (int64_t i = 0; i < n && !rc; i++)
		if (has[i])
			rc = cr_buf_printf(o, "%d,%d ", x_of(i, n), y_of(bp[i]));
	if (!rc)
		rc = cr_buf_puts(o, "\"/>");
	for (int64_t i = 0; i < n && !rc; i++)
		if (has[i])
			rc = cr_buf_printf(o, "<circle cx=\"%d\" cy=\"%d\" r=\"2.5\" fill=\"%s\"/>",
					   x_of(i, n), y_of(bp[i]), color);
	return rc;
}

struct qsum {
	uint64_t sub, rej, held, late;
};

/* The shares per day of inst's rows (NULL: every furnisher's). */
static void quality_shares(const struct cr_quality *q, const char *inst, struct qsum *s,
			   int64_t *bp, uint8_t *has, int64_t n)
{
	for (size_t i = 0; i < q->n_days; i++) {
		const struct cr_quality_day *d = &q->days[i];
		if ((inst && strcmp(d->inst, inst) != 0) || d->day < q->from || d->day > q->to)
			continue;
		struct qsum *t = &s[d->day - q->from];
		t->sub += d->submitted;
		t->rej += d->rejected;
		t->held += d->held;
		t->late += d->late;
	}
	for (int64_t i = 0; i < n; i++) {
		has[i] = s[i].sub > 0;
		const uint64_t sub = s[i].sub ? s[i].sub : 1;
		bp[i] = (int64_t)(s[i].rej * 10000 / sub);
		bp[n + i] = (int64_t)(s[i].held * 10000 / sub);
		bp[2 * n + i] = (int64_t)(s[i].late * 10000 / sub);
	}
}

int cr_quality_svg(const struct cr_quality *q, const char *inst, struct cr_buf *out)
{
	const int64_t n = (int64_t)q->to - q->from + 1;
	if (n < 1 || n > CR_QUALITY_DAYS_MAX)
		return CR_EINVAL;
	struct qsum *s = calloc((size_t)n, sizeof *s);
	int64_t *bp = calloc(3 * (size_t)n, sizeof *bp);
	uint8_t *has = calloc((size_t)n, 1);
	int rc = s && bp && has ? 0 : CR_ENOMEM;
	char a[11], b[11];
	if (!rc) {
		quality_shares(q, inst, s, bp, has, n);
		cr_date_format(q->from, a);
		cr_date_format(q->to, b);
		rc = open_svg(out, "Data quality: share of lines submitted, per ingest day");
	}
	if (!rc && !(rc = x_label(out, x_of(0, n), a)) && n > 1)
		rc = x_label(out, x_of(n - 1, n), b);
	if (!rc)
		rc = series(out, bp, has, n, "#c0392b", 0);
	if (!rc)
		rc = series(out, bp + n, has, n, "#e67e22", 0);
	if (!rc)
		rc = series(out, bp + 2 * n, has, n, "#2c3e50", 1);
	if (!rc && !(rc = legend(out, 0, "#c0392b", "rejected", 0)) &&
	    !(rc = legend(out, 1, "#e67e22", "held", 0)) &&
	    !(rc = legend(out, 2, "#2c3e50", "late corrections", 1)))
		rc = legend(out, 3, "none", inst ? inst : "all furnishers", 0);
	if (!rc)
		rc = cr_buf_puts(out, "</g></svg>");
	free(s);
	free(bp);
	free(has);
	return rc;
}

static const char *const colors[] = {"#1f77b4", "#2ca02c", "#9467bd", "#8c564b",
				     "#17becf", "#7f7f7f", "#bcbd22", "#e377c2"};
#define N_COLORS (sizeof colors / sizeof colors[0])

/* The own share of one platform over the months, its points below the
 * floor circled. */
static int platform_line(const struct cr_colending *c, const char *platform,
			 const char *color, struct cr_buf *o)
{
	const int64_t n = (int64_t)c->to - c->from + 1;
	int rc = cr_buf_printf(o, "<polyline fill=\"none\" stroke=\"%s\" points=\"", color);
	for (size_t i = 0; i < c->n_platforms && !rc; i++) {
		const struct cr_colending_platform *p = &c->platforms[i];
		if (strcmp(p->platform, platform) == 0)
			rc = cr_buf_printf(o, "%d,%d ", x_of(p->month - c->from, n),
					   y_of(p->own_share_bp));
	}
	if (!rc)
		rc = cr_buf_puts(o, "\"/>");
	for (size_t i = 0; i < c->n_platforms && !rc; i++) {
		const struct cr_colending_platform *p = &c->platforms[i];
		if (strcmp(p->platform, platform) == 0 && p->flagged)
			rc = cr_buf_printf(o, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"#c0392b\"/>",
					   x_of(p->month - c->from, n), y_of(p->own_share_bp));
	}
	return rc;
}

/* Is platforms[i] the first row of its platform? */
static int first_of(const struct cr_colending *c, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(c->platforms[j].platform, c->platforms[i].platform) == 0)
			return 0;
	return 1;
}

int cr_colending_svg(const struct cr_colending *c, struct cr_buf *out)
{
	const int64_t n = (int64_t)c->to - c->from + 1;
	char a[8], b[8];
	if (n < 1 || n > CR_COLENDING_MONTHS_MAX)
		return CR_EINVAL;
	cr_month_format(c->from, a);
	cr_month_format(c->to, b);
	int rc = open_svg(out, "Co-lending: each platform's own share of what it arranged");
	if (!rc && !(rc = x_label(out, x_of(0, n), a)) && n > 1)
		rc = x_label(out, x_of(n - 1, n), b);
	if (!rc)
		rc = cr_buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
				   "stroke=\"#c0392b\" stroke-dasharray=\"4 3\"/>",
				   ML, y_of(c->floor_bp), W - MR, y_of(c->floor_bp));
	if (!rc)
		rc = legend(out, 0, "#c0392b", "floor", 1);
	unsigned k = 0;
	for (size_t i = 0; i < c->n_platforms && !rc; i++) {
		if (!first_of(c, i))
			continue;
		const char *color = colors[k % N_COLORS];
		rc = platform_line(c, c->platforms[i].platform, color, out);
		if (!rc && k < 10)
			rc = legend(out, (int)k + 1, color, c->platforms[i].platform, 0);
		k++;
	}
	if (!rc)
		rc = cr_buf_puts(out, "</g></svg>");
	return rc;
}
