/*
 * features_rate.c - how fast the score's features are computed for every
 * person of a store, next to one sequential read of the store (the ceiling
 * of any pass over everyone).  Run by bench/features.sh.
 *
 * Measures, each BENCH rounds on a warm store (the first round warms the
 * block cache and is not counted), people per second:
 *
 *   raw        every key and value of the store, as the engine returns them
 *              (cr_store__walk_raw): the read alone, nothing decoded;
 *   accounts   cr_store_accounts: every account, person by person, in one
 *              pass over the person family, account numbers opened;
 *   subjects   cr_store_subjects: the walk of people alone, a page at a time;
 *   features   cr_features_build for every person, a read transaction per
 *              page of CR_FEATURES_PAGE people (as cr_features_dataset);
 *   features2  the same on two threads, each taking every other page;
 *   dataset    cr_features_dataset observed a year before the as-of date
 *              with a 12-month horizon (features and target: two reports
 *              per person), in rows per second; also the share of rows
 *              that are bad.
 *
 * Usage: features_rate DB_DIR KEY_FILE AS_OF_DATE [ROUNDS]
 * Output: one line per measure, "name: people=N per_s=R best_per_s=B", then
 *   features: ... ratio_to_raw=F ratio_to_accounts=A
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cr_date.h"
#include "cr_err.h"
#include "cr_limits.h"
#include "features.h"
#include "store.h"
#include "store_int.h"

#define ROUNDS_MAX 20

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct people {
	struct cr_subject_key *k;
	size_t n;
};

static int load_people(cr_store *st, struct people *p)
{
	cr_txn *txn;
	size_t cap = 1 << 16, n;
	uint64_t pos = 0;
	int rc = cr_store_begin(st, 0, &txn);
	p->k = malloc(cap * sizeof *p->k);
	p->n = 0;
	while (!rc && p->k) {
		if (p->n + CR_FEATURES_PAGE > cap) {
			struct cr_subject_key *k = realloc(p->k, 2 * cap * sizeof *k);
			if (!k)
				break;
			p->k = k;
			cap *= 2;
		}
		rc = cr_store_subjects(txn, &pos, p->k + p->n, CR_FEATURES_PAGE, &n);
		if (rc || n == 0)
			break;
		p->n += n;
	}
	if (!rc)
		cr_store_abort(txn);
	return rc ? rc : p->k ? 0 : CR_ENOMEM;
}

static int count_raw(int cf, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn,
		     void *arg)
{
	(void)cf;
	*(uint64_t *)arg += kn + vn + k[0];
	(void)v;
	return 0;
}

static int count_account(const struct cr_account_rec *r, void *arg)
{
	*(uint64_t *)arg += (uint64_t)r->a.product;
	return 0;
}

struct job {
	cr_store *st;
	const struct people *p;
	int32_t asof;
	size_t first_page, step; /* pages first, first + step, ... */
	double sink;
	int rc;
};

static void *features_pages(void *arg)
{
	struct job *j = arg;
	struct cr_features f;
	for (size_t pg = j->first_page; pg * CR_FEATURES_PAGE < j->p->n && !j->rc; pg += j->step) {
		cr_txn *txn;
		const size_t lo = pg * CR_FEATURES_PAGE;
		const size_t hi = lo + CR_FEATURES_PAGE < j->p->n ? lo + CR_FEATURES_PAGE : j->p->n;
		if ((j->rc = cr_store_begin(j->st, 0, &txn)))
			break;
		for (size_t i = lo; i < hi && !j->rc; i++) {
			int rc = cr_features_build(txn, &j->p->k[i], j->asof, &f);
			if (rc && rc != CR_ENOTFOUND)
				j->rc = rc;
			else if (!rc)
				j->sink += f.v[CR_F_OPEN_ACCOUNTS];
		}
		cr_store_abort(txn);
	}
	return NULL;
}

/* One round of measure m; returns seconds, or a negative error. */
static double bad_share = NAN;

