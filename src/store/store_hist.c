/*
 * store_hist.c - account history by calendar year: pid 'H' n year, a year
 * packed by hist_codec.h (a bitmap of the months present and varints), the
 * layout that keeps the store under 16 bytes per account-month.
 *
 * A year with no statement left is deleted, and the store counts months
 * (CTR_MONTHS) as they come and go.  Every write forgets the account's kept
 * state (store_state.c): it no longer holds.
 */
#include <string.h>

#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "hist_codec.h"
#include "store_codec.h"
#include "store_int.h"

static int amount_ok(int64_t x)
{
	return x >= 0 && x <= CR_AMOUNT_MAX;
}

int cr_month_rec_check(const struct cr_month_rec *m)
{
	if (m->status == '\0')
		return m->dpd || m->balance || m->due || m->paid || m->overdue ? CR_EINVAL : 0;
	if (!cr_status_valid(m->status) || m->dpd < 0 || m->dpd > CR_DPD_MAX)
		return CR_EINVAL;
	if (!amount_ok(m->balance) || !amount_ok(m->due) || !amount_ok(m->paid) ||
	    !amount_ok(m->overdue))
		return CR_EINVAL;
	return 0;
}

int cr_hist_year_check(const struct cr_hist_year *h)
{
	for (int m = 0; m < 12; m++)
		if (cr_month_rec_check(&h->m[m]))
			return CR_EINVAL;
	return 0;
}

int cr_store_hist_get(cr_txn *txn, uint64_t acct_id, int year,
		      struct cr_hist_year *out)
{
	uint8_t kb[CR_KEY_HIST_LEN];
	struct kv_val v = {0};
	cr_key_hist(acct_id, year, kb);
	int rc = kv_get(txn, CF_PERSON, kb, sizeof kb, &v);
	if (rc)
		memset(out, 0, sizeof *out);
	else
		rc = cr_hist_decode(v.p, v.n, out);
	if (!rc && cr_hist_year_check(out))
		rc = CR_ECORRUPT;
	kv_val_free(&v);
	return rc;
}

static int months_present(const struct cr_hist_year *h)
{
	int n = 0;
	for (int m = 0; m < 12; m++)
		n += h->m[m].status != 0;
	return n;
}

int cr_store_hist_put(cr_txn *txn, uint64_t acct_id, int year,
		      const struct cr_hist_year *h)
{
	uint8_t kb[CR_KEY_HIST_LEN], vb[CR_HIST_YEAR_MAX];
	struct cr_hist_year prev;
	CR_ASSERT(year >= CR_MONTH_MIN / 12 && year <= CR_MONTH_MAX / 12);
	CR_ASSERT(cr_hist_year_check(h) == 0);
	cr_key_hist(acct_id, year, kb);
	int rc = cr_store_hist_get(txn, acct_id, year, &prev);
	if (rc && rc != CR_ENOTFOUND)
		return rc;
	const int before = rc ? 0 : months_present(&prev), after = months_present(h);
	if ((rc = ctr_add(txn, CTR_MONTHS, after - before)) ||
	    (rc = cr_store_state_forget(txn, acct_id)))
		return rc;
	if (after == 0)
		return before ? kv_del(txn, CF_PERSON, kb, sizeof kb) : 0;
	return kv_put(txn, CF_PERSON, kb, sizeof kb, vb, cr_hist_encode(h, vb));
}

/* A walk of the accounts with history (cr_store_hist_accounts). */
struct hist_walk {
	struct cr_hist_account *out;
	size_t max, n;
	uint8_t from[CR_KEY_HIST_LEN];  /* where the walk goes next */
};

/* Notes the account of a history key, or skips to where the next one can
 * be: the first year of the next account, or of the next person. */
static int hist_account(struct kv_step *s, void *arg)
{
	struct hist_walk *w = arg;
	if (s->kn < PK_LEN)
		return CR_ECORRUPT;
	const uint64_t pid = cr_get_u64be(s->k);
	uint64_t want;
	if (s->k[PK_LEN - 1] < PK_HIST) {
		want = ACCT_ID(pid, 0); /* before this person's history */
	} else if (s->k[PK_LEN - 1] > PK_HIST) {
		want = ACCT_ID(pid + 1, 0); /* past this person's history */
	} else if (s->kn != CR_KEY_HIST_LEN) {
		return CR_ECORRUPT;
	} else {
		const uint64_t id = cr_key_acct_id(s->k);
		w->out[w->n++] = (struct cr_hist_account){id, cr_key_hist_year(s->k)};
		want = id + 1;
	}
	s->end = w->n == w->max || ACCT_PID(want) > PID_MAX;
	cr_key_hist(want, 0, w->from);
	s->seek = w->from;
	s->seek_n = sizeof w->from;
	return 0;
}

/* One seek per account with history, and one per person without: the
 * walk jumps from each account's first year to the next account. */
int cr_store_hist_accounts(cr_txn *txn, uint64_t after,
			   struct cr_hist_account *out, size_t max, size_t *n)
{
	struct hist_walk w = {out, max, 0, {0}};
	*n = 0;
	if (max == 0 || ACCT_PID(after + 1) > PID_MAX)
		return 0;
	cr_key_hist(after + 1, 0, w.from);
	int rc = kv_walk(txn, CF_PERSON, NULL, 0, w.from, sizeof w.from, hist_account, &w);
	*n = w.n;
	return rc;
}
