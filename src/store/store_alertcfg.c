/*
 * store_alertcfg.c - an institution's alert thresholds: meta 0x03 code ->
 * exposure percentage, exposure minimum, inquiries (store_codec.h).  An
 * institution that set none gets the defaults of alert.h.
 */
#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

int cr_alert_config_check(const struct cr_alert_config *c)
{
	if (c->exposure_pct < 0 || c->exposure_pct > CR_ALERT_EXPOSURE_PCT_MAX)
		return CR_EINVAL;
	if (c->exposure_min < 0 || c->exposure_min > CR_AMOUNT_MAX)
		return CR_EINVAL;
	return c->inquiries < 1 || c->inquiries > CR_ALERT_INQUIRIES_MAX ? CR_EINVAL : 0;
}

int cr_store_alert_config_put(cr_txn *txn, const char *inst,
			      const struct cr_alert_config *cfg)
{
	uint8_t vb[CR_ALERT_CFG_LEN], kb[1 + CR_INST_CODE_MAX];
	CR_ASSERT(cr_alert_config_check(cfg) == 0);
	cr_alert_config_encode(cfg, vb);
	return kv_put(txn, CF_META, kb, cr_key_meta(MK_ALERT_CFG, inst, CR_INST_CODE_MAX, kb),
		      vb, sizeof vb);
}

int cr_store_alert_config_get(cr_txn *txn, const char *inst,
			      struct cr_alert_config *out)
{
	uint8_t kb[1 + CR_INST_CODE_MAX];
	struct kv_val v = {0};
	int rc = kv_get(txn, CF_META, kb, cr_key_meta(MK_ALERT_CFG, inst, CR_INST_CODE_MAX, kb),
			&v);
	if (!rc)
		rc = cr_alert_config_decode(v.p, v.n, out);
	if (!rc && cr_alert_config_check(out))
		rc = CR_ECORRUPT;
	kv_val_free(&v);
	return rc;
}
