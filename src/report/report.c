/*
 * report.c - building a credit report from the store; see report.h.
 *
 * Each account's history is read a calendar year at a time, from the year it
 * opened to the as-of year, once; the grid, the latest statement and the
 * "ever overdue" and 24-month worst-status figures all come from that pass.
 * The latest statement is then the base of the account's current state
 * (current.h), which the exposure block sums across lenders.
 *
 * The flags (report.h) change what is read, never a rule: BARE reads the
 * accounts without opening identities or account numbers; DATED derives
 * the current state of an account with later facts from its statements and
 * events alone, without the undated status of its record.
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "audit.h"
#include "consent.h"
#include "dispute.h"
#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "retention.h"

void cr_report_init(struct cr_report *r)
{
	memset(r, 0, sizeof *r);
}

void cr_report_fini(struct cr_report *r)
{
	free(r->accounts);
	free(r->inquiries);
	free(r->scratch);
	free(r->suppress);
	free(r->all_disputes);
	free(r->inquiry_days);
	cr_report_init(r);
}

struct build_ctx {
	cr_txn *txn;
	struct cr_report *r;
	int include_held;
	const struct cr_consent_facts *facts;
	size_t seen;    /* accounts the report may show (held ones to the person) */
};

static int ended_status(char s)
{
	return s == 'C' || s == 'G' || s == 'Z';
}

/* One history month into the account's figures and grid. */
static void take_month(struct cr_report_account *ra, struct cr_report_summary *sum,
		       int32_t month, const struct cr_month_rec *m,
		       int32_t grid_first, int32_t asof_month)
{
	if (m->status) {
		ra->has_latest = 1;
		ra->latest_month = month;
		ra->latest = *m;
		if (cr_status_overdue_months(m->status))
			ra->ever_overdue = 1;
		if (cr_status_adverse(m->status))
			ra->last_adverse_month = month;
		if (month > asof_month - 24 && m->due > 0) {
			ra->due_months_24m++;
			ra->ontime_months_24m += m->status == 'N' && m->paid >= m->due;
		}
		if (month > asof_month - 24 &&
		    cr_status_severity(m->status) > cr_status_severity(sum->worst_status_24m))
			sum->worst_status_24m = m->status;
		if (!sum->worst_status_24m && month > asof_month - 24)
			sum->worst_status_24m = 'N';
	}
	if (month >= grid_first) {
		char c = m->status ? m->status : ra->ended ? '*' : '#';
		ra->grid[month - grid_first] = c;
	}
	if (m->status && ended_status(m->status))
		ra->ended = 1;
}

static int read_history(cr_txn *txn, struct cr_report *r,
			struct cr_report_account *ra, int self)
{
	static const struct cr_month_rec none;
	const int32_t asof_month = cr_month_of_date(r->asof_days);
	const int32_t grid_first = asof_month - (CR_GRID_MONTHS - 1);
	int32_t first = cr_month_of_date(ra->rec.a.opened_days);
	memset(ra->grid, '/', CR_GRID_MONTHS);
	ra->grid[CR_GRID_MONTHS] = '\0';
	if (asof_month - first >= CR_HISTORY_MONTHS_MAX)
		first = asof_month - CR_HISTORY_MONTHS_MAX + 1;
	const size_t n = (size_t)(asof_month - first + 1);
	int rc = cr_history_load(txn, ra->rec.acct_id, first, asof_month, r->scratch);
	if (rc)
		return rc;
	cr_retention_mark(r->scratch, n, first, r->asof_days, r->suppress);
	/* Months under an overdue, unanswered dispute: hidden from others. */
	for (size_t i = 0; i < r->n_all_disputes && !self; i++) {
		const struct cr_dispute *d = &r->all_disputes[i];
		if (d->acct_id == ra->rec.acct_id && d->month != CR_WHOLE_ACCOUNT &&
		    d->month >= first && d->month <= asof_month &&
		    cr_dispute_hides(d, r->asof_days))
			r->suppress[d->month - first] = 1;
	}
	for (size_t i = 0; i < n; i++)
		take_month(ra, &r->summary, first + (int32_t)i,
			   r->suppress[i] ? &none : &r->scratch[i], grid_first, asof_month);
	return 0;
}

/* Copies the account's disputes into its annotations.  Returns 1 when a
 * whole-account dispute hides it from an institution's report. */
