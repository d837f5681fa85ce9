/*
 * cmd_gen.c - creditref gen: the synthetic data set (docs/generator.md).
 *
 * "--out -" writes the data to standard output, so that
 * "creditref gen ... --out - | creditref ingest --db DIR -" needs no
 * intermediate file; the summary line then goes to stderr, and no progress
 * is shown, since the reader at the other end shows its own.
 *
 * "--risk-out FILE" writes each subject's latent risk (gen.h) beside the
 * data: IDs, so the file is created with mode 0600 like a rejects file, and
 * no message names an ID.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cr_err.h"
#include "gen.h"

static void gen_progress(uint64_t lines, void *arg)
{
	(void)arg;
	fprintf(stderr, "\rgen: %llu lines", (unsigned long long)lines);
}

/* A new file readable by its owner only, truncated if it exists. */
static FILE *open_private(const char *path)
{
	const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	/* An older file keeps its mode through O_CREAT: narrow it. */
	FILE *f = fd >= 0 && fchmod(fd, 0600) == 0 ? fdopen(fd, "w") : NULL;
	if (fd >= 0 && !f)
		close(fd);
	return f;
}

/* Fills o from the options.  Returns 0 or CR_EXIT_USAGE. */
static int gen_opts(const struct cr_args *a, struct cr_gen_opts *o)
{
	uint64_t subjects, inst, months, seed;
	cr_gen_opts_init(o);
	if (cr_args_u64(a, "subjects", 1000, &subjects) ||
	    cr_args_u64(a, "institutions", o->institutions, &inst) ||
	    cr_args_u64(a, "months", o->months, &months) ||
	    cr_args_u64(a, "seed", o->seed, &seed) ||
	    cr_args_rate(a, "consent-rate", o->consent_rate, &o->consent_rate) ||
	    cr_args_rate(a, "bad-rate", o->bad_rate, &o->bad_rate) ||
	    cr_args_asof(a, &o->asof_days))
		return CR_EXIT_USAGE;
	if (months < 1 || months > 360 || inst < 4 || inst > 200) {
		cr_cli_err("gen", "--months must be 1..360 and --institutions 4..200");
		return CR_EXIT_USAGE;
	}
	o->subjects = subjects;
	o->institutions = (uint32_t)inst;
	o->months = (uint32_t)months;
	o->seed = seed;
	return 0;
}

/* Prints the counts line: on stderr when the data went to stdout. */
static void gen_summary(FILE *to, const struct cr_gen_stats *s)
{
	fprintf(to, "lines=%llu institutions=%llu subjects=%llu accounts=%llu"
		" statements=%llu consents=%llu bad=%llu\n",
		(unsigned long long)s->lines, (unsigned long long)s->institutions,
		(unsigned long long)s->subjects, (unsigned long long)s->accounts,
		(unsigned long long)s->statements, (unsigned long long)s->consents,
		(unsigned long long)s->bad);
}

int cr_cmd_gen(int argc, char **argv)
{
	static const struct cr_opt_spec spec[] = {
		{"subjects", 1}, {"institutions", 1}, {"months", 1}, {"seed", 1},
		{"consent-rate", 1}, {"bad-rate", 1}, {"as-of", 1}, {"out", 1},
		{"bad-manifest", 1}, {"risk-out", 1}, {NULL, 0}};
	struct cr_args a;
	struct cr_gen_opts o;
	int ex = cr_args_parse(&a, "gen", spec, argc, argv);
	if (ex)
		return ex;
	const char *out = cr_args_need(&a, "out");
	if (!out || gen_opts(&a, &o))
		return CR_EXIT_USAGE;
	const int to_stdout = strcmp(out, "-") == 0;
	const char *mpath = cr_args_get(&a, "bad-manifest");
	if (mpath && strcmp(mpath, "-") == 0) {
		cr_cli_err("gen", "--bad-manifest needs a file name; standard output is for --out -");
		return CR_EXIT_USAGE;
	}
	const char *rpath = cr_args_get(&a, "risk-out");
	if (rpath && strcmp(rpath, "-") == 0) {
		cr_cli_err("gen", "--risk-out needs a file name");
		return CR_EXIT_USAGE;
	}
	FILE *f = to_stdout ? stdout : fopen(out, "w");
	FILE *m = mpath ? fopen(mpath, "w") : NULL;
	o.risk_out = rpath ? open_private(rpath) : NULL;
	if (!f || (mpath && !m) || (rpath && !o.risk_out)) {
		cr_cli_err("gen", "cannot create %s", !f ? out : (mpath && !m) ? mpath : rpath);
		if (f && !to_stdout)
			fclose(f);
		if (m)
			fclose(m);
		if (o.risk_out)
			fclose(o.risk_out);
		return CR_EXIT_FAIL;
	}
	struct cr_gen_stats s;
	const int tty = isatty(2) && !to_stdout;
	int rc = cr_gen_run(&o, f, m, &s, tty ? gen_progress : NULL, NULL);
	if (tty)
		fputc('\n', stderr);
	if ((to_stdout ? fflush(f) != 0 || ferror(f) : fclose(f) != 0) && !rc)
		rc = CR_EIO;
	if (m && fclose(m) != 0 && !rc)
		rc = CR_EIO;
	if (o.risk_out && fclose(o.risk_out) != 0 && !rc)
		rc = CR_EIO;
	if (rc) {
		cr_cli_err("gen", "writing %s failed: %s",
			   to_stdout ? "standard output" : out, cr_strerror(rc));
		return CR_EXIT_FAIL;
	}
	gen_summary(to_stdout ? stderr : stdout, &s);
	return 0;
}
