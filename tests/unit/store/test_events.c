/*
 * test_events.c - events in the store (src/store/store_event.c): one event
 * per (institution, event_id), retries unchanged, a reused id refused, and
 * an account's events walked in time order within a window.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cr_date.h"
#include "cr_err.h"
#include "store.h"

#include "../store_fixture.h"

static struct cr_event_rec event(uint64_t acct, int64_t at, uint8_t kind, int64_t amount)
{
	struct cr_event_rec e;
	memset(&e, 0, sizeof e);
	e.acct_id = acct;
	e.at_s = at;
	e.kind = kind;
	e.amount = amount;
	return e;
}

struct seen {
	size_t n;
	struct cr_event_rec e[16];
};

static int collect(const struct cr_event_rec *e, void *arg)
{
	struct seen *s = arg;
	if (s->n < 16)
		s->e[s->n++] = *e;
	return 0;
}

static void test_idempotency(void **state)
{
	struct fixture *f = *state;
	const int64_t t = cr_day_start_s(cr_days_from_civil(2021, 1, 15));
	cr_txn *txn;
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	struct cr_event_rec e = event(5, t, CR_EV_DRAWDOWN, 12345);
	assert_int_equal(cr_store_event_put(txn, "B0001", "ev-1", &e), 1);
	assert_int_equal(cr_store_event_put(txn, "B0001", "ev-1", &e), 0);
	assert_int_equal(cr_store_commit(txn), 0);

	/* After the commit: a retry is still unchanged, a different body under
	 * the same id is refused, and every field counts as the body. */
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_event_put(txn, "B0001", "ev-1", &e), 0);
	struct cr_event_rec d[5] = {e, e, e, e, e};
	d[0].amount = 12346;
	d[1].at_s = t + 1;
	d[2].kind = CR_EV_FEE;
	d[3].acct_id = 6;
	d[4].kind = CR_EV_OVERDUE;
	d[4].dpd = 3;
	for (int i = 0; i < 5; i++)
		assert_int_equal(cr_store_event_put(txn, "B0001", "ev-1", &d[i]), CR_EEXIST);
	/* The id is the institution's own: another may use it. */
	struct cr_event_rec other = event(9, t, CR_EV_FEE, 1);
	assert_int_equal(cr_store_event_put(txn, "B0002", "ev-1", &other), 1);
	/* Ids compare exactly: a case or a byte apart is another event. */
	struct cr_event_rec e2 = event(5, t, CR_EV_DRAWDOWN, 12345);
	assert_int_equal(cr_store_event_put(txn, "B0001", "EV-1", &e2), 1);
	assert_int_equal(cr_store_commit(txn), 0);

	struct cr_store_stats s;
	struct seen seen = {0};
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_store_stats(txn, &s), 0);
	assert_int_equal(s.events, 3);
	assert_int_equal(cr_store_account_events(txn, 5, INT64_MIN, INT64_MAX, collect, &seen), 0);
	cr_store_abort(txn);
	assert_int_equal(seen.n, 2); /* ev-1 once (the first body kept) and EV-1 */
	for (size_t i = 0; i < seen.n; i++) {
		assert_int_equal(seen.e[i].amount, 12345);
		assert_int_equal(seen.e[i].kind, CR_EV_DRAWDOWN);
	}
}

static void test_walk_window_and_order(void **state)
{
	struct fixture *f = *state;
	const int64_t t = cr_day_start_s(cr_days_from_civil(1969, 12, 31)); /* negative times too */
	const int64_t at[6] = {t + 50, t - 100, t + 10, t, t + 10, t + 1000};
	cr_txn *txn;
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	for (int i = 0; i < 6; i++) {
		char id[16];
		snprintf(id, sizeof id, "w%d", i);
		struct cr_event_rec e = event(7, at[i], CR_EV_FEE, i + 1);
		assert_int_equal(cr_store_event_put(txn, "B0001", id, &e), 1);
		struct cr_event_rec n = event(8, at[i], CR_EV_FEE, 100);
		snprintf(id, sizeof id, "n%d", i);
		assert_int_equal(cr_store_event_put(txn, "B0001", id, &n), 1);
	}
	assert_int_equal(cr_store_commit(txn), 0);
	struct seen s = {0};
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	/* after_s is exclusive, until_s inclusive. */
	assert_int_equal(cr_store_account_events(txn, 7, t - 100, t + 50, collect, &s), 0);
	assert_int_equal(s.n, 4);
	for (size_t i = 0; i < s.n; i++) {
		assert_int_equal(s.e[i].acct_id, 7);
		if (i)
			assert_true(s.e[i - 1].at_s <= s.e[i].at_s);
	}
	assert_int_equal(s.e[0].at_s, t);
	assert_int_equal(s.e[3].at_s, t + 50);
	s.n = 0;
	assert_int_equal(cr_store_account_events(txn, 7, t + 1000, INT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(cr_store_account_events(txn, 7, t, t, collect, &s), 0);
	assert_int_equal(s.n, 0);
	cr_store_abort(txn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_idempotency, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_window_and_order, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
