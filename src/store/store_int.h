/*
 * store_int.h - the store's internals shared by its files.  Not part of
 * the store's interface.
 *
 * The store is one file per family of records, each on this header:
 *
 *   store_rocks.c     the database, transactions, counters, keys, the
 *                     key-value layer and its walk (kv_*)
 *   store_txn.c       a transaction's view: person images and key caches
 *   store_pcache.c    committed person images and ids kept across
 *                     transactions
 *   store_codec.c     every byte layout (store_codec.h; hist_codec.c for
 *                     history years)
 *   store_person.c    a person: pid, identity and sealed secrets
 *   store_account.c   accounts           store_hist.c      history years
 *   store_state.c     kept account states
 *   store_consent.c   consent facts      store_held.c      held counts
 *   store_inquiry.c   inquiries          store_event.c     events
 *   store_dispute.c   disputes           store_revision.c  corrections
 *   store_inst.c      institutions       store_apikey.c    API keys
 *   store_alert.c     alerts             store_alertcfg.c  alert thresholds
 *   store_audit.c     audit head and pending lines
 *   store_webhook.c   webhooks
 *   store_product.c   products on a shelf   store_holding.c   holdings
 *   store_delist.c    delisting orders (docs/shelf.md)
 *
 * A family file checks its record type (cr_<type>_check, declared next to
 * the type in store.h or cr_record.h) before every write, with CR_ASSERT,
 * and after every read, where a failure is CR_ECORRUPT.

 *
 * The store is a RocksDB database (docs/storage.md) with one column family
 * per access pattern:
 *
 *   meta    small records read by key: the version, the store's sealed
 *           keys, counters, the audit head, institutions, API keys, alert
 *           thresholds, webhooks, dispute ids
 *   person  everything about one person under one key prefix, the person
 *           id (pid, u64 BE, assigned in order of first arrival): identity,
 *           accounts, history, consents, inquiries, events, disputes, ...
 *   index   the ways into person: subject key -> pid, (institution,
 *           account-number hash) -> account id, (institution, event-id
 *           hash) -> event; random keys, small values
 *   alert   alerts per receiving institution, in seq order
 *   audit   audit lines committed but not yet synced in audit.log
 *
 * The keys and values of each family are laid out in store_codec.h.
 *
 * Transactions.  A write transaction collects its writes in an indexed
 * write batch (its reads see them) and holds the store's writer mutex
 * until it commits or aborts: one writer at a time, as the interface
 * promises.  A read transaction reads a snapshot.  Another process may
 * open the store read-only while one holds it for writing.
 */
#ifndef CR_STORE_INT_H
#define CR_STORE_INT_H

#include <pthread.h>
#include <rocksdb/c.h>
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "store_codec.h"

#define CR_STORE_KEY_LEN 32

enum { CF_META, CF_PERSON, CF_INDEX, CF_ALERT, CF_AUDIT, CF_COUNT };

/* Counters kept in meta, cached in a write transaction and written once at
 * its commit.  The first group hands out ids; the second counts records
 * for cr_store_stats (deltas applied at commit). */
enum {
	CTR_PID, CTR_SEQ, CTR_DISPUTE, CTR_REVISION,
	CTR_MONTHS, CTR_HELD, CTR_SUBJECTS, CTR_ACCOUNTS, CTR_CONSENTS,
	CTR_INQUIRIES, CTR_EVENTS,
	CTR_COUNT
};

