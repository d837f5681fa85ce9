/*
 * colending.c - co-lending funding shares; see colending.h.
 *
 * One pass over every account: a co-lent account's history is read once
 * for the whole range of months, and for each month it counts in, one
 * entry per co-lender (month, platform, partner, funded).  Sorting the
 * entries by (month, platform, partner) makes each partner row a run and
 * each platform row a run of those.
 */
#include "colending.h"

#include <stdlib.h>
#include <string.h>

#include "cr_date.h"
#include "cr_err.h"
#include "current.h"
#include "retention.h"

struct entry {
	int32_t month;
	char platform[CR_INST_CODE_MAX + 1];
	char partner[CR_INST_CODE_MAX + 1];
	int64_t funded;
	int64_t outstanding;  /* the account's, on the platform's own entry */
	uint8_t counts;       /* the entry that counts the account once */
};

struct build {
	cr_txn *txn;
	const char *only;
	int32_t from, to, asof;
	struct entry *e;
	size_t n, cap;
	struct cr_month_rec *hist;
};

int64_t cr_colending_part(int64_t amount, uint32_t bp)
{
	return amount / 10000 * (int64_t)bp + amount % 10000 * (int64_t)bp / 10000;
}

static int add(struct build *b, const struct entry *e)
{
	if (b->n == b->cap) {
		if (b->cap >= CR_MONTHLY_ACCOUNTS_MAX)
			return CR_ETOOBIG;
		const size_t cap = b->cap ? 2 * b->cap : 256;
		struct entry *v = realloc(b->e, cap * sizeof *v);
		if (!v)
			return CR_ENOMEM;
		b->e = v;
		b->cap = cap;
	}
	b->e[b->n++] = *e;
	return 0;
}

/* r's outstanding in month m (history from first in b->hist); 0 and
 * *counts 0 when the account does not count in the month. */
static int outstanding(struct build *b, const struct cr_account_rec *r, int32_t first,
		       int32_t m, int64_t *out, int *counts)
{
	const int32_t last_day = cr_month_first_day(m + 1) - 1;
	const int32_t end = last_day < b->asof ? last_day : b->asof;
	struct cr_current c;
	*counts = 0;
	if (r->a.opened_days > end)
		return 0;
	int32_t lm = m;
	while (lm >= first && !b->hist[lm - first].status)
		lm--;
	int rc = cr_current_derive(b->txn, r, lm >= first ? &b->hist[lm - first] : NULL,
				   lm, end, &c);
	if (rc)
		return rc;
	const int ended = c.status == CR_CUR_CLOSED || c.status == CR_CUR_CHARGED_OFF;
	if (ended && c.as_of_s < cr_day_start_s(cr_month_first_day(m)))
		return 0;
	*out = c.balance;
	*counts = 1;
	return 0;
}

/* The entries of r in month m, one per co-lender. */
static int take_month(struct build *b, const struct cr_account_rec *r, int64_t bal, int32_t m)
{
	const struct cr_account *a = &r->a;
	int rc = 0, own = 0;
	for (int i = 0; i < a->n_colenders && !rc; i++) {
		struct entry e;
		memset(&e, 0, sizeof e);
		e.month = m;
		memcpy(e.platform, a->inst, sizeof e.platform);
		memcpy(e.partner, a->colenders[i].inst, sizeof e.partner);
		e.funded = cr_colending_part(bal, a->colenders[i].share_bp);
		if (strcmp(e.partner, e.platform) == 0) {
			e.outstanding = bal;
			e.counts = 1;
			own = 1;
		}
		rc = add(b, &e);
	}
	if (!rc && !own) { /* the platform funds none of it: a 0 row */
		struct entry e;
		memset(&e, 0, sizeof e);
		e.month = m;
		memcpy(e.platform, a->inst, sizeof e.platform);
		memcpy(e.partner, a->inst, sizeof e.partner);
		e.outstanding = bal;
		e.counts = 1;
		rc = add(b, &e);
	}
	return rc;
}

static int involved(const struct build *b, const struct cr_account *a)
{
	if (!b->only || strcmp(a->inst, b->only) == 0)
		return 1;
	for (int i = 0; i < a->n_colenders; i++)
		if (strcmp(a->colenders[i].inst, b->only) == 0)
			return 1;
	return 0;
}

