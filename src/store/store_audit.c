/*
 * store_audit.c - what the audit trail (audit.h) keeps in the store, in
 * the same transactions as the accesses it records: the head (meta
 * "audit_head": seq, hash and the audit module's MAC, opaque here) and the
 * lines written to audit.log but not yet synced there (column family
 * audit: seq -> the line, newline included), dropped once the file is
 * synced past them.
 */
#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

int cr_audit_head_check(const struct cr_audit_head *h)
{
	return h->seq ? 0 : CR_EINVAL;
}

int cr_store_audit_head_put(cr_txn *txn, const struct cr_audit_head *h)
{
	uint8_t b[CR_AUDIT_HEAD_LEN];
	CR_ASSERT(cr_audit_head_check(h) == 0);
	cr_audit_head_encode(h, b);
	return kv_put(txn, CF_META, "audit_head", 10, b, sizeof b);
}

int cr_store_audit_head_get(cr_txn *txn, struct cr_audit_head *out)
{
	struct kv_val v = {0};
	int rc = kv_get(txn, CF_META, "audit_head", 10, &v);
	if (!rc)
		rc = cr_audit_head_decode(v.p, v.n, out);
	if (!rc && cr_audit_head_check(out))
		rc = CR_ECORRUPT;
	kv_val_free(&v);
	return rc;
}

/* audit: seq (u64 BE) -> the line, newline included. */
int cr_store_audit_pending_put(cr_txn *txn, uint64_t seq, const char *line, size_t n)
{
	uint8_t kb[CR_KEY_AUDIT_LEN];
	CR_ASSERT(seq != 0);
	CR_ASSERT(n > 0 && n <= CR_AUDIT_LINE_MAX + 1);
	cr_key_audit(seq, kb);
	return kv_put(txn, CF_AUDIT, kb, sizeof kb, line, n);
}

int cr_store_audit_pending_get(cr_txn *txn, uint64_t seq, char *buf, size_t cap,
			       size_t *n)
{
	uint8_t kb[CR_KEY_AUDIT_LEN];
	struct kv_val v = {0};
	cr_key_audit(seq, kb);
	int rc = kv_get(txn, CF_AUDIT, kb, sizeof kb, &v);
	if (!rc && v.n > cap)
		rc = CR_ECORRUPT;
	if (!rc) {
		memcpy(buf, v.p, v.n);
		*n = v.n;
	}
	kv_val_free(&v);
	return rc;
}

struct drop_walk {
	cr_txn *txn;
	uint64_t upto;
};

/* Deletes the line a walk is on, up to the last one to drop. */
static int drop_line(struct kv_step *s, void *arg)
{
	const struct drop_walk *w = arg;
	uint8_t kb[CR_KEY_AUDIT_LEN];
	if (s->kn != CR_KEY_AUDIT_LEN)
		return CR_ECORRUPT;
	if (cr_get_u64be(s->k) > w->upto) {
		s->end = 1;
		return 0;
	}
	memcpy(kb, s->k, sizeof kb);
	return kv_del(w->txn, CF_AUDIT, kb, sizeof kb);
}

/* The walk starts after the lines already dropped: each deletion leaves a
 * tombstone until compaction removes it, and a walk from the family's
 * first key stepped over every one of them, a cost that grew with the
 * traffic since the last compaction (the soak's falling rate). */
int cr_store_audit_pending_drop(cr_txn *txn, uint64_t after, uint64_t upto)
{
	uint8_t from[CR_KEY_AUDIT_LEN];
	struct drop_walk w = {txn, upto};
	cr_key_audit(after + 1, from);
	return kv_walk(txn, CF_AUDIT, NULL, 0, from, sizeof from, drop_line, &w);
}
