/*
 * dataset.c - a minimal table of examples (dataset.h), enough for the
 * features' training walk and its tests to build and run.  The trainer's
 * own dataset.c replaces this file whole.
 *
 * Rows grow by doubling; categorical levels are interned by a linear scan.
 */
#include "dataset.h"

#include <stdlib.h>
#include <string.h>

#include "cr_err.h"

int cr_dataset_init(struct cr_dataset *d, size_t cols, const char *const *names,
		    const uint8_t *categorical)
{
	memset(d, 0, sizeof *d);
	if (cols == 0 || !names)
		return CR_EINVAL;
	for (size_t i = 0; i < cols; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0)
				return CR_EINVAL;
	d->cols = cols;
	d->name = calloc(cols, sizeof *d->name);
	d->categorical = calloc(cols, 1);
	d->levels = calloc(cols, sizeof *d->levels);
	d->n_levels = calloc(cols, sizeof *d->n_levels);
	if (!d->name || !d->categorical || !d->levels || !d->n_levels)
		goto nomem;
	for (size_t i = 0; i < cols; i++) {
		d->name[i] = strdup(names[i]);
		if (!d->name[i])
			goto nomem;
		d->categorical[i] = categorical ? categorical[i] != 0 : 0;
	}
	return 0;
nomem:
	cr_dataset_fini(d);
	return CR_ENOMEM;
}

static int grow(struct cr_dataset *d)
{
	const size_t cap = d->cap_rows ? 2 * d->cap_rows : 1024;
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
	if (d->rows == d->cap_rows && grow(d))
		return CR_ENOMEM;
	memcpy(d->x + d->rows * d->cols, x, d->cols * sizeof *x);
	d->y[d->rows] = y;
	d->test[d->rows] = test != 0;
	d->rows++;
	return 0;
}

int cr_dataset_level(struct cr_dataset *d, size_t col, const char *s, size_t len,
		     double *out)
{
	if (!d || col >= d->cols || !d->categorical[col] || !s)
		return CR_EINVAL;
	char **lv = d->levels[col];
	for (size_t i = 0; i < d->n_levels[col]; i++)
		if (strlen(lv[i]) == len && memcmp(lv[i], s, len) == 0) {
			*out = (double)i;
			return 0;
		}
	char **grown = realloc(lv, (d->n_levels[col] + 1) * sizeof *lv);
	if (!grown)
		return CR_ENOMEM; /* lv is still the column's */
	d->levels[col] = lv = grown;
	lv[d->n_levels[col]] = strndup(s, len);
	if (!lv[d->n_levels[col]])
		return CR_ENOMEM;
	*out = (double)d->n_levels[col]++;
	return 0;
}

long cr_dataset_col(const struct cr_dataset *d, const char *name)
{
	for (size_t i = 0; d && name && i < d->cols; i++)
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
		for (size_t j = 0; d->levels && d->n_levels && j < d->n_levels[i]; j++)
			free(d->levels[i][j]);
		if (d->levels)
			free(d->levels[i]);
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
