/* Unit tests for consent liveness (src/consent/consent.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "consent.h"
#include "cr_date.h"

static struct cr_consent_fact grant(const char *inst, uint8_t scope, uint8_t purpose,
				    int32_t granted, int32_t expires)
{
	struct cr_consent_fact f;
	memset(&f, 0, sizeof f);
	snprintf(f.inst, sizeof f.inst, "%s", inst);
	f.scope = scope;
	f.purpose = purpose;
	f.granted_days = granted;
	f.expires_days = expires;
	f.revoked_days = CR_NO_DATE;
	return f;
}

static void validity_window_is_half_open(void **state)
{
	(void)state;
	const int32_t g = cr_days_from_civil(2021, 6, 1), e = cr_days_from_civil(2022, 6, 1);
	struct cr_consent_fact f = grant("L0001", CR_SCOPE_QUERY, CR_PURPOSE_LOAN_APPROVAL, g, e);
	assert_false(cr_consent_live(&f, 1, "L0001", CR_SCOPE_QUERY, CR_PURPOSE_LOAN_APPROVAL, g - 1));
	assert_true(cr_consent_live(&f, 1, "L0001", CR_SCOPE_QUERY, CR_PURPOSE_LOAN_APPROVAL, g));
	assert_true(cr_consent_live(&f, 1, "L0001", CR_SCOPE_QUERY, CR_PURPOSE_LOAN_APPROVAL, e - 1));
	assert_false(cr_consent_live(&f, 1, "L0001", CR_SCOPE_QUERY, CR_PURPOSE_LOAN_APPROVAL, e));
}

static void scope_purpose_and_institution_must_match(void **state)
{
	(void)state;
	const int32_t g = cr_days_from_civil(2021, 6, 1);
	struct cr_consent_fact f = grant("L0001", CR_SCOPE_QUERY, CR_PURPOSE_LOAN_APPROVAL, g, CR_NO_DATE);
	assert_false(cr_consent_live(&f, 1, "L0002", CR_SCOPE_QUERY, CR_PURPOSE_LOAN_APPROVAL, g));
	assert_false(cr_consent_live(&f, 1, "L0001", CR_SCOPE_FURNISH, CR_PURPOSE_NONE, g));
	assert_false(cr_consent_live(&f, 1, "L0001", CR_SCOPE_QUERY, CR_PURPOSE_CARD_APPROVAL, g));
}

static void revocation_ends_earlier_grants_only(void **state)
{
	(void)state;
	const int32_t d1 = cr_days_from_civil(2021, 1, 1), d2 = d1 + 30, d3 = d1 + 60;
	struct cr_consent_fact facts[3];
	facts[0] = grant("B0001", CR_SCOPE_FURNISH, CR_PURPOSE_NONE, d1, CR_NO_DATE);
	facts[1] = facts[0];
	facts[1].revoked_days = d2;
	facts[2] = grant("B0001", CR_SCOPE_FURNISH, CR_PURPOSE_NONE, d3, CR_NO_DATE);
	assert_true(cr_consent_live(facts, 3, "B0001", CR_SCOPE_FURNISH, CR_PURPOSE_NONE, d2 - 1));
	assert_false(cr_consent_live(facts, 3, "B0001", CR_SCOPE_FURNISH, CR_PURPOSE_NONE, d2));
	assert_false(cr_consent_live(facts, 3, "B0001", CR_SCOPE_FURNISH, CR_PURPOSE_NONE, d3 - 1));
	assert_true(cr_consent_live(facts, 3, "B0001", CR_SCOPE_FURNISH, CR_PURPOSE_NONE, d3));
}

static void purposeless_revocation_revokes_every_purpose(void **state)
{
	(void)state;
	const int32_t d = cr_days_from_civil(2021, 1, 1);
	struct cr_consent_fact facts[3];
	facts[0] = grant("L0001", CR_SCOPE_QUERY, CR_PURPOSE_LOAN_APPROVAL, d, CR_NO_DATE);
	facts[1] = grant("L0001", CR_SCOPE_QUERY, CR_PURPOSE_CARD_APPROVAL, d, CR_NO_DATE);
	facts[2] = grant("L0001", CR_SCOPE_QUERY, CR_PURPOSE_NONE, d, CR_NO_DATE);
	facts[2].revoked_days = d + 1;
	assert_true(cr_consent_live(facts, 3, "L0001", CR_SCOPE_QUERY, CR_PURPOSE_CARD_APPROVAL, d));
	assert_false(cr_consent_live(facts, 3, "L0001", CR_SCOPE_QUERY, CR_PURPOSE_CARD_APPROVAL, d + 1));
	assert_false(cr_consent_live(facts, 3, "L0001", CR_SCOPE_QUERY, CR_PURPOSE_LOAN_APPROVAL, d + 1));
}

/* At most one fact per consent is in force: the newest grant holding the
 * date, none once revoked, none for a revocation, an expired or a future
 * grant; and a consent in force has exactly one such fact. */
