/*
 * test_event.c - event records: parsing (src/format/jsonl.c) and the rules
 * of src/validate/validate.c, each rule from both sides: a line just inside
 * it passes, a line just outside is refused with the field and reason a
 * furnisher would see.
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
#include "validate.h"

static int32_t asof(void)
{
	return cr_days_from_civil(2024, 6, 30);
}

/* Parses and validates s from an exact-size heap copy (ASan sees over-reads). */
static int check(const char *s, struct cr_record *r, struct cr_diag *d)
{
	const size_t n = strlen(s);
	char *copy = malloc(n);
	assert_non_null(copy);
	memcpy(copy, s, n);
	memset(d, 0, sizeof *d);
	int rc = cr_jsonl_parse(copy, n, asof(), r, d);
	free(copy);
	if (!rc)
		rc = cr_validate_record(r, asof(), d);
	return rc;
}

/* An event line: kind, at, amount and the rest of the members as given. */
static void line(char *out, size_t cap, const char *kind, const char *at,
		 const char *amount, const char *extra)
{
	snprintf(out, cap, "{\"type\":\"event\",\"institution\":\"B0001\","
		 "\"account\":\"HB-0001\",\"event_id\":\"ev-1\",\"at\":\"%s\","
		 "\"kind\":\"%s\",\"amount\":%s%s}", at, kind, amount, extra);
}

static void ok(const char *s)
{
	struct cr_record r;
	struct cr_diag d;
	const int rc = check(s, &r, &d);
	if (rc)
		print_error("refused: %s\n  field=%s reason=%s\n", s, d.field,
			    d.reason ? d.reason : "(null)");
	assert_int_equal(rc, 0);
	assert_int_equal(r.type, CR_REC_EVENT);
}

static void bad(const char *s, const char *field, const char *reason)
{
	struct cr_record r;
	struct cr_diag d;
	const int rc = check(s, &r, &d);
	if (rc != CR_EINVAL || strcmp(d.field, field) != 0 || !d.reason ||
	    strcmp(d.reason, reason) != 0)
		print_error("line: %s\n  want field=[%s] reason=[%s]\n  got rc=%d "
			    "field=[%s] reason=[%s]\n", s, field, reason, rc,
			    d.field, d.reason ? d.reason : "(null)");
	assert_int_equal(rc, CR_EINVAL);
	assert_string_equal(d.field, field);
	assert_string_equal(d.reason, reason);
}

static const char AT[] = "2021-01-15T10:00:00+08:00";
static const char R_TIME[] = "not an RFC 3339 time with a UTC offset in whole "
			     "seconds (YYYY-MM-DDThh:mm:ss+08:00)";

static void test_fields(void **state)
{
	(void)state;
	char s[512];
	struct cr_record r;
	struct cr_diag d;
	line(s, sizeof s, "overdue", AT, "12345", ",\"dpd\":17");
	assert_int_equal(check(s, &r, &d), 0);
	const struct cr_event *e = &r.u.event;
	assert_string_equal(e->inst, "B0001");
	assert_string_equal(e->account, "HB-0001");
	assert_string_equal(e->event_id, "ev-1");
	assert_int_equal(e->kind, CR_EV_OVERDUE);
	assert_int_equal(e->amount, 12345);
	assert_int_equal(e->dpd, 17);
	/* 10:00 at +08:00 is 02:00 UTC. */
	assert_int_equal(e->at_s, (int64_t)cr_days_from_civil(2021, 1, 15) * 86400 + 2 * 3600);
}

