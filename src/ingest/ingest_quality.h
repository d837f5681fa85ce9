/*
 * ingest_quality.h - the data-quality counters an ingest session keeps in
 * memory, per furnisher, and adds to the store once per batch
 * (store.h, cr_store_quality_add), in the batch's own transaction.
 *
 * A line costs one lookup of its furnisher (the last one is remembered:
 * files come grouped by furnisher) and a few increments; nothing is
 * written until the batch ends.  Internal to src/ingest/.
 */
#ifndef CR_INGEST_QUALITY_H
#define CR_INGEST_QUALITY_H

#include <stdint.h>

#include "store.h"

struct cr_qual_reason {
	char reason[CR_QUALITY_REASON_MAX + 1];
	uint64_t n;
};

struct cr_qual_inst {
	struct cr_quality_day d;
	struct cr_qual_reason reasons[CR_QUALITY_REASONS_MAX];
	unsigned n_reasons;
};

struct cr_ingest_qual {
	struct cr_qual_inst *v;
	size_t n, cap;
	size_t last;          /* the furnisher of the line before */
	int64_t arrival_s;    /* when the session's records arrive */
};

/* What one line did, to be counted. */
struct cr_qual_line {
	const char *inst;     /* the furnisher; NULL: CR_QUALITY_NO_INST */
	int outcome;          /* enum cr_outcome */
	const char *reason;   /* a rejected line's reason */
	int late;             /* a statement changed a month already reported */
	int has_lag;          /* an event: its time in at_s */
	int64_t at_s;
};

/* The arrival time of a session on asof_days run at wall clock now_s: now,
 * within the as-of day (its end when the day is past). */
int64_t cr_qual_arrival(int32_t asof_days, int64_t now_s);
int cr_qual_count(struct cr_ingest_qual *q, const struct cr_qual_line *l);
/* Adds the counts to the store for day and forgets them. */
int cr_qual_flush(struct cr_ingest_qual *q, cr_txn *txn, int32_t day);
void cr_qual_free(struct cr_ingest_qual *q);
/* The lag bucket of a lag of s seconds (see CR_QUALITY_LAG_BUCKETS). */
int cr_qual_bucket(int64_t s);

#endif
