/*
 * fit.c - the trainer (fit.h): binning every column, screening by
 * information value, the penalised regression on the bins with its weight
 * and its features chosen by cross-validation, monotone points, and the
 * points themselves.
 *
 * Each column is binned once (bin.c) into a scratch feature; the survivors
 * of the screening are the regression's columns, most informative first.
 * The regression gives every bin its own coefficient (a row is "in" one bin
 * of each feature: one-hot columns), where a classic scorecard gives a
 * feature one coefficient times its bins' WoE.  The WoE is each bin's bad
 * rate against the whole table, so two features that tell the same story
 * (a loan's amount and the price of what it buys) each get credit for it,
 * and a feature's points can only follow its own bad rate.  One
 * coefficient per bin learns what each bin adds given the others; the
 * penalty (fit.h, step 3) keeps many small bins from learning noise, and
 * cross-validation on the training rows sets how hard it pulls.  The held
 * out rows are never read here.
 *
 * The folds of the cross-validation are a fixed mix of the training row's
 * index, so the same table gives the same folds, the same choices and the
 * same model, byte for byte.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "fit.h"

#define COLUMNS_MAX (CR_MODEL_FEATURES_MAX * CR_MODEL_BINS_MAX + 1)
_Static_assert(COLUMNS_MAX <= UINT16_MAX, "a regression column's number fits a uint16_t");
_Static_assert(CR_FIT_CV_FOLDS >= 2 && CR_FIT_CV_FOLDS < 255, "folds fit a uint8_t, 255 is none");

void cr_fit_opts_init(struct cr_fit_opts *o)
{
	memset(o, 0, sizeof *o);
	o->pdo = 20;
	o->anchor_score = 600;
	o->anchor_odds = 50;
	o->score_min = 350;
	o->score_max = 950;
	o->iv_min = 0.02;
	o->l2 = -1;
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

void cr_fit_scale(struct cr_model *m, double alpha, const double *coef)
{
	const double factor = m->pdo / log(2.0);
	const double offset = m->anchor_score - factor * log(m->anchor_odds);
	const double n = (double)m->n_features;
	m->intercept = alpha;
	m->base_points = 0;
	for (size_t j = 0; j < m->n_features; j++) {
		struct cr_model_feature *f = &m->feature[j];
		for (size_t b = 0; b < f->n_bins; b++)
			f->bin[b].points = round_to(-(*coef++ + alpha / n) * factor + offset / n, 100);
	}
}

/* Whether bin b of numeric feature f holds an interval. */
static int holds_interval(const struct cr_model_feature *f, size_t b)
{
	for (size_t i = 0; i < f->n_intervals; i++)
		if (f->interval_bin[i] == b)
			return 1;
	return 0;
}

void cr_fit_penalty(const struct cr_model_feature *f, size_t first, double l2, double *pen_diag,
		    double *pen_next)
{
	if (f->categorical) {
		for (size_t b = 0; b < f->n_bins; b++)
			pen_diag[first + b] += l2;
		return;
	}
	for (size_t i = 0; i < f->n_intervals; i++) {
		const size_t a = first + f->interval_bin[i];
		pen_diag[a] += l2 * CR_FIT_RIDGE_SHARE;
		if (i + 1 == f->n_intervals)
			continue;
		CR_ASSERT(f->interval_bin[i + 1] == f->interval_bin[i] + 1);
		pen_diag[a] += l2;
		pen_diag[a + 1] += l2;
		pen_next[a] -= l2;
	}
	if (!holds_interval(f, f->missing_bin))
		pen_diag[first + f->missing_bin] += l2;
}

