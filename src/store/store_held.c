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
 *   furnished, with its place in the store-wide order (CTR_SEQ): the
 *   digest of a sealed copy, pid 'J' digest, that institutions holding
 *   the same identity share (store_codec.h).  A person has one identity that every
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

/* pid 'I' institution -> seq, digest: the institution's newest held line
 * and which copy holds its identity.  pid 'J' digest -> the identity,
 * sealed: one copy however many institutions held the same identity (a
 * person's lenders mostly furnish the same name and ID), dropped with
 * the last 'I' record that names it.  A layout 9 store sealed the
 * identity into the 'I' record itself; identity_open still reads that. */

#define POINTER_VAL_LEN (CR_HELD_IDENTITY_FIXED + CR_IDENTITY_DIGEST_LEN)
#define COPY_VAL_MAX (CR_SUBJECT_ENC_MAX + CR_STORE_SEAL_OVERHEAD)
#define INLINE_VAL_MAX (CR_HELD_IDENTITY_FIXED + COPY_VAL_MAX)
#define IDENTITY_AD_MAX (CR_SUBJECT_KEY_LEN + \
			 (CR_INST_CODE_MAX > CR_IDENTITY_DIGEST_LEN ? CR_INST_CODE_MAX \
								   : CR_IDENTITY_DIGEST_LEN))

/* The associated data a sealed identity is bound to: the person and what
 * names it (the digest of a copy; a layout 9 record's institution), so
 * that a sealed value moved to another key does not open. */
static size_t identity_ad(const struct cr_subject_key *k, const void *name, size_t n,
			  uint8_t ad[IDENTITY_AD_MAX])
{
	CR_ASSERT(n <= IDENTITY_AD_MAX - CR_SUBJECT_KEY_LEN);
	memcpy(ad, k->b, CR_SUBJECT_KEY_LEN);
	memcpy(ad + CR_SUBJECT_KEY_LEN, name, n);
	return CR_SUBJECT_KEY_LEN + n;
}

/* The digest of an encoded identity: keyed with the store's secret, so
 * that it says nothing of the identity to whoever reads the keys. */
static void identity_digest(const cr_store *st, const uint8_t *plain, size_t pn,
			    uint8_t out[CR_IDENTITY_DIGEST_LEN])
{
	crypto_generichash_state h;
	const uint8_t domain = CR_DOMAIN_IDENTITY;
	crypto_generichash_init(&h, st->pseudokey, CR_STORE_KEY_LEN, CR_IDENTITY_DIGEST_LEN);
	crypto_generichash_update(&h, &domain, 1);
	crypto_generichash_update(&h, plain, pn);
	crypto_generichash_final(&h, out, CR_IDENTITY_DIGEST_LEN);
	sodium_memzero(&h, sizeof h);
}

/* Opens sealed bytes p[0..n) bound to (k, name) into out. */
static int open_sealed(cr_txn *txn, const struct cr_subject_key *k, const void *name,
		       size_t namen, const uint8_t *p, size_t n, struct cr_subject *out)
{
	uint8_t ad[IDENTITY_AD_MAX], plain[COPY_VAL_MAX];
	size_t pn;
	if (n < CR_STORE_SEAL_OVERHEAD || n > COPY_VAL_MAX)
		return CR_ECORRUPT;
	int rc = cr_store__unseal(txn->st, ad, identity_ad(k, name, namen, ad), p, n, plain, &pn);
	if (!rc)
		rc = cr_subject_decode(plain, pn, out);
	if (!rc && cr_subject_check(out))
		rc = CR_ECORRUPT;
	sodium_memzero(plain, sizeof plain);
	return rc;
}

/* Opens the held identity v of (k, inst) into out, with its seq: through
 * its copy, or (layout 9) from v itself. */
