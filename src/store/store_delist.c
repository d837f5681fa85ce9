/*
 * store_delist.c - delisting orders: meta 0x07 seq (u64 BE) -> the order
 * (store_codec.h).  Orders are only ever added: the shelf's history is
 * the list of them, and the sequence is the meta value "delist_seq".
 */
#include <string.h>

#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

int cr_delist_check(const struct cr_delist *d)
{
	if (d->seq == 0 || !cr_str_fits(d->platform, sizeof d->platform, 1) ||
	    !cr_str_fits(d->by, sizeof d->by, 0) ||
	    !cr_str_fits(d->reason, sizeof d->reason, 1) ||
	    !cr_days_valid(d->effective_days) || !cr_days_valid(d->ordered_days))
		return CR_EINVAL;
	if (d->what == CR_DELIST_PRODUCT)
		return cr_str_fits(d->product, sizeof d->product, 1) && d->category == 0
		       ? 0 : CR_EINVAL;
	if (d->what == CR_DELIST_CATEGORY)
		return cr_str_fits(d->product, sizeof d->product, 0) && d->product[0] == '\0' &&
		       d->category >= 1 && d->category <= CR_CAT_COUNT ? 0 : CR_EINVAL;
	return CR_EINVAL;
}

int cr_store_delist_add(cr_txn *txn, struct cr_delist *d)
{
	uint8_t kb[CR_KEY_DELIST_LEN], buf[CR_DELIST_ENC_MAX];
	uint64_t last;
	int rc = meta_get_u64(txn, "delist_seq", &last);
	if (rc)
		return rc;
	d->seq = last + 1;
	CR_ASSERT(cr_delist_check(d) == 0);
	if ((rc = meta_put_u64(txn, "delist_seq", d->seq)))
		return rc;
	cr_key_delist(d->seq, kb);
	const size_t n = cr_delist_encode(d, buf);
	return kv_put(txn, CF_META, kb, sizeof kb, buf, n);
}

struct delist_walk {
	int (*fn)(const struct cr_delist *d, void *arg);
	void *arg;
};

static int each_delist(struct kv_step *s, void *arg)
{
	const struct delist_walk *w = arg;
	struct cr_delist d;
	if (s->kn != CR_KEY_DELIST_LEN)
		return CR_ECORRUPT;
	int rc = cr_delist_decode(cr_get_u64be(s->k + 1), s->v, s->vn, &d);
	if (!rc && cr_delist_check(&d))
		rc = CR_ECORRUPT;
	return rc ? rc : w->fn(&d, w->arg);
}

int cr_store_delists(cr_txn *txn, int (*fn)(const struct cr_delist *d, void *arg),
		     void *arg)
{
	const uint8_t prefix = MK_DELIST;
	struct delist_walk w = {fn, arg};
	return kv_walk(txn, CF_META, &prefix, 1, NULL, 0, each_delist, &w);
}