struct cr_store {
	rocksdb_t *db;
	rocksdb_column_family_handle_t *cf[CF_COUNT];
	rocksdb_options_t *opts;
	rocksdb_options_t *cf_opts[CF_COUNT];
	rocksdb_block_based_table_options_t *tbl[CF_COUNT];
	rocksdb_cache_t *cache;
	rocksdb_writeoptions_t *wo_sync;
	rocksdb_writeoptions_t *wo_async;
	rocksdb_readoptions_t *ro_latest;
	pthread_mutex_t write_mu;
	struct pcache *pcache;               /* committed person images (store_txn.h) */
	struct idcache *ids;                 /* pids and account ids by keyed hash */
	uint8_t pseudokey[CR_STORE_KEY_LEN]; /* keyed hash for IDs and account numbers */
	uint8_t datakey[CR_STORE_KEY_LEN];   /* AEAD key for identities and numbers */
	int rdonly;
	int bulk;                            /* CR_STORE_BULK */
	uint64_t version;                    /* the layout version it was opened at */
	char path[4096];
};

struct txn_cache;
struct secrets_memo;

struct cr_txn {
	cr_store *st;
	int write;
	struct txn_cache *cache;            /* write: reads and writes (store_txn.h) */
	const rocksdb_snapshot_t *snap;     /* read: the snapshot */
	rocksdb_readoptions_t *ro;          /* read: on the snapshot */
	int64_t ctr[CTR_COUNT];
	uint8_t ctr_loaded[CTR_COUNT];
	struct secrets_memo *secrets;       /* the last person's secrets, opened */
	/* The last person looked up by subject key (ingest asks many times). */
	int pid_cached;
	struct cr_subject_key pid_key;
	uint64_t pid;
};

/* A value read from the store: valid until kv_val_free (and, in a write
 * transaction, until the transaction ends). */
struct kv_val {
	const uint8_t *p;
	size_t n;
	rocksdb_pinnableslice_t *pin;
	char *owned;
};

/* Reads key k of cf in txn (a write transaction sees its own writes).
 * 0, CR_ENOTFOUND (out is empty), or CR_ESTORE.  Free out with kv_val_free
 * in every case. */
int kv_get(cr_txn *txn, int cf, const void *k, size_t kn, struct kv_val *out /* OUT */);
void kv_val_free(struct kv_val *v);
int kv_put(cr_txn *txn, int cf, const void *k, size_t kn, const void *v, size_t vn);
/* Puts v under k unless it is there already, byte for byte: KV_SAME (0,
 * nothing written), KV_CHANGED (an older value replaced), KV_NEW, or an
 * error.  For the families whose put answers "new or not". */
enum { KV_SAME = 0, KV_CHANGED = 1, KV_NEW = 2 };
int kv_put_changed(cr_txn *txn, int cf, const void *k, size_t kn, const void *v, size_t vn);
int kv_del(cr_txn *txn, int cf, const void *k, size_t kn);

/*
 * Walks.  Every loop over records goes through kv_walk: it positions a
 * cursor, calls fn for each record in key order and closes the cursor, so
 * no family file opens, steps or closes an iterator of its own.
 *
 * The callback gets the record in a kv_step and may steer the walk: set
 * end to stop after this record (the walk then returns 0, as at the end of
 * its range), or point seek at a key to go on from the first key >= it
 * instead of the next record (a skip-scan: database views only, see
 * kv_iter_seek).  A non-zero return stops the walk and is returned, so a
 * callback's own value or error reaches the caller unchanged.
 */
struct kv_step {
	const uint8_t *k;
	const uint8_t *v;
	size_t kn, vn;
	int end;               /* set by fn: stop after this record, return 0 */
	const uint8_t *seek;   /* set by fn: go on from the first key >= seek */
	size_t seek_n;
};
typedef int (*kv_walk_fn)(struct kv_step *s, void *arg);

/*
 * Calls cb for each record of cf whose key starts with prefix[0..pn) (pn
 * 0: every record of cf), in key order, from the first key >= from[0..fromn)
 * (from NULL: the start of the prefix), as txn sees them: a write
 * transaction sees its own writes and deletions in place (read your
 * writes), merged with the database in key order.  The keys and values cb
 * gets are valid until it returns.  Returns cb's first non-zero value, or
 * a store error (CR_ESTORE and the like) if the cursor failed, else 0.  In
 * a write transaction a walk of the person family needs at least a pid as
 * prefix, or it reads the database alone (and may only run before the
 * transaction writes to that family: an assertion holds it to that).
 */
