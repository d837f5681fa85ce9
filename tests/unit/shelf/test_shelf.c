/*
 * test_shelf.c - unit tests for the product shelf (docs/shelf.md): the
 * product and holding records as parsed (jsonl.c) and validated
 * (validate.c), their checks and byte layouts (store_codec.c), and the
 * rule (shelf.c) through its acts (op_shelf.c) on a fresh store: who is
 * offered what around a delisting's effective date, what a holder keeps,
 * the consent a platform needs, and the audit of orders and answers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent.h"
#include "cr_date.h"
#include "cr_err.h"
#include "ingest.h"
#include "jsonl.h"
#include "ops.h"
#include "shelf.h"
#include "store_codec.h"
#include "../store_fixture.h"
#include "validate.h"

#define HOLDER "11010519491231002X"
#define NEWCOMER "110105198001010016"

static int32_t day(int y, int m, int d)
{
	return cr_days_from_civil(y, m, d);
}

static int parse(const char *s, struct cr_record *r, struct cr_diag *d)
{
	memset(d, 0, sizeof *d);
	int rc = cr_jsonl_parse(s, strlen(s), day(2026, 5, 1), r, d);
	return rc ? rc : cr_validate_record(r, day(2026, 5, 1), d);
}

static void expect_bad(const char *s, const char *field, const char *reason)
{
	struct cr_record r;
	struct cr_diag d;
	int rc = parse(s, &r, &d);
	if (rc != CR_EINVAL || strcmp(d.field, field) || !d.reason || strcmp(d.reason, reason))
		print_error("line %s: got rc=%d field=[%s] reason=[%s]\n", s, rc, d.field,
			    d.reason ? d.reason : "(null)");
	assert_int_equal(rc, CR_EINVAL);
	assert_string_equal(d.field, field);
	assert_string_equal(d.reason, reason);
}

static void test_parse_product(void **state)
{
	(void)state;
	struct cr_record r;
	struct cr_diag d;
	assert_int_equal(parse("{\"type\":\"product\",\"institution\":\"P0001\",\"code\":\"WM-1\","
			       "\"issuer\":\"B0001\",\"category\":\"wealth\",\"licence\":\"L/2020-1\","
			       "\"name\":\"Wealth One\"}", &r, &d), 0);
	assert_int_equal(r.type, CR_REC_PRODUCT);
	assert_string_equal(r.u.product.platform, "P0001");
	assert_string_equal(r.u.product.code, "WM-1");
	assert_string_equal(r.u.product.issuer, "B0001");
	assert_int_equal(r.u.product.category, CR_CAT_WEALTH);
	assert_string_equal(r.u.product.licence, "L/2020-1");
	assert_string_equal(r.u.product.name, "Wealth One");
	assert_int_equal(cr_product_check(&r.u.product), 0);
	expect_bad("{\"type\":\"product\",\"institution\":\"P0001\",\"code\":\"WM-1\","
		   "\"issuer\":\"B0001\",\"category\":\"casino\",\"licence\":\"L1\",\"name\":\"x\"}",
		   "category", "not one of: internet_deposit, wealth, loan, insurance");
	expect_bad("{\"type\":\"product\",\"institution\":\"P0001\",\"code\":\"WM-1\","
		   "\"issuer\":\"B0001\",\"category\":\"loan\",\"name\":\"x\"}",
		   "licence", "required field missing");
	expect_bad("{\"type\":\"product\",\"institution\":\"P0001\",\"code\":\"W M\","
		   "\"issuer\":\"B0001\",\"category\":\"loan\",\"licence\":\"L1\",\"name\":\"x\"}",
		   "code", "not an institution code (1-15 characters of A-Z a-z 0-9 _ -)");
	expect_bad("{\"type\":\"product\",\"institution\":\"P0001\",\"code\":\"WM\",\"since\":\"2020-01-01\","
		   "\"issuer\":\"B0001\",\"category\":\"loan\",\"licence\":\"L1\",\"name\":\"x\"}",
		   "since", "unknown field");
}

static void test_parse_holding(void **state)
{
	(void)state;
	struct cr_record r;
	struct cr_diag d;
	assert_int_equal(parse("{\"type\":\"holding\",\"institution\":\"P0001\",\"id\":\"" HOLDER
			       "\",\"product\":\"WM-1\",\"since\":\"2025-01-02\"}", &r, &d), 0);
	assert_int_equal(r.type, CR_REC_HOLDING);
	assert_string_equal(r.u.holding.id, HOLDER);
	assert_string_equal(r.u.holding.product, "WM-1");
	assert_int_equal(r.u.holding.since_days, day(2025, 1, 2));
	assert_int_equal(r.u.holding.until_days, CR_NO_DATE);
	assert_int_equal(cr_holding_check(&r.u.holding), 0);
	assert_int_equal(parse("{\"type\":\"holding\",\"institution\":\"P0001\",\"id\":\"" HOLDER
			       "\",\"product\":\"WM-1\",\"since\":\"2025-01-02\",\"until\":\"2025-03-01\"}",
			       &r, &d), 0);
	assert_int_equal(r.u.holding.until_days, day(2025, 3, 1));
	expect_bad("{\"type\":\"holding\",\"institution\":\"P0001\",\"id\":\"" HOLDER
		   "\",\"product\":\"WM-1\",\"since\":\"2026-06-01\"}", "since",
		   "later than the as-of date");
	expect_bad("{\"type\":\"holding\",\"institution\":\"P0001\",\"id\":\"" HOLDER
		   "\",\"product\":\"WM-1\",\"since\":\"2025-01-02\",\"until\":\"2025-01-01\"}",
		   "until", "before since");
	expect_bad("{\"type\":\"holding\",\"institution\":\"P0001\",\"id\":\"" HOLDER
		   "\",\"since\":\"2025-01-02\"}", "product", "required field missing");
	expect_bad("{\"type\":\"holding\",\"institution\":\"P0001\",\"id\":\"" HOLDER
		   "\",\"product\":\"WM-1\",\"since\":\"2025-02-30\"}", "since",
		   "not a real date in YYYY-MM-DD form");
}

static void test_codec_round_trip(void **state)
{
	(void)state;
	struct cr_product_rec p = {"P0001", "WM-1", "B0001", CR_CAT_LOAN, "LIC", "Loan"}, q;
	uint8_t k[CR_KEY_PRODUCT_MAX], v[CR_PRODUCT_ENC_MAX];
	size_t kn = cr_key_product(p.platform, p.code, k), vn = cr_product_encode(&p, v);
	memset(&q, 0, sizeof q);
	assert_int_equal(cr_key_product_parse(k, kn, q.platform, q.code), 0);
	assert_int_equal(cr_product_decode(v, vn, &q), 0);
	assert_memory_equal(&p, &q, sizeof p);
	assert_int_equal(cr_product_decode(v, vn - 1, &q), CR_ECORRUPT);
	struct cr_delist d = {7, CR_DELIST_CATEGORY, "P0001", "", CR_CAT_WEALTH,
			      day(2026, 6, 10), day(2026, 6, 1), "S01", "mis-selling"}, e;
	uint8_t dv[CR_DELIST_ENC_MAX];
	size_t dn = cr_delist_encode(&d, dv);
	assert_int_equal(cr_delist_decode(7, dv, dn, &e), 0);
	assert_true(e.seq == d.seq && e.what == d.what && e.category == d.category &&
		    e.effective_days == d.effective_days && e.ordered_days == d.ordered_days);
	assert_string_equal(e.platform, d.platform);
	assert_string_equal(e.product, d.product);
	assert_string_equal(e.by, d.by);
	assert_string_equal(e.reason, d.reason);
	assert_int_equal(cr_delist_check(&e), 0);
	e.product[0] = 'X';
	assert_int_equal(cr_delist_check(&e), CR_EINVAL);
	assert_int_equal(cr_delist_decode(7, dv, dn - 1, &e), CR_ECORRUPT);
	struct cr_holding h = {"P0001", "", "WM-1", day(2025, 1, 2), day(2025, 1, 1)};
	assert_int_equal(cr_holding_check(&h), CR_EINVAL);
}

static const char FURNISHED[] =
	"{\"type\":\"institution\",\"code\":\"B0001\",\"name\":\"Bank\",\"kind\":\"bank\"}\n"
	"{\"type\":\"institution\",\"code\":\"P0001\",\"name\":\"Plat\",\"kind\":\"platform\"}\n"
	"{\"type\":\"institution\",\"code\":\"P0002\",\"name\":\"Other\",\"kind\":\"platform\"}\n"
	"{\"type\":\"product\",\"institution\":\"P0001\",\"code\":\"WM-1\",\"issuer\":\"B0001\","
	"\"category\":\"wealth\",\"licence\":\"L1\",\"name\":\"Wealth One\"}\n"
	"{\"type\":\"product\",\"institution\":\"P0001\",\"code\":\"DEP-1\",\"issuer\":\"B0001\","
	"\"category\":\"internet_deposit\",\"licence\":\"L2\",\"name\":\"Deposit\"}\n"
	"{\"type\":\"product\",\"institution\":\"P0002\",\"code\":\"WM-9\",\"issuer\":\"B0001\","
	"\"category\":\"wealth\",\"licence\":\"L3\",\"name\":\"Wealth Nine\"}\n"
	"{\"type\":\"holding\",\"institution\":\"P0001\",\"id\":\"" HOLDER "\","
	"\"product\":\"WM-1\",\"since\":\"2025-01-02\"}\n"
	"{\"type\":\"holding\",\"institution\":\"P0001\",\"id\":\"" HOLDER "\","
	"\"product\":\"NOPE\",\"since\":\"2025-01-02\"}\n";

static void load(cr_store *st)
{
	struct cr_ingest *ig;
	struct cr_ingest_counts c;
	assert_int_equal(cr_ingest_begin(st, day(2026, 5, 1), NULL, NULL, &ig), 0);
	assert_int_equal(cr_ingest_buffer(ig, FURNISHED, strlen(FURNISHED), 1), 0);
	assert_int_equal(cr_ingest_end(ig, &c), 0);
	assert_int_equal(c.accepted, 7);
	assert_int_equal(c.rejected, 1); /* the holding of an unknown product */
}

