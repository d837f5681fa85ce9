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

#define PK_LEN 9
#define SEAL CR_STORE_SEAL_OVERHEAD

void person_key(uint64_t pid, uint8_t tag, uint8_t out[PK_LEN])
{
	cr_put_u64be(out, pid);
	out[8] = tag;
}

static size_t subject_index_key(const struct cr_subject_key *k, uint8_t out[17])
{
	out[0] = IK_SUBJECT;
	memcpy(out + 1, k->b, CR_SUBJECT_KEY_LEN);
	return 17;
}

/* A reader's pid from the shared id cache: the id is right, but the
 * reader's snapshot may be older than the person.  Loading the person's
 * records (which the reader is about to need anyway) tells. */
static int cached_pid(cr_txn *txn, const uint8_t *kb, size_t kn, uint64_t *pid)
{
	uint8_t pk[PK_LEN];
	struct kv_val v = {0};
	if (txn->write || idcache_get(txn->st->ids, kb, kn, pid))
		return CR_ENOTFOUND;
	person_key(*pid, PK_IDENTITY, pk);
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
	uint8_t kb[17];
	struct kv_val v = {0};
	const size_t kn = subject_index_key(k, kb);
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
	uint8_t kb[17], v[8], pk[PK_LEN];
	if ((rc = txc_person_new(txn->cache, *pid)))
		return rc;
	cr_put_u64be(v, *pid);
	kv_put(txn, CF_INDEX, kb, subject_index_key(k, kb), v, 8);
	person_key(*pid, PK_IDENTITY, pk);
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
	person_key(pid, PK_IDENTITY, pk);
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

/*
 * The sealed part of pid '@', opened:
 *
 *   u8       1 when an identity follows, else 0
 *   u16 BE   identity length, and the identity (cr_subject_encode)
 *   u16 BE   number of accounts, then per account in n order:
 *            u16 BE n, u8 length, the account number
 */
struct secrets {
	uint8_t *plain;   /* malloc'd, wiped when freed */
	size_t n;
	int has_ident;
	size_t ident_off, ident_n;
	size_t acc_off;   /* the first account entry */
	unsigned n_acc;
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
	const uint8_t *p = s->plain;
	if (s->n < 5 || p[0] > 1)
		return CR_ECORRUPT;
	s->has_ident = p[0];
	s->ident_n = (size_t)p[1] << 8 | p[2];
	s->ident_off = 3;
	size_t pos = 3 + s->ident_n;
	if (pos + 2 > s->n || (!s->has_ident && s->ident_n))
		return CR_ECORRUPT;
	s->n_acc = (unsigned)(p[pos] << 8 | p[pos + 1]);
	s->acc_off = pos + 2;
	pos = s->acc_off;
	for (unsigned i = 0; i < s->n_acc; i++) {
		if (pos + 3 > s->n || p[pos + 2] == 0 || p[pos + 2] > CR_ACCOUNT_MAX)
			return CR_ECORRUPT;
		pos += 3 + p[pos + 2];
	}
	return pos == s->n ? 0 : CR_ECORRUPT;
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
		static const uint8_t empty[5] = {0, 0, 0, 0, 0};
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
	person_key(m->pid, PK_IDENTITY, pk);
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
		person_key(pid, PK_IDENTITY, pk);
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

/* The number of account n into out ("" when the secrets have none). */
static int secrets_number(const struct secrets *s, unsigned n, char out[CR_ACCOUNT_MAX + 1])
{
	size_t pos = s->acc_off;
	for (unsigned i = 0; i < s->n_acc; i++) {
		const uint8_t *e = s->plain + pos;
		const unsigned len = e[2];
		if ((unsigned)(e[0] << 8 | e[1]) == n) {
			memcpy(out, e + 3, len);
			out[len] = '\0';
			return 0;
		}
		pos += 3 + len;
	}
	return CR_ECORRUPT;
}

/* The secrets anew, with identity ident (NULL: keep the old one) and,
 * when number is not NULL, account n's number added: into the memo, sealed
 * into pid '@' when the transaction moves on or commits. */
static int secrets_write(cr_txn *txn, uint64_t pid, const struct cr_subject_key *k,
			 const struct secrets *old, const uint8_t *ident, size_t ident_n,
			 unsigned n, const char *number)
{
	const size_t an = number ? strnlen(number, CR_ACCOUNT_MAX) : 0;
	const uint8_t *id = ident ? ident : old->plain + old->ident_off;
	const size_t idn = ident ? ident_n : old->ident_n;
	const size_t accs = old->n - old->acc_off, plain_n = 3 + idn + 2 + accs + (number ? 3 + an : 0);
	if (number && old->n_acc >= 0xffff)
		return CR_ETOOBIG;
	uint8_t *plain = malloc(plain_n);
	int rc = plain ? 0 : CR_ENOMEM;
	if (!rc) {
		plain[0] = (uint8_t)(ident || old->has_ident);
		plain[1] = (uint8_t)(idn >> 8);
		plain[2] = (uint8_t)idn;
		memcpy(plain + 3, id, idn);
		const unsigned count = old->n_acc + (number != NULL);
		plain[3 + idn] = (uint8_t)(count >> 8);
		plain[4 + idn] = (uint8_t)count;
		memcpy(plain + 5 + idn, old->plain + old->acc_off, accs);
		if (number) {
			uint8_t *e = plain + 5 + idn + accs;
			e[0] = (uint8_t)(n >> 8);
			e[1] = (uint8_t)n;
			e[2] = (uint8_t)an;
			memcpy(e + 3, number, an);
		}
	}
	struct secrets_memo *m;
	if (!rc)
		rc = memo_for(txn, pid, &m);
	if (rc) {
		if (plain)
			sodium_memzero(plain, plain_n);
		free(plain);
		return rc;
	}
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
	if (!rc && !s.has_ident)
		rc = CR_ENOTFOUND; /* known by a consent only: no identity yet */
	if (!rc)
		rc = cr_subject_decode(s.plain + s.ident_off, s.ident_n, out);
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
	const int same = old.has_ident && old.ident_n == n &&
			 memcmp(old.plain + old.ident_off, buf, n) == 0;
	if (!same && !old.has_ident)
		rc = ctr_add(txn, CTR_SUBJECTS, 1);
	if (!same && !rc)
		rc = secrets_write(txn, pid, k, &old, buf, n, 0, NULL);
	secrets_free(&old);
	sodium_memzero(buf, sizeof buf);
	return rc ? rc : !same;
}

/* ---- accounts ---------------------------------------------------------- */

#define ACCT_PK_LEN (PK_LEN + 2)

static void account_pk(uint64_t acct_id, uint8_t out[ACCT_PK_LEN])
{
	person_key(ACCT_PID(acct_id), PK_ACCOUNT, out);
	out[9] = (uint8_t)(ACCT_N(acct_id) >> 8);
	out[10] = (uint8_t)ACCT_N(acct_id);
}

/* Account numbers are hashed with a leading 0x01, a byte no ID begins with,
 * so the two pseudonym spaces cannot meet.  The index key is 'A', then the
 * institution, NUL and that hash. */
static size_t account_index_key(const cr_store *st, const char *inst,
				const char *account, uint8_t *kbuf)
{
	uint8_t msg[2 + CR_INST_CODE_MAX + CR_ACCOUNT_MAX], hash[CR_ACCT_HASH_LEN];
	size_t a = strnlen(inst, CR_INST_CODE_MAX), b = strnlen(account, CR_ACCOUNT_MAX);
	msg[0] = 0x01;
	memcpy(msg + 1, inst, a);
	msg[1 + a] = '\0';
	memcpy(msg + 2 + a, account, b);
	crypto_generichash(hash, sizeof hash, msg, 2 + a + b, st->pseudokey, CR_STORE_KEY_LEN);
	kbuf[0] = IK_ACCOUNT;
	return 1 + cr_acct_key(inst, hash, kbuf + 1);
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
		rc = secrets_number(secrets, ACCT_N(acct_id), out->a.account);
	return rc;
}

static int account_load(cr_txn *txn, uint64_t acct_id, int open_number,
			struct cr_account_rec *out)
{
	uint8_t pk[ACCT_PK_LEN];
	struct kv_val v = {0};
	struct secrets s = {0};
	account_pk(acct_id, pk);
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
	uint8_t kb[1 + CR_ACCT_KEY_MAX];
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
	if (s->kn != ACCT_PK_LEN)
		return CR_ECORRUPT;
	*(unsigned *)arg = (unsigned)(s->k[9] << 8 | s->k[10]);
	return 0;
}

/* The next account number of person pid: one past the highest in use. */
static int next_account_n(cr_txn *txn, uint64_t pid, unsigned *out)
{
	uint8_t pk[PK_LEN];
	unsigned last = 0;
	person_key(pid, PK_ACCOUNT, pk);
	int rc = kv_walk(txn, CF_PERSON, pk, PK_LEN, NULL, 0, last_account_n, &last);
	if (!rc && last >= 0xffff)
		rc = CR_ETOOBIG;
	*out = last + 1;
	return rc;
}

static int account_write(cr_txn *txn, const struct cr_account_rec *r)
{
	uint8_t pk[ACCT_PK_LEN], vbuf[CR_ACCT_ENC_MAX];
	account_pk(r->acct_id, pk);
	return kv_put(txn, CF_PERSON, pk, sizeof pk, vbuf, cr_acct_encode(r, vbuf));
}

int cr_store_account_put(cr_txn *txn, struct cr_account_rec *r)
{
	uint8_t kb[1 + CR_ACCT_KEY_MAX], idb[8];
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
	if (kn != ACCT_PK_LEN || cr_get_u64be(key) != w->pid)
		return CR_ECORRUPT;
	int rc = account_decode(ACCT_ID(w->pid, (unsigned)(key[9] << 8 | key[10])), v, vn,
				w->s, &r);
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
	person_key(w.pid, PK_ACCOUNT, pk);
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

#define HIST_PK_LEN (PK_LEN + 4)

static void hist_pk(uint64_t acct_id, int year, uint8_t out[HIST_PK_LEN])
{
	person_key(ACCT_PID(acct_id), PK_HIST, out);
	out[9] = (uint8_t)(ACCT_N(acct_id) >> 8);
	out[10] = (uint8_t)ACCT_N(acct_id);
	out[11] = (uint8_t)(year >> 8);
	out[12] = (uint8_t)year;
}

int cr_store_hist_get(cr_txn *txn, uint64_t acct_id, int year,
		      struct cr_hist_year *out)
{
	uint8_t kb[HIST_PK_LEN];
	struct kv_val v = {0};
	hist_pk(acct_id, year, kb);
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
	uint8_t kb[HIST_PK_LEN], vb[CR_HIST_YEAR_MAX];
	struct cr_hist_year prev;
	hist_pk(acct_id, year, kb);
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
	uint8_t from[HIST_PK_LEN];  /* where the walk goes next */
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
	} else if (s->kn != HIST_PK_LEN) {
		return CR_ECORRUPT;
	} else {
		const uint64_t id = ACCT_ID(pid, (unsigned)(s->k[9] << 8 | s->k[10]));
		w->out[w->n++] = (struct cr_hist_account){id, s->k[11] << 8 | s->k[12]};
		want = id + 1;
	}
	s->end = w->n == w->max || ACCT_PID(want) > PID_MAX;
	hist_pk(want, 0, w->from);
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
	hist_pk(after + 1, 0, w.from);
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
	person_key(pid, PK_CONSENT, kb);
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
	person_key(pid, tag, pk);
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

static size_t held_pk(uint64_t pid, const char *inst, uint8_t *out)
{
	const size_t a = strnlen(inst, CR_INST_CODE_MAX);
	person_key(pid, PK_HELD, out);
	memcpy(out + PK_LEN, inst, a);
	return PK_LEN + a;
}

int cr_store_held_add(cr_txn *txn, const struct cr_subject_key *k,
		      const char *inst, uint64_t delta)
{
	uint8_t kb[PK_LEN + CR_INST_CODE_MAX], vb[8];
	uint64_t pid, count = 0;
	struct kv_val v = {0};
	int rc = person_pid_make(txn, k, &pid);
	if (rc)
		return rc;
	const size_t kn = held_pk(pid, inst, kb);
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
	uint8_t kb[PK_LEN + CR_INST_CODE_MAX];
	uint64_t pid;
	struct kv_val v = {0};
	*count = 0;
	int rc = person_pid(txn, k, &pid);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	const size_t kn = held_pk(pid, inst, kb);
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
	person_key(pid, PK_INQUIRY, kb);
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

#define STATE_PK_LEN (PK_LEN + 2)

static void state_pk(uint64_t acct_id, uint8_t out[STATE_PK_LEN])
{
	person_key(ACCT_PID(acct_id), PK_EXPOSURE, out);
	out[9] = (uint8_t)(ACCT_N(acct_id) >> 8);
	out[10] = (uint8_t)ACCT_N(acct_id);
}

int cr_store_state_get(cr_txn *txn, uint64_t acct_id, uint8_t *buf, size_t *n)
{
	uint8_t pk[STATE_PK_LEN];
	struct kv_val v = {0};
	state_pk(acct_id, pk);
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
	uint8_t pk[STATE_PK_LEN];
	if (n > CR_STORE_STATE_MAX)
		return CR_EINVAL;
	state_pk(acct_id, pk);
	return kv_put(txn, CF_PERSON, pk, sizeof pk, buf, n);
}

/* The account's data changed: a kept state no longer holds. */
int cr_store_state_forget(cr_txn *txn, uint64_t acct_id)
{
	uint8_t pk[STATE_PK_LEN];
	struct kv_val v = {0};
	state_pk(acct_id, pk);
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
