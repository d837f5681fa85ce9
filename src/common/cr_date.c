/*
 * cr_date.c - civil date arithmetic.
 *
 * The day-number conversions use the well-known era/year-of-era algorithm for
 * the proleptic Gregorian calendar: exact for every date, no tables, no
 * floating point.
 */
#include "cr_date.h"

#include <string.h>
#include <time.h>

#include "cr_err.h"

int32_t cr_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	const int era = (y >= 0 ? y : y - 399) / 400;
	const int yoe = y - era * 400;
	const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void cr_civil_from_days(int32_t days, int *y, int *m, int *d)
{
	int32_t z = days + 719468;
	const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
	const int32_t doe = z - era * 146097;
	const int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const int32_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

/* Reads n ASCII digits; returns -1 if any is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int ymd_to_days(int y, int m, int d, int32_t *days)
{
	if (y < 1900 || y > 2199 || m < 1 || m > 12)
		return CR_EINVAL;
	if (d < 1 || d > days_in_month(y, m))
		return CR_EINVAL;
	*days = cr_days_from_civil(y, m, d);
	return 0;
}

int cr_date_parse(const char *s, size_t len, int32_t *days)
{
	if (len != 10 || s[4] != '-' || s[7] != '-')
		return CR_EINVAL;
	return ymd_to_days(digits(s, 4), digits(s + 5, 2), digits(s + 8, 2), days);
}

int cr_date_parse_compact(const char *s, int32_t *days)
{
	return ymd_to_days(digits(s, 4), digits(s + 4, 2), digits(s + 6, 2), days);
}

int cr_month_parse(const char *s, size_t len, int32_t *month)
{
	if (len != 7 || s[4] != '-')
		return CR_EINVAL;
	const int y = digits(s, 4), m = digits(s + 5, 2);
	if (y < 1900 || y > 2199 || m < 1 || m > 12)
		return CR_EINVAL;
	*month = y * 12 + (m - 1);
	return 0;
}

static void put_digits(char *out, int v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

void cr_date_format(int32_t days, char out[11])
{
	int y, m, d;
	cr_civil_from_days(days, &y, &m, &d);
	put_digits(out, y, 4);
	out[4] = '-';
	put_digits(out + 5, m, 2);
	out[7] = '-';
	put_digits(out + 8, d, 2);
	out[10] = '\0';
}

void cr_month_format(int32_t month, char out[8])
{
	put_digits(out, month / 12, 4);
	out[4] = '-';
	put_digits(out + 5, month % 12 + 1, 2);
	out[7] = '\0';
}

int32_t cr_month_of_date(int32_t days)
{
	int y, m, d;
	cr_civil_from_days(days, &y, &m, &d);
	return y * 12 + (m - 1);
}

int32_t cr_month_first_day(int32_t month)
{
	return cr_days_from_civil(month / 12, month % 12 + 1, 1);
}

int64_t cr_day_start_s(int32_t days)
{
	return (int64_t)days * 86400 - CR_TZ_OFFSET_S;
}

int64_t cr_day_end_s(int32_t days)
{
	return cr_day_start_s(days + 1) - 1;
}

int64_t cr_month_end_s(int32_t month)
{
	return cr_day_start_s(cr_month_first_day(month + 1)) - 1;
}

int32_t cr_day_of_s(int64_t s)
{
	const int64_t local = s + CR_TZ_OFFSET_S;
	return (int32_t)(local >= 0 ? local / 86400 : -((-local + 86399) / 86400));
}

/* The "Z" or "+hh:mm" of an RFC 3339 time, as seconds east of UTC. */
static int offset_parse(const char *s, size_t len, int32_t *east_s)
{
	if (len == 1 && (s[0] == 'Z' || s[0] == 'z')) {
		*east_s = 0;
		return 0;
	}
	if (len != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':')
		return CR_EINVAL;
	const int h = digits(s + 1, 2), m = digits(s + 4, 2);
	if (h < 0 || h > 23 || m < 0 || m > 59)
		return CR_EINVAL;
	*east_s = (h * 3600 + m * 60) * (s[0] == '-' ? -1 : 1);
	return 0;
}

int cr_time_parse(const char *s, size_t len, int64_t *utc_s)
{
	int32_t days, east_s;
	if (len < 20 || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
	    s[16] != ':')
		return CR_EINVAL;
	if (cr_date_parse(s, 10, &days) != 0 ||
	    offset_parse(s + 19, len - 19, &east_s) != 0)
		return CR_EINVAL;
	const int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
		return CR_EINVAL;
	*utc_s = (int64_t)days * 86400 + h * 3600 + mi * 60 + sec - east_s;
	return 0;
}

void cr_time_format(int64_t utc_s, char out[CR_TIME_TEXT_LEN])
{
	const int32_t days = cr_day_of_s(utc_s);
	const int64_t in_day = utc_s + CR_TZ_OFFSET_S - (int64_t)days * 86400;
	cr_date_format(days, out);
	out[10] = 'T';
	put_digits(out + 11, (int)(in_day / 3600), 2);
	out[13] = ':';
	put_digits(out + 14, (int)(in_day / 60 % 60), 2);
	out[16] = ':';
	put_digits(out + 17, (int)(in_day % 60), 2);
	memcpy(out + 19, "+08:00", 7);
}

int32_t cr_date_today(void)
{
	const time_t now = time(NULL);
	return (int32_t)((now + 8 * 3600) / 86400);
}
