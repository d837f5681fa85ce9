/*
 * test_csv.c - the CSV reader and the training-table loader
 * (src/score/csv.c, csv_dataset.c): quotes, escaped quotes, line breaks in
 * quotes, CRLF, NA, type detection, the split, and refusals that name the
 * physical line and the column.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr_err.h"
#include "csv.h"

/* Every record of text as "a|b|c" lines, fields unquoted, into out. */
static int records(const char *text, char *out, size_t cap, struct cr_diag *d)
{
	struct cr_csv r;
	struct cr_csv_field f[16];
	size_t n, k = 0;
	int rc;
	const size_t len = strlen(text);
	char *copy = malloc(len ? len : 1);
	memcpy(copy, text, len);
	cr_csv_init(&r, copy, len);
	out[0] = '\0';
	while ((rc = cr_csv_next(&r, f, 16, &n, d)) == 1) {
		for (size_t i = 0; i < n; i++) {
			char t[64];
			assert_true(cr_csv_text(&f[i], t, sizeof t) >= 0);
			k += (size_t)snprintf(out + k, cap - k, "%s%s", i ? "|" : "", t);
		}
		k += (size_t)snprintf(out + k, cap - k, "@%zu\n", r.line);
	}
	free(copy);
	return rc;
}

static void quotes_crlf_and_blank_lines(void **state)
{
	(void)state;
	char out[512];
	struct cr_diag d;
	assert_int_equal(records("\xEF\xBB\xBF" "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\r\n\r\n"
				 "\"two\nlines\",NA,3\n1,2,3", out, sizeof out, &d), 0);
	assert_string_equal(out, "a|b|c@1\nx, y|say \"hi\"|@2\ntwo\nlines|NA|3@4\n1|2|3@6\n");
}

static void refuse(const char *text, size_t line, const char *field, const char *reason)
{
	char out[512];
	struct cr_diag d = {0};
	const int rc = records(text, out, sizeof out, &d);
	if (rc >= 0 || d.line != line || strcmp(d.reason, reason) != 0)
		print_error("want line %zu %s [%s], got rc %d line %zu %s [%s]\n", line, field, reason,
			    rc, d.line, d.field, d.reason ? d.reason : "");
	assert_int_equal(rc, CR_EINVAL);
	assert_int_equal(d.line, line);
	assert_string_equal(d.field, field);
	assert_string_equal(d.reason, reason);
}

static void malformed_records_refused(void **state)
{
	(void)state;
	refuse("a,b\n\"open,1\n2,3\n", 2, "column 1", "a quote left open at the end of the file");
	refuse("a,b\n1,x\"y\n", 2, "column 2", "a quote inside an unquoted field");
	refuse("a,b\n\"q\"x,1\n", 2, "column 1", "text after a closing quote");
	refuse("a,b\n\"multi\nline\",1\r2,3\n", 3, "column 2", "a carriage return without a line feed");
}

static void numbers_by_grammar(void **state)
{
	(void)state;
	static const char *const yes[] = {"0", "-1.5", "+2", "1e5", "2.5E-3", " 42 ", ".5", "7."};
	static const char *const no[] = {"", ".", "1e", "inf", "nan", "0x10", "1,000", "1 2", "--1",
					 "1e999"};
	double v;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		assert_int_equal(cr_csv_number(yes[i], strlen(yes[i]), &v), 0);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		assert_int_equal(cr_csv_number(no[i], strlen(no[i]), &v), CR_EINVAL);
	assert_int_equal(cr_csv_number(" 42 ", 4, &v), 0);
	assert_true(v == 42);
}

static int load(const char *text, const char *split, struct cr_dataset *d, struct cr_diag *diag)
{
	struct cr_csv_opts o;
	cr_csv_opts_init(&o);
	o.target = "bad";
	o.split = split;
	static const char *const drop[] = {"id", NULL};
	o.drop = drop;
	memset(diag, 0, sizeof *diag);
	return cr_csv_dataset(text, strlen(text), &o, d, diag);
}

