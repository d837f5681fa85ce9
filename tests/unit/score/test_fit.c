/*
 * test_fit.c - the trainer (src/score/fit.c, bin.c, irls.c): weight of
 * evidence and information value on a table checked by hand, binning,
 * Newton's method against closed forms and R, convergence on separable
 * data, the penalty on a scorecard's bins and where it pulls them, the
 * merges that keep a monotone feature's points monotone, and the choice of
 * the penalty's weight.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr_err.h"
#include "fit.h"
#include "metrics.h"
#include "model.h"

/*
 * Three bins of 100 goods and 100 bads:
 *   bin  good  bad  %good  %bad  WoE = ln(%good / %bad)
 *   1     40    10   0.40  0.10  ln 4    =  1.386294
 *   2     30    20   0.30  0.20  ln 1.5  =  0.405465
 *   3     30    70   0.30  0.70  ln 3/7  = -0.847298
 * IV = (0.40 - 0.10) * 1.386294 + (0.30 - 0.20) * 0.405465
 *    + (0.30 - 0.70) * -0.847298 = 0.415888 + 0.040547 + 0.338919 = 0.795354.
 * A bin with no good row, (0, 5): half a row each, ln((0.5 / 100) / (5.5 /
 * 100)) = ln(1 / 11) = -2.397895.
 */
static void woe_and_iv_by_hand(void **state)
{
	(void)state;
	const uint64_t good[] = {40, 30, 30}, bad[] = {10, 20, 70};
	assert_true(fabs(cr_fit_woe(40, 10, 100, 100) - 1.386294) < 1e-6);
	assert_true(fabs(cr_fit_woe(30, 20, 100, 100) - 0.405465) < 1e-6);
	assert_true(fabs(cr_fit_woe(30, 70, 100, 100) + 0.847298) < 1e-6);
	assert_true(fabs(cr_fit_iv(good, bad, 3) - 0.795354) < 1e-6);
	assert_true(fabs(cr_fit_woe(0, 5, 100, 100) + 2.397895) < 1e-6);
}

/*
 * One binary predictor: the maximum-likelihood fit is closed-form, each
 * group's log-odds.  x = 0: 10 bads, 30 goods, alpha = ln(10/30) =
 * -1.0986123; x = 1: 25 bads, 15 goods, alpha + beta = ln(25/15) =
 * 0.5108256, so beta = ln 5 = 1.6094379.
 */
static void irls_closed_form(void **state)
{
	(void)state;
	double x[80], beta[2];
	uint8_t y[80];
	for (int i = 0; i < 80; i++) {
		x[i] = i >= 40;
		y[i] = i < 40 ? i < 10 : i < 65;
	}
	struct cr_irls res;
	assert_int_equal(cr_fit_logistic(x, y, 80, 1, 0, 1e-10, beta, &res), 0);
	assert_true(res.converged);
	assert_true(fabs(beta[0] + 1.0986123) < 1e-6);
	assert_true(fabs(beta[1] - 1.6094379) < 1e-6);
}

static const uint8_t R_Y[20] = {0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1};

static void r_table(double *x)
{
	for (int i = 0; i < 20; i++) {
		x[2 * i] = i + 1;
		x[2 * i + 1] = ((i + 1) * 7) % 5;
	}
}

/*
 * Two predictors, against R 4.2.2:
 *   x1 <- 1:20; x2 <- ((1:20) * 7) %% 5
 *   y <- c(0,0,0,1,0,0,1,0,1,0,0,1,1,0,1,1,1,0,1,1)
 *   coef(glm(y ~ x1 + x2, family = binomial))
 *   (Intercept) -3.971166067084, x1 0.243244893289, x2 0.711720570056;
 *   logLik -9.93881212139.
 */