static void test_time_offsets(void **state)
{
	(void)state;
	const char *same[] = {"2021-01-15T02:00:00Z", "2021-01-15t02:00:00z",
			      "2021-01-15T10:00:00+08:00", "2021-01-14T21:00:00-05:00",
			      "2021-01-15T02:00:00+00:00"};
	int64_t want = 0;
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		int64_t t;
		assert_int_equal(cr_time_parse(same[i], strlen(same[i]), &t), 0);
		if (i == 0)
			want = t;
		assert_int_equal(t, want);
	}
	char txt[CR_TIME_TEXT_LEN];
	cr_time_format(want, txt);
	assert_string_equal(txt, "2021-01-15T10:00:00+08:00");
	const char *refused[] = {"2021-01-15T10:00:00", "2021-01-15 10:00:00+08:00",
				 "2021-01-15T10:00:00.5+08:00", "2021-01-15T24:00:00Z",
				 "2021-01-15T10:60:00Z", "2021-01-15T10:00:60Z",
				 "2021-02-30T10:00:00Z", "2021-01-15T10:00:00+24:00",
				 "2021-01-15T10:00:00+0800", "2021-01-15", ""};
	char s[512];
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		line(s, sizeof s, "fee", refused[i], "1", "");
		bad(s, "at", R_TIME);
	}
}

static void test_kinds(void **state)
{
	(void)state;
	char s[512];
	const char *kinds[] = {"drawdown", "repayment", "fee", "interest"};
	for (size_t i = 0; i < 4; i++) {
		line(s, sizeof s, kinds[i], AT, "1", "");
		ok(s);
		line(s, sizeof s, kinds[i], AT, "0", "");
		bad(s, "amount", "must be greater than 0 for this kind");
	}
	line(s, sizeof s, "refund", AT, "1", "");
	bad(s, "kind", "not one of: drawdown, repayment, fee, interest, overdue, "
	    "writeoff, close");
	line(s, sizeof s, "Drawdown", AT, "1", "");
	bad(s, "kind", "not one of: drawdown, repayment, fee, interest, overdue, "
	    "writeoff, close");
}

static void test_amounts(void **state)
{
	(void)state;
	char s[512];
	line(s, sizeof s, "drawdown", AT, "1000000000000000", "");
	ok(s);
	line(s, sizeof s, "drawdown", AT, "1000000000000001", "");
	bad(s, "amount", "amount too large");
	line(s, sizeof s, "drawdown", AT, "-1", "");
	bad(s, "amount", "amounts must not be negative");
	line(s, sizeof s, "drawdown", AT, "12.5", "");
	bad(s, "amount", "amounts are integers in minor units");
	line(s, sizeof s, "writeoff", AT, "0", "");
	ok(s);
	line(s, sizeof s, "writeoff", AT, "500", "");
	ok(s);
	line(s, sizeof s, "close", AT, "0", "");
	ok(s);
	line(s, sizeof s, "close", AT, "1", "");
	bad(s, "amount", "a close event carries amount 0");
}

static void test_dpd(void **state)
{
	(void)state;
	char s[512];
	line(s, sizeof s, "overdue", AT, "100", ",\"dpd\":1");
	ok(s);
	line(s, sizeof s, "overdue", AT, "100", ",\"dpd\":36500");
	ok(s);
	line(s, sizeof s, "overdue", AT, "100", ",\"dpd\":36501");
	bad(s, "dpd", "must be an integer 0..36500");
	line(s, sizeof s, "overdue", AT, "100", ",\"dpd\":0");
	bad(s, "dpd", "an overdue event needs dpd 1..36500");
	line(s, sizeof s, "overdue", AT, "100", "");
	bad(s, "dpd", "an overdue event needs dpd 1..36500");
	line(s, sizeof s, "overdue", AT, "100", ",\"dpd\":null");
	bad(s, "dpd", "an overdue event needs dpd 1..36500");
	line(s, sizeof s, "overdue", AT, "0", ",\"dpd\":5");
	bad(s, "amount", "must be greater than 0 for this kind");
	line(s, sizeof s, "repayment", AT, "100", ",\"dpd\":0");
	ok(s);
	line(s, sizeof s, "repayment", AT, "100", ",\"dpd\":3");
	bad(s, "dpd", "only an overdue event carries dpd (or dpd 0)");
}

