/*
 * store_int.h - the LMDB store's internals shared by its files
 * (store_lmdb.c, store_webhook.c).  Not part of the store's interface.
 *
 * One enum names every LMDB sub-database; store_lmdb.c opens them all (its
 * db_defs table, in this order) and owns the environment, the keys and the
 * sealing; the other files add records of their own through the helpers
 * below, in the caller's transaction.
 */
#ifndef CR_STORE_INT_H
#define CR_STORE_INT_H

#include <lmdb.h>
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define CR_STORE_KEY_LEN 32

enum { DB_META, DB_INST, DB_ACCT, DB_SUBJ, DB_SUBJ_ACCT, DB_HIST, DB_CONSENT,
       DB_HELD, DB_INQUIRY, DB_DISPUTE, DB_SUBJ_DISPUTE, DB_REVISION, DB_APIKEY,
       DB_EVENT, DB_ACCT_EVENT, DB_ALERT, DB_ALERT_CFG, DB_WEBHOOK, DB_COUNT };

struct cr_store {
	MDB_env *env;
	MDB_dbi dbi[DB_COUNT];
	uint8_t pseudokey[CR_STORE_KEY_LEN]; /* keyed hash for IDs and account numbers */
	uint8_t datakey[CR_STORE_KEY_LEN];   /* AEAD key for identities and numbers */
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

/* Bytes a sealed value adds to its plaintext (nonce and tag). */
#define CR_STORE_SEAL_OVERHEAD (crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + \
				crypto_aead_xchacha20poly1305_ietf_ABYTES)

/* An LMDB or errno code as a CR_E* error. */
int cr_store__map_err(int rc);
/* Seals plain[0..n) under the data key, bound to ad, into out (n +
 * CR_STORE_SEAL_OVERHEAD bytes, returned). */
size_t cr_store__seal(const cr_store *st, const uint8_t *ad, size_t adn,
		      const uint8_t *plain, size_t n, uint8_t *out /* OUT */);
/* Opens a sealed value into plain (n - CR_STORE_SEAL_OVERHEAD bytes);
 * CR_ECORRUPT when it was altered or moved to another key. */
int cr_store__unseal(const cr_store *st, const uint8_t *ad, size_t adn,
		     const uint8_t *in, size_t n, uint8_t *plain /* OUT */,
		     size_t *plain_n /* OUT */);

#endif