static void irls_matches_r_glm(void **state)
{
	(void)state;
	double x[40], beta[3];
	r_table(x);
	struct cr_irls res;
	assert_int_equal(cr_fit_logistic(x, R_Y, 20, 2, 0, 1e-10, beta, &res), 0);
	assert_true(res.converged);
	assert_true(fabs(beta[0] + 3.971166067084) < 1e-7);
	assert_true(fabs(beta[1] - 0.243244893289) < 1e-8);
	assert_true(fabs(beta[2] - 0.711720570056) < 1e-8);
	assert_true(fabs(res.loglik + 9.93881212139) < 1e-8);
}

/* At the penalised optimum: sum(y - mu) = 0, sum((y - mu) x_j) = l2 beta_j. */
static void assert_stationary(const double *x, const uint8_t *y, size_t n, size_t p, double l2,
			      const double *beta)
{
	double g[3] = {0};
	for (size_t i = 0; i < n; i++) {
		double e = beta[0];
		for (size_t j = 0; j < p; j++)
			e += beta[j + 1] * x[i * p + j];
		const double r = y[i] - 1 / (1 + exp(-e));
		g[0] += r;
		for (size_t j = 0; j < p; j++)
			g[j + 1] += r * x[i * p + j];
	}
	assert_true(fabs(g[0]) < 1e-7);
	for (size_t j = 0; j < p; j++)
		assert_true(fabs(g[j + 1] - l2 * beta[j + 1]) < 1e-7);
}

static void irls_ridge_is_stationary(void **state)
{
	(void)state;
	double x[40], beta[3];
	r_table(x);
	struct cr_irls res;
	assert_int_equal(cr_fit_logistic(x, R_Y, 20, 2, 2.0, 1e-12, beta, &res), 0);
	assert_true(res.converged);
	assert_stationary(x, R_Y, 20, 2, 2.0, beta);
	/* The penalty shrinks the coefficients towards 0. */
	assert_true(beta[2] > 0 && beta[2] < 0.711720570056);
}

/* y = 1 exactly when x > 5: without a penalty beta runs to infinity; with
 * one it stops at a finite optimum, and Newton converges there. */
static void irls_separable_converges(void **state)
{
	(void)state;
	double x[10], beta[2];
	uint8_t y[10];
	for (int i = 0; i < 10; i++) {
		x[i] = i + 1;
		y[i] = i + 1 > 5;
	}
	struct cr_irls res;
	assert_int_equal(cr_fit_logistic(x, y, 10, 1, 1.0, 1e-10, beta, &res), 0);
	assert_true(res.converged);
	assert_true(res.iterations < 50);
	assert_true(isfinite(beta[1]) && beta[1] > 0 && beta[1] < 10);
	assert_stationary(x, y, 10, 1, 1.0, beta);
	assert_int_equal(cr_fit_logistic(x, y, 0, 1, 1.0, 1e-10, beta, &res), CR_EINVAL);
}

static uint64_t lcg_state;

static double uniform(void)
{
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(lcg_state >> 11) * 0x1.0p-53;
}

/*
 * 10,000 training rows: v in [0, 1000) with a bad rate rising from 5% to
 * 55%, missing in 1 row of 12 (bad rate 40%); cat with levels a (40% of
 * rows, 10% bad), b (30%, 30% bad), c (26%, 50% bad), and two rare ones,
 * d and e (2% each, 90% and 0% bad); noise, unrelated to the target.
 */
static void make_table(struct cr_dataset *d)
{
	const char *names[] = {"v", "cat", "noise"};
	const uint8_t cat[] = {0, 1, 0};
	assert_int_equal(cr_dataset_init(d, 3, names, cat), 0);
	static const char *const lv[] = {"a", "b", "c", "d", "e"};
	static const double lv_bad[] = {0.1, 0.3, 0.5, 0.9, 0.0};
	lcg_state = 42;
	for (int i = 0; i < 10000; i++) {
		double x[3];
		const double v = floor(uniform() * 1000);
		const int k = i % 50 < 20 ? 0 : i % 50 < 35 ? 1 : i % 50 < 48 ? 2 : i % 50 == 48 ? 3 : 4;
		const int missing = i % 12 == 0;
		const double p = missing ? 0.4 : 0.05 + 0.5 * v / 1000;
		const uint8_t y = uniform() < (p + lv_bad[k]) / 2;
		x[0] = missing ? NAN : v;
		assert_int_equal(cr_dataset_level(d, 1, lv[k], 1, &x[1]), 0);
		x[2] = uniform();
		assert_int_equal(cr_dataset_add(d, x, y, 0), 0);
	}
}

