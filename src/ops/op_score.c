/*
 * op_score.c - the score act: a lender asks for a person's score (POST
 * /v1/scores, creditref score).  The same rules as a report: a live query
 * consent for the purpose, checked on the snapshot the score is built in
 * and again on the newest state when the request is recorded; granted or
 * refused, the request is an inquiry (when granted) and an audit entry
 * (score).  Only credit behaviour goes in (scorer.h).
 */
#include "ops.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "consent.h"
#include "cr_limits.h"
#include "cr_err.h"
#include "scorer.h"

int cr_score_request_prepare(struct cr_op *op, const struct cr_subject_key *who,
			     const char *inst, uint8_t purpose, struct cr_person_score *out)
{
	const char *reason = NULL;
	const int self = purpose == CR_PURPOSE_SELF;
	if (!op->scorer)
		return op->why = "this server scores with no model", CR_EINVAL;
	int rc = cr_consent_may_query(op->txn, who, self ? "" : inst, purpose, op->asof, &reason);
	if (!rc)
		rc = cr_scorer_person(op->scorer, op->txn, who, op->asof, out);
	op->why = reason;
	return rc;
}

int cr_score_request_record(struct cr_op *op, const struct cr_subject_key *who,
			    const char *inst, uint8_t purpose, int prepared)
{
	return cr_op_inquiry(op, CR_ACT_SCORE, who, inst, purpose, prepared);
}

int cr_score_request(struct cr_op *op, const struct cr_subject_key *who, const char *inst,
		     uint8_t purpose, struct cr_person_score *out)
{
	int rc = cr_score_request_prepare(op, who, inst, purpose, out);
	if (rc == CR_EINVAL)
		return rc;
	return cr_score_request_record(op, who, inst, purpose, rc);
}

/* One page of people, scored by CR_SCORE_THREADS threads, each in a read
 * transaction of its own over its share (every n-th person), then handed
 * to fn in arrival order by the calling thread. */
struct page {
	const struct cr_op *op;
	const struct cr_subject_key *k;
	size_t n;
	struct cr_person_score *ps;
	int *rc;
};

struct share {
	struct page *p;
	size_t first;
	int rc;
};

static void *score_share(void *arg)
{
	struct share *sh = arg;
	const struct page *p = sh->p;
	cr_txn *txn;
	sh->rc = cr_store_begin(p->op->st, 0, &txn);
	if (sh->rc)
		return NULL;
	for (size_t i = sh->first; i < p->n; i += CR_SCORE_THREADS)
		p->rc[i] = cr_scorer_person(p->op->scorer, txn, &p->k[i], p->op->asof, &p->ps[i]);
	cr_store_abort(txn);
	return NULL;
}

static int score_page(struct page *p)
{
	pthread_t t[CR_SCORE_THREADS];
	struct share sh[CR_SCORE_THREADS];
	int started[CR_SCORE_THREADS] = {0}, rc = 0;
	for (size_t i = 0; i < CR_SCORE_THREADS; i++) {
		sh[i] = (struct share){p, i, 0};
		started[i] = i > 0 && pthread_create(&t[i], NULL, score_share, &sh[i]) == 0;
	}
	for (size_t i = 0; i < CR_SCORE_THREADS; i++)
		if (!started[i])
			score_share(&sh[i]); /* the caller's own share, or a thread that could not start */
	for (size_t i = 0; i < CR_SCORE_THREADS; i++) {
		if (started[i])
			pthread_join(t[i], NULL);
		rc = rc ? rc : sh[i].rc;
	}
	return rc;
}

static int next_page(cr_store *st, uint64_t *pos, struct cr_subject_key *k, size_t *n)
{
	cr_txn *txn;
	int rc = cr_store_begin(st, 0, &txn);
	if (rc)
		return rc;
	rc = cr_store_subjects(txn, pos, k, CR_FEATURES_PAGE, n);
	cr_store_abort(txn);
	return rc;
}

typedef int (*score_fn)(const struct cr_subject_key *k, const struct cr_person_score *s,
			void *arg);

/* Scores every page and hands each person with a score to fn, in order. */
static int walk_pages(struct cr_op *op, struct page *p, struct cr_subject_key *k,
		      score_fn fn, void *arg, uint64_t *scored)
{
	uint64_t pos = 0;
	int rc;
	while (!(rc = next_page(op->st, &pos, k, &p->n)) && p->n > 0) {
		if ((rc = score_page(p)))
			break;
		for (size_t i = 0; i < p->n && !rc; i++) {
			if (p->rc[i] == CR_ENOTFOUND)
				continue; /* nothing institutions see: no score */
			rc = p->rc[i] ? p->rc[i] : fn(&k[i], &p->ps[i], arg);
			*scored += !rc;
		}
		if (rc)
			break;
	}
	return rc;
}

/* Rescoring reads every file and writes their scores out: one entry says
 * it happened and how many people it scored, failed or not. */
int cr_score_all(struct cr_op *op, score_fn fn, void *arg, uint64_t *scored)
{
	*scored = 0;
	if (!op->scorer)
		return op->why = "no model to score with", CR_EINVAL;
	struct cr_subject_key *k = malloc(CR_FEATURES_PAGE * sizeof *k);
	struct page p = {op, k, 0, malloc(CR_FEATURES_PAGE * sizeof *p.ps),
			 malloc(CR_FEATURES_PAGE * sizeof *p.rc)};
	int rc = k && p.ps && p.rc ? walk_pages(op, &p, k, fn, arg, scored) : CR_ENOMEM;
	free(k);
	free(p.ps);
	free(p.rc);
	op->txn = NULL;
	op->batch = NULL;
	int arc = cr_op_audit_count(op, CR_ACT_SCORE_ALL, rc, "scored", *scored);
	return rc ? rc : arc;
}
