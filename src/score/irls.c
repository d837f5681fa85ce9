/*
 * irls.c - penalised logistic regression by Newton's method (fit.h,
 * cr_fit_newton and cr_fit_logistic).
 *
 * Each step builds the gradient and the Hessian of the penalised
 * log-likelihood in one pass over the rows (X'(y - mu) - P beta and X'WX +
 * P, W = mu(1 - mu)), solves H d = g by Cholesky, and halves the step until
 * the penalised log-likelihood does not fall.  The penalty P leaves the
 * intercept free; it makes H positive definite and the optimum finite even
 * when the classes are perfectly separable, where the unpenalised estimate
 * runs off to infinity.
 *
 * Rows come in one of two layouts.  Dense rows hold p numbers each (the
 * tests' regressions on a few columns).  One-hot rows hold the p columns
 * whose value is 1, one per feature, as a scorecard's bins are: a row is
 * in exactly one bin of each feature.  For those the pass over a row costs
 * p^2 / 2 additions, whatever the number of bins.  The penalty is
 * tridiagonal: a diagonal, and a coupling of each unknown with the next,
 * which is all that a ridge and a difference of neighbouring bins need.
 * The dense (k x k) solve is the other cost: k is at most
 * CR_MODEL_FEATURES_MAX * CR_MODEL_BINS_MAX + 1.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "fit.h"

/* ln(1 + e^t) without overflow. */
static double log1pexp(double t)
{
	return t > 0 ? t + log1p(exp(-t)) : log1p(exp(t));
}

static int row_in(const struct cr_irls_data *d, size_t i)
{
	return !d->fold || d->fold[i] != d->skip;
}

static double eta(const struct cr_irls_data *d, size_t i, const double *beta)
{
	double e = beta[0];
	if (d->x) {
		const double *x = d->x + i * (d->k - 1);
		for (size_t j = 0; j + 1 < d->k; j++)
			e += beta[j + 1] * x[j];
	} else if (d->col) {
		const uint16_t *c = d->col + i * d->p;
		for (size_t a = 0; a < d->p; a++)
			e += beta[c[a]];
	}
	return e;
}

/* beta' P beta / 2. */
static double penalty(const struct cr_irls_data *d, const double *beta)
{
	double s = 0;
	for (size_t j = 1; j < d->k; j++) {
		s += 0.5 * d->pen_diag[j] * beta[j] * beta[j];
		if (d->pen_next && j + 1 < d->k)
			s += d->pen_next[j] * beta[j] * beta[j + 1];
	}
	return s;
}

static double penalised_loglik(const struct cr_irls_data *d, const double *beta)
{
	double ll = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (!row_in(d, i))
			continue;
		const double e = eta(d, i, beta);
		ll += (d->y[i] ? e : 0) - log1pexp(e);
	}
	return ll - penalty(d, beta);
}

double cr_fit_loglik_fold(const struct cr_irls_data *d, const double *beta, uint8_t fold)
{
	double ll = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (d->fold[i] != fold)
			continue;
		const double e = eta(d, i, beta);
		ll += (d->y[i] ? e : 0) - log1pexp(e);
	}
	return ll;
}

/* One row's share of g and of the upper triangle of H (k x k). */
static void add_row(const struct cr_irls_data *d, size_t i, double w, double r, double *g, double *h)
{
	const size_t k = d->k;
	g[0] += r;
	h[0] += w;
	if (d->x) {
		const double *x = d->x + i * (k - 1);
		for (size_t a = 0; a + 1 < k; a++) {
			const double wa = w * x[a];
			g[a + 1] += r * x[a];
			h[a + 1] += wa;
			for (size_t b = a; b + 1 < k; b++)
				h[(a + 1) * k + b + 1] += wa * x[b];
		}
		return;
	}
	if (!d->col)
		return;
	const uint16_t *c = d->col + i * d->p;
	for (size_t a = 0; a < d->p; a++) {
		g[c[a]] += r;
		h[c[a]] += w;
		for (size_t b = a; b < d->p; b++)
			h[(size_t)c[a] * k + c[b]] += w;
	}
}

/* g and H at beta, H mirrored from its upper triangle. */
static void gradient_hessian(const struct cr_irls_data *d, const double *beta, double *g, double *h)
{
	const size_t k = d->k;
	memset(g, 0, k * sizeof *g);
	memset(h, 0, k * k * sizeof *h);
	for (size_t i = 0; i < d->n; i++) {
		if (!row_in(d, i))
			continue;
		const double mu = 1.0 / (1.0 + exp(-eta(d, i, beta)));
		add_row(d, i, mu * (1.0 - mu), (double)d->y[i] - mu, g, h);
	}
	for (size_t j = 1; j < k; j++) {
		g[j] -= d->pen_diag[j] * beta[j];
		h[j * k + j] += d->pen_diag[j];
		if (d->pen_next && j + 1 < k) {
			g[j] -= d->pen_next[j] * beta[j + 1];
			g[j + 1] -= d->pen_next[j] * beta[j];
			h[j * k + j + 1] += d->pen_next[j];
		}
	}
	for (size_t a = 0; a < k; a++)
		for (size_t b = 0; b < a; b++)
			h[a * k + b] = h[b * k + a];
}

/* a[0..n) . b[0..n), in four running sums: the factorisation's inner loop,
 * which a compiler may not reorder into vector lanes by itself. */
static double dot(const double *a, const double *b, size_t n)
{
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	size_t c = 0;
	for (; c + 4 <= n; c += 4) {
		s0 += a[c] * b[c];
		s1 += a[c + 1] * b[c + 1];
		s2 += a[c + 2] * b[c + 2];
		s3 += a[c + 3] * b[c + 3];
	}
	for (; c < n; c++)
		s0 += a[c] * b[c];
	return (s0 + s1) + (s2 + s3);
}

