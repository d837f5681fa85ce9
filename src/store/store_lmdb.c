/*
 * store_lmdb.c - the embedded store on LMDB.
 *
 * One LMDB environment in the data directory, with these named databases
 * (docs/storage.md gives sizes and reasons):
 *
 *   meta       "version", "pseudokey", counters, "audit_head" -> values
 *   inst       institution code                           -> kind, name
 *   acct       institution code '\0' account number       -> packed account
 *   subj       subject key (16)                           -> packed identity
 *   subj_acct  subject key (16), dupsort                  -> account key
 *   hist       account id (u64 BE) + year (u16 BE)        -> packed year (hist_codec.h)
 *   consent    subject key (16), dupsort                  -> packed fact, date first
 *   held       subject key (16) + institution code        -> u64 count
 *   inquiry    subject key (16), dupsort                  -> packed inquiry, date first
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
#include "store_codec.h"

#define STORE_VERSION 1
#define PSEUDOKEY_LEN 32

enum { DB_META, DB_INST, DB_ACCT, DB_SUBJ, DB_SUBJ_ACCT, DB_HIST, DB_CONSENT,
       DB_HELD, DB_INQUIRY, DB_COUNT };

static const struct {
	const char *name;
	unsigned flags;
} db_defs[DB_COUNT] = {
	{"meta", 0},           {"inst", 0},         {"acct", 0},
	{"subj", 0},           {"subj_acct", MDB_DUPSORT},
	{"hist", 0},           {"consent", MDB_DUPSORT},
	{"held", 0},           {"inquiry", MDB_DUPSORT},
};

struct cr_store {
	MDB_env *env;
	MDB_dbi dbi[DB_COUNT];
	uint8_t pseudokey[PSEUDOKEY_LEN];
	int rdonly;
	char path[4096];
};

struct cr_txn {
	cr_store *st;
	MDB_txn *t;
	int write;
	int64_t d_months; /* account-months added in this transaction */
	int64_t d_held;   /* held records added (or released) */
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
		rc = mdb_env_set_mapsize(st->env, (size_t)CR_MAP_SIZE_BYTES);
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

/* Opens (or creates) every named database and loads the pseudonym key. */
static int open_dbs(cr_store *st, int create)
{
	MDB_txn *t;
	int rc = mdb_txn_begin(st->env, NULL, st->rdonly ? MDB_RDONLY : 0, &t);
	if (rc)
		return map_err(rc);
	for (int i = 0; i < DB_COUNT && !rc; i++)
		rc = mdb_dbi_open(t, db_defs[i].name,
				  db_defs[i].flags | (create ? MDB_CREATE : 0),
				  &st->dbi[i]);
	if (rc) {
		mdb_txn_abort(t);
		return rc == MDB_NOTFOUND ? CR_EVERSION : map_err(rc);
	}
	int err = 0;
	if (create) {
		randombytes_buf(st->pseudokey, PSEUDOKEY_LEN);
		MDB_val k = val("pseudokey", 9), v = val(st->pseudokey, PSEUDOKEY_LEN);
		err = map_err(mdb_put(t, st->dbi[DB_META], &k, &v, 0));
		if (!err)
			err = meta_put_u64(t, st->dbi[DB_META], "version", STORE_VERSION);
	} else {
		uint64_t version;
		MDB_val k = val("pseudokey", 9), v;
		err = meta_get_u64(t, st->dbi[DB_META], "version", &version);
		if (!err && version != STORE_VERSION)
			err = CR_EVERSION;
		if (!err && mdb_get(t, st->dbi[DB_META], &k, &v) == 0 &&
		    v.mv_size == PSEUDOKEY_LEN)
			memcpy(st->pseudokey, v.mv_data, PSEUDOKEY_LEN);
		else if (!err)
			err = CR_ECORRUPT;
	}
	if (err) {
		mdb_txn_abort(t);
		return err;
	}
	return map_err(mdb_txn_commit(t));
}

