/*
 * op_audit.c - the audit entry of every act, built here and nowhere else.
 *
 * One writer per kind of detail; the act (audit.h, enum cr_audit_act)
 * names the action.  The actor, the business date and the outcome come
 * from the context.  Into the group's batch when there is one (the
 * server), appended and synced on its own otherwise (the CLI).
 */
#include "ops.h"

#include <stdio.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"

static void entry(const struct cr_op *op, enum cr_audit_act act,
		  struct cr_audit_entry *e)
{
	CR_ASSERT(act > CR_ACT_NONE && act < CR_ACT_COUNT);
	CR_ASSERT(op->role >= CR_AUDIT_ROLE_SUBJECT && op->role <= CR_AUDIT_ROLE_OPERATOR);
	cr_audit_entry_init(e);
	e->asof_days = op->asof;
	e->role = op->role;
	snprintf(e->institution, sizeof e->institution, "%s", op->inst);
	snprintf(e->action, sizeof e->action, "%s", cr_audit_act_name(act));
	e->outcome = CR_AUDIT_GRANTED;
}

static void about(struct cr_audit_entry *e, const struct cr_subject_key *who)
{
	e->has_subject = who != NULL;
	if (who)
		e->subject = *who;
}

static int write_entry(struct cr_op *op, struct cr_audit_entry *e)
{
	CR_ASSERT(!op->batch || op->txn); /* a batch lives in its group's transaction */
	if (op->batch)
		return cr_audit_batch_add(op->batch, e);
	if (op->txn)
		return cr_audit_append(op->st, op->txn, e);
	return cr_audit_record(op->st, e);
}

static void outcome(struct cr_audit_entry *e, uint8_t o, const char *reason)
{
	e->outcome = o;
	snprintf(e->reason, sizeof e->reason, "%s", reason ? reason : "");
}

int cr_op_audit(struct cr_op *op, enum cr_audit_act act, const struct cr_subject_key *who,
		uint8_t purpose, uint8_t result, const char *reason)
{
	struct cr_audit_entry e;
	entry(op, act, &e);
	about(&e, who);
	e.purpose = purpose;
	outcome(&e, result, reason);
	return write_entry(op, &e);
}

int cr_op_audit_furnish(struct cr_op *op, const struct cr_ingest_counts *c)
{
	struct cr_audit_entry e;
	entry(op, CR_ACT_FURNISH, &e);
	snprintf(e.detail, sizeof e.detail,
		 "submitted=%llu accepted=%llu rejected=%llu held=%llu unchanged=%llu",
		 (unsigned long long)c->submitted, (unsigned long long)c->accepted,
		 (unsigned long long)c->rejected, (unsigned long long)c->held,
		 (unsigned long long)c->unchanged);
	return write_entry(op, &e);
}

/* The institution is named only when the record was valid: a refused
 * one's institution is what the caller typed, and could be anything. */
int cr_op_audit_consent(struct cr_op *op, const struct cr_subject_key *who,
			const struct cr_consent *c, const char *refusal)
{
	struct cr_audit_entry e;
	entry(op, c->revoked_days != CR_NO_DATE ? CR_ACT_CONSENT_REVOKE : CR_ACT_CONSENT_GRANT, &e);
	about(&e, who);
	e.purpose = c->purpose <= CR_PURPOSE_SELF ? c->purpose : 0;
	outcome(&e, refusal ? CR_AUDIT_REFUSED : CR_AUDIT_GRANTED, refusal);
	snprintf(e.detail, sizeof e.detail, "institution=%s scope=%s",
		 refusal ? "?" : c->inst, refusal ? "?" : cr_scope_name(c->scope));
	return write_entry(op, &e);
}

int cr_op_audit_key(struct cr_op *op, enum cr_audit_act act, const struct cr_apikey *k)
{
	struct cr_audit_entry e;
	entry(op, act, &e);
	about(&e, k->has_subject ? &k->subject : NULL);
	snprintf(e.detail, sizeof e.detail, "key_id=%s role=%s%s%s", k->key_id,
		 cr_role_name(k->role), k->inst[0] ? " institution=" : "", k->inst);
	return write_entry(op, &e);
}

/* The URL's host (and port), never its path or query, which may carry a
 * routing token. */
static void url_host(const char *url, char *out, size_t cap)
{
	const char *h = strstr(url, "://");
	h = h ? h + 3 : url;
	const size_t n = strcspn(h, "/?");
	snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), h);
}

int cr_op_audit_webhook(struct cr_op *op, enum cr_audit_act act, const struct cr_webhook *w)
{
	struct cr_audit_entry e;
	char host[40];
	url_host(w->url, host, sizeof host);
	entry(op, act, &e);
	snprintf(e.detail, sizeof e.detail, "gen=%llu cursor=%llu host=%s",
		 (unsigned long long)w->gen, (unsigned long long)w->s.cursor, host);
	return write_entry(op, &e);
}

int cr_op_audit_dispute(struct cr_op *op, enum cr_audit_act act, const struct cr_dispute *d)
{
	struct cr_audit_entry e;
	entry(op, act, &e);
	about(&e, &d->subject);
	snprintf(e.detail, sizeof e.detail, "dispute=%llu institution=%s",
		 (unsigned long long)d->id, d->inst);
	return write_entry(op, &e);
}

