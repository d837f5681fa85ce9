/*
 * op_quality.c - the supervision reads of data quality per furnisher and
 * co-lending funding shares (ops.h; quality.h, colending.h): who may read
 * which institution's rows, the read itself in the act's transaction, and
 * the audit entry, granted or refused.
 */
#include "ops.h"

#include <string.h>

#include "colending.h"
#include "cr_err.h"
#include "quality.h"

/* The institution whose rows op may read when it asked for inst: *scope
 * NULL for all.  CR_EDENIED with op->why when it may not. */
static int scope_of(struct cr_op *op, const char *inst, const char **scope)
{
	*scope = inst;
	switch (op->role) {
	case CR_AUDIT_ROLE_SUPERVISOR:
	case CR_AUDIT_ROLE_OPERATOR:
		return 0;
	case CR_AUDIT_ROLE_LENDER:
	case CR_AUDIT_ROLE_FURNISHER:
		if (!op->inst[0]) {
			op->why = "the key names no institution";
			return CR_EDENIED;
		}
		if (inst && strcmp(inst, op->inst) != 0) {
			op->why = "an institution reads its own rows only";
			return CR_EDENIED;
		}
		*scope = op->inst;
		return 0;
	default:
		op->why = "only a supervisor or an institution reads these figures";
		return CR_EDENIED;
	}
}

/* Audits the read of act by its result rc; a failure is not audited (the
 * transaction is aborted). */
static int audited(struct cr_op *op, enum cr_audit_act act, int rc)
{
	if (cr_op_failed(rc))
		return rc;
	int arc = cr_op_audit(op, act, NULL, 0, rc ? CR_AUDIT_REFUSED : CR_AUDIT_GRANTED,
			      rc ? (op->why ? op->why : cr_strerror(rc)) : NULL);
	return arc ? arc : rc;
}

int cr_quality_read(struct cr_op *op, const char *inst, int32_t from, int32_t to,
		    struct cr_quality *out)
{
	const char *scope;
	memset(out, 0, sizeof *out);
	int rc = scope_of(op, inst, &scope);
	if (!rc && (from > to || to - from >= CR_QUALITY_DAYS_MAX)) {
		op->why = "the range of days is empty or too long";
		rc = CR_EINVAL;
	}
	if (!rc)
		rc = cr_quality_build(op->txn, scope, from, to, op->asof, out);
	if (rc)
		cr_quality_fini(out);
	return audited(op, CR_ACT_QUALITY_READ, rc);
}

int cr_colending_read(struct cr_op *op, const char *inst, int32_t from, int32_t to,
		      uint32_t floor_bp, struct cr_colending *out)
{
	const char *scope;
	memset(out, 0, sizeof *out);
	int rc = scope_of(op, inst, &scope);
	if (!rc && (from > to || to - from >= CR_COLENDING_MONTHS_MAX || floor_bp > 10000)) {
		op->why = "the range of months is empty or too long, or the floor is over 100%";
		rc = CR_EINVAL;
	}
	if (!rc)
		rc = cr_colending_build(op->txn, scope, from, to, op->asof, floor_bp, out);
	if (rc)
		cr_colending_fini(out);
	return audited(op, CR_ACT_COLENDING_READ, rc);
}
