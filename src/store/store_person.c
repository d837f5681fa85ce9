/*
 * store_person.c - what the store keeps about a person, under one prefix.
 *
 * Every key of the person column family starts with the person's id (pid,
 * u64 BE) and a tag byte, so a person's identity, accounts, history,
 * consents, inquiries, events, disputes and corrections sit side by side
 * on disk and a report reads one short range (docs/storage.md):
 *
 *   pid '@'                          subject key, then the person's secrets sealed:
 *                                    identity and every account number
 *   pid 'A' n                        account n: institution and fields
 *   pid 'C' fact                     a consent fact (the key is the fact)
 *   pid 'D' dispute-id               a dispute: fields, then its text sealed
 *   pid 'H' n year                   a year of account n's history (hist_codec.h)
 *   pid 'Q' inquiry                  an inquiry (the key is the inquiry)
 *   pid 'R' n month seq              a value a correction replaced
 *   pid 'S' n                        account n's state as last derived (current.h)
 *   pid 'X' institution              records held for want of a furnish consent
 *   pid '~' n time id-hash           an event of account n (last: a person with
 *                                    many events is read without them first)
 *
 * pids are handed out in order of first arrival, so a bulk load of new
 * people appends to the end of the key space.  The index column family
 * finds a person by subject key ('S') and an account by institution and
 * account-number hash ('A'); 'E' answers "was this event id used?".
 *
 * Secrets.  What identifies a person (ID, name, phone, address) and their
 * account numbers are sealed together, once per person, bound to the
 * subject key (the associated data): one nonce and tag per person instead
 * of one per account, 40 bytes of incompressible data saved per account
 * (docs/storage.md, "Footprint").  A report opens them once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "hist_codec.h"
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

/* The subject key of pid, from its '@' record. */
static int person_subject(cr_txn *txn, uint64_t pid, struct cr_subject_key *out)
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
	if (!rc)
		memcpy(out->b, v.p, CR_SUBJECT_KEY_LEN);
	kv_val_free(&v);
	return rc;
}

/* ---- secrets: identity and account numbers ---------------------------- */

/* A person's secrets, opened: the sealed part of pid '@' (store_codec.h). */
struct secrets {
	uint8_t *plain;   /* malloc'd, wiped when freed */
	size_t n;
	struct cr_secrets_index x;
};

static void secrets_free(struct secrets *s)
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

/* Opens the secrets of subject k from the value of its '@' record (a value
 * of the subject key alone: no secrets yet). */
static int secrets_open(cr_txn *txn, const struct cr_subject_key *k, const uint8_t *v,
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
		secrets_free(&txn->secrets->s);
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
	secrets_free(&m->s);
	m->pid = pid;
	return rc;
}

/* pid's secrets into s (a copy the caller frees): from the memo, else
 * read from the '@' record, opened, and kept in the memo. */
static int secrets_load(cr_txn *txn, uint64_t pid, const struct cr_subject_key *k,
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
			rc = secrets_open(txn, k, v.p, v.n, &m->s);
		if (!rc)
			m->k = *k;
		else
			secrets_free(&m->s);
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
	secrets_free(&m->s);
	m->k = *k;
	m->s.plain = plain;
	m->s.n = plain_n;
	m->dirty = 1;
	return secrets_parse(&m->s);
}

/* ---- identity ---------------------------------------------------------- */

int cr_store_subject_get(cr_txn *txn, const struct cr_subject_key *k,
			 struct cr_subject *out)
{
	uint64_t pid;
	struct secrets s;
	int rc = person_pid(txn, k, &pid);
	if (rc)
		return rc;
	rc = secrets_load(txn, pid, k, &s);
	if (!rc && !s.x.has_ident)
		rc = CR_ENOTFOUND; /* known by a consent only: no identity yet */
	if (!rc)
		rc = cr_subject_decode(s.plain + s.x.ident_off, s.x.ident_n, out);
	secrets_free(&s);
	return rc;
}

/* "Unchanged" is decided on the plaintext: the secrets are opened and the
 * stored identity compared. */
int cr_store_subject_put(cr_txn *txn, const struct cr_subject_key *k,
			 const struct cr_subject *s)
{
	uint8_t buf[CR_SUBJECT_ENC_MAX];
	const size_t n = cr_subject_encode(s, buf);
	uint64_t pid;
	struct secrets old;
	int rc = person_pid_make(txn, k, &pid);
	if (!rc)
		rc = secrets_load(txn, pid, k, &old);
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
	secrets_free(&old);
	sodium_memzero(buf, sizeof buf);
	return rc ? rc : !same;
}

