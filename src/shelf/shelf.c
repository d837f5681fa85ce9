/*
 * shelf.c - the shelf's rule (shelf.h, docs/shelf.md): offered are a
 * platform's products no effective order names; held are the person's
 * live holdings, whatever the orders.  Orders are few (one per
 * supervisory decision), so an answer loads them all and tests each
 * product against each.
 */
#include "shelf.h"

#include <stdlib.h>
#include <string.h>

#include "cr_date.h"
#include "cr_err.h"
#include "utf8.h"

static int keep_order(const struct cr_delist *d, void *arg)
{
	struct cr_shelf_orders *o = arg;
	if (o->n == o->cap) {
		const size_t cap = o->cap ? o->cap * 2 : 16;
		struct cr_delist *nd = realloc(o->d, cap * sizeof *nd);
		if (!nd)
			return CR_ENOMEM;
		o->d = nd;
		o->cap = cap;
	}
	o->d[o->n++] = *d;
	return 0;
}

int cr_shelf_orders_load(cr_txn *txn, struct cr_shelf_orders *o)
{
	memset(o, 0, sizeof *o);
	int rc = cr_store_delists(txn, keep_order, o);
	if (rc)
		cr_shelf_orders_free(o);
	return rc;
}

void cr_shelf_orders_free(struct cr_shelf_orders *o)
{
	free(o->d);
	memset(o, 0, sizeof *o);
}

static int names(const struct cr_delist *d, const struct cr_product_rec *p)
{
	if (strcmp(d->platform, p->platform) != 0)
		return 0;
	if (d->what == CR_DELIST_PRODUCT)
		return strcmp(d->product, p->code) == 0;
	return d->what == CR_DELIST_CATEGORY && d->category == p->category;
}

int cr_shelf_is_delisted(const struct cr_shelf_orders *o, const struct cr_product_rec *p,
			 int32_t asof_days)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->d[i].effective_days <= asof_days && names(&o->d[i], p))
			return 1;
	return 0;
}

struct build {
	cr_txn *txn;
	const char *platform;
	const struct cr_shelf_orders *o;
	struct cr_shelf *s;
};

static int offer(const struct cr_product_rec *p, void *arg)
{
	struct build *b = arg;
	if (cr_shelf_is_delisted(b->o, p, b->s->asof_days))
		return 0;
	if (b->s->n_offered == CR_SHELF_MAX) {
		b->s->truncated = 1;
		return 0;
	}
	struct cr_shelf_item *it = &b->s->offered[b->s->n_offered++];
	it->p = *p;
	it->delisted = 0;
	it->since_days = it->until_days = CR_NO_DATE;
	return 0;
}

static int hold(const struct cr_holding *h, void *arg)
{
	struct build *b = arg;
	const int32_t at = b->s->asof_days;
	if ((b->platform[0] && strcmp(h->platform, b->platform) != 0) || h->since_days > at ||
	    (h->until_days != CR_NO_DATE && h->until_days <= at))
		return 0;
	struct cr_shelf *s = b->s;
	struct cr_shelf_item *it = &s->held[s->n_held];
	s->n_held_total++;
	if (s->n_held == CR_SHELF_MAX) {
		/* Full: the newest holdings stay, the oldest makes room. */
		s->truncated = 1;
		it = &s->held[0];
		for (size_t i = 1; i < s->n_held; i++)
			if (s->held[i].since_days < it->since_days)
				it = &s->held[i];
		if (h->since_days <= it->since_days)
			return 0;
	} else {
		s->n_held++;
	}
	int rc = cr_store_product_get(b->txn, h->platform, h->product, &it->p);
	if (rc)
		return rc == CR_ENOTFOUND ? CR_ECORRUPT : rc;
	it->delisted = cr_shelf_is_delisted(b->o, &it->p, at);
	it->since_days = h->since_days;
	it->until_days = h->until_days;
	return 0;
}

static int by_code(const void *pa, const void *pb)
{
	const struct cr_shelf_item *a = pa, *b = pb;
	const int c = strcmp(a->p.platform, b->p.platform);
	return c ? c : strcmp(a->p.code, b->p.code);
}

int cr_shelf_build(cr_txn *txn, const struct cr_subject_key *k, const char *platform,
		   int32_t asof_days, struct cr_shelf *out)
{
	struct cr_shelf_orders o;
	out->asof_days = asof_days;
	out->n_offered = out->n_held = out->n_held_total = 0;
	out->truncated = 0;
	int rc = cr_shelf_orders_load(txn, &o);
	if (rc)
		return rc;
	struct build b = {txn, platform, &o, out};
	rc = cr_store_products(txn, platform, offer, &b);
	if (!rc)
		rc = cr_store_holdings(txn, k, hold, &b);
	/* A cut list was filled out of order: back to (platform, code). */
	if (!rc && out->n_held_total > out->n_held)
		qsort(out->held, out->n_held, sizeof out->held[0], by_code);
	cr_shelf_orders_free(&o);
	return rc;
}

static int check_target(cr_txn *txn, const struct cr_delist *d, const char **why)
{
	struct cr_institution in;
	struct cr_product_rec p;
	int rc = cr_store_inst_get(txn, d->platform, &in);
	if (rc == CR_ENOTFOUND)
		*why = "platform: not a known institution";
	if (rc)
		return rc;
	if (d->what == CR_DELIST_CATEGORY)
		return d->category >= 1 && d->category <= CR_CAT_COUNT ? 0 :
		       (*why = "category: not a known category", CR_EINVAL);
	if (d->what != CR_DELIST_PRODUCT)
		return *why = "name a product, or a platform and a category", CR_EINVAL;
	rc = cr_store_product_get(txn, d->platform, d->product, &p);
	if (rc == CR_ENOTFOUND)
		*why = "product: not a product of this platform";
	return rc;
}

int cr_shelf_delist(cr_txn *txn, struct cr_delist *d, int32_t asof_days, const char **why)
{
	const size_t len = strnlen(d->reason, sizeof d->reason);
	*why = NULL;
	if (len == 0 || len >= sizeof d->reason || !cr_utf8_valid(d->reason, len))
		return *why = "reason: UTF-8 text of 1 to 255 bytes is required", CR_EINVAL;
	if (!cr_days_valid(d->effective_days) || d->effective_days < asof_days)
		return *why = "effective: a date on or after the order's date is required",
		       CR_EINVAL;
	int rc = check_target(txn, d, why);
	if (rc)
		return rc;
	d->ordered_days = asof_days;
	return cr_store_delist_add(txn, d);
}

struct find {
	const char *code;
	char *platform;
	int n;
};

static int match_code(const struct cr_product_rec *p, void *arg)
{
	struct find *f = arg;
	if (strcmp(p->code, f->code) != 0)
		return 0;
	if (f->n++ == 0)
		memcpy(f->platform, p->platform, sizeof p->platform);
	return 0;
}

int cr_shelf_product_platform(cr_txn *txn, const char *code,
			      char platform[CR_INST_CODE_MAX + 1], const char **why)
{
	struct find f = {code, platform, 0};
	int rc = cr_store_products(txn, "", match_code, &f);
	if (rc)
		return rc;
	if (f.n == 0)
		return *why = "product: no platform has a product of this code", CR_ENOTFOUND;
	if (f.n > 1)
		return *why = "product: several platforms have this code; name the platform",
		       CR_EINVAL;
	return 0;
}
