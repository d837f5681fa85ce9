/*
 * test_jsonl.c - unit tests for the JSON Lines parser (src/format/jsonl.c).
 *
 * Every line is handed to the parser in a heap buffer of exactly its length
 * with no NUL after it, so AddressSanitizer reports any read past the end.
 * Accepted records are checked field by field; rejections are table-driven,
 * each row one rule with the field and reason a furnisher would see.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr_date.h"
#include "cr_err.h"
#include "jsonl.h"
#include "prohibited.h"

static int32_t asof(void)
{
	return cr_days_from_civil(2024, 6, 30);
}

/* Parses s[0..n) from an exact-size heap copy. */
static int parse_n(const char *s, size_t n, struct cr_record *r,
		   struct cr_diag *d)
{
	char *copy = malloc(n ? n : 1);
	assert_non_null(copy);
	memcpy(copy, s, n);
	memset(d, 0, sizeof *d);
	const int rc = cr_jsonl_parse(copy, n, asof(), r, d);
	free(copy);
	return rc;
}

static int parse(const char *s, struct cr_record *r, struct cr_diag *d)
{
	return parse_n(s, strlen(s), r, d);
}

static void expect_ok(const char *s, struct cr_record *r)
{
	struct cr_diag d;
	const int rc = parse(s, r, &d);
	if (rc != 0)
		print_error("rejected: %s\n  field=%s reason=%s\n", s, d.field,
			    d.reason ? d.reason : "(null)");
	assert_int_equal(rc, 0);
}

static void expect_bad(const char *s, const char *field, const char *reason)
{
	struct cr_record r;
	struct cr_diag d;
	const int rc = parse(s, &r, &d);
	if (rc != CR_EINVAL || strcmp(d.field, field) != 0 || !d.reason ||
	    strcmp(d.reason, reason) != 0)
		print_error("line: %s\n  want field=[%s] reason=[%s]\n"
			    "  got rc=%d field=[%s] reason=[%s]\n", s, field,
			    reason, rc, d.field, d.reason ? d.reason : "(null)");
	assert_int_equal(rc, CR_EINVAL);
	assert_string_equal(d.field, field);
	assert_non_null(d.reason);
	assert_string_equal(d.reason, reason);
	assert_int_equal(r.type, CR_REC_NONE);
}

/* ---- Building lines from a valid base with one member changed. ---- */

struct kv {
	const char *key;
	const char *raw; /* the value as JSON text */
};

static const struct kv stmt_base[] = {
	{"type", "\"statement\""}, {"institution", "\"B0001\""},
	{"account", "\"4000-1234\""}, {"month", "\"2024-05\""},
	{"balance", "1234567"}, {"due", "120000"}, {"paid", "110000"},
	{"overdue", "0"}, {"dpd", "0"}, {"status", "\"N\""}, {NULL, NULL},
};

static const struct kv account_base[] = {
	{"type", "\"account\""}, {"institution", "\"B0001\""},
	{"account", "\"L-77\""}, {"id", "\"11010519491231002X\""},
	{"name", "\"Zhang San\""}, {"product", "\"installment\""},
	{"opened", "\"2023-01-15\""}, {"principal", "1200000"},
	{"term_months", "12"}, {NULL, NULL},
};

static const struct kv consent_base[] = {
	{"type", "\"consent\""}, {"id", "\"11010519491231002X\""},
	{"institution", "\"B0001\""}, {"scope", "\"query\""},
	{"purpose", "\"loan_approval\""}, {"granted", "\"2024-01-01\""},
	{NULL, NULL},
};

static const struct kv inst_base[] = {
	{"type", "\"institution\""}, {"code", "\"B0001\""},
	{"name", "\"First Bank\""}, {"kind", "\"bank\""}, {NULL, NULL},
};

/* Writes base with key's value replaced by raw (or dropped when raw is NULL,
 * or appended when base has no such key) into out. */
static const char *with(const struct kv *base, const char *key,
			const char *raw, char *out, size_t cap)
{
	size_t n = 0;
	int found = 0;
	n += (size_t)snprintf(out + n, cap - n, "{");
	for (const struct kv *f = base; f->key; f++) {
		const char *v = f->raw;
		if (key && strcmp(f->key, key) == 0) {
			found = 1;
			v = raw;
		}
		if (v)
			n += (size_t)snprintf(out + n, cap - n, "%s\"%s\":%s",
					      n > 1 ? "," : "", f->key, v);
	}
	if (key && !found && raw)
		n += (size_t)snprintf(out + n, cap - n, ",\"%s\":%s", key, raw);
	snprintf(out + n, cap - n, "}");
	assert_true(n + 1 < cap);
	return out;
}

/* ---- Accepted records. ---- */

static void test_statement_fields(void **state)
{
	(void)state;
	char buf[1024];
	struct cr_record r;
	expect_ok(with(stmt_base, NULL, NULL, buf, sizeof buf), &r);
	assert_int_equal(r.type, CR_REC_STATEMENT);
	assert_string_equal(r.u.stmt.inst, "B0001");
	assert_string_equal(r.u.stmt.account, "4000-1234");
	assert_int_equal(r.u.stmt.month, 2024 * 12 + 4);
	assert_int_equal(r.u.stmt.balance, 1234567);
	assert_int_equal(r.u.stmt.due, 120000);
	assert_int_equal(r.u.stmt.paid, 110000);
	assert_int_equal(r.u.stmt.overdue, 0);
	assert_int_equal(r.u.stmt.dpd, 0);
	assert_int_equal(r.u.stmt.status, 'N');
}

