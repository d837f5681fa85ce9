/*
 * store_account.c - accounts (tradelines): pid 'A' n, the furnished fields
 * but the account number, which is sealed with the person's secrets
 * (store_person.c), and the index entry 'A' institution NUL number-hash ->
 * account id by which a furnisher finds its account (store_codec.h).
 *
 * An account id is pid << 16 | n: n is one past the person's highest in
 * use, so an account id alone finds the person's records, and ids are
 * never reused.  An account never moves to another person.
 *
 * Walks: a person's accounts in n order, with or without their numbers
 * (without saves the AEAD opening for callers that need the other fields
 * only), and every account of the store in one pass over the person
 * family, each person's '@' record first.
 */
#include <stdio.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

int cr_account_rec_check(const struct cr_account_rec *r)
{
	return r->acct_id == 0 ? CR_EINVAL : cr_account_check(&r->a);
}

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
 * from secrets when it is not NULL, else number when it is not NULL (the
 * one the index found it by), else "". */
static int account_decode(uint64_t acct_id, const uint8_t *p, size_t n,
			  const struct secrets *secrets, const char *number,
			  struct cr_account_rec *out)
{
	size_t used;
	int rc = cr_acct_decode(p, n, out, &used);
	if (!rc && used != n)
		rc = CR_ECORRUPT;
	out->acct_id = acct_id;
	if (!rc && secrets)
		rc = cr_secrets_number(secrets->plain, &secrets->x, ACCT_N(acct_id), out->a.account);
	else if (!rc && number)
		snprintf(out->a.account, sizeof out->a.account, "%s", number);
	if (!rc && cr_account_rec_check(out))
		rc = CR_ECORRUPT;
	return rc;
}

static int account_load(cr_txn *txn, uint64_t acct_id, int open_number,
			const char *number, struct cr_account_rec *out)
{
	uint8_t pk[CR_KEY_ACCOUNT_LEN];
	struct kv_val v = {0};
	struct secrets s = {0};
	cr_key_account(acct_id, pk);
	int rc = person_subject(txn, ACCT_PID(acct_id), &out->subject);
	const struct cr_subject_key subject = out->subject;
	if (!rc && open_number)
		rc = person_secrets_load(txn, ACCT_PID(acct_id), &subject, &s);
	if (!rc)
		rc = kv_get(txn, CF_PERSON, pk, sizeof pk, &v);
	if (rc == CR_ENOTFOUND)
		rc = CR_ECORRUPT; /* the index names it */
	if (!rc)
		rc = account_decode(acct_id, v.p, v.n, open_number ? &s : NULL, number, out);
	if (!rc)
		out->subject = subject;
	kv_val_free(&v);
	person_secrets_free(&s);
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
	/* The index found it by its number: the number need not be unsealed. */
	return rc ? rc : account_load(txn, id, 0, account, out);
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
	CR_ASSERT(cr_account_rec_check(r) == 0);
	cr_key_account(r->acct_id, pk);
	return kv_put(txn, CF_PERSON, pk, sizeof pk, vbuf, cr_acct_encode(r, vbuf));
}

int cr_store_account_put(cr_txn *txn, struct cr_account_rec *r)
{
	uint8_t kb[CR_KEY_ACCOUNT_INDEX_MAX], idb[8];
	/* The number is the index key and goes into the person's secrets,
	 * whose entries are 1..CR_ACCOUNT_MAX bytes. */
	CR_ASSERT(cr_account_check(&r->a) == 0);
	CR_ASSERT(r->a.account[0] != '\0');
	const size_t kn = account_index_key(txn->st, r->a.inst, r->a.account, kb);
	uint64_t id, pid;
	unsigned n;
	int rc = account_id_of(txn, r->a.inst, r->a.account, &id);
	if (rc == 0) {
		struct cr_account_rec old;
		if ((rc = account_load(txn, id, 1, NULL, &old)))
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
	if ((rc = person_secrets_load(txn, pid, &r->subject, &s)))
		return rc;
	rc = person_secrets_add_number(txn, pid, &r->subject, &s, n, r->a.account);
	person_secrets_free(&s);
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
	int rc = account_decode(cr_key_acct_id(key), v, vn, w->s, NULL, &r);
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
	if (open_number && (rc = person_secrets_load(txn, w.pid, k, &s)))
		return rc;
	cr_key_person(w.pid, PK_ACCOUNT, pk);
	rc = kv_walk(txn, CF_PERSON, pk, PK_LEN, NULL, 0, subject_account, &w);
	person_secrets_free(&s);
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

static int count_key(struct kv_step *s, void *arg)
{
	if (s->kn != CR_KEY_ACCOUNT_LEN)
		return CR_ECORRUPT;
	++*(size_t *)arg;
	return 0;
}

int cr_store_subject_account_count(cr_txn *txn, const struct cr_subject_key *k, size_t *n)
{
	*n = 0;
	return person_walk(txn, k, PK_ACCOUNT, NULL, 0, count_key, n);
}

/* A record of the walk of every account: a person's '@' record comes
 * first (PK_IDENTITY sorts first) and opens their secrets for the accounts
 * that follow. */
static int any_account(struct kv_step *s, void *arg)
{
	struct acct_walk *w = arg;
	if (s->kn < PK_LEN)
		return CR_ECORRUPT;
	if (s->k[PK_LEN - 1] == PK_IDENTITY && s->vn >= CR_SUBJECT_KEY_LEN) {
		w->pid = cr_get_u64be(s->k);
		memcpy(w->subject.b, s->v, CR_SUBJECT_KEY_LEN);
		person_secrets_free(w->s);
		return person_secrets_open(w->txn, &w->subject, s->v, s->vn, w->s);
	}
	return s->k[PK_LEN - 1] == PK_ACCOUNT ? walk_account(w, s->k, s->kn, s->v, s->vn) : 0;
}

/* Every account, person by person: one pass over the person family. */
int cr_store_accounts(cr_txn *txn,
		      int (*fn)(const struct cr_account_rec *r, void *arg),
		      void *arg)
{
	struct secrets s = {0};
	struct acct_walk w = {fn, arg, {{0}}, 0, &s, txn};
	int rc = kv_walk(txn, CF_PERSON, NULL, 0, NULL, 0, any_account, &w);
	person_secrets_free(&s);
	return rc;
}

int cr_store_account_by_id(cr_txn *txn, uint64_t acct_id, struct cr_account_rec *out)
{
	return account_load(txn, acct_id, 0, NULL, out);
}
