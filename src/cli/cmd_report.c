/* cmd_report.c - creditref report and consent. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "consent.h"
#include "cr_buf.h"
#include "cr_date.h"
#include "cr_err.h"
#include "cr_id.h"
#include "report.h"
#include "scorer.h"
#include "ops.h"
#include "validate.h"

/* Validates --id, printing the reason with the ID masked. */
static int read_id(const struct cr_args *a, int32_t asof, char id[CR_ID_LEN + 1])
{
	const char *v = cr_args_need(a, "id");
	if (!v)
		return CR_EXIT_USAGE;
	int32_t birth;
	const char *reason;
	if (cr_id_validate(v, strlen(v), asof, id, &birth, &reason) != 0) {
		char masked[CR_ID_LEN + 1];
		cr_id_mask(v, masked);
		cr_cli_err(a->cmd, "--id %s: %s", masked, reason);
		return CR_EXIT_USAGE;
	}
	return 0;
}

static int print_report(const struct cr_report *r, const char *format)
{
	struct cr_buf b;
	cr_buf_init(&b, 64u << 20);
	int rc = strcmp(format, "text") == 0 ? cr_report_text(r, &b) : cr_report_json(r, &b);
	if (!rc && fwrite(b.data, 1, b.len, stdout) != b.len)
		rc = CR_EIO;
	cr_buf_fini(&b);
	return rc;
}

struct request {
	struct cr_subject_key k;
	const char *inst;
	uint8_t purpose;
	struct cr_report *out;
};

static int act_report(struct cr_op *op, void *arg)
{
	struct request *q = arg;
	return cr_report_request(op, &q->k, q->inst, q->purpose, q->out);
}

int cr_cmd_report(int argc, char **argv)
{
	static const struct cr_opt_spec spec[] = {
		{"db", 1}, {"key-file", 1}, {"id", 1}, {"as", 1}, {"purpose", 1},
		{"format", 1}, {"as-of", 1}, {"model", 1}, {NULL, 0}};
	struct cr_args a;
	int ex = cr_args_parse(&a, "report", spec, argc, argv);
	if (ex)
		return ex;
	int32_t asof;
	char id[CR_ID_LEN + 1];
	const char *db = cr_args_need(&a, "db");
	const char *purpose_s = cr_args_need(&a, "purpose");
	const char *format = cr_args_get(&a, "format");
	if (!db || !purpose_s || cr_args_asof(&a, &asof) || read_id(&a, asof, id))
		return CR_EXIT_USAGE;
	format = format ? format : "json";
	if (strcmp(format, "json") != 0 && strcmp(format, "text") != 0) {
		cr_cli_err("report", "--format must be json or text");
		return CR_EXIT_USAGE;
	}
	uint8_t purpose;
	if (cr_purpose_parse(purpose_s, strlen(purpose_s), &purpose)) {
		cr_cli_err("report", "--purpose must be one of loan_approval, card_approval, post_loan, guarantee, self");
		return CR_EXIT_USAGE;
	}
	const char *inst = cr_args_get(&a, "as");
	if (purpose != CR_PURPOSE_SELF && !(inst = cr_args_need(&a, "as")))
		return CR_EXIT_USAGE;
	struct cr_scorer *sc;
	if ((ex = cr_cli_open_scorer(&a, &sc)))
		return ex;
	cr_store *st;
	if ((ex = cr_cli_open_store(&a, 0, &st))) {
		cr_scorer_free(sc);
		return ex;
	}
	/* The operator runs the request for the institution (or the person). */
	struct request q = {{{0}}, purpose != CR_PURPOSE_SELF ? inst : "", purpose, NULL};
	struct cr_op op;
	struct cr_report r;
	cr_op_init(&op, st, purpose == CR_PURPOSE_SELF ? CR_AUDIT_ROLE_SUBJECT : CR_AUDIT_ROLE_LENDER,
		   q.inst, asof);
	op.scorer = sc;
	cr_op_subject(&op, id, &q.k);
	cr_report_init(&r);
	q.out = &r;
	int rc = cr_op_run(&op, act_report, &q);
	const char *reason = op.why;
	char masked[CR_ID_LEN + 1];
	cr_id_mask(id, masked);
	if (rc == CR_EDENIED)
		cr_cli_err("report", "refused: %s asked about %s for %s: %s",
			   inst, masked, purpose_s, reason);
	else if (rc == CR_ENOTFOUND)
		cr_cli_err("report", "the bureau has no credit file for %s", masked);
	else if (rc == CR_ECORRUPT)
		cr_cli_err("report", "%s; no report is served without its audit entry "
			   "(check: creditref audit verify --db %s)", cr_strerror(rc), db);
	else if (rc)
		cr_cli_err("report", "%s", cr_strerror(rc));
	else
		rc = print_report(&r, format);
	cr_report_fini(&r);
	cr_store_close(st);
	cr_scorer_free(sc);
	return cr_cli_exit_for(rc);
}

static void print_fact(const struct cr_consent_fact *f, int in_force)
{
	char g[11], e[11] = "-", r[11];
	cr_date_format(f->granted_days, g);
	if (f->expires_days != CR_NO_DATE)
		cr_date_format(f->expires_days, e);
	if (f->revoked_days != CR_NO_DATE) {
		cr_date_format(f->revoked_days, r);
		printf("revoke  %-6s %-8s %-14s revoked %s\n", f->inst,
		       cr_scope_name(f->scope), f->purpose ? cr_purpose_name(f->purpose) : "*", r);
		return;
	}
	printf("grant   %-6s %-8s %-14s granted %s expires %s evidence %s%s\n", f->inst,
	       cr_scope_name(f->scope), f->purpose ? cr_purpose_name(f->purpose) : "-",
	       g, e, f->evidence[0] ? f->evidence : "-", in_force ? "  in force" : "");
}

