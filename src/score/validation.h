/*
 * validation.h - how a fitted scorecard does on its training rows and on
 * the rows held out, and the report that shows it.
 *
 * cr_validation_compute measures both samples (metrics.h): AUC, KS, Gini,
 * the gains table by score decile of the held-out rows (of the training
 * rows when none is held out), and the PSI of the held-out scores against
 * the training scores.  cr_validation_write puts that in a directory as a
 * self-contained report: report.html (tables, links to the plots, nothing
 * fetched from elsewhere), roc.svg (the ROC curves) and scores.svg (the
 * score distributions of goods and bads), all hand-written text.
 */
#ifndef CR_VALIDATION_H
#define CR_VALIDATION_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "fit.h"
#include "metrics.h"
#include "model.h"

struct cr_sample_fit {
	size_t rows, bads;
	double auc, ks, gini;   /* NAN when the sample lacks bads or goods */
};

struct cr_validation {
	struct cr_sample_fit train, test;
	double psi;             /* test scores against training scores; NAN without both */
	int gains_of_test;      /* 1: the gains table is the held-out rows' */
	struct cr_gains_row gains[CR_GAINS_ROWS];
	int have_gains;
};

/* The rows to measure: n rows' scores, pd (the risk ranked), target and
 * held-out flag. */
struct cr_scored {
	size_t n;
	const int *score;
	const double *pd;
	const uint8_t *y, *test;
};

/* Fills v.  0, or CR_ENOMEM. */
int cr_validation_compute(const struct cr_scored *s, struct cr_validation *v /* OUT */);

/*
 * Writes report.html, roc.svg and scores.svg into dir (created if needed,
 * mode 0755), replacing earlier ones.  source names what was fitted on
 * (shown in the title); d, when not NULL, names the columns in the
 * screening table with info.  0, or CR_EIO with *why a sentence.
 */
int cr_validation_write(const char *dir, const struct cr_model *m, const struct cr_fit_info *info,
			const struct cr_dataset *d, const struct cr_scored *s,
			const struct cr_validation *v, const char *source, const char **why /* OUT */);

#endif
