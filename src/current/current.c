/*
 * current.c - deriving an account's current state; see current.h.
 *
 * The rules per event kind, in the order the store returns the events:
 *
 *   drawdown, fee, interest  balance += amount (saturating at CR_AMOUNT_MAX)
 *   repayment                overdue -= amount first (not below 0), then
 *                            balance -= amount (not below 0: an overpayment
 *                            is no debt); dpd 0 once nothing is overdue
 *   overdue                  overdue = amount, dpd = dpd (the lender's view
 *                            now, not an increment)
 *   writeoff                 charged off; balance = amount when amount > 0
 *                            (what was written off), else unchanged
 *   close                    closed; balance, overdue and dpd 0
 *
 * Closed, charged off and transferred are final: later events still move the
 * money (a recovery after a write-off is a repayment) but not the status.
 */
#include "current.h"

#include <string.h>

#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "retention.h"

static const char *const status_names[] = {"open", "overdue", "closed",
					   "charged_off", "transferred"};

const char *cr_current_status_name(uint8_t status)
{
	return status >= CR_CUR_OPEN && status <= CR_CUR_TRANSFERRED
		       ? status_names[status - 1] : "?";
}

static int final_status(uint8_t s)
{
	return s == CR_CUR_CLOSED || s == CR_CUR_CHARGED_OFF || s == CR_CUR_TRANSFERRED;
}

/* Open or overdue, from the amounts, unless the status is final. */
static void settle_status(struct cr_current *c)
{
	if (!final_status(c->status))
		c->status = c->overdue > 0 || c->dpd > 0 ? CR_CUR_OVERDUE : CR_CUR_OPEN;
}

void cr_current_base(struct cr_current *c, const struct cr_account *a,
		     const struct cr_month_rec *latest, int32_t latest_month)
{
	memset(c, 0, sizeof *c);
	switch (a->status) {
	case CR_ACCT_CLOSED: c->status = CR_CUR_CLOSED; break;
	case CR_ACCT_CHARGED_OFF: c->status = CR_CUR_CHARGED_OFF; break;
	case CR_ACCT_TRANSFERRED: c->status = CR_CUR_TRANSFERRED; break;
	default: c->status = CR_CUR_OPEN; break;
	}
	if (!latest || !latest->status) {
		/* Events from the opening day on count. */
		c->base_end_s = cr_day_start_s(a->opened_days) - 1;
		c->as_of_s = cr_day_start_s(a->opened_days);
		return;
	}
	c->has_base = 1;
	c->base_month = latest_month;
	c->balance = latest->balance;
	c->overdue = latest->overdue;
	c->dpd = latest->dpd;
	c->base_end_s = cr_month_end_s(latest_month);
	c->as_of_s = c->base_end_s;
	if (!final_status(c->status)) {
		if (latest->status == 'C' || latest->status == 'Z')
			c->status = CR_CUR_CLOSED;
		else if (latest->status == 'G')
			c->status = CR_CUR_CHARGED_OFF;
	}
	settle_status(c);
}

static int64_t add_sat(int64_t a, int64_t b)
{
	return a > CR_AMOUNT_MAX - b ? CR_AMOUNT_MAX : a + b;
}