static void test_statement_type_last_and_spaces(void **state)
{
	(void)state;
	struct cr_record r;
	expect_ok(" {\"status\" : \"3\" ,\t\"dpd\":75,\"overdue\":5,\"paid\":0,"
		  "\"due\":5,\"balance\":1000000000000000,\"month\":\"2199-12\","
		  "\"account\":\"~!@#$%^&*()\",\"institution\":\"a_b-C\","
		  "\"type\":\"statement\"}\n\r\n \r", &r);
	assert_int_equal(r.type, CR_REC_STATEMENT);
	assert_int_equal(r.u.stmt.status, '3');
	assert_int_equal(r.u.stmt.dpd, 75);
	assert_int_equal(r.u.stmt.balance, 1000000000000000LL);
	assert_int_equal(r.u.stmt.month, 2199 * 12 + 11);
	assert_string_equal(r.u.stmt.account, "~!@#$%^&*()");
	assert_string_equal(r.u.stmt.inst, "a_b-C");
}

static void test_statement_minus_zero_and_crlf(void **state)
{
	(void)state;
	char buf[1024];
	struct cr_record r;
	with(stmt_base, "overdue", "-0", buf, sizeof buf);
	const size_t n = strlen(buf);
	memcpy(buf + n, "\r", 2);
	expect_ok(buf, &r);
	assert_int_equal(r.u.stmt.overdue, 0);
}

static void test_account_all_fields(void **state)
{
	(void)state;
	struct cr_record r;
	expect_ok("{\"type\":\"account\",\"institution\":\"B0001\",\"account\":\"L-1\","
		  "\"id_type\":\"resident\",\"id\":\"11010519491231002x\","
		  "\"name\":\"\\u5f20\\u4e09\",\"phone\":\"+86 138-0000-0000\","
		  "\"address\":\"\xe5\x8c\x97\xe4\xba\xac\",\"product\":\"mortgage\","
		  "\"status\":\"charged_off\",\"opened\":\"2020-02-29\","
		  "\"currency\":\"USD\",\"credit_limit\":7,\"principal\":1200000,"
		  "\"term_months\":600,\"co_lenders\":[{\"institution\":\"B0002\","
		  "\"share_bp\":3000},{\"share_bp\":7000,\"institution\":\"B0003\"}]}",
		  &r);
	const struct cr_account *a = &r.u.account;
	assert_int_equal(r.type, CR_REC_ACCOUNT);
	assert_string_equal(a->inst, "B0001");
	assert_string_equal(a->account, "L-1");
	assert_int_equal(a->id_type, CR_IDTYPE_RESIDENT);
	assert_string_equal(a->id, "11010519491231002X");
	assert_int_equal(a->birth_days, cr_days_from_civil(1949, 12, 31));
	assert_string_equal(a->name, "\xe5\xbc\xa0\xe4\xb8\x89");
	assert_string_equal(a->phone, "+86 138-0000-0000");
	assert_string_equal(a->address, "\xe5\x8c\x97\xe4\xba\xac");
	assert_int_equal(a->product, CR_PROD_MORTGAGE);
	assert_int_equal(a->status, CR_ACCT_CHARGED_OFF);
	assert_int_equal(a->opened_days, cr_days_from_civil(2020, 2, 29));
	assert_string_equal(a->currency, "USD");
	assert_int_equal(a->credit_limit, 7);
	assert_int_equal(a->principal, 1200000);
	assert_int_equal(a->term_months, 600);
	assert_int_equal(a->n_colenders, 2);
	assert_string_equal(a->colenders[0].inst, "B0002");
	assert_int_equal(a->colenders[0].share_bp, 3000);
	assert_string_equal(a->colenders[1].inst, "B0003");
	assert_int_equal(a->colenders[1].share_bp, 7000);
}

static void test_account_defaults(void **state)
{
	(void)state;
	char buf[1024];
	struct cr_record r;
	/* A long name first, so stale bytes would show in the second record. */
	expect_ok(with(account_base, "name",
		       "\"A very long name indeed, longer than the next\"", buf,
		       sizeof buf), &r);
	expect_ok(with(account_base, "phone", "null", buf, sizeof buf), &r);
	const struct cr_account *a = &r.u.account;
	assert_string_equal(a->name, "Zhang San");
	for (size_t i = strlen(a->name); i < sizeof a->name; i++)
		assert_int_equal(a->name[i], 0);
	assert_int_equal(a->id_type, CR_IDTYPE_RESIDENT);
	assert_int_equal(a->status, CR_ACCT_OPEN);
	assert_string_equal(a->currency, "CNY");
	assert_string_equal(a->phone, "");
	assert_string_equal(a->address, "");
	assert_int_equal(a->credit_limit, 0);
	assert_int_equal(a->n_colenders, 0);
	expect_ok(with(account_base, "co_lenders", "[ ]", buf, sizeof buf), &r);
	assert_int_equal(r.u.account.n_colenders, 0);
	expect_ok(with(account_base, "co_lenders", "null", buf, sizeof buf), &r);
	assert_int_equal(r.u.account.n_colenders, 0);
}

static void test_account_sixteen_colenders(void **state)
{
	(void)state;
	char arr[1024], buf[2048];
	size_t n = 0;
	struct cr_record r;
	n += (size_t)snprintf(arr, sizeof arr, "[");
	for (int i = 0; i < CR_COLENDERS_MAX; i++)
		n += (size_t)snprintf(arr + n, sizeof arr - n,
				      "%s{\"institution\":\"C%d\",\"share_bp\":625}",
				      i ? "," : "", i);
	snprintf(arr + n, sizeof arr - n, "]");
	expect_ok(with(account_base, "co_lenders", arr, buf, sizeof buf), &r);
	assert_int_equal(r.u.account.n_colenders, CR_COLENDERS_MAX);
	assert_string_equal(r.u.account.colenders[15].inst, "C15");
}

static void test_institution_fields(void **state)
{
	(void)state;
	struct cr_record r;
	expect_ok("{\"code\":\"P-01\",\"name\":\"Platform \\ud83c\\udfe6\","
		  "\"kind\":\"microlender\",\"type\":\"institution\"}", &r);
	assert_int_equal(r.type, CR_REC_INSTITUTION);
	assert_string_equal(r.u.inst.code, "P-01");
	assert_string_equal(r.u.inst.name, "Platform \xf0\x9f\x8f\xa6");
	assert_int_equal(r.u.inst.kind, CR_KIND_MICROLENDER);
}

