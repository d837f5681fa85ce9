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
#include "cr_date.h"
#include "ops.h"

static int act_config(struct cr_op *op, void *arg)
{
	struct cr_alert_config_request *q = arg;
	struct cr_alert_config cfg;
	int rc = cr_alerts_configure(op, q, &cfg);
	if (!rc)
		printf("%s: exposure rise > %d%% and > %lld; inquiries >= %d in %d days\n", q->inst,
		       cfg.exposure_pct, (long long)cfg.exposure_min, cfg.inquiries,
		       CR_ALERT_INQUIRY_DAYS);
	return rc;
}

static int alerts_config(const struct cr_args *a, cr_store *st, const char *inst)
{
	struct cr_alert_config_request q = {inst, cr_args_get(a, "exposure-pct") != NULL,
					    cr_args_get(a, "exposure-min") != NULL,
					    cr_args_get(a, "inquiries") != NULL, 0, 0, 0};
	int ex = cr_args_u64(a, "exposure-pct", 0, &q.pct);
	if (!ex)
		ex = cr_args_u64(a, "exposure-min", 0, &q.min);
	if (!ex)
		ex = cr_args_u64(a, "inquiries", 0, &q.inquiries);
	if (ex)
		return ex;
	struct cr_op op;
	cr_op_init(&op, st, CR_AUDIT_ROLE_OPERATOR, NULL, cr_date_today());
	int rc = cr_op_run(&op, act_config, &q);
	if (rc == CR_EINVAL) {
		cr_cli_err("alerts", "out of range: %s", op.why);
		return CR_EXIT_USAGE;
	}
	if (rc)
		cr_cli_err("alerts", "%s: %s", inst, rc == CR_ENOTFOUND ? "unknown institution"
								 : cr_strerror(rc));
	return cr_cli_exit_for(rc);
}

static int alerts_list(const struct cr_args *a, cr_store *st, const char *inst)
{
	uint64_t after;
	int ex = cr_args_u64(a, "after", 0, &after);
	if (ex)
		return ex;
	struct cr_op op;
	struct cr_buf b;
	unsigned n;
	uint64_t next;
	cr_buf_init(&b, SIZE_MAX / 2);
	cr_op_init(&op, st, CR_AUDIT_ROLE_OPERATOR, inst, cr_date_today());
	int rc = cr_alerts_page(&op, after, CR_ALERT_PAGE_MAX, &b, &n, &next);
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