/* ---- accounts ---------------------------------------------------------- */

/* The index key of (inst, account): the account number as a pseudonym. */
static size_t account_index_key(const cr_store *st, const char *inst,
				const char *account, uint8_t kbuf[CR_KEY_ACCOUNT_INDEX_MAX])
{
	uint8_t msg[CR_PSEUDONYM_MSG_MAX], hash[CR_ACCT_HASH_LEN];
	const size_t n = cr_pseudonym_msg(CR_DOMAIN_ACCOUNT, inst, account, CR_ACCOUNT_MAX, msg);
	crypto_generichash(hash, sizeof hash, msg, n, st->pseudokey, CR_STORE_KEY_LEN);
	return cr_key_account_index(inst, hash, kbuf);
}

/* Decodes account record value p[0..n) stored under acct_id; the number
 * from secrets when it is not NULL (else ""). */
static int account_decode(uint64_t acct_id, const uint8_t *p, size_t n,
			  const struct secrets *secrets, struct cr_account_rec *out)
{
	size_t used;
	int rc = cr_acct_decode(p, n, out, &used);
	if (!rc && used != n)
		rc = CR_ECORRUPT;
	out->acct_id = acct_id;
	if (!rc && secrets)
		rc = cr_secrets_number(secrets->plain, &secrets->x, ACCT_N(acct_id), out->a.account);
	return rc;
}

static int account_load(cr_txn *txn, uint64_t acct_id, int open_number,
			struct cr_account_rec *out)
{
	uint8_t pk[CR_KEY_ACCOUNT_LEN];
	struct kv_val v = {0};
	struct secrets s = {0};
	cr_key_account(acct_id, pk);
	int rc = person_subject(txn, ACCT_PID(acct_id), &out->subject);
	const struct cr_subject_key subject = out->subject;
	if (!rc && open_number)
		rc = secrets_load(txn, ACCT_PID(acct_id), &subject, &s);
	if (!rc)
		rc = kv_get(txn, CF_PERSON, pk, sizeof pk, &v);
	if (rc == CR_ENOTFOUND)
		rc = CR_ECORRUPT; /* the index names it */
	if (!rc)
		rc = account_decode(acct_id, v.p, v.n, open_number ? &s : NULL, out);
	if (!rc)
		out->subject = subject;
	kv_val_free(&v);
	secrets_free(&s);
	return rc;
}

/* The account id the index holds for (inst, account). */
static int account_id_of(cr_txn *txn, const char *inst, const char *account,
			 uint64_t *acct_id)
{
	uint8_t kb[CR_KEY_ACCOUNT_INDEX_MAX];
	struct kv_val v = {0};
	int rc = kv_get(txn, CF_INDEX, kb, account_index_key(txn->st, inst, account, kb), &v);
	if (!rc && v.n != 8)
		rc = CR_ECORRUPT;
	if (!rc)
		*acct_id = cr_get_u64be(v.p);
	kv_val_free(&v);
	return rc;
}

int cr_store_account_get(cr_txn *txn, const char *inst, const char *account,
			 struct cr_account_rec *out)
{
	uint64_t id;
	int rc = account_id_of(txn, inst, account, &id);
	return rc ? rc : account_load(txn, id, 1, out);
}

static int same_account(const struct cr_account_rec *a, const struct cr_account_rec *b)
{
	uint8_t x[CR_ACCT_ENC_MAX], y[CR_ACCT_ENC_MAX];
	size_t xn = cr_acct_encode(a, x), yn = cr_acct_encode(b, y);
	return xn == yn && memcmp(x, y, xn) == 0 &&
	       strcmp(a->a.account, b->a.account) == 0;
}

static int last_account_n(struct kv_step *s, void *arg)
{
	if (s->kn != CR_KEY_ACCOUNT_LEN)
		return CR_ECORRUPT;
	*(unsigned *)arg = ACCT_N(cr_key_acct_id(s->k));
	return 0;
}

