/*
 * store_lmdb.c - the embedded store on LMDB.
 *
 * One LMDB environment in the data directory, with these named databases
 * (docs/storage.md gives sizes and reasons):
 *
 *   meta       "version", "keys" (sealed), counters, "audit_head" -> values
 *   inst       institution code                           -> kind, name
 *   acct       institution code '\0' account-number hash  -> packed account + sealed number
 *   subj       subject key (16)                           -> sealed identity
 *   subj_acct  subject key (16), dupsort                  -> account key
 *   hist       account id (u64 BE) + year (u16 BE)        -> packed year (hist_codec.h)
 *   consent    subject key (16), dupsort                  -> packed fact, date first
 *   held       subject key (16) + institution code        -> u64 count
 *   inquiry    subject key (16), dupsort                  -> packed inquiry, date first
 *   dispute    dispute id (u64 BE)                        -> packed dispute + sealed text
 *   subj_dispute subject key (16), dupsort                -> dispute id (u64 BE)
 *   revision   account id + month + seq (BE)              -> replaced month, dispute, date
 *   event      institution code '\0' event-id hash        -> the event (idempotency)
 *   acct_event account id + time (BE) + event-id hash     -> kind, amount, dpd
 *   alert      institution (padded) + seq (BE)            -> subject key, kind, times
 *   alert_cfg  institution code                           -> alert thresholds
 *   webhook    institution code                           -> delivery state, URL, sealed secret
 *
 * Big-endian integers in keys make LMDB's byte order the numeric order, so
 * an account's years and a subject's consents and inquiries come back
 * sorted.  Write transactions are durable on commit: the environment is
 * opened without MDB_NOSYNC or MDB_NOMETASYNC.
 */
#include "store.h"

#include <errno.h>
#include <lmdb.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "hist_codec.h"
#include "keyfile.h"
#include "store_codec.h"
#include "store_int.h"

#define STORE_VERSION 6
#define PSEUDOKEY_LEN CR_STORE_KEY_LEN

static const struct {
	const char *name;
	unsigned flags;
} db_defs[DB_COUNT] = {
	{"meta", 0},           {"inst", 0},         {"acct", 0},
	{"subj", 0},           {"subj_acct", MDB_DUPSORT},
	{"hist", 0},           {"consent", MDB_DUPSORT},
	{"held", 0},           {"inquiry", MDB_DUPSORT},
	{"dispute", 0},        {"subj_dispute", MDB_DUPSORT},
	{"revision", 0},       {"apikey", 0},
	{"event", 0},          {"acct_event", 0},
	{"alert", 0},          {"alert_cfg", 0},
	{"webhook", 0},
};

static int map_err(int rc)
{
	switch (rc) {
	case 0: return 0;
	case MDB_NOTFOUND: return CR_ENOTFOUND;
	case MDB_KEYEXIST: return CR_EEXIST;
	case ENOMEM: return CR_ENOMEM;
	case EIO: case ENOSPC: case MDB_MAP_FULL: return CR_EIO;
	case MDB_CORRUPTED: case MDB_PAGE_NOTFOUND: return CR_ECORRUPT;
	case MDB_VERSION_MISMATCH: case MDB_INVALID: return CR_EVERSION;
	case ENOENT: return CR_ENOTFOUND;
	default: return CR_ESTORE;
	}
}

static MDB_val val(const void *p, size_t n)
{
	MDB_val v = {.mv_size = n, .mv_data = (void *)p};
	return v;
}

static int meta_get_u64(MDB_txn *t, MDB_dbi dbi, const char *key, uint64_t *out)
{
	MDB_val k = val(key, strlen(key)), v;
	int rc = mdb_get(t, dbi, &k, &v);
	if (rc == MDB_NOTFOUND) {
		*out = 0;
		return 0;
	}
	if (rc)
		return map_err(rc);
	if (v.mv_size != 8)
		return CR_ECORRUPT;
	*out = cr_get_u64be(v.mv_data);
	return 0;
}

static int meta_put_u64(MDB_txn *t, MDB_dbi dbi, const char *key, uint64_t x)
{
	uint8_t b[8];
	cr_put_u64be(b, x);
	MDB_val k = val(key, strlen(key)), v = val(b, 8);
	return map_err(mdb_put(t, dbi, &k, &v, 0));
}

static int meta_add(MDB_txn *t, MDB_dbi dbi, const char *key, int64_t delta)
{
	if (!delta)
		return 0;
	uint64_t x;
	int rc = meta_get_u64(t, dbi, key, &x);
	if (rc)
		return rc;
	return meta_put_u64(t, dbi, key, x + (uint64_t)delta);
}

/* The map size: CR_MAP_SIZE_BYTES, or $CREDITREF_MAP_SIZE_GB for tools that
 * cannot reserve a terabyte of address space (valgrind). */
static size_t map_size(void)
{
	const char *v = getenv("CREDITREF_MAP_SIZE_GB");
	char *end;
	unsigned long gb = v ? strtoul(v, &end, 10) : 0;
	if (!v || *end || gb == 0 || gb > (CR_MAP_SIZE_BYTES >> 30))
		return (size_t)CR_MAP_SIZE_BYTES;
	return (size_t)gb << 30;
}

static int env_open(const char *dir, int rdonly, cr_store **out)
{
	cr_store *st = calloc(1, sizeof *st);
	if (!st)
		return CR_ENOMEM;
	st->rdonly = rdonly;
	snprintf(st->path, sizeof st->path, "%s", dir);
	int rc = mdb_env_create(&st->env);
	if (!rc)
		rc = mdb_env_set_maxdbs(st->env, DB_COUNT);
	if (!rc)
		rc = mdb_env_set_mapsize(st->env, map_size());
	if (!rc)
		rc = mdb_env_set_maxreaders(st->env, 1024);
	if (!rc)
		rc = mdb_env_open(st->env, dir,
				  MDB_NOTLS | (rdonly ? MDB_RDONLY : 0), 0600);
	if (rc) {
		cr_store_close(st);
		return map_err(rc);
	}
	*out = st;
	return 0;
}

/*
 * Envelope encryption.  The store has two secrets of its own: the data key
 * (XChaCha20-Poly1305, seals identities and account numbers) and the
 * pseudonym key (keyed BLAKE2b, turns IDs and account numbers into keys).
 * Both are kept in meta "keys", sealed under the master key from the key
 * file, with the layout and version as associated data.  Rotating the master
 * key re-seals these 64 bytes and nothing else.
 */
#define KEYS_AD "creditref store keys v2"
#define SEALED_KEYS_LEN (crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + \
			 2 * PSEUDOKEY_LEN + crypto_aead_xchacha20poly1305_ietf_ABYTES)

static void seal_keys(const cr_store *st, const uint8_t master[CR_MASTER_KEY_LEN],
		      uint8_t out[SEALED_KEYS_LEN])
{
	uint8_t plain[2 * PSEUDOKEY_LEN];
	memcpy(plain, st->datakey, PSEUDOKEY_LEN);
	memcpy(plain + PSEUDOKEY_LEN, st->pseudokey, PSEUDOKEY_LEN);
	randombytes_buf(out, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL, plain,
		sizeof plain, (const uint8_t *)KEYS_AD, strlen(KEYS_AD), NULL, out,
		master);
	sodium_memzero(plain, sizeof plain);
}

static int unseal_keys(cr_store *st, const uint8_t master[CR_MASTER_KEY_LEN],
		       const uint8_t *in, size_t n)
{
	uint8_t plain[2 * PSEUDOKEY_LEN];
	if (n != SEALED_KEYS_LEN)
		return CR_ECORRUPT;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    plain, NULL, NULL, in + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
		    n - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
		    (const uint8_t *)KEYS_AD, strlen(KEYS_AD), in, master) != 0)
		return CR_EDENIED;
	memcpy(st->datakey, plain, PSEUDOKEY_LEN);
	memcpy(st->pseudokey, plain + PSEUDOKEY_LEN, PSEUDOKEY_LEN);
	sodium_memzero(plain, sizeof plain);
	return 0;
}

