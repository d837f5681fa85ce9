/*
 * Unit tests for the consent decisions read from a store
 * (src/consent/consent.c) when a person has more facts than
 * CR_CONSENT_FACTS_MAX: the newest facts decide, so a revocation stored
 * after hundreds of grants refuses.
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
#include "cr_limits.h"

#include "../store_fixture.h"

/* More grants than the limit, so that the oldest ones cannot all be read. */
#define GRANTS 300
_Static_assert(GRANTS > CR_CONSENT_FACTS_MAX, "the test needs more facts than the limit");

static const char *const person = "11010519491231002X";

/* A grant by inst on day, or a revocation of its grants on day. */
static struct cr_consent fact(const char *inst, uint8_t scope, uint8_t purpose,
			      int32_t day, int revoke, int serial)
{
	struct cr_consent c;
	memset(&c, 0, sizeof c);
	memcpy(c.id, person, CR_ID_LEN);
	snprintf(c.inst, sizeof c.inst, "%s", inst);
	c.scope = scope;
	c.purpose = purpose;
	c.granted_days = day;
	c.expires_days = CR_NO_DATE;
	c.revoked_days = revoke ? day : CR_NO_DATE;
	snprintf(c.evidence, sizeof c.evidence, "sha256:%04d", serial);
	return c;
}

/* Stores GRANTS grants by inst, one a day from day0, then a revocation on
 * day0 + GRANTS: the revocation is the person's newest fact. */
static void store_grants_then_revocation(cr_store *st, const char *inst,
					 uint8_t scope, uint8_t purpose, int32_t day0)
{
	struct cr_subject_key k;
	cr_txn *txn;
	uint64_t released = 0;
	cr_store_subject_key(st, person, &k);
	assert_int_equal(cr_store_begin(st, 1, &txn), 0);
	for (int i = 0; i < GRANTS; i++) {
		const struct cr_consent c = fact(inst, scope, purpose, day0 + i, 0, i);
		assert_int_equal(cr_consent_apply(txn, &k, &c, day0 + GRANTS, &released), 1);
	}
	const struct cr_consent r = fact(inst, scope, purpose, day0 + GRANTS, 1, GRANTS);
	assert_int_equal(cr_consent_apply(txn, &k, &r, day0 + GRANTS, &released), 1);
	assert_int_equal(cr_store_commit(txn), 0);
}

static void query_revoked_after_the_limit_is_refused(void **state)
{
	struct fixture *f = *state;
	const int32_t day0 = cr_days_from_civil(2021, 1, 1), revoked = day0 + GRANTS;
	store_grants_then_revocation(f->st, "L0001", CR_SCOPE_QUERY,
				     CR_PURPOSE_LOAN_APPROVAL, day0);
	struct cr_subject_key k;
	cr_txn *txn;
	const char *reason;
	cr_store_subject_key(f->st, person, &k);
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_consent_may_query(txn, &k, "L0001", CR_PURPOSE_LOAN_APPROVAL,
					      revoked, &reason), CR_EDENIED);
	assert_non_null(reason);
	assert_int_equal(cr_consent_may_query(txn, &k, "L0001", CR_PURPOSE_LOAN_APPROVAL,
					      revoked + 365, &reason), CR_EDENIED);
	/* The day before, the newest grants kept are live. */
	assert_int_equal(cr_consent_may_query(txn, &k, "L0001", CR_PURPOSE_LOAN_APPROVAL,
					      revoked - 1, &reason), 0);
	cr_store_abort(txn);
}

static void furnish_revoked_after_the_limit_is_not_live(void **state)
{
	struct fixture *f = *state;
	const int32_t day0 = cr_days_from_civil(2021, 1, 1), revoked = day0 + GRANTS;
	store_grants_then_revocation(f->st, "B0001", CR_SCOPE_FURNISH, CR_PURPOSE_NONE, day0);
	struct cr_subject_key k;
	cr_txn *txn;
	int live = -1;
	cr_store_subject_key(f->st, person, &k);
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_consent_check(txn, &k, "B0001", CR_SCOPE_FURNISH,
					  CR_PURPOSE_NONE, revoked, &live), 0);
	assert_int_equal(live, 0);
	assert_int_equal(cr_consent_check(txn, &k, "B0001", CR_SCOPE_FURNISH,
					  CR_PURPOSE_NONE, revoked - 1, &live), 0);
	assert_int_equal(live, 1);
	cr_store_abort(txn);
}

static void load_keeps_the_newest_facts_oldest_first(void **state)
{
	struct fixture *f = *state;
	static struct cr_consent_facts facts;
	const int32_t day0 = cr_days_from_civil(2021, 1, 1);
	store_grants_then_revocation(f->st, "L0001", CR_SCOPE_QUERY,
				     CR_PURPOSE_LOAN_APPROVAL, day0);
	struct cr_subject_key k;
	cr_txn *txn;
	cr_store_subject_key(f->st, person, &k);
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_consent_facts_load(txn, &k, &facts), 0);
	cr_store_abort(txn);
	assert_int_equal(facts.total, GRANTS + 1);
	assert_int_equal(facts.n, CR_CONSENT_FACTS_MAX);
	/* The oldest GRANTS + 1 - CR_CONSENT_FACTS_MAX grants are left out. */
	const int32_t first = day0 + GRANTS + 1 - CR_CONSENT_FACTS_MAX;
	for (size_t i = 0; i + 1 < facts.n; i++) {
		assert_int_equal(facts.f[i].granted_days, first + (int32_t)i);
		assert_int_equal(facts.f[i].revoked_days, CR_NO_DATE);
	}
	assert_int_equal(facts.f[facts.n - 1].revoked_days, day0 + GRANTS);
	assert_string_equal(facts.f[facts.n - 1].evidence, "sha256:0300");
}

static void load_reads_every_fact_under_the_limit(void **state)
{
	struct fixture *f = *state;
	static struct cr_consent_facts facts;
	struct cr_subject_key k;
	cr_txn *txn;
	uint64_t released = 0;
	const int32_t day = cr_days_from_civil(2021, 1, 1);
	cr_store_subject_key(f->st, person, &k);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_consent_facts_load(txn, &k, &facts), 0);
	assert_int_equal(facts.n, 0);
	assert_int_equal(facts.total, 0);
	const struct cr_consent g = fact("L0001", CR_SCOPE_QUERY, CR_PURPOSE_LOAN_APPROVAL, day, 0, 1);
	const struct cr_consent r = fact("L0001", CR_SCOPE_QUERY, CR_PURPOSE_LOAN_APPROVAL,
					 day + 1, 1, 2);
	assert_int_equal(cr_consent_apply(txn, &k, &r, day + 1, &released), 1);
	assert_int_equal(cr_consent_apply(txn, &k, &g, day + 1, &released), 1);
	assert_int_equal(cr_consent_facts_load(txn, &k, &facts), 0);
	assert_int_equal(cr_store_commit(txn), 0);
	assert_int_equal(facts.n, 2);
	assert_int_equal(facts.total, 2);
	assert_int_equal(facts.f[0].revoked_days, CR_NO_DATE);
	assert_int_equal(facts.f[1].revoked_days, day + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(query_revoked_after_the_limit_is_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(furnish_revoked_after_the_limit_is_not_live,
						setup, teardown),
		cmocka_unit_test_setup_teardown(load_keeps_the_newest_facts_oldest_first,
						setup, teardown),
		cmocka_unit_test_setup_teardown(load_reads_every_fact_under_the_limit,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
