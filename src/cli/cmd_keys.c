/* cmd_keys.c - creditref keys: the master key and the API keys (op_keys.c). */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cr_date.h"
#include "cr_err.h"
#include "cr_id.h"
#include "ops.h"

/* Opens the store and the operator's context; 0 or an exit status. */
static int open_op(const struct cr_args *a, int flags, struct cr_op *op)
{
	cr_store *st;
	int ex = cr_cli_open_store(a, flags, &st);
	if (!ex)
		cr_op_init(op, st, CR_AUDIT_ROLE_OPERATOR, NULL, cr_date_today());
	return ex;
}

static int keys_rotate(const struct cr_args *a)
{
	struct cr_op op;
	int ex = open_op(a, 0, &op);
	if (ex)
		return ex;
	char key_file[4096];
	cr_cli_key_file(a, cr_args_get(a, "db"), key_file, sizeof key_file);
	int rc = cr_keys_rotate(&op, key_file);
	cr_store_close(op.st);
	if (rc) {
		cr_cli_err("keys", "rotation failed: %s (%s)", op.why ? op.why : "",
			   cr_strerror(rc));
		return CR_EXIT_FAIL;
	}
	printf("master key rotated: %s holds the new key; the old key no longer opens the store\n",
	       key_file);
	return 0;
}

struct add {
	struct cr_key_request q;
	char token[CR_APIKEY_TOKEN_LEN + 1];
	struct cr_apikey k;
};

static int act_add(struct cr_op *op, void *arg)
{
	struct add *x = arg;
	return cr_keys_add(op, &x->q, x->token, &x->k);
}

static int keys_add(const struct cr_args *a)
{
	const char *inst = cr_args_get(a, "institution"), *id_arg = cr_args_get(a, "id");
	const char *role_s = cr_args_need(a, "role"), *why;
	char id[CR_ID_LEN + 1];
	int32_t birth;
	if (!role_s)
		return CR_EXIT_USAGE;
	if (id_arg && cr_id_validate(id_arg, strlen(id_arg), cr_date_today(), id, &birth, &why)) {
		cr_cli_err("keys", "--id: %s", why);
		return CR_EXIT_USAGE;
	}
	struct add x = {{cr_role_parse(role_s), inst, id_arg ? id : NULL}, "", {.role = 0}};
	struct cr_op op;
	int ex = open_op(a, 0, &op);
	if (ex)
		return ex;
	int rc = cr_op_run(&op, act_add, &x);
	cr_store_close(op.st);
	if (rc == CR_EINVAL) {
		cr_cli_err("keys", "%s", op.why);
		return CR_EXIT_USAGE;
	}
	if (rc) {
		cr_cli_err("keys", "cannot store the key: %s", cr_strerror(rc));
		return CR_EXIT_FAIL;
	}
	printf("%s\n", x.token);
	fprintf(stderr, "key %s issued for role %s%s%s; the token above is shown only once\n",
		x.k.key_id, cr_role_name(x.k.role), x.k.inst[0] ? ", institution " : "", x.k.inst);
	sodium_memzero(x.token, sizeof x.token);
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

static int read_list(struct cr_op *op, void *arg)
{
	(void)arg;
	printf("key_id            role        bound to         created               revoked\n");
	return cr_keys_list(op, print_key, NULL);
}

static int keys_list(const struct cr_args *a)
{
	struct cr_op op;
	int ex = open_op(a, CR_STORE_RDONLY, &op);
	if (ex)
		return ex;
	int rc = cr_op_read(&op, read_list, NULL);
	cr_store_close(op.st);
	if (rc)
		cr_cli_err("keys", "cannot list keys: %s", cr_strerror(rc));
	return rc ? CR_EXIT_FAIL : 0;
}

struct revoke {
	const char *key_id;
	struct cr_apikey k;
};

static int act_revoke(struct cr_op *op, void *arg)
{
	struct revoke *x = arg;
	return cr_keys_revoke(op, x->key_id, &x->k);
}

static int keys_revoke(const struct cr_args *a)
{
	if (a->n_positional != 2) {
		cr_cli_err("keys", "revoke takes one key id (see: creditref keys list)");
		return CR_EXIT_USAGE;
	}
	struct revoke x = {a->positional[1], {.role = 0}};
	struct cr_op op;
	int ex = open_op(a, 0, &op);
	if (ex)
		return ex;
	int rc = cr_op_run(&op, act_revoke, &x);
	cr_store_close(op.st);
	if (rc == CR_ENOTFOUND) {
		cr_cli_err("keys", "no key with id %s (see: creditref keys list)", x.key_id);
		return CR_EXIT_NOTFOUND;
	}
	if (rc) {
		cr_cli_err("keys", "cannot revoke: %s", cr_strerror(rc));
		return CR_EXIT_FAIL;
	}
	printf("key %s revoked\n", x.key_id);
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