static void test_consent_fields(void **state)
{
	(void)state;
	struct cr_record r;
	expect_ok("{\"type\":\"consent\",\"id\":\"11010519491231002X\","
		  "\"institution\":\"B0001\",\"scope\":\"query\","
		  "\"purpose\":\"post_loan\",\"granted\":\"2024-01-01\","
		  "\"expires\":\"2025-01-01\",\"revoked\":\"2024-03-01\","
		  "\"evidence\":\"sha256:00ff\"}", &r);
	const struct cr_consent *c = &r.u.consent;
	assert_int_equal(r.type, CR_REC_CONSENT);
	assert_string_equal(c->id, "11010519491231002X");
	assert_string_equal(c->inst, "B0001");
	assert_int_equal(c->scope, CR_SCOPE_QUERY);
	assert_int_equal(c->purpose, CR_PURPOSE_POST_LOAN);
	assert_int_equal(c->granted_days, cr_days_from_civil(2024, 1, 1));
	assert_int_equal(c->expires_days, cr_days_from_civil(2025, 1, 1));
	assert_int_equal(c->revoked_days, cr_days_from_civil(2024, 3, 1));
	assert_string_equal(c->evidence, "sha256:00ff");

	expect_ok("{\"type\":\"consent\",\"id\":\"11010519491231002X\","
		  "\"institution\":\"B0001\",\"scope\":\"furnish\","
		  "\"granted\":\"2024-01-01\",\"expires\":null}", &r);
	assert_int_equal(c->scope, CR_SCOPE_FURNISH);
	assert_int_equal(c->purpose, CR_PURPOSE_NONE);
	assert_int_equal(c->expires_days, CR_NO_DATE);
	assert_int_equal(c->revoked_days, CR_NO_DATE);
	assert_string_equal(c->evidence, "");
}

static void test_escapes(void **state)
{
	(void)state;
	char buf[1024];
	struct cr_record r;
	with(account_base, "address",
	     "\"q\\\"b\\\\s\\/b\\bf\\fn\\nr\\rt\\t\\u00e9\\u4E2D\\ud83d\\ude00\"",
	     buf, sizeof buf);
	expect_ok(buf, &r);
	assert_string_equal(r.u.account.address,
			    "q\"b\\s/b\bf\fn\nr\rt\t\xc3\xa9\xe4\xb8\xad"
			    "\xf0\x9f\x98\x80");
	/* An escaped key is the same key. */
	expect_ok("{\"ty\\u0070e\":\"institution\",\"code\":\"B\\u0031\","
		  "\"name\":\"n\",\"kind\":\"b\\u0061nk\"}", &r);
	assert_string_equal(r.u.inst.code, "B1");
	assert_int_equal(r.u.inst.kind, CR_KIND_BANK);
}

static void test_length_limits(void **state)
{
	(void)state;
	char val[1200], buf[2048];
	struct cr_record r;
	/* 42 CJK characters are 126 bytes: they fit in CR_NAME_MAX. */
	size_t n = 0;
	val[n++] = '"';
	for (int i = 0; i < 42; i++)
		n += (size_t)snprintf(val + n, sizeof val - n, "\\u4e2d");
	snprintf(val + n, sizeof val - n, "\"");
	expect_ok(with(account_base, "name", val, buf, sizeof buf), &r);
	assert_int_equal(strlen(r.u.account.name), 126);
	/* 43 are 129 bytes. */
	snprintf(val + n, sizeof val - n, "\\u4e2d\"");
	expect_bad(with(account_base, "name", val, buf, sizeof buf), "name",
		   "too long");
	/* Raw bytes: CR_NAME_MAX fits, one more does not. */
	memset(val, 'a', sizeof val);
	val[0] = '"';
	val[CR_NAME_MAX + 1] = '"';
	val[CR_NAME_MAX + 2] = '\0';
	expect_ok(with(account_base, "name", val, buf, sizeof buf), &r);
	assert_int_equal(strlen(r.u.account.name), CR_NAME_MAX);
	val[CR_NAME_MAX + 1] = 'a';
	val[CR_NAME_MAX + 2] = '"';
	val[CR_NAME_MAX + 3] = '\0';
	expect_bad(with(account_base, "name", val, buf, sizeof buf), "name",
		   "too long");
	val[CR_ADDRESS_MAX + 1] = '"';
	val[CR_ADDRESS_MAX + 2] = '\0';
	for (int i = CR_NAME_MAX + 2; i <= CR_ADDRESS_MAX; i++)
		val[i] = 'a';
	expect_ok(with(account_base, "address", val, buf, sizeof buf), &r);
	assert_int_equal(strlen(r.u.account.address), CR_ADDRESS_MAX);
	val[CR_ADDRESS_MAX + 1] = 'a';
	val[CR_ADDRESS_MAX + 2] = '"';
	val[CR_ADDRESS_MAX + 3] = '\0';
	expect_bad(with(account_base, "address", val, buf, sizeof buf),
		   "address", "too long");
}

/* ---- Rejections. ---- */

struct bad_row {
	const struct kv *base;
	const char *key; /* member to change; NULL for none */
	const char *raw; /* its new value; NULL to drop it */
	const char *field;
	const char *reason;
};

#define MINOR "amounts are integers in minor units"
#define STATUSES "not one of: N 1 2 3 4 5 6 7 C G D Z * #"
#define CODE "not an institution code (1-15 characters of A-Z a-z 0-9 _ -)"
#define DATE "not a real date in YYYY-MM-DD form"
#define MONTH "not a month in YYYY-MM form"
#define COLEN "must be an array of {\"institution\", \"share_bp\"} objects"

