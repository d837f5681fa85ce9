/*
 * ingest.c - the furnishing pipeline; see ingest.h for the contract.
 *
 * The hot path is a statement for the same account as the line before it
 * (furnisher files are grouped by account).  Two one-entry caches make that
 * case cost a parse and a compare: the account cache holds the last account
 * with its furnish-consent state, and the year cache holds the decoded
 * history year being filled.  The year is encoded and written when the next
 * statement moves to another account or year, and before every commit.
 */
#include "ingest.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"
#include "consent.h"
#include "cr_assert.h"
#include "cr_buf.h"
#include "cr_date.h"
#include "cr_err.h"
#include "current.h"
#include "ingest_quality.h"
#include "jsonl.h"
#include "utf8.h"
#include "validate.h"

struct acct_cache {
	int valid;
	struct cr_account_rec rec;
	int furnish_live;
	uint64_t held_pending; /* held records not yet added to the store count */
};

struct year_cache {
	int valid;
	int dirty;
	uint64_t acct_id;
	int year;
	struct cr_hist_year h;
};

struct cr_ingest {
	cr_store *st;
	cr_txn *txn;
	int32_t asof_days;
	cr_reject_fn on_reject;
	void *reject_arg;
	struct cr_ingest_counts c;
	uint64_t pending; /* lines in the open batch */
	int err;          /* first store error; the session is dead after it */
	int external;     /* txn is the caller's: never committed here */
	const char *only_inst;  /* records must name this institution, or NULL */
	const struct cr_subject_key *only_subject; /* consents must be about them */
	uint8_t only_type;      /* 0, or the one record type accepted */
	struct acct_cache ac;
	struct year_cache yc;
	struct cr_alert_batch *alerts; /* what the batch changed (alert.h) */
	uint64_t *restate;     /* accounts whose history or record the batch
				* changed: their states are derived and kept
				* when it ends (current.h) */
	size_t n_restate, cap_restate;
	uint64_t last_checked;  /* restate() looked at this account last */
	const struct cr_record *rec; /* the record being applied */
	struct cr_ingest_qual q;     /* quality counters (ingest_quality.h) */
	struct cr_qual_line ql;      /* what the line being applied did */
	struct cr_parsed own;        /* cr_ingest_line parses here */
};

static struct cr_ingest *session_new(cr_store *st, int32_t asof_days,
				     cr_reject_fn on_reject, void *reject_arg)
{
	struct cr_ingest *ig = calloc(1, sizeof *ig);
	if (!ig)
		return NULL;
	if (cr_alert_batch_new(&ig->alerts)) {
		free(ig);
		return NULL;
	}
	ig->st = st;
	ig->asof_days = asof_days;
	ig->on_reject = on_reject;
	ig->reject_arg = reject_arg;
	ig->q.arrival_s = cr_qual_arrival(asof_days, (int64_t)time(NULL));
	return ig;
}

int cr_ingest_begin(cr_store *st, int32_t asof_days, cr_reject_fn on_reject,
		    void *reject_arg, struct cr_ingest **out)
{
	*out = NULL;
	struct cr_ingest *ig = session_new(st, asof_days, on_reject, reject_arg);
	if (!ig)
		return CR_ENOMEM;
	int rc = cr_store_begin(st, 1, &ig->txn);
	if (rc) {
		cr_alert_batch_free(ig->alerts);
		free(ig);
		return rc;
	}
	*out = ig;
	return 0;
}

int cr_ingest_begin_in(cr_store *st, cr_txn *txn, int32_t asof_days,
		       cr_reject_fn on_reject, void *reject_arg,
		       struct cr_ingest **out)
{
	*out = session_new(st, asof_days, on_reject, reject_arg);
	if (!*out)
		return CR_ENOMEM;
	(*out)->txn = txn;
	(*out)->external = 1;
	return 0;
}

void cr_ingest_restrict(struct cr_ingest *ig, const char *inst,
			const struct cr_subject_key *subject, uint8_t only_type)
{
	ig->only_inst = inst;
	ig->only_subject = subject;
	ig->only_type = only_type;
}

const struct cr_ingest_counts *cr_ingest_counts(const struct cr_ingest *ig)
{
	return &ig->c;
}

