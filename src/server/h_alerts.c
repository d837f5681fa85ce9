/*
 * h_alerts.c - the alert feed: GET /v1/alerts?after=CURSOR&limit=N.
 *
 * An institution reads its own alerts (alert.h) in seq order from a read
 * snapshot on the worker thread.  A cursor is the last seq a page carried;
 * seqs are assigned in commit order, so alerts past a cursor only ever
 * grow at the end and a full page for a cursor never changes.  A page
 * with alerts is a delivery of personal data: the committer audits it
 * (alert_delivery, one entry per page) before it is sent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "cr_err.h"
#include "http.h"

/* A decimal u64 query argument; def when absent.  -1 when malformed. */
static int query_u64(struct cr_req *r, const char *name, uint64_t def, uint64_t *out)
{
	const char *v = cr_req_arg(r, name);
	*out = def;
	if (!v)
		return 0;
	if (!*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 19)
		return -1;
	errno = 0;
	*out = strtoull(v, NULL, 10);
	return errno ? -1 : 0;
}

static int run_delivery_audit(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	const struct cr_req_page *p = &r->u.page;
	struct cr_op op;
	cr_req_op(r, g, &op);
	return cr_op_audit_alert_page(&op, p->after, p->next, p->n);
}

static void finish_delivery(struct cr_req *r)
{
	cr_reply_buf(r, 200);
}

int cr_h_alerts(struct cr_req *r)
{
	struct cr_req_page *p = &r->u.page;
	uint64_t limit;
	if (query_u64(r, "after", 0, &p->after))
		return cr_reply_problem(r, 400, "after: a cursor from an earlier page (digits)"), CR_H_DONE;
	if (query_u64(r, "limit", CR_ALERT_PAGE_DEFAULT, &limit) || limit < 1 ||
	    limit > CR_ALERT_PAGE_MAX)
		return cr_reply_problem(r, 400, "limit: a number from 1 to %d", CR_ALERT_PAGE_MAX),
		       CR_H_DONE;
	struct cr_op op;
	cr_req_op(r, NULL, &op);
	cr_buf_reset(&r->out);
	int rc = cr_alerts_page(&op, p->after, (unsigned)limit, &r->out, &p->n, &p->next);
	if (rc)
		return cr_reply_store_error(r, rc), CR_H_DONE;
	if (p->n == 0)
		return cr_reply_buf(r, 200), CR_H_DONE;
	r->job.run = run_delivery_audit;
	r->finish = finish_delivery;
	return cr_req_submit(r);
}
