/*
 * Unit tests for the audit trail (src/audit/audit.c).
 *
 * Each test builds a store with N entries, then damages the trail the way an
 * attacker or a crash would and checks that verify names the first entry
 * touched, or the truncation.  The tampering helpers work on the file as
 * lines of text, as someone with a text editor would.
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
#include <sodium.h>

#include "audit.h"
#include "cr_date.h"
#include "cr_err.h"
#include "store.h"

#define N 10
#define LINES_MAX 64
#define SUFFIX 148 /* ,"hash":"<64>","mac":"<64>"} */

struct fixture {
	char dir[64];
	char db[96];
	char log[128];
	cr_store *st;
};

static struct cr_audit_entry sample(const cr_store *st, int i)
{
	struct cr_audit_entry e;
	cr_audit_entry_init(&e);
	e.asof_days = cr_days_from_civil(2026, 6, 30);
	e.role = i % 3 ? CR_AUDIT_ROLE_LENDER : CR_AUDIT_ROLE_SUBJECT;
	snprintf(e.institution, sizeof e.institution, "%s", i % 3 ? "L0001" : "");
	snprintf(e.action, sizeof e.action, "report");
	e.has_subject = 1;
	cr_store_subject_key(st, i % 2 ? "11010519491231002X" : "110101199003074477", &e.subject);
	e.purpose = i % 3 ? CR_PURPOSE_LOAN_APPROVAL : CR_PURPOSE_SELF;
	e.outcome = i % 4 == 1 ? CR_AUDIT_REFUSED : CR_AUDIT_GRANTED;
	if (e.outcome == CR_AUDIT_REFUSED)
		snprintf(e.reason, sizeof e.reason, "no live \"query\" consent\t(test)");
	return e;
}

static int append_one(cr_store *st, int i, int commit)
{
	cr_txn *txn;
	struct cr_audit_entry e = sample(st, i);
	int rc = cr_store_begin(st, 1, &txn);
	if (rc)
		return rc;
	rc = cr_audit_append(st, txn, &e);
	if (rc || !commit) {
		cr_store_abort(txn);
		return rc;
	}
	return cr_store_commit(txn);
}

static int make_store(struct fixture *f, int entries)
{
	snprintf(f->dir, sizeof f->dir, "/tmp/creditref-audit-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof f->db, "%s/db", f->dir);
	snprintf(f->log, sizeof f->log, "%s/audit.log", f->db);
	char key[96];
	const char *reason;
	snprintf(key, sizeof key, "%s/db.key", f->dir);
	if (cr_store_create(f->db, key, &reason) || cr_store_open(f->db, key, 0, &f->st, &reason))
		return -1;
	for (int i = 1; i <= entries; i++)
		if (append_one(f->st, i, 1))
			return -1;
	return 0;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	*state = f;
	return f && make_store(f, N) == 0 ? 0 : -1;
}

static void drop_store(struct fixture *f)
{
	cr_store_close(f->st);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
}

static int teardown(void **state)
{
	drop_store(*state);
	free(*state);
	return 0;
}

/* The trail as lines, newlines included. */
struct lines {
	char l[LINES_MAX][CR_AUDIT_LINE_MAX + 2];
	int n;
};

static void read_lines(const char *path, struct lines *ls)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	ls->n = 0;
	while (ls->n < LINES_MAX && fgets(ls->l[ls->n], sizeof ls->l[0], fp))
		ls->n++;
	fclose(fp);
}

static void write_lines(const char *path, const struct lines *ls)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	for (int i = 0; i < ls->n; i++)
		fputs(ls->l[i], fp);
	fclose(fp);
}

static void remove_line(struct lines *ls, int k)
{
	memmove(ls->l[k - 1], ls->l[k], (size_t)(ls->n - k) * sizeof ls->l[0]);
	ls->n--;
}

static void insert_line(struct lines *ls, int k, const char *line)
{
	memmove(ls->l[k], ls->l[k - 1], (size_t)(ls->n - k + 1) * sizeof ls->l[0]);
	snprintf(ls->l[k - 1], sizeof ls->l[0], "%s", line);
	ls->n++;
}

/* Verifies and expects a fault at entry k (0: no particular entry). */
static void expect_fault(cr_store *st, uint8_t fault, uint64_t k)
{
	struct cr_audit_verdict v;
	assert_int_equal(cr_audit_verify(st, &v), CR_ECORRUPT);
	if (fault)
		assert_int_equal(v.fault, fault);
	if (k)
		assert_int_equal(v.bad_seq, k);
	assert_true(v.msg[0] != '\0');
}

