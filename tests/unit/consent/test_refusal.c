/*
 * test_refusal.c - a request's consent check (a read transaction) reads
 * the person's consents and nothing else of their file, so that a refusal
 * costs the same for a person with one account, with many, or with none:
 * how long it takes does not tell whether the bureau holds a file, or how
 * large; post-loan, for an institution without the person's furnish
 * consent, the same.  A report that is allowed reads the rest afterwards.  A write
 * transaction's check sees what the transaction itself changed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "consent.h"
#include "cr_date.h"
#include "cr_err.h"
#include "store_int.h"
#include "store_txn.h"

#include "../store_fixture.h"

static const char *const person = "11010519491231002X";
static const char *const nobody = "110105194912310037";

static int32_t today(void)
{
	return cr_days_from_civil(2026, 6, 30);
}

static void put_account(cr_txn *txn, const struct cr_subject_key *k, int i)
{
	struct cr_account_rec r;
	memset(&r, 0, sizeof r);
	r.subject = *k;
	snprintf(r.a.inst, sizeof r.a.inst, "B0001");
	snprintf(r.a.account, sizeof r.a.account, "ACC-%04d", i);
	r.a.product = CR_PROD_REVOLVING;
	r.a.status = CR_ACCT_OPEN;
	r.a.id_type = CR_IDTYPE_RESIDENT;
	r.a.opened_days = cr_days_from_civil(2019, 5, 1);
	memcpy(r.a.currency, "CNY", 4);
	r.a.credit_limit = 1000000;
	assert_int_equal(cr_store_account_put(txn, &r), 1);
}

/* A query consent of L0001 for loan approval, given yesterday. */
static void grant_query(cr_txn *txn, const struct cr_subject_key *k)
{
	struct cr_consent c;
	uint64_t released = 0;
	memset(&c, 0, sizeof c);
	memcpy(c.id, person, CR_ID_LEN);
	snprintf(c.inst, sizeof c.inst, "L0001");
	snprintf(c.evidence, sizeof c.evidence, "sha256:L0001");
	c.scope = CR_SCOPE_QUERY;
	c.purpose = CR_PURPOSE_LOAN_APPROVAL;
	c.granted_days = today() - 1;
	c.expires_days = CR_NO_DATE;
	c.revoked_days = CR_NO_DATE;
	assert_int_equal(cr_consent_apply(txn, k, &c, today(), &released), 1);
}

static int count_account(const struct cr_account_rec *r, void *arg)
{
	(void)r;
	++*(size_t *)arg;
	return 0;
}

static void a_refusal_reads_the_consents_alone(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k, none;
	cr_txn *txn;
	uint64_t pid;
	int live = -1;
	size_t accounts = 0;
	cr_store_subject_key(f->st, person, &k);
	cr_store_subject_key(f->st, nobody, &none);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	for (int i = 0; i < 300; i++)
		put_account(txn, &k, i);
	grant_query(txn, &k);
	assert_int_equal(cr_store_commit(txn), 0);

	/* The second round finds the pid in the store's id cache, which a
	 * reader checks against its snapshot. */
	for (int round = 0; round < 2; round++) {
		assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
		assert_int_equal(person_pid(txn, &k, &pid), 0);
		/* Another lender, refused: nothing of the file is read. */
		assert_int_equal(cr_consent_check(txn, &k, "L0002", CR_SCOPE_QUERY,
						  CR_PURPOSE_LOAN_APPROVAL, today(), &live), 0);
		assert_int_equal(live, 0);
		assert_int_equal(txc_person_records(txn->cache, pid), 0);
		/* The lender with consent: still the consents alone. */
		assert_int_equal(cr_consent_check(txn, &k, "L0001", CR_SCOPE_QUERY,
						  CR_PURPOSE_LOAN_APPROVAL, today(), &live), 0);
		assert_int_equal(live, 1);
		assert_int_equal(txc_person_records(txn->cache, pid), 0);
		/* Post-loan for an institution the person gave no furnish
		 * consent: it cannot hold an account others see, so no account
		 * is read to find one. */
		const char *reason = NULL;
		assert_int_equal(cr_consent_may_query(txn, &k, "L0002", CR_PURPOSE_POST_LOAN, today(),
						      &reason),
				 CR_EDENIED);
		assert_non_null(reason);
		assert_int_equal(txc_person_records(txn->cache, pid), 0);
		/* A person the bureau has no file on: refused the same way. */
		assert_int_equal(cr_consent_check(txn, &none, "L0001", CR_SCOPE_QUERY,
						  CR_PURPOSE_LOAN_APPROVAL, today(), &live), 0);
		assert_int_equal(live, 0);
		/* The report that follows reads the file. */
		accounts = 0;
		assert_int_equal(cr_store_subject_accounts(txn, &k, count_account, &accounts), 0);
		assert_int_equal(accounts, 300);
		assert_true(txc_person_records(txn->cache, pid) > 300);
		cr_store_abort(txn);
	}
}

/* In a write transaction that already changed the person, the check sees
 * the change: a consent granted earlier in the same transaction counts. */
static void a_check_sees_its_own_transaction(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	cr_txn *txn;
	int live = -1;
	cr_store_subject_key(f->st, person, &k);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	put_account(txn, &k, 1);
	assert_int_equal(cr_store_commit(txn), 0);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_consent_check(txn, &k, "L0001", CR_SCOPE_QUERY,
					  CR_PURPOSE_LOAN_APPROVAL, today(), &live), 0);
	assert_int_equal(live, 0);
	grant_query(txn, &k);
	assert_int_equal(cr_consent_check(txn, &k, "L0001", CR_SCOPE_QUERY,
					  CR_PURPOSE_LOAN_APPROVAL, today(), &live), 0);
	assert_int_equal(live, 1);
	cr_store_abort(txn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_refusal_reads_the_consents_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(a_check_sees_its_own_transaction, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
