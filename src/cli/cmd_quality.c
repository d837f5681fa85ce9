/*
 * cmd_quality.c - creditref quality and creditref colending: the
 * supervision figures of docs/quality.md as one JSON object on stdout,
 * read by the operator (acts cr_quality_read and cr_colending_read,
 * audited quality_read and colending_read).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "colending.h"
#include "cr_buf.h"
#include "cr_date.h"
#include "cr_err.h"
#include "ops.h"
#include "quality.h"

/* Days of ingest counts read when --from is absent. */
#define QUALITY_DEFAULT_DAYS 90
/* Months of funding shares read when neither --month nor --from is given. */
#define COLENDING_DEFAULT_MONTHS 12

struct quality_req {
	const char *inst;
	int32_t from, to;
	struct cr_quality q;
};

static int act_quality(struct cr_op *op, void *arg)
{
	struct quality_req *r = arg;
	return cr_quality_read(op, r->inst, r->from, r->to, &r->q);
}

struct colending_req {
	const char *inst;
	int32_t from, to;
	uint32_t floor_bp;
	struct cr_colending c;
};

static int act_colending(struct cr_op *op, void *arg)
{
	struct colending_req *r = arg;
	return cr_colending_read(op, r->inst, r->from, r->to, r->floor_bp, &r->c);
}

/* The value of date option name into *days; def when absent. */
static int date_opt(const struct cr_args *a, const char *cmd, const char *name,
		    int32_t def, int32_t *days)
{
	const char *v = cr_args_get(a, name);
	*days = def;
	if (v && cr_date_parse(v, strlen(v), days)) {
		cr_cli_err(cmd, "--%s '%s' is not a date in YYYY-MM-DD form", name, v);
		return CR_EXIT_USAGE;
	}
	return 0;
}

static int month_opt(const struct cr_args *a, const char *cmd, const char *name,
		     int32_t def, int32_t *month)
{
	const char *v = cr_args_get(a, name);
	*month = def;
	if (v && cr_month_parse(v, strlen(v), month)) {
		cr_cli_err(cmd, "--%s '%s' is not a month in YYYY-MM form", name, v);
		return CR_EXIT_USAGE;
	}
	return 0;
}

static int quality_json(void *arg, struct cr_buf *b)
{
	struct quality_req *r = arg;
	return b ? cr_quality_json(&r->q, b) : (cr_quality_fini(&r->q), 0);
}

static int colending_json(void *arg, struct cr_buf *b)
{
	struct colending_req *r = arg;
	return b ? cr_colending_json(&r->c, b) : (cr_colending_fini(&r->c), 0);
}

/* Runs the read act on the store as the operator, then prints the JSON
 * json(req, b) renders of it, or the error; json(req, NULL) frees what
 * the act built. */
static int read_and_print(const struct cr_args *a, const char *cmd, int32_t asof,
			  int (*act)(struct cr_op *op, void *arg),
			  int (*json)(void *arg, struct cr_buf *b), void *req)
{
	cr_store *st;
	struct cr_op op;
	struct cr_buf b;
	int ex = cr_cli_open_store(a, 0, &st);
	if (ex)
		return ex;
	cr_op_init(&op, st, CR_AUDIT_ROLE_OPERATOR, NULL, asof);
	int rc = cr_op_run(&op, act, req);
	cr_store_close(st);
	cr_buf_init(&b, 64u << 20);
	if (!rc)
		rc = json(req, &b);
	json(req, NULL);
	if (rc) {
		cr_cli_err(cmd, "%s", op.why ? op.why : cr_strerror(rc));
	} else {
		fwrite(b.data, 1, b.len, stdout);
		putchar('\n');
	}
	cr_buf_fini(&b);
	return rc ? cr_cli_exit_for(rc) : 0;
}

int cr_cmd_quality(int argc, char **argv)
{
	static const struct cr_opt_spec spec[] = {{"db", 1}, {"key-file", 1}, {"as-of", 1},
						  {"institution", 1}, {"from", 1}, {"to", 1},
						  {NULL, 0}};
	struct cr_args a;
	int32_t asof;
	int ex = cr_args_parse(&a, "quality", spec, argc, argv);
	if (ex)
		return ex;
	if (cr_args_asof(&a, &asof))
		return CR_EXIT_USAGE;
	struct quality_req r = {cr_args_get(&a, "institution"), 0, 0, {0}};
	if ((ex = date_opt(&a, "quality", "to", asof, &r.to)) ||
	    (ex = date_opt(&a, "quality", "from", r.to - QUALITY_DEFAULT_DAYS + 1, &r.from)))
		return ex;
	return read_and_print(&a, "quality", asof, act_quality, quality_json, &r);
}

/* --floor PCT: a percentage with at most two decimals, into basis points. */
static int floor_opt(const struct cr_args *a, uint32_t *bp)
{
	const char *v = cr_args_get(a, "floor");
	*bp = CR_COLENDING_FLOOR_BP;
	if (!v)
		return 0;
	unsigned whole = 0, frac = 0, nd = 0;
	const char *p = v;
	for (; *p >= '0' && *p <= '9' && whole <= 100; p++)
		whole = whole * 10 + (unsigned)(*p - '0');
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9' && nd < 2; p++, nd++)
			frac = frac * 10 + (unsigned)(*p - '0');
	frac *= nd == 1 ? 10 : 1;
	if (*p || p == v || whole * 100 + frac > 10000) {
		cr_cli_err("colending", "--floor '%s' is not a percentage 0..100", v);
		return CR_EXIT_USAGE;
	}
	*bp = whole * 100 + frac;
	return 0;
}

int cr_cmd_colending(int argc, char **argv)
{
	static const struct cr_opt_spec spec[] = {{"db", 1}, {"key-file", 1}, {"as-of", 1},
						  {"institution", 1}, {"month", 1}, {"from", 1},
						  {"to", 1}, {"floor", 1}, {NULL, 0}};
	struct cr_args a;
	int32_t asof, month;
	int ex = cr_args_parse(&a, "colending", spec, argc, argv);
	if (ex)
		return ex;
	if (cr_args_asof(&a, &asof))
		return CR_EXIT_USAGE;
	struct colending_req r = {cr_args_get(&a, "institution"), 0, 0, 0, {0}};
	const int32_t now = cr_month_of_date(asof);
	if ((ex = month_opt(&a, "colending", "month", 0, &month)) ||
	    (ex = month_opt(&a, "colending", "to", cr_args_get(&a, "month") ? month : now, &r.to)) ||
	    (ex = month_opt(&a, "colending", "from", cr_args_get(&a, "month") ? month :
			    r.to - COLENDING_DEFAULT_MONTHS + 1, &r.from)) ||
	    (ex = floor_opt(&a, &r.floor_bp)))
		return ex;
	return read_and_print(&a, "colending", asof, act_colending, colending_json, &r);
}