struct grant {
	struct cr_subject_key k;
};

static int act_grant(struct cr_op *op, void *arg)
{
	struct cr_consent c = {HOLDER, "P0001", CR_SCOPE_QUERY, CR_PURPOSE_LOAN_APPROVAL,
			       day(2026, 5, 1), CR_NO_DATE, CR_NO_DATE, ""};
	uint64_t released = 0;
	struct grant *g = arg;
	int rc = cr_consent_apply(op->txn, &g->k, &c, op->asof, &released);
	return rc < 0 ? rc : 0;
}

struct ask {
	struct cr_delist_request q;
	struct cr_delist d;
	struct cr_subject_key k;
	struct cr_shelf s;
};

static int act_order(struct cr_op *op, void *arg)
{
	struct ask *a = arg;
	return cr_shelf_order(op, &a->q, &a->d);
}

static int act_show(struct cr_op *op, void *arg)
{
	struct ask *a = arg;
	return cr_shelf_show(op, &a->k, &a->s);
}

/* k's shelf at date, for inst (NULL: the person). */
static int show(cr_store *st, struct ask *a, const char *id, const char *inst, int32_t at)
{
	struct cr_op op;
	cr_op_init(&op, st, inst ? CR_AUDIT_ROLE_LENDER : CR_AUDIT_ROLE_SUBJECT, inst, at);
	cr_op_subject(&op, id, &a->k);
	op.has_self = inst == NULL;
	op.self = a->k;
	return cr_op_run(&op, act_show, a);
}

