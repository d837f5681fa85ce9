/*
 * op_supervision.c - reading the market aggregates (aggregates.h).
 *
 * The aggregates name nobody, but who read which month of the market is
 * recorded all the same (supervision_read): a supervisor's interest is
 * itself information.  A supervisor or operator reads every cell of a
 * grouping; a furnisher or lender its own institution's cell, by
 * institution only, since its cells by product or region would nest
 * inside its institution's total and a difference could isolate a cell
 * that the rule suppressed.
 */
#include "ops.h"

#include "aggregates.h"
#include "cr_err.h"
#include "sup_cache.h"

int cr_supervision_scope(struct cr_op *op, int by, const char **only)
{
	*only = NULL;
	if (by < 0 || by >= CR_SUP_BYS) {
		op->why = "by must be institution, product, province or prefecture";
		return CR_EINVAL;
	}
	if (op->role == CR_AUDIT_ROLE_SUPERVISOR || op->role == CR_AUDIT_ROLE_OPERATOR)
		return 0;
	if ((op->role == CR_AUDIT_ROLE_LENDER || op->role == CR_AUDIT_ROLE_FURNISHER) &&
	    op->inst[0] && by == CR_SUP_BY_INSTITUTION) {
		*only = op->inst;
		return 0;
	}
	op->why = "an institution reads its own row, by institution only";
	return CR_EDENIED;
}

struct build_months {
	int32_t first;
	size_t n;
	struct cr_sup_month *out;
};

static int read_months(struct cr_op *op, void *arg)
{
	struct build_months *b = arg;
	return cr_sup_build_months(op->txn, b->first, b->n, op->asof, CR_SUPERVISION_MIN_CELL,
				   b->out);
}

int cr_supervision_build_months(struct cr_op *op, int32_t first, size_t n,
				struct cr_sup_month *out)
{
	if (n == 0 || n > CR_MONTHLY_WALK_MONTHS_MAX)
		return CR_EINVAL;
	/* Kept months answer from memory; the others are claimed in ascending
	 * order (so that two callers claiming overlapping ranges never wait on
	 * each other in a cycle) and built in one walk over their span. */
	size_t lo = n, hi = 0;
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		cr_sup_init(&out[i]);
	uint8_t missing[CR_MONTHLY_WALK_MONTHS_MAX] = {0};
	for (size_t i = 0; !rc && i < n; i++) {
		rc = cr_sup_cache_get(op->sup_cache, first + (int32_t)i, op->asof, op->now, &out[i]);
		if (rc == 0) {
			missing[i] = 1;
			lo = i < lo ? i : lo;
			hi = i;
		}
		rc = rc == 1 ? 0 : rc;
	}
	if (!rc && lo < n) {
		static _Thread_local struct cr_sup_month built[CR_MONTHLY_WALK_MONTHS_MAX];
		struct build_months b = {first + (int32_t)lo, hi - lo + 1, built};
		rc = cr_op_read(op, read_months, &b);
		for (size_t i = lo; !rc && i <= hi; i++) {
			if (missing[i]) {
				out[i] = built[i - lo];
				cr_sup_init(&built[i - lo]);
				rc = cr_sup_cache_put(op->sup_cache, &out[i], op->asof, op->now);
				missing[i] = 0;
			}
		}
		for (size_t i = lo; i <= hi; i++)
			cr_sup_fini(&built[i - lo]);
	}
	for (size_t i = 0; i < n; i++) {
		if (missing[i])
			cr_sup_cache_abandon(op->sup_cache, first + (int32_t)i, op->asof);
		if (rc)
			cr_sup_fini(&out[i]);
	}
	return rc;
}

int cr_supervision_build(struct cr_op *op, int32_t month, struct cr_sup_month *out)
{
	return cr_supervision_build_months(op, month, 1, out);
}

int cr_supervision_audit(struct cr_op *op, int32_t month, int by, const char *refusal)
{
	const char *name = by >= 0 && by < CR_SUP_BYS ? cr_sup_by_name(by) : "?";
	return cr_op_audit_supervision(op, month, name, refusal);
}

int cr_supervision_read(struct cr_op *op, int32_t month, int by,
			struct cr_sup_month *out, const char **only)
{
	return cr_supervision_read_months(op, month, 1, by, out, only);
}

int cr_supervision_read_months(struct cr_op *op, int32_t first, size_t n, int by,
			       struct cr_sup_month *out, const char **only)
{
	for (size_t i = 0; i < n; i++)
		cr_sup_init(&out[i]);
	int rc = cr_supervision_scope(op, by, only);
	if (!rc)
		rc = cr_supervision_build_months(op, first, n, out);
	const char *refusal = rc == CR_EDENIED ? op->why : NULL;
	if (rc && !refusal)
		return rc;
	op->txn = NULL;
	op->batch = NULL;
	int arc = 0;
	for (size_t i = 0; !arc && i < n; i++)
		arc = cr_supervision_audit(op, first + (int32_t)i, by, refusal);
	if (arc || rc)
		for (size_t i = 0; i < n; i++)
			cr_sup_fini(&out[i]);
	return arc ? arc : rc;
}
