/*
 * cmd_scorecard_db.c - creditref scorecard fit --db DIR --observe DATE
 * [--horizon N]: the trainer's table from the bureau's own history.
 *
 * The table is cr_features_dataset's (features.h): every person's
 * credit-behaviour features as of the observation date, bad when an
 * account reaches 90+ days past due within the horizon, and 30% of people
 * held out by a keyed hash.  Each column's reason sentence is the
 * feature's own, so the model's reason codes read as features.h words them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cr_date.h"
#include "cr_err.h"
#include "dataset.h"
#include "features.h"
#include "store.h"

int cr_scorecard_db_table(const struct cr_args *a, struct cr_dataset *d, const char ***reasons,
			  char *source, size_t cap)
{
	const char *observe = cr_args_need(a, "observe");
	int32_t obs;
	uint64_t horizon;
	if (!observe || cr_args_u64(a, "horizon", 12, &horizon))
		return CR_EXIT_USAGE;
	if (cr_date_parse(observe, strlen(observe), &obs) || horizon < 1 || horizon > 120) {
		cr_cli_err("scorecard", "--observe is a date YYYY-MM-DD and --horizon 1 to 120 months");
		return CR_EXIT_USAGE;
	}
	cr_store *st;
	int ex = cr_cli_open_store(a, CR_STORE_RDONLY, &st);
	if (ex)
		return ex;
	const int rc = cr_features_dataset(st, obs, (int)horizon, 0.3, d);
	cr_store_close(st);
	if (rc) {
		cr_cli_err("scorecard", "cannot build the table of features: %s", cr_strerror(rc));
		return CR_EXIT_FAIL;
	}
	*reasons = calloc(d->cols, sizeof **reasons);
	if (!*reasons)
		return CR_EXIT_FAIL;
	for (size_t c = 0; c < d->cols; c++) {
		const enum cr_feature f = cr_feature_parse(d->name[c]);
		(*reasons)[c] = f < CR_F_COUNT ? cr_feature_reason(f) : NULL;
	}
	snprintf(source, cap, "the bureau's files as of %s, bad = 90+ days past due within %u months",
		 observe, (unsigned)horizon);
	return 0;
}
