/*
 * quality.h - data quality per furnisher (docs/quality.md).
 *
 * Two sources.  What the ingests counted as the lines arrived (store.h,
 * cr_store_quality: outcomes, reject reasons, late corrections, the
 * histogram of reporting lags), per furnisher and ingest day; and what the
 * store holds as of the read: the share of a furnisher's borrowers covered
 * by a live furnish consent, and its accounts with months missing between
 * the opening month and the as-of month.
 *
 * Definitions:
 *   lag          arrival (the ingest's time, within its as-of day) minus
 *                an event's time; p50 and p99 are the upper bounds of the
 *                log2 buckets where the cumulative count first reaches
 *                50% and 99% of the events (0 for the first bucket)
 *   late         a statement that changed a month already reported
 *   gap          an open account's months from the opening month to the
 *                month before the as-of month (the as-of month's statement
 *                is not due yet) with no statement; for an account no
 *                longer open, up to its last reported month; at most the
 *                CR_HISTORY_MONTHS_MAX months before the as-of month
 *   coverage     distinct people with an account of the furnisher, and of
 *                them those with a live furnish consent to it
 */
#ifndef CR_QUALITY_H
#define CR_QUALITY_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct cr_quality_reason_row {
	char inst[CR_INST_CODE_MAX + 1];
	char reason[CR_QUALITY_REASON_MAX + 1];
	uint64_t n;                       /* over the days read */
};

struct cr_quality_inst {
	struct cr_quality_day total;      /* day unused: summed over the days */
	int64_t lag_p50_s, lag_p99_s;     /* -1 when no event was counted */
	uint64_t borrowers, borrowers_covered;
	uint64_t accounts, accounts_with_gaps, months_missing;
};

struct cr_quality {
	int32_t from, to, asof;           /* days */
	struct cr_quality_day *days;      /* per furnisher and day, in order */
	size_t n_days;
	struct cr_quality_reason_row *reasons; /* per furnisher and reason */
	size_t n_reasons;
	struct cr_quality_inst *insts;    /* per furnisher, in code order */
	size_t n_insts;
};

/* Builds the figures of inst (NULL: every furnisher) for ingest days
 * from..to, with coverage and gaps as of asof_days.  Free with
 * cr_quality_fini, also after an error. */
int cr_quality_build(cr_txn *txn, const char *inst, int32_t from, int32_t to,
		     int32_t asof_days, struct cr_quality *out /* OUT */);
void cr_quality_fini(struct cr_quality *q);
/* The upper bound in seconds of lag bucket b (0 for bucket 0), and the
 * percentile pct (1..100) of a histogram, or -1 when it is empty. */
int64_t cr_quality_bucket_upper(int b);
int64_t cr_quality_percentile(const uint64_t lag[CR_QUALITY_LAG_BUCKETS], int pct);
/* Renders q as one JSON object into out. */
struct cr_buf;
int cr_quality_json(const struct cr_quality *q, struct cr_buf *out);

/* Data-quality trends as an SVG fragment (charts_quality.c): per ingest
 * day, the shares of submitted lines rejected, held and late corrections,
 * of inst (NULL: every furnisher summed). */
int cr_quality_svg(const struct cr_quality *q, const char *inst, struct cr_buf *out);

#endif
