/* Unit tests for the five-year retention rule (src/retention/retention.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cr_date.h"
#include "retention.h"

#define N 120

/* History of N months from 2015-01, from a string of status codes ('.' = none). */
static int32_t history(const char *codes, struct cr_month_rec *h)
{
	memset(h, 0, N * sizeof *h);
	for (size_t i = 0; codes[i] && i < N; i++)
		if (codes[i] != '.')
			h[i].status = codes[i];
	return 2015 * 12;
}

static size_t marked_at(const char *codes, int y, int m, int d, uint8_t *sup)
{
	struct cr_month_rec h[N];
	int32_t first = history(codes, h);
	return cr_retention_mark(h, N, first, cr_days_from_civil(y, m, d), sup);
}

static void cured_episode_boundary(void **state)
{
	(void)state;
	uint8_t sup[N];
	/* Overdue Feb-Mar 2015, cured April 2015: hidden from 2020-04-01. */
	const char *codes = "N12NNN";
	assert_int_equal(marked_at(codes, 2020, 3, 31, sup), 0);
	assert_int_equal(marked_at(codes, 2020, 4, 1, sup), 2);
	assert_int_equal(sup[0], 0);
	assert_int_equal(sup[1], 1);
	assert_int_equal(sup[2], 1);
	assert_int_equal(sup[3], 0);
}

static void written_off_episode_ends_at_the_write_off(void **state)
{
	(void)state;
	uint8_t sup[N];
	/* 1..7 from Feb 2015, G in September 2015: hidden from 2020-09-01. */
	const char *codes = "N1234567G";
	assert_int_equal(marked_at(codes, 2020, 8, 31, sup), 0);
	assert_int_equal(marked_at(codes, 2020, 9, 1, sup), 8);
	assert_int_equal(sup[0], 0);
	assert_int_equal(sup[8], 1);
}

static void ongoing_delinquency_never_expires(void **state)
{
	(void)state;
	uint8_t sup[N];
	assert_int_equal(marked_at("N1234567777", 2040, 1, 1, sup), 0);
}

static void gaps_do_not_end_an_episode(void **state)
{
	(void)state;
	uint8_t sup[N];
	/* Overdue, a month with no statement, overdue again, settled in May. */
	const char *codes = "1.2.C";
	assert_int_equal(marked_at(codes, 2020, 4, 30, sup), 0);
	assert_int_equal(marked_at(codes, 2020, 5, 1, sup), 2);
}

static void separate_episodes_expire_separately(void **state)
{
	(void)state;
	uint8_t sup[N];
	/* Episode A cured 2015-03; episode B cured 2016-03. */
	const char *codes = "N1NNNNNNNNNNN12N";
	assert_int_equal(marked_at(codes, 2020, 3, 1, sup), 1);
	assert_int_equal(sup[1], 1);
	assert_int_equal(sup[13], 0);
	assert_int_equal(marked_at(codes, 2021, 4, 1, sup), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cured_episode_boundary),
		cmocka_unit_test(written_off_episode_ends_at_the_write_off),
		cmocka_unit_test(ongoing_delinquency_never_expires),
		cmocka_unit_test(gaps_do_not_end_an_episode),
		cmocka_unit_test(separate_episodes_expire_separately),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
