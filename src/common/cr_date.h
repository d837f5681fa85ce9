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

/*
 * The dates, months and instants a record may carry: what the parsers
 * below accept, years 1900..2199, and for instants every second of those
 * days in any UTC offset.  A stored value outside them was not written by
 * creditref (the record checks, cr_record.h, use them).
 */
#define CR_DAYS_MIN (-25567)  /* 1900-01-01 */
#define CR_DAYS_MAX 84005     /* 2199-12-31 */
#define CR_MONTH_MIN (1900 * 12)
#define CR_MONTH_MAX (2199 * 12 + 11)
#define CR_TIME_MIN ((int64_t)(CR_DAYS_MIN - 1) * 86400)
#define CR_TIME_MAX ((int64_t)(CR_DAYS_MAX + 2) * 86400 - 1)

static inline int cr_days_valid(int32_t days)
{
	return days >= CR_DAYS_MIN && days <= CR_DAYS_MAX;
}

static inline int cr_month_valid(int32_t month)
{
	return month >= CR_MONTH_MIN && month <= CR_MONTH_MAX;
}

static inline int cr_time_valid(int64_t s)
{
	return s >= CR_TIME_MIN && s <= CR_TIME_MAX;
}

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
/*
 * Instants are int64_t UTC seconds since 1970-01-01T00:00:00Z.  Calendar days
 * and months are China Standard Time (UTC+8), the bureau's civil time: a day
 * starts at 00:00:00+08:00 and ends at 23:59:59+08:00.
 */
#define CR_TZ_OFFSET_S (8 * 3600)
int64_t cr_day_start_s(int32_t days);
int64_t cr_day_end_s(int32_t days);
/* The last second of a month (its last day, 23:59:59+08:00). */
int64_t cr_month_end_s(int32_t month);
/* The calendar day (UTC+8) an instant falls on. */
int32_t cr_day_of_s(int64_t s);

/* Parses an RFC 3339 date-time with a UTC offset, whole seconds:
 * "YYYY-MM-DDThh:mm:ss" then "Z" or "+hh:mm" / "-hh:mm" ('T' and 'Z' in
 * either case; years 1900..2199, seconds 00..59, offsets up to 23:59).
 * Returns 0 and sets *utc_s, or CR_EINVAL. */
int cr_time_parse(const char *s, size_t len, int64_t *utc_s /* OUT */);
/* Writes "YYYY-MM-DDThh:mm:ss+08:00" and a NUL into out (26 bytes). */
#define CR_TIME_TEXT_LEN 26
void cr_time_format(int64_t utc_s, char out[CR_TIME_TEXT_LEN]);

/* Today in UTC+8 (China Standard Time), from the system clock. */
int32_t cr_date_today(void);

#endif
