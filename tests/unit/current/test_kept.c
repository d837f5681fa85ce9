/*
 * test_kept.c - kept account states (current.h, "Kept states") against fresh
 * derivations, on random histories furnished through the real ingest.
 *
 * The property: after every batch, every state the store keeps for an
 * account at the as-of date equals the state derived from scratch from the
 * stored statements and events.  A history mixes what furnishers send:
 * statements for any month, late ones included; events mostly in order,
 * some late, some at the same second, some before the latest statement;
 * retries of the same event; account records that close or write off the
 * account; the as-of date moving on now and then.  The test also checks
 * that it is not vacuous: many kept states are compared, and most events
 * carried a kept state forward rather than leaving it to be derived again.
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
#include "ingest.h"
#include "store.h"

#include "../store_fixture.h"

#define SEEDS 60
#define BATCHES 25
#define ACCOUNTS 3
#define PID "11010519491231002X"

static const char *const insts[ACCOUNTS] = {"B0001", "B0002", "B0001"};
static const char *const numbers[ACCOUNTS] = {"K-1", "K-2", "K-3"};

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

struct run {
	cr_store *st;
	uint64_t seed;
	int32_t asof;          /* days */
	int64_t last_at[ACCOUNTS]; /* latest event time furnished, UTC s */
	int n_events;
	char lines[64][512];
	int n;
	uint64_t compared, carried;
};

static void line(struct run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->lines[r->n++], sizeof r->lines[0], fmt, ap);
	va_end(ap);
}

static void apply(struct run *r)
{
	struct cr_ingest *ig;
	assert_int_equal(cr_ingest_begin(r->st, r->asof, NULL, NULL, &ig), 0);
	for (int i = 0; i < r->n; i++) {
		int rc = cr_ingest_line(ig, r->lines[i], strlen(r->lines[i]), (size_t)i + 1);
		if (rc == CR_OUT_REJECTED)
			fail_msg("rejected: %s", r->lines[i]);
		assert_true(rc >= 0);
	}
	struct cr_ingest_counts c;
	assert_int_equal(cr_ingest_end(ig, &c), 0);
	r->n = 0;
}

static void setup_person(struct run *r)
{
	line(r, "{\"type\":\"institution\",\"code\":\"B0001\",\"name\":\"甲银行\",\"kind\":\"bank\"}");
	line(r, "{\"type\":\"institution\",\"code\":\"B0002\",\"name\":\"乙银行\",\"kind\":\"bank\"}");
	for (int i = 0; i < 2; i++)
		line(r, "{\"type\":\"consent\",\"id\":\"" PID "\",\"institution\":\"%s\","
			"\"scope\":\"furnish\",\"granted\":\"2020-01-01\"}", insts[i]);
	for (int i = 0; i < ACCOUNTS; i++)
		line(r, "{\"type\":\"account\",\"institution\":\"%s\",\"account\":\"%s\",\"id\":\""
			PID "\",\"name\":\"张三\",\"product\":\"revolving\",\"opened\":\"2021-01-10\","
			"\"credit_limit\":5000000}", insts[i], numbers[i]);
	apply(r);
}

static void statement(struct run *r, int a)
{
	const int32_t first = cr_month_of_date(cr_days_from_civil(2021, 1, 10));
	const int32_t last = cr_month_of_date(r->asof);
	const int32_t m = first + (int32_t)below(&r->seed, (uint64_t)(last - first + 1));
	const int late = below(&r->seed, 4) == 0;
	const int32_t dpd = late ? 1 + (int32_t)below(&r->seed, 89) : 0;
	const char status = late ? (char)('0' + (dpd + 29) / 30) : 'N';
	const int64_t bal = (int64_t)below(&r->seed, 2000000);
	char month[8];
	cr_month_format(m, month);
	line(r, "{\"type\":\"statement\",\"institution\":\"%s\",\"account\":\"%s\",\"month\":\"%s\","
		"\"balance\":%lld,\"due\":%lld,\"paid\":%lld,\"overdue\":%lld,\"dpd\":%d,\"status\":\"%c\"}",
		insts[a], numbers[a], month, (long long)bal, (long long)(bal / 10),
		(long long)(late ? 0 : bal / 10), (long long)(late ? bal / 10 : 0), dpd, status);
}

