/*
 * test_months.c - months built together in one walk of the store
 * (cr_sup_build_months, cr_monthly_walk_months) equal each month built on
 * its own (cr_sup_build), cell by cell, on generated people with accounts
 * of every product, delinquencies, closures and held data, plus drawdown
 * and repayment events spread over the months; and a range that runs past
 * the as-of month gives empty months, as cr_sup_build does.
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

#include "aggregates.h"
#include "cr_buf.h"
#include "cr_date.h"
#include "cr_err.h"
#include "gen.h"
#include "ingest.h"
#include "store.h"

#include "../store_fixture.h"

#define ASOF "2026-06-30"
#define MONTHS 15

static int32_t asof(void)
{
	int32_t d;
	assert_int_equal(cr_date_parse(ASOF, strlen(ASOF), &d), 0);
	return d;
}

/* The value of "name":"..." in line, into out. */
static int member(const char *line, const char *name, char *out, size_t cap)
{
	char pat[32];
	snprintf(pat, sizeof pat, "\"%s\":\"", name);
	const char *p = strstr(line, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	const char *q = strchr(p, '"');
	if (!q || (size_t)(q - p) >= cap)
		return -1;
	memcpy(out, p, (size_t)(q - p));
	out[q - p] = '\0';
	return 0;
}

static int show_reject(const struct cr_diag *d, const char *line, size_t len, void *arg)
{
	size_t *n = arg;
	if ((*n)++ < 5)
		fprintf(stderr, "rejected: %s: %s: %.*s\n", d->field, d->reason, (int)len, line);
	return 0;
}

/* Generated people, and events on every seventh open account: a drawdown and a
 * repayment in each of the last months, on varying days. */
static void load(cr_store *st)
{
	char *data = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&data, &len);
	assert_non_null(f);
	struct cr_gen_opts o = {.subjects = 400, .institutions = 8, .months = 24, .seed = 5,
				.consent_rate = 0.8, .bad_rate = 0, .asof_days = asof()};
	struct cr_gen_stats gs;
	assert_int_equal(cr_gen_run(&o, f, NULL, &gs, NULL, NULL), 0);
	assert_int_equal(fclose(f), 0);
	struct cr_buf ev;
	cr_buf_init(&ev, 64u << 20);
	size_t n_acct = 0, n_ev = 0;
	for (char *line = data; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char inst[16], acct[40], opened[16];
		/* open accounts (no closing status) opened before the events */
		if (strncmp(line, "{\"type\":\"account\"", 17) == 0 && n_acct++ % 7 == 0 &&
		    !strstr(line, "\"status\":") &&
		    member(line, "opened", opened, sizeof opened) == 0 &&
		    strcmp(opened, "2025-12-01") < 0 &&
		    member(line, "institution", inst, sizeof inst) == 0 &&
		    member(line, "account", acct, sizeof acct) == 0) {
			for (int m = 1; m <= 6; m++) {
				cr_buf_printf(&ev, "{\"type\":\"event\",\"institution\":\"%s\",\"account\":\"%s\","
					      "\"event_id\":\"t-%zu-%d-d\",\"at\":\"2026-%02d-%02dT10:00:00+08:00\","
					      "\"kind\":\"drawdown\",\"amount\":%d}\n",
					      inst, acct, n_acct, m, m, 1 + (int)(n_acct % 28), 1000 * m);
				cr_buf_printf(&ev, "{\"type\":\"event\",\"institution\":\"%s\",\"account\":\"%s\","
					      "\"event_id\":\"t-%zu-%d-r\",\"at\":\"2026-%02d-%02dT11:00:00+08:00\","
					      "\"kind\":\"repayment\",\"amount\":%d}\n",
					      inst, acct, n_acct, m, m, 2 + (int)(n_acct % 27), 700 * m);
				n_ev += 2;
			}
		}
		if (nl)
			*nl = '\n';
		line = nl ? nl + 1 : NULL;
	}
	assert_true(n_ev > 100);
	struct cr_ingest *ig;
	struct cr_ingest_counts c;
	size_t rejects = 0;
	assert_int_equal(cr_ingest_begin(st, asof(), show_reject, &rejects, &ig), 0);
	assert_int_equal(cr_ingest_buffer(ig, data, len, 1), 0);
	assert_int_equal(cr_ingest_buffer(ig, ev.data, ev.len, 1), 0);
	assert_int_equal(cr_ingest_end(ig, &c), 0);
	assert_int_equal(c.rejected, 0);
	assert_true(c.held > 0);
	free(data);
	cr_buf_fini(&ev);
}

