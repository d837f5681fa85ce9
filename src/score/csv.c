/*
 * csv.c - the CSV reader and the training-table loader of csv.h.
 *
 * The reader is a loop over one record: each field is either quoted (scan
 * to the closing quote, stepping over doubled quotes and counting line
 * breaks) or bare (scan to a comma or the end of the line).  The scan is
 * bounded by CR_CSV_RECORD_MAX from the record's start, so a quote left
 * open fails at once instead of reading the rest of a large file.
 *
 * The loader reads the text twice: once to learn each column's type from
 * every cell (a column is numeric only if all its cells are), once to fill
 * the table.  Categorical cells go through a small hash per column in front
 * of cr_dataset_level, so a large file interns each level once.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr_err.h"
#include "cr_limits.h"
#include "csv.h"

void cr_csv_init(struct cr_csv *r, const char *buf, size_t len)
{
	r->buf = buf;
	r->len = len;
	r->pos = 0;
	r->line = 0;
	r->next_line = 1;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		r->pos = 3;
}

static int fail(struct cr_diag *d, size_t line, size_t col, int rc, const char *reason)
{
	if (d) {
		d->line = line;
		snprintf(d->field, sizeof d->field, "column %zu", col);
		d->reason = reason;
	}
	return rc;
}

/* Steps over blank lines; returns non-zero when input remains. */
static int skip_blank(struct cr_csv *r)
{
	while (r->pos < r->len) {
		if (r->buf[r->pos] == '\n')
			r->pos++;
		else if (r->buf[r->pos] == '\r' && r->pos + 1 < r->len && r->buf[r->pos + 1] == '\n')
			r->pos += 2;
		else
			return 1;
		r->next_line++;
	}
	return 0;
}

/* Scans a quoted field from q (its opening quote) to just past its closing
 * quote, counting line breaks; returns the end, or 0 when it stays open up
 * to lim. */
static size_t scan_quoted(const char *buf, size_t q, size_t lim, size_t *lines)
{
	for (q++; q < lim; q++) {
		if (buf[q] == '"') {
			if (q + 1 < lim && buf[q + 1] == '"') {
				q++;
				continue;
			}
			return q + 1;
		}
		if (buf[q] == '\n')
			(*lines)++;
	}
	return 0;
}

/* What ends a field: a comma, a line break, or the end.  Returns 0 and the
 * new position (past the comma, or past the line break with *done set). */
static int field_end(const char *buf, size_t len, size_t *pos, int *done, size_t *lines)
{
	size_t p = *pos;
	if (p >= len) {
		*done = 1;
	} else if (buf[p] == ',') {
		*pos = p + 1;
	} else if (buf[p] == '\n') {
		*pos = p + 1;
		*done = 1;
		(*lines)++;
	} else if (buf[p] == '\r' && p + 1 < len && buf[p + 1] == '\n') {
		*pos = p + 2;
		*done = 1;
		(*lines)++;
	} else {
		return -1;
	}
	return 0;
}

int cr_csv_next(struct cr_csv *r, struct cr_csv_field *f, size_t max, size_t *n,
		struct cr_diag *d)
{
	*n = 0;
	if (!skip_blank(r))
		return 0;
	const char *buf = r->buf;
	const size_t start = r->pos;
	const size_t lim = r->len - start > CR_CSV_RECORD_MAX ? start + CR_CSV_RECORD_MAX : r->len;
	size_t pos = start, lines = 0, k = 0;
	int done = 0;
	while (!done) {
		if (k == max)
			return fail(d, r->next_line + lines, k + 1, CR_ETOOBIG, "more fields than allowed");
		size_t end = pos;
		const int quoted = pos < lim && buf[pos] == '"';
		if (quoted) {
			const size_t opened = r->next_line + lines;
			end = scan_quoted(buf, pos, lim, &lines);
			if (end == 0)
				return fail(d, opened, k + 1, lim < r->len ? CR_ETOOBIG : CR_EINVAL,
					    lim < r->len ? "a record longer than 64 KiB (a quote left open?)"
							 : "a quote left open at the end of the file");
		} else {
			while (end < lim && buf[end] != ',' && buf[end] != '\n' && buf[end] != '\r') {
				if (buf[end] == '"')
					return fail(d, r->next_line + lines, k + 1, CR_EINVAL,
						    "a quote inside an unquoted field");
				end++;
			}
			if (end == lim && lim < r->len)
				return fail(d, r->next_line + lines, k + 1, CR_ETOOBIG, "a record longer than 64 KiB");
		}
		f[k].p = buf + pos;
		f[k].len = end - pos;
		f[k].quoted = (uint8_t)quoted;
		k++;
		pos = end;
		if (field_end(buf, r->len, &pos, &done, &lines))
			return fail(d, r->next_line + lines, k, CR_EINVAL,
				    buf[pos] == '\r' ? "a carriage return without a line feed"
						     : "text after a closing quote");
	}
	r->line = r->next_line;
	r->next_line += lines;
	r->pos = pos;
	*n = k;
	return 1;
}

