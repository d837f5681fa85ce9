/*
 * store_person.c - a person: their id (pid), their identity, and the
 * secrets sealed in their '@' record.  Every other family of the person
 * column family lives under the pid (store_codec.h lists the keys) and
 * finds it here: person_pid, person_pid_make, person_walk.
 *
 * pids are handed out in order of first arrival, so a bulk load of new
 * people appends to the end of the key space.  The index column family
 * finds a person by subject key ('S').
 *
 * Secrets.  What identifies a person (ID, name, phone, address) and their
 * account numbers are sealed together, once per person, bound to the
 * subject key (the associated data): one nonce and tag per person instead
 * of one per account, 40 bytes of incompressible data saved per account
 * (docs/storage.md, "Footprint").  A report opens them once.  The account
 * family (store_account.c) adds numbers through person_secrets_add_number.
 */
#include <stdlib.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"
#include "store_txn.h"

#define SEAL CR_STORE_SEAL_OVERHEAD

/* A reader's pid from the shared id cache: the id is right, but the
 * reader's snapshot may be older than the person.  Loading the person's
 * records (which the reader is about to need anyway) tells. */
static int cached_pid(cr_txn *txn, const uint8_t *kb, size_t kn, uint64_t *pid)
{
	uint8_t pk[PK_LEN];
	struct kv_val v = {0};
	if (txn->write || idcache_get(txn->st->ids, kb, kn, pid))
		return CR_ENOTFOUND;
	cr_key_person(*pid, PK_IDENTITY, pk);
	int rc = kv_get(txn, CF_PERSON, pk, PK_LEN, &v);
	kv_val_free(&v);
	return rc;
}

int person_pid(cr_txn *txn, const struct cr_subject_key *k, uint64_t *pid)
{
	if (txn->pid_cached && memcmp(txn->pid_key.b, k->b, CR_SUBJECT_KEY_LEN) == 0) {
		*pid = txn->pid;
		return 0;
	}
	uint8_t kb[CR_KEY_SUBJECT_INDEX_LEN];
	struct kv_val v = {0};
	const size_t kn = sizeof kb;
	cr_key_subject_index(k, kb);
	int rc = cached_pid(txn, kb, kn, pid);
	if (rc == CR_ENOTFOUND) {
		rc = kv_get(txn, CF_INDEX, kb, kn, &v);
		if (!rc && v.n != 8)
			rc = CR_ECORRUPT;
		if (!rc) {
			*pid = cr_get_u64be(v.p);
			if (!txn->write)
				idcache_put(txn->st->ids, kb, kn, *pid);
		}
	}
	if (!rc) {
		txn->pid_cached = 1;
		txn->pid_key = *k;
		txn->pid = *pid;
	}
	kv_val_free(&v);
	return rc;
}

int person_pid_make(cr_txn *txn, const struct cr_subject_key *k, uint64_t *pid)
{
	int rc = person_pid(txn, k, pid);
	if (rc != CR_ENOTFOUND)
		return rc;
	if ((rc = ctr_next(txn, CTR_PID, pid)))
		return rc;
	if (*pid > PID_MAX)
		return CR_ETOOBIG;
	uint8_t kb[CR_KEY_SUBJECT_INDEX_LEN], v[8], pk[PK_LEN];
	if ((rc = txc_person_new(txn->cache, *pid)))
		return rc;
	cr_put_u64be(v, *pid);
	cr_key_subject_index(k, kb);
	kv_put(txn, CF_INDEX, kb, sizeof kb, v, 8);
	cr_key_person(*pid, PK_IDENTITY, pk);
	kv_put(txn, CF_PERSON, pk, PK_LEN, k->b, CR_SUBJECT_KEY_LEN);
	txn->pid_cached = 1;
	txn->pid_key = *k;
	txn->pid = *pid;
	return 0;
}

