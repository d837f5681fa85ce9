/*
 * h_console.c - the web console's files (console.h) and GET /v1/whoami,
 * which the console asks first to know which views a key opens.
 */
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "cr_date.h"
#include "http.h"

const struct cr_asset *cr_console_asset(const char *name)
{
	for (size_t i = 0; i < cr_console_assets_n; i++)
		if (strcmp(cr_console_assets[i].name, name) == 0)
			return &cr_console_assets[i];
	return NULL;
}

static int send_asset(struct cr_req *r, const char *name)
{
	const struct cr_asset *a = cr_console_asset(name);
	if (!a)
		return cr_reply_problem(r, 404, "the console has no file %s", name), CR_H_DONE;
	return cr_reply(r, 200, a->ctype, a->data, a->len), CR_H_DONE;
}

int cr_h_console(struct cr_req *r)
{
	return send_asset(r, "index.html");
}

int cr_h_console_file(struct cr_req *r)
{
	return send_asset(r, r->param);
}

/* The key's role, its institution (furnisher, lender), its id, and the
 * server's business date; never the person a subject key belongs to. */
int cr_h_whoami(struct cr_req *r)
{
	char asof[11];
	cr_date_format(r->asof, asof);
	cr_buf_reset(&r->out);
	cr_buf_printf(&r->out, "{\"role\":\"%s\",\"institution\":", cr_role_name(r->key.role));
	if (r->key.inst[0])
		cr_buf_put_json_str(&r->out, r->key.inst, strlen(r->key.inst));
	else
		cr_buf_puts(&r->out, "null");
	cr_buf_printf(&r->out, ",\"key_id\":\"%s\",\"as_of\":\"%s\"}", r->key.key_id, asof);
	return cr_reply_buf(r, 200), CR_H_DONE;
}
