/*
 * op_webhook.c - an institution's webhook and its alert feed: register,
 * delete, show, a page of alerts, a delivery attempt recorded
 * (docs/alerts.md, "Webhooks").
 *
 * Registration rules.  A webhook belongs to the acting institution, never
 * another.  The URL is http:// or https:// (webhook.h), and not a loopback
 * or private address unless the server was told to deliver there.  A new
 * webhook starts at the end of the feed (only alerts raised from then on
 * are pushed) unless the request gives a cursor, which may not run past
 * the feed's last alert.  A registration on a registered webhook replaces
 * the URL and rotates the secret, keeping the cursor and the creation time.
 */
#include "ops.h"

#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "cr_err.h"

static int check_url(struct cr_op *op, const struct cr_webhook_request *q)
{
	const char *why;
	if (strlen(q->url) != q->url_len)
		return op->why = "url: contains NUL", CR_EINVAL;
	if (cr_webhook_url_check(q->url, q->url_len, &why))
		return op->why = why, CR_EINVAL;
	if (!q->allow_private && cr_webhook_url_private(q->url, q->url_len))
		return op->why = "url: a loopback or private address; this server delivers only "
				 "to public addresses", CR_EINVAL;
	return 0;
}

static void place(struct cr_op *op, const struct cr_webhook *old, int created,
		  const struct cr_webhook_request *q, struct cr_webhook_result *res)
{
	struct cr_webhook *w = &res->w;
	res->created = created;
	if (created) {
		w->gen = 1;
		w->created_s = op->now;
		w->s.cursor = res->last;
	} else {
		w->gen = old->gen + 1;
		w->created_s = old->created_s;
		w->s = old->s;
	}
	if (q->has_after)
		w->s.cursor = q->after;
	w->updated_s = op->now;
	w->s.failures = 0;
	w->s.next_attempt_ms = 0;
}

int cr_webhook_register(struct cr_op *op, const struct cr_webhook_request *q,
			struct cr_webhook_result *res)
{
	struct cr_webhook old;
	memset(res, 0, sizeof *res);
	int rc = check_url(op, q);
	if (rc)
		return rc;
	rc = cr_store_alert_last(op->txn, op->inst, &res->last);
	if (!rc)
		rc = cr_store_webhook_get(op->txn, op->inst, 0, &old);
	if (rc && rc != CR_ENOTFOUND)
		return rc;
	if (q->has_after && q->after > res->last) {
		snprintf(op->why_buf, sizeof op->why_buf,
			 "after: beyond the last alert of the feed (%llu)",
			 (unsigned long long)res->last);
		op->why = op->why_buf;
		return CR_EINVAL;
	}
	memcpy(res->w.url, q->url, q->url_len + 1);
	snprintf(res->w.inst, sizeof res->w.inst, "%s", op->inst);
	cr_webhook_secret_new(res->w.secret);
	place(op, &old, rc == CR_ENOTFOUND, q, res);
	rc = cr_store_webhook_put(op->txn, &res->w);
	return rc ? rc : cr_op_audit_webhook(op, CR_ACT_WEBHOOK_REGISTER, &res->w);
}

int cr_webhook_remove(struct cr_op *op, struct cr_webhook *old)
{
	int rc = cr_store_webhook_get(op->txn, op->inst, 0, old);
	if (rc == CR_ENOTFOUND)
		op->why = "no webhook is registered";
	if (!rc)
		rc = cr_store_webhook_del(op->txn, op->inst);
	return rc ? rc : cr_op_audit_webhook(op, CR_ACT_WEBHOOK_DELETE, old);
}

struct show {
	struct cr_webhook *w;
	uint64_t *last;
};

static int read_show(struct cr_op *op, void *arg)
{
	struct show *s = arg;
	int rc = cr_store_webhook_get(op->txn, op->inst, 0, s->w);
	return rc ? rc : cr_store_alert_last(op->txn, op->inst, s->last);
}

