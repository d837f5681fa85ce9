/*
 * csv_dataset.c - a CSV file loaded as a training table (cr_csv_dataset).
 *
 * Two passes over the text.  The first reads the header, places the
 * target, split and dropped columns, checks that every row has as many
 * fields as the header, and learns each column's type: numeric until one
 * cell that is not missing fails to parse as a number.  The second fills
 * the table.  Errors name the physical line and the column.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr_err.h"
#include "cr_limits.h"
#include "csv.h"

enum { ROLE_FEATURE, ROLE_TARGET, ROLE_SPLIT, ROLE_DROP };

/* Open addressing, twice the level limit: entries hold level index + 1. */
#define HASH_SIZE (2 * CR_DATASET_LEVELS_MAX)

struct loader {
	const struct cr_csv_opts *o;
	size_t n_cols, rows;
	char name[CR_DATASET_COLS_MAX][CR_MODEL_NAME_MAX + 1];
	uint8_t numeric[CR_DATASET_COLS_MAX];
	uint8_t role[CR_DATASET_COLS_MAX];
	size_t out_col[CR_DATASET_COLS_MAX];
	uint16_t *hash[CR_DATASET_COLS_MAX];
	struct cr_csv_field f[CR_DATASET_COLS_MAX + 1];
};

static int err(struct cr_diag *d, size_t line, const char *field, int rc, const char *reason)
{
	if (d) {
		d->line = line;
		snprintf(d->field, sizeof d->field, "%s", field);
		d->reason = reason;
	}
	return rc;
}

