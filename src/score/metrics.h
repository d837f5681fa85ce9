/*
 * metrics.h - how well a score separates bads from goods: AUC, KS, Gini,
 * the gains table by score decile, the ROC curve, and the population
 * stability index between two samples of scores.
 *
 * The functions that rank take a risk value per row, higher meaning more
 * likely bad (y = 1): a probability of default, or a score negated.  Ties
 * are handled exactly: rows of equal risk share their average rank (AUC),
 * and the curves step over a whole group of ties at once (KS, ROC).  Each
 * function sorts a copy of the (risk, target) pairs, which it allocates and
 * frees (16 bytes a row); none keeps anything.
 *
 * Every function returns 0, CR_EINVAL when the sample lacks bads or goods
 * (or is empty), or CR_ENOMEM.
 */
#ifndef CR_METRICS_H
#define CR_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* The area under the ROC curve: the chance that a random bad has a higher
 * risk than a random good, ties counting one half (Mann-Whitney U). */
int cr_metrics_auc(const double *risk, const uint8_t *y, size_t n, double *auc /* OUT */);

/* Kolmogorov-Smirnov: the largest gap between the share of bads and the
 * share of goods at or above a risk threshold. */
int cr_metrics_ks(const double *risk, const uint8_t *y, size_t n, double *ks /* OUT */);

/* The Gini coefficient (accuracy ratio) from the AUC: 2 * AUC - 1. */
double cr_metrics_gini(double auc);

struct cr_roc_point {
	double fpr, tpr;        /* share of goods, share of bads at or above a threshold */
};

/* The ROC curve from (0,0) to (1,1), one point per group of tied risks,
 * thinned evenly to at most max points (max >= 2). */
int cr_metrics_roc(const double *risk, const uint8_t *y, size_t n, struct cr_roc_point *pts,
		   size_t max, size_t *n_pts /* OUT */);

#define CR_GAINS_ROWS 10

struct cr_gains_row {
	int score_lo, score_hi; /* the decile's lowest and highest score */
	size_t rows, bads;
	double bad_rate;        /* bads / rows in the decile */
	double cum_bads, cum_goods; /* share of all bads and goods in this and lower deciles */
	double lift;            /* the decile's bad rate over the sample's */
};

/* The gains table: rows sorted by score, lowest (riskiest) first, cut into
 * ten groups of equal size (a group may split a run of equal scores). */
int cr_metrics_gains(const int *score, const uint8_t *y, size_t n,
		     struct cr_gains_row out[CR_GAINS_ROWS] /* OUT */);

/* The population stability index of actual against expected: both binned
 * at the deciles of expected, sum of (a - e) * ln(a / e) over the shares;
 * an empty bin counts as half a row.  Under 0.1 is usually read as
 * stable, over 0.25 as shifted.  CR_EINVAL when a sample is empty. */
int cr_metrics_psi(const int *expected, size_t ne, const int *actual, size_t na,
		   double *psi /* OUT */);

#endif
