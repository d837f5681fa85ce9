/*
 * fit.h - the trainer: a scorecard fitted to a training table.
 *
 * cr_fit turns the training rows of a struct cr_dataset (test == 0) into a
 * struct cr_model in six steps (docs/scoring.md, "How a scorecard is
 * fitted"):
 *
 *   1. binning: each column is cut into bins, and each bin gets its weight
 *      of evidence, WoE = ln(share of goods / share of bads).  A numeric
 *      column starts from CR_FIT_INITIAL_BINS quantile bins, merges those
 *      under the minimum share, then merges adjacent bins until the bad
 *      rate rises or falls monotonically, unless that loses more than
 *      mono_iv_loss of the information value.  A categorical column keeps
 *      each level above the minimum share, pools the rest as "others", and
 *      groups them in WoE order.  Missing values get a bin of their own.
 *   2. screening: columns whose information value is under iv_min, or with
 *      a single bin, are left out; at most CR_MODEL_FEATURES_MAX, the most
 *      informative, stay.
 *   3. a logistic regression of the target on the bins, one coefficient
 *      per bin, by Newton's method (IRLS) with a penalty: the squared
 *      difference between neighbouring bins of a numeric column, and the
 *      square of each level's and each missing bin's coefficient.  Its
 *      weight, l2, is chosen by CR_FIT_CV_FOLDS-fold cross-validation on
 *      the training rows, unless the caller sets it.
 *   4. selection: least informative first, a column leaves when the
 *      cross-validated likelihood is no worse without it.
 *   5. monotone points: in a column whose bad rate rises or falls with the
 *      value (step 1), two neighbouring bins whose coefficients run the
 *      other way are merged and the model refitted, until none do; a
 *      column left with one bin leaves the model ("flat").  This runs
 *      before step 4, so that the selection weighs each column as the
 *      model will hold it, and again after it.
 *   6. scaling: points per bin = -(coefficient + alpha / n) * factor +
 *      offset / n, with factor = pdo / ln 2 and offset = anchor_score -
 *      factor * ln(anchor_odds), odds good:bad.  The target is 1 for bad,
 *      so a bin with a higher coefficient is riskier and gets fewer points:
 *      a higher score is a lower risk.  The model is then checked
 *      (cr_model_finish) and its metadata set.
 *
 * Every number written to the model is rounded first (WoE and IV to 4
 * decimals, coefficients to 6, points to 2) and the later steps use the
 * rounded values, so the points follow from the coefficients exactly and
 * the monotone checks hold for the points written.
 */
#ifndef CR_FIT_H
#define CR_FIT_H

#include <stddef.h>
#include <stdint.h>

#include "cr_limits.h"
#include "dataset.h"
#include "model.h"

struct cr_fit_opts {
	double pdo, anchor_score, anchor_odds; /* 20, 600, 50 */
	int score_min, score_max;              /* 350, 950 */
	double iv_min;          /* 0.02: columns under it are left out */
	double l2;              /* the penalty's weight; negative (the default): by cross-validation */
	double tol;             /* 1e-8: Newton stops when no coefficient moves more */
	double mono_iv_loss;    /* 0.10: monotone bins kept when they lose at most this IV share */
	double bin_share_min;   /* CR_FIT_BIN_SHARE_MIN_PCT / 100; from 0.01 to 0.5 */
	const char *model_id;   /* "scorecard" */
	const char *description; /* "" */
	const char *const *reasons; /* [d->cols] borrower sentences, or NULL: the name */
};

void cr_fit_opts_init(struct cr_fit_opts *o);

/* The penalty weights the cross-validation tries, smallest first. */
#define CR_FIT_L2_GRID {1, 3, 10, 30, 100, 300, 1000}

enum cr_fit_status {
	CR_FIT_KEPT = 0,
	CR_FIT_LOW_IV,          /* information value under iv_min */
	CR_FIT_FLAT,            /* its monotone points merged into one bin: it cannot move a score */
	CR_FIT_OVER_LIMIT,      /* past CR_MODEL_FEATURES_MAX by information value */
	CR_FIT_NO_GAIN,         /* the cross-validated likelihood was no worse without it */
};

struct cr_fit_column {
	double iv;              /* as screened (the model file gives a kept one's final bins') */
	uint16_t n_bins;        /* missing bin included; a kept column's final bins */
	int8_t trend;           /* +1 bad rate rises with the value, -1 falls, 0 neither */
	uint8_t status;         /* enum cr_fit_status */
	double spread;          /* kept columns: the most points a bin gives minus the fewest */
};

struct cr_fit_info {
	size_t rows_train, bads_train;
	size_t cols;
	struct cr_fit_column col[CR_DATASET_COLS_MAX];
	double l2;              /* the penalty's weight used */
	double cv_loglik;       /* cross-validated log-likelihood of the columns selected; 0: none */
	unsigned merges;        /* pairs of bins merged for monotone points */
	unsigned iterations;    /* Newton steps of the final fit */
	int converged;
	double loglik;          /* penalised log-likelihood of the final fit */
	const char *why;        /* the reason, when cr_fit returns CR_EINVAL */
};

/*
 * Fits a scorecard to d's training rows into m (overwritten).  Returns 0;
 * CR_EINVAL with info->why when the options are out of range, the training
 * rows lack bads or goods, or no column passes the screening; CR_ENOMEM.
 */
