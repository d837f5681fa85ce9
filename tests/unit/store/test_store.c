/* Unit tests for the store interface (src/store/store.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cr_date.h"
#include "cr_err.h"
#include "store.h"
#include "store_int.h"

#include "../store_fixture.h"

static struct cr_account_rec sample_account(const cr_store *st, const char *acct)
{
	struct cr_account_rec r;
	memset(&r, 0, sizeof r);
	cr_store_subject_key(st, "11010519491231002X", &r.subject);
	snprintf(r.a.inst, sizeof r.a.inst, "B0001");
	snprintf(r.a.account, sizeof r.a.account, "%s", acct);
	r.a.product = CR_PROD_REVOLVING;
	r.a.status = CR_ACCT_OPEN;
	r.a.id_type = CR_IDTYPE_RESIDENT;
	r.a.opened_days = cr_days_from_civil(2019, 5, 1);
	memcpy(r.a.currency, "CNY", 4);
	r.a.credit_limit = 1000000;
	r.a.n_colenders = 2;
	r.a.colenders[0] = (struct cr_colender){"B0002", 7000};
	r.a.colenders[1] = (struct cr_colender){"B0001", 3000};
	return r;
}

static void account_round_trip_and_unchanged(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn;
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	struct cr_account_rec r = sample_account(f->st, "HB-0001"), back;
	assert_int_equal(cr_store_account_put(txn, &r), 1);
	assert_true(r.acct_id > 0);
	assert_int_equal(cr_store_account_put(txn, &r), 0);
	assert_int_equal(cr_store_commit(txn), 0);

	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_store_account_get(txn, "B0001", "HB-0001", &back), 0);
	assert_memory_equal(&r, &back, sizeof r);
	assert_int_equal(cr_store_account_get(txn, "B0002", "HB-0001", &back), CR_ENOTFOUND);
	cr_store_abort(txn);
}

static int count_account(const struct cr_account_rec *r, void *arg)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

static void subject_links_accounts_and_ids_are_unique(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn;
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	struct cr_account_rec a = sample_account(f->st, "A1"), b = sample_account(f->st, "A2");
	assert_int_equal(cr_store_account_put(txn, &a), 1);
	assert_int_equal(cr_store_account_put(txn, &b), 1);
	assert_true(a.acct_id != b.acct_id);
	int n = 0;
	assert_int_equal(cr_store_subject_accounts(txn, &a.subject, count_account, &n), 0);
	assert_int_equal(n, 2);
	struct cr_subject_key other;
	cr_store_subject_key(f->st, "110101199003074477", &other);
	n = 0;
	assert_int_equal(cr_store_subject_accounts(txn, &other, count_account, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(cr_store_commit(txn), 0);
}

/* Collects what a walk hands out: account numbers and the other fields. */
struct walk {
	int n;
	char numbers[64];
	int64_t limits;
	uint64_t ids;
};

static int note_account(const struct cr_account_rec *r, void *arg)
{
	struct walk *w = arg;
	w->n++;
	const size_t len = strlen(w->numbers);
	snprintf(w->numbers + len, sizeof w->numbers - len, "%s", r->a.account);
	w->limits += r->a.credit_limit;
	w->ids += r->acct_id;
	assert_string_equal(r->a.inst, "B0001");
	assert_int_equal(r->a.n_colenders, 2);
	return 0;
}

static void bare_walk_skips_only_the_numbers(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn;
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	struct cr_account_rec a = sample_account(f->st, "A1"), b = sample_account(f->st, "A2");
	assert_int_equal(cr_store_account_put(txn, &a), 1);
	assert_int_equal(cr_store_account_put(txn, &b), 1);
	struct walk full = {0}, bare = {0};
	assert_int_equal(cr_store_subject_accounts(txn, &a.subject, note_account, &full), 0);
	assert_int_equal(cr_store_subject_accounts_bare(txn, &a.subject, note_account, &bare), 0);
	assert_int_equal(full.n, 2);
	assert_int_equal(bare.n, 2);
	assert_true(strcmp(full.numbers, "A1A2") == 0 || strcmp(full.numbers, "A2A1") == 0);
	assert_string_equal(bare.numbers, "");
	assert_int_equal(bare.limits, full.limits);
	assert_int_equal(bare.ids, a.acct_id + b.acct_id);
	assert_int_equal(full.ids, bare.ids);
	cr_store_abort(txn);
}

