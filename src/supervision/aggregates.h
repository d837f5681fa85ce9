/*
 * aggregates.h - the supervisor's market aggregates of a month.
 *
 * For one month, every account that counts in it (the rules of monthly.h:
 * opened by the month's end, not ended before it began) is added to one
 * cell of each of four fixed groupings: by institution, by product, by
 * province and by prefecture (the first two and four digits of the
 * person's ID region code).  A cell holds the month's borrowers (distinct
 * people), accounts, outstanding (month-end balances), new lending
 * (principal of installment and mortgage accounts opened in the month,
 * plus drawdown events), repayments, accounts by days past due at the
 * month's end (0, 1-30, 31-60, 61-90, 91-180, 180+), the roll of accounts
 * between those bands from the month before, and multi-lending: the cell's
 * borrowers by how many institutions they owe a balance to at the month's
 * end, with the cell's outstanding they carry; and, at the daily grain
 * the data has for events, the month's drawdown and repayment events by
 * day.
 *
 * Never an individual.  A cell of fewer than min_cell borrowers is
 * suppressed, and so many more cells complementarily that what is
 * suppressed in a grouping is either nothing or at least min_cell people
 * (per province for the prefectures, whose sums are the provinces): no
 * difference of published figures isolates fewer than min_cell people.
 * The groupings are fixed and one-dimensional, totals are sums of
 * published cells.  docs/supervision.md states the rule and why.
 *
 * Held accounts (cr_consent_shows, consent.h) are not counted.  The
 * region is read from the person's sealed identity, in the walk, and only
 * its first four digits leave it: any identity of the person gives it,
 * held or not (cr_consent_identity), as every one has the same ID; a
 * person without one (known by a consent only) is in region "00".  A region cell is named from the GB/T 2260
 * table (region.h) by its key alone, so a name tells nothing the key does
 * not, suppressed or not.
 */
#ifndef CR_SUP_AGGREGATES_H
#define CR_SUP_AGGREGATES_H

#include <stddef.h>
#include <stdint.h>

#include "cr_limits.h"
#include "store.h"

enum cr_sup_by {
	CR_SUP_BY_INSTITUTION,
	CR_SUP_BY_PRODUCT,
	CR_SUP_BY_PROVINCE,
	CR_SUP_BY_PREFECTURE,
	CR_SUP_BYS
};

/* Days-past-due bands at the month's end. */
enum { CR_DPD_0, CR_DPD_1_30, CR_DPD_31_60, CR_DPD_61_90, CR_DPD_91_180,
       CR_DPD_180P, CR_DPD_BANDS };
/* The roll matrix's last column: the account ended (closed, written off). */
#define CR_ROLL_ENDED CR_DPD_BANDS
/* Multi-lending bins: 0 (no balance anywhere), 1, 2, 3, 4, 5+ lenders. */
#define CR_SUP_LENDER_BINS 6

/* Why a cell is not published. */
enum { CR_SUP_SHOWN, CR_SUP_SMALL, CR_SUP_COMPLEMENT };

struct cr_sup_cell {
	char key[CR_INST_CODE_MAX + 1]; /* institution, product name, region */
	uint8_t suppressed;             /* CR_SUP_SHOWN, _SMALL, _COMPLEMENT */
	uint64_t borrowers;
	uint64_t accounts;
	int64_t outstanding;
	int64_t new_lending;
	int64_t repayments;
	uint64_t bands[CR_DPD_BANDS];
	uint64_t roll[CR_DPD_BANDS][CR_DPD_BANDS + 1];
	int64_t day_drawdowns[31];      /* the month's events by day (0: the 1st) */
	int64_t day_repayments[31];
	uint8_t multi_shown;            /* the histogram passed its own rule */
	uint8_t multi_top;              /* bin multi_top holds that many lenders or more */
	uint64_t multi[CR_SUP_LENDER_BINS];
	int64_t multi_outstanding[CR_SUP_LENDER_BINS];
};

struct cr_sup_table {
	size_t n;
	struct cr_sup_cell *cells; /* owned, sorted by key */
};

struct cr_sup_month {
	int32_t month;
	uint64_t min_cell;
	struct cr_sup_table by[CR_SUP_BYS];
};

void cr_sup_init(struct cr_sup_month *m);
void cr_sup_fini(struct cr_sup_month *m);

/* Builds month's aggregates as known at asof_days, suppressed with
 * min_cell (>= 1).  Returns 0, CR_EINVAL, CR_ENOMEM, CR_ETOOBIG or a store
 * error. */
int cr_sup_build(cr_txn *txn, int32_t month, int32_t asof_days, uint64_t min_cell,
		 struct cr_sup_month *out /* OUT */);
/* The same for n months from first (1 <= n <= CR_MONTHLY_WALK_MONTHS_MAX)
 * into out[0..n-1], in one walk of the store (cr_monthly_walk_months): each
 * account's history and events are read once for all the months, and each
 * person's consent facts and region once.  Each month equals what
 * cr_sup_build gives it (a unit test compares them). */
int cr_sup_build_months(cr_txn *txn, int32_t first, size_t n, int32_t asof_days,
			uint64_t min_cell, struct cr_sup_month *out /* OUT: n */);

/* "institution", "product", "province", "prefecture"; parse also takes
 * "region" for the province, and returns -1 for anything else. */
const char *cr_sup_by_name(enum cr_sup_by by);
int cr_sup_by_parse(const char *s);
/* Whether the cells of grouping by are named (province, prefecture): their
 * JSON carries "name", a string or null. */
int cr_sup_by_named(enum cr_sup_by by);
/* The name of the cell with this key in grouping by: the province's or the
 * prefecture's name in the region table (key "11" gives "北京市", "4403"
 * "深圳市"); NULL for a key the table has no name for ("00", "1100"), for a
 * key that is not exactly two or four digits, and for the institution and
 * product groupings.  The string is static (region.h). */
const char *cr_sup_cell_name(enum cr_sup_by by, const char *key);
/* "0", "1-30", "31-60", "61-90", "91-180", "180+". */
const char *cr_sup_band_name(int band);
int cr_sup_band(int32_t dpd);

/* Applies the suppression rule to the cells of a table (exposed for the
 * unit test); parents, when not NULL, is the province table and the cells
 * are prefectures suppressed within their province. */
void cr_sup_suppress(struct cr_sup_table *t, const struct cr_sup_table *parents,
		     uint64_t min_cell);

#endif