static int open_dbi_all(cr_store *st, MDB_txn *t, int create)
{
	int rc = 0;
	for (int i = 0; i < DB_COUNT && !rc; i++)
		rc = mdb_dbi_open(t, db_defs[i].name,
				  db_defs[i].flags | (create ? MDB_CREATE : 0),
				  &st->dbi[i]);
	return rc == MDB_NOTFOUND ? CR_EVERSION : map_err(rc);
}

/* Opens (or creates) every named database and unseals the store's keys. */
static int open_dbs(cr_store *st, const uint8_t master[CR_MASTER_KEY_LEN],
		    int create)
{
	MDB_txn *t;
	int rc = mdb_txn_begin(st->env, NULL, st->rdonly ? MDB_RDONLY : 0, &t);
	if (rc)
		return map_err(rc);
	int err = open_dbi_all(st, t, create);
	MDB_val k = val("keys", 4), v;
	if (!err && create) {
		uint8_t sealed[SEALED_KEYS_LEN];
		randombytes_buf(st->datakey, PSEUDOKEY_LEN);
		randombytes_buf(st->pseudokey, PSEUDOKEY_LEN);
		seal_keys(st, master, sealed);
		v = val(sealed, sizeof sealed);
		err = map_err(mdb_put(t, st->dbi[DB_META], &k, &v, 0));
		if (!err)
			err = meta_put_u64(t, st->dbi[DB_META], "version", STORE_VERSION);
	} else if (!err) {
		uint64_t version;
		err = meta_get_u64(t, st->dbi[DB_META], "version", &version);
		if (!err && version != STORE_VERSION)
			err = CR_EVERSION;
		if (!err)
			err = mdb_get(t, st->dbi[DB_META], &k, &v) ? CR_ECORRUPT
				: unseal_keys(st, master, v.mv_data, v.mv_size);
	}
	if (err) {
		mdb_txn_abort(t);
		return err;
	}
	return map_err(mdb_txn_commit(t));
}

static int data_file_exists(const char *dir)
{
	char path[4096];
	struct stat sb;
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	return stat(path, &sb) == 0;
}

int cr_store_create(const char *dir, const char *key_file, const char **reason)
{
	*reason = NULL;
	if (!dir || !*dir || !key_file || !*key_file)
		return CR_EINVAL;
	if (sodium_init() < 0)
		return CR_ESTORE;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return CR_EIO;
	if (data_file_exists(dir))
		return CR_EEXIST;
	uint8_t master[CR_MASTER_KEY_LEN];
	randombytes_buf(master, sizeof master);
	int rc = cr_keyfile_write(key_file, master, 1);
	if (rc == CR_EEXIST)
		*reason = "the key file already exists; name a new one with --key-file";
	cr_store *st = NULL;
	if (!rc)
		rc = env_open(dir, 0, &st);
	if (!rc)
		rc = open_dbs(st, master, 1);
	cr_store_close(st);
	sodium_memzero(master, sizeof master);
	return rc;
}

/* Reads the master key; finishes a rotation that stopped before its rename. */
static int open_with_key(cr_store *st, const char *key_file, const char **reason)
{
	uint8_t master[CR_MASTER_KEY_LEN];
	int rc = cr_keyfile_read(key_file, master, reason);
	if (!rc)
		rc = open_dbs(st, master, 0);
	if (rc == CR_EDENIED && !*reason) {
		char next[4200];
		snprintf(next, sizeof next, "%s.new", key_file);
		const char *ignored;
		if (cr_keyfile_read(next, master, &ignored) == 0 &&
		    open_dbs(st, master, 0) == 0) {
			rc = rename(next, key_file) == 0 ? 0 : CR_EIO;
		} else {
			*reason = "the key file does not open this store (a different store's key, or a key replaced by creditref keys rotate)";
		}
	}
	sodium_memzero(master, sizeof master);
	return rc;
}

int cr_store_open(const char *dir, const char *key_file, int flags,
		  cr_store **out, const char **reason)
{
	*out = NULL;
	*reason = NULL;
	if (!dir || !*dir || !key_file || !*key_file)
		return CR_EINVAL;
	if (sodium_init() < 0)
		return CR_ESTORE;
	if (!data_file_exists(dir))
		return CR_ENOTFOUND;
	cr_store *st;
	int rc = env_open(dir, flags & CR_STORE_RDONLY, &st);
	if (!rc)
		rc = open_with_key(st, key_file, reason);
	if (rc) {
		cr_store_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

int cr_store_rotate_key(cr_store *st, const char *key_file, const char **reason)
{
	uint8_t master[CR_MASTER_KEY_LEN], sealed[SEALED_KEYS_LEN];
	char next[4200];
	*reason = NULL;
	if (st->rdonly)
		return CR_EINVAL;
	randombytes_buf(master, sizeof master);
	snprintf(next, sizeof next, "%s.new", key_file);
	/* The new key is on disk before the store depends on it; an
	 * interrupted rotation is finished by the next open. */
	int rc = cr_keyfile_write(next, master, 0);
	seal_keys(st, master, sealed);
	sodium_memzero(master, sizeof master);
	MDB_txn *t;
	if (!rc)
		rc = map_err(mdb_txn_begin(st->env, NULL, 0, &t));
	if (!rc) {
		MDB_val k = val("keys", 4), v = val(sealed, sizeof sealed);
		rc = map_err(mdb_put(t, st->dbi[DB_META], &k, &v, 0));
		rc = rc ? (mdb_txn_abort(t), rc) : map_err(mdb_txn_commit(t));
	}
	if (!rc && rename(next, key_file) != 0)
		rc = CR_EIO;
	if (rc)
		*reason = "the new key could not be installed; the old key still opens the store unless the store reports otherwise";
	return rc;
}

void cr_store_close(cr_store *st)
{
	if (!st)
		return;
	if (st->env)
		mdb_env_close(st->env);
	sodium_memzero(st->pseudokey, sizeof st->pseudokey);
	sodium_memzero(st->datakey, sizeof st->datakey);
	free(st);
}

void cr_store_subject_key(const cr_store *st, const char *id,
			  struct cr_subject_key *out)
{
	crypto_generichash(out->b, CR_SUBJECT_KEY_LEN, (const uint8_t *)id,
			   strlen(id), st->pseudokey, PSEUDOKEY_LEN);
}

/* Account numbers are hashed with a leading 0x01, a byte no ID begins with,
 * so the two pseudonym spaces cannot meet. */
static size_t account_key(const cr_store *st, const char *inst,
			  const char *account, uint8_t *kbuf)
{
	uint8_t msg[2 + CR_INST_CODE_MAX + CR_ACCOUNT_MAX], hash[CR_ACCT_HASH_LEN];
	size_t a = strnlen(inst, CR_INST_CODE_MAX), b = strnlen(account, CR_ACCOUNT_MAX);
	msg[0] = 0x01;
	memcpy(msg + 1, inst, a);
	msg[1 + a] = '\0';
	memcpy(msg + 2 + a, account, b);
	crypto_generichash(hash, sizeof hash, msg, 2 + a + b, st->pseudokey, PSEUDOKEY_LEN);
	return cr_acct_key(inst, hash, kbuf);
}

#define SEAL_OVERHEAD (crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + \
		       crypto_aead_xchacha20poly1305_ietf_ABYTES)

/* Seals plain[0..n) into out (n + SEAL_OVERHEAD bytes), bound to ad. */
static size_t seal(const cr_store *st, const uint8_t *ad, size_t adn,
		   const uint8_t *plain, size_t n, uint8_t *out)
{
	randombytes_buf(out, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL, plain, n,
		ad, adn, NULL, out, st->datakey);
	return n + SEAL_OVERHEAD;
}

/* Opens a sealed value into plain (n - SEAL_OVERHEAD bytes); CR_ECORRUPT if
 * it was altered or moved to another key. */
static int unseal(const cr_store *st, const uint8_t *ad, size_t adn,
		  const uint8_t *in, size_t n, uint8_t *plain, size_t *plain_n)
{
	if (n < SEAL_OVERHEAD)
		return CR_ECORRUPT;
	unsigned long long m;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    plain, &m, NULL, in + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
		    n - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, ad, adn, in,
		    st->datakey) != 0)
		return CR_ECORRUPT;
	*plain_n = (size_t)m;
	return 0;
}

