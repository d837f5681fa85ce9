/*
 * main.c - the creditref command: dispatch to a subcommand, like git.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{"init", cr_cmd_init, "create an empty store in a data directory"},
	{"gen", cr_cmd_gen, "generate a synthetic furnishing file"},
	{"ingest", cr_cmd_ingest, "load furnishing files (JSON Lines) into the store"},
	{"consent", cr_cmd_consent, "grant, revoke or list a person's authorizations"},
	{"report", cr_cmd_report, "a person's credit report, under the consent rules"},
	{"dispute", cr_cmd_dispute, "file, answer and list disputes"},
	{"shelf", cr_cmd_shelf, "order products off a platform's shelf; what a person is offered and holds"},
	{"stats", cr_cmd_stats, "counts and size of the store"},
	{"supervision", cr_cmd_supervision, "market aggregates for the supervisor; their page of charts"},
	{"keys", cr_cmd_keys, "API keys for the server; rotate the master key"},
	{"serve", cr_cmd_serve, "serve the HTTP/JSON API (docs/api.md)"},
	{"purge", cr_cmd_purge, "remove adverse information older than 5 years"},
	{"compact", cr_cmd_compact, "rewrite the store at its steady-state size"},
	{"alerts", cr_cmd_alerts, "alert thresholds of an institution; list its alerts"},
	{"audit", cr_cmd_audit, "verify the audit trail; show who looked at a person's data"},
	{"score", cr_cmd_score, "a person's score with its reasons, under the consent rules; or everyone's"},
	{"scorecard", cr_cmd_scorecard, "fit a credit scorecard to a table; score a CSV file with one"},
	{"quality", cr_cmd_quality, "data quality per furnisher (supervision), as JSON"},
	{"colending", cr_cmd_colending, "co-lending funding shares per platform and partner, as JSON"},
	{"help", cr_cmd_help, "explain a command"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: creditref COMMAND [OPTIONS]\n\n"
		   "creditref is a personal credit reference system (a credit bureau).\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'creditref help COMMAND' explains one command.\n");
}

int cr_cmd_help(int argc, char **argv)
{
	if (argc == 0) {
		usage(stdout);
		return 0;
	}
	const char *text = cr_cli_help_text(argv[0]);
	if (!text) {
		fprintf(stderr, "creditref help: no command '%s'\n", argv[0]);
		usage(stderr);
		return CR_EXIT_USAGE;
	}
	fputs(text, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CR_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		/* "creditref CMD --help" is "creditref help CMD". */
		for (int j = 2; j < argc; j++)
			if (strcmp(argv[j], "--help") == 0)
				return cr_cmd_help(1, &argv[1]);
		return commands[i].fn(argc - 2, argv + 2);
	}
	fprintf(stderr, "creditref: no command '%s'\n", argv[1]);
	usage(stderr);
	return CR_EXIT_USAGE;
}
