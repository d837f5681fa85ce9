/*
 * store_events.c - real-time events, disputes and corrections of a person.
 *
 * Events.  The event_id is the furnisher's text and often embeds the
 * account number, so like an account number it is stored only as a keyed
 * hash (domain byte 0x02): the store can tell a retry from a new event
 * without keeping the id.  Two records:
 *
 *   index  'E' inst '\0' id-hash (16)            -> acct id, time
 *   person pid '~' n time (biased) id-hash (16)  -> kind, amount, dpd
 *
 * The first answers "was this id used?" in one lookup (its bloom filter
 * answers "no" for a new event without reading a block); the second gives
 * an account's events in (time, id-hash) order, next to the rest of the
 * person's file, so events at the same second are applied in one fixed
 * order whatever order they arrived in.
 *
 * Disputes are kept with the person (pid 'D' id); meta maps a dispute id
 * to its person for the furnisher's lookups by id.  Revisions (the value
 * a correction replaced) are pid 'R' n month seq.
 */
#include <string.h>

#include "cr_assert.h"
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

static int event_decode(const uint8_t *k, size_t kn, const uint8_t *p, size_t n,
			struct cr_event_rec *e)
{
	int rc = cr_event_decode(k, kn, p, n, e);
	if (rc)
		return rc;
	if (e->kind < CR_EV_DRAWDOWN || e->kind > CR_EV_CLOSE || e->amount < 0 ||
	    e->amount > CR_AMOUNT_MAX || e->dpd < 0 || e->dpd > CR_DPD_MAX)
		return CR_ECORRUPT;
	return 0;
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
	CR_ASSERT(e->kind >= CR_EV_DRAWDOWN && e->kind <= CR_EV_CLOSE);
	CR_ASSERT(e->amount >= 0);
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
	int rc = event_decode(s->k, s->kn, s->v, s->vn, &e);
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

/* ---- disputes ---------------------------------------------------------- */

/* Dispute value: the fixed fields, then the text sealed under the id. */
#define DISPUTE_VAL_MAX (CR_DISPUTE_FIXED + CR_DISPUTE_TEXT_MAX + CR_STORE_SEAL_OVERHEAD)

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

/* Every dispute in id order (k NULL: the meta map, then each one's record),
 * or a person's. */
int cr_store_disputes(cr_txn *txn, const struct cr_subject_key *k,
		      int (*fn)(const struct cr_dispute *d, void *arg), void *arg)
{
	const uint8_t tag = MK_DISPUTE;
	uint8_t pk[PK_LEN];
	uint64_t pid;
	struct dispute_walk w = {txn, fn, arg};
	if (!k)
		return kv_walk(txn, CF_META, &tag, 1, NULL, 0, mapped_dispute, &w);
	int rc = person_pid(txn, k, &pid);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	cr_key_person(pid, PK_DISPUTE, pk);
	return kv_walk(txn, CF_PERSON, pk, PK_LEN, NULL, 0, person_dispute, &w);
}

/* ---- revisions --------------------------------------------------------- */

int cr_store_revision_add(cr_txn *txn, const struct cr_revision *r)
{
	uint8_t kb[CR_KEY_REVISION_LEN], vb[CR_REVISION_VAL_LEN];
	uint64_t seq;
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
