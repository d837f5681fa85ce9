/*
 * retention.h - how long adverse information may be shown (DESIGN.md rule 3).
 *
 * Adverse information is a status of 1..7 (months overdue), G (ended
 * otherwise, e.g. written off), D (paid by the guarantor) or Z (repaid by
 * asset disposal), with the dpd and overdue amount that go with it.
 *
 * An adverse episode is a run of adverse statements.  It ends at the first
 * later statement with status N (cured) or C (settled); a run whose last
 * statement is G, D or Z (the account ended that way) ends at that month.
 * A run still adverse at the last statement has not ended.  The adverse
 * months of an episode that ended in month E stop appearing from the first
 * day of month E + 60, five years on; before that they are shown.
 *
 * Reports apply the rule at their as-of date; purge applies it physically.
 */
#ifndef CR_RETENTION_H
#define CR_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include "cr_limits.h"
#include "store.h"

/* Retention of adverse information, in months after the episode ended. */
#define CR_RETENTION_MONTHS 60

/* Non-zero for the adverse status codes (1..7, G, D, Z). */
int cr_status_adverse(char c);

/*
 * Marks suppress[i] = 1 for each month of h[0..n) (h[i] is month first + i,
 * status '\0' where there is no statement) whose adverse information is past
 * retention at asof_days, and 0 otherwise.  Returns the number marked.
 */
size_t cr_retention_mark(const struct cr_month_rec *h, size_t n, int32_t first,
			 int32_t asof_days, uint8_t *suppress /* OUT */);

/* Reads months first..last (inclusive, at most CR_HISTORY_MONTHS_MAX) of an
 * account into out[0..last-first]. */
int cr_history_load(cr_txn *txn, uint64_t acct_id, int32_t first, int32_t last,
		    struct cr_month_rec *out /* OUT */);

struct cr_purge_counts {
	uint64_t accounts_seen;
	uint64_t accounts_purged;
	uint64_t months_removed;
};

/*
 * Removes, from every account, the statements whose adverse information is
 * past retention at asof_days.  Commits every CR_PURGE_BATCH accounts.
 * Idempotent: a second run at the same date removes nothing.
 */
int cr_retention_purge(cr_store *st, int32_t asof_days,
		       struct cr_purge_counts *out /* OUT */);

#endif
