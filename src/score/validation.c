/*
 * validation.c - the measures of a fitted scorecard on its two samples,
 * and the report (validation.h).
 *
 * The report is three text files written with stdio: an HTML page with
 * inline styles and two SVG plots it links, drawn by hand (axes, a
 * polyline per curve, bars per score band), so it opens in any browser,
 * from any directory, without the network.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cr_err.h"
#include "validation.h"

/* The rows of one sample, copied out. */
struct sample {
	size_t n;
	int *score;
	double *pd;
	uint8_t *y;
};

static int split(const struct cr_scored *s, int test, struct sample *o)
{
	memset(o, 0, sizeof *o);
	o->score = malloc((s->n ? s->n : 1) * sizeof *o->score);
	o->pd = malloc((s->n ? s->n : 1) * sizeof *o->pd);
	o->y = malloc(s->n ? s->n : 1);
	if (!o->score || !o->pd || !o->y)
		return CR_ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		if (!s->test[i] != !test)
			continue;
		o->score[o->n] = s->score[i];
		o->pd[o->n] = s->pd[i];
		o->y[o->n++] = s->y[i];
	}
	return 0;
}

static void sample_free(struct sample *o)
{
	free(o->score);
	free(o->pd);
	free(o->y);
}

static int measure(const struct sample *o, struct cr_sample_fit *f)
{
	f->rows = o->n;
	f->bads = 0;
	for (size_t i = 0; i < o->n; i++)
		f->bads += o->y[i];
	f->auc = f->ks = f->gini = NAN;
	if (f->bads == 0 || f->bads == o->n)
		return 0;
	int rc = cr_metrics_auc(o->pd, o->y, o->n, &f->auc);
	if (rc == 0)
		rc = cr_metrics_ks(o->pd, o->y, o->n, &f->ks);
	f->gini = cr_metrics_gini(f->auc);
	return rc;
}

int cr_validation_compute(const struct cr_scored *s, struct cr_validation *v)
{
	struct sample tr = {0}, te = {0};
	memset(v, 0, sizeof *v);
	int rc = split(s, 0, &tr);
	if (rc == 0)
		rc = split(s, 1, &te);
	if (rc == 0)
		rc = measure(&tr, &v->train);
	if (rc == 0)
		rc = measure(&te, &v->test);
	v->psi = NAN;
	if (rc == 0 && tr.n && te.n)
		rc = cr_metrics_psi(tr.score, tr.n, te.score, te.n, &v->psi);
	const struct sample *g = isnan(v->test.auc) ? &tr : &te;
	v->gains_of_test = g == &te;
	if (rc == 0 && g->n && cr_metrics_gains(g->score, g->y, g->n, v->gains) == 0)
		v->have_gains = 1;
	sample_free(&tr);
	sample_free(&te);
	return rc;
}

/* Plot geometry: a square plot area inside a 480 x 480 picture. */
#define SVG_W 480
#define PLOT_X0 60.0
#define PLOT_Y0 20.0
#define PLOT_SIDE 380.0

static double px(double share)
{
	return PLOT_X0 + share * PLOT_SIDE;
}

static double py(double share)
{
	return PLOT_Y0 + (1.0 - share) * PLOT_SIDE;
}

/* Frame, ticks at every fifth and the two axis titles. */
static void svg_axes(FILE *f, const char *xtitle, const char *ytitle, double x_lo, double x_hi,
		     double y_hi)
{
	fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
		   "stroke=\"#444\"/>\n", PLOT_X0, PLOT_Y0, PLOT_SIDE, PLOT_SIDE);
	for (int i = 0; i <= 5; i++) {
		const double t = i / 5.0;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>"
			   "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%g</text>\n",
			px(t), py(0), px(t), py(0) + 5, px(t), py(0) + 18, x_lo + t * (x_hi - x_lo));
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>"
			   "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%.2g</text>\n",
			px(0) - 5, py(t), px(0), py(t), px(0) - 8, py(t) + 4, t * y_hi);
	}
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\">%s</text>\n",
		px(0.5), py(0) + 38, xtitle);
	fprintf(f, "<text x=\"14\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\" "
		   "transform=\"rotate(-90 14 %.1f)\">%s</text>\n", py(0.5), py(0.5), ytitle);
}

static void svg_roc_curve(FILE *f, const struct sample *o, const char *color, const char *label,
			  double auc, int slot)
{
	struct cr_roc_point pts[400];
	size_t n = 0;
	if (isnan(auc) || cr_metrics_roc(o->pd, o->y, o->n, pts, 400, &n))
		return;
	fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", color);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%.1f,%.1f ", px(pts[i].fpr), py(pts[i].tpr));
	fprintf(f, "\"/>\n<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" fill=\"%s\">%s AUC %.4f</text>\n",
		px(0.55), py(0.2) - 16.0 * slot, color, label, auc);
}

