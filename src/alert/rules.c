/*
 * rules.c - the post-loan monitoring rules, a batch at a time; see alert.h.
 *
 * A batch keeps one entry per account it touched, found by account id in an
 * open-addressing table.  An entry remembers whether another institution
 * watched the person when the batch first touched the account and, only
 * then, the account's state at that moment.  When the batch ends, the
 * watched entries that changed are sorted by person; each person's accounts
 * are read once (cr_store_subject_accounts), each one's state now is
 * derived (cr_current_now), and the rules compare before with now.
 *
 * "Visible" is what a report to an institution counts: a live furnish
 * consent and an account opened by the as-of date (cr_consent_shows).
 * Disputes and retention, which hide months or accounts in a report, are
 * not looked at here.  A watcher is an institution with an open, visible
 * account with the person (cr_consent_relates): a held account makes
 * nobody a watcher, as it unlocks no post_loan report.
 */
#include "alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "consent.h"
#include "cr_date.h"
#include "cr_err.h"
#include "current.h"

/* An account as a report to an institution counts it. */
struct acct_state {
	int visible;
	int32_t dpd;
	int64_t balance;
};

struct entry {
	uint64_t acct_id;
	struct cr_subject_key subject;
	char inst[CR_INST_CODE_MAX + 1];
	uint8_t watched;   /* another institution related to the person */
	uint8_t changed;   /* an accepted record about it in this batch */
	uint8_t is_new;    /* the batch created the account */
	int32_t opened_days;
	struct acct_state before;
	int64_t at_s;      /* the latest time of the data that changed it */
};

/* One person's accounts at the end of a batch, and their watchers: every
 * one, however many (the arrays grow as the person needs). */
struct person {
	struct cr_account_rec *recs;
	struct acct_state *now;
	size_t n, cap;
	char (*watchers)[CR_INST_CODE_MAX + 1];
	size_t n_watchers, cap_watchers;
};

struct cr_alert_batch {
	int32_t asof_days; /* of the person being judged */
	struct entry *e;
	size_t n, cap;
	uint32_t *slot;    /* 1 + index into e; 0 is empty */
	size_t nslot;      /* a power of two, twice cap */
	struct person p;
};

static void person_fini(struct person *p)
{
	free(p->recs);
	free(p->now);
	free(p->watchers);
	memset(p, 0, sizeof *p);
}

/* Room for one more account.  A person has at most CR_SUBJECT_ACCOUNTS_MAX
 * accounts (ingest refuses more), but a store written before that limit
 * may hold more: they are read whole all the same, never refused. */
static int person_room(struct person *p)
{
	if (p->n < p->cap)
		return 0;
	const size_t cap = p->cap ? 2 * p->cap : 64;
	struct cr_account_rec *recs = realloc(p->recs, cap * sizeof *recs);
	if (!recs)
		return CR_ENOMEM;
	p->recs = recs;
	struct acct_state *now = realloc(p->now, cap * sizeof *now);
	if (!now)
		return CR_ENOMEM;
	p->now = now;
	p->cap = cap;
	return 0;
}

/* Adds inst to p's watchers once. */
static int watcher_add(struct person *p, const char *inst)
{
	for (size_t i = 0; i < p->n_watchers; i++)
		if (strcmp(p->watchers[i], inst) == 0)
			return 0;
	if (p->n_watchers == p->cap_watchers) {
		const size_t cap = p->cap_watchers ? 2 * p->cap_watchers : 16;
		char (*w)[CR_INST_CODE_MAX + 1] = realloc(p->watchers, cap * sizeof *w);
		if (!w)
			return CR_ENOMEM;
		p->watchers = w;
		p->cap_watchers = cap;
	}
	snprintf(p->watchers[p->n_watchers++], sizeof p->watchers[0], "%s", inst);
	return 0;
}

int cr_alert_batch_new(struct cr_alert_batch **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? 0 : CR_ENOMEM;
}