/* An event: mostly after the last one, sometimes late or at the same second. */
static void event(struct run *r, int a)
{
	static const char *const kinds[] = {"drawdown", "repayment", "fee", "interest",
					    "overdue", "writeoff", "close"};
	const int64_t open_s = cr_day_start_s(cr_days_from_civil(2021, 1, 10));
	const int64_t end_s = cr_day_end_s(r->asof);
	int64_t at = r->last_at[a] ? r->last_at[a] : end_s - 86400 * 40;
	const uint64_t how = below(&r->seed, 10);
	if (how < 6)
		at += 1 + (int64_t)below(&r->seed, 86400);       /* in order */
	else if (how < 8)
		at -= (int64_t)below(&r->seed, 86400 * 60);      /* late */
	if (at > end_s)
		at = end_s;
	if (at < open_s)
		at = open_s;
	if (at > r->last_at[a])
		r->last_at[a] = at;
	const char *kind = kinds[below(&r->seed, how == 9 ? 7 : 4)];
	const int64_t amount = strcmp(kind, "close") == 0 ? 0 : 1 + (int64_t)below(&r->seed, 300000);
	char dpd[16] = "";
	if (strcmp(kind, "overdue") == 0)
		snprintf(dpd, sizeof dpd, ",\"dpd\":%d", 1 + (int)below(&r->seed, 120));
	char when[CR_TIME_TEXT_LEN];
	cr_time_format(at, when);
	line(r, "{\"type\":\"event\",\"institution\":\"%s\",\"account\":\"%s\",\"event_id\":\"e%d\","
		"\"at\":\"%s\",\"kind\":\"%s\",\"amount\":%lld%s}",
		insts[a], numbers[a], r->n_events++, when, kind, (long long)amount, dpd);
	if (below(&r->seed, 8) == 0) { /* a retry of the same event */
		memcpy(r->lines[r->n], r->lines[r->n - 1], sizeof r->lines[0]);
		r->n++;
	}
}

/* Every kept state at the as-of date equals a derivation from scratch. */
static void check(struct run *r)
{
	cr_txn *txn;
	assert_int_equal(cr_store_begin(r->st, 0, &txn), 0);
	for (int a = 0; a < ACCOUNTS; a++) {
		struct cr_account_rec rec;
		struct cr_current kept, fresh;
		assert_int_equal(cr_store_account_get(txn, insts[a], numbers[a], &rec), 0);
		int k = cr_current_kept(txn, &rec, r->asof, &kept);
		assert_true(k >= 0);
		if (!k)
			continue;
		assert_int_equal(cr_current_fresh(txn, &rec, r->asof, &fresh), 0);
		assert_int_equal(kept.balance, fresh.balance);
		assert_int_equal(kept.overdue, fresh.overdue);
		assert_int_equal(kept.dpd, fresh.dpd);
		assert_int_equal(kept.status, fresh.status);
		assert_int_equal(kept.has_base, fresh.has_base);
		assert_int_equal(kept.base_month, fresh.base_month);
		assert_int_equal(kept.as_of_s, fresh.as_of_s);
		assert_int_equal(kept.events_applied, fresh.events_applied);
		assert_int_equal(kept.base_end_s, fresh.base_end_s);
		assert_memory_equal(kept.last_hash, fresh.last_hash, sizeof kept.last_hash);
		r->compared++;
	}
	cr_store_abort(txn);
}

/* Kept states before a batch of events only: those still kept after it
 * were carried forward (or derived again by the alert rules). */
static int kept_count(struct run *r)
{
	cr_txn *txn;
	int n = 0;
	assert_int_equal(cr_store_begin(r->st, 0, &txn), 0);
	for (int a = 0; a < ACCOUNTS; a++) {
		struct cr_account_rec rec;
		struct cr_current c;
		assert_int_equal(cr_store_account_get(txn, insts[a], numbers[a], &rec), 0);
		n += cr_current_kept(txn, &rec, r->asof, &c) == 1;
	}
	cr_store_abort(txn);
	return n;
}

static void one_history(cr_store *st, uint64_t seed, uint64_t *compared, uint64_t *carried)
{
	static struct run r;
	memset(&r, 0, sizeof r);
	r.st = st;
	r.seed = seed * 0x9e3779b97f4a7c15ULL + 1;
	r.asof = cr_days_from_civil(2026, 6, 30);
	setup_person(&r);
	for (int b = 0; b < BATCHES; b++) {
		const int events_only = below(&r.seed, 3) != 0;
		const int before = kept_count(&r);
		for (int k = 1 + (int)below(&r.seed, 12); k > 0; k--) {
			const int a = (int)below(&r.seed, ACCOUNTS);
			if (events_only || below(&r.seed, 3))
				event(&r, a);
			else
				statement(&r, a);
		}
		apply(&r);
		check(&r);
		if (events_only && before)
			r.carried += kept_count(&r);
		if (below(&r.seed, 12) == 0)
			r.asof += 1 + (int32_t)below(&r.seed, 20); /* a new day */
	}
	*compared += r.compared;
	*carried += r.carried;
}

static void kept_states_equal_fresh_derivations(void **state)
{
	(void)state;
	uint64_t compared = 0, carried = 0;
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		void *fs;
		assert_int_equal(setup(&fs), 0);
		one_history(((struct fixture *)fs)->st, seed, &compared, &carried);
		assert_int_equal(teardown(&fs), 0);
	}
	print_message("kept states compared: %llu, carried over event-only batches: %llu\n",
		      (unsigned long long)compared, (unsigned long long)carried);
	/* Not vacuous: most checks met a kept state, and events carried many. */
	assert_true(compared > SEEDS * BATCHES);
	assert_true(carried > SEEDS * 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kept_states_equal_fresh_derivations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