static void history_round_trip_counts_months(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn;
	struct cr_hist_year h, back;
	struct cr_store_stats s;
	memset(&h, 0, sizeof h);
	h.m[0] = (struct cr_month_rec){'N', 0, 52000, 5000, 5000, 0};
	h.m[1] = (struct cr_month_rec){'1', 20, 52000, 5000, 0, 5000};
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_hist_put(txn, 7, 2021, &h), 0);
	assert_int_equal(cr_store_commit(txn), 0);
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_store_hist_get(txn, 7, 2021, &back), 0);
	assert_memory_equal(&h, &back, sizeof h);
	assert_int_equal(cr_store_hist_get(txn, 7, 2020, &back), CR_ENOTFOUND);
	assert_int_equal(cr_store_stats(txn, &s), 0);
	assert_int_equal(s.account_months, 2);
	cr_store_abort(txn);
}

static void assert_fact_equal(const struct cr_consent_fact *a, const struct cr_consent_fact *b)
{
	assert_string_equal(a->inst, b->inst);
	assert_int_equal(a->scope, b->scope);
	assert_int_equal(a->purpose, b->purpose);
	assert_int_equal(a->granted_days, b->granted_days);
	assert_int_equal(a->expires_days, b->expires_days);
	assert_int_equal(a->revoked_days, b->revoked_days);
	assert_string_equal(a->evidence, b->evidence);
}

