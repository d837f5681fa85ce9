/*
 * op_furnish.c - a furnished body over HTTP: the ingest pipeline (ingest.h)
 * on the act's transaction, restricted to what the key may furnish, and
 * audited by its counts.
 */
#include "ops.h"

#include "apikey.h"
#include "cr_err.h"

int cr_furnish_body(struct cr_op *op, const char *body, size_t len, uint8_t only_type,
		    cr_reject_fn on_reject, void *arg, struct cr_ingest_counts *counts)
{
	struct cr_ingest *ig;
	int rc = cr_ingest_begin_in(op->st, op->txn, op->asof, on_reject, arg, &ig);
	if (rc)
		return rc;
	cr_ingest_restrict(ig, op->has_self ? NULL : op->inst, op->has_self ? &op->self : NULL,
			   only_type);
	rc = cr_ingest_buffer(ig, body ? body : "", len, 1);
	int erc = cr_ingest_end(ig, counts);
	rc = rc ? rc : erc;
	return rc ? rc : cr_op_audit_furnish(op, counts);
}
