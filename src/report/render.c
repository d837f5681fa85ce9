/*
 * render.c - the report as JSON (docs/report.md) and as text for a terminal.
 *
 * Both renderers append to a cr_buf and never allocate otherwise.  Money is
 * printed as integer minor units in JSON; the text form shows yuan with two
 * decimals, computed with integer division.
 */
#include <string.h>

#include "cr_date.h"
#include "cr_err.h"
#include "cr_id.h"
#include "dispute.h"
#include "report.h"
#include "scorer.h"

/* Appends ,"key":<int> (or without the comma when first). */
static int kv_int(struct cr_buf *b, const char *key, int64_t v, int first)
{
	int rc = cr_buf_printf(b, "%s\"%s\":", first ? "" : ",", key);
	return rc ? rc : cr_buf_put_i64(b, v);
}

static int kv_str(struct cr_buf *b, const char *key, const char *v, int first)
{
	int rc = cr_buf_printf(b, "%s\"%s\":", first ? "" : ",", key);
	return rc ? rc : cr_buf_put_json_str(b, v, strlen(v));
}

static int kv_date(struct cr_buf *b, const char *key, int32_t days)
{
	char d[11];
	cr_date_format(days, d);
	return kv_str(b, key, d, 0);
}

static int json_head(const struct cr_report *r, struct cr_buf *b)
{
	char id[CR_ID_LEN + 1];
	cr_id_mask(r->subject.id, id);
	int rc = cr_buf_puts(b, "{\"report\":{\"format_version\":1");
	if (!rc)
		rc = kv_date(b, "as_of", r->asof_days);
	if (!rc)
		rc = kv_str(b, "purpose", cr_purpose_name(r->purpose), 0);
	if (!rc)
		rc = kv_str(b, "requested_by", r->requester, 0);
	if (!rc)
		rc = cr_buf_puts(b, "},\"subject\":{");
	if (!rc)
		rc = kv_str(b, "id", id, 1);
	if (!rc)
		rc = kv_date(b, "birth_date", r->subject.birth_days);
	if (!rc)
		rc = kv_str(b, "name", r->subject.name, 0);
	if (!rc && r->purpose == CR_PURPOSE_SELF)
		rc = cr_buf_puts(b, r->subject_held ? ",\"held\":true" : ",\"held\":false");
	return rc ? rc : cr_buf_putc(b, '}');
}

static int json_summary(const struct cr_report *r, struct cr_buf *b)
{
	const struct cr_report_summary *s = &r->summary;
	int rc = cr_buf_puts(b, ",\"summary\":{\"accounts\":");
	if (!rc)
		rc = cr_buf_put_i64(b, (int64_t)r->n_accounts);
	if (!rc)
		rc = cr_buf_puts(b, ",\"accounts_by_product\":{");
	for (int p = 1; p <= CR_PROD_COUNT && !rc; p++)
		rc = kv_int(b, cr_product_name((uint8_t)p), s->accounts_by_product[p], p == 1);
	if (!rc)
		rc = cr_buf_putc(b, '}');
	if (!rc)
		rc = kv_int(b, "lenders_with_open_balance", s->lenders_with_open_balance, 0);
	if (!rc)
		rc = kv_int(b, "total_credit_limit", s->total_credit_limit, 0);
	if (!rc)
		rc = kv_int(b, "total_balance", s->total_balance, 0);
	if (!rc)
		rc = kv_int(b, "total_overdue", s->total_overdue, 0);
	if (!rc)
		rc = kv_int(b, "accounts_ever_overdue", s->accounts_ever_overdue, 0);
	const char worst[2] = {s->worst_status_24m, '\0'};
	if (!rc)
		rc = s->worst_status_24m ? kv_str(b, "worst_status_24m", worst, 0)
					 : cr_buf_puts(b, ",\"worst_status_24m\":null");
	return rc ? rc : cr_buf_putc(b, '}');
}