static void binning_numeric_monotone_with_missing(void **state)
{
	(void)state;
	struct cr_dataset d;
	make_table(&d);
	struct cr_fit_opts o;
	cr_fit_opts_init(&o);
	struct cr_model_feature *f = calloc(1, sizeof *f);
	int8_t trend;
	assert_int_equal(cr_fit_bin(&d, 0, &o, f, NULL, &trend), 0);
	assert_int_equal(trend, 1);
	/* 1 row in 12 is missing: its own bin, first. */
	assert_int_equal(f->missing_bin, 0);
	assert_true(f->n_intervals >= 3 && f->n_intervals <= CR_FIT_INITIAL_BINS);
	for (size_t i = 0; i < f->n_intervals; i++) {
		const struct cr_model_bin *b = &f->bin[f->interval_bin[i]];
		assert_true(b->good + b->bad >= 10000 * CR_FIT_BIN_SHARE_MIN_PCT / 100);
		if (i > 0)
			assert_true(b->woe <= f->bin[f->interval_bin[i - 1]].woe);
	}
	assert_true(isinf(f->hi[f->n_intervals - 1]));
	free(f);
	cr_dataset_fini(&d);
}

static void binning_categorical_pools_rare_levels(void **state)
{
	(void)state;
	struct cr_dataset d;
	make_table(&d);
	struct cr_fit_opts o;
	cr_fit_opts_init(&o);
	struct cr_model_feature *f = calloc(1, sizeof *f);
	uint8_t level_bin[5];
	int8_t trend;
	assert_int_equal(cr_fit_bin(&d, 1, &o, f, level_bin, &trend), 0);
	/* a, b and c listed; d and e (2% each) pooled as others, which at 4%
	 * is merged into the bin of nearest bad rate. */
	assert_int_equal(f->n_levels, 3);
	assert_int_equal(level_bin[3], f->others_bin);
	assert_int_equal(level_bin[4], f->others_bin);
	for (int l = 0; l < 3; l++)
		assert_int_not_equal(level_bin[l], 255);
	/* Bins in WoE order, best first. */
	for (size_t b = 1; b < f->n_bins; b++)
		assert_true(f->bin[b].woe <= f->bin[b - 1].woe);
	free(f);
	cr_dataset_fini(&d);
}

/* Points per bin rise with the WoE. */
static void assert_points_follow_woe(const struct cr_model_feature *f)
{
	for (size_t a = 0; a < f->n_bins; a++)
		for (size_t b = 0; b < f->n_bins; b++)
			if (f->bin[a].woe < f->bin[b].woe)
				assert_true(f->bin[a].points <= f->bin[b].points);
}