/* "column N (name)", cut to fit diag->field. */
static int cell_err(struct cr_diag *d, const struct loader *L, size_t line, size_t c, int rc,
		    const char *reason)
{
	char field[sizeof d->field];
	int k = snprintf(field, sizeof field, "column %zu (", c + 1);
	const int room = (int)sizeof field - 2 - k;
	snprintf(field + k, sizeof field - (size_t)k, "%.*s)", room, L->name[c]);
	return err(d, line, field, rc, reason);
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static long find(const struct loader *L, const char *name)
{
	for (size_t c = 0; c < L->n_cols; c++)
		if (strcmp(L->name[c], name) == 0)
			return (long)c;
	return -1;
}

static int place_roles(struct loader *L, struct cr_diag *d)
{
	const struct cr_csv_opts *o = L->o;
	long c = o->target ? find(L, o->target) : -1;
	if (c < 0)
		return err(d, 1, "target", CR_EINVAL, "the target column is not in the header");
	L->role[c] = ROLE_TARGET;
	if (o->split) {
		c = find(L, o->split);
		if (c < 0 || L->role[c] != ROLE_FEATURE)
			return err(d, 1, "split", CR_EINVAL, "the split column is not in the header, or is the target");
		L->role[c] = ROLE_SPLIT;
	}
	for (size_t i = 0; o->drop && o->drop[i]; i++) {
		c = find(L, o->drop[i]);
		if (c < 0 || L->role[c] != ROLE_FEATURE)
			return err(d, 1, "drop", CR_EINVAL, "a column to leave out is not in the header, or is the target");
		L->role[c] = ROLE_DROP;
	}
	return 0;
}

static int header(struct loader *L, struct cr_csv *r, struct cr_diag *d)
{
	size_t n;
	int rc = cr_csv_next(r, L->f, CR_DATASET_COLS_MAX, &n, d);
	if (rc < 0)
		return rc == CR_ETOOBIG ? err(d, r->next_line, "header", rc, "more than 256 columns") : rc;
	if (rc == 0)
		return err(d, 1, "header", CR_EINVAL, "the file is empty: no header");
	L->n_cols = n;
	for (size_t c = 0; c < n; c++) {
		L->numeric[c] = 1;
		if (cr_csv_text(&L->f[c], L->name[c], sizeof L->name[c]) < 0)
			return cell_err(d, L, r->line, c, CR_ETOOBIG, "a column name longer than 63 bytes");
		if (!L->name[c][0] || has_control(L->name[c]))
			return cell_err(d, L, r->line, c, CR_EINVAL, "a column needs a name, without control characters");
		if (find(L, L->name[c]) != (long)c)
			return cell_err(d, L, r->line, c, CR_EINVAL, "two columns with one name");
	}
	return place_roles(L, d);
}

/* First pass: row shapes and column types. */
static int learn(struct loader *L, struct cr_csv *r, struct cr_diag *d)
{
	size_t n;
	int rc;
	while ((rc = cr_csv_next(r, L->f, CR_DATASET_COLS_MAX + 1, &n, d)) == 1) {
		if (n != L->n_cols)
			return err(d, r->line, "row", CR_EINVAL,
				   "the row has a different number of fields than the header");
		for (size_t c = 0; c < n; c++) {
			double v;
			if (L->numeric[c] && !cr_csv_missing(&L->f[c]) &&
			    cr_csv_field_number(&L->f[c], &v) != 0)
				L->numeric[c] = 0;
		}
		L->rows++;
	}
	if (rc < 0)
		return rc;
	return L->rows ? 0 : err(d, r->next_line, "row", CR_EINVAL, "no data rows");
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

static int intern(struct loader *L, struct cr_dataset *d, size_t c, const char *s, size_t n,
		  double *out)
{
	const size_t dc = L->out_col[c];
	uint16_t *h = L->hash[c];
	size_t i = fnv1a(s, n) & (HASH_SIZE - 1);
	for (; h[i]; i = (i + 1) & (HASH_SIZE - 1)) {
		const char *l = d->levels[dc][h[i] - 1];
		if (strlen(l) == n && memcmp(l, s, n) == 0) {
			*out = h[i] - 1;
			return 0;
		}
	}
	int rc = cr_dataset_level(d, dc, s, n, out);
	if (rc == 0)
		h[i] = (uint16_t)(*out + 1);
	return rc;
}

static int category(struct loader *L, struct cr_dataset *d, size_t line, size_t c, double *out,
		    struct cr_diag *diag)
{
	char text[CR_MODEL_LEVEL_MAX + 1];
	const long n = cr_csv_text(&L->f[c], text, sizeof text);
	if (n < 0)
		return cell_err(diag, L, line, c, CR_ETOOBIG, "a category longer than 63 bytes");
	if (has_control(text) || memchr(text, '\0', (size_t)n))
		return cell_err(diag, L, line, c, CR_EINVAL, "a category with a control character");
	int rc = intern(L, d, c, text, (size_t)n, out);
	if (rc == CR_ETOOBIG)
		return cell_err(diag, L, line, c, rc, "more than 4096 distinct values: an identifier? leave it out");
	return rc;
}

/* One row's target, split flag and cells. */
static int fill_row(struct loader *L, struct cr_dataset *d, size_t line, uint64_t row, double *x,
		    uint8_t *y, uint8_t *test, struct cr_diag *diag)
{
	*test = L->o->split ? 0 : (uint8_t)cr_csv_holdout(row, L->o->test_share);
	for (size_t c = 0; c < L->n_cols; c++) {
		const struct cr_csv_field *f = &L->f[c];
		const int missing = cr_csv_missing(f);
		double v = NAN;
		char s[8];
		int rc;
		switch (L->role[c]) {
		case ROLE_TARGET:
			if (missing || cr_csv_field_number(f, &v) || (v != 0 && v != 1))
				return cell_err(diag, L, line, c, CR_EINVAL, "the target must be 0 or 1 (1: bad)");
			*y = (uint8_t)v;
			break;
		case ROLE_SPLIT:
			*test = cr_csv_text(f, s, sizeof s) >= 0 && strcmp(s, "test") == 0;
			break;
		case ROLE_FEATURE:
			if (missing)
				x[L->out_col[c]] = NAN;
			else if (L->numeric[c])
				cr_csv_field_number(f, &x[L->out_col[c]]);
			else if ((rc = category(L, d, line, c, &x[L->out_col[c]], diag)) != 0)
				return rc;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* Second pass: the table. */
static int fill(struct loader *L, struct cr_csv *r, struct cr_dataset *d, struct cr_diag *diag)
{
	const char *names[CR_DATASET_COLS_MAX];
	uint8_t categorical[CR_DATASET_COLS_MAX];
	size_t k = 0;
	for (size_t c = 0; c < L->n_cols; c++) {
		if (L->role[c] != ROLE_FEATURE)
			continue;
		L->out_col[c] = k;
		names[k] = L->name[c];
		categorical[k++] = !L->numeric[c];
		if (!L->numeric[c] && !(L->hash[c] = calloc(HASH_SIZE, sizeof *L->hash[c])))
			return CR_ENOMEM;
	}
	if (k == 0)
		return err(diag, 1, "header", CR_EINVAL, "no column left to learn from");
	int rc = cr_dataset_init(d, k, names, categorical);
	double *x = malloc(k * sizeof *x);
	if (rc || !x) {
		free(x);
		return rc ? rc : CR_ENOMEM;
	}
	size_t n;
	uint64_t row = 0;
	while (rc == 0 && cr_csv_next(r, L->f, CR_DATASET_COLS_MAX + 1, &n, diag) == 1) {
		uint8_t y = 0, test = 0;
		rc = fill_row(L, d, r->line, ++row, x, &y, &test, diag);
		if (rc == 0 && (rc = cr_dataset_add(d, x, y, test)) == CR_ETOOBIG)
			err(diag, r->line, "row", rc, "more cells than a training table holds (2^28)");
	}
	free(x);
	return rc;
}

int cr_csv_dataset(const char *buf, size_t len, const struct cr_csv_opts *o,
		   struct cr_dataset *d, struct cr_diag *diag)
{
	memset(d, 0, sizeof *d);
	if (!buf || !o || !diag)
		return CR_EINVAL;
	struct loader *L = calloc(1, sizeof *L);
	if (!L)
		return CR_ENOMEM;
	L->o = o;
	struct cr_csv r;
	cr_csv_init(&r, buf, len);
	int rc = header(L, &r, diag);
	if (rc == 0)
		rc = learn(L, &r, diag);
	if (rc == 0) {
		cr_csv_init(&r, buf, len);
		cr_csv_next(&r, L->f, CR_DATASET_COLS_MAX, &(size_t){0}, diag);
		rc = fill(L, &r, d, diag);
	}
	for (size_t c = 0; c < L->n_cols; c++)
		free(L->hash[c]);
	free(L);
	return rc;
}
