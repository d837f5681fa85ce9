/*
 * sup_warm.c - keeps the supervision months a supervisor reads most (the
 * as-of month and the one before) built ahead, so that their requests
 * answer from memory (sup_cache.h) instead of walking the store.
 *
 * One thread: it builds both months at start, then again every half of
 * CR_SUPERVISION_CACHE_S, so a kept entry never expires between two
 * builds.  A build is a read snapshot through the operations layer; it
 * reads for no one, so it writes no audit entry (each request for the
 * months is audited as it is answered).  Stopping waits for a build in
 * progress to end: at a million people, up to about a minute.
 */
#include "sup_warm.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "aggregates.h"
#include "cr_date.h"
#include "ops.h"
#include "sup_cache.h"

struct cr_sup_warm {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	cr_store *st;
	struct cr_sup_cache *cache;
	int32_t asof_opt;
};

static int stopping(struct cr_sup_warm *w)
{
	pthread_mutex_lock(&w->mu);
	int s = w->stop;
	pthread_mutex_unlock(&w->mu);
	return s;
}

static void build_month(struct cr_sup_warm *w, int32_t month, int32_t asof)
{
	struct cr_op op;
	struct cr_sup_month m;
	cr_op_init(&op, w->st, CR_AUDIT_ROLE_SUPERVISOR, NULL, asof);
	cr_sup_cache_claim(w->cache, month, asof);
	if (cr_supervision_build(&op, month, &m) != 0 ||
	    cr_sup_cache_put(w->cache, &m, asof, op.now) != 0)
		cr_sup_cache_abandon(w->cache, month, asof);
	cr_sup_fini(&m);
}

static void *warm_main(void *arg)
{
	struct cr_sup_warm *w = arg;
	while (!stopping(w)) {
		const int32_t asof = w->asof_opt != CR_NO_DATE ? w->asof_opt : cr_date_today();
		const int32_t month = cr_month_of_date(asof);
		build_month(w, month, asof);
		if (!stopping(w))
			build_month(w, month - 1, asof);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += CR_SUPERVISION_CACHE_S / 2;
		pthread_mutex_lock(&w->mu);
		while (!w->stop && pthread_cond_timedwait(&w->cv, &w->mu, &until) == 0)
			;
		pthread_mutex_unlock(&w->mu);
	}
	return NULL;
}

struct cr_sup_warm *cr_sup_warm_start(cr_store *st, struct cr_sup_cache *cache,
				      int32_t asof_days)
{
	struct cr_sup_warm *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->st = st;
	w->cache = cache;
	w->asof_opt = asof_days;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->th, NULL, warm_main, w) != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w);
		return NULL;
	}
	return w;
}

void cr_sup_warm_stop(struct cr_sup_warm *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
