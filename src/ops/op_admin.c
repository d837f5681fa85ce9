/*
 * op_admin.c - the operator's acts on the store as a whole: statistics,
 * purge past retention, compaction, a look at a person's audit entries.
 */
#include "ops.h"

#include "cr_err.h"
#include "monthly.h"
#include "retention.h"

static int read_stats(struct cr_op *op, void *arg)
{
	return cr_store_stats(op->txn, arg);
}

int cr_admin_stats(struct cr_op *op, struct cr_store_stats *out)
{
	return cr_op_read(op, read_stats, out);
}

/* The purge commits as it goes (retention.h): it is audited after, by what
 * it removed, in a transaction of its own, whether it finished or not. */
int cr_admin_purge(struct cr_op *op, struct cr_purge_counts *out)
{
	int rc = cr_retention_purge(op->st, op->asof, out);
	op->txn = NULL;
	op->batch = NULL;
	int arc = cr_op_audit_purge(op, rc != 0, out->accounts_purged, out->months_removed);
	if (!rc && arc)
		op->why = "the purge ran but its audit entry failed";
	return rc ? rc : arc;
}

int cr_admin_compact(struct cr_op *op)
{
	int rc = cr_store_compact(op->st);
	op->txn = NULL;
	op->batch = NULL;
	int arc = cr_op_audit(op, CR_ACT_COMPACT, NULL, 0,
			      rc ? CR_AUDIT_REFUSED : CR_AUDIT_GRANTED, NULL);
	return rc ? rc : arc;
}

struct monthly {
	int32_t month;
	struct cr_monthly *out;
};

static int read_monthly(struct cr_op *op, void *arg)
{
	struct monthly *m = arg;
	return cr_monthly_build(op->txn, m->month, op->asof, m->out);
}

int cr_admin_monthly(struct cr_op *op, int32_t month, struct cr_monthly *out)
{
	struct monthly m = {month, out};
	return cr_op_read(op, read_monthly, &m);
}

int cr_admin_audit_show(struct cr_op *op, const struct cr_subject_key *who)
{
	return cr_op_audit(op, CR_ACT_AUDIT_SHOW, who, 0, CR_AUDIT_GRANTED, NULL);
}