static void fit_screens_and_orders_points(void **state)
{
	(void)state;
	struct cr_dataset d;
	make_table(&d);
	struct cr_fit_opts o;
	cr_fit_opts_init(&o);
	struct cr_model *m = cr_model_new();
	struct cr_fit_info *info = malloc(sizeof *info);
	assert_int_equal(cr_fit(&d, &o, m, info), 0);
	assert_true(info->converged);
	assert_int_equal(info->col[2].status, CR_FIT_LOW_IV);
	assert_int_equal(m->n_features, 2);
	/* cat's levels say the same given v as alone (v and cat are drawn
	 * apart), so its points rank them as their bad rates do. */
	const int v_first = strcmp(m->feature[0].name, "v") == 0;
	const struct cr_model_feature *v = &m->feature[v_first ? 0 : 1];
	assert_points_follow_woe(&m->feature[v_first ? 1 : 0]);
	/* v is monotone, so its points fall interval by interval. */
	for (size_t i = 1; i < v->n_intervals; i++)
		assert_true(v->bin[v->interval_bin[i]].points <= v->bin[v->interval_bin[i - 1]].points);
	double *pd = malloc(d.rows * sizeof *pd), auc;
	struct cr_diag diag;
	assert_int_equal(cr_model_score_table(m, &d, NULL, pd, &diag), 0);
	assert_int_equal(cr_metrics_auc(pd, d.y, d.rows, &auc), 0);
	assert_true(auc > 0.62);
	free(pd);
	free(info);
	cr_model_free(m);
	cr_dataset_fini(&d);
}

/*
 * The penalty of a numeric feature with a missing bin of its own (bin 0)
 * and three intervals (bins 1, 2, 3), its first bin at column 1, weight 2:
 * the differences (b1 - b2)^2 and (b2 - b3)^2 put 2 on the diagonal of
 * each bin they touch (b2 twice) and -2 between neighbours; each interval
 * adds 2 * CR_FIT_RIDGE_SHARE of its own, and the missing bin 2.  So
 *   pen_diag = 0 | 2 | 2 + 2e | 4 + 2e | 2 + 2e     (e = CR_FIT_RIDGE_SHARE)
 *   pen_next = 0 | 0 | -2     | -2     | 0
 * A categorical feature's three bins at column 5 get 2 each, no coupling.
 */
static void penalty_by_hand(void **state)
{
	(void)state;
	struct cr_model_feature *f = calloc(2, sizeof *f);
	f[0].n_bins = 4;
	f[0].n_intervals = 3;
	f[0].missing_bin = 0;
	for (int i = 0; i < 3; i++)
		f[0].interval_bin[i] = (uint8_t)(i + 1);
	f[1].categorical = 1;
	f[1].n_bins = 3;
	double diag[8] = {0}, next[8] = {0};
	cr_fit_penalty(&f[0], 1, 2, diag, next);
	cr_fit_penalty(&f[1], 5, 2, diag, next);
	const double e = CR_FIT_RIDGE_SHARE;
	const double want_diag[8] = {0, 2, 2 + 2 * e, 4 + 2 * e, 2 + 2 * e, 2, 2, 2};
	const double want_next[8] = {0, 0, -2, -2, 0, 0, 0, 0};
	for (int j = 0; j < 8; j++) {
		assert_true(fabs(diag[j] - want_diag[j]) < 1e-12);
		assert_true(fabs(next[j] - want_next[j]) < 1e-12);
	}
	/* Missing values that share the first interval's bin add nothing. */
	memset(diag, 0, sizeof diag);
	memset(next, 0, sizeof next);
	f[0].n_bins = 3;
	for (int i = 0; i < 3; i++)
		f[0].interval_bin[i] = (uint8_t)i;
	cr_fit_penalty(&f[0], 1, 2, diag, next);
	assert_true(fabs(diag[1] - (2 + 2 * e)) < 1e-12);
	assert_true(fabs(diag[2] - (4 + 2 * e)) < 1e-12);
	assert_true(fabs(diag[3] - (2 + 2 * e)) < 1e-12);
	assert_true(diag[4] == 0);
	free(f);
}

/*
 * Three bins of 100 rows with 10, 50 and 20 bads, one-hot, the penalty of
 * a numeric feature whose intervals they are.  At the optimum the
 * gradient is 0: the residuals sum to 0, and each bin's residuals sum to
 * its row of P beta.  A small weight leaves each bin near its own bad rate
 * (0.1, 0.5, 0.2); a huge one pulls all three to the table's, 80 / 300; in
 * between, the middle bin is pulled down towards its neighbours and they
 * up towards it.
 */
