/*
 * cmd_supervision.c - creditref supervision: the market aggregates of a
 * month (aggregates.h) as JSON or a table (a region's name in the last
 * column), and the page of charts over several months.  The command acts
 * as the supervisor; each month read is audited (supervision_read) by the
 * act, as over HTTP.
 */
#include <stdio.h>
#include <string.h>

#include "aggregates.h"
#include "cli.h"
#include "cr_date.h"
#include "cr_err.h"
#include "colending.h"
#include "cr_buf.h"
#include "ops.h"
#include "quality.h"
#include "store.h"
#include "sup_render.h"

static double rate(uint64_t n, uint64_t all)
{
	return all ? 100.0 * (double)n / (double)all : 0.0;
}

/* A named grouping's last column, its region's name ("-" when the table
 * has none), after the row's used columns: everything before it is ASCII,
 * so padding by bytes keeps the names in one column. */
static void print_name(int by, const char *key, int used, int width)
{
	const char *name = cr_sup_cell_name(by, key);
	printf("%*s %s", used < width ? width - used : 0, "", name ? name : "-");
}

static void print_text(const struct cr_sup_month *m, int by)
{
	char month[8];
	cr_month_format(m->month, month);
	printf("Supervision aggregates %s by %s (money in minor units; cells under %llu "
	       "borrowers suppressed)\n", month, cr_sup_by_name(by),
	       (unsigned long long)m->min_cell);
	const int named = cr_sup_by_named(by);
	const int width = printf("%-10s %9s %9s %16s %14s %14s %7s %7s %7s %7s %7s", "key",
				 "borrowers", "accounts", "outstanding", "new_lending",
				 "repayments", "1-30%", "31-60%", "61-90%", "91-180%", "180+%");
	printf("%s\n", named ? " name" : "");
	const struct cr_sup_table *t = &m->by[by];
	for (size_t i = 0; i < t->n; i++) {
		const struct cr_sup_cell *c = &t->cells[i];
		int used;
		if (c->suppressed != CR_SUP_SHOWN) {
			used = printf("%-10s suppressed", c->key);
		} else {
			used = printf("%-10s %9llu %9llu %16lld %14lld %14lld", c->key,
				      (unsigned long long)c->borrowers,
				      (unsigned long long)c->accounts, (long long)c->outstanding,
				      (long long)c->new_lending, (long long)c->repayments);
			for (int b = 1; b < CR_DPD_BANDS; b++)
				used += printf(" %7.2f", rate(c->bands[b], c->accounts));
		}
		if (named)
			print_name(by, c->key, used, width);
		printf("\n");
	}
}

static int month_opt(const struct cr_args *a, int32_t asof, int32_t *month)
{
	const char *mv = cr_args_get(a, "month");
	if (!mv) {
		*month = cr_month_of_date(asof);
		return 0;
	}
	if (cr_month_parse(mv, strlen(mv), month) == 0)
		return 0;
	cr_cli_err("supervision", "--month '%s' is not a month in YYYY-MM form", mv);
	return CR_EXIT_USAGE;
}

static int exit_of(const struct cr_op *op, int rc)
{
	cr_cli_err("supervision", "%s", rc == CR_EDENIED || rc == CR_EINVAL ?
		   op->why : cr_strerror(rc));
	return rc == CR_EDENIED ? CR_EXIT_DENIED : CR_EXIT_FAIL;
}

static int aggregates(const struct cr_args *a, cr_store *st, int32_t asof)
{
	int32_t month;
	const char *bv = cr_args_get(a, "by"), *format = cr_args_get(a, "format");
	format = format ? format : "json";
	const int by = bv ? cr_sup_by_parse(bv) : CR_SUP_BY_INSTITUTION;
	if (by < 0 || (strcmp(format, "json") != 0 && strcmp(format, "text") != 0)) {
		cr_cli_err("supervision", "--by must be institution, product, province or "
			   "prefecture, --format json or text");
		return CR_EXIT_USAGE;
	}
	if (month_opt(a, asof, &month))
		return CR_EXIT_USAGE;
	struct cr_op op;
	struct cr_sup_month m;
	const char *only;
	cr_op_init(&op, st, CR_AUDIT_ROLE_SUPERVISOR, NULL, asof);
	int rc = cr_supervision_read(&op, month, by, &m, &only);
	if (rc)
		return exit_of(&op, rc);
	struct cr_buf out;
	cr_buf_init(&out, CR_SUPERVISION_JSON_MAX);
	if (strcmp(format, "text") == 0)
		print_text(&m, by);
	else if ((rc = cr_sup_json(&m, by, only, &out)) == 0)
		fputs(out.data, stdout);
	cr_buf_fini(&out);
	cr_sup_fini(&m);
	return rc ? exit_of(&op, rc) : 0;
}

