/*
 * test_record.c - the record checks of cr_record.h (src/common/cr_record.c):
 * a valid institution and account pass, and each broken invariant fails
 * on its own; the date ranges of cr_date.h are the parsers' years.
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
#include "cr_record.h"

static struct cr_institution valid_inst(void)
{
	struct cr_institution in;
	memset(&in, 0, sizeof in);
	snprintf(in.code, sizeof in.code, "B0001");
	snprintf(in.name, sizeof in.name, "Example Bank");
	in.kind = CR_KIND_BANK;
	return in;
}

/* Breaks one invariant of in (case how); returns its name, or NULL past
 * the last case. */
static const char *break_inst(struct cr_institution *in, int how)
{
	switch (how) {
	case 0: in->code[0] = '\0'; return "empty code";
	case 1: memset(in->code, 'B', sizeof in->code); return "code not terminated";
	case 2: in->name[0] = '\0'; return "empty name";
	case 3: memset(in->name, 'n', sizeof in->name); return "name not terminated";
	case 4: in->kind = 0; return "kind 0";
	case 5: in->kind = CR_KIND_MICROLENDER + 1; return "kind past the last";
	}
	return NULL;
}

static void institution_check(void **state)
{
	(void)state;
	struct cr_institution in = valid_inst();
	assert_int_equal(cr_institution_check(&in), 0);
	in.kind = CR_KIND_MICROLENDER;
	memset(in.code, 'B', CR_INST_CODE_MAX);
	assert_int_equal(cr_institution_check(&in), 0);
	const char *what;
	struct cr_institution scratch = valid_inst();
	for (int how = 0; (what = break_inst(&scratch, how)); how++) {
		in = valid_inst();
		break_inst(&in, how);
		if (cr_institution_check(&in) != CR_EINVAL)
			fail_msg("an institution with %s passed its check", what);
	}
}

static struct cr_account valid_account(void)
{
	struct cr_account a;
	memset(&a, 0, sizeof a);
	snprintf(a.inst, sizeof a.inst, "B0001");
	snprintf(a.account, sizeof a.account, "HB-0001");
	a.id_type = CR_IDTYPE_RESIDENT;
	snprintf(a.id, sizeof a.id, "11010519491231002X");
	a.birth_days = cr_days_from_civil(1949, 12, 31);
	snprintf(a.name, sizeof a.name, "Name");
	a.product = CR_PROD_INSTALLMENT;
	a.status = CR_ACCT_OPEN;
	a.opened_days = cr_days_from_civil(2019, 5, 1);
	memcpy(a.currency, "CNY", 4);
	a.principal = 1000000;
	a.term_months = 36;
	a.n_colenders = 2;
	a.colenders[0] = (struct cr_colender){"B0002", 7000};
	a.colenders[1] = (struct cr_colender){"B0001", 3000};
	return a;
}

/* Breaks one invariant of a (case how); returns its name, or NULL past
 * the last case.  A switch of one-line cases: a table of the invariants. */
static const char *break_account(struct cr_account *a, int how)
{
	switch (how) {
	case 0: a->inst[0] = '\0'; return "empty institution";
	case 1: memset(a->inst, 'B', sizeof a->inst); return "institution not terminated";
	case 2: memset(a->account, 'A', sizeof a->account); return "number not terminated";
	case 3: memset(a->id, '1', sizeof a->id); return "ID not terminated";
	case 4: memset(a->name, 'n', sizeof a->name); return "name not terminated";
	case 5: memset(a->phone, '1', sizeof a->phone); return "phone not terminated";
	case 6: memset(a->address, 'a', sizeof a->address); return "address not terminated";
	case 7: a->id_type = 0; return "id_type 0";
	case 8: a->product = 0; return "product 0";
	case 9: a->product = CR_PROD_COUNT + 1; return "product past the last";
	case 10: a->status = 0; return "status 0";
	case 11: a->status = CR_ACCT_TRANSFERRED + 1; return "status past the last";
	case 12: a->opened_days = CR_DAYS_MIN - 1; return "opened before 1900";
	case 13: a->opened_days = CR_DAYS_MAX + 1; return "opened after 2199";
	case 14: a->birth_days = CR_NO_DATE; return "no birth date";
	case 15: memcpy(a->currency, "cny", 4); return "currency in lower case";
	case 16: memcpy(a->currency, "CN", 3); return "currency of two letters";
	case 17: memcpy(a->currency, "CNYX", 4); return "currency not terminated";
	case 18: a->credit_limit = -1; return "negative credit limit";
	case 19: a->principal = CR_AMOUNT_MAX + 1; return "principal over the maximum";
	case 20: a->term_months = CR_TERM_MONTHS_MAX + 1; return "term too long";
	case 21: a->n_colenders = CR_COLENDERS_MAX + 1; return "too many co-lenders";
	case 22: a->colenders[1].inst[0] = '\0'; return "co-lender without a code";
	case 23: a->colenders[0].share_bp = 0; return "co-lender share 0";
	case 24: a->colenders[0].share_bp = 10001; return "co-lender share over 10000";
	case 25: a->colenders[1].share_bp = 2999; return "shares summing to 9999";
	}
	return NULL;
}

