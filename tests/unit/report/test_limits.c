/*
 * Unit tests for the per-person limits (cr_limits.h, DESIGN.md rule 10;
 * issue 14, defect 2): at each the write is refused with its reason, or
 * the newest are kept and counted, and no read fails however much a store
 * written before a limit holds.
 *
 *   accounts     the one past CR_SUBJECT_ACCOUNTS_MAX is a reject; a store
 *                holding more is read whole by a report, the supervision
 *                walk and the alert rules
 *   inquiries    a report lists the newest CR_REPORT_INQUIRIES_MAX and
 *                counts every one
 *   disputes     every one is read (what the newest hides is hidden), an
 *                account's annotations keep the newest, and the one past
 *                CR_SUBJECT_DISPUTES_MAX is refused
 *   holdings     a shelf keeps the newest CR_SHELF_MAX, and counts them
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "aggregates.h"
#include "alert.h"
#include "consent.h"
#include "cr_date.h"
#include "cr_err.h"
#include "cr_limits.h"
#include "dispute.h"
#include "ingest.h"
#include "report.h"
#include "shelf.h"

#include "../store_fixture.h"

#define PERSON "11010519491231002X"
#define MORE 76 /* accounts past the limit in a store written before it */

static int32_t asof(void)
{
	return cr_days_from_civil(2026, 6, 30);
}

struct rejects {
	size_t n;
	char field[32];
	const char *reason;
};

static int on_reject(const struct cr_diag *d, const char *line, size_t len, void *arg)
{
	struct rejects *r = arg;
	(void)line;
	(void)len;
	r->n++;
	snprintf(r->field, sizeof r->field, "%s", d->field);
	r->reason = d->reason;
	return 0;
}

/* Ingests the text, one record a line; returns the counts. */
static struct cr_ingest_counts ingest(cr_store *st, const char *text, struct rejects *rj)
{
	struct cr_ingest *ig;
	struct cr_ingest_counts c;
	assert_int_equal(cr_ingest_begin(st, asof(), on_reject, rj, &ig), 0);
	assert_int_equal(cr_ingest_buffer(ig, text, strlen(text), 1), 0);
	assert_int_equal(cr_ingest_end(ig, &c), 0);
	return c;
}

/* B0001 and B0002, both with a furnish consent of the person. */
static const char *const setup_lines =
	"{\"type\":\"institution\",\"code\":\"B0001\",\"name\":\"One\",\"kind\":\"bank\"}\n"
	"{\"type\":\"institution\",\"code\":\"B0002\",\"name\":\"Two\",\"kind\":\"bank\"}\n"
	"{\"type\":\"consent\",\"id\":\"" PERSON "\",\"institution\":\"B0001\",\"scope\":\"furnish\","
	"\"granted\":\"2025-01-01\"}\n"
	"{\"type\":\"consent\",\"id\":\"" PERSON "\",\"institution\":\"B0002\",\"scope\":\"furnish\","
	"\"granted\":\"2025-01-01\"}\n";

static void account_line(char *buf, size_t cap, const char *inst, int i)
{
	snprintf(buf, cap, "{\"type\":\"account\",\"institution\":\"%s\",\"account\":\"N-%05d\","
		 "\"id\":\"" PERSON "\",\"name\":\"张三\",\"product\":\"revolving\","
		 "\"opened\":\"2026-01-10\",\"credit_limit\":100000}\n", inst, i);
}

static void an_account_past_the_limit_is_refused_with_its_reason(void **state)
{
	struct fixture *f = *state;
	struct rejects rj = {0};
	const size_t line_max = 256;
	char *text = malloc((CR_SUBJECT_ACCOUNTS_MAX + 1) * line_max);
	assert_non_null(text);
	size_t n = 0;
	for (int i = 0; i < CR_SUBJECT_ACCOUNTS_MAX; i++) {
		account_line(text + n, line_max, "B0001", i);
		n += strlen(text + n);
	}
	ingest(f->st, setup_lines, &rj);
	struct cr_ingest_counts c = ingest(f->st, text, &rj);
	assert_int_equal(c.accepted, CR_SUBJECT_ACCOUNTS_MAX);
	assert_int_equal(rj.n, 0);
	/* One more, at another institution: refused, with its reason. */
	account_line(text, line_max, "B0002", 0);
	c = ingest(f->st, text, &rj);
	assert_int_equal(c.rejected, 1);
	assert_int_equal(rj.n, 1);
	assert_string_equal(rj.field, "id");
	assert_non_null(strstr(rj.reason, "1024 accounts"));
	/* The person's accounts go on as before. */
	c = ingest(f->st, "{\"type\":\"statement\",\"institution\":\"B0001\",\"account\":\"N-00007\","
		   "\"month\":\"2026-05\",\"balance\":1000,\"due\":100,\"paid\":100,\"overdue\":0,"
		   "\"dpd\":0,\"status\":\"N\"}\n", &rj);
	assert_int_equal(c.accepted, 1);
	free(text);
}