long cr_csv_text(const struct cr_csv_field *f, char *out, size_t cap)
{
	const char *p = f->p;
	size_t len = f->len, k = 0;
	if (f->quoted) {
		p++;
		len -= 2;
	}
	for (size_t i = 0; i < len; i++) {
		if (k + 1 >= cap) {
			if (cap)
				out[0] = '\0';
			return CR_ETOOBIG;
		}
		out[k++] = p[i];
		if (f->quoted && p[i] == '"')
			i++;
	}
	if (cap)
		out[k] = '\0';
	return cap ? (long)k : CR_ETOOBIG;
}

int cr_csv_missing(const struct cr_csv_field *f)
{
	const char *p = f->quoted ? f->p + 1 : f->p;
	const size_t len = f->quoted ? f->len - 2 : f->len;
	return len == 0 || (len == 2 && p[0] == 'N' && p[1] == 'A');
}

static size_t digits(const char *p, size_t i, size_t len)
{
	size_t j = i;
	while (j < len && p[j] >= '0' && p[j] <= '9')
		j++;
	return j - i;
}

/* Non-zero when p[0..len) is a decimal number by the grammar of csv.h. */
static int decimal(const char *p, size_t len)
{
	size_t i = 0;
	if (i < len && (p[i] == '+' || p[i] == '-'))
		i++;
	const size_t whole = digits(p, i, len);
	i += whole;
	size_t frac = 0;
	if (i < len && p[i] == '.') {
		frac = digits(p, i + 1, len);
		i += 1 + frac;
	}
	if (whole + frac == 0)
		return 0;
	if (i < len && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < len && (p[i] == '+' || p[i] == '-'))
			i++;
		const size_t e = digits(p, i, len);
		if (e == 0)
			return 0;
		i += e;
	}
	return i == len;
}

int cr_csv_number(const char *p, size_t len, double *out)
{
	while (len && (p[0] == ' ' || p[0] == '\t')) {
		p++;
		len--;
	}
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	char tmp[64];
	if (len == 0 || len >= sizeof tmp || !decimal(p, len))
		return CR_EINVAL;
	memcpy(tmp, p, len);
	tmp[len] = '\0';
	const double v = strtod(tmp, NULL);
	if (!isfinite(v))
		return CR_EINVAL;
	*out = v;
	return 0;
}

int cr_csv_field_number(const struct cr_csv_field *f, double *out)
{
	if (!f->quoted)
		return cr_csv_number(f->p, f->len, out);
	char tmp[64];
	const long n = cr_csv_text(f, tmp, sizeof tmp);
	return n < 0 ? CR_EINVAL : cr_csv_number(tmp, (size_t)n, out);
}

void cr_csv_opts_init(struct cr_csv_opts *o)
{
	memset(o, 0, sizeof *o);
	o->test_share = 0.3;
}

/* splitmix64's finaliser: a fixed, well-mixed function of the row number. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

int cr_csv_holdout(uint64_t row, double test_share)
{
	return (double)(mix64(row) >> 11) * 0x1.0p-53 < test_share;
}
