/*
 * committer.h - group commit: one writer thread, many waiting requests.
 *
 * LMDB admits one writer at a time and each durable commit costs a few
 * fsyncs, so the committer takes every job queued at that moment, runs
 * them in order in one write transaction with one audit batch, commits
 * once, and only then tells each job it is done.  A job's outcome stands
 * only if the commit succeeded (cr_job.committed); if the store fails,
 * every job of the group fails with it and nothing is acknowledged.
 *
 * A job that must own its transaction (it calls a function that begins
 * and commits one, e.g. dispute filing) is "solo": it runs alone, between
 * groups, on the same thread.
 */
#ifndef CR_COMMITTER_H
#define CR_COMMITTER_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "store.h"

struct cr_group {
	cr_store *st;
	cr_txn *txn;
	struct cr_audit_batch *audit;
};

struct cr_job {
	/* Group job: runs inside g->txn; returns 0, or a store error that
	 * fails the whole group.  Domain outcomes are the job's own fields. */
	int (*run)(struct cr_group *g, struct cr_job *j);
	/* Solo job (when run is NULL): runs alone with the store. */
	int (*run_solo)(cr_store *st, struct cr_job *j);
	/* Called on the committer thread once the outcome is final. */
	void (*done)(struct cr_job *j);
	void *arg;
	/* What the job brings to apply, in bytes of furnished body; 0 for a
	 * job of constant size.  Light jobs (under CR_COMMIT_LIGHT_BYTES)
	 * are committed before heavy ones queued with them. */
	size_t weight;
	int rc;         /* run's result, or the commit's error */
	int committed;  /* the group's commit succeeded */
	struct cr_job *next;
};

struct cr_committer;

int cr_committer_start(cr_store *st, struct cr_committer **out /* OUT */);
/* Queues j; j->done is called later from the committer thread. */
void cr_committer_submit(struct cr_committer *c, struct cr_job *j);
/* Finishes every queued job, then stops the thread and frees c. */
void cr_committer_stop(struct cr_committer *c);

/* Counters for /metrics. */
struct cr_committer_stats {
	uint64_t groups;
	uint64_t jobs;
	uint64_t failed_groups;
	uint64_t max_group;
};
void cr_committer_stats(struct cr_committer *c, struct cr_committer_stats *out /* OUT */);

#endif