static void onehot_fit(double l2, double *mu)
{
	static uint16_t col[300];
	static uint8_t y[300];
	const int bads[3] = {10, 50, 20};
	for (int i = 0; i < 300; i++) {
		col[i] = (uint16_t)(1 + i / 100);
		y[i] = i % 100 < bads[i / 100];
	}
	struct cr_model_feature *f = calloc(1, sizeof *f);
	f->n_bins = 3;
	f->n_intervals = 3;
	for (int i = 0; i < 3; i++)
		f->interval_bin[i] = (uint8_t)i;
	double diag[4] = {0}, next[4] = {0}, beta[4];
	cr_fit_penalty(f, 1, l2, diag, next);
	free(f);
	const struct cr_irls_data d = {.n = 300, .k = 4, .y = y, .col = col, .p = 1,
				       .pen_diag = diag, .pen_next = next};
	struct cr_irls res;
	assert_int_equal(cr_fit_newton(&d, 1e-10, beta, &res), 0);
	assert_true(res.converged);
	double sum[4] = {0};
	for (int i = 0; i < 300; i++) {
		const double e = beta[0] + beta[col[i]];
		const double r = y[i] - 1 / (1 + exp(-e));
		sum[0] += r;
		sum[col[i]] += r;
	}
	assert_true(fabs(sum[0]) < 1e-7);
	for (int c = 1; c < 4; c++) {
		const double pb = diag[c] * beta[c] + (c < 3 ? next[c] * beta[c + 1] : 0) +
				  next[c - 1] * beta[c - 1];
		assert_true(fabs(sum[c] - pb) < 1e-7);
		mu[c - 1] = 1 / (1 + exp(-(beta[0] + beta[c])));
	}
}

static void onehot_penalty_pulls_neighbours(void **state)
{
	(void)state;
	double mu[3];
	onehot_fit(1e-2, mu);
	assert_true(fabs(mu[0] - 0.1) < 1e-3);
	assert_true(fabs(mu[1] - 0.5) < 1e-3);
	assert_true(fabs(mu[2] - 0.2) < 1e-3);
	onehot_fit(1e6, mu);
	for (int b = 0; b < 3; b++)
		assert_true(fabs(mu[b] - 80.0 / 300) < 1e-3);
	onehot_fit(5, mu);
	assert_true(mu[0] > 0.1 && mu[1] < 0.5 && mu[2] > 0.2);
	assert_true(mu[1] > mu[2] && mu[2] > mu[0]);
}

/*
 * Merging the last two intervals of (-inf,1] (1,2] (2,+inf), missing in a
 * bin of its own first: bins 2 and 3 (good 30 and 20, bad 10 and 30)
 * become one (50, 40), WoE ln((50 / 100) / (40 / 50)) = ln 0.625 =
 * -0.4700; intervals (-inf,1] (1,+inf).  Then merging the first two, with
 * missing values sharing the second's bin: they follow it into the merged
 * bin.
 */
static void merge_intervals_by_hand(void **state)
{
	(void)state;
	struct cr_model_feature *f = calloc(1, sizeof *f);
	f->n_bins = 4;
	f->n_intervals = 3;
	const uint64_t good[] = {5, 45, 30, 20}, bad[] = {5, 5, 10, 30};
	for (int b = 0; b < 4; b++)
		f->bin[b] = (struct cr_model_bin){0, 0, good[b], bad[b]};
	const double hi[] = {1, 2, INFINITY};
	for (int i = 0; i < 3; i++) {
		f->hi[i] = hi[i];
		f->interval_bin[i] = (uint8_t)(i + 1);
	}
	cr_fit_merge_intervals(f, 1, 100, 50);
	assert_int_equal(f->n_bins, 3);
	assert_int_equal(f->n_intervals, 2);
	assert_true(f->hi[0] == 1 && isinf(f->hi[1]));
	assert_int_equal(f->interval_bin[1], 2);
	assert_true(f->bin[2].good == 50 && f->bin[2].bad == 40);
	assert_true(fabs(f->bin[2].woe + 0.47) < 1e-9);
	assert_int_equal(f->missing_bin, 0);
	f->missing_bin = 2;
	cr_fit_merge_intervals(f, 0, 100, 50);
	assert_int_equal(f->n_bins, 2);
	assert_int_equal(f->n_intervals, 1);
	assert_true(isinf(f->hi[0]));
	assert_int_equal(f->interval_bin[0], 1);
	assert_int_equal(f->missing_bin, 1);
	assert_true(f->bin[1].good == 95 && f->bin[1].bad == 45);
	free(f);
}