static void one_grant_is_in_force_per_live_consent(void **state)
{
	(void)state;
	const int32_t d = cr_days_from_civil(2026, 1, 1);
	struct cr_consent_fact f[6];
	f[0] = grant("L0001", CR_SCOPE_QUERY, CR_PURPOSE_LOAN_APPROVAL, d, CR_NO_DATE);
	f[1] = grant("L0001", CR_SCOPE_QUERY, CR_PURPOSE_LOAN_APPROVAL, d + 10, CR_NO_DATE);
	f[2] = grant("L0001", CR_SCOPE_QUERY, CR_PURPOSE_CARD_APPROVAL, d, d + 5);
	f[3] = grant("B0001", CR_SCOPE_FURNISH, CR_PURPOSE_NONE, d, CR_NO_DATE);
	f[4] = grant("B0001", CR_SCOPE_FURNISH, CR_PURPOSE_NONE, d, CR_NO_DATE);
	f[4].revoked_days = d + 20;
	f[5] = grant("L0001", CR_SCOPE_QUERY, CR_PURPOSE_GUARANTEE, d + 30, CR_NO_DATE);
	/* day d + 1: the first loan grant (the second is not yet), the card
	 * grant, the furnish grant */
	const int want1[6] = {1, 0, 1, 1, 0, 0};
	/* day d + 20: the second loan grant supersedes the first; the card
	 * grant expired; the furnish grant revoked; the revocation itself never */
	const int want20[6] = {0, 1, 0, 0, 0, 0};
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(cr_consent_in_force(f, 6, i, d + 1), want1[i]);
		assert_int_equal(cr_consent_in_force(f, 6, i, d + 20), want20[i]);
	}
	/* what is in force agrees with cr_consent_live, consent by consent */
	assert_true(cr_consent_live(f, 6, "L0001", CR_SCOPE_QUERY, CR_PURPOSE_LOAN_APPROVAL, d + 20));
	assert_false(cr_consent_live(f, 6, "B0001", CR_SCOPE_FURNISH, CR_PURPOSE_NONE, d + 20));
	/* a grant after the revocation is in force again */
	struct cr_consent_fact g[3] = {f[3], f[4], grant("B0001", CR_SCOPE_FURNISH, CR_PURPOSE_NONE, d + 25,
							  CR_NO_DATE)};
	assert_int_equal(cr_consent_in_force(g, 3, 0, d + 30), 0);
	assert_int_equal(cr_consent_in_force(g, 3, 2, d + 30), 1);
	assert_int_equal(cr_consent_in_force(g, 3, 3, d + 30), 0);   /* past the end */
}

/* A held account (no live furnish consent) shows to no institution and
 * relates its institution to nobody, open or not (rule 11). */
static void only_an_account_that_shows_is_a_relationship(void **state)
{
	static struct cr_consent_facts facts;
	(void)state;
	const int32_t d = cr_days_from_civil(2026, 1, 1);
	memset(&facts, 0, sizeof facts);
	facts.f[0] = grant("B0001", CR_SCOPE_FURNISH, CR_PURPOSE_NONE, d, CR_NO_DATE);
	facts.n = facts.total = 1;
	struct cr_account_rec r;
	memset(&r, 0, sizeof r);
	r.acct_id = 1;
	snprintf(r.a.inst, sizeof r.a.inst, "B0001");
	r.a.status = CR_ACCT_OPEN;
	r.a.opened_days = d;
	assert_true(cr_consent_shows(&facts, &r, d));
	assert_true(cr_consent_relates(&facts, &r, d));
	assert_false(cr_consent_shows(&facts, &r, d - 1));   /* not open yet, no consent yet */
	r.a.status = CR_ACCT_CLOSED;
	assert_true(cr_consent_shows(&facts, &r, d));
	assert_false(cr_consent_relates(&facts, &r, d));
	r.a.status = CR_ACCT_OPEN;
	snprintf(r.a.inst, sizeof r.a.inst, "L0002");          /* held */
	assert_false(cr_consent_shows(&facts, &r, d));
	assert_false(cr_consent_relates(&facts, &r, d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(validity_window_is_half_open),
		cmocka_unit_test(scope_purpose_and_institution_must_match),
		cmocka_unit_test(revocation_ends_earlier_grants_only),
		cmocka_unit_test(purposeless_revocation_revokes_every_purpose),
		cmocka_unit_test(only_an_account_that_shows_is_a_relationship),
		cmocka_unit_test(one_grant_is_in_force_per_live_consent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
