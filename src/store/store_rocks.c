/*
 * store_rocks.c - the embedded store on RocksDB: the database, its keys,
 * transactions, counters and the key-value layer the record files use
 * (store_int.h).  docs/storage.md says why RocksDB and this layout, with
 * the measurements that chose them.
 *
 * Durability.  A write transaction is one write batch, written with the
 * write-ahead log synced (one fdatasync) by cr_store_commit, or written
 * at once and synced later by cr_store_sync for a committer that overlaps
 * one group's sync with the next group's work (cr_store_commit_async).
 * Nothing is acknowledged before its sync.
 *
 * Layout versions 7 and up are on RocksDB (8: events sort last in a
 * person's records; 9: held identities, pid 'I'; 10: one sealed copy of
 * each, pid 'J'); a directory holding an LMDB store (layouts up to 6,
 * "data.mdb") is refused with what to do.  A version 8 store is a version
 * 9 store that holds no held identity, and version 10 still reads a
 * version 9 'I' record: both open, and the version is raised to 10 when
 * the store is opened for writing, so that an older release, which would
 * misread what this one writes, no longer opens it.
 */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "keyfile.h"
#include "store_codec.h"
#include "store_int.h"
#include "store_txn.h"

#define STORE_VERSION 10
/* Layouts opened as they are and raised on a write open: 8 is 9 without
 * held identities, 9 is 10 with each held identity sealed into its 'I'
 * record (still read; store_held.c). */
#define STORE_VERSION_RAISED_MIN 8
#define PSEUDOKEY_LEN CR_STORE_KEY_LEN

static const char *const cf_names[CF_COUNT] = {
	"default", "person", "index", "alert", "audit",
};

/* ---- the database ------------------------------------------------------ */

/* $name in MiB, or dflt when unset or out of range. */
static size_t env_mb(const char *name, unsigned long dflt, unsigned long min)
{
	const char *v = getenv(name);
	char *end;
	unsigned long mb = v ? strtoul(v, &end, 10) : 0;
	if (!v || *end || mb < min || mb > (1UL << 20))
		mb = dflt;
	return (size_t)mb << 20;
}

/* Block cache shared by every column family: $CREDITREF_CACHE_MB or 512. */
static size_t cache_bytes(void)
{
	return env_mb("CREDITREF_CACHE_MB", 512, 8);
}

/* RocksDB allocates with C++'s new, which throws when the process's
 * address space is exhausted, and nothing between it and this C code can
 * catch that: the process would abort.  So a limit (ulimit -v) too small
 * for the block cache and the write buffers is refused before opening,
 * with what to do. */
static int address_space_ok(const char **reason)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	if ((uint64_t)rl.rlim_cur >= (uint64_t)cache_bytes() + CR_STORE_ADDRESS_SPACE_BYTES)
		return 0;
	*reason = "the process's address-space limit (ulimit -v) is below what the store needs: "
		  "its block cache (CREDITREF_CACHE_MB, 512 MiB by default) plus 1 GiB; "
		  "raise the limit or lower the cache";
	return CR_ENOMEM;
}

/* Options of one column family (docs/storage.md, "Engine settings"). */
static rocksdb_options_t *cf_options(cr_store *st, int cf)
{
	rocksdb_options_t *o = rocksdb_options_create();
	rocksdb_block_based_table_options_t *t = rocksdb_block_based_options_create();
	rocksdb_block_based_options_set_block_cache(t, st->cache);
	rocksdb_block_based_options_set_filter_policy(t, rocksdb_filterpolicy_create_bloom_full(10));
	rocksdb_block_based_options_set_format_version(t, 5);
	rocksdb_block_based_options_set_block_size(t, 4096);
	rocksdb_options_set_block_based_table_factory(o, t);
	st->tbl[cf] = t;
	rocksdb_options_increase_parallelism(o, 2);
	rocksdb_options_set_level_compaction_dynamic_level_bytes(o, 1);
	rocksdb_options_set_bytes_per_sync(o, 1 << 20);
	if (cf == CF_PERSON) {
		rocksdb_options_set_prefix_extractor(o, rocksdb_slicetransform_create_fixed_prefix(8));
		rocksdb_options_set_write_buffer_size(o, (st->bulk ? 128 : 32) << 20);
		rocksdb_options_set_compression(o, rocksdb_lz4_compression);
		rocksdb_options_set_bottommost_compression(o, rocksdb_zstd_compression);
		/* A dictionary trained per table file on 100 times its size
		 * lets 4 KiB blocks compress nearly as well as 16 KiB ones
		 * without it, and a report that misses the block cache reads
		 * and decompresses a quarter (docs/storage.md, "Settings"). */
		rocksdb_options_set_bottommost_compression_options(o, -14, 3, 0, 16384, 1);
		rocksdb_options_set_bottommost_compression_options_zstd_max_train_bytes(o, 100 * 16384, 1);
	} else {
		rocksdb_options_set_write_buffer_size(o, (st->bulk && cf == CF_INDEX ? 64 : 16) << 20);
		rocksdb_options_set_compression(o, rocksdb_lz4_compression);
	}
	/* Most reads during a load ask for keys that do not exist yet (a new
	 * person, account or event id): a bloom filter on the memtable answers
	 * those without searching it. */
	rocksdb_options_set_memtable_prefix_bloom_size_ratio(o, 0.05);
	rocksdb_options_set_memtable_whole_key_filtering(o, 1);
	return o;
}

