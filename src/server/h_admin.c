/*
 * h_admin.c - the routes that touch no person's file: health, the OpenAPI
 * document, metrics, statistics, API keys and audit verification.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "cr_err.h"
#include "cr_id.h"
#include "http.h"

int cr_h_healthz(struct cr_req *r)
{
	static const char ok[] = "{\"status\":\"ok\"}", drain[] = "{\"status\":\"draining\"}";
	if (atomic_load(&r->srv->draining))
		return cr_reply(r, 503, "application/json", drain, sizeof drain - 1), CR_H_DONE;
	return cr_reply(r, 200, "application/json", ok, sizeof ok - 1), CR_H_DONE;
}

int cr_h_openapi(struct cr_req *r)
{
	cr_reply(r, 200, "application/json", cr_openapi_json, cr_openapi_json_len);
	return CR_H_DONE;
}

static int read_stats(struct cr_req *r, struct cr_store_stats *s)
{
	struct cr_op op;
	cr_req_op(r, NULL, &op);
	return cr_admin_stats(&op, s);
}

int cr_h_metrics(struct cr_req *r)
{
	struct cr_store_stats s;
	struct cr_committer_stats cs;
	struct cr_deliverer_stats ds;
	int rc = read_stats(r, &s);
	if (rc)
		return cr_reply_store_error(r, rc), CR_H_DONE;
	cr_server_committer_stats(r->srv, &cs);
	cr_deliverer_stats(r->srv->deliverer, &ds);
	const struct cr_metric_gauges g = {s.file_bytes, s.memtable_bytes, s.l0_files,
					   s.compaction_pending_bytes, s.block_cache_bytes,
					   s.person_cache_bytes, s.person_cache_hits,
					   s.person_cache_misses,
					   cr_server_connections(r->srv), cs.groups, cs.jobs,
					   cs.failed_groups, cs.max_group, cs.isolated, ds.registered,
					   ds.attempts, ds.failures, ds.delivered, ds.backlog};
	cr_buf_reset(&r->out);
	rc = cr_metrics_render(r->srv->metrics, &g, &r->out);
	if (rc)
		return cr_reply_store_error(r, rc), CR_H_DONE;
	r->status = 200;
	r->ctype = "text/plain; version=0.0.4; charset=utf-8";
	return CR_H_DONE;
}

int cr_h_stats(struct cr_req *r)
{
	struct cr_store_stats s;
	int rc = read_stats(r, &s);
	if (rc)
		return cr_reply_store_error(r, rc), CR_H_DONE;
	cr_buf_reset(&r->out);
	cr_buf_printf(&r->out, "{\"institutions\":%llu,\"subjects\":%llu,\"accounts\":%llu,"
		      "\"account_months\":%llu,\"consents\":%llu,\"inquiries\":%llu,"
		      "\"held_records\":%llu,\"file_bytes\":%llu}",
		      (unsigned long long)s.institutions, (unsigned long long)s.subjects,
		      (unsigned long long)s.accounts, (unsigned long long)s.account_months,
		      (unsigned long long)s.consents, (unsigned long long)s.inquiries,
		      (unsigned long long)s.held_records, (unsigned long long)s.file_bytes);
	return cr_reply_buf(r, 200), CR_H_DONE;
}

static void put_key(struct cr_buf *b, const struct cr_apikey *k)
{
	char created[21], revoked[21];
	cr_apikey_time(k->created, created);
	cr_apikey_time(k->revoked, revoked);
	cr_buf_printf(b, "{\"key_id\":\"%s\",\"role\":\"%s\",\"institution\":", k->key_id,
		      cr_role_name(k->role));
	if (k->inst[0])
		cr_buf_printf(b, "\"%s\"", k->inst);
	else
		cr_buf_puts(b, "null");
	cr_buf_printf(b, ",\"person\":%s,\"created\":\"%s\",\"revoked\":", k->has_subject ? "true" : "false",
		      created);
	if (k->revoked)
		cr_buf_printf(b, "\"%s\"}", revoked);
	else
		cr_buf_puts(b, "null}");
}

static int list_key(const struct cr_apikey *k, void *arg)
{
	struct cr_buf *b = arg;
	if (b->data[b->len - 1] != '[')
		cr_buf_putc(b, ',');
	put_key(b, k);
	return 0;
}

static int read_keys(struct cr_op *op, void *arg)
{
	return cr_keys_list(op, list_key, arg);
}

int cr_h_keys(struct cr_req *r)
{
	struct cr_op op;
	cr_req_op(r, NULL, &op);
	cr_buf_reset(&r->out);
	cr_buf_puts(&r->out, "{\"keys\":[");
	int rc = cr_op_read(&op, read_keys, &r->out);
	if (rc)
		return cr_reply_store_error(r, rc), CR_H_DONE;
	cr_buf_puts(&r->out, "]}");
	return cr_reply_buf(r, 200), CR_H_DONE;
}

static int run_key_add(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct cr_req_key_add *ka = &r->u.key_add;
	struct cr_op op;
	cr_req_op(r, g, &op);
	return cr_req_took(r, &op, cr_keys_add(&op, &ka->q, ka->token, &ka->k));
}

static void finish_key_add(struct cr_req *r)
{
	struct cr_req_key_add *ka = &r->u.key_add;
	if (r->outcome) {
		cr_reply_problem(r, 400, "%s", r->reason ? r->reason : "bad key request");
		return;
	}
	cr_buf_reset(&r->out);
	cr_buf_printf(&r->out, "{\"token\":\"%s\",\"key\":", ka->token);
	put_key(&r->out, &ka->k);
	cr_buf_putc(&r->out, '}');
	cr_reply_buf(r, 201);
	sodium_memzero(ka->token, sizeof ka->token);
}

int cr_h_key_add(struct cr_req *r)
{
	static const char *const allowed[] = {"role", "institution", "id", NULL};
	struct cr_req_key_add *ka = &r->u.key_add;
	json_t *o = cr_req_json(r);
	if (!o)
		return CR_H_DONE;
	if (cr_req_only_fields(r, o, allowed)) {
		json_decref(o);
		return CR_H_DONE;
	}
	char role[32] = "";
	const int has_id = json_object_get(o, "id") != NULL;
	const int has_inst = json_object_get(o, "institution") != NULL;
	ka->inst[0] = '\0';
	int bad = cr_req_str(r, o, "role", role, sizeof role, 0) ||
		  cr_req_str(r, o, "institution", ka->inst, sizeof ka->inst, 0) ||
		  cr_req_code(r, "institution", has_inst ? ka->inst : NULL);
	ka->q.role = cr_role_parse(role);
	ka->q.inst = has_inst ? ka->inst : NULL;
	if (!bad && has_id && !(bad = cr_req_subject(r, o, "id"))) {
		snprintf(ka->id, sizeof ka->id, "%s", json_string_value(json_object_get(o, "id")));
		char *x = strchr(ka->id, 'x'); /* the normalized form: X */
		if (x)
			*x = 'X';
		ka->q.id = ka->id;
	}
	json_decref(o);
	if (bad)
		return CR_H_DONE;
	r->job.run = run_key_add;
	r->finish = finish_key_add;
	return cr_req_submit(r);
}