static void consents_are_kept_in_date_order(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	cr_store_subject_key(f->st, "11010519491231002X", &k);
	struct cr_consent_fact g = {"L0001", CR_SCOPE_QUERY, CR_PURPOSE_LOAN_APPROVAL,
				    cr_days_from_civil(2021, 6, 1), CR_NO_DATE, CR_NO_DATE, "sha256:ab"};
	struct cr_consent_fact r = g;
	r.revoked_days = cr_days_from_civil(2021, 7, 1);
	struct cr_consent_fact early = g;
	early.granted_days = cr_days_from_civil(1960, 1, 1);
	cr_txn *txn;
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_consent_add(txn, &k, &r), 1);
	assert_int_equal(cr_store_consent_add(txn, &k, &g), 1);
	assert_int_equal(cr_store_consent_add(txn, &k, &g), 0);
	assert_int_equal(cr_store_consent_add(txn, &k, &early), 1);
	struct cr_consent_fact out[4];
	size_t n;
	assert_int_equal(cr_store_consent_list(txn, &k, out, 4, &n), 0);
	assert_int_equal(n, 3);
	assert_fact_equal(&out[0], &early);
	assert_fact_equal(&out[1], &g);
	assert_fact_equal(&out[2], &r);
	/* Fewer slots than facts: the newest, oldest first. */
	memset(out, 0, sizeof out);
	assert_int_equal(cr_store_consent_list(txn, &k, out, 2, &n), 0);
	assert_int_equal(n, 3);
	assert_fact_equal(&out[0], &g);
	assert_fact_equal(&out[1], &r);
	assert_int_equal(cr_store_consent_list(txn, &k, out, 1, &n), 0);
	assert_int_equal(n, 3);
	assert_fact_equal(&out[0], &r);
	assert_int_equal(cr_store_consent_list(txn, &k, NULL, 0, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(cr_store_commit(txn), 0);
}

static void held_counts_add_and_release(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	cr_store_subject_key(f->st, "11010519491231002X", &k);
	cr_txn *txn;
	uint64_t n;
	struct cr_store_stats s;
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_held_add(txn, &k, "P0001", 3), 0);
	assert_int_equal(cr_store_held_add(txn, &k, "P0001", 2), 0);
	assert_int_equal(cr_store_held_add(txn, &k, "B0001", 1), 0);
	assert_int_equal(cr_store_commit(txn), 0);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_held_take(txn, &k, "P0001", &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(cr_store_held_take(txn, &k, "P0001", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(cr_store_stats(txn, &s), 0);
	assert_int_equal(s.held_records, 1);
	assert_int_equal(cr_store_commit(txn), 0);
}

struct inquiries {
	size_t n;
	struct cr_inquiry q[8];
};

static int take_inquiry(const struct cr_inquiry *q, void *arg)
{
	struct inquiries *got = arg;
	assert_true(got->n < 8);
	got->q[got->n++] = *q;
	return 0;
}

static void inquiries_filter_by_date(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	cr_store_subject_key(f->st, "11010519491231002X", &k);
	cr_txn *txn;
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	for (int i = 0; i < 5; i++) {
		struct cr_inquiry q = {cr_days_from_civil(2020 + i, 1, 1), 0, "L0001",
				       CR_PURPOSE_LOAN_APPROVAL, 0};
		assert_int_equal(cr_store_inquiry_add(txn, &k, &q), 0);
		assert_true(q.seq > 0);
	}
	struct inquiries got = {0};
	assert_int_equal(cr_store_inquiries(txn, &k, cr_days_from_civil(2022, 1, 1),
					    cr_days_from_civil(2023, 6, 30), take_inquiry, &got), 0);
	assert_int_equal(got.n, 2);
	assert_int_equal(got.q[0].date_days, cr_days_from_civil(2022, 1, 1));
	assert_int_equal(got.q[1].date_days, cr_days_from_civil(2023, 1, 1));
	assert_string_equal(got.q[1].inst, "L0001");
	assert_int_equal(cr_store_commit(txn), 0);
}

static void reopen_keeps_data_and_pseudonyms(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key before, after;
	cr_store_subject_key(f->st, "11010519491231002X", &before);
	cr_txn *txn;
	struct cr_institution in = {"B0001", "Example Bank", CR_KIND_BANK}, back;
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_inst_put(txn, &in), 1);
	assert_int_equal(cr_store_commit(txn), 0);
	cr_store_close(f->st);
	char db[96], key[96];
	const char *reason;
	snprintf(db, sizeof db, "%s/db", f->dir);
	snprintf(key, sizeof key, "%s/db.key", f->dir);
	assert_int_equal(cr_store_open(db, key, CR_STORE_RDONLY, &f->st, &reason), 0);
	cr_store_subject_key(f->st, "11010519491231002X", &after);
	assert_memory_equal(&before, &after, sizeof before);
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_store_inst_get(txn, "B0001", &back), 0);
	assert_string_equal(back.name, "Example Bank");
	cr_store_abort(txn);
	assert_int_equal(cr_store_create(db, key, &reason), CR_EEXIST);
}

static void audit_head_round_trip_and_derived_keys(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn;
	struct cr_audit_head h, back;
	memset(&h, 0, sizeof h);
	h.seq = 42;
	memset(h.hash, 0xab, sizeof h.hash);
	memset(h.mac, 0xcd, sizeof h.mac);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_audit_head_get(txn, &back), CR_ENOTFOUND);
	assert_int_equal(cr_store_audit_head_put(txn, &h), 0);
	assert_int_equal(cr_store_commit(txn), 0);
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_store_audit_head_get(txn, &back), 0);
	cr_store_abort(txn);
	assert_memory_equal(&h, &back, sizeof h);

	uint8_t a[CR_DERIVED_KEY_LEN], a2[CR_DERIVED_KEY_LEN], b[CR_DERIVED_KEY_LEN];
	cr_store_derive_key(f->st, "audit", a);
	cr_store_derive_key(f->st, "audit", a2);
	cr_store_derive_key(f->st, "other", b);
	assert_memory_equal(a, a2, sizeof a);
	assert_memory_not_equal(a, b, sizeof a);
	assert_true(strstr(cr_store_dir(f->st), f->dir) == cr_store_dir(f->st));
}

/* The sample account acct, put and committed on its own. */
static struct cr_account_rec committed_account(cr_store *st, const char *acct)
{
	cr_txn *txn;
	struct cr_account_rec r = sample_account(st, acct);
	assert_int_equal(cr_store_begin(st, 1, &txn), 0);
	assert_int_equal(cr_store_account_put(txn, &r), 1);
	assert_int_equal(cr_store_commit(txn), 0);
	return r;
}

