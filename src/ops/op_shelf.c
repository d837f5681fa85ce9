/*
 * op_shelf.c - the shelf's acts (docs/shelf.md): a supervisor orders
 * products off a shelf; a platform or the person asks what the person is
 * offered and holds.  shelf.h holds the rule; this file decides who may
 * act and audits every order and every answer, granted or refused.
 */
#include "ops.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "consent.h"
#include "cr_err.h"
#include "shelf.h"

/* Copies src into dst (cap bytes): 0, or CR_EINVAL when it is not a code
 * (cr_inst_code_valid: platforms and products alike) or does not fit. */
static int copy_code(char *dst, size_t cap, const char *src)
{
	const size_t n = src ? strlen(src) : 0;
	if (n >= cap || !cr_inst_code_valid(src, n))
		return CR_EINVAL;
	memcpy(dst, src, n + 1);
	return 0;
}

/* The order q asks for, into d; CR_EINVAL with op->why on a bad one. */
static int order_of(struct cr_op *op, const struct cr_delist_request *q, struct cr_delist *d)
{
	const size_t rn = q->reason ? strlen(q->reason) : 0;
	memset(d, 0, sizeof *d);
	d->effective_days = q->effective_days;
	snprintf(d->by, sizeof d->by, "%s", op->inst);
	if (rn == 0 || rn >= sizeof d->reason)
		return op->why = "reason: UTF-8 text of 1 to 255 bytes is required", CR_EINVAL;
	memcpy(d->reason, q->reason, rn + 1);
	if (q->product && q->category)
		return op->why = "name a product or a category, not both", CR_EINVAL;
	if (q->platform && copy_code(d->platform, sizeof d->platform, q->platform))
		return op->why = "platform: not an institution code", CR_EINVAL;
	if (q->product) {
		d->what = CR_DELIST_PRODUCT;
		if (copy_code(d->product, sizeof d->product, q->product))
			return op->why = "product: not a product code", CR_EINVAL;
		if (!q->platform)
			return cr_shelf_product_platform(op->txn, d->product, d->platform, &op->why);
		return 0;
	}
	d->what = CR_DELIST_CATEGORY;
	if (!q->platform || !q->category)
		return op->why = "name a product, or a platform and a category", CR_EINVAL;
	if (cr_category_parse(q->category, strlen(q->category), &d->category))
		return op->why = "category: not one of internet_deposit, wealth, loan, insurance",
		       CR_EINVAL;
	return 0;
}

int cr_shelf_order(struct cr_op *op, const struct cr_delist_request *q, struct cr_delist *out)
{
	int rc;
	op->why = NULL;
	if (op->role != CR_AUDIT_ROLE_SUPERVISOR && op->role != CR_AUDIT_ROLE_OPERATOR) {
		op->why = "only a supervisor may order products off a shelf";
		rc = CR_EDENIED;
	} else {
		rc = order_of(op, q, out);
		if (!rc)
			rc = cr_shelf_delist(op->txn, out, op->asof, &op->why);
	}
	if (cr_op_failed(rc))
		return rc;
	int arc = cr_op_audit_delist(op, out, rc ? op->why : NULL);
	return arc ? arc : rc;
}

/* May op see k's shelf?  0 with *platform set ("" for the person), or
 * CR_EDENIED with op->why, or a store error. */
static int may_see(struct cr_op *op, const struct cr_subject_key *k, const char **platform)
{
	static _Thread_local struct cr_consent_facts facts;
	if (op->has_self) {
		*platform = "";
		if (sodium_memcmp(op->self.b, k->b, sizeof k->b) != 0)
			return op->why = "a person may see their own shelf only", CR_EDENIED;
		return 0;
	}
	*platform = op->inst;
	if (!op->inst[0] || (op->role != CR_AUDIT_ROLE_LENDER &&
			     op->role != CR_AUDIT_ROLE_FURNISHER))
		return op->why = "a platform or the person may see a shelf", CR_EDENIED;
	int rc = cr_consent_facts_load(op->txn, k, &facts);
	if (rc)
		return rc;
	for (uint8_t pu = CR_PURPOSE_LOAN_APPROVAL; pu <= CR_PURPOSE_GUARANTEE; pu++)
		if (cr_consent_live(facts.f, facts.n, op->inst, CR_SCOPE_QUERY, pu, op->asof))
			return 0;
	return op->why = "no live query consent of the person to this institution", CR_EDENIED;
}

int cr_shelf_show(struct cr_op *op, const struct cr_subject_key *k, struct cr_shelf *out)
{
	const char *platform = "";
	op->why = NULL;
	out->n_offered = out->n_held = out->n_held_total = 0;
	out->truncated = 0;
	int rc = may_see(op, k, &platform);
	if (!rc)
		rc = cr_shelf_build(op->txn, k, platform, op->asof, out);
	if (cr_op_failed(rc))
		return rc;
	int arc = cr_op_audit_shelf(op, k, platform, out->n_offered, out->n_held,
				    rc ? op->why : NULL);
	return arc ? arc : rc;
}
