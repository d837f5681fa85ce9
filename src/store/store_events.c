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

#define PK_LEN 9
#define EV_IDX_MAX (1 + CR_INST_CODE_MAX + 1 + 16)
#define EV_PK_LEN (PK_LEN + 2 + 8 + 16)
#define EV_VAL 13

static void event_hash(const cr_store *st, const char *inst, const char *event_id,
		       uint8_t out[16])
{
	uint8_t msg[2 + CR_INST_CODE_MAX + CR_EVENT_ID_MAX];
	size_t a = strnlen(inst, CR_INST_CODE_MAX), b = strnlen(event_id, CR_EVENT_ID_MAX);
	msg[0] = 0x02;
	memcpy(msg + 1, inst, a);
	msg[1 + a] = '\0';
	memcpy(msg + 2 + a, event_id, b);
	crypto_generichash(out, 16, msg, 2 + a + b, st->pseudokey, CR_STORE_KEY_LEN);
}

static uint64_t time_bias(int64_t s)
{
	return (uint64_t)s ^ (1ULL << 63);
}

/* pid '~' n, then the time from at_s on (at_s INT64_MIN: the prefix only). */
static void event_pk(uint64_t acct_id, int64_t at_s, const uint8_t hash[16],
		     uint8_t out[EV_PK_LEN])
{
	person_key(ACCT_PID(acct_id), PK_EVENT, out);
	out[9] = (uint8_t)(ACCT_N(acct_id) >> 8);
	out[10] = (uint8_t)ACCT_N(acct_id);
	cr_put_u64be(out + 11, time_bias(at_s));
	if (hash)
		memcpy(out + 19, hash, 16);
	else
		memset(out + 19, 0, 16);
}

static void event_body(const struct cr_event_rec *e, uint8_t out[EV_VAL])
{
	out[0] = e->kind;
	cr_put_u64be(out + 1, (uint64_t)e->amount);
	cr_put_i32be(out + 9, e->dpd);
}

static int event_decode(const uint8_t *k, size_t kn, const uint8_t *p, size_t n,
			struct cr_event_rec *e)
{
	if (kn != EV_PK_LEN || n != EV_VAL)
		return CR_ECORRUPT;
	e->acct_id = ACCT_ID(cr_get_u64be(k), (unsigned)(k[9] << 8 | k[10]));
	e->at_s = (int64_t)time_bias((int64_t)cr_get_u64be(k + 11));
	memcpy(e->id_hash, k + 19, 16);
	e->kind = p[0];
	e->amount = (int64_t)cr_get_u64be(p + 1);
	e->dpd = cr_get_i32be(p + 9);
	if (e->kind < CR_EV_DRAWDOWN || e->kind > CR_EV_CLOSE || e->amount < 0 ||
	    e->amount > CR_AMOUNT_MAX || e->dpd < 0 || e->dpd > CR_DPD_MAX)
		return CR_ECORRUPT;
	return 0;
}

/* Is the stored event named by index value v the same as e? */
static int same_event(cr_txn *txn, const struct kv_val *iv, const struct cr_event_rec *e)
{
	uint8_t pk[EV_PK_LEN], body[EV_VAL];
	struct kv_val v = {0};
	if (iv->n != 16)
		return CR_ECORRUPT;
	const uint64_t acct_id = cr_get_u64be(iv->p);
	const int64_t at_s = (int64_t)time_bias((int64_t)cr_get_u64be(iv->p + 8));
	event_pk(acct_id, at_s, e->id_hash, pk);
	int rc = kv_get(txn, CF_PERSON, pk, sizeof pk, &v);
	if (rc == CR_ENOTFOUND)
		rc = CR_ECORRUPT;
	event_body(e, body);
	if (!rc)
		rc = acct_id == e->acct_id && at_s == e->at_s && v.n == EV_VAL &&
		     memcmp(v.p, body, EV_VAL) == 0;
	kv_val_free(&v);
	return rc;
}

int cr_store_event_put(cr_txn *txn, const char *inst, const char *event_id,
		       struct cr_event_rec *e)
{
	uint8_t ik[EV_IDX_MAX], iv[16], pk[EV_PK_LEN], body[EV_VAL];
	const size_t a = strnlen(inst, CR_INST_CODE_MAX);
	CR_ASSERT(e->kind >= CR_EV_DRAWDOWN && e->kind <= CR_EV_CLOSE);
	CR_ASSERT(e->amount >= 0);
	event_hash(txn->st, inst, event_id, e->id_hash);
	ik[0] = IK_EVENT;
	memcpy(ik + 1, inst, a);
	ik[1 + a] = '\0';
	memcpy(ik + 2 + a, e->id_hash, 16);
	struct kv_val old = {0};
	int rc = kv_get(txn, CF_INDEX, ik, a + 18, &old);
	if (rc == 0)
		rc = same_event(txn, &old, e);
	kv_val_free(&old);
	if (rc != CR_ENOTFOUND)
		return rc < 0 ? rc : rc == 1 ? 0 : CR_EEXIST;
	if ((rc = ctr_add(txn, CTR_EVENTS, 1)) || (rc = cr_store_state_forget(txn, e->acct_id)))
		return rc;
	cr_put_u64be(iv, e->acct_id);
	cr_put_u64be(iv + 8, time_bias(e->at_s));
	kv_put(txn, CF_INDEX, ik, a + 18, iv, sizeof iv);
	event_pk(e->acct_id, e->at_s, e->id_hash, pk);
	event_body(e, body);
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
	uint8_t pk[EV_PK_LEN], from[EV_PK_LEN];
	struct event_walk w = {until_s, fn, arg};
	if (after_s >= until_s)
		return 0;
	event_pk(acct_id, 0, NULL, pk);
	event_pk(acct_id, after_s + 1, NULL, from);
	return kv_walk(txn, CF_PERSON, pk, PK_LEN + 2, from, sizeof from, window_event, &w);
}

