/*
 * cli.h - shared pieces of the creditref command-line tool.
 *
 * Each subcommand is a function taking the arguments after its name.  Options
 * are GNU-style long options ("--db DIR" or "--db=DIR"); each command lists
 * the ones it accepts, and anything else is a usage error naming the option.
 *
 * Exit status (docs/cli.md): 0 success, 1 the run failed, 2 usage error,
 * 3 refused (not authorized), 4 not found.
 */
#ifndef CR_CLI_H
#define CR_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "cr_limits.h"

enum { CR_EXIT_OK = 0, CR_EXIT_FAIL = 1, CR_EXIT_USAGE = 2,
       CR_EXIT_DENIED = 3, CR_EXIT_NOTFOUND = 4 };

struct cr_opt_spec {
	const char *name;  /* without the leading "--" */
	int takes_value;
};

struct cr_args {
	const char *cmd;
	const struct cr_opt_spec *spec;
	const char *values[CR_ARGS_MAX]; /* by spec index; "" for a set flag */
	const char *positional[CR_ARGS_MAX];
	int n_positional;
};

/* Parses argv against spec (terminated by a NULL name).  Prints the error
 * and returns CR_EXIT_USAGE on a bad option; 0 otherwise. */
int cr_args_parse(struct cr_args *a, const char *cmd,
		  const struct cr_opt_spec *spec, int argc, char **argv);
/* The option's value, or NULL when it was not given. */
const char *cr_args_get(const struct cr_args *a, const char *name);
/* Like cr_args_get, but prints "CMD: --NAME is required" when absent. */
const char *cr_args_need(const struct cr_args *a, const char *name);
/* Parses --as-of (default: today).  Returns 0 or CR_EXIT_USAGE. */
int cr_args_asof(const struct cr_args *a, int32_t *days /* OUT */);
/* Parses an unsigned integer option; def when absent. */
int cr_args_u64(const struct cr_args *a, const char *name, uint64_t def,
		uint64_t *out /* OUT */);
/* Parses a fraction in [0,1]; def when absent. */
int cr_args_rate(const struct cr_args *a, const char *name, double def,
		 double *out /* OUT */);

struct cr_store;
/* The key file for --db DIR: --key-file, else $CREDITREF_KEY_FILE, else
 * "DIR.key" beside the data directory.  Writes into out (cap bytes). */
void cr_cli_key_file(const struct cr_args *a, const char *db, char *out, size_t cap);
/* Opens the store named by --db (and --key-file), printing why when it
 * cannot.  Returns 0 or an exit status. */
int cr_cli_open_store(const struct cr_args *a, int flags, struct cr_store **st /* OUT */);

/* Prints "creditref CMD: MSG" to stderr. */
void cr_cli_err(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Maps a library error to an exit status. */
int cr_cli_exit_for(int rc);

int cr_cmd_init(int argc, char **argv);
int cr_cmd_ingest(int argc, char **argv);
int cr_cmd_gen(int argc, char **argv);
int cr_cmd_consent(int argc, char **argv);
int cr_cmd_report(int argc, char **argv);
int cr_cmd_stats(int argc, char **argv);
/* stats --monthly, with the options cr_cmd_stats parsed. */
int cr_cmd_stats_monthly(const struct cr_args *a);
int cr_cmd_supervision(int argc, char **argv);
int cr_cmd_keys(int argc, char **argv);
int cr_cmd_serve(int argc, char **argv);
int cr_cmd_purge(int argc, char **argv);
int cr_cmd_compact(int argc, char **argv);
int cr_cmd_dispute(int argc, char **argv);
int cr_cmd_shelf(int argc, char **argv);
int cr_cmd_audit(int argc, char **argv);
int cr_cmd_alerts(int argc, char **argv);
int cr_cmd_scorecard(int argc, char **argv);
int cr_cmd_score(int argc, char **argv);
/* cmd_quality.c: supervision figures (docs/quality.md). */
int cr_cmd_quality(int argc, char **argv);
int cr_cmd_colending(int argc, char **argv);
/* The scorecard of --model FILE, or the built-in one, printing why it
 * cannot be loaded.  Returns 0 or an exit status. */
struct cr_scorer;
int cr_cli_open_scorer(const struct cr_args *a, struct cr_scorer **out /* OUT */);
int cr_cmd_help(int argc, char **argv);

struct cr_dataset;
/* scorecard fit --db DIR --observe DATE [--horizon N] (cmd_scorecard_db.c):
 * the bureau's own history as a training table, the borrower's sentence of
 * each column in *reasons (an array the caller frees), and a description
 * of the table in source.  0 or an exit status, the error printed. */
int cr_scorecard_db_table(const struct cr_args *a, struct cr_dataset *d, const char ***reasons,
			  char *source, size_t cap);

/* Help text for a command, or NULL. */
const char *cr_cli_help_text(const char *cmd);

#endif
