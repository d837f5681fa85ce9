/*
 * h_furnish.c - furnishing and consents over HTTP.
 *
 * Every write here runs through the same ingest pipeline as a file
 * (ingest.h), inside the committer's shared transaction, restricted to what
 * the key may furnish: a furnisher's records must name its institution, a
 * person's consents must be their own.  A consent request is one record,
 * validated exactly as a furnished line would be.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cr_date.h"
#include "cr_err.h"
#include "http.h"
#include "ingest.h"
#include "consent.h"

static int collect_reject(const struct cr_diag *d, const char *line, size_t len,
			  void *arg)
{
	(void)line;
	(void)len;
	struct cr_req *r = arg;
	if (r->n_rejects++ >= CR_REJECTS_LISTED)
		return 0;
	struct cr_buf *b = &r->rejects;
	const char *reason = d->reason ? d->reason : "rejected";
	int rc = cr_buf_printf(b, "%s{\"line\":%zu,\"field\":", b->len ? "," : "", d->line);
	if (!rc)
		rc = cr_buf_put_json_str(b, d->field, strlen(d->field));
	if (!rc)
		rc = cr_buf_puts(b, ",\"reason\":");
	if (!rc)
		rc = cr_buf_put_json_str(b, reason, strlen(reason));
	return rc ? rc : cr_buf_putc(b, '}');
}

/* Feeds r->body (JSON Lines) through an ingest session on g's txn. */
static int ingest_body(struct cr_group *g, struct cr_req *r, uint8_t only_type)
{
	struct cr_ingest *ig;
	int rc = cr_ingest_begin_in(g->st, g->txn, r->asof, collect_reject, r, &ig);
	if (rc)
		return rc;
	const int subject = r->key.role == CR_ROLE_SUBJECT;
	cr_ingest_restrict(ig, subject ? NULL : r->key.inst,
			   subject ? &r->key.subject : NULL, only_type);
	rc = cr_ingest_buffer(ig, r->body.data ? r->body.data : "", r->body.len, 1);
	int erc = cr_ingest_end(ig, &r->counts);
	return rc ? rc : erc;
}

static int run_furnish(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	int rc = ingest_body(g, r, (uint8_t)r->purpose);
	if (rc)
		return rc;
	struct cr_audit_entry e;
	cr_req_audit_entry(r, "furnish", &e);
	const struct cr_ingest_counts *c = &r->counts;
	snprintf(e.detail, sizeof e.detail,
		 "submitted=%llu accepted=%llu rejected=%llu held=%llu unchanged=%llu",
		 (unsigned long long)c->submitted, (unsigned long long)c->accepted,
		 (unsigned long long)c->rejected, (unsigned long long)c->held,
		 (unsigned long long)c->unchanged);
	return cr_audit_batch_add(g->audit, &e);
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
	r->purpose = 0; /* any record type */
	r->job.weight = r->body.len;
	r->job.run = run_furnish;
	r->finish = finish_furnish;
	return cr_req_submit(r);
}

int cr_h_events(struct cr_req *r)
{
	r->purpose = CR_REC_EVENT; /* only event records */
	r->job.weight = r->body.len;
	r->job.run = run_furnish;
	r->finish = finish_furnish;
	return cr_req_submit(r);
}

/* One consent record: the outcome and the reject, if any. */
static int run_consent(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	int rc = ingest_body(g, r, CR_REC_CONSENT);
	if (rc)
		return rc;
	struct cr_audit_entry e;
	cr_req_audit_entry(r, r->route->handler == cr_h_consent_revoke ? "consent_revoke"
								       : "consent_grant", &e);
	e.has_subject = 1;
	e.subject = r->subject;
	e.outcome = r->counts.rejected ? CR_AUDIT_REFUSED : CR_AUDIT_GRANTED;
	snprintf(e.reason, sizeof e.reason, "%s", r->counts.rejected ? "invalid record" : "");
	snprintf(e.detail, sizeof e.detail, "%s", (const char *)r->data);
	return cr_audit_batch_add(g->audit, &e);
}

static void finish_consent(struct cr_req *r)
{
	const struct cr_ingest_counts *c = &r->counts;
	if (c->rejected) {
		cr_buf_reset(&r->out);
		cr_buf_printf(&r->out, "{\"type\":\"urn:creditref:problem:bad-request\","
			      "\"title\":\"Bad Request\",\"status\":400,\"detail\":"
			      "\"the consent record was rejected\",\"instance\":\"%s\","
			      "\"rejects\":[", r->path);
		cr_buf_append(&r->out, r->rejects.data, r->rejects.len);
		cr_buf_puts(&r->out, "]}");
		r->status = 400;
		r->ctype = "application/problem+json";
		return;
	}
	cr_buf_reset(&r->out);
	cr_buf_printf(&r->out, "{\"outcome\":\"%s\",\"released\":%llu}",
		      c->unchanged ? "unchanged" : c->held ? "held" : "recorded",
		      (unsigned long long)c->released);
	cr_reply_buf(r, 200);
}

/* The object-level rule, before anything is read: a person acts for
 * themself, an institution for itself. */