int cr_store__map_err(int rc)
{
	return map_err(rc);
}

size_t cr_store__seal(const cr_store *st, const uint8_t *ad, size_t adn,
		      const uint8_t *plain, size_t n, uint8_t *out)
{
	return seal(st, ad, adn, plain, n, out);
}

int cr_store__unseal(const cr_store *st, const uint8_t *ad, size_t adn,
		     const uint8_t *in, size_t n, uint8_t *plain, size_t *plain_n)
{
	return unseal(st, ad, adn, in, n, plain, plain_n);
}

int cr_store_begin(cr_store *st, int write, cr_txn **out)
{
	*out = NULL;
	if (write && st->rdonly)
		return CR_EINVAL;
	cr_txn *txn = calloc(1, sizeof *txn);
	if (!txn)
		return CR_ENOMEM;
	txn->st = st;
	txn->write = write;
	int rc = mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, &txn->t);
	if (rc) {
		free(txn);
		return map_err(rc);
	}
	*out = txn;
	return 0;
}

int cr_store_commit(cr_txn *txn)
{
	int rc = 0;
	if (txn->write) {
		MDB_dbi meta = txn->st->dbi[DB_META];
		rc = meta_add(txn->t, meta, "n_months", txn->d_months);
		if (!rc)
			rc = meta_add(txn->t, meta, "n_held", txn->d_held);
	}
	if (rc) {
		mdb_txn_abort(txn->t);
	} else {
		rc = map_err(mdb_txn_commit(txn->t));
	}
	free(txn);
	return rc;
}

void cr_store_abort(cr_txn *txn)
{
	if (!txn)
		return;
	mdb_txn_abort(txn->t);
	free(txn);
}

/* Puts key -> value unless the identical value is stored; 1 changed, 0 same. */
static int put_if_changed(cr_txn *txn, int db, MDB_val k, MDB_val v)
{
	MDB_val old;
	int rc = mdb_get(txn->t, txn->st->dbi[db], &k, &old);
	if (rc == 0 && old.mv_size == v.mv_size &&
	    memcmp(old.mv_data, v.mv_data, v.mv_size) == 0)
		return 0;
	if (rc && rc != MDB_NOTFOUND)
		return map_err(rc);
	rc = mdb_put(txn->t, txn->st->dbi[db], &k, &v, 0);
	return rc ? map_err(rc) : 1;
}

int cr_store_inst_put(cr_txn *txn, const struct cr_institution *in)
{
	uint8_t buf[CR_INST_NAME_MAX + 8];
	size_t n = cr_inst_encode(in, buf);
	return put_if_changed(txn, DB_INST, val(in->code, strlen(in->code)), val(buf, n));
}

int cr_store_inst_get(cr_txn *txn, const char *code, struct cr_institution *out)
{
	MDB_val k = val(code, strlen(code)), v;
	int rc = mdb_get(txn->t, txn->st->dbi[DB_INST], &k, &v);
	if (rc)
		return map_err(rc);
	return cr_inst_decode(code, v.mv_data, v.mv_size, out);
}

int cr_store_subject_get(cr_txn *txn, const struct cr_subject_key *k,
			 struct cr_subject *out)
{
	uint8_t plain[CR_SUBJECT_ENC_MAX];
	size_t n;
	MDB_val key = val(k->b, CR_SUBJECT_KEY_LEN), v;
	int rc = mdb_get(txn->t, txn->st->dbi[DB_SUBJ], &key, &v);
	if (rc)
		return map_err(rc);
	if (v.mv_size > sizeof plain + SEAL_OVERHEAD)
		return CR_ECORRUPT;
	rc = unseal(txn->st, k->b, CR_SUBJECT_KEY_LEN, v.mv_data, v.mv_size, plain, &n);
	if (!rc)
		rc = cr_subject_decode(plain, n, out);
	sodium_memzero(plain, sizeof plain);
	return rc;
}

/* Identities are sealed with a fresh nonce each time, so "unchanged" is
 * decided on the plaintext: unseal what is stored and compare. */
int cr_store_subject_put(cr_txn *txn, const struct cr_subject_key *k,
			 const struct cr_subject *s)
{
	uint8_t buf[CR_SUBJECT_ENC_MAX], old[CR_SUBJECT_ENC_MAX];
	uint8_t sealed[CR_SUBJECT_ENC_MAX + SEAL_OVERHEAD];
	size_t n = cr_subject_encode(s, buf), oldn;
	MDB_val key = val(k->b, CR_SUBJECT_KEY_LEN), v;
	int rc = mdb_get(txn->t, txn->st->dbi[DB_SUBJ], &key, &v);
	int same = rc == 0 && v.mv_size <= sizeof old + SEAL_OVERHEAD &&
		   unseal(txn->st, k->b, CR_SUBJECT_KEY_LEN, v.mv_data, v.mv_size,
			  old, &oldn) == 0 &&
		   oldn == n && memcmp(old, buf, n) == 0;
	sodium_memzero(old, sizeof old);
	if (rc && rc != MDB_NOTFOUND)
		return map_err(rc);
	if (same)
		return 0;
	v = val(sealed, seal(txn->st, k->b, CR_SUBJECT_KEY_LEN, buf, n, sealed));
	sodium_memzero(buf, sizeof buf);
	rc = mdb_put(txn->t, txn->st->dbi[DB_SUBJ], &key, &v, 0);
	return rc ? map_err(rc) : 1;
}

static int next_counter(cr_txn *txn, const char *name, uint64_t *out)
{
	uint64_t x;
	int rc = meta_get_u64(txn->t, txn->st->dbi[DB_META], name, &x);
	if (rc)
		return rc;
	*out = x + 1;
	return meta_put_u64(txn->t, txn->st->dbi[DB_META], name, x + 1);
}

/* Decodes a stored account: the fields, then the sealed account number. */
static int account_decode(const cr_store *st, const uint8_t *key, size_t kn,
			  const uint8_t *p, size_t n, struct cr_account_rec *out)
{
	size_t used, an;
	int rc = cr_acct_decode(key, kn, p, n, out, &used);
	if (rc)
		return rc;
	if (n - used > CR_ACCOUNT_MAX + SEAL_OVERHEAD)
		return CR_ECORRUPT;
	rc = unseal(st, key, kn, p + used, n - used, (uint8_t *)out->a.account, &an);
	if (rc || an == 0)
		return CR_ECORRUPT;
	out->a.account[an] = '\0';
	return 0;
}

static int same_account(const struct cr_account_rec *a, const struct cr_account_rec *b)
{
	uint8_t x[CR_ACCT_ENC_MAX], y[CR_ACCT_ENC_MAX];
	size_t xn = cr_acct_encode(a, x), yn = cr_acct_encode(b, y);
	return xn == yn && memcmp(x, y, xn) == 0 &&
	       strcmp(a->a.account, b->a.account) == 0;
}

