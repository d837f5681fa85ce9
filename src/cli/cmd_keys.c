/* cmd_keys.c - creditref keys: the master key and the API keys. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "apikey.h"
#include "audit.h"
#include "cli.h"
#include "cr_date.h"
#include "cr_err.h"
#include "cr_id.h"
#include <time.h>
#include "store.h"

static int keys_rotate(const struct cr_args *a)
{
	cr_store *st;
	int ex = cr_cli_open_store(a, 0, &st);
	if (ex)
		return ex;
	char key_file[4096];
	const char *reason;
	cr_cli_key_file(a, cr_args_get(a, "db"), key_file, sizeof key_file);
	int rc = cr_store_rotate_key(st, key_file, &reason);
	struct cr_audit_entry e;
	cr_audit_entry_init(&e);
	e.asof_days = cr_date_today();
	e.role = CR_AUDIT_ROLE_OPERATOR;
	snprintf(e.action, sizeof e.action, "keys_rotate");
	e.outcome = rc ? CR_AUDIT_REFUSED : CR_AUDIT_GRANTED;
	int arc = cr_audit_record(st, &e);
	cr_store_close(st);
	if (!rc && arc)
		cr_cli_err("keys", "the key was rotated but its audit entry failed: %s",
			   cr_strerror(arc));
	if (rc) {
		cr_cli_err("keys", "rotation failed: %s (%s)", reason ? reason : "",
			   cr_strerror(rc));
		return CR_EXIT_FAIL;
	}
	printf("master key rotated: %s holds the new key; the old key no longer opens the store\n",
	       key_file);
	return 0;
}

/* An administrative act on an API key, in the write transaction txn. */
static int audit_key_act(cr_store *st, cr_txn *txn, const char *action,
			 const struct cr_apikey *k)
{
	struct cr_audit_entry e;
	cr_audit_entry_init(&e);
	e.asof_days = cr_date_today();
	e.role = CR_AUDIT_ROLE_OPERATOR;
	snprintf(e.action, sizeof e.action, "%s", action);
	e.outcome = CR_AUDIT_GRANTED;
	e.has_subject = k->has_subject;
	e.subject = k->subject;
	snprintf(e.detail, sizeof e.detail, "key_id=%s role=%s%s%s", k->key_id,
		 cr_role_name(k->role), k->inst[0] ? " institution=" : "", k->inst);
	return cr_audit_append(st, txn, &e);
}

static int keys_add(const struct cr_args *a)
{
	const char *inst = cr_args_get(a, "institution"), *id_arg = cr_args_get(a, "id");
	const char *role_s = cr_args_need(a, "role"), *why;
	char id[CR_ID_LEN + 1], token[CR_APIKEY_TOKEN_LEN + 1];
	int32_t birth;
	if (!role_s)
		return CR_EXIT_USAGE;
	if (id_arg && cr_id_validate(id_arg, strlen(id_arg), cr_date_today(), id, &birth, &why)) {
		cr_cli_err("keys", "--id: %s", why);
		return CR_EXIT_USAGE;
	}
	cr_store *st;
	cr_txn *txn;
	struct cr_apikey k;
	int ex = cr_cli_open_store(a, 0, &st);
	if (ex)
		return ex;
	int rc = cr_store_begin(st, 1, &txn);
	if (!rc) {
		rc = cr_apikey_issue(st, txn, cr_role_parse(role_s), inst, id_arg ? id : NULL,
				     (int64_t)time(NULL), token, &k, &why);
		if (!rc)
			rc = audit_key_act(st, txn, "key_add", &k);
		rc = rc ? (cr_store_abort(txn), rc) : cr_store_commit(txn);
	}
	cr_store_close(st);
	if (rc == CR_EINVAL) {
		cr_cli_err("keys", "%s", why ? why : "bad key request");
		return CR_EXIT_USAGE;
	}
	if (rc) {
		cr_cli_err("keys", "cannot store the key: %s", cr_strerror(rc));
		return CR_EXIT_FAIL;
	}
	printf("%s\n", token);
	fprintf(stderr, "key %s issued for role %s%s%s; the token above is shown only once\n",
		k.key_id, cr_role_name(k.role), k.inst[0] ? ", institution " : "", k.inst);
	sodium_memzero(token, sizeof token);
	return 0;
}

static int print_key(const struct cr_apikey *k, void *arg)
{
	(void)arg;
	char created[21], revoked[21];
	cr_apikey_time(k->created, created);
	cr_apikey_time(k->revoked, revoked);
	printf("%s  %-10s  %-15s  %s  %s\n", k->key_id, cr_role_name(k->role),
	       k->inst[0] ? k->inst : k->has_subject ? "(a person)" : "-", created,
	       revoked[0] ? revoked : "-");
	return 0;
}

static int keys_list(const struct cr_args *a)
{
	cr_store *st;
	cr_txn *txn;
	int ex = cr_cli_open_store(a, CR_STORE_RDONLY, &st);
	if (ex)
		return ex;
	int rc = cr_store_begin(st, 0, &txn);
	if (!rc) {
		printf("key_id            role        bound to         created               revoked\n");
		rc = cr_store_apikeys(txn, print_key, NULL);
		cr_store_abort(txn);
	}
	cr_store_close(st);
	if (rc)
		cr_cli_err("keys", "cannot list keys: %s", cr_strerror(rc));
	return rc ? CR_EXIT_FAIL : 0;
}

static int keys_revoke(const struct cr_args *a)
{
	if (a->n_positional != 2) {
		cr_cli_err("keys", "revoke takes one key id (see: creditref keys list)");
		return CR_EXIT_USAGE;
	}
	const char *key_id = a->positional[1];
	cr_store *st;
	cr_txn *txn;
	struct cr_apikey k;
	int ex = cr_cli_open_store(a, 0, &st);
	if (ex)
		return ex;
	int rc = cr_store_begin(st, 1, &txn);
	if (!rc) {
		rc = cr_store_apikey_get(txn, key_id, &k);
		if (!rc)
			rc = cr_apikey_revoke(txn, key_id, (int64_t)time(NULL));
		if (!rc)
			rc = audit_key_act(st, txn, "key_revoke", &k);
		rc = rc ? (cr_store_abort(txn), rc) : cr_store_commit(txn);
	}
	cr_store_close(st);
	if (rc == CR_ENOTFOUND) {
		cr_cli_err("keys", "no key with id %s (see: creditref keys list)", key_id);
		return CR_EXIT_NOTFOUND;
	}
	if (rc) {
		cr_cli_err("keys", "cannot revoke: %s", cr_strerror(rc));
		return CR_EXIT_FAIL;
	}
	printf("key %s revoked\n", key_id);
	return 0;
}

int cr_cmd_keys(int argc, char **argv)
{
	static const struct cr_opt_spec spec[] = {{"db", 1}, {"key-file", 1}, {"role", 1},
						  {"institution", 1}, {"id", 1}, {NULL, 0}};
	struct cr_args a;
	int ex = cr_args_parse(&a, "keys", spec, argc, argv);
	if (ex)
		return ex;
	const char *verb = a.n_positional ? a.positional[0] : "";
	if (strcmp(verb, "rotate") == 0)
		return keys_rotate(&a);
	if (strcmp(verb, "add") == 0)
		return keys_add(&a);
	if (strcmp(verb, "list") == 0)
		return keys_list(&a);
	if (strcmp(verb, "revoke") == 0)
		return keys_revoke(&a);
	cr_cli_err("keys", "say rotate, add, list or revoke (see: creditref help keys)");
	return CR_EXIT_USAGE;
}
