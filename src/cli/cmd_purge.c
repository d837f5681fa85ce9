/* cmd_purge.c - creditref purge: remove adverse information past retention. */
#include <stdio.h>

#include "cli.h"
#include "cr_date.h"
#include "cr_err.h"
#include "retention.h"
#include "ops.h"

int cr_cmd_purge(int argc, char **argv)
{
	static const struct cr_opt_spec spec[] = {
		{"db", 1}, {"key-file", 1}, {"as-of", 1}, {NULL, 0}};
	struct cr_args a;
	int ex = cr_args_parse(&a, "purge", spec, argc, argv);
	if (ex)
		return ex;
	int32_t asof;
	if (cr_args_asof(&a, &asof))
		return CR_EXIT_USAGE;
	cr_store *st;
	if ((ex = cr_cli_open_store(&a, 0, &st)))
		return ex;
	struct cr_op op;
	struct cr_purge_counts c;
	cr_op_init(&op, st, CR_AUDIT_ROLE_OPERATOR, NULL, asof);
	int rc = cr_admin_purge(&op, &c);
	cr_store_close(st);
	if (rc && op.why) {
		cr_cli_err("purge", "%s: %s", op.why, cr_strerror(rc));
		return CR_EXIT_FAIL;
	}
	if (rc) {
		cr_cli_err("purge", "stopped after %llu accounts: %s",
			   (unsigned long long)c.accounts_seen, cr_strerror(rc));
		return CR_EXIT_FAIL;
	}
	char d[11];
	cr_date_format(asof, d);
	printf("purge as of %s: accounts=%llu purged_accounts=%llu removed_months=%llu\n", d,
	       (unsigned long long)c.accounts_seen, (unsigned long long)c.accounts_purged,
	       (unsigned long long)c.months_removed);
	return 0;
}