static int consent_rights(struct cr_req *r, json_t *o)
{
	if (cr_req_subject(r, o, "id"))
		return -1;
	if (r->key.role == CR_ROLE_SUBJECT) {
		if (memcmp(r->subject.b, r->key.subject.b, CR_SUBJECT_KEY_LEN) != 0)
			return cr_reply_problem(r, 403, "a person's key may change only that person's consents"), -1;
		return 0;
	}
	const char *inst = json_string_value(json_object_get(o, "institution"));
	if (!inst || strcmp(inst, r->key.inst) != 0)
		return cr_reply_problem(r, 403, "this key acts for institution %s; the consent must name it",
					r->key.inst), -1;
	return 0;
}

/* Replaces the body with the record as one JSON line and submits it. */
static int submit_consent(struct cr_req *r, json_t *o)
{
	json_object_set_new(o, "type", json_string("consent"));
	char *line = json_dumps(o, JSON_COMPACT);
	char detail[96];
	snprintf(detail, sizeof detail, "institution=%s scope=%s",
		 json_string_value(json_object_get(o, "institution")) ?: "?",
		 json_string_value(json_object_get(o, "scope")) ?: "?");
	json_decref(o);
	if (!line)
		return cr_reply_store_error(r, CR_ENOMEM), CR_H_DONE;
	cr_buf_reset(&r->body);
	r->body.max_len = SIZE_MAX / 2;
	int rc = cr_buf_puts(&r->body, line);
	free(line);
	r->data = strdup(detail);
	if (rc || !r->data)
		return cr_reply_store_error(r, CR_ENOMEM), CR_H_DONE;
	r->job.run = run_consent;
	r->finish = finish_consent;
	return cr_req_submit(r);
}

int cr_h_consent_grant(struct cr_req *r)
{
	json_t *o = cr_req_json(r);
	if (!o)
		return CR_H_DONE;
	const json_t *t = json_object_get(o, "type");
	if (t && !(json_is_string(t) && strcmp(json_string_value(t), "consent") == 0)) {
		json_decref(o);
		return cr_reply_problem(r, 400, "type: this route takes a consent record"), CR_H_DONE;
	}
	if (consent_rights(r, o)) {
		json_decref(o);
		return CR_H_DONE;
	}
	return submit_consent(r, o);
}

int cr_h_consent_revoke(struct cr_req *r)
{
	json_t *o = cr_req_json(r);
	if (!o)
		return CR_H_DONE;
	static const char *const allowed[] = {"id", "institution", "scope", "purpose",
					      "evidence", NULL};
	if (cr_req_only_fields(r, o, allowed)) {
		json_decref(o);
		return CR_H_DONE;
	}
	if (consent_rights(r, o)) {
		json_decref(o);
		return CR_H_DONE;
	}
	char today[11];
	cr_date_format(r->asof, today);
	json_object_set_new(o, "granted", json_string(today));
	json_object_set_new(o, "revoked", json_string(today));
	return submit_consent(r, o);
}

/* Listing consents is an access to the person's file: audited. */
static int run_consent_list(struct cr_group *g, struct cr_job *j)
{
	static _Thread_local struct cr_consent_facts facts;
	struct cr_req *r = j->arg;
	int rc = cr_consent_facts_load(g->txn, &r->subject, &facts);
	if (rc)
		return rc;
	const int self = r->key.role == CR_ROLE_SUBJECT;
	struct cr_buf *b = &r->out;
	cr_buf_reset(b);
	cr_buf_puts(b, "{\"consents\":[");
	size_t shown = 0;
	for (size_t i = 0; i < facts.n; i++) {
		const struct cr_consent_fact *f = &facts.f[i];
		if (!self && strcmp(f->inst, r->key.inst) != 0)
			continue;
		char d1[11], d2[11] = "", d3[11] = "";
		cr_date_format(f->granted_days, d1);
		if (f->expires_days != CR_NO_DATE)
			cr_date_format(f->expires_days, d2);
		if (f->revoked_days != CR_NO_DATE)
			cr_date_format(f->revoked_days, d3);
		cr_buf_printf(b, "%s{\"institution\":\"%s\",\"scope\":\"%s\",\"purpose\":%s%s%s,"
			      "\"granted\":\"%s\",\"expires\":%s%s%s,\"revoked\":%s%s%s,\"evidence\":",
			      shown++ ? "," : "", f->inst, cr_scope_name(f->scope),
			      f->purpose ? "\"" : "", f->purpose ? cr_purpose_name(f->purpose) : "null",
			      f->purpose ? "\"" : "", d1, d2[0] ? "\"" : "", d2[0] ? d2 : "null",
			      d2[0] ? "\"" : "", d3[0] ? "\"" : "", d3[0] ? d3 : "null", d3[0] ? "\"" : "");
		cr_buf_put_json_str(b, f->evidence, strlen(f->evidence));
		cr_buf_putc(b, '}');
	}
	cr_buf_puts(b, "]}");
	struct cr_audit_entry e;
	cr_req_audit_entry(r, "consent_list", &e);
	e.has_subject = 1;
	e.subject = r->subject;
	return cr_audit_batch_add(g->audit, &e);
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
