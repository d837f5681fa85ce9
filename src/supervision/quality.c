/*
 * quality.c - data quality per furnisher; see quality.h for the figures.
 *
 * The ingest counters are read in one walk of their family (furnisher,
 * day order) into the day rows; the reasons are summed over the days by
 * sorting them by (furnisher, reason).  Coverage and gaps come from one
 * pass over every account: an entry per account (furnisher, person, months
 * missing), sorted by (furnisher, person) so that each furnisher is a run
 * and each borrower a run within it, and the consent asked once per run.
 */
#include "quality.h"

#include <stdlib.h>
#include <string.h>

#include "consent.h"
#include "cr_buf.h"
#include "cr_date.h"
#include "cr_err.h"
#include "retention.h"

struct entry {
	char inst[CR_INST_CODE_MAX + 1];
	struct cr_subject_key subject;
	uint32_t missing;
};

struct build {
	cr_txn *txn;
	const char *only;
	int32_t asof;
	struct cr_quality *q;
	size_t cap_days, cap_reasons, cap_e, n_e;
	struct entry *e;
	struct cr_month_rec *hist;
};

/* Makes room for one more element of an array of size sz. */
static int grow(void **v, size_t n, size_t *cap, size_t sz)
{
	if (n < *cap)
		return 0;
	const size_t c = *cap ? 2 * *cap : 64;
	void *p = realloc(*v, c * sz);
	if (!p)
		return CR_ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

int64_t cr_quality_bucket_upper(int b)
{
	return b <= 0 ? 0 : (int64_t)1 << b;
}

int64_t cr_quality_percentile(const uint64_t lag[CR_QUALITY_LAG_BUCKETS], int pct)
{
	uint64_t n = 0, seen = 0;
	for (int b = 0; b < CR_QUALITY_LAG_BUCKETS; b++)
		n += lag[b];
	if (!n)
		return -1;
	const uint64_t need = (n * (uint64_t)pct + 99) / 100;
	for (int b = 0; b < CR_QUALITY_LAG_BUCKETS; b++) {
		seen += lag[b];
		if (seen >= need)
			return cr_quality_bucket_upper(b);
	}
	return cr_quality_bucket_upper(CR_QUALITY_LAG_BUCKETS - 1);
}

static int take_day(const struct cr_quality_day *d, void *arg)
{
	struct build *b = arg;
	struct cr_quality *q = b->q;
	if (grow((void **)&q->days, q->n_days, &b->cap_days, sizeof *q->days))
		return CR_ENOMEM;
	q->days[q->n_days++] = *d;
	return 0;
}

static int take_reason(const char *inst, int32_t day, const char *reason, uint64_t n,
		       void *arg)
{
	struct build *b = arg;
	struct cr_quality *q = b->q;
	(void)day;
	if (grow((void **)&q->reasons, q->n_reasons, &b->cap_reasons, sizeof *q->reasons))
		return CR_ENOMEM;
	struct cr_quality_reason_row *r = &q->reasons[q->n_reasons++];
	memset(r, 0, sizeof *r);
	memcpy(r->inst, inst, strnlen(inst, CR_INST_CODE_MAX));
	memcpy(r->reason, reason, strnlen(reason, CR_QUALITY_REASON_MAX));
	r->n = n;
	return 0;
}

static int reason_cmp(const void *pa, const void *pb)
{
	const struct cr_quality_reason_row *a = pa, *b = pb;
	int c = strcmp(a->inst, b->inst);
	return c ? c : strcmp(a->reason, b->reason);
}

/* Sums the reason rows of the same furnisher and reason. */
static void fold_reasons(struct cr_quality *q)
{
	size_t n = 0;
	if (q->n_reasons > 1)
		qsort(q->reasons, q->n_reasons, sizeof *q->reasons, reason_cmp);
	for (size_t i = 0; i < q->n_reasons; i++) {
		if (n && reason_cmp(&q->reasons[n - 1], &q->reasons[i]) == 0)
			q->reasons[n - 1].n += q->reasons[i].n;
		else
			q->reasons[n++] = q->reasons[i];
	}
	q->n_reasons = n;
}

/* The months r misses (see quality.h, "gap"). */
static int missing_months(struct build *b, const struct cr_account_rec *r, uint32_t *out)
{
	const int32_t asof_m = cr_month_of_date(b->asof);
	int32_t first = cr_month_of_date(r->a.opened_days), last = asof_m - 1;
	*out = 0;
	if (first < asof_m - CR_HISTORY_MONTHS_MAX)
		first = asof_m - CR_HISTORY_MONTHS_MAX;
	if (last < first)
		return 0;
	int rc = cr_history_load(b->txn, r->acct_id, first, last, b->hist);
	if (rc)
		return rc;
	if (r->a.status != CR_ACCT_OPEN) {
		while (last >= first && !b->hist[last - first].status)
			last--;
	}
	for (int32_t m = first; m <= last; m++)
		*out += !b->hist[m - first].status;
	return 0;
}

static int take_account(const struct cr_account_rec *r, void *arg)
{
	struct build *b = arg;
	if (r->a.opened_days > b->asof || (b->only && strcmp(r->a.inst, b->only) != 0))
		return 0;
	if (grow((void **)&b->e, b->n_e, &b->cap_e, sizeof *b->e))
		return CR_ENOMEM;
	struct entry *e = &b->e[b->n_e];
	memset(e, 0, sizeof *e);
	memcpy(e->inst, r->a.inst, sizeof e->inst);
	e->subject = r->subject;
	int rc = missing_months(b, r, &e->missing);
	if (!rc)
		b->n_e++;
	return rc;
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int c = strcmp(a->inst, b->inst);
	return c ? c : memcmp(a->subject.b, b->subject.b, sizeof a->subject.b);
}

static int inst_cmp(const void *pa, const void *pb)
{
	const struct cr_quality_inst *a = pa, *b = pb;
	return strcmp(a->total.inst, b->total.inst);
}

static struct cr_quality_inst *find_inst(struct cr_quality *q, const char *inst)
{
	struct cr_quality_inst key;
	memset(&key, 0, sizeof key);
	memcpy(key.total.inst, inst, strnlen(inst, CR_INST_CODE_MAX));
	return bsearch(&key, q->insts, q->n_insts, sizeof key, inst_cmp);
}

/* One row per furnisher named by a day row or an account, in code order. */
static int make_insts(struct build *b)
{
	struct cr_quality *q = b->q;
	const size_t n = q->n_days + b->n_e;
	q->insts = calloc(n ? n : 1, sizeof *q->insts);
	if (!q->insts)
		return CR_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *code = i < q->n_days ? q->days[i].inst : b->e[i - q->n_days].inst;
		memcpy(q->insts[i].total.inst, code, CR_INST_CODE_MAX + 1);
	}
	if (n > 1)
		qsort(q->insts, n, sizeof *q->insts, inst_cmp);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (!u || inst_cmp(&q->insts[u - 1], &q->insts[i]) != 0)
			q->insts[u++] = q->insts[i];
	q->n_insts = u;
	return 0;
}

