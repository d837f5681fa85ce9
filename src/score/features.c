/*
 * features.c - a person's credit-behaviour features as of a date; see
 * features.h, and docs/scoring.md ("Features") for each definition.
 *
 * The features are read off the report an institution would get as of the
 * date (report.h), never off the store directly: whatever the report
 * leaves out - held accounts, items under an overdue dispute, adverse
 * months past retention, anything dated after the as-of date - no feature
 * can see, and a rule changed there changes here.  The report is built
 * with two flags:
 *
 *   CR_REPORT_BARE   no identity and no account number is ever opened, so
 *                    that no feature can depend on who the person is (the
 *                    no-identity rule holds by construction; the unit test
 *                    checks it too);
 *   CR_REPORT_DATED  an account's undated record status is not taken when
 *                    the account has later facts, so that a training row
 *                    as of a past date does not see how its accounts ended.
 *
 * Money is summed in int64_t minor units; a ratio becomes a double only
 * in share(), at the end.
 *
 * Speed.  A report is large (room for CR_SUBJECT_ACCOUNTS_MAX accounts), so
 * each thread builds every report into one kept struct (thread_report),
 * allocated on its first call and freed when the thread ends: the hot path
 * allocates nothing.  The dataset walk reads people in the order they are
 * stored, a page of CR_FEATURES_PAGE people per read transaction
 * (cr_store_subjects), which bounds the memory a transaction keeps.
 */
#include "features.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cr_assert.h"
#include "csv.h"
#include "cr_date.h"
#include "cr_err.h"
#include "cr_limits.h"
#include "report.h"
#include "retention.h"

/* An exposure rise beyond this factor (or from nothing) is this factor:
 * the scorecard bins it, and a hundredfold rise is past every bin. */
#define EXPOSURE_RISE_MAX 100.0
/* Day windows of the features counted over "3 months" and "6 months". */
#define DAYS_3M 91
#define DAYS_6M 182

static const char *const feature_names[CR_F_COUNT] = {
#define CR_FEATURE_NAME(id, name, why) name,
	CR_FEATURES(CR_FEATURE_NAME)
#undef CR_FEATURE_NAME
};

static const char *const feature_reasons[CR_F_COUNT] = {
#define CR_FEATURE_WHY(id, name, why) why,
	CR_FEATURES(CR_FEATURE_WHY)
#undef CR_FEATURE_WHY
};

const char *cr_feature_name(enum cr_feature f)
{
	return (unsigned)f < CR_F_COUNT ? feature_names[f] : "?";
}

const char *cr_feature_reason(enum cr_feature f)
{
	return (unsigned)f < CR_F_COUNT ? feature_reasons[f] : "?";
}

enum cr_feature cr_feature_parse(const char *s)
{
	for (int f = 0; s && f < CR_F_COUNT; f++)
		if (strcmp(s, feature_names[f]) == 0)
			return (enum cr_feature)f;
	return CR_F_COUNT;
}

/* ---- one report per thread ---------------------------------------------- */

static pthread_key_t report_key;
static pthread_once_t report_once = PTHREAD_ONCE_INIT;
static int report_key_rc;

static void report_free(void *p)
{
	cr_report_fini(p);
	free(p);
}

static void report_key_make(void)
{
	report_key_rc = pthread_key_create(&report_key, report_free);
}

/* The calling thread's report struct, or NULL when out of memory. */
static struct cr_report *thread_report(void)
{
	if (pthread_once(&report_once, report_key_make) || report_key_rc)
		return NULL;
	struct cr_report *r = pthread_getspecific(report_key);
	if (r)
		return r;
	r = malloc(sizeof *r);
	if (!r)
		return NULL;
	cr_report_init(r);
	if (pthread_setspecific(report_key, r)) {
		free(r);
		return NULL;
	}
	return r;
}

/* ---- the features ------------------------------------------------------- */

