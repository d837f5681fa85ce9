/*
 * validate.h - rules a record must satisfy on its own, after parsing.
 *
 * These are the cross-field rules of docs/FORMAT.md: a statement's status
 * agrees with its dpd and overdue amount; months and dates are not after the
 * as-of date; co-lender shares sum to 10000; product-specific required fields
 * (credit_limit for revolving and credit_card; principal and term_months for
 * installment and mortgage); a query consent names a purpose and a furnish
 * consent does not; expiry after grant; consent evidence carries no
 * prohibited marker (prohibited.h), for consents built from command-line
 * options rather than parsed; an event's amount and dpd fit its kind and
 * its time is not after the end of the as-of day plus CR_CLOCK_SKEW_S.
 * Rules that need stored data (unknown account, statement month or event
 * time before the account opened, a reused event id) live in ingest.
 */
#ifndef CR_VALIDATE_H
#define CR_VALIDATE_H

#include <stdint.h>

#include "cr_record.h"

/* Returns 0 when r passes, or CR_EINVAL with diag->field and diag->reason set. */
int cr_validate_record(const struct cr_record *r, int32_t asof_days,
		       struct cr_diag *diag /* OUT */);

/* The dpd range a status code allows: N needs dpd 0 .. 0 (no arrears);
 * k in 1..7 needs dpd in [30k-29, 30k] for k < 7 and >= 180 for 7.  Other codes
 * accept any dpd.  Returns 1 when consistent. */
int cr_status_dpd_consistent(char status, int32_t dpd);

/* Does a statement of month (months since year 0, as cr_statement.month)
 * fit account a?  Not before the month it opened.  1 when it does, else
 * 0 with *why set to the reason (a static string).  Ingest and a dispute's
 * correction apply the same rule. */
int cr_statement_month_fits(const struct cr_account *a, int32_t month, const char **why);

#endif
