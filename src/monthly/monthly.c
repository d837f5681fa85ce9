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

struct walk {
	cr_txn *txn;
	int32_t month;
	int32_t end_days;  /* the month's last day, or the as-of day */
	struct entry *e;
	size_t n, cap;
	struct cr_month_rec *hist;
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

static int sum_drawdown(const struct cr_event_rec *e, void *arg)
{
	if (e->kind == CR_EV_DRAWDOWN)
		*(int64_t *)arg += e->amount;
	return 0;
}

/* The latest statement of r up to the month, into *latest; 0 when none. */
static int latest_statement(struct walk *w, const struct cr_account_rec *r,
			    struct cr_month_rec *latest, int32_t *latest_month)
{
	int32_t first = cr_month_of_date(r->a.opened_days);
	if (w->month - first >= CR_HISTORY_MONTHS_MAX)
		first = w->month - CR_HISTORY_MONTHS_MAX + 1;
	int rc = cr_history_load(w->txn, r->acct_id, first, w->month, w->hist);
	if (rc)
		return rc;
	for (int32_t m = w->month; m >= first; m--) {
		if (w->hist[m - first].status) {
			*latest = w->hist[m - first];
			*latest_month = m;
			return 1;
		}
	}
	return 0;
}

static int grow(struct walk *w)
{
	if (w->n < w->cap)
		return 0;
	if (w->cap >= CR_MONTHLY_ACCOUNTS_MAX)
		return CR_ETOOBIG;
	const size_t cap = w->cap ? w->cap * 2 : 1024;
	struct entry *e = realloc(w->e, cap * sizeof *e);
	if (!e)
		return CR_ENOMEM;
	w->e = e;
	w->cap = cap;
	return 0;
}

static int take_account(const struct cr_account_rec *r, void *arg)
{
	struct walk *w = arg;
	if (r->a.opened_days > w->end_days)
		return 0;
	struct cr_month_rec latest;
	int32_t latest_month = 0;
	int has = latest_statement(w, r, &latest, &latest_month);
	if (has < 0)
		return has;
	struct cr_current c;
	int rc = cr_current_derive(w->txn, r, has ? &latest : NULL, latest_month,
				   w->end_days, &c);
	if (rc)
		return rc;
	const int64_t start_s = cr_day_start_s(cr_month_first_day(w->month));
	const int ended = c.status == CR_CUR_CLOSED || c.status == CR_CUR_CHARGED_OFF;
	if (ended && c.as_of_s < start_s)
		return 0; /* ended before the month began */
	if ((rc = grow(w)))
		return rc;
	struct entry *e = &w->e[w->n++];
	memset(e, 0, sizeof *e);
	memcpy(e->inst, r->a.inst, sizeof e->inst);
	e->product = r->a.product;
	e->opened_in_month = cr_month_of_date(r->a.opened_days) == w->month;
	e->bucket = (uint8_t)cr_monthly_bucket(c.dpd);
	e->subject = r->subject;
	e->balance = c.balance;
	return cr_store_account_events(w->txn, r->acct_id, start_s - 1,
				       cr_day_end_s(w->end_days), sum_drawdown,
				       &e->drawdowns);
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
static int fold(const struct walk *w, struct cr_monthly *out)
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
	const int32_t last_day = cr_month_first_day(month + 1) - 1;
	struct walk w = {txn, month, last_day < asof_days ? last_day : asof_days,
			 NULL, 0, 0, NULL};
	if (month > cr_month_of_date(asof_days))
		return 0;
	w.hist = malloc(CR_HISTORY_MONTHS_MAX * sizeof *w.hist);
	if (!w.hist)
		return CR_ENOMEM;
	int rc = cr_store_accounts(txn, take_account, &w);
	if (!rc && w.n)
		qsort(w.e, w.n, sizeof *w.e, entry_cmp);
	if (!rc)
		rc = fold(&w, out);
	free(w.hist);
	free(w.e);
	if (rc)
		cr_monthly_fini(out);
	return rc;
}