int kv_walk(cr_txn *txn, int cf, const void *prefix, size_t pn, const void *from,
	    size_t fromn, kv_walk_fn cb, void *arg);
/* The same walk over the database itself, under no transaction: as of snap
 * (NULL: the newest state).  For store_txn.c, which loads a transaction's
 * view from it. */
/* kv_walk over one tag of a person (pn >= PK_LEN: pid and tag) that, in
 * a read transaction holding nothing of the person, reads the snapshot
 * alone instead of loading the whole person: a request's consent check
 * reads the consents and nothing else of the file, so a refusal takes as
 * long for a large file as for a small one, or none.  A write transaction
 * (the committer, which goes on to read the person anyway) walks as
 * kv_walk does. */
int kv_walk_apart(cr_txn *txn, const void *prefix, size_t pn, kv_walk_fn cb, void *arg);
int kv_walk_db(cr_store *st, const rocksdb_snapshot_t *snap, int cf, const void *prefix,
	       size_t pn, kv_walk_fn cb, void *arg);
/* The same from key from[0..fn) on (from NULL: the first). */
int kv_walk_db_from(cr_store *st, const rocksdb_snapshot_t *snap, int cf, const void *prefix,
		    size_t pn, const void *from, size_t fn, kv_walk_fn cb, void *arg);

/*
 * The cursor under kv_walk: an iterator over the keys of cf starting with a
 * prefix.  Family files walk with kv_walk; store_txn.c uses a database
 * cursor to merge a transaction's writes with the database.
 */
struct txc_iter;
struct kv_iter {
	struct txc_iter *tx;     /* a write transaction's view */
	rocksdb_iterator_t *it;  /* else the database's */
	rocksdb_readoptions_t *ro;
	uint8_t upper[64];
	size_t upper_n;
	uint8_t prefix[64];
	size_t prefix_n;
};
/* Positions it at the first key >= from (NULL: the prefix itself) that
 * starts with prefix (pn 0: every key of cf), in txn's view (see kv_walk). */
int kv_iter_open(cr_txn *txn, int cf, const void *prefix, size_t pn,
		 const void *from, size_t fn, struct kv_iter *it /* OUT */);
/* The same on the database as of snap (NULL: the newest state). */
int kv_iter_open_db(cr_store *st, const rocksdb_snapshot_t *snap, int cf,
		    const void *prefix, size_t pn, const void *from, size_t fn,
		    struct kv_iter *it /* OUT */);
/* Is the iterator on a key within its prefix? */
int kv_iter_valid(struct kv_iter *it);
const uint8_t *kv_iter_key(struct kv_iter *it, size_t *n /* OUT */);
const uint8_t *kv_iter_value(struct kv_iter *it, size_t *n /* OUT */);
void kv_iter_next(struct kv_iter *it);
/* Moves it to the first key >= k (within the prefix, or past it): on a
 * database cursor only (a write transaction's merged view cannot seek). */
void kv_iter_seek(struct kv_iter *it, const void *k, size_t kn);
/* A store error if the cursor stopped on one, else 0; frees the iterator
 * (and is safe on one whose open failed). */
int kv_iter_close(struct kv_iter *it);

/* Counters (the enum above): the value now in txn, and an update. */
int ctr_get(cr_txn *txn, int ctr, int64_t *out /* OUT */);
int ctr_add(cr_txn *txn, int ctr, int64_t delta);
/* Hands out the next id of an id counter (CTR_PID .. CTR_REVISION). */
int ctr_next(cr_txn *txn, int ctr, uint64_t *out /* OUT */);

/* A u64 under a name in meta (alert sequences). */
int meta_get_u64(cr_txn *txn, const char *name, uint64_t *out /* OUT */);
int meta_put_u64(cr_txn *txn, const char *name, uint64_t x);

