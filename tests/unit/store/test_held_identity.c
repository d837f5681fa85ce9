/*
 * test_held_identity.c - held identities (store.h, "Held identities") keep
 * one sealed copy per distinct identity of a person (pid 'J'), named by
 * the institutions' records (pid 'I'): institutions that held the same
 * identity share it, and a copy goes with the last record that names it.
 * A layout 9 record, with the identity sealed into it, still reads, and
 * is rewritten in the shared form by the next put.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cr_date.h"
#include "cr_err.h"
#include "store.h"
#include "store_codec.h"
#include "store_int.h"

#include "../store_fixture.h"

static const char ID[] = "11010519491231002X";

static struct cr_subject ident(const char *name)
{
	struct cr_subject s;
	memset(&s, 0, sizeof s);
	memcpy(s.id, ID, CR_ID_LEN);
	s.birth_days = cr_days_from_civil(1949, 12, 31);
	snprintf(s.name, sizeof s.name, "%s", name);
	snprintf(s.phone, sizeof s.phone, "13900000000");
	snprintf(s.address, sizeof s.address, "1 Example Road");
	return s;
}

static int count_step(struct kv_step *s, void *arg)
{
	(void)s;
	++*(size_t *)arg;
	return 0;
}

/* The person's records of one tag. */
static size_t records(cr_txn *txn, const struct cr_subject_key *k, uint8_t tag)
{
	size_t n = 0;
	assert_int_equal(person_walk(txn, k, tag, NULL, 0, count_step, &n), 0);
	return n;
}

static size_t copies(cr_txn *txn, const struct cr_subject_key *k)
{
	return records(txn, k, PK_IDENTITY_COPY);
}

/* inst's held name, or "" when it holds none. */
static const char *held_name(cr_txn *txn, const struct cr_subject_key *k, const char *inst)
{
	static struct cr_subject s;
	uint64_t seq;
	int rc = cr_store_subject_held_get(txn, k, inst, &s, &seq);
	if (rc == CR_ENOTFOUND)
		return "";
	assert_int_equal(rc, 0);
	assert_true(seq > 0);
	return s.name;
}

static void institutions_share_a_copy(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	cr_txn *txn;
	const struct cr_subject a = ident("Zhang San"), b = ident("Zhang S.");
	cr_store_subject_key(f->st, ID, &k);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_subject_held_put(txn, &k, "B0001", &a), 1);
	assert_int_equal(cr_store_subject_held_put(txn, &k, "B0002", &a), 1);
	assert_int_equal(cr_store_subject_held_put(txn, &k, "B0003", &a), 1);
	assert_int_equal(copies(txn, &k), 1);
	assert_int_equal(cr_store_subject_held_put(txn, &k, "B0002", &a), 0);
	assert_int_equal(cr_store_subject_held_put(txn, &k, "B0004", &b), 1);
	assert_int_equal(copies(txn, &k), 2);
	assert_int_equal(cr_store_commit(txn), 0);

	/* Committed and read back, each institution its own. */
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_string_equal(held_name(txn, &k, "B0001"), "Zhang San");
	assert_string_equal(held_name(txn, &k, "B0003"), "Zhang San");
	assert_string_equal(held_name(txn, &k, "B0004"), "Zhang S.");
	assert_string_equal(held_name(txn, &k, "B0005"), "");

	/* A copy stays while an institution names it. */
	assert_int_equal(cr_store_subject_held_forget(txn, &k, "B0001"), 1);
	assert_int_equal(cr_store_subject_held_forget(txn, &k, "B0001"), 0);
	assert_int_equal(cr_store_subject_held_forget(txn, &k, "B0002"), 1);
	assert_int_equal(copies(txn, &k), 2);
	assert_string_equal(held_name(txn, &k, "B0003"), "Zhang San");
	/* B0003 moves to the other identity: its old copy goes. */
	assert_int_equal(cr_store_subject_held_put(txn, &k, "B0003", &b), 1);
	assert_int_equal(copies(txn, &k), 1);
	assert_string_equal(held_name(txn, &k, "B0003"), "Zhang S.");
	assert_int_equal(cr_store_subject_held_drop(txn, &k, UINT64_MAX), 0);
	assert_int_equal(records(txn, &k, PK_HELD_IDENTITY), 0);
	assert_int_equal(copies(txn, &k), 0);
	assert_int_equal(cr_store_commit(txn), 0);
}

/* A drop up to a place keeps the copies the later records name. */
static void a_drop_keeps_what_later_records_name(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	cr_txn *txn;
	uint64_t seq;
	struct cr_subject out;
	const struct cr_subject a = ident("Li Si"), b = ident("Li S.");
	cr_store_subject_key(f->st, ID, &k);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_subject_held_put(txn, &k, "B0001", &a), 1);
	assert_int_equal(cr_store_subject_held_put(txn, &k, "B0002", &b), 1);
	assert_int_equal(cr_store_subject_held_get(txn, &k, "B0002", &out, &seq), 0);
	assert_int_equal(cr_store_subject_held_put(txn, &k, "B0003", &a), 1);
	assert_int_equal(cr_store_subject_held_drop(txn, &k, seq), 0);
	assert_string_equal(held_name(txn, &k, "B0001"), "");
	assert_string_equal(held_name(txn, &k, "B0002"), "");
	assert_string_equal(held_name(txn, &k, "B0003"), "Li Si");
	assert_int_equal(copies(txn, &k), 1);
	assert_int_equal(cr_store_commit(txn), 0);
}

/* A layout 9 record: the seq, then the identity sealed to the subject key
 * and the institution. */
