/*
 * test_current.c - the current state of an account (src/current/current.c)
 * from a store's events.
 *
 * The property: a random event sequence, stored in shuffled orders and over
 * several transactions, derives the same state as a reference model of the
 * documented rules (docs/FORMAT.md, "Events") applied in (time, id hash)
 * order; for sequences without two events at the same second, every order
 * gives the very same state.  The model is written here again, apart from
 * the code under test, so that both have to agree with the documentation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cr_date.h"
#include "cr_err.h"
#include "current.h"
#include "store.h"

#include "../store_fixture.h"

/* A small deterministic generator (xorshift64*), seeded per case. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static uint64_t below(uint64_t *s, uint64_t n)
{
	return rnd(s) % n;
}

struct ev {
	char id[16];
	struct cr_event_rec r;
};

static struct cr_account_rec account(uint64_t acct_id)
{
	struct cr_account_rec a;
	memset(&a, 0, sizeof a);
	a.acct_id = acct_id;
	a.a.status = CR_ACCT_OPEN;
	a.a.product = CR_PROD_REVOLVING;
	a.a.opened_days = cr_days_from_civil(2020, 1, 10);
	return a;
}

/* ---- The reference model, from the documentation. ---- */

struct model {
	int64_t balance, overdue, as_of;
	int32_t dpd;
	int final; /* 0 open, else the final status */
	uint32_t n;
};

static void model_apply(struct model *m, const struct cr_event_rec *e)
{
	switch (e->kind) {
	case CR_EV_DRAWDOWN: case CR_EV_FEE: case CR_EV_INTEREST:
		m->balance += e->amount;
		break;
	case CR_EV_REPAYMENT:
		m->overdue = m->overdue > e->amount ? m->overdue - e->amount : 0;
		m->balance = m->balance > e->amount ? m->balance - e->amount : 0;
		if (!m->overdue)
			m->dpd = 0;
		break;
	case CR_EV_OVERDUE:
		m->overdue = e->amount;
		m->dpd = e->dpd;
		break;
	case CR_EV_WRITEOFF:
		if (e->amount)
			m->balance = e->amount;
		if (!m->final)
			m->final = CR_CUR_CHARGED_OFF;
		break;
	case CR_EV_CLOSE:
		m->balance = m->overdue = 0;
		m->dpd = 0;
		if (!m->final)
			m->final = CR_CUR_CLOSED;
		break;
	}
	m->as_of = e->at_s;
	m->n++;
}

static uint8_t model_status(const struct model *m)
{
	if (m->final)
		return (uint8_t)m->final;
	return m->overdue > 0 || m->dpd > 0 ? CR_CUR_OVERDUE : CR_CUR_OPEN;
}

static int by_time_then_hash(const void *pa, const void *pb)
{
	const struct ev *a = pa, *b = pb;
	if (a->r.at_s != b->r.at_s)
		return a->r.at_s < b->r.at_s ? -1 : 1;
	return memcmp(a->r.id_hash, b->r.id_hash, sizeof a->r.id_hash);
}

/* ---- Generating and storing sequences. ---- */

static size_t generate(uint64_t *seed, uint64_t tag, int ties, int64_t t0,
		       struct ev *out, size_t max)
{
	static const uint8_t weights[] = {CR_EV_DRAWDOWN, CR_EV_DRAWDOWN, CR_EV_DRAWDOWN,
					  CR_EV_REPAYMENT, CR_EV_REPAYMENT, CR_EV_REPAYMENT,
					  CR_EV_FEE, CR_EV_INTEREST, CR_EV_OVERDUE,
					  CR_EV_OVERDUE, CR_EV_WRITEOFF, CR_EV_CLOSE};
	const size_t n = 1 + below(seed, max);
	for (size_t i = 0; i < n; i++) {
		struct ev *e = &out[i];
		memset(e, 0, sizeof *e);
		snprintf(e->id, sizeof e->id, "%llu-%zu", (unsigned long long)tag, i);
		e->r.kind = weights[below(seed, sizeof weights)];
		/* Ties: many events on a few seconds; else distinct seconds. */
		e->r.at_s = t0 + (ties ? (int64_t)below(seed, 4) : (int64_t)i * 61 + 7);
		e->r.amount = e->r.kind == CR_EV_CLOSE ? 0 : 1 + (int64_t)below(seed, 100000);
		if (e->r.kind == CR_EV_WRITEOFF && below(seed, 2))
			e->r.amount = 0;
		e->r.dpd = e->r.kind == CR_EV_OVERDUE ? 1 + (int32_t)below(seed, 200) : 0;
	}
	return n;
}

