/*
 * store_state.c - kept account states: pid 'S' n -> an account's state as
 * the current module last derived it (current.h).  The bytes are that
 * module's; the store keeps them, up to CR_STORE_STATE_MAX, and forgets
 * them whenever the account's record, history or events change.
 */
#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

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