/*
 * A feature whose bad rate rises with its value on its own, but not given
 * another: 3,000 rows at each of v = 1, 2, 3; u is "x" for every row at
 * v = 2 and for half the rows elsewhere.
 *
 *   v   u = x: rows, bad rate   u = y: rows, bad rate   v alone
 *   1   1,500   30%             1,500    5%             17.5%
 *   2   3,000   20%             -                       20%
 *   3   1,500   50%             1,500   20%             35%
 *
 * Alone, v's bad rate rises (17.5, 20, 35%): a monotone feature.  Given u,
 * v = 2 is safer than v = 1 (20% against 30% among the x rows), so v's own
 * coefficients fall from 1 to 2: points that would rise with the value for
 * v = 2.  The trainer merges v = 1 and 2 and refits.
 */
static void fit_merges_against_the_trend(void **state)
{
	(void)state;
	struct cr_dataset d;
	const char *names[] = {"v", "u"};
	const uint8_t cat[] = {0, 1};
	assert_int_equal(cr_dataset_init(&d, 2, names, cat), 0);
	for (int v = 1; v <= 3; v++)
		for (int r = 0; r < 3000; r++) {
			const int x = v == 2 || r % 2 == 0, h = r / 2;
			const int bad = v == 2 ? r % 10 < 2 : v == 1 ? (x ? h % 10 < 3 : h % 20 < 1)
								     : (x ? h % 2 == 0 : h % 10 < 2);
			double row[2] = {v, 0};
			assert_int_equal(cr_dataset_level(&d, 1, x ? "x" : "y", 1, &row[1]), 0);
			assert_int_equal(cr_dataset_add(&d, row, (uint8_t)bad, 0), 0);
		}
	struct cr_fit_opts o;
	cr_fit_opts_init(&o);
	struct cr_model *m = cr_model_new();
	struct cr_fit_info *info = malloc(sizeof *info);
	assert_int_equal(cr_fit(&d, &o, m, info), 0);
	assert_int_equal(info->col[0].trend, 1);
	assert_int_equal(m->n_features, 2);
	const struct cr_model_feature *f = strcmp(m->feature[0].name, "v") == 0 ? &m->feature[0]
									       : &m->feature[1];
	for (size_t i = 1; i < f->n_intervals; i++)
		assert_true(f->bin[f->interval_bin[i]].points <= f->bin[f->interval_bin[i - 1]].points);
	assert_int_equal(info->merges, 1);
	assert_int_equal(f->n_intervals, 2);
	assert_true(f->hi[0] == 2);
	assert_true(f->bin[f->interval_bin[0]].points > f->bin[f->interval_bin[1]].points);
	free(info);
	cr_model_free(m);
	cr_dataset_fini(&d);
}

/*
 * The penalty's weight: by cross-validation, one of the grid's, and the
 * same on a second fit (the folds are fixed); given, that one.  A column
 * with 1% of its values missing still gets a bin of its own.
 */
