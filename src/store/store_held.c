/*
 * store_held.c - held-record counts: pid 'X' institution -> a count (u64
 * BE) of the records an institution furnished about the person without a
 * live furnish consent (DESIGN.md rule 2).  The data itself is stored as
 * usual and hidden by the readers; the count is what a later grant
 * releases (cr_store_held_take), and the store-wide total is CTR_HELD.
 */
#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

/* A stored count: at least one record is held (a count that reaches 0 is
 * deleted), and the store-wide counter, an int64_t, can take it. */
static int count_ok(uint64_t count)
{
	return count > 0 && count <= INT64_MAX;
}

/* The stored count v, checked. */
static int count_read(const struct kv_val *v, uint64_t *count)
{
	if (v->n != 8 || !count_ok(cr_get_u64be(v->p)))
		return CR_ECORRUPT;
	*count = cr_get_u64be(v->p);
	return 0;
}

int cr_store_held_add(cr_txn *txn, const struct cr_subject_key *k,
		      const char *inst, uint64_t delta)
{
	uint8_t kb[CR_KEY_HELD_MAX], vb[8];
	uint64_t pid, count = 0;
	struct kv_val v = {0};
	CR_ASSERT(cr_str_fits(inst, CR_INST_CODE_MAX + 1, 1));
	CR_ASSERT(count_ok(delta));
	int rc = person_pid_make(txn, k, &pid);
	if (rc)
		return rc;
	const size_t kn = cr_key_held(pid, inst, kb);
	rc = kv_get(txn, CF_PERSON, kb, kn, &v);
	if (rc == 0)
		rc = count_read(&v, &count);
	else if (rc == CR_ENOTFOUND)
		rc = 0;
	kv_val_free(&v);
	if (!rc)
		rc = ctr_add(txn, CTR_HELD, (int64_t)delta);
	if (rc)
		return rc;
	CR_ASSERT(count_ok(count + delta));
	cr_put_u64be(vb, count + delta);
	return kv_put(txn, CF_PERSON, kb, kn, vb, 8);
}

int cr_store_held_take(cr_txn *txn, const struct cr_subject_key *k,
		       const char *inst, uint64_t *count)
{
	uint8_t kb[CR_KEY_HELD_MAX];
	uint64_t pid;
	struct kv_val v = {0};
	*count = 0;
	int rc = person_pid(txn, k, &pid);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	const size_t kn = cr_key_held(pid, inst, kb);
	rc = kv_get(txn, CF_PERSON, kb, kn, &v);
	if (!rc)
		rc = count_read(&v, count);
	kv_val_free(&v);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	if ((rc = ctr_add(txn, CTR_HELD, -(int64_t)*count)))
		return rc;
	return kv_del(txn, CF_PERSON, kb, kn);
}