int cr_store_account_put(cr_txn *txn, struct cr_account_rec *r)
{
	uint8_t kbuf[CR_ACCT_KEY_MAX], vbuf[CR_ACCT_ENC_MAX + CR_ACCOUNT_MAX + SEAL_OVERHEAD];
	size_t kn = account_key(txn->st, r->a.inst, r->a.account, kbuf);
	MDB_val k = val(kbuf, kn), v;
	int rc = mdb_get(txn->t, txn->st->dbi[DB_ACCT], &k, &v);
	if (rc && rc != MDB_NOTFOUND)
		return map_err(rc);
	const int fresh = rc == MDB_NOTFOUND;
	if (!fresh) {
		struct cr_account_rec old;
		rc = account_decode(txn->st, kbuf, kn, v.mv_data, v.mv_size, &old);
		if (rc)
			return rc;
		r->acct_id = old.acct_id;
		if (same_account(&old, r))
			return 0;
	} else if ((rc = next_counter(txn, "next_acct", &r->acct_id))) {
		return rc;
	}
	size_t vn = cr_acct_encode(r, vbuf);
	vn += seal(txn->st, kbuf, kn, (const uint8_t *)r->a.account,
		   strlen(r->a.account), vbuf + vn);
	v = val(vbuf, vn);
	rc = mdb_put(txn->t, txn->st->dbi[DB_ACCT], &k, &v, 0);
	if (rc || !fresh)
		return rc ? map_err(rc) : 1;
	MDB_val sk = val(r->subject.b, CR_SUBJECT_KEY_LEN);
	rc = mdb_put(txn->t, txn->st->dbi[DB_SUBJ_ACCT], &sk, &k, MDB_NODUPDATA);
	return rc && rc != MDB_KEYEXIST ? map_err(rc) : 1;
}

int cr_store_account_get(cr_txn *txn, const char *inst, const char *account,
			 struct cr_account_rec *out)
{
	uint8_t kbuf[CR_ACCT_KEY_MAX];
	size_t kn = account_key(txn->st, inst, account, kbuf);
	MDB_val k = val(kbuf, kn), v;
	int rc = mdb_get(txn->t, txn->st->dbi[DB_ACCT], &k, &v);
	if (rc)
		return map_err(rc);
	return account_decode(txn->st, kbuf, kn, v.mv_data, v.mv_size, out);
}

