/*
 * h_furnish.c - furnishing and consents over HTTP.
 *
 * Every write here is an act of the operations layer (ops.h) inside the
 * committer's shared transaction: a body runs through the same ingest
 * pipeline as a file, restricted to what the key may furnish; a consent
 * request is one record, parsed and validated exactly as a furnished line
 * would be.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cr_date.h"
#include "cr_err.h"
#include "http.h"
#include "cr_id.h"
#include "jsonl.h"
#include "mask.h"

/* A reject's field may be a key the caller sent (an unknown one): both
 * texts go through mask.h, as every error's do. */
static int collect_reject(const struct cr_diag *d, const char *line, size_t len,
			  void *arg)
{
	(void)line;
	(void)len;
	struct cr_req *r = arg;
	if (r->n_rejects++ >= CR_REJECTS_LISTED)
		return 0;
	struct cr_buf *b = &r->rejects;
	char field[sizeof d->field], reason[256]; /* validators' sentences are far shorter */
	cr_mask_format(field, sizeof field, "%s", d->field);
	cr_mask_format(reason, sizeof reason, "%s", d->reason ? d->reason : "rejected");
	int rc = cr_buf_printf(b, "%s{\"line\":%zu,\"field\":", b->len ? "," : "", d->line);
	if (!rc)
		rc = cr_buf_put_json_str(b, field, strlen(field));
	if (!rc)
		rc = cr_buf_puts(b, ",\"reason\":");
	if (!rc)
		rc = cr_buf_put_json_str(b, reason, strlen(reason));
	return rc ? rc : cr_buf_putc(b, '}');
}

static int run_furnish(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct cr_op op;
	cr_req_op(r, g, &op);
	cr_buf_reset(&r->rejects); /* a run may be a second one (committer.h) */
	r->n_rejects = 0;
	const uint8_t only = r->route->id == CR_ROUTE_events ? CR_REC_EVENT : 0;
	return cr_furnish_body(&op, r->body.data, r->body.len, only, collect_reject, r,
			       &r->counts);
}

static void finish_furnish(struct cr_req *r)
{
	const struct cr_ingest_counts *c = &r->counts;
	cr_metrics_records(r->srv->metrics, c);
	cr_buf_reset(&r->out);
	cr_buf_printf(&r->out, "{\"submitted\":%llu,\"accepted\":%llu,\"rejected\":%llu,"
		      "\"held\":%llu,\"unchanged\":%llu,\"prohibited\":%llu,\"released\":%llu,"
		      "\"rejects\":[",
		      (unsigned long long)c->submitted, (unsigned long long)c->accepted,
		      (unsigned long long)c->rejected, (unsigned long long)c->held,
		      (unsigned long long)c->unchanged, (unsigned long long)c->prohibited,
		      (unsigned long long)c->released);
	if (r->rejects.len)
		cr_buf_append(&r->out, r->rejects.data, r->rejects.len);
	cr_buf_printf(&r->out, "],\"rejects_truncated\":%s}",
		      r->n_rejects > CR_REJECTS_LISTED ? "true" : "false");
	cr_reply_buf(r, 200);
}

int cr_h_furnish(struct cr_req *r)
{
	r->job.weight = r->body.len;
	r->job.run = run_furnish;
	r->finish = finish_furnish;
	return cr_req_submit(r);
}

int cr_h_events(struct cr_req *r)
{
	r->job.weight = r->body.len;
	r->job.run = run_furnish;
	r->finish = finish_furnish;
	return cr_req_submit(r);
}

/* One consent fact: validated, applied and audited by the act. */
static int run_consent(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct cr_req_consent *q = &r->u.consent;
	struct cr_op op;
	cr_req_op(r, g, &op);
	return cr_req_took(r, &op, cr_consent_change(&op, &q->c, &q->res));
}

/* A refused record: 400 with the field at fault, as a furnished line's. */
static void reply_rejected(struct cr_req *r, const struct cr_diag *d)
{
	cr_buf_reset(&r->rejects);
	r->n_rejects = 0;
	collect_reject(d, NULL, 0, r);
	/* The problem of every error, with the rejects as an extension
	 * member before its closing brace. */
	cr_reply_problem(r, 400, "the consent record was rejected");
	if (r->out.len && r->out.data[r->out.len - 1] == '}')
		r->out.len--;
	cr_buf_puts(&r->out, ",\"rejects\":[");
	cr_buf_append(&r->out, r->rejects.data, r->rejects.len);
	cr_buf_puts(&r->out, "]}");
}

static void finish_consent(struct cr_req *r)
{
	const struct cr_req_consent *q = &r->u.consent;
	if (r->outcome == CR_EDENIED) {
		cr_reply_problem(r, 403, "%s", r->reason ? r->reason : "not this key's consent");
		return;
	}
	if (r->outcome) {
		reply_rejected(r, &q->res.diag);
		return;
	}
	cr_buf_reset(&r->out);
	cr_buf_printf(&r->out, "{\"outcome\":\"%s\",\"released\":%llu}",
		      q->res.fresh ? "recorded" : "unchanged", (unsigned long long)q->res.released);
	cr_reply_buf(r, 200);
}

static int submit_consent(struct cr_req *r)
{
	r->job.run = run_consent;
	r->finish = finish_consent;
	return cr_req_submit(r);
}