int person_subject(cr_txn *txn, uint64_t pid, struct cr_subject_key *out)
{
	if (txn->pid_cached && txn->pid == pid) {
		*out = txn->pid_key;
		return 0;
	}
	uint8_t pk[PK_LEN];
	struct kv_val v = {0};
	cr_key_person(pid, PK_IDENTITY, pk);
	int rc = kv_get(txn, CF_PERSON, pk, PK_LEN, &v);
	if (rc == CR_ENOTFOUND)
		rc = CR_ECORRUPT; /* every pid has its '@' record */
	if (!rc && v.n < CR_SUBJECT_KEY_LEN)
		rc = CR_ECORRUPT;
	if (!rc) {
		memcpy(out->b, v.p, CR_SUBJECT_KEY_LEN);
		/* The way back is known now: a person_pid of the same subject
		 * (an event's consent check, the alert rules at the end of the
		 * batch) reads no index. */
		txn->pid_cached = 1;
		txn->pid_key = *out;
		txn->pid = pid;
		if (txn->write) {
			uint8_t kb[CR_KEY_SUBJECT_INDEX_LEN], pv[8];
			cr_key_subject_index(out, kb);
			cr_put_u64be(pv, pid);
			rc = txc_note(txn->cache, CF_INDEX, kb, sizeof kb, pv, sizeof pv);
		}
	}
	kv_val_free(&v);
	return rc;
}

/* A walk of one tag of a person's records. */
int person_walk(cr_txn *txn, const struct cr_subject_key *k, uint8_t tag, const uint8_t *from,
		size_t fromn, kv_walk_fn cb, void *arg)
{
	uint64_t pid;
	uint8_t pk[PK_LEN], fk[PK_LEN + 16];
	int rc = person_pid(txn, k, &pid);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	cr_key_person(pid, tag, pk);
	CR_ASSERT(fromn <= 16);
	memcpy(fk, pk, PK_LEN);
	if (from)
		memcpy(fk + PK_LEN, from, fromn);
	return kv_walk(txn, CF_PERSON, pk, PK_LEN, from ? fk : NULL, PK_LEN + fromn, cb, arg);
}

/* ---- secrets: identity and account numbers ---------------------------- */

void person_secrets_free(struct secrets *s)
{
	if (s->plain) {
		sodium_memzero(s->plain, s->n);
		free(s->plain);
	}
	memset(s, 0, sizeof *s);
}

static int secrets_parse(struct secrets *s)
{
	return cr_secrets_parse(s->plain, s->n, &s->x);
}

int person_secrets_open(cr_txn *txn, const struct cr_subject_key *k, const uint8_t *v,
			size_t vn, struct secrets *s)
{
	memset(s, 0, sizeof *s);
	if (vn < CR_SUBJECT_KEY_LEN || memcmp(v, k->b, CR_SUBJECT_KEY_LEN) != 0)
		return CR_ECORRUPT;
	if (vn == CR_SUBJECT_KEY_LEN) {
		static const uint8_t empty[CR_SECRETS_EMPTY_LEN] = {0, 0, 0, 0, 0};
		if (!(s->plain = malloc(sizeof empty)))
			return CR_ENOMEM;
		memcpy(s->plain, empty, sizeof empty);
		s->n = sizeof empty;
		return secrets_parse(s);
	}
	if (vn < CR_SUBJECT_KEY_LEN + SEAL || !(s->plain = malloc(vn)))
		return vn < CR_SUBJECT_KEY_LEN + SEAL ? CR_ECORRUPT : CR_ENOMEM;
	int rc = cr_store__unseal(txn->st, k->b, CR_SUBJECT_KEY_LEN, v + CR_SUBJECT_KEY_LEN,
				  vn - CR_SUBJECT_KEY_LEN, s->plain, &s->n);
	return rc ? rc : secrets_parse(s);
}

/*
 * The last person's secrets, opened, kept by the transaction: an account
 * line of a furnishing file reads a person's secrets three times and writes
 * them twice (identity, account number, the account as cached), and each
 * opening and sealing is an AEAD pass.  The memo keeps the plaintext;
 * writes change it and mark it, and it is sealed once, into the '@'
 * record, when the transaction moves on to another person or commits
 * (person_secrets_flush).  It is wiped when the transaction ends.
 */
