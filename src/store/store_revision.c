/*
 * store_revision.c - revisions: the statement value a dispute correction
 * replaced, kept forever.  pid 'R' n month seq -> the old month and the
 * dispute (store_codec.h); seq, from the store-wide counter CTR_REVISION,
 * keeps several corrections of one month in order.
 */
#include <string.h>

#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

int cr_revision_check(const struct cr_revision *r)
{
	if (r->acct_id == 0 || r->dispute_id == 0 || !cr_month_valid(r->month) ||
	    !cr_days_valid(r->date_days))
		return CR_EINVAL;
	return cr_month_rec_check(&r->old);
}

int cr_store_revision_add(cr_txn *txn, const struct cr_revision *r)
{
	uint8_t kb[CR_KEY_REVISION_LEN], vb[CR_REVISION_VAL_LEN];
	uint64_t seq;
	CR_ASSERT(cr_revision_check(r) == 0);
	int rc = ctr_next(txn, CTR_REVISION, &seq);
	if (rc)
		return rc;
	cr_key_revision(r->acct_id, r->month, seq, kb);
	cr_revision_encode(r, vb);
	return kv_put(txn, CF_PERSON, kb, sizeof kb, vb, sizeof vb);
}

/* A walk of an account's revisions. */
struct revision_walk {
	uint64_t acct_id;
	int (*fn)(const struct cr_revision *r, void *arg);
	void *arg;
};

static int revision_of(struct kv_step *s, void *arg)
{
	const struct revision_walk *w = arg;
	struct cr_revision r;
	int rc = cr_revision_decode(w->acct_id, s->k, s->kn, s->v, s->vn, &r);
	if (!rc && cr_revision_check(&r))
		rc = CR_ECORRUPT;
	return rc ? rc : w->fn(&r, w->arg);
}

int cr_store_revisions(cr_txn *txn, uint64_t acct_id,
		       int (*fn)(const struct cr_revision *r, void *arg), void *arg)
{
	uint8_t pk[CR_KEY_REVISION_LEN];
	struct revision_walk w = {acct_id, fn, arg};
	cr_key_revision(acct_id, 0, 0, pk);
	return kv_walk(txn, CF_PERSON, pk, CR_KEY_REVISION_PREFIX_LEN, NULL, 0, revision_of, &w);
}
