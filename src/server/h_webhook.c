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

#include "cr_err.h"
#include "deliver.h"
#include "http.h"
#include "webhook.h"

static int run_put(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct cr_req_webhook *p = &r->u.webhook;
	struct cr_op op;
	cr_req_op(r, g, &op);
	return cr_req_took(r, &op, cr_webhook_register(&op, &p->q, &p->res));
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
	struct cr_req_webhook *p = &r->u.webhook;
	struct cr_webhook *w = &p->res.w;
	if (r->outcome) {
		cr_reply_problem(r, 400, "%s", r->reason ? r->reason : "bad webhook request");
	} else {
		cr_buf_reset(&r->out);
		cr_buf_puts(&r->out, "{\"url\":");
		cr_buf_put_json_str(&r->out, w->url, strlen(w->url));
		cr_buf_printf(&r->out, ",\"secret\":\"%s\",\"cursor\":\"%llu\"", w->secret,
			      (unsigned long long)w->s.cursor);
		put_times(&r->out, w);
		cr_buf_putc(&r->out, '}');
		cr_reply_buf(r, p->res.created ? 201 : 200);
		cr_deliverer_poke(r->srv->deliverer, 1);
	}
	sodium_memzero(w->secret, sizeof w->secret);
}

/* "after": a cursor of the feed, as its string or as a number. */
static int read_after(struct cr_req *r, json_t *v, struct cr_webhook_request *q)
{
	const char *s = json_string_value(v);
	q->has_after = v != NULL;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		q->after = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (s && *s && strlen(s) <= 19 && strspn(s, "0123456789") == strlen(s)) {
		errno = 0;
		q->after = strtoull(s, NULL, 10);
		if (!errno)
			return 0;
	}
	if (!v)
		return 0;
	cr_reply_problem(r, 400, "after: a cursor of the alert feed (digits), e.g. \"0\" for every alert");
	return -1;
}

int cr_h_webhook_put(struct cr_req *r)
{
	static const char *const allowed[] = {"url", "after", NULL};
	struct cr_req_webhook *p = &r->u.webhook;
	json_t *o = cr_req_json(r);
	if (!o)
		return CR_H_DONE;
	const json_t *u = json_object_get(o, "url");
	int bad = cr_req_only_fields(r, o, allowed);
	if (!bad && !json_is_string(u)) {
		cr_reply_problem(r, 400, "url: required, an http:// or https:// URL");
		bad = 1;
	} else if (!bad && json_string_length(u) > CR_WEBHOOK_URL_MAX) {
		cr_reply_problem(r, 400, "url: longer than %d bytes", CR_WEBHOOK_URL_MAX);
		bad = 1;
	}
	if (!bad) {
		p->q.url_len = json_string_length(u);
		memcpy(p->url, json_string_value(u), p->q.url_len);
		p->url[p->q.url_len] = '\0';
		p->q.url = p->url;
		p->q.allow_private = r->srv->o.webhook_allow_private;
		bad = read_after(r, json_object_get(o, "after"), &p->q);
	}
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
	struct cr_op op;
	struct cr_webhook *w = &r->u.wh;
	uint64_t last;
	cr_req_op(r, NULL, &op);
	int rc = cr_webhook_show(&op, w, &last);
	if (rc == CR_ENOTFOUND)
		return cr_reply_problem(r, 404, "no webhook is registered for %s (PUT /v1/webhook)",
					r->key.inst), CR_H_DONE;
	if (rc)
		return cr_reply_store_error(r, rc), CR_H_DONE;
	cr_buf_reset(&r->out);
	cr_buf_puts(&r->out, "{\"url\":");
	cr_buf_put_json_str(&r->out, w->url, strlen(w->url));
	put_times(&r->out, w);
	put_state(&r->out, w, last);
	sodium_memzero(w->secret, sizeof w->secret);
	return cr_reply_buf(r, 200), CR_H_DONE;
}

static int run_delete(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct cr_op op;
	cr_req_op(r, g, &op);
	return cr_req_took(r, &op, cr_webhook_remove(&op, &r->u.wh));
}

static void finish_delete(struct cr_req *r)
{
	const struct cr_webhook *w = &r->u.wh;
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
	r->job.run = run_delete;
	r->finish = finish_delete;
	return cr_req_submit(r);
}