/* The body is one consent record, "type" optional, parsed as a furnished
 * line is. */
int cr_h_consent_grant(struct cr_req *r)
{
	struct cr_record rec;
	struct cr_diag d = {1, "", NULL};
	if (cr_jsonl_parse_as(r->body.data ? r->body.data : "", r->body.len, r->asof,
			      CR_REC_CONSENT, &rec, &d)) {
		reply_rejected(r, &d);
		return CR_H_DONE;
	}
	r->u.consent.c = rec.u.consent;
	return submit_consent(r);
}

/* A revocation today of what the body names (no dates: it is now). */
static int read_revocation(struct cr_req *r, json_t *o, struct cr_consent *c)
{
	char scope[16] = "", purpose[24] = "", id[CR_ID_LEN + 8];
	if (cr_req_subject(r, o, "id") || cr_req_str(r, o, "id", id, sizeof id, CR_STR_REQUIRED) ||
	    cr_req_str(r, o, "institution", c->inst, sizeof c->inst, CR_STR_REQUIRED) ||
	    cr_req_code(r, "institution", c->inst) ||
	    cr_req_str(r, o, "scope", scope, sizeof scope, CR_STR_REQUIRED) ||
	    cr_req_str(r, o, "purpose", purpose, sizeof purpose, 0) ||
	    cr_req_str(r, o, "evidence", c->evidence, sizeof c->evidence, 0))
		return -1;
	int32_t birth;
	const char *why;
	cr_id_validate(id, strlen(id), r->asof, c->id, &birth, &why);
	if (cr_scope_parse(scope, strlen(scope), &c->scope))
		return cr_reply_problem(r, 400, "scope: furnish or query"), -1;
	if (purpose[0] && cr_purpose_parse(purpose, strlen(purpose), &c->purpose))
		return cr_reply_problem(r, 400, "purpose: one of loan_approval, card_approval, "
					"post_loan, guarantee, self"), -1;
	c->granted_days = c->revoked_days = r->asof;
	c->expires_days = CR_NO_DATE;
	return 0;
}

int cr_h_consent_revoke(struct cr_req *r)
{
	static const char *const allowed[] = {"id", "institution", "scope", "purpose",
					      "evidence", NULL};
	json_t *o = cr_req_json(r);
	if (!o)
		return CR_H_DONE;
	int bad = cr_req_only_fields(r, o, allowed) || read_revocation(r, o, &r->u.consent.c);
	json_decref(o);
	return bad ? CR_H_DONE : submit_consent(r);
}

static int put_fact(const struct cr_consent_fact *f, int in_force, void *arg)
{
	struct cr_req *r = arg;
	struct cr_buf *b = &r->out;
	char d1[11], d2[11] = "", d3[11] = "";
	cr_date_format(f->granted_days, d1);
	if (f->expires_days != CR_NO_DATE)
		cr_date_format(f->expires_days, d2);
	if (f->revoked_days != CR_NO_DATE)
		cr_date_format(f->revoked_days, d3);
	cr_buf_printf(b, "%s{\"institution\":\"%s\",\"scope\":\"%s\",\"purpose\":%s%s%s,"
		      "\"granted\":\"%s\",\"expires\":%s%s%s,\"revoked\":%s%s%s,\"live\":%s,"
		      "\"evidence\":",
		      b->data[b->len - 1] == '[' ? "" : ",", f->inst, cr_scope_name(f->scope),
		      f->purpose ? "\"" : "", f->purpose ? cr_purpose_name(f->purpose) : "null",
		      f->purpose ? "\"" : "", d1, d2[0] ? "\"" : "", d2[0] ? d2 : "null",
		      d2[0] ? "\"" : "", d3[0] ? "\"" : "", d3[0] ? d3 : "null", d3[0] ? "\"" : "",
		      in_force ? "true" : "false");
	cr_buf_put_json_str(b, f->evidence, strlen(f->evidence));
	return cr_buf_putc(b, '}');
}

/* Listing consents is an access to the person's file: audited. */
static int run_consent_list(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct cr_op op;
	const int self = r->key.role == CR_ROLE_SUBJECT;
	cr_req_op(r, g, &op);
	cr_buf_reset(&r->out);
	cr_buf_puts(&r->out, "{\"consents\":[");
	int rc = cr_consent_show(&op, &r->subject, self ? NULL : r->key.inst, 1, put_fact, r);
	cr_buf_puts(&r->out, "]}");
	return rc;
}

static void finish_list(struct cr_req *r)
{
	cr_reply_buf(r, 200);
}

int cr_h_consent_list(struct cr_req *r)
{
	static const char *const allowed[] = {"id", NULL};
	json_t *o = cr_req_json(r);
	if (!o)
		return CR_H_DONE;
	int bad = cr_req_only_fields(r, o, allowed) || cr_req_subject(r, o, "id");
	json_decref(o);
	if (bad)
		return CR_H_DONE;
	r->job.run = run_consent_list;
	r->finish = finish_list;
	return cr_req_submit(r);
}

int cr_h_me_consents(struct cr_req *r)
{
	r->subject = r->key.subject;
	r->job.run = run_consent_list;
	r->finish = finish_list;
	return cr_req_submit(r);
}
