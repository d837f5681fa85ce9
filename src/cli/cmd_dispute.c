/* cmd_dispute.c - creditref dispute file|resolve|list. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cr_date.h"
#include "cr_err.h"
#include "cr_id.h"
#include "dispute.h"
#include "jsonl.h"
#include "ops.h"
#include "validate.h"

static int read_subject(const struct cr_args *a, cr_store *st, int32_t asof,
			struct cr_subject_key *k)
{
	const char *v = cr_args_need(a, "id"), *reason;
	char id[CR_ID_LEN + 1], masked[CR_ID_LEN + 1];
	int32_t birth;
	if (!v)
		return CR_EXIT_USAGE;
	if (cr_id_validate(v, strlen(v), asof, id, &birth, &reason)) {
		cr_id_mask(v, masked);
		cr_cli_err(a->cmd, "--id %s: %s", masked, reason);
		return CR_EXIT_USAGE;
	}
	struct cr_op op;
	cr_op_init(&op, st, CR_AUDIT_ROLE_OPERATOR, NULL, asof);
	cr_op_subject(&op, id, k);
	return 0;
}

struct file_req {
	struct cr_dispute_request q;
	uint64_t id;
};

static int act_file(struct cr_op *op, void *arg)
{
	struct file_req *f = arg;
	return cr_dispute_open(op, &f->q, &f->id);
}

struct answer_req {
	uint64_t id;
	const struct cr_statement *corrected;
};

static int act_answer(struct cr_op *op, void *arg)
{
	const struct answer_req *x = arg;
	return cr_dispute_answer(op, x->id, x->corrected);
}

static int dispute_file(const struct cr_args *a, cr_store *st, int32_t asof)
{
	struct cr_subject_key k;
	const char *inst = cr_args_need(a, "institution"), *acct = cr_args_need(a, "account");
	const char *reason = cr_args_need(a, "reason"), *month_s = cr_args_get(a, "month");
	int ex = read_subject(a, st, asof, &k);
	if (ex || !inst || !acct || !reason)
		return ex ? ex : CR_EXIT_USAGE;
	int32_t month = CR_WHOLE_ACCOUNT;
	if (month_s && cr_month_parse(month_s, strlen(month_s), &month)) {
		cr_cli_err("dispute", "--month must be YYYY-MM");
		return CR_EXIT_USAGE;
	}
	/* The operator files it for the person. */
	struct file_req f = {{inst, acct, reason, month}, 0};
	struct cr_op op;
	cr_op_init(&op, st, CR_AUDIT_ROLE_SUBJECT, NULL, asof);
	op.has_self = 1;
	op.self = k;
	int rc = cr_op_run(&op, act_file, &f);
	if (rc) {
		cr_cli_err("dispute", "cannot file: %s", op.why ? op.why : cr_strerror(rc));
		return rc == CR_EINVAL ? CR_EXIT_USAGE : cr_cli_exit_for(rc);
	}
	const unsigned long long id = (unsigned long long)f.id;
	printf("dispute %llu filed; %s must answer within %d days\n", id, inst,
	       CR_DISPUTE_DEADLINE_DAYS);
	return 0;
}

/* Parses --statement as a furnishing line, with the same rules as ingest. */
static int read_statement(const char *line, int32_t asof, struct cr_record *rec)
{
	struct cr_diag d = {0, "", NULL};
	int rc = cr_jsonl_parse(line, strlen(line), asof, rec, &d);
	if (!rc)
		rc = cr_validate_record(rec, asof, &d);
	if (!rc && rec->type != CR_REC_STATEMENT)
		rc = cr_diag_set(&d, "type", "the correction must be a statement record");
	if (rc)
		cr_cli_err("dispute", "--statement: field '%s': %s", d.field, d.reason);
	return rc ? CR_EXIT_USAGE : 0;
}

