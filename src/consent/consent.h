/*
 * consent.h - the authorization rules (DESIGN.md rules 1 and 2).
 *
 * Consents are facts that are never deleted: a grant (with a validity
 * window) or a revocation.  Whether an institution may furnish or query is
 * decided from a subject's facts at a given date, so "revocation takes
 * effect at once and deletes nothing" holds by construction, and any past
 * decision can be re-derived with --as-of.  Every decision reads the facts
 * through one function, cr_consent_facts_load, which keeps the newest ones
 * when a person has more than CR_CONSENT_FACTS_MAX (cr_limits.h); why that
 * is safe is told above struct cr_consent_facts.
 */
#ifndef CR_CONSENT_H
#define CR_CONSENT_H

#include <stddef.h>
#include <stdint.h>

#include "cr_limits.h"
#include "store.h"

/*
 * A person's consent facts as a decision reads them: the newest
 * CR_CONSENT_FACTS_MAX, oldest first (the order cr_consent_live needs).
 *
 * Why the newest.  In cr_consent_live a fact overrides the facts before
 * it: a grant is live only while no revocation follows it.  Leaving out
 * the oldest facts keeps, for every grant still read, every fact that
 * follows it, so each such grant is live exactly as it is among all the
 * facts; only old grants go missing.  A decision on the newest facts can
 * therefore refuse where all the facts would allow (an old open-ended
 * grant behind more than CR_CONSENT_FACTS_MAX newer facts), and never
 * allow where they would refuse: a revocation always outweighs the older
 * grants it ends.  Keeping the oldest instead ignored the newest facts, so
 * a lender still got a report after the person revoked.  The other ways
 * out are worse: refusing every decision about a person with too many
 * facts shuts them out of credit, and refusing to store another fact
 * would make revoking impossible exactly when it matters most.
 *
 * The cut counts the facts of every institution, so many newer facts of
 * one institution can leave out another's old grant: that institution's
 * data is then held and its queries refused until the person grants
 * again.  And a decision as of a past date (--as-of) reads the same newest
 * facts as one made today, so it may refuse where the facts of that date
 * allowed.  Both only ever refuse.
 */
struct cr_consent_facts {
	size_t n;      /* facts in f, oldest first */
	size_t total;  /* facts the person has: more than n when the oldest
			* total - n were left out */
	struct cr_consent_fact f[CR_CONSENT_FACTS_MAX];
};

/*
 * Loads subject k's consent facts into out: the newest
 * CR_CONSENT_FACTS_MAX, oldest first (see struct cr_consent_facts).  A
 * person unknown to the store has none.  Returns 0, or a negative store
 * error with out holding no facts.  out is about 40 KB: callers keep one
 * per thread (static _Thread_local) rather than on the stack; it is
 * theirs, and valid until they load into it again.
 */
int cr_consent_facts_load(cr_txn *txn, const struct cr_subject_key *k,
			  struct cr_consent_facts *out /* OUT */);

/*
 * Non-zero when facts (oldest first, as cr_consent_facts_load returns them)
 * hold a live consent of scope for inst at asof_days.  For query scope,
 * purpose must match; a revocation without a purpose revokes every purpose.
 * A grant is live from its granted day up to (not including) its expiry day,
 * until a revocation dated on or after the grant.
 */
int cr_consent_live(const struct cr_consent_fact *facts, size_t n,
		    const char *inst, uint8_t scope, uint8_t purpose,
		    int32_t asof_days);

/*
 * Non-zero when facts[i] is the grant that makes its consent live at
 * asof_days: a grant whose own days hold asof_days, for a consent
 * cr_consent_live finds live, with no later grant of the same institution,
 * scope and purpose whose days hold asof_days too.  At most one fact per
 * consent is in force; a revoked, expired, superseded or future grant, and
 * a revocation, are not.  What a person's list of facts marks "live" and
 * offers to revoke.
 */
int cr_consent_in_force(const struct cr_consent_fact *facts, size_t n, size_t i,
			int32_t asof_days);

