/*
 * h_quality.c - the supervision figures of docs/quality.md over HTTP:
 *
 *   GET /v1/supervision/quality?institution=&from=YYYY-MM-DD&to=YYYY-MM-DD
 *   GET /v1/supervision/colending?institution=&month=YYYY-MM|from=&to=&floor_bp=N
 *
 * A supervisor reads every institution (or one, with institution=); a
 * lender or furnisher its own rows only, whatever it asks (another
 * institution is a 403).  The figures are built on the worker thread in a
 * read snapshot (the act's prepare half); the committer then audits the
 * read (quality_read, colending_read), granted or refused, before the
 * response is sent.
 */
#include <stdlib.h>
#include <string.h>

#include "colending.h"
#include "cr_date.h"
#include "cr_err.h"
#include "http.h"
#include "quality.h"

#define QUALITY_DEFAULT_DAYS 90
#define COLENDING_DEFAULT_MONTHS 12

/* A date (month: a month) query argument; def when absent, -1 when bad. */
static int arg_date(struct cr_req *r, const char *name, int month, int32_t def, int32_t *out)
{
	const char *v = cr_req_arg(r, name);
	*out = def;
	if (!v)
		return 0;
	return (month ? cr_month_parse(v, strlen(v), out) : cr_date_parse(v, strlen(v), out))
	       ? -1 : 0;
}

static int arg_inst(struct cr_req *r, const char **inst)
{
	*inst = cr_req_arg(r, "institution");
	return *inst && !cr_inst_code_valid(*inst, strlen(*inst)) ? -1 : 0;
}

static int run_read_audit(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct cr_op op;
	cr_req_op(r, g, &op);
	op.why = r->reason;
	int rc = cr_quality_record(&op, r->u.read_act, r->outcome);
	return cr_op_failed(rc) ? rc : 0;
}

static void finish_read(struct cr_req *r)
{
	if (!r->outcome)
		cr_reply_buf(r, 200);
	else if (r->outcome == CR_EDENIED)
		cr_reply_problem(r, 403, "%s", r->reason ? r->reason : "not allowed");
	else
		cr_reply_problem(r, 400, "%s", r->reason ? r->reason : cr_strerror(r->outcome));
}

/* Renders (rc 0) or keeps the refusal, then has the read audited. */
static int submit(struct cr_req *r, const struct cr_op *op, int rc, enum cr_audit_act act)
{
	if (cr_op_failed(rc))
		return cr_reply_store_error(r, rc), CR_H_DONE;
	cr_req_took(r, op, rc);
	r->u.read_act = act;
	r->job.run = run_read_audit;
	r->finish = finish_read;
	return cr_req_submit(r);
}

int cr_h_supervision_quality(struct cr_req *r)
{
	const char *inst;
	int32_t from, to;
	if (arg_inst(r, &inst))
		return cr_reply_problem(r, 400, "institution: %s", CR_REASON_INST_CODE), CR_H_DONE;
	if (arg_date(r, "to", 0, r->asof, &to) ||
	    arg_date(r, "from", 0, to - QUALITY_DEFAULT_DAYS + 1, &from))
		return cr_reply_problem(r, 400, "from, to: dates in YYYY-MM-DD form"), CR_H_DONE;
	struct cr_op op;
	struct cr_quality q = {0};
	cr_req_op(r, NULL, &op);
	int rc = cr_quality_prepare(&op, inst, from, to, &q);
	cr_buf_reset(&r->out);
	if (!rc && cr_quality_json(&q, &r->out))
		rc = CR_ENOMEM;
	cr_quality_fini(&q);
	return submit(r, &op, rc, CR_ACT_QUALITY_READ);
}

static int arg_floor(struct cr_req *r, uint32_t *bp)
{
	const char *v = cr_req_arg(r, "floor_bp");
	*bp = CR_COLENDING_FLOOR_BP;
	if (!v)
		return 0;
	if (!*v || strlen(v) > 5 || strspn(v, "0123456789") != strlen(v))
		return -1;
	*bp = (uint32_t)strtoul(v, NULL, 10);
	return *bp > 10000 ? -1 : 0;
}

int cr_h_supervision_colending(struct cr_req *r)
{
	const char *inst;
	int32_t month, from, to;
	uint32_t floor_bp;
	const int has_month = cr_req_arg(r, "month") != NULL;
	if (arg_inst(r, &inst))
		return cr_reply_problem(r, 400, "institution: %s", CR_REASON_INST_CODE), CR_H_DONE;
	if (arg_floor(r, &floor_bp))
		return cr_reply_problem(r, 400, "floor_bp: basis points from 0 to 10000"), CR_H_DONE;
	if (arg_date(r, "month", 1, cr_month_of_date(r->asof), &month) ||
	    arg_date(r, "to", 1, month, &to) ||
	    arg_date(r, "from", 1, has_month ? month : to - COLENDING_DEFAULT_MONTHS + 1, &from))
		return cr_reply_problem(r, 400, "month, from, to: months in YYYY-MM form"), CR_H_DONE;
	struct cr_op op;
	struct cr_colending c = {0};
	cr_req_op(r, NULL, &op);
	int rc = cr_colending_prepare(&op, inst, from, to, floor_bp, &c);
	cr_buf_reset(&r->out);
	if (!rc && cr_colending_json(&c, &r->out))
		rc = CR_ENOMEM;
	cr_colending_fini(&c);
	return submit(r, &op, rc, CR_ACT_COLENDING_READ);
}