int cr_fit(const struct cr_dataset *d, const struct cr_fit_opts *o, struct cr_model *m /* OUT */,
	   struct cr_fit_info *info /* OUT */);

/* The pieces, for tests and for anyone who wants one step. */

/* WoE of a bin with good and bad rows out of goods and bads in all:
 * ln((good / goods) / (bad / bads)); a bin with no good or no bad row gets
 * half a row added to both counts, so that the value stays finite. */
double cr_fit_woe(uint64_t good, uint64_t bad, uint64_t goods, uint64_t bads);

/* Information value of n bins: sum of (good / goods - bad / bads) * WoE. */
double cr_fit_iv(const uint64_t *good, const uint64_t *bad, size_t n);

/*
 * Bins column col of d's training rows (step 1) into f: name, type, bins
 * with counts and WoE (rounded), intervals or levels, missing and others;
 * points are left at 0.  For a categorical column, level_bin[0..n_levels
 * of col) receives each of the table's levels' bin.  *trend as in struct
 * cr_fit_column.  0, or CR_ENOMEM.
 */
int cr_fit_bin(const struct cr_dataset *d, size_t col, const struct cr_fit_opts *o,
	       struct cr_model_feature *f /* OUT */, uint8_t *level_bin /* OUT */,
	       int8_t *trend /* OUT */);

struct cr_irls {
	unsigned iterations;
	int converged;
	double loglik;          /* penalised */
};

/*
 * A penalised logistic regression for cr_fit_newton: n rows, k unknowns
 * (the intercept, then one per column).  A row is either dense, x[i * (k -
 * 1) + j] the value of column j + 1, or one-hot, col[i * p + a] (1..k-1,
 * increasing) the p columns whose value is 1 and all others 0.  The
 * penalty is beta' P beta / 2 with P tridiagonal: pen_diag[j] on the
 * diagonal, pen_next[j] (NULL: none) between j and j + 1; index 0 is the
 * intercept's and is ignored, which leaves it free.  With fold set, rows
 * whose fold is skip are left out.
 */
struct cr_irls_data {
	size_t n, k;
	const uint8_t *y;       /* [n] 0 or 1 */
	const double *x;        /* dense rows, or NULL */
	const uint16_t *col;    /* one-hot rows, or NULL */
	size_t p;               /* one-hot: 1s per row */
	const uint8_t *fold;    /* [n], or NULL: every row */
	uint8_t skip;
	const double *pen_diag; /* [k] */
	const double *pen_next; /* [k], or NULL */
	const double *start;    /* [k] where Newton starts, or NULL: the intercept alone */
};

/*
 * Maximises sum(log-likelihood) - beta' P beta / 2 by Newton's method with
 * step halving, from d->start or the intercept alone; beta[0..k) receives the
 * intercept then the coefficients.  Stops when no coefficient moves more
 * than tol, or after CR_FIT_IRLS_ITER_MAX steps (res->converged says
 * which).  CR_EINVAL when the rows in the fit are all bads or all goods,
 * CR_ENOMEM.
 */
int cr_fit_newton(const struct cr_irls_data *d, double tol, double *beta /* OUT */,
		  struct cr_irls *res /* OUT */);

/* The log-likelihood, unpenalised, of the rows whose fold is fold. */
double cr_fit_loglik_fold(const struct cr_irls_data *d, const double *beta, uint8_t fold);

/*
 * Logistic regression of y on x (n dense rows of p columns) with an
 * intercept and a ridge, maximising sum(log-likelihood) - l2 / 2 *
 * |beta[1..p]|^2: cr_fit_newton with P = l2 I.  CR_EINVAL when y is all 0
 * or all 1 or l2 < 0, CR_ENOMEM.
 */
int cr_fit_logistic(const double *x, const uint8_t *y, size_t n, size_t p, double l2,
		    double tol, double *beta /* OUT */, struct cr_irls *res /* OUT */);

/*
 * The penalty of step 3 for one feature whose bins are columns first..first
 * + f->n_bins of a regression, added to pen_diag and pen_next: l2 on the
 * difference of each two neighbouring intervals of a numeric feature (and
 * l2 * CR_FIT_RIDGE_SHARE on each interval's own coefficient, which pins
 * the feature's level), l2 on each other bin's coefficient.  A
 * numeric feature's intervals must be consecutive bins, as cr_fit_bin
 * makes them.
 */
void cr_fit_penalty(const struct cr_model_feature *f, size_t first, double l2, double *pen_diag,
		    double *pen_next);

/* The share of l2 that pins a numeric feature's level: small enough to
 * leave its shape to the data and the difference penalty. */
#define CR_FIT_RIDGE_SHARE 1e-3

/*
 * Merges interval i + 1 of numeric feature f into interval i (their bins,
 * consecutive, become one, its counts summed and WoE recomputed out of
 * goods and bads): step 5.
 */
void cr_fit_merge_intervals(struct cr_model_feature *f, size_t i, uint64_t goods, uint64_t bads);

/* Step 6: every bin's points from its coefficient, coef[] holding the
 * features' bins one feature after another, and the intercept alpha, under
 * m's scaling; base points 0. */
void cr_fit_scale(struct cr_model *m, double alpha, const double *coef);

#endif