/* The next account number of person pid: one past the highest in use. */
static int next_account_n(cr_txn *txn, uint64_t pid, unsigned *out)
{
	uint8_t pk[PK_LEN];
	unsigned last = 0;
	cr_key_person(pid, PK_ACCOUNT, pk);
	int rc = kv_walk(txn, CF_PERSON, pk, PK_LEN, NULL, 0, last_account_n, &last);
	if (!rc && last >= 0xffff)
		rc = CR_ETOOBIG;
	*out = last + 1;
	return rc;
}

static int account_write(cr_txn *txn, const struct cr_account_rec *r)
{
	uint8_t pk[CR_KEY_ACCOUNT_LEN], vbuf[CR_ACCT_ENC_MAX];
	cr_key_account(r->acct_id, pk);
	return kv_put(txn, CF_PERSON, pk, sizeof pk, vbuf, cr_acct_encode(r, vbuf));
}

int cr_store_account_put(cr_txn *txn, struct cr_account_rec *r)
{
	uint8_t kb[CR_KEY_ACCOUNT_INDEX_MAX], idb[8];
	const size_t kn = account_index_key(txn->st, r->a.inst, r->a.account, kb);
	uint64_t id, pid;
	unsigned n;
	int rc = account_id_of(txn, r->a.inst, r->a.account, &id);
	if (rc == 0) {
		struct cr_account_rec old;
		if ((rc = account_load(txn, id, 1, &old)))
			return rc;
		if (memcmp(old.subject.b, r->subject.b, CR_SUBJECT_KEY_LEN) != 0)
			return CR_EINVAL; /* an account never moves to another person */
		r->acct_id = id;
		if (same_account(&old, r))
			return 0;
		rc = cr_store_state_forget(txn, id);
		if (!rc)
			rc = account_write(txn, r);
		return rc ? rc : 1;
	}
	if (rc != CR_ENOTFOUND)
		return rc;
	if ((rc = person_pid_make(txn, &r->subject, &pid)) ||
	    (rc = next_account_n(txn, pid, &n)) || (rc = ctr_add(txn, CTR_ACCOUNTS, 1)))
		return rc;
	struct secrets s;
	if ((rc = secrets_load(txn, pid, &r->subject, &s)))
		return rc;
	rc = secrets_write(txn, pid, &r->subject, &s, NULL, 0, n, r->a.account);
	secrets_free(&s);
	if (rc)
		return rc;
	r->acct_id = ACCT_ID(pid, n);
	cr_put_u64be(idb, r->acct_id);
	kv_put(txn, CF_INDEX, kb, kn, idb, 8);
	rc = account_write(txn, r);
	return rc ? rc : 1;
}

/* A walk of accounts: the callback, and the person's secrets when the
 * account numbers are wanted. */
struct acct_walk {
	int (*fn)(const struct cr_account_rec *r, void *arg);
	void *arg;
	struct cr_subject_key subject;
	uint64_t pid;
	struct secrets *s;
	cr_txn *txn;  /* cr_store_accounts: opens each person's secrets */
};

/* One account record of the walk's person. */
static int walk_account(struct acct_walk *w, const uint8_t *key, size_t kn,
			const uint8_t *v, size_t vn)
{
	struct cr_account_rec r;
	if (kn != CR_KEY_ACCOUNT_LEN || cr_get_u64be(key) != w->pid)
		return CR_ECORRUPT;
	int rc = account_decode(cr_key_acct_id(key), v, vn, w->s, &r);
	if (rc)
		return rc;
	r.subject = w->subject;
	return w->fn(&r, w->arg);
}

static int subject_account(struct kv_step *s, void *arg)
{
	return walk_account(arg, s->k, s->kn, s->v, s->vn);
}

static int subject_accounts(cr_txn *txn, const struct cr_subject_key *k, int open_number,
			    int (*fn)(const struct cr_account_rec *r, void *arg), void *arg)
{
	uint8_t pk[PK_LEN];
	struct secrets s = {0};
	struct acct_walk w = {fn, arg, *k, 0, open_number ? &s : NULL, txn};
	int rc = person_pid(txn, k, &w.pid);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	if (open_number && (rc = secrets_load(txn, w.pid, k, &s)))
		return rc;
	cr_key_person(w.pid, PK_ACCOUNT, pk);
	rc = kv_walk(txn, CF_PERSON, pk, PK_LEN, NULL, 0, subject_account, &w);
	secrets_free(&s);
	return rc; /* the callback's own value, or a store error */
}

