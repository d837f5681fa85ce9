/*
 * dataset.h - a table of examples for fitting and validating a scorecard:
 * named columns, numeric or categorical, a 0/1 target per row, and a flag
 * per row for the held-out (test) sample.
 *
 * Rows come from a CSV file (csv.h, `creditref scorecard fit --csv`) or
 * from the bureau's own history (features.h, `creditref scorecard fit
 * --db`); the trainer (fit.h) reads only this.
 *
 * Cells are doubles in one row-major array.  NAN is a missing value.  A
 * categorical column holds the index of its level in levels[col] (interned
 * by cr_dataset_level), as a double.
 */
#ifndef CR_DATASET_H
#define CR_DATASET_H

#include <stddef.h>
#include <stdint.h>

struct cr_dataset {
	size_t rows, cols, cap_rows;
	char **name;            /* [cols] */
	uint8_t *categorical;   /* [cols] 1: levels, 0: numbers */
	char ***levels;         /* [cols][n_levels[col]], NULL for numeric columns */
	size_t *n_levels;       /* [cols] */
	double *x;              /* [rows * cols], row-major; NAN: missing */
	uint8_t *y;             /* [rows] the target, 0 or 1 */
	uint8_t *test;          /* [rows] 1: held out of the fit */
};

/* An empty table with these columns.  0, CR_ENOMEM, CR_EINVAL (no column,
 * or two with one name). */
int cr_dataset_init(struct cr_dataset *d, size_t cols, const char *const *names,
		    const uint8_t *categorical);
/* Appends a row of cols cells. */
int cr_dataset_add(struct cr_dataset *d, const double *x, uint8_t y, uint8_t test);
/* The index of level s (len bytes) of categorical column col, interned on
 * first sight, as the double to store in a cell. */
int cr_dataset_level(struct cr_dataset *d, size_t col, const char *s, size_t len,
		     double *out /* OUT */);
/* The column named name, or -1. */
long cr_dataset_col(const struct cr_dataset *d, const char *name);
void cr_dataset_fini(struct cr_dataset *d);

#endif
