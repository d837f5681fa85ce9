/*
 * test_quality.c - the supervision figures (quality.h, colending.h) on a
 * store filled through the real ingest: the lag buckets and percentiles,
 * the funding share of a partner without overflow, the floor on both sides
 * (a platform at 29% flagged, at 31% not, at exactly the floor not), what
 * an institution may read (ops.h), and the SVG fragments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "colending.h"
#include "cr_buf.h"
#include "cr_date.h"
#include "cr_err.h"
#include "ingest.h"
#include "ingest_quality.h"
#include "ops.h"
#include "quality.h"
#include "store.h"

#include "../store_fixture.h"

#define ID1 "11010519491231002X"

static const char file[] =
	"{\"type\":\"institution\",\"code\":\"P1\",\"name\":\"P\",\"kind\":\"platform\"}\n"
	"{\"type\":\"institution\",\"code\":\"P2\",\"name\":\"Q\",\"kind\":\"platform\"}\n"
	"{\"type\":\"institution\",\"code\":\"P3\",\"name\":\"R\",\"kind\":\"platform\"}\n"
	"{\"type\":\"institution\",\"code\":\"BK\",\"name\":\"B\",\"kind\":\"bank\"}\n"
	"{\"type\":\"account\",\"institution\":\"P1\",\"account\":\"a\",\"id\":\"" ID1 "\","
	"\"name\":\"Z\",\"product\":\"revolving\",\"opened\":\"2026-01-01\",\"credit_limit\":1,"
	"\"co_lenders\":[{\"institution\":\"P1\",\"share_bp\":2900},{\"institution\":\"BK\",\"share_bp\":7100}]}\n"
	"{\"type\":\"account\",\"institution\":\"P2\",\"account\":\"b\",\"id\":\"" ID1 "\","
	"\"name\":\"Z\",\"product\":\"revolving\",\"opened\":\"2026-01-01\",\"credit_limit\":1,"
	"\"co_lenders\":[{\"institution\":\"P2\",\"share_bp\":3100},{\"institution\":\"BK\",\"share_bp\":6900}]}\n"
	"{\"type\":\"account\",\"institution\":\"P3\",\"account\":\"c\",\"id\":\"" ID1 "\","
	"\"name\":\"Z\",\"product\":\"revolving\",\"opened\":\"2026-01-01\",\"credit_limit\":1,"
	"\"co_lenders\":[{\"institution\":\"P3\",\"share_bp\":3000},{\"institution\":\"BK\",\"share_bp\":7000}]}\n"
	"{\"type\":\"statement\",\"institution\":\"P1\",\"account\":\"a\",\"month\":\"2026-02\",\"balance\":1000000,\"due\":0,\"paid\":0,\"overdue\":0,\"dpd\":0,\"status\":\"N\"}\n"
	"{\"type\":\"statement\",\"institution\":\"P2\",\"account\":\"b\",\"month\":\"2026-02\",\"balance\":1000000,\"due\":0,\"paid\":0,\"overdue\":0,\"dpd\":0,\"status\":\"N\"}\n"
	"{\"type\":\"statement\",\"institution\":\"P3\",\"account\":\"c\",\"month\":\"2026-02\",\"balance\":1000000,\"due\":0,\"paid\":0,\"overdue\":0,\"dpd\":0,\"status\":\"N\"}\n"
	"{\"type\":\"statement\",\"institution\":\"P1\",\"account\":\"a\",\"month\":\"2026-02\",\"balance\":2000000,\"due\":0,\"paid\":0,\"overdue\":0,\"dpd\":0,\"status\":\"N\"}\n"
	"{\"type\":\"statement\",\"institution\":\"P1\",\"account\":\"zz\",\"month\":\"2026-02\",\"balance\":1,\"due\":0,\"paid\":0,\"overdue\":0,\"dpd\":0,\"status\":\"N\"}\n"
	"not json\n";

static int32_t day(const char *s)
{
	int32_t d;
	assert_int_equal(cr_date_parse(s, strlen(s), &d), 0);
	return d;
}

static void load(cr_store *st)
{
	struct cr_ingest *ig;
	struct cr_ingest_counts c;
	assert_int_equal(cr_ingest_begin(st, day("2026-03-15"), NULL, NULL, &ig), 0);
	assert_int_equal(cr_ingest_buffer(ig, file, sizeof file - 1, 1), 0);
	assert_int_equal(cr_ingest_end(ig, &c), 0);
	assert_int_equal(c.rejected, 2);
}

static void buckets_and_percentiles(void **state)
{
	(void)state;
	uint64_t h[CR_QUALITY_LAG_BUCKETS] = {0};
	assert_int_equal(cr_qual_bucket(-5), 0);
	assert_int_equal(cr_qual_bucket(0), 0);
	assert_int_equal(cr_qual_bucket(1), 1);
	assert_int_equal(cr_qual_bucket(2), 2);
	assert_int_equal(cr_qual_bucket(3), 2);
	assert_int_equal(cr_qual_bucket(86400), 17);
	assert_int_equal(cr_qual_bucket(INT64_MAX), CR_QUALITY_LAG_BUCKETS - 1);
	assert_int_equal(cr_quality_percentile(h, 50), -1);
	h[2] = 98;
	h[17] = 2;
	assert_int_equal(cr_quality_percentile(h, 50), 4);
	assert_int_equal(cr_quality_percentile(h, 98), 4);
	assert_int_equal(cr_quality_percentile(h, 99), 1 << 17);
	assert_int_equal(cr_qual_arrival(day("2026-03-15"), 0), cr_day_start_s(day("2026-03-15")));
	assert_int_equal(cr_qual_arrival(day("2026-03-15"), INT32_MAX * 4LL),
			 cr_day_end_s(day("2026-03-15")));
}

static void partner_shares(void **state)
{
	(void)state;
	assert_int_equal(cr_colending_part(1000000, 2900), 290000);
	assert_int_equal(cr_colending_part(9999, 3333), 3332);
	assert_int_equal(cr_colending_part(1000000000000000LL, 10000), 1000000000000000LL);
	assert_int_equal(cr_colending_part(1000000000000000LL, 1), 100000000000LL);
}

static const struct cr_colending_platform *platform(const struct cr_colending *c,
						     const char *code)
{
	for (size_t i = 0; i < c->n_platforms; i++)
		if (strcmp(c->platforms[i].platform, code) == 0)
			return &c->platforms[i];
	fail_msg("no row for %s", code);
	return NULL;
}

static void the_floor_on_both_sides(void **state)
{
	struct fixture *f = *state;
	struct cr_op op;
	struct cr_colending c;
	int32_t m;
	load(f->st);
	assert_int_equal(cr_month_parse("2026-02", 7, &m), 0);
	cr_op_init(&op, f->st, CR_AUDIT_ROLE_SUPERVISOR, NULL, day("2026-03-15"));
	assert_int_equal(cr_colending_read(&op, NULL, m, m, CR_COLENDING_FLOOR_BP, &c), 0);
	assert_int_equal(c.n_platforms, 3);
	assert_int_equal(platform(&c, "P1")->own_share_bp, 2900);
	assert_true(platform(&c, "P1")->flagged);
	assert_int_equal(platform(&c, "P1")->outstanding, 2000000);  /* the correction */
	assert_int_equal(platform(&c, "P1")->own, 580000);
	assert_int_equal(platform(&c, "P1")->accounts, 1);
	assert_int_equal(platform(&c, "P2")->own_share_bp, 3100);
	assert_false(platform(&c, "P2")->flagged);
	assert_false(platform(&c, "P3")->flagged);                  /* at the floor */
	struct cr_buf b;
	cr_buf_init(&b, 1 << 20);
	assert_int_equal(cr_colending_svg(&c, &b), 0);
	assert_non_null(memmem(b.data, b.len, "<svg", 4));
	assert_non_null(memmem(b.data, b.len, "</svg>", 6));
	assert_non_null(memmem(b.data, b.len, "<circle", 7));       /* P1, flagged */
	cr_buf_fini(&b);
	cr_colending_fini(&c);
	/* A 31% floor flags all three; 29% none. */
	assert_int_equal(cr_colending_read(&op, NULL, m, m, 3100, &c), 0);
	assert_true(platform(&c, "P3")->flagged && !platform(&c, "P2")->flagged);
	cr_colending_fini(&c);
	assert_int_equal(cr_colending_read(&op, NULL, m, m, 2900, &c), 0);
	assert_false(platform(&c, "P1")->flagged);
	cr_colending_fini(&c);
}