static int db_options(cr_store *st, int create)
{
	st->cache = rocksdb_cache_create_lru(cache_bytes());
	st->opts = cf_options(st, CF_META);
	st->cf_opts[CF_META] = st->opts;
	for (int i = 1; i < CF_COUNT; i++)
		st->cf_opts[i] = cf_options(st, i);
	rocksdb_options_set_create_if_missing(st->opts, create);
	rocksdb_options_set_create_missing_column_families(st->opts, create);
	rocksdb_options_set_error_if_exists(st->opts, create);
	rocksdb_options_set_max_total_wal_size(st->opts, 512ULL << 20);
	rocksdb_options_set_wal_bytes_per_sync(st->opts, 1 << 20);
	rocksdb_options_set_keep_log_file_num(st->opts, 4);
	rocksdb_options_set_max_log_file_size(st->opts, 16 << 20);
	/* RocksDB's own log (LOG in the data directory) keeps fatal messages
	 * and its header only: on a full disk, the library's error handler
	 * writes to that log after the log's own write failed, and Debian's
	 * build of the library then aborts the process (an assertion).  The
	 * store's callers report every error themselves (rerr). */
	rocksdb_options_set_info_log_level(st->opts, 4 /* FATAL */);
	st->wo_sync = rocksdb_writeoptions_create();
	rocksdb_writeoptions_set_sync(st->wo_sync, 1);
	st->wo_async = rocksdb_writeoptions_create();
	st->ro_latest = rocksdb_readoptions_create();
	return 0;
}

/* A RocksDB error message as a CR_E* code (the message is freed). */
static int rerr(char *err)
{
	if (!err)
		return 0;
	int rc = CR_ESTORE;
	/* Another process's lock; a LOCK file that cannot be opened at all is
	 * an error of its own (open_cause). */
	if (strstr(err, "Resource temporarily unavailable") ||
	    strstr(err, "lock hold by current process"))
		rc = CR_EBUSY;
	else if (strstr(err, "No space"))
		rc = CR_ENOSPC;
	else if (strstr(err, "IO error"))
		rc = CR_EIO;
	else if (strstr(err, "Corruption"))
		rc = CR_ECORRUPT;
	else if (strstr(err, "does not exist") || strstr(err, "NotFound"))
		rc = CR_ENOTFOUND;
	if (getenv("CREDITREF_DEBUG_STORE"))
		fprintf(stderr, "creditref: store: %s\n", err);
	rocksdb_free(err);
	return rc;
}

/* What an operator can act on in the engine's refusal to open, or NULL. */
static const char *open_cause(const char *err)
{
	if (!err)
		return NULL;
	if (strstr(err, "Read-only file system"))
		return "the store's directory is on a read-only file system: a command that writes "
		       "needs it writable (stats and other reading commands open it as it is)";
	if (strstr(err, "Permission denied") || strstr(err, "Operation not permitted"))
		return "permission denied on the store's directory or one of its files (LOCK, "
		       "CURRENT, the logs): run as the user that owns them, give that user read "
		       "and write access, or clear an immutable attribute (lsattr, chattr -i)";
	return NULL;
}

static int db_open(cr_store *st, int create, const char **reason)
{
	char *err = NULL;
	db_options(st, create);
	const rocksdb_options_t *cfo[CF_COUNT];
	for (int i = 0; i < CF_COUNT; i++)
		cfo[i] = st->cf_opts[i];
	if (st->rdonly)
		st->db = rocksdb_open_for_read_only_column_families(
			st->opts, st->path, CF_COUNT, cf_names, cfo, st->cf, 0, &err);
	else
		st->db = rocksdb_open_column_families(st->opts, st->path, CF_COUNT, cf_names,
						      cfo, st->cf, &err);
	const char *cause = open_cause(err);
	if (cause)
		*reason = cause;
	return rerr(err);
}

