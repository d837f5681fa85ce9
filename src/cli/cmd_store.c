/* cmd_store.c - creditref init, ingest and stats (stats --monthly: cmd_monthly.c). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "cli.h"
#include "cr_err.h"
#include "ingest.h"
#include "ops.h"
#include "store.h"

int cr_cmd_init(int argc, char **argv)
{
	static const struct cr_opt_spec spec[] = {{"db", 1}, {"key-file", 1}, {NULL, 0}};
	struct cr_args a;
	int ex = cr_args_parse(&a, "init", spec, argc, argv);
	if (ex)
		return ex;
	const char *db = cr_args_need(&a, "db"), *reason;
	if (!db)
		return CR_EXIT_USAGE;
	char key_file[4096];
	cr_cli_key_file(&a, db, key_file, sizeof key_file);
	int rc = cr_store_create(db, key_file, &reason);
	if (rc == CR_EEXIST) {
		cr_cli_err("init", "%s", reason ? reason : "that directory already holds a creditref store");
		return CR_EXIT_FAIL;
	}
	if (rc) {
		cr_cli_err("init", "cannot create a store in %s: %s", db, cr_strerror(rc));
		return CR_EXIT_FAIL;
	}
	printf("initialized empty creditref store in %s\n"
	       "master key written to %s (mode 0600): keep it outside backups of %s\n",
	       db, key_file, db);
	return 0;
}

static time_t progress_last;

static void progress(uint64_t done, uint64_t total)
{
	const time_t now = time(NULL);
	if (now == progress_last && done != total)
		return;
	progress_last = now;
	fprintf(stderr, "\ringest: %llu of %llu MiB (%llu%%)%s",
		(unsigned long long)(done >> 20), (unsigned long long)(total >> 20),
		(unsigned long long)(total ? done * 100 / total : 100),
		done == total ? "\n" : "");
}

/* Standard input has no known size: lines and MiB read so far. */
static void progress_stream(uint64_t lines, uint64_t bytes, int done)
{
	const time_t now = time(NULL);
	if (now == progress_last && !done)
		return;
	progress_last = now;
	fprintf(stderr, "\ringest: %llu lines, %llu MiB read%s",
		(unsigned long long)lines, (unsigned long long)(bytes >> 20),
		done ? "\n" : "");
}

/* Opens the rejects file with mode 0600, as it repeats personal data:
 * --rejects FILE if given, else FILE.rejects.jsonl beside the input, or
 * stdin.rejects.jsonl in the current directory for standard input. */
static FILE *open_rejects(const char *path, const char *chosen, char *name,
			  size_t cap)
{
	int n;
	if (chosen)
		n = snprintf(name, cap, "%s", chosen);
	else if (strcmp(path, "-") == 0)
		n = snprintf(name, cap, "stdin.rejects.jsonl");
	else
		n = snprintf(name, cap, "%s.rejects.jsonl", path);
	if (n < 0 || (size_t)n >= cap)
		return NULL;
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	return fd < 0 ? NULL : fdopen(fd, "w");
}

static void counts_add(struct cr_ingest_counts *total,
		       const struct cr_ingest_counts *c)
{
	total->submitted += c->submitted;
	total->accepted += c->accepted;
	total->rejected += c->rejected;
	total->prohibited += c->prohibited;
	total->held += c->held;
	total->unchanged += c->unchanged;
	total->released += c->released;
}

/* Ingests one input, "-" being standard input. */
static int ingest_one(const char *path, const char *rejects_path, cr_store *st,
		      int32_t asof, struct cr_ingest_counts *total)
{
	const int is_stdin = strcmp(path, "-") == 0;
	const char *shown = is_stdin ? "standard input" : path;
	char rname[4200];
	FILE *rejects = open_rejects(path, rejects_path, rname, sizeof rname);
	if (!rejects) {
		cr_cli_err("ingest", "cannot create %s", rname);
		return CR_EXIT_FAIL;
	}
	struct cr_ingest_counts c;
	int rc = is_stdin
		? cr_ingest_stream(st, 0, asof, rejects,
				   isatty(2) ? progress_stream : NULL, &c)
		: cr_ingest_file(st, path, asof, rejects,
				 isatty(2) ? progress : NULL, &c);
	int close_rc = fclose(rejects);
	if (rc == CR_ENOTFOUND && !is_stdin) {
		cr_cli_err("ingest", "cannot read %s", path);
		return CR_EXIT_FAIL;
	}
	if (rc) {
		cr_cli_err("ingest", "%s: stopped after %llu lines (%llu committed): %s",
			   shown, (unsigned long long)c.submitted,
			   (unsigned long long)c.durable, cr_strerror(rc));
		return CR_EXIT_FAIL;
	}
	if (close_rc) {
		cr_cli_err("ingest", "cannot write %s", rname);
		return CR_EXIT_FAIL;
	}
	if (c.rejected)
		fprintf(stderr, "ingest: %s: %llu rejected lines, see %s\n", shown,
			(unsigned long long)c.rejected, rname);
	else
		unlink(rname);
	counts_add(total, &c);
	return 0;
}

