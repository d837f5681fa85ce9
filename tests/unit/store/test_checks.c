/*
 * test_checks.c - the record checks of store.h (cr_<type>_check in the
 * family files of src/store/): for each record type a valid record passes,
 * records at the edges of their ranges pass, and each broken invariant
 * fails on its own with CR_EINVAL.
 *
 * Each type has a valid record and a break_<type>(x, how) that breaks one
 * invariant per case and names it, NULL past the last case: a switch of
 * one-line cases, read as the table of the type's invariants.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cr_date.h"
#include "cr_err.h"
#include "store.h"

/* Runs every case of a type: a valid record, broken by one case at a
 * time, must fail its check. */
#define EVERY_CASE(type, valid, brk, check)                                   \
	do {                                                                  \
		type x_, scratch_ = valid();                                  \
		const char *what_;                                            \
		for (int how_ = 0; (what_ = brk(&scratch_, how_)); how_++) { \
			x_ = valid();                                         \
			brk(&x_, how_);                                       \
			if (check(&x_) != CR_EINVAL)                          \
				fail_msg(#type " with %s passed its check", what_); \
		}                                                             \
	} while (0)

/* ---- a person's identity ------------------------------------------------ */

static struct cr_subject valid_subject(void)
{
	struct cr_subject s;
	memset(&s, 0, sizeof s);
	snprintf(s.id, sizeof s.id, "11010519491231002X");
	s.birth_days = cr_days_from_civil(1949, 12, 31);
	snprintf(s.name, sizeof s.name, "Name");
	snprintf(s.phone, sizeof s.phone, "+86 10 1234");
	return s;
}

static const char *break_subject(struct cr_subject *s, int how)
{
	switch (how) {
	case 0: s->id[17] = '\0'; return "an ID of 17 characters";
	case 1: s->id[17] = 'x'; return "a lower-case check character";
	case 2: s->id[3] = 'A'; return "a letter among the digits";
	case 3: memset(s->id, '1', sizeof s->id); return "an ID not terminated";
	case 4: s->birth_days = CR_DAYS_MAX + 1; return "a birth date after 2199";
	case 5: s->name[0] = '\0'; return "no name";
	case 6: memset(s->name, 'n', sizeof s->name); return "a name not terminated";
	case 7: memset(s->phone, '1', sizeof s->phone); return "a phone not terminated";
	case 8: memset(s->address, 'a', sizeof s->address); return "an address not terminated";
	}
	return NULL;
}

static void subject_check(void **state)
{
	(void)state;
	struct cr_subject s = valid_subject();
	assert_int_equal(cr_subject_check(&s), 0);
	s.id[17] = '7';
	assert_int_equal(cr_subject_check(&s), 0);
	EVERY_CASE(struct cr_subject, valid_subject, break_subject, cr_subject_check);
}

/* ---- accounts ----------------------------------------------------------- */

static struct cr_account_rec valid_account(void)
{
	struct cr_account_rec r;
	memset(&r, 0, sizeof r);
	r.acct_id = 1 << 16 | 1;
	snprintf(r.a.inst, sizeof r.a.inst, "B0001");
	snprintf(r.a.account, sizeof r.a.account, "HB-0001");
	r.a.id_type = CR_IDTYPE_RESIDENT;
	r.a.product = CR_PROD_REVOLVING;
	r.a.status = CR_ACCT_OPEN;
	r.a.opened_days = cr_days_from_civil(2019, 5, 1);
	memcpy(r.a.currency, "CNY", 4);
	r.a.credit_limit = 1000000;
	return r;
}

/* The account's own invariants are cr_account_check's (test_record.c). */
static const char *break_account(struct cr_account_rec *r, int how)
{
	switch (how) {
	case 0: r->acct_id = 0; return "no account id";
	case 1: r->a.product = 0; return "an account that fails cr_account_check";
	}
	return NULL;
}

static void account_rec_check(void **state)
{
	(void)state;
	struct cr_account_rec r = valid_account();
	assert_int_equal(cr_account_rec_check(&r), 0);
	EVERY_CASE(struct cr_account_rec, valid_account, break_account, cr_account_rec_check);
}

/* ---- history ------------------------------------------------------------ */

static struct cr_month_rec valid_month(void)
{
	return (struct cr_month_rec){'1', 20, 52000, 5000, 0, 5000};
}

static const char *break_month(struct cr_month_rec *m, int how)
{
	switch (how) {
	case 0: m->status = 'Q'; return "an unknown status";
	case 1: m->dpd = -1; return "a negative dpd";
	case 2: m->dpd = CR_DPD_MAX + 1; return "a dpd over the maximum";
	case 3: m->balance = -1; return "a negative balance";
	case 4: m->due = CR_AMOUNT_MAX + 1; return "a due amount over the maximum";
	case 5: m->paid = -5; return "a negative paid amount";
	case 6: m->overdue = INT64_MAX; return "an overdue amount over the maximum";
	case 7: *m = (struct cr_month_rec){0}; m->balance = 1; return "an empty month with a balance";
	case 8: *m = (struct cr_month_rec){0}; m->dpd = 1; return "an empty month with a dpd";
	}
	return NULL;
}

static struct cr_hist_year valid_year(void)
{
	struct cr_hist_year h;
	memset(&h, 0, sizeof h);
	h.m[0] = (struct cr_month_rec){'N', 0, 52000, 5000, 5000, 0};
	h.m[11] = valid_month();
	return h;
}

static const char *break_year(struct cr_hist_year *h, int how)
{
	switch (how) {
	case 0: h->m[5].status = '7'; h->m[5].dpd = -3; return "a broken month in the middle";
	case 1: h->m[11].status = 'n'; return "a broken last month";
	case 2: h->m[3].paid = 1; return "an empty month with an amount";
	}
	return NULL;
}

static void month_and_year_checks(void **state)
{
	(void)state;
	struct cr_month_rec m = valid_month(), empty = {0};
	assert_int_equal(cr_month_rec_check(&m), 0);
	assert_int_equal(cr_month_rec_check(&empty), 0);
	static const char codes[] = "N1234567CGDZ*#";
	for (size_t i = 0; i < sizeof codes - 1; i++) {
		m = (struct cr_month_rec){codes[i], CR_DPD_MAX, CR_AMOUNT_MAX, 0, CR_AMOUNT_MAX, 0};
		assert_int_equal(cr_month_rec_check(&m), 0);
	}
	EVERY_CASE(struct cr_month_rec, valid_month, break_month, cr_month_rec_check);
	struct cr_hist_year h = valid_year(), none;
	memset(&none, 0, sizeof none);
	assert_int_equal(cr_hist_year_check(&h), 0);
	assert_int_equal(cr_hist_year_check(&none), 0);
	EVERY_CASE(struct cr_hist_year, valid_year, break_year, cr_hist_year_check);
}

/* ---- consent facts and inquiries ---------------------------------------- */

static struct cr_consent_fact valid_fact(void)
{
	return (struct cr_consent_fact){"L0001", CR_SCOPE_QUERY, CR_PURPOSE_LOAN_APPROVAL,
					cr_days_from_civil(2021, 6, 1), CR_NO_DATE, CR_NO_DATE,
					"sha256:ab"};
}

static const char *break_fact(struct cr_consent_fact *f, int how)
{
	switch (how) {
	case 0: f->inst[0] = '\0'; return "no institution";
	case 1: memset(f->inst, 'L', sizeof f->inst); return "an institution not terminated";
	case 2: f->scope = 0; return "scope 0";
	case 3: f->scope = CR_SCOPE_QUERY + 1; return "a scope past the last";
	case 4: f->purpose = CR_PURPOSE_SELF + 1; return "a purpose past the last";
	case 5: f->scope = CR_SCOPE_FURNISH; return "a furnish consent with a purpose";
	case 6: f->granted_days = CR_NO_DATE; return "no grant date";
	case 7: f->granted_days = CR_DAYS_MIN - 1; return "granted before 1900";
	case 8: f->expires_days = CR_DAYS_MAX + 1; return "expiring after 2199";
	case 9: f->revoked_days = CR_DAYS_MIN - 1; return "revoked before 1900";
	case 10: memset(f->evidence, 'e', sizeof f->evidence); return "evidence not terminated";
	}
	return NULL;
}

static void consent_fact_check(void **state)
{
	(void)state;
	struct cr_consent_fact f = valid_fact();
	assert_int_equal(cr_consent_fact_check(&f), 0);
	/* A furnish grant; a revocation of every query purpose; dates set. */
	f.scope = CR_SCOPE_FURNISH;
	f.purpose = CR_PURPOSE_NONE;
	f.evidence[0] = '\0';
	assert_int_equal(cr_consent_fact_check(&f), 0);
	f = valid_fact();
	f.purpose = CR_PURPOSE_NONE;
	f.expires_days = CR_DAYS_MAX;
	f.revoked_days = cr_days_from_civil(2021, 7, 1);
	assert_int_equal(cr_consent_fact_check(&f), 0);
	EVERY_CASE(struct cr_consent_fact, valid_fact, break_fact, cr_consent_fact_check);
}

static struct cr_inquiry valid_inquiry(void)
{
	return (struct cr_inquiry){cr_days_from_civil(2022, 1, 1), 7, "L0001",
				   CR_PURPOSE_LOAN_APPROVAL, 0};
}

static const char *break_inquiry(struct cr_inquiry *q, int how)
{
	switch (how) {
	case 0: q->date_days = CR_NO_DATE; return "no date";
	case 1: q->seq = 0; return "seq 0";
	case 2: q->purpose = CR_PURPOSE_NONE; return "no purpose";
	case 3: q->purpose = CR_PURPOSE_SELF + 1; return "a purpose past the last";
	case 4: q->chargeable = 2; return "chargeable 2";
	case 5: memset(q->inst, 'L', sizeof q->inst); return "an institution not terminated";
	case 6: q->inst[0] = '\0'; return "a lender's inquiry without the lender";
	case 7: q->purpose = CR_PURPOSE_SELF; return "the subject's own inquiry naming a lender";
	}
	return NULL;
}

static void inquiry_check(void **state)
{
	(void)state;
	struct cr_inquiry q = valid_inquiry();
	assert_int_equal(cr_inquiry_check(&q), 0);
	q = (struct cr_inquiry){CR_DAYS_MIN, 1, "", CR_PURPOSE_SELF, 1};
	assert_int_equal(cr_inquiry_check(&q), 0);
	EVERY_CASE(struct cr_inquiry, valid_inquiry, break_inquiry, cr_inquiry_check);
}

/* ---- events, disputes, revisions ---------------------------------------- */

static struct cr_event_rec valid_event(void)
{
	struct cr_event_rec e;
	memset(&e, 0, sizeof e);
	e.acct_id = 5;
	e.at_s = cr_day_start_s(cr_days_from_civil(2021, 1, 15));
	e.kind = CR_EV_OVERDUE;
	e.dpd = 3;
	e.amount = 12345;
	return e;
}

static const char *break_event(struct cr_event_rec *e, int how)
{
	switch (how) {
	case 0: e->acct_id = 0; return "no account";
	case 1: e->at_s = CR_TIME_MIN - 1; return "a time before 1900";
	case 2: e->at_s = CR_TIME_MAX + 1; return "a time after 2199";
	case 3: e->kind = 0; return "kind 0";
	case 4: e->kind = CR_EV_CLOSE + 1; return "a kind past the last";
	case 5: e->amount = -1; return "a negative amount";
	case 6: e->amount = CR_AMOUNT_MAX + 1; return "an amount over the maximum";
	case 7: e->dpd = -1; return "a negative dpd";
	case 8: e->dpd = CR_DPD_MAX + 1; return "a dpd over the maximum";
	}
	return NULL;
}

static void event_rec_check(void **state)
{
	(void)state;
	struct cr_event_rec e = valid_event();
	assert_int_equal(cr_event_rec_check(&e), 0);
	e.at_s = -86400; /* before 1970 too */
	e.kind = CR_EV_CLOSE;
	e.amount = 0;
	e.dpd = 0;
	assert_int_equal(cr_event_rec_check(&e), 0);
	EVERY_CASE(struct cr_event_rec, valid_event, break_event, cr_event_rec_check);
}

static struct cr_dispute valid_dispute(void)
{
	struct cr_dispute d;
	memset(&d, 0, sizeof d);
	d.id = 3;
	d.acct_id = 1 << 16 | 1;
	snprintf(d.inst, sizeof d.inst, "B0001");
	snprintf(d.account, sizeof d.account, "HB-0001");
	d.month = CR_WHOLE_ACCOUNT;
	d.filed_days = cr_days_from_civil(2026, 6, 30);
	d.status = CR_DISPUTE_OPEN;
	d.resolved_days = CR_NO_DATE;
	snprintf(d.reason, sizeof d.reason, "not mine");
	return d;
}

static const char *break_dispute(struct cr_dispute *d, int how)
{
	switch (how) {
	case 0: d->id = 0; return "no id";
	case 1: d->acct_id = 0; return "no account";
	case 2: d->inst[0] = '\0'; return "no institution";
	case 3: d->account[0] = '\0'; return "no account number";
	case 4: memset(d->account, 'a', sizeof d->account); return "a number not terminated";
	case 5: memset(d->reason, 'r', sizeof d->reason); return "a reason not terminated";
	case 6: d->month = CR_MONTH_MAX + 1; return "a month after 2199";
	case 7: d->filed_days = CR_NO_DATE; return "no filing date";
	case 8: d->status = 0; return "status 0";
	case 9: d->status = CR_DISPUTE_CORRECTED + 1; return "a status past the last";
	case 10: d->resolved_days = d->filed_days; return "an open dispute resolved";
	case 11: d->status = CR_DISPUTE_VERIFIED; return "an answered dispute not resolved";
	}
	return NULL;
}

static void dispute_check(void **state)
{
	(void)state;
	struct cr_dispute d = valid_dispute();
	assert_int_equal(cr_dispute_check(&d), 0);
	d.month = CR_MONTH_MIN;
	d.status = CR_DISPUTE_CORRECTED;
	d.resolved_days = d.filed_days + 3;
	d.reason[0] = '\0';
	assert_int_equal(cr_dispute_check(&d), 0);
	EVERY_CASE(struct cr_dispute, valid_dispute, break_dispute, cr_dispute_check);
}

static struct cr_revision valid_revision(void)
{
	return (struct cr_revision){1 << 16 | 1, 2021 * 12 + 5, 3, cr_days_from_civil(2026, 6, 30),
				    {'N', 0, 52000, 5000, 5000, 0}};
}

static const char *break_revision(struct cr_revision *r, int how)
{
	switch (how) {
	case 0: r->acct_id = 0; return "no account";
	case 1: r->month = CR_MONTH_MIN - 1; return "a month before 1900";
	case 2: r->dispute_id = 0; return "no dispute";
	case 3: r->date_days = CR_DAYS_MAX + 1; return "a date after 2199";
	case 4: r->old.status = 'q'; return "an old month that fails its check";
	}
	return NULL;
}

static void revision_check(void **state)
{
	(void)state;
	struct cr_revision r = valid_revision();
	assert_int_equal(cr_revision_check(&r), 0);
	r.old = (struct cr_month_rec){0}; /* there was no statement */
	assert_int_equal(cr_revision_check(&r), 0);
	EVERY_CASE(struct cr_revision, valid_revision, break_revision, cr_revision_check);
}

/* ---- API keys, alerts, webhooks, the audit head ------------------------- */

static struct cr_apikey valid_apikey(void)
{
	struct cr_apikey k;
	memset(&k, 0, sizeof k);
	snprintf(k.key_id, sizeof k.key_id, "0123456789abcdef");
	k.role = 1;
	snprintf(k.inst, sizeof k.inst, "B0001");
	k.created = 1782784800;
	return k;
}

static const char *break_apikey(struct cr_apikey *k, int how)
{
	switch (how) {
	case 0: k->key_id[15] = '\0'; return "a key id of 15 digits";
	case 1: k->key_id[3] = 'A'; return "an upper-case digit";
	case 2: k->key_id[3] = 'g'; return "a key id that is not hex";
	case 3: memset(k->key_id, 'a', sizeof k->key_id); return "a key id not terminated";
	case 4: k->role = 0; return "role 0";
	case 5: k->role = CR_APIKEY_ROLE_MAX + 1; return "a role past the last";
	case 6: k->has_subject = 2; return "has_subject 2";
	case 7: memset(k->inst, 'B', sizeof k->inst); return "an institution not terminated";
	case 8: k->created = CR_TIME_MIN - 1; return "created before 1900";
	case 9: k->revoked = CR_TIME_MAX + 1; return "revoked after 2199";
	}
	return NULL;
}

static void apikey_rec_check(void **state)
{
	(void)state;
	struct cr_apikey k = valid_apikey();
	assert_int_equal(cr_apikey_rec_check(&k), 0);
	k.role = CR_APIKEY_ROLE_MAX;
	k.inst[0] = '\0';
	k.has_subject = 1;
	k.revoked = k.created + 1;
	assert_int_equal(cr_apikey_rec_check(&k), 0);
	EVERY_CASE(struct cr_apikey, valid_apikey, break_apikey, cr_apikey_rec_check);
}

static struct cr_alert_rec valid_alert(void)
{
	return (struct cr_alert_rec){.seq = 1, .kind = 1, .raised_s = 1782784800, .at_s = 1};
}

static const char *break_alert(struct cr_alert_rec *a, int how)
{
	switch (how) {
	case 0: a->seq = 0; return "seq 0";
	case 1: a->kind = 0; return "kind 0";
	case 2: a->kind = CR_ALERT_KIND_MAX + 1; return "a kind past the last";
	case 3: a->raised_s = CR_TIME_MAX + 1; return "raised after 2199";
	case 4: a->at_s = INT64_MIN; return "a time of no data";
	}
	return NULL;
}

static void alert_rec_check(void **state)
{
	(void)state;
	struct cr_alert_rec a = valid_alert();
	assert_int_equal(cr_alert_rec_check(&a), 0);
	a.kind = CR_ALERT_KIND_MAX;
	assert_int_equal(cr_alert_rec_check(&a), 0);
	EVERY_CASE(struct cr_alert_rec, valid_alert, break_alert, cr_alert_rec_check);
}

static struct cr_alert_config valid_config(void)
{
	return (struct cr_alert_config){20, 1000000, 3};
}

static const char *break_config(struct cr_alert_config *c, int how)
{
	switch (how) {
	case 0: c->exposure_pct = -1; return "a negative percentage";
	case 1: c->exposure_pct = CR_ALERT_EXPOSURE_PCT_MAX + 1; return "a percentage too high";
	case 2: c->exposure_min = -1; return "a negative minimum";
	case 3: c->exposure_min = CR_AMOUNT_MAX + 1; return "a minimum over the maximum amount";
	case 4: c->inquiries = 0; return "0 inquiries";
	case 5: c->inquiries = CR_ALERT_INQUIRIES_MAX + 1; return "too many inquiries";
	}
	return NULL;
}

static void alert_config_check(void **state)
{
	(void)state;
	struct cr_alert_config c = valid_config();
	assert_int_equal(cr_alert_config_check(&c), 0);
	c = (struct cr_alert_config){0, 0, 1};
	assert_int_equal(cr_alert_config_check(&c), 0);
	c = (struct cr_alert_config){CR_ALERT_EXPOSURE_PCT_MAX, CR_AMOUNT_MAX,
				     CR_ALERT_INQUIRIES_MAX};
	assert_int_equal(cr_alert_config_check(&c), 0);
	EVERY_CASE(struct cr_alert_config, valid_config, break_config, cr_alert_config_check);
}

static struct cr_webhook valid_webhook(void)
{
	struct cr_webhook w;
	memset(&w, 0, sizeof w);
	snprintf(w.inst, sizeof w.inst, "L0001");
	snprintf(w.url, sizeof w.url, "https://hooks.example.com/L0001");
	snprintf(w.secret, sizeof w.secret, "whsec_secret");
	w.gen = 1;
	w.created_s = w.updated_s = 1782784800;
	w.s = (struct cr_webhook_state){7, 1782784800123, 1782784805123, 2, 503, 1};
	return w;
}

static const char *break_webhook(struct cr_webhook *w, int how)
{
	switch (how) {
	case 0: w->inst[0] = '\0'; return "no institution";
	case 1: w->url[0] = '\0'; return "no URL";
	case 2: memset(w->url, 'u', sizeof w->url); return "a URL not terminated";
	case 3: memset(w->secret, 's', sizeof w->secret); return "a secret not terminated";
	case 4: w->gen = 0; return "gen 0";
	case 5: w->created_s = CR_TIME_MIN - 1; return "created before 1900";
	case 6: w->updated_s = CR_TIME_MAX + 1; return "updated after 2199";
	case 7: w->s.last_error = CR_WEBHOOK_LAST_ERROR_MAX + 1; return "a state that fails its check";
	}
	return NULL;
}

static struct cr_webhook_state valid_state(void)
{
	return valid_webhook().s;
}

static const char *break_state(struct cr_webhook_state *s, int how)
{
	switch (how) {
	case 0: s->last_attempt_ms = CR_TIME_MAX * 1000 + 1; return "an attempt after 2199";
	case 1: s->next_attempt_ms = CR_TIME_MIN * 1000 - 1; return "a next attempt before 1900";
	case 2: s->last_status = 1000; return "an HTTP status of four digits";
	case 3: s->last_error = CR_WEBHOOK_LAST_ERROR_MAX + 1; return "an error past the last";
	}
	return NULL;
}

static void webhook_checks(void **state)
{
	(void)state;
	struct cr_webhook w = valid_webhook();
	assert_int_equal(cr_webhook_check(&w), 0);
	w.secret[0] = '\0'; /* read without its secret */
	w.s = (struct cr_webhook_state){0};
	assert_int_equal(cr_webhook_check(&w), 0);
	EVERY_CASE(struct cr_webhook, valid_webhook, break_webhook, cr_webhook_check);
	EVERY_CASE(struct cr_webhook_state, valid_state, break_state, cr_webhook_state_check);
}

static struct cr_audit_head valid_head(void)
{
	struct cr_audit_head h;
	memset(&h, 0xab, sizeof h);
	h.seq = 1;
	return h;
}

static const char *break_head(struct cr_audit_head *h, int how)
{
	return how == 0 ? (h->seq = 0, "seq 0") : NULL;
}

static void audit_head_check(void **state)
{
	(void)state;
	struct cr_audit_head h = valid_head();
	assert_int_equal(cr_audit_head_check(&h), 0);
	EVERY_CASE(struct cr_audit_head, valid_head, break_head, cr_audit_head_check);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(subject_check),
		cmocka_unit_test(account_rec_check),
		cmocka_unit_test(month_and_year_checks),
		cmocka_unit_test(consent_fact_check),
		cmocka_unit_test(inquiry_check),
		cmocka_unit_test(event_rec_check),
		cmocka_unit_test(dispute_check),
		cmocka_unit_test(revision_check),
		cmocka_unit_test(apikey_rec_check),
		cmocka_unit_test(alert_rec_check),
		cmocka_unit_test(alert_config_check),
		cmocka_unit_test(webhook_checks),
		cmocka_unit_test(audit_head_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