static int json_latest(const struct cr_report_account *ra, struct cr_buf *b)
{
	if (!ra->has_latest)
		return cr_buf_puts(b, ",\"latest\":null");
	char month[8];
	const char status[2] = {ra->latest.status, '\0'};
	cr_month_format(ra->latest_month, month);
	int rc = cr_buf_puts(b, ",\"latest\":{");
	if (!rc)
		rc = kv_str(b, "month", month, 1);
	if (!rc)
		rc = kv_int(b, "balance", ra->latest.balance, 0);
	if (!rc)
		rc = kv_int(b, "due", ra->latest.due, 0);
	if (!rc)
		rc = kv_int(b, "paid", ra->latest.paid, 0);
	if (!rc)
		rc = kv_int(b, "overdue", ra->latest.overdue, 0);
	if (!rc)
		rc = kv_int(b, "dpd", ra->latest.dpd, 0);
	if (!rc)
		rc = kv_str(b, "status", status, 0);
	return rc ? rc : cr_buf_putc(b, '}');
}

/* ,"key":"YYYY-MM-DDThh:mm:ss+08:00", or null for CR_NO_TIME. */
static int kv_time(struct cr_buf *b, const char *key, int64_t s, int first)
{
	char t[CR_TIME_TEXT_LEN];
	if (s == CR_NO_TIME)
		return cr_buf_printf(b, "%s\"%s\":null", first ? "" : ",", key);
	cr_time_format(s, t);
	return kv_str(b, key, t, first);
}

static int json_current(const struct cr_report_account *ra, struct cr_buf *b)
{
	const struct cr_current *c = &ra->current;
	int rc = cr_buf_puts(b, ",\"current\":{");
	if (!rc)
		rc = kv_int(b, "balance", c->balance, 1);
	if (!rc)
		rc = kv_int(b, "overdue", c->overdue, 0);
	if (!rc)
		rc = kv_int(b, "dpd", c->dpd, 0);
	if (!rc)
		rc = kv_str(b, "status", cr_current_status_name(c->status), 0);
	if (!rc)
		rc = kv_time(b, "as_of", c->as_of_s, 0);
	if (!rc)
		rc = kv_int(b, "events_applied", c->events_applied, 0);
	if (!rc && c->has_base) {
		char month[8];
		cr_month_format(c->base_month, month);
		rc = kv_str(b, "base_month", month, 0);
	} else if (!rc) {
		rc = cr_buf_puts(b, ",\"base_month\":null");
	}
	return rc ? rc : cr_buf_putc(b, '}');
}

static int json_figure(struct cr_buf *b, const char *key,
		       const struct cr_report_figure *f, int first)
{
	int rc = cr_buf_printf(b, "%s\"%s\":{", first ? "" : ",", key);
	if (!rc)
		rc = kv_int(b, "value", f->value, 1);
	if (!rc)
		rc = kv_time(b, "as_of", f->as_of_s, 0);
	return rc ? rc : cr_buf_putc(b, '}');
}

static int json_exposure(const struct cr_report *r, struct cr_buf *b)
{
	const struct cr_report_exposure *x = &r->exposure;
	int rc = cr_buf_puts(b, ",\"exposure\":{");
	if (!rc)
		rc = json_figure(b, "outstanding", &x->outstanding, 1);
	if (!rc)
		rc = json_figure(b, "lenders_with_balance", &x->lenders_with_balance, 0);
	if (!rc)
		rc = cr_buf_puts(b, ",\"credit_used\":{");
	if (!rc)
		rc = kv_int(b, "used", x->credit_used.value, 1);
	if (!rc)
		rc = kv_int(b, "limit", x->credit_limit, 0);
	if (!rc)
		rc = kv_time(b, "as_of", x->credit_used.as_of_s, 0);
	if (!rc)
		rc = cr_buf_putc(b, '}');
	if (!rc)
		rc = json_figure(b, "accounts_opened_30d", &x->opened_30d, 0);
	if (!rc)
		rc = json_figure(b, "accounts_opened_90d", &x->opened_90d, 0);
	if (!rc)
		rc = json_figure(b, "inquiries_30d", &x->inquiries_30d, 0);
	return rc ? rc : cr_buf_putc(b, '}');
}

