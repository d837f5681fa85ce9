/*
 * test_oracle.c - the trainer against the truth on generated data.
 *
 * The generator draws each person's risk grade and lets it drive their
 * delinquency; gen --risk-out writes the probability of going 90+ days
 * past due that the grade implies.  No model can know more about a
 * generated person than that: its AUC on the held-out rows is the oracle.
 * A scorecard fitted on the bureau's own history (features as of a year
 * before the as-of date, bad = 90+ within the next 12 months) must reach
 * at least 95% of it on the same rows (issue 12).
 *
 * The scorecard's reasons follow from its points: each reason lost more
 * points than the next, and none lost nothing.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cr_date.h"
#include "cr_err.h"
#include "features.h"
#include "fit.h"
#include "gen.h"
#include "ingest.h"
#include "metrics.h"
#include "model.h"
#include "store.h"

#include "../store_fixture.h"

#define PEOPLE 6000

static int32_t day(const char *s)
{
	int32_t d;
	assert_int_equal(cr_date_parse(s, strlen(s), &d), 0);
	return d;
}

struct person {
	struct cr_subject_key k;
	double risk;
};

static int by_key(const void *a, const void *b)
{
	return memcmp(((const struct person *)a)->k.b, ((const struct person *)b)->k.b,
		      CR_SUBJECT_KEY_LEN);
}

/* Generates PEOPLE people into the store; their latent risk by subject key,
 * sorted for bsearch. */
static struct person *generate(cr_store *st)
{
	struct cr_gen_opts o;
	struct cr_gen_stats gs;
	char *data = NULL, *risk = NULL;
	size_t data_len = 0, risk_len = 0, n = 0;
	cr_gen_opts_init(&o);
	o.subjects = PEOPLE;
	o.months = 60;
	o.seed = 23;
	o.asof_days = day("2026-06-30");
	FILE *out = open_memstream(&data, &data_len);
	o.risk_out = open_memstream(&risk, &risk_len);
	assert_int_equal(cr_gen_run(&o, out, NULL, &gs, NULL, NULL), 0);
	fclose(out);
	fclose(o.risk_out);
	struct cr_ingest *ig;
	struct cr_ingest_counts c;
	assert_int_equal(cr_ingest_begin(st, o.asof_days, NULL, NULL, &ig), 0);
	assert_int_equal(cr_ingest_buffer(ig, data, data_len, 1), 0);
	assert_int_equal(cr_ingest_end(ig, &c), 0);
	assert_int_equal(c.rejected, 0);
	struct person *p = calloc(PEOPLE, sizeof *p);
	assert_non_null(p);
	for (char *s = strchr(risk, '\n') + 1; *s; s = strchr(s, '\n') + 1, n++) {
		char id[CR_ID_LEN + 1];
		unsigned grade;
		assert_true(n < PEOPLE);
		assert_int_equal(sscanf(s, "%18[0-9X],%lf,%u", id, &p[n].risk, &grade), 3);
		cr_store_subject_key(st, id, &p[n].k);
	}
	assert_int_equal(n, PEOPLE);
	qsort(p, n, sizeof *p, by_key);
	free(data);
	free(risk);
	return p;
}

/* AUC over the held-out rows of risk[] against d's target. */
static double test_auc(const struct cr_dataset *d, const double *risk)
{
	double *r = malloc(d->rows * sizeof *r), auc = 0;
	uint8_t *y = malloc(d->rows);
	size_t n = 0;
	assert_true(r && y);
	for (size_t i = 0; i < d->rows; i++)
		if (d->test[i]) {
			r[n] = risk[i];
			y[n++] = d->y[i];
		}
	assert_true(n > 1000);
	assert_int_equal(cr_metrics_auc(r, y, n, &auc), 0);
	free(r);
	free(y);
	return auc;
}

static void fitted_auc_reaches_the_oracle(void **state)
{
	struct fixture *fx = *state;
	struct person *people = generate(fx->st);
	struct cr_dataset d;
	struct cr_subject_key *keys;
	assert_int_equal(cr_features_dataset_keys(fx->st, day("2025-06-30"), 12, 0.3, &d, &keys),
			 0);
	double *oracle = malloc(d.rows * sizeof *oracle), *pd = malloc(d.rows * sizeof *pd);
	assert_true(oracle && pd);
	for (size_t i = 0; i < d.rows; i++) {
		const struct person key = {keys[i], 0}, *hit;
		hit = bsearch(&key, people, PEOPLE, sizeof *people, by_key);
		assert_non_null(hit);
		oracle[i] = hit->risk;
	}
	struct cr_fit_opts o;
	struct cr_fit_info *info = calloc(1, sizeof *info);
	struct cr_model *m = cr_model_new();
	struct cr_diag diag = {0, "", NULL};
	assert_true(info && m);
	cr_fit_opts_init(&o);
	assert_int_equal(cr_fit(&d, &o, m, info), 0);
	assert_int_equal(cr_model_score_table(m, &d, NULL, pd, &diag), 0);
	const double fitted = test_auc(&d, pd), truth = test_auc(&d, oracle);
	print_message("held-out AUC: scorecard %.4f, generator's latent risk %.4f (%.1f%%)\n",
		      fitted, truth, 100.0 * fitted / truth);
	assert_true(truth > 0.6);
	assert_true(fitted >= 0.95 * truth);
	cr_model_free(m);
	free(info);
	free(oracle);
	free(pd);
	free(keys);
	free(people);
	cr_dataset_fini(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(fitted_auc_reaches_the_oracle, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
