/*
 * dispute.h - a person contests an item; the furnisher answers.
 *
 * A dispute names an account, or one month of it.  Until the furnisher
 * answers, the item is shown annotated as disputed.  An item still
 * unanswered CR_DISPUTE_DEADLINE_DAYS after filing stops appearing in reports
 * to institutions (the person still sees it, annotated) until it is answered.
 *
 * The furnisher answers "verified" (the item stands) or "corrected" with a
 * replacement statement: the replaced value is kept as a revision, so a
 * correction is never a silent overwrite.
 */
#ifndef CR_DISPUTE_H
#define CR_DISPUTE_H

#include <stdint.h>

#include "cr_record.h"
#include "store.h"

#define CR_DISPUTE_DEADLINE_DAYS 20

/* Non-zero when d's item is hidden from institutions at asof_days: still
 * unanswered at asof_days, on or after the deadline day (filed + 20). */
int cr_dispute_hides(const struct cr_dispute *d, int32_t asof_days);

/* Files a dispute by subject k on (inst, account) for month (or
 * CR_WHOLE_ACCOUNT), in the write transaction txn; *out is the new
 * dispute, with its id.  CR_ENOTFOUND (with *why) when the account is not
 * the person's or the month has no statement; CR_ETOOBIG (with *why) when
 * the person has filed CR_SUBJECT_DISPUTES_MAX (cr_limits.h says why).  The act, with its audit
 * entry, is cr_dispute_open (ops.h). */
int cr_dispute_file(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
		    const char *account, int32_t month, const char *reason,
		    int32_t asof_days, struct cr_dispute *out /* OUT */,
		    const char **why /* OUT */);

/* The furnisher inst answers dispute id in txn: corrected == NULL verifies
 * it; otherwise *corrected replaces its month.  CR_ENOTFOUND for no such
 * dispute, CR_EDENIED when inst did not furnish the item, CR_EEXIST when
 * it has already been answered, CR_EINVAL when the answer does not fit
 * (a corrected statement for another account or month); *why says which.  *out is the answered dispute. */
int cr_dispute_resolve(cr_txn *txn, uint64_t id, const char *inst,
		       const struct cr_statement *corrected, int32_t asof_days,
		       struct cr_dispute *out /* OUT */, const char **why /* OUT */);

const char *cr_dispute_status_name(uint8_t status);

#endif
