/*
 * test_suppress.c - the suppression rule of the supervision aggregates
 * (src/supervision/suppress.c, docs/supervision.md).
 *
 * The property, on random tables: every cell under the minimum is hidden;
 * what a grouping hides is nothing or at least the minimum of borrowers
 * (so the grouping's total minus its published cells never gives a small
 * cell), unless the whole grouping is under the minimum and all hidden; for prefectures, the same within each published province, and a
 * hidden province hides its prefectures; a published multi-lending
 * histogram has no bin under the minimum.  Plus fixed cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "aggregates.h"

#define MIN 10

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static void cell(struct cr_sup_cell *c, const char *key, uint64_t borrowers)
{
	memset(c, 0, sizeof *c);
	snprintf(c->key, sizeof c->key, "%s", key);
	c->borrowers = borrowers;
	c->multi[1] = borrowers;
}

static uint64_t hidden_mass(const struct cr_sup_table *t, const char *prefix)
{
	uint64_t m = 0;
	for (size_t i = 0; i < t->n; i++)
		if (strncmp(t->cells[i].key, prefix, strlen(prefix)) == 0 &&
		    t->cells[i].suppressed != CR_SUP_SHOWN)
			m += t->cells[i].borrowers;
	return m;
}

static void one_small_cell_takes_a_complement(void **state)
{
	(void)state;
	struct cr_sup_cell cs[4];
	struct cr_sup_table t = {4, cs};
	cell(&cs[0], "A", 3);
	cell(&cs[1], "B", 50);
	cell(&cs[2], "C", 12);
	cell(&cs[3], "D", 40);
	cr_sup_suppress(&t, NULL, MIN);
	assert_int_equal(cs[0].suppressed, CR_SUP_SMALL);
	assert_int_equal(cs[2].suppressed, CR_SUP_COMPLEMENT);
	assert_int_equal(cs[1].suppressed, CR_SUP_SHOWN);
	assert_int_equal(cs[3].suppressed, CR_SUP_SHOWN);
}

static void small_cells_adding_up_need_no_complement(void **state)
{
	(void)state;
	struct cr_sup_cell cs[3];
	struct cr_sup_table t = {3, cs};
	cell(&cs[0], "A", 6);
	cell(&cs[1], "B", 5);
	cell(&cs[2], "C", 30);
	cr_sup_suppress(&t, NULL, MIN);
	assert_int_equal(cs[2].suppressed, CR_SUP_SHOWN);
	assert_int_equal(hidden_mass(&t, ""), 11);
}

static void multi_lending_is_top_coded(void **state)
{
	(void)state;
	struct cr_sup_cell c;
	struct cr_sup_table t = {1, &c};
	cell(&c, "A", 60);
	c.multi[0] = 10, c.multi[1] = 30, c.multi[2] = 12, c.multi[3] = 5, c.multi[4] = 2;
	c.multi[5] = 1;
	cr_sup_suppress(&t, NULL, MIN);
	assert_true(c.multi_shown);
	assert_int_equal(c.multi_top, 2); /* 5+: 1, 4+: 3, 3+: 8, 2+: 20 */
	assert_int_equal(c.multi[2], 20);
	assert_int_equal(c.multi[3] + c.multi[4] + c.multi[5], 0);
	c.multi[0] = 4; /* a small bin below the top: the histogram is withheld */
	cr_sup_suppress(&t, NULL, MIN);
	assert_false(c.multi_shown);
}

static void random_tables(void **state)
{
	(void)state;
	uint64_t s = 0x5eed;
	static struct cr_sup_cell prov[20], pref[200];
	for (int round = 0; round < 500; round++) {
		struct cr_sup_table tp = {1 + rnd(&s) % 20, prov}, tf = {0, pref};
		for (size_t p = 0; p < tp.n; p++) {
			char key[8];
			uint64_t sum = 0;
			const size_t kids = 1 + rnd(&s) % 8;
			for (size_t k = 0; k < kids; k++) {
				snprintf(key, sizeof key, "%02zu%02zu", p + 10, k);
				const uint64_t b = rnd(&s) % 4 ? rnd(&s) % 30 + 1 : rnd(&s) % 9 + 1;
				cell(&pref[tf.n++], key, b);
				sum += b;
			}
			snprintf(key, sizeof key, "%02zu", p + 10);
			cell(&prov[p], key, sum);
		}
		cr_sup_suppress(&tp, NULL, MIN);
		cr_sup_suppress(&tf, &tp, MIN);
		const uint64_t hp = hidden_mass(&tp, "");
		uint64_t all = 0;
		for (size_t p = 0; p < tp.n; p++)
			all += prov[p].borrowers;
		assert_true(hp == 0 || hp >= MIN || hp == all); /* all: every cell hidden */
		for (size_t p = 0; p < tp.n; p++) {
			const uint64_t h = hidden_mass(&tf, prov[p].key);
			if (prov[p].suppressed != CR_SUP_SHOWN)
				assert_int_equal(h, prov[p].borrowers);
			else
				assert_true(h == 0 || h >= MIN);
		}
		for (size_t i = 0; i < tf.n; i++)
			assert_true(pref[i].borrowers >= MIN || pref[i].suppressed != CR_SUP_SHOWN);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_small_cell_takes_a_complement),
		cmocka_unit_test(small_cells_adding_up_need_no_complement),
		cmocka_unit_test(multi_lending_is_top_coded),
		cmocka_unit_test(random_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