static int file_exists(const char *dir, const char *name)
{
	char path[4200];
	struct stat sb;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return stat(path, &sb) == 0;
}

/* Can this user look into dir at all?  (A store another user owns, with
 * its directory mode 0700, looks like no store to stat.) */
static int dir_searchable(const char *dir)
{
	return access(dir, X_OK) == 0 || errno != EACCES;
}

static cr_store *store_new(const char *dir, int rdonly)
{
	cr_store *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->rdonly = rdonly;
	snprintf(st->path, sizeof st->path, "%s", dir);
	pthread_mutex_init(&st->write_mu, NULL);
	return st;
}

void cr_store_close(cr_store *st)
{
	if (!st)
		return;
	if (st->db) {
		for (int i = 0; i < CF_COUNT; i++)
			if (st->cf[i])
				rocksdb_column_family_handle_destroy(st->cf[i]);
		rocksdb_close(st->db);
	}
	for (int i = 0; i < CF_COUNT; i++) {
		if (st->cf_opts[i])
			rocksdb_options_destroy(st->cf_opts[i]);
		if (st->tbl[i])
			rocksdb_block_based_options_destroy(st->tbl[i]);
	}
	if (st->cache)
		rocksdb_cache_destroy(st->cache);
	if (st->wo_sync)
		rocksdb_writeoptions_destroy(st->wo_sync);
	if (st->wo_async)
		rocksdb_writeoptions_destroy(st->wo_async);
	if (st->ro_latest)
		rocksdb_readoptions_destroy(st->ro_latest);
	pthread_mutex_destroy(&st->write_mu);
	pcache_free(st->pcache);
	idcache_free(st->ids);
	sodium_memzero(st->pseudokey, sizeof st->pseudokey);
	sodium_memzero(st->datakey, sizeof st->datakey);
	free(st);
}

/* ---- the key-value layer (store_int.h) --------------------------------- */

void kv_val_free(struct kv_val *v)
{
	if (v->pin)
		rocksdb_pinnableslice_destroy(v->pin);
	if (v->owned)
		rocksdb_free(v->owned);
	memset(v, 0, sizeof *v);
}

int kv_get(cr_txn *txn, int cf, const void *k, size_t kn, struct kv_val *out)
{
	char *err = NULL;
	memset(out, 0, sizeof *out);
	cr_store *st = txn->st;
	/* A reader's point read of a person it has not loaded goes to its
	 * snapshot alone: checking a pid or a consent loads no file. */
	if (txn->write ||
	    (cf == CF_PERSON && (kn < 8 || txc_person_held(txn->cache, cr_get_u64be(k)))))
		return txc_get(st, txn->cache, cf, k, kn, out);
	out->pin = rocksdb_get_pinned_cf(st->db, txn->ro, st->cf[cf], k, kn, &err);
	if (err)
		return rerr(err);
	if (!out->pin)
		return CR_ENOTFOUND;
	out->p = (const uint8_t *)rocksdb_pinnableslice_value(out->pin, &out->n);
	return out->p ? 0 : CR_ENOTFOUND;
}

int kv_put(cr_txn *txn, int cf, const void *k, size_t kn, const void *v, size_t vn)
{
	CR_ASSERT(txn->write);
	return txc_put(txn->st, txn->cache, cf, k, kn, v, vn);
}

int kv_put_changed(cr_txn *txn, int cf, const void *k, size_t kn, const void *v, size_t vn)
{
	struct kv_val old = {0};
	int rc = kv_get(txn, cf, k, kn, &old);
	const int same = rc == 0 && old.n == vn && memcmp(old.p, v, vn) == 0;
	kv_val_free(&old);
	if (rc && rc != CR_ENOTFOUND)
		return rc;
	if (same)
		return KV_SAME;
	const int fresh = rc == CR_ENOTFOUND;
	rc = kv_put(txn, cf, k, kn, v, vn);
	return rc ? rc : fresh ? KV_NEW : KV_CHANGED;
}

int kv_del(cr_txn *txn, int cf, const void *k, size_t kn)
{
	CR_ASSERT(txn->write);
	return txc_del(txn->st, txn->cache, cf, k, kn);
}

/* The smallest key above every key that starts with p[0..n): p with its
 * last byte below 0xff incremented (and the rest dropped); 0 if none. */
static size_t successor(const uint8_t *p, size_t n, uint8_t *out)
{
	while (n > 0 && p[n - 1] == 0xff)
		n--;
	if (n == 0)
		return 0;
	memcpy(out, p, n);
	out[n - 1]++;
	return n;
}

