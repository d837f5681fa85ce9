/*
 * cache.c - months of aggregates kept in memory by the server; see
 * sup_cache.h.
 *
 * A fixed table of slots under one mutex; a month is copied in and out
 * whole (four tables of a few hundred cells: tens of KB), so no reader
 * holds a pointer into the cache.  The oldest slot is replaced when the
 * table is full.
 */
#include "sup_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cr_err.h"

struct slot {
	int used;
	int32_t month, asof;
	int64_t built_s;
	int64_t asked_s; /* the last get that asked for it, or its first build */
	struct cr_sup_month m;
};

/* A month being built: others asking for it wait instead of walking too. */
struct claim {
	int32_t month, asof;
};

struct cr_sup_cache {
	pthread_mutex_t mu;
	pthread_cond_t built;
	unsigned max_age_s;
	struct slot slot[CR_SUPERVISION_CACHE_MONTHS];
	struct claim claim[CR_SUPERVISION_CACHE_MONTHS];
	size_t n_claims;
};

struct cr_sup_cache *cr_sup_cache_new(unsigned max_age_s)
{
	struct cr_sup_cache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->built, NULL);
	c->max_age_s = max_age_s;
	return c;
}

void cr_sup_cache_free(struct cr_sup_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < CR_SUPERVISION_CACHE_MONTHS; i++)
		cr_sup_fini(&c->slot[i].m);
	pthread_cond_destroy(&c->built);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static int copy_month(struct cr_sup_month *dst, const struct cr_sup_month *src)
{
	cr_sup_init(dst);
	dst->month = src->month;
	dst->min_cell = src->min_cell;
	for (int by = 0; by < CR_SUP_BYS; by++) {
		const struct cr_sup_table *s = &src->by[by];
		dst->by[by].cells = malloc((s->n ? s->n : 1) * sizeof *s->cells);
		if (!dst->by[by].cells) {
			cr_sup_fini(dst);
			return CR_ENOMEM;
		}
		/* An empty grouping has no cells array: memcpy wants a pointer
		 * even for no bytes. */
		if (s->n)
			memcpy(dst->by[by].cells, s->cells, s->n * sizeof *s->cells);
		dst->by[by].n = s->n;
	}
	return 0;
}

static struct slot *find(struct cr_sup_cache *c, int32_t month, int32_t asof)
{
	for (size_t i = 0; i < CR_SUPERVISION_CACHE_MONTHS; i++)
		if (c->slot[i].used && c->slot[i].month == month && c->slot[i].asof == asof)
			return &c->slot[i];
	return NULL;
}

/* The month's slot, else a free one, else the oldest. */
static struct slot *slot_for(struct cr_sup_cache *c, int32_t month, int32_t asof)
{
	struct slot *s = find(c, month, asof), *oldest = &c->slot[0];
	for (size_t i = 0; !s && i < CR_SUPERVISION_CACHE_MONTHS; i++) {
		if (!c->slot[i].used)
			return &c->slot[i];
		if (c->slot[i].built_s < oldest->built_s)
			oldest = &c->slot[i];
	}
	return s ? s : oldest;
}

static int claimed(const struct cr_sup_cache *c, int32_t month, int32_t asof)
{
	for (size_t i = 0; i < c->n_claims; i++)
		if (c->claim[i].month == month && c->claim[i].asof == asof)
			return (int)i;
	return -1;
}

static void unclaim(struct cr_sup_cache *c, int32_t month, int32_t asof)
{
	int i = claimed(c, month, asof);
	if (i >= 0) {
		c->claim[i] = c->claim[--c->n_claims];
		pthread_cond_broadcast(&c->built);
	}
}

int cr_sup_cache_get(struct cr_sup_cache *c, int32_t month, int32_t asof, int64_t now,
		     struct cr_sup_month *out)
{
	cr_sup_init(out);
	if (!c)
		return 0;
	pthread_mutex_lock(&c->mu);
	int rc = 0;
	for (;;) {
		struct slot *s = find(c, month, asof);
		if (s)
			s->asked_s = now;
		if (s && now - s->built_s <= (int64_t)c->max_age_s) {
			rc = copy_month(out, &s->m) ? CR_ENOMEM : 1;
			break;
		}
		if (claimed(c, month, asof) < 0)
			break;
		pthread_cond_wait(&c->built, &c->mu);
	}
	if (rc == 0 && c->n_claims < CR_SUPERVISION_CACHE_MONTHS)
		c->claim[c->n_claims++] = (struct claim){month, asof};
	pthread_mutex_unlock(&c->mu);
	return rc;
}

void cr_sup_cache_claim(struct cr_sup_cache *c, int32_t month, int32_t asof)
{
	pthread_mutex_lock(&c->mu);
	while (claimed(c, month, asof) >= 0)
		pthread_cond_wait(&c->built, &c->mu);
	if (c->n_claims < CR_SUPERVISION_CACHE_MONTHS)
		c->claim[c->n_claims++] = (struct claim){month, asof};
	pthread_mutex_unlock(&c->mu);
}

void cr_sup_cache_abandon(struct cr_sup_cache *c, int32_t month, int32_t asof)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	unclaim(c, month, asof);
	pthread_mutex_unlock(&c->mu);
}

int cr_sup_cache_put(struct cr_sup_cache *c, const struct cr_sup_month *m, int32_t asof,
		     int64_t now)
{
	if (!c)
		return 0;
	pthread_mutex_lock(&c->mu);
	struct slot *s = slot_for(c, m->month, asof);
	if (!s->used || s->month != m->month || s->asof != asof)
		s->asked_s = now;
	cr_sup_fini(&s->m);
	int rc = copy_month(&s->m, m);
	s->used = rc == 0;
	s->month = m->month;
	s->asof = asof;
	s->built_s = now;
	unclaim(c, m->month, asof);
	pthread_mutex_unlock(&c->mu);
	return rc;
}

size_t cr_sup_cache_due(struct cr_sup_cache *c, int64_t now, int64_t asked_since,
			int64_t older_than_s, int32_t *months, int32_t *asofs, size_t cap)
{
	size_t n = 0;
	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < CR_SUPERVISION_CACHE_MONTHS && n < cap; i++) {
		const struct slot *s = &c->slot[i];
		if (!s->used || s->asked_s < asked_since || now - s->built_s < older_than_s)
			continue;
		months[n] = s->month;
		asofs[n++] = s->asof;
	}
	pthread_mutex_unlock(&c->mu);
	return n;
}