/* A write transaction starts from the committed images of earlier ones
 * (store_pcache.c): an aborted change never shows, a committed one shows
 * to the next writer and to readers, over and over. */
static void later_transactions_see_commits_not_aborts(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn;
	struct cr_account_rec r = committed_account(f->st, "C1"), back;
	for (int round = 0; round < 3; round++) {
		/* A change that is aborted: */
		assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
		struct cr_account_rec changed = r;
		changed.a.credit_limit += 1000;
		assert_int_equal(cr_store_account_put(txn, &changed), 1);
		cr_store_abort(txn);
		assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
		assert_int_equal(cr_store_account_get(txn, "B0001", "C1", &back), 0);
		assert_int_equal(back.a.credit_limit, r.a.credit_limit);
		/* ... and one that is committed, seen by the next writer and a reader. */
		r.a.credit_limit += 500;
		assert_int_equal(cr_store_account_put(txn, &r), 1);
		assert_int_equal(cr_store_commit(txn), 0);
		for (int write = 0; write < 2; write++) {
			assert_int_equal(cr_store_begin(f->st, write, &txn), 0);
			assert_int_equal(cr_store_account_get(txn, "B0001", "C1", &back), 0);
			assert_int_equal(back.a.credit_limit, r.a.credit_limit);
			cr_store_abort(txn);
		}
	}
}

/* The writer's cache hits and misses so far. */
static void pcache_counts(cr_store *st, uint64_t *hits, uint64_t *misses)
{
	cr_txn *txn;
	struct cr_store_stats s;
	assert_int_equal(cr_store_begin(st, 0, &txn), 0);
	assert_int_equal(cr_store_stats(txn, &s), 0);
	cr_store_abort(txn);
	*hits = s.person_cache_hits;
	*misses = s.person_cache_misses;
}

/* Raises C1's limit in a write transaction; 1 when it found the person in
 * the writer's cache. */
static int raise_limit_cached(cr_store *st, struct cr_account_rec *r)
{
	cr_txn *txn;
	struct cr_account_rec back;
	uint64_t h0, m0, h1, m1;
	pcache_counts(st, &h0, &m0);
	assert_int_equal(cr_store_begin(st, 1, &txn), 0);
	assert_int_equal(cr_store_account_get(txn, "B0001", "C1", &back), 0);
	assert_int_equal(back.a.credit_limit, r->a.credit_limit);
	r->a.credit_limit += 100;
	assert_int_equal(cr_store_account_put(txn, r), 1);
	assert_int_equal(cr_store_commit(txn), 0);
	pcache_counts(st, &h1, &m1);
	assert_true(h1 + m1 > h0 + m0);
	return h1 > h0;
}

/* A person enters the writer's cache on the second commit that touches
 * them, not the first (store_pcache.c), and stays while commits keep
 * touching them. */
static void the_cache_admits_a_person_touched_twice(void **state)
{
	struct fixture *f = *state;
	struct cr_account_rec r = committed_account(f->st, "C1");
	assert_false(raise_limit_cached(f->st, &r)); /* first touch after creation: remembered */
	assert_false(raise_limit_cached(f->st, &r)); /* second: admitted at its commit */
	for (int i = 0; i < 3; i++)
		assert_true(raise_limit_cached(f->st, &r));
}

static int count_event(const struct cr_event_rec *e, void *arg)
{
	int64_t *last = arg; /* last[0]: events seen, last[1]: the latest time */
	assert_true(e->at_s > last[1]);
	last[0]++;
	last[1] = e->at_s;
	return 0;
}

/* An account's events counted by a transaction of kind write. */
static int64_t events_seen(cr_store *st, int write, const char *acct)
{
	cr_txn *txn;
	struct cr_account_rec back;
	int64_t seen[2] = {0, 0};
	assert_int_equal(cr_store_begin(st, write, &txn), 0);
	assert_int_equal(cr_store_account_get(txn, "B0001", acct, &back), 0);
	assert_int_equal(cr_store_account_events(txn, back.acct_id, 0, INT64_MAX / 2,
						 count_event, seen), 0);
	cr_store_abort(txn);
	return seen[0];
}

