/*
 * store_txn.h - what a write transaction keeps in memory until it commits.
 *
 * A write transaction reads the newest committed state (it holds the
 * writer mutex, so nothing else changes it) and must see its own writes.
 * RocksDB's indexed write batch does both, at the price of a skip-list
 * search with a byte comparison per level for every read and write; the
 * ingest of a furnishing file makes several reads per line, and measured
 * that way it spent 70% of its time in the batch's index (docs/storage.md,
 * "The write transaction").  The store's own access pattern allows
 * something cheaper, because every read and write of personal data is
 * about one person at a time:
 *
 *   person images   the records of each person the transaction touches,
 *                   in one sorted array: loaded from the database once,
 *                   on first use (everything but events in one pass;
 *                   an account's events when first asked for), then read
 *                   and written in memory.  A person created by the
 *                   transaction has nothing to load.
 *   key caches      for the other families (meta, index, alert, audit):
 *                   a hash table of the keys read or written, misses
 *                   included.  A walk of one of these families merges the
 *                   database with the table's writes under the prefix.
 *
 * Commit turns the writes of both into one plain write batch.  All memory
 * comes from one arena freed with the transaction.
 *
 * Walks of the whole person family (every account, every history) read
 * the database only: callers run them before writing (cr_store_accounts,
 * cr_store_hist_accounts), and an assertion holds them to it.
 *
 * Across transactions.  The images a transaction loaded or wrote go, as
 * committed, into a cache the store keeps across transactions
 * (store_pcache.c), and the next transaction that touches the person
 * starts from there instead of the database: the people real-time
 * furnishing touches again and again are loaded once.  People a
 * transaction created are not cached (a bulk load touches each once).
 */
#ifndef CR_STORE_TXN_H
#define CR_STORE_TXN_H

#include <stddef.h>
#include <stdint.h>

#include <rocksdb/c.h>

struct cr_store;
struct txn_cache;
struct kv_val;

/* One record of a person image: its whole key and value, and its state. */
enum { ST_CLEAN, ST_PUT, ST_DEL, ST_MISSING };
struct prec {
	const uint8_t *k;
	const uint8_t *v;
	uint32_t kn, vn;
	uint8_t state;
};

/* A person's committed records as the cache holds them (store_pcache.c):
 * sorted, every one ST_CLEAN; valid until the next pcache_put or trim.
 * The cache keeps no events: a person taken from it has none loaded. */
struct pcache_view {
	const struct prec *r;
	uint32_t n;
	uint8_t base_loaded;
};
struct pcache;
int pcache_new(size_t budget_bytes, struct pcache **out /* OUT */);
void pcache_free(struct pcache *pc);
int pcache_get(struct pcache *pc, uint64_t pid, struct pcache_view *out /* OUT */);
/* After a commit that wrote pid: replaces pid's entry with a copy of v
 * (deleted records and events dropped), or makes one when pid is admitted
 * (the second commit that touches pid while the cache remembers the
 * first).  CR_ENOMEM: pid has no entry any more; the cache is only an aid. */
int pcache_put(struct pcache *pc, uint64_t pid, const struct pcache_view *v);
/* Evicts the least recently used entries down to the budget. */
void pcache_trim(struct pcache *pc);
void pcache_stats(const struct pcache *pc, uint64_t *hits, uint64_t *misses, size_t *bytes);

/* Ids by keyed hash (a subject's pid, an account's id), kept for every
 * thread: once given an id never changes (store_pcache.c).  Thread-safe. */
struct idcache;
int idcache_new(size_t slots, struct idcache **out /* OUT */);
void idcache_free(struct idcache *ic);
int idcache_get(struct idcache *ic, const uint8_t *k, size_t kn, uint64_t *v /* OUT */);
void idcache_put(struct idcache *ic, const uint8_t *k, size_t kn, uint64_t v);

/* snap: a read transaction's snapshot, which every load reads; NULL for a
 * write transaction (it reads the newest state, and uses the store's
 * cache of committed images, which a snapshot may not). */
int txc_new(const rocksdb_snapshot_t *snap, struct txn_cache **out /* OUT */);
void txc_free(struct txn_cache *c);
/* Has the transaction written anything to the person family? */
int txc_person_dirty(const struct txn_cache *c);

/* Point reads and writes; the value of a read lives until the
 * transaction ends. */
int txc_get(struct cr_store *st, struct txn_cache *c, int cf, const uint8_t *k, size_t kn,
	    struct kv_val *out /* OUT */);
int txc_put(struct cr_store *st, struct txn_cache *c, int cf, const uint8_t *k, size_t kn,
	    const uint8_t *v, size_t vn);
int txc_del(struct cr_store *st, struct txn_cache *c, int cf, const uint8_t *k, size_t kn);
/* What a read of another record showed key k of family cf (not the person
 * family) holds, as if it had been read: kept unless the transaction has
 * k already.  Gone with the transaction, never written. */
int txc_note(struct txn_cache *c, int cf, const uint8_t *k, size_t kn, const uint8_t *v,
	     size_t vn);
/* Does the transaction hold an image of pid (read or written)?  And how
 * many records of pid it holds: 0 when none. */
int txc_person_held(const struct txn_cache *c, uint64_t pid);
size_t txc_person_records(const struct txn_cache *c, uint64_t pid);
/* A person created by this transaction: nothing of it is in the database. */
int txc_person_new(struct txn_cache *c, uint64_t pid);

/* Iteration over the records under a prefix (at least a pid for the
 * person family), from a key on; see kv_iter in store_int.h. */
struct txc_iter;
int txc_iter_open(struct cr_store *st, struct txn_cache *c, int cf, const uint8_t *prefix,
		  size_t pn, const uint8_t *from, size_t fn, struct txc_iter **out /* OUT */);
int txc_iter_valid(struct txc_iter *it);
const uint8_t *txc_iter_key(struct txc_iter *it, size_t *n /* OUT */);
const uint8_t *txc_iter_value(struct txc_iter *it, size_t *n /* OUT */);
void txc_iter_next(struct txc_iter *it);
int txc_iter_close(struct txc_iter *it);

/* Adds every write to wb, in key order per family. */
int txc_flush(struct cr_store *st, struct txn_cache *c, rocksdb_writebatch_t *wb);
/* After wb was written: the images go to the store's cache. */
void txc_committed(struct cr_store *st, struct txn_cache *c);

#endif
