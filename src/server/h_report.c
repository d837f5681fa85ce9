/*
 * h_report.c - reports, the person's own file, and disputes over HTTP.
 *
 * A report is prepared on the worker thread in a read snapshot (consent
 * check, build, render: the expensive part, in parallel) and recorded by
 * the committer (consent checked again on the newest state, inquiry and
 * audit entry) in a shared commit; it is sent only after that commit.  A
 * request refused on either side is audited all the same.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr_date.h"
#include "cr_err.h"
#include "dispute.h"
#include "http.h"
#include "jsonl.h"
#include "validate.h"

static int run_report(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct cr_op op;
	const char *inst = r->purpose == CR_PURPOSE_SELF ? "" : r->key.inst;
	cr_req_op(r, g, &op);
	op.why = cr_req_prepared_why(r);
	return cr_req_took(r, &op, cr_report_request_record(&op, &r->subject, inst, r->purpose,
							     r->prepared));
}

static void finish_report(struct cr_req *r)
{
	if (r->outcome == CR_EDENIED)
		cr_reply_problem(r, 403, "refused by the consent rules: %s",
				 r->reason ? r->reason : "no live authorization");
	else if (r->outcome == CR_ENOTFOUND)
		cr_reply_problem(r, 404, "the bureau has no credit file on this person");
	else
		cr_reply_buf(r, 200); /* r->out holds the rendered report */
}

struct prep {
	struct cr_req *r;
	const char *why;
	int rc;
};

/* Builds and renders the report in the snapshot: the act's result in p->rc. */
static int prepare(struct cr_op *op, void *arg)
{
	struct prep *p = arg;
	struct cr_req *r = p->r;
	const char *inst = r->purpose == CR_PURPOSE_SELF ? "" : r->key.inst;
	struct cr_report *rep = cr_srv_report_take(r->srv);
	if (!rep)
		return CR_ENOMEM;
	p->rc = cr_report_request_prepare(op, &r->subject, inst, r->purpose, rep);
	p->why = op->why;
	int rc = p->rc ? 0 : cr_report_json(rep, &r->out);
	cr_srv_report_give(r->srv, rep);
	return cr_op_failed(p->rc) ? p->rc : rc;
}

/* The read half on this worker, then the write half on the committer. */
static int prepare_and_submit(struct cr_req *r)
{
	struct cr_op op;
	struct prep p = {r, NULL, 0};
	cr_req_op(r, NULL, &op);
	cr_buf_reset(&r->out);
	int rc = cr_op_read(&op, prepare, &p);
	r->reason = p.why;
	if (rc || p.rc)
		cr_buf_reset(&r->out);
	if (!rc)
		rc = p.rc;
	if (rc && rc != CR_EDENIED && rc != CR_ENOTFOUND)
		return cr_reply_store_error(r, rc), CR_H_DONE;
	cr_req_prepared(r, rc, r->reason);
	r->job.run = run_report;
	r->finish = finish_report;
	return cr_req_submit(r);
}

/* {"id", "purpose"} of a lender's request: r->subject and r->purpose, or
 * a 400 and non-zero. */
static int read_request(struct cr_req *r)
{
	json_t *o = cr_req_json(r);
	if (!o)
		return -1;
	static const char *const allowed[] = {"id", "purpose", NULL};
	const json_t *p = json_object_get(o, "purpose");
	int bad = cr_req_only_fields(r, o, allowed) || cr_req_subject(r, o, "id");
	if (!bad && (!json_is_string(p) ||
		     cr_purpose_parse(json_string_value(p), json_string_length(p), &r->purpose) ||
		     r->purpose == CR_PURPOSE_SELF)) {
		cr_reply_problem(r, 400, "purpose: one of loan_approval, card_approval, post_loan, guarantee");
		bad = 1;
	}
	json_decref(o);
	return bad;
}

int cr_h_report(struct cr_req *r)
{
	return read_request(r) ? CR_H_DONE : prepare_and_submit(r);
}

/* A score: built in a snapshot on this worker, recorded by the committer,
 * sent after the commit, as a report is. */
static int run_score(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct cr_op op;
	cr_req_op(r, g, &op);
	op.why = cr_req_prepared_why(r);
	return cr_req_took(r, &op, cr_score_request_record(&op, &r->subject, r->key.inst,
							    r->purpose, r->prepared));
}

static int prepare_score(struct cr_op *op, void *arg)
{
	struct cr_req *r = arg;
	return cr_req_took(r, op, cr_score_request_prepare(op, &r->subject, r->key.inst,
							   r->purpose, &r->u.score));
}

int cr_h_score(struct cr_req *r)
{
	struct cr_op op;
	if (read_request(r))
		return CR_H_DONE;
	cr_req_op(r, NULL, &op);
	int rc = cr_op_read(&op, prepare_score, r);
	if (rc)
		return cr_reply_store_error(r, rc), CR_H_DONE;
	if (r->outcome == CR_EINVAL)
		return cr_reply_problem(r, 503, "%s", r->reason ? r->reason : "no scorecard"), CR_H_DONE;
	cr_buf_reset(&r->out);
	if (!r->outcome)
		rc = cr_scorer_json(r->srv->scorer, &r->u.score.s, &r->out);
	if (rc)
		return cr_reply_store_error(r, rc), CR_H_DONE;
	cr_req_prepared(r, r->outcome, r->reason);
	r->job.run = run_score;
	r->finish = finish_report;
	return cr_req_submit(r);
}

