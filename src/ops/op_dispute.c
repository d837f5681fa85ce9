/*
 * op_dispute.c - disputes: the person files one, the furnisher answers,
 * both list them (dispute.h holds the rules; this file audits them).
 *
 * A list is an access to each listed person's file: the person's own list
 * is one dispute_list entry; an institution's is one entry per person it
 * shows, in that person's access log.
 */
#include "ops.h"

#define CR_STR(x) #x
#define CR_XSTR(x) CR_STR(x)

#include <stdlib.h>
#include <string.h>

#include "cr_err.h"
#include "dispute.h"
#include "utf8.h"

int cr_dispute_open(struct cr_op *op, const struct cr_dispute_request *q, uint64_t *id)
{
	struct cr_dispute d;
	const char *why = NULL;
	const size_t len = q->reason ? strlen(q->reason) : 0;
	if (!op->has_self)
		return op->why = "only the person may dispute their file", CR_EDENIED;
	if (len == 0 || len > CR_DISPUTE_REASON_MAX || !cr_utf8_valid(q->reason, len))
		return op->why = "reason: UTF-8 text of 1 to " CR_XSTR(CR_DISPUTE_REASON_MAX)
				 " bytes is required", CR_EINVAL;
	int rc = cr_dispute_file(op->txn, &op->self, q->inst, q->account, q->month, q->reason,
				 op->asof, &d, &why);
	op->why = why;
	if (rc)
		return rc;
	*id = d.id;
	return cr_op_audit_dispute(op, CR_ACT_DISPUTE_FILE, &d);
}

int cr_dispute_answer(struct cr_op *op, uint64_t id, const struct cr_statement *corrected)
{
	struct cr_dispute d;
	const char *why = NULL;
	int rc = cr_dispute_resolve(op->txn, id, op->inst, corrected, op->asof, &d, &why);
	op->why = why;
	if (rc)
		return rc;
	return cr_op_audit_dispute(op, corrected ? CR_ACT_DISPUTE_CORRECT : CR_ACT_DISPUTE_VERIFY,
				   &d);
}

/* The people an institution's list showed, each once, for the audit. */
struct people {
	size_t n, cap;
	struct cr_subject_key *k;
};

static int see(struct people *p, const struct cr_subject_key *k)
{
	for (size_t i = 0; i < p->n; i++)
		if (memcmp(p->k[i].b, k->b, sizeof k->b) == 0)
			return 0;
	if (p->n == p->cap) {
		const size_t cap = p->cap ? p->cap * 2 : 16;
		struct cr_subject_key *nk = realloc(p->k, cap * sizeof *nk);
		if (!nk)
			return CR_ENOMEM;
		p->k = nk;
		p->cap = cap;
	}
	p->k[p->n++] = *k;
	return 0;
}

struct walk {
	const char *inst;
	struct people seen;
	int (*fn)(const struct cr_dispute *d, void *arg);
	void *arg;
};

static int walk_one(const struct cr_dispute *d, void *arg)
{
	struct walk *w = arg;
	if (w->inst && strcmp(w->inst, d->inst) != 0)
		return 0;
	int rc = w->fn(d, w->arg);
	return rc ? rc : w->inst ? see(&w->seen, &d->subject) : 0;
}

int cr_dispute_show(struct cr_op *op, const struct cr_subject_key *who, const char *inst,
		    int audit, int (*fn)(const struct cr_dispute *d, void *arg), void *arg)
{
	struct walk w = {inst, {0, 0, NULL}, fn, arg};
	int rc = cr_store_disputes(op->txn, who, walk_one, &w);
	if (!rc && who && audit)
		rc = cr_op_audit(op, CR_ACT_DISPUTE_LIST, who, 0, CR_AUDIT_GRANTED, NULL);
	for (size_t i = 0; !rc && audit && i < w.seen.n; i++)
		rc = cr_op_audit(op, CR_ACT_DISPUTE_LIST, &w.seen.k[i], 0, CR_AUDIT_GRANTED, NULL);
	free(w.seen.k);
	return rc;
}
