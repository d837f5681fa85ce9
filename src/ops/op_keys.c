/* op_keys.c - API keys and the master key: issue, revoke, list, rotate. */
#include "ops.h"

#include <string.h>

#include "cr_err.h"

int cr_keys_add(struct cr_op *op, const struct cr_key_request *q,
		char token[CR_APIKEY_TOKEN_LEN + 1], struct cr_apikey *out)
{
	const char *why = NULL;
	int rc = cr_apikey_issue(op->st, op->txn, q->role, q->inst, q->id, op->now, token,
				 out, &why);
	if (rc == CR_EINVAL) {
		op->why = why ? why : "bad key request";
		return rc;
	}
	return rc ? rc : cr_op_audit_key(op, CR_ACT_KEY_ADD, out);
}

int cr_keys_revoke(struct cr_op *op, const char *key_id, struct cr_apikey *out)
{
	int rc = cr_store_apikey_get(op->txn, key_id, out);
	if (rc == CR_ENOTFOUND)
		op->why = "no such key";
	if (!rc)
		rc = cr_apikey_revoke(op->txn, key_id, op->now);
	return rc ? rc : cr_op_audit_key(op, CR_ACT_KEY_REVOKE, out);
}

int cr_keys_list(struct cr_op *op, int (*fn)(const struct cr_apikey *k, void *arg), void *arg)
{
	return cr_store_apikeys(op->txn, fn, arg);
}

/* The rotation rewrites the store's sealed secrets and its key file: not
 * one transaction, so its entry is recorded after it, refused or not. */
int cr_keys_rotate(struct cr_op *op, const char *key_file)
{
	const char *why = NULL;
	int rc = cr_store_rotate_key(op->st, key_file, &why);
	op->txn = NULL;
	op->batch = NULL;
	int arc = cr_op_audit(op, CR_ACT_KEYS_ROTATE, NULL, 0,
			      rc ? CR_AUDIT_REFUSED : CR_AUDIT_GRANTED, NULL);
	if (rc) {
		op->why = why;
		return rc;
	}
	if (arc)
		op->why = "the key was rotated but its audit entry failed";
	return arc;
}