static int json_disputes(const struct cr_report_account *ra, struct cr_buf *b)
{
	int rc = cr_buf_puts(b, ",\"disputes\":[");
	for (int i = 0; i < ra->n_disputes && !rc; i++) {
		const struct cr_report_dispute *d = &ra->disputes[i];
		char month[8];
		rc = cr_buf_puts(b, i ? ",{" : "{");
		if (!rc)
			rc = kv_int(b, "id", (int64_t)d->id, 1);
		if (!rc && d->month == CR_WHOLE_ACCOUNT) {
			rc = cr_buf_puts(b, ",\"month\":null");
		} else if (!rc) {
			cr_month_format(d->month, month);
			rc = kv_str(b, "month", month, 0);
		}
		if (!rc)
			rc = kv_date(b, "filed", d->filed_days);
		if (!rc)
			rc = kv_str(b, "status", cr_dispute_status_name(d->status), 0);
		if (!rc)
			rc = cr_buf_putc(b, '}');
	}
	/* The newest are listed; the count is of every one. */
	if (!rc)
		rc = cr_buf_printf(b, "],\"disputes_total\":%lu,\"disputes_truncated\":%s",
				   (unsigned long)ra->disputes_total,
				   ra->disputes_total > ra->n_disputes ? "true" : "false");
	return rc;
}

/* The values corrections replaced: the person's own report shows them. */
static int json_revisions(const struct cr_report_account *ra, struct cr_buf *b)
{
	int rc = cr_buf_puts(b, ",\"revisions\":[");
	for (int i = 0; i < ra->n_revisions && !rc; i++) {
		const struct cr_revision *v = &ra->revisions[i];
		char month[8];
		const char status[2] = {v->old.status, '\0'};
		cr_month_format(v->month, month);
		rc = cr_buf_puts(b, i ? ",{" : "{");
		if (!rc)
			rc = kv_str(b, "month", month, 1);
		if (!rc)
			rc = kv_int(b, "dispute", (int64_t)v->dispute_id, 0);
		if (!rc)
			rc = kv_date(b, "date", v->date_days);
		if (!rc && !v->old.status)
			rc = cr_buf_puts(b, ",\"previous\":null}");
		else if (!rc)
			rc = cr_buf_printf(b, ",\"previous\":{\"status\":\"%s\",\"dpd\":%d,"
					   "\"balance\":%lld,\"due\":%lld,\"paid\":%lld,\"overdue\":%lld}}",
					   status, (int)v->old.dpd, (long long)v->old.balance,
					   (long long)v->old.due, (long long)v->old.paid,
					   (long long)v->old.overdue);
	}
	if (!rc)
		rc = cr_buf_printf(b, "],\"revisions_total\":%lu,\"revisions_truncated\":%s",
				   (unsigned long)ra->revisions_total,
				   ra->revisions_total > ra->n_revisions ? "true" : "false");
	return rc;
}

static int json_account(const struct cr_report_account *ra, int self, struct cr_buf *b)
{
	const struct cr_account *a = &ra->rec.a;
	const char currency[4] = {a->currency[0], a->currency[1], a->currency[2], '\0'};
	int rc = cr_buf_putc(b, '{');
	if (!rc)
		rc = kv_str(b, "institution", a->inst, 1);
	if (!rc)
		rc = kv_str(b, "account", a->account, 0);
	if (!rc)
		rc = kv_str(b, "product", cr_product_name(a->product), 0);
	if (!rc)
		rc = kv_str(b, "status", ra->ended && a->status == CR_ACCT_OPEN
				? "closed" : cr_acct_status_name(a->status), 0);
	if (!rc)
		rc = kv_date(b, "opened", a->opened_days);
	if (!rc)
		rc = kv_str(b, "currency", currency, 0);
	if (!rc && a->credit_limit)
		rc = kv_int(b, "credit_limit", a->credit_limit, 0);
	if (!rc && a->principal)
		rc = kv_int(b, "principal", a->principal, 0);
	if (!rc && a->term_months)
		rc = kv_int(b, "term_months", a->term_months, 0);
	if (!rc && a->n_colenders) {
		rc = cr_buf_puts(b, ",\"co_lenders\":[");
		for (int i = 0; i < a->n_colenders && !rc; i++) {
			rc = cr_buf_puts(b, i ? ",{" : "{");
			if (!rc)
				rc = kv_str(b, "institution", a->colenders[i].inst, 1);
			if (!rc)
				rc = kv_int(b, "share_bp", a->colenders[i].share_bp, 0);
			if (!rc)
				rc = cr_buf_putc(b, '}');
		}
		if (!rc)
			rc = cr_buf_putc(b, ']');
	}
	if (!rc && self)
		rc = cr_buf_puts(b, ra->held ? ",\"held\":true" : ",\"held\":false");
	if (!rc && ra->n_disputes)
		rc = json_disputes(ra, b);
	if (!rc && ra->n_revisions)
		rc = json_revisions(ra, b);
	if (!rc)
		rc = json_latest(ra, b);
	if (!rc)
		rc = json_current(ra, b);
	if (!rc)
		rc = kv_str(b, "grid", ra->grid, 0);
	return rc ? rc : cr_buf_putc(b, '}');
}