static void shuffle(uint64_t *seed, struct ev *e, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		const size_t j = (size_t)below(seed, i);
		struct ev t = e[i - 1];
		e[i - 1] = e[j];
		e[j] = t;
	}
}

/* Stores e[0..n) for account acct_id in that order, over up to three
 * transactions (late arrivals), each event put twice (retries). */
static void store_events(cr_store *st, const char *inst, uint64_t acct_id,
			 struct ev *e, size_t n, uint64_t *seed)
{
	size_t i = 0;
	while (i < n) {
		cr_txn *txn;
		assert_int_equal(cr_store_begin(st, 1, &txn), 0);
		do {
			e[i].r.acct_id = acct_id;
			assert_int_equal(cr_store_event_put(txn, inst, e[i].id, &e[i].r), 1);
			assert_int_equal(cr_store_event_put(txn, inst, e[i].id, &e[i].r), 0);
			i++;
		} while (i < n && below(seed, 3) != 0);
		assert_int_equal(cr_store_commit(txn), 0);
	}
}

static struct cr_current derive(cr_store *st, uint64_t acct_id,
				const struct cr_month_rec *base, int32_t base_month,
				int32_t asof_days)
{
	cr_txn *txn;
	struct cr_current c;
	const struct cr_account_rec a = account(acct_id);
	assert_int_equal(cr_store_begin(st, 0, &txn), 0);
	assert_int_equal(cr_current_derive(txn, &a, base, base_month, asof_days, &c), 0);
	cr_store_abort(txn);
	return c;
}

static void assert_same(const struct cr_current *a, const struct cr_current *b)
{
	assert_int_equal(a->balance, b->balance);
	assert_int_equal(a->overdue, b->overdue);
	assert_int_equal(a->dpd, b->dpd);
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->as_of_s, b->as_of_s);
	assert_int_equal(a->events_applied, b->events_applied);
}

#define SEEDS 300
#define ORDERS 4
#define EVENTS_MAX 40

static void test_order_independence(void **state)
{
	struct fixture *f = *state;
	const int32_t asof = cr_days_from_civil(2021, 6, 30);
	const int64_t t0 = cr_day_start_s(cr_days_from_civil(2021, 3, 1)) + 3600;
	uint64_t acct = 1000;
	for (uint64_t s = 1; s <= SEEDS; s++) {
		uint64_t seed = s * 0x9E3779B97F4A7C15ULL;
		struct ev gen[EVENTS_MAX], e[EVENTS_MAX];
		const int ties = s % 4 == 0;
		const size_t n = generate(&seed, s, ties, t0, gen, EVENTS_MAX);
		struct cr_current first;
		for (int o = 0; o < ORDERS; o++) {
			char inst[16];
			snprintf(inst, sizeof inst, "I%d", o);
			memcpy(e, gen, n * sizeof *e);
			if (o > 0)
				shuffle(&seed, e, n);
			store_events(f->st, inst, ++acct, e, n, &seed);
			const struct cr_current c = derive(f->st, acct, NULL, 0, asof);
			/* The reference: the model over the events in (time, hash) order. */
			qsort(e, n, sizeof *e, by_time_then_hash);
			struct model m = {0};
			for (size_t i = 0; i < n; i++)
				model_apply(&m, &e[i].r);
			assert_int_equal(c.balance, m.balance);
			assert_int_equal(c.overdue, m.overdue);
			assert_int_equal(c.dpd, m.dpd);
			assert_int_equal(c.status, model_status(&m));
			assert_int_equal(c.as_of_s, m.as_of);
			assert_int_equal(c.events_applied, n);
			if (o == 0)
				first = c;
			else if (!ties)
				assert_same(&c, &first);
		}
	}
}

/* A statement for month M is the base: events up to the end of M no longer
 * count, later ones do; a statement for a later month re-bases again. */