static int build_months(const struct cr_args *a, cr_store *st, int32_t asof,
			struct cr_sup_month *ms, size_t n)
{
	int32_t last;
	if (month_opt(a, asof, &last))
		return CR_EXIT_USAGE;
	/* Every month in one walk of the store, each audited as a read. */
	struct cr_op op;
	const char *only;
	cr_op_init(&op, st, CR_AUDIT_ROLE_SUPERVISOR, NULL, asof);
	int rc = cr_supervision_read_months(&op, last - (int32_t)(n - 1), n, CR_SUP_BY_INSTITUTION,
					    ms, &only);
	if (rc)
		return exit_of(&op, rc);
	/* The page also shows the last month by province: a read of its own,
	 * audited as such (the walk built every grouping already). */
	cr_op_init(&op, st, CR_AUDIT_ROLE_SUPERVISOR, NULL, asof);
	rc = cr_supervision_scope(&op, CR_SUP_BY_PROVINCE, &only);
	const int arc = cr_supervision_audit(&op, last, CR_SUP_BY_PROVINCE, rc ? op.why : NULL);
	rc = rc ? rc : arc;
	return rc ? exit_of(&op, rc) : 0;
}

struct extra {
	int32_t from_month, to_month;
	struct cr_quality q;
	struct cr_colending c;
};

static int act_extra(struct cr_op *op, void *arg)
{
	struct extra *x = arg;
	int rc = cr_quality_read(op, NULL, cr_month_first_day(x->from_month), op->asof, &x->q);
	return rc ? rc : cr_colending_read(op, NULL, x->from_month, x->to_month,
					   CR_COLENDING_FLOOR_BP, &x->c);
}

/* Data-quality trends and funding shares over the same months, read as the
 * supervisor (audited), as sections of the page. */
static int extra_sections(cr_store *st, int32_t asof, int32_t first, int32_t last,
			  struct cr_buf *out)
{
	static struct extra x;
	struct cr_op op;
	memset(&x, 0, sizeof x);
	x.from_month = first;
	x.to_month = last;
	cr_op_init(&op, st, CR_AUDIT_ROLE_SUPERVISOR, NULL, asof);
	int rc = cr_op_run(&op, act_extra, &x);
	if (!rc)
		rc = cr_buf_puts(out, "<section><h2>Data quality per furnisher</h2>\n");
	if (!rc)
		rc = cr_quality_svg(&x.q, NULL, out);
	if (!rc)
		rc = cr_buf_puts(out, "</section>\n<section><h2>Co-lending: each platform's own "
				 "share of what it arranged, against the floor</h2>\n");
	if (!rc)
		rc = cr_colending_svg(&x.c, out);
	if (!rc)
		rc = cr_buf_puts(out, "</section>\n");
	cr_quality_fini(&x.q);
	cr_colending_fini(&x.c);
	return rc;
}

static int report(const struct cr_args *a, cr_store *st, int32_t asof)
{
	static struct cr_sup_month ms[CR_SUPERVISION_REPORT_MONTHS];
	const char *path = cr_args_need(a, "html");
	uint64_t n;
	if (!path || cr_args_u64(a, "months", 12, &n))
		return CR_EXIT_USAGE;
	if (n < 1 || n > CR_SUPERVISION_REPORT_MONTHS) {
		cr_cli_err("supervision", "--months must be 1 to %d", CR_SUPERVISION_REPORT_MONTHS);
		return CR_EXIT_USAGE;
	}
	struct cr_buf extra;
	cr_buf_init(&extra, 64u << 20);
	int ex = build_months(a, st, asof, ms, (size_t)n);
	if (!ex && extra_sections(st, asof, ms[0].month, ms[n - 1].month, &extra)) {
		cr_cli_err("supervision", "cannot read the data-quality figures and funding shares");
		ex = CR_EXIT_FAIL;
	}
	if (!ex) {
		FILE *f = fopen(path, "w");
		if (!f || cr_sup_html(f, ms, (size_t)n, extra.data, extra.len) != 0)
			ex = CR_EXIT_FAIL;
		if (f && fclose(f) != 0)
			ex = CR_EXIT_FAIL;
		if (ex)
			cr_cli_err("supervision", "cannot write %s", path);
	}
	for (size_t i = 0; i < n; i++)
		cr_sup_fini(&ms[i]);
	cr_buf_fini(&extra);
	return ex;
}

int cr_cmd_supervision(int argc, char **argv)
{
	static const struct cr_opt_spec spec[] = {
		{"db", 1}, {"key-file", 1}, {"month", 1}, {"by", 1}, {"format", 1},
		{"html", 1}, {"months", 1}, {"as-of", 1}, {NULL, 0}};
	struct cr_args a;
	int32_t asof;
	int ex = cr_args_parse(&a, "supervision", spec, argc, argv);
	if (ex || (ex = cr_args_asof(&a, &asof)))
		return ex;
	const char *verb = a.n_positional ? a.positional[0] : "";
	const int agg = strcmp(verb, "aggregates") == 0, rep = strcmp(verb, "report") == 0;
	if (!agg && !rep) {
		cr_cli_err("supervision", "say aggregates or report (see: creditref help supervision)");
		return CR_EXIT_USAGE;
	}
	cr_store *st;
	if ((ex = cr_cli_open_store(&a, 0, &st)))
		return ex;
	ex = agg ? aggregates(&a, st, asof) : report(&a, st, asof);
	cr_store_close(st);
	return ex;
}
