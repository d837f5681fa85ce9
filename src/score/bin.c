/*
 * bin.c - weight-of-evidence binning, the trainer's first step (fit.h).
 *
 * A column becomes a short list of bins, each with its good and bad counts,
 * in an order that means something: by value for a numeric column, by bad
 * rate for a categorical one.  Every later move merges two neighbours in
 * that list, so the work is the same for both kinds:
 *
 *   - merge_small: while a bin holds fewer than the minimum rows, merge the
 *     smallest with the neighbour whose bad rate is nearer;
 *   - monotone: pool adjacent violators (PAVA) until the bad rate only
 *     rises, or only falls, and keep the better of the two directions if it
 *     keeps enough of the information value.
 *
 * A bin carries a label; a categorical column's levels point at labels, so
 * a merge relabels them.  Missing values are counted apart and get a bin
 * of their own, placed first.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "fit.h"

struct bin {
	uint64_t good, bad;
	double hi;              /* numeric: the upper edge; the last is +inf */
	uint16_t label;         /* categorical: levels with this label are in it */
};

struct bins {
	size_t n;
	struct bin b[CR_FIT_INITIAL_BINS + CR_MODEL_LEVELS_MAX];
	uint64_t goods, bads;   /* training totals, missing included */
	uint16_t *owner;        /* categorical: [level] label, or NULL */
	uint8_t *common;        /* categorical: [level] 1 when it had a bin of its own */
	size_t n_owner;
	uint16_t others_label;  /* the label of the bin that holds the pooled levels */
};

double cr_fit_woe(uint64_t good, uint64_t bad, uint64_t goods, uint64_t bads)
{
	double g = (double)good, b = (double)bad;
	if (good == 0 || bad == 0) {
		g += 0.5;
		b += 0.5;
	}
	return log((g / (double)goods) / (b / (double)bads));
}

double cr_fit_iv(const uint64_t *good, const uint64_t *bad, size_t n)
{
	uint64_t goods = 0, bads = 0;
	for (size_t i = 0; i < n; i++) {
		goods += good[i];
		bads += bad[i];
	}
	if (goods == 0 || bads == 0)
		return 0;
	double iv = 0;
	for (size_t i = 0; i < n; i++)
		iv += ((double)good[i] / (double)goods - (double)bad[i] / (double)bads) *
		      cr_fit_woe(good[i], bad[i], goods, bads);
	return iv;
}

static double rate(const struct bin *b)
{
	const uint64_t n = b->good + b->bad;
	return n ? (double)b->bad / (double)n : 0;
}

static double bins_iv(const struct bins *s, uint64_t miss_good, uint64_t miss_bad)
{
	uint64_t good[CR_FIT_INITIAL_BINS + CR_MODEL_LEVELS_MAX + 1], bad[sizeof good / sizeof good[0]];
	for (size_t i = 0; i < s->n; i++) {
		good[i] = s->b[i].good;
		bad[i] = s->b[i].bad;
	}
	good[s->n] = miss_good;
	bad[s->n] = miss_bad;
	return cr_fit_iv(good, bad, s->n + 1);
}

/* Merges bin i + 1 into bin i. */
static void merge(struct bins *s, size_t i)
{
	CR_DEBUG_ASSERT(i + 1 < s->n);
	struct bin *a = &s->b[i], *z = &s->b[i + 1];
	a->good += z->good;
	a->bad += z->bad;
	a->hi = z->hi;
	for (size_t l = 0; s->owner && l < s->n_owner; l++)
		if (s->owner[l] == z->label)
			s->owner[l] = a->label;
	if (s->others_label == z->label)
		s->others_label = a->label;
	memmove(z, z + 1, (s->n - i - 2) * sizeof *z);
	s->n--;
}

static void merge_small(struct bins *s, uint64_t min_rows)
{
	while (s->n > 1) {
		size_t k = 0;
		for (size_t i = 1; i < s->n; i++)
			if (s->b[i].good + s->b[i].bad < s->b[k].good + s->b[k].bad)
				k = i;
		if (s->b[k].good + s->b[k].bad >= min_rows)
			return;
		if (k == 0)
			merge(s, 0);
		else if (k + 1 == s->n)
			merge(s, k - 1);
		else if (fabs(rate(&s->b[k - 1]) - rate(&s->b[k])) <=
			 fabs(rate(&s->b[k + 1]) - rate(&s->b[k])))
			merge(s, k - 1);
		else
			merge(s, k);
	}
}

/* Merges the two neighbours of nearest bad rate until at most max remain. */
static void merge_closest(struct bins *s, size_t max)
{
	while (s->n > max) {
		size_t k = 0;
		for (size_t i = 1; i + 1 < s->n; i++)
			if (fabs(rate(&s->b[i + 1]) - rate(&s->b[i])) <
			    fabs(rate(&s->b[k + 1]) - rate(&s->b[k])))
				k = i;
		merge(s, k);
	}
}

