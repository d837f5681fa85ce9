/*
 * test_date.c - unit tests for calendar dates and months (src/common/cr_date.c).
 *
 * The day-number conversions are compared against a naive day-by-day walk
 * over the whole range the parsers accept (1900-01-01 .. 2199-12-31).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cr_date.h"
#include "cr_err.h"

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

static void test_epoch(void **state)
{
	(void)state;
	assert_int_equal(cr_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(cr_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(cr_days_from_civil(2000, 3, 1), 11017);
	int y, m, d;
	cr_civil_from_days(-1, &y, &m, &d);
	assert_int_equal(y, 1969);
	assert_int_equal(m, 12);
	assert_int_equal(d, 31);
}

/* Walks every day from 1900-01-01 to 2199-12-31 by hand. */
static void test_walk_round_trip(void **state)
{
	(void)state;
	int y = 1900, m = 1, d = 1;
	int32_t days = cr_days_from_civil(1900, 1, 1);
	assert_int_equal(days, -25567);
	while (y < 2200) {
		char text[11], expect[40];
		int yy, mm, dd;
		int32_t parsed = 0;
		assert_int_equal(cr_days_from_civil(y, m, d), days);
		cr_civil_from_days(days, &yy, &mm, &dd);
		assert_int_equal(yy, y);
		assert_int_equal(mm, m);
		assert_int_equal(dd, d);
		cr_date_format(days, text);
		snprintf(expect, sizeof expect, "%04d-%02d-%02d", y, m, d);
		assert_string_equal(text, expect);
		assert_int_equal(cr_date_parse(text, 10, &parsed), 0);
		assert_int_equal(parsed, days);
		assert_int_equal(cr_month_of_date(days), y * 12 + m - 1);
		days++;
		if (++d > month_days(y, m)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	assert_int_equal(days, cr_days_from_civil(2200, 1, 1));
}

static void test_leap_years(void **state)
{
	(void)state;
	int32_t days;
	assert_int_equal(cr_date_parse("2000-02-29", 10, &days), 0);
	assert_int_equal(cr_date_parse("2024-02-29", 10, &days), 0);
	assert_int_equal(cr_date_parse("1900-02-29", 10, &days), CR_EINVAL);
	assert_int_equal(cr_date_parse("2100-02-29", 10, &days), CR_EINVAL);
	assert_int_equal(cr_date_parse("2023-02-29", 10, &days), CR_EINVAL);
	assert_int_equal(cr_days_from_civil(2000, 3, 1) - cr_days_from_civil(2000, 2, 28), 2);
	assert_int_equal(cr_days_from_civil(1900, 3, 1) - cr_days_from_civil(1900, 2, 28), 1);
	assert_int_equal(cr_days_from_civil(2025, 1, 1) - cr_days_from_civil(2024, 1, 1), 366);
}

static void test_months(void **state)
{
	(void)state;
	for (int32_t month = 1900 * 12; month < 2200 * 12; month++) {
		char text[8];
		int32_t parsed = -1;
		cr_month_format(month, text);
		assert_int_equal(cr_month_parse(text, 7, &parsed), 0);
		assert_int_equal(parsed, month);
		const int32_t first = cr_month_first_day(month);
		assert_int_equal(cr_month_of_date(first), month);
		assert_int_equal(cr_month_of_date(first - 1), month - 1);
	}
	char text[8];
	int32_t m;
	assert_int_equal(cr_month_parse("2023-12", 7, &m), 0);
	cr_month_format(m + 1, text);
	assert_string_equal(text, "2024-01");
	cr_month_format(m - 11, text);
	assert_string_equal(text, "2023-01");
	cr_month_format(m - 12, text);
	assert_string_equal(text, "2022-12");
	assert_int_equal(cr_month_first_day(m), cr_days_from_civil(2023, 12, 1));
}

static void test_strict_rejections(void **state)
{
	(void)state;
	static const char *const dates[] = {
		"2024-1-01", "2024/01/01", " 2024-01-0", "2024-01-0a", "1899-12-31",
		"2200-01-01", "2024-00-10", "2024-13-01", "2024-04-31", "2024-01-00",
		"+024-01-01", "2024-01-1 ", "20240101xx", "2024-01--1",
	};
	int32_t v;
	for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++)
		assert_int_equal(cr_date_parse(dates[i], strlen(dates[i]), &v), CR_EINVAL);
	assert_int_equal(cr_date_parse("2024-01-01 ", 11, &v), CR_EINVAL);
	assert_int_equal(cr_date_parse("2024-01-0", 9, &v), CR_EINVAL);
	static const char *const months[] = {
		"2024-1", "2024-00", "2024-13", "2024/01", "1899-12", "2200-01",
		"2024-1a", "-024-01", "2024-011",
	};
	for (size_t i = 0; i < sizeof months / sizeof months[0]; i++)
		assert_int_equal(cr_month_parse(months[i], strlen(months[i]), &v), CR_EINVAL);
	assert_int_equal(cr_date_parse_compact("19491231", &v), 0);
	assert_int_equal(v, cr_days_from_civil(1949, 12, 31));
	assert_int_equal(cr_date_parse_compact("19490229", &v), CR_EINVAL);
	assert_int_equal(cr_date_parse_compact("1949123a", &v), CR_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epoch),
		cmocka_unit_test(test_walk_round_trip),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_months),
		cmocka_unit_test(test_strict_rejections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
