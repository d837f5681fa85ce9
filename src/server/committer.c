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
 * valid order.  Groups are also capped at CR_COMMIT_GROUP_JOBS jobs so that
 * one flood of requests cannot hold a transaction open without bound.
 *
 * One job's failure is its own (committer.h): run_group drops the group's
 * transaction when a job fails on its own and runs the jobs before it
 * again without it.
 *
 * One sync per group, off the critical path.  The committer thread commits
 * a group without waiting for the disk (cr_store_commit_async: its writes,
 * audit lines included, are visible to the next group at once) and hands
 * it to the syncer thread, which syncs the write-ahead log once for every
 * group handed over meanwhile and only then reports to their jobs.  So
 * the next group runs while the last one syncs, and a job is answered only
 * once its group is durable.  About once a second the syncer also syncs
 * the audit trail's file, after which the next group lets the store drop
 * its copies of the lines the file now holds (audit.h).  A failed sync
 * fails its groups and every later one: the store may then show writes
 * that are not durable, and the server must stop taking them.
 */
#include "committer.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "cr_err.h"
#include "cr_limits.h"

#define AUDIT_SYNC_NS 1000000000LL /* the trail's file is synced this often */

/* A committed group waiting for its sync: n jobs from first. */
struct pending {
	struct cr_job *first;
	size_t n;
	uint64_t audit_seq; /* the audit head after it */
	struct pending *next;
};

