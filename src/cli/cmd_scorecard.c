/*
 * cmd_scorecard.c - creditref scorecard fit|apply (docs/scoring.md).
 *
 * fit reads a training table (a CSV file, or the bureau's own history
 * through cmd_scorecard_db.c), fits a scorecard (fit.h), scores every row
 * with the fitted model, measures both samples (validation.h), and writes
 * the model file, and the report when asked.  Its last line on stdout is
 * the one a script reads:
 *   rows_train=N rows_test=M auc_train=X auc_test=Y ks_test=Z
 *
 * apply reads a model and a CSV file and writes one line of scores per
 * input row, in input order.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cr_err.h"
#include "csv.h"
#include "fit.h"
#include "model.h"
#include "validation.h"

/* Reads a whole file (at most max bytes) into a new buffer. */
static int read_file(const char *path, size_t max, char **out, size_t *len)
{
	const int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? CR_ENOTFOUND : CR_EIO;
	struct stat st;
	int rc = 0;
	*out = NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		rc = CR_EIO;
	else if ((unsigned long long)st.st_size > max)
		rc = CR_ETOOBIG;
	else if (!(*out = malloc((size_t)st.st_size + 1)))
		rc = CR_ENOMEM;
	for (size_t got = 0; rc == 0 && got < (size_t)st.st_size;) {
		const ssize_t n = read(fd, *out + got, (size_t)st.st_size - got);
		if (n <= 0)
			rc = CR_EIO;
		else
			got += (size_t)n;
	}
	close(fd);
	*len = rc ? 0 : (size_t)st.st_size;
	return rc;
}

static int read_csv(const char *path, char **buf, size_t *len)
{
	int rc = read_file(path, CR_CSV_BYTES_MAX, buf, len);
	if (rc)
		cr_cli_err("scorecard", "cannot read %s: %s", path,
			   rc == CR_ETOOBIG ? "larger than 4 GiB" : cr_strerror(rc));
	return rc;
}

/* A number option within [lo, hi]; def when absent.  0 or CR_EXIT_USAGE. */
static int opt_number(const struct cr_args *a, const char *name, double def, double lo, double hi,
		      double *out)
{
	const char *v = cr_args_get(a, name);
	*out = def;
	if (!v)
		return 0;
	char *end;
	errno = 0;
	const double x = strtod(v, &end);
	if (errno || end == v || *end || !(x >= lo && x <= hi)) {
		cr_cli_err("scorecard", "--%s '%s' must be a number from %g to %g", name, v, lo, hi);
		return CR_EXIT_USAGE;
	}
	*out = x;
	return 0;
}

/* The text after the last '/'. */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* The default model id: the output file's name without its extension,
 * other characters than [A-Za-z0-9._-] made '-'. */
