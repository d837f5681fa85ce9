/*
 * score_speed.c - how many rows a second cr_model_score scores on one core
 * (the target: the whole bureau rescored at 1,000,000 people a second on
 * two cores).
 *
 *   score_speed MODEL [ROWS]
 *
 * Builds 4,096 rows of values spread over every feature's bins (5% missing,
 * levels the model lists and one it does not), then scores ROWS rows
 * (default 10,000,000) cycling through them, and prints rows/s.  Reason
 * codes are computed for every row, as a report needs them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "model.h"

#define SAMPLE 4096

static uint64_t state = 88172645463325252ULL;

static double uniform(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (double)(state >> 11) * 0x1.0p-53;
}

static double value(const struct cr_model_feature *f)
{
	if (uniform() < 0.05)
		return NAN;
	if (f->categorical)
		return floor(uniform() * (f->n_levels + 1)) - 1;
	const double lo = f->n_intervals > 1 ? f->hi[0] : 0;
	const double hi = f->n_intervals > 1 ? f->hi[f->n_intervals - 2] : 1;
	return lo - (hi - lo) * 0.1 + uniform() * (hi - lo) * 1.2;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: score_speed MODEL [ROWS]\n");
		return 2;
	}
	const long rows = argc > 2 ? strtol(argv[2], NULL, 10) : 10000000;
	struct cr_model *m = cr_model_new();
	struct cr_diag d;
	if (!m || cr_model_load(argv[1], m, &d)) {
		fprintf(stderr, "score_speed: %s line %zu: %s\n", argv[1], d.line, d.reason);
		return 1;
	}
	struct cr_model_bind b;
	for (size_t i = 0; i < m->n_features; i++)
		b.col[i] = (uint32_t)i;
	double *x = malloc(SAMPLE * m->n_features * sizeof *x);
	for (size_t r = 0; r < SAMPLE; r++)
		for (size_t i = 0; i < m->n_features; i++)
			x[r * m->n_features + i] = value(&m->feature[i]);
	struct timespec t0, t1;
	long sum = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long r = 0; r < rows; r++) {
		struct cr_score s;
		cr_model_score(m, &b, x + (size_t)(r % SAMPLE) * m->n_features, &s);
		sum += s.score + (long)s.n_reasons;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	const double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("features=%zu rows=%ld seconds=%.3f rows_per_s=%.0f checksum=%ld\n", m->n_features, rows,
	       secs, (double)rows / secs, sum);
	free(x);
	cr_model_free(m);
	return 0;
}