struct cr_committer {
	cr_store *st;
	struct cr_audit_trail *trail; /* the audit file, open across groups */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct cr_job *head, *tail;
	int light_queued; /* the queue holds a light job */
	int stopping;
	struct cr_committer_stats stats;
	/* the syncer */
	pthread_t syncer;
	pthread_mutex_t smu;
	pthread_cond_t scv;
	struct pending *phead, *ptail;
	int sync_stopping;
	int broken;            /* a sync failed: no more commits */
	int64_t file_sync_ns;  /* when the audit file was last synced */
	uint64_t file_synced;  /* audit entries durable in the file */
	uint64_t dropped;      /* store copies dropped up to this seq */
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Reports the outcome to n jobs from first (a job may be freed by its
 * done callback, so the next one is read before).  A job that failed
 * alone keeps its own result. */
static void report(struct cr_job *first, size_t n, int rc)
{
	struct cr_job *j = first;
	for (size_t i = 0; i < n; i++) {
		struct cr_job *next = j->next;
		j->committed = rc == 0 && !j->alone;
		if (rc && !j->alone)
			j->rc = rc;
		j->done(j);
		j = next;
	}
}

/* The syncer: one write-ahead-log sync for every group committed
 * meanwhile, then their jobs hear of it. */
static void *sync_loop(void *arg)
{
	struct cr_committer *c = arg;
	pthread_mutex_lock(&c->smu);
	for (;;) {
		while (!c->phead && !c->sync_stopping)
			pthread_cond_wait(&c->scv, &c->smu);
		struct pending *list = c->phead;
		c->phead = c->ptail = NULL;
		if (!list && c->sync_stopping)
			break;
		const int broken = c->broken;
		pthread_mutex_unlock(&c->smu);
		int rc = broken ? CR_EIO : cr_store_sync(c->st);
		uint64_t seq = 0;
		for (struct pending *p = list; p; p = p->next)
			seq = p->audit_seq > seq ? p->audit_seq : seq;
		const int64_t t = now_ns();
		int synced_file = 0;
		if (!rc && seq && t - c->file_sync_ns >= AUDIT_SYNC_NS)
			synced_file = cr_audit_sync_file(c->st) == 0;
		while (list) {
			struct pending *next = list->next;
			report(list->first, list->n, rc);
			free(list);
			list = next;
		}
		pthread_mutex_lock(&c->smu);
		c->broken |= rc != 0;
		if (synced_file) {
			c->file_sync_ns = t;
			c->file_synced = seq > c->file_synced ? seq : c->file_synced;
		}
	}
	pthread_mutex_unlock(&c->smu);
	return NULL;
}

/* Hands a committed group to the syncer; 0, or CR_ENOMEM. */
static int hand_over(struct cr_committer *c, struct cr_job *first, size_t n, uint64_t seq)
{
	struct pending *p = malloc(sizeof *p);
	if (!p)
		return CR_ENOMEM;
	*p = (struct pending){first, n, seq, NULL};
	pthread_mutex_lock(&c->smu);
	if (c->ptail)
		c->ptail->next = p;
	else
		c->phead = p;
	c->ptail = p;
	pthread_cond_signal(&c->scv);
	pthread_mutex_unlock(&c->smu);
	return 0;
}

/* In a group's transaction: drops the store's copies of audit lines the
 * file now holds durably; *upto is what to record as dropped once the
 * group commits (0: nothing).  Returns 0 or a store error. */
static int drop_synced(struct cr_committer *c, cr_txn *txn, uint64_t *upto)
{
	pthread_mutex_lock(&c->smu);
	const uint64_t synced = c->file_synced, done = c->dropped;
	pthread_mutex_unlock(&c->smu);
	*upto = 0;
	if (synced <= done)
		return 0;
	int rc = cr_store_audit_pending_drop(txn, done, synced);
	if (!rc)
		*upto = synced;
	return rc;
}

static int is_broken(struct cr_committer *c)
{
	pthread_mutex_lock(&c->smu);
	const int b = c->broken;
	pthread_mutex_unlock(&c->smu);
	return b;
}

/* Is a light job waiting in the queue? */
static int light_waiting(struct cr_committer *c)
{
	pthread_mutex_lock(&c->mu);
	const int w = c->light_queued;
	pthread_mutex_unlock(&c->mu);
	return w;
}

/* Is rc, returned by a job's run, that job's own failure rather than the
 * store's (committer.h)? */
static int job_fault(int rc)
{
	switch (rc) {
	case CR_EINVAL:
	case CR_EDENIED:
	case CR_ENOTFOUND:
	case CR_ETOOBIG:
	case CR_EEXIST:
	case CR_EAUDIT:
		return 1;
	}
	return 0;
}

static void count_group(struct cr_committer *c, size_t n, int failed, size_t isolated)
{
	pthread_mutex_lock(&c->mu);
	c->stats.groups += n > 0;
	c->stats.jobs += n;
	c->stats.failed_groups += failed;
	c->stats.isolated += isolated;
	if (n > c->stats.max_group)
		c->stats.max_group = n;
	pthread_mutex_unlock(&c->mu);
}

/* Runs up to n jobs from first, but those that failed alone, in one
 * transaction and hands the group to the syncer, which reports to each
 * job.  With yield, it stops after any job but the last when a light job
 * is waiting, and commits what ran.  Returns the first job not run (read
 * before the group is handed over: its jobs may be freed as soon as they
 * hear).  When a job fails on its own (job_fault), nothing is committed
 * nor reported: the job is marked alone, *fault set to its index, and the
 * caller runs the group again. */
static struct cr_job *try_group(struct cr_committer *c, struct cr_job *first, size_t n,
				int yield, size_t *fault)
{
	struct cr_group g = {c->st, NULL, NULL};
	uint64_t dropping = 0;
	int rc = is_broken(c) ? CR_EIO : cr_store_begin(c->st, 1, &g.txn);
	if (!rc)
		rc = drop_synced(c, g.txn, &dropping);
	if (!rc)
		rc = c->trail ? cr_audit_trail_batch(c->trail, g.txn, &g.audit)
			      : cr_audit_batch_begin(c->st, g.txn, &g.audit);
	struct cr_job *j = first;
	size_t ran = 0;
	*fault = SIZE_MAX;
	while (ran < n && !rc) {
		if (!j->alone)
			rc = j->rc = j->run(&g, j);
		if (rc && job_fault(rc)) {
			j->alone = 1;
			*fault = ran;
			break;
		}
		j = j->next;
		if (++ran < n && yield && light_waiting(c))
			n = ran;
	}
	if (*fault != SIZE_MAX) {
		cr_audit_batch_abort(g.audit);
		cr_store_abort(g.txn);
		count_group(c, 0, 0, 1);
		return NULL;
	}
	if (rc)
		n = ran ? ran : 1; /* the group ends at the job that failed */
	struct cr_job *rest = first;
	for (size_t i = 0; i < n; i++)
		rest = rest->next;
	if (g.audit) {
		int arc = rc ? (cr_audit_batch_abort(g.audit), 0) : cr_audit_batch_end(g.audit);
		rc = rc ? rc : arc;
	}
	struct cr_audit_head head = {0};
	if (!rc && cr_store_audit_head_get(g.txn, &head) == CR_ENOTFOUND)
		head.seq = 0;
	if (g.txn)
		rc = rc ? (cr_store_abort(g.txn), rc) : cr_store_commit_async(g.txn);
	if (!rc && dropping)
		c->dropped = dropping; /* the committer thread's own */
	count_group(c, n, rc != 0, 0);
	if (!rc)
		rc = hand_over(c, first, n, head.seq);
	if (rc)
		report(first, n, rc);
	return rest;
}

/* Are all n jobs from first ones that failed alone? */
static int all_alone(const struct cr_job *first, size_t n)
{
	for (size_t i = 0; i < n; i++, first = first->next)
		if (!first->alone)
			return 0;
	return 1;
}

/* Runs up to n jobs from first as one group (try_group).  When one fails
 * on its own, the group's transaction is dropped and the jobs before it
 * run again without it, in a new one, committed as a group of their own
 * (without yielding); the failed job hears with them, and the jobs after
 * it are left for the next group.  So a job runs at most twice (more only
 * in a group where several fail), and nothing is acknowledged that was not
 * committed.  Returns the first job not run. */
static struct cr_job *run_group(struct cr_committer *c, struct cr_job *first, size_t n,
				int yield)
{
	for (;;) {
		size_t fault;
		if (all_alone(first, n)) {
			struct cr_job *rest = first;
			for (size_t i = 0; i < n; i++)
				rest = rest->next;
			report(first, n, 0);
			return rest;
		}
		struct cr_job *rest = try_group(c, first, n, yield, &fault);
		if (fault == SIZE_MAX)
			return rest;
		n = fault + 1;
		yield = 0;
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

/* Splits the list into groups of consecutive group jobs and solo jobs;
 * a group ends at CR_COMMIT_GROUP_JOBS jobs, or once it holds max_weight
 * (a job that alone weighs more gets a group of its own).  With once (the heavy jobs),
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
			while (end && end->run && n < CR_COMMIT_GROUP_JOBS &&
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

static void destroy(struct cr_committer *c)
{
	cr_audit_trail_close(c->trail);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->smu);
	pthread_cond_destroy(&c->scv);
	free(c);
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
	pthread_mutex_init(&c->smu, NULL);
	pthread_cond_init(&c->scv, NULL);
	c->file_sync_ns = now_ns();
	/* Without the trail open (a file that cannot be opened now), each
	 * group opens it and says why it cannot. */
	if (cr_audit_trail_open(st, &c->trail))
		c->trail = NULL;
	if (pthread_create(&c->syncer, NULL, sync_loop, c) != 0) {
		destroy(c);
		return CR_ENOMEM;
	}
	if (pthread_create(&c->thread, NULL, loop, c) != 0) {
		pthread_mutex_lock(&c->smu);
		c->sync_stopping = 1;
		pthread_cond_signal(&c->scv);
		pthread_mutex_unlock(&c->smu);
		pthread_join(c->syncer, NULL);
		destroy(c);
		return CR_ENOMEM;
	}
	*out = c;
	return 0;
}

void cr_committer_submit(struct cr_committer *c, struct cr_job *j)
{
	j->next = NULL;
	j->committed = 0;
	j->alone = 0;
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

/* After the last group: the trail's file synced, the store's copies of
 * its lines dropped, durably. */
static void final_checkpoint(struct cr_committer *c)
{
	cr_txn *txn;
	if (c->broken || cr_store_begin(c->st, 1, &txn))
		return;
	if (cr_audit_checkpoint(c->st, txn) == 0)
		cr_store_commit(txn);
	else
		cr_store_abort(txn);
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
	pthread_mutex_lock(&c->smu);
	c->sync_stopping = 1;
	pthread_cond_signal(&c->scv);
	pthread_mutex_unlock(&c->smu);
	pthread_join(c->syncer, NULL);
	final_checkpoint(c);
	destroy(c);
}

void cr_committer_stats(struct cr_committer *c, struct cr_committer_stats *out)
{
	pthread_mutex_lock(&c->mu);
	*out = c->stats;
	pthread_mutex_unlock(&c->mu);
}