void cr_fit_merge_intervals(struct cr_model_feature *f, size_t i, uint64_t goods, uint64_t bads)
{
	CR_ASSERT(!f->categorical && i + 1 < f->n_intervals);
	const size_t a = f->interval_bin[i], z = f->interval_bin[i + 1];
	CR_ASSERT(z == a + 1);
	f->bin[a].good += f->bin[z].good;
	f->bin[a].bad += f->bin[z].bad;
	f->bin[a].woe = round_to(cr_fit_woe(f->bin[a].good, f->bin[a].bad, goods, bads), 1e4);
	f->hi[i] = f->hi[i + 1];
	for (size_t j = i + 1; j + 1 < f->n_intervals; j++) {
		f->hi[j] = f->hi[j + 1];
		f->interval_bin[j] = (uint8_t)(f->interval_bin[j + 1] - 1);
	}
	f->n_intervals--;
	memmove(&f->bin[z], &f->bin[z + 1], (f->n_bins - z - 1) * sizeof f->bin[0]);
	f->n_bins--;
	if (f->missing_bin == z)
		f->missing_bin = (uint16_t)a;
	else if (f->missing_bin > z)
		f->missing_bin--;
}

static const char *check_opts(const struct cr_fit_opts *o)
{
	if (!(o->pdo > 0 && o->anchor_odds > 0 && isfinite(o->pdo) && isfinite(o->anchor_odds) &&
	      fabs(o->anchor_score) <= 1e6))
		return "pdo and anchor odds must be positive numbers";
	if (o->score_min < 0 || o->score_max <= o->score_min || o->score_max > 100000)
		return "the score range must be 0 <= min < max <= 100000";
	if (!(o->iv_min >= 0 && o->l2 <= 1e6 && o->tol > 0))
		return "the IV threshold must be >= 0, the penalty <= 1e6, the tolerance > 0";
	if (!(o->bin_share_min >= 0.01 && o->bin_share_min <= 0.5 && o->mono_iv_loss >= 0 &&
	      o->mono_iv_loss <= 1))
		return "the minimum bin share must be from 0.01 to 0.5, the IV loss from 0 to 1";
	return NULL;
}

/* splitmix64's finaliser, for the folds. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

struct work {
	const struct cr_dataset *d;
	struct cr_model_feature *f;     /* [cols] each column binned */
	uint8_t **level_bin;            /* [cols] a categorical column's levels' bins */
	size_t *rows, n;                /* training rows */
	uint8_t *y, *fold;              /* [n] target, fold */
	uint64_t goods, bads;
	size_t cand[CR_MODEL_FEATURES_MAX], p; /* columns in the regression */
	size_t first[CR_MODEL_FEATURES_MAX];   /* each one's first regression column */
	size_t k;                       /* regression columns, the intercept's included */
	uint16_t *col;                  /* [n * p] each row's bins as regression columns */
	double *pen_diag, *pen_next, *beta; /* [COLUMNS_MAX] */
	double *fold_beta, *fold_try;   /* [CR_FIT_CV_FOLDS * COLUMNS_MAX] each fold's fit */
	double l2;
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
		col->status = col->iv >= o->iv_min && col->n_bins > 1 ? CR_FIT_KEPT : CR_FIT_LOW_IV;
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

/* The regression's columns for the candidates as they are binned now, and
 * the penalty for weight w->l2. */
static void design(struct work *w)
{
	w->k = 1;
	for (size_t j = 0; j < w->p; j++) {
		w->first[j] = w->k;
		w->k += w->f[w->cand[j]].n_bins;
	}
	CR_ASSERT(w->k <= COLUMNS_MAX);
	for (size_t i = 0; i < w->n; i++) {
		const size_t r = w->rows[i];
		for (size_t j = 0; j < w->p; j++) {
			const size_t c = w->cand[j];
			const double v = w->d->x[r * w->d->cols + c];
			w->col[i * w->p + j] = (uint16_t)(w->first[j] + bin_in_table(w, c, v));
		}
	}
	memset(w->pen_diag, 0, w->k * sizeof *w->pen_diag);
	memset(w->pen_next, 0, w->k * sizeof *w->pen_next);
	for (size_t j = 0; j < w->p; j++)
		cr_fit_penalty(&w->f[w->cand[j]], w->first[j], w->l2, w->pen_diag, w->pen_next);
}

/* Fits on every training row but those of fold skip (255: none), from
 * start (NULL: the intercept alone). */