void cr_current_apply(struct cr_current *c, const struct cr_event_rec *e,
		      int32_t asof_days)
{
	CR_ASSERT(e->amount >= 0 && e->amount <= CR_AMOUNT_MAX);
	CR_ASSERT(c->balance >= 0 && c->balance <= CR_AMOUNT_MAX);
	const int32_t month = cr_month_of_date(cr_day_of_s(e->at_s));
	const int adverse = e->kind == CR_EV_OVERDUE || e->kind == CR_EV_WRITEOFF;
	if (adverse && month + CR_RETENTION_MONTHS <= cr_month_of_date(asof_days))
		return;
	switch (e->kind) {
	case CR_EV_DRAWDOWN:
	case CR_EV_FEE:
	case CR_EV_INTEREST:
		c->balance = add_sat(c->balance, e->amount);
		break;
	case CR_EV_REPAYMENT:
		c->overdue = e->amount >= c->overdue ? 0 : c->overdue - e->amount;
		c->balance = e->amount >= c->balance ? 0 : c->balance - e->amount;
		if (c->overdue == 0)
			c->dpd = 0;
		break;
	case CR_EV_OVERDUE:
		c->overdue = e->amount;
		c->dpd = e->dpd;
		break;
	case CR_EV_WRITEOFF:
		if (e->amount > 0)
			c->balance = e->amount;
		if (c->status != CR_CUR_CLOSED && c->status != CR_CUR_TRANSFERRED)
			c->status = CR_CUR_CHARGED_OFF;
		break;
	case CR_EV_CLOSE:
		c->balance = c->overdue = 0;
		c->dpd = 0;
		if (!final_status(c->status))
			c->status = CR_CUR_CLOSED;
		break;
	default:
		return; /* the store refuses unknown kinds on read */
	}
	settle_status(c);
	c->as_of_s = e->at_s;
	memcpy(c->last_hash, e->id_hash, sizeof c->last_hash);
	c->events_applied++;
}

int64_t cr_current_until_s(int32_t asof_days)
{
	return cr_day_end_s(asof_days) + CR_CLOCK_SKEW_S;
}

struct derive_ctx {
	struct cr_current *c;
	int32_t asof_days;
};

static int take_event(const struct cr_event_rec *e, void *arg)
{
	struct derive_ctx *ctx = arg;
	cr_current_apply(ctx->c, e, ctx->asof_days);
	return 0;
}

int cr_current_derive(cr_txn *txn, const struct cr_account_rec *r,
		      const struct cr_month_rec *latest, int32_t latest_month,
		      int32_t asof_days, struct cr_current *out)
{
	if (!txn || !r || !out)
		return CR_EINVAL;
	cr_current_base(out, &r->a, latest, latest_month);
	struct derive_ctx ctx = {out, asof_days};
	return cr_store_account_events(txn, r->acct_id, out->base_end_s,
				       cr_current_until_s(asof_days), take_event, &ctx);
}

/* A kept state: version 1, the as-of day, then the fields, big-endian. */
#define KEPT_LEN (1 + 4 + 8 + 8 + 4 + 1 + 1 + 4 + 8 + 4 + 8 + 16)

static uint8_t *put64(uint8_t *p, uint64_t x)
{
	for (int i = 7; i >= 0; i--)
		*p++ = (uint8_t)(x >> (8 * i));
	return p;
}

static uint8_t *put32(uint8_t *p, uint32_t x)
{
	for (int i = 3; i >= 0; i--)
		*p++ = (uint8_t)(x >> (8 * i));
	return p;
}

static uint64_t get64(const uint8_t **p)
{
	uint64_t x = 0;
	for (int i = 0; i < 8; i++)
		x = x << 8 | *(*p)++;
	return x;
}

static uint32_t get32(const uint8_t **p)
{
	uint32_t x = 0;
	for (int i = 0; i < 4; i++)
		x = x << 8 | *(*p)++;
	return x;
}

static int keep(cr_txn *txn, uint64_t acct_id, const struct cr_current *c, int32_t asof_days)
{
	uint8_t b[KEPT_LEN], *p = b;
	*p++ = 1;
	p = put32(p, (uint32_t)asof_days);
	p = put64(p, (uint64_t)c->balance);
	p = put64(p, (uint64_t)c->overdue);
	p = put32(p, (uint32_t)c->dpd);
	*p++ = c->status;
	*p++ = (uint8_t)(c->has_base != 0);
	p = put32(p, (uint32_t)c->base_month);
	p = put64(p, (uint64_t)c->as_of_s);
	p = put32(p, c->events_applied);
	p = put64(p, (uint64_t)c->base_end_s);
	memcpy(p, c->last_hash, sizeof c->last_hash);
	CR_ASSERT(p + sizeof c->last_hash == b + KEPT_LEN);
	return cr_store_state_put(txn, acct_id, b, sizeof b);
}

