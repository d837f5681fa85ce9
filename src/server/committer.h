/*
 * committer.h - group commit: one writer thread, many waiting requests.
 *
 * The store admits one writer at a time and each durable commit costs a
 * sync, so the committer takes every job queued at that moment, runs
 * them in order in one write transaction with one audit batch, commits
 * once, and only then tells each job it is done.  A job's outcome stands
 * only if the commit succeeded (cr_job.committed); if the store fails,
 * every job of the group fails with it and nothing is acknowledged.
 *
 * One job's failure is its own.  Jobs come from different callers, and
 * what one caller sent must never fail another's work (DESIGN.md rule 8).
 * A job's run returns one of three things:
 *
 *   0           the job is done; its outcome, a refusal included, is in its
 *               own fields, and its writes (a refusal's audit entry) commit
 *               with the group;
 *   a job fault CR_EINVAL, CR_EDENIED, CR_ENOTFOUND, CR_ETOOBIG, CR_EEXIST
 *               or CR_EAUDIT: something about this job alone went wrong
 *               where it should not have (a body over a per-person limit,
 *               an audit entry the trail refused).  The job fails alone:
 *               none of its writes, audit entries included, are committed,
 *               and it hears committed 0, alone 1, rc its fault;
 *   any other   (CR_EIO, CR_ESTORE, CR_ECORRUPT, CR_ENOMEM, ...) may be the
 *               store's: the group fails, every job hears committed 0.
 *
 * How a job fails alone.  The store's write transaction has no savepoint
 * (store.h: its writes are person images and key caches in memory until
 * commit), so the committer does not undo the job's writes: it aborts the
 * group's transaction and audit batch, marks the job alone, and runs the
 * jobs before it again in a new transaction, without it, committed as a
 * group of their own; the jobs after it go to the next group.  Nothing has
 * been acknowledged at that point (jobs hear only after their commit), so
 * dropping a transaction and running its jobs again is invisible to their
 * callers, and each job runs at most twice (more only when several of one
 * group fail).  It is also sound whatever the cause: had a store failure
 * been taken for a job fault, each job would fail alone in turn, and
 * still nothing uncommitted would be acknowledged.
 *
 * So a group job's run may be called more than once, each time in a fresh
 * transaction: it must depend only on the job's inputs, set every output
 * afresh (a reused buffer reset, not appended to), and have no effect
 * outside the group's transaction and audit batch.
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
	/* Group job: runs inside g->txn, possibly more than once (above);
	 * returns 0, a job fault that fails this job alone, or a store error
	 * that fails the whole group.  Domain outcomes are the job's own
	 * fields. */
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
	int committed;  /* the group's commit succeeded, with this job in it */
	int alone;      /* the job failed on its own (rc: its fault) and was
			 * left out of its group */
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
	uint64_t isolated;      /* jobs that failed alone */
};
void cr_committer_stats(struct cr_committer *c, struct cr_committer_stats *out /* OUT */);

#endif