static int subject_accounts(cr_txn *txn, const struct cr_subject_key *k, int open_number,
			    int (*fn)(const struct cr_account_rec *r, void *arg), void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(txn->t, txn->st->dbi[DB_SUBJ_ACCT], &c);
	if (rc)
		return map_err(rc);
	MDB_val key = val(k->b, CR_SUBJECT_KEY_LEN), v;
	struct cr_account_rec r;
	int op = MDB_SET, result = 0;
	while ((rc = mdb_cursor_get(c, &key, &v, op)) == 0) {
		op = MDB_NEXT_DUP;
		MDB_val av;
		rc = mdb_get(txn->t, txn->st->dbi[DB_ACCT], &v, &av);
		if (rc) {
			result = rc == MDB_NOTFOUND ? CR_ECORRUPT : map_err(rc);
			break;
		}
		size_t used;
		if (open_number)
			result = account_decode(txn->st, v.mv_data, v.mv_size, av.mv_data,
						av.mv_size, &r);
		else if (!(result = cr_acct_decode(v.mv_data, v.mv_size, av.mv_data,
						   av.mv_size, &r, &used)))
			r.a.account[0] = '\0';
		if (!result)
			result = fn(&r, arg);
		if (result)
			break;
	}
	mdb_cursor_close(c);
	if (result)
		return result; /* the callback's own value, or a decode error */
	return rc == MDB_NOTFOUND ? 0 : map_err(rc);
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

static void hist_key(uint64_t acct_id, int year, uint8_t out[10])
{
	cr_put_u64be(out, acct_id);
	out[8] = (uint8_t)(year >> 8);
	out[9] = (uint8_t)year;
}

int cr_store_hist_get(cr_txn *txn, uint64_t acct_id, int year,
		      struct cr_hist_year *out)
{
	uint8_t kb[10];
	hist_key(acct_id, year, kb);
	MDB_val k = val(kb, 10), v;
	int rc = mdb_get(txn->t, txn->st->dbi[DB_HIST], &k, &v);
	if (rc) {
		memset(out, 0, sizeof *out);
		return map_err(rc);
	}
	return cr_hist_decode(v.mv_data, v.mv_size, out);
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
	uint8_t kb[10], vb[CR_HIST_YEAR_MAX];
	hist_key(acct_id, year, kb);
	MDB_val k = val(kb, 10), old;
	int before = 0;
	int rc = mdb_get(txn->t, txn->st->dbi[DB_HIST], &k, &old);
	if (rc == 0) {
		struct cr_hist_year prev;
		rc = cr_hist_decode(old.mv_data, old.mv_size, &prev);
		if (rc)
			return rc;
		before = months_present(&prev);
	} else if (rc != MDB_NOTFOUND) {
		return map_err(rc);
	}
	const int after = months_present(h);
	txn->d_months += after - before;
	if (after == 0) {
		rc = mdb_del(txn->t, txn->st->dbi[DB_HIST], &k, NULL);
		return rc == MDB_NOTFOUND ? 0 : map_err(rc);
	}
	MDB_val v = val(vb, cr_hist_encode(h, vb));
	return map_err(mdb_put(txn->t, txn->st->dbi[DB_HIST], &k, &v, 0));
}

int cr_store_hist_accounts(cr_txn *txn, uint64_t after,
			   struct cr_hist_account *out, size_t max, size_t *n)
{
	MDB_cursor *c;
	*n = 0;
	int rc = mdb_cursor_open(txn->t, txn->st->dbi[DB_HIST], &c);
	if (rc)
		return map_err(rc);
	uint8_t kb[10];
	hist_key(after + 1, 0, kb);
	MDB_val k = val(kb, 10), v;
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	while (rc == 0 && *n < max) {
		if (k.mv_size != 10) {
			rc = CR_ECORRUPT;
			break;
		}
		const uint8_t *p = k.mv_data;
		const uint64_t id = cr_get_u64be(p);
		out[(*n)++] = (struct cr_hist_account){id, p[8] << 8 | p[9]};
		/* Skip the account's other years: jump to (id + 1, 0). */
		hist_key(id + 1, 0, kb);
		k = val(kb, 10);
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	}
	mdb_cursor_close(c);
	if (rc == CR_ECORRUPT)
		return rc;
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : map_err(rc);
}

int cr_store_consent_add(cr_txn *txn, const struct cr_subject_key *k,
			 const struct cr_consent_fact *f)
{
	uint8_t buf[CR_CONSENT_ENC_MAX];
	MDB_val key = val(k->b, CR_SUBJECT_KEY_LEN);
	MDB_val v = val(buf, cr_consent_encode(f, buf));
	int rc = mdb_put(txn->t, txn->st->dbi[DB_CONSENT], &key, &v, MDB_NODUPDATA);
	if (rc == MDB_KEYEXIST)
		return 0;
	return rc ? map_err(rc) : 1;
}

/* Walks the duplicates of a subject key in db, decoding each with dec. */
static int list_dups(cr_txn *txn, int db, const struct cr_subject_key *k,
		     int (*dec)(const void *p, size_t n, void *out, size_t i),
		     void *out, size_t max, size_t *count)
{
	MDB_cursor *c;
	*count = 0;
	int rc = mdb_cursor_open(txn->t, txn->st->dbi[db], &c);
	if (rc)
		return map_err(rc);
	MDB_val key = val(k->b, CR_SUBJECT_KEY_LEN), v;
	int op = MDB_SET;
	while ((rc = mdb_cursor_get(c, &key, &v, op)) == 0) {
		op = MDB_NEXT_DUP;
		if (*count < max) {
			rc = dec(v.mv_data, v.mv_size, out, *count);
			if (rc < 0)
				break;
			if (rc == 1)
				continue; /* the decoder skipped this one */
		}
		(*count)++;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc < 0 ? rc : map_err(rc);
}

static int dec_consent(const void *p, size_t n, void *out, size_t i)
{
	return cr_consent_decode(p, n, (struct cr_consent_fact *)out + i);
}

int cr_store_consent_list(cr_txn *txn, const struct cr_subject_key *k,
			  struct cr_consent_fact *out, size_t max, size_t *n)
{
	return list_dups(txn, DB_CONSENT, k, dec_consent, out, max, n);
}

static void held_key(const struct cr_subject_key *k, const char *inst,
		     uint8_t out[CR_SUBJECT_KEY_LEN + CR_INST_CODE_MAX + 1])
{
	memset(out, 0, CR_SUBJECT_KEY_LEN + CR_INST_CODE_MAX + 1);
	memcpy(out, k->b, CR_SUBJECT_KEY_LEN);
	memcpy(out + CR_SUBJECT_KEY_LEN, inst, strnlen(inst, CR_INST_CODE_MAX));
}

int cr_store_held_add(cr_txn *txn, const struct cr_subject_key *k,
		      const char *inst, uint64_t delta)
{
	uint8_t kb[CR_SUBJECT_KEY_LEN + CR_INST_CODE_MAX + 1], vb[8];
	held_key(k, inst, kb);
	MDB_val key = val(kb, sizeof kb), v;
	uint64_t count = 0;
	int rc = mdb_get(txn->t, txn->st->dbi[DB_HELD], &key, &v);
	if (rc == 0 && v.mv_size == 8)
		count = cr_get_u64be(v.mv_data);
	else if (rc != MDB_NOTFOUND)
		return rc ? map_err(rc) : CR_ECORRUPT;
	cr_put_u64be(vb, count + delta);
	v = val(vb, 8);
	txn->d_held += (int64_t)delta;
	return map_err(mdb_put(txn->t, txn->st->dbi[DB_HELD], &key, &v, 0));
}

int cr_store_held_take(cr_txn *txn, const struct cr_subject_key *k,
		       const char *inst, uint64_t *count)
{
	uint8_t kb[CR_SUBJECT_KEY_LEN + CR_INST_CODE_MAX + 1];
	held_key(k, inst, kb);
	MDB_val key = val(kb, sizeof kb), v;
	*count = 0;
	int rc = mdb_get(txn->t, txn->st->dbi[DB_HELD], &key, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return map_err(rc);
	if (v.mv_size != 8)
		return CR_ECORRUPT;
	*count = cr_get_u64be(v.mv_data);
	txn->d_held -= (int64_t)*count;
	return map_err(mdb_del(txn->t, txn->st->dbi[DB_HELD], &key, NULL));
}

int cr_store_inquiry_add(cr_txn *txn, const struct cr_subject_key *k,
			 struct cr_inquiry *q)
{
	int rc = next_counter(txn, "next_seq", &q->seq);
	if (rc)
		return rc;
	uint8_t buf[CR_INQUIRY_ENC_MAX];
	MDB_val key = val(k->b, CR_SUBJECT_KEY_LEN);
	MDB_val v = val(buf, cr_inquiry_encode(q, buf));
	return map_err(mdb_put(txn->t, txn->st->dbi[DB_INQUIRY], &key, &v, 0));
}

struct inq_ctx {
	struct cr_inquiry *out;
	int32_t since_days;
};

static int dec_inquiry(const void *p, size_t n, void *out, size_t i)
{
	struct inq_ctx *ctx = out;
	int rc = cr_inquiry_decode(p, n, &ctx->out[i]);
	if (rc)
		return rc;
	return ctx->out[i].date_days < ctx->since_days ? 1 : 0;
}

int cr_store_inquiry_list(cr_txn *txn, const struct cr_subject_key *k,
			  int32_t since_days, struct cr_inquiry *out,
			  size_t max, size_t *n)
{
	struct inq_ctx ctx = {out, since_days};
	return list_dups(txn, DB_INQUIRY, k, dec_inquiry, &ctx, max, n);
}

/* Sums the free pages listed in LMDB's freelist (database 0), as mdb_stat -f
 * does: each entry's value is a page-number list whose first word is its
 * length.  Reported as 0 inside a write transaction. */
static int free_bytes(cr_txn *txn, uint64_t *out)
{
	MDB_cursor *c;
	MDB_val k, v;
	MDB_stat ms;
	uint64_t pages = 0;
	*out = 0;
	if (txn->write)
		return 0; /* LMDB lets only readers open the freelist */
	int rc = mdb_env_stat(txn->st->env, &ms);
	if (!rc)
		rc = mdb_cursor_open(txn->t, 0, &c);
	if (rc)
		return map_err(rc);
	while ((rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0) {
		size_t n;
		if (v.mv_size < sizeof n)
			continue;
		memcpy(&n, v.mv_data, sizeof n);
		pages += n;
	}
	mdb_cursor_close(c);
	*out = pages * ms.ms_psize;
	return rc == MDB_NOTFOUND ? 0 : map_err(rc);
}

int cr_store_stats(cr_txn *txn, struct cr_store_stats *out)
{
	memset(out, 0, sizeof *out);
	const struct {
		int db;
		uint64_t *field;
	} dbs[] = {
		{DB_INST, &out->institutions}, {DB_SUBJ, &out->subjects},
		{DB_ACCT, &out->accounts},     {DB_CONSENT, &out->consents},
		{DB_INQUIRY, &out->inquiries}, {DB_EVENT, &out->events},
	};
	for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
		MDB_stat ms;
		int rc = mdb_stat(txn->t, txn->st->dbi[dbs[i].db], &ms);
		if (rc)
			return map_err(rc);
		*dbs[i].field = ms.ms_entries;
	}
	MDB_dbi meta = txn->st->dbi[DB_META];
	int rc = meta_get_u64(txn->t, meta, "n_months", &out->account_months);
	if (!rc)
		rc = meta_get_u64(txn->t, meta, "n_held", &out->held_records);
	out->account_months += (uint64_t)txn->d_months;
	out->held_records += (uint64_t)txn->d_held;
	char path[4200];
	struct stat sb;
	snprintf(path, sizeof path, "%s/data.mdb", txn->st->path);
	if (!rc && stat(path, &sb) == 0)
		out->file_bytes = (uint64_t)sb.st_blocks * 512;
	return rc ? rc : free_bytes(txn, &out->free_bytes);
}

/* Dispute value: fixed fields, then the sealed "inst\0account\0reason". */
#define DISPUTE_FIXED (CR_SUBJECT_KEY_LEN + 8 + 4 + 4 + 1 + 4)
#define DISPUTE_TEXT_MAX (CR_INST_CODE_MAX + CR_ACCOUNT_MAX + CR_DISPUTE_REASON_MAX + 3)

static void put_i32be(uint8_t *p, int32_t x)
{
	const uint32_t u = (uint32_t)x;
	p[0] = (uint8_t)(u >> 24);
	p[1] = (uint8_t)(u >> 16);
	p[2] = (uint8_t)(u >> 8);
	p[3] = (uint8_t)u;
}

static int32_t get_i32be(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			 (uint32_t)p[2] << 8 | p[3]);
}

int cr_store_dispute_put(cr_txn *txn, struct cr_dispute *d)
{
	uint8_t kb[8], vb[DISPUTE_FIXED + DISPUTE_TEXT_MAX + SEAL_OVERHEAD];
	uint8_t text[DISPUTE_TEXT_MAX];
	const int fresh = d->id == 0;
	int rc = fresh ? next_counter(txn, "next_dispute", &d->id) : 0;
	if (rc)
		return rc;
	cr_put_u64be(kb, d->id);
	memcpy(vb, d->subject.b, CR_SUBJECT_KEY_LEN);
	uint8_t *p = vb + CR_SUBJECT_KEY_LEN;
	cr_put_u64be(p, d->acct_id);
	put_i32be(p + 8, d->month);
	put_i32be(p + 12, d->filed_days);
	p[16] = d->status;
	put_i32be(p + 17, d->resolved_days);
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
	size_t vn = DISPUTE_FIXED + seal(txn->st, kb, 8, text, tn, vb + DISPUTE_FIXED);
	sodium_memzero(text, sizeof text);
	MDB_val k = val(kb, 8), v = val(vb, vn);
	rc = mdb_put(txn->t, txn->st->dbi[DB_DISPUTE], &k, &v, 0);
	if (rc || !fresh)
		return map_err(rc);
	MDB_val sk = val(d->subject.b, CR_SUBJECT_KEY_LEN);
	return map_err(mdb_put(txn->t, txn->st->dbi[DB_SUBJ_DISPUTE], &sk, &k, 0));
}

static int dispute_decode(const cr_store *st, const uint8_t *kb, const uint8_t *p,
			  size_t n, struct cr_dispute *out)
{
	uint8_t text[DISPUTE_TEXT_MAX + 1];
	size_t tn;
	memset(out, 0, sizeof *out);
	if (n < DISPUTE_FIXED || n - DISPUTE_FIXED > DISPUTE_TEXT_MAX + SEAL_OVERHEAD ||
	    unseal(st, kb, 8, p + DISPUTE_FIXED, n - DISPUTE_FIXED, text, &tn))
		return CR_ECORRUPT;
	text[tn] = '\0';
	out->id = cr_get_u64be(kb);
	memcpy(out->subject.b, p, CR_SUBJECT_KEY_LEN);
	p += CR_SUBJECT_KEY_LEN;
	out->acct_id = cr_get_u64be(p);
	out->month = get_i32be(p + 8);
	out->filed_days = get_i32be(p + 12);
	out->status = p[16];
	out->resolved_days = get_i32be(p + 17);
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

int cr_store_dispute_get(cr_txn *txn, uint64_t id, struct cr_dispute *out)
{
	uint8_t kb[8];
	cr_put_u64be(kb, id);
	MDB_val k = val(kb, 8), v;
	int rc = mdb_get(txn->t, txn->st->dbi[DB_DISPUTE], &k, &v);
	if (rc)
		return map_err(rc);
	return dispute_decode(txn->st, kb, v.mv_data, v.mv_size, out);
}

int cr_store_disputes(cr_txn *txn, const struct cr_subject_key *k,
		      int (*fn)(const struct cr_dispute *d, void *arg), void *arg)
{
	MDB_cursor *c;
	const int by_subject = k != NULL;
	int rc = mdb_cursor_open(txn->t, txn->st->dbi[by_subject ? DB_SUBJ_DISPUTE : DB_DISPUTE], &c);
	if (rc)
		return map_err(rc);
	MDB_val key = by_subject ? val(k->b, CR_SUBJECT_KEY_LEN) : val(NULL, 0), v;
	int op = by_subject ? MDB_SET : MDB_FIRST, result = 0;
	struct cr_dispute d;
	while (!result && (rc = mdb_cursor_get(c, &key, &v, op)) == 0) {
		op = by_subject ? MDB_NEXT_DUP : MDB_NEXT;
		if (by_subject) {
			result = v.mv_size == 8 ? cr_store_dispute_get(txn, cr_get_u64be(v.mv_data), &d)
						: CR_ECORRUPT;
		} else {
			result = key.mv_size == 8 ? dispute_decode(txn->st, key.mv_data, v.mv_data,
								   v.mv_size, &d)
						  : CR_ECORRUPT;
		}
		if (!result)
			result = fn(&d, arg);
	}
	mdb_cursor_close(c);
	if (result)
		return result;
	return rc == MDB_NOTFOUND ? 0 : map_err(rc);
}

#define REVISION_VAL (1 + 4 + 8 * 4 + 8 + 4)

int cr_store_revision_add(cr_txn *txn, const struct cr_revision *r)
{
	uint8_t kb[20], vb[REVISION_VAL];
	uint64_t seq;
	int rc = next_counter(txn, "next_revision", &seq);
	if (rc)
		return rc;
	cr_put_u64be(kb, r->acct_id);
	put_i32be(kb + 8, r->month);
	cr_put_u64be(kb + 12, seq);
	vb[0] = (uint8_t)r->old.status;
	put_i32be(vb + 1, r->old.dpd);
	cr_put_u64be(vb + 5, (uint64_t)r->old.balance);
	cr_put_u64be(vb + 13, (uint64_t)r->old.due);
	cr_put_u64be(vb + 21, (uint64_t)r->old.paid);
	cr_put_u64be(vb + 29, (uint64_t)r->old.overdue);
	cr_put_u64be(vb + 37, r->dispute_id);
	put_i32be(vb + 45, r->date_days);
	MDB_val k = val(kb, sizeof kb), v = val(vb, sizeof vb);
	return map_err(mdb_put(txn->t, txn->st->dbi[DB_REVISION], &k, &v, MDB_NOOVERWRITE));
}

int cr_store_revisions(cr_txn *txn, uint64_t acct_id,
		       int (*fn)(const struct cr_revision *r, void *arg), void *arg)
{
	MDB_cursor *c;
	uint8_t kb[20] = {0};
	int rc = mdb_cursor_open(txn->t, txn->st->dbi[DB_REVISION], &c);
	if (rc)
		return map_err(rc);
	cr_put_u64be(kb, acct_id);
	MDB_val k = val(kb, 8), v;
	int result = 0;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); !rc && !result;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const uint8_t *kp = k.mv_data, *p = v.mv_data;
		if (k.mv_size != 20 || cr_get_u64be(kp) != acct_id)
			break;
		if (v.mv_size != REVISION_VAL) {
			result = CR_ECORRUPT;
			break;
		}
		struct cr_revision r = {acct_id, get_i32be(kp + 8), cr_get_u64be(p + 37),
					get_i32be(p + 45),
					{(char)p[0], get_i32be(p + 1), (int64_t)cr_get_u64be(p + 5),
					 (int64_t)cr_get_u64be(p + 13), (int64_t)cr_get_u64be(p + 21),
					 (int64_t)cr_get_u64be(p + 29)}};
		result = fn(&r, arg);
	}
	mdb_cursor_close(c);
	if (result)
		return result;
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : map_err(rc);
}

const char *cr_store_dir(const cr_store *st)
{
	return st->path;
}

void cr_store_derive_key(const cr_store *st, const char *name,
			 uint8_t out[CR_DERIVED_KEY_LEN])
{
	/* BLAKE2b keyed with the store secret, personalised for derivation:
	 * subject keys use no personalisation and a 16-byte output, so no
	 * derived key can equal a subject key. */
	uint8_t personal[crypto_generichash_blake2b_PERSONALBYTES];
	memcpy(personal, "creditref-derive", sizeof personal);
	crypto_generichash_blake2b_salt_personal(out, CR_DERIVED_KEY_LEN,
						 (const uint8_t *)name, strlen(name),
						 st->pseudokey, PSEUDOKEY_LEN,
						 NULL, personal);
}

/* The audit head: meta "audit_head" -> u64 BE seq, hash, mac. */
#define AUDIT_HEAD_LEN (8 + 2 * CR_AUDIT_HASH_LEN)

int cr_store_audit_head_put(cr_txn *txn, const struct cr_audit_head *h)
{
	uint8_t b[AUDIT_HEAD_LEN];
	cr_put_u64be(b, h->seq);
	memcpy(b + 8, h->hash, CR_AUDIT_HASH_LEN);
	memcpy(b + 8 + CR_AUDIT_HASH_LEN, h->mac, CR_AUDIT_HASH_LEN);
	MDB_val k = val("audit_head", 10), v = val(b, sizeof b);
	return map_err(mdb_put(txn->t, txn->st->dbi[DB_META], &k, &v, 0));
}

int cr_store_audit_head_get(cr_txn *txn, struct cr_audit_head *out)
{
	MDB_val k = val("audit_head", 10), v;
	int rc = mdb_get(txn->t, txn->st->dbi[DB_META], &k, &v);
	if (rc)
		return map_err(rc);
	if (v.mv_size != AUDIT_HEAD_LEN)
		return CR_ECORRUPT;
	const uint8_t *b = v.mv_data;
	out->seq = cr_get_u64be(b);
	memcpy(out->hash, b + 8, CR_AUDIT_HASH_LEN);
	memcpy(out->mac, b + 8 + CR_AUDIT_HASH_LEN, CR_AUDIT_HASH_LEN);
	return 0;
}

/* API key: hash[32] role[1] has_subject[1] subject[16] created[8]
 * revoked[8] inst_len[1] inst, keyed by the key id. */
#define APIKEY_FIXED (CR_APIKEY_HASH_LEN + 2 + CR_SUBJECT_KEY_LEN + 16 + 1)

int cr_store_apikey_put(cr_txn *txn, const struct cr_apikey *k)
{
	uint8_t b[APIKEY_FIXED + CR_INST_CODE_MAX];
	const size_t il = strlen(k->inst);
	if (strlen(k->key_id) != CR_APIKEY_ID_LEN || il > CR_INST_CODE_MAX)
		return CR_EINVAL;
	uint8_t *p = b;
	memcpy(p, k->hash, CR_APIKEY_HASH_LEN);
	p += CR_APIKEY_HASH_LEN;
	*p++ = k->role;
	*p++ = (uint8_t)(k->has_subject != 0);
	memcpy(p, k->subject.b, CR_SUBJECT_KEY_LEN);
	p += CR_SUBJECT_KEY_LEN;
	cr_put_u64be(p, (uint64_t)k->created);
	cr_put_u64be(p + 8, (uint64_t)k->revoked);
	p += 16;
	*p++ = (uint8_t)il;
	memcpy(p, k->inst, il);
	MDB_val key = val(k->key_id, CR_APIKEY_ID_LEN), v = val(b, APIKEY_FIXED + il);
	return map_err(mdb_put(txn->t, txn->st->dbi[DB_APIKEY], &key, &v, 0));
}

static int apikey_decode(const MDB_val *key, const MDB_val *v, struct cr_apikey *out)
{
	const uint8_t *p = v->mv_data;
	if (key->mv_size != CR_APIKEY_ID_LEN || v->mv_size < APIKEY_FIXED)
		return CR_ECORRUPT;
	const size_t il = p[APIKEY_FIXED - 1];
	if (il > CR_INST_CODE_MAX || v->mv_size != APIKEY_FIXED + il)
		return CR_ECORRUPT;
	memset(out, 0, sizeof *out);
	memcpy(out->key_id, key->mv_data, CR_APIKEY_ID_LEN);
	memcpy(out->hash, p, CR_APIKEY_HASH_LEN);
	p += CR_APIKEY_HASH_LEN;
	out->role = *p++;
	out->has_subject = *p++;
	memcpy(out->subject.b, p, CR_SUBJECT_KEY_LEN);
	p += CR_SUBJECT_KEY_LEN;
	out->created = (int64_t)cr_get_u64be(p);
	out->revoked = (int64_t)cr_get_u64be(p + 8);
	memcpy(out->inst, p + 17, il);
	return 0;
}

int cr_store_apikey_get(cr_txn *txn, const char *key_id, struct cr_apikey *out)
{
	if (strlen(key_id) != CR_APIKEY_ID_LEN)
		return CR_ENOTFOUND;
	MDB_val key = val(key_id, CR_APIKEY_ID_LEN), v;
	int rc = mdb_get(txn->t, txn->st->dbi[DB_APIKEY], &key, &v);
	return rc ? map_err(rc) : apikey_decode(&key, &v, out);
}

int cr_store_apikeys(cr_txn *txn, int (*fn)(const struct cr_apikey *k, void *arg),
		     void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(txn->t, txn->st->dbi[DB_APIKEY], &c);
	if (rc)
		return map_err(rc);
	MDB_val key, v;
	struct cr_apikey k;
	int op = MDB_FIRST, result = 0;
	while (!result && (rc = mdb_cursor_get(c, &key, &v, op)) == 0) {
		op = MDB_NEXT;
		result = apikey_decode(&key, &v, &k);
		if (!result)
			result = fn(&k, arg);
	}
	mdb_cursor_close(c);
	if (result)
		return result;
	return rc == MDB_NOTFOUND ? 0 : map_err(rc);
}

int cr_store_accounts(cr_txn *txn,
		      int (*fn)(const struct cr_account_rec *r, void *arg),
		      void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(txn->t, txn->st->dbi[DB_ACCT], &c);
	if (rc)
		return map_err(rc);
	MDB_val k, v;
	struct cr_account_rec r;
	int result = 0;
	while (!result && (rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0) {
		result = account_decode(txn->st, k.mv_data, k.mv_size, v.mv_data,
					v.mv_size, &r);
		if (!result)
			result = fn(&r, arg);
	}
	mdb_cursor_close(c);
	if (result)
		return result;
	return rc == MDB_NOTFOUND ? 0 : map_err(rc);
}


/*
 * Events.  The event_id is the furnisher's text and often embeds the account
 * number, so like an account number it is stored only as a keyed hash (domain
 * byte 0x02): the store can tell a retry from a new event without keeping the
 * id.  Two databases:
 *
 *   event       inst '\0' id-hash (16)        -> acct id, time, kind, amount, dpd
 *   acct_event  acct id, time (biased), id-hash -> kind, amount, dpd
 *
 * The first answers "was this id used?" in one lookup; the second gives an
 * account's events in (time, id-hash) order, so events at the same second
 * are applied in one fixed order whatever order they arrived in.
 */
#define EVENT_KEY_MAX (CR_INST_CODE_MAX + 1 + 16)
#define EVENT_VAL 29
#define ACCT_EVENT_KEY 32
#define ACCT_EVENT_VAL 13

static void event_hash(const cr_store *st, const char *inst, const char *event_id,
		       uint8_t out[16])
{
	uint8_t msg[2 + CR_INST_CODE_MAX + CR_EVENT_ID_MAX];
	size_t a = strnlen(inst, CR_INST_CODE_MAX), b = strnlen(event_id, CR_EVENT_ID_MAX);
	msg[0] = 0x02;
	memcpy(msg + 1, inst, a);
	msg[1 + a] = '\0';
	memcpy(msg + 2 + a, event_id, b);
	crypto_generichash(out, 16, msg, 2 + a + b, st->pseudokey, PSEUDOKEY_LEN);
}

static uint64_t time_bias(int64_t s)
{
	return (uint64_t)s ^ (1ULL << 63);
}

static void event_body(const struct cr_event_rec *e, uint8_t out[ACCT_EVENT_VAL])
{
	out[0] = e->kind;
	cr_put_u64be(out + 1, (uint64_t)e->amount);
	put_i32be(out + 9, e->dpd);
}

int cr_store_event_put(cr_txn *txn, const char *inst, const char *event_id,
		       struct cr_event_rec *e)
{
	uint8_t kb[EVENT_KEY_MAX], vb[EVENT_VAL], akb[ACCT_EVENT_KEY];
	const size_t a = strnlen(inst, CR_INST_CODE_MAX);
	CR_ASSERT(e->kind >= CR_EV_DRAWDOWN && e->kind <= CR_EV_CLOSE);
	CR_ASSERT(e->amount >= 0);
	event_hash(txn->st, inst, event_id, e->id_hash);
	memcpy(kb, inst, a);
	kb[a] = '\0';
	memcpy(kb + a + 1, e->id_hash, 16);
	cr_put_u64be(vb, e->acct_id);
	cr_put_u64be(vb + 8, time_bias(e->at_s));
	event_body(e, vb + 16);
	MDB_val k = val(kb, a + 17), v = val(vb, sizeof vb), old;
	int rc = mdb_get(txn->t, txn->st->dbi[DB_EVENT], &k, &old);
	if (rc == 0)
		return old.mv_size == sizeof vb && memcmp(old.mv_data, vb, sizeof vb) == 0
		       ? 0 : CR_EEXIST;
	if (rc != MDB_NOTFOUND)
		return map_err(rc);
	rc = mdb_put(txn->t, txn->st->dbi[DB_EVENT], &k, &v, MDB_NOOVERWRITE);
	if (rc)
		return map_err(rc);
	memcpy(akb, vb, 16);
	memcpy(akb + 16, e->id_hash, 16);
	MDB_val ak = val(akb, sizeof akb), av = val(vb + 16, ACCT_EVENT_VAL);
	rc = mdb_put(txn->t, txn->st->dbi[DB_ACCT_EVENT], &ak, &av, MDB_NOOVERWRITE);
	return rc ? map_err(rc) : 1;
}

static int event_decode(const MDB_val *k, const MDB_val *v, struct cr_event_rec *e)
{
	const uint8_t *kp = k->mv_data, *p = v->mv_data;
	if (k->mv_size != ACCT_EVENT_KEY || v->mv_size != ACCT_EVENT_VAL)
		return CR_ECORRUPT;
	e->acct_id = cr_get_u64be(kp);
	e->at_s = (int64_t)time_bias((int64_t)cr_get_u64be(kp + 8));
	memcpy(e->id_hash, kp + 16, 16);
	e->kind = p[0];
	e->amount = (int64_t)cr_get_u64be(p + 1);
	e->dpd = get_i32be(p + 9);
	if (e->kind < CR_EV_DRAWDOWN || e->kind > CR_EV_CLOSE || e->amount < 0 ||
	    e->amount > CR_AMOUNT_MAX || e->dpd < 0 || e->dpd > CR_DPD_MAX)
		return CR_ECORRUPT;
	return 0;
}

int cr_store_account_events(cr_txn *txn, uint64_t acct_id, int64_t after_s,
			    int64_t until_s,
			    int (*fn)(const struct cr_event_rec *e, void *arg),
			    void *arg)
{
	MDB_cursor *c;
	uint8_t kb[16];
	if (after_s >= until_s)
		return 0;
	int rc = mdb_cursor_open(txn->t, txn->st->dbi[DB_ACCT_EVENT], &c);
	if (rc)
		return map_err(rc);
	cr_put_u64be(kb, acct_id);
	cr_put_u64be(kb + 8, time_bias(after_s + 1));
	MDB_val k = val(kb, sizeof kb), v;
	struct cr_event_rec e;
	int result = 0;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); !rc && !result;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < 16 || cr_get_u64be(k.mv_data) != acct_id)
			break;
		result = event_decode(&k, &v, &e);
		if (result || e.at_s > until_s)
			break;
		result = fn(&e, arg);
	}
	mdb_cursor_close(c);
	if (result)
		return result;
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : map_err(rc);
}

