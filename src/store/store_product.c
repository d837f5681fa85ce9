/*
 * store_product.c - products on the shelf: meta 0x08 platform NUL code ->
 * issuer, category, licence, name (store_codec.h).  A platform's products
 * are one range of meta, so the shelf of a platform is one walk.
 */
#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

/* The product at key k[0..kn) with value v[0..vn), checked. */
static int product_read(const uint8_t *k, size_t kn, const uint8_t *v, size_t vn,
			struct cr_product_rec *out)
{
	memset(out, 0, sizeof *out);
	int rc = cr_key_product_parse(k, kn, out->platform, out->code);
	if (!rc)
		rc = cr_product_decode(v, vn, out);
	if (!rc && cr_product_check(out))
		rc = CR_ECORRUPT;
	return rc;
}

int cr_store_product_get(cr_txn *txn, const char *platform, const char *code,
			 struct cr_product_rec *out)
{
	uint8_t kb[CR_KEY_PRODUCT_MAX];
	struct kv_val v = {0};
	if (!cr_str_fits(platform, CR_INST_CODE_MAX + 1, 1) ||
	    !cr_str_fits(code, CR_PRODUCT_CODE_MAX + 1, 1))
		return CR_ENOTFOUND;
	const size_t kn = cr_key_product(platform, code, kb);
	int rc = kv_get(txn, CF_META, kb, kn, &v);
	if (!rc)
		rc = product_read(kb, kn, v.p, v.n, out);
	kv_val_free(&v);
	return rc;
}

int cr_store_product_put(cr_txn *txn, const struct cr_product_rec *p)
{
	uint8_t kb[CR_KEY_PRODUCT_MAX], buf[CR_PRODUCT_ENC_MAX];
	CR_ASSERT(cr_product_check(p) == 0);
	const size_t kn = cr_key_product(p->platform, p->code, kb);
	const size_t n = cr_product_encode(p, buf);
	int rc = kv_put_changed(txn, CF_META, kb, kn, buf, n);
	return rc < 0 ? rc : rc != KV_SAME;
}

struct product_walk {
	int (*fn)(const struct cr_product_rec *p, void *arg);
	void *arg;
};

static int each_product(struct kv_step *s, void *arg)
{
	const struct product_walk *w = arg;
	struct cr_product_rec p;
	int rc = product_read(s->k, s->kn, s->v, s->vn, &p);
	return rc ? rc : w->fn(&p, w->arg);
}

int cr_store_products(cr_txn *txn, const char *platform,
		      int (*fn)(const struct cr_product_rec *p, void *arg), void *arg)
{
	uint8_t kb[CR_KEY_PRODUCT_MAX];
	struct product_walk w = {fn, arg};
	if (strnlen(platform, CR_INST_CODE_MAX + 1) > CR_INST_CODE_MAX)
		return 0;
	const size_t kn = cr_key_product(platform, "", kb);
	return kv_walk(txn, CF_META, kb, kn, NULL, 0, each_product, &w);
}
