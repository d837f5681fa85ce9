/*
 * features.h - what a scorecard may know about a person: credit behaviour
 * read from the bureau's file as of a date, and nothing else.
 *
 * Only credit behaviour (DESIGN.md, issue 12): nothing derived from
 * identity - not the ID's sex digit or birth region, not the name, the
 * address or the phone - is ever a feature.  The list below is the whole
 * list; a test checks that no feature reads an identity field, and the
 * model loader refuses a model naming a feature not in it.
 *
 * Each feature is a number, or missing (no such history: months since the
 * last delinquency of a person never delinquent).  docs/scoring.md says what
 * each one means and why it predicts.
 */
#ifndef CR_FEATURES_H
#define CR_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "store.h"

/* X(ID, name, sentence a borrower understands when it costs points) */
#define CR_FEATURES(X)                                                                     \
	X(WORST_6M, "worst_status_6m", "Late payments in the last 6 months")              \
	X(WORST_12M, "worst_status_12m", "Late payments in the last 12 months")           \
	X(WORST_24M, "worst_status_24m", "Late payments in the last 24 months")           \
	X(MONTHS_SINCE_DELINQ, "months_since_delinquency", "A recent late payment")       \
	X(DELINQ_MONTHS_24M, "delinquent_months_24m", "Several months with late payments") \
	X(REVOLVING_UTIL, "revolving_utilization", "High use of revolving credit limits") \
	X(BALANCE_TO_LIMIT, "balance_to_limit", "Balances high compared with credit limits") \
	X(LENDERS_WITH_BALANCE, "lenders_with_balance", "Owing money to many lenders")    \
	X(INQUIRIES_3M, "inquiries_3m", "Many recent applications for credit")            \
	X(INQUIRIES_6M, "inquiries_6m", "Many applications for credit in the last 6 months") \
	X(OLDEST_ACCOUNT_MONTHS, "oldest_account_months", "A short credit history")       \
	X(OPENED_6M, "accounts_opened_6m", "Several accounts opened recently")            \
	X(ONTIME_SHARE_24M, "ontime_share_24m", "Instalments not always paid on time")    \
	X(EXPOSURE_RISE, "exposure_rise", "Borrowing rose sharply in recent days")         \
	X(OPEN_ACCOUNTS, "open_accounts", "Many open accounts")                           \
	X(CHARGED_OFF, "charged_off_accounts", "An account written off")

enum cr_feature {
#define CR_FEATURE_ENUM(id, name, why) CR_F_##id,
	CR_FEATURES(CR_FEATURE_ENUM)
#undef CR_FEATURE_ENUM
	CR_F_COUNT
};

const char *cr_feature_name(enum cr_feature f);
/* The borrower's sentence for a feature that cost points. */
const char *cr_feature_reason(enum cr_feature f);
/* The feature named s, or CR_F_COUNT. */
enum cr_feature cr_feature_parse(const char *s);

struct cr_features {
	double v[CR_F_COUNT];   /* NAN: missing */
};

/*
 * The person's features as of asof_days, read in txn (a snapshot is
 * enough), from what a report to an institution would show: held accounts
 * and items hidden by an unanswered dispute are left out, retention applies.
 * CR_ENOTFOUND when the bureau has no file on the person.
 */
int cr_features_build(cr_txn *txn, const struct cr_subject_key *k, int32_t asof_days,
		      struct cr_features *out /* OUT */);

/*
 * Calls fn for every person with a file, in arrival order, a page of
 * CR_FEATURES_PAGE people per read transaction (txn is that page's): the
 * memory a transaction keeps stays bounded, and each page is consistent in
 * itself.  A non-zero return from fn stops the walk and is returned.
 */
int cr_features_walk(cr_store *st, int (*fn)(cr_txn *txn, const struct cr_subject_key *k,
					     void *arg), void *arg);

/*
 * The bureau's own history as a training table (trainer source (a)):
 * for every person with a file, the features as of the observation date
 * obs_days and the target bad = 1 when any account reaches status 3 or
 * worse (90+ days past due) in the horizon_months after it.  A row is in
 * the test sample when a hash of the person's place in the store's arrival
 * order says so, for test_share of them: the same furnished data gives the
 * same split in any store, and nothing about the person decides it.
 * Columns are the features, in enum order.
 */
int cr_features_dataset(cr_store *st, int32_t obs_days, int horizon_months, double test_share,
			struct cr_dataset *out /* OUT */);
/*
 * cr_features_dataset, and beside the table the subject key (the store's
 * pseudonym) of each row, in row order: *keys gets out->rows of them,
 * malloc'd (NULL when there are no rows), for the caller to free().  For
 * tests that join the rows with what they know about the people (the
 * generator's latent risk, by cr_store_subject_key of each ID); the key is
 * never a column.
 *
 * Both: people with nothing an institution sees at the observation date
 * (no account shown) give no row.  horizon_months is 1..CR_GRID_MONTHS and
 * test_share in [0, 1], else CR_EINVAL.  The walk reads a page of people
 * per read transaction (CR_FEATURES_PAGE), so the table is consistent per
 * page, not as one snapshot.  On failure out is left empty (finished).
 */
int cr_features_dataset_keys(cr_store *st, int32_t obs_days, int horizon_months,
			     double test_share, struct cr_dataset *out /* OUT */,
			     struct cr_subject_key **keys /* OUT */);

#endif