int kv_iter_open_db(cr_store *st, const rocksdb_snapshot_t *snap, int cf,
		    const void *prefix, size_t pn, const void *from, size_t fn,
		    struct kv_iter *it)
{
	memset(it, 0, sizeof *it);
	if (pn > sizeof it->prefix)
		return CR_EINVAL;
	if (pn)
		memcpy(it->prefix, prefix, pn);
	it->prefix_n = pn;
	it->ro = rocksdb_readoptions_create();
	if (snap)
		rocksdb_readoptions_set_snapshot(it->ro, snap);
	it->upper_n = successor(it->prefix, pn, it->upper);
	if (it->upper_n)
		rocksdb_readoptions_set_iterate_upper_bound(it->ro, (const char *)it->upper,
							    it->upper_n);
	/* A person's keys share the 8-byte pid: the prefix bloom filters
	 * skip the files that hold nothing of that person. */
	if (cf == CF_PERSON && pn >= 8)
		rocksdb_readoptions_set_prefix_same_as_start(it->ro, 1);
	else
		rocksdb_readoptions_set_total_order_seek(it->ro, 1);
	it->it = rocksdb_create_iterator_cf(st->db, it->ro, st->cf[cf]);
	if (from)
		rocksdb_iter_seek(it->it, from, fn);
	else if (pn)
		rocksdb_iter_seek(it->it, prefix, pn);
	else
		rocksdb_iter_seek_to_first(it->it);
	return 0;
}

int kv_iter_open(cr_txn *txn, int cf, const void *prefix, size_t pn,
		 const void *from, size_t fn, struct kv_iter *it)
{
	memset(it, 0, sizeof *it);
	if (pn > sizeof it->prefix)
		return CR_EINVAL;
	if (cf == CF_PERSON ? pn >= 8 : txn->write) {
		if (pn)
			memcpy(it->prefix, prefix, pn);
		it->prefix_n = pn;
		return txc_iter_open(txn->st, txn->cache, cf, it->prefix, pn, from, fn, &it->tx);
	}
	/* A whole-family walk in a write transaction reads the database. */
	CR_ASSERT(!txn->write || !txc_person_dirty(txn->cache));
	return kv_iter_open_db(txn->st, txn->snap, cf, prefix, pn, from, fn, it);
}

int kv_iter_valid(struct kv_iter *it)
{
	if (it->tx)
		return txc_iter_valid(it->tx);
	if (!rocksdb_iter_valid(it->it))
		return 0;
	size_t n;
	const char *k = rocksdb_iter_key(it->it, &n);
	return n >= it->prefix_n && memcmp(k, it->prefix, it->prefix_n) == 0;
}

const uint8_t *kv_iter_key(struct kv_iter *it, size_t *n)
{
	if (it->tx)
		return txc_iter_key(it->tx, n);
	return (const uint8_t *)rocksdb_iter_key(it->it, n);
}

const uint8_t *kv_iter_value(struct kv_iter *it, size_t *n)
{
	if (it->tx)
		return txc_iter_value(it->tx, n);
	return (const uint8_t *)rocksdb_iter_value(it->it, n);
}

void kv_iter_next(struct kv_iter *it)
{
	if (it->tx)
		txc_iter_next(it->tx);
	else
		rocksdb_iter_next(it->it);
}

void kv_iter_seek(struct kv_iter *it, const void *k, size_t kn)
{
	CR_ASSERT(!it->tx);
	rocksdb_iter_seek(it->it, k, kn);
}

int kv_iter_close(struct kv_iter *it)
{
	char *err = NULL;
	int rc = 0;
	if (it->tx)
		rc = txc_iter_close(it->tx);
	if (it->it) {
		rocksdb_iter_get_error(it->it, &err);
		rocksdb_iter_destroy(it->it);
	}
	if (it->ro)
		rocksdb_readoptions_destroy(it->ro);
	memset(it, 0, sizeof *it);
	return rc ? rc : rerr(err);
}

/* Runs a walk on an open cursor (see kv_walk) and closes it. */
static int walk_cursor(struct kv_iter *it, kv_walk_fn cb, void *arg)
{
	int rc = 0;
	while (kv_iter_valid(it)) {
		struct kv_step s = {0};
		s.k = kv_iter_key(it, &s.kn);
		s.v = kv_iter_value(it, &s.vn);
		rc = cb(&s, arg);
		if (rc || s.end)
			break;
		if (s.seek)
			kv_iter_seek(it, s.seek, s.seek_n);
		else
			kv_iter_next(it);
	}
	const int crc = kv_iter_close(it);
	return rc ? rc : crc;
}