static void intact_trail_verifies(void **state)
{
	struct fixture *f = *state;
	struct cr_audit_verdict v;
	assert_int_equal(cr_audit_verify(f->st, &v), 0);
	assert_int_equal(v.entries, N);
	assert_int_equal(v.head_seq, N);
	assert_int_equal(v.ahead, 0);
	assert_int_equal(v.fault, CR_AUDIT_INTACT);
	struct lines ls;
	read_lines(f->log, &ls);
	assert_int_equal(ls.n, N);
	assert_non_null(strstr(ls.l[0], "\"prev\":\"0000000000000000"));
	assert_null(strstr(ls.l[0], "11010519491231002X"));
}

/* Every single-byte change of entry k, two ways, is caught and named k. */
static void any_altered_byte_names_its_entry(void **state)
{
	struct fixture *f = *state;
	struct lines ls;
	read_lines(f->log, &ls);
	const int k = 4;
	char orig[sizeof ls.l[0]];
	memcpy(orig, ls.l[k - 1], sizeof orig);
	const size_t len = strlen(orig);
	for (size_t j = 0; j < len; j++) {
		for (int flip = 1; flip <= 0x20; flip <<= 5) {
			memcpy(ls.l[k - 1], orig, sizeof orig);
			ls.l[k - 1][j] = (char)(ls.l[k - 1][j] ^ flip);
			write_lines(f->log, &ls);
			struct cr_audit_verdict v;
			assert_int_equal(cr_audit_verify(f->st, &v), CR_ECORRUPT);
			if (v.bad_seq != (uint64_t)k)
				fail_msg("byte %zu ^ %#x: %s", j, flip, v.msg);
		}
	}
	memcpy(ls.l[k - 1], orig, sizeof orig);
	write_lines(f->log, &ls);
	struct cr_audit_verdict v;
	assert_int_equal(cr_audit_verify(f->st, &v), 0);
}

static void removed_entry_is_named(void **state)
{
	struct fixture *f = *state;
	struct lines ls;
	read_lines(f->log, &ls);
	remove_line(&ls, 6);
	write_lines(f->log, &ls);
	struct cr_audit_verdict v;
	assert_int_equal(cr_audit_verify(f->st, &v), CR_ECORRUPT);
	assert_int_equal(v.fault, CR_AUDIT_ORDER);
	assert_int_equal(v.bad_seq, 6);
	assert_int_equal(v.found_seq, 7);
	assert_string_equal(v.msg, "entry 6 is missing or out of order (expected seq 6, found 7)");
}

static void swapped_entries_are_named(void **state)
{
	struct fixture *f = *state;
	struct lines ls;
	char tmp[sizeof ls.l[0]];
	read_lines(f->log, &ls);
	memcpy(tmp, ls.l[2], sizeof tmp);
	memcpy(ls.l[2], ls.l[3], sizeof tmp);
	memcpy(ls.l[3], tmp, sizeof tmp);
	write_lines(f->log, &ls);
	expect_fault(f->st, CR_AUDIT_ORDER, 3);
}

/* A forged entry made by another bureau (another key) with a sound hash. */
static void inserted_entries_are_named(void **state)
{
	struct fixture *f = *state, other;
	struct lines ls, theirs;
	assert_int_equal(make_store(&other, 5), 0);
	read_lines(other.log, &theirs);
	drop_store(&other);
	read_lines(f->log, &ls);
	insert_line(&ls, 5, theirs.l[4]);
	write_lines(f->log, &ls);
	expect_fault(f->st, CR_AUDIT_FORGED, 5);
	/* A replayed copy of a genuine entry is out of order. */
	read_lines(f->log, &ls);
	remove_line(&ls, 5);
	insert_line(&ls, 5, ls.l[3]);
	write_lines(f->log, &ls);
	expect_fault(f->st, CR_AUDIT_ORDER, 5);
}

