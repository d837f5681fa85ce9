/*
 * validate.c - the cross-field rules a record must satisfy on its own.
 *
 * The parser has already checked every field by itself (syntax, ranges,
 * enumerations, the resident ID); this file checks how fields agree with
 * each other and with the as-of date.  One function per record type, each
 * rule a plain comparison, the first broken rule reported.  Reasons are
 * static strings so a diagnostic never owns memory.
 *
 * The rules also guard values that can only come from a damaged record
 * (an enumeration out of range, more co-lenders than the array holds),
 * because records are validated again after they are read back from the
 * store (STYLE.md: pair checks).
 */
#include "validate.h"

#include <string.h>

#include "cr_date.h"
#include "cr_err.h"
#include "prohibited.h"

#define CR_STR_(x) #x
#define CR_STR(x) CR_STR_(x)
#define CR_DPD_MAX_TEXT CR_STR(CR_DPD_MAX)

static const char R_FUTURE[] = "date is in the future";
static const char R_REQUIRED[] = "required for this product";

int cr_statement_month_fits(const struct cr_account *a, int32_t month, const char **why)
{
	if (month < cr_month_of_date(a->opened_days)) {
		*why = "month is before the account opened";
		return 0;
	}
	return 1;
}

int cr_status_dpd_consistent(char status, int32_t dpd)
{
	if (status == 'N')
		return dpd == 0;
	if (status >= '1' && status <= '6') {
		const int32_t k = status - '0';
		return dpd >= 30 * k - 29 && dpd <= 30 * k;
	}
	if (status == '7')
		return dpd >= 180;
	return 1;
}

static int check_statement(const struct cr_statement *st, int32_t asof_days,
			   struct cr_diag *diag)
{
	if (!cr_status_valid(st->status))
		return cr_diag_set(diag, "status", "not a repayment status code");
	if (st->dpd < 0 || st->dpd > CR_DPD_MAX)
		return cr_diag_set(diag, "dpd", "out of range");
	if (!cr_status_dpd_consistent(st->status, st->dpd))
		return cr_diag_set(diag, "status", "status does not agree with dpd");
	if (st->status == 'N' && st->overdue > 0)
		return cr_diag_set(diag, "overdue", "overdue amount with status N");
	if (st->month > cr_month_of_date(asof_days))
		return cr_diag_set(diag, "month", "month is after the as-of date");
	return 0;
}

/* Shares sum to 10000 and no institution funds the account twice. */
static int check_colenders(const struct cr_account *a, struct cr_diag *diag)
{
	int32_t sum = 0;
	if (a->n_colenders > CR_COLENDERS_MAX)
		return cr_diag_set(diag, "co_lenders", "too many co-lenders");
	for (int i = 0; i < a->n_colenders; i++) {
		sum += a->colenders[i].share_bp;
		for (int j = 0; j < i; j++)
			if (strcmp(a->colenders[i].inst, a->colenders[j].inst) == 0)
				return cr_diag_set(diag, "co_lenders",
						   "a co-lender appears twice");
	}
	if (a->n_colenders > 0 && sum != 10000)
		return cr_diag_set(diag, "co_lenders",
				   "co-lender shares must sum to 10000");
	return 0;
}

/*
 * The parser cannot tell an absent credit_limit, principal or term_months
 * from 0, so 0 counts as absent here.
 */
static int check_account(const struct cr_account *a, int32_t asof_days,
			 struct cr_diag *diag)
{
	if (a->opened_days > asof_days)
		return cr_diag_set(diag, "opened", R_FUTURE);
	switch (a->product) {
	case CR_PROD_REVOLVING:
	case CR_PROD_CREDIT_CARD:
		if (a->credit_limit <= 0)
			return cr_diag_set(diag, "credit_limit", R_REQUIRED);
		break;
	case CR_PROD_INSTALLMENT:
	case CR_PROD_MORTGAGE:
		if (a->principal <= 0)
			return cr_diag_set(diag, "principal", R_REQUIRED);
		if (a->term_months == 0)
			return cr_diag_set(diag, "term_months", R_REQUIRED);
		break;
	default:
		return cr_diag_set(diag, "product", "not a known product");
	}
	if (a->status < CR_ACCT_OPEN || a->status > CR_ACCT_TRANSFERRED)
		return cr_diag_set(diag, "status", "not a known account status");
	return check_colenders(a, diag);
}

