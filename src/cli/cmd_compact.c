/* cmd_compact.c - creditref compact: the store rewritten at its steady-state size. */
#include <stdio.h>

#include "audit.h"
#include "cli.h"
#include "cr_err.h"
#include "store.h"

/* Store size before and after, in the units stats prints. */
static int size_of(cr_store *st, struct cr_store_stats *s)
{
	cr_txn *txn;
	int rc = cr_store_begin(st, 0, &txn);
	if (rc)
		return rc;
	rc = cr_store_stats(txn, s);
	cr_store_abort(txn);
	return rc;
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
	if (!rc)
		rc = cr_store_compact(st);
	struct cr_audit_entry e;
	cr_audit_entry_init(&e);
	e.asof_days = asof;
	e.role = CR_AUDIT_ROLE_OPERATOR;
	snprintf(e.action, sizeof e.action, "compact");
	e.outcome = rc ? CR_AUDIT_REFUSED : CR_AUDIT_GRANTED;
	int arc = cr_audit_record(st, &e);
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
