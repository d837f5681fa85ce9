/* Unit tests for the packed account-year history (src/store/hist_codec.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cr_err.h"
#include "hist_codec.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t next_rand(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void random_year(struct cr_hist_year *h)
{
	static const char codes[] = "N1234567CGDZ*#";
	memset(h, 0, sizeof *h);
	for (int m = 0; m < 12; m++) {
		if (next_rand() % 4 == 0)
			continue;
		struct cr_month_rec *r = &h->m[m];
		r->status = codes[next_rand() % 14];
		r->balance = (int64_t)(next_rand() % (uint64_t)CR_AMOUNT_MAX);
		r->due = (int64_t)(next_rand() % 100000);
		r->paid = next_rand() % 2 ? r->due : (int64_t)(next_rand() % 100000);
		r->overdue = next_rand() % 2 ? 0 : (int64_t)(next_rand() % 1000000);
		r->dpd = next_rand() % 2 ? 0 : (int32_t)(next_rand() % CR_DPD_MAX);
	}
}

static void round_trips_random_years(void **state)
{
	(void)state;
	uint8_t buf[CR_HIST_YEAR_MAX];
	for (int i = 0; i < 10000; i++) {
		struct cr_hist_year h, back;
		random_year(&h);
		size_t n = cr_hist_encode(&h, buf);
		assert_true(n <= CR_HIST_YEAR_MAX);
		assert_int_equal(cr_hist_decode(buf, n, &back), 0);
		assert_memory_equal(&h, &back, sizeof h);
	}
}

static void on_time_month_is_compact(void **state)
{
	(void)state;
	struct cr_hist_year h;
	memset(&h, 0, sizeof h);
	for (int m = 0; m < 12; m++)
		h.m[m] = (struct cr_month_rec){'N', 0, 5200000, 50000, 50000, 0};
	uint8_t buf[CR_HIST_YEAR_MAX];
	size_t n = cr_hist_encode(&h, buf);
	/* 2 bytes of bitmap, then flags + 4-byte balance + 3-byte due a month. */
	assert_int_equal(n, 2 + 12 * 8);
}

static void truncated_or_padded_input_is_corrupt(void **state)
{
	(void)state;
	struct cr_hist_year h, back;
	uint8_t buf[CR_HIST_YEAR_MAX + 1];
	memset(&h, 0, sizeof h);
	h.m[3] = (struct cr_month_rec){'2', 45, 100000, 5000, 0, 10000};
	size_t n = cr_hist_encode(&h, buf);
	for (size_t k = 0; k < n; k++)
		assert_int_equal(cr_hist_decode(buf, k, &back), CR_ECORRUPT);
	buf[n] = 0;
	assert_int_equal(cr_hist_decode(buf, n + 1, &back), CR_ECORRUPT);
	buf[1] = 0x10; /* a 13th month */
	assert_int_equal(cr_hist_decode(buf, n, &back), CR_ECORRUPT);
}

static void random_bytes_never_crash(void **state)
{
	(void)state;
	uint8_t buf[64];
	struct cr_hist_year back;
	for (int i = 0; i < 100000; i++) {
		size_t n = next_rand() % sizeof buf;
		for (size_t k = 0; k < n; k++)
			buf[k] = (uint8_t)next_rand();
		int rc = cr_hist_decode(buf, n, &back);
		assert_true(rc == 0 || rc == CR_ECORRUPT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trips_random_years),
		cmocka_unit_test(on_time_month_is_compact),
		cmocka_unit_test(truncated_or_padded_input_is_corrupt),
		cmocka_unit_test(random_bytes_never_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
