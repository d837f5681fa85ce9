/*
 * store_holding.c - holdings: person pid 'P' platform NUL product -> since,
 * until (store_codec.h).  A holding is personal data kept with the rest of
 * the person's file; the ID it was furnished with is not kept (the pid
 * stands for the person), and platform and product codes name no one.
 */
#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

int cr_store_holding_put(cr_txn *txn, const struct cr_subject_key *k,
			 const struct cr_holding *h)
{
	uint8_t kb[CR_KEY_HOLDING_MAX], buf[CR_HOLDING_ENC_LEN];
	uint64_t pid;
	CR_ASSERT(cr_holding_check(h) == 0);
	int rc = person_pid_make(txn, k, &pid);
	if (rc)
		return rc;
	const size_t kn = cr_key_holding(pid, h->platform, h->product, kb);
	const size_t n = cr_holding_encode(h, buf);
	rc = kv_put_changed(txn, CF_PERSON, kb, kn, buf, n);
	return rc < 0 ? rc : rc != KV_SAME;
}

struct holding_walk {
	int (*fn)(const struct cr_holding *h, void *arg);
	void *arg;
};

static int each_holding(struct kv_step *s, void *arg)
{
	const struct holding_walk *w = arg;
	struct cr_holding h;
	memset(&h, 0, sizeof h);
	int rc = cr_key_holding_parse(s->k, s->kn, h.platform, h.product);
	if (!rc)
		rc = cr_holding_decode(s->v, s->vn, &h);
	if (!rc && cr_holding_check(&h))
		rc = CR_ECORRUPT;
	return rc ? rc : w->fn(&h, w->arg);
}

int cr_store_holdings(cr_txn *txn, const struct cr_subject_key *k,
		      int (*fn)(const struct cr_holding *h, void *arg), void *arg)
{
	struct holding_walk w = {fn, arg};
	return person_walk(txn, k, PK_HOLDING, NULL, 0, each_holding, &w);
}
