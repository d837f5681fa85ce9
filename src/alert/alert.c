/*
 * alert.c - the post-loan monitoring rules and the alert feed; see alert.h.
 *
 * This file holds the kinds, the thresholds and the feed; the rules are in
 * rules.c.
 */
#include "alert.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "consent.h"
#include "cr_date.h"
#include "cr_err.h"
#include "cr_id.h"
#include "report.h"

const char *cr_alert_kind_name(uint8_t kind)
{
	switch (kind) {
	case CR_ALERT_DPD30: return "dpd30";
	case CR_ALERT_NEW_ACCOUNT: return "new_account";
	case CR_ALERT_EXPOSURE_RISE: return "exposure_rise";
	case CR_ALERT_INQUIRIES: return "inquiries";
	}
	return "?";
}

int cr_alert_config(cr_txn *txn, const char *inst, struct cr_alert_config *out)
{
	int rc = cr_store_alert_config_get(txn, inst, out);
	if (rc != CR_ENOTFOUND)
		return rc;
	out->exposure_pct = CR_ALERT_DEFAULT_EXPOSURE_PCT;
	out->exposure_min = CR_ALERT_DEFAULT_EXPOSURE_MIN;
	out->inquiries = CR_ALERT_DEFAULT_INQUIRIES;
	return 0;
}

struct page_ctx {
	cr_txn *txn;
	const char *inst;
	struct cr_buf *out;
	unsigned n;
	uint64_t last;
};

static int put_own_account(const struct cr_account_rec *r, void *arg)
{
	struct page_ctx *c = arg;
	if (strcmp(r->a.inst, c->inst) != 0)
		return 0;
	struct cr_buf *b = c->out;
	int rc = b->data[b->len - 1] == '[' ? 0 : cr_buf_putc(b, ',');
	return rc ? rc : cr_buf_put_json_str(b, r->a.account, strlen(r->a.account));
}

/* One alert: the person masked, and only the receiver's own accounts. */
static int put_alert(const struct cr_alert_rec *a, void *arg)
{
	struct page_ctx *c = arg;
	struct cr_subject s;
	char masked[CR_ID_LEN + 1], at[CR_TIME_TEXT_LEN], raised[CR_TIME_TEXT_LEN];
	int held;
	/* Only the ID is shown, masked: every identity of a person has it. */
	int rc = cr_consent_identity(c->txn, &a->subject, NULL, 0, 1, &s, &held);
	if (rc)
		return rc;
	cr_id_mask(s.id, masked);
	cr_time_format(a->at_s, at);
	cr_time_format(a->raised_s, raised);
	rc = cr_buf_printf(c->out, "%s{\"cursor\":\"%llu\",\"kind\":\"%s\",\"subject\":\"%s\","
			   "\"at\":\"%s\",\"raised\":\"%s\",\"accounts\":[",
			   c->n ? "," : "", (unsigned long long)a->seq,
			   cr_alert_kind_name(a->kind), masked, at, raised);
	if (!rc)
		rc = cr_store_subject_accounts(c->txn, &a->subject, put_own_account, c);
	if (!rc)
		rc = cr_buf_puts(c->out, "]}");
	c->n++;
	c->last = a->seq;
	return rc;
}

int cr_alert_page(cr_txn *txn, const char *inst, uint64_t after, unsigned limit,
		  struct cr_buf *out, unsigned *n, uint64_t *next)
{
	struct page_ctx c = {txn, inst, out, 0, after};
	int rc = cr_buf_puts(out, "{\"alerts\":[");
	if (!rc)
		rc = cr_store_alerts(txn, inst, after, limit, put_alert, &c);
	if (!rc)
		rc = cr_buf_printf(out, "],\"next\":\"%llu\"}", (unsigned long long)c.last);
	*n = c.n;
	*next = c.last;
	return rc;
}