static int take_account(const struct cr_account_rec *r, void *arg)
{
	struct build *b = arg;
	if (!r->a.n_colenders || !involved(b, &r->a))
		return 0;
	int32_t first = cr_month_of_date(r->a.opened_days);
	if (first < b->to - CR_HISTORY_MONTHS_MAX + 1)
		first = b->to - CR_HISTORY_MONTHS_MAX + 1;
	if (first > b->to)
		return 0;
	int rc = cr_history_load(b->txn, r->acct_id, first, b->to, b->hist);
	for (int32_t m = b->from < first ? first : b->from; m <= b->to && !rc; m++) {
		int64_t bal = 0;
		int counts;
		rc = outstanding(b, r, first, m, &bal, &counts);
		if (!rc && counts)
			rc = take_month(b, r, bal, m);
	}
	return rc;
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	if (a->month != b->month)
		return a->month < b->month ? -1 : 1;
	int c = strcmp(a->platform, b->platform);
	return c ? c : strcmp(a->partner, b->partner);
}

static int same_platform(const struct entry *a, const struct entry *b)
{
	return a->month == b->month && strcmp(a->platform, b->platform) == 0;
}

/* The platform's own share and flag (colending.h); 128-bit products, as
 * a platform's outstanding may be many accounts' worth. */
static void finish_platform(struct cr_colending_platform *p, uint32_t floor_bp)
{
	if (p->outstanding <= 0)
		return;
	const __int128 own = p->own, all = p->outstanding;
	p->own_share_bp = (uint32_t)(own * 10000 / all);
	p->flagged = own * 10000 < (__int128)floor_bp * all;
}

static int visible_platform(const struct build *b, const struct entry *e)
{
	return !b->only || strcmp(e->platform, b->only) == 0;
}

static int visible_partner(const struct build *b, const struct entry *e)
{
	return visible_platform(b, e) || strcmp(e->partner, b->only) == 0;
}

static int fold(struct build *b, struct cr_colending *out)
{
	const size_t cap = b->n ? b->n : 1;
	out->platforms = calloc(cap, sizeof *out->platforms);
	out->partners = calloc(cap, sizeof *out->partners);
	if (!out->platforms || !out->partners)
		return CR_ENOMEM;
	struct cr_colending_platform *p = NULL;
	struct cr_colending_partner *q = NULL;
	for (size_t i = 0; i < b->n; i++) {
		const struct entry *e = &b->e[i];
		const int new_p = !i || !same_platform(&b->e[i - 1], e);
		const int new_q = new_p || strcmp(b->e[i - 1].partner, e->partner) != 0;
		if (new_p && visible_platform(b, e)) {
			p = &out->platforms[out->n_platforms++];
			p->month = e->month;
			memcpy(p->platform, e->platform, sizeof p->platform);
		} else if (new_p) {
			p = NULL;
		}
		if (new_q && visible_partner(b, e)) {
			q = &out->partners[out->n_partners++];
			q->month = e->month;
			memcpy(q->platform, e->platform, sizeof q->platform);
			memcpy(q->partner, e->partner, sizeof q->partner);
		} else if (new_q) {
			q = NULL;
		}
		if (q) {
			q->funded += e->funded;
			q->accounts++;
		}
		if (p) {
			p->outstanding += e->outstanding;
			p->accounts += e->counts;
			if (strcmp(e->partner, e->platform) == 0)
				p->own += e->funded;
		}
	}
	for (size_t i = 0; i < out->n_platforms; i++)
		finish_platform(&out->platforms[i], out->floor_bp);
	return 0;
}

int cr_colending_build(cr_txn *txn, const char *inst, int32_t from, int32_t to,
		       int32_t asof_days, uint32_t floor_bp, struct cr_colending *out)
{
	memset(out, 0, sizeof *out);
	out->from = from;
	out->to = to;
	out->asof = asof_days;
	out->floor_bp = floor_bp;
	if (!txn || from > to || to - from >= CR_COLENDING_MONTHS_MAX || floor_bp > 10000)
		return CR_EINVAL;
	struct build b = {txn, inst, from, to, asof_days, NULL, 0, 0, NULL};
	if (b.to > cr_month_of_date(asof_days))
		b.to = cr_month_of_date(asof_days);
	b.hist = malloc(CR_HISTORY_MONTHS_MAX * sizeof *b.hist);
	if (!b.hist)
		return CR_ENOMEM;
	int rc = b.from <= b.to ? cr_store_accounts(txn, take_account, &b) : 0;
	if (!rc && b.n > 1)
		qsort(b.e, b.n, sizeof *b.e, entry_cmp);
	if (!rc)
		rc = fold(&b, out);
	free(b.hist);
	free(b.e);
	return rc;
}

void cr_colending_fini(struct cr_colending *c)
{
	free(c->platforms);
	free(c->partners);
	memset(c, 0, sizeof *c);
}