static int regress(struct work *w, const struct cr_fit_opts *o, uint8_t skip, const double *start)
{
	const struct cr_irls_data data = {
		.n = w->n, .k = w->k, .y = w->y, .col = w->col, .p = w->p,
		.fold = skip == 255 ? NULL : w->fold, .skip = skip,
		.pen_diag = w->pen_diag, .pen_next = w->pen_next, .start = start,
	};
	return cr_fit_newton(&data, o->tol, w->beta, &w->irls);
}

/* The cross-validated log-likelihood of the model as designed now.  Fold
 * f's fit starts from start + f * COLUMNS_MAX (start NULL: from scratch)
 * and is kept at out + f * COLUMNS_MAX: a fit from a neighbour's optimum
 * takes a step or two instead of half a dozen. */
static int cv_loglik(struct work *w, const struct cr_fit_opts *o, const double *start,
		     double *out, double *ll)
{
	const struct cr_irls_data data = {.n = w->n, .k = w->k, .y = w->y, .col = w->col, .p = w->p,
					  .fold = w->fold};
	*ll = 0;
	for (uint8_t f = 0; f < CR_FIT_CV_FOLDS; f++) {
		int rc = regress(w, o, f, start ? start + f * COLUMNS_MAX : NULL);
		if (rc)
			return rc;
		memcpy(out + f * COLUMNS_MAX, w->beta, w->k * sizeof *w->beta);
		*ll += cr_fit_loglik_fold(&data, w->beta, f);
	}
	return 0;
}

/* Step 3's weight: the caller's, or the grid's best by cross-validation,
 * ties to the larger (the smoother model).  A table too small for every
 * fold to leave bads and goods takes 1 (*cv = 0). */
static int choose_l2(struct work *w, const struct cr_fit_opts *o, struct cr_fit_info *info, int *cv)
{
	static const double grid[] = CR_FIT_L2_GRID;
	*cv = 1;
	if (o->l2 >= 0) {
		w->l2 = o->l2;
		return 0;
	}
	double best = -INFINITY;
	for (size_t g = 0; g < sizeof grid / sizeof grid[0]; g++) {
		double ll;
		w->l2 = grid[g];
		design(w);
		int rc = cv_loglik(w, o, g ? w->fold_beta : NULL, w->fold_beta, &ll);
		if (rc == CR_EINVAL) {
			*cv = 0;
			w->l2 = 1;
			return 0;
		}
		if (rc)
			return rc;
		if (ll >= best) {
			best = ll;
			info->l2 = grid[g];
		}
	}
	w->l2 = info->l2;
	info->cv_loglik = best;
	return 0;
}

/* Step 4: least informative first, a candidate leaves when the
 * cross-validated log-likelihood without it is at least as high. */
static int select_backward(struct work *w, const struct cr_fit_opts *o, struct cr_fit_info *info)
{
	double base;
	design(w);
	int rc = cv_loglik(w, o, NULL, w->fold_beta, &base);
	for (size_t j = w->p; rc == 0 && j-- > 0 && w->p > 1;) {
		const size_t c = w->cand[j], at = w->first[j], len = w->f[c].n_bins;
		/* Each fold starts from its fit with the candidate. */
		for (size_t f = 0; f < CR_FIT_CV_FOLDS; f++) {
			const double *from = w->fold_beta + f * COLUMNS_MAX;
			double *to = w->fold_try + f * COLUMNS_MAX;
			memcpy(to, from, at * sizeof *to);
			memcpy(to + at, from + at + len, (w->k - at - len) * sizeof *to);
		}
		memmove(&w->cand[j], &w->cand[j + 1], (w->p - j - 1) * sizeof w->cand[0]);
		w->p--;
		design(w);
		double ll;
		if ((rc = cv_loglik(w, o, w->fold_try, w->fold_try, &ll)) != 0)
			return rc;
		if (ll >= base) {
			base = ll;
			info->col[c].status = CR_FIT_NO_GAIN;
			memcpy(w->fold_beta, w->fold_try,
			       CR_FIT_CV_FOLDS * COLUMNS_MAX * sizeof *w->fold_beta);
			continue;
		}
		memmove(&w->cand[j + 1], &w->cand[j], (w->p - j) * sizeof w->cand[0]);
		w->cand[j] = c;
		w->p++;
		design(w);
	}
	info->cv_loglik = base;
	return rc;
}

