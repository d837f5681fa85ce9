/*
 * committer.c - the group-commit thread; see committer.h.
 *
 * The queue is a singly linked list under a mutex; the thread swaps the
 * whole list out, so submitters wait on the lock only for a pointer swap.
 * Groups are capped at GROUP_MAX jobs so that one flood of requests cannot
 * hold a transaction open without bound; the rest wait for the next one.
 */
#include "committer.h"

#include <pthread.h>
#include <stdlib.h>

#include "cr_err.h"

#define GROUP_MAX 4096

struct cr_committer {
	cr_store *st;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct cr_job *head, *tail;
	int stopping;
	struct cr_committer_stats stats;
};

/* Runs jobs [first, end) in one transaction and reports to each. */
static void run_group(struct cr_committer *c, struct cr_job *first, size_t n)
{
	struct cr_group g = {c->st, NULL, NULL};
	int rc = cr_store_begin(c->st, 1, &g.txn);
	if (!rc)
		rc = cr_audit_batch_begin(c->st, g.txn, &g.audit);
	struct cr_job *j = first;
	for (size_t i = 0; i < n && !rc; i++, j = j->next)
		rc = j->rc = j->run(&g, j);
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

/* Splits the list into groups of consecutive group jobs and solo jobs. */
static void run_list(struct cr_committer *c, struct cr_job *j)
{
	while (j) {
		if (!j->run) {
			struct cr_job *next = j->next;
			run_solo(c, j);
			j = next;
			continue;
		}
		size_t n = 0;
		struct cr_job *end = j;
		while (end && end->run && n < GROUP_MAX) {
			end = end->next;
			n++;
		}
		run_group(c, j, n);
		j = end;
	}
}

static void *loop(void *arg)
{
	struct cr_committer *c = arg;
	for (;;) {
		pthread_mutex_lock(&c->mu);
		while (!c->head && !c->stopping)
			pthread_cond_wait(&c->cv, &c->mu);
		struct cr_job *list = c->head;
		c->head = c->tail = NULL;
		const int stop = c->stopping && !list;
		pthread_mutex_unlock(&c->mu);
		if (stop)
			return NULL;
		run_list(c, list);
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