/* A store written before the limit: more accounts than it allows, written
 * through the store, as ingest no longer does. */
static void store_too_many(cr_store *st, struct cr_subject_key *k)
{
	cr_txn *txn;
	struct rejects rj = {0};
	ingest(st, setup_lines, &rj);
	cr_store_subject_key(st, PERSON, k);
	assert_int_equal(cr_store_begin(st, 1, &txn), 0);
	struct cr_subject s;
	memset(&s, 0, sizeof s);
	memcpy(s.id, PERSON, CR_ID_LEN);
	s.birth_days = cr_days_from_civil(1949, 12, 31);
	snprintf(s.name, sizeof s.name, "张三");
	assert_int_equal(cr_store_subject_put(txn, k, &s), 1);
	for (int i = 0; i < CR_SUBJECT_ACCOUNTS_MAX + MORE; i++) {
		struct cr_account_rec r;
		memset(&r, 0, sizeof r);
		r.subject = *k;
		snprintf(r.a.inst, sizeof r.a.inst, i ? "B0001" : "B0002");
		snprintf(r.a.account, sizeof r.a.account, "OLD-%05d", i);
		r.a.product = CR_PROD_REVOLVING;
		r.a.status = CR_ACCT_OPEN;
		r.a.id_type = CR_IDTYPE_RESIDENT;
		r.a.opened_days = cr_days_from_civil(2026, 1, 10);
		memcpy(r.a.currency, "CNY", 4);
		r.a.credit_limit = 100000;
		assert_int_equal(cr_store_account_put(txn, &r), 1);
	}
	assert_int_equal(cr_store_commit(txn), 0);
}

static void a_store_holding_more_accounts_is_read_whole(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	struct rejects rj = {0};
	cr_txn *txn;
	store_too_many(f->st, &k);
	/* No account more, but the alert rules read the person whole: B0002,
	 * which has an open account with them, watches B0001's news. */
	char line[256];
	account_line(line, sizeof line, "B0002", 1);
	struct cr_ingest_counts c = ingest(f->st, line, &rj);
	assert_int_equal(c.rejected, 1);
	c = ingest(f->st, "{\"type\":\"statement\",\"institution\":\"B0001\",\"account\":\"OLD-00003\","
		   "\"month\":\"2026-05\",\"balance\":1000,\"due\":100,\"paid\":100,\"overdue\":0,"
		   "\"dpd\":0,\"status\":\"N\"}\n", &rj);
	assert_int_equal(c.accepted, 1);

	struct cr_report *r = calloc(1, sizeof *r);
	assert_non_null(r);
	cr_report_init(r);
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_report_build(txn, &k, asof(), 0, r), 0);
	assert_int_equal(r->n_accounts, CR_SUBJECT_ACCOUNTS_MAX + MORE);
	assert_int_equal(cr_report_build(txn, &k, asof(), CR_REPORT_BARE, r), 0);
	assert_int_equal(r->n_accounts, CR_SUBJECT_ACCOUNTS_MAX + MORE);
	struct cr_sup_month m;
	assert_int_equal(cr_sup_build(txn, cr_month_of_date(asof()), asof(), 1, &m), 0);
	assert_int_equal(m.by[CR_SUP_BY_PRODUCT].n, 1);
	assert_int_equal(m.by[CR_SUP_BY_PRODUCT].cells[0].accounts, CR_SUBJECT_ACCOUNTS_MAX + MORE);
	assert_int_equal(m.by[CR_SUP_BY_PRODUCT].cells[0].borrowers, 1);
	cr_sup_fini(&m);
	cr_store_abort(txn);
	cr_report_fini(r);
	free(r);
}

static int32_t days_ago(int n)
{
	return asof() - n;
}

