/*
 * consent.h - the authorization rules (DESIGN.md rules 1 and 2).
 *
 * Consents are facts that are never deleted: a grant (with a validity
 * window) or a revocation.  Whether an institution may furnish or query is
 * decided from all of a subject's facts at a given date, so "revocation
 * takes effect at once and deletes nothing" holds by construction, and any
 * past decision can be re-derived with --as-of.
 */
#ifndef CR_CONSENT_H
#define CR_CONSENT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Most consent facts read for one subject; older ones beyond this are
 * ignored (a person with more than this many consents is not realistic). */
#define CR_CONSENT_FACTS_MAX 256

/*
 * Non-zero when facts (in chronological order, as the store returns them)
 * hold a live consent of scope for inst at asof_days.  For query scope,
 * purpose must match; a revocation without a purpose revokes every purpose.
 * A grant is live from its granted day up to (not including) its expiry day,
 * until a revocation dated on or after the grant.
 */
int cr_consent_live(const struct cr_consent_fact *facts, size_t n,
		    const char *inst, uint8_t scope, uint8_t purpose,
		    int32_t asof_days);

/* Reads the subject's facts and applies cr_consent_live. */
int cr_consent_check(cr_txn *txn, const struct cr_subject_key *k,
		     const char *inst, uint8_t scope, uint8_t purpose,
		     int32_t asof_days, int *live /* OUT */);

/*
 * Stores one consent fact for subject k.  When it is a furnish grant live at
 * asof_days, the records held for (k, inst) are released and their number is
 * added to *released.  Returns 1 when the fact is new, 0 when identical to a
 * stored one, or a negative error.
 */
int cr_consent_apply(cr_txn *txn, const struct cr_subject_key *k,
		     const struct cr_consent *c, int32_t asof_days,
		     uint64_t *released /* IN/OUT */);

/*
 * Rule 1: may inst receive a report on subject k for purpose at asof_days?
 * Allowed with a live query consent for that purpose, for post_loan while
 * inst holds an open account with the subject, and for self (inst "").
 * Returns 0 when allowed, CR_EDENIED with *reason set when not, or a
 * negative store error.
 */
int cr_consent_may_query(cr_txn *txn, const struct cr_subject_key *k,
			 const char *inst, uint8_t purpose, int32_t asof_days,
			 const char **reason /* OUT */);

#endif