/*
 * Alerts: key (institution code NUL-padded to CR_INST_CODE_MAX + 1 bytes,
 * seq u64), value (subject key, kind, raised_s, at_s); the sequence of each
 * institution is the meta counter "alert_seq:" + code.  The padded code
 * keeps one institution's alerts together in seq order.
 */
#define ALERT_KEY_LEN (CR_INST_CODE_MAX + 1 + 8)
#define ALERT_VAL_LEN (CR_SUBJECT_KEY_LEN + 1 + 8 + 8)

static void alert_key(const char *inst, uint64_t seq, uint8_t out[ALERT_KEY_LEN])
{
	memset(out, 0, ALERT_KEY_LEN);
	memcpy(out, inst, strnlen(inst, CR_INST_CODE_MAX));
	cr_put_u64be(out + CR_INST_CODE_MAX + 1, seq);
}

int cr_store_alert_add(cr_txn *txn, const char *inst, struct cr_alert_rec *a)
{
	char name[32];
	snprintf(name, sizeof name, "alert_seq:%.*s", CR_INST_CODE_MAX, inst);
	int rc = next_counter(txn, name, &a->seq);
	if (rc)
		return rc;
	uint8_t kb[ALERT_KEY_LEN], vb[ALERT_VAL_LEN];
	alert_key(inst, a->seq, kb);
	memcpy(vb, a->subject.b, CR_SUBJECT_KEY_LEN);
	vb[CR_SUBJECT_KEY_LEN] = a->kind;
	cr_put_u64be(vb + CR_SUBJECT_KEY_LEN + 1, (uint64_t)a->raised_s);
	cr_put_u64be(vb + CR_SUBJECT_KEY_LEN + 9, (uint64_t)a->at_s);
	MDB_val k = val(kb, sizeof kb), v = val(vb, sizeof vb);
	return map_err(mdb_put(txn->t, txn->st->dbi[DB_ALERT], &k, &v, MDB_NOOVERWRITE));
}