/* ---- disputes ---------------------------------------------------------- */

/* Dispute value: fixed fields, then the sealed "inst\0account\0reason". */
#define DISPUTE_FIXED (CR_SUBJECT_KEY_LEN + 8 + 4 + 4 + 1 + 4)
#define DISPUTE_TEXT_MAX (CR_INST_CODE_MAX + CR_ACCOUNT_MAX + CR_DISPUTE_REASON_MAX + 3)
#define MK_DISPUTE 0x05 /* meta: dispute id -> pid */

static void dispute_meta_key(uint64_t id, uint8_t out[9])
{
	out[0] = MK_DISPUTE;
	cr_put_u64be(out + 1, id);
}

static void dispute_pk(uint64_t pid, uint64_t id, uint8_t out[PK_LEN + 8])
{
	person_key(pid, PK_DISPUTE, out);
	cr_put_u64be(out + PK_LEN, id);
}

static size_t dispute_encode(cr_txn *txn, const struct cr_dispute *d, uint8_t *vb)
{
	uint8_t text[DISPUTE_TEXT_MAX], ad[8];
	memcpy(vb, d->subject.b, CR_SUBJECT_KEY_LEN);
	uint8_t *p = vb + CR_SUBJECT_KEY_LEN;
	cr_put_u64be(p, d->acct_id);
	cr_put_i32be(p + 8, d->month);
	cr_put_i32be(p + 12, d->filed_days);
	p[16] = d->status;
	cr_put_i32be(p + 17, d->resolved_days);
	size_t tn = 0;
	const char *parts[3] = {d->inst, d->account, d->reason};
	const size_t caps[3] = {CR_INST_CODE_MAX, CR_ACCOUNT_MAX, CR_DISPUTE_REASON_MAX};
	for (int i = 0; i < 3; i++) {
		const size_t len = strnlen(parts[i], caps[i]);
		memcpy(text + tn, parts[i], len);
		tn += len;
		if (i < 2)
			text[tn++] = '\0';
	}
	cr_put_u64be(ad, d->id);
	const size_t vn = DISPUTE_FIXED + cr_store__seal(txn->st, ad, 8, text, tn,
							  vb + DISPUTE_FIXED);
	sodium_memzero(text, sizeof text);
	return vn;
}

int cr_store_dispute_put(cr_txn *txn, struct cr_dispute *d)
{
	uint8_t mk[9], pk[PK_LEN + 8], pidb[8];
	uint8_t vb[DISPUTE_FIXED + DISPUTE_TEXT_MAX + CR_STORE_SEAL_OVERHEAD];
	uint64_t pid;
	const int fresh = d->id == 0;
	int rc = person_pid_make(txn, &d->subject, &pid);
	if (!rc && fresh)
		rc = ctr_next(txn, CTR_DISPUTE, &d->id);
	if (rc)
		return rc;
	dispute_pk(pid, d->id, pk);
	kv_put(txn, CF_PERSON, pk, sizeof pk, vb, dispute_encode(txn, d, vb));
	if (!fresh)
		return 0;
	dispute_meta_key(d->id, mk);
	cr_put_u64be(pidb, pid);
	return kv_put(txn, CF_META, mk, sizeof mk, pidb, 8);
}

