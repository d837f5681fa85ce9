/*
 * h_webhook.c - an institution's webhook: PUT, GET and DELETE /v1/webhook
 * (docs/alerts.md, "Webhooks"; the deliverer is deliver.c).
 *
 * A lender key manages the webhook of its own institution and no other:
 * the route names none, the key's binding does.  PUT registers the URL
 * and answers a new signing secret, the only time it is shown; a PUT on a
 * registered webhook replaces the URL and rotates the secret, keeping the
 * cursor unless the body gives one.  A new webhook starts at the end of
 * the institution's alert feed (only alerts raised from then on are
 * pushed) unless the body gives "after".  Each change is written and
 * audited by the committer, then pokes the deliverer.  GET shows the
 * delivery state and never the secret.
 */
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "cr_err.h"
#include "deliver.h"
#include "http.h"
#include "webhook.h"

struct wh_put {
	struct cr_webhook w;
	int has_after;
	uint64_t after;
	uint64_t last;   /* the institution's last alert seq, at the commit */
	int created;
};

/* The URL's host (and port), for audit details: never its path or query,
 * which may carry a routing token. */
static void url_host(const char *url, char *out, size_t cap)
{
	const char *h = strstr(url, "://");
	h = h ? h + 3 : url;
	const size_t n = strcspn(h, "/?");
	snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), h);
}

static void audit_change(struct cr_req *r, const char *action, const struct cr_webhook *w,
			 struct cr_audit_entry *e)
{
	char host[40];
	url_host(w->url, host, sizeof host);
	cr_req_audit_entry(r, action, e);
	snprintf(e->detail, sizeof e->detail, "gen=%llu cursor=%llu host=%s",
		 (unsigned long long)w->gen, (unsigned long long)w->s.cursor, host);
}

static int run_put(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct wh_put *p = r->data;
	struct cr_webhook old;
	int rc = cr_store_alert_last(g->txn, p->w.inst, &p->last);
	if (!rc)
		rc = cr_store_webhook_get(g->txn, p->w.inst, 0, &old);
	if (rc && rc != CR_ENOTFOUND)
		return rc;
	if (p->has_after && p->after > p->last) {
		r->outcome = CR_EINVAL;
		return 0;
	}
	const int64_t now = (int64_t)time(NULL);
	p->created = rc == CR_ENOTFOUND;
	if (p->created) {
		p->w.gen = 1;
		p->w.created_s = now;
		p->w.s.cursor = p->last;
	} else {
		p->w.gen = old.gen + 1;
		p->w.created_s = old.created_s;
		p->w.s = old.s;
	}
	if (p->has_after)
		p->w.s.cursor = p->after;
	p->w.updated_s = now;
	p->w.s.failures = 0;
	p->w.s.next_attempt_ms = 0;
	rc = cr_store_webhook_put(g->txn, &p->w);
	if (rc)
		return rc;
	struct cr_audit_entry e;
	audit_change(r, "webhook_register", &p->w, &e);
	return cr_audit_batch_add(g->audit, &e);
}

static void put_times(struct cr_buf *b, const struct cr_webhook *w)
{
	char created[21], updated[21];
	cr_apikey_time(w->created_s, created);
	cr_apikey_time(w->updated_s, updated);
	cr_buf_printf(b, ",\"created\":\"%s\",\"updated\":\"%s\"", created, updated);
}

static void finish_put(struct cr_req *r)
{
	struct wh_put *p = r->data;
	if (r->outcome == CR_EINVAL) {
		cr_reply_problem(r, 400, "after: beyond the last alert of the feed (%llu)",
				 (unsigned long long)p->last);
	} else {
		cr_buf_reset(&r->out);
		cr_buf_puts(&r->out, "{\"url\":");
		cr_buf_put_json_str(&r->out, p->w.url, strlen(p->w.url));
		cr_buf_printf(&r->out, ",\"secret\":\"%s\",\"cursor\":\"%llu\"", p->w.secret,
			      (unsigned long long)p->w.s.cursor);
		put_times(&r->out, &p->w);
		cr_buf_putc(&r->out, '}');
		cr_reply_buf(r, p->created ? 201 : 200);
		cr_deliverer_poke(r->srv->deliverer, 1);
	}
	sodium_memzero(p->w.secret, sizeof p->w.secret);
}

/* "after": a cursor of the feed, as its string or as a number. */
static int read_after(struct cr_req *r, json_t *v, struct wh_put *p)
{
	const char *s = json_string_value(v);
	p->has_after = v != NULL;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		p->after = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (s && *s && strlen(s) <= 19 && strspn(s, "0123456789") == strlen(s)) {
		errno = 0;
		p->after = strtoull(s, NULL, 10);
		if (!errno)
			return 0;
	}
	if (!v)
		return 0;
	cr_reply_problem(r, 400, "after: a cursor of the alert feed (digits), e.g. \"0\" for every alert");
	return -1;
}