int cr_store_create(const char *dir)
{
	if (!dir || !*dir)
		return CR_EINVAL;
	if (sodium_init() < 0)
		return CR_ESTORE;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return CR_EIO;
	char path[4096];
	struct stat sb;
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	if (stat(path, &sb) == 0)
		return CR_EEXIST;
	cr_store *st;
	int rc = env_open(dir, 0, &st);
	if (rc)
		return rc;
	rc = open_dbs(st, 1);
	cr_store_close(st);
	return rc;
}

int cr_store_open(const char *dir, int flags, cr_store **out)
{
	*out = NULL;
	if (!dir || !*dir)
		return CR_EINVAL;
	if (sodium_init() < 0)
		return CR_ESTORE;
	char path[4096];
	struct stat sb;
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	if (stat(path, &sb) != 0)
		return CR_ENOTFOUND;
	cr_store *st;
	int rc = env_open(dir, flags & CR_STORE_RDONLY, &st);
	if (rc)
		return rc;
	rc = open_dbs(st, 0);
	if (rc) {
		cr_store_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

void cr_store_close(cr_store *st)
{
	if (!st)
		return;
	if (st->env)
		mdb_env_close(st->env);
	sodium_memzero(st->pseudokey, sizeof st->pseudokey);
	free(st);
}

void cr_store_subject_key(const cr_store *st, const char *id,
			  struct cr_subject_key *out)
{
	crypto_generichash(out->b, CR_SUBJECT_KEY_LEN, (const uint8_t *)id,
			   strlen(id), st->pseudokey, PSEUDOKEY_LEN);
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

int cr_store_subject_put(cr_txn *txn, const struct cr_subject_key *k,
			 const struct cr_subject *s)
{
	uint8_t buf[CR_SUBJECT_ENC_MAX];
	size_t n = cr_subject_encode(s, buf);
	return put_if_changed(txn, DB_SUBJ, val(k->b, CR_SUBJECT_KEY_LEN), val(buf, n));
}

int cr_store_subject_get(cr_txn *txn, const struct cr_subject_key *k,
			 struct cr_subject *out)
{
	MDB_val key = val(k->b, CR_SUBJECT_KEY_LEN), v;
	int rc = mdb_get(txn->t, txn->st->dbi[DB_SUBJ], &key, &v);
	if (rc)
		return map_err(rc);
	return cr_subject_decode(v.mv_data, v.mv_size, out);
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

int cr_store_account_put(cr_txn *txn, struct cr_account_rec *r)
{
	uint8_t kbuf[CR_ACCT_KEY_MAX], vbuf[CR_ACCT_ENC_MAX];
	size_t kn = cr_acct_key(r->a.inst, r->a.account, kbuf);
	int fresh = r->acct_id == 0;
	if (fresh) {
		int rc = next_counter(txn, "next_acct", &r->acct_id);
		if (rc)
			return rc;
	}
	size_t vn = cr_acct_encode(r, vbuf);
	int rc = put_if_changed(txn, DB_ACCT, val(kbuf, kn), val(vbuf, vn));
	if (rc < 0 || !fresh)
		return rc;
	MDB_val sk = val(r->subject.b, CR_SUBJECT_KEY_LEN), av = val(kbuf, kn);
	int err = mdb_put(txn->t, txn->st->dbi[DB_SUBJ_ACCT], &sk, &av, MDB_NODUPDATA);
	return err && err != MDB_KEYEXIST ? map_err(err) : 1;
}

int cr_store_account_get(cr_txn *txn, const char *inst, const char *account,
			 struct cr_account_rec *out)
{
	uint8_t kbuf[CR_ACCT_KEY_MAX];
	size_t kn = cr_acct_key(inst, account, kbuf);
	MDB_val k = val(kbuf, kn), v;
	int rc = mdb_get(txn->t, txn->st->dbi[DB_ACCT], &k, &v);
	if (rc)
		return map_err(rc);
	return cr_acct_decode(kbuf, kn, v.mv_data, v.mv_size, out);
}

int cr_store_subject_accounts(cr_txn *txn, const struct cr_subject_key *k,
			      int (*fn)(const struct cr_account_rec *r, void *arg),
			      void *arg)
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
		result = cr_acct_decode(v.mv_data, v.mv_size, av.mv_data, av.mv_size, &r);
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
		{DB_INQUIRY, &out->inquiries},
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
