/*
 * cr_record.c - enumeration names and status codes of the record model,
 * and the invariants of its stored records (cr_record.h, "Record
 * checks"): plain comparisons, the first broken one failing the check.
 */
#include "cr_record.h"

#include <string.h>

#include "cr_date.h"
#include "cr_err.h"

const char CR_REASON_PROHIBITED[] = "prohibited information";

#define CR_STR_(x) #x
#define CR_STR(x) CR_STR_(x)
const char CR_REASON_INST_CODE[] =
	"not an institution code (1-" CR_STR(CR_INST_CODE_MAX) " characters of A-Z a-z 0-9 _ -)";

int cr_diag_set(struct cr_diag *d, const char *field, const char *reason)
{
	if (d) {
		size_t n = strlen(field);
		if (n >= sizeof d->field)
			n = sizeof d->field - 1;
		memcpy(d->field, field, n);
		d->field[n] = '\0';
		d->reason = reason;
	}
	return CR_EINVAL;
}

/* Looks s up in a NULL-terminated table whose index i names value i + 1. */
static int lookup(const char *const *names, const char *s, size_t n, uint8_t *out)
{
	for (int i = 0; names[i]; i++) {
		if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0) {
			*out = (uint8_t)(i + 1);
			return 0;
		}
	}
	return CR_EINVAL;
}

static const char *name_of(const char *const *names, int count, uint8_t v)
{
	return v >= 1 && v <= count ? names[v - 1] : "?";
}

static const char *const kinds[] = {"bank", "consumer_finance", "platform",
				    "microlender", NULL};
static const char *const products[] = {"revolving", "installment",
				       "credit_card", "mortgage", NULL};
static const char *const acct_statuses[] = {"open", "closed", "charged_off",
					    "transferred", NULL};
static const char *const record_types[] = {"institution", "account", "statement",
					   "consent", "event", "product", "holding",
					   NULL};
static const char *const categories[] = {"internet_deposit", "wealth", "loan",
					   "insurance", NULL};
static const char *const scopes[] = {"furnish", "query", NULL};
static const char *const event_kinds[] = {"drawdown", "repayment", "fee",
					 "interest", "overdue", "writeoff",
					 "close", NULL};
static const char *const purposes[] = {"loan_approval", "card_approval",
				       "post_loan", "guarantee", "self", NULL};

int cr_kind_parse(const char *s, size_t n, uint8_t *out) { return lookup(kinds, s, n, out); }
const char *cr_kind_name(uint8_t v) { return name_of(kinds, 4, v); }
int cr_product_parse(const char *s, size_t n, uint8_t *out) { return lookup(products, s, n, out); }
const char *cr_product_name(uint8_t v) { return name_of(products, 4, v); }
int cr_acct_status_parse(const char *s, size_t n, uint8_t *out) { return lookup(acct_statuses, s, n, out); }
const char *cr_acct_status_name(uint8_t v) { return name_of(acct_statuses, 4, v); }
const char *cr_record_type_name(uint8_t v) { return name_of(record_types, CR_REC_TYPE_COUNT, v); }
int cr_category_parse(const char *s, size_t n, uint8_t *out) { return lookup(categories, s, n, out); }
const char *cr_category_name(uint8_t v) { return name_of(categories, CR_CAT_COUNT, v); }
int cr_scope_parse(const char *s, size_t n, uint8_t *out) { return lookup(scopes, s, n, out); }
const char *cr_scope_name(uint8_t v) { return name_of(scopes, 2, v); }
int cr_purpose_parse(const char *s, size_t n, uint8_t *out) { return lookup(purposes, s, n, out); }

const char *cr_purpose_name(uint8_t v)
{
	return v == CR_PURPOSE_NONE ? "" : name_of(purposes, 5, v);
}

int cr_purpose_seeks_credit(uint8_t purpose)
{
	return purpose == CR_PURPOSE_LOAN_APPROVAL || purpose == CR_PURPOSE_CARD_APPROVAL ||
	       purpose == CR_PURPOSE_GUARANTEE;
}

int cr_event_kind_parse(const char *s, size_t n, uint8_t *out) { return lookup(event_kinds, s, n, out); }
const char *cr_event_kind_name(uint8_t v) { return name_of(event_kinds, CR_EV_KIND_COUNT, v); }

int cr_event_kind_moves_money(uint8_t kind)
{
	return kind >= CR_EV_DRAWDOWN && kind <= CR_EV_OVERDUE;
}