static void same_month(const struct cr_sup_month *a, const struct cr_sup_month *b)
{
	assert_int_equal(a->month, b->month);
	assert_int_equal(a->min_cell, b->min_cell);
	for (int by = 0; by < CR_SUP_BYS; by++) {
		assert_int_equal(a->by[by].n, b->by[by].n);
		for (size_t i = 0; i < a->by[by].n; i++) {
			const struct cr_sup_cell *x = &a->by[by].cells[i], *y = &b->by[by].cells[i];
			assert_string_equal(x->key, y->key);
			assert_memory_equal(x, y, sizeof *x);
		}
	}
}

static void months_in_one_walk_equal_months_alone(void **state)
{
	struct fixture *fx = *state;
	load(fx->st);
	const int32_t last = cr_month_of_date(asof());
	/* a range past the as-of month: its months after it are empty */
	const int32_t first = last - MONTHS + 2;
	static struct cr_sup_month together[MONTHS], alone;
	cr_txn *txn;
	assert_int_equal(cr_store_begin(fx->st, 0, &txn), 0);
	assert_int_equal(cr_sup_build_months(txn, first, MONTHS, asof(), 1, together), 0);
	uint64_t accounts = 0, rolled = 0, flows = 0;
	for (size_t i = 0; i < MONTHS; i++) {
		assert_int_equal(cr_sup_build(txn, first + (int32_t)i, asof(), 1, &alone), 0);
		same_month(&together[i], &alone);
		for (size_t c = 0; c < alone.by[CR_SUP_BY_PRODUCT].n; c++) {
			const struct cr_sup_cell *cell = &alone.by[CR_SUP_BY_PRODUCT].cells[c];
			accounts += cell->accounts;
			for (int b = 0; b < CR_DPD_BANDS; b++)
				rolled += cell->roll[b][CR_DPD_0] + cell->roll[CR_DPD_0][b + 1];
			for (int d = 0; d < 31; d++)
				flows += (uint64_t)(cell->day_drawdowns[d] + cell->day_repayments[d]);
		}
		cr_sup_fini(&alone);
	}
	/* the comparison had something to compare */
	assert_true(accounts > 1000);
	assert_true(rolled > 100);
	assert_true(flows > 0);
	/* the month after the as-of month is empty, as alone */
	for (int by = 0; by < CR_SUP_BYS; by++)
		assert_int_equal(together[MONTHS - 1].by[by].n, 0);
	/* the same months with the default minimum: suppression runs per month */
	static struct cr_sup_month sup[3];
	assert_int_equal(cr_sup_build_months(txn, last - 2, 3, asof(), 10, sup), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(cr_sup_build(txn, last - 2 + i, asof(), 10, &alone), 0);
		same_month(&sup[i], &alone);
		cr_sup_fini(&alone);
		cr_sup_fini(&sup[i]);
	}
	assert_int_equal(cr_sup_build_months(txn, first, 0, asof(), 1, sup), CR_EINVAL);
	assert_int_equal(cr_sup_build_months(txn, first, CR_MONTHLY_WALK_MONTHS_MAX + 1, asof(), 1, NULL),
			 CR_EINVAL);
	cr_store_abort(txn);
	for (size_t i = 0; i < MONTHS; i++)
		cr_sup_fini(&together[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(months_in_one_walk_equal_months_alone, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