static int identity_open(cr_txn *txn, uint64_t pid, const struct cr_subject_key *k,
			 const char *inst, const struct kv_val *v, struct cr_subject *out,
			 uint64_t *seq)
{
	if (v->n < POINTER_VAL_LEN || v->n > INLINE_VAL_MAX || cr_get_u64be(v->p) == 0)
		return CR_ECORRUPT;
	*seq = cr_get_u64be(v->p);
	const uint8_t *rest = v->p + CR_HELD_IDENTITY_FIXED;
	if (v->n > POINTER_VAL_LEN)
		return open_sealed(txn, k, inst, strnlen(inst, CR_INST_CODE_MAX), rest,
				   v->n - CR_HELD_IDENTITY_FIXED, out);
	uint8_t ck[CR_KEY_IDENTITY_COPY_LEN];
	struct kv_val c = {0};
	cr_key_identity_copy(pid, rest, ck);
	int rc = kv_get(txn, CF_PERSON, ck, sizeof ck, &c);
	if (rc == CR_ENOTFOUND)
		rc = CR_ECORRUPT; /* an 'I' record's copy goes only with the last of them */
	if (!rc)
		rc = open_sealed(txn, k, rest, CR_IDENTITY_DIGEST_LEN, c.p, c.n, out);
	kv_val_free(&c);
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
		rc = identity_open(txn, pid, k, inst, &v, out, seq);
	kv_val_free(&v);
	return rc;
}

/* ---- copies no 'I' record names any more go ---- */

/* Appends the size bytes at item to arr, an array of *n items with room
 * for *cap, growing it: a person's walks gather a few keys before they
 * delete.  Returns the array (moved, perhaps), or NULL when out of memory
 * (arr is then unchanged). */
static void *append(void *arr, size_t *n, size_t *cap, const void *item, size_t size)
{
	if (*n == *cap) {
		const size_t c = *cap ? 2 * *cap : 8;
		void *p = realloc(arr, c * size);
		if (!p)
			return NULL;
		arr = p;
		*cap = c;
	}
	memcpy((char *)arr + (*n)++ * size, item, size);
	return arr;
}

struct digest_set {
	size_t n, cap;
	uint8_t (*d)[CR_IDENTITY_DIGEST_LEN];
};

static int digest_add(struct digest_set *s, const uint8_t *d)
{
	void *p = append(s->d, &s->n, &s->cap, d, CR_IDENTITY_DIGEST_LEN);
	if (!p)
		return CR_ENOMEM;
	s->d = p;
	return 0;
}

static int digest_has(const struct digest_set *s, const uint8_t *d)
{
	for (size_t i = 0; i < s->n; i++)
		if (memcmp(s->d[i], d, CR_IDENTITY_DIGEST_LEN) == 0)
			return 1;
	return 0;
}

/* The digests the 'I' records name (layout 9 records name none). */
static int named_copy(struct kv_step *s, void *arg)
{
	if (s->vn < POINTER_VAL_LEN)
		return CR_ECORRUPT;
	return s->vn == POINTER_VAL_LEN ? digest_add(arg, s->v + CR_HELD_IDENTITY_FIXED) : 0;
}

struct unnamed {
	const struct digest_set *named;
	struct digest_set gone;
};

static int unnamed_copy(struct kv_step *s, void *arg)
{
	struct unnamed *u = arg;
	uint8_t d[CR_IDENTITY_DIGEST_LEN];
	int rc = cr_key_identity_copy_parse(s->k, s->kn, d);
	if (!rc && !digest_has(u->named, d))
		rc = digest_add(&u->gone, d);
	return rc;
}

/* Deletes the copies of pid's held identities no 'I' record names, after
 * an 'I' record was replaced or removed.  A person holds a few: both
 * walks are short, and gathered before deleting (a walk does not delete
 * under itself). */
static int drop_unnamed(cr_txn *txn, const struct cr_subject_key *k, uint64_t pid)
{
	uint8_t ck[CR_KEY_IDENTITY_COPY_LEN];
	struct digest_set named = {0};
	struct unnamed u = {&named, {0}};
	int rc = person_walk(txn, k, PK_HELD_IDENTITY, NULL, 0, named_copy, &named);
	if (!rc)
		rc = person_walk(txn, k, PK_IDENTITY_COPY, NULL, 0, unnamed_copy, &u);
	for (size_t i = 0; i < u.gone.n && !rc; i++) {
		cr_key_identity_copy(pid, u.gone.d[i], ck);
		rc = kv_del(txn, CF_PERSON, ck, sizeof ck);
	}
	free(named.d);
	free(u.gone.d);
	return rc;
}

