/*
 * model.c - a scorecard in memory: its checks, binding, and scoring a row.
 *
 * Scoring is the hot path (the whole bureau rescored at a million people a
 * second), so the model is laid out for it: fixed arrays inside one struct,
 * a numeric feature's interval edges in one sorted array searched by
 * bisection, a categorical cell already turned into a level's index by the
 * caller, and each feature's best points computed once, at load.  Reason
 * codes are kept in a four-slot array by insertion while the points are
 * summed: no sort, no allocation.
 *
 * The text form is model_text.c's.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "model.h"
#include "model_int.h"

/* Largest magnitude of a bin's points or the base points: far above any
 * scale (a 950-point range), and small enough that no sum can overflow. */
#define POINTS_ABS_MAX 1e6

struct cr_model *cr_model_new(void)
{
	return calloc(1, sizeof(struct cr_model));
}

void cr_model_free(struct cr_model *m)
{
	free(m);
}

int cr_model__word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

int cr_model_set_meta(struct cr_model *m, const char *key, const char *value)
{
	const size_t kn = strlen(key), vn = strlen(value);
	if (kn == 0 || kn > CR_MODEL_META_KEY_MAX || vn > CR_MODEL_META_VALUE_MAX)
		return CR_ETOOBIG;
	for (size_t i = 0; i < kn; i++)
		if (!cr_model__word_char(key[i]))
			return CR_EINVAL;
	for (size_t i = 0; i < vn; i++)
		if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f)
			return CR_EINVAL;
	size_t i = 0;
	while (i < m->n_meta && strcmp(m->meta[i].key, key) != 0)
		i++;
	if (i == CR_MODEL_META_MAX)
		return CR_ETOOBIG;
	memcpy(m->meta[i].key, key, kn + 1);
	memcpy(m->meta[i].value, value, vn + 1);
	if (i == m->n_meta)
		m->n_meta++;
	return 0;
}

