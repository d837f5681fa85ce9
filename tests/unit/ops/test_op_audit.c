/*
 * test_op_audit.c - the audit writers of the operations layer
 * (src/ops/op_audit.c): whatever text an act hands them, the entry they
 * write is one the trail accepts, with identifiers masked and a long text
 * cut on a character boundary; an entry the trail refuses fails the act
 * (CR_EAUDIT), never passes for a refusal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cr_date.h"
#include "cr_err.h"
#include "ops.h"
#include "../store_fixture.h"
#include "utf8.h"

/* The last entry's reason and detail, read back through the trail. */
struct last {
	struct cr_audit_entry e;
	int n;
};

static int keep_last(const struct cr_audit_entry *e, void *arg)
{
	struct last *l = arg;
	l->e = *e;
	l->n++;
	return 0;
}

static void last_entry(cr_store *st, const struct cr_subject_key *k, struct last *l)
{
	memset(l, 0, sizeof *l);
	assert_int_equal(cr_audit_list_subject(st, k, keep_last, l), 0);
	assert_true(l->n > 0);
}

static int32_t asof(void)
{
	return cr_days_from_civil(2026, 6, 30);
}

/* A refusal's reason of multi-byte text longer than the field, with an ID
 * and a mobile number in it: written, valid UTF-8, cut whole, masked. */
static void long_multibyte_reason_is_cut_whole_and_masked(void **state)
{
	struct fixture *f = *state;
	struct cr_op op;
	struct cr_subject_key k;
	char why[400];
	snprintf(why, sizeof why, "机构 11010519491231002X 电话 13812345678 %s",
		 "银行银行银行银行银行银行银行银行银行银行银行银行银行银行银行银行银行银行银行银行");
	cr_op_init(&op, f->st, CR_AUDIT_ROLE_LENDER, "L-02", asof());
	cr_op_subject(&op, "11010519491231002X", &k);
	/* Shifted by one byte each time, the cut falls at every position in
	 * a character. */
	for (int shift = 0; shift < 3; shift++) {
		char reason[sizeof why + 2];
		snprintf(reason, sizeof reason, "%.*s%s", shift, "ab", why);
		assert_int_equal(cr_op_audit(&op, CR_ACT_REPORT, &k, CR_PURPOSE_LOAN_APPROVAL,
					     CR_AUDIT_REFUSED, reason), 0);
		struct last l;
		last_entry(f->st, &k, &l);
		const size_t n = strlen(l.e.reason);
		assert_true(n <= CR_AUDIT_REASON_MAX && n > CR_AUDIT_REASON_MAX - 4);
		assert_true(cr_utf8_valid(l.e.reason, n));
		assert_non_null(strstr(l.e.reason, "110105********002X"));
		assert_non_null(strstr(l.e.reason, "138****5678"));
		assert_string_equal(l.e.institution, "L-02");
	}
}

/* A webhook attempt's error message is the receiver's or the library's
 * text: any length, any bytes. */
static void delivery_error_of_any_text_is_written(void **state)
{
	struct fixture *f = *state;
	struct cr_op op;
	char msg[300];
	memset(msg, 0, sizeof msg);
	for (size_t i = 0; i + 3 < sizeof msg; i += 3)
		memcpy(msg + i, "\xe9\x93\xb6", 3);
	msg[200] = '\xff'; /* and a stray byte */
	cr_op_init(&op, f->st, CR_AUDIT_ROLE_LENDER, "B_01", asof());
	assert_int_equal(cr_op_audit_delivery(&op, 1, 1, 0, 0, CR_WEBHOOK_CONNECT, msg), 0);
	struct cr_audit_verdict v;
	assert_int_equal(cr_audit_verify(f->st, &v), 0);
	assert_int_equal(v.entries, 1);
}

/* An entry the trail refuses (an actor that is not a code: only a bug can
 * make one, every adapter checks codes first) fails the act. */
static void refused_entry_fails_the_act(void **state)
{
	struct fixture *f = *state;
	struct cr_op op;
	cr_op_init(&op, f->st, CR_AUDIT_ROLE_LENDER, "L0001", asof());
	memcpy(op.inst, "L 01", 5);
	assert_int_equal(cr_op_audit(&op, CR_ACT_REPORT, NULL, 0, CR_AUDIT_GRANTED, NULL), CR_EAUDIT);
	assert_true(cr_op_failed(CR_EAUDIT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(long_multibyte_reason_is_cut_whole_and_masked, setup,
						teardown),
		cmocka_unit_test_setup_teardown(delivery_error_of_any_text_is_written, setup, teardown),
		cmocka_unit_test_setup_teardown(refused_entry_fails_the_act, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