static void truncated_tail_is_detected(void **state)
{
	struct fixture *f = *state;
	struct lines ls;
	struct cr_audit_verdict v;
	read_lines(f->log, &ls);
	ls.n -= 1;
	write_lines(f->log, &ls);
	assert_int_equal(cr_audit_verify(f->st, &v), CR_ECORRUPT);
	assert_int_equal(v.fault, CR_AUDIT_TRUNCATED);
	assert_int_equal(v.entries, N - 1);
	assert_string_equal(v.msg, "the trail ends at entry 9 but the head says 10: the tail was truncated");
	/* Nothing is appended on top of a truncated trail: it would hide it. */
	assert_int_equal(append_one(f->st, 1, 1), CR_ECORRUPT);
	ls.n -= 2;
	write_lines(f->log, &ls);
	assert_int_equal(cr_audit_verify(f->st, &v), CR_ECORRUPT);
	assert_int_equal(v.fault, CR_AUDIT_TRUNCATED);
	assert_int_equal(v.entries, N - 3);
	assert_int_equal(v.bad_seq, N - 2);
	unlink(f->log);
	expect_fault(f->st, CR_AUDIT_TRUNCATED, 1);
}

/* Recomputes the chain from entry k on after an edit, as anyone can
 * without the key; the MACs stay as they were. */
static void rechain(struct lines *ls, int k)
{
	uint8_t prev[32], hash[32];
	char hex[65];
	const char *p = strstr(ls->l[k - 1], "\"prev\":\"") + 8;
	assert_int_equal(sodium_hex2bin(prev, 32, p, 64, NULL, NULL, NULL), 0);
	for (int i = k - 1; i < ls->n; i++) {
		char *line = ls->l[i];
		const size_t pre = strlen(line) - 1 - SUFFIX;
		sodium_bin2hex(hex, sizeof hex, prev, 32);
		memcpy(strstr(line, "\"prev\":\"") + 8, hex, 64);
		crypto_generichash_state s;
		crypto_generichash_init(&s, NULL, 0, 32);
		crypto_generichash_update(&s, prev, 32);
		crypto_generichash_update(&s, (const uint8_t *)line, pre);
		crypto_generichash_final(&s, hash, 32);
		sodium_bin2hex(hex, sizeof hex, hash, 32);
		memcpy(line + pre + 9, hex, 64);
		memcpy(prev, hash, 32);
	}
}

static void rechained_without_the_key_is_named(void **state)
{
	struct fixture *f = *state;
	struct lines ls;
	read_lines(f->log, &ls);
	char *purpose = strstr(ls.l[6], "loan_approval");
	assert_non_null(purpose);
	memcpy(purpose, "card_approval", 13);
	rechain(&ls, 7);
	write_lines(f->log, &ls);
	expect_fault(f->st, CR_AUDIT_FORGED, 7);
	/* Moving the head to the new chain without the key changes nothing. */
	struct cr_audit_head h;
	cr_txn *txn;
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_audit_head_get(txn, &h), 0);
	const char *last = strstr(ls.l[N - 1], ",\"hash\":\"") + 9;
	assert_int_equal(sodium_hex2bin(h.hash, 32, last, 64, NULL, NULL, NULL), 0);
	assert_int_equal(cr_store_audit_head_put(txn, &h), 0);
	assert_int_equal(cr_store_commit(txn), 0);
	expect_fault(f->st, CR_AUDIT_FORGED, 7);
}

static void altered_head_is_detected(void **state)
{
	struct fixture *f = *state;
	struct cr_audit_head h;
	cr_txn *txn;
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_audit_head_get(txn, &h), 0);
	h.seq = N - 2;
	assert_int_equal(cr_store_audit_head_put(txn, &h), 0);
	assert_int_equal(cr_store_commit(txn), 0);
	expect_fault(f->st, CR_AUDIT_HEAD, 0);
	assert_int_equal(append_one(f->st, 1, 1), CR_ECORRUPT);
}

/* A crash after the line's fdatasync but before the commit leaves the file
 * one entry ahead: accepted, and the next append chains after it. */
static void crash_before_commit_leaves_one_authentic_entry_ahead(void **state)
{
	struct fixture *f = *state;
	struct cr_audit_verdict v;
	assert_int_equal(append_one(f->st, 1, 0), 0);
	assert_int_equal(cr_audit_verify(f->st, &v), 0);
	assert_int_equal(v.entries, N + 1);
	assert_int_equal(v.head_seq, N);
	assert_int_equal(v.ahead, 1);
	assert_int_equal(append_one(f->st, 2, 1), 0);
	assert_int_equal(cr_audit_verify(f->st, &v), 0);
	assert_int_equal(v.entries, N + 2);
	assert_int_equal(v.ahead, 0);
}

/* A crash in the middle of write() leaves a fragment without a newline:
 * verify reports it, the next append cuts it off. */
