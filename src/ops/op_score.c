/*
 * op_score.c - the score act: a lender asks for a person's score (POST
 * /v1/scores, creditref score).  The same rules as a report: a live query
 * consent for the purpose, checked on the snapshot the score is built in
 * and again on the newest state when the request is recorded; granted or
 * refused, the request is an inquiry (when granted) and an audit entry
 * (score).  Only credit behaviour goes in (scorer.h).
 */
#include "ops.h"

#include <stdio.h>

#include "consent.h"
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
	const char *reason = op->why;
	int rc = cr_report_inquire(op->txn, who, inst, purpose, op->asof, prepared, &reason);
	if (cr_op_failed(rc))
		return rc;
	if (rc == CR_ENOTFOUND)
		reason = "the bureau has no credit file on this person";
	op->why = reason;
	const uint8_t outcome = rc == CR_EDENIED ? CR_AUDIT_REFUSED
			      : rc == CR_ENOTFOUND ? CR_AUDIT_NOT_FOUND : CR_AUDIT_GRANTED;
	int arc = cr_op_audit(op, CR_ACT_SCORE, who, purpose, outcome, rc ? reason : NULL);
	return arc ? arc : rc;
}

int cr_score_request(struct cr_op *op, const struct cr_subject_key *who, const char *inst,
		     uint8_t purpose, struct cr_person_score *out)
{
	int rc = cr_score_request_prepare(op, who, inst, purpose, out);
	if (rc == CR_EINVAL)
		return rc;
	return cr_score_request_record(op, who, inst, purpose, rc);
}

struct all {
	struct cr_op *op;
	int (*fn)(const struct cr_subject_key *k, const struct cr_person_score *s, void *arg);
	void *arg;
	uint64_t *scored;
};

static int score_one(cr_txn *txn, const struct cr_subject_key *k, void *arg)
{
	struct all *a = arg;
	struct cr_person_score ps;
	int rc = cr_scorer_person(a->op->scorer, txn, k, a->op->asof, &ps);
	if (rc == CR_ENOTFOUND)
		return 0; /* nothing institutions see: no score */
	if (!rc)
		rc = a->fn(k, &ps, a->arg);
	if (!rc)
		(*a->scored)++;
	return rc;
}

/* Rescoring reads every file and writes their scores out: one entry says
 * it happened and how many people it scored, refused or not. */
int cr_score_all(struct cr_op *op, int (*fn)(const struct cr_subject_key *k,
					     const struct cr_person_score *s, void *arg),
		 void *arg, uint64_t *scored)
{
	struct all a = {op, fn, arg, scored};
	*scored = 0;
	if (!op->scorer)
		return op->why = "no model to score with", CR_EINVAL;
	int rc = cr_features_walk(op->st, score_one, &a);
	op->txn = NULL;
	op->batch = NULL;
	int arc = cr_op_audit_count(op, CR_ACT_SCORE_ALL, rc, "scored", *scored);
	return rc ? rc : arc;
}
