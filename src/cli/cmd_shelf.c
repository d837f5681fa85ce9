/*
 * cmd_shelf.c - creditref shelf delist|show (docs/shelf.md).
 *
 * delist records a supervisor's order taking a product, or a category of
 * a platform, off the shelf from a date; show prints what a person is
 * offered and holds, for a platform (--as, with the person's consent) or
 * for the person.  Both are acts of src/ops/op_shelf.c, audited there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cr_buf.h"
#include "cr_date.h"
#include "cr_err.h"
#include "cr_id.h"
#include "ops.h"
#include "shelf.h"

struct delist_req {
	struct cr_delist_request q;
	struct cr_delist out;
};

static int act_delist(struct cr_op *op, void *arg)
{
	struct delist_req *r = arg;
	return cr_shelf_order(op, &r->q, &r->out);
}

static int shelf_delist(const struct cr_args *a, int32_t asof)
{
	struct delist_req r;
	memset(&r, 0, sizeof r);
	const char *eff = cr_args_need(a, "effective");
	r.q.platform = cr_args_get(a, "platform");
	r.q.product = cr_args_get(a, "product");
	r.q.category = cr_args_get(a, "category");
	r.q.reason = cr_args_need(a, "reason");
	if (!eff || !r.q.reason)
		return CR_EXIT_USAGE;
	if (cr_date_parse(eff, strlen(eff), &r.q.effective_days)) {
		cr_cli_err("shelf", "--effective '%s' is not a date in YYYY-MM-DD form", eff);
		return CR_EXIT_USAGE;
	}
	cr_store *st;
	int ex = cr_cli_open_store(a, 0, &st);
	if (ex)
		return ex;
	struct cr_op op;
	cr_op_init(&op, st, CR_AUDIT_ROLE_SUPERVISOR, NULL, asof);
	int rc = cr_op_run(&op, act_delist, &r);
	if (rc)
		cr_cli_err("shelf", "refused: %s", op.why ? op.why : cr_strerror(rc));
	else
		printf("order %llu: %s off the shelf of %s from %s\n",
		       (unsigned long long)r.out.seq,
		       r.out.what == CR_DELIST_PRODUCT ? r.out.product
						       : cr_category_name(r.out.category),
		       r.out.platform, eff);
	cr_store_close(st);
	return cr_cli_exit_for(rc);
}

struct show_req {
	struct cr_subject_key k;
	struct cr_shelf *out;
};

static int act_show(struct cr_op *op, void *arg)
{
	struct show_req *r = arg;
	return cr_shelf_show(op, &r->k, r->out);
}

static int print_shelf(const struct cr_shelf *s)
{
	struct cr_buf b;
	cr_buf_init(&b, 16u << 20);
	int rc = cr_shelf_render_json(s, &b);
	if (!rc && (fwrite(b.data, 1, b.len, stdout) != b.len || putchar('\n') == EOF))
		rc = CR_EIO;
	cr_buf_fini(&b);
	return rc;
}

static int shelf_show(const struct cr_args *a, int32_t asof)
{
	const char *v = cr_args_need(a, "id"), *inst = cr_args_get(a, "as"), *why;
	char id[CR_ID_LEN + 1];
	int32_t birth;
	if (!v)
		return CR_EXIT_USAGE;
	if (cr_id_validate(v, strlen(v), asof, id, &birth, &why)) {
		cr_cli_err("shelf", "--id: %s", why);
		return CR_EXIT_USAGE;
	}
	struct show_req r = {.out = malloc(sizeof *r.out)};
	cr_store *st;
	int ex = r.out ? cr_cli_open_store(a, 0, &st) : CR_EXIT_FAIL;
	if (ex) {
		free(r.out);
		return ex;
	}
	struct cr_op op;
	cr_op_init(&op, st, inst ? CR_AUDIT_ROLE_LENDER : CR_AUDIT_ROLE_SUBJECT, inst, asof);
	cr_op_subject(&op, id, &r.k);
	if (!inst) {
		op.has_self = 1;
		op.self = r.k;
	}
	int rc = cr_op_run(&op, act_show, &r);
	if (rc)
		cr_cli_err("shelf", "refused: %s", op.why ? op.why : cr_strerror(rc));
	else
		rc = print_shelf(r.out);
	cr_store_close(st);
	free(r.out);
	return cr_cli_exit_for(rc);
}

int cr_cmd_shelf(int argc, char **argv)
{
	static const struct cr_opt_spec spec[] = {
		{"db", 1}, {"key-file", 1}, {"product", 1}, {"platform", 1}, {"category", 1},
		{"reason", 1}, {"effective", 1}, {"id", 1}, {"as", 1}, {"as-of", 1},
		{NULL, 0}};
	struct cr_args a;
	int32_t asof;
	int ex = cr_args_parse(&a, "shelf", spec, argc, argv);
	if (ex)
		return ex;
	const char *verb = a.n_positional ? a.positional[0] : "";
	if (!cr_args_need(&a, "db") || cr_args_asof(&a, &asof))
		return CR_EXIT_USAGE;
	if (strcmp(verb, "delist") == 0)
		return shelf_delist(&a, asof);
	if (strcmp(verb, "show") == 0)
		return shelf_show(&a, asof);
	cr_cli_err("shelf", "usage: creditref shelf delist|show ... (see: creditref help shelf)");
	return CR_EXIT_USAGE;
}