static int check_consent(const struct cr_consent *c, int32_t asof_days,
			 struct cr_diag *diag)
{
	/* The parser refuses this already; consents are also built from
	 * command-line options (creditref consent grant --evidence), which reach
	 * the store through this check only. */
	if (!cr_inst_code_valid(c->inst, strnlen(c->inst, sizeof c->inst)))
		return cr_diag_set(diag, "institution", CR_REASON_INST_CODE);
	if (cr_prohibited_text(c->evidence, strnlen(c->evidence, sizeof c->evidence)))
		return cr_diag_set(diag, "evidence", CR_REASON_PROHIBITED);
	if (c->scope == CR_SCOPE_QUERY) {
		/* A revocation without a purpose withdraws every purpose. */
		if (c->purpose == CR_PURPOSE_NONE && c->revoked_days == CR_NO_DATE)
			return cr_diag_set(diag, "purpose", "required for query consent");
		if (c->purpose > CR_PURPOSE_SELF)
			return cr_diag_set(diag, "purpose", "not a known purpose");
		if (c->purpose == CR_PURPOSE_SELF)
			return cr_diag_set(diag, "purpose",
					   "self is the person's own report, which needs no consent");
	} else if (c->scope == CR_SCOPE_FURNISH) {
		if (c->purpose != CR_PURPOSE_NONE)
			return cr_diag_set(diag, "purpose",
					   "furnish consent takes no purpose");
	} else {
		return cr_diag_set(diag, "scope", "not a known scope");
	}
	if (c->granted_days > asof_days)
		return cr_diag_set(diag, "granted", R_FUTURE);
	if (c->expires_days != CR_NO_DATE && c->expires_days <= c->granted_days)
		return cr_diag_set(diag, "expires", "expires before it is granted");
	if (c->revoked_days != CR_NO_DATE) {
		if (c->revoked_days < c->granted_days)
			return cr_diag_set(diag, "revoked",
					   "revoked before it is granted");
		if (c->revoked_days > asof_days)
			return cr_diag_set(diag, "revoked", R_FUTURE);
	}
	return 0;
}

/*
 * An event's amount and dpd must fit its kind (docs/FORMAT.md, "Events"),
 * and its time must not run ahead of the end of the as-of day (23:59:59
 * +08:00) by more than CR_CLOCK_SKEW_S.  The account's opening date is
 * checked in ingest, which knows the account.
 */
static int check_event(const struct cr_event *e, int32_t asof_days,
		       struct cr_diag *diag)
{
	if (e->kind < CR_EV_DRAWDOWN || e->kind > CR_EV_CLOSE)
		return cr_diag_set(diag, "kind", "not a known event kind");
	if (e->event_id[0] == '\0')
		return cr_diag_set(diag, "event_id", "must not be empty");
	if (e->amount < 0 || e->amount > CR_AMOUNT_MAX)
		return cr_diag_set(diag, "amount", "out of range");
	if (cr_event_kind_moves_money(e->kind) && e->amount == 0)
		return cr_diag_set(diag, "amount", "must be greater than 0 for this kind");
	if (e->kind == CR_EV_CLOSE && e->amount != 0)
		return cr_diag_set(diag, "amount", "a close event carries amount 0");
	if (e->dpd < 0 || e->dpd > CR_DPD_MAX)
		return cr_diag_set(diag, "dpd", "out of range");
	if (e->kind == CR_EV_OVERDUE && (!e->has_dpd || e->dpd == 0))
		return cr_diag_set(diag, "dpd", "an overdue event needs dpd 1.." CR_DPD_MAX_TEXT);
	if (e->kind != CR_EV_OVERDUE && e->dpd != 0)
		return cr_diag_set(diag, "dpd", "only an overdue event carries dpd (or dpd 0)");
	if (e->at_s > cr_day_end_s(asof_days) + CR_CLOCK_SKEW_S)
		return cr_diag_set(diag, "at", "later than the end of the as-of day "
				   "(23:59:59+08:00, 300 s clock skew allowed)");
	return 0;
}

/* A holding starts no later than the as-of date and ends no earlier than
 * it starts; a product needs nothing beyond its parse. */
static int check_holding(const struct cr_holding *h, int32_t asof_days,
			 struct cr_diag *diag)
{
	if (h->since_days > asof_days)
		return cr_diag_set(diag, "since", "later than the as-of date");
	if (h->until_days != CR_NO_DATE && h->until_days < h->since_days)
		return cr_diag_set(diag, "until", "before since");
	return 0;
}

int cr_validate_record(const struct cr_record *r, int32_t asof_days,
		       struct cr_diag *diag)
{
	if (!r || !diag)
		return cr_diag_set(diag, "", "no record to validate");
	switch (r->type) {
	case CR_REC_INSTITUTION:
		if (r->u.inst.kind < CR_KIND_BANK || r->u.inst.kind > CR_KIND_MICROLENDER)
			return cr_diag_set(diag, "kind", "not a known institution kind");
		return 0;
	case CR_REC_ACCOUNT:
		return check_account(&r->u.account, asof_days, diag);
	case CR_REC_STATEMENT:
		return check_statement(&r->u.stmt, asof_days, diag);
	case CR_REC_CONSENT:
		return check_consent(&r->u.consent, asof_days, diag);
	case CR_REC_EVENT:
		return check_event(&r->u.event, asof_days, diag);
	case CR_REC_PRODUCT:
		if (r->u.product.category < 1 || r->u.product.category > CR_CAT_COUNT)
			return cr_diag_set(diag, "category", "not a known category");
		return 0;
	case CR_REC_HOLDING:
		return check_holding(&r->u.holding, asof_days, diag);
	default:
		return cr_diag_set(diag, "type", "unknown record type");
	}
}
