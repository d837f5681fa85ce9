/*
 * store_event.c - real-time events.
 *
 * The event_id is the furnisher's text and often embeds the account
 * number, so like an account number it is stored only as a keyed hash
 * (domain byte 0x02): the store can tell a retry from a new event without
 * keeping the id.  Two records (store_codec.h):
 *
 *   index  'E' inst '\0' id-hash (16)            -> acct id, time
 *   person pid '~' n time (biased) id-hash (16)  -> kind, amount, dpd
 *
 * The first answers "was this id used?" in one lookup (its bloom filter
 * answers "no" for a new event without reading a block); the second gives
 * an account's events in (time, id-hash) order, next to the rest of the
 * person's file, so events at the same second are applied in one fixed
 * order whatever order they arrived in.
 */
#include <string.h>

#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

static void event_hash(const cr_store *st, const char *inst, const char *event_id,
		       uint8_t out[CR_EVENT_HASH_LEN])
{
	uint8_t msg[CR_PSEUDONYM_MSG_MAX];
	const size_t n = cr_pseudonym_msg(CR_DOMAIN_EVENT, inst, event_id, CR_EVENT_ID_MAX, msg);
	crypto_generichash(out, CR_EVENT_HASH_LEN, msg, n, st->pseudokey, CR_STORE_KEY_LEN);
}

int cr_event_rec_check(const struct cr_event_rec *e)
{
	if (e->acct_id == 0 || !cr_time_valid(e->at_s))
		return CR_EINVAL;
	if (e->kind < CR_EV_DRAWDOWN || e->kind > CR_EV_CLOSE)
		return CR_EINVAL;
	if (e->amount < 0 || e->amount > CR_AMOUNT_MAX || e->dpd < 0 || e->dpd > CR_DPD_MAX)
		return CR_EINVAL;
	return 0;
}

/* A stored event decoded and checked. */
static int event_read(const uint8_t *k, size_t kn, const uint8_t *p, size_t n,
		      struct cr_event_rec *e)
{
	int rc = cr_event_decode(k, kn, p, n, e);
	if (!rc && cr_event_rec_check(e))
		rc = CR_ECORRUPT;
	return rc;
}

/* Is the stored event named by index value v the same as e? */
static int same_event(cr_txn *txn, const struct kv_val *iv, const struct cr_event_rec *e)
{
	uint8_t pk[CR_KEY_EVENT_LEN], body[CR_EVENT_VAL_LEN];
	struct kv_val v = {0};
	uint64_t acct_id;
	int64_t at_s;
	if (cr_event_index_decode(iv->p, iv->n, &acct_id, &at_s))
		return CR_ECORRUPT;
	cr_key_event(acct_id, at_s, e->id_hash, pk);
	int rc = kv_get(txn, CF_PERSON, pk, sizeof pk, &v);
	if (rc == CR_ENOTFOUND)
		rc = CR_ECORRUPT;
	cr_event_encode(e, body);
	if (!rc)
		rc = acct_id == e->acct_id && at_s == e->at_s && v.n == sizeof body &&
		     memcmp(v.p, body, sizeof body) == 0;
	kv_val_free(&v);
	return rc;
}

int cr_store_event_put(cr_txn *txn, const char *inst, const char *event_id,
		       struct cr_event_rec *e)
{
	uint8_t ik[CR_KEY_EVENT_INDEX_MAX], iv[CR_EVENT_INDEX_VAL_LEN];
	uint8_t pk[CR_KEY_EVENT_LEN], body[CR_EVENT_VAL_LEN];
	CR_ASSERT(cr_event_rec_check(e) == 0);
	event_hash(txn->st, inst, event_id, e->id_hash);
	const size_t ikn = cr_key_event_index(inst, e->id_hash, ik);
	struct kv_val old = {0};
	int rc = kv_get(txn, CF_INDEX, ik, ikn, &old);
	if (rc == 0)
		rc = same_event(txn, &old, e);
	kv_val_free(&old);
	if (rc != CR_ENOTFOUND)
		return rc < 0 ? rc : rc == 1 ? 0 : CR_EEXIST;
	if ((rc = ctr_add(txn, CTR_EVENTS, 1)) || (rc = cr_store_state_forget(txn, e->acct_id)))
		return rc;
	cr_event_index_encode(e->acct_id, e->at_s, iv);
	kv_put(txn, CF_INDEX, ik, ikn, iv, sizeof iv);
	cr_key_event(e->acct_id, e->at_s, e->id_hash, pk);
	cr_event_encode(e, body);
	kv_put(txn, CF_PERSON, pk, sizeof pk, body, sizeof body);
	return 1;
}

/* A walk of an account's events up to a time. */
struct event_walk {
	int64_t until_s;
	int (*fn)(const struct cr_event_rec *e, void *arg);
	void *arg;
};

static int window_event(struct kv_step *s, void *arg)
{
	const struct event_walk *w = arg;
	struct cr_event_rec e;
	int rc = event_read(s->k, s->kn, s->v, s->vn, &e);
	if (rc)
		return rc;
	if (e.at_s > w->until_s) {
		s->end = 1;
		return 0;
	}
	return w->fn(&e, w->arg);
}

int cr_store_account_events(cr_txn *txn, uint64_t acct_id, int64_t after_s,
			    int64_t until_s,
			    int (*fn)(const struct cr_event_rec *e, void *arg),
			    void *arg)
{
	uint8_t pk[CR_KEY_EVENT_LEN], from[CR_KEY_EVENT_LEN];
	struct event_walk w = {until_s, fn, arg};
	if (after_s >= until_s)
		return 0;
	cr_key_event(acct_id, 0, NULL, pk);
	cr_key_event(acct_id, after_s + 1, NULL, from);
	return kv_walk(txn, CF_PERSON, pk, CR_KEY_EVENT_PREFIX_LEN, from, sizeof from,
		       window_event, &w);
}