static void an_institution_reads_its_own_rows(void **state)
{
	struct fixture *f = *state;
	struct cr_op op;
	struct cr_quality q;
	struct cr_colending c;
	const int32_t d = day("2026-03-15");
	load(f->st);
	cr_op_init(&op, f->st, CR_AUDIT_ROLE_FURNISHER, "P1", d);
	assert_int_equal(cr_quality_read(&op, NULL, d, d, &q), 0);
	assert_int_equal(q.n_insts, 1);
	assert_string_equal(q.insts[0].total.inst, "P1");
	/* 1 institution, 1 account, 2 statements (1 late), 1 unknown account. */
	assert_int_equal(q.insts[0].total.submitted, 5);
	assert_int_equal(q.insts[0].total.rejected, 1);
	assert_int_equal(q.insts[0].total.late, 1);
	assert_int_equal(q.insts[0].total.held, 3);
	assert_int_equal(q.insts[0].borrowers, 1);
	assert_int_equal(q.insts[0].borrowers_covered, 0);
	assert_int_equal(q.insts[0].accounts_with_gaps, 1);          /* January */
	assert_int_equal(q.n_reasons, 1);
	struct cr_buf b;
	cr_buf_init(&b, 1 << 20);
	assert_int_equal(cr_quality_svg(&q, NULL, &b), 0);
	assert_non_null(memmem(b.data, b.len, "</svg>", 6));
	cr_buf_fini(&b);
	cr_quality_fini(&q);
	assert_int_equal(cr_quality_read(&op, "P2", d, d, &q), CR_EDENIED);
	assert_int_equal(cr_colending_read(&op, "BK", 0, 0, 3000, &c), CR_EDENIED);
	cr_op_init(&op, f->st, CR_AUDIT_ROLE_SUPERVISOR, NULL, d);
	assert_int_equal(cr_quality_read(&op, NULL, d, d, &q), 0);
	assert_int_equal(q.n_insts, 5);                              /* "-" too */
	assert_string_equal(q.insts[0].total.inst, "-");
	cr_quality_fini(&q);
	assert_int_equal(cr_quality_read(&op, NULL, d, d - 1, &q), CR_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buckets_and_percentiles),
		cmocka_unit_test(partner_shares),
		cmocka_unit_test_setup_teardown(the_floor_on_both_sides, setup, teardown),
		cmocka_unit_test_setup_teardown(an_institution_reads_its_own_rows, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