/* Pools adjacent violators until the bad rate rises (dir > 0) or falls. */
static void monotone(struct bins *s, int dir)
{
	size_t i = 0;
	while (i + 1 < s->n) {
		const double a = rate(&s->b[i]), z = rate(&s->b[i + 1]);
		if (dir > 0 ? a <= z : a >= z) {
			i++;
			continue;
		}
		merge(s, i);
		if (i > 0)
			i--;
	}
}

static double round_to(double v, double scale)
{
	return round(v * scale) / scale;
}

struct obs {
	double v;
	uint8_t y;
};

static int by_value(const void *a, const void *b)
{
	const double x = ((const struct obs *)a)->v, z = ((const struct obs *)b)->v;
	return (x > z) - (x < z);
}

/* Quantile bins: each closes at the end of a run of equal values once it
 * holds n / CR_FIT_INITIAL_BINS rows. */
static void quantiles(const struct obs *o, size_t n, struct bins *s)
{
	const size_t target = (n + CR_FIT_INITIAL_BINS - 1) / CR_FIT_INITIAL_BINS;
	struct bin cur = {0};
	s->n = 0;
	for (size_t i = 0; i < n; i++) {
		cur.good += !o[i].y;
		cur.bad += o[i].y;
		if (i + 1 < n && o[i + 1].v == o[i].v)
			continue;
		if (cur.good + cur.bad >= target || i + 1 == n) {
			cur.hi = o[i].v;
			s->b[s->n++] = cur;
			memset(&cur, 0, sizeof cur);
		}
	}
	if (s->n == 0)
		s->n = 1;
	s->b[s->n - 1].hi = INFINITY;
}

/* Monotone bins if they keep enough of the information value. */
static int8_t prefer_monotone(struct bins *s, double loss, uint64_t mg, uint64_t mb)
{
	struct bins *up = malloc(2 * sizeof *up);
	if (!up)
		return 0;
	struct bins *down = up + 1;
	*up = *s;
	*down = *s;
	monotone(up, +1);
	monotone(down, -1);
	const double iv = bins_iv(s, mg, mb), iv_up = bins_iv(up, mg, mb), iv_down = bins_iv(down, mg, mb);
	const struct bins *best = iv_up >= iv_down ? up : down;
	int8_t trend = 0;
	if ((iv_up >= iv_down ? iv_up : iv_down) >= (1.0 - loss) * iv) {
		trend = best->n > 1 ? (best == up ? 1 : -1) : 0;
		*s = *best;
	}
	free(up);
	return trend;
}

static int numeric_bins(const struct cr_dataset *d, size_t col, struct bins *s, uint64_t *mg,
			uint64_t *mb)
{
	struct obs *o = malloc((d->rows ? d->rows : 1) * sizeof *o);
	if (!o)
		return CR_ENOMEM;
	size_t n = 0;
	for (size_t r = 0; r < d->rows; r++) {
		if (d->test[r])
			continue;
		const double v = d->x[r * d->cols + col];
		if (isnan(v)) {
			*mg += !d->y[r];
			*mb += d->y[r];
		} else {
			o[n++] = (struct obs){v, d->y[r]};
		}
	}
	qsort(o, n, sizeof *o, by_value);
	quantiles(o, n, s);
	free(o);
	return 0;
}

/* Levels with at least min_rows training rows get a bin each; the rest are
 * pooled under the label s->n_owner ("others"), sorted in with the rest. */
static int categorical_bins(const struct cr_dataset *d, size_t col, uint64_t min_rows,
			    struct bins *s, uint64_t *mg, uint64_t *mb, int *pooled)
{
	const size_t nl = d->n_levels[col];
	uint64_t *cnt = calloc(2 * nl + 2, sizeof *cnt);
	s->owner = malloc((nl + 1) * sizeof *s->owner);
	s->common = malloc(nl + 1);
	if (!cnt || !s->owner || !s->common) {
		free(cnt);
		return CR_ENOMEM;
	}
	s->n_owner = nl;
	for (size_t r = 0; r < d->rows; r++) {
		const double v = d->x[r * d->cols + col];
		if (d->test[r])
			continue;
		if (isnan(v) || v < 0 || v >= (double)nl) {
			*mg += !d->y[r];
			*mb += d->y[r];
		} else {
			cnt[2 * (size_t)v + d->y[r]]++;
		}
	}
	struct bin others = {.label = (uint16_t)nl};
	s->n = 0;
	for (size_t l = 0; l < nl; l++) {
		const struct bin b = {cnt[2 * l], cnt[2 * l + 1], 0, (uint16_t)l};
		const int common = b.good + b.bad >= min_rows && s->n < CR_MODEL_LEVELS_MAX;
		s->owner[l] = common ? (uint16_t)l : (uint16_t)nl;
		s->common[l] = (uint8_t)common;
		if (common) {
			s->b[s->n++] = b;
		} else {
			others.good += b.good;
			others.bad += b.bad;
		}
	}
	free(cnt);
	*pooled = others.good + others.bad > 0;
	s->others_label = (uint16_t)nl;
	if (*pooled)
		s->b[s->n++] = others;
	/* In order of bad rate: the WoE order, from the best bin down. */
	for (size_t i = 1; i < s->n; i++)
		for (size_t j = i; j > 0 && rate(&s->b[j]) < rate(&s->b[j - 1]); j--) {
			const struct bin t = s->b[j];
			s->b[j] = s->b[j - 1];
			s->b[j - 1] = t;
		}
	return 0;
}