static const struct bad_row bad_rows[] = {
	/* Money. */
	{stmt_base, "balance", "1.5", "balance", MINOR},
	{stmt_base, "balance", "100.0", "balance", MINOR},
	{stmt_base, "balance", "1e3", "balance", MINOR},
	{stmt_base, "due", "1E+3", "due", MINOR},
	{stmt_base, "paid", "-2.5", "paid", MINOR},
	{stmt_base, "overdue", "-1", "overdue", "amounts must not be negative"},
	{stmt_base, "balance", "1000000000000001", "balance", "amount too large"},
	{stmt_base, "balance", "123456789012345678901234567890", "balance",
	 "amount too large"},
	{stmt_base, "balance", "\"100\"", "balance", "must be a JSON integer"},
	{stmt_base, "balance", "true", "balance", "must be a JSON integer"},
	{stmt_base, "balance", "[1]", "balance", "must be a JSON integer"},
	{stmt_base, "balance", "{}", "balance", "must be a JSON integer"},
	{stmt_base, "balance", "null", "balance", "required field missing"},
	{stmt_base, "balance", NULL, "balance", "required field missing"},
	{account_base, "credit_limit", "0.5", "credit_limit", MINOR},
	{account_base, "principal", "-100", "principal",
	 "amounts must not be negative"},
	/* Small integers. */
	{stmt_base, "dpd", "1.0", "dpd", "must be an integer"},
	{stmt_base, "dpd", "-1", "dpd", "must be an integer 0..36500"},
	{stmt_base, "dpd", "36501", "dpd", "must be an integer 0..36500"},
	{stmt_base, "dpd", "99999999999999999999", "dpd", "must be an integer 0..36500"},
	{stmt_base, "dpd", "\"0\"", "dpd", "must be a JSON integer"},
	{account_base, "term_months", "0", "term_months", "must be an integer 1..600"},
	{account_base, "term_months", "601", "term_months", "must be an integer 1..600"},
	{account_base, "term_months", "1e1", "term_months", "must be an integer"},
	/* Statement strings. */
	{stmt_base, "status", "\"X\"", "status", STATUSES},
	{stmt_base, "status", "\"NN\"", "status", STATUSES},
	{stmt_base, "status", "\"\"", "status", STATUSES},
	{stmt_base, "status", "\"/\"", "status", STATUSES},
	{stmt_base, "status", "0", "status", "must be a JSON string"},
	{stmt_base, "month", "\"2024-13\"", "month", MONTH},
	{stmt_base, "month", "\"2024-5\"", "month", MONTH},
	{stmt_base, "month", "\"2024-05-01\"", "month", MONTH},
	{stmt_base, "month", "\"1899-12\"", "month", MONTH},
	{stmt_base, "institution", "\"B 1\"", "institution", CODE},
	{stmt_base, "institution", "\"\"", "institution", CODE},
	{stmt_base, "institution", "\"B\xc3\xa9\"", "institution", CODE},
	{stmt_base, "institution", "\"ABCDEFGHIJKLMNOP\"", "institution", "too long"},
	{stmt_base, "account", "\"a b\"", "account",
	 "must be printable ASCII without spaces"},
	{stmt_base, "account", "\"\\u00e9\"", "account",
	 "must be printable ASCII without spaces"},
	{stmt_base, "account", "\"\"", "account", "must not be empty"},
	{stmt_base, "account",
	 "\"0123456789012345678901234567890123456789012345678901234567890123\"",
	 "account", "too long"},
	{stmt_base, "institution", "\"\\u0000\"", "institution",
	 "must not contain \\u0000"},
	{stmt_base, "foo", "1", "foo", "unknown field"},
	{stmt_base, "code", "\"B1\"", "code", "unknown field"},
	{stmt_base, "\\u00e9", "1", "\xc3\xa9", "unknown field"},
	{stmt_base, "month", NULL, "month", "required field missing"},
	{stmt_base, "status", NULL, "status", "required field missing"},
	/* Account. */
	{account_base, "id_type", "\"passport\"", "id_type", "unsupported id_type"},
	{account_base, "id_type", "\"passport\",\"id\":\"X\"", "id_type",
	 "unsupported id_type"},
	{account_base, "id", "\"11010519491231002Y\"", "id",
	 "resident ID check character must be a digit or X"},
	{account_base, "id", "\"110105194912310021\"", "id",
	 "resident ID check character is wrong"},
	{account_base, "id", "\"1101051949123100\"", "id",
	 "resident ID must be 18 characters"},
	{account_base, "id", "\"11010520300101002X\"", "id",
	 "resident ID birth date is in the future"},
	{account_base, "id", NULL, "id", "required field missing"},
	{account_base, "name", "\"\"", "name", "must not be empty"},
	{account_base, "name", "7", "name", "must be a JSON string"},
	{account_base, "phone", "\"138x\"", "phone",
	 "may hold only digits, '+', '-' and spaces"},
	{account_base, "phone", "\"12345678901234567890123456789012\"", "phone",
	 "too long"},
	{account_base, "product", "\"loan\"", "product",
	 "not one of: revolving, installment, credit_card, mortgage"},
	{account_base, "product", "\"Revolving\"", "product",
	 "not one of: revolving, installment, credit_card, mortgage"},
	{account_base, "product", NULL, "product", "required field missing"},
	{account_base, "status", "\"dead\"", "status",
	 "not one of: open, closed, charged_off, transferred"},
	{account_base, "opened", "\"2023-02-29\"", "opened", DATE},
	{account_base, "opened", "\"2023-1-15\"", "opened", DATE},
	{account_base, "opened", "\"20230115\"", "opened", DATE},
	{account_base, "opened", NULL, "opened", "required field missing"},
	{account_base, "currency", "\"usd\"", "currency",
	 "must be three upper-case letters (ISO 4217)"},
	{account_base, "currency", "\"USDX\"", "currency",
	 "must be three upper-case letters (ISO 4217)"},
	{account_base, "month", "\"2024-01\"", "month", "unknown field"},
	{account_base, "co_lenders", "{}", "co_lenders", COLEN},
	{account_base, "co_lenders", "[1]", "co_lenders", COLEN},
	{account_base, "co_lenders", "[{\"institution\":\"B1\",\"share_bp\":1},[]]",
	 "co_lenders", COLEN},
	{account_base, "co_lenders", "[{\"institution\":\"B1\"}]",
	 "co_lenders[0].share_bp", "required field missing"},
	{account_base, "co_lenders", "[{\"share_bp\":5}]",
	 "co_lenders[0].institution", "required field missing"},
	{account_base, "co_lenders",
	 "[{\"institution\":\"B1\",\"share_bp\":1},{\"institution\":\"B2\",\"share_bp\":0}]",
	 "co_lenders[1].share_bp", "must be an integer 1..10000"},
	{account_base, "co_lenders", "[{\"institution\":\"B1\",\"share_bp\":10001}]",
	 "co_lenders[0].share_bp", "must be an integer 1..10000"},
	{account_base, "co_lenders", "[{\"institution\":\"B1\",\"share_bp\":50.5}]",
	 "co_lenders[0].share_bp", "must be an integer"},
	{account_base, "co_lenders", "[{\"institution\":\"B 1\",\"share_bp\":5}]",
	 "co_lenders[0].institution", CODE},
	{account_base, "co_lenders",
	 "[{\"institution\":\"B1\",\"share_bp\":5,\"x\":1}]",
	 "co_lenders[0].x", "unknown field"},
	{account_base, "co_lenders",
	 "[{\"institution\":\"B1\",\"institution\":\"B2\",\"share_bp\":5}]",
	 "co_lenders[0].institution", "duplicate field"},
	{account_base, "co_lenders",
	 "[{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5}]", "co_lenders",
	 "a co-lender has only institution and share_bp"},
	/* Consent. */
	{consent_base, "scope", "\"read\"", "scope", "not one of: furnish, query"},
	{consent_base, "purpose", "\"fun\"", "purpose",
	 "not one of: loan_approval, card_approval, post_loan, guarantee, self"},
	{consent_base, "granted", "\"2024-02-30\"", "granted", DATE},
	{consent_base, "expires", "\"never\"", "expires", DATE},
	{consent_base, "revoked", "\"2024-1-1\"", "revoked", DATE},
	{consent_base, "evidence",
	 "\"0123456789012345678901234567890123456789012345678901234567890123"
	 "0123456789012345678901234567890123456789012345678901234567890123\"",
	 "evidence", "too long"},
	{consent_base, "id", NULL, "id", "required field missing"},
	{consent_base, "granted", "null", "granted", "required field missing"},
	{consent_base, "name", "\"x\"", "name", "unknown field"},
	/* Institution. */
	{inst_base, "kind", "\"shop\"", "kind",
	 "not one of: bank, consumer_finance, platform, microlender"},
	{inst_base, "code", NULL, "code", "required field missing"},
	{inst_base, "name", "\"\"", "name", "must not be empty"},
	{inst_base, "product", "\"revolving\"", "product", "unknown field"},
	/* The type. */
	{stmt_base, "type", "\"loan\"", "type",
	 "unknown record type (institution, account, statement, event, consent, product or holding)"},
	{stmt_base, "type", "\"Statement\"", "type",
	 "unknown record type (institution, account, statement, event, consent, product or holding)"},
	{stmt_base, "type", "1", "type", "must be a JSON string"},
	{stmt_base, "type", "null", "type", "required field missing"},
	{stmt_base, "type", NULL, "type", "required field missing"},
};