static int dispute_resolve(const struct cr_args *a, cr_store *st, int32_t asof)
{
	const char *inst = cr_args_need(a, "as"), *line = cr_args_get(a, "statement");
	const int verified = cr_args_get(a, "verified") != NULL;
	const int corrected = cr_args_get(a, "corrected") != NULL;
	char *end;
	errno = 0;
	unsigned long long id = a->n_positional > 1 ? strtoull(a->positional[1], &end, 10) : 0;
	if (!inst || id == 0 || errno || *end || verified == corrected ||
	    (corrected && !line)) {
		cr_cli_err("dispute", "usage: dispute resolve ID --as CODE (--verified | --corrected --statement LINE)");
		return CR_EXIT_USAGE;
	}
	struct cr_record rec;
	int ex = corrected ? read_statement(line, asof, &rec) : 0;
	if (ex)
		return ex;
	/* The operator answers for the furnisher. */
	const struct answer_req x = {id, corrected ? &rec.u.stmt : NULL};
	struct cr_op op;
	cr_op_init(&op, st, CR_AUDIT_ROLE_FURNISHER, inst, asof);
	int rc = cr_op_run(&op, act_answer, (void *)&x);
	if (rc) {
		cr_cli_err("dispute", "cannot resolve %llu: %s", id, op.why ? op.why : cr_strerror(rc));
		return cr_cli_exit_for(rc);
	}
	printf("dispute %llu %s\n", id, corrected ? "corrected (previous value kept as a revision)"
						  : "verified");
	return 0;
}

struct list_ctx {
	const char *inst; /* NULL: the person's list */
	int count;
};

static int print_dispute(const struct cr_dispute *d, void *arg)
{
	struct list_ctx *ctx = arg;
	if (ctx->inst && strcmp(ctx->inst, d->inst) != 0)
		return 0;
	char filed[11], month[8] = "account", resolved[11] = "-";
	cr_date_format(d->filed_days, filed);
	if (d->month != CR_WHOLE_ACCOUNT)
		cr_month_format(d->month, month);
	if (d->resolved_days != CR_NO_DATE)
		cr_date_format(d->resolved_days, resolved);
	printf("%-6llu filed %s  %-6s %-20s %-7s %-9s resolved %s  reason: %s\n",
	       (unsigned long long)d->id, filed, d->inst, d->account, month,
	       cr_dispute_status_name(d->status), resolved, d->reason);
	ctx->count++;
	return 0;
}

struct show {
	const struct cr_subject_key *who;
	struct list_ctx *ctx;
};

static int read_disputes(struct cr_op *op, void *arg)
{
	const struct show *sh = arg;
	return cr_dispute_show(op, sh->who, sh->ctx->inst, 0, print_dispute, sh->ctx);
}

static int dispute_list(const struct cr_args *a, cr_store *st, int32_t asof)
{
	struct list_ctx ctx = {cr_args_get(a, "institution"), 0};
	struct cr_subject_key k;
	const int by_person = cr_args_get(a, "id") != NULL;
	if (by_person == (ctx.inst != NULL)) {
		cr_cli_err("dispute", "list takes --id ID (the person's disputes) or --institution CODE (the furnisher's)");
		return CR_EXIT_USAGE;
	}
	int ex = by_person ? read_subject(a, st, asof, &k) : 0;
	if (ex)
		return ex;
	struct cr_op op;
	struct show sh = {by_person ? &k : NULL, &ctx};
	cr_op_init(&op, st, CR_AUDIT_ROLE_OPERATOR, NULL, asof);
	int rc = cr_op_read(&op, read_disputes, &sh);
	if (rc)
		cr_cli_err("dispute", "%s", cr_strerror(rc));
	else if (!ctx.count)
		printf("no disputes\n");
	return cr_cli_exit_for(rc);
}

int cr_cmd_dispute(int argc, char **argv)
{
	static const struct cr_opt_spec spec[] = {
		{"db", 1}, {"key-file", 1}, {"id", 1}, {"institution", 1}, {"account", 1},
		{"month", 1}, {"reason", 1}, {"as", 1}, {"verified", 0}, {"corrected", 0},
		{"statement", 1}, {"as-of", 1}, {NULL, 0}};
	struct cr_args a;
	int ex = cr_args_parse(&a, "dispute", spec, argc, argv);
	if (ex)
		return ex;
	const char *verb = a.n_positional ? a.positional[0] : "";
	int (*fn)(const struct cr_args *, cr_store *, int32_t) =
		strcmp(verb, "file") == 0 ? dispute_file
		: strcmp(verb, "resolve") == 0 ? dispute_resolve
		: strcmp(verb, "list") == 0 ? dispute_list : NULL;
	int32_t asof;
	if (!fn) {
		cr_cli_err("dispute", "say file, resolve or list (see: creditref help dispute)");
		return CR_EXIT_USAGE;
	}
	if (cr_args_asof(&a, &asof))
		return CR_EXIT_USAGE;
	cr_store *st;
	if ((ex = cr_cli_open_store(&a, 0, &st)))
		return ex;
	ex = fn(&a, st, asof);
	cr_store_close(st);
	return ex;
}