static void fit_chooses_the_weight(void **state)
{
	(void)state;
	struct cr_dataset d;
	make_table(&d);
	for (size_t r = 0; r < d.rows; r += 100)
		d.x[r * d.cols + 2] = NAN;
	struct cr_fit_opts o;
	cr_fit_opts_init(&o);
	struct cr_model *m = cr_model_new();
	struct cr_fit_info *info = malloc(sizeof *info);
	assert_int_equal(cr_fit(&d, &o, m, info), 0);
	static const double grid[] = CR_FIT_L2_GRID;
	int in_grid = 0;
	for (size_t g = 0; g < sizeof grid / sizeof grid[0]; g++)
		in_grid |= info->l2 == grid[g];
	assert_true(in_grid);
	assert_true(info->cv_loglik < 0);
	const double l2 = info->l2, cv = info->cv_loglik;
	assert_int_equal(cr_fit(&d, &o, m, info), 0);
	assert_true(info->l2 == l2 && info->cv_loglik == cv);
	o.l2 = 7;
	assert_int_equal(cr_fit(&d, &o, m, info), 0);
	assert_true(info->l2 == 7);
	struct cr_model_feature *f = calloc(1, sizeof *f);
	int8_t trend;
	assert_int_equal(cr_fit_bin(&d, 2, &o, f, NULL, &trend), 0);
	assert_int_equal(f->missing_bin, 0);
	assert_int_equal(f->bin[0].good + f->bin[0].bad, 100);
	free(f);
	free(info);
	cr_model_free(m);
	cr_dataset_fini(&d);
}

/*
 * Scaling by hand: pdo 20, 600 points at 50:1.  factor = 20 / ln 2 =
 * 28.853901; offset = 600 - 28.853901 * ln 50 = 487.122876.  One feature,
 * bins' coefficients 1, 0, -1, intercept -2: points = -(c - 2) * factor +
 * offset, so they give 515.98, 544.83, 573.68; and a row in the middle bin
 * has log-odds of bad -2, pd = 1 / (1 + e^2) = 0.119203.
 */
static void scaling_by_hand(void **state)
{
	(void)state;
	struct cr_model *m = cr_model_new();
	snprintf(m->id, sizeof m->id, "hand");
	m->pdo = 20;
	m->anchor_score = 600;
	m->anchor_odds = 50;
	m->score_min = 350;
	m->score_max = 950;
	m->n_features = 1;
	struct cr_model_feature *f = &m->feature[0];
	snprintf(f->name, sizeof f->name, "x");
	f->n_bins = 3;
	f->n_intervals = 3;
	const double hi[] = {0, 1, INFINITY}, coef[] = {1, 0, -1};
	for (int b = 0; b < 3; b++) {
		f->hi[b] = hi[b];
		f->interval_bin[b] = (uint8_t)b;
	}
	cr_fit_scale(m, -2, coef);
	assert_true(fabs(f->bin[0].points - 515.98) < 1e-9);
	assert_true(fabs(f->bin[1].points - 544.83) < 1e-9);
	assert_true(fabs(f->bin[2].points - 573.68) < 1e-9);
	struct cr_diag d;
	assert_int_equal(cr_model_finish(m, &d), 0);
	struct cr_model_bind b = {{0}};
	struct cr_score s;
	const double x = 0.5;
	cr_model_score(m, &b, &x, &s);
	assert_int_equal(s.score, 545);
	assert_true(fabs(s.pd - 0.119203) < 1e-4);
	cr_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(woe_and_iv_by_hand),
		cmocka_unit_test(irls_closed_form),
		cmocka_unit_test(irls_matches_r_glm),
		cmocka_unit_test(irls_ridge_is_stationary),
		cmocka_unit_test(irls_separable_converges),
		cmocka_unit_test(binning_numeric_monotone_with_missing),
		cmocka_unit_test(binning_categorical_pools_rare_levels),
		cmocka_unit_test(fit_screens_and_orders_points),
		cmocka_unit_test(penalty_by_hand),
		cmocka_unit_test(onehot_penalty_pulls_neighbours),
		cmocka_unit_test(merge_intervals_by_hand),
		cmocka_unit_test(fit_merges_against_the_trend),
		cmocka_unit_test(fit_chooses_the_weight),
		cmocka_unit_test(scaling_by_hand),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