void cr_alert_batch_free(struct cr_alert_batch *b)
{
	if (!b)
		return;
	free(b->e);
	free(b->slot);
	person_fini(&b->p);
	free(b);
}

static size_t hash_id(uint64_t id)
{
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdULL;
	id ^= id >> 33;
	return (size_t)id;
}

static struct entry *find(const struct cr_alert_batch *b, uint64_t acct_id)
{
	if (!b->nslot)
		return NULL;
	for (size_t i = hash_id(acct_id) & (b->nslot - 1);; i = (i + 1) & (b->nslot - 1)) {
		const uint32_t s = b->slot[i];
		if (!s)
			return NULL;
		if (b->e[s - 1].acct_id == acct_id)
			return &b->e[s - 1];
	}
}

static void index_entry(struct cr_alert_batch *b, size_t idx)
{
	size_t i = hash_id(b->e[idx].acct_id) & (b->nslot - 1);
	while (b->slot[i])
		i = (i + 1) & (b->nslot - 1);
	b->slot[i] = (uint32_t)(idx + 1);
}

static int grow(struct cr_alert_batch *b)
{
	const size_t cap = b->cap ? b->cap * 2 : 256;
	struct entry *e = realloc(b->e, cap * sizeof *e);
	if (!e)
		return CR_ENOMEM;
	b->e = e;
	uint32_t *slot = calloc(cap * 2, sizeof *slot);
	if (!slot)
		return CR_ENOMEM;
	free(b->slot);
	b->slot = slot;
	b->nslot = cap * 2;
	b->cap = cap;
	for (size_t i = 0; i < b->n; i++)
		index_entry(b, i);
	return 0;
}

/* A new entry for r, or NULL without memory.  Invalidates earlier pointers. */
static struct entry *add(struct cr_alert_batch *b, const struct cr_account_rec *r)
{
	if (b->n == b->cap && grow(b))
		return NULL;
	struct entry *e = &b->e[b->n];
	memset(e, 0, sizeof *e);
	e->acct_id = r->acct_id;
	e->subject = r->subject;
	snprintf(e->inst, sizeof e->inst, "%s", r->a.inst);
	e->opened_days = r->a.opened_days;
	e->at_s = INT64_MIN;
	index_entry(b, b->n++);
	return e;
}

/* The consent facts of the person the rules look at (one at a time). */
static _Thread_local struct cr_consent_facts facts;

struct watch_ctx {
	const char *inst;  /* whose data it is */
	struct person *p;  /* collects the watchers, or NULL: only ask */
	int32_t asof_days;
	int any;
	cr_txn *txn;       /* facts are loaded (loaded), or loaded from txn */
	int loaded;        /* when the first open account of another asks */
};

static int take_watcher(const struct cr_account_rec *r, void *arg)
{
	struct watch_ctx *c = arg;
	if ((c->inst && strcmp(r->a.inst, c->inst) == 0) || r->a.status != CR_ACCT_OPEN)
		return 0;
	if (!c->loaded) {
		int rc = cr_consent_facts_load(c->txn, &r->subject, &facts);
		if (rc)
			return rc;
		c->loaded = 1;
	}
	if (!cr_consent_relates(&facts, r, c->asof_days))
		return 0;
	c->any = 1;
	if (!c->p)
		return 1; /* one is enough: stop the walk */
	return watcher_add(c->p, r->a.inst);
}

/* Is an institution other than r's related to r's person (an open,
 * visible account)?  The person's consent facts are loaded when another
 * institution's open account is met, so always when the answer is yes; a
 * person of one lender, most people of a bulk load, costs no facts. */
static int watched(cr_txn *txn, const struct cr_account_rec *r, int32_t asof_days,
		   uint8_t *out)
{
	struct watch_ctx c = {r->a.inst, NULL, asof_days, 0, txn, 0};
	int rc = cr_store_subject_accounts_bare(txn, &r->subject, take_watcher, &c);
	*out = (uint8_t)c.any;
	return rc == 1 ? 0 : rc;
}