int cr_op_audit_alert_page(struct cr_op *op, uint64_t after, uint64_t next, unsigned n)
{
	struct cr_audit_entry e;
	entry(op, CR_ACT_ALERT_DELIVERY, &e);
	snprintf(e.detail, sizeof e.detail, "after=%llu next=%llu alerts=%u",
		 (unsigned long long)after, (unsigned long long)next, n);
	return write_entry(op, &e);
}

int cr_op_audit_delivery(struct cr_op *op, uint64_t after, uint64_t next, unsigned n,
			 unsigned http, uint8_t err, const char *errmsg)
{
	struct cr_audit_entry e;
	entry(op, CR_ACT_WEBHOOK_DELIVERY, &e);
	const int answered = err == CR_WEBHOOK_OK || err == CR_WEBHOOK_HTTP;
	e.outcome = err == CR_WEBHOOK_OK ? CR_AUDIT_GRANTED : CR_AUDIT_FAILED;
	if (answered)
		snprintf(e.detail, sizeof e.detail, "after=%llu next=%llu alerts=%u http=%u",
			 (unsigned long long)after, (unsigned long long)next, n, http);
	else
		snprintf(e.detail, sizeof e.detail, "after=%llu next=%llu alerts=%u error=%s",
			 (unsigned long long)after, (unsigned long long)next, n,
			 cr_webhook_error_name(err));
	if (err == CR_WEBHOOK_HTTP)
		snprintf(e.reason, sizeof e.reason, "the receiver answered HTTP %u", http);
	else if (err == CR_WEBHOOK_STOPPED)
		snprintf(e.reason, sizeof e.reason, "the server stopped during the attempt");
	else if (err)
		snprintf(e.reason, sizeof e.reason, "%s: %.100s", cr_webhook_error_name(err),
			 errmsg && errmsg[0] ? errmsg : "no answer");
	return write_entry(op, &e);
}

int cr_op_audit_alert_config(struct cr_op *op, const char *inst,
			      const struct cr_alert_config *c)
{
	struct cr_audit_entry e;
	entry(op, CR_ACT_ALERT_CONFIG, &e);
	snprintf(e.detail, sizeof e.detail, "institution=%s exposure_pct=%d exposure_min=%lld "
		 "inquiries=%d", inst, c->exposure_pct, (long long)c->exposure_min, c->inquiries);
	return write_entry(op, &e);
}

int cr_op_audit_purge(struct cr_op *op, int failed, uint64_t accounts, uint64_t months)
{
	struct cr_audit_entry e;
	entry(op, CR_ACT_PURGE, &e);
	e.outcome = failed ? CR_AUDIT_REFUSED : CR_AUDIT_GRANTED;
	snprintf(e.detail, sizeof e.detail, "accounts=%llu removed_months=%llu",
		 (unsigned long long)accounts, (unsigned long long)months);
	return write_entry(op, &e);
}

int cr_op_audit_count(struct cr_op *op, enum cr_audit_act act, int failed, const char *what,
		      uint64_t n)
{
	struct cr_audit_entry e;
	entry(op, act, &e);
	if (failed)
		outcome(&e, CR_AUDIT_FAILED, cr_strerror(failed));
	snprintf(e.detail, sizeof e.detail, "%s=%llu", what, (unsigned long long)n);
	return write_entry(op, &e);
}

int cr_op_audit_supervision(struct cr_op *op, int32_t month, const char *by,
			    const char *refusal)
{
	struct cr_audit_entry e;
	char m[8];
	entry(op, CR_ACT_SUPERVISION_READ, &e);
	if (refusal)
		outcome(&e, CR_AUDIT_REFUSED, refusal);
	cr_month_format(month, m);
	snprintf(e.detail, sizeof e.detail, "month=%s by=%s", m, by);
	return write_entry(op, &e);
}

int cr_op_audit_serve_start(struct cr_op *op, const char *host, unsigned port)
{
	struct cr_audit_entry e;
	entry(op, CR_ACT_SERVE_START, &e);
	snprintf(e.detail, sizeof e.detail, "listen=%.40s:%u", host, port);
	return write_entry(op, &e);
}

int cr_op_audit_delist(struct cr_op *op, const struct cr_delist *d, const char *refusal)
{
	struct cr_audit_entry e;
	char from[11] = "-";
	entry(op, CR_ACT_SHELF_DELIST, &e);
	if (cr_days_valid(d->effective_days))
		cr_date_format(d->effective_days, from);
	if (d->what == CR_DELIST_CATEGORY)
		snprintf(e.detail, sizeof e.detail, "order=%llu %s cat=%s from=%s",
			 (unsigned long long)d->seq, d->platform, cr_category_name(d->category),
			 from);
	else
		snprintf(e.detail, sizeof e.detail, "order=%llu %s/%s from=%s",
			 (unsigned long long)d->seq, d->platform, d->product, from);
	if (refusal)
		outcome(&e, CR_AUDIT_REFUSED, refusal);
	return write_entry(op, &e);
}

int cr_op_audit_shelf(struct cr_op *op, const struct cr_subject_key *k, const char *platform,
		      size_t offered, size_t held, const char *refusal)
{
	struct cr_audit_entry e;
	entry(op, CR_ACT_SHELF_QUERY, &e);
	about(&e, k);
	snprintf(e.detail, sizeof e.detail, "platform=%s offered=%zu held=%zu",
		 platform[0] ? platform : "*", offered, held);
	if (refusal)
		outcome(&e, CR_AUDIT_REFUSED, refusal);
	return write_entry(op, &e);
}