int cr_store_subject_accounts(cr_txn *txn, const struct cr_subject_key *k,
			      int (*fn)(const struct cr_account_rec *r, void *arg),
			      void *arg)
{
	return subject_accounts(txn, k, 1, fn, arg);
}

int cr_store_subject_accounts_bare(cr_txn *txn, const struct cr_subject_key *k,
				   int (*fn)(const struct cr_account_rec *r, void *arg),
				   void *arg)
{
	return subject_accounts(txn, k, 0, fn, arg);
}

/* A record of the walk of every account: a person's '@' record comes
 * first (PK_IDENTITY sorts first) and opens their secrets for the accounts
 * that follow. */
static int any_account(struct kv_step *s, void *arg)
{
	struct acct_walk *w = arg;
	if (s->kn < PK_LEN)
		return CR_ECORRUPT;
	if (s->k[8] == PK_IDENTITY && s->vn >= CR_SUBJECT_KEY_LEN) {
		w->pid = cr_get_u64be(s->k);
		memcpy(w->subject.b, s->v, CR_SUBJECT_KEY_LEN);
		secrets_free(w->s);
		return secrets_open(w->txn, &w->subject, s->v, s->vn, w->s);
	}
	return s->k[8] == PK_ACCOUNT ? walk_account(w, s->k, s->kn, s->v, s->vn) : 0;
}

/* Every account, person by person: one pass over the person family. */
int cr_store_accounts(cr_txn *txn,
		      int (*fn)(const struct cr_account_rec *r, void *arg),
		      void *arg)
{
	struct secrets s = {0};
	struct acct_walk w = {fn, arg, {{0}}, 0, &s, txn};
	int rc = kv_walk(txn, CF_PERSON, NULL, 0, NULL, 0, any_account, &w);
	secrets_free(&s);
	return rc;
}

/* ---- history ----------------------------------------------------------- */

int cr_store_hist_get(cr_txn *txn, uint64_t acct_id, int year,
		      struct cr_hist_year *out)
{
	uint8_t kb[CR_KEY_HIST_LEN];
	struct kv_val v = {0};
	cr_key_hist(acct_id, year, kb);
	int rc = kv_get(txn, CF_PERSON, kb, sizeof kb, &v);
	if (rc)
		memset(out, 0, sizeof *out);
	else
		rc = cr_hist_decode(v.p, v.n, out);
	kv_val_free(&v);
	return rc;
}

static int months_present(const struct cr_hist_year *h)
{
	int n = 0;
	for (int m = 0; m < 12; m++)
		n += h->m[m].status != 0;
	return n;
}

int cr_store_hist_put(cr_txn *txn, uint64_t acct_id, int year,
		      const struct cr_hist_year *h)
{
	uint8_t kb[CR_KEY_HIST_LEN], vb[CR_HIST_YEAR_MAX];
	struct cr_hist_year prev;
	cr_key_hist(acct_id, year, kb);
	int rc = cr_store_hist_get(txn, acct_id, year, &prev);
	if (rc && rc != CR_ENOTFOUND)
		return rc;
	const int before = rc ? 0 : months_present(&prev), after = months_present(h);
	if ((rc = ctr_add(txn, CTR_MONTHS, after - before)) ||
	    (rc = cr_store_state_forget(txn, acct_id)))
		return rc;
	if (after == 0)
		return before ? kv_del(txn, CF_PERSON, kb, sizeof kb) : 0;
	return kv_put(txn, CF_PERSON, kb, sizeof kb, vb, cr_hist_encode(h, vb));
}

/* A walk of the accounts with history (cr_store_hist_accounts). */
struct hist_walk {
	struct cr_hist_account *out;
	size_t max, n;
	uint8_t from[CR_KEY_HIST_LEN];  /* where the walk goes next */
};

/* Notes the account of a history key, or skips to where the next one can
 * be: the first year of the next account, or of the next person. */
static int hist_account(struct kv_step *s, void *arg)
{
	struct hist_walk *w = arg;
	if (s->kn < PK_LEN)
		return CR_ECORRUPT;
	const uint64_t pid = cr_get_u64be(s->k);
	uint64_t want;
	if (s->k[8] < PK_HIST) {
		want = ACCT_ID(pid, 0); /* before this person's history */
	} else if (s->k[8] > PK_HIST) {
		want = ACCT_ID(pid + 1, 0); /* past this person's history */
	} else if (s->kn != CR_KEY_HIST_LEN) {
		return CR_ECORRUPT;
	} else {
		const uint64_t id = cr_key_acct_id(s->k);
		w->out[w->n++] = (struct cr_hist_account){id, cr_key_hist_year(s->k)};
		want = id + 1;
	}
	s->end = w->n == w->max || ACCT_PID(want) > PID_MAX;
	cr_key_hist(want, 0, w->from);
	s->seek = w->from;
	s->seek_n = sizeof w->from;
	return 0;
}

