/*
 * h_shelf.c - the product shelf over HTTP (docs/shelf.md): a supervisor's
 * delisting order, and what a person is offered and holds (GET for the
 * person's own, POST with the ID in the body for a platform: IDs never
 * travel in URLs).  Both acts run in the committer's transaction, where
 * they are audited (op_shelf.c).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr_date.h"
#include "cr_err.h"
#include "http.h"
#include "shelf.h"

static int run_delist(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct cr_op op;
	cr_req_op(r, g, &op);
	return cr_req_took(r, &op, cr_shelf_order(&op, &r->u.delist.q, &r->u.delist.out));
}

static void finish_delist(struct cr_req *r)
{
	const struct cr_delist *d = &r->u.delist.out;
	char eff[11];
	const unsigned status = r->outcome == CR_EDENIED ? 403 :
				r->outcome == CR_ENOTFOUND ? 404 : 400;
	if (r->outcome) {
		cr_reply_problem(r, status, "%s", r->reason ? r->reason : "order refused");
		return;
	}
	cr_date_format(d->effective_days, eff);
	cr_buf_reset(&r->out);
	cr_buf_printf(&r->out, "{\"order\":%llu,\"platform\":\"%s\",", (unsigned long long)d->seq,
		      d->platform);
	if (d->what == CR_DELIST_PRODUCT)
		cr_buf_printf(&r->out, "\"product\":\"%s\",\"category\":null", d->product);
	else
		cr_buf_printf(&r->out, "\"product\":null,\"category\":\"%s\"",
			      cr_category_name(d->category));
	cr_buf_printf(&r->out, ",\"effective\":\"%s\"}", eff);
	cr_reply_buf(r, 201);
}

/* Copies the string member key of o into dst (cap bytes); *out points at
 * it, or stays NULL when the member is absent or null.  -1 and a 400 when
 * it is not a string or too long. */
static int member(struct cr_req *r, json_t *o, const char *key, char *dst, size_t cap,
		  const char **out)
{
	const json_t *v = json_object_get(o, key);
	*out = NULL;
	if (cr_req_str(r, o, key, dst, cap, CR_STR_NULL_OK))
		return -1;
	if (v && !json_is_null(v))
		*out = dst;
	return 0;
}

/* The body's members into r->u.delist; -1 after a 400. */
static int parse_delist(struct cr_req *r, json_t *o)
{
	struct cr_req_delist *x = &r->u.delist;
	const char *eff = json_string_value(json_object_get(o, "effective"));
	if (member(r, o, "platform", x->platform, sizeof x->platform, &x->q.platform) ||
	    member(r, o, "product", x->product, sizeof x->product, &x->q.product) ||
	    member(r, o, "category", x->category, sizeof x->category, &x->q.category) ||
	    member(r, o, "reason", x->reason, sizeof x->reason, &x->q.reason) ||
	    cr_req_code(r, "platform", x->q.platform) || cr_req_code(r, "product", x->q.product))
		return -1;
	if (!eff || cr_date_parse(eff, strlen(eff), &x->q.effective_days)) {
		cr_reply_problem(r, 400, "effective: a date in YYYY-MM-DD form is required");
		return -1;
	}
	return 0;
}

int cr_h_shelf_delist(struct cr_req *r)
{
	static const char *const allowed[] = {"platform", "product", "category", "reason",
					      "effective", NULL};
	json_t *o = cr_req_json(r);
	if (!o)
		return CR_H_DONE;
	memset(&r->u.delist, 0, sizeof r->u.delist);
	const int bad = cr_req_only_fields(r, o, allowed) || parse_delist(r, o);
	json_decref(o);
	if (bad)
		return CR_H_DONE;
	r->job.run = run_delist;
	r->finish = finish_delist;
	return cr_req_submit(r);
}

/* The act and its answer, rendered into r->out while the shelf is at
 * hand (it is large: allocated for the job alone). */
static int run_shelf(struct cr_group *g, struct cr_job *j)
{
	struct cr_req *r = j->arg;
	struct cr_shelf *s = malloc(sizeof *s);
	struct cr_op op;
	if (!s)
		return CR_ENOMEM;
	cr_req_op(r, g, &op);
	int rc = cr_req_took(r, &op, cr_shelf_show(&op, &r->subject, s));
	if (!rc && !r->outcome) {
		cr_buf_reset(&r->out);
		rc = cr_shelf_render_json(s, &r->out);
	}
	free(s);
	return rc;
}

static void finish_shelf(struct cr_req *r)
{
	if (r->outcome) {
		cr_reply_problem(r, 403, "refused: %s", r->reason ? r->reason : "not allowed");
		return;
	}
	cr_reply_buf(r, 200);
}

/* The person's own shelf: every platform's offer, every holding. */
int cr_h_shelf(struct cr_req *r)
{
	r->subject = r->key.subject;
	r->job.run = run_shelf;
	r->finish = finish_shelf;
	return cr_req_submit(r);
}

/* A platform's look: {"id"} in the body, never in the URL (docs/api.md). */
int cr_h_shelf_query(struct cr_req *r)
{
	static const char *const allowed[] = {"id", NULL};
	json_t *o = cr_req_json(r);
	if (!o)
		return CR_H_DONE;
	const int bad = cr_req_only_fields(r, o, allowed) || cr_req_subject(r, o, "id");
	json_decref(o);
	if (bad)
		return CR_H_DONE;
	r->job.run = run_shelf;
	r->finish = finish_shelf;
	return cr_req_submit(r);
}
