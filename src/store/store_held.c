/*
 * store_held.c - what an institution furnished about a person without a
 * live furnish consent (DESIGN.md rules 2 and 11), where it is not stored
 * as usual:
 *
 *   pid 'X' institution -> a count (u64 BE) of the held records.  The
 *   data itself is stored as usual and hidden by the readers; the count is
 *   what a later grant releases (cr_store_held_take), and the store-wide
 *   total is CTR_HELD.
 *
 *   pid 'I' institution -> the identity its newest held account line
 *   furnished, with its place in the store-wide order (CTR_SEQ), sealed
 *   on its own (store_codec.h).  A person has one identity that every
 *   reader sees ('@', store_person.c); a held line's identity is kept
 *   here instead, so that it changes nothing until the consent module
 *   shows or releases it (consent.h, "Identities").
 */
#include <stdlib.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

/* A stored count: at least one record is held (a count that reaches 0 is
 * deleted), and the store-wide counter, an int64_t, can take it. */
static int count_ok(uint64_t count)
{
	return count > 0 && count <= INT64_MAX;
}

/* The stored count v, checked. */
static int count_read(const struct kv_val *v, uint64_t *count)
{
	if (v->n != 8 || !count_ok(cr_get_u64be(v->p)))
		return CR_ECORRUPT;
	*count = cr_get_u64be(v->p);
	return 0;
}

int cr_store_held_add(cr_txn *txn, const struct cr_subject_key *k,
		      const char *inst, uint64_t delta)
{
	uint8_t kb[CR_KEY_HELD_MAX], vb[8];
	uint64_t pid, count = 0;
	struct kv_val v = {0};
	CR_ASSERT(cr_str_fits(inst, CR_INST_CODE_MAX + 1, 1));
	CR_ASSERT(count_ok(delta));
	int rc = person_pid_make(txn, k, &pid);
	if (rc)
		return rc;
	const size_t kn = cr_key_held(pid, inst, kb);
	rc = kv_get(txn, CF_PERSON, kb, kn, &v);
	if (rc == 0)
		rc = count_read(&v, &count);
	else if (rc == CR_ENOTFOUND)
		rc = 0;
	kv_val_free(&v);
	if (!rc)
		rc = ctr_add(txn, CTR_HELD, (int64_t)delta);
	if (rc)
		return rc;
	CR_ASSERT(count_ok(count + delta));
	cr_put_u64be(vb, count + delta);
	return kv_put(txn, CF_PERSON, kb, kn, vb, 8);
}

int cr_store_held_take(cr_txn *txn, const struct cr_subject_key *k,
		       const char *inst, uint64_t *count)
{
	uint8_t kb[CR_KEY_HELD_MAX];
	uint64_t pid;
	struct kv_val v = {0};
	*count = 0;
	int rc = person_pid(txn, k, &pid);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	const size_t kn = cr_key_held(pid, inst, kb);
	rc = kv_get(txn, CF_PERSON, kb, kn, &v);
	if (!rc)
		rc = count_read(&v, count);
	kv_val_free(&v);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	if ((rc = ctr_add(txn, CTR_HELD, -(int64_t)*count)))
		return rc;
	return kv_del(txn, CF_PERSON, kb, kn);
}

/* ---- held identities --------------------------------------------------- */

#define HELD_IDENTITY_VAL_MAX (CR_HELD_IDENTITY_FIXED + CR_SUBJECT_ENC_MAX + \
			       CR_STORE_SEAL_OVERHEAD)
#define HELD_IDENTITY_AD_MAX (CR_SUBJECT_KEY_LEN + CR_INST_CODE_MAX)

/* The associated data a held identity is sealed with: the person and the
 * institution, so that a sealed value moved to another key does not open. */
static size_t identity_ad(const struct cr_subject_key *k, const char *inst,
			  uint8_t ad[HELD_IDENTITY_AD_MAX])
{
	const size_t a = strnlen(inst, CR_INST_CODE_MAX);
	memcpy(ad, k->b, CR_SUBJECT_KEY_LEN);
	memcpy(ad + CR_SUBJECT_KEY_LEN, inst, a);
	return CR_SUBJECT_KEY_LEN + a;
}

/* Opens the held identity v of (k, inst) into out, with its seq. */
static int identity_open(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
			 const struct kv_val *v, struct cr_subject *out, uint64_t *seq)
{
	uint8_t ad[HELD_IDENTITY_AD_MAX], plain[CR_SUBJECT_ENC_MAX + CR_STORE_SEAL_OVERHEAD];
	size_t pn;
	const size_t adn = identity_ad(k, inst, ad);
	if (v->n < CR_HELD_IDENTITY_FIXED + CR_STORE_SEAL_OVERHEAD || v->n > HELD_IDENTITY_VAL_MAX)
		return CR_ECORRUPT;
	*seq = cr_get_u64be(v->p);
	int rc = cr_store__unseal(txn->st, ad, adn, v->p + CR_HELD_IDENTITY_FIXED,
				  v->n - CR_HELD_IDENTITY_FIXED, plain, &pn);
	if (!rc)
		rc = cr_subject_decode(plain, pn, out);
	if (!rc && (*seq == 0 || cr_subject_check(out)))
		rc = CR_ECORRUPT;
	sodium_memzero(plain, sizeof plain);
	return rc;
}

