/* retention.c - the five-year rule and the purge; see retention.h. */
#include "retention.h"

#include <stdlib.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"

int cr_status_adverse(char c)
{
	return (c >= '1' && c <= '7') || c == 'G' || c == 'D' || c == 'Z';
}

static int terminal_adverse(char c)
{
	return c == 'G' || c == 'D' || c == 'Z';
}

/* Marks the adverse months of h[from..to) when the episode that ended in
 * month `ended` is past retention at asof_days. */
static size_t mark_run(const struct cr_month_rec *h, size_t from, size_t to,
		       int32_t ended, int32_t asof_days, uint8_t *suppress)
{
	if (asof_days < cr_month_first_day(ended + CR_RETENTION_MONTHS))
		return 0;
	size_t marked = 0;
	for (size_t i = from; i < to; i++) {
		if (cr_status_adverse(h[i].status)) {
			suppress[i] = 1;
			marked++;
		}
	}
	return marked;
}

size_t cr_retention_mark(const struct cr_month_rec *h, size_t n, int32_t first,
			 int32_t asof_days, uint8_t *suppress)
{
	memset(suppress, 0, n);
	size_t marked = 0, i = 0;
	while (i < n) {
		if (!cr_status_adverse(h[i].status)) {
			i++;
			continue;
		}
		/* A run of adverse statements (months without one do not break it). */
		size_t start = i, last_adverse = i, j = i + 1;
		while (j < n && (h[j].status == '\0' || cr_status_adverse(h[j].status) ||
				 h[j].status == '*' || h[j].status == '#')) {
			if (cr_status_adverse(h[j].status))
				last_adverse = j;
			j++;
		}
		if (j < n) /* cured (N) or settled (C) in month first + j */
			marked += mark_run(h, start, j, first + (int32_t)j, asof_days, suppress);
		else if (terminal_adverse(h[last_adverse].status))
			marked += mark_run(h, start, last_adverse + 1,
					   first + (int32_t)last_adverse, asof_days, suppress);
		i = j;
	}
	return marked;
}

int cr_history_load(cr_txn *txn, uint64_t acct_id, int32_t first, int32_t last,
		    struct cr_month_rec *out)
{
	CR_ASSERT(last >= first && last - first < CR_HISTORY_MONTHS_MAX);
	memset(out, 0, (size_t)(last - first + 1) * sizeof *out);
	for (int year = first / 12; year <= last / 12; year++) {
		struct cr_hist_year h;
		int rc = cr_store_hist_get(txn, acct_id, year, &h);
		if (rc == CR_ENOTFOUND)
			continue;
		if (rc)
			return rc;
		for (int m = 0; m < 12; m++) {
			const int32_t month = year * 12 + m;
			if (month >= first && month <= last)
				out[month - first] = h.m[m];
		}
	}
	return 0;
}

/* Writes back the years of an account that lost months. */
static int rewrite_years(cr_txn *txn, uint64_t acct_id, int32_t first, size_t n,
			 const struct cr_month_rec *months, const uint8_t *suppress)
{
	for (int year = first / 12; year <= (first + (int32_t)n - 1) / 12; year++) {
		int touched = 0;
		struct cr_hist_year h;
		int rc = cr_store_hist_get(txn, acct_id, year, &h);
		if (rc == CR_ENOTFOUND)
			continue;
		if (rc)
			return rc;
		for (int m = 0; m < 12; m++) {
			const int32_t i = year * 12 + m - first;
			if (i >= 0 && (size_t)i < n && suppress[i]) {
				CR_ASSERT(h.m[m].status == months[i].status);
				memset(&h.m[m], 0, sizeof h.m[m]);
				touched = 1;
			}
		}
		if (touched && (rc = cr_store_hist_put(txn, acct_id, year, &h)))
			return rc;
	}
	return 0;
}

struct purge_buf {
	struct cr_month_rec months[CR_HISTORY_MONTHS_MAX];
	uint8_t suppress[CR_HISTORY_MONTHS_MAX];
	struct cr_hist_account ids[CR_PURGE_BATCH];
};

static int purge_account(cr_txn *txn, const struct cr_hist_account *a,
			 int32_t asof_days, struct purge_buf *b,
			 struct cr_purge_counts *counts)
{
	const int32_t last = cr_month_of_date(asof_days);
	int32_t first = a->first_year * 12;
	counts->accounts_seen++;
	if (first > last)
		return 0;
	if (last - first >= CR_HISTORY_MONTHS_MAX)
		first = last - CR_HISTORY_MONTHS_MAX + 1;
	const size_t n = (size_t)(last - first + 1);
	int rc = cr_history_load(txn, a->acct_id, first, last, b->months);
	if (rc)
		return rc;
	const size_t marked = cr_retention_mark(b->months, n, first, asof_days, b->suppress);
	if (!marked)
		return 0;
	counts->accounts_purged++;
	counts->months_removed += marked;
	return rewrite_years(txn, a->acct_id, first, n, b->months, b->suppress);
}

int cr_retention_purge(cr_store *st, int32_t asof_days, struct cr_purge_counts *out)
{
	memset(out, 0, sizeof *out);
	struct purge_buf *b = malloc(sizeof *b);
	if (!b)
		return CR_ENOMEM;
	uint64_t after = 0; /* resume point: accounts come in id order */
	int rc = 0;
	for (;;) {
		cr_txn *txn;
		size_t n;
		rc = cr_store_begin(st, 1, &txn);
		if (rc)
			break;
		rc = cr_store_hist_accounts(txn, after, b->ids, CR_PURGE_BATCH, &n);
		for (size_t i = 0; i < n && !rc; i++)
			rc = purge_account(txn, &b->ids[i], asof_days, b, out);
		if (rc) {
			cr_store_abort(txn);
			break;
		}
		rc = cr_store_commit(txn);
		if (rc || n == 0)
			break;
		after = b->ids[n - 1].acct_id;
	}
	free(b);
	return rc;
}