/* part / whole as a number; NAN when whole is 0 (nothing to compare with). */
static double share(int64_t part, int64_t whole)
{
	return whole > 0 ? (double)part / (double)whole : NAN;
}

/* A grid cell as a number: months overdue 1..7; G, D and Z, which end an
 * account after a default, 7; N and the codes that say nothing adverse (C,
 * '*') 0; -1 for a month without a statement ('/' not yet open, '#'
 * unknown). */
static int status_value(char c)
{
	if (c == '/' || c == '#' || c == '\0')
		return -1;
	if (c == 'G' || c == 'D' || c == 'Z')
		return 7;
	return cr_status_overdue_months(c);
}

/* The worst status of any account in the last `months` months of the grid
 * (the as-of month included); NAN when no account has a statement there. */
static double worst_status(const struct cr_report *r, int months)
{
	int worst = -1;
	for (size_t i = 0; i < r->n_accounts; i++) {
		const char *g = r->accounts[i].grid;
		for (int m = CR_GRID_MONTHS - months; m < CR_GRID_MONTHS; m++) {
			const int v = status_value(g[m]);
			worst = v > worst ? v : worst;
		}
	}
	return worst < 0 ? NAN : worst;
}

/* Months of the last 24 in which any account had an adverse status. */
static double delinquent_months(const struct cr_report *r)
{
	int n = 0;
	for (int m = CR_GRID_MONTHS - 24; m < CR_GRID_MONTHS; m++) {
		int bad = 0;
		for (size_t i = 0; i < r->n_accounts && !bad; i++)
			bad = cr_status_adverse(r->accounts[i].grid[m]);
		n += bad;
	}
	return n;
}

/* Months from the latest adverse status shown to the as-of month; NAN when
 * the report shows none. */
static double months_since_delinquency(const struct cr_report *r)
{
	int32_t last = CR_NO_DATE;
	for (size_t i = 0; i < r->n_accounts; i++)
		if (r->accounts[i].last_adverse_month > last)
			last = r->accounts[i].last_adverse_month;
	return last == CR_NO_DATE ? NAN : cr_month_of_date(r->asof_days) - last;
}

static int is_open(const struct cr_current *c)
{
	return c->status == CR_CUR_OPEN || c->status == CR_CUR_OVERDUE;
}

static int is_line(uint8_t product)
{
	return product == CR_PROD_REVOLVING || product == CR_PROD_CREDIT_CARD;
}

/* Account counts and sums over the accounts shown. */
struct tally {
	int64_t owed, owed_at_statements, limited, limits;
	uint32_t open, charged_off, opened_6m, events, due_months, ontime_months;
	int32_t oldest_months;
};

static void tally_accounts(const struct cr_report *r, struct tally *t)
{
	const int32_t asof_month = cr_month_of_date(r->asof_days);
	memset(t, 0, sizeof *t);
	t->oldest_months = -1;
	for (size_t i = 0; i < r->n_accounts; i++) {
		const struct cr_report_account *ra = &r->accounts[i];
		const struct cr_account *a = &ra->rec.a;
		const struct cr_current *c = &ra->current;
		const int64_t lim = is_line(a->product) ? a->credit_limit : a->principal;
		const int32_t age = asof_month - cr_month_of_date(a->opened_days);
		t->owed += c->balance;
		t->owed_at_statements += ra->has_latest ? ra->latest.balance : 0;
		t->events += c->events_applied;
		if (is_open(c) && lim > 0) {
			t->limited += c->balance;
			t->limits += lim;
		}
		t->open += (uint32_t)is_open(c);
		t->charged_off += c->status == CR_CUR_CHARGED_OFF;
		t->opened_6m += a->opened_days > r->asof_days - DAYS_6M;
		t->due_months += ra->due_months_24m;
		t->ontime_months += ra->ontime_months_24m;
		t->oldest_months = age > t->oldest_months ? age : t->oldest_months;
	}
}

/* Credit-seeking inquiries by institutions in the last `days` days, every
 * one, not only those the report lists. */
