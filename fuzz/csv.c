/*
 * csv.c - libFuzzer target for the CSV reader (cr_csv_next, cr_csv_text)
 * and the training-table loader (cr_csv_dataset).
 *
 * The input is copied into a heap buffer of exactly its size, so
 * AddressSanitizer catches any read past its end.  Every field the reader
 * hands out must lie inside the buffer, unquote to no more bytes than it
 * has, and records must come in increasing line order.  Then the input is
 * loaded as a table whose target is its last header column: an accepted
 * table must have a 0/1 target, levels within their limits and cells that
 * are numbers, NAN, or level indices; a refusal must carry a line and a
 * reason.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cr_assert.h"
#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIELDS_MAX 64

/* Reads every record; returns the text of the first record's last field. */
static void read_all(const char *buf, size_t size, char *target, size_t cap)
{
	struct cr_csv r;
	struct cr_csv_field f[FIELDS_MAX];
	struct cr_diag d;
	size_t n, prev = 0;
	target[0] = '\0';
	cr_csv_init(&r, buf, size);
	while (cr_csv_next(&r, f, FIELDS_MAX, &n, &d) == 1) {
		CR_ASSERT(n >= 1 && n <= FIELDS_MAX);
		CR_ASSERT(r.line > prev);
		prev = r.line;
		for (size_t i = 0; i < n; i++) {
			CR_ASSERT(f[i].p >= buf && f[i].p + f[i].len <= buf + size);
			char t[256];
			const long k = cr_csv_text(&f[i], t, sizeof t);
			CR_ASSERT(k < 0 || (size_t)k <= f[i].len);
			if (prev == r.line && i + 1 == n && !target[0] && k > 0 && (size_t)k < cap)
				memcpy(target, t, (size_t)k + 1);
		}
	}
}

static void check_table(const struct cr_dataset *d)
{
	for (size_t r = 0; r < d->rows; r++) {
		CR_ASSERT(d->y[r] <= 1 && d->test[r] <= 1);
		for (size_t c = 0; c < d->cols; c++) {
			const double v = d->x[r * d->cols + c];
			if (d->categorical[c] && !isnan(v))
				CR_ASSERT(v >= 0 && v < (double)d->n_levels[c] && v == floor(v));
			else
				CR_ASSERT(isnan(v) || isfinite(v));
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	char target[64];
	read_all(buf, size, target, sizeof target);
	struct cr_csv_opts o;
	cr_csv_opts_init(&o);
	o.target = target;
	struct cr_dataset d;
	struct cr_diag diag;
	if (cr_csv_dataset(buf, size, &o, &d, &diag) == 0)
		check_table(&d);
	else
		CR_ASSERT(diag.reason != NULL || d.cols == 0);
	cr_dataset_fini(&d);
	free(buf);
	return 0;
}