struct secrets_memo {
	uint64_t pid;
	struct cr_subject_key k;
	struct secrets s;
	int dirty;
};

static void copy_secrets(const struct secrets *from, struct secrets *to)
{
	*to = *from;
	to->plain = malloc(from->n);
	if (to->plain)
		memcpy(to->plain, from->plain, from->n);
}

/* Seals the memo's secrets into its '@' record when they changed. */
static int memo_seal(cr_txn *txn, struct secrets_memo *m)
{
	if (!m->dirty)
		return 0;
	uint8_t pk[PK_LEN], *val = malloc(CR_SUBJECT_KEY_LEN + m->s.n + SEAL);
	if (!val)
		return CR_ENOMEM;
	memcpy(val, m->k.b, CR_SUBJECT_KEY_LEN);
	const size_t vn = CR_SUBJECT_KEY_LEN +
			  cr_store__seal(txn->st, m->k.b, CR_SUBJECT_KEY_LEN, m->s.plain, m->s.n,
					 val + CR_SUBJECT_KEY_LEN);
	cr_key_person(m->pid, PK_IDENTITY, pk);
	int rc = kv_put(txn, CF_PERSON, pk, PK_LEN, val, vn);
	free(val);
	m->dirty = 0;
	return rc;
}

int person_secrets_flush(cr_txn *txn)
{
	return txn->secrets ? memo_seal(txn, txn->secrets) : 0;
}

void person_secrets_drop(cr_txn *txn)
{
	if (txn->secrets)
		person_secrets_free(&txn->secrets->s);
	free(txn->secrets);
	txn->secrets = NULL;
}

/* The memo, holding pid: sealed and emptied first if it held another. */
static int memo_for(cr_txn *txn, uint64_t pid, struct secrets_memo **out)
{
	struct secrets_memo *m = txn->secrets;
	if (!m && !(m = txn->secrets = calloc(1, sizeof *m)))
		return CR_ENOMEM;
	*out = m;
	if (m->s.plain && m->pid == pid)
		return 0;
	int rc = memo_seal(txn, m);
	person_secrets_free(&m->s);
	m->pid = pid;
	return rc;
}

int person_secrets_load(cr_txn *txn, uint64_t pid, const struct cr_subject_key *k,
			struct secrets *s)
{
	struct secrets_memo *m;
	memset(s, 0, sizeof *s);
	int rc = memo_for(txn, pid, &m);
	if (!rc && !m->s.plain) {
		uint8_t pk[PK_LEN];
		struct kv_val v = {0};
		cr_key_person(pid, PK_IDENTITY, pk);
		rc = kv_get(txn, CF_PERSON, pk, PK_LEN, &v);
		if (rc == CR_ENOTFOUND)
			rc = CR_ECORRUPT; /* every pid has its '@' record */
		if (!rc)
			rc = person_secrets_open(txn, k, v.p, v.n, &m->s);
		if (!rc)
			m->k = *k;
		else
			person_secrets_free(&m->s);
		kv_val_free(&v);
	}
	if (!rc && memcmp(m->k.b, k->b, CR_SUBJECT_KEY_LEN) != 0)
		rc = CR_ECORRUPT;
	if (!rc) {
		copy_secrets(&m->s, s);
		rc = s->plain ? 0 : CR_ENOMEM;
	}
	return rc;
}

/* The secrets anew, with identity ident (NULL: keep the old one) and,
 * when number is not NULL, account n's number added: into the memo, sealed
 * into pid '@' when the transaction moves on or commits. */