static int show_fact(const struct cr_consent_fact *f, int in_force, void *arg)
{
	(void)arg;
	print_fact(f, in_force);
	return 0;
}

struct list {
	struct cr_subject_key k;
	const char *inst;
};

static int read_list(struct cr_op *op, void *arg)
{
	const struct list *l = arg;
	return cr_consent_show(op, &l->k, l->inst, 0, show_fact, NULL);
}

/* Builds the consent record from the options, as a furnished one would be. */
static int consent_from_args(const struct cr_args *a, const char *verb,
			     const char *id, int32_t asof, struct cr_record *rec)
{
	struct cr_consent *c = &rec->u.consent;
	memset(rec, 0, sizeof *rec);
	rec->type = CR_REC_CONSENT;
	const char *inst = cr_args_need(a, "institution"), *scope = cr_args_need(a, "scope");
	const char *purpose = cr_args_get(a, "purpose"), *expires = cr_args_get(a, "expires");
	const char *evidence = cr_args_get(a, "evidence");
	if (!inst || !scope)
		return CR_EXIT_USAGE;
	memcpy(c->id, id, sizeof c->id);
	snprintf(c->inst, sizeof c->inst, "%s", inst);
	snprintf(c->evidence, sizeof c->evidence, "%s", evidence ? evidence : "");
	c->granted_days = asof;
	c->expires_days = CR_NO_DATE;
	c->revoked_days = strcmp(verb, "revoke") == 0 ? asof : CR_NO_DATE;
	if (cr_scope_parse(scope, strlen(scope), &c->scope)) {
		cr_cli_err("consent", "--scope must be furnish or query");
		return CR_EXIT_USAGE;
	}
	if (purpose && cr_purpose_parse(purpose, strlen(purpose), &c->purpose)) {
		cr_cli_err("consent", "--purpose must be one of loan_approval, card_approval, post_loan, guarantee, self");
		return CR_EXIT_USAGE;
	}
	if (expires && cr_date_parse(expires, strlen(expires), &c->expires_days)) {
		cr_cli_err("consent", "--expires must be a date in YYYY-MM-DD form");
		return CR_EXIT_USAGE;
	}
	return 0;
}

struct change {
	const struct cr_consent *c;
	struct cr_consent_result res;
};

static int act_change(struct cr_op *op, void *arg)
{
	struct change *x = arg;
	return cr_consent_change(op, x->c, &x->res);
}

/* Rule 4: a consent change by the operator is audited, refusals too. */
static int consent_change(struct cr_op *op, const struct cr_consent *c)
{
	struct change x = {c, {0}};
	int rc = cr_op_run(op, act_change, &x);
	if (rc == CR_EINVAL)
		cr_cli_err("consent", "--%s: %s", x.res.diag.field, op->why);
	else if (rc == CR_ENOTFOUND)
		cr_cli_err("consent", "unknown institution %s", c->inst);
	else if (!rc)
		printf("%s %s consent for %s; released=%llu held records\n",
		       x.res.fresh ? "recorded" : "already recorded:",
		       c->revoked_days != CR_NO_DATE ? "revocation of" : "grant of",
		       c->inst, (unsigned long long)x.res.released);
	return rc;
}

int cr_cmd_consent(int argc, char **argv)
{
	static const struct cr_opt_spec spec[] = {
		{"db", 1}, {"key-file", 1}, {"id", 1}, {"institution", 1}, {"scope", 1},
		{"purpose", 1}, {"expires", 1}, {"evidence", 1}, {"as-of", 1}, {NULL, 0}};
	struct cr_args a;
	int ex = cr_args_parse(&a, "consent", spec, argc, argv);
	if (ex)
		return ex;
	const char *verb = a.n_positional ? a.positional[0] : "";
	if (strcmp(verb, "grant") && strcmp(verb, "revoke") && strcmp(verb, "list")) {
		cr_cli_err("consent", "say grant, revoke or list (see: creditref help consent)");
		return CR_EXIT_USAGE;
	}
	int32_t asof;
	char id[CR_ID_LEN + 1];
	const char *db = cr_args_need(&a, "db");
	if (!db || cr_args_asof(&a, &asof) || read_id(&a, asof, id))
		return CR_EXIT_USAGE;
	struct cr_record rec;
	if (strcmp(verb, "list") != 0 && (ex = consent_from_args(&a, verb, id, asof, &rec)))
		return ex;
	cr_store *st;
	if ((ex = cr_cli_open_store(&a, 0, &st)))
		return ex;
	struct cr_op op;
	struct list l = {{{0}}, cr_args_get(&a, "institution")};
	cr_op_init(&op, st, CR_AUDIT_ROLE_OPERATOR, NULL, asof);
	cr_op_subject(&op, id, &l.k);
	int rc = strcmp(verb, "list") == 0 ? cr_op_read(&op, read_list, &l)
					   : consent_change(&op, &rec.u.consent);
	cr_store_close(st);
	if (rc == CR_EINVAL)
		return CR_EXIT_USAGE;
	if (rc && rc != CR_ENOTFOUND)
		cr_cli_err("consent", "%s", cr_strerror(rc));
	return cr_cli_exit_for(rc);
}