static int flush_held(struct cr_ingest *ig)
{
	struct acct_cache *ac = &ig->ac;
	if (!ac->valid || !ac->held_pending)
		return 0;
	int rc = cr_store_held_add(ig->txn, &ac->rec.subject, ac->rec.a.inst,
				   ac->held_pending);
	ac->held_pending = 0;
	return rc;
}

/* Notes that account id's state must be derived anew at the batch's end. */
static int restate_always(struct cr_ingest *ig, uint64_t id)
{
	if (ig->n_restate && ig->restate[ig->n_restate - 1] == id)
		return 0;
	if (ig->n_restate == ig->cap_restate) {
		const size_t cap = ig->cap_restate ? 2 * ig->cap_restate : 1024;
		uint64_t *r = realloc(ig->restate, cap * sizeof *r);
		if (!r)
			return CR_ENOMEM;
		ig->restate = r;
		ig->cap_restate = cap;
	}
	ig->restate[ig->n_restate++] = id;
	return 0;
}

/* Notes that account id's state must be derived anew at the batch's end,
 * when one was kept: a state nobody has asked for yet (a new account's, in
 * a bulk load) is derived by the first reader that needs it. */
static int restate(struct cr_ingest *ig, uint64_t id)
{
	if (ig->last_checked == id)
		return 0;
	ig->last_checked = id;
	uint8_t b[CR_STORE_STATE_MAX];
	size_t n;
	int rc = cr_store_state_get(ig->txn, id, b, &n);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	return restate_always(ig, id);
}