static double round_of(const char *m, cr_store *st, const struct people *p, int32_t asof,
		       size_t *units)
{
	uint64_t sink = 0;
	int rc = 0;
	cr_txn *txn;
	const double t0 = now_s();
	*units = p->n;
	if (strcmp(m, "raw") == 0) {
		rc = cr_store__walk_raw(st, count_raw, &sink);
	} else if (strcmp(m, "accounts") == 0) {
		if (!(rc = cr_store_begin(st, 0, &txn))) {
			rc = cr_store_accounts(txn, count_account, &sink);
			cr_store_abort(txn);
		}
	} else if (strcmp(m, "subjects") == 0) {
		struct people q;
		rc = load_people(st, &q);
		free(q.k);
	} else if (strcmp(m, "dataset") == 0) {
		struct cr_dataset d;
		int y, mo, dd;
		cr_civil_from_days(asof, &y, &mo, &dd);
		rc = cr_features_dataset(st, cr_days_from_civil(y - 1, mo, dd > 28 ? 28 : dd), 12,
					 0.2, &d);
		*units = rc ? 0 : d.rows;
		size_t bad = 0;
		for (size_t i = 0; !rc && i < d.rows; i++)
			bad += d.y[i];
		if (!rc) {
			bad_share = d.rows ? (double)bad / (double)d.rows : NAN;
			cr_dataset_fini(&d);
		}
	} else {
		const size_t threads = strcmp(m, "features2") == 0 ? 2 : 1;
		struct job j[2];
		pthread_t t[2];
		for (size_t i = 0; i < threads; i++) {
			j[i] = (struct job){st, p, asof, i, threads, 0, 0};
			pthread_create(&t[i], NULL, features_pages, &j[i]);
		}
		for (size_t i = 0; i < threads; i++) {
			pthread_join(t[i], NULL);
			rc = rc ? rc : j[i].rc;
		}
	}
	const double dt = now_s() - t0;
	return rc ? rc : dt;
}

static int cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Runs measure m for rounds rounds after one warm-up; prints and returns
 * the median people (or rows) per second. */
static double measure(const char *m, cr_store *st, const struct people *p, int32_t asof,
		      int rounds)
{
	double rate[ROUNDS_MAX];
	size_t units = 0;
	for (int r = -1; r < rounds; r++) {
		const double s = round_of(m, st, p, asof, &units);
		if (s < 0) {
			fprintf(stderr, "features_rate: %s failed: %s\n", m, cr_strerror((int)s));
			exit(1);
		}
		if (r >= 0)
			rate[r] = (double)units / s;
	}
	qsort(rate, (size_t)rounds, sizeof rate[0], cmp_double);
	printf("%s: people=%zu per_s=%.0f best_per_s=%.0f\n", m, units, rate[rounds / 2],
	       rate[rounds - 1]);
	return rate[rounds / 2];
}

int main(int argc, char **argv)
{
	cr_store *st;
	const char *why = NULL;
	struct people p;
	int y, mo, d;
	if (argc < 4 || sscanf(argv[3], "%d-%d-%d", &y, &mo, &d) != 3) {
		fprintf(stderr, "usage: features_rate DB_DIR KEY_FILE AS_OF_DATE [ROUNDS]\n");
		return 2;
	}
	const int rounds = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 5;
	if (rounds < 1 || rounds > ROUNDS_MAX)
		return 2;
	const int32_t asof = cr_days_from_civil(y, mo, d);
	int rc = cr_store_open(argv[1], argv[2], CR_STORE_RDONLY, &st, &why);
	if (!rc)
		rc = load_people(st, &p);
	if (rc) {
		fprintf(stderr, "features_rate: %s %s\n", cr_strerror(rc), why ? why : "");
		return 1;
	}
	const double raw = measure("raw", st, &p, asof, rounds);
	const double accounts = measure("accounts", st, &p, asof, rounds);
	measure("subjects", st, &p, asof, rounds);
	const double features = measure("features", st, &p, asof, rounds);
	const double features2 = measure("features2", st, &p, asof, rounds);
	measure("dataset", st, &p, asof, rounds);
	printf("dataset: bad_share=%.4f\n", bad_share);
	printf("features: people=%zu per_s=%.0f two_threads_per_s=%.0f ratio_to_raw=%.2f"
	       " ratio_to_accounts=%.2f\n", p.n, features, features2, features / raw,
	       features / accounts);
	free(p.k);
	cr_store_close(st);
	return 0;
}