static int write_roc(const char *path, const struct cr_scored *s, const struct cr_validation *v)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return CR_EIO;
	struct sample tr = {0}, te = {0};
	int rc = split(s, 0, &tr);
	rc = rc ? rc : split(s, 1, &te);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "font-family=\"sans-serif\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
		SVG_W, SVG_W);
	svg_axes(f, "share of goods above the cut (false positive rate)",
		 "share of bads above the cut (true positive rate)", 0, 1, 1);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" "
		   "stroke-dasharray=\"4 4\"/>\n", px(0), py(0), px(1), py(1));
	if (rc == 0) {
		svg_roc_curve(f, &tr, "#1f5fa8", "training", v->train.auc, 1);
		svg_roc_curve(f, &te, "#d2691e", "held out", v->test.auc, 0);
	}
	fprintf(f, "</svg>\n");
	sample_free(&tr);
	sample_free(&te);
	const int failed = ferror(f);
	if (fclose(f) || failed)
		return CR_EIO;
	return rc;
}

#define BANDS_MAX 48

/* Shares of goods and bads per score band of the sample shown. */
static void bands(const struct cr_model *m, const struct cr_scored *s, int test, size_t nb,
		  double *good, double *bad)
{
	size_t goods = 0, bads = 0;
	const double width = (double)(m->score_max - m->score_min) / (double)nb;
	for (size_t i = 0; i < s->n; i++) {
		if (!s->test[i] != !test)
			continue;
		size_t k = (size_t)((s->score[i] - m->score_min) / width);
		k = k < nb ? k : nb - 1;
		if (s->y[i]) {
			bad[k]++;
			bads++;
		} else {
			good[k]++;
			goods++;
		}
	}
	for (size_t k = 0; k < nb; k++) {
		good[k] = goods ? good[k] / (double)goods : 0;
		bad[k] = bads ? bad[k] / (double)bads : 0;
	}
}

static int write_scores(const char *path, const struct cr_model *m, const struct cr_scored *s,
			const struct cr_validation *v)
{
	double good[BANDS_MAX] = {0}, bad[BANDS_MAX] = {0}, top = 0.05;
	size_t nb = (size_t)(m->score_max - m->score_min) / 25;
	nb = nb < 4 ? 4 : nb > BANDS_MAX ? BANDS_MAX : nb;
	bands(m, s, v->gains_of_test, nb, good, bad);
	for (size_t k = 0; k < nb; k++)
		top = fmax(top, fmax(good[k], bad[k]));
	top = ceil(top * 20) / 20;
	FILE *f = fopen(path, "w");
	if (!f)
		return CR_EIO;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "font-family=\"sans-serif\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
		SVG_W, SVG_W);
	svg_axes(f, v->gains_of_test ? "score (held-out rows)" : "score (training rows)",
		 "share of the class in the band", m->score_min, m->score_max, top);
	const double w = PLOT_SIDE / (double)nb;
	for (size_t k = 0; k < nb; k++) {
		const double x = PLOT_X0 + (double)k * w;
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#2e8b57\"/>"
			   "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#c0392b\"/>\n",
			x + 1, py(good[k] / top), w / 2 - 1, good[k] / top * PLOT_SIDE,
			x + w / 2, py(bad[k] / top), w / 2 - 1, bad[k] / top * PLOT_SIDE);
	}
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" fill=\"#2e8b57\">goods</text>\n"
		   "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" fill=\"#c0392b\">bads</text>\n</svg>\n",
		px(0.80), py(0.95), px(0.80), py(0.95) + 16);
	const int failed = ferror(f);
	return fclose(f) || failed ? CR_EIO : 0;
}

static void html_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s, f);
	}
}

static void html_fit_row(FILE *f, const char *name, const struct cr_sample_fit *s)
{
	fprintf(f, "<tr><td>%s</td><td>%zu</td><td>%zu</td><td>%.4f</td><td>%.4f</td><td>%.4f</td></tr>\n",
		name, s->rows, s->bads, s->auc, s->ks, s->gini);
}

static void html_gains(FILE *f, const struct cr_validation *v)
{
	fprintf(f, "<h2>Gains by score decile (%s rows)</h2>\n<table>\n<tr><th>decile</th>"
		   "<th>scores</th><th>rows</th><th>bads</th><th>bad rate</th><th>lift</th>"
		   "<th>cumulative bads</th><th>cumulative goods</th><th>KS</th></tr>\n",
		v->gains_of_test ? "held-out" : "training");
	for (size_t k = 0; v->have_gains && k < CR_GAINS_ROWS; k++) {
		const struct cr_gains_row *g = &v->gains[k];
		fprintf(f, "<tr><td>%zu</td><td>%d&ndash;%d</td><td>%zu</td><td>%zu</td><td>%.2f%%</td>"
			   "<td>%.2f</td><td>%.1f%%</td><td>%.1f%%</td><td>%.3f</td></tr>\n",
			k + 1, g->score_lo, g->score_hi, g->rows, g->bads, 100 * g->bad_rate, g->lift,
			100 * g->cum_bads, 100 * g->cum_goods, g->cum_bads - g->cum_goods);
	}
	fprintf(f, "</table>\n<p>Decile 1 holds the lowest scores, the riskiest rows.</p>\n");
}