static void test_rejections(void **state)
{
	(void)state;
	char buf[2048];
	for (size_t i = 0; i < sizeof bad_rows / sizeof bad_rows[0]; i++) {
		const struct bad_row *b = &bad_rows[i];
		expect_bad(with(b->base, b->key, b->raw, buf, sizeof buf),
			   b->field, b->reason);
	}
}

struct raw_row {
	const char *line;
	const char *field;
	const char *reason;
};

static const struct raw_row raw_rows[] = {
	{"", "", "empty line"},
	{" \t ", "", "empty line"},
	{"\r", "", "empty line"},
	{"[]", "", "invalid JSON: expected '{'"},
	{"\"type\"", "", "invalid JSON: expected '{'"},
	{"{", "", "invalid JSON: expected '\"' to start a key"},
	{"{type:1}", "", "invalid JSON: expected '\"' to start a key"},
	{"{\"type\"", "", "invalid JSON: expected ':'"},
	{"{\"type\" 1}", "", "invalid JSON: expected ':'"},
	{"{\"type\":}", "", "invalid JSON: expected a value"},
	{"{\"type\":'x'}", "", "invalid JSON: expected a value"},
	{"{\"type\":\"statement\"", "", "invalid JSON: expected ',' or '}'"},
	{"{\"type\":\"statement\",}", "", "invalid JSON: expected '\"' to start a key"},
	{"{\"type\":\"statement\" \"a\":1}", "", "invalid JSON: expected ',' or '}'"},
	{"{\"type\":\"statement\"} x", "", "invalid JSON: unexpected text after the object"},
	{"{\"type\":\"statement\"}{}", "", "invalid JSON: unexpected text after the object"},
	{"{\"type\":\"stat", "", "invalid JSON: unterminated string"},
	{"{\"type\":\"stat\\", "", "invalid JSON: unterminated string"},
	{"{\"type\":\"a\\x\"}", "", "invalid JSON: unknown escape in string"},
	{"{\"type\":\"a\\'\"}", "", "invalid JSON: unknown escape in string"},
	{"{\"type\":\"\\u12\"}", "", "invalid JSON: \\u needs four hex digits"},
	{"{\"type\":\"\\u12g4\"}", "", "invalid JSON: \\u needs four hex digits"},
	{"{\"type\":\"\\ud800\"}", "", "invalid JSON: unpaired surrogate in \\u escape"},
	{"{\"type\":\"\\udc00\\ud800\"}", "", "invalid JSON: unpaired surrogate in \\u escape"},
	{"{\"type\":\"\\ud800\\u0041\"}", "", "invalid JSON: unpaired surrogate in \\u escape"},
	{"{\"type\":\"\\ud800\\n\"}", "", "invalid JSON: unpaired surrogate in \\u escape"},
	{"{\"type\":\"a\tb\"}", "", "invalid JSON: control character in string"},
	{"{\"type\":\"a\nb\"}", "", "invalid JSON: control character in string"},
	{"{\"a\":01}", "", "invalid JSON: number with a leading zero"},
	{"{\"a\":-01}", "", "invalid JSON: number with a leading zero"},
	{"{\"a\":-}", "", "invalid JSON: expected a digit"},
	{"{\"a\":1.}", "", "invalid JSON: expected a digit"},
	{"{\"a\":.5}", "", "invalid JSON: expected a value"},
	{"{\"a\":1e}", "", "invalid JSON: expected a digit"},
	{"{\"a\":1e+}", "", "invalid JSON: expected a digit"},
	{"{\"a\":+1}", "", "invalid JSON: expected a value"},
	{"{\"a\":0x10}", "", "invalid JSON: expected ',' or '}'"},
	{"{\"a\":tru}", "", "invalid JSON: expected a value"},
	{"{\"a\":nul", "", "invalid JSON: expected a value"},
	{"{\"a\":NaN}", "", "invalid JSON: expected a value"},
	{"{\"a\":[1,]}", "", "invalid JSON: expected a value"},
	{"{\"a\":[1 2]}", "", "invalid JSON: expected ',' or ']'"},
	{"{\"a\":{\"b\":1,}}", "", "invalid JSON: expected '\"' to start a key"},
	{"{\"a\":{\"b\" 1}}", "", "invalid JSON: expected ':'"},
	{"{\"a\":{\"b\":1]}", "", "invalid JSON: expected ',' or '}'"},
	{"{\"a\":[}", "", "invalid JSON: expected a value"},
	{"{}", "type", "required field missing"},
	{"{\"type\":\"statement\",\"type\":\"statement\"}", "type", "duplicate field"},
	{"{\"type\":\"statement\",\"balance\":1,\"balance\":2}", "balance",
	 "duplicate field"},
	{"{\"type\":\"statement\",\"balance\":1,\"bal\\u0061nce\":2}", "balance",
	 "duplicate field"},
	{"{\"type\":\"statement\",\"an_unknown_key_longer_than_the_field_buffer\":1}",
	 "an_unknown_key_longer_than_the_", "unknown field"},
	/* Invalid UTF-8, in strings and out of them. */
	{"{\"type\":\"account\",\"name\":\"\xc0\xaf\"}", "", "line is not valid UTF-8"},
	{"{\"type\":\"account\",\"name\":\"\xe0\x80\x80\"}", "", "line is not valid UTF-8"},
	{"{\"type\":\"account\",\"name\":\"\xf0\x80\x80\x80\"}", "", "line is not valid UTF-8"},
	{"{\"type\":\"account\",\"name\":\"\xed\xa0\x80\"}", "", "line is not valid UTF-8"},
	{"{\"type\":\"account\",\"name\":\"\xf4\x90\x80\x80\"}", "", "line is not valid UTF-8"},
	{"{\"type\":\"account\",\"name\":\"\xf5\x80\x80\x80\"}", "", "line is not valid UTF-8"},
	{"{\"type\":\"account\",\"name\":\"\xe4\xb8\"}", "", "line is not valid UTF-8"},
	{"{\"type\":\"account\",\"name\":\"\x80\"}", "", "line is not valid UTF-8"},
	{"{\"type\":\"account\",\"name\":\"\xff\"}", "", "line is not valid UTF-8"},
	{"{\"type\":\"account\"}\xe4", "", "line is not valid UTF-8"},
	{"{\"type\":\"account\"}\xe4\xb8\xad", "", "invalid JSON: unexpected text after the object"},
};