/* The writer's cache keeps people without their events (store_pcache.c),
 * and a walk of an account's events from a time on loads those alone
 * (store_txn.c): a writer that starts from the cache still finds every
 * event committed, whether or not the transactions before it read them,
 * and a walk of all of them after a walk of the latest. */
static void events_stay_whole_through_the_person_cache(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn;
	struct cr_account_rec back;
	committed_account(f->st, "C1");
	const int64_t t0 = cr_day_start_s(cr_days_from_civil(2021, 3, 1));
	for (int i = 0; i < 6; i++) {
		char id[16];
		snprintf(id, sizeof id, "ev-%d", i);
		assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
		assert_int_equal(cr_store_account_get(txn, "B0001", "C1", &back), 0);
		if (i % 2) {
			/* Every other writer reads the latest events before it
			 * adds one (a derivation reads those since the last
			 * statement), then all of them. */
			int64_t since[2] = {0, 0}, seen[2] = {0, 0};
			assert_int_equal(cr_store_account_events(txn, back.acct_id,
								 t0 + 3600 * (i - 2), INT64_MAX / 2,
								 count_event, since), 0);
			assert_int_equal(since[0], 1);
			assert_int_equal(cr_store_account_events(txn, back.acct_id, 0, INT64_MAX / 2,
								 count_event, seen), 0);
			assert_int_equal(seen[0], i);
		}
		struct cr_event_rec e;
		memset(&e, 0, sizeof e);
		e.acct_id = back.acct_id;
		e.at_s = t0 + 3600 * i;
		e.kind = CR_EV_REPAYMENT;
		e.amount = 100 + i;
		assert_int_equal(cr_store_event_put(txn, "B0001", id, &e), 1);
		assert_int_equal(cr_store_commit(txn), 0);
		assert_int_equal(events_seen(f->st, 1, "C1"), i + 1);
		assert_int_equal(events_seen(f->st, 0, "C1"), i + 1);
	}
}

/* A directory of the LMDB store (layouts up to 6) is refused, unchanged. */
static void an_lmdb_directory_is_refused_with_what_to_do(void **state)
{
	struct fixture *f = *state;
	char dir[128], path[160], key[160];
	const char *reason;
	cr_store *st;
	snprintf(dir, sizeof dir, "%s/old", f->dir);
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	snprintf(key, sizeof key, "%s/db.key", f->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(cr_store_open(dir, key, 0, &st, &reason), CR_EVERSION);
	assert_non_null(reason);
	assert_non_null(strstr(reason, "creditref init"));
	assert_int_equal(cr_store_create(dir, key, &reason), CR_EEXIST);
}

/* A person created by a transaction and read back by pid in it (which
 * notes the way from subject to pid in the transaction) is found by
 * subject after the commit: the note never hides the index entry the
 * transaction writes.  An account read by its number carries the number. */
static void a_person_read_back_in_its_own_transaction_is_indexed(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn;
	struct cr_account_rec r = sample_account(f->st, "C7"), other = sample_account(f->st, "C8"),
			      back;
	uint64_t pid, again;
	cr_store_subject_key(f->st, "110105194912310037", &other.subject);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_account_put(txn, &r), 1);
	/* Another person between, so that the read goes to r's '@' record. */
	assert_int_equal(cr_store_account_put(txn, &other), 1);
	assert_int_equal(cr_store_account_get(txn, "B0001", "C7", &back), 0);
	assert_string_equal(back.a.account, "C7");
	assert_int_equal(cr_store_account_by_id(txn, back.acct_id, &back), 0);
	assert_int_equal(person_pid(txn, &r.subject, &pid), 0);
	assert_int_equal(cr_store_commit(txn), 0);
	for (int write = 0; write < 2; write++) {
		assert_int_equal(cr_store_begin(f->st, write, &txn), 0);
		assert_int_equal(person_pid(txn, &r.subject, &again), 0);
		assert_int_equal(again, pid);
		assert_int_equal(cr_store_account_get(txn, "B0001", "C7", &back), 0);
		assert_string_equal(back.a.account, "C7");
		assert_memory_equal(back.subject.b, r.subject.b, CR_SUBJECT_KEY_LEN);
		cr_store_abort(txn);
	}
}

