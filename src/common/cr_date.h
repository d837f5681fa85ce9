/*
 * cr_date.h - calendar dates and months as small integers.
 *
 * A date is the number of days since 1970-01-01 (proleptic Gregorian), so
 * differences are subtraction.  A month is year * 12 + (month - 1), so
 * "YYYY-MM" strings compare and step as integers.  Parsers are strict: exact
 * width, digits only, real calendar dates.
 */
#ifndef CR_DATE_H
#define CR_DATE_H

#include <stddef.h>
#include <stdint.h>

/* Days from 1970-01-01 for a proleptic Gregorian y-m-d (m 1..12, d 1..31). */
int32_t cr_days_from_civil(int y, int m, int d);
/* Inverse of cr_days_from_civil. */
void cr_civil_from_days(int32_t days, int *y /* OUT */, int *m /* OUT */,
			int *d /* OUT */);

/* Parses exactly "YYYY-MM-DD" (len 10, year 1900..2199, a real date).
 * Returns 0 and sets *days, or CR_EINVAL. */
int cr_date_parse(const char *s, size_t len, int32_t *days /* OUT */);
/* Parses exactly "YYYY-MM" (len 7, year 1900..2199).  Returns 0 or CR_EINVAL. */
int cr_month_parse(const char *s, size_t len, int32_t *month /* OUT */);
/* Parses eight digits "YYYYMMDD" as found in resident ID numbers. */
int cr_date_parse_compact(const char *s, int32_t *days /* OUT */);

/* Writes "YYYY-MM-DD" and a NUL into out (at least 11 bytes). */
void cr_date_format(int32_t days, char out[11]);
/* Writes "YYYY-MM" and a NUL into out (at least 8 bytes). */
void cr_month_format(int32_t month, char out[8]);

/* The month a date falls in. */
int32_t cr_month_of_date(int32_t days);
/* The first day of a month. */
int32_t cr_month_first_day(int32_t month);
/* Today in UTC+8 (China Standard Time), from the system clock. */
int32_t cr_date_today(void);

#endif