int cr_status_valid(char c)
{
	return c != '\0' && strchr("N1234567CGDZ*#", c) != NULL;
}

int cr_status_overdue_months(char c)
{
	return c >= '1' && c <= '7' ? c - '0' : 0;
}

int cr_status_severity(char c)
{
	switch (c) {
	case 'D': return 8;
	case 'Z': return 9;
	case 'G': return 10;
	default: return cr_status_overdue_months(c);
	}
}

int cr_str_fits(const char *s, size_t cap, size_t min)
{
	const size_t n = strnlen(s, cap);
	return n < cap && n >= min;
}

int cr_inst_code_valid(const char *s, size_t n)
{
	if (!s || n == 0 || n > CR_INST_CODE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int cr_institution_check(const struct cr_institution *in)
{
	if (!cr_str_fits(in->code, sizeof in->code, 1) || !cr_str_fits(in->name, sizeof in->name, 1))
		return CR_EINVAL;
	if (in->kind < CR_KIND_BANK || in->kind > CR_KIND_MICROLENDER)
		return CR_EINVAL;
	return 0;
}

/* Each co-lender names an institution and a share; the shares sum to 10000. */
static int colenders_check(const struct cr_account *a)
{
	int32_t sum = 0;
	if (a->n_colenders > CR_COLENDERS_MAX)
		return CR_EINVAL;
	for (int i = 0; i < a->n_colenders; i++) {
		const struct cr_colender *c = &a->colenders[i];
		if (!cr_str_fits(c->inst, sizeof c->inst, 1) || c->share_bp < 1 || c->share_bp > 10000)
			return CR_EINVAL;
		sum += c->share_bp;
	}
	return a->n_colenders && sum != 10000 ? CR_EINVAL : 0;
}

static int is_currency(const char c[4])
{
	for (int i = 0; i < 3; i++)
		if (c[i] < 'A' || c[i] > 'Z')
			return 0;
	return c[3] == '\0';
}

static int amount_ok(int64_t x)
{
	return x >= 0 && x <= CR_AMOUNT_MAX;
}

int cr_account_check(const struct cr_account *a)
{
	if (!cr_str_fits(a->inst, sizeof a->inst, 1) || !cr_str_fits(a->account, sizeof a->account, 0) ||
	    !cr_str_fits(a->id, sizeof a->id, 0) || !cr_str_fits(a->name, sizeof a->name, 0) ||
	    !cr_str_fits(a->phone, sizeof a->phone, 0) ||
	    !cr_str_fits(a->address, sizeof a->address, 0))
		return CR_EINVAL;
	if (a->id_type != CR_IDTYPE_RESIDENT || a->product < CR_PROD_REVOLVING ||
	    a->product > CR_PROD_COUNT || a->status < CR_ACCT_OPEN || a->status > CR_ACCT_TRANSFERRED)
		return CR_EINVAL;
	if (!cr_days_valid(a->opened_days) || !cr_days_valid(a->birth_days) ||
	    !is_currency(a->currency))
		return CR_EINVAL;
	if (!amount_ok(a->credit_limit) || !amount_ok(a->principal) ||
	    a->term_months > CR_TERM_MONTHS_MAX)
		return CR_EINVAL;
	return colenders_check(a);
}

int cr_product_check(const struct cr_product_rec *p)
{
	if (!cr_str_fits(p->platform, sizeof p->platform, 1) ||
	    !cr_str_fits(p->code, sizeof p->code, 1) ||
	    !cr_str_fits(p->issuer, sizeof p->issuer, 1) ||
	    !cr_str_fits(p->licence, sizeof p->licence, 1) ||
	    !cr_str_fits(p->name, sizeof p->name, 1))
		return CR_EINVAL;
	if (p->category < 1 || p->category > CR_CAT_COUNT)
		return CR_EINVAL;
	return 0;
}

int cr_holding_check(const struct cr_holding *h)
{
	if (!cr_str_fits(h->platform, sizeof h->platform, 1) ||
	    !cr_str_fits(h->product, sizeof h->product, 1) ||
	    !cr_str_fits(h->id, sizeof h->id, 0))
		return CR_EINVAL;
	if (!cr_days_valid(h->since_days))
		return CR_EINVAL;
	if (h->until_days != CR_NO_DATE &&
	    (!cr_days_valid(h->until_days) || h->until_days < h->since_days))
		return CR_EINVAL;
	return 0;
}