static void default_id(const char *out, char *id, size_t cap)
{
	snprintf(id, cap, "%s", base_name(out));
	char *dot = strrchr(id, '.');
	if (dot && dot != id)
		*dot = '\0';
	for (char *c = id; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-'))
			*c = '-';
	if (!id[0])
		snprintf(id, cap, "scorecard");
}

static const struct cr_opt_spec fit_spec[] = {
	{"csv", 1}, {"target", 1}, {"split-column", 1}, {"drop", 1}, {"out", 1}, {"report", 1},
	{"pdo", 1}, {"anchor-score", 1}, {"anchor-odds", 1}, {"model-id", 1}, {"l2", 1},
	{"iv-min", 1}, {"db", 1}, {"key-file", 1}, {"observe", 1}, {"horizon", 1}, {NULL, 0},
};

static int fit_opts(const struct cr_args *a, struct cr_fit_opts *o, char *id, size_t cap)
{
	cr_fit_opts_init(o);
	if (opt_number(a, "pdo", o->pdo, 1, 1000, &o->pdo) ||
	    opt_number(a, "anchor-score", o->anchor_score, 0, 100000, &o->anchor_score) ||
	    opt_number(a, "anchor-odds", o->anchor_odds, 1e-6, 1e9, &o->anchor_odds) ||
	    opt_number(a, "l2", o->l2, 0, 1e6, &o->l2) ||
	    opt_number(a, "iv-min", o->iv_min, 0, 10, &o->iv_min))
		return CR_EXIT_USAGE;
	const char *v = cr_args_get(a, "model-id");
	if (!v) {
		default_id(cr_args_get(a, "out"), id, cap);
	} else {
		size_t n = strlen(v);
		for (size_t i = 0; i < n; i++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", v[i]))
				n = 0;
		if (n == 0 || n >= cap) {
			cr_cli_err("scorecard", "--model-id has 1 to 63 of [A-Za-z0-9._-]");
			return CR_EXIT_USAGE;
		}
		memcpy(id, v, n + 1);
	}
	o->model_id = id;
	return 0;
}

/* --drop A,B,C as a NULL-terminated list pointing into copy. */
static int drop_list(const char *v, char *copy, size_t cap, const char **list, size_t max)
{
	size_t n = 0;
	if (!v)
		return 0;
	if (snprintf(copy, cap, "%s", v) >= (int)cap)
		return -1;
	for (char *p = copy; p && *p; n++) {
		if (n + 1 >= max)
			return -1;
		list[n] = p;
		p = strchr(p, ',');
		if (p)
			*p++ = '\0';
	}
	list[n] = NULL;
	return 0;
}

static int load_csv_table(const struct cr_args *a, struct cr_dataset *d, char *source, size_t cap)
{
	const char *path = cr_args_need(a, "csv"), *target = cr_args_need(a, "target");
	char drop_copy[4096];
	const char *drop[CR_DATASET_COLS_MAX + 1];
	if (!path || !target)
		return CR_EXIT_USAGE;
	if (drop_list(cr_args_get(a, "drop"), drop_copy, sizeof drop_copy, drop, CR_DATASET_COLS_MAX + 1)) {
		cr_cli_err("scorecard", "--drop names too many columns");
		return CR_EXIT_USAGE;
	}
	struct cr_csv_opts o;
	cr_csv_opts_init(&o);
	o.target = target;
	o.split = cr_args_get(a, "split-column");
	o.drop = cr_args_get(a, "drop") ? drop : NULL;
	char *buf;
	size_t len;
	if (read_csv(path, &buf, &len))
		return CR_EXIT_FAIL;
	struct cr_diag diag = {0};
	int rc = cr_csv_dataset(buf, len, &o, d, &diag);
	free(buf);
	if (rc) {
		cr_cli_err("scorecard", "%s line %zu, %s: %s", path, diag.line, diag.field,
			   diag.reason ? diag.reason : cr_strerror(rc));
		return CR_EXIT_FAIL;
	}
	snprintf(source, cap, "%s (target %s, %s)", base_name(path), target,
		 o.split ? "held out where the split column says test" : "30% held out by row hash");
	return 0;
}

static void print_columns(const struct cr_fit_info *info, const struct cr_dataset *d,
			  const struct cr_model *m)
{
	static const char *const status[] = {"kept", "low IV", "flat", "over limit", "no gain"};
	printf("%-32s %8s %5s %-11s %s\n", "column", "iv", "bins", "bad rate", "outcome");
	for (size_t c = 0; c < d->cols; c++) {
		const struct cr_fit_column *col = &info->col[c];
		printf("%-32s %8.4f %5u %-11s %s\n", d->name[c], col->iv, col->n_bins,
		       d->categorical[c] ? "categorical" : col->trend > 0 ? "rises" :
		       col->trend < 0 ? "falls" : "neither",
		       col->status < 5 ? status[col->status] : "?");
	}
	printf("features=%zu l2=%g monotone_merges=%u newton_iterations=%u converged=%s\n",
	       m->n_features, info->l2, info->merges, info->iterations, info->converged ? "yes" : "no");
}

static void set_meta(struct cr_model *m, const struct cr_validation *v)
{
	char s[64];
	snprintf(s, sizeof s, "%zu", v->test.rows);
	cr_model_set_meta(m, "rows_test", s);
	snprintf(s, sizeof s, "%.4f", v->train.auc);
	cr_model_set_meta(m, "auc_train", s);
	snprintf(s, sizeof s, "%.4f", v->test.auc);
	cr_model_set_meta(m, "auc_test", s);
	snprintf(s, sizeof s, "%.4f", v->test.ks);
	cr_model_set_meta(m, "ks_test", s);
}

/* Scores the table, measures, writes the model and the report. */
static int fit_outputs(const struct cr_args *a, struct cr_model *m, const struct cr_fit_info *info,
		       const struct cr_dataset *d, const char *source)
{
	int *score = malloc((d->rows ? d->rows : 1) * sizeof *score);
	double *pd = malloc((d->rows ? d->rows : 1) * sizeof *pd);
	struct cr_diag diag = {0};
	struct cr_validation v;
	const char *out = cr_args_get(a, "out"), *dir = cr_args_get(a, "report"), *why = NULL;
	int rc = score && pd ? cr_model_score_table(m, d, score, pd, &diag) : CR_ENOMEM;
	const struct cr_scored s = {d->rows, score, pd, d->y, d->test};
	if (rc == 0)
		rc = cr_validation_compute(&s, &v);
	if (rc == 0) {
		set_meta(m, &v);
		if ((rc = cr_model_save(m, out)) != 0)
			why = "cannot write the model file";
	}
	if (rc == 0) {
		print_columns(info, d, m);
		printf("model %s written to %s\n", m->id, out);
	}
	if (rc == 0 && dir && (rc = cr_validation_write(dir, m, info, d, &s, &v, source, &why)) == 0)
		printf("report written to %s/report.html\n", dir);
	if (rc == 0)
		printf("rows_train=%zu rows_test=%zu auc_train=%.4f auc_test=%.4f ks_test=%.4f\n",
		       v.train.rows, v.test.rows, v.train.auc, v.test.auc, v.test.ks);
	else
		cr_cli_err("scorecard", "%s", why ? why : diag.reason ? diag.reason : cr_strerror(rc));
	free(score);
	free(pd);
	return rc ? CR_EXIT_FAIL : 0;
}

static int cmd_fit(int argc, char **argv)
{
	struct cr_args a;
	struct cr_fit_opts o;
	char id[CR_MODEL_ID_MAX + 1], source[512];
	const char **reasons = NULL;
	int ex = cr_args_parse(&a, "scorecard", fit_spec, argc, argv);
	if (ex)
		return ex;
	if (!cr_args_need(&a, "out") || fit_opts(&a, &o, id, sizeof id))
		return CR_EXIT_USAGE;
	struct cr_dataset d;
	memset(&d, 0, sizeof d);
	if (cr_args_get(&a, "db") && cr_args_get(&a, "csv")) {
		cr_cli_err("scorecard", "fit takes --csv or --db, not both");
		return CR_EXIT_USAGE;
	}
	ex = cr_args_get(&a, "db") ? cr_scorecard_db_table(&a, &d, &reasons, source, sizeof source)
				   : load_csv_table(&a, &d, source, sizeof source);
	o.reasons = reasons;
	o.description = source;
	struct cr_model *m = ex ? NULL : cr_model_new();
	struct cr_fit_info *info = ex ? NULL : malloc(sizeof *info);
	if (!ex && (!m || !info))
		ex = CR_EXIT_FAIL;
	if (!ex) {
		const int rc = cr_fit(&d, &o, m, info);
		if (rc)
			cr_cli_err("scorecard", "cannot fit: %s", rc == CR_EINVAL ? info->why : cr_strerror(rc));
		ex = rc ? CR_EXIT_FAIL : fit_outputs(&a, m, info, &d, source);
	}
	free(reasons);
	free(info);
	cr_model_free(m);
	cr_dataset_fini(&d);
	return ex;
}

static const struct cr_opt_spec apply_spec[] = {
	{"model", 1}, {"csv", 1}, {"out", 1}, {NULL, 0},
};

/* A cell as the model reads it: NAN missing, a number, or a level's code. */
static int cell_value(const struct cr_model *m, size_t j, const struct cr_csv_field *f, double *v)
{
	if (cr_csv_missing(f)) {
		*v = NAN;
		return 0;
	}
	if (!m->feature[j].categorical)
		return cr_csv_field_number(f, v);
	char t[CR_MODEL_LEVEL_MAX + 1];
	const long n = cr_csv_text(f, t, sizeof t);
	*v = n < 0 ? -1 : cr_model_level(m, j, t, (size_t)n);
	return 0;
}

/* A feature's name as a CSV field: quoted when it holds a comma or quote. */
static void put_name(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void put_score(FILE *out, const struct cr_model *m, size_t row, const struct cr_score *s)
{
	fprintf(out, "%zu,%d,%.6f", row, s->score, s->pd);
	for (size_t k = 0; k < CR_SCORE_REASONS; k++) {
		fputc(',', out);
		if (k < s->n_reasons)
			put_name(out, m->feature[s->reason[k].feature].name);
	}
	fputc('\n', out);
}

struct apply_job {
	const struct cr_model *m;
	struct cr_model_bind bind;
	struct cr_csv r;
	size_t n_cols, rows;
	struct cr_csv_field f[CR_DATASET_COLS_MAX + 1];
	double x[CR_DATASET_COLS_MAX];
	const char *path;
};

/* The header, and the model's features found in it. */
static int apply_header(struct apply_job *j)
{
	char names[CR_DATASET_COLS_MAX][CR_MODEL_NAME_MAX + 1];
	const char *ptr[CR_DATASET_COLS_MAX];
	struct cr_diag diag = {0};
	int rc = cr_csv_next(&j->r, j->f, CR_DATASET_COLS_MAX, &j->n_cols, &diag);
	if (rc <= 0) {
		cr_cli_err("scorecard", "%s line %zu: %s", j->path, diag.line,
			   rc == 0 ? "the file is empty: no header" : diag.reason);
		return CR_EXIT_FAIL;
	}
	for (size_t c = 0; c < j->n_cols; c++) {
		if (cr_csv_text(&j->f[c], names[c], sizeof names[c]) < 0)
			names[c][0] = '\0';
		ptr[c] = names[c];
	}
	if (cr_model_bind(j->m, ptr, j->n_cols, &j->bind, &diag)) {
		cr_cli_err("scorecard", "%s has no column for the model's feature '%s'", j->path,
			   diag.field);
		return CR_EXIT_FAIL;
	}
	return 0;
}

static int apply_rows(struct apply_job *j, FILE *out)
{
	struct cr_diag diag = {0};
	size_t n;
	int rc;
	fprintf(out, "row,score,pd,reason1,reason2,reason3,reason4\n");
	while ((rc = cr_csv_next(&j->r, j->f, CR_DATASET_COLS_MAX + 1, &n, &diag)) == 1) {
		if (n != j->n_cols) {
			cr_cli_err("scorecard", "%s line %zu: the row has a different number of fields "
				   "than the header", j->path, j->r.line);
			return CR_EXIT_FAIL;
		}
		for (size_t k = 0; k < j->m->n_features; k++) {
			const size_t c = j->bind.col[k];
			if (cell_value(j->m, k, &j->f[c], &j->x[c])) {
				cr_cli_err("scorecard", "%s line %zu, column %zu (%s): not a number, and the "
					   "model's feature is numeric", j->path, j->r.line, c + 1,
					   j->m->feature[k].name);
				return CR_EXIT_FAIL;
			}
		}
		struct cr_score s;
		cr_model_score(j->m, &j->bind, j->x, &s);
		put_score(out, j->m, ++j->rows, &s);
	}
	if (rc < 0) {
		cr_cli_err("scorecard", "%s line %zu, %s: %s", j->path, diag.line, diag.field, diag.reason);
		return CR_EXIT_FAIL;
	}
	return 0;
}

/* Writes the scores through a temporary file renamed over out. */
static int apply_write(struct apply_job *j, const char *out)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", out) >= (int)sizeof tmp)
		return CR_EXIT_USAGE;
	FILE *f = fopen(tmp, "w");
	if (!f) {
		cr_cli_err("scorecard", "cannot write %s: %s", tmp, strerror(errno));
		return CR_EXIT_FAIL;
	}
	int ex = apply_rows(j, f);
	const int failed = ferror(f);
	if (fclose(f) || failed) {
		cr_cli_err("scorecard", "cannot write %s", tmp);
		ex = CR_EXIT_FAIL;
	}
	if (ex == 0 && rename(tmp, out)) {
		cr_cli_err("scorecard", "cannot rename %s to %s: %s", tmp, out, strerror(errno));
		ex = CR_EXIT_FAIL;
	}
	if (ex)
		unlink(tmp);
	return ex;
}

static int cmd_apply(int argc, char **argv)
{
	struct cr_args a;
	int ex = cr_args_parse(&a, "scorecard", apply_spec, argc, argv);
	if (ex)
		return ex;
	const char *model = cr_args_need(&a, "model"), *csv = cr_args_need(&a, "csv");
	const char *out = cr_args_need(&a, "out");
	if (!model || !csv || !out)
		return CR_EXIT_USAGE;
	struct cr_model *m = cr_model_new();
	struct apply_job *j = calloc(1, sizeof *j);
	char *buf = NULL;
	size_t len = 0;
	struct cr_diag diag = {0};
	if (!m || !j) {
		ex = CR_EXIT_FAIL;
	} else if (cr_model_load(model, m, &diag)) {
		cr_cli_err("scorecard", "%s line %zu, %s: %s", model, diag.line, diag.field, diag.reason);
		ex = CR_EXIT_FAIL;
	} else if (read_csv(csv, &buf, &len)) {
		ex = CR_EXIT_FAIL;
	} else {
		j->m = m;
		j->path = csv;
		cr_csv_init(&j->r, buf, len);
		ex = apply_header(j);
		ex = ex ? ex : apply_write(j, out);
		if (ex == 0)
			printf("rows=%zu model=%s out=%s\n", j->rows, m->id, out);
	}
	free(buf);
	free(j);
	cr_model_free(m);
	return ex;
}

int cr_cmd_scorecard(int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "fit") == 0)
		return cmd_fit(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "apply") == 0)
		return cmd_apply(argc - 1, argv + 1);
	cr_cli_err("scorecard", "expected fit or apply (see: creditref help scorecard)");
	return CR_EXIT_USAGE;
}
