/*
 * score_table.c - a model applied to every row of a training table
 * (cr_model_score_table), as the trainer's validation does.
 *
 * A table stores a categorical cell as the index of its level in the
 * table's own list; the model wants the index in its list.  The two lists
 * are matched once per column, by name, and each row is then scored from
 * a copy with its categorical cells translated.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cr_err.h"
#include "dataset.h"
#include "model.h"

/* codes[c][l]: the model's code for level l of the table's column c. */
static int translate(const struct cr_model *m, const struct cr_dataset *d,
		     const struct cr_model_bind *b, double **codes, struct cr_diag *diag)
{
	for (size_t i = 0; i < m->n_features; i++) {
		const size_t c = b->col[i];
		if (m->feature[i].categorical != d->categorical[c])
			return cr_diag_set(diag, m->feature[i].name,
					   "the feature's type is not its column's (numeric or categorical)");
		if (!d->categorical[c] || codes[c])
			continue;
		codes[c] = malloc((d->n_levels[c] ? d->n_levels[c] : 1) * sizeof *codes[c]);
		if (!codes[c])
			return CR_ENOMEM;
		for (size_t l = 0; l < d->n_levels[c]; l++)
			codes[c][l] = cr_model_level(m, i, d->levels[c][l], strlen(d->levels[c][l]));
	}
	return 0;
}

static void score_rows(const struct cr_model *m, const struct cr_dataset *d,
		       const struct cr_model_bind *b, double *const *codes, double *row, int *score,
		       double *pd)
{
	for (size_t r = 0; r < d->rows; r++) {
		const double *x = d->x + r * d->cols;
		for (size_t i = 0; i < m->n_features; i++) {
			const size_t c = b->col[i];
			const double v = x[c];
			if (!codes[c])
				row[c] = v;
			else
				row[c] = isnan(v) ? NAN : v >= 0 && v < (double)d->n_levels[c] ? codes[c][(size_t)v] : -1;
		}
		struct cr_score s;
		cr_model_score(m, b, row, &s);
		if (score)
			score[r] = s.score;
		if (pd)
			pd[r] = s.pd;
	}
}

int cr_model_score_table(const struct cr_model *m, const struct cr_dataset *d, int *score,
			 double *pd, struct cr_diag *diag)
{
	struct cr_model_bind b;
	int rc = cr_model_bind(m, (const char *const *)d->name, d->cols, &b, diag);
	if (rc)
		return rc;
	double **codes = calloc(d->cols, sizeof *codes);
	double *row = malloc(d->cols * sizeof *row);
	if (!codes || !row)
		rc = CR_ENOMEM;
	if (rc == 0)
		rc = translate(m, d, &b, codes, diag);
	if (rc == 0)
		score_rows(m, d, &b, codes, row, score, pd);
	for (size_t c = 0; codes && c < d->cols; c++)
		free(codes[c]);
	free(codes);
	free(row);
	return rc;
}