static void test_raw_rejections(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof raw_rows / sizeof raw_rows[0]; i++)
		expect_bad(raw_rows[i].line, raw_rows[i].field, raw_rows[i].reason);
}

static void test_valid_utf8_edges(void **state)
{
	(void)state;
	char buf[1024];
	struct cr_record r;
	/* U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000, U+10FFFF. */
	const char *name = "\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
			   "\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"";
	expect_ok(with(account_base, "name", name, buf, sizeof buf), &r);
	assert_int_equal(strlen(r.u.account.name), 2 + 2 + 3 + 3 + 3 + 3 + 4 + 4);
	expect_ok(with(account_base, "name",
		       "\"\xe5\xbc\xa0\xe4\xb8\x89\xe4\xb8\xb0\"", buf, sizeof buf), &r);
	assert_string_equal(r.u.account.name, "\xe5\xbc\xa0\xe4\xb8\x89\xe4\xb8\xb0");
}

static void test_nesting_limit(void **state)
{
	(void)state;
	char buf[256];
	struct cr_record r;
	struct cr_diag d;
	size_t n = (size_t)snprintf(buf, sizeof buf, "{\"a\":");
	for (int i = 0; i < 40; i++)
		buf[n++] = '[';
	for (int i = 0; i < 40; i++)
		buf[n++] = ']';
	buf[n++] = '}';
	assert_int_equal(parse_n(buf, n, &r, &d), CR_EINVAL);
	assert_string_equal(d.reason, "invalid JSON: nested too deeply");
	/* Thirty-two levels are allowed, and the unknown key is what is wrong. */
	n = (size_t)snprintf(buf, sizeof buf, "{\"type\":\"statement\",\"a\":");
	for (int i = 0; i < 32; i++)
		buf[n++] = '[';
	for (int i = 0; i < 32; i++)
		buf[n++] = ']';
	buf[n++] = '}';
	assert_int_equal(parse_n(buf, n, &r, &d), CR_EINVAL);
	assert_string_equal(d.field, "a");
	assert_string_equal(d.reason, "unknown field");
}

static void test_too_many_fields(void **state)
{
	(void)state;
	char buf[1024];
	size_t n = (size_t)snprintf(buf, sizeof buf, "{\"type\":\"statement\"");
	for (int i = 1; i < CR_FIELDS_MAX; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, ",\"k%d\":%d", i, i);
	snprintf(buf + n, sizeof buf - n, "}");
	/* CR_FIELDS_MAX members are collected; the first unknown one fails. */
	expect_bad(buf, "k1", "unknown field");
	snprintf(buf + n, sizeof buf - n, ",\"last\":0}");
	expect_bad(buf, "", "too many fields");
}

