/*
 * irls.c - penalised logistic regression by Newton's method (fit.h,
 * cr_fit_logistic).
 *
 * Each step builds the gradient and the Hessian of the penalised
 * log-likelihood in one pass over the rows (X'(y - mu) and X'WX, W =
 * mu(1 - mu)), solves H d = g by Cholesky, and halves the step until the
 * penalised log-likelihood does not fall.  The L2 penalty on the
 * coefficients (not the intercept) makes H positive definite and the
 * optimum finite even when the classes are perfectly separable, where the
 * unpenalised estimate runs off to infinity.  A scorecard has at most
 * CR_MODEL_FEATURES_MAX + 1 unknowns, so the dense (p + 1)^2 system is
 * small; the pass over the rows is the cost.
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

static double eta(const double *x, const double *beta, size_t p)
{
	double e = beta[0];
	for (size_t j = 0; j < p; j++)
		e += beta[j + 1] * x[j];
	return e;
}

static double penalised_loglik(const double *x, const uint8_t *y, size_t n, size_t p, double l2,
			       const double *beta)
{
	double ll = 0;
	for (size_t i = 0; i < n; i++) {
		const double e = eta(x + i * p, beta, p);
		ll += (y[i] ? e : 0) - log1pexp(e);
	}
	for (size_t j = 1; j <= p; j++)
		ll -= 0.5 * l2 * beta[j] * beta[j];
	return ll;
}

/* g and the upper triangle of H (k x k, k = p + 1), mirrored at the end. */
static void gradient_hessian(const double *x, const uint8_t *y, size_t n, size_t p, double l2,
			     const double *beta, double *g, double *h)
{
	const size_t k = p + 1;
	memset(g, 0, k * sizeof *g);
	memset(h, 0, k * k * sizeof *h);
	for (size_t i = 0; i < n; i++) {
		const double *xi = x + i * p;
		const double mu = 1.0 / (1.0 + exp(-eta(xi, beta, p)));
		const double w = mu * (1.0 - mu), r = (double)y[i] - mu;
		g[0] += r;
		h[0] += w;
		for (size_t a = 0; a < p; a++) {
			const double wa = w * xi[a];
			g[a + 1] += r * xi[a];
			h[a + 1] += wa;
			for (size_t b = a; b < p; b++)
				h[(a + 1) * k + b + 1] += wa * xi[b];
		}
	}
	for (size_t j = 1; j < k; j++) {
		g[j] -= l2 * beta[j];
		h[j * k + j] += l2;
	}
	for (size_t a = 0; a < k; a++)
		for (size_t b = 0; b < a; b++)
			h[a * k + b] = h[b * k + a];
}

/* Solves h d = g in place by Cholesky (h becomes its factor).  Returns -1
 * when h is not positive definite. */
static int cholesky_solve(double *h, size_t k, const double *g, double *d)
{
	for (size_t j = 0; j < k; j++) {
		double s = h[j * k + j];
		for (size_t c = 0; c < j; c++)
			s -= h[j * k + c] * h[j * k + c];
		if (!(s > 0))
			return -1;
		h[j * k + j] = sqrt(s);
		for (size_t i = j + 1; i < k; i++) {
			double t = h[i * k + j];
			for (size_t c = 0; c < j; c++)
				t -= h[i * k + c] * h[j * k + c];
			h[i * k + j] = t / h[j * k + j];
		}
	}
	for (size_t i = 0; i < k; i++) {
		double t = g[i];
		for (size_t c = 0; c < i; c++)
			t -= h[i * k + c] * d[c];
		d[i] = t / h[i * k + i];
	}
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
static double line_search(const double *x, const uint8_t *y, size_t n, size_t p, double l2,
			  double *beta, const double *d, double *next, double *ll)
{
	const size_t k = p + 1;
	double s = 1;
	for (int h = 0; h <= CR_FIT_IRLS_HALVINGS_MAX; h++, s /= 2) {
		for (size_t j = 0; j < k; j++)
			next[j] = beta[j] + s * d[j];
		const double l = penalised_loglik(x, y, n, p, l2, next);
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

int cr_fit_logistic(const double *x, const uint8_t *y, size_t n, size_t p, double l2,
		    double tol, double *beta, struct cr_irls *res)
{
	size_t bads = 0;
	for (size_t i = 0; i < n; i++)
		bads += y[i] != 0;
	memset(res, 0, sizeof *res);
	if (bads == 0 || bads == n || !(l2 >= 0) || !(tol > 0))
		return CR_EINVAL;
	const size_t k = p + 1;
	double *mem = malloc((2 * k * k + 3 * k) * sizeof *mem);
	if (!mem)
		return CR_ENOMEM;
	double *h = mem, *work = h + k * k, *g = work + k * k, *d = g + k, *next = d + k;
	memset(beta, 0, k * sizeof *beta);
	beta[0] = log((double)bads / (double)(n - bads));
	double ll = penalised_loglik(x, y, n, p, l2, beta);
	for (res->iterations = 1; res->iterations <= CR_FIT_IRLS_ITER_MAX; res->iterations++) {
		gradient_hessian(x, y, n, p, l2, beta, g, h);
		if (direction(h, k, g, work, d))
			break;
		const double moved = line_search(x, y, n, p, l2, beta, d, next, &ll);
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