static void torn_fragment_is_cut_by_the_next_append(void **state)
{
	struct fixture *f = *state;
	struct cr_audit_verdict v;
	FILE *fp = fopen(f->log, "ab");
	assert_non_null(fp);
	fputs("{\"seq\":11,\"time\":\"2026-", fp);
	fclose(fp);
	assert_int_equal(cr_audit_verify(f->st, &v), 0);
	assert_int_equal(v.torn_tail, 1);
	assert_int_equal(append_one(f->st, 3, 1), 0);
	assert_int_equal(cr_audit_verify(f->st, &v), 0);
	assert_int_equal(v.torn_tail, 0);
	assert_int_equal(v.entries, N + 1);
}

static int count_entry(const struct cr_audit_entry *e, void *arg)
{
	int *n = arg;
	assert_int_equal(e->seq % 2, 1);
	assert_string_equal(e->action, "report");
	(*n)++;
	return 0;
}

static void listing_shows_one_subject_and_bad_entries_are_refused(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	int n = 0;
	cr_store_subject_key(f->st, "11010519491231002X", &k);
	assert_int_equal(cr_audit_list_subject(f->st, &k, count_entry, &n), 0);
	assert_int_equal(n, N / 2);

	cr_txn *txn;
	struct cr_audit_entry e = sample(f->st, 1);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	snprintf(e.action, sizeof e.action, "Report");
	assert_int_equal(cr_audit_append(f->st, txn, &e), CR_EINVAL);
	e = sample(f->st, 1);
	snprintf(e.action, sizeof e.action, "report_all"); /* well-formed, not an act */
	assert_int_equal(cr_audit_append(f->st, txn, &e), CR_EINVAL);
	e = sample(f->st, 1);
	e.role = 0;
	assert_int_equal(cr_audit_append(f->st, txn, &e), CR_EINVAL);
	e = sample(f->st, 1);
	memcpy(e.reason, "\xff\xfe", 3);
	assert_int_equal(cr_audit_append(f->st, txn, &e), CR_EINVAL);
	e = sample(f->st, 1);
	snprintf(e.institution, sizeof e.institution, "L\"1");
	assert_int_equal(cr_audit_append(f->st, txn, &e), CR_EINVAL);
	cr_store_abort(txn);
	struct cr_audit_verdict v;
	assert_int_equal(cr_audit_verify(f->st, &v), 0);
	assert_int_equal(v.entries, N);
}

/* The actor's institution is an institution code as the format defines it
 * (cr_inst_code_valid): "_" and "-" included, nothing else. */
static void institution_codes_are_the_formats(void **state)
{
	struct fixture *f = *state;
	static const char *const good[] = {"B_01", "L-02", "a-Z_9", "ABCDEFGHIJKLMNO"};
	static const char *const bad[] = {"L 02", "L.02", "\xe9\x93\xb6", "L\"1"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct cr_audit_entry e = sample(f->st, 1);
		snprintf(e.institution, sizeof e.institution, "%s", good[i]);
		assert_int_equal(cr_audit_record(f->st, &e), 0);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct cr_audit_entry e = sample(f->st, 1);
		snprintf(e.institution, sizeof e.institution, "%s", bad[i]);
		assert_int_equal(cr_audit_record(f->st, &e), CR_EINVAL);
	}
	struct cr_audit_verdict v;
	assert_int_equal(cr_audit_verify(f->st, &v), 0);
	assert_int_equal(v.entries, N + 4);
}

/* A batch appends entries that chain after the trail like single appends,
 * with one head at the end; a batch that never commits leaves its entries
 * authentic and ahead of the head, and the next batch chains after them. */
static void batch_chains_like_single_appends(void **state)
{
	struct fixture *f = *state;
	for (int round = 0; round < 2; round++) {
		cr_txn *txn;
		struct cr_audit_batch *b;
		assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
		assert_int_equal(cr_audit_batch_begin(f->st, txn, &b), 0);
		for (int i = 0; i < 5; i++) {
			struct cr_audit_entry e = sample(f->st, 100 + i);
			assert_int_equal(cr_audit_batch_add(b, &e), 0);
			assert_int_equal(e.seq, (uint64_t)(N + 1 + round * 5 + i));
		}
		assert_int_equal(cr_audit_batch_end(b), 0);
		if (round == 0)
			cr_store_abort(txn); /* a crash between the sync and the commit */
		else
			assert_int_equal(cr_store_commit(txn), 0);
	}
	struct cr_audit_verdict v;
	assert_int_equal(cr_audit_verify(f->st, &v), 0);
	assert_int_equal(v.entries, N + 10);
	assert_int_equal(v.head_seq, N + 10);
	assert_int_equal(v.ahead, 0);
	assert_int_equal(append_one(f->st, 1, 1), 0);
	assert_int_equal(cr_audit_verify(f->st, &v), 0);
	assert_int_equal(v.entries, N + 11);
}

