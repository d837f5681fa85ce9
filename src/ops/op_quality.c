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

int cr_quality_record(struct cr_op *op, enum cr_audit_act act, int rc)
{
	if (cr_op_failed(rc))
		return rc;
	int arc = cr_op_audit(op, act, NULL, 0, rc ? CR_AUDIT_REFUSED : CR_AUDIT_GRANTED,
			      rc ? (op->why ? op->why : cr_strerror(rc)) : NULL);
	return arc ? arc : rc;
}

/* Runs fn in op's transaction, or in a read snapshot of its own. */
static int in_txn(struct cr_op *op, int (*fn)(struct cr_op *op, void *arg), void *arg)
{
	return op->txn ? fn(op, arg) : cr_op_read(op, fn, arg);
}

struct quality_args {
	const char *scope;
	int32_t from, to;
	struct cr_quality *out;
};

static int build_quality(struct cr_op *op, void *arg)
{
	struct quality_args *a = arg;
	return cr_quality_build(op->txn, a->scope, a->from, a->to, op->asof, a->out);
}

int cr_quality_prepare(struct cr_op *op, const char *inst, int32_t from, int32_t to,
		       struct cr_quality *out)
{
	memset(out, 0, sizeof *out);
	struct quality_args a = {NULL, from, to, out};
	int rc = scope_of(op, inst, &a.scope);
	if (!rc && (from > to || to - from >= CR_QUALITY_DAYS_MAX)) {
		op->why = "the range of days is empty or too long";
		rc = CR_EINVAL;
	}
	if (!rc)
		rc = in_txn(op, build_quality, &a);
	if (rc)
		cr_quality_fini(out);
	return rc;
}

int cr_quality_read(struct cr_op *op, const char *inst, int32_t from, int32_t to,
		    struct cr_quality *out)
{
	return cr_quality_record(op, CR_ACT_QUALITY_READ,
				 cr_quality_prepare(op, inst, from, to, out));
}

struct colending_args {
	const char *scope;
	int32_t from, to;
	uint32_t floor_bp;
	struct cr_colending *out;
};

static int build_colending(struct cr_op *op, void *arg)
{
	struct colending_args *a = arg;
	return cr_colending_build(op->txn, a->scope, a->from, a->to, op->asof, a->floor_bp,
				  a->out);
}

int cr_colending_prepare(struct cr_op *op, const char *inst, int32_t from, int32_t to,
			 uint32_t floor_bp, struct cr_colending *out)
{
	memset(out, 0, sizeof *out);
	struct colending_args a = {NULL, from, to, floor_bp, out};
	int rc = scope_of(op, inst, &a.scope);
	if (!rc && (from > to || to - from >= CR_COLENDING_MONTHS_MAX || floor_bp > 10000)) {
		op->why = "the range of months is empty or too long, or the floor is over 100%";
		rc = CR_EINVAL;
	}
	if (!rc)
		rc = in_txn(op, build_colending, &a);
	if (rc)
		cr_colending_fini(out);
	return rc;
}

int cr_colending_read(struct cr_op *op, const char *inst, int32_t from, int32_t to,
		      uint32_t floor_bp, struct cr_colending *out)
{
	return cr_quality_record(op, CR_ACT_COLENDING_READ,
				 cr_colending_prepare(op, inst, from, to, floor_bp, out));
}