static void put_layout9(cr_txn *txn, const struct cr_subject_key *k, uint64_t pid,
			const char *inst, const struct cr_subject *s)
{
	uint8_t kb[CR_KEY_HELD_IDENTITY_MAX], plain[CR_SUBJECT_ENC_MAX];
	uint8_t ad[CR_SUBJECT_KEY_LEN + CR_INST_CODE_MAX];
	uint8_t vb[CR_HELD_IDENTITY_FIXED + CR_SUBJECT_ENC_MAX + CR_STORE_SEAL_OVERHEAD];
	const size_t pn = cr_subject_encode(s, plain);
	memcpy(ad, k->b, CR_SUBJECT_KEY_LEN);
	memcpy(ad + CR_SUBJECT_KEY_LEN, inst, strlen(inst));
	cr_put_u64be(vb, 7);
	const size_t vn = CR_HELD_IDENTITY_FIXED +
			  cr_store__seal(txn->st, ad, CR_SUBJECT_KEY_LEN + strlen(inst), plain, pn,
					 vb + CR_HELD_IDENTITY_FIXED);
	assert_int_equal(kv_put(txn, CF_PERSON, kb, cr_key_held_identity(pid, inst, kb), vb, vn), 0);
}

static void a_layout9_record_reads_and_is_rewritten(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	cr_txn *txn;
	uint64_t pid, seq;
	struct cr_subject out;
	const struct cr_subject a = ident("Wang Wu");
	cr_store_subject_key(f->st, ID, &k);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(person_pid_make(txn, &k, &pid), 0);
	put_layout9(txn, &k, pid, "B0001", &a);
	put_layout9(txn, &k, pid, "B0002", &a);
	assert_int_equal(cr_store_commit(txn), 0);

	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_subject_held_get(txn, &k, "B0001", &out, &seq), 0);
	assert_string_equal(out.name, "Wang Wu");
	assert_int_equal(seq, 7);
	/* Sealed to B0001: under another institution's key it does not open. */
	uint8_t kb[CR_KEY_HELD_IDENTITY_MAX];
	struct kv_val v = {0};
	assert_int_equal(kv_get(txn, CF_PERSON, kb, cr_key_held_identity(pid, "B0001", kb), &v), 0);
	assert_int_equal(kv_put(txn, CF_PERSON, kb, cr_key_held_identity(pid, "B0003", kb), v.p, v.n), 0);
	kv_val_free(&v);
	assert_int_equal(cr_store_subject_held_get(txn, &k, "B0003", &out, &seq), CR_ECORRUPT);
	assert_int_equal(cr_store_subject_held_forget(txn, &k, "B0003"), 1);
	/* The same identity put again is written in the shared form. */
	assert_int_equal(cr_store_subject_held_put(txn, &k, "B0001", &a), 1);
	assert_int_equal(copies(txn, &k), 1);
	assert_string_equal(held_name(txn, &k, "B0001"), "Wang Wu");
	assert_string_equal(held_name(txn, &k, "B0002"), "Wang Wu");
	assert_int_equal(cr_store_subject_held_drop(txn, &k, UINT64_MAX), 0);
	assert_int_equal(copies(txn, &k), 0);
	assert_int_equal(cr_store_commit(txn), 0);
}

/* A record whose copy is missing, or whose copy was moved from another
 * digest, reads as CR_ECORRUPT. */
static void a_missing_or_moved_copy_is_corrupt(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	cr_txn *txn;
	uint64_t pid, seq;
	struct cr_subject out;
	const struct cr_subject a = ident("Zhao Liu"), b = ident("Zhao L.");
	uint8_t kb[CR_KEY_HELD_IDENTITY_MAX], ca[CR_KEY_IDENTITY_COPY_LEN],
		cb[CR_KEY_IDENTITY_COPY_LEN];
	struct kv_val va = {0}, vb = {0};
	cr_store_subject_key(f->st, ID, &k);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_subject_held_put(txn, &k, "B0001", &a), 1);
	assert_int_equal(cr_store_subject_held_put(txn, &k, "B0002", &b), 1);
	assert_int_equal(person_pid(txn, &k, &pid), 0);
	assert_int_equal(kv_get(txn, CF_PERSON, kb, cr_key_held_identity(pid, "B0001", kb), &va), 0);
	assert_int_equal(kv_get(txn, CF_PERSON, kb, cr_key_held_identity(pid, "B0002", kb), &vb), 0);
	assert_int_equal(va.n, CR_HELD_IDENTITY_FIXED + CR_IDENTITY_DIGEST_LEN);
	cr_key_identity_copy(pid, va.p + CR_HELD_IDENTITY_FIXED, ca);
	cr_key_identity_copy(pid, vb.p + CR_HELD_IDENTITY_FIXED, cb);
	kv_val_free(&va);
	kv_val_free(&vb);
	/* b's sealed copy under a's digest. */
	assert_int_equal(kv_get(txn, CF_PERSON, cb, sizeof cb, &vb), 0);
	assert_int_equal(kv_put(txn, CF_PERSON, ca, sizeof ca, vb.p, vb.n), 0);
	kv_val_free(&vb);
	assert_int_equal(cr_store_subject_held_get(txn, &k, "B0001", &out, &seq), CR_ECORRUPT);
	assert_int_equal(kv_del(txn, CF_PERSON, cb, sizeof cb), 0);
	assert_int_equal(cr_store_subject_held_get(txn, &k, "B0002", &out, &seq), CR_ECORRUPT);
	cr_store_abort(txn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(institutions_share_a_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(a_drop_keeps_what_later_records_name, setup, teardown),
		cmocka_unit_test_setup_teardown(a_layout9_record_reads_and_is_rewritten, setup, teardown),
		cmocka_unit_test_setup_teardown(a_missing_or_moved_copy_is_corrupt, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