int cr_current_kept(cr_txn *txn, const struct cr_account_rec *r, int32_t asof_days,
		    struct cr_current *out)
{
	uint8_t b[CR_STORE_STATE_MAX];
	size_t n;
	int rc = cr_store_state_get(txn, r->acct_id, b, &n);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	const uint8_t *p = b + 1;
	if (n != KEPT_LEN || b[0] != 1)
		return CR_ECORRUPT;
	if ((int32_t)get32(&p) != asof_days)
		return 0;
	memset(out, 0, sizeof *out);
	out->balance = (int64_t)get64(&p);
	out->overdue = (int64_t)get64(&p);
	out->dpd = (int32_t)get32(&p);
	out->status = *p++;
	out->has_base = *p++;
	out->base_month = (int32_t)get32(&p);
	out->as_of_s = (int64_t)get64(&p);
	out->events_applied = get32(&p);
	out->base_end_s = (int64_t)get64(&p);
	memcpy(out->last_hash, p, sizeof out->last_hash);
	if (out->status < CR_CUR_OPEN || out->status > CR_CUR_TRANSFERRED || out->balance < 0 ||
	    out->balance > CR_AMOUNT_MAX || out->overdue < 0 || out->dpd < 0)
		return CR_ECORRUPT;
	return 1;
}

/* Does e come after every event c applied, in (time, id hash) order? */
static int after_all(const struct cr_current *c, const struct cr_event_rec *e)
{
	if (!c->events_applied)
		return 1; /* e is after the base: checked by the caller */
	if (e->at_s != c->as_of_s)
		return e->at_s > c->as_of_s;
	return memcmp(e->id_hash, c->last_hash, sizeof c->last_hash) > 0;
}

int cr_current_follow(cr_txn *txn, const struct cr_account_rec *r,
		      const struct cr_current *before, int kept,
		      const struct cr_event_rec *e, int32_t asof_days)
{
	if (kept != 1 || !cr_store_writable(txn))
		return 0;
	struct cr_current c = *before;
	if (e->at_s > before->base_end_s && e->at_s <= cr_current_until_s(asof_days)) {
		if (!after_all(before, e))
			return 0; /* applied out of order: the next reader derives */
		cr_current_apply(&c, e, asof_days);
	}
	int rc = keep(txn, r->acct_id, &c, asof_days);
	return rc ? rc : 1;
}

int cr_current_fresh(cr_txn *txn, const struct cr_account_rec *r, int32_t asof_days,
		     struct cr_current *out)
{
	const int32_t asof_month = cr_month_of_date(asof_days);
	int32_t first = cr_month_of_date(r->a.opened_days);
	if (asof_month - first >= CR_HISTORY_MONTHS_MAX)
		first = asof_month - CR_HISTORY_MONTHS_MAX + 1;
	for (int32_t year = asof_month / 12; year >= first / 12 && asof_month >= first; year--) {
		struct cr_hist_year h;
		int rc = cr_store_hist_get(txn, r->acct_id, year, &h);
		if (rc == CR_ENOTFOUND)
			continue;
		if (rc)
			return rc;
		for (int32_t m = 11; m >= 0; m--) {
			const int32_t month = year * 12 + m;
			if (month <= asof_month && month >= first && h.m[m].status)
				return cr_current_derive(txn, r, &h.m[m], month, asof_days, out);
		}
	}
	return cr_current_derive(txn, r, NULL, 0, asof_days, out);
}

int cr_current_now(cr_txn *txn, const struct cr_account_rec *r, int32_t asof_days,
		   struct cr_current *out)
{
	int rc = cr_current_kept(txn, r, asof_days, out);
	if (rc)
		return rc == 1 ? 0 : rc;
	rc = cr_current_fresh(txn, r, asof_days, out);
	if (!rc && cr_store_writable(txn))
		rc = keep(txn, r->acct_id, out, asof_days);
	return rc;
}
