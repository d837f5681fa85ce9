/* cmd_keys.c - creditref keys: the bureau's secrets. */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "cr_date.h"
#include "cr_err.h"
#include "store.h"

static int keys_rotate(const struct cr_args *a)
{
	cr_store *st;
	int ex = cr_cli_open_store(a, 0, &st);
	if (ex)
		return ex;
	char key_file[4096];
	const char *reason;
	cr_cli_key_file(a, cr_args_get(a, "db"), key_file, sizeof key_file);
	int rc = cr_store_rotate_key(st, key_file, &reason);
	struct cr_audit_entry e;
	cr_audit_entry_init(&e);
	e.asof_days = cr_date_today();
	e.role = CR_AUDIT_ROLE_OPERATOR;
	snprintf(e.action, sizeof e.action, "keys_rotate");
	e.outcome = rc ? CR_AUDIT_REFUSED : CR_AUDIT_GRANTED;
	int arc = cr_audit_record(st, &e);
	cr_store_close(st);
	if (!rc && arc)
		cr_cli_err("keys", "the key was rotated but its audit entry failed: %s",
			   cr_strerror(arc));
	if (rc) {
		cr_cli_err("keys", "rotation failed: %s (%s)", reason ? reason : "",
			   cr_strerror(rc));
		return CR_EXIT_FAIL;
	}
	printf("master key rotated: %s holds the new key; the old key no longer opens the store\n",
	       key_file);
	return 0;
}

int cr_cmd_keys(int argc, char **argv)
{
	static const struct cr_opt_spec spec[] = {{"db", 1}, {"key-file", 1}, {NULL, 0}};
	struct cr_args a;
	int ex = cr_args_parse(&a, "keys", spec, argc, argv);
	if (ex)
		return ex;
	const char *verb = a.n_positional ? a.positional[0] : "";
	if (strcmp(verb, "rotate") == 0)
		return keys_rotate(&a);
	cr_cli_err("keys", "say rotate (see: creditref help keys)");
	return CR_EXIT_USAGE;
}