int kv_walk(cr_txn *txn, int cf, const void *prefix, size_t pn, const void *from,
	    size_t fromn, kv_walk_fn cb, void *arg)
{
	struct kv_iter it;
	int rc = kv_iter_open(txn, cf, prefix, pn, from, fromn, &it);
	if (rc) {
		kv_iter_close(&it);
		return rc;
	}
	return walk_cursor(&it, cb, arg);
}

int kv_walk_apart(cr_txn *txn, const void *prefix, size_t pn, kv_walk_fn cb, void *arg)
{
	CR_ASSERT(pn >= PK_LEN);
	const uint64_t pid = cr_get_u64be(prefix);
	if (txn->write || txc_person_held(txn->cache, pid))
		return kv_walk(txn, CF_PERSON, prefix, pn, NULL, 0, cb, arg);
	return kv_walk_db(txn->st, txn->snap, CF_PERSON, prefix, pn, cb, arg);
}

int kv_walk_db(cr_store *st, const rocksdb_snapshot_t *snap, int cf, const void *prefix,
	       size_t pn, kv_walk_fn cb, void *arg)
{
	return kv_walk_db_from(st, snap, cf, prefix, pn, NULL, 0, cb, arg);
}

int kv_walk_db_from(cr_store *st, const rocksdb_snapshot_t *snap, int cf, const void *prefix,
		    size_t pn, const void *from, size_t fn, kv_walk_fn cb, void *arg)
{
	struct kv_iter it;
	int rc = kv_iter_open_db(st, snap, cf, prefix, pn, from, fn, &it);
	if (rc) {
		kv_iter_close(&it);
		return rc;
	}
	return walk_cursor(&it, cb, arg);
}

/* ---- meta values and counters ------------------------------------------ */

int meta_get_u64(cr_txn *txn, const char *name, uint64_t *out)
{
	struct kv_val v = {0};
	int rc = kv_get(txn, CF_META, name, strlen(name), &v);
	*out = 0;
	if (rc == CR_ENOTFOUND)
		rc = 0;
	else if (!rc && v.n != 8)
		rc = CR_ECORRUPT;
	else if (!rc)
		*out = cr_get_u64be(v.p);
	kv_val_free(&v);
	return rc;
}

int meta_put_u64(cr_txn *txn, const char *name, uint64_t x)
{
	uint8_t b[8];
	cr_put_u64be(b, x);
	return kv_put(txn, CF_META, name, strlen(name), b, 8);
}

static const char *const ctr_names[CTR_COUNT] = {
	"next_pid", "next_seq", "next_dispute", "next_revision",
	"n_months", "n_held", "n_subjects", "n_accounts", "n_consents",
	"n_inquiries", "n_events",
};

int ctr_get(cr_txn *txn, int ctr, int64_t *out)
{
	if (!txn->ctr_loaded[ctr]) {
		uint64_t x;
		int rc = meta_get_u64(txn, ctr_names[ctr], &x);
		if (rc)
			return rc;
		txn->ctr[ctr] = (int64_t)x;
		txn->ctr_loaded[ctr] = 1;
	}
	*out = txn->ctr[ctr];
	return 0;
}

int ctr_add(cr_txn *txn, int ctr, int64_t delta)
{
	int64_t x;
	int rc = ctr_get(txn, ctr, &x);
	if (!rc)
		txn->ctr[ctr] = x + delta;
	return rc;
}

int ctr_next(cr_txn *txn, int ctr, uint64_t *out)
{
	CR_ASSERT(ctr <= CTR_REVISION);
	int rc = ctr_add(txn, ctr, 1);
	*out = rc ? 0 : (uint64_t)txn->ctr[ctr];
	return rc;
}

