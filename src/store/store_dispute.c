/*
 * store_dispute.c - disputes: a person contests an account or one month
 * of it (dispute.h).  A dispute is kept with the person, pid 'D' id: the
 * fixed fields, then the institution, account number and the person's
 * reason sealed under the data key with the id as associated data
 * (store_codec.h).  meta maps a dispute id to its person (MK_DISPUTE), for
 * the furnisher who answers by id and for the walk of every dispute.
 */
#include <string.h>

#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

#define DISPUTE_VAL_MAX (CR_DISPUTE_FIXED + CR_DISPUTE_TEXT_MAX + CR_STORE_SEAL_OVERHEAD)

int cr_dispute_check(const struct cr_dispute *d)
{
	if (d->id == 0 || d->acct_id == 0 || !cr_str_fits(d->inst, sizeof d->inst, 1) ||
	    !cr_str_fits(d->account, sizeof d->account, 1) ||
	    !cr_str_fits(d->reason, sizeof d->reason, 0))
		return CR_EINVAL;
	if ((d->month != CR_WHOLE_ACCOUNT && !cr_month_valid(d->month)) ||
	    !cr_days_valid(d->filed_days))
		return CR_EINVAL;
	if (d->status < CR_DISPUTE_OPEN || d->status > CR_DISPUTE_CORRECTED)
		return CR_EINVAL;
	if (d->status == CR_DISPUTE_OPEN)
		return d->resolved_days == CR_NO_DATE ? 0 : CR_EINVAL;
	return cr_days_valid(d->resolved_days) ? 0 : CR_EINVAL;
}

static size_t dispute_encode(cr_txn *txn, const struct cr_dispute *d, uint8_t *vb)
{
	uint8_t text[CR_DISPUTE_TEXT_MAX], ad[8];
	cr_dispute_encode(d, vb);
	const size_t tn = cr_dispute_text_encode(d, text);
	cr_put_u64be(ad, d->id);
	const size_t vn = CR_DISPUTE_FIXED + cr_store__seal(txn->st, ad, 8, text, tn,
							     vb + CR_DISPUTE_FIXED);
	sodium_memzero(text, sizeof text);
	return vn;
}

int cr_store_dispute_put(cr_txn *txn, struct cr_dispute *d)
{
	uint8_t mk[CR_KEY_DISPUTE_META_LEN], pk[CR_KEY_DISPUTE_LEN], pidb[8];
	uint8_t vb[DISPUTE_VAL_MAX];
	uint64_t pid;
	const int fresh = d->id == 0;
	int rc = person_pid_make(txn, &d->subject, &pid);
	if (!rc && fresh)
		rc = ctr_next(txn, CTR_DISPUTE, &d->id);
	if (rc)
		return rc;
	CR_ASSERT(cr_dispute_check(d) == 0);
	cr_key_dispute(pid, d->id, pk);
	kv_put(txn, CF_PERSON, pk, sizeof pk, vb, dispute_encode(txn, d, vb));
	if (!fresh)
		return 0;
	cr_key_dispute_meta(d->id, mk);
	cr_put_u64be(pidb, pid);
	return kv_put(txn, CF_META, mk, sizeof mk, pidb, 8);
}

static int dispute_decode(const cr_store *st, uint64_t id, const uint8_t *p,
			  size_t n, struct cr_dispute *out)
{
	uint8_t text[CR_DISPUTE_TEXT_MAX], ad[8];
	size_t tn;
	memset(out, 0, sizeof *out);
	cr_put_u64be(ad, id);
	if (n < CR_DISPUTE_FIXED || n - CR_DISPUTE_FIXED > sizeof text + CR_STORE_SEAL_OVERHEAD ||
	    cr_store__unseal(st, ad, 8, p + CR_DISPUTE_FIXED, n - CR_DISPUTE_FIXED, text, &tn))
		return CR_ECORRUPT;
	out->id = id;
	cr_dispute_decode(p, out);
	int rc = cr_dispute_text_decode(text, tn, out);
	sodium_memzero(text, sizeof text);
	if (!rc && cr_dispute_check(out))
		rc = CR_ECORRUPT;
	return rc;
}

static int dispute_load(cr_txn *txn, uint64_t pid, uint64_t id, struct cr_dispute *out)
{
	uint8_t pk[CR_KEY_DISPUTE_LEN];
	struct kv_val v = {0};
	cr_key_dispute(pid, id, pk);
	int rc = kv_get(txn, CF_PERSON, pk, sizeof pk, &v);
	if (rc == CR_ENOTFOUND)
		rc = CR_ECORRUPT; /* meta names it */
	if (!rc)
		rc = dispute_decode(txn->st, id, v.p, v.n, out);
	kv_val_free(&v);
	return rc;
}

int cr_store_dispute_get(cr_txn *txn, uint64_t id, struct cr_dispute *out)
{
	uint8_t mk[CR_KEY_DISPUTE_META_LEN];
	struct kv_val v = {0};
	cr_key_dispute_meta(id, mk);
	int rc = kv_get(txn, CF_META, mk, sizeof mk, &v);
	if (!rc && v.n != 8)
		rc = CR_ECORRUPT;
	const uint64_t pid = rc ? 0 : cr_get_u64be(v.p);
	kv_val_free(&v);
	return rc ? rc : dispute_load(txn, pid, id, out);
}

/* A walk of disputes: the callback, and the transaction to load them in. */
struct dispute_walk {
	cr_txn *txn;
	int (*fn)(const struct cr_dispute *d, void *arg);
	void *arg;
};

/* A meta record dispute id -> pid: the dispute, loaded from its person. */
static int mapped_dispute(struct kv_step *s, void *arg)
{
	const struct dispute_walk *w = arg;
	struct cr_dispute d;
	if (s->kn != CR_KEY_DISPUTE_META_LEN || s->vn != 8)
		return CR_ECORRUPT;
	int rc = dispute_load(w->txn, cr_get_u64be(s->v), cr_get_u64be(s->k + 1), &d);
	return rc ? rc : w->fn(&d, w->arg);
}

/* A person's dispute record. */
static int person_dispute(struct kv_step *s, void *arg)
{
	const struct dispute_walk *w = arg;
	struct cr_dispute d;
	if (s->kn != CR_KEY_DISPUTE_LEN)
		return CR_ECORRUPT;
	int rc = dispute_decode(w->txn->st, cr_key_dispute_id(s->k), s->v, s->vn, &d);
	return rc ? rc : w->fn(&d, w->arg);
}

static int count_dispute(struct kv_step *s, void *arg)
{
	if (s->kn != CR_KEY_DISPUTE_LEN)
		return CR_ECORRUPT;
	++*(size_t *)arg;
	return 0;
}

int cr_store_dispute_count(cr_txn *txn, const struct cr_subject_key *k, size_t *n)
{
	*n = 0;
	return person_walk(txn, k, PK_DISPUTE, NULL, 0, count_dispute, n);
}

/* Every dispute in id order (k NULL: the meta map, then each one's record),
 * or a person's. */
int cr_store_disputes(cr_txn *txn, const struct cr_subject_key *k,
		      int (*fn)(const struct cr_dispute *d, void *arg), void *arg)
{
	const uint8_t tag = MK_DISPUTE;
	struct dispute_walk w = {txn, fn, arg};
	if (!k)
		return kv_walk(txn, CF_META, &tag, 1, NULL, 0, mapped_dispute, &w);
	return person_walk(txn, k, PK_DISPUTE, NULL, 0, person_dispute, &w);
}
