/*
 * dataset.c - the training table of dataset.h.
 *
 * Rows are appended to one row-major array of doubles that doubles in
 * capacity, up to CR_DATASET_CELLS_MAX cells; the target and the held-out
 * flag are byte arrays beside it.  Levels of a categorical column are
 * interned by a linear search: a table is built once, and a reader with
 * many rows (csv.c) keeps its own hash in front, calling cr_dataset_level
 * only for a level it has not seen, so the search runs once per level.
 */
#include <stdlib.h>
#include <string.h>

#include "cr_err.h"
#include "cr_limits.h"
#include "dataset.h"

static int names_ok(size_t cols, const char *const *names)
{
	for (size_t i = 0; i < cols; i++) {
		if (!names[i] || !names[i][0])
			return 0;
		for (size_t j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0)
				return 0;
	}
	return 1;
}

int cr_dataset_init(struct cr_dataset *d, size_t cols, const char *const *names,
		    const uint8_t *categorical)
{
	memset(d, 0, sizeof *d);
	if (cols == 0 || cols > CR_DATASET_COLS_MAX || !names || !names_ok(cols, names))
		return CR_EINVAL;
	d->cols = cols;
	d->name = calloc(cols, sizeof *d->name);
	d->categorical = calloc(cols, sizeof *d->categorical);
	d->levels = calloc(cols, sizeof *d->levels);
	d->n_levels = calloc(cols, sizeof *d->n_levels);
	if (!d->name || !d->categorical || !d->levels || !d->n_levels)
		goto nomem;
	for (size_t i = 0; i < cols; i++) {
		d->name[i] = strdup(names[i]);
		if (!d->name[i])
			goto nomem;
		d->categorical[i] = categorical && categorical[i] ? 1 : 0;
	}
	return 0;
nomem:
	cr_dataset_fini(d);
	return CR_ENOMEM;
}

/* Makes room for one more row. */
static int grow(struct cr_dataset *d)
{
	if (d->rows < d->cap_rows)
		return 0;
	const size_t max_rows = (size_t)(CR_DATASET_CELLS_MAX / d->cols);
	if (d->rows >= max_rows)
		return CR_ETOOBIG;
	size_t cap = d->cap_rows ? d->cap_rows * 2 : 1024;
	if (cap > max_rows)
		cap = max_rows;
	double *x = realloc(d->x, cap * d->cols * sizeof *x);
	if (!x)
		return CR_ENOMEM;
	d->x = x;
	uint8_t *y = realloc(d->y, cap);
	if (!y)
		return CR_ENOMEM;
	d->y = y;
	uint8_t *t = realloc(d->test, cap);
	if (!t)
		return CR_ENOMEM;
	d->test = t;
	d->cap_rows = cap;
	return 0;
}

int cr_dataset_add(struct cr_dataset *d, const double *x, uint8_t y, uint8_t test)
{
	if (!d || !x || d->cols == 0 || y > 1)
		return CR_EINVAL;
	int rc = grow(d);
	if (rc)
		return rc;
	memcpy(d->x + d->rows * d->cols, x, d->cols * sizeof *x);
	d->y[d->rows] = y;
	d->test[d->rows] = test ? 1 : 0;
	d->rows++;
	return 0;
}

int cr_dataset_level(struct cr_dataset *d, size_t col, const char *s, size_t len,
		     double *out)
{
	if (!d || col >= d->cols || !d->categorical[col] || (!s && len))
		return CR_EINVAL;
	if (len > CR_MODEL_LEVEL_MAX)
		return CR_ETOOBIG;
	if (len && memchr(s, '\0', len))
		return CR_EINVAL;
	const size_t n = d->n_levels[col];
	for (size_t i = 0; i < n; i++) {
		const char *l = d->levels[col][i];
		if (strlen(l) == len && memcmp(l, s, len) == 0) {
			*out = (double)i;
			return 0;
		}
	}
	if (n >= CR_DATASET_LEVELS_MAX)
		return CR_ETOOBIG;
	/* Capacity doubles at each power of two from 8 on. */
	if (n == 0 || (n >= 8 && (n & (n - 1)) == 0)) {
		const size_t cap = n ? n * 2 : 8;
		char **l = realloc(d->levels[col], cap * sizeof *l);
		if (!l)
			return CR_ENOMEM;
		d->levels[col] = l;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return CR_ENOMEM;
	if (len)
		memcpy(copy, s, len);
	copy[len] = '\0';
	d->levels[col][n] = copy;
	d->n_levels[col] = n + 1;
	*out = (double)n;
	return 0;
}

long cr_dataset_col(const struct cr_dataset *d, const char *name)
{
	if (!d || !name)
		return -1;
	for (size_t i = 0; i < d->cols; i++)
		if (strcmp(d->name[i], name) == 0)
			return (long)i;
	return -1;
}

void cr_dataset_fini(struct cr_dataset *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->cols; i++) {
		if (d->name)
			free(d->name[i]);
		if (d->levels && d->levels[i]) {
			for (size_t j = 0; j < d->n_levels[i]; j++)
				free(d->levels[i][j]);
			free(d->levels[i]);
		}
	}
	free(d->name);
	free(d->categorical);
	free(d->levels);
	free(d->n_levels);
	free(d->x);
	free(d->y);
	free(d->test);
	memset(d, 0, sizeof *d);
}