static void a_report_lists_the_newest_inquiries_and_counts_them_all(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	cr_txn *txn;
	const int old = 300, recent = 300;
	cr_store_subject_key(f->st, PERSON, &k);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	for (int i = 0; i < old + recent; i++) {
		struct cr_inquiry q = {i < old ? days_ago(400) : days_ago(i == old + recent - 1 ? 0 : 3),
				       0, "L0001", CR_PURPOSE_LOAN_APPROVAL, 0};
		if (i == old + recent - 1)
			q.purpose = CR_PURPOSE_GUARANTEE; /* the newest */
		if (i % 2 && i < old + recent - 1)
			q.purpose = CR_PURPOSE_POST_LOAN; /* not credit-seeking */
		assert_int_equal(cr_store_inquiry_add(txn, &k, &q), 0);
	}
	/* Out of the report's two years: before it, and after its as-of date. */
	struct cr_inquiry q = {days_ago(800), 0, "L0001", CR_PURPOSE_LOAN_APPROVAL, 0};
	assert_int_equal(cr_store_inquiry_add(txn, &k, &q), 0);
	q.date_days = asof() + 1;
	assert_int_equal(cr_store_inquiry_add(txn, &k, &q), 0);
	assert_int_equal(cr_store_commit(txn), 0);

	struct cr_report *r = calloc(1, sizeof *r);
	assert_non_null(r);
	cr_report_init(r);
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_report_build(txn, &k, asof(), CR_REPORT_HELD | CR_REPORT_BARE, r),
			 CR_ENOTFOUND); /* no account: nothing to report */
	assert_int_equal(cr_report_build(txn, &k, asof(), CR_REPORT_HELD, r), CR_ENOTFOUND);
	cr_store_abort(txn);
	/* An account, so the person has a file. */
	struct rejects rj = {0};
	char line[256];
	ingest(f->st, setup_lines, &rj);
	account_line(line, sizeof line, "B0001", 0);
	ingest(f->st, line, &rj);
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_report_build(txn, &k, asof(), 0, r), 0);
	assert_int_equal(r->inquiries_total, old + recent);
	assert_int_equal(r->n_inquiries, CR_REPORT_INQUIRIES_MAX);
	assert_int_equal(r->inquiries[0].purpose, CR_PURPOSE_GUARANTEE);
	assert_int_equal(r->inquiries[0].date_days, asof());
	for (size_t i = 1; i < r->n_inquiries; i++)
		assert_true(r->inquiries[i].seq < r->inquiries[i - 1].seq);
	assert_int_equal(cr_report_inquiries_within(r, 30, 0), recent);
	assert_int_equal(cr_report_inquiries_within(r, 30, 1), recent / 2 + 1);
	assert_int_equal(cr_report_inquiries_within(r, CR_REPORT_INQUIRY_DAYS, 0), old + recent);
	assert_int_equal(r->exposure.inquiries_30d.value, recent);
	cr_store_abort(txn);
	cr_report_fini(r);
	free(r);
}

static void every_dispute_is_read_and_annotations_keep_the_newest(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	struct rejects rj = {0};
	struct cr_dispute d;
	const char *why;
	cr_txn *txn;
	const int many = 299;
	char lines[1024];
	ingest(f->st, setup_lines, &rj);
	account_line(lines, sizeof lines, "B0001", 1);
	account_line(lines + strlen(lines), sizeof lines - strlen(lines), "B0002", 2);
	ingest(f->st, lines, &rj);
	ingest(f->st, "{\"type\":\"statement\",\"institution\":\"B0001\",\"account\":\"N-00001\","
	       "\"month\":\"2026-03\",\"balance\":1000,\"due\":100,\"paid\":100,\"overdue\":0,"
	       "\"dpd\":0,\"status\":\"N\"}\n", &rj);
	cr_store_subject_key(f->st, PERSON, &k);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	const int32_t march = cr_month_of_date(cr_days_from_civil(2026, 3, 1));
	for (int i = 0; i < many; i++) {
		assert_int_equal(cr_dispute_file(txn, &k, "B0001", "N-00001", march, "wrong",
						 days_ago(60), &d, &why), 0);
		assert_int_equal(cr_dispute_resolve(txn, d.id, "B0001", NULL, days_ago(59), &d, &why), 0);
	}
	/* The newest: a whole account, unanswered past its deadline. */
	assert_int_equal(cr_dispute_file(txn, &k, "B0002", "N-00002", CR_WHOLE_ACCOUNT, "not mine",
					 days_ago(25), &d, &why), 0);
	assert_int_equal(cr_store_commit(txn), 0);

	struct cr_report *r = calloc(1, sizeof *r);
	assert_non_null(r);
	cr_report_init(r);
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_report_build(txn, &k, asof(), 0, r), 0);
	assert_int_equal(r->n_all_disputes, many + 1);
	assert_int_equal(r->n_accounts, 1); /* B0002's is hidden */
	assert_string_equal(r->accounts[0].rec.a.inst, "B0001");
	assert_int_equal(r->accounts[0].disputes_total, many);
	assert_int_equal(r->accounts[0].n_disputes, CR_REPORT_ACCOUNT_DISPUTES_MAX);
	assert_int_equal(r->accounts[0].disputes[CR_REPORT_ACCOUNT_DISPUTES_MAX - 1].id, d.id - 1);
	assert_int_equal(cr_report_build(txn, &k, asof(), CR_REPORT_HELD, r), 0);
	assert_int_equal(r->n_accounts, 2); /* the person sees it */
	cr_store_abort(txn);
	cr_report_fini(r);
	free(r);
}

