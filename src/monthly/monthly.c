/*
 * monthly.c - the monthly aggregate; see monthly.h.
 *
 * One pass over every account in the store collects, for each account that
 * counts in the month, one entry (institution, product, person, figures);
 * sorting the entries by (institution, product, person) then makes each row
 * a run of entries and each borrower a run within it, so distinct people
 * are counted without a hash set.
 */
#include "monthly.h"

#include <stdlib.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "current.h"
#include "retention.h"

struct entry {
	char inst[CR_INST_CODE_MAX + 1];
	uint8_t product;
	uint8_t opened_in_month;
	uint8_t bucket;
	struct cr_subject_key subject;
	int64_t balance;
	int64_t drawdowns;
};

struct flows {
	int32_t first_day;
	int64_t drawdowns, repayments;
	int64_t day_drawdowns[31], day_repayments[31];
};

struct walk {
	cr_txn *txn;
	int32_t first;     /* the walk's months: first .. first + n - 1 */
	size_t n;
	int32_t asof_days;
	int want_prev;
	struct cr_month_rec *hist;
	struct flows *flows;  /* one per month */
	int (*fn)(size_t i, const struct cr_monthly_acct *a, void *arg);
	void *arg;
};

struct collect {
	struct entry *e;
	size_t n, cap;
};

void cr_monthly_init(struct cr_monthly *m)
{
	memset(m, 0, sizeof *m);
}

void cr_monthly_fini(struct cr_monthly *m)
{
	free(m->rows);
	cr_monthly_init(m);
}

int cr_monthly_bucket(int32_t dpd)
{
	return dpd <= 0 ? CR_BUCKET_M0 : dpd <= 30 ? CR_BUCKET_M1
	       : dpd <= 60 ? CR_BUCKET_M2 : CR_BUCKET_M3P;
}

static void add_flow(struct flows *f, const struct cr_event_rec *e)
{
	int32_t day = cr_day_of_s(e->at_s) - f->first_day;
	day = day < 0 ? 0 : day > 30 ? 30 : day;
	if (e->kind == CR_EV_DRAWDOWN) {
		f->drawdowns += e->amount;
		f->day_drawdowns[day] += e->amount;
	} else if (e->kind == CR_EV_REPAYMENT) {
		f->repayments += e->amount;
		f->day_repayments[day] += e->amount;
	}
}

/* An event of the walk's window, into its month's flows. */
static int sum_flows(const struct cr_event_rec *e, void *arg)
{
	const struct walk *w = arg;
	const int32_t i = cr_month_of_date(cr_day_of_s(e->at_s)) - w->first;
	if (i >= 0 && (size_t)i < w->n)
		add_flow(&w->flows[i], e);
	return 0;
}

/* The latest statement of r up to month in the loaded history (from
 * first), into *latest; 0 when none. */
static int latest_in(const struct walk *w, int32_t first, int32_t month,
		     struct cr_month_rec *latest, int32_t *latest_month)
{
	for (int32_t m = month; m >= first; m--) {
		if (w->hist[m - first].status) {
			*latest = w->hist[m - first];
			*latest_month = m;
			return 1;
		}
	}
	return 0;
}

/* The state of r at the end of month (ending at end_days); 1 when the
 * account counts in that month, 0 when it does not, or an error. */
static int state_at(const struct walk *w, const struct cr_account_rec *r,
		    int32_t first, int32_t month, int32_t end_days,
		    struct cr_current *c)
{
	if (r->a.opened_days > end_days)
		return 0;
	struct cr_month_rec latest;
	int32_t latest_month = 0;
	int has = latest_in(w, first, month, &latest, &latest_month);
	int rc = cr_current_derive(w->txn, r, has ? &latest : NULL, latest_month,
				   end_days, c);
	if (rc)
		return rc;
	const int64_t start_s = cr_day_start_s(cr_month_first_day(month));
	const int ended = c->status == CR_CUR_CLOSED || c->status == CR_CUR_CHARGED_OFF;
	return !(ended && c->as_of_s < start_s);
}

