/*
 * cmd_audit.c - creditref audit verify | show.
 *
 * verify re-reads the whole trail (audit.h) and exits 1 naming the first bad
 * entry, or the truncation of the tail.  It opens the store read-only and
 * writes nothing, so it runs as well on a copy of a data directory taken
 * elsewhere.
 *
 * show lists the entries about one person: who looked at their data, when,
 * why, and what was decided.  That list is itself personal data (it shows
 * where the person applied for credit), so show audits its own access
 * first, like any report, and lists after, the request included.
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "cr_date.h"
#include "cr_err.h"
#include "ops.h"
#include "cr_id.h"
#include "store.h"

static int audit_verify(const struct cr_args *a)
{
	cr_store *st;
	struct cr_audit_verdict v;
	int ex = cr_cli_open_store(a, CR_STORE_RDONLY, &st);
	if (ex)
		return ex;
	int rc = cr_audit_verify(st, &v);
	cr_store_close(st);
	if (rc == CR_ECORRUPT) {
		printf("audit: %s\n", v.msg);
		return CR_EXIT_FAIL;
	}
	if (rc) {
		cr_cli_err("audit", "cannot read the trail: %s", cr_strerror(rc));
		return CR_EXIT_FAIL;
	}
	printf("audit: %llu entries, chain intact, head matches\n",
	       (unsigned long long)v.entries);
	if (v.ahead)
		printf("audit: note: %llu entr%s after the head, written by an access "
		       "whose commit did not complete (a crash); authentic\n",
		       (unsigned long long)v.ahead, v.ahead == 1 ? "y" : "ies");
	if (v.pending)
		printf("audit: note: the last %llu entr%s committed with the store and not yet "
		       "synced in audit.log (a crash, or a server running now) were read from "
		       "the store; the next write copies them back to the file\n",
		       (unsigned long long)v.pending, v.pending == 1 ? "y was" : "ies were");
	if (v.torn_tail)
		printf("audit: note: a torn final line (a write cut short by a crash, "
		       "never committed) is ignored; the next append removes it\n");
	return CR_EXIT_OK;
}

struct show_ctx {
	int32_t asof_days;
	unsigned n;
};

static int show_entry(const struct cr_audit_entry *e, void *arg)
{
	struct show_ctx *ctx = arg;
	char asof[11];
	if (e->asof_days > ctx->asof_days)
		return 0;
	cr_date_format(e->asof_days, asof);
	printf("%s  %s  %-10s %-6s  %-14s  %-13s  %s", asof, e->time,
	       cr_audit_role_name(e->role), e->institution[0] ? e->institution : "-",
	       e->action, e->purpose ? cr_purpose_name(e->purpose) : "-",
	       cr_audit_outcome_name(e->outcome));
	if (e->reason[0])
		printf(": %s", e->reason);
	if (e->detail[0])
		printf("  [%s]", e->detail);
	putchar('\n');
	ctx->n++;
	return 0;
}

/* Records the look at the person's trail, before anything is shown. */
static int act_show(struct cr_op *op, void *arg)
{
	return cr_admin_audit_show(op, arg);
}

static int audit_show(const struct cr_args *a, const char *id, int32_t asof)
{
	cr_store *st;
	struct cr_subject_key k;
	struct show_ctx ctx = {asof, 0};
	char masked[CR_ID_LEN + 1];
	const char *db = cr_args_get(a, "db");
	int ex = cr_cli_open_store(a, 0, &st);
	if (ex)
		return ex;
	struct cr_op op;
	cr_op_init(&op, st, CR_AUDIT_ROLE_OPERATOR, NULL, asof);
	cr_op_subject(&op, id, &k);
	cr_id_mask(id, masked);
	int rc = cr_op_run(&op, act_show, &k);
	if (rc == CR_ECORRUPT)
		cr_cli_err("audit", "the trail does not agree with its head; nothing is "
			   "shown (run: creditref audit verify --db %s)", db);
	else if (rc)
		cr_cli_err("audit", "cannot record this access: %s", cr_strerror(rc));
	if (!rc) {
		printf("audit trail for %s\n", masked);
		printf("as_of       time                  who                action          "
		       "purpose        outcome\n");
		rc = cr_audit_list_subject(st, &k, show_entry, &ctx);
	}
	if (!rc)
		printf("%u entries\n", ctx.n);
	cr_store_close(st);
	return rc ? CR_EXIT_FAIL : CR_EXIT_OK;
}

int cr_cmd_audit(int argc, char **argv)
{
	static const struct cr_opt_spec spec[] = {
		{"db", 1}, {"key-file", 1}, {"id", 1}, {"as-of", 1}, {NULL, 0}};
	struct cr_args a;
	int ex = cr_args_parse(&a, "audit", spec, argc, argv);
	if (ex)
		return ex;
	const char *verb = a.n_positional ? a.positional[0] : "";
	if (strcmp(verb, "verify") != 0 && strcmp(verb, "show") != 0) {
		cr_cli_err("audit", "say verify or show (see: creditref help audit)");
		return CR_EXIT_USAGE;
	}
	const char *db = cr_args_need(&a, "db");
	if (!db)
		return CR_EXIT_USAGE;
	if (strcmp(verb, "verify") == 0)
		return audit_verify(&a);
	int32_t asof, birth;
	char id[CR_ID_LEN + 1];
	const char *v = cr_args_need(&a, "id"), *reason;
	if (!v || cr_args_asof(&a, &asof))
		return CR_EXIT_USAGE;
	if (cr_id_validate(v, strlen(v), asof, id, &birth, &reason) != 0) {
		char masked[CR_ID_LEN + 1];
		cr_id_mask(v, masked);
		cr_cli_err("audit", "--id %s: %s", masked, reason);
		return CR_EXIT_USAGE;
	}
	return audit_show(&a, id, asof);
}
