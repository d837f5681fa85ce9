/*
 * cmd_alerts.c - creditref alerts config|list.
 *
 * config sets an institution's alert thresholds (alert.h); options not
 * given keep their stored value, or the default.  list prints the
 * institution's alerts as the feed does (GET /v1/alerts), for operators.
 */
#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "cli.h"
#include "cr_buf.h"
#include "cr_err.h"
#include "cr_limits.h"
#include "store.h"

static int alerts_config(const struct cr_args *a, cr_store *st, const char *inst)
{
	cr_txn *txn;
	struct cr_alert_config cfg;
	int rc = cr_store_begin(st, 1, &txn);
	if (rc)
		return cr_cli_err("alerts", "%s", cr_strerror(rc)), CR_EXIT_FAIL;
	struct cr_institution in;
	rc = cr_store_inst_get(txn, inst, &in);
	if (!rc)
		rc = cr_alert_config(txn, inst, &cfg);
	uint64_t pct = 0, min = 0, n = 0;
	int ex = rc ? 0 : cr_args_u64(a, "exposure-pct", (uint64_t)cfg.exposure_pct, &pct);
	if (!rc && !ex)
		ex = cr_args_u64(a, "exposure-min", (uint64_t)cfg.exposure_min, &min);
	if (!rc && !ex)
		ex = cr_args_u64(a, "inquiries", (uint64_t)cfg.inquiries, &n);
	if (!rc && !ex && (pct > CR_ALERT_EXPOSURE_PCT_MAX || min > (uint64_t)CR_AMOUNT_MAX ||
			   n < 1 || n > CR_ALERT_INQUIRIES_MAX)) {
		cr_cli_err("alerts", "--exposure-pct 0..%d, --exposure-min 0..%lld, --inquiries 1..%d",
			   CR_ALERT_EXPOSURE_PCT_MAX, (long long)CR_AMOUNT_MAX, CR_ALERT_INQUIRIES_MAX);
		ex = CR_EXIT_USAGE;
	}
	if (rc || ex) {
		cr_store_abort(txn);
		if (rc)
			cr_cli_err("alerts", "%s: %s", inst,
				   rc == CR_ENOTFOUND ? "unknown institution" : cr_strerror(rc));
		return ex ? ex : cr_cli_exit_for(rc);
	}
	cfg = (struct cr_alert_config){(int32_t)pct, (int64_t)min, (int32_t)n};
	rc = cr_store_alert_config_put(txn, inst, &cfg);
	rc = rc ? (cr_store_abort(txn), rc) : cr_store_commit(txn);
	if (rc)
		return cr_cli_err("alerts", "%s", cr_strerror(rc)), CR_EXIT_FAIL;
	printf("%s: exposure rise > %d%% and > %lld; inquiries >= %d in %d days\n", inst,
	       cfg.exposure_pct, (long long)cfg.exposure_min, cfg.inquiries, CR_ALERT_INQUIRY_DAYS);
	return 0;
}

static int alerts_list(const struct cr_args *a, cr_store *st, const char *inst)
{
	uint64_t after;
	int ex = cr_args_u64(a, "after", 0, &after);
	if (ex)
		return ex;
	cr_txn *txn;
	struct cr_buf b;
	unsigned n;
	uint64_t next;
	cr_buf_init(&b, SIZE_MAX / 2);
	int rc = cr_store_begin(st, 0, &txn);
	if (!rc) {
		rc = cr_alert_page(txn, inst, after, CR_ALERT_PAGE_MAX, &b, &n, &next);
		cr_store_abort(txn);
	}
	if (!rc)
		printf("%.*s\n", (int)b.len, b.data);
	cr_buf_fini(&b);
	if (rc)
		cr_cli_err("alerts", "%s", cr_strerror(rc));
	return rc ? cr_cli_exit_for(rc) : 0;
}

int cr_cmd_alerts(int argc, char **argv)
{
	static const struct cr_opt_spec spec[] = {{"db", 1}, {"key-file", 1}, {"institution", 1},
						  {"exposure-pct", 1}, {"exposure-min", 1},
						  {"inquiries", 1}, {"after", 1}, {NULL, 0}};
	struct cr_args a;
	int ex = cr_args_parse(&a, "alerts", spec, argc, argv);
	if (ex)
		return ex;
	const char *verb = a.n_positional ? a.positional[0] : "";
	const int config = strcmp(verb, "config") == 0;
	if (!config && strcmp(verb, "list") != 0) {
		cr_cli_err("alerts", "say config or list (see: creditref help alerts)");
		return CR_EXIT_USAGE;
	}
	const char *inst = cr_args_need(&a, "institution");
	if (!inst)
		return CR_EXIT_USAGE;
	cr_store *st;
	ex = cr_cli_open_store(&a, config ? 0 : CR_STORE_RDONLY, &st);
	if (ex)
		return ex;
	ex = config ? alerts_config(&a, st, inst) : alerts_list(&a, st, inst);
	cr_store_close(st);
	return ex;
}