static void table_types_missing_and_split(void **state)
{
	(void)state;
	struct cr_dataset d;
	struct cr_diag diag;
	const char *text = "id,income,home,bad,part\n"
			   "1,100,own,0,train\n"
			   "2,NA,\"rent\",1,test\r\n"
			   "3,,NA,0,train\n"
			   "4,2.5e2,own,1,\"test\"\n";
	assert_int_equal(load(text, "part", &d, &diag), 0);
	assert_int_equal(d.cols, 2);
	assert_string_equal(d.name[0], "income");
	assert_int_equal(d.categorical[0], 0);
	assert_int_equal(d.categorical[1], 1);
	assert_int_equal(d.rows, 4);
	assert_true(d.x[0] == 100 && isnan(d.x[2]) && isnan(d.x[4]) && d.x[6] == 250);
	assert_true(isnan(d.x[5]));
	assert_int_equal(d.n_levels[1], 2);
	assert_true(d.x[1] == 0 && d.x[3] == 1 && d.x[7] == 0);
	assert_memory_equal(d.y, "\0\1\0\1", 4);
	assert_memory_equal(d.test, "\0\1\0\1", 4);
	cr_dataset_fini(&d);
	/* One cell that is not a number makes the column categorical. */
	assert_int_equal(load("id,income,bad\n1,100,0\n2,n/a,1\n", NULL, &d, &diag), 0);
	assert_int_equal(d.categorical[0], 1);
	cr_dataset_fini(&d);
}

static void table_refusals_name_line_and_column(void **state)
{
	(void)state;
	struct cr_dataset d;
	struct cr_diag diag;
	assert_int_equal(load("id,x,bad\n1,2,0\n\"2\n\",3\n4,5,1\n", NULL, &d, &diag), CR_EINVAL);
	assert_int_equal(diag.line, 3);
	assert_string_equal(diag.reason, "the row has a different number of fields than the header");
	cr_dataset_fini(&d);
	assert_int_equal(load("id,x,bad\n1,2,0\n2,3,2\n", NULL, &d, &diag), CR_EINVAL);
	assert_int_equal(diag.line, 3);
	assert_string_equal(diag.field, "column 3 (bad)");
	assert_string_equal(diag.reason, "the target must be 0 or 1 (1: bad)");
	cr_dataset_fini(&d);
	assert_int_equal(load("id,x,y\n1,2,0\n", NULL, &d, &diag), CR_EINVAL);
	assert_string_equal(diag.reason, "the target column is not in the header");
	cr_dataset_fini(&d);
	assert_int_equal(load("id,x,x,bad\n1,2,3,0\n", NULL, &d, &diag), CR_EINVAL);
	assert_string_equal(diag.reason, "two columns with one name");
	cr_dataset_fini(&d);
	assert_int_equal(load("", NULL, &d, &diag), CR_EINVAL);
	assert_string_equal(diag.reason, "the file is empty: no header");
	cr_dataset_fini(&d);
}

/* Without a split column, 30% of rows by a hash of the row number: the
 * same rows every time, close to the share. */
static void holdout_by_row_hash(void **state)
{
	(void)state;
	size_t held = 0;
	for (uint64_t r = 1; r <= 100000; r++) {
		const int h = cr_csv_holdout(r, 0.3);
		assert_int_equal(h, cr_csv_holdout(r, 0.3));
		held += (size_t)h;
	}
	assert_true(held > 29000 && held < 31000);
	assert_int_equal(cr_csv_holdout(7, 0), 0);
	assert_int_equal(cr_csv_holdout(7, 1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quotes_crlf_and_blank_lines),
		cmocka_unit_test(malformed_records_refused),
		cmocka_unit_test(numbers_by_grammar),
		cmocka_unit_test(table_types_missing_and_split),
		cmocka_unit_test(table_refusals_name_line_and_column),
		cmocka_unit_test(holdout_by_row_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
