/*
 * sup_warm.c - keeps the supervision months supervisors are reading built
 * ahead, so that their requests answer from memory (sup_cache.h) instead
 * of walking the store.
 *
 * Building a month walks every account of the store: tens of seconds and
 * gigabytes at a million people, ten times that at ten million.  So the
 * thread builds only what was asked for: a month a request read (or
 * built) in the last CR_SUPERVISION_WANTED_S is built again once its kept
 * copy is half CR_SUPERVISION_CACHE_S old, before it expires; a server
 * nobody asks for supervision figures walks nothing.  It runs at the
 * lowest scheduling priority (nice 19), so a walk takes only the CPU that
 * reports, furnishing and events leave.  A build is a read snapshot
 * through the operations layer; it reads for no one, so it writes no
 * audit entry (each request for the months is audited as it is
 * answered).  Stopping waits for a build in progress to end.
 */
#include "sup_warm.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

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
};

/* The walks' priority: the lowest, below every request's thread. */
#define WARM_NICE 19

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
	/* Per thread on Linux; when refused, the walks run at the
	 * server's priority, as they would anyway. */
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), WARM_NICE);
	while (!stopping(w)) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += CR_SUPERVISION_CACHE_S / 4;
		pthread_mutex_lock(&w->mu);
		while (!w->stop && pthread_cond_timedwait(&w->cv, &w->mu, &until) == 0)
			;
		pthread_mutex_unlock(&w->mu);
		int32_t months[CR_SUPERVISION_CACHE_MONTHS], asofs[CR_SUPERVISION_CACHE_MONTHS];
		const int64_t now = (int64_t)time(NULL);
		const size_t n = cr_sup_cache_due(w->cache, now, now - CR_SUPERVISION_WANTED_S,
						  CR_SUPERVISION_CACHE_S / 2, months, asofs,
						  CR_SUPERVISION_CACHE_MONTHS);
		for (size_t i = 0; i < n && !stopping(w); i++)
			build_month(w, months[i], asofs[i]);
	}
	return NULL;
}

struct cr_sup_warm *cr_sup_warm_start(cr_store *st, struct cr_sup_cache *cache)
{
	struct cr_sup_warm *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->st = st;
	w->cache = cache;
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