int cr_webhook_show(struct cr_op *op, struct cr_webhook *w, uint64_t *last)
{
	struct show s = {w, last};
	*last = 0;
	return cr_op_read(op, read_show, &s);
}

struct page {
	uint64_t after;
	unsigned limit;
	struct cr_buf *out;
	unsigned *n;
	uint64_t *next;
};

static int read_page(struct cr_op *op, void *arg)
{
	struct page *p = arg;
	return cr_alert_page(op->txn, op->inst, p->after, p->limit, p->out, p->n, p->next);
}

int cr_alerts_page(struct cr_op *op, uint64_t after, unsigned limit, struct cr_buf *out,
		   unsigned *n, uint64_t *next)
{
	struct page p = {after, limit, out, n, next};
	*n = 0;
	*next = after;
	return cr_op_read(op, read_page, &p);
}

/* The new delivery state of the registration the attempt was made for. */
static void next_state(const struct cr_webhook_attempt *a, struct cr_webhook_state *st)
{
	st->last_attempt_ms = a->at_ms;
	st->last_status = a->status;
	st->last_error = a->err;
	if (a->err == CR_WEBHOOK_OK) {
		st->cursor = a->next;
		st->failures = 0;
		st->next_attempt_ms = 0;
	} else {
		st->failures = a->failures + 1;
		st->next_attempt_ms = a->at_ms + (int64_t)cr_webhook_backoff_ms(
			st->failures, a->base_ms, a->rnd);
	}
}

int cr_webhook_attempted(struct cr_op *op, const struct cr_webhook_attempt *a)
{
	struct cr_webhook w;
	int rc = cr_store_webhook_get(op->txn, op->inst, 0, &w);
	if (rc && rc != CR_ENOTFOUND)
		return rc;
	/* A stopped attempt changes nothing; one for an older registration
	 * or an older cursor neither. */
	if (!rc && a->err != CR_WEBHOOK_STOPPED && w.gen == a->gen && w.s.cursor == a->after) {
		next_state(a, &w.s);
		rc = cr_store_webhook_state_put(op->txn, op->inst, a->gen, &w.s);
		if (rc < 0)
			return rc;
	}
	return cr_op_audit_delivery(op, a->after, a->next, a->n, a->status, a->err, a->errmsg);
}

static int check_config(struct cr_op *op, const struct cr_alert_config_request *q,
			struct cr_alert_config *c)
{
	const uint64_t pct = q->has_pct ? q->pct : (uint64_t)c->exposure_pct;
	const uint64_t min = q->has_min ? q->min : (uint64_t)c->exposure_min;
	const uint64_t n = q->has_inquiries ? q->inquiries : (uint64_t)c->inquiries;
	if (pct > CR_ALERT_EXPOSURE_PCT_MAX || min > (uint64_t)CR_AMOUNT_MAX || n < 1 ||
	    n > CR_ALERT_INQUIRIES_MAX) {
		snprintf(op->why_buf, sizeof op->why_buf, "exposure_pct 0..%d, exposure_min 0..%lld, "
			 "inquiries 1..%d", CR_ALERT_EXPOSURE_PCT_MAX, (long long)CR_AMOUNT_MAX,
			 CR_ALERT_INQUIRIES_MAX);
		op->why = op->why_buf;
		return CR_EINVAL;
	}
	*c = (struct cr_alert_config){(int32_t)pct, (int64_t)min, (int32_t)n};
	return 0;
}

int cr_alerts_configure(struct cr_op *op, const struct cr_alert_config_request *q,
			struct cr_alert_config *out)
{
	struct cr_institution in;
	int rc = cr_store_inst_get(op->txn, q->inst, &in);
	if (rc == CR_ENOTFOUND)
		op->why = "unknown institution";
	if (!rc)
		rc = cr_alert_config(op->txn, q->inst, out);
	if (!rc)
		rc = check_config(op, q, out);
	if (!rc)
		rc = cr_store_alert_config_put(op->txn, q->inst, out);
	return rc ? rc : cr_op_audit_alert_config(op, q->inst, out);
}