/* Bins into f's bins, the missing bin first when training has missing
 * values: it stands alone however few they are, since the regression's
 * penalty pulls a small bin's points towards no effect (fit.c).  Returns
 * the index of s->b[0] in f. */
static size_t place_bins(struct bins *s, uint64_t mg, uint64_t mb, struct cr_model_feature *f)
{
	const int alone = mg + mb > 0;
	const size_t first = alone ? 1 : 0;
	f->n_bins = (uint16_t)(s->n + first);
	if (alone)
		f->bin[0] = (struct cr_model_bin){0, 0, mg, mb};
	for (size_t i = 0; i < s->n; i++)
		f->bin[first + i] = (struct cr_model_bin){0, 0, s->b[i].good, s->b[i].bad};
	double woe_abs_min = INFINITY;
	size_t k = 0;
	for (size_t i = 0; i < f->n_bins; i++) {
		struct cr_model_bin *b = &f->bin[i];
		b->woe = round_to(cr_fit_woe(b->good, b->bad, s->goods, s->bads), 1e4);
		/* With no missing value in training, missing scores as the most
		 * average bin: the one whose WoE is nearest 0. */
		if (!alone && fabs(b->woe) < woe_abs_min) {
			woe_abs_min = fabs(b->woe);
			k = i;
		}
	}
	f->missing_bin = (uint16_t)k;
	return first;
}

static size_t bin_of_label(const struct bins *s, uint16_t label)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->b[i].label == label)
			return i;
	CR_ASSERT(!"a level's label has a bin");
	return 0;
}

/* The levels of a categorical feature, and the table's levels' bins. */
static void place_levels(const struct cr_dataset *d, size_t col, const struct bins *s, int pooled,
			 size_t first, struct cr_model_feature *f, uint8_t *level_bin)
{
	f->others_bin = pooled ? (uint16_t)(first + bin_of_label(s, s->others_label)) : f->missing_bin;
	for (size_t l = 0; l < s->n_owner; l++) {
		if (!s->common[l]) {
			level_bin[l] = (uint8_t)f->others_bin;
			continue;
		}
		const size_t k = f->n_levels++;
		level_bin[l] = (uint8_t)(first + bin_of_label(s, s->owner[l]));
		f->level_bin[k] = level_bin[l];
		snprintf(f->level[k], sizeof f->level[k], "%s", d->levels[col][l]);
	}
}

static void totals(const struct cr_dataset *d, struct bins *s)
{
	s->goods = s->bads = 0;
	for (size_t r = 0; r < d->rows; r++) {
		if (d->test[r])
			continue;
		s->goods += !d->y[r];
		s->bads += d->y[r];
	}
}

int cr_fit_bin(const struct cr_dataset *d, size_t col, const struct cr_fit_opts *o,
	       struct cr_model_feature *f, uint8_t *level_bin, int8_t *trend)
{
	memset(f, 0, sizeof *f);
	*trend = 0;
	snprintf(f->name, sizeof f->name, "%s", d->name[col]);
	f->categorical = d->categorical[col];
	struct bins *s = calloc(1, sizeof *s);
	if (!s)
		return CR_ENOMEM;
	totals(d, s);
	uint64_t mg = 0, mb = 0, min_rows = (uint64_t)ceil(o->bin_share_min * (double)(s->goods + s->bads));
	int pooled = 0, rc;
	min_rows = min_rows ? min_rows : 1;
	if (f->categorical)
		rc = categorical_bins(d, col, min_rows, s, &mg, &mb, &pooled);
	else
		rc = numeric_bins(d, col, s, &mg, &mb);
	if (rc == 0) {
		merge_small(s, min_rows);
		merge_closest(s, CR_MODEL_BINS_MAX - 1);
		if (!f->categorical)
			*trend = prefer_monotone(s, o->mono_iv_loss, mg, mb);
		const size_t first = place_bins(s, mg, mb, f);
		if (f->categorical) {
			place_levels(d, col, s, pooled, first, f, level_bin);
		} else {
			f->n_intervals = (uint16_t)s->n;
			for (size_t i = 0; i < s->n; i++) {
				f->hi[i] = s->b[i].hi;
				f->interval_bin[i] = (uint8_t)(first + i);
			}
		}
	}
	free(s->owner);
	free(s->common);
	free(s);
	return rc;
}