/* Merges, in each monotone feature, the neighbouring intervals whose
 * coefficients run most against its trend; drops a feature left with one
 * bin.  Returns the merges and drops made. */
static unsigned merge_against_trend(struct work *w, struct cr_fit_info *info)
{
	unsigned made = 0;
	for (size_t j = w->p; j-- > 0;) {
		const size_t c = w->cand[j];
		struct cr_model_feature *f = &w->f[c];
		const int trend = info->col[c].trend;
		size_t worst = SIZE_MAX;
		double worst_by = 0;
		for (size_t i = 0; !f->categorical && trend && i + 1 < f->n_intervals; i++) {
			/* Rising bad rate: the coefficient (log-odds of bad) must
			 * not fall from one interval to the next. */
			const double by = trend * (w->beta[w->first[j] + f->interval_bin[i]] -
						   w->beta[w->first[j] + f->interval_bin[i + 1]]);
			if (by > worst_by) {
				worst_by = by;
				worst = i;
			}
		}
		if (worst != SIZE_MAX) {
			cr_fit_merge_intervals(f, worst, w->goods, w->bads);
			info->merges++;
			made++;
		}
		if (f->n_bins < 2) {
			info->col[c].status = CR_FIT_FLAT;
			memmove(&w->cand[j], &w->cand[j + 1], (w->p - j - 1) * sizeof w->cand[0]);
			w->p--;
			made++;
		}
	}
	return made;
}

/* Step 5 and the final fit: fits on every training row, coefficients
 * rounded, until no monotone feature's coefficients run against it. */
static int fit_monotone(struct work *w, const struct cr_fit_opts *o, struct cr_fit_info *info)
{
	for (;;) {
		if (w->p == 0) {
			info->why = "no column is left once its points are made monotone";
			return CR_EINVAL;
		}
		design(w);
		int rc = regress(w, o, 255, NULL);
		if (rc)
			return rc;
		for (size_t j = 0; j < w->k; j++)
			w->beta[j] = round_to(w->beta[j], 1e6);
		if (merge_against_trend(w, info) == 0)
			return 0;
	}
}

static void set_meta(struct cr_model *m, const char *key, double v)
{
	char s[32];
	snprintf(s, sizeof s, "%.15g", v);
	cr_model_set_meta(m, key, s);
}

static void build_model(const struct work *w, const struct cr_fit_opts *o, int cv,
			struct cr_model *m, struct cr_fit_info *info)
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
		f->beta = 0;
		uint64_t good[CR_MODEL_BINS_MAX], bad[CR_MODEL_BINS_MAX];
		for (size_t b = 0; b < f->n_bins; b++) {
			good[b] = f->bin[b].good;
			bad[b] = f->bin[b].bad;
		}
		f->iv = round_to(cr_fit_iv(good, bad, f->n_bins), 1e4);
		const char *why = o->reasons && o->reasons[c] ? o->reasons[c] : f->name;
		snprintf(f->reason, sizeof f->reason, "%s", why);
	}
	cr_fit_scale(m, w->beta[0], w->beta + 1);
	for (size_t j = 0; j < w->p; j++) {
		const struct cr_model_feature *f = &m->feature[j];
		double lo = INFINITY, hi = -INFINITY;
		for (size_t b = 0; b < f->n_bins; b++) {
			lo = fmin(lo, f->bin[b].points);
			hi = fmax(hi, f->bin[b].points);
		}
		info->col[w->cand[j]].spread = round_to(hi - lo, 100);
		info->col[w->cand[j]].n_bins = f->n_bins;
	}
	set_meta(m, "rows_train", (double)info->rows_train);
	set_meta(m, "bads_train", (double)info->bads_train);
	set_meta(m, "iv_min", o->iv_min);
	set_meta(m, "bin_share_min", o->bin_share_min);
	set_meta(m, "l2", w->l2);
	cr_model_set_meta(m, "l2_from", o->l2 >= 0 ? "option" : cv ? "cross-validation" : "default");
	set_meta(m, "monotone_merges", (double)info->merges);
	set_meta(m, "newton_iterations", (double)w->irls.iterations);
}