int cr_h_me_report(struct cr_req *r)
{
	r->subject = r->key.subject;
	r->purpose = CR_PURPOSE_SELF;
	return prepare_and_submit(r);
}

/* Who looked at the person's file: read from the trail on this worker. */
static int put_access(const struct cr_audit_entry *e, void *arg)
{
	struct cr_buf *b = arg;
	char asof[11];
	cr_date_format(e->asof_days, asof);
	cr_buf_printf(b, "%s{\"time\":\"%s\",\"as_of\":\"%s\",\"role\":\"%s\",\"institution\":\"%s\","
		      "\"action\":\"%s\",\"purpose\":\"%s\",\"outcome\":\"%s\"}",
		      b->data[b->len - 1] == '[' ? "" : ",", e->time, asof,
		      cr_audit_role_name(e->role), e->institution, e->action,
		      e->purpose ? cr_purpose_name(e->purpose) : "", cr_audit_outcome_name(e->outcome));
	return 0;
}

static int run_audit_only(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct cr_op op;
	cr_req_op(r, g, &op);
	return cr_op_audit(&op, r->u.read_act, &r->subject, 0, CR_AUDIT_GRANTED, NULL);
}

static void finish_ok(struct cr_req *r)
{
	cr_reply_buf(r, 200);
}

/* Audits the read as act, then sends r->out. */
static int submit_audited_read(struct cr_req *r, enum cr_audit_act act)
{
	r->u.read_act = act;
	r->job.run = run_audit_only;
	r->finish = finish_ok;
	return cr_req_submit(r);
}

int cr_h_me_access(struct cr_req *r)
{
	r->subject = r->key.subject;
	cr_buf_reset(&r->out);
	cr_buf_puts(&r->out, "{\"accesses\":[");
	int rc = cr_access_list(r->srv->st, &r->subject, put_access, &r->out);
	if (rc)
		return cr_reply_store_error(r, rc), CR_H_DONE;
	cr_buf_puts(&r->out, "]}");
	return submit_audited_read(r, CR_ACT_ACCESS_LIST);
}

static void put_dispute(struct cr_buf *b, const struct cr_dispute *d)
{
	char filed[11], month[8] = "", resolved[11] = "";
	cr_date_format(d->filed_days, filed);
	if (d->month != CR_WHOLE_ACCOUNT)
		cr_month_format(d->month, month);
	if (d->resolved_days != CR_NO_DATE)
		cr_date_format(d->resolved_days, resolved);
	cr_buf_printf(b, "%s{\"dispute_id\":%llu,\"filed\":\"%s\",\"institution\":\"%s\",\"account\":",
		      b->data[b->len - 1] == '[' ? "" : ",", (unsigned long long)d->id, filed, d->inst);
	cr_buf_put_json_str(b, d->account, strlen(d->account));
	cr_buf_printf(b, ",\"month\":%s%s%s,\"status\":\"%s\",\"resolved\":%s%s%s,\"reason\":",
		      month[0] ? "\"" : "", month[0] ? month : "null", month[0] ? "\"" : "",
		      cr_dispute_status_name(d->status), resolved[0] ? "\"" : "",
		      resolved[0] ? resolved : "null", resolved[0] ? "\"" : "");
	cr_buf_put_json_str(b, d->reason, strlen(d->reason));
	cr_buf_putc(b, '}');
}

static int put_listed(const struct cr_dispute *d, void *arg)
{
	put_dispute(arg, d);
	return 0;
}

/* Lists the disputes (the person's own, or an institution's) and audits
 * the list, in the group: one entry per person shown. */
static int run_dispute_list(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct cr_op op;
	const int own = r->key.role == CR_ROLE_SUBJECT;
	cr_req_op(r, g, &op);
	cr_buf_reset(&r->out);
	cr_buf_puts(&r->out, "{\"disputes\":[");
	int rc = cr_dispute_show(&op, own ? &r->key.subject : NULL, own ? NULL : r->key.inst, 1,
				 put_listed, &r->out);
	cr_buf_puts(&r->out, "]}");
	return rc;
}

static int submit_dispute_list(struct cr_req *r)
{
	r->job.run = run_dispute_list;
	r->finish = finish_ok;
	return cr_req_submit(r);
}

int cr_h_me_disputes(struct cr_req *r)
{
	return submit_dispute_list(r);
}

int cr_h_disputes(struct cr_req *r)
{
	return submit_dispute_list(r);
}

static int run_file(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct cr_req_dispute *q = &r->u.dispute;
	struct cr_op op;
	cr_req_op(r, g, &op);
	return cr_req_took(r, &op, cr_dispute_open(&op, &q->q, &q->id));
}

