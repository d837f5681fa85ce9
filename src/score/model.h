/*
 * model.h - a scorecard: the model file, and scoring one row with it.
 *
 * A scorecard is a list of features; each feature puts a value into one of
 * its bins, and each bin is worth some points.  The score is the base points
 * plus the points of every feature's bin, rounded and clamped to the score
 * range (350..950 by default).  The points are scaled so that the score is
 * a log-odds: pdo more points double the odds good:bad, and anchor_score
 * points are odds of anchor_odds to 1 (docs/scoring.md, "How a scorecard is
 * fitted").  So a higher score is a lower risk, and the probability of
 * default follows from the points alone.
 *
 * The model file is text, one statement a line (docs/scoring.md, "The
 * model file"): a person can read and check it, and diff two of them.
 * cr_model_parse reads it without allocating, into a struct cr_model the
 * caller provides (large: allocate it with cr_model_new); any error names
 * the line and the reason.  cr_model_format writes it back, byte for byte
 * the same for a model it parsed from its own output.
 *
 * Scoring reads one row of doubles laid out as the caller's columns:
 * cr_model_bind maps each feature to a column by name once, then
 * cr_model_score costs a few comparisons per feature and never allocates,
 * which is what rescoring every person of the bureau needs.  A numeric
 * cell is its value; a categorical cell is the level's code from
 * cr_model_level; NAN is missing in both.
 *
 * A model trained on the bureau's own history names features of
 * features.h: binding it to cr_feature_name()'s list refuses a model that
 * names anything else.
 */
#ifndef CR_MODEL_H
#define CR_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "cr_buf.h"
#include "cr_limits.h"
#include "cr_record.h"

/* The first line of every model file, with its format version. */
#define CR_MODEL_MAGIC "creditref-scorecard"
#define CR_MODEL_VERSION 1

struct cr_model_bin {
	double points;          /* what the bin adds to the score */
	double woe;             /* weight of evidence ln(%good / %bad); informative */
	uint64_t good, bad;     /* training rows in the bin; informative, 0 if unknown */
};

struct cr_model_feature {
	char name[CR_MODEL_NAME_MAX + 1];
	char reason[CR_MODEL_REASON_MAX + 1]; /* the borrower's sentence */
	uint8_t categorical;
	double beta, iv;        /* informative: a feature-wide coefficient (0 from the
				 * trainer, whose points come per bin), information value */
	uint16_t n_bins;
	struct cr_model_bin bin[CR_MODEL_BINS_MAX];
	uint16_t missing_bin;   /* the bin of a missing value */
	/* Numeric: interval i is (hi[i - 1], hi[i]], from -inf; the last one
	 * runs to +inf (its hi is INFINITY).  Intervals are in order. */
	uint16_t n_intervals;
	double hi[CR_MODEL_BINS_MAX];
	uint8_t interval_bin[CR_MODEL_BINS_MAX];
	/* Categorical: listed levels, their bins, and the bin of every other
	 * level (rare in training, or never seen). */
	uint16_t n_levels;
	uint16_t others_bin;
	char level[CR_MODEL_LEVELS_MAX][CR_MODEL_LEVEL_MAX + 1];
	uint8_t level_bin[CR_MODEL_LEVELS_MAX];
	uint8_t level_order[CR_MODEL_LEVELS_MAX]; /* levels sorted by bytes */
	/* The most points a value present in a file can get (cr_model_finish):
	 * the bins of the intervals or levels, not the missing bin alone.  A
	 * reason measures against it, so that a person whose history is in
	 * the best bin has no reason from the feature even when having no
	 * history at all scores better. */
	double best_points;
};

struct cr_model_meta {
	char key[CR_MODEL_META_KEY_MAX + 1];
	char value[CR_MODEL_META_VALUE_MAX + 1];
};

struct cr_model {
	char id[CR_MODEL_ID_MAX + 1];
	char description[CR_MODEL_DESC_MAX + 1];
	double pdo, anchor_score, anchor_odds; /* scaling */
	int score_min, score_max;
	double intercept;       /* the logistic intercept; informative */
	double base_points;
	size_t n_meta;
	struct cr_model_meta meta[CR_MODEL_META_MAX];
	size_t n_features;
	struct cr_model_feature feature[CR_MODEL_FEATURES_MAX];
};

/* A zeroed model on the heap, or NULL.  Free with cr_model_free. */
struct cr_model *cr_model_new(void);
void cr_model_free(struct cr_model *m);