/* Solves h d = g in place by Cholesky (h's lower triangle becomes its
 * factor, row by row).  Returns -1 when h is not positive definite. */
static int cholesky_solve(double *h, size_t k, const double *g, double *d)
{
	for (size_t j = 0; j < k; j++) {
		const double s = h[j * k + j] - dot(h + j * k, h + j * k, j);
		if (!(s > 0))
			return -1;
		h[j * k + j] = sqrt(s);
		for (size_t i = j + 1; i < k; i++)
			h[i * k + j] = (h[i * k + j] - dot(h + i * k, h + j * k, j)) / h[j * k + j];
	}
	for (size_t i = 0; i < k; i++)
		d[i] = (g[i] - dot(h + i * k, d, i)) / h[i * k + i];
	for (size_t i = k; i-- > 0;) {
		double t = d[i];
		for (size_t c = i + 1; c < k; c++)
			t -= h[c * k + i] * d[c];
		d[i] = t / h[i * k + i];
	}
	return 0;
}

/* The Newton direction; when H is singular (no penalty and a constant or
 * collinear column), a growing ridge on its diagonal. */
static int direction(const double *h, size_t k, const double *g, double *work, double *d)
{
	double ridge = 0;
	for (int attempt = 0; attempt < 8; attempt++) {
		memcpy(work, h, k * k * sizeof *h);
		for (size_t j = 0; j < k; j++)
			work[j * k + j] += ridge * (1.0 + fabs(h[j * k + j]));
		if (cholesky_solve(work, k, g, d) == 0)
			return 0;
		ridge = ridge ? ridge * 100 : 1e-10;
	}
	return -1;
}

/* Takes the largest of 1, 1/2, 1/4, ... of step d that does not lower the
 * penalised log-likelihood *ll.  Returns the move's largest coefficient
 * change, or -1 when no step helps. */
static double line_search(const struct cr_irls_data *dt, double *beta, const double *d,
			  double *next, double *ll)
{
	const size_t k = dt->k;
	double s = 1;
	for (int h = 0; h <= CR_FIT_IRLS_HALVINGS_MAX; h++, s /= 2) {
		for (size_t j = 0; j < k; j++)
			next[j] = beta[j] + s * d[j];
		const double l = penalised_loglik(dt, next);
		if (isfinite(l) && l >= *ll - 1e-12 * fabs(*ll)) {
			double moved = 0;
			for (size_t j = 0; j < k; j++) {
				moved = fmax(moved, fabs(next[j] - beta[j]));
				beta[j] = next[j];
			}
			*ll = l;
			return moved;
		}
	}
	return -1;
}

/* The rows in the fit and their bads. */
static size_t count_rows(const struct cr_irls_data *d, size_t *bads)
{
	size_t n = 0;
	*bads = 0;
	for (size_t i = 0; i < d->n; i++)
		if (row_in(d, i)) {
			n++;
			*bads += d->y[i] != 0;
		}
	return n;
}

int cr_fit_newton(const struct cr_irls_data *d, double tol, double *beta, struct cr_irls *res)
{
	memset(res, 0, sizeof *res);
	size_t bads;
	const size_t n = count_rows(d, &bads), k = d->k;
	if (bads == 0 || bads == n || k == 0 || !(tol > 0) || (k > 1 && !d->x && !d->col))
		return CR_EINVAL;
	double *mem = malloc((2 * k * k + 3 * k) * sizeof *mem);
	if (!mem)
		return CR_ENOMEM;
	double *h = mem, *work = h + k * k, *g = work + k * k, *dir = g + k, *next = dir + k;
	if (d->start) {
		memcpy(beta, d->start, k * sizeof *beta);
	} else {
		memset(beta, 0, k * sizeof *beta);
		beta[0] = log((double)bads / (double)(n - bads));
	}
	double ll = penalised_loglik(d, beta);
	for (res->iterations = 1; res->iterations <= CR_FIT_IRLS_ITER_MAX; res->iterations++) {
		gradient_hessian(d, beta, g, h);
		if (direction(h, k, g, work, dir))
			break;
		const double moved = line_search(d, beta, dir, next, &ll);
		if (moved >= 0 && moved < tol) {
			res->converged = 1;
			break;
		}
		if (moved < 0) {
			/* No step raises the likelihood: at the optimum to
			 * rounding, if the gradient is negligible. */
			double gmax = 0;
			for (size_t j = 0; j < k; j++)
				gmax = fmax(gmax, fabs(g[j]));
			res->converged = gmax < 1e-6 * (1.0 + (double)n);
			break;
		}
	}
	if (res->iterations > CR_FIT_IRLS_ITER_MAX)
		res->iterations = CR_FIT_IRLS_ITER_MAX;
	res->loglik = ll;
	free(mem);
	return 0;
}

int cr_fit_logistic(const double *x, const uint8_t *y, size_t n, size_t p, double l2,
		    double tol, double *beta, struct cr_irls *res)
{
	memset(res, 0, sizeof *res);
	if (!(l2 >= 0))
		return CR_EINVAL;
	double *pen = calloc(p + 1, sizeof *pen);
	if (!pen)
		return CR_ENOMEM;
	for (size_t j = 1; j <= p; j++)
		pen[j] = l2;
	const struct cr_irls_data d = {.n = n, .k = p + 1, .y = y, .x = x, .pen_diag = pen};
	const int rc = cr_fit_newton(&d, tol, beta, res);
	free(pen);
	return rc;
}
