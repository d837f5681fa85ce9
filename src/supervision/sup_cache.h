/*
 * sup_cache.h - months of supervision aggregates kept in memory.
 *
 * Building a month walks every account in the store (about 40 s for a
 * million people, docs/supervision.md "Speed"), while the result is a few
 * hundred cells.  So the server keeps each month it built, by (month,
 * business date), for max_age_s seconds: every grouping of that month is
 * then answered from memory, in well under a millisecond.  Data furnished
 * after a month was built shows once its entry is older than max_age_s
 * (CR_SUPERVISION_CACHE_S); a market table a few minutes old is what a
 * supervisor's monthly view needs.  Thread-safe.
 */
#ifndef CR_SUP_CACHE_H
#define CR_SUP_CACHE_H

#include <stdint.h>

#include "aggregates.h"

struct cr_sup_cache;

struct cr_sup_cache *cr_sup_cache_new(unsigned max_age_s);
void cr_sup_cache_free(struct cr_sup_cache *c);

/* A copy of the month built for asof no more than max_age_s before now:
 * 1 with *out filled (the caller finis it), 0 when none (NULL c: none),
 * or CR_ENOMEM.  On 0 the caller has claimed the month: it builds it and
 * calls put, or abandon when the build failed; meanwhile another get for
 * the same month waits for it instead of walking the store too. */
int cr_sup_cache_get(struct cr_sup_cache *c, int32_t month, int32_t asof, int64_t now,
		     struct cr_sup_month *out /* OUT */);
/* Keeps a copy of m, built for asof at now (replacing the oldest month
 * when full).  0 or CR_ENOMEM. */
int cr_sup_cache_put(struct cr_sup_cache *c, const struct cr_sup_month *m, int32_t asof,
		     int64_t now);

/* Claims the month to build it again whatever is kept (after any other
 * claim on it ends); a get meanwhile answers from the kept month while it
 * is fresh, and waits otherwise.  The caller then calls put or abandon. */
void cr_sup_cache_claim(struct cr_sup_cache *c, int32_t month, int32_t asof);
/* The kept months someone asked for (a get answered from them, or they
 * were first built) at or after asked_since, and built older_than_s or
 * more before now: at most cap of them, in months[] and asofs[].  The
 * server builds these again ahead of their expiry (sup_warm.c) and no
 * others. */
size_t cr_sup_cache_due(struct cr_sup_cache *c, int64_t now, int64_t asked_since,
			int64_t older_than_s, int32_t *months /* OUT */, int32_t *asofs /* OUT */,
			size_t cap);
/* Gives up a claim (the build failed): a waiting get claims it next. */
void cr_sup_cache_abandon(struct cr_sup_cache *c, int32_t month, int32_t asof);

#endif