/* The inputs must make sense together: standard input once at most, and
 * --rejects only for a single input.  Returns 0 or CR_EXIT_USAGE. */
static int check_inputs(const struct cr_args *a)
{
	int n_stdin = 0;
	if (a->n_positional == 0) {
		cr_cli_err("ingest", "name at least one FILE to ingest, or - for standard input");
		return CR_EXIT_USAGE;
	}
	for (int i = 0; i < a->n_positional; i++)
		n_stdin += strcmp(a->positional[i], "-") == 0;
	if (n_stdin > 1) {
		cr_cli_err("ingest", "standard input (-) can be named once only");
		return CR_EXIT_USAGE;
	}
	if (cr_args_get(a, "rejects") && a->n_positional != 1) {
		cr_cli_err("ingest", "--rejects names the rejects file of a single input");
		return CR_EXIT_USAGE;
	}
	return 0;
}

int cr_cmd_ingest(int argc, char **argv)
{
	static const struct cr_opt_spec spec[] = {{"db", 1}, {"key-file", 1}, {"as-of", 1},
						  {"rejects", 1}, {NULL, 0}};
	struct cr_args a;
	int ex = cr_args_parse(&a, "ingest", spec, argc, argv);
	if (ex)
		return ex;
	int32_t asof;
	const char *db = cr_args_need(&a, "db");
	if (!db || cr_args_asof(&a, &asof))
		return CR_EXIT_USAGE;
	if ((ex = check_inputs(&a)))
		return ex;
	cr_store *st;
	if ((ex = cr_cli_open_store(&a, CR_STORE_BULK, &st)))
		return ex;
	struct cr_ingest_counts total;
	memset(&total, 0, sizeof total);
	for (int i = 0; i < a.n_positional && !ex; i++)
		ex = ingest_one(a.positional[i], cr_args_get(&a, "rejects"), st, asof, &total);
	cr_store_close(st);
	if (ex)
		return ex;
	if (total.released)
		printf("released=%llu previously held records\n",
		       (unsigned long long)total.released);
	if (total.prohibited)
		printf("prohibited=%llu records refused as information a bureau may not collect\n",
		       (unsigned long long)total.prohibited);
	printf("submitted=%llu accepted=%llu rejected=%llu held=%llu unchanged=%llu\n",
	       (unsigned long long)total.submitted, (unsigned long long)total.accepted,
	       (unsigned long long)total.rejected, (unsigned long long)total.held,
	       (unsigned long long)total.unchanged);
	return 0;
}

int cr_cmd_stats(int argc, char **argv)
{
	static const struct cr_opt_spec spec[] = {{"db", 1}, {"key-file", 1}, {"monthly", 0},
						  {"month", 1}, {"as-of", 1}, {"format", 1},
						  {NULL, 0}};
	struct cr_args a;
	int ex = cr_args_parse(&a, "stats", spec, argc, argv);
	if (ex)
		return ex;
	if (cr_args_get(&a, "monthly"))
		return cr_cmd_stats_monthly(&a);
	cr_store *st;
	if ((ex = cr_cli_open_store(&a, CR_STORE_RDONLY, &st)))
		return ex;
	struct cr_store_stats s;
	struct cr_op op;
	cr_op_init(&op, st, CR_AUDIT_ROLE_OPERATOR, NULL, 0);
	int rc = cr_admin_stats(&op, &s);
	cr_store_close(st);
	if (rc) {
		cr_cli_err("stats", "%s", cr_strerror(rc));
		return CR_EXIT_FAIL;
	}
	printf("institutions=%llu\nsubjects=%llu\naccounts=%llu\naccount_months=%llu\n"
	       "consents=%llu\ninquiries=%llu\nevents=%llu\nheld_records=%llu\n"
	       "file_bytes=%llu\nsst_bytes=%llu\nmemtable_bytes=%llu\n"
	       "person_bytes=%llu\nindex_bytes=%llu\nother_bytes=%llu\n",
	       (unsigned long long)s.institutions, (unsigned long long)s.subjects,
	       (unsigned long long)s.accounts, (unsigned long long)s.account_months,
	       (unsigned long long)s.consents, (unsigned long long)s.inquiries,
	       (unsigned long long)s.events, (unsigned long long)s.held_records,
	       (unsigned long long)s.file_bytes, (unsigned long long)s.sst_bytes,
	       (unsigned long long)s.memtable_bytes, (unsigned long long)s.person_bytes,
	       (unsigned long long)s.index_bytes, (unsigned long long)s.other_bytes);
	/* The whole store on disk (tables, write-ahead log, manifest) per
	 * month of history: the footprint figure of DESIGN.md. */
	if (s.account_months)
		printf("bytes_per_account_month=%.2f\n",
		       (double)s.file_bytes / (double)s.account_months);
	return 0;
}
