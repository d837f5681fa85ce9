/*
 * routes.c - the route table, route matching, and the helpers every
 * handler uses to answer (docs/api.md is the contract; docs/openapi.json
 * the same in machine form, and a test keeps the two and this table equal).
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cr_err.h"
#include "cr_id.h"
#include "cr_limits.h"
#include "http.h"

#define INST (ROLE(CR_ROLE_FURNISHER) | ROLE(CR_ROLE_LENDER))
#define FURN ROLE(CR_ROLE_FURNISHER)
#define LEND ROLE(CR_ROLE_LENDER)
#define SUBJ ROLE(CR_ROLE_SUBJECT)
#define SUPV ROLE(CR_ROLE_SUPERVISOR)
#define OPER ROLE(CR_ROLE_OPERATOR)

const struct cr_route cr_routes[] = {
	{"GET", "/healthz", CR_PUBLIC, cr_h_healthz, "healthz"},
	{"GET", "/v1/openapi.json", CR_PUBLIC, cr_h_openapi, "openapi"},
	{"GET", "/metrics", OPER | SUPV, cr_h_metrics, "metrics"},
	{"POST", "/v1/furnish", FURN, cr_h_furnish, "furnish"},
	{"POST", "/v1/events", FURN, cr_h_events, "events"},
	{"POST", "/v1/consents", INST | SUBJ, cr_h_consent_grant, "consent_grant"},
	{"POST", "/v1/consents/revoke", INST | SUBJ, cr_h_consent_revoke, "consent_revoke"},
	{"POST", "/v1/consents/list", INST, cr_h_consent_list, "consent_list"},
	{"POST", "/v1/reports", LEND, cr_h_report, "report"},
	{"GET", "/v1/me/report", SUBJ, cr_h_me_report, "me_report"},
	{"GET", "/v1/me/consents", SUBJ, cr_h_me_consents, "me_consents"},
	{"GET", "/v1/me/access", SUBJ, cr_h_me_access, "me_access"},
	{"POST", "/v1/me/disputes", SUBJ, cr_h_me_dispute_file, "me_dispute_file"},
	{"GET", "/v1/me/disputes", SUBJ, cr_h_me_disputes, "me_disputes"},
	{"GET", "/v1/disputes", FURN, cr_h_disputes, "disputes"},
	{"POST", "/v1/disputes/{id}/verify", FURN, cr_h_dispute_verify, "dispute_verify"},
	{"POST", "/v1/disputes/{id}/correct", FURN, cr_h_dispute_correct, "dispute_correct"},
	{"GET", "/v1/stats", SUPV | OPER, cr_h_stats, "stats"},
	{"POST", "/v1/keys", OPER, cr_h_key_add, "key_add"},
	{"GET", "/v1/keys", OPER, cr_h_keys, "keys"},
	{"DELETE", "/v1/keys/{key_id}", OPER, cr_h_key_revoke, "key_revoke"},
	{"GET", "/v1/audit/verify", OPER, cr_h_audit_verify, "audit_verify"},
	{"GET", "/v1/alerts", INST, cr_h_alerts, "alerts"},
	{"PUT", "/v1/webhook", LEND, cr_h_webhook_put, "webhook_put"},
	{"GET", "/v1/webhook", LEND, cr_h_webhook_get, "webhook_get"},
	{"DELETE", "/v1/webhook", LEND, cr_h_webhook_delete, "webhook_delete"},
};
const unsigned cr_n_routes = sizeof cr_routes / sizeof cr_routes[0];

const char *const cr_route_names[] = {
	"healthz", "openapi", "metrics", "furnish", "events", "consent_grant",
	"consent_revoke", "consent_list", "report", "me_report", "me_consents",
	"me_access", "me_dispute_file", "me_disputes", "disputes", "dispute_verify",
	"dispute_correct", "stats", "key_add", "keys", "key_revoke", "audit_verify",
	"alerts", "webhook_put", "webhook_get", "webhook_delete",
};
_Static_assert(sizeof cr_route_names / sizeof cr_route_names[0] ==
	       sizeof cr_routes / sizeof cr_routes[0], "one metrics name per route");
_Static_assert(sizeof cr_routes / sizeof cr_routes[0] <= CR_METRICS_ROUTES_MAX,
	       "the metrics keep counters for every route");

/* Does path match pattern?  The "{x}" segment is copied into param. */
static int match(const char *pattern, const char *path, char *param, size_t cap)
{
	while (*pattern && *path) {
		if (*pattern == '{') {
			const char *end = strchr(path, '/');
			size_t n = end ? (size_t)(end - path) : strlen(path);
			if (n == 0 || n >= cap)
				return 0;
			memcpy(param, path, n);
			param[n] = '\0';
			path += n;
			pattern = strchr(pattern, '}') + 1;
			continue;
		}
		if (*pattern++ != *path++)
			return 0;
	}
	return *pattern == '\0' && *path == '\0';
}