static int json_inquiries(const struct cr_report *r, struct cr_buf *b)
{
	int rc = cr_buf_puts(b, ",\"inquiries\":[");
	for (size_t i = 0; i < r->n_inquiries && !rc; i++) {
		const struct cr_inquiry *q = &r->inquiries[i];
		rc = cr_buf_puts(b, i ? ",{" : "{");
		if (!rc)
			rc = kv_str(b, "institution", q->inst, 1);
		if (!rc)
			rc = kv_str(b, "purpose", cr_purpose_name(q->purpose), 0);
		if (!rc)
			rc = kv_date(b, "date", q->date_days);
		if (!rc && q->purpose == CR_PURPOSE_SELF)
			rc = cr_buf_puts(b, q->chargeable ? ",\"chargeable\":true"
							  : ",\"chargeable\":false");
		if (!rc)
			rc = cr_buf_putc(b, '}');
	}
	/* The list keeps the newest; the count is of every one. */
	if (!rc)
		rc = cr_buf_printf(b, "],\"inquiries_total\":%llu,\"inquiries_truncated\":%s",
				   (unsigned long long)r->inquiries_total,
				   r->inquiries_total > r->n_inquiries ? "true" : "false");
	return rc;
}

int cr_report_json(const struct cr_report *r, struct cr_buf *b)
{
	const int self = r->purpose == CR_PURPOSE_SELF;
	int rc = json_head(r, b);
	if (!rc)
		rc = json_summary(r, b);
	if (!rc)
		rc = json_exposure(r, b);
	if (!rc)
		rc = cr_buf_puts(b, ",\"score\":");
	if (!rc)
		rc = r->has_score ? cr_scorer_json(r->scorer, &r->score, b) : cr_buf_puts(b, "null");
	if (!rc)
		rc = cr_buf_puts(b, ",\"accounts\":[");
	for (size_t i = 0; i < r->n_accounts && !rc; i++) {
		if (i)
			rc = cr_buf_putc(b, ',');
		if (!rc)
			rc = json_account(&r->accounts[i], self, b);
	}
	if (!rc)
		rc = cr_buf_putc(b, ']');
	if (!rc)
		rc = json_inquiries(r, b);
	return rc ? rc : cr_buf_puts(b, "}\n");
}

/* Yuan with two decimals from minor units, integer arithmetic only. */
static int put_yuan(struct cr_buf *b, int64_t fen)
{
	const char *sign = fen < 0 ? "-" : "";
	const uint64_t u = fen < 0 ? 0 - (uint64_t)fen : (uint64_t)fen;
	return cr_buf_printf(b, "%s%llu.%02llu", sign, (unsigned long long)(u / 100),
			     (unsigned long long)(u % 100));
}

