/* dispute.c - filing and answering disputes; see dispute.h. */
#include "dispute.h"

#include <stdio.h>
#include <string.h>

#include "cr_err.h"
#include "validate.h"

#define CR_STR(x) #x
#define CR_XSTR(x) CR_STR(x)

int cr_dispute_hides(const struct cr_dispute *d, int32_t asof_days)
{
	const int open = d->status == CR_DISPUTE_OPEN || d->resolved_days > asof_days;
	return open && d->filed_days <= asof_days &&
	       asof_days - d->filed_days >= CR_DISPUTE_DEADLINE_DAYS;
}

const char *cr_dispute_status_name(uint8_t status)
{
	switch (status) {
	case CR_DISPUTE_OPEN: return "open";
	case CR_DISPUTE_VERIFIED: return "verified";
	case CR_DISPUTE_CORRECTED: return "corrected";
	}
	return "?";
}

int cr_dispute_file(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
		    const char *account, int32_t month, const char *reason,
		    int32_t asof_days, struct cr_dispute *out, const char **why)
{
	struct cr_account_rec a;
	size_t n;
	*why = NULL;
	int rc = cr_store_dispute_count(txn, k, &n);
	if (rc)
		return rc;
	if (n >= CR_SUBJECT_DISPUTES_MAX) {
		*why = "the person has filed " CR_XSTR(CR_SUBJECT_DISPUTES_MAX)
		       " disputes, the most the bureau keeps for one person";
		return CR_ETOOBIG;
	}
	rc = cr_store_account_get(txn, inst, account, &a);
	if (!rc && memcmp(a.subject.b, k->b, sizeof k->b) != 0)
		rc = CR_ENOTFOUND; /* not this person's: say nothing more */
	if (rc == CR_ENOTFOUND)
		*why = "the person has no such account with this institution";
	if (!rc && month != CR_WHOLE_ACCOUNT) {
		struct cr_hist_year h;
		rc = cr_store_hist_get(txn, a.acct_id, month / 12, &h);
		if (!rc && !h.m[month % 12].status)
			rc = CR_ENOTFOUND;
		if (rc == CR_ENOTFOUND)
			*why = "the account has no statement for that month";
	}
	struct cr_dispute d;
	memset(&d, 0, sizeof d);
	if (rc)
		return rc;
	d.subject = *k;
	d.acct_id = a.acct_id;
	snprintf(d.inst, sizeof d.inst, "%s", inst);
	snprintf(d.account, sizeof d.account, "%s", account);
	snprintf(d.reason, sizeof d.reason, "%s", reason);
	d.month = month;
	d.filed_days = asof_days;
	d.status = CR_DISPUTE_OPEN;
	d.resolved_days = CR_NO_DATE;
	rc = cr_store_dispute_put(txn, &d);
	if (!rc)
		*out = d;
	return rc;
}

/* Replaces the disputed month with the corrected statement, keeping the old
 * value as a revision. */
static int apply_correction(cr_txn *txn, const struct cr_dispute *d,
			    const struct cr_statement *s, int32_t asof_days)
{
	struct cr_hist_year h;
	int rc = cr_store_hist_get(txn, d->acct_id, s->month / 12, &h);
	if (rc && rc != CR_ENOTFOUND)
		return rc;
	struct cr_month_rec *slot = &h.m[s->month % 12];
	const struct cr_revision rev = {d->acct_id, s->month, d->id, asof_days, *slot};
	rc = cr_store_revision_add(txn, &rev);
	if (rc)
		return rc;
	*slot = (struct cr_month_rec){s->status, s->dpd, s->balance, s->due, s->paid,
				      s->overdue};
	return cr_store_hist_put(txn, d->acct_id, s->month / 12, &h);
}

static int check_answer(const struct cr_dispute *d, const char *inst,
			const struct cr_statement *s, const char **why)
{
	if (strcmp(d->inst, inst) != 0) {
		*why = "only the institution that furnished the item may answer the dispute";
		return CR_EDENIED;
	}
	if (d->status != CR_DISPUTE_OPEN) {
		*why = "the dispute has already been answered";
		return CR_EEXIST;
	}
	if (s && (strcmp(s->inst, d->inst) != 0 || strcmp(s->account, d->account) != 0)) {
		*why = "the corrected statement is for another account";
		return CR_EINVAL;
	}
	if (s && d->month != CR_WHOLE_ACCOUNT && s->month != d->month) {
		*why = "the corrected statement is for another month than the disputed one";
		return CR_EINVAL;
	}
	return 0;
}

/* A correction is a statement of the account: the rules ingest applies to
 * its month apply to it too. */
static int check_correction_month(cr_txn *txn, const struct cr_dispute *d,
				  const struct cr_statement *s, const char **why)
{
	struct cr_account_rec a;
	int rc = cr_store_account_by_id(txn, d->acct_id, &a);
	if (rc)
		return rc == CR_ENOTFOUND ? CR_ECORRUPT : rc; /* the dispute names it */
	return cr_statement_month_fits(&a.a, s->month, why) ? 0 : CR_EINVAL;
}

int cr_dispute_resolve(cr_txn *txn, uint64_t id, const char *inst,
		       const struct cr_statement *corrected, int32_t asof_days,
		       struct cr_dispute *out, const char **why)
{
	struct cr_dispute d;
	*why = NULL;
	int rc = cr_store_dispute_get(txn, id, &d);
	if (rc == CR_ENOTFOUND)
		*why = "no dispute with that number";
	if (!rc)
		rc = check_answer(&d, inst, corrected, why);
	if (!rc && corrected)
		rc = check_correction_month(txn, &d, corrected, why);
	if (!rc && corrected)
		rc = apply_correction(txn, &d, corrected, asof_days);
	if (!rc) {
		d.status = corrected ? CR_DISPUTE_CORRECTED : CR_DISPUTE_VERIFIED;
		d.resolved_days = asof_days;
		rc = cr_store_dispute_put(txn, &d);
	}
	if (!rc)
		*out = d;
	return rc;
}