static const char *status_name(uint8_t s)
{
	static const char *const names[] = {"kept", "IV under the threshold",
					    "flat: its monotone points merged into one bin",
					    "past the feature limit", "no gain in cross-validation"};
	return s < sizeof names / sizeof names[0] ? names[s] : "?";
}

static void html_screening(FILE *f, const struct cr_fit_info *info, const struct cr_dataset *d)
{
	fprintf(f, "<h2>Columns screened</h2>\n<table>\n<tr><th>column</th><th>IV</th><th>bins</th>"
		   "<th>bad rate with the value</th><th>points spread</th><th>outcome</th></tr>\n");
	for (size_t c = 0; d && c < info->cols && c < d->cols; c++) {
		const struct cr_fit_column *col = &info->col[c];
		fprintf(f, "<tr><td>");
		html_text(f, d->name[c]);
		fprintf(f, "</td><td>%.4f</td><td>%u</td><td>%s</td><td>", col->iv, col->n_bins,
			d->categorical[c] ? "categorical" : col->trend > 0 ? "rises" :
			col->trend < 0 ? "falls" : "neither");
		if (col->status == CR_FIT_KEPT)
			fprintf(f, "%.2f", col->spread);
		fprintf(f, "</td><td>%s</td></tr>\n", status_name(col->status));
	}
	fprintf(f, "</table>\n");
}

static void html_head(FILE *f, const struct cr_model *m, const char *source)
{
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Scorecard ");
	html_text(f, m->id);
	fprintf(f, "</title>\n<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;"
		   "color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;"
		   "padding:.2em .6em;text-align:right}th{background:#eee}td:first-child{text-align:left}"
		   "img{border:1px solid #ddd;margin:.5em}</style>\n</head><body>\n<h1>Scorecard ");
	html_text(f, m->id);
	fprintf(f, "</h1>\n<p>Fitted on ");
	html_text(f, source);
	fprintf(f, ". Scores run from %d to %d; %g points double the odds good:bad, and %g points "
		   "are odds of %g to 1.</p>\n", m->score_min, m->score_max, m->pdo, m->anchor_score,
		m->anchor_odds);
}

static int write_html(const char *path, const struct cr_model *m, const struct cr_fit_info *info,
		      const struct cr_dataset *d, const struct cr_validation *v, const char *source)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return CR_EIO;
	html_head(f, m, source);
	fprintf(f, "<h2>Discrimination</h2>\n<table>\n<tr><th>sample</th><th>rows</th><th>bads</th>"
		   "<th>AUC</th><th>KS</th><th>Gini</th></tr>\n");
	html_fit_row(f, "training", &v->train);
	html_fit_row(f, "held out", &v->test);
	fprintf(f, "</table>\n<p>Population stability index of the held-out scores against the "
		   "training scores: %.4f (under 0.1: stable; over 0.25: shifted).</p>\n", v->psi);
	fprintf(f, "<p><img src=\"roc.svg\" alt=\"ROC curves\" width=\"480\" height=\"480\">"
		   "<img src=\"scores.svg\" alt=\"Score distributions of goods and bads\" "
		   "width=\"480\" height=\"480\"></p>\n");
	html_gains(f, v);
	html_screening(f, info, d);
	fprintf(f, "<p>The model file lists every bin and its points (docs/scoring.md).</p>\n"
		   "</body></html>\n");
	const int failed = ferror(f);
	return fclose(f) || failed ? CR_EIO : 0;
}

int cr_validation_write(const char *dir, const struct cr_model *m, const struct cr_fit_info *info,
			const struct cr_dataset *d, const struct cr_scored *s,
			const struct cr_validation *v, const char *source, const char **why)
{
	char path[4096];
	*why = NULL;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		*why = "cannot create the report directory";
		return CR_EIO;
	}
	int rc = 0;
	if (snprintf(path, sizeof path, "%s/roc.svg", dir) >= (int)sizeof path - 8)
		rc = CR_EIO;
	if (rc == 0)
		rc = write_roc(path, s, v);
	if (rc == 0 && snprintf(path, sizeof path, "%s/scores.svg", dir) > 0)
		rc = write_scores(path, m, s, v);
	if (rc == 0 && snprintf(path, sizeof path, "%s/report.html", dir) > 0)
		rc = write_html(path, m, info, d, v, source);
	if (rc)
		*why = rc == CR_ENOMEM ? "out of memory" : "cannot write the report's files";
	return rc;
}