static void test_rebase_by_statement(void **state)
{
	struct fixture *f = *state;
	const int32_t asof = cr_days_from_civil(2021, 6, 30);
	const int32_t march = 2021 * 12 + 2, april = march + 1;
	const int64_t march_end = cr_month_end_s(march);
	struct ev e[4];
	const int64_t at[4] = {march_end - 86400, march_end, march_end + 1,
			       cr_month_end_s(april) + 1000};
	const int64_t amount[4] = {1, 10, 100, 1000};
	for (int i = 0; i < 4; i++) {
		memset(&e[i], 0, sizeof e[i]);
		snprintf(e[i].id, sizeof e[i].id, "r-%d", i);
		e[i].r.kind = CR_EV_DRAWDOWN;
		e[i].r.at_s = at[i];
		e[i].r.amount = amount[i];
	}
	uint64_t seed = 42;
	store_events(f->st, "R", 7, e, 4, &seed);
	/* No statement: every event from the opening day on. */
	struct cr_current c = derive(f->st, 7, NULL, 0, asof);
	assert_int_equal(c.balance, 1111);
	assert_int_equal(c.events_applied, 4);
	assert_false(c.has_base);
	/* March statement: only the events after 2021-03-31T23:59:59+08:00. */
	struct cr_month_rec st = {'N', 0, 50000, 0, 0, 0};
	c = derive(f->st, 7, &st, march, asof);
	assert_int_equal(c.balance, 50000 + 100 + 1000);
	assert_int_equal(c.events_applied, 2);
	assert_int_equal(c.as_of_s, at[3]);
	assert_true(c.has_base);
	assert_int_equal(c.base_month, march);
	/* April statement: authoritative for April, so only the May event. */
	struct cr_month_rec ap = {'1', 12, 70000, 5000, 0, 3000};
	c = derive(f->st, 7, &ap, april, asof);
	assert_int_equal(c.balance, 70000 + 1000);
	assert_int_equal(c.overdue, 3000);
	assert_int_equal(c.dpd, 12);
	assert_int_equal(c.status, CR_CUR_OVERDUE);
	assert_int_equal(c.events_applied, 1);
	/* An as-of date before the May event: the statement alone. */
	c = derive(f->st, 7, &ap, april, cr_days_from_civil(2021, 4, 30));
	assert_int_equal(c.balance, 70000);
	assert_int_equal(c.events_applied, 0);
	assert_int_equal(c.as_of_s, cr_month_end_s(april));
	/* A settled statement makes the account closed; events move money only. */
	struct cr_month_rec cl = {'C', 0, 0, 0, 0, 0};
	c = derive(f->st, 7, &cl, march, asof);
	assert_int_equal(c.status, CR_CUR_CLOSED);
	assert_int_equal(c.balance, 1100);
}

/* Repayments reduce the overdue amount first and cure it; the clock-skew
 * window and retention of adverse events. */
static void test_rules(void **state)
{
	struct fixture *f = *state;
	const int32_t asof = cr_days_from_civil(2021, 6, 30);
	const int64_t t = cr_day_start_s(cr_days_from_civil(2021, 5, 2));
	struct ev e[5];
	const uint8_t kind[5] = {CR_EV_DRAWDOWN, CR_EV_OVERDUE, CR_EV_REPAYMENT,
				 CR_EV_REPAYMENT, CR_EV_FEE};
	const int64_t amount[5] = {10000, 3000, 2000, 1500, 77};
	const int64_t at[5] = {t, t + 10, t + 20, t + 30,
			       cr_day_end_s(asof) + CR_CLOCK_SKEW_S};
	for (int i = 0; i < 5; i++) {
		memset(&e[i], 0, sizeof e[i]);
		snprintf(e[i].id, sizeof e[i].id, "u-%d", i);
		e[i].r.kind = kind[i];
		e[i].r.at_s = at[i];
		e[i].r.amount = amount[i];
		e[i].r.dpd = kind[i] == CR_EV_OVERDUE ? 20 : 0;
	}
	uint64_t seed = 9;
	store_events(f->st, "U", 8, e, 5, &seed);
	struct cr_current c = derive(f->st, 8, NULL, 0, cr_days_from_civil(2021, 5, 2));
	/* Up to the end of 2021-05-02 plus skew: the fee is later. */
	assert_int_equal(c.balance, 10000 - 2000 - 1500);
	assert_int_equal(c.overdue, 0);
	assert_int_equal(c.dpd, 0);
	assert_int_equal(c.status, CR_CUR_OPEN);
	c = derive(f->st, 8, NULL, 0, asof);
	assert_int_equal(c.balance, 6500 + 77);
	assert_int_equal(c.events_applied, 5);
	/* Five years on, the overdue mark is past retention; money stays. */
	const int32_t later = cr_days_from_civil(2026, 5, 1);
	struct cr_event_rec od = e[1].r;
	struct cr_current base;
	const struct cr_account_rec a = account(8);
	cr_current_base(&base, &a.a, NULL, 0);
	cr_current_apply(&base, &od, later);
	assert_int_equal(base.overdue, 0);
	assert_int_equal(base.events_applied, 0);
	cr_current_apply(&base, &od, cr_days_from_civil(2026, 4, 30));
	assert_int_equal(base.overdue, 3000);
	assert_int_equal(base.dpd, 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_independence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebase_by_statement, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