static int annotate_disputes(const struct cr_report *r, struct cr_report_account *ra,
			     int self)
{
	int hidden = 0;
	for (size_t i = 0; i < r->n_all_disputes; i++) {
		const struct cr_dispute *d = &r->all_disputes[i];
		if (d->acct_id != ra->rec.acct_id || d->filed_days > r->asof_days)
			continue;
		if (!self && d->month == CR_WHOLE_ACCOUNT && cr_dispute_hides(d, r->asof_days))
			hidden = 1;
		/* The newest CR_REPORT_ACCOUNT_DISPUTES_MAX, in id order. */
		if (ra->n_disputes == CR_REPORT_ACCOUNT_DISPUTES_MAX)
			memmove(ra->disputes, ra->disputes + 1,
				(CR_REPORT_ACCOUNT_DISPUTES_MAX - 1) * sizeof ra->disputes[0]);
		else
			ra->n_disputes++;
		ra->disputes[ra->n_disputes - 1] = (struct cr_report_dispute){
			d->id, d->month, d->filed_days,
			d->resolved_days != CR_NO_DATE && d->resolved_days > r->asof_days
				? (uint8_t)CR_DISPUTE_OPEN : d->status};
		ra->disputes_total++;
	}
	return hidden;
}

/* The account's corrections, oldest first: the newest kept, all counted. */
static int add_revision(const struct cr_revision *rev, void *arg)
{
	struct cr_report_account *ra = arg;
	if (ra->n_revisions == CR_REPORT_ACCOUNT_DISPUTES_MAX)
		memmove(ra->revisions, ra->revisions + 1,
			(CR_REPORT_ACCOUNT_DISPUTES_MAX - 1) * sizeof ra->revisions[0]);
	else
		ra->n_revisions++;
	ra->revisions[ra->n_revisions - 1] = *rev;
	ra->revisions_total++;
	return 0;
}

/* Every dispute of the person: what an overdue one hides must be hidden,
 * however many there are (at most CR_SUBJECT_DISPUTES_MAX are filed). */
static int collect_dispute(const struct cr_dispute *d, void *arg)
{
	struct cr_report *r = arg;
	if (r->n_all_disputes == r->cap_all_disputes) {
		const size_t cap = 2 * r->cap_all_disputes;
		struct cr_dispute *p = realloc(r->all_disputes, cap * sizeof *p);
		if (!p)
			return CR_ENOMEM;
		r->all_disputes = p;
		r->cap_all_disputes = cap;
	}
	r->all_disputes[r->n_all_disputes++] = *d;
	return 0;
}

/* Room for more accounts.  A person has at most CR_SUBJECT_ACCOUNTS_MAX
 * (ingest refuses more), which the buffer holds from the start; a store
 * written before that limit may hold more, and is read whole all the
 * same: a report never fails for the size of a file. */
static int grow_accounts(struct cr_report *r)
{
	const size_t cap = 2 * r->cap_accounts;
	struct cr_report_account *a = realloc(r->accounts, cap * sizeof *a);
	if (!a)
		return CR_ENOMEM;
	r->accounts = a;
	r->cap_accounts = cap;
	return 0;
}

static int add_account(const struct cr_account_rec *rec, void *arg)
{
	struct build_ctx *ctx = arg;
	struct cr_report *r = ctx->r;
	const int live = cr_consent_live(ctx->facts->f, ctx->facts->n, rec->a.inst,
					 CR_SCOPE_FURNISH, CR_PURPOSE_NONE,
					 r->asof_days);
	if (!live && !ctx->include_held)
		return 0;
	ctx->seen++;
	if (rec->a.opened_days > r->asof_days)
		return 0;
	if (r->n_accounts == r->cap_accounts && grow_accounts(r))
		return CR_ENOMEM;
	struct cr_report_account *ra = &r->accounts[r->n_accounts];
	memset(ra, 0, sizeof *ra);
	ra->rec = *rec;
	ra->held = !live;
	ra->last_adverse_month = CR_NO_DATE;
	if (annotate_disputes(r, ra, ctx->include_held))
		return 0; /* the whole account is under an overdue dispute */
	int rc = read_history(ctx->txn, r, ra, ctx->include_held);
	if (!rc && ctx->include_held && ra->n_disputes)
		rc = cr_store_revisions(ctx->txn, ra->rec.acct_id, add_revision, ra);
	if (rc)
		return rc;
	r->n_accounts++;
	return 0;
}