static int order(cr_store *st, struct ask *a, const char *platform, const char *product,
		 const char *category)
{
	struct cr_op op;
	cr_op_init(&op, st, CR_AUDIT_ROLE_SUPERVISOR, NULL, day(2026, 6, 1));
	a->q = (struct cr_delist_request){platform, product, category, "mis-selling",
					  day(2026, 6, 10)};
	return cr_op_run(&op, act_order, a);
}

static int has(const struct cr_shelf_item *it, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(it[i].p.code, code) == 0)
			return 1;
	return 0;
}

static void test_delisted_product(void **state)
{
	struct fixture *f = *state;
	struct ask *a = calloc(1, sizeof *a);
	struct cr_op op;
	struct grant g;
	load(f->st);
	cr_op_init(&op, f->st, CR_AUDIT_ROLE_OPERATOR, NULL, day(2026, 5, 1));
	cr_op_subject(&op, HOLDER, &g.k);
	assert_int_equal(cr_op_run(&op, act_grant, &g), 0);
	assert_int_equal(order(f->st, a, NULL, "WM-1", NULL), 0);
	assert_int_equal(a->d.seq, 1);
	assert_string_equal(a->d.platform, "P0001");
	/* Before the effective date, offered to everyone. */
	assert_int_equal(show(f->st, a, NEWCOMER, NULL, day(2026, 6, 9)), 0);
	assert_true(has(a->s.offered, a->s.n_offered, "WM-1"));
	/* From it, to nobody new; the holder still holds it, marked. */
	assert_int_equal(show(f->st, a, NEWCOMER, NULL, day(2026, 6, 10)), 0);
	assert_false(has(a->s.offered, a->s.n_offered, "WM-1"));
	assert_true(has(a->s.offered, a->s.n_offered, "DEP-1"));
	assert_true(has(a->s.offered, a->s.n_offered, "WM-9"));
	assert_int_equal(a->s.n_held, 0);
	assert_int_equal(show(f->st, a, HOLDER, "P0001", day(2026, 6, 10)), 0);
	assert_false(has(a->s.offered, a->s.n_offered, "WM-1"));
	assert_false(has(a->s.offered, a->s.n_offered, "WM-9")); /* P0002's */
	assert_int_equal(a->s.n_held, 1);
	assert_string_equal(a->s.held[0].p.code, "WM-1");
	assert_true(a->s.held[0].delisted);
	/* Without the person's consent, a platform is refused. */
	assert_int_equal(show(f->st, a, NEWCOMER, "P0001", day(2026, 6, 10)), CR_EDENIED);
	assert_int_equal(show(f->st, a, HOLDER, "P0002", day(2026, 6, 10)), CR_EDENIED);
	free(a);
}

