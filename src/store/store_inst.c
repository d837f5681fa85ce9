/*
 * store_inst.c - institutions: meta 0x01 code -> kind, name.  The store
 * counts them in the meta value "n_institutions" for creditref stats.
 */
#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

int cr_store_inst_get(cr_txn *txn, const char *code, struct cr_institution *out)
{
	uint8_t kb[1 + CR_INST_CODE_MAX];
	struct kv_val v = {0};
	if (strlen(code) > CR_INST_CODE_MAX)
		return CR_ENOTFOUND;
	int rc = kv_get(txn, CF_META, kb, cr_key_meta(MK_INST, code, CR_INST_CODE_MAX, kb), &v);
	if (!rc)
		rc = cr_inst_decode(code, v.p, v.n, out);
	if (!rc && cr_institution_check(out))
		rc = CR_ECORRUPT;
	kv_val_free(&v);
	return rc;
}

int cr_store_inst_put(cr_txn *txn, const struct cr_institution *in)
{
	uint8_t kb[1 + CR_INST_CODE_MAX], buf[CR_INST_ENC_MAX];
	CR_ASSERT(cr_institution_check(in) == 0);
	const size_t n = cr_inst_encode(in, buf), kn = cr_key_meta(MK_INST, in->code,
								 CR_INST_CODE_MAX, kb);
	int rc = kv_put_changed(txn, CF_META, kb, kn, buf, n);
	if (rc == KV_NEW) {
		uint64_t count;
		if ((rc = meta_get_u64(txn, "n_institutions", &count)) ||
		    (rc = meta_put_u64(txn, "n_institutions", count + 1)))
			return rc;
		rc = KV_CHANGED;
	}
	return rc < 0 ? rc : rc != KV_SAME;
}
