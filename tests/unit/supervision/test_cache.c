/*
 * test_cache.c - the server's kept supervision months (src/supervision/
 * cache.c): what get answers, and which months cr_sup_cache_due names for
 * building again ahead (only months someone asked for recently, and only
 * once their copy is old enough).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "aggregates.h"
#include "cr_limits.h"
#include "sup_cache.h"

#define MAX_AGE 600

static void month_of(struct cr_sup_month *m, int32_t month)
{
	cr_sup_init(m);
	m->month = month;
	m->min_cell = 10;
}

/* Builds (claims, then puts) month for asof at now, as a request does. */
static void build(struct cr_sup_cache *c, int32_t month, int32_t asof, int64_t now)
{
	struct cr_sup_month got, m;
	assert_int_equal(cr_sup_cache_get(c, month, asof, now, &got), 0);
	cr_sup_fini(&got);
	month_of(&m, month);
	assert_int_equal(cr_sup_cache_put(c, &m, asof, now), 0);
	cr_sup_fini(&m);
}

static size_t due(struct cr_sup_cache *c, int64_t now, int32_t *months)
{
	int32_t asofs[CR_SUPERVISION_CACHE_MONTHS];
	return cr_sup_cache_due(c, now, now - CR_SUPERVISION_WANTED_S, MAX_AGE / 2, months,
				asofs, CR_SUPERVISION_CACHE_MONTHS);
}

static void test_nothing_asked_nothing_due(void **state)
{
	(void)state;
	struct cr_sup_cache *c = cr_sup_cache_new(MAX_AGE);
	assert_non_null(c);
	int32_t months[CR_SUPERVISION_CACHE_MONTHS];
	assert_int_equal(due(c, 1000000, months), 0);
	cr_sup_cache_free(c);
}

static void test_due_when_half_old_and_asked(void **state)
{
	(void)state;
	struct cr_sup_cache *c = cr_sup_cache_new(MAX_AGE);
	const int64_t t0 = 1000000;
	int32_t months[CR_SUPERVISION_CACHE_MONTHS];
	build(c, 24000, 730000, t0);
	/* Fresh: not due yet. */
	assert_int_equal(due(c, t0 + MAX_AGE / 2 - 1, months), 0);
	/* Half its age: due, before it expires. */
	assert_int_equal(due(c, t0 + MAX_AGE / 2, months), 1);
	assert_int_equal(months[0], 24000);
	/* A get answered from it keeps it wanted. */
	struct cr_sup_month got;
	assert_int_equal(cr_sup_cache_get(c, 24000, 730000, t0 + 500, &got), 1);
	assert_int_equal(got.month, 24000);
	cr_sup_fini(&got);
	/* Rebuilt ahead (claim, put): fresh again, still wanted. */
	struct cr_sup_month m;
	cr_sup_cache_claim(c, 24000, 730000);
	month_of(&m, 24000);
	assert_int_equal(cr_sup_cache_put(c, &m, 730000, t0 + 550), 0);
	cr_sup_fini(&m);
	assert_int_equal(due(c, t0 + 551, months), 0);
	assert_int_equal(due(c, t0 + 550 + MAX_AGE / 2, months), 1);
	cr_sup_cache_free(c);
}

static void test_unasked_months_expire(void **state)
{
	(void)state;
	struct cr_sup_cache *c = cr_sup_cache_new(MAX_AGE);
	const int64_t t0 = 2000000;
	int32_t months[CR_SUPERVISION_CACHE_MONTHS];
	build(c, 24001, 730000, t0);
	build(c, 24002, 730000, t0 + CR_SUPERVISION_WANTED_S);
	/* Rebuilt by the thread alone, with no one asking, the first month
	 * stops being due once its last request is older than the window. */
	struct cr_sup_month m;
	month_of(&m, 24001);
	cr_sup_cache_claim(c, 24001, 730000);
	assert_int_equal(cr_sup_cache_put(c, &m, 730000, t0 + CR_SUPERVISION_WANTED_S), 0);
	cr_sup_fini(&m);
	const int64_t later = t0 + CR_SUPERVISION_WANTED_S + MAX_AGE;
	assert_int_equal(due(c, later, months), 1);
	assert_int_equal(months[0], 24002);
	cr_sup_cache_free(c);
}

static void test_stale_request_keeps_it_wanted(void **state)
{
	(void)state;
	struct cr_sup_cache *c = cr_sup_cache_new(MAX_AGE);
	const int64_t t0 = 3000000;
	int32_t months[CR_SUPERVISION_CACHE_MONTHS];
	build(c, 24003, 730000, t0);
	/* Expired, asked again much later: the request builds it, and it is
	 * wanted from then on. */
	const int64_t t1 = t0 + 2 * CR_SUPERVISION_WANTED_S;
	assert_int_equal(due(c, t1, months), 0);
	build(c, 24003, 730000, t1);
	assert_int_equal(due(c, t1 + MAX_AGE / 2, months), 1);
	cr_sup_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_asked_nothing_due),
		cmocka_unit_test(test_due_when_half_old_and_asked),
		cmocka_unit_test(test_unasked_months_expire),
		cmocka_unit_test(test_stale_request_keeps_it_wanted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