/* Commits a batch of k entries in the server's way: lines in the file
 * unsynced, and in the store with the head. */
static void commit_batch(struct fixture *f, int k)
{
	cr_txn *txn;
	struct cr_audit_batch *b;
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_audit_batch_begin(f->st, txn, &b), 0);
	for (int i = 0; i < k; i++) {
		struct cr_audit_entry e = sample(f->st, 200 + i);
		assert_int_equal(cr_audit_batch_add(b, &e), 0);
	}
	assert_int_equal(cr_audit_batch_end(b), 0);
	assert_int_equal(cr_store_commit(txn), 0);
}

/* A crash loses what the file had not synced of a committed batch: verify
 * reads those entries from the store, and the next writer copies them
 * back before it appends.  Once the file is synced and the store's copies
 * dropped (a checkpoint), a cut file is a truncated trail again. */
static void lost_batch_lines_come_back_from_the_store(void **state)
{
	struct fixture *f = *state;
	struct lines before;
	read_lines(f->log, &before);
	commit_batch(f, 4);
	write_lines(f->log, &before); /* the file as it was before the batch */
	struct cr_audit_verdict v;
	assert_int_equal(cr_audit_verify(f->st, &v), 0);
	assert_int_equal(v.entries, N + 4);
	assert_int_equal(v.pending, 4);
	commit_batch(f, 2); /* copies the 4 back, then appends */
	struct lines after;
	read_lines(f->log, &after);
	assert_int_equal(after.n, N + 6);
	assert_int_equal(cr_audit_verify(f->st, &v), 0);
	assert_int_equal(v.entries, N + 6);
	assert_int_equal(v.pending, 0);
	cr_txn *txn;
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_audit_checkpoint(f->st, txn), 0);
	assert_int_equal(cr_store_commit(txn), 0);
	remove_line(&after, after.n);
	write_lines(f->log, &after);
	expect_fault(f->st, CR_AUDIT_TRUNCATED, N + 6);
	assert_int_equal(append_one(f->st, 1, 1), CR_ECORRUPT);
}

/* A batch of k entries on a kept trail, committed or (a commit that
 * failed after the lines were written) aborted. */
static void trail_batch(struct fixture *f, struct cr_audit_trail *tr, int k, int commit)
{
	cr_txn *txn;
	struct cr_audit_batch *b;
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_audit_trail_batch(tr, txn, &b), 0);
	for (int i = 0; i < k; i++) {
		struct cr_audit_entry e = sample(f->st, 300 + i);
		assert_int_equal(cr_audit_batch_add(b, &e), 0);
	}
	assert_int_equal(cr_audit_batch_end(b), 0);
	if (commit)
		assert_int_equal(cr_store_commit(txn), 0);
	else
		cr_store_abort(txn);
}

static void expect_entries(struct fixture *f, uint64_t n)
{
	struct cr_audit_verdict v;
	assert_int_equal(cr_audit_verify(f->st, &v), 0);
	assert_int_equal(v.entries, n);
	assert_int_equal(v.ahead, 0);
}

/* A trail kept open across batches (the committer's) starts each batch
 * where the last one left the file, and checks the file again whenever
 * that no longer holds: after a commit that failed, a single append by
 * another path, lines lost in a crash, or a file moved away and put back
 * as a copy.  The trail verifies after each. */
static void a_kept_trail_starts_where_it_left_and_checks_when_it_must(void **state)
{
	struct fixture *f = *state;
	struct cr_audit_trail *tr;
	assert_int_equal(cr_audit_trail_open(f->st, &tr), 0);
	trail_batch(f, tr, 3, 1);
	trail_batch(f, tr, 2, 1);
	expect_entries(f, N + 5);
	trail_batch(f, tr, 2, 0); /* lines written, commit failed: ahead of the head */
	trail_batch(f, tr, 1, 1); /* chains after them */
	expect_entries(f, N + 8);
	assert_int_equal(append_one(f->st, 7, 1), 0); /* another writer's append */
	trail_batch(f, tr, 2, 1);
	expect_entries(f, N + 11);
	struct lines before;
	read_lines(f->log, &before);
	trail_batch(f, tr, 4, 1);
	write_lines(f->log, &before); /* a crash lost the batch's unsynced lines */
	trail_batch(f, tr, 1, 1);     /* copied back from the store, then appended */
	struct lines now;
	read_lines(f->log, &now);
	assert_int_equal(now.n, N + 16);
	expect_entries(f, N + 16);
	/* The file moved away and a copy put in its place: the batch goes to
	 * the file at the path, not to the one the trail had open. */
	char moved[160];
	snprintf(moved, sizeof moved, "%s.moved", f->log);
	assert_int_equal(rename(f->log, moved), 0);
	write_lines(f->log, &now);
	trail_batch(f, tr, 2, 1);
	read_lines(f->log, &now);
	assert_int_equal(now.n, N + 18);
	read_lines(moved, &before);
	assert_int_equal(before.n, N + 16);
	expect_entries(f, N + 18);
	cr_audit_trail_close(tr);
	assert_int_equal(append_one(f->st, 8, 1), 0);
	expect_entries(f, N + 19);
}

