/*
 * op_audit.c - the audit entry of every act, built here and nowhere else.
 *
 * One writer per kind of detail; the act (audit.h, enum cr_audit_act)
 * names the action.  The actor, the business date and the outcome come
 * from the context.  Into the group's batch when there is one (the
 * server), appended and synced on its own otherwise (the CLI).
 *
 * Every reason and detail is formatted by put_text() and nothing else:
 * identifiers masked, invalid bytes replaced, and a text longer than its
 * field cut on a character boundary (mask.h), so that no writer can hand
 * the trail an entry it refuses.  Should the trail refuse one all the
 * same, the act fails (CR_EAUDIT): an act is never committed, nor a
 * refusal answered, without its entry.
 */
#include "ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "mask.h"

/* The one formatter of a reason or a detail (field of cap bytes). */
static void put_text(char *field, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void put_text(char *field, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cr_mask_vformat(field, cap, fmt, ap);
	va_end(ap);
}

#define DETAIL(e, ...) put_text((e)->detail, sizeof (e)->detail, __VA_ARGS__)
#define REASON(e, ...) put_text((e)->reason, sizeof (e)->reason, __VA_ARGS__)

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
	int rc;
	if (op->batch)
		rc = cr_audit_batch_add(op->batch, e);
	else if (op->txn)
		rc = cr_audit_append(op->st, op->txn, e);
	else
		rc = cr_audit_record(op->st, e);
	/* A refused entry is a failure of the act, never a refusal of the
	 * request: the act must not be committed without it. */
	return rc == CR_EINVAL ? CR_EAUDIT : rc;
}

static void outcome(struct cr_audit_entry *e, uint8_t o, const char *reason)
{
	e->outcome = o;
	REASON(e, "%s", reason ? reason : "");
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
	DETAIL(&e, "submitted=%llu accepted=%llu rejected=%llu held=%llu unchanged=%llu",
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
	DETAIL(&e, "institution=%s scope=%s",
	       refusal ? "?" : c->inst, refusal ? "?" : cr_scope_name(c->scope));
	return write_entry(op, &e);
}

int cr_op_audit_key(struct cr_op *op, enum cr_audit_act act, const struct cr_apikey *k)
{
	struct cr_audit_entry e;
	entry(op, act, &e);
	about(&e, k->has_subject ? &k->subject : NULL);
	DETAIL(&e, "key_id=%s role=%s%s%s", k->key_id,
	       cr_role_name(k->role), k->inst[0] ? " institution=" : "", k->inst);
	return write_entry(op, &e);
}

/* The URL's host (and port), never its path or query, which may carry a
 * routing token: where it starts in url, and *n its length. */
static const char *url_host(const char *url, int *n)
{
	const char *h = strstr(url, "://");
	h = h ? h + 3 : url;
	const size_t len = strcspn(h, "/?");
	*n = len < CR_WEBHOOK_URL_MAX ? (int)len : CR_WEBHOOK_URL_MAX;
	return h;
}

int cr_op_audit_webhook(struct cr_op *op, enum cr_audit_act act, const struct cr_webhook *w)
{
	struct cr_audit_entry e;
	int n;
	const char *host = url_host(w->url, &n);
	entry(op, act, &e);
	DETAIL(&e, "gen=%llu cursor=%llu host=%.*s",
	       (unsigned long long)w->gen, (unsigned long long)w->s.cursor, n, host);
	return write_entry(op, &e);
}

int cr_op_audit_dispute(struct cr_op *op, enum cr_audit_act act, const struct cr_dispute *d)
{
	struct cr_audit_entry e;
	entry(op, act, &e);
	about(&e, &d->subject);
	DETAIL(&e, "dispute=%llu institution=%s",
	       (unsigned long long)d->id, d->inst);
	return write_entry(op, &e);
}

int cr_op_audit_alert_page(struct cr_op *op, uint64_t after, uint64_t next, unsigned n)
{
	struct cr_audit_entry e;
	entry(op, CR_ACT_ALERT_DELIVERY, &e);
	DETAIL(&e, "after=%llu next=%llu alerts=%u",
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
		DETAIL(&e, "after=%llu next=%llu alerts=%u http=%u",
		       (unsigned long long)after, (unsigned long long)next, n, http);
	else
		DETAIL(&e, "after=%llu next=%llu alerts=%u error=%s",
		       (unsigned long long)after, (unsigned long long)next, n,
		       cr_webhook_error_name(err));
	if (err == CR_WEBHOOK_HTTP)
		REASON(&e, "the receiver answered HTTP %u", http);
	else if (err == CR_WEBHOOK_STOPPED)
		REASON(&e, "the server stopped during the attempt");
	else if (err)
		REASON(&e, "%s: %s", cr_webhook_error_name(err),
		       errmsg && errmsg[0] ? errmsg : "no answer");
	return write_entry(op, &e);
}

int cr_op_audit_alert_config(struct cr_op *op, const char *inst,
			      const struct cr_alert_config *c)
{
	struct cr_audit_entry e;
	entry(op, CR_ACT_ALERT_CONFIG, &e);
	DETAIL(&e, "institution=%s exposure_pct=%d exposure_min=%lld "
	       "inquiries=%d", inst, c->exposure_pct, (long long)c->exposure_min, c->inquiries);
	return write_entry(op, &e);
}

int cr_op_audit_purge(struct cr_op *op, int failed, uint64_t accounts, uint64_t months)
{
	struct cr_audit_entry e;
	entry(op, CR_ACT_PURGE, &e);
	e.outcome = failed ? CR_AUDIT_REFUSED : CR_AUDIT_GRANTED;
	DETAIL(&e, "accounts=%llu removed_months=%llu",
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
	DETAIL(&e, "%s=%llu", what, (unsigned long long)n);
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
	DETAIL(&e, "month=%s by=%s", m, by);
	return write_entry(op, &e);
}

int cr_op_audit_serve_start(struct cr_op *op, const char *host, unsigned port)
{
	struct cr_audit_entry e;
	entry(op, CR_ACT_SERVE_START, &e);
	DETAIL(&e, "listen=%s:%u", host, port);
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
		DETAIL(&e, "order=%llu %s cat=%s from=%s",
		       (unsigned long long)d->seq, d->platform, cr_category_name(d->category),
		       from);
	else
		DETAIL(&e, "order=%llu %s/%s from=%s",
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
	DETAIL(&e, "platform=%s offered=%zu held=%zu",
	       platform[0] ? platform : "*", offered, held);
	if (refusal)
		outcome(&e, CR_AUDIT_REFUSED, refusal);
	return write_entry(op, &e);
}