/* The last day that counts in month: its last, or the as-of day. */
static int32_t end_of(const struct walk *w, int32_t month)
{
	const int32_t last_day = cr_month_first_day(month + 1) - 1;
	return last_day < w->asof_days ? last_day : w->asof_days;
}

/* One account, every month of the walk: its history read once, its events
 * of the walk's months read once, and its state at each month's end (the
 * state "the month before" a month is the end of the one before it). */
static int take_account(const struct cr_account_rec *r, void *arg)
{
	struct walk *w = arg;
	const int32_t last = w->first + (int32_t)w->n - 1;
	if (r->a.opened_days > end_of(w, last))
		return 0;
	int32_t first = cr_month_of_date(r->a.opened_days);
	if (last - first >= CR_HISTORY_MONTHS_MAX)
		first = last - CR_HISTORY_MONTHS_MAX + 1;
	int rc = cr_history_load(w->txn, r->acct_id, first, last, w->hist);
	if (rc)
		return rc;
	memset(w->flows, 0, w->n * sizeof *w->flows);
	for (size_t i = 0; i < w->n; i++)
		w->flows[i].first_day = cr_month_first_day(w->first + (int32_t)i);
	const int64_t start_s = cr_day_start_s(cr_month_first_day(w->first));
	rc = cr_store_account_events(w->txn, r->acct_id, start_s - 1,
				     cr_day_end_s(end_of(w, last)), sum_flows, w);
	if (rc)
		return rc;
	/* st[i & 1] is month i's end; the other, the month before */
	struct cr_current st[2];
	int counts[2] = {0, 0};
	for (size_t i = 0; i < w->n; i++) {
		const int32_t month = w->first + (int32_t)i;
		struct cr_current *end = &st[i & 1], *prev = &st[(i + 1) & 1];
		if (w->want_prev && i == 0 && month > first) {
			counts[1] = state_at(w, r, first, month - 1, cr_month_first_day(month) - 1, prev);
			if (counts[1] < 0)
				return counts[1];
		}
		const int c = state_at(w, r, first, month, end_of(w, month), end);
		if (c < 0)
			return c;
		counts[i & 1] = c;
		if (!c)
			continue;
		struct cr_monthly_acct a = {r, end, 0, 0, 0, 0, NULL, NULL, NULL};
		a.opened_in_month = cr_month_of_date(r->a.opened_days) == month;
		if (w->want_prev && month > first) {
			a.prev_counts = counts[(i + 1) & 1];
			a.prev = prev;
		}
		const struct cr_month_rec *stmt = &w->hist[month - first];
		a.drawdowns = w->flows[i].drawdowns;
		a.day_drawdowns = w->flows[i].day_drawdowns;
		a.day_repayments = w->flows[i].day_repayments;
		a.repayments = stmt->status ? stmt->paid : w->flows[i].repayments;
		if ((rc = w->fn(i, &a, w->arg)))
			return rc;
	}
	return 0;
}

int cr_monthly_walk_months(cr_txn *txn, int32_t first, size_t n, int32_t asof_days,
			   int want_prev,
			   int (*fn)(size_t i, const struct cr_monthly_acct *a, void *arg),
			   void *arg)
{
	if (!txn || !fn || n == 0 || n > CR_MONTHLY_WALK_MONTHS_MAX)
		return CR_EINVAL;
	/* Months after the as-of month are empty. */
	const int32_t asof_month = cr_month_of_date(asof_days);
	if (first > asof_month)
		return 0;
	if (first + (int32_t)n - 1 > asof_month)
		n = (size_t)(asof_month - first + 1);
	struct walk w = {txn, first, n, asof_days, want_prev, NULL, NULL, fn, arg};
	w.hist = malloc(CR_HISTORY_MONTHS_MAX * sizeof *w.hist);
	w.flows = malloc(n * sizeof *w.flows);
	int rc = w.hist && w.flows ? cr_store_accounts(txn, take_account, &w) : CR_ENOMEM;
	free(w.hist);
	free(w.flows);
	return rc;
}

