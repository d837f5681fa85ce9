/*
 * h_supervision.c - GET /v1/supervision/aggregates?month=YYYY-MM&by=G: a
 * month of market aggregates (aggregates.h) as JSON.
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
	return cr_supervision_audit(&op, r->u.sup.month, r->u.sup.by,
				    r->u.sup.refused ? r->reason : NULL);
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

int cr_h_supervision_aggregates(struct cr_req *r)
{
	struct cr_req_sup *s = &r->u.sup;
	const char *mv = cr_req_arg(r, "month");
	const char *bv = cr_req_arg(r, "by");
	if (!mv || cr_month_parse(mv, strlen(mv), &s->month) != 0)
		return cr_reply_problem(r, 400, "month: a month in YYYY-MM form"), CR_H_DONE;
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
		int rc = build(r, &op, only);
		if (rc)
			return cr_reply_store_error(r, rc), CR_H_DONE;
	}
	r->job.run = run_audit;
	r->finish = finish;
	return cr_req_submit(r);
}
