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

#include "audit.h"
#include "cr_date.h"
#include "cr_err.h"
#include "dispute.h"
#include "http.h"
#include "jsonl.h"
#include "validate.h"

static int run_report(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	int rc = cr_report_record(g->st, g->txn, g->audit, &r->subject, r->key.inst,
				  r->purpose, r->asof, r->outcome, &r->reason);
	r->outcome = rc;
	return rc == CR_EDENIED || rc == CR_ENOTFOUND ? 0 : rc;
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

/* The read half on this worker, then the write half on the committer. */
static int prepare_and_submit(struct cr_req *r)
{
	cr_txn *txn;
	const char *inst = r->purpose == CR_PURPOSE_SELF ? "" : r->key.inst;
	int rc = cr_store_begin(r->srv->st, 0, &txn);
	if (rc)
		return cr_reply_store_error(r, rc), CR_H_DONE;
	r->reason = NULL;
	struct cr_report *rep = cr_srv_report_take(r->srv);
	rc = rep ? cr_report_prepare(txn, &r->subject, inst, r->purpose, r->asof, rep,
				     &r->reason) : CR_ENOMEM;
	cr_buf_reset(&r->out);
	if (!rc)
		rc = cr_report_json(rep, &r->out);
	if (rep)
		cr_srv_report_give(r->srv, rep);
	cr_store_abort(txn);
	if (rc && rc != CR_EDENIED && rc != CR_ENOTFOUND)
		return cr_reply_store_error(r, rc), CR_H_DONE;
	r->outcome = rc;
	r->job.run = run_report;
	r->finish = finish_report;
	return cr_req_submit(r);
}

int cr_h_report(struct cr_req *r)
{
	json_t *o = cr_req_json(r);
	if (!o)
		return CR_H_DONE;
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
	return bad ? CR_H_DONE : prepare_and_submit(r);
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
	struct cr_audit_entry e;
	cr_req_audit_entry(r, (const char *)r->data, &e);
	e.has_subject = 1;
	e.subject = r->subject;
	return cr_audit_batch_add(g->audit, &e);
}

static void finish_ok(struct cr_req *r)
{
	cr_reply_buf(r, 200);
}

/* Audits the read as action, then sends r->out. */
static int submit_audited_read(struct cr_req *r, const char *action)
{
	r->data = strdup(action);
	if (!r->data)
		return cr_reply_store_error(r, CR_ENOMEM), CR_H_DONE;
	r->job.run = run_audit_only;
	r->finish = finish_ok;
	return cr_req_submit(r);
}

int cr_h_me_access(struct cr_req *r)
{
	r->subject = r->key.subject;
	cr_buf_reset(&r->out);
	cr_buf_puts(&r->out, "{\"accesses\":[");
	int rc = cr_audit_list_subject(r->srv->st, &r->subject, put_access, &r->out);
	if (rc)
		return cr_reply_store_error(r, rc), CR_H_DONE;
	cr_buf_puts(&r->out, "]}");
	return submit_audited_read(r, "access_list");
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

/* The people whose disputes an institution's list showed, for the audit. */
struct people {
	size_t n, cap;
	struct cr_subject_key k[];
};

struct dispute_walk {
	struct cr_buf *b;
	const char *inst; /* NULL: every dispute of the person */
	struct people *seen; /* with inst: each person listed, once */
};

static int see_person(struct dispute_walk *w, const struct cr_subject_key *k)
{
	struct people *p = w->seen;
	for (size_t i = 0; p && i < p->n; i++)
		if (memcmp(p->k[i].b, k->b, sizeof k->b) == 0)
			return 0;
	if (!p || p->n == p->cap) {
		const size_t cap = p ? p->cap * 2 : 16;
		p = realloc(p, sizeof *p + cap * sizeof p->k[0]);
		if (!p)
			return CR_ENOMEM;
		if (!w->seen)
			p->n = 0;
		p->cap = cap;
		w->seen = p;
	}
	p->k[p->n++] = *k;
	return 0;
}

static int walk_dispute(const struct cr_dispute *d, void *arg)
{
	struct dispute_walk *w = arg;
	if (w->inst && strcmp(w->inst, d->inst) != 0)
		return 0;
	put_dispute(w->b, d);
	return w->inst ? see_person(w, &d->subject) : 0;
}

/* Lists disputes in a read snapshot; with inst, r->data gets the people
 * listed (struct people), for the audit. */
static int list_disputes(struct cr_req *r, const struct cr_subject_key *k, const char *inst)
{
	cr_txn *txn;
	struct dispute_walk w = {&r->out, inst, NULL};
	cr_buf_reset(&r->out);
	cr_buf_puts(&r->out, "{\"disputes\":[");
	int rc = cr_store_begin(r->srv->st, 0, &txn);
	if (!rc) {
		rc = cr_store_disputes(txn, k, walk_dispute, &w);
		cr_store_abort(txn);
	}
	r->data = w.seen;
	if (rc)
		return cr_reply_store_error(r, rc), CR_H_DONE;
	cr_buf_puts(&r->out, "]}");
	return 0;
}

int cr_h_me_disputes(struct cr_req *r)
{
	r->subject = r->key.subject;
	if (list_disputes(r, &r->subject, NULL))
		return CR_H_DONE;
	return submit_audited_read(r, "dispute_list");
}

/* An institution's list of disputes shows each person's disputes to it:
 * one dispute_list entry per person, in the person's access log. */
static int run_people_audit(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	const struct people *p = r->data;
	int rc = 0;
	for (size_t i = 0; p && i < p->n && !rc; i++) {
		struct cr_audit_entry e;
		cr_req_audit_entry(r, "dispute_list", &e);
		e.has_subject = 1;
		e.subject = p->k[i];
		rc = cr_audit_batch_add(g->audit, &e);
	}
	return rc;
}

int cr_h_disputes(struct cr_req *r)
{
	if (list_disputes(r, NULL, r->key.inst))
		return CR_H_DONE;
	if (!r->data)
		return cr_reply_buf(r, 200), CR_H_DONE; /* nobody's data: nothing to audit */
	r->job.run = run_people_audit;
	r->finish = finish_ok;
	return cr_req_submit(r);
}

struct dispute_req {
	char inst[CR_INST_CODE_MAX + 1];
	char account[CR_ACCOUNT_MAX + 1];
	int32_t month;
	char reason[CR_DISPUTE_REASON_MAX + 1];
	uint64_t id;
	struct cr_record rec;
	int corrected;
};

static int solo_file(cr_store *st, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct dispute_req *q = r->data;
	r->outcome = cr_dispute_file(st, &r->key.subject, q->inst, q->account, q->month,
				     q->reason, r->asof, &q->id, &r->reason);
	return 0;
}

static void finish_file(struct cr_req *r)
{
	struct dispute_req *q = r->data;
	if (r->outcome == CR_ENOTFOUND)
		cr_reply_problem(r, 404, "%s", r->reason ? r->reason : "no such account or month in the person's file");
	else if (r->outcome == CR_EINVAL)
		cr_reply_problem(r, 400, "%s", r->reason ? r->reason : "the dispute is not valid");
	else if (r->outcome)
		cr_reply_store_error(r, r->outcome);
	else {
		cr_buf_reset(&r->out);
		cr_buf_printf(&r->out, "{\"dispute_id\":%llu,\"answer_within_days\":%d}",
			      (unsigned long long)q->id, CR_DISPUTE_DEADLINE_DAYS);
		cr_reply_buf(r, 201);
	}
}

static int copy_field(struct cr_req *r, json_t *o, const char *name, char *dst,
		      size_t cap, int required)
{
	const json_t *v = json_object_get(o, name);
	if (!v && !required)
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= cap) {
		cr_reply_problem(r, 400, "%s: a string of 1 to %zu bytes is required", name, cap - 1);
		return -1;
	}
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* Reads the dispute request from o into q; replies 400 when it does not fit. */
static int read_dispute(struct cr_req *r, json_t *o, struct dispute_req *q)
{
	static const char *const allowed[] = {"institution", "account", "month", "reason", NULL};
	char month[16] = "";
	q->month = CR_WHOLE_ACCOUNT;
	if (cr_req_only_fields(r, o, allowed) ||
	    copy_field(r, o, "institution", q->inst, sizeof q->inst, 1) ||
	    copy_field(r, o, "account", q->account, sizeof q->account, 1) ||
	    copy_field(r, o, "reason", q->reason, sizeof q->reason, 1) ||
	    copy_field(r, o, "month", month, sizeof month, 0))
		return -1;
	if (month[0] && cr_month_parse(month, strlen(month), &q->month))
		return cr_reply_problem(r, 400, "month: YYYY-MM"), -1;
	return 0;
}

int cr_h_me_dispute_file(struct cr_req *r)
{
	json_t *o = cr_req_json(r);
	if (!o)
		return CR_H_DONE;
	struct dispute_req *q = calloc(1, sizeof *q);
	r->data = q;
	int bad = q ? read_dispute(r, o, q) : (cr_reply_store_error(r, CR_ENOMEM), -1);
	json_decref(o);
	if (bad)
		return CR_H_DONE;
	r->job.run_solo = solo_file;
	r->finish = finish_file;
	return cr_req_submit(r);
}

static int solo_resolve(cr_store *st, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct dispute_req *q = r->data;
	r->outcome = cr_dispute_resolve(st, q->id, r->key.inst,
					q->corrected ? &q->rec.u.stmt : NULL, r->asof, &r->reason);
	return 0;
}

static void finish_resolve(struct cr_req *r)
{
	struct dispute_req *q = r->data;
	if (r->outcome == CR_EDENIED)
		cr_reply_problem(r, 403, "dispute %llu is about another institution's data",
				 (unsigned long long)q->id);
	else if (r->outcome == CR_ENOTFOUND)
		cr_reply_problem(r, 404, "no dispute %llu", (unsigned long long)q->id);
	else if (r->outcome == CR_EINVAL)
		cr_reply_problem(r, 409, "%s", r->reason ? r->reason : "the answer does not fit the dispute");
	else if (r->outcome)
		cr_reply_store_error(r, r->outcome);
	else {
		cr_buf_reset(&r->out);
		cr_buf_printf(&r->out, "{\"dispute_id\":%llu,\"status\":\"%s\"}",
			      (unsigned long long)q->id, q->corrected ? "corrected" : "verified");
		cr_reply_buf(r, 200);
	}
}

static int resolve(struct cr_req *r, int corrected)
{
	struct dispute_req *q = calloc(1, sizeof *q);
	if (!q)
		return cr_reply_store_error(r, CR_ENOMEM), CR_H_DONE;
	r->data = q;
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
	r->job.run_solo = solo_resolve;
	r->finish = finish_resolve;
	return cr_req_submit(r);
}

int cr_h_dispute_verify(struct cr_req *r)
{
	return resolve(r, 0);
}

int cr_h_dispute_correct(struct cr_req *r)
{
	return resolve(r, 1);
}
