/* args.c - long-option parsing and shared helpers for the CLI; see cli.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cr_date.h"
#include "cr_err.h"
#include "cr_record.h"
#include "keyfile.h"
#include "mask.h"
#include "store.h"

/* Through mask.h: an error message often names what the user typed. */
void cr_cli_err(const char *cmd, const char *fmt, ...)
{
	char msg[CR_MASK_TEXT_MAX + 1];
	va_list ap;
	va_start(ap, fmt);
	cr_mask_vformat(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "creditref %s: %s\n", cmd, msg);
}

int cr_cli_exit_for(int rc)
{
	switch (rc) {
	case 0: return CR_EXIT_OK;
	case CR_EDENIED: return CR_EXIT_DENIED;
	case CR_ENOTFOUND: return CR_EXIT_NOTFOUND;
	case CR_EINVAL: return CR_EXIT_USAGE;
	default: return CR_EXIT_FAIL;
	}
}

static int find_spec(const struct cr_opt_spec *spec, const char *name, size_t n)
{
	for (int i = 0; spec[i].name; i++)
		if (strlen(spec[i].name) == n && memcmp(spec[i].name, name, n) == 0)
			return i;
	return -1;
}

/* Options that name an institution (or a product of a shelf, which has
 * the same form) take an institution code, for every command: checked
 * here once, with the definition of cr_inst_code_valid. */
static int check_codes(const struct cr_args *a)
{
	static const char *const code_opts[] = {"as", "institution", "platform", "product", NULL};
	for (int i = 0; code_opts[i]; i++) {
		const char *v = cr_args_get(a, code_opts[i]);
		if (v && !cr_inst_code_valid(v, strlen(v))) {
			cr_cli_err(a->cmd, "--%s '%s': %s", code_opts[i], v, CR_REASON_INST_CODE);
			return CR_EXIT_USAGE;
		}
	}
	return 0;
}

int cr_args_parse(struct cr_args *a, const char *cmd,
		  const struct cr_opt_spec *spec, int argc, char **argv)
{
	memset(a, 0, sizeof *a);
	a->cmd = cmd;
	a->spec = spec;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
			if (a->n_positional == CR_ARGS_MAX) {
				cr_cli_err(cmd, "too many arguments");
				return CR_EXIT_USAGE;
			}
			a->positional[a->n_positional++] = arg;
			continue;
		}
		const char *name = arg + 2, *eq = strchr(name, '=');
		const size_t n = eq ? (size_t)(eq - name) : strlen(name);
		const int k = find_spec(spec, name, n);
		if (k < 0 || k >= CR_ARGS_MAX) {
			cr_cli_err(cmd, "unknown option '%.*s' (see: creditref help %s)",
				   (int)(n + 2), arg, cmd);
			return CR_EXIT_USAGE;
		}
		if (!spec[k].takes_value) {
			a->values[k] = "";
		} else if (eq) {
			a->values[k] = eq + 1;
		} else if (i + 1 < argc) {
			a->values[k] = argv[++i];
		} else {
			cr_cli_err(cmd, "option '--%s' needs a value", spec[k].name);
			return CR_EXIT_USAGE;
		}
	}
	return check_codes(a);
}

const char *cr_args_get(const struct cr_args *a, const char *name)
{
	int k = find_spec(a->spec, name, strlen(name));
	return k < 0 ? NULL : a->values[k];
}

const char *cr_args_need(const struct cr_args *a, const char *name)
{
	const char *v = cr_args_get(a, name);
	if (!v || !*v)
		cr_cli_err(a->cmd, "--%s is required (see: creditref help %s)", name, a->cmd);
	return v && *v ? v : NULL;
}

int cr_args_asof(const struct cr_args *a, int32_t *days)
{
	const char *v = cr_args_get(a, "as-of");
	if (!v) {
		*days = cr_date_today();
		return 0;
	}
	if (cr_date_parse(v, strlen(v), days) != 0) {
		cr_cli_err(a->cmd, "--as-of '%s' is not a date in YYYY-MM-DD form", v);
		return CR_EXIT_USAGE;
	}
	return 0;
}

int cr_args_u64(const struct cr_args *a, const char *name, uint64_t def,
		uint64_t *out)
{
	const char *v = cr_args_get(a, name);
	*out = def;
	if (!v)
		return 0;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 10);
	if (errno || end == v || *end || v[0] == '-') {
		cr_cli_err(a->cmd, "--%s '%s' is not a non-negative integer", name, v);
		return CR_EXIT_USAGE;
	}
	*out = x;
	return 0;
}

int cr_args_rate(const struct cr_args *a, const char *name, double def,
		 double *out)
{
	const char *v = cr_args_get(a, name);
	*out = def;
	if (!v)
		return 0;
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	if (errno || end == v || *end || !(x >= 0.0 && x <= 1.0)) {
		cr_cli_err(a->cmd, "--%s '%s' must be a number from 0 to 1", name, v);
		return CR_EXIT_USAGE;
	}
	*out = x;
	return 0;
}

void cr_cli_key_file(const struct cr_args *a, const char *db, char *out, size_t cap)
{
	const char *k = cr_args_get(a, "key-file");
	if (!k || !*k)
		k = getenv("CREDITREF_KEY_FILE");
	if (k && *k)
		snprintf(out, cap, "%s", k);
	else
		cr_keyfile_default(db, out, cap);
}

int cr_cli_open_store(const struct cr_args *a, int flags, struct cr_store **st)
{
	const char *db = cr_args_need(a, "db"), *reason;
	if (!db)
		return CR_EXIT_USAGE;
	char key_file[4096];
	cr_cli_key_file(a, db, key_file, sizeof key_file);
	int rc = cr_store_open(db, key_file, flags, st, &reason);
	if (!rc)
		return 0;
	if (reason)
		cr_cli_err(a->cmd, "cannot open the store in %s with key file %s: %s",
			   db, key_file, reason);
	else if (rc == CR_ENOTFOUND)
		cr_cli_err(a->cmd, "no creditref store in %s (create one with: creditref init --db %s)", db, db);
	else
		cr_cli_err(a->cmd, "cannot open the store in %s: %s", db, cr_strerror(rc));
	/* Exit 3 is a refused report (docs/cli.md); a store that does not open,
	 * whatever the reason, is a failed run. */
	return CR_EXIT_FAIL;
}