static int by_id(const void *a, const void *b)
{
	const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Derives and keeps the state of every account the batch restated, so that
 * the alert rules and later batches read it (current.h). */
static int restate_all(struct cr_ingest *ig)
{
	int rc = 0;
	if (ig->n_restate > 1)
		qsort(ig->restate, ig->n_restate, sizeof *ig->restate, by_id);
	for (size_t i = 0; i < ig->n_restate && !rc; i++) {
		struct cr_account_rec r;
		struct cr_current c;
		if (i && ig->restate[i] == ig->restate[i - 1])
			continue;
		rc = cr_store_account_by_id(ig->txn, ig->restate[i], &r);
		if (!rc)
			rc = cr_current_now(ig->txn, &r, ig->asof_days, &c);
	}
	ig->n_restate = 0;
	ig->last_checked = 0;
	return rc;
}

static int flush_year(struct cr_ingest *ig)
{
	struct year_cache *yc = &ig->yc;
	if (!yc->valid || !yc->dirty)
		return 0;
	yc->dirty = 0;
	return cr_store_hist_put(ig->txn, yc->acct_id, yc->year, &yc->h);
}

int cr_ingest_flush(struct cr_ingest *ig)
{
	if (ig->err)
		return ig->err;
	int rc = flush_year(ig);
	if (!rc)
		rc = flush_held(ig);
	if (!rc)
		rc = restate_all(ig);
	if (!rc)
		rc = cr_alert_batch_eval(ig->alerts, ig->txn, ig->asof_days);
	if (!rc)
		rc = cr_qual_flush(&ig->q, ig->txn, ig->asof_days);
	if (!rc && ig->external) {
		ig->pending = 0; /* durable when the caller commits */
		return 0;
	}
	if (!rc) {
		rc = cr_store_commit(ig->txn);
		ig->txn = NULL;
	}
	if (!rc)
		rc = cr_store_begin(ig->st, 1, &ig->txn);
	if (rc) {
		ig->err = rc;
		return rc;
	}
	ig->c.durable = ig->c.submitted;
	ig->pending = 0;
	return 0;
}

static int reject(struct cr_ingest *ig, struct cr_diag *d, const char *line,
		  size_t len)
{
	ig->c.rejected++;
	if (d->reason && strcmp(d->reason, CR_REASON_PROHIBITED) == 0)
		ig->c.prohibited++;
	if (ig->on_reject) {
		int rc = ig->on_reject(d, line, len, ig->reject_arg);
		if (rc)
			return rc;
	}
	return CR_OUT_REJECTED;
}

/* Is the furnish consent of r's person to r's institution live? */
static int furnish_live(struct cr_ingest *ig, const struct cr_account_rec *r, int *live)
{
	return cr_consent_check(ig->txn, &r->subject, r->a.inst, CR_SCOPE_FURNISH,
				CR_PURPOSE_NONE, ig->asof_days, live);
}

/* Points the account cache at stored account r, with its furnish-consent
 * state (live, or -1: not known yet).  Returns 0 or a store error. */
static int cache_account(struct cr_ingest *ig, const struct cr_account_rec *r, int live)
{
	struct acct_cache *ac = &ig->ac;
	int rc = flush_held(ig);
	if (rc)
		return rc;
	ac->valid = 0;
	ac->rec = *r;
	ac->furnish_live = live;
	if (live < 0 && (rc = furnish_live(ig, &ac->rec, &ac->furnish_live)))
		return rc;
	ac->valid = 1;
	return 0;
}

/* Points the account cache at (inst, account), loading it if needed.
 * Returns 0, CR_ENOTFOUND, or a store error. */
static int load_account(struct cr_ingest *ig, const char *inst, const char *account)
{
	struct acct_cache *ac = &ig->ac;
	if (ac->valid && strcmp(ac->rec.a.account, account) == 0 &&
	    strcmp(ac->rec.a.inst, inst) == 0)
		return 0;
	struct cr_account_rec r;
	int rc = cr_store_account_get(ig->txn, inst, account, &r);
	return rc ? rc : cache_account(ig, &r, -1);
}

static int known_inst(struct cr_ingest *ig, const char *code)
{
	struct cr_institution in;
	return cr_store_inst_get(ig->txn, code, &in);
}

static int check_institutions(struct cr_ingest *ig, const struct cr_account *a,
			      struct cr_diag *d)
{
	int rc = known_inst(ig, a->inst);
	if (rc == CR_ENOTFOUND)
		return cr_diag_set(d, "institution", "unknown institution (furnish its institution record first)");
	for (int i = 0; i < a->n_colenders && !rc; i++) {
		rc = known_inst(ig, a->colenders[i].inst);
		if (rc == CR_ENOTFOUND)
			return cr_diag_set(d, "co_lenders", "unknown co-lender institution");
	}
	return rc;
}

#define CR_STR(x) #x
#define CR_XSTR(x) CR_STR(x)

/* A person keeps at most CR_SUBJECT_ACCOUNTS_MAX accounts (cr_limits.h
 * says why): a line that would open one more is refused with its reason,
 * and nothing of it is stored. */
static int room_for_account(struct cr_ingest *ig, const struct cr_subject_key *k,
			    struct cr_diag *d)
{
	size_t n;
	int rc = cr_store_subject_account_count(ig->txn, k, &n);
	if (rc || n < CR_SUBJECT_ACCOUNTS_MAX)
		return rc;
	return cr_diag_set(d, "id", "the person already has " CR_XSTR(CR_SUBJECT_ACCOUNTS_MAX)
			   " accounts, the most the bureau keeps for one person");
}

/* An accepted record about the cached account: the alert rules hear of it. */
static int accepted(struct cr_ingest *ig, int is_new, int64_t at_s)
{
	int rc = cr_alert_changed(ig->alerts, ig->txn, &ig->ac.rec, is_new, at_s, ig->asof_days);
	return rc ? rc : CR_OUT_ACCEPTED;
}

/* The identity account line a furnishes; a held line's changes nothing
 * others see (consent.h, "Identities").  1 when what is stored changed. */
static int put_identity(struct cr_ingest *ig, const struct cr_subject_key *k,
			const struct cr_account *a, int live)
{
	struct cr_subject s;
	memset(&s, 0, sizeof s);
	memcpy(s.id, a->id, sizeof s.id);
	s.birth_days = a->birth_days;
	memcpy(s.name, a->name, sizeof s.name);
	memcpy(s.phone, a->phone, sizeof s.phone);
	memcpy(s.address, a->address, sizeof s.address);
	int changed = cr_consent_identity_furnished(ig->txn, k, a->inst, live, &s);
	sodium_memzero(&s, sizeof s);
	return changed;
}

static int apply_account(struct cr_ingest *ig, const struct cr_account *a,
			 struct cr_diag *d)
{
	int rc = check_institutions(ig, a, d);
	if (rc)
		return rc;
	struct cr_subject_key k;
	cr_store_subject_key(ig->st, a->id, &k);
	struct cr_account_rec old, rec;
	rc = cr_store_account_get(ig->txn, a->inst, a->account, &old);
	if (rc && rc != CR_ENOTFOUND)
		return rc;
	if (rc == 0 && memcmp(old.subject.b, k.b, sizeof k.b) != 0)
		return cr_diag_set(d, "id", "account is already furnished for another person");
	const int is_new = rc == CR_ENOTFOUND;
	if (is_new && (rc = room_for_account(ig, &k, d)))
		return rc;
	if (!is_new) {
		rc = cr_alert_touch(ig->alerts, ig->txn, &old, ig->asof_days);
		if (rc)
			return rc;
	}
	memset(&rec, 0, sizeof rec);
	rec.acct_id = is_new ? 0 : old.acct_id;
	rec.subject = k;
	rec.a = *a;
	rec.a.id[0] = rec.a.name[0] = rec.a.phone[0] = rec.a.address[0] = '\0';
	int live;
	if ((rc = furnish_live(ig, &rec, &live)))
		return rc;
	int changed = put_identity(ig, &k, a, live);
	if (changed < 0)
		return changed;
	if (!is_new && (rc = restate(ig, old.acct_id)) < 0)
		return rc;
	rc = cr_store_account_put(ig->txn, &rec);
	if (rc < 0)
		return rc;
	changed |= rc;
	/* The statements that follow are for this account: cache it. */
	rc = cache_account(ig, &rec, live);
	if (rc)
		return rc;
	if (!changed)
		return CR_OUT_UNCHANGED;
	if (ig->ac.furnish_live)
		return accepted(ig, is_new, cr_day_start_s(a->opened_days));
	ig->ac.held_pending++;
	return CR_OUT_HELD;
}

static int same_month(const struct cr_month_rec *a, const struct cr_month_rec *b)
{
	return a->status == b->status && a->dpd == b->dpd &&
	       a->balance == b->balance && a->due == b->due &&
	       a->paid == b->paid && a->overdue == b->overdue;
}

static int apply_statement(struct cr_ingest *ig, const struct cr_statement *s,
			   struct cr_diag *d)
{
	int rc = load_account(ig, s->inst, s->account);
	if (rc == CR_ENOTFOUND)
		return cr_diag_set(d, "account", "unknown account for this institution (furnish the account record first)");
	if (rc)
		return rc;
	struct acct_cache *ac = &ig->ac;
	const char *why;
	if (!cr_statement_month_fits(&ac->rec.a, s->month, &why))
		return cr_diag_set(d, "month", why);
	struct year_cache *yc = &ig->yc;
	const int year = s->month / 12;
	if (!yc->valid || yc->acct_id != ac->rec.acct_id || yc->year != year) {
		rc = flush_year(ig);
		if (rc)
			return rc;
		yc->valid = 0;
		rc = cr_store_hist_get(ig->txn, ac->rec.acct_id, year, &yc->h);
		if (rc && rc != CR_ENOTFOUND)
			return rc;
		yc->acct_id = ac->rec.acct_id;
		yc->year = year;
		yc->valid = 1;
	}
	const struct cr_month_rec m = {s->status, s->dpd, s->balance, s->due,
				       s->paid, s->overdue};
	struct cr_month_rec *slot = &yc->h.m[s->month % 12];
	if (same_month(slot, &m))
		return CR_OUT_UNCHANGED;
	ig->ql.late = slot->status != '\0';
	/* The state before, for the alert rules, is the store's until the
	 * batch first changes this account. */
	rc = cr_alert_touch(ig->alerts, ig->txn, &ac->rec, ig->asof_days);
	if (rc)
		return rc;
	*slot = m;
	yc->dirty = 1;
	if ((rc = restate(ig, ac->rec.acct_id)))
		return rc;
	if (ac->furnish_live)
		return accepted(ig, 0, cr_month_end_s(s->month));
	ac->held_pending++;
	return CR_OUT_HELD;
}

/*
 * An event is stored under its institution's event_id: a retry of the same
 * event is unchanged, never counted twice, and an id reused for a different
 * event is refused, keeping the first.  The event's time must fall on or
 * after the day the account opened (from 00:00:00+08:00).
 */
static int apply_event(struct cr_ingest *ig, const struct cr_event *e,
		       struct cr_diag *d)
{
	int rc = load_account(ig, e->inst, e->account);
	if (rc == CR_ENOTFOUND)
		return cr_diag_set(d, "account", "unknown account for this institution (furnish the account record first)");
	if (rc)
		return rc;
	struct acct_cache *ac = &ig->ac;
	if (e->at_s < cr_day_start_s(ac->rec.a.opened_days))
		return cr_diag_set(d, "at", "event is before the account opened");
	struct cr_event_rec er;
	memset(&er, 0, sizeof er);
	er.acct_id = ac->rec.acct_id;
	er.at_s = e->at_s;
	er.kind = e->kind;
	er.dpd = e->dpd;
	er.amount = e->amount;
	struct cr_current before;
	int kept = 0;
	rc = cr_alert_touch(ig->alerts, ig->txn, &ac->rec, ig->asof_days);
	if (!rc)
		rc = kept = cr_current_kept(ig->txn, &ac->rec, ig->asof_days, &before);
	if (rc >= 0)
		rc = cr_store_event_put(ig->txn, e->inst, e->event_id, &er);
	if (rc == CR_EEXIST)
		return cr_diag_set(d, "event_id", "event_id already used with different content");
	if (rc <= 0)
		return rc == 0 ? CR_OUT_UNCHANGED : rc;
	/* The account's kept state follows the event when it can; else it is
	 * derived anew when the batch ends. */
	rc = cr_current_follow(ig->txn, &ac->rec, &before, kept, &er, ig->asof_days);
	if (rc == 0 && kept)
		rc = restate_always(ig, ac->rec.acct_id);
	if (rc < 0)
		return rc;
	ig->ql.has_lag = 1;
	ig->ql.at_s = e->at_s;
	if (ac->furnish_live)
		return accepted(ig, 0, e->at_s);
	ac->held_pending++;
	return CR_OUT_HELD;
}

static int apply_consent(struct cr_ingest *ig, const struct cr_consent *c,
			 struct cr_diag *d)
{
	int rc = known_inst(ig, c->inst);
	if (rc == CR_ENOTFOUND)
		return cr_diag_set(d, "institution", "unknown institution");
	if (rc)
		return rc;
	/* Pending held counts must reach the store before a grant releases
	 * them, and the cached consent state is stale after this record. */
	rc = flush_held(ig);
	if (rc)
		return rc;
	ig->ac.valid = 0;
	struct cr_subject_key k;
	cr_store_subject_key(ig->st, c->id, &k);
	rc = cr_consent_apply(ig->txn, &k, c, ig->asof_days, &ig->c.released);
	if (rc < 0)
		return rc;
	return rc ? CR_OUT_ACCEPTED : CR_OUT_UNCHANGED;
}

/* A product on the furnishing platform's shelf (docs/shelf.md): the
 * platform and the issuer must be known institutions. */
static int apply_product(struct cr_ingest *ig, const struct cr_product_rec *p,
			 struct cr_diag *d)
{
	int rc = known_inst(ig, p->platform);
	if (rc == CR_ENOTFOUND)
		return cr_diag_set(d, "institution", "unknown institution (furnish its institution record first)");
	if (!rc && (rc = known_inst(ig, p->issuer)) == CR_ENOTFOUND)
		return cr_diag_set(d, "issuer", "unknown issuer institution");
	if (!rc)
		rc = cr_store_product_put(ig->txn, p);
	return rc < 0 ? rc : rc ? CR_OUT_ACCEPTED : CR_OUT_UNCHANGED;
}

/* A holding of a product of the furnishing platform.  It is stored
 * whatever the person's furnish consent: the shelf shows it to the person
 * and to the platform that furnished it, never to another institution
 * (docs/shelf.md, "Consent"). */
static int apply_holding(struct cr_ingest *ig, const struct cr_holding *h,
			 struct cr_diag *d)
{
	struct cr_product_rec p;
	struct cr_subject_key k;
	int rc = cr_store_product_get(ig->txn, h->platform, h->product, &p);
	if (rc == CR_ENOTFOUND)
		return cr_diag_set(d, "product", "unknown product of this platform (furnish its product record first)");
	if (rc)
		return rc;
	cr_store_subject_key(ig->st, h->id, &k);
	rc = cr_store_holding_put(ig->txn, &k, h);
	return rc < 0 ? rc : rc ? CR_OUT_ACCEPTED : CR_OUT_UNCHANGED;
}

/* The institution a record is furnished by, or NULL. */
static const char *record_inst(const struct cr_record *r)
{
	switch (r->type) {
	case CR_REC_INSTITUTION: return r->u.inst.code;
	case CR_REC_ACCOUNT: return r->u.account.inst;
	case CR_REC_STATEMENT: return r->u.stmt.inst;
	case CR_REC_CONSENT: return r->u.consent.inst;
	case CR_REC_EVENT: return r->u.event.inst;
	case CR_REC_PRODUCT: return r->u.product.platform;
	case CR_REC_HOLDING: return r->u.holding.platform;
	}
	return NULL;
}

/* The limits of cr_ingest_restrict: what an API key may furnish. */
static int check_restrictions(struct cr_ingest *ig, struct cr_diag *d)
{
	const struct cr_record *r = ig->rec;
	if (ig->only_type && r->type != ig->only_type)
		return cr_diag_set(d, "type", "this route does not take this record type");
	const char *inst = record_inst(r);
	if (ig->only_inst && (!inst || strcmp(inst, ig->only_inst) != 0))
		return cr_diag_set(d, r->type == CR_REC_INSTITUTION ? "code" : "institution",
				   "the API key furnishes for another institution");
	if (ig->only_subject) {
		struct cr_subject_key k;
		if (r->type != CR_REC_CONSENT)
			return cr_diag_set(d, "type", "a person may furnish consents only");
		cr_store_subject_key(ig->st, r->u.consent.id, &k);
		if (sodium_memcmp(k.b, ig->only_subject->b, sizeof k.b) != 0)
			return cr_diag_set(d, "id", "a person may give or withdraw consent only for themself");
	}
	return 0;
}

static int apply_record(struct cr_ingest *ig, struct cr_diag *d)
{
	const struct cr_record *r = ig->rec;
	switch (r->type) {
	case CR_REC_INSTITUTION: {
		int rc = cr_store_inst_put(ig->txn, &r->u.inst);
		return rc < 0 ? rc : rc ? CR_OUT_ACCEPTED : CR_OUT_UNCHANGED;
	}
	case CR_REC_ACCOUNT:
		return apply_account(ig, &r->u.account, d);
	case CR_REC_STATEMENT:
		return apply_statement(ig, &r->u.stmt, d);
	case CR_REC_CONSENT:
		return apply_consent(ig, &r->u.consent, d);
	case CR_REC_EVENT:
		return apply_event(ig, &r->u.event, d);
	case CR_REC_PRODUCT:
		return apply_product(ig, &r->u.product, d);
	case CR_REC_HOLDING:
		return apply_holding(ig, &r->u.holding, d);
	}
	return cr_diag_set(d, "type", "unknown record type");
}

static int apply(struct cr_ingest *ig, struct cr_diag *d)
{
	if (check_restrictions(ig, d))
		return CR_EINVAL;
	return apply_record(ig, d);
}

void cr_ingest_parse(const char *line, size_t len, size_t lineno, int32_t asof_days,
		     struct cr_parsed *out)
{
	out->line = line;
	out->len = len;
	out->d = (struct cr_diag){.line = lineno, .field = "", .reason = NULL};
	out->rc = cr_jsonl_parse(line, len, asof_days, &out->rec, &out->d);
	if (!out->rc)
		out->rc = cr_validate_record(&out->rec, asof_days, &out->d);
}

/* The line's quality counters: under the session's furnisher when it is
 * restricted to one, else the one the record names. */
static int count_quality(struct cr_ingest *ig, const struct cr_parsed *p, int outcome)
{
	struct cr_qual_line *l = &ig->ql;
	l->inst = ig->only_inst ? ig->only_inst : p->rc == 0 ? record_inst(&p->rec) : NULL;
	l->outcome = outcome;
	l->reason = outcome == CR_OUT_REJECTED ? p->d.reason : NULL;
	return cr_qual_count(&ig->q, l);
}

int cr_ingest_parsed(struct cr_ingest *ig, struct cr_parsed *p)
{
	int err;
	if (ig->err)
		return ig->err;
	memset(&ig->ql, 0, sizeof ig->ql);
	ig->c.submitted++;
	ig->pending++;
	int rc = p->rc;
	ig->rec = &p->rec;
	if (!rc)
		rc = apply(ig, &p->d);
	if (rc == CR_EINVAL)
		rc = reject(ig, &p->d, p->line, p->len);
	if (rc < 0) {
		ig->err = rc;
		return rc;
	}
	switch (rc) {
	case CR_OUT_ACCEPTED: ig->c.accepted++; break;
	case CR_OUT_HELD: ig->c.held++; break;
	case CR_OUT_UNCHANGED: ig->c.unchanged++; break;
	default: break;
	}
	if ((err = count_quality(ig, p, rc))) {
		ig->err = err;
		return err;
	}
	if (ig->pending >= CR_BATCH_RECORDS) {
		err = cr_ingest_flush(ig);
		if (err)
			return err;
	}
	return rc;
}

int cr_ingest_line(struct cr_ingest *ig, const char *line, size_t len,
		   size_t lineno)
{
	if (ig->err)
		return ig->err;
	cr_ingest_parse(line, len, lineno, ig->asof_days, &ig->own);
	return cr_ingest_parsed(ig, &ig->own);
}

int cr_ingest_buffer(struct cr_ingest *ig, const char *data, size_t len,
		     size_t first_lineno)
{
	size_t pos = 0, lineno = first_lineno;
	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		const size_t end = nl ? (size_t)(nl - data) : len;
		int rc = cr_ingest_line(ig, data + pos, end - pos, lineno++);
		if (rc < 0)
			return rc;
		pos = end + 1;
	}
	return 0;
}

