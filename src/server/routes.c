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
#include "mask.h"

const struct cr_route cr_routes[] = {
#define CR_ROUTE_ROW(name, method, pattern, roles) \
	{method, pattern, roles, cr_h_##name, #name, CR_ROUTE_##name},
	CR_ROUTES(CR_ROUTE_ROW)
#undef CR_ROUTE_ROW
};
const unsigned cr_n_routes = sizeof cr_routes / sizeof cr_routes[0];

const char *const cr_route_names[] = {
#define CR_ROUTE_NAME(name, method, pattern, roles) #name,
	CR_ROUTES(CR_ROUTE_NAME)
#undef CR_ROUTE_NAME
};
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

/* Every problem's detail and instance pass through mask.h: a detail often
 * names what the caller sent, and a path may carry anything. */
int cr_reply_problem(struct cr_req *r, unsigned status, const char *fmt, ...)
{
	char detail[600], instance[sizeof r->path];
	va_list ap;
	va_start(ap, fmt);
	cr_mask_vformat(detail, sizeof detail, fmt, ap);
	va_end(ap);
	cr_mask_format(instance, sizeof instance, "%s", r->path);
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
		rc = cr_buf_put_json_str(&r->out, instance, strlen(instance));
	return rc ? rc : cr_buf_putc(&r->out, '}');
}

int cr_reply_store_error(struct cr_req *r, int rc)
{
	if (rc == CR_ENOSPC)
		return cr_reply_problem(r, 503, "%s; nothing of this request was recorded",
					cr_strerror(rc));
	return cr_reply_problem(r, 500, "the store failed (%s); nothing was recorded, retry later",
				cr_strerror(rc));
}

json_t *cr_req_json(struct cr_req *r)
{
	json_error_t err;
	json_t *o = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, &err);
	if (!o) {
		/* The parser's text ends with " near '<what it read>'": a piece
		 * of the body, which an error never echoes. */
		const char *near = strstr(err.text, " near ");
		const int n = near ? (int)(near - err.text) : (int)strlen(err.text);
		cr_reply_problem(r, 400, "the body is not JSON: %.*s at line %d column %d",
				 n, err.text, err.line, err.column);
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

void cr_req_prepared(struct cr_req *r, int rc, const char *why)
{
	r->prepared = r->outcome = rc;
	snprintf(r->prepared_why, sizeof r->prepared_why, "%s", why ? why : "");
	r->reason = why ? r->prepared_why : NULL;
}

const char *cr_req_prepared_why(const struct cr_req *r)
{
	return r->prepared_why[0] ? r->prepared_why : NULL;
}

int cr_req_str(struct cr_req *r, json_t *o, const char *name, char *dst, size_t cap,
	       unsigned flags)
{
	const json_t *v = json_object_get(o, name);
	if ((!v || ((flags & CR_STR_NULL_OK) && json_is_null(v))) && !(flags & CR_STR_REQUIRED))
		return 0;
	const size_t n = json_is_string(v) ? json_string_length(v) : 0;
	if (!json_is_string(v) || n >= cap || (n == 0 && (flags & CR_STR_NONEMPTY))) {
		if (flags & CR_STR_NONEMPTY)
			cr_reply_problem(r, 400, "%s: a string of 1 to %zu bytes is required", name,
					 cap - 1);
		else
			cr_reply_problem(r, 400, "%s: a string of at most %zu bytes is required", name,
					 cap - 1);
		return -1;
	}
	memcpy(dst, json_string_value(v), n + 1);
	return 0;
}

int cr_req_code(struct cr_req *r, const char *field, const char *v)
{
	if (!v || cr_inst_code_valid(v, strlen(v)))
		return 0;
	cr_reply_problem(r, 400, "%s: %s", field, CR_REASON_INST_CODE);
	return -1;
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

void cr_req_op(const struct cr_req *r, struct cr_group *g, struct cr_op *op)
{
	cr_op_init(op, r->srv->st, cr_req_audit_role(r), r->key.inst, r->asof);
	op->scorer = r->srv->scorer;
	op->sup_cache = r->srv->sup_cache;
	if (g) {
		op->txn = g->txn;
		op->batch = g->audit;
	}
	op->has_self = r->key.role == CR_ROLE_SUBJECT;
	if (op->has_self)
		op->self = r->key.subject;
}

int cr_req_took(struct cr_req *r, const struct cr_op *op, int rc)
{
	r->outcome = rc;
	r->reason = NULL;
	if (op->why) {
		snprintf(r->why_buf, sizeof r->why_buf, "%s", op->why);
		r->reason = r->why_buf;
	}
	return cr_op_failed(rc) ? rc : 0;
}
