/*
 * test_metrics.c - AUC, KS, Gini, ROC, gains and PSI (src/score/metrics.c)
 * on examples worked by hand, ties included.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "cr_err.h"
#include "metrics.h"

/*
 * Bads at risk 0.35, 0.8, 0.4; goods at 0.1, 0.4, 0.2.  Of the 9 (bad,
 * good) pairs the bad ranks higher in: 0.35 > 0.1, 0.2 (2); 0.8 > all (3);
 * 0.4 > 0.1, 0.2 and ties 0.4 (2.5): AUC = 7.5 / 9 = 0.833333, Gini
 * 0.666667.  From the top: after 0.8, 1/3 of bads and 0 goods; after 0.4
 * (a bad and a good tied, taken together), 2/3 and 1/3; after 0.35, 3/3
 * and 1/3: KS = 2/3.  The ROC curve has one point per group of ties, 5,
 * and (0,0).
 */
static const double RISK[] = {0.1, 0.4, 0.35, 0.8, 0.4, 0.2};
static const uint8_t Y[] = {0, 0, 1, 1, 1, 0};

static void auc_ks_with_ties(void **state)
{
	(void)state;
	double auc, ks;
	assert_int_equal(cr_metrics_auc(RISK, Y, 6, &auc), 0);
	assert_true(fabs(auc - 7.5 / 9) < 1e-12);
	assert_true(fabs(cr_metrics_gini(auc) - 6.0 / 9) < 1e-12);
	assert_int_equal(cr_metrics_ks(RISK, Y, 6, &ks), 0);
	assert_true(fabs(ks - 2.0 / 3) < 1e-12);
	struct cr_roc_point p[10];
	size_t n;
	assert_int_equal(cr_metrics_roc(RISK, Y, 6, p, 10, &n), 0);
	assert_int_equal(n, 6);
	assert_true(p[0].fpr == 0 && p[0].tpr == 0 && p[5].fpr == 1 && p[5].tpr == 1);
	assert_true(fabs(p[2].fpr - 1.0 / 3) < 1e-12 && fabs(p[2].tpr - 2.0 / 3) < 1e-12);
	/* All tied: no information, AUC one half, KS 0. */
	const double flat[] = {1, 1, 1, 1};
	const uint8_t y4[] = {0, 1, 0, 1};
	assert_int_equal(cr_metrics_auc(flat, y4, 4, &auc), 0);
	assert_true(auc == 0.5);
	assert_int_equal(cr_metrics_ks(flat, y4, 4, &ks), 0);
	assert_true(ks == 0);
	/* One class only: no measure. */
	assert_int_equal(cr_metrics_auc(RISK, (const uint8_t[]){0, 0, 0, 0, 0, 0}, 6, &auc), CR_EINVAL);
}

/* Scores 1..20; the 4 lowest are bad: decile 1 (scores 1-2) and 2 (3-4)
 * hold every bad, bad rate 100% and lift 5 (overall 20%). */
static void gains_by_decile(void **state)
{
	(void)state;
	int score[20];
	uint8_t y[20];
	for (int i = 0; i < 20; i++) {
		score[19 - i] = 20 - i;
		y[19 - i] = 20 - i <= 4;
	}
	struct cr_gains_row g[CR_GAINS_ROWS];
	assert_int_equal(cr_metrics_gains(score, y, 20, g), 0);
	assert_int_equal(g[0].score_lo, 1);
	assert_int_equal(g[0].score_hi, 2);
	assert_int_equal(g[0].rows, 2);
	assert_int_equal(g[0].bads, 2);
	assert_true(fabs(g[0].lift - 5) < 1e-12);
	assert_true(fabs(g[1].cum_bads - 1) < 1e-12);
	assert_true(fabs(g[1].cum_goods) < 1e-12);
	assert_true(fabs(g[9].cum_goods - 1) < 1e-12);
	assert_int_equal(g[9].score_hi, 20);
}

/*
 * Expected 0..99: deciles cut at 10, 20, ..., 90, 10% in each bin.
 * Actual 0..49: 20% in each of the first five bins, none in the last five
 * (counted as half a row, 1%).  PSI = 5 * (0.2 - 0.1) ln 2 + 5 * (0.01 -
 * 0.1) ln 0.1 = 0.346574 + 1.036163 = 1.382737.
 */
static void psi_by_hand(void **state)
{
	(void)state;
	int e[100], a[50];
	for (int i = 0; i < 100; i++)
		e[i] = i;
	for (int i = 0; i < 50; i++)
		a[i] = i;
	double psi;
	assert_int_equal(cr_metrics_psi(e, 100, e, 100, &psi), 0);
	assert_true(fabs(psi) < 1e-12);
	assert_int_equal(cr_metrics_psi(e, 100, a, 50, &psi), 0);
	assert_true(fabs(psi - 1.382737) < 1e-6);
	assert_int_equal(cr_metrics_psi(e, 0, a, 50, &psi), CR_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(auc_ks_with_ties),
		cmocka_unit_test(gains_by_decile),
		cmocka_unit_test(psi_by_hand),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
