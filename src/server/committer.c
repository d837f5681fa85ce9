/*
 * committer.c - the group-commit thread; see committer.h.
 *
 * The queue is a singly linked list under a mutex; the thread swaps the
 * whole list out, so submitters wait on the lock only for a pointer swap.
 *
 * Light jobs go first.  A job's weight is the furnishing it brings (body
 * bytes); a report's inquiry, an audit entry or a single real-time event
 * weighs little, a body of a thousand events a lot, and applying it takes
 * tens of milliseconds.  Had every job queued at one moment gone into one
 * group, a report would wait for all the bulk bodies queued beside it, then
 * for their commit.  Instead the thread splits what it takes: the light
 * jobs run as one group (one short commit), then the heavy ones in groups
 * of at most CR_COMMIT_GROUP_BYTES, and before each heavy group it takes
 * the jobs queued meanwhile, lights first again.  A heavy group also ends
 * early, after the job being applied, when a light job arrives.  A light
 * job then waits for at most one heavy job in progress and a commit, and
 * heavy jobs keep their order; every order of jobs not yet answered is a
 * valid order.  Groups are also capped at GROUP_MAX jobs so that one flood
 * of requests cannot hold a transaction open without bound.
 */
#include "committer.h"

#include <pthread.h>
#include <stdlib.h>

#include "cr_err.h"
#include "cr_limits.h"

#define GROUP_MAX 4096

struct cr_committer {
	cr_store *st;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct cr_job *head, *tail;
	int light_queued; /* the queue holds a light job */
	int stopping;
	struct cr_committer_stats stats;
};

/* Is a light job waiting in the queue? */
static int light_waiting(struct cr_committer *c)
{
	pthread_mutex_lock(&c->mu);
	const int w = c->light_queued;
	pthread_mutex_unlock(&c->mu);
	return w;
}

/* Runs up to n jobs from first in one transaction and reports to each.
 * With yield, it stops after any job but the last when a light job is
 * waiting, and commits what ran.  Returns the first job not done (a done
 * job may be freed at once, so the list is walked before). */
static struct cr_job *run_group(struct cr_committer *c, struct cr_job *first, size_t n,
			int yield)
{
	struct cr_group g = {c->st, NULL, NULL};
	int rc = cr_store_begin(c->st, 1, &g.txn);
	if (!rc)
		rc = cr_audit_batch_begin(c->st, g.txn, &g.audit);
	struct cr_job *j = first;
	size_t ran = 0;
	while (ran < n && !rc) {
		rc = j->rc = j->run(&g, j);
		j = j->next;
		if (++ran < n && yield && light_waiting(c))
			n = ran;
	}
	if (g.audit) {
		int arc = rc ? (cr_audit_batch_abort(g.audit), 0) : cr_audit_batch_end(g.audit);
		rc = rc ? rc : arc;
	}
	if (g.txn)
		rc = rc ? (cr_store_abort(g.txn), rc) : cr_store_commit(g.txn);
	pthread_mutex_lock(&c->mu);
	c->stats.groups++;
	c->stats.jobs += n;
	c->stats.failed_groups += rc != 0;
	if (n > c->stats.max_group)
		c->stats.max_group = n;
	pthread_mutex_unlock(&c->mu);
	j = first;
	for (size_t i = 0; i < n; i++) {
		struct cr_job *next = j->next;
		j->committed = rc == 0;
		if (rc)
			j->rc = rc;
		j->done(j);
		j = next;
	}
	return j;
}

static void run_solo(struct cr_committer *c, struct cr_job *j)
{
	j->rc = j->run_solo(c->st, j);
	j->committed = 1;
	pthread_mutex_lock(&c->mu);
	c->stats.jobs++;
	pthread_mutex_unlock(&c->mu);
	j->done(j);
}

/* Splits the list into groups of consecutive group jobs and solo jobs;
 * a group ends at GROUP_MAX jobs, or once it holds max_weight (a job that
 * alone weighs more gets a group of its own).  With once (the heavy jobs),
 * it runs one group or solo job, which yields to waiting light jobs, and
 * returns what was not run; else it runs them all and returns NULL. */
static struct cr_job *run_list(struct cr_committer *c, struct cr_job *j,
			       size_t max_weight, int once)
{
	while (j) {
		if (!j->run) {
			struct cr_job *next = j->next;
			run_solo(c, j);
			j = next;
		} else {
			size_t n = 0, weight = 0;
			struct cr_job *end = j;
			while (end && end->run && n < GROUP_MAX &&
			       (n == 0 || weight + end->weight <= max_weight)) {
				weight += end->weight;
				end = end->next;
				n++;
			}
			j = run_group(c, j, n, once);
		}
		if (once)
			return j;
	}
	return NULL;
}

/* Moves the jobs of list into the light and heavy lists, in order. */
static void split(struct cr_job *list, struct cr_job **light, struct cr_job **heavy)
{
	struct cr_job **lt = light, **ht = heavy;
	while (*lt)
		lt = &(*lt)->next;
	while (*ht)
		ht = &(*ht)->next;
	while (list) {
		struct cr_job *next = list->next;
		struct cr_job ***t = list->weight < CR_COMMIT_LIGHT_BYTES ? &lt : &ht;
		list->next = NULL;
		**t = list;
		*t = &list->next;
		list = next;
	}
}

/* Takes the whole queue; waits for a job unless nowait.  *stop is set when
 * the committer is stopping and the queue is empty. */
static struct cr_job *take(struct cr_committer *c, int nowait, int *stop)
{
	pthread_mutex_lock(&c->mu);
	while (!nowait && !c->head && !c->stopping)
		pthread_cond_wait(&c->cv, &c->mu);
	struct cr_job *list = c->head;
	c->head = c->tail = NULL;
	c->light_queued = 0;
	*stop = c->stopping && !list;
	pthread_mutex_unlock(&c->mu);
	return list;
}

static void *loop(void *arg)
{
	struct cr_committer *c = arg;
	struct cr_job *heavy = NULL;
	for (;;) {
		int stop;
		struct cr_job *light = NULL, *list = take(c, heavy != NULL, &stop);
		if (stop && !heavy)
			return NULL;
		split(list, &light, &heavy);
		run_list(c, light, SIZE_MAX, 0);
		heavy = run_list(c, heavy, CR_COMMIT_GROUP_BYTES, 1);
	}
}

int cr_committer_start(cr_store *st, struct cr_committer **out)
{
	struct cr_committer *c = calloc(1, sizeof *c);
	*out = NULL;
	if (!c)
		return CR_ENOMEM;
	c->st = st;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if (pthread_create(&c->thread, NULL, loop, c) != 0) {
		pthread_mutex_destroy(&c->mu);
		pthread_cond_destroy(&c->cv);
		free(c);
		return CR_ENOMEM;
	}
	*out = c;
	return 0;
}

void cr_committer_submit(struct cr_committer *c, struct cr_job *j)
{
	j->next = NULL;
	j->committed = 0;
	pthread_mutex_lock(&c->mu);
	if (c->tail)
		c->tail->next = j;
	else
		c->head = j;
	c->tail = j;
	c->light_queued |= j->weight < CR_COMMIT_LIGHT_BYTES;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

void cr_committer_stop(struct cr_committer *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->stopping = 1;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c);
}

void cr_committer_stats(struct cr_committer *c, struct cr_committer_stats *out)
{
	pthread_mutex_lock(&c->mu);
	*out = c->stats;
	pthread_mutex_unlock(&c->mu);
}
