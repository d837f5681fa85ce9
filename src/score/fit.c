/*
 * fit.c - the trainer (fit.h): binning every column, screening by
 * information value, the regression on WoE, and the points.
 *
 * Each column is binned once (bin.c) into a scratch feature; the survivors
 * of the screening are the regression's columns, most informative first.
 * The design matrix holds each training row's WoE per surviving column;
 * when a coefficient comes out with the wrong sign, that column leaves and
 * the matrix is rebuilt without it, so the final fit is an ordinary fit on
 * the columns the model keeps.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "fit.h"

void cr_fit_opts_init(struct cr_fit_opts *o)
{
	memset(o, 0, sizeof *o);
	o->pdo = 20;
	o->anchor_score = 600;
	o->anchor_odds = 50;
	o->score_min = 350;
	o->score_max = 950;
	o->iv_min = 0.02;
	o->l2 = 1.0;
	o->tol = 1e-8;
	o->mono_iv_loss = 0.10;
	o->bin_share_min = CR_FIT_BIN_SHARE_MIN_PCT / 100.0;
	o->model_id = "scorecard";
	o->description = "";
}

static double round_to(double v, double scale)
{
	return round(v * scale) / scale;
}

void cr_fit_scale(struct cr_model *m, double alpha)
{
	const double factor = m->pdo / log(2.0);
	const double offset = m->anchor_score - factor * log(m->anchor_odds);
	const double n = (double)m->n_features;
	m->intercept = alpha;
	m->base_points = 0;
	for (size_t j = 0; j < m->n_features; j++) {
		struct cr_model_feature *f = &m->feature[j];
		for (size_t b = 0; b < f->n_bins; b++)
			f->bin[b].points = round_to(-(f->beta * f->bin[b].woe + alpha / n) * factor +
						    offset / n, 100);
	}
}

static const char *check_opts(const struct cr_fit_opts *o)
{
	if (!(o->pdo > 0 && o->anchor_odds > 0 && isfinite(o->pdo) && isfinite(o->anchor_odds) &&
	      fabs(o->anchor_score) <= 1e6))
		return "pdo and anchor odds must be positive numbers";
	if (o->score_min < 0 || o->score_max <= o->score_min || o->score_max > 100000)
		return "the score range must be 0 <= min < max <= 100000";
	if (!(o->iv_min >= 0 && o->l2 >= 0 && o->l2 <= 1e6 && o->tol > 0))
		return "the IV threshold and the L2 penalty must be >= 0, the tolerance > 0";
	if (!(o->bin_share_min >= 0.01 && o->bin_share_min <= 0.5 && o->mono_iv_loss >= 0 &&
	      o->mono_iv_loss <= 1))
		return "the minimum bin share must be from 0.01 to 0.5, the IV loss from 0 to 1";
	return NULL;
}

/* The training rows' indices; the counts into info. */
static size_t training_rows(const struct cr_dataset *d, size_t *rows, struct cr_fit_info *info)
{
	size_t n = 0;
	for (size_t r = 0; r < d->rows; r++) {
		if (d->test[r])
			continue;
		rows[n++] = r;
		info->bads_train += d->y[r];
	}
	info->rows_train = n;
	return n;
}

struct work {
	const struct cr_dataset *d;
	struct cr_model_feature *f;     /* [cols] each column binned */
	uint8_t **level_bin;            /* [cols] a categorical column's levels' bins */
	size_t *rows, n;                /* training rows */
	size_t cand[CR_MODEL_FEATURES_MAX], p; /* columns in the regression */
	double *x;                      /* [n * p] WoE, p as screened */
	uint8_t *y;                     /* [n] */
	double beta[CR_MODEL_FEATURES_MAX + 1];
	struct cr_irls irls;
};

static size_t bin_in_table(const struct work *w, size_t c, double v)
{
	const struct cr_model_feature *f = &w->f[c];
	if (!f->categorical)
		return cr_model_bin_of(f, v);
	if (isnan(v) || v < 0 || v >= (double)w->d->n_levels[c])
		return f->missing_bin;
	return w->level_bin[c][(size_t)v];
}

