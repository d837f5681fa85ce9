/*
 * date.c - libFuzzer target for the date, month and time parsers
 * (cr_date.h), on exact-size heap copies (ASan sees any over-read).
 *
 * What a parser accepts must format back to the same text (dates and
 * months; times once normalized to +08:00 parse back to the same instant),
 * lie in the documented ranges, and agree with the calendar conversions:
 * a date's month is the month of its days, and a day's start and end
 * bracket every instant that falls on it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	int32_t days, month;
	int64_t t;
	if (cr_date_parse(s, size, &days) == 0) {
		char f[11];
		CR_ASSERT(size == 10 && cr_days_valid(days));
		cr_date_format(days, f);
		CR_ASSERT(memcmp(f, s, 10) == 0);
		int y, m, d;
		cr_civil_from_days(days, &y, &m, &d);
		CR_ASSERT(cr_days_from_civil(y, m, d) == days);
		const int32_t mo = cr_month_of_date(days);
		CR_ASSERT(cr_month_first_day(mo) <= days);
		CR_ASSERT(cr_day_start_s(days) <= cr_day_end_s(days));
		CR_ASSERT(cr_day_of_s(cr_day_start_s(days)) == days);
		CR_ASSERT(cr_day_of_s(cr_day_end_s(days)) == days);
	}
	if (cr_month_parse(s, size, &month) == 0) {
		char f[8];
		CR_ASSERT(size == 7 && cr_month_valid(month));
		cr_month_format(month, f);
		CR_ASSERT(memcmp(f, s, 7) == 0);
		CR_ASSERT(cr_month_of_date(cr_month_first_day(month)) == month);
		CR_ASSERT(cr_day_of_s(cr_month_end_s(month)) >= cr_month_first_day(month));
	}
	if (cr_time_parse(s, size, &t) == 0) {
		char f[CR_TIME_TEXT_LEN];
		int64_t back;
		CR_ASSERT(cr_time_valid(t));
		cr_time_format(t, f);
		CR_ASSERT(cr_time_parse(f, strlen(f), &back) == 0 && back == t);
		const int32_t day = cr_day_of_s(t);
		CR_ASSERT(cr_day_start_s(day) <= t && t <= cr_day_end_s(day));
	}
	if (size >= 8) {
		int32_t c;
		char eight[9];
		memcpy(eight, s, 8);
		eight[8] = '\0';
		if (cr_date_parse_compact(eight, &c) == 0)
			CR_ASSERT(cr_days_valid(c));
	}
	free(s);
	return 0;
}