static void work_fini(struct work *w)
{
	for (size_t c = 0; w->level_bin && c < w->d->cols; c++)
		free(w->level_bin[c]);
	free(w->level_bin);
	free(w->f);
	free(w->rows);
	free(w->y);
	free(w->col);
	free(w->pen_diag);
}

static int work_init(struct work *w, const struct cr_dataset *d, struct cr_fit_info *info)
{
	memset(w, 0, sizeof *w);
	w->d = d;
	w->f = calloc(d->cols, sizeof *w->f);
	w->level_bin = calloc(d->cols, sizeof *w->level_bin);
	w->rows = malloc((d->rows ? d->rows : 1) * sizeof *w->rows);
	w->pen_diag = malloc((3 + 2 * CR_FIT_CV_FOLDS) * COLUMNS_MAX * sizeof *w->pen_diag);
	if (!w->f || !w->level_bin || !w->rows || !w->pen_diag)
		return CR_ENOMEM;
	w->pen_next = w->pen_diag + COLUMNS_MAX;
	w->beta = w->pen_next + COLUMNS_MAX;
	w->fold_beta = w->beta + COLUMNS_MAX;
	w->fold_try = w->fold_beta + CR_FIT_CV_FOLDS * COLUMNS_MAX;
	for (size_t r = 0; r < d->rows; r++)
		if (!d->test[r])
			w->rows[w->n++] = r;
	w->y = malloc(2 * (w->n ? w->n : 1));
	if (!w->y)
		return CR_ENOMEM;
	w->fold = w->y + w->n;
	for (size_t i = 0; i < w->n; i++) {
		w->y[i] = d->y[w->rows[i]];
		w->bads += w->y[i];
		w->fold[i] = (uint8_t)(mix64(i) % CR_FIT_CV_FOLDS);
	}
	w->goods = w->n - w->bads;
	info->rows_train = w->n;
	info->bads_train = w->bads;
	if (w->bads == 0 || w->goods == 0) {
		info->why = "the training rows need both bads (target 1) and goods (target 0)";
		return CR_EINVAL;
	}
	return 0;
}

/* Steps 3 to 5 on the screened candidates. */
static int regression(struct work *w, const struct cr_fit_opts *o, struct cr_fit_info *info,
		      int *cv)
{
	if (w->p == 0) {
		info->why = "no column has an information value above the threshold";
		return CR_EINVAL;
	}
	if (!(w->col = malloc((w->n ? w->n : 1) * w->p * sizeof *w->col)))
		return CR_ENOMEM;
	/* The selection weighs each feature as the model will hold it, its
	 * bins merged for monotone points; dropping one can turn another's
	 * coefficients, so the merges run again at the end. */
	int rc = choose_l2(w, o, info, cv);
	info->l2 = w->l2;
	if (rc == 0 && *cv && (rc = fit_monotone(w, o, info)) == 0) {
		rc = select_backward(w, o, info);
		if (rc == CR_EINVAL) {
			/* A given weight on a table too small to cross-validate. */
			*cv = 0;
			rc = 0;
		}
	}
	return rc ? rc : fit_monotone(w, o, info);
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
	int cv = 0, rc = work_init(w, d, info);
	if (rc == 0)
		rc = bin_all(w, o, info);
	if (rc == 0) {
		screen(w, info);
		rc = regression(w, o, info, &cv);
	}
	if (rc == 0) {
		info->iterations = w->irls.iterations;
		info->converged = w->irls.converged;
		info->loglik = w->irls.loglik;
		build_model(w, o, cv, m, info);
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