static int secrets_write(cr_txn *txn, uint64_t pid, const struct cr_subject_key *k,
			 const struct secrets *old, const uint8_t *ident, size_t ident_n,
			 unsigned n, const char *number)
{
	const uint8_t *id = ident ? ident : old->plain + old->x.ident_off;
	const size_t idn = ident ? ident_n : old->x.ident_n;
	if (number && old->x.n_acc >= 0xffff)
		return CR_ETOOBIG;
	const size_t plain_n = cr_secrets_size(idn, old->n, &old->x, number);
	uint8_t *plain = malloc(plain_n);
	struct secrets_memo *m;
	int rc = plain ? memo_for(txn, pid, &m) : CR_ENOMEM;
	if (rc) {
		free(plain);
		return rc;
	}
	cr_secrets_encode(ident || old->x.has_ident, id, idn, old->plain, old->n, &old->x, n,
			  number, plain);
	person_secrets_free(&m->s);
	m->k = *k;
	m->s.plain = plain;
	m->s.n = plain_n;
	m->dirty = 1;
	return secrets_parse(&m->s);
}

int person_secrets_add_number(cr_txn *txn, uint64_t pid, const struct cr_subject_key *k,
			      const struct secrets *old, unsigned n, const char *number)
{
	return secrets_write(txn, pid, k, old, NULL, 0, n, number);
}

/* ---- identity ---------------------------------------------------------- */

/* 17 digits and a check character, a digit or 'X' (normalized). */
static int id_shaped(const char id[CR_ID_LEN + 1])
{
	if (strnlen(id, CR_ID_LEN + 1) != CR_ID_LEN ||
	    strspn(id, "0123456789") < CR_ID_LEN - 1)
		return 0;
	return id[CR_ID_LEN - 1] == 'X' || (id[CR_ID_LEN - 1] >= '0' && id[CR_ID_LEN - 1] <= '9');
}

int cr_subject_check(const struct cr_subject *s)
{
	if (!id_shaped(s->id) || !cr_days_valid(s->birth_days))
		return CR_EINVAL;
	if (!cr_str_fits(s->name, sizeof s->name, 1) || !cr_str_fits(s->phone, sizeof s->phone, 0) ||
	    !cr_str_fits(s->address, sizeof s->address, 0))
		return CR_EINVAL;
	return 0;
}

int cr_store_subject_get(cr_txn *txn, const struct cr_subject_key *k,
			 struct cr_subject *out)
{
	uint64_t pid;
	struct secrets s;
	int rc = person_pid(txn, k, &pid);
	if (rc)
		return rc;
	rc = person_secrets_load(txn, pid, k, &s);
	if (!rc && !s.x.has_ident)
		rc = CR_ENOTFOUND; /* known by a consent only: no identity yet */
	if (!rc)
		rc = cr_subject_decode(s.plain + s.x.ident_off, s.x.ident_n, out);
	if (!rc && cr_subject_check(out))
		rc = CR_ECORRUPT;
	person_secrets_free(&s);
	return rc;
}

/* "Unchanged" is decided on the plaintext: the secrets are opened and the
 * stored identity compared. */
int cr_store_subject_put(cr_txn *txn, const struct cr_subject_key *k,
			 const struct cr_subject *s)
{
	uint8_t buf[CR_SUBJECT_ENC_MAX];
	CR_ASSERT(cr_subject_check(s) == 0);
	const size_t n = cr_subject_encode(s, buf);
	uint64_t pid;
	struct secrets old;
	int rc = person_pid_make(txn, k, &pid);
	if (!rc)
		rc = person_secrets_load(txn, pid, k, &old);
	if (rc) {
		sodium_memzero(buf, sizeof buf);
		return rc;
	}
	const int same = old.x.has_ident && old.x.ident_n == n &&
			 memcmp(old.plain + old.x.ident_off, buf, n) == 0;
	if (!same && !old.x.has_ident)
		rc = ctr_add(txn, CTR_SUBJECTS, 1);
	if (!same && !rc)
		rc = secrets_write(txn, pid, k, &old, buf, n, 0, NULL);
	person_secrets_free(&old);
	sodium_memzero(buf, sizeof buf);
	return rc ? rc : !same;
}