/* Bins every column and records its IV, bins and trend. */
static int bin_all(struct work *w, const struct cr_fit_opts *o, struct cr_fit_info *info)
{
	const struct cr_dataset *d = w->d;
	for (size_t c = 0; c < d->cols; c++) {
		if (d->categorical[c] &&
		    !(w->level_bin[c] = malloc(d->n_levels[c] ? d->n_levels[c] : 1)))
			return CR_ENOMEM;
		int8_t trend;
		int rc = cr_fit_bin(d, c, o, &w->f[c], w->level_bin[c], &trend);
		if (rc)
			return rc;
		uint64_t good[CR_MODEL_BINS_MAX], bad[CR_MODEL_BINS_MAX];
		for (size_t b = 0; b < w->f[c].n_bins; b++) {
			good[b] = w->f[c].bin[b].good;
			bad[b] = w->f[c].bin[b].bad;
		}
		struct cr_fit_column *col = &info->col[c];
		col->iv = round_to(cr_fit_iv(good, bad, w->f[c].n_bins), 1e4);
		col->n_bins = w->f[c].n_bins;
		col->trend = trend;
		col->status = col->iv >= o->iv_min ? CR_FIT_KEPT : CR_FIT_LOW_IV;
		w->f[c].iv = col->iv;
	}
	return 0;
}

/* The screened columns by IV, most first (ties: the earlier column). */
static void screen(struct work *w, struct cr_fit_info *info)
{
	w->p = 0;
	for (size_t c = 0; c < w->d->cols; c++) {
		if (info->col[c].status != CR_FIT_KEPT)
			continue;
		size_t k = w->p < CR_MODEL_FEATURES_MAX ? w->p++ : CR_MODEL_FEATURES_MAX;
		while (k > 0 && info->col[w->cand[k - 1]].iv < info->col[c].iv) {
			if (k < CR_MODEL_FEATURES_MAX)
				w->cand[k] = w->cand[k - 1];
			else
				info->col[w->cand[k - 1]].status = CR_FIT_OVER_LIMIT;
			k--;
		}
		if (k < CR_MODEL_FEATURES_MAX)
			w->cand[k] = c;
		else
			info->col[c].status = CR_FIT_OVER_LIMIT;
	}
}

/* The regression on the candidates' WoE. */
static int regress(struct work *w, const struct cr_fit_opts *o)
{
	for (size_t i = 0; i < w->n; i++) {
		const size_t r = w->rows[i];
		for (size_t j = 0; j < w->p; j++) {
			const size_t c = w->cand[j];
			const double v = w->d->x[r * w->d->cols + c];
			w->x[i * w->p + j] = w->f[c].bin[bin_in_table(w, c, v)].woe;
		}
	}
	return cr_fit_logistic(w->x, w->y, w->n, w->p, o->l2, o->tol, w->beta, &w->irls);
}

/* Fits, dropping the column with the most wrong-signed coefficient until
 * none is left; beta[1..p] are then negative. */
static int fit_signed(struct work *w, const struct cr_fit_opts *o, struct cr_fit_info *info)
{
	while (w->p > 0) {
		int rc = regress(w, o);
		if (rc)
			return rc;
		size_t worst = 0;
		for (size_t j = 1; j < w->p; j++)
			if (w->beta[j + 1] > w->beta[worst + 1])
				worst = j;
		if (w->beta[worst + 1] < 0)
			return 0;
		info->col[w->cand[worst]].status = CR_FIT_WRONG_SIGN;
		info->col[w->cand[worst]].beta = w->beta[worst + 1];
		memmove(&w->cand[worst], &w->cand[worst + 1], (w->p - worst - 1) * sizeof w->cand[0]);
		w->p--;
	}
	info->why = "no column separates bads from goods with the expected sign";
	return CR_EINVAL;
}