/* Summary figures that need every account. */
static void summarize(struct cr_report *r)
{
	struct cr_report_summary *s = &r->summary;
	for (size_t i = 0; i < r->n_accounts; i++) {
		const struct cr_report_account *ra = &r->accounts[i];
		const struct cr_account *a = &ra->rec.a;
		if (a->product <= CR_PROD_COUNT)
			s->accounts_by_product[a->product]++;
		s->accounts_ever_overdue += (uint32_t)ra->ever_overdue;
		const int open = a->status == CR_ACCT_OPEN && !ra->ended;
		if (open && (a->product == CR_PROD_REVOLVING ||
			     a->product == CR_PROD_CREDIT_CARD))
			s->total_credit_limit += a->credit_limit;
		if (!ra->has_latest)
			continue;
		s->total_balance += ra->latest.balance;
		s->total_overdue += ra->latest.overdue;
		if (!open || ra->latest.balance <= 0)
			continue;
		int seen = 0; /* count each lender once */
		for (size_t j = 0; j < i && !seen; j++) {
			const struct cr_report_account *rb = &r->accounts[j];
			seen = strcmp(rb->rec.a.inst, a->inst) == 0 &&
			       rb->rec.a.status == CR_ACCT_OPEN && !rb->ended &&
			       rb->has_latest && rb->latest.balance > 0;
		}
		s->lenders_with_open_balance += !seen;
	}
}

static void figure_take(struct cr_report_figure *f, int64_t value, int64_t at_s)
{
	f->value += value;
	if (at_s > f->as_of_s)
		f->as_of_s = at_s;
}

/* The exposure block: the accounts' current states and recent openings and
 * inquiries, up to the as-of date. */
static void expose(struct cr_report *r)
{
	struct cr_report_exposure *x = &r->exposure;
	struct cr_report_figure *figs[] = {&x->outstanding, &x->lenders_with_balance,
					   &x->credit_used, &x->opened_30d, &x->opened_90d,
					   &x->inquiries_30d};
	memset(x, 0, sizeof *x);
	for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++)
		figs[i]->as_of_s = CR_NO_TIME;
	for (size_t i = 0; i < r->n_accounts; i++) {
		const struct cr_report_account *ra = &r->accounts[i];
		const struct cr_current *c = &ra->current;
		const struct cr_account *a = &ra->rec.a;
		figure_take(&x->outstanding, c->balance, c->as_of_s);
		int seen = 0; /* count each lender once */
		for (size_t j = 0; j < i && !seen; j++)
			seen = r->accounts[j].current.balance > 0 &&
			       strcmp(r->accounts[j].rec.a.inst, a->inst) == 0;
		if (c->balance > 0)
			figure_take(&x->lenders_with_balance, !seen, c->as_of_s);
		const int line = a->product == CR_PROD_REVOLVING || a->product == CR_PROD_CREDIT_CARD;
		if (line && (c->status == CR_CUR_OPEN || c->status == CR_CUR_OVERDUE)) {
			figure_take(&x->credit_used, c->balance, c->as_of_s);
			x->credit_limit += a->credit_limit;
		}
		const int64_t opened_s = cr_day_start_s(a->opened_days);
		if (a->opened_days > r->asof_days - 30)
			figure_take(&x->opened_30d, 1, opened_s);
		if (a->opened_days > r->asof_days - 90)
			figure_take(&x->opened_90d, 1, opened_s);
	}
	/* Every inquiry of the 30 days counts, listed or not; the newest is
	 * first in the list. */
	x->inquiries_30d.value = (int64_t)cr_report_inquiries_within(r, 30, 0);
	if (x->inquiries_30d.value)
		x->inquiries_30d.as_of_s = cr_day_start_s(r->inquiries[0].date_days);
}

static int any_event(const struct cr_event_rec *e, void *arg)
{
	(void)e;
	(void)arg;
	return 1;
}

/* Is anything about the account dated after the as-of date: an event, or a
 * statement later in the as-of year or in the next?  1, 0, or a store
 * error.  (A statement after a whole calendar year without one is not
 * looked for.) */
static int dated_later(cr_txn *txn, const struct cr_report_account *ra, int32_t asof_days)
{
	struct cr_hist_year h;
	const int32_t asof_month = cr_month_of_date(asof_days);
	int rc = cr_store_account_events(txn, ra->rec.acct_id, cr_current_until_s(asof_days),
					 INT64_MAX, any_event, NULL);
	if (rc)
		return rc; /* 1: an event, or a store error */
	rc = cr_store_hist_get(txn, ra->rec.acct_id, asof_month / 12, &h);
	if (rc && rc != CR_ENOTFOUND)
		return rc;
	for (int m = asof_month % 12 + 1; m < 12; m++)
		if (h.m[m].status) /* an empty year when not found */
			return 1;
	rc = cr_store_hist_get(txn, ra->rec.acct_id, asof_month / 12 + 1, &h);
	return rc == CR_ENOTFOUND ? 0 : rc ? rc : 1;
}

