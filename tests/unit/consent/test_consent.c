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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
