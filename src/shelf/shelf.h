/*
 * shelf.h - the product shelf (docs/shelf.md): what a platform offers a
 * person and what the person holds, under a supervisor's delisting orders.
 *
 * The rule.  At a date, a product is delisted when an order naming it (or
 * its platform and category) is effective on or before that date.  A
 * person is offered the products of a platform that are not delisted;
 * they hold the products of their holdings live at the date (since on or
 * before it, until after it or none), shown whatever the delisting, each
 * marked delisted or not.  A delisted product is offered to nobody, and
 * a holder keeps seeing it under what they hold.
 *
 * Like every domain module, this one works inside the transaction it is
 * given and writes no audit entry (src/ops/op_shelf.c does).
 */
#ifndef CR_SHELF_H
#define CR_SHELF_H

#include <stddef.h>
#include <stdint.h>

#include "cr_record.h"
#include "store.h"

/* One line of a shelf: the product and, for a held one, the holding. */
struct cr_shelf_item {
	struct cr_product_rec p;
	int delisted;        /* delisted at the date */
	int32_t since_days;  /* held: the holding's dates; else CR_NO_DATE */
	int32_t until_days;
};

/* A person's shelf at a date.  Lists longer than CR_SHELF_MAX are cut
 * (truncated set): the offered in code order, the held keeping the newest
 * holdings (by since), of n_held_total. */
struct cr_shelf {
	int32_t asof_days;
	size_t n_offered, n_held, n_held_total;
	int truncated;
	struct cr_shelf_item offered[CR_SHELF_MAX];
	struct cr_shelf_item held[CR_SHELF_MAX];
};

/* Delisting orders, loaded once per answer (cr_shelf_orders_load; free
 * with cr_shelf_orders_free). */
struct cr_shelf_orders {
	size_t n, cap;
	struct cr_delist *d;
};
int cr_shelf_orders_load(cr_txn *txn, struct cr_shelf_orders *o /* OUT */);
void cr_shelf_orders_free(struct cr_shelf_orders *o);

/* Does an order of o effective on or before asof_days take p off the
 * shelf?  1 when it does. */
int cr_shelf_is_delisted(const struct cr_shelf_orders *o, const struct cr_product_rec *p,
			 int32_t asof_days);

/*
 * Builds subject k's shelf at asof_days: the products of platform ("":
 * of every platform) not delisted, and k's live holdings of that platform
 * (every platform's for ""), each with its product.  Returns 0 or a
 * store error (CR_ECORRUPT for a holding of a product the store lacks).
 */
int cr_shelf_build(cr_txn *txn, const struct cr_subject_key *k, const char *platform,
		   int32_t asof_days, struct cr_shelf *out /* OUT */);

/*
 * Checks and stores a delisting order d (seq, ordered date filled here):
 * the platform a known institution, the product (a product order) one of
 * its products, the effective date not before asof_days (an order reaches
 * no answer already given), a reason of UTF-8 text.  Returns 0, CR_EINVAL
 * or CR_ENOTFOUND with *why set, or a store error.
 */
int cr_shelf_delist(cr_txn *txn, struct cr_delist *d /* IN/OUT */, int32_t asof_days,
		    const char **why /* OUT */);

/* The platform of the one product coded code, into platform.  0, or
 * CR_ENOTFOUND (no such product) or CR_EINVAL (several platforms have
 * one) with *why set, or a store error. */
int cr_shelf_product_platform(cr_txn *txn, const char *code,
			      char platform[CR_INST_CODE_MAX + 1] /* OUT */, const char **why);

struct cr_buf;
/*
 * Appends s as the JSON object of docs/api.md ("GET /v1/shelf"):
 * {"as_of": DATE, "offered": [PRODUCT...], "held": [PRODUCT with "since",
 * "until" (null while held) and "delisted"...], "truncated": BOOL}, a
 * PRODUCT being {"platform", "code", "issuer", "category", "licence",
 * "name"}.  0 or CR_ENOMEM / CR_ETOOBIG.
 */
int cr_shelf_render_json(const struct cr_shelf *s, struct cr_buf *b);

#endif