static void account_check(void **state)
{
	(void)state;
	struct cr_account a = valid_account();
	assert_int_equal(cr_account_check(&a), 0);
	/* As the store keeps it: identity and (in a bare walk) number "". */
	a.id[0] = a.name[0] = a.account[0] = '\0';
	a.birth_days = 0;
	a.n_colenders = 0;
	a.principal = CR_AMOUNT_MAX;
	a.term_months = CR_TERM_MONTHS_MAX;
	assert_int_equal(cr_account_check(&a), 0);
	const char *what;
	struct cr_account scratch = valid_account();
	for (int how = 0; (what = break_account(&scratch, how)); how++) {
		a = valid_account();
		break_account(&a, how);
		if (cr_account_check(&a) != CR_EINVAL)
			fail_msg("an account with %s passed its check", what);
	}
}

static void date_ranges_are_the_parsers_years(void **state)
{
	(void)state;
	int32_t d, m;
	assert_int_equal(CR_DAYS_MIN, cr_days_from_civil(1900, 1, 1));
	assert_int_equal(CR_DAYS_MAX, cr_days_from_civil(2199, 12, 31));
	assert_int_equal(cr_date_parse("1900-01-01", 10, &d), 0);
	assert_true(cr_days_valid(d) && !cr_days_valid(d - 1));
	assert_int_equal(cr_date_parse("2199-12-31", 10, &d), 0);
	assert_true(cr_days_valid(d) && !cr_days_valid(d + 1));
	assert_int_equal(cr_month_parse("1900-01", 7, &m), 0);
	assert_true(cr_month_valid(m) && !cr_month_valid(m - 1));
	assert_int_equal(cr_month_parse("2199-12", 7, &m), 0);
	assert_true(cr_month_valid(m) && !cr_month_valid(m + 1));
	assert_false(cr_days_valid(CR_NO_DATE));
	int64_t t;
	assert_int_equal(cr_time_parse("1900-01-01T00:00:00+23:59", 25, &t), 0);
	assert_true(cr_time_valid(t));
	assert_int_equal(cr_time_parse("2199-12-31T23:59:59-23:59", 25, &t), 0);
	assert_true(cr_time_valid(t));
	assert_true(cr_time_valid(0));
	assert_false(cr_time_valid(CR_TIME_MIN - 1));
	assert_false(cr_time_valid(CR_TIME_MAX + 1));
}

static void str_fits(void **state)
{
	(void)state;
	char s[4] = "abc";
	assert_true(cr_str_fits(s, sizeof s, 3));
	assert_false(cr_str_fits(s, sizeof s, 4));
	assert_true(cr_str_fits("", 1, 0));
	assert_false(cr_str_fits("", 1, 1));
	s[3] = 'd';
	assert_false(cr_str_fits(s, sizeof s, 0));
}

/* One definition of an institution code, the format's: 1..15 of
 * A-Z a-z 0-9 _ -. */
static void inst_code_valid(void **state)
{
	(void)state;
	static const char *const good[] = {"B0001", "B_01", "L-02", "_", "-", "ABCDEFGHIJKLMNO"};
	static const char *const bad[] = {"", "L 02", "L.02", "L\"1", "\xe9\x93\xb6\xe8\xa1\x8c",
					  "ABCDEFGHIJKLMNOP", "B0001\n"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_true(cr_inst_code_valid(good[i], strlen(good[i])));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(cr_inst_code_valid(bad[i], strlen(bad[i])));
	assert_false(cr_inst_code_valid("B0\0001", 6));
	assert_false(cr_inst_code_valid(NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(institution_check),
		cmocka_unit_test(account_check),
		cmocka_unit_test(date_ranges_are_the_parsers_years),
		cmocka_unit_test(str_fits),
		cmocka_unit_test(inst_code_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