int cr_ingest_end(struct cr_ingest *ig, struct cr_ingest_counts *out)
{
	int rc = ig->err;
	if (!rc)
		rc = cr_ingest_flush(ig);
	if (ig->txn && !ig->external)
		cr_store_abort(ig->txn);
	if (out)
		*out = ig->c;
	CR_ASSERT(ig->c.submitted == ig->c.accepted + ig->c.rejected +
				     ig->c.held + ig->c.unchanged || rc);
	CR_ASSERT(ig->c.prohibited <= ig->c.rejected);
	cr_alert_batch_free(ig->alerts);
	cr_qual_free(&ig->q);
	free(ig->restate);
	free(ig);
	return rc;
}

/* The exact bytes of a line that is not UTF-8, as ,"record_base64":"...". */
static int put_base64(struct cr_buf *b, const char *line, size_t len)
{
	const size_t cap = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
	char *enc = malloc(cap);
	if (!enc)
		return CR_ENOMEM;
	sodium_bin2base64(enc, cap, (const unsigned char *)line, len,
			  sodium_base64_VARIANT_ORIGINAL);
	int rc = cr_buf_puts(b, ",\"record_base64\":\"");
	if (!rc)
		rc = cr_buf_puts(b, enc);
	if (!rc)
		rc = cr_buf_putc(b, '"');
	free(enc);
	return rc;
}