/* Each shown account's state now: its latest statement plus the events
 * since; for a DATED report, without the record's undated status when the
 * account has later facts. */
static int derive_current(cr_txn *txn, struct cr_report *r, int dated)
{
	for (size_t i = 0; i < r->n_accounts; i++) {
		struct cr_report_account *ra = &r->accounts[i];
		struct cr_account_rec rec = ra->rec;
		const int later = dated && rec.a.status != CR_ACCT_OPEN
					  ? dated_later(txn, ra, r->asof_days) : 0;
		if (later < 0)
			return later;
		if (later)
			rec.a.status = CR_ACCT_OPEN;
		int rc = cr_current_derive(txn, &rec, ra->has_latest ? &ra->latest : NULL,
					   ra->latest_month, r->asof_days, &ra->current);
		if (rc)
			return rc;
	}
	return 0;
}

/* One inquiry of the two years, oldest first: counted by its age, and
 * kept in the list, a ring of the newest CR_REPORT_INQUIRIES_MAX. */
static int take_inquiry(const struct cr_inquiry *q, void *arg)
{
	struct cr_report *r = arg;
	const int32_t age = r->asof_days - q->date_days;
	CR_ASSERT(age >= 0 && age < CR_REPORT_INQUIRY_DAYS);
	r->inquiry_days[age].all++;
	r->inquiry_days[age].seeking += q->inst[0] != '\0' && cr_purpose_seeks_credit(q->purpose);
	r->inquiries[r->inquiries_total % CR_REPORT_INQUIRIES_MAX] = *q;
	r->inquiries_total++;
	return 0;
}

static void reverse(struct cr_inquiry *q, size_t n)
{
	for (size_t i = 0; i < n / 2; i++) {
		struct cr_inquiry t = q[i];
		q[i] = q[n - 1 - i];
		q[n - 1 - i] = t;
	}
}

/* The inquiries of the two years up to the as-of date: every one counted,
 * the newest CR_REPORT_INQUIRIES_MAX listed, newest first. */
static int load_inquiries(cr_txn *txn, const struct cr_subject_key *k,
			  struct cr_report *r)
{
	r->inquiries_total = 0;
	memset(r->inquiry_days, 0, CR_REPORT_INQUIRY_DAYS * sizeof *r->inquiry_days);
	int rc = cr_store_inquiries(txn, k, r->asof_days - (CR_REPORT_INQUIRY_DAYS - 1),
				    r->asof_days, take_inquiry, r);
	if (rc)
		return rc;
	const int wrapped = r->inquiries_total > CR_REPORT_INQUIRIES_MAX;
	r->n_inquiries = wrapped ? CR_REPORT_INQUIRIES_MAX : (size_t)r->inquiries_total;
	/* The ring's oldest entry is at s: newest first is each part reversed. */
	const size_t s = wrapped ? (size_t)(r->inquiries_total % CR_REPORT_INQUIRIES_MAX)
				 : r->n_inquiries;
	reverse(r->inquiries, s);
	reverse(r->inquiries + s, r->n_inquiries - s);
	return 0;
}

uint64_t cr_report_inquiries_within(const struct cr_report *r, int32_t days, int seeking)
{
	uint64_t n = 0;
	CR_ASSERT(days >= 0 && days <= CR_REPORT_INQUIRY_DAYS);
	for (int32_t age = 0; age < days; age++)
		n += seeking ? r->inquiry_days[age].seeking : r->inquiry_days[age].all;
	return n;
}

static int alloc_buffers(struct cr_report *r)
{
	if (!r->accounts) {
		r->accounts = malloc(CR_SUBJECT_ACCOUNTS_MAX * sizeof *r->accounts);
		r->cap_accounts = r->accounts ? CR_SUBJECT_ACCOUNTS_MAX : 0;
	}
	if (!r->inquiries)
		r->inquiries = malloc(CR_REPORT_INQUIRIES_MAX * sizeof *r->inquiries);
	if (!r->scratch)
		r->scratch = malloc(CR_HISTORY_MONTHS_MAX * sizeof *r->scratch);
	if (!r->suppress)
		r->suppress = malloc(CR_HISTORY_MONTHS_MAX);
	if (!r->all_disputes) {
		r->all_disputes = malloc(CR_REPORT_DISPUTES_ROOM * sizeof *r->all_disputes);
		r->cap_all_disputes = r->all_disputes ? CR_REPORT_DISPUTES_ROOM : 0;
	}
	if (!r->inquiry_days)
		r->inquiry_days = malloc(CR_REPORT_INQUIRY_DAYS * sizeof *r->inquiry_days);
	if (!r->accounts || !r->inquiries || !r->scratch || !r->suppress || !r->all_disputes ||
	    !r->inquiry_days)
		return CR_ENOMEM;
	return 0;
}