/* One seek per account with history, and one per person without: the
 * walk jumps from each account's first year to the next account. */
int cr_store_hist_accounts(cr_txn *txn, uint64_t after,
			   struct cr_hist_account *out, size_t max, size_t *n)
{
	struct hist_walk w = {out, max, 0, {0}};
	*n = 0;
	if (max == 0 || ACCT_PID(after + 1) > PID_MAX)
		return 0;
	cr_key_hist(after + 1, 0, w.from);
	int rc = kv_walk(txn, CF_PERSON, NULL, 0, w.from, sizeof w.from, hist_account, &w);
	*n = w.n;
	return rc;
}

/* ---- consents, held counts, inquiries ---------------------------------- */

#define FACT_PK_MAX (PK_LEN + CR_CONSENT_ENC_MAX)

int cr_store_consent_add(cr_txn *txn, const struct cr_subject_key *k,
			 const struct cr_consent_fact *f)
{
	uint8_t kb[FACT_PK_MAX];
	uint64_t pid;
	struct kv_val v = {0};
	int rc = person_pid_make(txn, k, &pid);
	if (rc)
		return rc;
	cr_key_person(pid, PK_CONSENT, kb);
	const size_t kn = PK_LEN + cr_consent_encode(f, kb + PK_LEN);
	rc = kv_get(txn, CF_PERSON, kb, kn, &v);
	kv_val_free(&v);
	if (rc != CR_ENOTFOUND)
		return rc; /* 0: stored already */
	if ((rc = ctr_add(txn, CTR_CONSENTS, 1)))
		return rc;
	kv_put(txn, CF_PERSON, kb, kn, "", 0);
	return 1;
}

/* A walk of the keys of one tag of a person, which hold the records. */
struct tag_walk {
	int (*dec)(const uint8_t *p, size_t n, void *arg);
	void *arg;
};

static int tag_key(struct kv_step *s, void *arg)
{
	const struct tag_walk *w = arg;
	return w->dec(s->k + PK_LEN, s->kn - PK_LEN, w->arg);
}

/* Walks the keys of one tag of subject k's person from `from` (NULL: all),
 * calling dec with the bytes after the 9-byte prefix. */
static int walk_tag(cr_txn *txn, const struct cr_subject_key *k, uint8_t tag,
		    const uint8_t *from, size_t fn,
		    int (*dec)(const uint8_t *p, size_t n, void *arg), void *arg)
{
	uint64_t pid;
	uint8_t pk[PK_LEN], fk[PK_LEN + 16];
	struct tag_walk w = {dec, arg};
	int rc = person_pid(txn, k, &pid);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	cr_key_person(pid, tag, pk);
	CR_ASSERT(fn <= 16);
	memcpy(fk, pk, PK_LEN);
	if (from)
		memcpy(fk + PK_LEN, from, fn);
	return kv_walk(txn, CF_PERSON, pk, PK_LEN, from ? fk : NULL, PK_LEN + fn, tag_key, &w);
}

struct list_ctx {
	void *out;
	size_t max, count;
};

static int take_fact(const uint8_t *p, size_t n, void *arg)
{
	struct list_ctx *c = arg;
	if (c->count < c->max) {
		int rc = cr_consent_decode(p, n, (struct cr_consent_fact *)c->out + c->count);
		if (rc)
			return rc;
	}
	c->count++;
	return 0;
}

int cr_store_consent_list(cr_txn *txn, const struct cr_subject_key *k,
			  struct cr_consent_fact *out, size_t max, size_t *n)
{
	struct list_ctx c = {out, max, 0};
	int rc = walk_tag(txn, k, PK_CONSENT, NULL, 0, take_fact, &c);
	*n = c.count;
	return rc;
}