/* The version in meta, read through a transaction of st. */
static uint64_t version_of(cr_store *st)
{
	cr_txn *txn;
	uint64_t v = 0;
	assert_int_equal(cr_store_begin(st, 0, &txn), 0);
	assert_int_equal(meta_get_u64(txn, "version", &v), 0);
	cr_store_abort(txn);
	return v;
}

/* Sets the version in meta, as an older release left it. */
static void set_version(cr_store *st, uint64_t v)
{
	cr_txn *txn;
	assert_int_equal(cr_store_begin(st, 1, &txn), 0);
	assert_int_equal(meta_put_u64(txn, "version", v), 0);
	assert_int_equal(cr_store_commit(txn), 0);
}

/* Layouts 8 (no held identities) and 9 (held identities sealed into
 * their 'I' records) open as they are for reading and are raised to 10 by
 * an open for writing; a layout 7 store is refused, and so is a layout
 * newer than this release's. */
static void layouts_8_and_9_are_raised_to_10(void **state)
{
	struct fixture *f = *state;
	char db[128], key[128];
	const char *reason;
	snprintf(db, sizeof db, "%s/db", f->dir);
	snprintf(key, sizeof key, "%s/db.key", f->dir);
	assert_int_equal(version_of(f->st), 10);
	for (uint64_t old = 8; old <= 9; old++) {
		set_version(f->st, old);
		cr_store_close(f->st);
		assert_int_equal(cr_store_open(db, key, CR_STORE_RDONLY, &f->st, &reason), 0);
		assert_int_equal(version_of(f->st), old);
		cr_store_close(f->st);
		assert_int_equal(cr_store_open(db, key, 0, &f->st, &reason), 0);
		assert_int_equal(version_of(f->st), 10);
	}
	set_version(f->st, 11);
	cr_store_close(f->st);
	assert_int_equal(cr_store_open(db, key, CR_STORE_RDONLY, &f->st, &reason), CR_EVERSION);
	assert_int_equal(cr_store_open(db, key, 0, &f->st, &reason), CR_EVERSION);
	assert_null(f->st);
}

static void layout_7_is_refused(void **state)
{
	struct fixture *f = *state;
	char db[128], key[128];
	const char *reason;
	snprintf(db, sizeof db, "%s/db", f->dir);
	snprintf(key, sizeof key, "%s/db.key", f->dir);
	set_version(f->st, 7);
	cr_store_close(f->st);
	assert_int_equal(cr_store_open(db, key, 0, &f->st, &reason), CR_EVERSION);
	assert_null(f->st);
	assert_int_equal(cr_store_create(db, key, &reason), CR_EEXIST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(account_round_trip_and_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(subject_links_accounts_and_ids_are_unique, setup, teardown),
		cmocka_unit_test_setup_teardown(bare_walk_skips_only_the_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(history_round_trip_counts_months, setup, teardown),
		cmocka_unit_test_setup_teardown(consents_are_kept_in_date_order, setup, teardown),
		cmocka_unit_test_setup_teardown(held_counts_add_and_release, setup, teardown),
		cmocka_unit_test_setup_teardown(inquiries_filter_by_date, setup, teardown),
		cmocka_unit_test_setup_teardown(reopen_keeps_data_and_pseudonyms, setup, teardown),
		cmocka_unit_test_setup_teardown(audit_head_round_trip_and_derived_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(events_stay_whole_through_the_person_cache, setup,
						teardown),
		cmocka_unit_test_setup_teardown(later_transactions_see_commits_not_aborts, setup, teardown),
		cmocka_unit_test_setup_teardown(the_cache_admits_a_person_touched_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(a_person_read_back_in_its_own_transaction_is_indexed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(layouts_8_and_9_are_raised_to_10, setup, teardown),
		cmocka_unit_test_setup_teardown(layout_7_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(an_lmdb_directory_is_refused_with_what_to_do, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