/* r's state as a report counts it, by the facts loaded for its person. */
static int state_now(cr_txn *txn, const struct cr_account_rec *r, int32_t asof_days,
		     struct acct_state *out)
{
	memset(out, 0, sizeof *out);
	if (!cr_consent_shows(&facts, r, asof_days))
		return 0;
	struct cr_current c;
	int rc = cr_current_now(txn, r, asof_days, &c);
	if (rc)
		return rc;
	out->visible = 1;
	out->dpd = c.dpd;
	out->balance = c.balance;
	return 0;
}

int cr_alert_touch(struct cr_alert_batch *b, cr_txn *txn, const struct cr_account_rec *r,
		   int32_t asof_days)
{
	if (find(b, r->acct_id))
		return 0;
	struct entry *e = add(b, r);
	if (!e)
		return CR_ENOMEM;
	int rc = watched(txn, r, asof_days, &e->watched);
	if (!rc && e->watched)
		rc = state_now(txn, r, asof_days, &e->before);
	return rc;
}

int cr_alert_changed(struct cr_alert_batch *b, cr_txn *txn, const struct cr_account_rec *r,
		     int is_new, int64_t at_s, int32_t asof_days)
{
	int rc = 0;
	struct entry *e = find(b, r->acct_id);
	if (!e) {
		e = add(b, r);
		if (!e)
			return CR_ENOMEM;
		e->is_new = (uint8_t)(is_new != 0);
		rc = watched(txn, r, asof_days, &e->watched); /* before: nothing visible */
	}
	e->changed = 1;
	if (at_s > e->at_s)
		e->at_s = at_s;
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

static int take_account(const struct cr_account_rec *r, void *arg)
{
	struct cr_alert_batch *b = arg;
	struct person *p = &b->p;
	if (person_room(p))
		return CR_ENOMEM;
	p->recs[p->n++] = *r;
	struct watch_ctx c = {NULL, p, b->asof_days, 0, NULL, 1};
	return take_watcher(r, &c);
}

/* The person's accounts, their watchers and each account's state now. */
static int load_person(struct cr_alert_batch *b, cr_txn *txn, const struct cr_subject_key *k,
		       int32_t asof_days)
{
	struct person *p = &b->p;
	p->n = 0;
	p->n_watchers = 0;
	b->asof_days = asof_days;
	int rc = cr_consent_facts_load(txn, k, &facts);
	if (!rc)
		rc = cr_store_subject_accounts_bare(txn, k, take_account, b);
	for (size_t i = 0; i < p->n && !rc; i++)
		rc = state_now(txn, &p->recs[i], asof_days, &p->now[i]);
	return rc;
}

static const struct acct_state *now_of(const struct person *p, uint64_t acct_id)
{
	static const struct acct_state gone; /* not among the person's accounts */
	for (size_t i = 0; i < p->n; i++)
		if (p->recs[i].acct_id == acct_id)
			return &p->now[i];
	return &gone;
}

static int64_t contribution(const struct acct_state *s)
{
	return s->visible ? s->balance : 0;
}

/* The alerts for watcher w about entries e[0..n) of one person;
 * before_total is the person's exposure before the batch. */
static int judge(cr_txn *txn, const struct person *p, const struct entry *e, size_t n,
		 const char *w, int64_t before_total, int32_t asof_days)
{
	struct cr_alert_config cfg;
	int rc = cr_alert_config(txn, w, &cfg);
	int64_t rise = 0, at_s = INT64_MIN;
	for (size_t i = 0; i < n && !rc; i++) {
		if (strcmp(e[i].inst, w) == 0)
			continue;
		const struct acct_state *now = now_of(p, e[i].acct_id);
		const struct acct_state *was = &e[i].before;
		rise += contribution(now) - contribution(was);
		if (e[i].at_s > at_s)
			at_s = e[i].at_s;
		if (!now->visible)
			continue;
		if (e[i].is_new && e[i].opened_days > asof_days - CR_ALERT_NEW_ACCOUNT_DAYS)
			rc = raise_alert(txn, w, &e[i].subject, CR_ALERT_NEW_ACCOUNT,
					 cr_day_start_s(e[i].opened_days));
		const int was_30 = was->visible && was->dpd >= CR_ALERT_DPD;
		if (!rc && !was_30 && now->dpd >= CR_ALERT_DPD)
			rc = raise_alert(txn, w, &e[i].subject, CR_ALERT_DPD30, e[i].at_s);
	}
	if (!rc && exposure_rose(&cfg, before_total, before_total + rise))
		rc = raise_alert(txn, w, &e[0].subject, CR_ALERT_EXPOSURE_RISE, at_s);
	return rc;
}

/* The rules for one person, whose changed, watched entries are e[0..n). */
static int judge_person(struct cr_alert_batch *b, cr_txn *txn, const struct entry *e,
			size_t n, int32_t asof_days)
{
	int rc = load_person(b, txn, &e[0].subject, asof_days);
	if (rc)
		return rc;
	const struct person *p = &b->p;
	int64_t total = 0;
	for (size_t i = 0; i < p->n; i++)
		total += contribution(&p->now[i]);
	for (size_t i = 0; i < n; i++)
		total -= contribution(now_of(p, e[i].acct_id)) - contribution(&e[i].before);
	for (size_t w = 0; w < p->n_watchers && !rc; w++)
		rc = judge(txn, p, e, n, p->watchers[w], total, asof_days);
	return rc;
}

static int by_subject(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	return memcmp(x->subject.b, y->subject.b, sizeof x->subject.b);
}

int cr_alert_batch_eval(struct cr_alert_batch *b, cr_txn *txn, int32_t asof_days)
{
	size_t n = 0;
	for (size_t i = 0; i < b->n; i++)
		if (b->e[i].watched && b->e[i].changed)
			b->e[n++] = b->e[i];
	if (n > 1)
		qsort(b->e, n, sizeof *b->e, by_subject);
	int rc = 0;
	for (size_t i = 0, j; i < n && !rc; i = j) {
		for (j = i + 1; j < n && by_subject(&b->e[i], &b->e[j]) == 0; j++)
			;
		rc = judge_person(b, txn, &b->e[i], j - i, asof_days);
	}
	b->n = 0;
	if (b->nslot)
		memset(b->slot, 0, b->nslot * sizeof *b->slot);
	return rc;
}

/* Counts the credit-seeking inquiries (every one, however many). */
static int count_seeking(const struct cr_inquiry *q, void *arg)
{
	*(uint64_t *)arg += cr_purpose_seeks_credit(q->purpose) != 0;
	return 0;
}

int cr_alert_inquiry(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
		     uint8_t purpose, int32_t asof_days)
{
	struct person p;
	uint64_t count = 0;
	if (!cr_purpose_seeks_credit(purpose))
		return 0;
	memset(&p, 0, sizeof p);
	struct watch_ctx c = {inst, &p, asof_days, 0, NULL, 1};
	int rc = cr_consent_facts_load(txn, k, &facts);
	if (!rc)
		rc = cr_store_subject_accounts_bare(txn, k, take_watcher, &c);
	if (!rc && p.n_watchers)
		rc = cr_store_inquiries(txn, k, asof_days - (CR_ALERT_INQUIRY_DAYS - 1), asof_days,
					count_seeking, &count);
	for (size_t i = 0; i < p.n_watchers && !rc; i++) {
		struct cr_alert_config cfg;
		rc = cr_alert_config(txn, p.watchers[i], &cfg);
		if (!rc && count == (uint64_t)cfg.inquiries)
			rc = raise_alert(txn, p.watchers[i], k, CR_ALERT_INQUIRIES,
					 cr_day_start_s(asof_days));
	}
	person_fini(&p);
	return rc;
}