static void test_line_too_long(void **state)
{
	(void)state;
	struct cr_record r;
	struct cr_diag d;
	char *big = malloc(CR_LINE_MAX + 1);
	assert_non_null(big);
	memset(big, ' ', CR_LINE_MAX + 1);
	assert_int_equal(cr_jsonl_parse(big, CR_LINE_MAX + 1, asof(), &r, &d), CR_EINVAL);
	assert_string_equal(d.field, "");
	assert_string_equal(d.reason, "line too long");
	/* A line of exactly CR_LINE_MAX is parsed (here: all blank). */
	assert_int_equal(cr_jsonl_parse(big, CR_LINE_MAX, asof(), &r, &d), CR_EINVAL);
	assert_string_equal(d.reason, "empty line");
	free(big);
}

/* Every proper prefix of a valid line is refused, and none is read past its
 * end (the buffer is exactly the prefix). */
static void test_prefixes(void **state)
{
	(void)state;
	static const char line[] =
		"{\"type\":\"account\",\"institution\":\"B0001\",\"account\":\"L-1\","
		"\"id\":\"11010519491231002X\",\"name\":\"\\u5f20\\ud83d\\ude00\xe4\xb8\x89\","
		"\"product\":\"installment\",\"opened\":\"2023-01-15\",\"principal\":12e0,"
		"\"term_months\":12,\"co_lenders\":[{\"institution\":\"B2\",\"share_bp\":1}],"
		"\"x\":[true,false,null,{\"y\":-1.5E-3}]}";
	struct cr_record r;
	struct cr_diag d;
	const size_t n = sizeof line - 1;
	for (size_t k = 0; k < n; k++)
		assert_int_equal(parse_n(line, k, &r, &d), CR_EINVAL);
	assert_int_equal(parse_n(line, n, &r, &d), CR_EINVAL);
	assert_string_equal(d.field, "principal");
	assert_string_equal(d.reason, MINOR);
}

/* ---- Information a bureau may not collect (DESIGN.md rule 6). ---- */

#define PROHIB "prohibited information"

/* The diagnostic's field for a key: at most 31 bytes (ASCII keys here). */
static void field_of(const char *prefix, const char *key, char *out)
{
	const size_t cap = sizeof ((struct cr_diag *)0)->field;
	char full[128] = {0};
	snprintf(full, sizeof full, "%s%s", prefix, key);
	memcpy(out, full, cap - 1);
	out[cap - 1] = '\0';
}

/* Writes key in a form: 0 as listed, 1 CamelCase, 2 with '-', 3 UPPER,
 * 4 with its first character as a \u escape (ASCII keys only). */