static void build_model(const struct work *w, const struct cr_fit_opts *o, struct cr_model *m,
			struct cr_fit_info *info)
{
	memset(m, 0, sizeof *m);
	snprintf(m->id, sizeof m->id, "%s", o->model_id);
	snprintf(m->description, sizeof m->description, "%s", o->description);
	m->pdo = o->pdo;
	m->anchor_score = o->anchor_score;
	m->anchor_odds = o->anchor_odds;
	m->score_min = o->score_min;
	m->score_max = o->score_max;
	m->n_features = w->p;
	for (size_t j = 0; j < w->p; j++) {
		const size_t c = w->cand[j];
		struct cr_model_feature *f = &m->feature[j];
		*f = w->f[c];
		f->beta = round_to(w->beta[j + 1], 1e6);
		info->col[c].beta = f->beta;
		const char *why = o->reasons && o->reasons[c] ? o->reasons[c] : f->name;
		snprintf(f->reason, sizeof f->reason, "%s", why);
	}
	cr_fit_scale(m, round_to(w->beta[0], 1e6));
	char v[32];
	snprintf(v, sizeof v, "%zu", info->rows_train);
	cr_model_set_meta(m, "rows_train", v);
	snprintf(v, sizeof v, "%zu", info->bads_train);
	cr_model_set_meta(m, "bads_train", v);
	snprintf(v, sizeof v, "%g", o->iv_min);
	cr_model_set_meta(m, "iv_min", v);
	snprintf(v, sizeof v, "%g", o->bin_share_min);
	cr_model_set_meta(m, "bin_share_min", v);
	snprintf(v, sizeof v, "%g", o->l2);
	cr_model_set_meta(m, "l2", v);
	snprintf(v, sizeof v, "%u", w->irls.iterations);
	cr_model_set_meta(m, "newton_iterations", v);
}

static void work_fini(struct work *w)
{
	for (size_t c = 0; w->level_bin && c < w->d->cols; c++)
		free(w->level_bin[c]);
	free(w->level_bin);
	free(w->f);
	free(w->rows);
	free(w->x);
	free(w->y);
}

static int work_init(struct work *w, const struct cr_dataset *d, struct cr_fit_info *info)
{
	memset(w, 0, sizeof *w);
	w->d = d;
	w->f = calloc(d->cols, sizeof *w->f);
	w->level_bin = calloc(d->cols, sizeof *w->level_bin);
	w->rows = malloc((d->rows ? d->rows : 1) * sizeof *w->rows);
	if (!w->f || !w->level_bin || !w->rows)
		return CR_ENOMEM;
	w->n = training_rows(d, w->rows, info);
	if (info->bads_train == 0 || info->bads_train == w->n) {
		info->why = "the training rows need both bads (target 1) and goods (target 0)";
		return CR_EINVAL;
	}
	w->y = malloc(w->n);
	if (!w->y)
		return CR_ENOMEM;
	for (size_t i = 0; i < w->n; i++)
		w->y[i] = d->y[w->rows[i]];
	return 0;
}

int cr_fit(const struct cr_dataset *d, const struct cr_fit_opts *o, struct cr_model *m,
	   struct cr_fit_info *info)
{
	memset(info, 0, sizeof *info);
	if (!d || !o || !m || d->cols == 0 || d->cols > CR_DATASET_COLS_MAX) {
		info->why = "no table to learn from";
		return CR_EINVAL;
	}
	info->why = check_opts(o);
	if (info->why)
		return CR_EINVAL;
	info->cols = d->cols;
	struct work *w = malloc(sizeof *w);
	if (!w)
		return CR_ENOMEM;
	int rc = work_init(w, d, info);
	if (rc == 0)
		rc = bin_all(w, o, info);
	if (rc == 0) {
		screen(w, info);
		if (w->p == 0) {
			info->why = "no column has an information value above the threshold";
			rc = CR_EINVAL;
		} else if (!(w->x = malloc(w->n * w->p * sizeof *w->x))) {
			rc = CR_ENOMEM;
		}
	}
	if (rc == 0)
		rc = fit_signed(w, o, info);
	if (rc == 0) {
		info->iterations = w->irls.iterations;
		info->converged = w->irls.converged;
		info->loglik = w->irls.loglik;
		build_model(w, o, m, info);
		struct cr_diag diag = {0};
		if (cr_model_finish(m, &diag)) {
			info->why = diag.reason;
			rc = CR_EINVAL;
		}
	}
	work_fini(w);
	free(w);
	return rc;
}
