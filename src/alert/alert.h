/*
 * alert.h - alerts for post-loan monitoring.
 *
 * An institution that holds an open account with a person that others
 * see (its post_loan right, cr_consent_relates in consent.h: a held
 * account does not count) is told when something about that person
 * changes at another institution.  The rules run inside the write transaction that
 * stores the data, so an alert exists exactly when its data does:
 *
 *   dpd30          an account at another institution goes from < 30 to
 *                  >= 30 days past due in its current state (current.h);
 *   new_account    another institution furnishes a new account opened in
 *                  the CR_ALERT_NEW_ACCOUNT_DAYS days up to the as-of date
 *                  (the report's opened_30d); an older account loaded late,
 *                  as in a lender's first load of its book, is not news;
 *   exposure_rise  the person's total outstanding (the sum of the current
 *                  balances of the accounts institutions see) rises, from
 *                  just before a batch to just after it, by more than the
 *                  watcher's percentage AND more than its minimum (defaults
 *                  20 % and 1,000,000 minor units); only the changes at
 *                  other institutions count towards the rise;
 *   inquiries      a credit-seeking inquiry (loan_approval, card_approval,
 *                  guarantee) brings the person's count in the 7 days up
 *                  to the as-of date to exactly the watcher's N (default 3).
 *
 * Only data visible to institutions counts: held data (no live furnish
 * consent) raises nothing, and the institution whose data or inquiry it is
 * is never told about it.  An alert stores the person's pseudonym, kind and
 * times only; what is delivered (cr_alert_page) names the person masked
 * and the receiving institution's own account numbers, nothing of others.
 */
#ifndef CR_ALERT_H
#define CR_ALERT_H

#include <stdint.h>

#include "cr_buf.h"
#include "cr_limits.h"
#include "store.h"

enum cr_alert_kind {
	CR_ALERT_DPD30 = 1,
	CR_ALERT_NEW_ACCOUNT = 2,
	CR_ALERT_EXPOSURE_RISE = 3,
	CR_ALERT_INQUIRIES = 4,
};
_Static_assert(CR_ALERT_INQUIRIES == CR_ALERT_KIND_MAX,
	       "the store checks alert kinds against CR_ALERT_KIND_MAX (store.h)");

#define CR_ALERT_DPD 30
#define CR_ALERT_INQUIRY_DAYS 7
#define CR_ALERT_NEW_ACCOUNT_DAYS 30
#define CR_ALERT_DEFAULT_EXPOSURE_PCT 20
#define CR_ALERT_DEFAULT_EXPOSURE_MIN 1000000
#define CR_ALERT_DEFAULT_INQUIRIES 3
#define CR_ALERT_PAGE_DEFAULT 100

/* "dpd30", "new_account", "exposure_rise", "inquiries" ("?" otherwise). */
const char *cr_alert_kind_name(uint8_t kind);

/* inst's thresholds: stored ones, else the defaults above. */
int cr_alert_config(cr_txn *txn, const char *inst, struct cr_alert_config *out /* OUT */);

/*
 * The rules look at one batch of furnished data at a time: the records of
 * one ingest batch (a request over HTTP, or up to CR_BATCH_RECORDS lines of
 * a file), in the write transaction that stores them.  For each account the
 * batch touches, the state before is taken the first time the batch touches
 * it, and only when another institution watches the person; the state
 * after, once, when the batch ends.  A rule compares the two, so its cost
 * is a few reads per watched account per batch, however many records the
 * batch holds about it, and nothing for a person nobody else lends to.  A
 * state that comes and goes inside one batch raises nothing.
 */
struct cr_alert_batch;

int cr_alert_batch_new(struct cr_alert_batch **out /* OUT */);
void cr_alert_batch_free(struct cr_alert_batch *b);

/* Before a record about account r is applied.  The first time in b: notes
 * whether an institution other than r's holds an open account with the
 * person and, if so, r's state before (visible, dpd, balance). */
int cr_alert_touch(struct cr_alert_batch *b, cr_txn *txn, const struct cr_account_rec *r,
		   int32_t asof_days);

/* After a record about r was accepted: is_new when it created the account
 * (no cr_alert_touch before it), at_s the time of the data (an event's
 * time, a statement's month end, an account's opening day), asof_days the
 * business date. */
int cr_alert_changed(struct cr_alert_batch *b, cr_txn *txn, const struct cr_account_rec *r,
		     int is_new, int64_t at_s, int32_t asof_days);

/* At the end of the batch, in its transaction: the state after of every
 * changed, watched account, the dpd30, new_account and exposure_rise rules,
 * and the alerts they raise.  Empties b. */
int cr_alert_batch_eval(struct cr_alert_batch *b, cr_txn *txn, int32_t asof_days);

/* After an inquiry by inst about k was added: the inquiries rule. */
int cr_alert_inquiry(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
		     uint8_t purpose, int32_t asof_days);

/*
 * Appends to out the JSON page of inst's alerts with seq > after, at most
 * limit of them: {"alerts":[...],"next":"<cursor>"}; next is the last seq
 * on the page, or after when it is empty.  *n is the number of alerts.
 */
int cr_alert_page(cr_txn *txn, const char *inst, uint64_t after, unsigned limit,
		  struct cr_buf *out, unsigned *n /* OUT */, uint64_t *next /* OUT */);

#endif