/* Bytes a sealed value adds to its plaintext (nonce and tag). */
#define CR_STORE_SEAL_OVERHEAD (crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + \
				crypto_aead_xchacha20poly1305_ietf_ABYTES)

/* Seals plain[0..n) under the data key, bound to ad, into out (n +
 * CR_STORE_SEAL_OVERHEAD bytes, returned). */
size_t cr_store__seal(const cr_store *st, const uint8_t *ad, size_t adn,
		      const uint8_t *plain, size_t n, uint8_t *out /* OUT */);
/* Opens a sealed value into plain (n - CR_STORE_SEAL_OVERHEAD bytes);
 * CR_ECORRUPT when it was altered or moved to another key. */
int cr_store__unseal(const cr_store *st, const uint8_t *ad, size_t adn,
		     const uint8_t *in, size_t n, uint8_t *plain /* OUT */,
		     size_t *plain_n /* OUT */);

/* ---- a person (store_person.c) ---------------------------------------- */

/* The pid of subject k: 0 and *pid set, or CR_ENOTFOUND. */
int person_pid(cr_txn *txn, const struct cr_subject_key *k, uint64_t *pid /* OUT */);
/* The same, creating the person (a new pid and its index entry) when new. */
int person_pid_make(cr_txn *txn, const struct cr_subject_key *k, uint64_t *pid /* OUT */);
/* The subject key of pid, from its '@' record (CR_ECORRUPT when it has
 * none: every pid has one). */
int person_subject(cr_txn *txn, uint64_t pid, struct cr_subject_key *out /* OUT */);
/* kv_walk over the records of one tag of subject k's person, from the
 * first whose key after the tag is >= from[0..fromn) (from NULL: all;
 * fromn at most 16).  0 without calling cb when the person is unknown. */
int person_walk(cr_txn *txn, const struct cr_subject_key *k, uint8_t tag, const uint8_t *from,
		size_t fromn, kv_walk_fn cb, void *arg);

/* A person's secrets, opened: the sealed part of their '@' record
 * (store_codec.h, "A person's secrets").  The plaintext is wiped and freed
 * by person_secrets_free, also on an empty struct. */
struct secrets {
	uint8_t *plain;   /* malloc'd */
	size_t n;
	struct cr_secrets_index x;
};
void person_secrets_free(struct secrets *s);
/* pid's secrets into s, a copy the caller frees: from the transaction's
 * memo of the last person, else read and opened (and kept in the memo). */
int person_secrets_load(cr_txn *txn, uint64_t pid, const struct cr_subject_key *k,
			struct secrets *s /* OUT */);
/* Opens the secrets of subject k from the value v[0..vn) of its '@' record
 * (a value of the subject key alone: no secrets yet). */
int person_secrets_open(cr_txn *txn, const struct cr_subject_key *k, const uint8_t *v,
			size_t vn, struct secrets *s /* OUT */);
/* The secrets old of pid with account n's number added, kept in the memo
 * and sealed into pid '@' when the transaction moves on or commits. */
int person_secrets_add_number(cr_txn *txn, uint64_t pid, const struct cr_subject_key *k,
			      const struct secrets *old, unsigned n, const char *number);
/* The person's secrets a transaction changed are sealed into their record
 * at commit (flush); drop wipes the opened ones when it ends. */
int person_secrets_flush(cr_txn *txn);
void person_secrets_drop(cr_txn *txn);

/* Forgets the kept state of an account whose data changed (store.h;
 * store_state.c). */
int cr_store_state_forget(cr_txn *txn, uint64_t acct_id);

/* Walks every key and value the store holds, in every column family, as
 * the engine's own reader returns them: for tests that prove nothing
 * personal is kept in the clear (DESIGN.md rule 5). */
int cr_store__walk_raw(cr_store *st,
		       int (*fn)(int cf, const uint8_t *k, size_t kn,
				 const uint8_t *v, size_t vn, void *arg),
		       void *arg);

#endif
