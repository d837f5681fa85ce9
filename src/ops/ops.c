/* ops.c - the context an act runs in; see ops.h. */
#include "ops.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cr_assert.h"
#include "cr_err.h"

void cr_op_init(struct cr_op *op, cr_store *st, uint8_t role, const char *inst,
		int32_t asof)
{
	memset(op, 0, sizeof *op);
	op->st = st;
	op->role = role;
	snprintf(op->inst, sizeof op->inst, "%s", inst ? inst : "");
	op->asof = asof;
	op->now = (int64_t)time(NULL);
}

int cr_op_failed(int rc)
{
	switch (rc) {
	case 0:
	case CR_EINVAL:
	case CR_EDENIED:
	case CR_ENOTFOUND:
	case CR_ETOOBIG:
	case CR_EEXIST:
		return 0;
	}
	return 1;
}

int cr_op_run(struct cr_op *op, int (*act)(struct cr_op *op, void *arg), void *arg)
{
	CR_ASSERT(op->st && !op->txn); /* one act, one transaction: no nesting */
	int rc = cr_store_begin(op->st, 1, &op->txn);
	if (rc)
		return rc;
	op->batch = NULL;
	rc = act(op, arg);
	if (cr_op_failed(rc)) {
		cr_store_abort(op->txn);
	} else {
		const int crc = cr_store_commit(op->txn);
		rc = crc ? crc : rc;
	}
	op->txn = NULL;
	return rc;
}

int cr_op_read(struct cr_op *op, int (*fn)(struct cr_op *op, void *arg), void *arg)
{
	CR_ASSERT(op->st && !op->batch); /* a snapshot writes no audit entry */
	cr_txn *saved = op->txn;
	int rc = cr_store_begin(op->st, 0, &op->txn);
	if (rc) {
		op->txn = saved;
		return rc;
	}
	rc = fn(op, arg);
	cr_store_abort(op->txn);
	op->txn = saved;
	return rc;
}

void cr_op_subject(const struct cr_op *op, const char *id, struct cr_subject_key *out)
{
	cr_store_subject_key(op->st, id, out);
}
