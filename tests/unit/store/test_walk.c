/*
 * test_walk.c - the store's one cursor walk (kv_walk in store_int.h): keys
 * in order under a prefix, a write transaction's own writes and deletions
 * merged in place with what is committed, a non-zero return that stops the
 * walk and comes back unchanged, and the callback's end and seek.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cr_err.h"
#include "store.h"
#include "store_codec.h"
#include "store_int.h"

#include "../store_fixture.h"

/* What a walk saw: keys (as text after a skipped prefix) and values. */
struct seen {
	size_t skip;    /* bytes of each key not shown */
	int stop_at;    /* return 7 on this record (1-based); 0: never */
	int end_at;     /* set end on this record; 0: never */
	int n;
	char keys[256];
	char vals[256];
};

static int note(struct kv_step *s, void *arg)
{
	struct seen *w = arg;
	w->n++;
	size_t len = strlen(w->keys);
	snprintf(w->keys + len, sizeof w->keys - len, "%.*s,", (int)(s->kn - w->skip),
		 (const char *)s->k + w->skip);
	len = strlen(w->vals);
	snprintf(w->vals + len, sizeof w->vals - len, "%.*s,", (int)s->vn, (const char *)s->v);
	if (w->n == w->end_at)
		s->end = 1;
	return w->n == w->stop_at ? 7 : 0;
}

static void put(cr_txn *txn, int cf, const char *k, const char *v)
{
	assert_int_equal(kv_put(txn, cf, k, strlen(k), v, strlen(v)), 0);
}

/* Committed: w:a w:c w:e, and x:z outside the prefix. */
static void commit_meta(cr_store *st)
{
	cr_txn *txn;
	assert_int_equal(cr_store_begin(st, 1, &txn), 0);
	put(txn, CF_META, "w:a", "1");
	put(txn, CF_META, "w:c", "3");
	put(txn, CF_META, "w:e", "5");
	put(txn, CF_META, "x:z", "9");
	assert_int_equal(cr_store_commit(txn), 0);
}

static void a_write_txn_walks_its_own_writes_in_order(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn;
	commit_meta(f->st);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	put(txn, CF_META, "w:d", "4");
	put(txn, CF_META, "w:b", "2");
	put(txn, CF_META, "w:e", "five");
	assert_int_equal(kv_del(txn, CF_META, "w:c", 3), 0);
	struct seen w = {.skip = 2};
	assert_int_equal(kv_walk(txn, CF_META, "w:", 2, NULL, 0, note, &w), 0);
	assert_string_equal(w.keys, "a,b,d,e,");
	assert_string_equal(w.vals, "1,2,4,five,");
	/* From a key on, in the same merged view. */
	struct seen from = {.skip = 2};
	assert_int_equal(kv_walk(txn, CF_META, "w:", 2, "w:c", 3, note, &from), 0);
	assert_string_equal(from.keys, "d,e,");
	cr_store_abort(txn);
	/* Aborted: a reader and the database itself see the commit only. */
	struct seen r = {.skip = 2}, db = {.skip = 2};
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(kv_walk(txn, CF_META, "w:", 2, NULL, 0, note, &r), 0);
	cr_store_abort(txn);
	assert_string_equal(r.keys, "a,c,e,");
	assert_int_equal(kv_walk_db(f->st, NULL, CF_META, "w:", 2, note, &db), 0);
	assert_string_equal(db.vals, "1,3,5,");
}

/* A person's records in a write transaction come from its image
 * (store_txn.h): written, deleted and committed ones in key order. */
static void a_person_walk_sees_pending_writes(void **state)
{
	struct fixture *f = *state;
	uint8_t k[10];
	cr_txn *txn;
	cr_put_u64be(k, 77);
	k[8] = 'Q';
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	for (char c = 'a'; c <= 'e'; c += 2) {
		k[9] = (uint8_t)c;
		assert_int_equal(kv_put(txn, CF_PERSON, k, sizeof k, &c, 1), 0);
	}
	assert_int_equal(cr_store_commit(txn), 0);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	k[9] = 'b';
	assert_int_equal(kv_put(txn, CF_PERSON, k, sizeof k, "B", 1), 0);
	k[9] = 'a';
	assert_int_equal(kv_del(txn, CF_PERSON, k, sizeof k), 0);
	struct seen w = {.skip = 9};
	assert_int_equal(kv_walk(txn, CF_PERSON, k, 9, NULL, 0, note, &w), 0);
	assert_string_equal(w.keys, "b,c,e,");
	assert_string_equal(w.vals, "B,c,e,");
	assert_int_equal(cr_store_commit(txn), 0);
	struct seen after = {.skip = 9};
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(kv_walk(txn, CF_PERSON, k, 9, NULL, 0, note, &after), 0);
	cr_store_abort(txn);
	assert_string_equal(after.keys, "b,c,e,");
}