static double inquiries(const struct cr_report *r, int32_t days)
{
	return (double)cr_report_inquiries_within(r, days, 1);
}

/* Owed now over owed at the latest statements; NAN without an event since
 * them (then the two are the same by definition). */
static double exposure_rise(const struct tally *t)
{
	if (t->events == 0)
		return NAN;
	if (t->owed_at_statements == 0)
		return t->owed == 0 ? 1.0 : EXPOSURE_RISE_MAX;
	const double rise = share(t->owed, t->owed_at_statements);
	return rise < EXPOSURE_RISE_MAX ? rise : EXPOSURE_RISE_MAX;
}

static void compute(const struct cr_report *r, struct cr_features *out)
{
	const struct cr_report_exposure *x = &r->exposure;
	struct tally t;
	double *v = out->v;
	tally_accounts(r, &t);
	v[CR_F_WORST_6M] = worst_status(r, 6);
	v[CR_F_WORST_12M] = worst_status(r, 12);
	v[CR_F_WORST_24M] = worst_status(r, 24);
	v[CR_F_MONTHS_SINCE_DELINQ] = months_since_delinquency(r);
	v[CR_F_DELINQ_MONTHS_24M] = delinquent_months(r);
	v[CR_F_REVOLVING_UTIL] = share(x->credit_used.value, x->credit_limit);
	v[CR_F_BALANCE_TO_LIMIT] = share(t.limited, t.limits);
	v[CR_F_LENDERS_WITH_BALANCE] = (double)x->lenders_with_balance.value;
	v[CR_F_INQUIRIES_3M] = inquiries(r, DAYS_3M);
	v[CR_F_INQUIRIES_6M] = inquiries(r, DAYS_6M);
	v[CR_F_OLDEST_ACCOUNT_MONTHS] = t.oldest_months < 0 ? NAN : t.oldest_months;
	v[CR_F_OPENED_6M] = t.opened_6m;
	v[CR_F_ONTIME_SHARE_24M] = share(t.ontime_months, t.due_months);
	v[CR_F_EXPOSURE_RISE] = exposure_rise(&t);
	v[CR_F_OPEN_ACCOUNTS] = t.open;
	v[CR_F_CHARGED_OFF] = t.charged_off;
}

int cr_features_build(cr_txn *txn, const struct cr_subject_key *k, int32_t asof_days,
		      struct cr_features *out)
{
	if (!txn || !k || !out)
		return CR_EINVAL;
	struct cr_report *r = thread_report();
	if (!r)
		return CR_ENOMEM;
	int rc = cr_report_build(txn, k, asof_days, CR_REPORT_BARE | CR_REPORT_DATED, r);
	if (rc)
		return rc;
	CR_ASSERT(r->subject.id[0] == '\0'); /* BARE: nobody's identity was read */
	compute(r, out);
	return 0;
}

/* ---- the training table -------------------------------------------------- */

/* The last day of month m. */
static int32_t month_last_day(int32_t m)
{
	return cr_month_first_day(m + 1) - 1;
}

/* 1 when an account institutions see at the end of the horizon has a
 * status of 3 or worse (90+ days past due, or G, D, Z after a default) in
 * a month after obs_month, up to obs_month + horizon. */
static int target_bad(cr_txn *txn, const struct cr_subject_key *k, int32_t obs_month,
		      int horizon, int *bad)
{
	struct cr_report *r = thread_report();
	if (!r)
		return CR_ENOMEM;
	const int32_t end = obs_month + horizon;
	int rc = cr_report_build(txn, k, month_last_day(end), CR_REPORT_BARE, r);
	*bad = 0;
	for (size_t i = 0; !rc && i < r->n_accounts && !*bad; i++)
		for (int m = CR_GRID_MONTHS - horizon; m < CR_GRID_MONTHS && !*bad; m++)
			*bad = cr_status_severity(r->accounts[i].grid[m]) >= 3;
	return rc;
}