int cr_ingest_write_reject(FILE *f, const struct cr_diag *d, const char *line,
			   size_t len)
{
	struct cr_buf b;
	cr_buf_init(&b, 4 * (size_t)CR_LINE_MAX + 1024);
	const int truncated = len > CR_LINE_MAX;
	const size_t keep = truncated ? CR_LINE_MAX : len;
	int rc = cr_buf_printf(&b, "{\"line\":%zu,\"field\":", d->line);
	if (!rc)
		rc = cr_buf_put_json_str(&b, d->field, strlen(d->field));
	if (!rc)
		rc = cr_buf_puts(&b, ",\"reason\":");
	if (!rc)
		rc = cr_buf_put_json_str(&b, d->reason ? d->reason : "rejected",
					 strlen(d->reason ? d->reason : "rejected"));
	if (!rc)
		rc = cr_buf_puts(&b, ",\"record\":");
	if (!rc)
		rc = cr_buf_put_json_str(&b, line, keep);
	if (!rc && !cr_utf8_valid(line, keep))
		rc = put_base64(&b, line, keep);
	if (!rc && truncated)
		rc = cr_buf_puts(&b, ",\"truncated\":true");
	if (!rc)
		rc = cr_buf_puts(&b, "}\n");
	if (!rc && fwrite(b.data, 1, b.len, f) != b.len)
		rc = CR_EIO;
	cr_buf_fini(&b);
	return rc;
}
