/*
 * op_report.c - the report act: consent rules, inquiry, audit (report.h
 * builds; consent.h decides).  Every request is audited, refused ones too,
 * as "report": role lender with the institution, or subject for the
 * person's own (purpose self).
 */
#include "ops.h"

#include "cr_err.h"
#include "scorer.h"

int cr_report_request_prepare(struct cr_op *op, const struct cr_subject_key *who,
			      const char *inst, uint8_t purpose, struct cr_report *out)
{
	const char *reason = NULL;
	struct cr_person_score ps;
	out->has_score = 0;
	int rc = cr_report_prepare(op->txn, who, inst, purpose, op->asof, out, &reason);
	op->why = reason;
	if (rc || !op->scorer)
		return rc;
	/* What institutions see decides the score, the person's own report
	 * included; a person with nothing institutions see has none. */
	rc = cr_scorer_person(op->scorer, op->txn, who, op->asof, &ps);
	if (rc == CR_ENOTFOUND)
		return 0;
	out->has_score = !rc;
	out->score = ps.s;
	out->scorer = op->scorer;
	return rc;
}

int cr_op_inquiry(struct cr_op *op, enum cr_audit_act act, const struct cr_subject_key *who,
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
	int arc = cr_op_audit(op, act, who, purpose, outcome, rc ? reason : NULL);
	return arc ? arc : rc;
}

int cr_report_request_record(struct cr_op *op, const struct cr_subject_key *who,
			     const char *inst, uint8_t purpose, int prepared)
{
	return cr_op_inquiry(op, CR_ACT_REPORT, who, inst, purpose, prepared);
}

int cr_report_request(struct cr_op *op, const struct cr_subject_key *who, const char *inst,
		      uint8_t purpose, struct cr_report *out)
{
	int rc = cr_report_request_prepare(op, who, inst, purpose, out);
	return cr_report_request_record(op, who, inst, purpose, rc);
}

int cr_access_list(cr_store *st, const struct cr_subject_key *who,
		   int (*fn)(const struct cr_audit_entry *e, void *arg), void *arg)
{
	return cr_audit_list_subject(st, who, fn, arg);
}