static int text_current(const struct cr_current *c, struct cr_buf *b)
{
	char t[CR_TIME_TEXT_LEN];
	cr_time_format(c->as_of_s, t);
	int rc = cr_buf_puts(b, "\n    now: balance ");
	if (!rc)
		rc = put_yuan(b, c->balance);
	if (!rc)
		rc = cr_buf_puts(b, " overdue ");
	if (!rc)
		rc = put_yuan(b, c->overdue);
	if (!rc)
		rc = cr_buf_printf(b, " dpd %d %s as of %s (%u events)", (int)c->dpd,
				   cr_current_status_name(c->status), t,
				   (unsigned)c->events_applied);
	return rc;
}

/* One exposure line: label, value (yuan or a count) and its time. */
static int text_figure(struct cr_buf *b, const char *label,
		       const struct cr_report_figure *f, int money)
{
	char t[CR_TIME_TEXT_LEN] = "-";
	if (f->as_of_s != CR_NO_TIME)
		cr_time_format(f->as_of_s, t);
	int rc = cr_buf_printf(b, "  %-30s ", label);
	if (!rc)
		rc = money ? put_yuan(b, f->value) : cr_buf_put_i64(b, f->value);
	return rc ? rc : cr_buf_printf(b, "  (as of %s)\n", t);
}

static int text_exposure(const struct cr_report *r, struct cr_buf *b)
{
	const struct cr_report_exposure *x = &r->exposure;
	int rc = cr_buf_puts(b, "\nExposure now (latest statements and events since)\n");
	if (!rc)
		rc = text_figure(b, "outstanding (CNY)", &x->outstanding, 1);
	if (!rc)
		rc = text_figure(b, "lenders with a balance", &x->lenders_with_balance, 0);
	if (!rc)
		rc = text_figure(b, "credit used (CNY)", &x->credit_used, 1);
	if (!rc)
		rc = cr_buf_puts(b, "  of credit limit (CNY)          ");
	if (!rc)
		rc = put_yuan(b, x->credit_limit);
	if (!rc)
		rc = cr_buf_putc(b, '\n');
	if (!rc)
		rc = text_figure(b, "accounts opened, last 30 days", &x->opened_30d, 0);
	if (!rc)
		rc = text_figure(b, "accounts opened, last 90 days", &x->opened_90d, 0);
	if (!rc)
		rc = text_figure(b, "inquiries, last 30 days", &x->inquiries_30d, 0);
	return rc;
}

static int text_account(const struct cr_report_account *ra, struct cr_buf *b)
{
	const struct cr_account *a = &ra->rec.a;
	char opened[11], month[8];
	cr_date_format(a->opened_days, opened);
	int rc = cr_buf_printf(b, "\n  %-6s %-20s %-11s opened %s%s\n", a->inst,
			       a->account, cr_product_name(a->product), opened,
			       ra->held ? "  [held: no furnish consent]" : "");
	if (!rc)
		rc = cr_buf_puts(b, a->principal ? "    principal " : "    limit ");
	if (!rc)
		rc = put_yuan(b, a->principal ? a->principal : a->credit_limit);
	if (!rc && ra->has_latest) {
		cr_month_format(ra->latest_month, month);
		rc = cr_buf_printf(b, "   latest %s: balance ", month);
		if (!rc)
			rc = put_yuan(b, ra->latest.balance);
		if (!rc)
			rc = cr_buf_puts(b, " overdue ");
		if (!rc)
			rc = put_yuan(b, ra->latest.overdue);
		if (!rc)
			rc = cr_buf_printf(b, " dpd %d status %c", (int)ra->latest.dpd,
					   ra->latest.status);
	}
	if (!rc)
		rc = text_current(&ra->current, b);
	if (!rc)
		rc = cr_buf_printf(b, "\n    %.30s\n    %.30s\n", ra->grid, ra->grid + 30);
	for (int i = 0; i < ra->n_disputes && !rc; i++) {
		char filed[11], item[8] = "account";
		cr_date_format(ra->disputes[i].filed_days, filed);
		if (ra->disputes[i].month != CR_WHOLE_ACCOUNT)
			cr_month_format(ra->disputes[i].month, item);
		rc = cr_buf_printf(b, "    disputed: #%llu %s filed %s, %s\n",
				   (unsigned long long)ra->disputes[i].id, item, filed,
				   cr_dispute_status_name(ra->disputes[i].status));
	}
	if (!rc && ra->disputes_total > ra->n_disputes)
		rc = cr_buf_printf(b, "    (the newest %d of %lu disputes)\n", (int)ra->n_disputes,
				   (unsigned long)ra->disputes_total);
	return rc;
}

