/*
 * scorer.h - the bureau's scorecard applied to a person's file.
 *
 * A scorer is a model file (model.h) bound to the credit-behaviour features
 * of features.h: opening one refuses a model that names anything else, so
 * no identity field can ever reach a score.  The bureau's default model is
 * compiled into the program (models/default.scorecard, fitted by `make
 * model` on generated data); `--model FILE` replaces it.
 *
 * Scoring a person builds their features as of a date from what an
 * institution's report would show, and scores them: score 350..950, the
 * probability of default, up to CR_SCORE_REASONS reasons (the features
 * that cost the most points against their best bin), the model id.  It is
 * a read; who may ask, and the inquiry and audit entry of a request, are
 * the score act's (ops.h, cr_score_request).
 */
#ifndef CR_SCORER_H
#define CR_SCORER_H

#include "features.h"
#include "model.h"
#include "store.h"

struct cr_scorer {
	struct cr_model *m;
	struct cr_model_bind b;
};

/* The model at path, or the built-in one (path NULL), bound to the
 * features.  CR_EINVAL, CR_ENOTFOUND (a feature not in features.h),
 * CR_EIO with d naming the line or the feature and the reason. */
int cr_scorer_open(const char *path, struct cr_scorer **out /* OUT */,
		   struct cr_diag *d /* OUT */);
void cr_scorer_free(struct cr_scorer *s);
const char *cr_scorer_model_id(const struct cr_scorer *s);

/* A person's score, with the features it came from. */
struct cr_person_score {
	struct cr_score s;
	struct cr_features f;
};

/* Scores subject k as of asof_days in txn.  CR_ENOTFOUND without a file. */
int cr_scorer_person(const struct cr_scorer *sc, cr_txn *txn, const struct cr_subject_key *k,
		     int32_t asof_days, struct cr_person_score *out /* OUT */);

/* The sentence of a reason whose value was missing: what costs the points
 * is the history the file lacks, not what the feature's sentence says. */
#define CR_SCORE_NO_HISTORY "Not enough recent credit history to judge this"

/* Reason i of a score: the feature's name (the reason code) and the
 * borrower's sentence (CR_SCORE_NO_HISTORY when the value was missing). */
void cr_scorer_reason(const struct cr_scorer *sc, const struct cr_score *s, size_t i,
		      const char **code /* OUT */, const char **sentence /* OUT */);

/* Appends the score block as a JSON object: {"score":..,"pd":..,
 * "model_id":..,"reasons":[{"code":..,"reason":..},..]}. */
int cr_scorer_json(const struct cr_scorer *sc, const struct cr_score *s, struct cr_buf *out);

#endif
