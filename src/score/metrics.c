/*
 * metrics.c - AUC, KS, ROC, gains and PSI (metrics.h).
 *
 * Everything ranks: the rows are copied as (risk, target) pairs and sorted
 * once per call, then walked in groups of equal risk, so that ties never
 * depend on the order rows came in.  Sums of counts are exact integers;
 * shares are formed at the end.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "metrics.h"

struct pair {
	double r;
	uint8_t y;
};

static int by_risk(const void *a, const void *b)
{
	const double x = ((const struct pair *)a)->r, z = ((const struct pair *)b)->r;
	return (x > z) - (x < z);
}

/* The pairs sorted by risk, ascending, and the counts of bads and goods. */
static int sorted(const double *risk, const uint8_t *y, size_t n, struct pair **out,
		  size_t *bads, size_t *goods)
{
	*bads = 0;
	for (size_t i = 0; i < n; i++)
		*bads += y[i] != 0;
	*goods = n - *bads;
	if (*bads == 0 || *goods == 0)
		return CR_EINVAL;
	struct pair *p = malloc(n * sizeof *p);
	if (!p)
		return CR_ENOMEM;
	for (size_t i = 0; i < n; i++)
		p[i] = (struct pair){isnan(risk[i]) ? -INFINITY : risk[i], y[i] != 0};
	qsort(p, n, sizeof *p, by_risk);
	*out = p;
	return 0;
}

int cr_metrics_auc(const double *risk, const uint8_t *y, size_t n, double *auc)
{
	struct pair *p;
	size_t bads, goods;
	int rc = sorted(risk, y, n, &p, &bads, &goods);
	if (rc)
		return rc;
	/* Sum of the bads' ranks (1-based), ties given their average rank. */
	double rank_sum = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i, b = 0;
		while (j < n && p[j].r == p[i].r)
			b += p[j++].y;
		rank_sum += (double)b * ((double)(i + 1) + (double)j) / 2.0;
		i = j;
	}
	free(p);
	const double nb = (double)bads;
	*auc = (rank_sum - nb * (nb + 1) / 2.0) / (nb * (double)goods);
	CR_DEBUG_ASSERT(*auc >= 0 && *auc <= 1);
	return 0;
}

/* Walks groups of tied risks from the highest down, calling back with the
 * bads and goods at or above each group's risk. */
typedef void (*step_fn)(size_t cum_bads, size_t cum_goods, void *arg);

static int walk_down(const double *risk, const uint8_t *y, size_t n, step_fn fn, void *arg,
		     size_t *bads, size_t *goods)
{
	struct pair *p;
	int rc = sorted(risk, y, n, &p, bads, goods);
	if (rc)
		return rc;
	size_t cb = 0, cg = 0;
	for (size_t i = n; i > 0;) {
		size_t j = i;
		while (j > 0 && p[j - 1].r == p[i - 1].r) {
			cb += p[j - 1].y;
			cg += !p[j - 1].y;
			j--;
		}
		fn(cb, cg, arg);
		i = j;
	}
	free(p);
	return 0;
}

struct ks_state {
	double bads, goods, ks;
};

static void ks_step(size_t cb, size_t cg, void *arg)
{
	struct ks_state *s = arg;
	const double gap = fabs((double)cb / s->bads - (double)cg / s->goods);
	if (gap > s->ks)
		s->ks = gap;
}

int cr_metrics_ks(const double *risk, const uint8_t *y, size_t n, double *ks)
{
	size_t bads = 0, goods = 0;
	for (size_t i = 0; i < n; i++)
		bads += y[i] != 0;
	goods = n - bads;
	struct ks_state s = {(double)bads, (double)goods, 0};
	int rc = walk_down(risk, y, n, ks_step, &s, &bads, &goods);
	if (rc == 0)
		*ks = s.ks;
	return rc;
}

double cr_metrics_gini(double auc)
{
	return 2.0 * auc - 1.0;
}

struct roc_state {
	struct cr_roc_point *pts;
	size_t n, cap;
	double bads, goods;
};

static void roc_step(size_t cb, size_t cg, void *arg)
{
	struct roc_state *s = arg;
	if (s->n < s->cap)
		s->pts[s->n] = (struct cr_roc_point){(double)cg / s->goods, (double)cb / s->bads};
	s->n++;
}