/* The score, its chance of default and the reasons it is not higher. */
static int text_score(const struct cr_report *r, struct cr_buf *b)
{
	const struct cr_score *s = &r->score;
	int rc = cr_buf_printf(b, "\nScore %d (350-950; chance of 90+ days late within a year %.1f%%)"
			       "  model %s\n", s->score, 100.0 * s->pd,
			       cr_scorer_model_id(r->scorer));
	for (size_t i = 0; !rc && i < s->n_reasons; i++) {
		const char *code, *sentence;
		cr_scorer_reason(r->scorer, s, i, &code, &sentence);
		rc = cr_buf_printf(b, "  %zu. %s (%s, %.0f points)\n", i + 1, sentence, code,
				   s->reason[i].points_lost);
	}
	return rc;
}

int cr_report_text(const struct cr_report *r, struct cr_buf *b)
{
	char id[CR_ID_LEN + 1], asof[11], birth[11];
	cr_id_mask(r->subject.id, id);
	cr_date_format(r->asof_days, asof);
	cr_date_format(r->subject.birth_days, birth);
	const struct cr_report_summary *s = &r->summary;
	int rc = cr_buf_printf(b, "CREDIT REPORT  as of %s  purpose %s%s%s\n"
			       "Subject  %s  %s  born %s%s\n\nSummary\n"
			       "  accounts %zu (revolving %u, installment %u, credit card %u, mortgage %u)\n"
			       "  lenders with an open balance %u, accounts ever overdue %u, worst status in 24 months %c\n"
			       "  total credit limit ",
			       asof, cr_purpose_name(r->purpose),
			       r->requester[0] ? "  requested by " : "", r->requester,
			       r->subject.name, id, birth,
			       r->subject_held ? "  (held: furnished without consent)" : "", r->n_accounts,
			       s->accounts_by_product[1], s->accounts_by_product[2],
			       s->accounts_by_product[3], s->accounts_by_product[4],
			       s->lenders_with_open_balance, s->accounts_ever_overdue,
			       s->worst_status_24m ? s->worst_status_24m : '-');
	if (!rc)
		rc = put_yuan(b, s->total_credit_limit);
	if (!rc)
		rc = cr_buf_puts(b, "  total balance ");
	if (!rc)
		rc = put_yuan(b, s->total_balance);
	if (!rc)
		rc = cr_buf_puts(b, "  total overdue ");
	if (!rc)
		rc = put_yuan(b, s->total_overdue);
	if (!rc)
		rc = cr_buf_puts(b, " (CNY)\n");
	if (!rc)
		rc = text_exposure(r, b);
	if (!rc && r->has_score)
		rc = text_score(r, b);
	if (!rc)
		rc = cr_buf_puts(b, "\nAccounts (60-month grid, oldest first: N on time, 1-7 months overdue, C settled, / not open, # no data, * nothing due)\n");
	for (size_t i = 0; i < r->n_accounts && !rc; i++)
		rc = text_account(&r->accounts[i], b);
	if (!rc)
		rc = cr_buf_printf(b, "\nInquiries (last 2 years): %llu%s\n",
				   (unsigned long long)r->inquiries_total,
				   r->inquiries_total > r->n_inquiries
					   ? " (the newest listed)" : "");
	for (size_t i = 0; i < r->n_inquiries && !rc; i++) {
		char d[11];
		cr_date_format(r->inquiries[i].date_days, d);
		rc = cr_buf_printf(b, "  %s  %-6s %s%s\n", d,
				   r->inquiries[i].inst[0] ? r->inquiries[i].inst : "self",
				   cr_purpose_name(r->inquiries[i].purpose),
				   r->inquiries[i].chargeable ? " (chargeable)" : "");
	}
	return rc;
}