static int level_cmp(const char *a, size_t an, const char *b)
{
	const size_t bn = strlen(b);
	const int c = memcmp(a, b, an < bn ? an : bn);
	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

/* Insertion sort of the level indices by bytes (at most 128 of them). */
static void sort_levels(struct cr_model_feature *f)
{
	for (size_t i = 0; i < f->n_levels; i++) {
		uint8_t v = (uint8_t)i;
		size_t j = i;
		while (j > 0 && level_cmp(f->level[v], strlen(f->level[v]),
					  f->level[f->level_order[j - 1]]) < 0) {
			f->level_order[j] = f->level_order[j - 1];
			j--;
		}
		f->level_order[j] = v;
	}
}

static int check_numeric(const struct cr_model_feature *f, uint8_t *used, struct cr_diag *d)
{
	if (f->n_levels)
		return cr_diag_set(d, "feature", "a numeric feature lists no levels");
	if (f->n_intervals == 0 || f->n_intervals > CR_MODEL_BINS_MAX)
		return cr_diag_set(d, "feature", "a numeric feature needs intervals from -inf to +inf");
	for (size_t i = 0; i < f->n_intervals; i++) {
		const int last = i + 1 == f->n_intervals;
		if (last ? f->hi[i] != INFINITY : !isfinite(f->hi[i]))
			return cr_diag_set(d, "feature", "intervals must end at +inf, and only the last");
		if (i > 0 && !(f->hi[i] > f->hi[i - 1]))
			return cr_diag_set(d, "feature", "interval edges must increase");
		if (f->interval_bin[i] >= f->n_bins)
			return cr_diag_set(d, "feature", "an interval's bin does not exist");
		used[f->interval_bin[i]] = 1;
	}
	return 0;
}

static int check_categorical(struct cr_model_feature *f, uint8_t *used, struct cr_diag *d)
{
	if (f->n_intervals)
		return cr_diag_set(d, "feature", "a categorical feature has no intervals");
	if (f->n_levels > CR_MODEL_LEVELS_MAX)
		return cr_diag_set(d, "feature", "too many levels");
	if (f->others_bin >= f->n_bins)
		return cr_diag_set(d, "feature", "the bin of other levels does not exist");
	used[f->others_bin] = 1;
	for (size_t i = 0; i < f->n_levels; i++) {
		if (!memchr(f->level[i], '\0', sizeof f->level[i]) || f->level_bin[i] >= f->n_bins)
			return cr_diag_set(d, "feature", "a level's bin does not exist");
		used[f->level_bin[i]] = 1;
	}
	sort_levels(f);
	for (size_t i = 1; i < f->n_levels; i++)
		if (strcmp(f->level[f->level_order[i]], f->level[f->level_order[i - 1]]) == 0)
			return cr_diag_set(d, "feature", "a level is listed twice");
	return 0;
}

int cr_model__check_feature(struct cr_model_feature *f, struct cr_diag *d)
{
	uint8_t used[CR_MODEL_BINS_MAX] = {0};
	if (!memchr(f->name, '\0', sizeof f->name) || !f->name[0])
		return cr_diag_set(d, "feature", "a feature needs a name");
	if (!memchr(f->reason, '\0', sizeof f->reason))
		return cr_diag_set(d, "feature", "reason too long");
	if (f->n_bins == 0 || f->n_bins > CR_MODEL_BINS_MAX)
		return cr_diag_set(d, "feature", "a feature needs 1 to 32 bins");
	if (f->missing_bin >= f->n_bins)
		return cr_diag_set(d, "feature", "the missing bin does not exist");
	used[f->missing_bin] = 1;
	int rc = f->categorical ? check_categorical(f, used, d) : check_numeric(f, used, d);
	if (rc)
		return rc;
	for (size_t b = 0; b < f->n_bins; b++) {
		if (!used[b])
			return cr_diag_set(d, "bin", "a bin that no value falls into");
		const double p = f->bin[b].points;
		if (!isfinite(p) || fabs(p) > POINTS_ABS_MAX)
			return cr_diag_set(d, "bin", "points must be a number within +-1000000");
	}
	/* The best bin a present value reaches. */
	f->best_points = -INFINITY;
	if (f->categorical) {
		f->best_points = f->bin[f->others_bin].points;
		for (size_t l = 0; l < f->n_levels; l++)
			f->best_points = fmax(f->best_points, f->bin[f->level_bin[l]].points);
	} else {
		for (size_t i = 0; i < f->n_intervals; i++)
			f->best_points = fmax(f->best_points, f->bin[f->interval_bin[i]].points);
	}
	return 0;
}

static int check_scaling(const struct cr_model *m, struct cr_diag *d)
{
	if (!m->id[0] || !memchr(m->id, '\0', sizeof m->id))
		return cr_diag_set(d, "model_id", "the model needs a model_id");
	for (const char *p = m->id; *p; p++)
		if (!cr_model__word_char(*p))
			return cr_diag_set(d, "model_id", "a model_id has only letters, digits, '.', '_' and '-'");
	if (!(isfinite(m->pdo) && m->pdo > 0 && isfinite(m->anchor_odds) && m->anchor_odds > 0 &&
	      isfinite(m->anchor_score) && fabs(m->anchor_score) <= POINTS_ABS_MAX))
		return cr_diag_set(d, "scaling", "pdo and anchor_odds must be positive numbers");
	if (m->score_min < 0 || m->score_max <= m->score_min || m->score_max > 100000)
		return cr_diag_set(d, "score_range", "the score range must be 0 <= min < max <= 100000");
	if (!isfinite(m->base_points) || fabs(m->base_points) > POINTS_ABS_MAX)
		return cr_diag_set(d, "base_points", "points must be a number within +-1000000");
	if (m->n_meta > CR_MODEL_META_MAX)
		return cr_diag_set(d, "meta", "too many meta lines");
	return 0;
}

int cr_model_finish(struct cr_model *m, struct cr_diag *d)
{
	int rc = check_scaling(m, d);
	if (rc)
		return rc;
	if (m->n_features == 0 || m->n_features > CR_MODEL_FEATURES_MAX)
		return cr_diag_set(d, "feature", "a model needs 1 to 64 features");
	for (size_t i = 0; i < m->n_features; i++) {
		rc = cr_model__check_feature(&m->feature[i], d);
		if (rc)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (strcmp(m->feature[i].name, m->feature[j].name) == 0)
				return cr_diag_set(d, "feature", "two features with one name");
	}
	return 0;
}

int cr_model_bind(const struct cr_model *m, const char *const *names, size_t n,
		  struct cr_model_bind *b, struct cr_diag *d)
{
	if (!m || !b || (n && !names) || n > UINT32_MAX)
		return CR_EINVAL;
	for (size_t i = 0; i < m->n_features; i++) {
		size_t k = 0;
		while (k < n && !(names[k] && strcmp(names[k], m->feature[i].name) == 0))
			k++;
		if (k == n) {
			cr_diag_set(d, m->feature[i].name, "the model's feature has no column");
			return CR_ENOTFOUND;
		}
		b->col[i] = (uint32_t)k;
	}
	return 0;
}

double cr_model_level(const struct cr_model *m, size_t fi, const char *s, size_t len)
{
	CR_DEBUG_ASSERT(fi < m->n_features);
	const struct cr_model_feature *f = &m->feature[fi];
	size_t lo = 0, hi = f->n_levels;
	while (lo < hi) {
		const size_t mid = lo + (hi - lo) / 2;
		const int c = level_cmp(s, len, f->level[f->level_order[mid]]);
		if (c == 0)
			return (double)f->level_order[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1.0;
}

size_t cr_model_bin_of(const struct cr_model_feature *f, double v)
{
	if (isnan(v))
		return f->missing_bin;
	if (f->categorical) {
		if (v >= 0 && v < (double)f->n_levels && v == floor(v))
			return f->level_bin[(size_t)v];
		return f->others_bin;
	}
	/* The first interval whose upper edge is >= v; the last is +inf. */
	size_t lo = 0, hi = f->n_intervals - 1;
	while (lo < hi) {
		const size_t mid = (lo + hi) / 2;
		if (v <= f->hi[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return f->interval_bin[lo];
}

/* Keeps the CR_SCORE_REASONS largest losses, most first; a tie keeps the
 * earlier feature ahead. */
static void add_reason(struct cr_score *s, uint16_t feature, double lost, int missing)
{
	size_t k = s->n_reasons;
	if (k == CR_SCORE_REASONS) {
		if (!(lost > s->reason[k - 1].points_lost))
			return;
		k--;
	} else {
		s->n_reasons++;
	}
	while (k > 0 && lost > s->reason[k - 1].points_lost) {
		s->reason[k] = s->reason[k - 1];
		k--;
	}
	s->reason[k].feature = feature;
	s->reason[k].points_lost = lost;
	s->reason[k].missing = (uint8_t)(missing != 0);
}

void cr_model_score(const struct cr_model *m, const struct cr_model_bind *b, const double *x,
		    struct cr_score *out)
{
	double points = m->base_points;
	out->n_reasons = 0;
	for (size_t i = 0; i < m->n_features; i++) {
		const struct cr_model_feature *f = &m->feature[i];
		const double v = x[b->col[i]];
		const double p = f->bin[cr_model_bin_of(f, v)].points;
		points += p;
		if (f->best_points - p > 0)
			add_reason(out, (uint16_t)i, f->best_points - p, isnan(v));
	}
	out->points = points;
	if (points <= m->score_min)
		out->score = m->score_min;
	else if (points >= m->score_max)
		out->score = m->score_max;
	else
		out->score = (int)floor(points + 0.5);
	out->pd = cr_model_pd(m, points);
}

/* factor = pdo / ln 2; offset = anchor_score - factor * ln(anchor_odds). */
static double factor(const struct cr_model *m)
{
	return m->pdo / log(2.0);
}

double cr_model_pd(const struct cr_model *m, double points)
{
	const double f = factor(m), offset = m->anchor_score - f * log(m->anchor_odds);
	/* points = offset + factor * ln(odds good:bad); pd = 1 / (1 + odds). */
	return 1.0 / (1.0 + exp((points - offset) / f));
}

double cr_model_points_for_odds(const struct cr_model *m, double odds)
{
	const double f = factor(m);
	return m->anchor_score - f * log(m->anchor_odds) + f * log(odds);
}
