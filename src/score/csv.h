/*
 * csv.h - CSV files for scorecards: a record reader that never allocates,
 * and the loader of a training table.
 *
 * The dialect is RFC 4180's with the usual leniency: fields separated by
 * commas, records ended by LF or CRLF (the last one may lack it), a field
 * in double quotes may hold commas, line breaks and doubled quotes ("").  A
 * UTF-8 byte order mark before the header is skipped, and so are blank
 * lines.  Refused, with the line and column: a quote inside an unquoted
 * field, text after a closing quote, a quote left open at the end of the
 * file, a carriage return not followed by a line feed, a record longer
 * than CR_CSV_RECORD_MAX, and (in the loader) a row with more or fewer
 * fields than the header.
 *
 * The reader hands out views into the caller's buffer: a quoted field is
 * given with its quotes, and cr_csv_text copies it out unescaped.  It keeps
 * the physical line of each record, so that an error in a record after a
 * quoted line break still names the right line.
 *
 * Missing values are empty cells and NA (docs/scoring.md, "Applying a
 * model to a CSV").  A column is numeric when every cell that is not
 * missing is a decimal number (cr_csv_number), categorical otherwise.
 */
#ifndef CR_CSV_H
#define CR_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "cr_record.h"
#include "dataset.h"

struct cr_csv_field {
	const char *p;          /* the field's bytes in the buffer, quotes included */
	size_t len;
	uint8_t quoted;
};

struct cr_csv {
	const char *buf;
	size_t len, pos;
	size_t line;            /* the physical line where the last record began */
	size_t next_line;       /* where the next one begins */
};

void cr_csv_init(struct cr_csv *r, const char *buf, size_t len);

/*
 * Reads the next record into f[0..*n).  Returns 1 for a record, 0 at the
 * end of the input, CR_EINVAL with diag->line, diag->field ("column N")
 * and diag->reason set, or CR_ETOOBIG (more than max fields, or a record
 * over CR_CSV_RECORD_MAX) with the same.  After an error the reader stays
 * at the bad record.
 */
int cr_csv_next(struct cr_csv *r, struct cr_csv_field *f, size_t max, size_t *n /* OUT */,
		struct cr_diag *diag /* OUT */);

/*
 * Copies the field's text, without its quotes and with "" made ", into
 * out[0..cap) and NUL-terminates it.  Returns its length, or CR_ETOOBIG
 * when it needs more than cap - 1 bytes (out is then empty).
 */
long cr_csv_text(const struct cr_csv_field *f, char *out, size_t cap);

/* Non-zero when the cell is missing: empty, or NA (quoted or not). */
int cr_csv_missing(const struct cr_csv_field *f);

/*
 * Parses p[0..len) as a decimal number: optional sign, digits with an
 * optional fraction, an optional exponent; spaces around it are allowed.
 * Nothing else: not "inf", "nan", hexadecimal or a thousands separator.
 * Returns 0 and *out (finite), or CR_EINVAL.  The model file's numbers are
 * read with it too.
 */
int cr_csv_number(const char *p, size_t len, double *out /* OUT */);

/* The same for a field, quotes removed ("1.5" is the number 1.5). */
int cr_csv_field_number(const struct cr_csv_field *f, double *out /* OUT */);

struct cr_csv_opts {
	const char *target;     /* the 0/1 column; 1 is bad (required) */
	const char *split;      /* rows whose value is "test" are held out; NULL: by hash */
	double test_share;      /* without a split column, the share held out */
	const char *const *drop; /* columns left out of the table, NULL-terminated, or NULL */
};

/* target = NULL, split = NULL, test_share = 0.3, drop = NULL. */
void cr_csv_opts_init(struct cr_csv_opts *o);

/*
 * Whether data row number row (1-based, the header not counted) is held
 * out when there is no split column: a 64-bit mix of the row number below
 * test_share of its range.  The same rows for the same file, always.
 */
int cr_csv_holdout(uint64_t row, double test_share);

/*
 * Loads the CSV text buf[0..len) as a training table: every column but the
 * target, the split column and the dropped ones, numeric or categorical as
 * detected.  Reads the text twice (types, then cells).  Returns 0, or
 * CR_EINVAL/CR_ETOOBIG with diag (line, "column N" or the column's name,
 * reason), or CR_ENOMEM.  d is initialised by the call and must be
 * finalised with cr_dataset_fini whatever it returns.
 */
int cr_csv_dataset(const char *buf, size_t len, const struct cr_csv_opts *o,
		   struct cr_dataset *d /* OUT */, struct cr_diag *diag /* OUT */);

#endif