/* Seals s (encoded: plain[0..pn)) as the copy named digest, unless pid
 * has it already. */
static int copy_put(cr_txn *txn, const struct cr_subject_key *k, uint64_t pid,
		    const uint8_t digest[CR_IDENTITY_DIGEST_LEN], const uint8_t *plain, size_t pn)
{
	uint8_t ck[CR_KEY_IDENTITY_COPY_LEN], vb[COPY_VAL_MAX], ad[IDENTITY_AD_MAX];
	struct kv_val c = {0};
	cr_key_identity_copy(pid, digest, ck);
	int rc = kv_get(txn, CF_PERSON, ck, sizeof ck, &c);
	kv_val_free(&c);
	if (rc != CR_ENOTFOUND)
		return rc;
	const size_t vn = cr_store__seal(txn->st, ad,
					 identity_ad(k, digest, CR_IDENTITY_DIGEST_LEN, ad),
					 plain, pn, vb);
	return kv_put(txn, CF_PERSON, ck, sizeof ck, vb, vn);
}

int cr_store_subject_held_put(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
			      const struct cr_subject *s)
{
	uint8_t kb[CR_KEY_HELD_IDENTITY_MAX], vb[POINTER_VAL_LEN], plain[CR_SUBJECT_ENC_MAX];
	uint8_t digest[CR_IDENTITY_DIGEST_LEN];
	struct kv_val old = {0};
	uint64_t pid = 0, seq = 0;
	CR_ASSERT(cr_subject_check(s) == 0);
	CR_ASSERT(cr_str_fits(inst, CR_INST_CODE_MAX + 1, 1));
	const size_t pn = cr_subject_encode(s, plain);
	identity_digest(txn->st, plain, pn, digest);
	int rc = person_pid_make(txn, k, &pid);
	const size_t kn = cr_key_held_identity(pid, inst, kb);
	if (!rc)
		rc = kv_get(txn, CF_PERSON, kb, kn, &old);
	const int had = rc == 0;
	/* The same copy named already: nothing changes.  A layout 9 record
	 * is written anew even when it says the same. */
	const int same = had && old.n == POINTER_VAL_LEN &&
			 memcmp(old.p + CR_HELD_IDENTITY_FIXED, digest, sizeof digest) == 0;
	kv_val_free(&old);
	if (rc == CR_ENOTFOUND)
		rc = 0;
	if (!rc && !same)
		rc = ctr_next(txn, CTR_SEQ, &seq);
	if (!rc && !same)
		rc = copy_put(txn, k, pid, digest, plain, pn);
	sodium_memzero(plain, sizeof plain);
	if (rc || same)
		return rc;
	cr_put_u64be(vb, seq);
	memcpy(vb + CR_HELD_IDENTITY_FIXED, digest, sizeof digest);
	if ((rc = kv_put(txn, CF_PERSON, kb, kn, vb, sizeof vb)))
		return rc;
	if (had && (rc = drop_unnamed(txn, k, pid)))
		return rc;
	return 1;
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
	if (!rc && (s->vn < POINTER_VAL_LEN || cr_get_u64be(s->v) == 0))
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
	char code[CR_INST_CODE_MAX + 1] = {0};
	if (seq > d->upto)
		return 0;
	memcpy(code, inst, strnlen(inst, CR_INST_CODE_MAX));
	void *p = append(d->inst, &d->n, &d->cap, code, sizeof code);
	if (!p)
		return CR_ENOMEM;
	d->inst = p;
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
	if (!rc && d.n)
		rc = drop_unnamed(txn, k, pid);
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
	if ((rc = kv_del(txn, CF_PERSON, kb, kn)) || (rc = drop_unnamed(txn, k, pid)))
		return rc;
	return 1;
}
