/*
 * colending.h - co-lending funding shares (docs/quality.md).
 *
 * An account furnished with co-lenders (cr_account.colenders, share_bp
 * summing to 10000) was arranged by its furnisher, the platform, and
 * funded by each co-lender in its share; the platform's own share is its
 * own entry among the co-lenders (0 when it has none).  For each month,
 * an account's outstanding is its balance as the monthly aggregate takes
 * it (monthly.h: the latest statement up to the month, followed by the
 * events to the month's end or the as-of day); an account counts in a
 * month when it opened by the month's end and had not ended before the
 * month began.  A partner funded floor(outstanding * share_bp / 10000).
 *
 * A platform is flagged in a month when it arranged outstanding there
 * and funded less than floor_bp of it itself: own * 10000 < floor_bp *
 * outstanding (at exactly the floor it is not flagged).
 */
#ifndef CR_COLENDING_H
#define CR_COLENDING_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct cr_colending_partner {
	int32_t month;
	char platform[CR_INST_CODE_MAX + 1];
	char partner[CR_INST_CODE_MAX + 1];  /* the platform itself included */
	int64_t funded;                       /* minor units */
	uint64_t accounts;
};

struct cr_colending_platform {
	int32_t month;
	char platform[CR_INST_CODE_MAX + 1];
	int64_t outstanding;                  /* of its co-lent accounts */
	int64_t own;                          /* what it funded itself */
	uint64_t accounts;                    /* the accounts behind the figure */
	uint32_t own_share_bp;                /* own / outstanding; 0 when none */
	int flagged;                          /* below the floor */
};

struct cr_colending {
	int32_t from, to;                     /* months */
	int32_t asof;
	uint32_t floor_bp;
	struct cr_colending_platform *platforms; /* by month, platform */
	size_t n_platforms;
	struct cr_colending_partner *partners;   /* by month, platform, partner */
	size_t n_partners;
};

/* Builds months from..to (at most CR_COLENDING_MONTHS_MAX) as of
 * asof_days.  inst NULL: every platform; else the platforms' rows of inst
 * and the partner rows where inst arranged or funded.  Free with
 * cr_colending_fini, also after an error. */
int cr_colending_build(cr_txn *txn, const char *inst, int32_t from, int32_t to,
		       int32_t asof_days, uint32_t floor_bp, struct cr_colending *out /* OUT */);
void cr_colending_fini(struct cr_colending *c);
/* floor(amount * bp / 10000) without overflow, for 0 <= amount, bp <= 10000. */
int64_t cr_colending_part(int64_t amount, uint32_t bp);
struct cr_buf;
int cr_colending_json(const struct cr_colending *c, struct cr_buf *out);

/* Each platform's own share over the months against the floor, as an SVG
 * fragment (charts_quality.c); points below the floor are circled. */
int cr_colending_svg(const struct cr_colending *c, struct cr_buf *out);

#endif