static int run_key_revoke(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct cr_apikey k;
	struct cr_op op;
	cr_req_op(r, g, &op);
	return cr_req_took(r, &op, cr_keys_revoke(&op, r->param, &k));
}
static void finish_key_revoke(struct cr_req *r)
{
	if (r->outcome == CR_ENOTFOUND) {
		cr_reply_problem(r, 404, "no key with id %s", r->param);
		return;
	}
	cr_buf_reset(&r->out);
	cr_buf_printf(&r->out, "{\"key_id\":\"%s\",\"revoked\":true}", r->param);
	cr_reply_buf(r, 200);
}

int cr_h_key_revoke(struct cr_req *r)
{
	r->job.run = run_key_revoke;
	r->finish = finish_key_revoke;
	return cr_req_submit(r);
}

int cr_h_audit_verify(struct cr_req *r)
{
	struct cr_audit_verdict v;
	int rc = cr_audit_verify(r->srv->st, &v);
	if (rc && rc != CR_ECORRUPT)
		return cr_reply_store_error(r, rc), CR_H_DONE;
	cr_buf_reset(&r->out);
	cr_buf_printf(&r->out, "{\"intact\":%s,\"entries\":%llu,\"head_seq\":%llu,\"ahead\":%llu,"
		      "\"bad_seq\":%llu,\"message\":", rc ? "false" : "true",
		      (unsigned long long)v.entries, (unsigned long long)v.head_seq,
		      (unsigned long long)v.ahead, (unsigned long long)v.bad_seq);
	cr_buf_put_json_str(&r->out, v.msg, strlen(v.msg));
	cr_buf_putc(&r->out, '}');
	return cr_reply_buf(r, 200), CR_H_DONE;
}