int cr_store_subject_held_get(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
			      struct cr_subject *out, uint64_t *seq)
{
	uint8_t kb[CR_KEY_HELD_IDENTITY_MAX];
	uint64_t pid;
	struct kv_val v = {0};
	CR_ASSERT(cr_str_fits(inst, CR_INST_CODE_MAX + 1, 1));
	*seq = 0;
	int rc = person_pid(txn, k, &pid);
	if (rc)
		return rc;
	rc = kv_get(txn, CF_PERSON, kb, cr_key_held_identity(pid, inst, kb), &v);
	if (!rc)
		rc = identity_open(txn, k, inst, &v, out, seq);
	kv_val_free(&v);
	return rc;
}

int cr_store_subject_held_put(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
			      const struct cr_subject *s)
{
	uint8_t kb[CR_KEY_HELD_IDENTITY_MAX], vb[HELD_IDENTITY_VAL_MAX], ad[HELD_IDENTITY_AD_MAX];
	uint8_t plain[CR_SUBJECT_ENC_MAX], was[CR_SUBJECT_ENC_MAX];
	struct cr_subject old;
	uint64_t pid, seq;
	int same = 0;
	CR_ASSERT(cr_subject_check(s) == 0);
	CR_ASSERT(cr_str_fits(inst, CR_INST_CODE_MAX + 1, 1));
	const size_t pn = cr_subject_encode(s, plain);
	int rc = person_pid_make(txn, k, &pid);
	if (!rc)
		rc = cr_store_subject_held_get(txn, k, inst, &old, &seq);
	if (!rc) {
		const size_t wn = cr_subject_encode(&old, was);
		same = wn == pn && memcmp(was, plain, pn) == 0;
		sodium_memzero(was, sizeof was);
	}
	sodium_memzero(&old, sizeof old);
	if (!rc || rc == CR_ENOTFOUND)
		rc = same ? 0 : ctr_next(txn, CTR_SEQ, &seq);
	if (rc || same) {
		sodium_memzero(plain, sizeof plain);
		return rc;
	}
	cr_put_u64be(vb, seq);
	const size_t vn = CR_HELD_IDENTITY_FIXED +
			  cr_store__seal(txn->st, ad, identity_ad(k, inst, ad), plain, pn,
					 vb + CR_HELD_IDENTITY_FIXED);
	sodium_memzero(plain, sizeof plain);
	rc = kv_put(txn, CF_PERSON, kb, cr_key_held_identity(pid, inst, kb), vb, vn);
	return rc ? rc : 1;
}

struct identity_walk {
	int (*fn)(const char *inst, uint64_t seq, void *arg);
	void *arg;
};

static int each_identity(struct kv_step *s, void *arg)
{
	const struct identity_walk *w = arg;
	char inst[CR_INST_CODE_MAX + 1];
	int rc = cr_key_held_identity_parse(s->k, s->kn, inst);
	if (!rc && (s->vn < CR_HELD_IDENTITY_FIXED || cr_get_u64be(s->v) == 0))
		rc = CR_ECORRUPT;
	return rc ? rc : w->fn(inst, cr_get_u64be(s->v), w->arg);
}

int cr_store_subject_held_list(cr_txn *txn, const struct cr_subject_key *k,
			       int (*fn)(const char *inst, uint64_t seq, void *arg), void *arg)
{
	struct identity_walk w = {fn, arg};
	return person_walk(txn, k, PK_HELD_IDENTITY, NULL, 0, each_identity, &w);
}

/* The institutions whose held identities a drop removes, gathered before
 * any is deleted: a walk does not delete under itself. */
struct drop_list {
	uint64_t upto;
	size_t n, cap;
	char (*inst)[CR_INST_CODE_MAX + 1];
};

static int take_drop(const char *inst, uint64_t seq, void *arg)
{
	struct drop_list *d = arg;
	if (seq > d->upto)
		return 0;
	if (d->n == d->cap) {
		const size_t cap = d->cap ? 2 * d->cap : 8;
		char (*p)[CR_INST_CODE_MAX + 1] = realloc(d->inst, cap * sizeof *p);
		if (!p)
			return CR_ENOMEM;
		d->inst = p;
		d->cap = cap;
	}
	memcpy(d->inst[d->n++], inst, CR_INST_CODE_MAX + 1);
	return 0;
}

int cr_store_subject_held_drop(cr_txn *txn, const struct cr_subject_key *k, uint64_t upto)
{
	uint8_t kb[CR_KEY_HELD_IDENTITY_MAX];
	uint64_t pid;
	struct drop_list d = {upto, 0, 0, NULL};
	int rc = person_pid(txn, k, &pid);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	rc = cr_store_subject_held_list(txn, k, take_drop, &d);
	for (size_t i = 0; i < d.n && !rc; i++)
		rc = kv_del(txn, CF_PERSON, kb, cr_key_held_identity(pid, d.inst[i], kb));
	free(d.inst);
	return rc;
}

int cr_store_subject_held_forget(cr_txn *txn, const struct cr_subject_key *k, const char *inst)
{
	uint8_t kb[CR_KEY_HELD_IDENTITY_MAX];
	uint64_t pid;
	struct kv_val v = {0};
	CR_ASSERT(cr_str_fits(inst, CR_INST_CODE_MAX + 1, 1));
	int rc = person_pid(txn, k, &pid);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	const size_t kn = cr_key_held_identity(pid, inst, kb);
	rc = kv_get(txn, CF_PERSON, kb, kn, &v);
	kv_val_free(&v);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	rc = kv_del(txn, CF_PERSON, kb, kn);
	return rc ? rc : 1;
}