static void test_event_id(void **state)
{
	(void)state;
	char s[512], id[80];
	struct cr_record r;
	struct cr_diag d;
	memset(id, 'x', 63);
	id[63] = '\0';
	snprintf(s, sizeof s, "{\"type\":\"event\",\"institution\":\"B0001\",\"account\":"
		 "\"A\",\"event_id\":\"%s\",\"at\":\"%s\",\"kind\":\"fee\",\"amount\":1}", id, AT);
	ok(s);
	assert_int_equal(check(s, &r, &d), 0);
	assert_string_equal(r.u.event.event_id, id);
	id[63] = 'x';
	id[64] = '\0';
	snprintf(s, sizeof s, "{\"type\":\"event\",\"institution\":\"B0001\",\"account\":"
		 "\"A\",\"event_id\":\"%s\",\"at\":\"%s\",\"kind\":\"fee\",\"amount\":1}", id, AT);
	bad(s, "event_id", "too long");
	const char *refused[][2] = {{"", "must not be empty"},
				    {"a b", "must be printable ASCII without spaces"},
				    {"\\u00e9", "must be printable ASCII without spaces"},
				    {"a\\tb", "must be printable ASCII without spaces"}};
	for (size_t i = 0; i < 4; i++) {
		snprintf(s, sizeof s, "{\"type\":\"event\",\"institution\":\"B0001\",\"account\":"
			 "\"A\",\"event_id\":\"%s\",\"at\":\"%s\",\"kind\":\"fee\",\"amount\":1}",
			 refused[i][0], AT);
		bad(s, "event_id", refused[i][1]);
	}
	snprintf(s, sizeof s, "{\"type\":\"event\",\"institution\":\"B0001\",\"account\":"
		 "\"A\",\"event_id\":\"%s\",\"at\":\"%s\",\"kind\":\"fee\",\"amount\":1}",
		 "!~#-_./:", AT);
	ok(s);
}

/* The end of the as-of day is 2024-06-30T23:59:59+08:00; 300 s of clock
 * skew are allowed after it. */
static void test_future(void **state)
{
	(void)state;
	char s[512];
	line(s, sizeof s, "fee", "2024-06-30T23:59:59+08:00", "1", "");
	ok(s);
	line(s, sizeof s, "fee", "2024-07-01T00:04:59+08:00", "1", "");
	ok(s);
	line(s, sizeof s, "fee", "2024-06-30T16:04:59Z", "1", "");
	ok(s);
	line(s, sizeof s, "fee", "2024-07-01T00:05:00+08:00", "1", "");
	bad(s, "at", "later than the end of the as-of day (23:59:59+08:00, 300 s clock skew allowed)");
	line(s, sizeof s, "fee", "2024-06-30T16:05:00Z", "1", "");
	bad(s, "at", "later than the end of the as-of day (23:59:59+08:00, 300 s clock skew allowed)");
}

static void test_members(void **state)
{
	(void)state;
	char s[512];
	const char *need[] = {"institution", "account", "event_id", "at", "kind", "amount"};
	for (size_t i = 0; i < 6; i++) {
		/* Drop one required member by renaming it to a null optional. */
		char full[512];
		line(full, sizeof full, "fee", AT, "1", "");
		char key[32];
		snprintf(key, sizeof key, "\"%s\":", need[i]);
		char *at = strstr(full, key);
		assert_non_null(at);
		char *end = strchr(at + strlen(key) + 1, ',');
		if (!end)
			end = strchr(at, '}');
		const size_t cut = (size_t)(end - at) + (*end == ',');
		memmove(at, at + cut, strlen(at + cut) + 1);
		if (at[-1] == ',' && at[0] == '}')
			memmove(at - 1, at, strlen(at) + 1);
		bad(full, need[i], "required field missing");
	}
	line(s, sizeof s, "fee", AT, "1", ",\"month\":\"2021-01\"");
	bad(s, "month", "unknown field");
	line(s, sizeof s, "fee", AT, "1", ",\"amount\":2");
	bad(s, "amount", "duplicate field");
	line(s, sizeof s, "fee", AT, "1", ",\"religion\":\"x\"");
	bad(s, "religion", "prohibited information");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_time_offsets),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_amounts),
		cmocka_unit_test(test_dpd),
		cmocka_unit_test(test_event_id),
		cmocka_unit_test(test_future),
		cmocka_unit_test(test_members),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