struct walk {
	int32_t obs_days;
	int horizon;
	double test_share;
	uint64_t seen;          /* people walked so far, in arrival order */
	struct cr_dataset *out;
	struct cr_subject_key *keys; /* NULL: not asked for */
	int want_keys;
	size_t keys_cap;
};

static int keep_key(struct walk *w, const struct cr_subject_key *k)
{
	if (w->out->rows > w->keys_cap) {
		const size_t cap = w->keys_cap ? 2 * w->keys_cap : 1024;
		struct cr_subject_key *p = realloc(w->keys, cap * sizeof *p);
		if (!p)
			return CR_ENOMEM;
		w->keys = p;
		w->keys_cap = cap;
	}
	w->keys[w->out->rows - 1] = *k;
	return 0;
}

/* The row of one person, or none when nothing institutions see is known
 * about them at the observation date (no account shown). */
static int person_row(cr_txn *txn, struct walk *w, const struct cr_subject_key *k,
		      int want_keys)
{
	struct cr_features f;
	int bad;
	const uint64_t nth = ++w->seen;
	int rc = cr_features_build(txn, k, w->obs_days, &f);
	if (rc == CR_ENOTFOUND)
		return 0;
	if (rc || isnan(f.v[CR_F_OLDEST_ACCOUNT_MONTHS]))
		return rc;
	rc = target_bad(txn, k, cr_month_of_date(w->obs_days), w->horizon, &bad);
	if (!rc)
		rc = cr_dataset_add(w->out, f.v, (uint8_t)bad,
				    (uint8_t)cr_csv_holdout(nth, w->test_share));
	if (!rc && want_keys)
		rc = keep_key(w, k);
	return rc;
}

/* Every person, a page per read transaction. */
int cr_features_walk(cr_store *st, int (*fn)(cr_txn *txn, const struct cr_subject_key *k,
					     void *arg), void *arg)
{
	struct cr_subject_key *page = malloc(CR_FEATURES_PAGE * sizeof *page);
	uint64_t pos = 0;
	size_t n = 0;
	int rc = page ? 0 : CR_ENOMEM;
	do {
		cr_txn *txn;
		if (rc || (rc = cr_store_begin(st, 0, &txn)))
			break;
		rc = cr_store_subjects(txn, &pos, page, CR_FEATURES_PAGE, &n);
		for (size_t i = 0; i < n && !rc; i++)
			rc = fn(txn, &page[i], arg);
		cr_store_abort(txn);
	} while (!rc && n > 0);
	free(page);
	return rc;
}

static int row_of(cr_txn *txn, const struct cr_subject_key *k, void *arg)
{
	struct walk *w = arg;
	return person_row(txn, w, k, w->want_keys);
}

int cr_features_dataset_keys(cr_store *st, int32_t obs_days, int horizon_months,
			     double test_share, struct cr_dataset *out,
			     struct cr_subject_key **keys)
{
	const char *names[CR_F_COUNT];
	uint8_t categorical[CR_F_COUNT] = {0};
	if (!st || !out || horizon_months < 1 || horizon_months > CR_GRID_MONTHS ||
	    !(test_share >= 0.0 && test_share <= 1.0))
		return CR_EINVAL;
	for (int f = 0; f < CR_F_COUNT; f++)
		names[f] = feature_names[f];
	struct walk w = {.obs_days = obs_days, .horizon = horizon_months, .test_share = test_share,
			 .out = out, .want_keys = keys != NULL};
	int rc = cr_dataset_init(out, CR_F_COUNT, names, categorical);
	if (rc)
		return rc;
	rc = cr_features_walk(st, row_of, &w);
	if (rc) {
		cr_dataset_fini(out);
		free(w.keys);
		return rc;
	}
	if (keys)
		*keys = w.keys;
	return 0;
}

int cr_features_dataset(cr_store *st, int32_t obs_days, int horizon_months, double test_share,
			struct cr_dataset *out)
{
	return cr_features_dataset_keys(st, obs_days, horizon_months, test_share, out, NULL);
}