int cr_store_alert_last(cr_txn *txn, const char *inst, uint64_t *seq)
{
	char name[32];
	snprintf(name, sizeof name, "alert_seq:%.*s", CR_INST_CODE_MAX, inst);
	return meta_get_u64(txn->t, txn->st->dbi[DB_META], name, seq);
}

int cr_store_alerts(cr_txn *txn, const char *inst, uint64_t after, size_t max,
		    int (*fn)(const struct cr_alert_rec *a, void *arg), void *arg)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(txn->t, txn->st->dbi[DB_ALERT], &c);
	if (rc)
		return map_err(rc);
	uint8_t kb[ALERT_KEY_LEN];
	alert_key(inst, after == UINT64_MAX ? after : after + 1, kb);
	MDB_val key = val(kb, sizeof kb), v;
	int result = 0;
	size_t n = 0;
	rc = after == UINT64_MAX ? MDB_NOTFOUND : mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
	while (!rc && !result && n < max) {
		if (key.mv_size != ALERT_KEY_LEN || memcmp(key.mv_data, kb, CR_INST_CODE_MAX + 1))
			break;
		if (v.mv_size != ALERT_VAL_LEN) {
			result = CR_ECORRUPT;
			break;
		}
		const uint8_t *p = v.mv_data;
		struct cr_alert_rec a;
		a.seq = cr_get_u64be((const uint8_t *)key.mv_data + CR_INST_CODE_MAX + 1);
		memcpy(a.subject.b, p, CR_SUBJECT_KEY_LEN);
		a.kind = p[CR_SUBJECT_KEY_LEN];
		a.raised_s = (int64_t)cr_get_u64be(p + CR_SUBJECT_KEY_LEN + 1);
		a.at_s = (int64_t)cr_get_u64be(p + CR_SUBJECT_KEY_LEN + 9);
		result = fn(&a, arg);
		n++;
		rc = mdb_cursor_get(c, &key, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	if (result)
		return result;
	return rc == MDB_NOTFOUND ? 0 : map_err(rc);
}

/* Alert thresholds: key the institution code, value pct u32, min u64, n u32. */
#define ALERT_CFG_LEN 16

int cr_store_alert_config_put(cr_txn *txn, const char *inst,
			      const struct cr_alert_config *cfg)
{
	uint8_t vb[ALERT_CFG_LEN], b8[8];
	cr_put_u64be(b8, (uint64_t)cfg->exposure_pct);
	memcpy(vb, b8 + 4, 4);
	cr_put_u64be(vb + 4, (uint64_t)cfg->exposure_min);
	cr_put_u64be(b8, (uint64_t)cfg->inquiries);
	memcpy(vb + 12, b8 + 4, 4);
	MDB_val k = val(inst, strnlen(inst, CR_INST_CODE_MAX)), v = val(vb, sizeof vb);
	return map_err(mdb_put(txn->t, txn->st->dbi[DB_ALERT_CFG], &k, &v, 0));
}

int cr_store_alert_config_get(cr_txn *txn, const char *inst,
			      struct cr_alert_config *out)
{
	MDB_val k = val(inst, strnlen(inst, CR_INST_CODE_MAX)), v;
	int rc = mdb_get(txn->t, txn->st->dbi[DB_ALERT_CFG], &k, &v);
	if (rc)
		return map_err(rc);
	if (v.mv_size != ALERT_CFG_LEN)
		return CR_ECORRUPT;
	uint8_t b8[8] = {0};
	const uint8_t *p = v.mv_data;
	memcpy(b8 + 4, p, 4);
	out->exposure_pct = (int32_t)cr_get_u64be(b8);
	out->exposure_min = (int64_t)cr_get_u64be(p + 4);
	memcpy(b8 + 4, p + 12, 4);
	out->inquiries = (int32_t)cr_get_u64be(b8);
	return 0;
}