static void a_dispute_past_the_limit_is_refused(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	struct rejects rj = {0};
	struct cr_dispute d;
	const char *why;
	cr_txn *txn;
	char line[256];
	ingest(f->st, setup_lines, &rj);
	account_line(line, sizeof line, "B0001", 1);
	ingest(f->st, line, &rj);
	cr_store_subject_key(f->st, PERSON, &k);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_dispute_file(txn, &k, "B0001", "N-00001", CR_WHOLE_ACCOUNT, "wrong",
					 asof(), &d, &why), 0);
	/* The rest through the store, as many as the limit allows. */
	for (int i = 1; i < CR_SUBJECT_DISPUTES_MAX; i++) {
		d.id = 0;
		assert_int_equal(cr_store_dispute_put(txn, &d), 0);
	}
	assert_int_equal(cr_dispute_file(txn, &k, "B0001", "N-00001", CR_WHOLE_ACCOUNT, "wrong",
					 asof(), &d, &why), CR_ETOOBIG);
	assert_non_null(why);
	assert_non_null(strstr(why, "4096 disputes"));
	size_t n;
	assert_int_equal(cr_store_dispute_count(txn, &k, &n), 0);
	assert_int_equal(n, CR_SUBJECT_DISPUTES_MAX);
	cr_store_abort(txn);
}

static void a_shelf_keeps_the_newest_holdings(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	cr_txn *txn;
	const int held = CR_SHELF_MAX + 44;
	static struct cr_shelf s;
	struct rejects rj = {0};
	ingest(f->st, setup_lines, &rj);
	cr_store_subject_key(f->st, PERSON, &k);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	for (int i = 0; i < held; i++) {
		struct cr_product_rec p;
		struct cr_holding h;
		memset(&p, 0, sizeof p);
		memset(&h, 0, sizeof h);
		snprintf(p.platform, sizeof p.platform, "B0001");
		snprintf(p.code, sizeof p.code, "P%04d", i);
		snprintf(p.issuer, sizeof p.issuer, "B0002");
		p.category = CR_CAT_WEALTH;
		snprintf(p.licence, sizeof p.licence, "L1");
		snprintf(p.name, sizeof p.name, "Product");
		assert_int_equal(cr_store_product_put(txn, &p), 1);
		snprintf(h.platform, sizeof h.platform, "B0001");
		snprintf(h.product, sizeof h.product, "P%04d", i);
		/* Codes and days run opposite ways: the newest have the first codes. */
		h.since_days = days_ago(10 + i);
		h.until_days = CR_NO_DATE;
		assert_int_equal(cr_store_holding_put(txn, &k, &h), 1);
	}
	assert_int_equal(cr_shelf_build(txn, &k, "", asof(), &s), 0);
	assert_int_equal(s.n_held, CR_SHELF_MAX);
	assert_int_equal(s.n_held_total, held);
	assert_true(s.truncated);
	for (size_t i = 0; i < s.n_held; i++) {
		char code[32];
		snprintf(code, sizeof code, "P%04d", (int)i);
		assert_string_equal(s.held[i].p.code, code); /* the newest, in code order */
	}
	cr_store_abort(txn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(an_account_past_the_limit_is_refused_with_its_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(a_store_holding_more_accounts_is_read_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(a_report_lists_the_newest_inquiries_and_counts_them_all, setup, teardown),
		cmocka_unit_test_setup_teardown(every_dispute_is_read_and_annotations_keep_the_newest, setup, teardown),
		cmocka_unit_test_setup_teardown(a_dispute_past_the_limit_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(a_shelf_keeps_the_newest_holdings, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