static void finish_file(struct cr_req *r)
{
	const struct cr_req_dispute *q = &r->u.dispute;
	if (r->outcome == CR_ENOTFOUND)
		cr_reply_problem(r, 404, "%s", r->reason ? r->reason : "no such account or month in the person's file");
	else if (r->outcome == CR_ETOOBIG)
		cr_reply_problem(r, 409, "%s", r->reason ? r->reason : "the person has filed the most disputes the bureau keeps");
	else if (r->outcome)
		cr_reply_problem(r, 400, "%s", r->reason ? r->reason : "the dispute is not valid");
	else {
		cr_buf_reset(&r->out);
		cr_buf_printf(&r->out, "{\"dispute_id\":%llu,\"answer_within_days\":%d}",
			      (unsigned long long)q->id, CR_DISPUTE_DEADLINE_DAYS);
		cr_reply_buf(r, 201);
	}
}

/* Reads the dispute request from o into q; replies 400 when it does not fit. */
static int read_dispute(struct cr_req *r, json_t *o, struct cr_req_dispute *q)
{
	static const char *const allowed[] = {"institution", "account", "month", "reason", NULL};
	char month[16] = "";
	q->q.month = CR_WHOLE_ACCOUNT;
	if (cr_req_only_fields(r, o, allowed) ||
	    cr_req_str(r, o, "institution", q->inst, sizeof q->inst, CR_STR_REQUIRED | CR_STR_NONEMPTY) ||
	    cr_req_code(r, "institution", q->inst) ||
	    cr_req_str(r, o, "account", q->account, sizeof q->account, CR_STR_REQUIRED | CR_STR_NONEMPTY) ||
	    cr_req_str(r, o, "reason", q->reason, sizeof q->reason, CR_STR_REQUIRED | CR_STR_NONEMPTY) ||
	    cr_req_str(r, o, "month", month, sizeof month, CR_STR_NONEMPTY))
		return -1;
	if (month[0] && cr_month_parse(month, strlen(month), &q->q.month))
		return cr_reply_problem(r, 400, "month: YYYY-MM"), -1;
	q->q.inst = q->inst;
	q->q.account = q->account;
	q->q.reason = q->reason;
	return 0;
}

int cr_h_me_dispute_file(struct cr_req *r)
{
	json_t *o = cr_req_json(r);
	if (!o)
		return CR_H_DONE;
	int bad = read_dispute(r, o, &r->u.dispute);
	json_decref(o);
	if (bad)
		return CR_H_DONE;
	r->job.run = run_file;
	r->finish = finish_file;
	return cr_req_submit(r);
}

static int run_answer(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct cr_req_dispute *q = &r->u.dispute;
	struct cr_op op;
	cr_req_op(r, g, &op);
	return cr_req_took(r, &op, cr_dispute_answer(&op, q->id,
						     q->corrected ? &q->rec.u.stmt : NULL));
}

static void finish_answer(struct cr_req *r)
{
	const struct cr_req_dispute *q = &r->u.dispute;
	if (r->outcome == CR_EDENIED)
		cr_reply_problem(r, 403, "dispute %llu is about another institution's data",
				 (unsigned long long)q->id);
	else if (r->outcome == CR_ENOTFOUND)
		cr_reply_problem(r, 404, "no dispute %llu", (unsigned long long)q->id);
	else if (r->outcome == CR_EEXIST)
		cr_reply_problem(r, 409, "%s", r->reason ? r->reason : "the dispute has already been answered");
	else if (r->outcome)
		cr_reply_problem(r, 400, "%s", r->reason ? r->reason : "the answer does not fit the dispute");
	else {
		cr_buf_reset(&r->out);
		cr_buf_printf(&r->out, "{\"dispute_id\":%llu,\"status\":\"%s\"}",
			      (unsigned long long)q->id, q->corrected ? "corrected" : "verified");
		cr_reply_buf(r, 200);
	}
}

static int answer(struct cr_req *r, int corrected)
{
	struct cr_req_dispute *q = &r->u.dispute;
	char *end;
	errno = 0;
	q->id = strtoull(r->param, &end, 10);
	if (errno || *end || q->id == 0)
		return cr_reply_problem(r, 404, "no dispute %s", r->param), CR_H_DONE;
	q->corrected = corrected;
	if (corrected) {
		struct cr_diag d = {1, "", NULL};
		int rc = cr_jsonl_parse(r->body.data ? r->body.data : "", r->body.len, r->asof,
					&q->rec, &d);
		if (!rc)
			rc = cr_validate_record(&q->rec, r->asof, &d);
		if (!rc && q->rec.type != CR_REC_STATEMENT)
			rc = cr_diag_set(&d, "type", "the correction must be a statement record");
		if (rc)
			return cr_reply_problem(r, 400, "%s: %s", d.field[0] ? d.field : "body",
						d.reason ? d.reason : "not a statement record"), CR_H_DONE;
	}
	r->job.run = run_answer;
	r->finish = finish_answer;
	return cr_req_submit(r);
}

int cr_h_dispute_verify(struct cr_req *r)
{
	return answer(r, 0);
}

int cr_h_dispute_correct(struct cr_req *r)
{
	return answer(r, 1);
}