/* Writes the counters the transaction loaded into its batch. */
static int ctr_flush(cr_txn *txn)
{
	for (int i = 0; i < CTR_COUNT; i++) {
		if (!txn->ctr_loaded[i])
			continue;
		CR_ASSERT(txn->ctr[i] >= 0);
		int rc = meta_put_u64(txn, ctr_names[i], (uint64_t)txn->ctr[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- keys: envelope encryption ----------------------------------------- */

/*
 * The store has two secrets of its own: the data key (XChaCha20-Poly1305,
 * seals identities and account numbers) and the pseudonym key (keyed
 * BLAKE2b, turns IDs and account numbers into keys).  Both are kept in
 * meta "keys", sealed under the master key from the key file, with the
 * layout and version as associated data.  Rotating the master key
 * re-seals these 64 bytes and nothing else.
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

/* Writes the version and the store's new keys sealed under master. */
static int init_keys(cr_store *st, const uint8_t master[CR_MASTER_KEY_LEN])
{
	uint8_t sealed[SEALED_KEYS_LEN];
	cr_txn *txn;
	randombytes_buf(st->datakey, PSEUDOKEY_LEN);
	randombytes_buf(st->pseudokey, PSEUDOKEY_LEN);
	seal_keys(st, master, sealed);
	int rc = cr_store_begin(st, 1, &txn);
	if (rc)
		return rc;
	kv_put(txn, CF_META, "keys", 4, sealed, sizeof sealed);
	meta_put_u64(txn, "version", STORE_VERSION);
	return cr_store_commit(txn);
}

/* Checks the version and unseals the store's keys with master. */
static int load_keys(cr_store *st, const uint8_t master[CR_MASTER_KEY_LEN])
{
	cr_txn *txn;
	uint64_t version;
	struct kv_val v = {0};
	int rc = cr_store_begin(st, 0, &txn);
	if (rc)
		return rc;
	rc = meta_get_u64(txn, "version", &version);
	if (!rc && (version < STORE_VERSION_RAISED_MIN || version > STORE_VERSION))
		rc = CR_EVERSION;
	if (!rc)
		st->version = version;
	if (!rc) {
		rc = kv_get(txn, CF_META, "keys", 4, &v);
		rc = rc == CR_ENOTFOUND ? CR_ECORRUPT : rc ? rc : unseal_keys(st, master, v.p, v.n);
		kv_val_free(&v);
	}
	cr_store_abort(txn);
	return rc;
}

/* Raises a store of version STORE_VERSION_RAISED_MIN or later to
 * STORE_VERSION: the layouts differ only by records the older one never
 * wrote, or that the newer one still reads. */
static int raise_version(cr_store *st)
{
	cr_txn *txn;
	if (st->rdonly || st->version == STORE_VERSION)
		return 0;
	int rc = cr_store_begin(st, 1, &txn);
	if (rc)
		return rc;
	rc = meta_put_u64(txn, "version", STORE_VERSION);
	if (rc) {
		cr_store_abort(txn);
		return rc;
	}
	rc = cr_store_commit(txn);
	if (!rc)
		st->version = STORE_VERSION;
	return rc;
}

/* ---- create, open, rotate ---------------------------------------------- */

int cr_store_create(const char *dir, const char *key_file, const char **reason)
{
	*reason = NULL;
	if (!dir || !*dir || !key_file || !*key_file)
		return CR_EINVAL;
	if (sodium_init() < 0)
		return CR_ESTORE;
	if (address_space_ok(reason))
		return CR_ENOMEM;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return CR_EIO;
	if (file_exists(dir, "CURRENT") || file_exists(dir, "data.mdb"))
		return CR_EEXIST;
	uint8_t master[CR_MASTER_KEY_LEN];
	randombytes_buf(master, sizeof master);
	int rc = cr_keyfile_write(key_file, master, 1);
	if (rc == CR_EEXIST)
		*reason = "the key file already exists; name a new one with --key-file";
	cr_store *st = NULL;
	if (!rc && !(st = store_new(dir, 0)))
		rc = CR_ENOMEM;
	if (!rc)
		rc = db_open(st, 1, reason);
	if (!rc)
		rc = init_keys(st, master);
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
		rc = load_keys(st, master);
	if (rc == CR_EDENIED && !*reason) {
		char next[4200];
		snprintf(next, sizeof next, "%s.new", key_file);
		const char *ignored;
		if (cr_keyfile_read(next, master, &ignored) == 0 &&
		    load_keys(st, master) == 0) {
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
	if (!dir_searchable(dir)) {
		*reason = "permission denied on the store's directory: run as the user that owns it, "
			  "or give that user access";
		return CR_EDENIED;
	}
	if (!file_exists(dir, "CURRENT")) {
		if (!file_exists(dir, "data.mdb"))
			return CR_ENOTFOUND;
		*reason = "it holds a store of an earlier layout (LMDB, data.mdb); create a new store "
			  "with creditref init and ingest the furnishing files again (docs/storage.md, "
			  "\"Moving an old store\")";
		return CR_EVERSION;
	}
	if (address_space_ok(reason))
		return CR_ENOMEM;
	cr_store *st = store_new(dir, flags & CR_STORE_RDONLY);
	if (!st)
		return CR_ENOMEM;
	st->bulk = (flags & CR_STORE_BULK) != 0;
	int rc = db_open(st, 0, reason);
	if (rc == CR_EBUSY)
		*reason = "another process (a running creditref serve or ingest) has it open for "
			  "writing; stop it, or send the request to its API";
	if (!rc)
		rc = open_with_key(st, key_file, reason);
	/* Committed person images kept across write transactions:
	 * $CREDITREF_PERSON_CACHE_MB, 256 by default, 0 for none. */
	if (!rc && !st->rdonly)
		rc = pcache_new(env_mb("CREDITREF_PERSON_CACHE_MB", 256, 0), &st->pcache);
	if (!rc)
		rc = idcache_new(1u << 18, &st->ids);
	if (!rc)
		rc = raise_version(st);
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
	cr_txn *txn;
	if (!rc)
		rc = cr_store_begin(st, 1, &txn);
	if (!rc) {
		kv_put(txn, CF_META, "keys", 4, sealed, sizeof sealed);
		rc = cr_store_commit(txn);
	}
	if (!rc && rename(next, key_file) != 0)
		rc = CR_EIO;
	if (rc)
		*reason = "the new key could not be installed; the old key still opens the store unless the store reports otherwise";
	return rc;
}

/* ---- pseudonyms and sealing -------------------------------------------- */

void cr_store_subject_key(const cr_store *st, const char *id,
			  struct cr_subject_key *out)
{
	crypto_generichash(out->b, CR_SUBJECT_KEY_LEN, (const uint8_t *)id,
			   strlen(id), st->pseudokey, PSEUDOKEY_LEN);
}

size_t cr_store__seal(const cr_store *st, const uint8_t *ad, size_t adn,
		      const uint8_t *plain, size_t n, uint8_t *out)
{
	randombytes_buf(out, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL, plain, n,
		ad, adn, NULL, out, st->datakey);
	return n + CR_STORE_SEAL_OVERHEAD;
}

int cr_store__unseal(const cr_store *st, const uint8_t *ad, size_t adn,
		     const uint8_t *in, size_t n, uint8_t *plain, size_t *plain_n)
{
	if (n < CR_STORE_SEAL_OVERHEAD)
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

/* ---- transactions ------------------------------------------------------ */

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
	txn->ro = rocksdb_readoptions_create();
	if (write) {
		pthread_mutex_lock(&st->write_mu);
	} else {
		txn->snap = rocksdb_create_snapshot(st->db);
		rocksdb_readoptions_set_snapshot(txn->ro, txn->snap);
	}
	/* Both kinds read people through images (store_txn.h): a person's
	 * records are loaded in one seek and read from memory after. */
	if (txc_new(txn->snap, &txn->cache)) {
		cr_store_abort(txn);
		return CR_ENOMEM;
	}
	*out = txn;
	return 0;
}

static void txn_free(cr_txn *txn)
{
	person_secrets_drop(txn);
	txc_free(txn->cache);
	if (txn->write)
		pthread_mutex_unlock(&txn->st->write_mu);
	if (txn->snap)
		rocksdb_release_snapshot(txn->st->db, txn->snap);
	rocksdb_readoptions_destroy(txn->ro);
	free(txn);
}

static int commit(cr_txn *txn, const rocksdb_writeoptions_t *wo)
{
	char *err = NULL;
	int rc = 0;
	if (txn->write) {
		rc = person_secrets_flush(txn);
		if (!rc)
			rc = ctr_flush(txn);
		if (!rc) {
			rocksdb_writebatch_t *wb = rocksdb_writebatch_create();
			rc = txc_flush(txn->st, txn->cache, wb);
			if (!rc) {
				rocksdb_write(txn->st->db, wo, wb, &err);
				rc = rerr(err);
			}
			if (!rc)
				txc_committed(txn->st, txn->cache);
			rocksdb_writebatch_destroy(wb);
		}
	}
	txn_free(txn);
	return rc;
}

int cr_store_commit(cr_txn *txn)
{
	return commit(txn, txn->st->wo_sync);
}

int cr_store_commit_async(cr_txn *txn)
{
	return commit(txn, txn->st->wo_async);
}

int cr_store_sync(cr_store *st)
{
	char *err = NULL;
	rocksdb_flush_wal(st->db, 1, &err);
	return rerr(err);
}

void cr_store_abort(cr_txn *txn)
{
	if (txn)
		txn_free(txn);
}

int cr_store_writable(const cr_txn *txn)
{
	return txn->write;
}

/* ---- statistics -------------------------------------------------------- */

/* Allocated bytes of the store's own files in dir: everything but the
 * audit trail, which docs/audit.md accounts for separately. */
static uint64_t dir_bytes(const char *dir)
{
	DIR *d = opendir(dir);
	uint64_t total = 0;
	struct dirent *e;
	char path[4400];
	struct stat sb;
	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, "audit.log") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
			total += (uint64_t)sb.st_blocks * 512;
	}
	closedir(d);
	return total;
}

static uint64_t cf_property(cr_store *st, int cf, const char *name)
{
	uint64_t x = 0;
	if (rocksdb_property_int_cf(st->db, st->cf[cf], name, &x) != 0)
		return 0;
	return x;
}

int cr_store_stats(cr_txn *txn, struct cr_store_stats *out)
{
	memset(out, 0, sizeof *out);
	static const struct {
		int ctr;
		size_t off;
	} f[] = {
		{CTR_SUBJECTS, offsetof(struct cr_store_stats, subjects)},
		{CTR_ACCOUNTS, offsetof(struct cr_store_stats, accounts)},
		{CTR_MONTHS, offsetof(struct cr_store_stats, account_months)},
		{CTR_CONSENTS, offsetof(struct cr_store_stats, consents)},
		{CTR_INQUIRIES, offsetof(struct cr_store_stats, inquiries)},
		{CTR_EVENTS, offsetof(struct cr_store_stats, events)},
		{CTR_HELD, offsetof(struct cr_store_stats, held_records)},
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		int64_t x;
		int rc = ctr_get(txn, f[i].ctr, &x);
		if (rc)
			return rc;
		*(uint64_t *)((char *)out + f[i].off) = (uint64_t)x;
	}
	uint64_t n;
	int rc = meta_get_u64(txn, "n_institutions", &n);
	out->institutions = n;
	out->file_bytes = dir_bytes(txn->st->path);
	for (int cf = 0; cf < CF_COUNT; cf++) {
		const uint64_t b = cf_property(txn->st, cf, "rocksdb.live-sst-files-size");
		out->sst_bytes += b;
		*(cf == CF_PERSON ? &out->person_bytes : cf == CF_INDEX ? &out->index_bytes
								  : &out->other_bytes) += b;
		out->memtable_bytes += cf_property(txn->st, cf, "rocksdb.cur-size-all-mem-tables");
		out->l0_files += cf_property(txn->st, cf, "rocksdb.num-files-at-level0");
		out->compaction_pending_bytes +=
			cf_property(txn->st, cf, "rocksdb.estimate-pending-compaction-bytes");
	}
	out->block_cache_bytes = txn->st->cache ? rocksdb_cache_get_usage(txn->st->cache) : 0;
	/* The person cache belongs to the writer: a reader takes its mutex
	 * for the three numbers (a write transaction already holds it). */
	size_t pc_bytes = 0;
	if (!txn->write)
		pthread_mutex_lock(&txn->st->write_mu);
	pcache_stats(txn->st->pcache, &out->person_cache_hits, &out->person_cache_misses, &pc_bytes);
	if (!txn->write)
		pthread_mutex_unlock(&txn->st->write_mu);
	out->person_cache_bytes = pc_bytes;
	return rc;
}

int cr_store_compact(cr_store *st)
{
	if (st->rdonly)
		return CR_EINVAL;
	rocksdb_compactoptions_t *co = rocksdb_compactoptions_create();
	rocksdb_compactoptions_set_bottommost_level_compaction(co, 2 /* force */);
	rocksdb_flushoptions_t *fo = rocksdb_flushoptions_create();
	rocksdb_flushoptions_set_wait(fo, 1);
	char *err = NULL;
	for (int cf = 0; cf < CF_COUNT && !err; cf++) {
		rocksdb_flush_cf(st->db, fo, st->cf[cf], &err);
		if (!err)
			rocksdb_compact_range_cf_opt(st->db, st->cf[cf], co, NULL, 0, NULL, 0);
	}
	rocksdb_flushoptions_destroy(fo);
	rocksdb_compactoptions_destroy(co);
	return rerr(err);
}

struct raw_walk {
	int cf;
	int (*fn)(int cf, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn, void *arg);
	void *arg;
};

static int raw_record(struct kv_step *s, void *arg)
{
	const struct raw_walk *w = arg;
	return w->fn(w->cf, s->k, s->kn, s->v, s->vn, w->arg);
}

int cr_store__walk_raw(cr_store *st,
		       int (*fn)(int cf, const uint8_t *k, size_t kn,
				 const uint8_t *v, size_t vn, void *arg),
		       void *arg)
{
	cr_txn *txn;
	int rc = cr_store_begin(st, 0, &txn);
	for (int cf = 0; cf < CF_COUNT && !rc; cf++) {
		struct raw_walk w = {cf, fn, arg};
		rc = kv_walk(txn, cf, NULL, 0, NULL, 0, raw_record, &w);
	}
	if (txn)
		cr_store_abort(txn);
	return rc;
}