/* Reads the subject's facts (cr_consent_facts_load) and applies
 * cr_consent_live. */
int cr_consent_check(cr_txn *txn, const struct cr_subject_key *k,
		     const char *inst, uint8_t scope, uint8_t purpose,
		     int32_t asof_days, int *live /* OUT */);

/*
 * Stores one consent fact for subject k.  When it is a furnish grant live at
 * asof_days, the records held for (k, inst) are released and their number is
 * added to *released, and inst's held identity becomes the person's
 * identity (see "Identities" above).  Returns 1 when the fact is new, 0
 * when identical to a stored one, or a negative error.
 */
int cr_consent_apply(cr_txn *txn, const struct cr_subject_key *k,
		     const struct cr_consent *c, int32_t asof_days,
		     uint64_t *released /* IN/OUT */);

/*
 * Identities (rule 11).  A person has one identity that every reader sees
 * (cr_store_subject_get): the newest furnished by an account line whose
 * institution held a live furnish consent from the person.  An account
 * line without one keeps its identity apart, as its institution's held
 * identity (cr_store_subject_held_put), so that a furnisher without
 * consent changes no one's view of the person's name, phone or address.
 * A held identity is released with its institution's records
 * (cr_consent_apply): it becomes the person's identity if nothing newer
 * has.  Every held identity is newer than the person's identity, because
 * a change to that drops them all (they are older than it).  A held line
 * whose identity is the one everyone sees keeps nothing apart (and drops
 * what its institution held before): releasing it would change nothing,
 * and the bulk of furnishing, the same person described alike by every
 * lender, costs no bytes per held line.
 *
 * cr_consent_identity_furnished stores identity s, furnished by an
 * account line of inst; live says whether inst holds a live furnish
 * consent from k.  Returns 1 when what is stored changed, 0 when it did
 * not, or a negative store error.
 */
int cr_consent_identity_furnished(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
				  int live, const struct cr_subject *s);

/*
 * The identity of k that a report shows at asof_days: the newest of the
 * person's identity and the held identities whose institution holds a
 * live furnish consent at asof_days by facts (NULL: none does), so that a
 * held identity shows from its consent's date on, as held accounts do.
 * For the person themself (self), when none shows, the newest held one,
 * and *held is set (else cleared).  Returns 0, CR_ENOTFOUND when there is
 * none to show, or a negative store error.
 */
int cr_consent_identity(cr_txn *txn, const struct cr_subject_key *k,
			const struct cr_consent_facts *facts, int32_t asof_days, int self,
			struct cr_subject *out /* OUT */, int *held /* OUT */);

/*
 * Rules 2 and 11: does account r show in reports to institutions at
 * asof_days?  Its furnisher holds a live furnish consent from the person
 * (facts as cr_consent_facts_load returns them) and it opened by then.
 * An account that does not is held: the person sees it, nobody else.
 */
int cr_consent_shows(const struct cr_consent_facts *facts, const struct cr_account_rec *r,
		     int32_t asof_days);

/*
 * Rule 11: is account r an existing relationship of its institution with
 * the person at asof_days?  It shows (cr_consent_shows) and its record
 * says open.  A held account is none: it unlocks no post_loan report and
 * makes its institution no watcher of the person's alerts (alert.h).
 */
int cr_consent_relates(const struct cr_consent_facts *facts, const struct cr_account_rec *r,
		       int32_t asof_days);

/*
 * Rule 1: may inst receive a report on subject k for purpose at asof_days?
 * Allowed with a live query consent for that purpose, for post_loan while
 * inst holds an account with the subject that relates them
 * (cr_consent_relates: open, and not held), and for self (inst "").
 * Returns 0 when allowed, CR_EDENIED with *reason set when not, or a
 * negative store error.
 */
int cr_consent_may_query(cr_txn *txn, const struct cr_subject_key *k,
			 const char *inst, uint8_t purpose, int32_t asof_days,
			 const char **reason /* OUT */);

#endif