/*
 * Parses a model file, text[0..len) (no NUL needed).  Returns 0, or
 * CR_EINVAL with diag->line (1-based), diag->field (the statement) and
 * diag->reason (a static sentence) set.  Never allocates, never reads
 * outside text[0..len); m is overwritten whole either way.
 */
int cr_model_parse(const char *text, size_t len, struct cr_model *m /* OUT */,
		   struct cr_diag *diag /* OUT */);

/*
 * Reads and parses the file at path.  CR_ENOTFOUND or CR_EIO (diag->reason
 * says which) when it cannot be read, CR_ETOOBIG past CR_MODEL_FILE_MAX.
 */
int cr_model_load(const char *path, struct cr_model *m /* OUT */, struct cr_diag *diag /* OUT */);

/*
 * Checks a model built in memory (the trainer's, a test's) as the parser
 * checks a file, and computes what scoring needs (each feature's best
 * points, the level order).  The parser calls it; so must anyone who fills
 * a struct cr_model by hand.  CR_EINVAL with diag->reason.
 */
int cr_model_finish(struct cr_model *m, struct cr_diag *diag /* OUT */);

/*
 * Appends the model file to out.  CR_ETOOBIG past out's maximum, or
 * CR_EINVAL when a name or level cannot be written (a control character).
 */
int cr_model_format(const struct cr_model *m, struct cr_buf *out);

/* Writes the model file to path, through a temporary file renamed over it. */
int cr_model_save(const struct cr_model *m, const char *path);

/* Sets key to value (replacing an earlier value).  CR_ETOOBIG when the
 * table is full or a text is too long. */
int cr_model_set_meta(struct cr_model *m, const char *key, const char *value);

/* Where each feature's value is in the caller's rows. */
struct cr_model_bind {
	uint32_t col[CR_MODEL_FEATURES_MAX];
};

/*
 * Maps every feature of m to the column of names[0..n) of the same name.
 * CR_ENOTFOUND, with diag->field the feature's name (cut to fit) and
 * diag->reason, when a feature has no column.
 */
int cr_model_bind(const struct cr_model *m, const char *const *names, size_t n,
		  struct cr_model_bind *b /* OUT */, struct cr_diag *diag /* OUT */);

/*
 * The code of level s[0..len) of categorical feature f, as the double to
 * put in its cell: its index among the listed levels, or -1 for a level the
 * model does not list (scored in the "others" bin).  A binary search.
 */
double cr_model_level(const struct cr_model *m, size_t f, const char *s, size_t len);

struct cr_score_reason {
	uint16_t feature;       /* index into m->feature */
	double points_lost;     /* the feature's best points minus its points; > 0 */
	uint8_t missing;        /* the value was missing: the file lacks the
				 * history to judge it, whatever the feature's
				 * own sentence says */
};

struct cr_score {
	int score;              /* rounded, clamped to [score_min, score_max] */
	double points;          /* the sum before rounding and clamping */
	double pd;              /* probability of default, from the points */
	size_t n_reasons;
	/* The features that cost the most points against their best bin for a
	 * present value, most first (ties: the earlier feature first); only
	 * those that cost some. */
	struct cr_score_reason reason[CR_SCORE_REASONS];
};

/*
 * Scores one row: x holds the caller's columns, located through b.  Never
 * fails on a value: NAN is missing, a number out of every interval cannot
 * happen (they cover the line), a code that is not a listed level's
 * (-1, or anything else) is "others".
 */
void cr_model_score(const struct cr_model *m, const struct cr_model_bind *b, const double *x,
		    struct cr_score *out /* OUT */);

/* The bin of value v of feature f, as cr_model_score finds it. */
size_t cr_model_bin_of(const struct cr_model_feature *f, double v);

struct cr_dataset;

/*
 * Scores every row of a training table (dataset.h) into score[i] and pd[i]
 * (either may be NULL): features are bound to columns by name, and each
 * categorical column's levels are translated to the model's codes once.
 * CR_ENOTFOUND (diag->field the feature) when a feature has no column,
 * CR_EINVAL when a feature's type is not its column's, CR_ENOMEM.
 */
int cr_model_score_table(const struct cr_model *m, const struct cr_dataset *d, int *score,
			 double *pd, struct cr_diag *diag /* OUT */);

/* The probability of default for a score's points under m's scaling, and
 * the points for odds good:bad. */
double cr_model_pd(const struct cr_model *m, double points);
double cr_model_points_for_odds(const struct cr_model *m, double odds);

#endif