static void a_non_zero_return_stops_and_is_returned(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn;
	commit_meta(f->st);
	for (int write = 0; write < 2; write++) {
		assert_int_equal(cr_store_begin(f->st, write, &txn), 0);
		struct seen w = {.skip = 2, .stop_at = 2};
		assert_int_equal(kv_walk(txn, CF_META, "w:", 2, NULL, 0, note, &w), 7);
		assert_int_equal(w.n, 2);
		assert_string_equal(w.keys, "a,c,");
		/* end stops as well, and the walk returns 0. */
		struct seen e = {.skip = 2, .end_at = 1};
		assert_int_equal(kv_walk(txn, CF_META, "w:", 2, NULL, 0, note, &e), 0);
		assert_string_equal(e.keys, "a,");
		cr_store_abort(txn);
	}
}

/* A skip-scan: the callback moves the cursor past the rest of each group. */
static int first_of_group(struct kv_step *s, void *arg)
{
	struct seen *w = arg;
	static uint8_t next[2];
	note(s, w);
	next[0] = s->k[0];
	next[1] = 0xff;
	s->seek = next;
	s->seek_n = sizeof next;
	return 0;
}

static void seek_skips_ahead(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn;
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	static const char *const keys[] = {"a1", "a2", "a3", "b1", "c1", "c2"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		put(txn, CF_ALERT, keys[i], "v");
	assert_int_equal(cr_store_commit(txn), 0);
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	struct seen w = {0};
	assert_int_equal(kv_walk(txn, CF_ALERT, NULL, 0, NULL, 0, first_of_group, &w), 0);
	cr_store_abort(txn);
	assert_string_equal(w.keys, "a1,b1,c1,");
}

static void a_prefix_longer_than_the_cursor_holds_is_refused(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn;
	uint8_t big[65] = {0};
	struct seen w = {0};
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(kv_walk(txn, CF_META, big, sizeof big, NULL, 0, note, &w), CR_EINVAL);
	cr_store_abort(txn);
	assert_int_equal(w.n, 0);
}

/* The audit trail's pending lines are dropped in ranges (after, upto]: the
 * walk starts past what was dropped before, so a line at or below `after`
 * is not its concern (the committer never leaves one; one is planted here
 * to show where the walk starts). */
static int pending(cr_store *st, uint64_t seq)
{
	cr_txn *txn;
	char line[64];
	size_t n = 0;
	assert_int_equal(cr_store_begin(st, 0, &txn), 0);
	const int rc = cr_store_audit_pending_get(txn, seq, line, sizeof line, &n);
	cr_store_abort(txn);
	assert_true(rc == 0 || rc == CR_ENOTFOUND);
	return rc == 0;
}

static void audit_lines_drop_from_after_the_last_drop(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn;
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	for (uint64_t seq = 1; seq <= 10; seq++)
		assert_int_equal(cr_store_audit_pending_put(txn, seq, "line\n", 5), 0);
	assert_int_equal(cr_store_commit(txn), 0);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_audit_pending_drop(txn, 0, 4), 0);
	assert_int_equal(cr_store_commit(txn), 0);
	for (uint64_t seq = 1; seq <= 10; seq++)
		assert_int_equal(pending(f->st, seq), seq > 4);
	/* Line 2 again, below the next drop's start: it stays. */
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_audit_pending_put(txn, 2, "line\n", 5), 0);
	assert_int_equal(cr_store_audit_pending_drop(txn, 4, 7), 0);
	assert_int_equal(cr_store_commit(txn), 0);
	for (uint64_t seq = 1; seq <= 10; seq++)
		assert_int_equal(pending(f->st, seq), seq == 2 || seq > 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_write_txn_walks_its_own_writes_in_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_person_walk_sees_pending_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(a_non_zero_return_stops_and_is_returned, setup,
						teardown),
		cmocka_unit_test_setup_teardown(seek_skips_ahead, setup, teardown),
		cmocka_unit_test_setup_teardown(audit_lines_drop_from_after_the_last_drop, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_prefix_longer_than_the_cursor_holds_is_refused,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