int cr_store_held_add(cr_txn *txn, const struct cr_subject_key *k,
		      const char *inst, uint64_t delta)
{
	uint8_t kb[CR_KEY_HELD_MAX], vb[8];
	uint64_t pid, count = 0;
	struct kv_val v = {0};
	int rc = person_pid_make(txn, k, &pid);
	if (rc)
		return rc;
	const size_t kn = cr_key_held(pid, inst, kb);
	rc = kv_get(txn, CF_PERSON, kb, kn, &v);
	if (rc == 0 && v.n == 8)
		count = cr_get_u64be(v.p);
	else if (rc != CR_ENOTFOUND)
		rc = rc ? rc : CR_ECORRUPT;
	else
		rc = 0;
	kv_val_free(&v);
	if (!rc)
		rc = ctr_add(txn, CTR_HELD, (int64_t)delta);
	if (rc)
		return rc;
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
	if (!rc && v.n != 8)
		rc = CR_ECORRUPT;
	if (!rc)
		*count = cr_get_u64be(v.p);
	kv_val_free(&v);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	if ((rc = ctr_add(txn, CTR_HELD, -(int64_t)*count)))
		return rc;
	return kv_del(txn, CF_PERSON, kb, kn);
}

int cr_store_inquiry_add(cr_txn *txn, const struct cr_subject_key *k,
			 struct cr_inquiry *q)
{
	uint8_t kb[PK_LEN + CR_INQUIRY_ENC_MAX];
	uint64_t pid;
	int rc = person_pid_make(txn, k, &pid);
	if (!rc)
		rc = ctr_next(txn, CTR_SEQ, &q->seq);
	if (!rc)
		rc = ctr_add(txn, CTR_INQUIRIES, 1);
	if (rc)
		return rc;
	cr_key_person(pid, PK_INQUIRY, kb);
	const size_t kn = PK_LEN + cr_inquiry_encode(q, kb + PK_LEN);
	return kv_put(txn, CF_PERSON, kb, kn, "", 0);
}

static int take_inquiry(const uint8_t *p, size_t n, void *arg)
{
	struct list_ctx *c = arg;
	if (c->count < c->max) {
		int rc = cr_inquiry_decode(p, n, (struct cr_inquiry *)c->out + c->count);
		if (rc)
			return rc;
	}
	c->count++;
	return 0;
}

int cr_store_inquiry_list(cr_txn *txn, const struct cr_subject_key *k,
			  int32_t since_days, struct cr_inquiry *out,
			  size_t max, size_t *n)
{
	uint8_t from[4];
	struct list_ctx c = {out, max, 0};
	cr_put_date(from, since_days);
	int rc = walk_tag(txn, k, PK_INQUIRY, from, sizeof from, take_inquiry, &c);
	*n = c.count;
	return rc;
}

/* ---- kept account states ----------------------------------------------- */

int cr_store_state_get(cr_txn *txn, uint64_t acct_id, uint8_t *buf, size_t *n)
{
	uint8_t pk[CR_KEY_STATE_LEN];
	struct kv_val v = {0};
	cr_key_state(acct_id, pk);
	int rc = kv_get(txn, CF_PERSON, pk, sizeof pk, &v);
	if (!rc && v.n > CR_STORE_STATE_MAX)
		rc = CR_ECORRUPT;
	if (!rc) {
		memcpy(buf, v.p, v.n);
		*n = v.n;
	}
	kv_val_free(&v);
	return rc;
}

int cr_store_state_put(cr_txn *txn, uint64_t acct_id, const uint8_t *buf, size_t n)
{
	uint8_t pk[CR_KEY_STATE_LEN];
	if (n > CR_STORE_STATE_MAX)
		return CR_EINVAL;
	cr_key_state(acct_id, pk);
	return kv_put(txn, CF_PERSON, pk, sizeof pk, buf, n);
}

/* The account's data changed: a kept state no longer holds. */
int cr_store_state_forget(cr_txn *txn, uint64_t acct_id)
{
	uint8_t pk[CR_KEY_STATE_LEN];
	struct kv_val v = {0};
	cr_key_state(acct_id, pk);
	int rc = kv_get(txn, CF_PERSON, pk, sizeof pk, &v);
	kv_val_free(&v);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	return kv_del(txn, CF_PERSON, pk, sizeof pk);
}

int cr_store_account_by_id(cr_txn *txn, uint64_t acct_id, struct cr_account_rec *out)
{
	return account_load(txn, acct_id, 0, out);
}

int cr_store_writable(const cr_txn *txn)
{
	return txn->write;
}