struct one_month {
	int (*fn)(const struct cr_monthly_acct *a, void *arg);
	void *arg;
};

static int one_month(size_t i, const struct cr_monthly_acct *a, void *arg)
{
	const struct one_month *o = arg;
	(void)i;
	return o->fn(a, o->arg);
}

int cr_monthly_walk(cr_txn *txn, int32_t month, int32_t asof_days, int want_prev,
		    int (*fn)(const struct cr_monthly_acct *a, void *arg), void *arg)
{
	if (!fn)
		return CR_EINVAL;
	struct one_month o = {fn, arg};
	return cr_monthly_walk_months(txn, month, 1, asof_days, want_prev, one_month, &o);
}

static int grow(struct collect *c)
{
	if (c->n < c->cap)
		return 0;
	if (c->cap >= CR_MONTHLY_ACCOUNTS_MAX)
		return CR_ETOOBIG;
	const size_t cap = c->cap ? c->cap * 2 : 1024;
	struct entry *e = realloc(c->e, cap * sizeof *e);
	if (!e)
		return CR_ENOMEM;
	c->e = e;
	c->cap = cap;
	return 0;
}

static int collect(const struct cr_monthly_acct *a, void *arg)
{
	struct collect *c = arg;
	int rc = grow(c);
	if (rc)
		return rc;
	struct entry *e = &c->e[c->n++];
	memset(e, 0, sizeof *e);
	memcpy(e->inst, a->r->a.inst, sizeof e->inst);
	e->product = a->r->a.product;
	e->opened_in_month = (uint8_t)a->opened_in_month;
	e->bucket = (uint8_t)cr_monthly_bucket(a->end->dpd);
	e->subject = a->r->subject;
	e->balance = a->end->balance;
	e->drawdowns = a->drawdowns;
	return 0;
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int c = strcmp(a->inst, b->inst);
	if (c)
		return c;
	if (a->product != b->product)
		return a->product < b->product ? -1 : 1;
	return memcmp(a->subject.b, b->subject.b, sizeof a->subject.b);
}

static int same_row(const struct entry *a, const struct entry *b)
{
	return strcmp(a->inst, b->inst) == 0 && a->product == b->product;
}

/* Folds the sorted entries into rows. */
static int fold(const struct collect *w, struct cr_monthly *out)
{
	size_t rows = 0;
	for (size_t i = 0; i < w->n; i++)
		rows += i == 0 || !same_row(&w->e[i - 1], &w->e[i]);
	out->rows = calloc(rows ? rows : 1, sizeof *out->rows);
	if (!out->rows)
		return CR_ENOMEM;
	struct cr_monthly_row *row = NULL;
	for (size_t i = 0; i < w->n; i++) {
		const struct entry *e = &w->e[i];
		const int new_row = i == 0 || !same_row(&w->e[i - 1], e);
		if (new_row) {
			row = &out->rows[out->n_rows++];
			memcpy(row->inst, e->inst, sizeof row->inst);
			row->product = e->product;
		}
		CR_ASSERT(row != NULL);
		row->borrowers += new_row || memcmp(w->e[i - 1].subject.b, e->subject.b,
						    sizeof e->subject.b) != 0;
		row->accounts++;
		row->outstanding += e->balance;
		row->accounts_opened += e->opened_in_month;
		row->drawdowns += e->drawdowns;
		row->buckets[e->bucket]++;
	}
	CR_ASSERT(out->n_rows == rows);
	return 0;
}

int cr_monthly_build(cr_txn *txn, int32_t month, int32_t asof_days,
		     struct cr_monthly *out)
{
	if (!txn || !out)
		return CR_EINVAL;
	cr_monthly_init(out);
	out->month = month;
	struct collect c = {NULL, 0, 0};
	int rc = cr_monthly_walk(txn, month, asof_days, 0, collect, &c);
	if (!rc && c.n)
		qsort(c.e, c.n, sizeof *c.e, entry_cmp);
	if (!rc)
		rc = fold(&c, out);
	free(c.e);
	if (rc)
		cr_monthly_fini(out);
	return rc;
}