static int key_form(const char *key, int form, char *out, size_t cap,
		    char *decoded, size_t dcap)
{
	size_t o = 0;
	int up = 1;
	if (form > 0 && (unsigned char)key[0] >= 0x80)
		return 0;
	if (form == 4) {
		o = (size_t)snprintf(out, cap, "\\u%04x%s", key[0], key + 1);
		snprintf(decoded, dcap, "%s", key);
		return (int)o;
	}
	for (const char *k = key; *k && o + 1 < cap; k++) {
		char c = *k;
		if (c == '_') {
			up = 1;
			if (form == 1)
				continue;
			if (form == 2)
				c = '-';
		} else {
			if (c >= 'a' && c <= 'z' && (form == 3 || (form == 1 && up)))
				c = (char)(c - 'a' + 'A');
			up = 0;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	snprintf(decoded, dcap, "%s", out);
	return 1;
}

static void test_prohibited_keys_every_type(void **state)
{
	(void)state;
	static const struct kv *const bases[] = {stmt_base, account_base,
						 consent_base, inst_base};
	size_t n;
	const struct cr_prohibited_term *keys = cr_prohibited_keys(&n);
	char k[96], dk[96], field[64], val[256], buf[2048];
	for (size_t i = 0; i < n; i++)
		for (int form = 0; form <= 4; form++) {
			if (!key_form(keys[i].text, form, k, sizeof k, dk, sizeof dk))
				continue;
			/* At the top level of every record type, string or null. */
			for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
				field_of("", dk, field);
				expect_bad(with(bases[b], k, "\"AB\"", buf, sizeof buf),
					   field, PROHIB);
				expect_bad(with(bases[b], k, "null", buf, sizeof buf),
					   field, PROHIB);
			}
			/* Inside a co-lender object. */
			snprintf(val, sizeof val,
				 "[{\"institution\":\"B2\",\"share_bp\":10000,\"%s\":1}]", k);
			field_of("co_lenders[0].", dk, field);
			expect_bad(with(account_base, "co_lenders", val, buf, sizeof buf),
				   field, PROHIB);
		}
}

/* Puts value v into field f of base and expects the free-text rejection. */
static void expect_marker(const struct kv *base, const char *f, const char *v)
{
	char raw[256], buf[2048];
	snprintf(raw, sizeof raw, "\"%s\"", v);
	expect_bad(with(base, f, raw, buf, sizeof buf), f, PROHIB);
}

static void test_prohibited_markers_every_field(void **state)
{
	(void)state;
	size_t n;
	const struct cr_prohibited_term *m = cr_prohibited_markers(&n);
	char v[128];
	for (size_t i = 0; i < n; i++) {
		if (m[i].labelled)
			snprintf(v, sizeof v, "Zhang San %s: AB", m[i].text);
		else
			snprintf(v, sizeof v, "Zhang San %s AB", m[i].text);
		expect_marker(account_base, "name", v);
		expect_marker(account_base, "address", v);
		expect_marker(inst_base, "name", v);
		expect_marker(consent_base, "evidence", v);
	}
	/* Escaped in the JSON text: 血型 and "Race:". */
	expect_marker(account_base, "name", "\\u8840\\u578b O");
	expect_marker(account_base, "address", "\\u0052ace: Han");
	expect_marker(consent_base, "evidence", "sha256:00 blood\\u005ftype=A");
}

static void test_prohibited_realistic_text_passes(void **state)
{
	(void)state;
	static const char *const names[] = {
		"\"Faith Wang\"", "\"Iris Chen\"", "\"Gene Kim\"", "\"Eugene Park\"",
		"\"\\u6b27\\u9633\\u5a1c\\u5a1c\"", "\"Hiva Moradi\"",
	};
	static const char *const addresses[] = {
		"\"民族大道1号\"", "\"广西壮族自治区南宁市青秀区民族大道100号\"",
		"\"云南省昆明市五华区民族路12号\"", "\"Faith Street 3\"",
		"\"3 Race Course Road\"", "\"12 Archive Lane\"",
		"\"上海市虹口区健康路8号\"", "\"杭州市疾病预防控制中心\"",
		"\"深圳市大鹏新区国家基因库\"", "\"广西壮族自治区民族宗教事务委员会\"",
	};
	char buf[2048];
	struct cr_record r;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		expect_ok(with(account_base, "name", names[i], buf, sizeof buf), &r);
	for (size_t i = 0; i < sizeof addresses / sizeof addresses[0]; i++)
		expect_ok(with(account_base, "address", addresses[i], buf, sizeof buf), &r);
	expect_ok(with(inst_base, "name", "\"Faith Community Bank\"", buf, sizeof buf), &r);
	expect_ok(with(consent_base, "evidence", "\"third party: Alipay; face-to-face\"",
		       buf, sizeof buf), &r);
	/* Structured fields are not free text. */
	expect_ok(with(account_base, "account", "\"HIV-0001\"", buf, sizeof buf), &r);
	assert_string_equal(r.u.account.account, "HIV-0001");
}

struct prohib_row {
	const char *line;
	const char *field;
	const char *reason;
};

/* Which fault is reported when a record has prohibited information and
 * something else wrong. */
static const struct prohib_row prohib_rows[] = {
	/* Prohibited information outranks field errors before it... */
	{"{\"type\":\"statement\",\"balance\":1.5,\"religion\":\"x\"}", "religion", PROHIB},
	{"{\"type\":\"statement\",\"foo\":1,\"Race\":\"x\"}", "Race", PROHIB},
	{"{\"type\":\"account\",\"id\":\"110105194912310021\",\"name\":\"x\",\"address\":\"blood type AB\"}",
	 "address", PROHIB},
	{"{\"type\":\"account\",\"credit_limit\":-1,\"co_lenders\":[{\"institution\":\"B1\"},{\"dna\":1}]}",
	 "co_lenders[1].dna", PROHIB},
	/* ... missing fields and a missing or unknown type... */
	{"{\"type\":\"statement\",\"blood_type\":\"A\"}", "blood_type", PROHIB},
	{"{\"blood_type\":\"A\"}", "blood_type", PROHIB},
	{"{\"type\":\"loan\",\"民族\":\"汉\"}", "民族", PROHIB},
	{"{\"type\":\"statement\",\"type\":\"statement\",\"faith\":1}", "faith", PROHIB},
	/* ... and the first one in line order is the one reported. */
	{"{\"type\":\"account\",\"name\":\"HIV\",\"dna\":1}", "name", PROHIB},
	{"{\"type\":\"account\",\"dna\":1,\"name\":\"HIV\"}", "dna", PROHIB},
	{"{\"genome\":1,\"type\":\"statement\",\"iris\":1}", "genome", PROHIB},
	/* Line-level faults come first. */
	{"{\"type\":\"statement\",\"religion\":\"x\"", "", "invalid JSON: expected ',' or '}'"},
	{"{\"religion\":\"\xff\"}", "", "line is not valid UTF-8"},
	/* Free text is only scanned where the record type has it. */
	{"{\"type\":\"statement\",\"name\":\"religion: x\"}", "name", "unknown field"},
	/* Nested elsewhere: the field holding it is what is wrong. */
	{"{\"type\":\"statement\",\"balance\":{\"religion\":1}}", "balance",
	 "must be a JSON integer"},
	/* Near-miss keys are unknown fields, not prohibited ones. */
	{"{\"type\":\"statement\",\"third_party_ref\":1}", "third_party_ref", "unknown field"},
	{"{\"type\":\"statement\",\"blood\\u0000type\":1}", "blood", "unknown field"},
};

static void test_prohibited_precedence(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof prohib_rows / sizeof prohib_rows[0]; i++)
		expect_bad(prohib_rows[i].line, prohib_rows[i].field,
			   prohib_rows[i].reason);
	/* The exported constant is the reason. */
	assert_string_equal(CR_REASON_PROHIBITED, PROHIB);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	struct cr_record r;
	struct cr_diag d;
	assert_int_equal(cr_jsonl_parse(NULL, 5, asof(), &r, &d), CR_EINVAL);
	assert_int_equal(cr_jsonl_parse("{}", 2, asof(), NULL, &d), CR_EINVAL);
	assert_int_equal(cr_jsonl_parse("{}", 2, asof(), &r, NULL), CR_EINVAL);
	assert_int_equal(cr_jsonl_parse(NULL, 0, asof(), &r, &d), CR_EINVAL);
	assert_string_equal(d.reason, "empty line");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statement_fields),
		cmocka_unit_test(test_statement_type_last_and_spaces),
		cmocka_unit_test(test_statement_minus_zero_and_crlf),
		cmocka_unit_test(test_account_all_fields),
		cmocka_unit_test(test_account_defaults),
		cmocka_unit_test(test_account_sixteen_colenders),
		cmocka_unit_test(test_institution_fields),
		cmocka_unit_test(test_consent_fields),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_length_limits),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_raw_rejections),
		cmocka_unit_test(test_valid_utf8_edges),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_too_many_fields),
		cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_prohibited_keys_every_type),
		cmocka_unit_test(test_prohibited_markers_every_field),
		cmocka_unit_test(test_prohibited_realistic_text_passes),
		cmocka_unit_test(test_prohibited_precedence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
