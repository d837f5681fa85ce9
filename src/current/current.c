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

int cr_current_now(cr_txn *txn, const struct cr_account_rec *r, int32_t asof_days,
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