static void add_day(struct cr_quality_day *t, const struct cr_quality_day *d)
{
	t->submitted += d->submitted;
	t->accepted += d->accepted;
	t->rejected += d->rejected;
	t->held += d->held;
	t->unchanged += d->unchanged;
	t->late += d->late;
	for (int i = 0; i < CR_QUALITY_LAG_BUCKETS; i++)
		t->lag[i] += d->lag[i];
}

/* Accounts, gaps and borrowers (with their furnish consent) per furnisher,
 * from the sorted entries. */
static int fold_accounts(struct build *b)
{
	for (size_t i = 0; i < b->n_e; i++) {
		const struct entry *e = &b->e[i];
		struct cr_quality_inst *in = find_inst(b->q, e->inst);
		if (!in)
			return CR_EINVAL;
		in->accounts++;
		in->accounts_with_gaps += e->missing > 0;
		in->months_missing += e->missing;
		if (i && entry_cmp(&b->e[i - 1], e) == 0)
			continue;
		int live = 0;
		int rc = cr_consent_check(b->txn, &e->subject, e->inst, CR_SCOPE_FURNISH,
					  CR_PURPOSE_NONE, b->asof, &live);
		if (rc)
			return rc;
		in->borrowers++;
		in->borrowers_covered += live != 0;
	}
	return 0;
}

static int fold(struct build *b)
{
	struct cr_quality *q = b->q;
	int rc = make_insts(b);
	if (rc)
		return rc;
	for (size_t i = 0; i < q->n_days; i++)
		add_day(&find_inst(q, q->days[i].inst)->total, &q->days[i]);
	if (b->n_e > 1)
		qsort(b->e, b->n_e, sizeof *b->e, entry_cmp);
	rc = fold_accounts(b);
	for (size_t i = 0; i < q->n_insts; i++) {
		q->insts[i].lag_p50_s = cr_quality_percentile(q->insts[i].total.lag, 50);
		q->insts[i].lag_p99_s = cr_quality_percentile(q->insts[i].total.lag, 99);
	}
	fold_reasons(q);
	return rc;
}

int cr_quality_build(cr_txn *txn, const char *inst, int32_t from, int32_t to,
		     int32_t asof_days, struct cr_quality *out)
{
	memset(out, 0, sizeof *out);
	out->from = from;
	out->to = to;
	out->asof = asof_days;
	if (!txn || from > to || to - from >= CR_QUALITY_DAYS_MAX)
		return CR_EINVAL;
	struct build b = {txn, inst, asof_days, out, 0, 0, 0, 0, NULL, NULL};
	const struct cr_quality_walk w = {take_day, take_reason, &b};
	b.hist = malloc(CR_HISTORY_MONTHS_MAX * sizeof *b.hist);
	if (!b.hist)
		return CR_ENOMEM;
	int rc = cr_store_quality(txn, inst, from, to, &w);
	if (!rc)
		rc = cr_store_accounts(txn, take_account, &b);
	if (!rc)
		rc = fold(&b);
	free(b.hist);
	free(b.e);
	return rc;
}

void cr_quality_fini(struct cr_quality *q)
{
	free(q->days);
	free(q->reasons);
	free(q->insts);
	memset(q, 0, sizeof *q);
}