/* Checks the body; fills p or replies 400. */
static int read_put(struct cr_req *r, json_t *o, struct wh_put *p)
{
	static const char *const allowed[] = {"url", "after", NULL};
	const json_t *u = json_object_get(o, "url");
	const char *why;
	if (cr_req_only_fields(r, o, allowed))
		return -1;
	if (!json_is_string(u))
		return cr_reply_problem(r, 400, "url: required, an http:// or https:// URL"), -1;
	const char *url = json_string_value(u);
	const size_t len = json_string_length(u);
	if (strlen(url) != len || cr_webhook_url_check(url, len, &why))
		return cr_reply_problem(r, 400, "%s", strlen(url) != len ? "url: contains NUL" : why), -1;
	if (!r->srv->o.webhook_allow_private && cr_webhook_url_private(url, len))
		return cr_reply_problem(r, 400, "url: a loopback or private address; this server delivers only to public addresses"), -1;
	if (read_after(r, json_object_get(o, "after"), p))
		return -1;
	memcpy(p->w.url, url, len + 1);
	snprintf(p->w.inst, sizeof p->w.inst, "%s", r->key.inst);
	cr_webhook_secret_new(p->w.secret);
	return 0;
}

int cr_h_webhook_put(struct cr_req *r)
{
	json_t *o = cr_req_json(r);
	if (!o)
		return CR_H_DONE;
	struct wh_put *p = calloc(1, sizeof *p);
	r->data = p;
	int bad = p ? read_put(r, o, p) : (cr_reply_store_error(r, CR_ENOMEM), -1);
	json_decref(o);
	if (bad)
		return CR_H_DONE;
	r->job.run = run_put;
	r->finish = finish_put;
	return cr_req_submit(r);
}

/* Milliseconds as "YYYY-MM-DDTHH:MM:SS.mmmZ", or null for 0. */
static void put_ms(struct cr_buf *b, const char *name, int64_t ms)
{
	char t[21];
	if (ms <= 0) {
		cr_buf_printf(b, ",\"%s\":null", name);
		return;
	}
	cr_apikey_time(ms / 1000, t);
	t[19] = '\0';
	cr_buf_printf(b, ",\"%s\":\"%s.%03dZ\"", name, t, (int)(ms % 1000));
}

static void put_state(struct cr_buf *b, const struct cr_webhook *w, uint64_t last)
{
	const struct cr_webhook_state *s = &w->s;
	cr_buf_printf(b, ",\"delivery\":{\"cursor\":\"%llu\",\"backlog\":%llu,\"failures\":%u",
		      (unsigned long long)s->cursor,
		      (unsigned long long)(last > s->cursor ? last - s->cursor : 0), s->failures);
	put_ms(b, "last_attempt", s->last_attempt_ms);
	if (s->last_attempt_ms > 0 && s->last_status)
		cr_buf_printf(b, ",\"last_status\":%u", (unsigned)s->last_status);
	else
		cr_buf_puts(b, ",\"last_status\":null");
	if (s->last_attempt_ms > 0 && s->last_error)
		cr_buf_printf(b, ",\"last_error\":\"%s\"", cr_webhook_error_name(s->last_error));
	else
		cr_buf_puts(b, ",\"last_error\":null");
	put_ms(b, "next_attempt", s->failures ? s->next_attempt_ms : 0);
	cr_buf_puts(b, "}}");
}

int cr_h_webhook_get(struct cr_req *r)
{
	cr_txn *txn;
	struct cr_webhook w;
	uint64_t last = 0;
	int rc = cr_store_begin(r->srv->st, 0, &txn);
	if (!rc) {
		rc = cr_store_webhook_get(txn, r->key.inst, 0, &w);
		if (!rc)
			rc = cr_store_alert_last(txn, r->key.inst, &last);
		cr_store_abort(txn);
	}
	if (rc == CR_ENOTFOUND)
		return cr_reply_problem(r, 404, "no webhook is registered for %s (PUT /v1/webhook)",
					r->key.inst), CR_H_DONE;
	if (rc)
		return cr_reply_store_error(r, rc), CR_H_DONE;
	cr_buf_reset(&r->out);
	cr_buf_puts(&r->out, "{\"url\":");
	cr_buf_put_json_str(&r->out, w.url, strlen(w.url));
	put_times(&r->out, &w);
	put_state(&r->out, &w, last);
	return cr_reply_buf(r, 200), CR_H_DONE;
}

static int run_delete(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct cr_webhook *w = r->data;
	int rc = cr_store_webhook_get(g->txn, r->key.inst, 0, w);
	r->outcome = rc;
	if (rc == CR_ENOTFOUND)
		return 0;
	if (!rc)
		rc = cr_store_webhook_del(g->txn, r->key.inst);
	if (rc)
		return rc;
	struct cr_audit_entry e;
	audit_change(r, "webhook_delete", w, &e);
	return cr_audit_batch_add(g->audit, &e);
}

static void finish_delete(struct cr_req *r)
{
	const struct cr_webhook *w = r->data;
	if (r->outcome == CR_ENOTFOUND) {
		cr_reply_problem(r, 404, "no webhook is registered for %s", r->key.inst);
		return;
	}
	cr_buf_reset(&r->out);
	cr_buf_puts(&r->out, "{\"url\":");
	cr_buf_put_json_str(&r->out, w->url, strlen(w->url));
	cr_buf_printf(&r->out, ",\"deleted\":true,\"cursor\":\"%llu\"}",
		      (unsigned long long)w->s.cursor);
	cr_reply_buf(r, 200);
	cr_deliverer_poke(r->srv->deliverer, 1);
}

int cr_h_webhook_delete(struct cr_req *r)
{
	r->data = calloc(1, sizeof(struct cr_webhook));
	if (!r->data)
		return cr_reply_store_error(r, CR_ENOMEM), CR_H_DONE;
	r->job.run = run_delete;
	r->finish = finish_delete;
	return cr_req_submit(r);
}