static int dispute_decode(const cr_store *st, uint64_t id, const uint8_t *p,
			  size_t n, struct cr_dispute *out)
{
	uint8_t text[DISPUTE_TEXT_MAX + 1], ad[8];
	size_t tn;
	memset(out, 0, sizeof *out);
	cr_put_u64be(ad, id);
	if (n < DISPUTE_FIXED || n - DISPUTE_FIXED > DISPUTE_TEXT_MAX + CR_STORE_SEAL_OVERHEAD ||
	    cr_store__unseal(st, ad, 8, p + DISPUTE_FIXED, n - DISPUTE_FIXED, text, &tn))
		return CR_ECORRUPT;
	text[tn] = '\0';
	out->id = id;
	memcpy(out->subject.b, p, CR_SUBJECT_KEY_LEN);
	p += CR_SUBJECT_KEY_LEN;
	out->acct_id = cr_get_u64be(p);
	out->month = cr_get_i32be(p + 8);
	out->filed_days = cr_get_i32be(p + 12);
	out->status = p[16];
	out->resolved_days = cr_get_i32be(p + 17);
	/* Three NUL-separated strings, each within its field's limit. */
	char *fields[3] = {out->inst, out->account, out->reason};
	const size_t caps[3] = {sizeof out->inst, sizeof out->account, sizeof out->reason};
	size_t pos = 0;
	int rc = 0;
	for (int i = 0; i < 3 && !rc; i++) {
		const size_t len = strnlen((const char *)text + pos, tn - pos);
		if (len >= caps[i] || (i < 2 && pos + len >= tn))
			rc = CR_ECORRUPT;
		else
			memcpy(fields[i], text + pos, len);
		pos += len + 1;
	}
	sodium_memzero(text, sizeof text);
	return rc;
}

static int dispute_load(cr_txn *txn, uint64_t pid, uint64_t id, struct cr_dispute *out)
{
	uint8_t pk[PK_LEN + 8];
	struct kv_val v = {0};
	dispute_pk(pid, id, pk);
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
	uint8_t mk[9];
	struct kv_val v = {0};
	dispute_meta_key(id, mk);
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
	if (s->kn != 9 || s->vn != 8)
		return CR_ECORRUPT;
	int rc = dispute_load(w->txn, cr_get_u64be(s->v), cr_get_u64be(s->k + 1), &d);
	return rc ? rc : w->fn(&d, w->arg);
}

/* A person's dispute record. */
static int person_dispute(struct kv_step *s, void *arg)
{
	const struct dispute_walk *w = arg;
	struct cr_dispute d;
	if (s->kn != PK_LEN + 8)
		return CR_ECORRUPT;
	int rc = dispute_decode(w->txn->st, cr_get_u64be(s->k + PK_LEN), s->v, s->vn, &d);
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
	person_key(pid, PK_DISPUTE, pk);
	return kv_walk(txn, CF_PERSON, pk, PK_LEN, NULL, 0, person_dispute, &w);
}

/* ---- revisions --------------------------------------------------------- */

#define REV_PK_LEN (PK_LEN + 2 + 4 + 8)
#define REVISION_VAL (1 + 4 + 8 * 4 + 8 + 4)

int cr_store_revision_add(cr_txn *txn, const struct cr_revision *r)
{
	uint8_t kb[REV_PK_LEN], vb[REVISION_VAL];
	uint64_t seq;
	int rc = ctr_next(txn, CTR_REVISION, &seq);
	if (rc)
		return rc;
	person_key(ACCT_PID(r->acct_id), PK_REVISION, kb);
	kb[9] = (uint8_t)(ACCT_N(r->acct_id) >> 8);
	kb[10] = (uint8_t)ACCT_N(r->acct_id);
	cr_put_i32be(kb + 11, r->month);
	cr_put_u64be(kb + 15, seq);
	vb[0] = (uint8_t)r->old.status;
	cr_put_i32be(vb + 1, r->old.dpd);
	cr_put_u64be(vb + 5, (uint64_t)r->old.balance);
	cr_put_u64be(vb + 13, (uint64_t)r->old.due);
	cr_put_u64be(vb + 21, (uint64_t)r->old.paid);
	cr_put_u64be(vb + 29, (uint64_t)r->old.overdue);
	cr_put_u64be(vb + 37, r->dispute_id);
	cr_put_i32be(vb + 45, r->date_days);
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
	const uint8_t *k = s->k, *p = s->v;
	if (s->kn != REV_PK_LEN || s->vn != REVISION_VAL)
		return CR_ECORRUPT;
	struct cr_revision r = {w->acct_id, cr_get_i32be(k + 11), cr_get_u64be(p + 37),
				cr_get_i32be(p + 45),
				{(char)p[0], cr_get_i32be(p + 1), (int64_t)cr_get_u64be(p + 5),
				 (int64_t)cr_get_u64be(p + 13), (int64_t)cr_get_u64be(p + 21),
				 (int64_t)cr_get_u64be(p + 29)}};
	return w->fn(&r, w->arg);
}

int cr_store_revisions(cr_txn *txn, uint64_t acct_id,
		       int (*fn)(const struct cr_revision *r, void *arg), void *arg)
{
	uint8_t pk[PK_LEN + 2];
	struct revision_walk w = {acct_id, fn, arg};
	person_key(ACCT_PID(acct_id), PK_REVISION, pk);
	pk[9] = (uint8_t)(ACCT_N(acct_id) >> 8);
	pk[10] = (uint8_t)ACCT_N(acct_id);
	return kv_walk(txn, CF_PERSON, pk, sizeof pk, NULL, 0, revision_of, &w);
}