int cr_report_build(cr_txn *txn, const struct cr_subject_key *k,
		    int32_t asof_days, int flags, struct cr_report *out)
{
	static _Thread_local struct cr_consent_facts facts;
	struct cr_report *r = out;
	const int bare = flags & CR_REPORT_BARE;
	r->asof_days = asof_days;
	r->subject_held = 0;
	memset(&r->subject, 0, sizeof r->subject);
	int rc = cr_consent_facts_load(txn, k, &facts);
	/* The identity institutions see, held identities aside (consent.h). */
	if (!rc && !bare)
		rc = cr_consent_identity(txn, k, &facts, asof_days, flags & CR_REPORT_HELD,
					 &r->subject, &r->subject_held);
	if (!rc)
		rc = alloc_buffers(r);
	if (rc)
		return rc;
	r->n_all_disputes = 0;
	rc = cr_store_disputes(txn, k, collect_dispute, r);
	if (rc)
		return rc;
	struct build_ctx ctx = {txn, r, flags & CR_REPORT_HELD, &facts, 0};
	r->n_accounts = 0;
	memset(&r->summary, 0, sizeof r->summary);
	rc = (bare ? cr_store_subject_accounts_bare : cr_store_subject_accounts)(txn, k,
									 add_account, &ctx);
	if (!rc && bare && ctx.seen == 0)
		rc = CR_ENOTFOUND; /* no account it may show: nothing known to the reader */
	if (!rc)
		rc = derive_current(txn, r, flags & CR_REPORT_DATED);
	if (!rc)
		rc = load_inquiries(txn, k, r);
	if (rc)
		return rc;
	summarize(r);
	expose(r);
	return 0;
}

static int count_self(const struct cr_inquiry *q, void *arg)
{
	*(uint64_t *)arg += q->purpose == CR_PURPOSE_SELF;
	return 0;
}

/* Self inquiries are free twice per calendar year; later ones are
 * chargeable.  Counted from the store, inside the write transaction, so
 * that concurrent requests see each other. */
static int self_chargeable(cr_txn *txn, const struct cr_subject_key *k,
			   int32_t asof_days, uint8_t *out)
{
	int y, m, d;
	uint64_t count = 0;
	cr_civil_from_days(asof_days, &y, &m, &d);
	int rc = cr_store_inquiries(txn, k, cr_days_from_civil(y, 1, 1), asof_days, count_self,
				    &count);
	*out = count >= 2;
	return rc;
}

int cr_report_prepare(cr_txn *txn, const struct cr_subject_key *k,
		      const char *inst, uint8_t purpose, int32_t asof_days,
		      struct cr_report *out, const char **reason)
{
	const int self = purpose == CR_PURPOSE_SELF;
	*reason = NULL;
	int rc = cr_consent_may_query(txn, k, self ? "" : inst, purpose, asof_days, reason);
	if (!rc)
		rc = cr_report_build(txn, k, asof_days, self ? CR_REPORT_HELD : 0, out);
	if (!rc) {
		out->purpose = purpose;
		snprintf(out->requester, sizeof out->requester, "%s", self ? "" : inst);
	}
	return rc;
}

int cr_report_inquire(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
		      uint8_t purpose, int32_t asof_days, int prepared,
		      const char **reason)
{
	const int self = purpose == CR_PURPOSE_SELF;
	int rc = prepared;
	/* The consent may have been revoked since prepare's snapshot. */
	if (!rc)
		rc = cr_consent_may_query(txn, k, self ? "" : inst, purpose, asof_days, reason);
	if (!rc) {
		struct cr_inquiry q;
		memset(&q, 0, sizeof q);
		q.date_days = asof_days;
		q.purpose = purpose;
		snprintf(q.inst, sizeof q.inst, "%s", self ? "" : inst);
		rc = self ? self_chargeable(txn, k, asof_days, &q.chargeable) : 0;
		if (!rc)
			rc = cr_store_inquiry_add(txn, k, &q);
		if (!rc && !self)
			rc = cr_alert_inquiry(txn, k, inst, purpose, asof_days);
	}
	return rc;
}
