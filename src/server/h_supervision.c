/*
 * h_supervision.c - GET /v1/supervision/aggregates?month=YYYY-MM&by=G: a
 * month of market aggregates (aggregates.h) as JSON; with
 * from=YYYY-MM&to=YYYY-MM instead of month, up to
 * CR_SUPERVISION_RANGE_MONTHS months in one answer, the months not kept
 * built together in one walk of the store, each month audited as a read
 * of its own.
 *
 * A supervisor reads every cell of the grouping; a furnisher or lender
 * its own institution's row, by institution only (op_supervision.c says
 * why).  The aggregates are built and rendered on the worker thread in a
 * read snapshot; the committer then records the read (supervision_read),
 * refusals too, before the response is sent.
 */
#include <string.h>

#include "aggregates.h"
#include "cr_date.h"
#include "cr_err.h"
#include "http.h"
#include "sup_render.h"

static int run_audit(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct cr_op op;
	cr_req_op(r, g, &op);
	int rc = 0;
	for (size_t i = 0; !rc && i < r->u.sup.n; i++)
		rc = cr_supervision_audit(&op, r->u.sup.month + (int32_t)i, r->u.sup.by,
					  r->u.sup.refused ? r->reason : NULL);
	return rc;
}

static void finish(struct cr_req *r)
{
	if (r->u.sup.refused)
		cr_reply_problem(r, 403, "%s", r->reason);
	else
		cr_reply_buf(r, 200);
}

static int build(struct cr_req *r, struct cr_op *op, const char *only)
{
	struct cr_sup_month m;
	cr_sup_init(&m);
	int rc = cr_supervision_build(op, r->u.sup.month, &m);
	if (rc)
		return rc;
	cr_buf_reset(&r->out);
	rc = cr_sup_json(&m, r->u.sup.by, only, &r->out);
	cr_sup_fini(&m);
	return rc;
}

/* {"from","to","months":[each month as build writes it]}. */
static int build_range(struct cr_req *r, struct cr_op *op, const char *only)
{
	static _Thread_local struct cr_sup_month ms[CR_SUPERVISION_RANGE_MONTHS];
	const struct cr_req_sup *s = &r->u.sup;
	int rc = cr_supervision_build_months(op, s->month, s->n, ms);
	if (rc)
		return rc;
	char from[8], to[8];
	cr_month_format(s->month, from);
	cr_month_format(s->month + (int32_t)s->n - 1, to);
	cr_buf_reset(&r->out);
	rc = cr_buf_printf(&r->out, "{\"from\":\"%s\",\"to\":\"%s\",\"months\":[", from, to);
	for (size_t i = 0; !rc && i < s->n; i++) {
		if (i)
			rc = cr_buf_putc(&r->out, ',');
		if (!rc)
			rc = cr_sup_json(&ms[i], s->by, only, &r->out);
	}
	if (!rc)
		rc = cr_buf_puts(&r->out, "]}");
	for (size_t i = 0; i < s->n; i++)
		cr_sup_fini(&ms[i]);
	return rc;
}

/* month=, or from= and to=: the first month and how many. */
static int read_months(struct cr_req *r, struct cr_req_sup *s)
{
	const char *mv = cr_req_arg(r, "month"), *fv = cr_req_arg(r, "from"), *tv = cr_req_arg(r, "to");
	int32_t to;
	if (mv && !fv && !tv) {
		s->n = 1;
		if (cr_month_parse(mv, strlen(mv), &s->month) == 0)
			return 0;
		return cr_reply_problem(r, 400, "month: a month in YYYY-MM form"), -1;
	}
	if (mv || !fv || !tv)
		return cr_reply_problem(r, 400, "month: a month in YYYY-MM form, or from and to "
					"(YYYY-MM) for a range"), -1;
	if (cr_month_parse(fv, strlen(fv), &s->month) != 0)
		return cr_reply_problem(r, 400, "from: a month in YYYY-MM form"), -1;
	if (cr_month_parse(tv, strlen(tv), &to) != 0)
		return cr_reply_problem(r, 400, "to: a month in YYYY-MM form"), -1;
	if (to < s->month || to - s->month >= CR_SUPERVISION_RANGE_MONTHS)
		return cr_reply_problem(r, 400, "from..to: 1 to %d months, from not after to",
					CR_SUPERVISION_RANGE_MONTHS), -1;
	s->n = (size_t)(to - s->month + 1);
	return 0;
}

int cr_h_supervision_aggregates(struct cr_req *r)
{
	struct cr_req_sup *s = &r->u.sup;
	const char *bv = cr_req_arg(r, "by");
	if (read_months(r, s))
		return CR_H_DONE;
	s->by = bv ? cr_sup_by_parse(bv) : CR_SUP_BY_INSTITUTION;
	if (s->by < 0)
		return cr_reply_problem(r, 400, "by: institution, product, province or "
					"prefecture"), CR_H_DONE;
	struct cr_op op;
	const char *only;
	cr_req_op(r, NULL, &op);
	s->refused = cr_supervision_scope(&op, s->by, &only) != 0;
	if (s->refused) {
		r->reason = op.why;
	} else {
		int rc = s->n == 1 && !cr_req_arg(r, "from") ? build(r, &op, only)
							     : build_range(r, &op, only);
		if (rc)
			return cr_reply_store_error(r, rc), CR_H_DONE;
	}
	r->job.run = run_audit;
	r->finish = finish;
	return cr_req_submit(r);
}