static void test_delisted_category(void **state)
{
	struct fixture *f = *state;
	struct ask *a = calloc(1, sizeof *a);
	load(f->st);
	assert_int_equal(order(f->st, a, "P0001", NULL, "wealth"), 0);
	assert_int_equal(show(f->st, a, NEWCOMER, NULL, day(2026, 7, 1)), 0);
	assert_int_equal(a->s.n_offered, 2);
	assert_true(has(a->s.offered, a->s.n_offered, "DEP-1"));
	assert_true(has(a->s.offered, a->s.n_offered, "WM-9"));
	assert_int_equal(show(f->st, a, HOLDER, NULL, day(2026, 7, 1)), 0);
	assert_int_equal(a->s.n_held, 1);
	assert_true(a->s.held[0].delisted);
	/* Refused orders: a bad category, an unknown product, a past date. */
	assert_int_equal(order(f->st, a, "P0001", NULL, "casino"), CR_EINVAL);
	assert_int_equal(order(f->st, a, "P0001", "NOPE", NULL), CR_ENOTFOUND);
	a->q.effective_days = day(2026, 5, 1);
	struct cr_op op;
	cr_op_init(&op, f->st, CR_AUDIT_ROLE_SUPERVISOR, NULL, day(2026, 6, 1));
	assert_int_equal(cr_op_run(&op, act_order, a), CR_EINVAL);
	/* Only a supervisor orders. */
	cr_op_init(&op, f->st, CR_AUDIT_ROLE_LENDER, "P0001", day(2026, 6, 1));
	a->q = (struct cr_delist_request){"P0001", "WM-1", NULL, "x", day(2026, 6, 10)};
	assert_int_equal(cr_op_run(&op, act_order, a), CR_EDENIED);
	free(a);
}

static void test_audited(void **state)
{
	struct fixture *f = *state;
	struct ask *a = calloc(1, sizeof *a);
	char path[160], line[1024];
	int orders = 0, answers = 0, refused = 0;
	load(f->st);
	assert_int_equal(order(f->st, a, NULL, "WM-1", NULL), 0);
	assert_int_equal(show(f->st, a, HOLDER, NULL, day(2026, 6, 10)), 0);
	assert_int_equal(show(f->st, a, HOLDER, "P0001", day(2026, 6, 10)), CR_EDENIED);
	snprintf(path, sizeof path, "%s/db/audit.log", f->dir);
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof line, fp)) {
		orders += strstr(line, "\"action\":\"shelf_delist\"") != NULL;
		answers += strstr(line, "\"action\":\"shelf_query\"") != NULL;
		refused += strstr(line, "\"action\":\"shelf_query\"") &&
			   strstr(line, "\"outcome\":\"refused\"");
	}
	fclose(fp);
	assert_int_equal(orders, 1);
	assert_int_equal(answers, 2);
	assert_int_equal(refused, 1);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_product),
		cmocka_unit_test(test_parse_holding),
		cmocka_unit_test(test_codec_round_trip),
		cmocka_unit_test_setup_teardown(test_delisted_product, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delisted_category, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audited, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
