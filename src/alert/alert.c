/*
 * alert.c - the post-loan monitoring rules and the alert feed; see alert.h.
 *
 * The state before and after a change is taken from the same report an
 * institution would get (cr_report_build without held data), so "visible"
 * and "exposure" mean here exactly what they mean in a report.  That costs
 * two report builds per change, paid only for a person someone watches.
 */
#include "alert.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

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

static int add_watcher(const struct cr_account_rec *r, void *arg)
{
	struct cr_alert_probe *p = arg;
	if (r->a.status != CR_ACCT_OPEN || strcmp(r->a.inst, p->inst) == 0)
		return 0;
	for (unsigned i = 0; i < p->n_watchers; i++)
		if (strcmp(p->watchers[i], r->a.inst) == 0)
			return 0;
	if (p->n_watchers < CR_ALERT_WATCHERS_MAX)
		snprintf(p->watchers[p->n_watchers++], sizeof p->watchers[0], "%s", r->a.inst);
	return 0;
}

int cr_alert_watchers(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
		      struct cr_alert_probe *p)
{
	memset(p, 0, sizeof *p);
	p->subject = *k;
	snprintf(p->inst, sizeof p->inst, "%s", inst);
	int rc = cr_store_subject_accounts(txn, k, add_watcher, p);
	p->active = p->n_watchers > 0;
	return rc;
}

struct snapshot {
	int visible;
	int32_t dpd;
	int64_t exposure;
};

/* The person's state as an institution's report shows it. */
static int snapshot(cr_txn *txn, const struct cr_subject_key *k, uint64_t acct_id,
		    int32_t asof_days, struct snapshot *out)
{
	struct cr_report r;
	cr_report_init(&r);
	memset(out, 0, sizeof *out);
	int rc = cr_report_build(txn, k, asof_days, 0, &r);
	if (rc == CR_ENOTFOUND) /* no file yet: nothing visible */
		rc = 0;
	else if (!rc) {
		out->exposure = r.exposure.outstanding.value;
		for (size_t i = 0; i < r.n_accounts; i++) {
			if (acct_id && r.accounts[i].rec.acct_id == acct_id) {
				out->visible = 1;
				out->dpd = r.accounts[i].current.dpd;
			}
		}
	}
	cr_report_fini(&r);
	return rc;
}

int cr_alert_before(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
		    uint64_t acct_id, int32_t asof_days, struct cr_alert_probe *p)
{
	int rc = cr_alert_watchers(txn, k, inst, p);
	if (rc || !p->active)
		return rc;
	p->asof_days = asof_days;
	p->acct_id = acct_id;
	struct snapshot s;
	rc = snapshot(txn, k, acct_id, asof_days, &s);
	p->visible = s.visible;
	p->dpd = s.dpd;
	p->exposure = s.exposure;
	return rc;
}

static int raise_alert(cr_txn *txn, const char *inst, const struct cr_subject_key *k,
		       uint8_t kind, int64_t at_s)
{
	struct cr_alert_rec a;
	memset(&a, 0, sizeof a);
	a.subject = *k;
	a.kind = kind;
	a.raised_s = (int64_t)time(NULL);
	a.at_s = at_s;
	return cr_store_alert_add(txn, inst, &a);
}

/* Does a rise from before to after cross cfg's threshold? */
static int exposure_rose(const struct cr_alert_config *cfg, int64_t before, int64_t after)
{
	const int64_t rise = after - before;
	if (rise <= cfg->exposure_min)
		return 0;
	return before <= 0 || rise * 100 > (int64_t)cfg->exposure_pct * before;
}

int cr_alert_after(cr_txn *txn, const struct cr_alert_probe *p, uint64_t acct_id,
		   int64_t at_s)
{
	if (!p->active)
		return 0;
	struct snapshot s;
	int rc = snapshot(txn, &p->subject, acct_id, p->asof_days, &s);
	if (rc || !s.visible)
		return rc;
	const int32_t dpd_before = p->visible ? p->dpd : 0;
	for (unsigned i = 0; i < p->n_watchers && !rc; i++) {
		const char *w = p->watchers[i];
		struct cr_alert_config cfg;
		rc = cr_alert_config(txn, w, &cfg);
		if (!rc && p->acct_id == 0)
			rc = raise_alert(txn, w, &p->subject, CR_ALERT_NEW_ACCOUNT, at_s);
		if (!rc && dpd_before < CR_ALERT_DPD && s.dpd >= CR_ALERT_DPD)
			rc = raise_alert(txn, w, &p->subject, CR_ALERT_DPD30, at_s);
		if (!rc && exposure_rose(&cfg, p->exposure, s.exposure))
			rc = raise_alert(txn, w, &p->subject, CR_ALERT_EXPOSURE_RISE, at_s);
	}
	return rc;
}

static int seeks_credit(uint8_t purpose)
{
	return purpose == CR_PURPOSE_LOAN_APPROVAL || purpose == CR_PURPOSE_CARD_APPROVAL ||
	       purpose == CR_PURPOSE_GUARANTEE;
}

int cr_alert_inquiry(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
		     uint8_t purpose, int32_t asof_days)
{
	static _Thread_local struct cr_inquiry q[CR_REPORT_INQUIRIES_MAX];
	if (!seeks_credit(purpose))
		return 0;
	struct cr_alert_probe p;
	int rc = cr_alert_watchers(txn, k, inst, &p);
	if (rc || !p.active)
		return rc;
	size_t n;
	const int32_t since = asof_days - (CR_ALERT_INQUIRY_DAYS - 1);
	rc = cr_store_inquiry_list(txn, k, since, q, CR_REPORT_INQUIRIES_MAX, &n);
	if (rc)
		return rc;
	int32_t count = 0;
	for (size_t i = 0; i < n && i < CR_REPORT_INQUIRIES_MAX; i++)
		count += q[i].date_days >= since && q[i].date_days <= asof_days &&
			 seeks_credit(q[i].purpose);
	for (unsigned i = 0; i < p.n_watchers && !rc; i++) {
		struct cr_alert_config cfg;
		rc = cr_alert_config(txn, p.watchers[i], &cfg);
		if (!rc && count == cfg.inquiries)
			rc = raise_alert(txn, p.watchers[i], k, CR_ALERT_INQUIRIES,
					 cr_day_start_s(asof_days));
	}
	return rc;
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
	int rc = cr_store_subject_get(c->txn, &a->subject, &s);
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
