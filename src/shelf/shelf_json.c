/*
 * shelf_json.c - a shelf as JSON (shelf.h, cr_shelf_render_json), for the
 * command line and the API alike, so both answer in the same words.
 */
#include "shelf.h"

#include <string.h>

#include "cr_buf.h"
#include "cr_date.h"

static int str_member(struct cr_buf *b, const char *key, const char *v)
{
	int rc = cr_buf_printf(b, "\"%s\":", key);
	return rc ? rc : cr_buf_put_json_str(b, v, strlen(v));
}

static int date_member(struct cr_buf *b, const char *key, int32_t days)
{
	char d[11];
	if (days == CR_NO_DATE)
		return cr_buf_printf(b, ",\"%s\":null", key);
	cr_date_format(days, d);
	return cr_buf_printf(b, ",\"%s\":\"%s\"", key, d);
}

static int item(struct cr_buf *b, const struct cr_shelf_item *it, int held)
{
	const struct cr_product_rec *p = &it->p;
	int rc = cr_buf_putc(b, '{');
	if (!rc)
		rc = str_member(b, "platform", p->platform);
	if (!rc && !(rc = cr_buf_putc(b, ',')))
		rc = str_member(b, "code", p->code);
	if (!rc && !(rc = cr_buf_putc(b, ',')))
		rc = str_member(b, "issuer", p->issuer);
	if (!rc)
		rc = cr_buf_printf(b, ",\"category\":\"%s\",", cr_category_name(p->category));
	if (!rc)
		rc = str_member(b, "licence", p->licence);
	if (!rc && !(rc = cr_buf_putc(b, ',')))
		rc = str_member(b, "name", p->name);
	if (!rc && held)
		rc = date_member(b, "since", it->since_days);
	if (!rc && held)
		rc = date_member(b, "until", it->until_days);
	if (!rc && held)
		rc = cr_buf_printf(b, ",\"delisted\":%s", it->delisted ? "true" : "false");
	return rc ? rc : cr_buf_putc(b, '}');
}

static int list(struct cr_buf *b, const char *key, const struct cr_shelf_item *its,
		size_t n, int held)
{
	int rc = cr_buf_printf(b, ",\"%s\":[", key);
	for (size_t i = 0; i < n && !rc; i++) {
		if (i)
			rc = cr_buf_putc(b, ',');
		if (!rc)
			rc = item(b, &its[i], held);
	}
	return rc ? rc : cr_buf_putc(b, ']');
}

int cr_shelf_render_json(const struct cr_shelf *s, struct cr_buf *b)
{
	char d[11];
	cr_date_format(s->asof_days, d);
	int rc = cr_buf_printf(b, "{\"as_of\":\"%s\"", d);
	if (!rc)
		rc = list(b, "offered", s->offered, s->n_offered, 0);
	if (!rc)
		rc = list(b, "held", s->held, s->n_held, 1);
	if (!rc)
		rc = cr_buf_printf(b, ",\"held_total\":%zu,\"truncated\":%s}", s->n_held_total,
				   s->truncated ? "true" : "false");
	return rc;
}
