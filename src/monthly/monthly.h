/*
 * monthly.h - the monthly aggregate per institution and product.
 *
 * This is what a platform used to send a bureau once a month: for each
 * (institution, product), how many borrowers and accounts it had in the
 * month, what they owed at the month's end, what it lent in the month and
 * how the accounts split into delinquency buckets.  It is built from the
 * same store as the reports: each account's state at the end of the month
 * is derived like a report's current state (current.h), with the month's
 * end (or the as-of day, for the month in progress) as the as-of time.
 *
 * An account counts in a month when it opened on or before the month's end
 * and had not ended (closed or written off) before the month began.  Held
 * data counts too: the aggregate is the institution's own book, and names
 * nobody.  docs/monthly.md sets it beside the event feed.
 */
#ifndef CR_MONTHLY_H
#define CR_MONTHLY_H

#include <stddef.h>
#include <stdint.h>

#include "cr_limits.h"
#include "current.h"
#include "store.h"

/* Delinquency buckets by days past due at the month's end. */
enum { CR_BUCKET_M0, CR_BUCKET_M1, CR_BUCKET_M2, CR_BUCKET_M3P, CR_BUCKETS };

struct cr_monthly_row {
	char inst[CR_INST_CODE_MAX + 1];
	uint8_t product;            /* enum cr_product */
	uint64_t borrowers;         /* distinct people */
	uint64_t accounts;
	int64_t outstanding;        /* sum of month-end balances */
	uint64_t accounts_opened;   /* opened in the month */
	int64_t drawdowns;          /* drawdown events in the month */
	uint64_t buckets[CR_BUCKETS]; /* M0: dpd 0, M1: 1-30, M2: 31-60, M3+: 61+ */
};

struct cr_monthly {
	int32_t month;
	size_t n_rows;
	struct cr_monthly_row *rows; /* owned, by (institution, product) */
};

void cr_monthly_init(struct cr_monthly *m);
void cr_monthly_fini(struct cr_monthly *m);

/* Builds the aggregate of month (year * 12 + month - 1) as known at
 * asof_days: a month after the as-of month is empty, and the month in
 * progress ends at the as-of day.  Returns 0, CR_ENOMEM, CR_ETOOBIG or a
 * store error. */
int cr_monthly_build(cr_txn *txn, int32_t month, int32_t asof_days,
		     struct cr_monthly *out /* OUT */);

/* The bucket of a dpd. */
int cr_monthly_bucket(int32_t dpd);

/*
 * One account that counts in the month, as the walk below hands it over:
 * its state at the month's end, and the month's flows.  Repayments are the
 * month's statement's paid amount when it has one (a statement is
 * authoritative for its month), else the repayment events in the month.
 * With want_prev, prev is the state at the end of the month before, and
 * prev_counts says whether the account counted in that month.  The days:
 * the month's drawdown and repayment events by day of the month (index 0
 * the 1st), the daily grain where the data has days.
 */
struct cr_monthly_acct {
	const struct cr_account_rec *r;
	struct cr_current *end;
	int opened_in_month;
	int64_t drawdowns;
	int64_t repayments;
	int prev_counts;
	struct cr_current *prev;
	const int64_t *day_drawdowns;  /* [31] */
	const int64_t *day_repayments; /* [31] */
};

/* Calls fn for every account that counts in month as known at asof_days
 * (the rules of cr_monthly_build), person by person.  A non-zero return
 * from fn stops the walk and is returned. */
int cr_monthly_walk(cr_txn *txn, int32_t month, int32_t asof_days, int want_prev,
		    int (*fn)(const struct cr_monthly_acct *a, void *arg), void *arg);
/* The same for the n months from first (1 <= n <=
 * CR_MONTHLY_WALK_MONTHS_MAX; months after the as-of month are empty), in
 * one walk: fn(i, a) for month first + i, an account's months in order and
 * still person by person.  Each account's history and events are read once
 * for all the months, and the state at a month's end serves as the next
 * month's "before", so n months cost far less than n walks. */
int cr_monthly_walk_months(cr_txn *txn, int32_t first, size_t n, int32_t asof_days,
			   int want_prev,
			   int (*fn)(size_t i, const struct cr_monthly_acct *a, void *arg),
			   void *arg);

#endif