/* A line the store holds is checked like the file's own: one altered
 * there is named, and nothing is copied from it. */
static void an_altered_store_copy_is_refused(void **state)
{
	struct fixture *f = *state;
	struct lines before;
	read_lines(f->log, &before);
	commit_batch(f, 1);
	write_lines(f->log, &before);
	cr_txn *txn;
	char line[CR_AUDIT_LINE_MAX + 2];
	size_t n;
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_audit_pending_get(txn, N + 1, line, sizeof line, &n), 0);
	line[20] ^= 1;
	assert_int_equal(cr_store_audit_pending_put(txn, N + 1, line, n), 0);
	assert_int_equal(cr_store_commit(txn), 0);
	expect_fault(f->st, CR_AUDIT_ALTERED, N + 1);
	assert_int_equal(append_one(f->st, 1, 1), CR_ECORRUPT);
}

/* Without a head, a batch could leave several entries that verify would
 * read as a removed head: it is refused, and a single append starts the
 * trail. */
static void batch_needs_a_started_trail(void **state)
{
	(void)state;
	struct fixture f;
	memset(&f, 0, sizeof f);
	assert_int_equal(make_store(&f, 0), 0);
	cr_txn *txn;
	struct cr_audit_batch *b;
	assert_int_equal(cr_store_begin(f.st, 1, &txn), 0);
	assert_int_equal(cr_audit_batch_begin(f.st, txn, &b), CR_EINVAL);
	cr_store_abort(txn);
	assert_int_equal(append_one(f.st, 1, 1), 0);
	assert_int_equal(cr_store_begin(f.st, 1, &txn), 0);
	assert_int_equal(cr_audit_batch_begin(f.st, txn, &b), 0);
	struct cr_audit_entry e = sample(f.st, 2);
	e.role = 99;
	assert_int_equal(cr_audit_batch_add(b, &e), CR_EINVAL);
	cr_audit_batch_abort(b);
	assert_int_equal(cr_store_commit(txn), 0);
	struct cr_audit_verdict v;
	assert_int_equal(cr_audit_verify(f.st, &v), 0);
	assert_int_equal(v.entries, 1);
	drop_store(&f);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(intact_trail_verifies, setup, teardown),
		cmocka_unit_test_setup_teardown(institution_codes_are_the_formats, setup, teardown),
		cmocka_unit_test_setup_teardown(batch_chains_like_single_appends, setup, teardown),
		cmocka_unit_test_setup_teardown(a_kept_trail_starts_where_it_left_and_checks_when_it_must,
						setup, teardown),
		cmocka_unit_test(batch_needs_a_started_trail),
		cmocka_unit_test_setup_teardown(lost_batch_lines_come_back_from_the_store, setup,
						teardown),
		cmocka_unit_test_setup_teardown(an_altered_store_copy_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(any_altered_byte_names_its_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(removed_entry_is_named, setup, teardown),
		cmocka_unit_test_setup_teardown(swapped_entries_are_named, setup, teardown),
		cmocka_unit_test_setup_teardown(inserted_entries_are_named, setup, teardown),
		cmocka_unit_test_setup_teardown(truncated_tail_is_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(rechained_without_the_key_is_named, setup, teardown),
		cmocka_unit_test_setup_teardown(altered_head_is_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(crash_before_commit_leaves_one_authentic_entry_ahead,
						setup, teardown),
		cmocka_unit_test_setup_teardown(torn_fragment_is_cut_by_the_next_append, setup, teardown),
		cmocka_unit_test_setup_teardown(listing_shows_one_subject_and_bad_entries_are_refused,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