const struct cr_route *cr_route_find(const char *method, const char *path,
				     char *param, size_t param_cap,
				     char *allow, size_t allow_cap, unsigned *idx)
{
	allow[0] = '\0';
	for (unsigned i = 0; i < cr_n_routes; i++) {
		if (!match(cr_routes[i].pattern, path, param, param_cap))
			continue;
		if (strcmp(cr_routes[i].method, method) == 0) {
			*idx = i;
			return &cr_routes[i];
		}
		const size_t used = strlen(allow);
		snprintf(allow + used, allow_cap - used, "%s%s", used ? ", " : "",
			 cr_routes[i].method);
	}
	*idx = cr_n_routes;
	return NULL;
}

int cr_reply(struct cr_req *r, unsigned status, const char *ctype,
	     const char *body, size_t len)
{
	r->status = status;
	r->ctype = ctype;
	cr_buf_reset(&r->out);
	return len ? cr_buf_append(&r->out, body, len) : 0;
}

int cr_reply_buf(struct cr_req *r, unsigned status)
{
	r->status = status;
	r->ctype = "application/json";
	return 0;
}

static const struct {
	unsigned status;
	const char *slug, *title;
} problems[] = {
	{400, "bad-request", "Bad Request"},
	{401, "unauthorized", "Unauthorized"},
	{403, "forbidden", "Forbidden"},
	{404, "not-found", "Not Found"},
	{405, "method-not-allowed", "Method Not Allowed"},
	{409, "conflict", "Conflict"},
	{413, "body-too-large", "Content Too Large"},
	{429, "rate-limited", "Too Many Requests"},
	{500, "internal", "Internal Server Error"},
	{503, "unavailable", "Service Unavailable"},
};

int cr_reply_problem(struct cr_req *r, unsigned status, const char *fmt, ...)
{
	char detail[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	size_t i = 0;
	while (i + 1 < sizeof problems / sizeof problems[0] && problems[i].status != status)
		i++;
	r->status = status;
	r->ctype = "application/problem+json";
	cr_buf_reset(&r->out);
	int rc = cr_buf_printf(&r->out, "{\"type\":\"urn:creditref:problem:%s\",\"title\":\"%s\","
			       "\"status\":%u,\"detail\":", problems[i].slug, problems[i].title,
			       status);
	if (!rc)
		rc = cr_buf_put_json_str(&r->out, detail, strlen(detail));
	if (!rc)
		rc = cr_buf_puts(&r->out, ",\"instance\":");
	if (!rc)
		rc = cr_buf_put_json_str(&r->out, r->path, strlen(r->path));
	return rc ? rc : cr_buf_putc(&r->out, '}');
}

int cr_reply_store_error(struct cr_req *r, int rc)
{
	return cr_reply_problem(r, 500, "the store failed (%s); nothing was recorded, retry later",
				cr_strerror(rc));
}

json_t *cr_req_json(struct cr_req *r)
{
	json_error_t err;
	json_t *o = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, &err);
	if (!o) {
		cr_reply_problem(r, 400, "the body is not JSON: %s at line %d column %d",
				 err.text, err.line, err.column);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		cr_reply_problem(r, 400, "the body must be a JSON object");
		return NULL;
	}
	return o;
}

int cr_req_only_fields(struct cr_req *r, json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		size_t i = 0;
		while (allowed[i] && strcmp(key, allowed[i]) != 0)
			i++;
		if (!allowed[i]) {
			char list[200] = "";
			for (i = 0; allowed[i]; i++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
					 i ? ", " : "", allowed[i]);
			cr_reply_problem(r, 400, "%s: unknown field (this route takes %s)", key, list);
			return -1;
		}
	}
	return 0;
}

int cr_req_subject(struct cr_req *r, json_t *obj, const char *field)
{
	const json_t *v = json_object_get(obj, field);
	char id[CR_ID_LEN + 1];
	int32_t birth;
	const char *why;
	if (!json_is_string(v)) {
		cr_reply_problem(r, 400, "%s: the person's ID is required, as a string", field);
		return -1;
	}
	if (cr_id_validate(json_string_value(v), json_string_length(v), r->asof, id,
			   &birth, &why)) {
		cr_reply_problem(r, 400, "%s: %s", field, why);
		return -1;
	}
	cr_store_subject_key(r->srv->st, id, &r->subject);
	return 0;
}

uint8_t cr_req_audit_role(const struct cr_req *r)
{
	switch (r->key.role) {
	case CR_ROLE_FURNISHER: return CR_AUDIT_ROLE_FURNISHER;
	case CR_ROLE_LENDER: return CR_AUDIT_ROLE_LENDER;
	case CR_ROLE_SUBJECT: return CR_AUDIT_ROLE_SUBJECT;
	case CR_ROLE_SUPERVISOR: return CR_AUDIT_ROLE_SUPERVISOR;
	default: return CR_AUDIT_ROLE_OPERATOR;
	}
}

void cr_req_audit_entry(const struct cr_req *r, const char *action,
			struct cr_audit_entry *e)
{
	cr_audit_entry_init(e);
	e->asof_days = r->asof;
	e->role = cr_req_audit_role(r);
	snprintf(e->institution, sizeof e->institution, "%s", r->key.inst);
	snprintf(e->action, sizeof e->action, "%s", action);
	e->outcome = CR_AUDIT_GRANTED;
}
