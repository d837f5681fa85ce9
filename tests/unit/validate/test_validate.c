/*
 * test_validate.c - unit tests for the cross-field rules (src/validate/validate.c).
 *
 * Each rule is tested on both sides of its boundary, starting from a valid
 * record of each type and changing one field.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cr_date.h"
#include "cr_err.h"
#include "validate.h"

static int32_t asof(void)
{
	return cr_days_from_civil(2024, 6, 30);
}

static struct cr_record statement(char status, int32_t dpd)
{
	struct cr_record r;
	memset(&r, 0, sizeof r);
	r.type = CR_REC_STATEMENT;
	memcpy(r.u.stmt.inst, "B0001", 6);
	memcpy(r.u.stmt.account, "A1", 3);
	r.u.stmt.month = 2024 * 12 + 4;
	r.u.stmt.balance = 1000;
	r.u.stmt.due = 100;
	r.u.stmt.paid = 0;
	r.u.stmt.overdue = status == 'N' ? 0 : 100;
	r.u.stmt.dpd = dpd;
	r.u.stmt.status = status;
	return r;
}

static struct cr_record account(uint8_t product)
{
	struct cr_record r;
	memset(&r, 0, sizeof r);
	r.type = CR_REC_ACCOUNT;
	struct cr_account *a = &r.u.account;
	memcpy(a->inst, "B0001", 6);
	memcpy(a->account, "L1", 3);
	a->id_type = CR_IDTYPE_RESIDENT;
	memcpy(a->id, "11010519491231002X", 19);
	memcpy(a->name, "Zhang San", 10);
	a->product = product;
	a->status = CR_ACCT_OPEN;
	a->opened_days = cr_days_from_civil(2023, 1, 1);
	memcpy(a->currency, "CNY", 4);
	a->credit_limit = 50000;
	a->principal = 120000;
	a->term_months = 12;
	return r;
}

static struct cr_record consent(uint8_t scope, uint8_t purpose)
{
	struct cr_record r;
	memset(&r, 0, sizeof r);
	r.type = CR_REC_CONSENT;
	struct cr_consent *c = &r.u.consent;
	memcpy(c->id, "11010519491231002X", 19);
	memcpy(c->inst, "B0001", 6);
	c->scope = scope;
	c->purpose = purpose;
	c->granted_days = cr_days_from_civil(2024, 1, 1);
	c->expires_days = CR_NO_DATE;
	c->revoked_days = CR_NO_DATE;
	return r;
}

static void ok(const struct cr_record *r)
{
	struct cr_diag d = {0};
	const int rc = cr_validate_record(r, asof(), &d);
	if (rc)
		print_error("refused: field=%s reason=%s\n", d.field, d.reason);
	assert_int_equal(rc, 0);
}

static void bad(const struct cr_record *r, const char *field, const char *reason)
{
	struct cr_diag d = {0};
	assert_int_equal(cr_validate_record(r, asof(), &d), CR_EINVAL);
	assert_string_equal(d.field, field);
	assert_string_equal(d.reason, reason);
}

static void test_status_dpd_table(void **state)
{
	(void)state;
	assert_true(cr_status_dpd_consistent('N', 0));
	assert_false(cr_status_dpd_consistent('N', 1));
	for (int k = 1; k <= 6; k++) {
		const char s = (char)('0' + k);
		assert_false(cr_status_dpd_consistent(s, 30 * k - 30));
		assert_true(cr_status_dpd_consistent(s, 30 * k - 29));
		assert_true(cr_status_dpd_consistent(s, 30 * k));
		assert_false(cr_status_dpd_consistent(s, 30 * k + 1));
	}
	assert_false(cr_status_dpd_consistent('7', 179));
	assert_true(cr_status_dpd_consistent('7', 180));
	assert_true(cr_status_dpd_consistent('7', CR_DPD_MAX));
	const char *others = "CGDZ*#";
	for (const char *p = others; *p; p++) {
		assert_true(cr_status_dpd_consistent(*p, 0));
		assert_true(cr_status_dpd_consistent(*p, 400));
	}
}

static void test_statement_status_vs_dpd(void **state)
{
	(void)state;
	struct cr_record r = statement('1', 30);
	ok(&r);
	r = statement('1', 31);
	bad(&r, "status", "status does not agree with dpd");
	r = statement('2', 31);
	ok(&r);
	r = statement('2', 30);
	bad(&r, "status", "status does not agree with dpd");
	r = statement('7', 180);
	ok(&r);
	r = statement('7', 179);
	bad(&r, "status", "status does not agree with dpd");
	r = statement('N', 0);
	ok(&r);
	r = statement('N', 1);
	bad(&r, "status", "status does not agree with dpd");
	r = statement('C', 15);
	ok(&r);
}

static void test_statement_overdue_with_n(void **state)
{
	(void)state;
	struct cr_record r = statement('N', 0);
	r.u.stmt.overdue = 1;
	bad(&r, "overdue", "overdue amount with status N");
	r.u.stmt.overdue = 0;
	ok(&r);
	/* Paid above due is not a rule. */
	r.u.stmt.paid = 5000;
	ok(&r);
}

static void test_statement_month(void **state)
{
	(void)state;
	struct cr_record r = statement('N', 0);
	r.u.stmt.month = 2024 * 12 + 5; /* 2024-06, the as-of month */
	ok(&r);
	r.u.stmt.month = 2024 * 12 + 6;
	bad(&r, "month", "month is after the as-of date");
}

static void test_account_opened(void **state)
{
	(void)state;
	struct cr_record r = account(CR_PROD_REVOLVING);
	r.u.account.opened_days = asof();
	ok(&r);
	r.u.account.opened_days = asof() + 1;
	bad(&r, "opened", "date is in the future");
}