int cr_metrics_roc(const double *risk, const uint8_t *y, size_t n, struct cr_roc_point *pts,
		   size_t max, size_t *n_pts)
{
	if (max < 2)
		return CR_EINVAL;
	struct roc_state s = {malloc((n + 1) * sizeof *s.pts), 1, n + 1, 0, 0};
	if (!s.pts)
		return CR_ENOMEM;
	size_t bads = 0;
	for (size_t i = 0; i < n; i++)
		bads += y[i] != 0;
	s.bads = (double)bads;
	s.goods = (double)(n - bads);
	s.pts[0] = (struct cr_roc_point){0, 0};
	size_t goods;
	int rc = walk_down(risk, y, n, roc_step, &s, &bads, &goods);
	if (rc == 0) {
		/* Evenly spaced points of the curve, its two ends included. */
		const size_t k = s.n < max ? s.n : max;
		for (size_t i = 0; i < k; i++)
			pts[i] = s.pts[k == s.n ? i : (size_t)((double)i * (double)(s.n - 1) / (double)(k - 1) + 0.5)];
		*n_pts = k;
	}
	free(s.pts);
	return rc;
}

struct ranked {
	int s;
	uint8_t y;
	size_t i;
};

static int by_score(const void *a, const void *b)
{
	const struct ranked *x = a, *z = b;
	if (x->s != z->s)
		return (x->s > z->s) - (x->s < z->s);
	return (x->i > z->i) - (x->i < z->i);
}

static void gains_fill(const struct ranked *r, size_t n, size_t bads,
		       struct cr_gains_row out[CR_GAINS_ROWS])
{
	size_t cb = 0, cg = 0;
	const double rate = (double)bads / (double)n;
	for (size_t k = 0; k < CR_GAINS_ROWS; k++) {
		const size_t lo = k * n / CR_GAINS_ROWS, hi = (k + 1) * n / CR_GAINS_ROWS;
		struct cr_gains_row *g = &out[k];
		memset(g, 0, sizeof *g);
		g->rows = hi - lo;
		for (size_t i = lo; i < hi; i++)
			g->bads += r[i].y;
		cb += g->bads;
		cg += g->rows - g->bads;
		if (g->rows) {
			g->score_lo = r[lo].s;
			g->score_hi = r[hi - 1].s;
			g->bad_rate = (double)g->bads / (double)g->rows;
			g->lift = g->bad_rate / rate;
		}
		g->cum_bads = (double)cb / (double)bads;
		g->cum_goods = (double)cg / (double)(n - bads);
	}
}

int cr_metrics_gains(const int *score, const uint8_t *y, size_t n,
		     struct cr_gains_row out[CR_GAINS_ROWS])
{
	size_t bads = 0;
	for (size_t i = 0; i < n; i++)
		bads += y[i] != 0;
	if (bads == 0 || bads == n)
		return CR_EINVAL;
	struct ranked *r = malloc(n * sizeof *r);
	if (!r)
		return CR_ENOMEM;
	for (size_t i = 0; i < n; i++)
		r[i] = (struct ranked){score[i], y[i] != 0, i};
	qsort(r, n, sizeof *r, by_score);
	gains_fill(r, n, bads, out);
	free(r);
	return 0;
}

static int by_int(const void *a, const void *b)
{
	const int x = *(const int *)a, z = *(const int *)b;
	return (x > z) - (x < z);
}

/* The bin of v: how many cuts are at or below it. */
static size_t psi_bin(const int *cut, size_t n_cut, int v)
{
	size_t k = 0;
	while (k < n_cut && v >= cut[k])
		k++;
	return k;
}

int cr_metrics_psi(const int *expected, size_t ne, const int *actual, size_t na, double *psi)
{
	if (ne == 0 || na == 0)
		return CR_EINVAL;
	int *e = malloc(ne * sizeof *e);
	if (!e)
		return CR_ENOMEM;
	memcpy(e, expected, ne * sizeof *e);
	qsort(e, ne, sizeof *e, by_int);
	/* The deciles of expected, each distinct, as the lower edges of bins 1..9. */
	int cut[CR_GAINS_ROWS - 1] = {0};
	size_t n_cut = 0;
	for (size_t k = 1; k < CR_GAINS_ROWS; k++) {
		const int c = e[k * ne / CR_GAINS_ROWS];
		if (c > e[0] && (n_cut == 0 || c > cut[n_cut - 1]))
			cut[n_cut++] = c;
	}
	double ce[CR_GAINS_ROWS] = {0}, ca[CR_GAINS_ROWS] = {0};
	for (size_t i = 0; i < ne; i++)
		ce[psi_bin(cut, n_cut, e[i])] += 1;
	for (size_t i = 0; i < na; i++)
		ca[psi_bin(cut, n_cut, actual[i])] += 1;
	free(e);
	double sum = 0;
	for (size_t k = 0; k <= n_cut; k++) {
		const double pe = (ce[k] ? ce[k] : 0.5) / (double)ne, pa = (ca[k] ? ca[k] : 0.5) / (double)na;
		sum += (pa - pe) * log(pa / pe);
	}
	*psi = sum;
	return 0;
}
