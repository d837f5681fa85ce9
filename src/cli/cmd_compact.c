/* cmd_compact.c - creditref compact: the store rewritten at its steady-state size. */
#include <stdio.h>

#include "cli.h"
#include "cr_err.h"
#include "ops.h"

/* Store size before and after, in the units stats prints. */
static int size_of(cr_store *st, struct cr_store_stats *s)
{
	struct cr_op op;
	cr_op_init(&op, st, CR_AUDIT_ROLE_OPERATOR, NULL, 0);
	return cr_admin_stats(&op, s);
}

int cr_cmd_compact(int argc, char **argv)
{
	static const struct cr_opt_spec spec[] = {{"db", 1}, {"key-file", 1}, {"as-of", 1},
						  {NULL, 0}};
	struct cr_args a;
	int ex = cr_args_parse(&a, "compact", spec, argc, argv);
	if (ex)
		return ex;
	int32_t asof;
	if (cr_args_asof(&a, &asof))
		return CR_EXIT_USAGE;
	cr_store *st;
	if ((ex = cr_cli_open_store(&a, 0, &st)))
		return ex;
	struct cr_store_stats before, after;
	int rc = size_of(st, &before);
	struct cr_op op;
	cr_op_init(&op, st, CR_AUDIT_ROLE_OPERATOR, NULL, asof);
	int arc = rc ? 0 : cr_admin_compact(&op);
	cr_store_close(st);
	/* Replaced files are deleted as the store closes: measure after. */
	if (!rc && !arc && !(ex = cr_cli_open_store(&a, CR_STORE_RDONLY, &st))) {
		rc = size_of(st, &after);
		cr_store_close(st);
	}
	if (ex)
		return ex;
	if (rc || arc) {
		cr_cli_err("compact", "%s", cr_strerror(rc ? rc : arc));
		return CR_EXIT_FAIL;
	}
	printf("compact: file_bytes=%llu -> %llu", (unsigned long long)before.file_bytes,
	       (unsigned long long)after.file_bytes);
	if (after.account_months)
		printf(" bytes_per_account_month=%.2f",
		       (double)after.file_bytes / (double)after.account_months);
	printf("\n");
	return 0;
}