static void test_account_product_fields(void **state)
{
	(void)state;
	static const uint8_t limit_products[] = {CR_PROD_REVOLVING, CR_PROD_CREDIT_CARD};
	static const uint8_t loan_products[] = {CR_PROD_INSTALLMENT, CR_PROD_MORTGAGE};
	for (int i = 0; i < 2; i++) {
		struct cr_record r = account(limit_products[i]);
		r.u.account.principal = 0;
		r.u.account.term_months = 0;
		r.u.account.credit_limit = 1;
		ok(&r);
		r.u.account.credit_limit = 0;
		bad(&r, "credit_limit", "required for this product");
	}
	for (int i = 0; i < 2; i++) {
		struct cr_record r = account(loan_products[i]);
		r.u.account.credit_limit = 0;
		r.u.account.principal = 1;
		r.u.account.term_months = 1;
		ok(&r);
		r.u.account.principal = 0;
		bad(&r, "principal", "required for this product");
		r.u.account.principal = 1;
		r.u.account.term_months = 0;
		bad(&r, "term_months", "required for this product");
	}
}

static void test_account_colenders(void **state)
{
	(void)state;
	struct cr_record r = account(CR_PROD_INSTALLMENT);
	struct cr_account *a = &r.u.account;
	a->n_colenders = 2;
	memcpy(a->colenders[0].inst, "B1", 3);
	memcpy(a->colenders[1].inst, "B2", 3);
	a->colenders[0].share_bp = 4000;
	a->colenders[1].share_bp = 6000;
	ok(&r);
	a->colenders[1].share_bp = 5999;
	bad(&r, "co_lenders", "co-lender shares must sum to 10000");
	a->colenders[1].share_bp = 6001;
	bad(&r, "co_lenders", "co-lender shares must sum to 10000");
	a->colenders[1].share_bp = 6000;
	memcpy(a->colenders[1].inst, "B1", 3);
	bad(&r, "co_lenders", "a co-lender appears twice");
	a->n_colenders = 1;
	a->colenders[0].share_bp = 10000;
	ok(&r);
	a->colenders[0].share_bp = 9999;
	bad(&r, "co_lenders", "co-lender shares must sum to 10000");
	a->n_colenders = 0;
	ok(&r);
	a->n_colenders = CR_COLENDERS_MAX + 1;
	bad(&r, "co_lenders", "too many co-lenders");
}

static void test_consent_purpose(void **state)
{
	(void)state;
	struct cr_record r = consent(CR_SCOPE_QUERY, CR_PURPOSE_LOAN_APPROVAL);
	ok(&r);
	r = consent(CR_SCOPE_QUERY, CR_PURPOSE_NONE);
	bad(&r, "purpose", "required for query consent");
	r.u.consent.revoked_days = r.u.consent.granted_days; /* withdraws every purpose */
	ok(&r);
	r = consent(CR_SCOPE_FURNISH, CR_PURPOSE_NONE);
	ok(&r);
	r = consent(CR_SCOPE_FURNISH, CR_PURPOSE_SELF);
	bad(&r, "purpose", "furnish consent takes no purpose");
	/* A person's own report needs no consent: none is recorded for it. */
	r = consent(CR_SCOPE_QUERY, CR_PURPOSE_SELF);
	bad(&r, "purpose", "self is the person's own report, which needs no consent");
}

static void test_consent_dates(void **state)
{
	(void)state;
	struct cr_record r = consent(CR_SCOPE_FURNISH, CR_PURPOSE_NONE);
	struct cr_consent *c = &r.u.consent;
	c->expires_days = c->granted_days + 1;
	ok(&r);
	c->expires_days = c->granted_days;
	bad(&r, "expires", "expires before it is granted");
	c->expires_days = c->granted_days - 1;
	bad(&r, "expires", "expires before it is granted");
	c->expires_days = CR_NO_DATE;
	c->granted_days = asof();
	ok(&r);
	c->granted_days = asof() + 1;
	bad(&r, "granted", "date is in the future");
	c->granted_days = cr_days_from_civil(2024, 1, 1);
	c->revoked_days = c->granted_days;
	ok(&r);
	c->revoked_days = c->granted_days - 1;
	bad(&r, "revoked", "revoked before it is granted");
	c->revoked_days = asof() + 1;
	bad(&r, "revoked", "date is in the future");
}

static void test_damaged_records(void **state)
{
	(void)state;
	struct cr_record r;
	memset(&r, 0, sizeof r);
	bad(&r, "type", "unknown record type");
	r.type = CR_REC_INSTITUTION;
	bad(&r, "kind", "not a known institution kind");
	r.u.inst.kind = CR_KIND_BANK;
	ok(&r);
	r = account(9);
	bad(&r, "product", "not a known product");
	r = statement('Q', 0);
	bad(&r, "status", "not a repayment status code");
	r = consent(3, CR_PURPOSE_NONE);
	bad(&r, "scope", "not a known scope");
	struct cr_diag d;
	assert_int_equal(cr_validate_record(NULL, asof(), &d), CR_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_dpd_table),
		cmocka_unit_test(test_statement_status_vs_dpd),
		cmocka_unit_test(test_statement_overdue_with_n),
		cmocka_unit_test(test_statement_month),
		cmocka_unit_test(test_account_opened),
		cmocka_unit_test(test_account_product_fields),
		cmocka_unit_test(test_account_colenders),
		cmocka_unit_test(test_consent_purpose),
		cmocka_unit_test(test_consent_dates),
		cmocka_unit_test(test_damaged_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
