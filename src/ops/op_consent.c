/*
 * op_consent.c - consents given and withdrawn, and listed (DESIGN.md
 * rule 1: nothing is reported or queried without the person's consent).
 *
 * Who may change a consent: the person, for themself; an institution, for
 * itself (the consent names it); the operator (the CLI), for anyone.  The
 * fact is validated as a furnished line would be (validate.h), names a
 * known institution, and is stored with cr_consent_apply, which releases
 * the records held for want of it.  Refusals are audited with the
 * institution and scope left unnamed: they are what the caller typed.
 */
#include "ops.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "consent.h"
#include "cr_err.h"
#include "validate.h"

static int refuse(struct cr_op *op, const struct cr_subject_key *k,
		  const struct cr_consent *c, int rc, const char *audit_reason)
{
	int arc = cr_op_audit_consent(op, k, c, audit_reason);
	return arc ? arc : rc;
}

/* The object-level rule: a person acts for themself, an institution for
 * itself. */
static int rights(struct cr_op *op, const struct cr_subject_key *k,
		  const struct cr_consent *c)
{
	if (op->has_self) {
		if (sodium_memcmp(k->b, op->self.b, sizeof k->b) != 0)
			return op->why = "a person's key may change only that person's consents",
			       CR_EDENIED;
		return 0;
	}
	if (op->inst[0] && strcmp(c->inst, op->inst) != 0) {
		snprintf(op->why_buf, sizeof op->why_buf,
			 "this key acts for institution %s; the consent must name it", op->inst);
		op->why = op->why_buf;
		return CR_EDENIED;
	}
	return 0;
}

int cr_consent_change(struct cr_op *op, const struct cr_consent *c,
		      struct cr_consent_result *res)
{
	struct cr_subject_key k;
	struct cr_institution in;
	struct cr_record rec;
	memset(res, 0, sizeof *res);
	res->diag.line = 1;
	cr_op_subject(op, c->id, &k);
	int rc = rights(op, &k, c);
	if (rc)
		return refuse(op, &k, c, rc, "not this key's consent");
	memset(&rec, 0, sizeof rec);
	rec.type = CR_REC_CONSENT;
	rec.u.consent = *c;
	if (cr_validate_record(&rec, op->asof, &res->diag)) {
		op->why = res->diag.reason;
		return refuse(op, &k, c, CR_EINVAL, "invalid record");
	}
	rc = cr_store_inst_get(op->txn, c->inst, &in);
	if (rc == CR_ENOTFOUND) {
		op->why = "unknown institution";
		snprintf(res->diag.field, sizeof res->diag.field, "institution");
		res->diag.reason = op->why;
		return refuse(op, &k, c, rc, "unknown institution");
	}
	if (rc)
		return rc;
	rc = cr_consent_apply(op->txn, &k, c, op->asof, &res->released);
	if (rc < 0)
		return rc;
	res->fresh = rc;
	return cr_op_audit_consent(op, &k, c, NULL);
}

int cr_consent_show(struct cr_op *op, const struct cr_subject_key *who, const char *inst,
		    int audit, int (*fn)(const struct cr_consent_fact *f, int in_force, void *arg),
		    void *arg)
{
	static _Thread_local struct cr_consent_facts facts;
	int rc = cr_consent_facts_load(op->txn, who, &facts);
	for (size_t i = 0; !rc && i < facts.n; i++)
		if (!inst || strcmp(inst, facts.f[i].inst) == 0)
			rc = fn(&facts.f[i], cr_consent_in_force(facts.f, facts.n, i, op->asof), arg);
	if (!rc && audit)
		rc = cr_op_audit(op, CR_ACT_CONSENT_LIST, who, 0, CR_AUDIT_GRANTED, NULL);
	return rc;
}
