/*
 * alert.h - alerts for post-loan monitoring.
 *
 * An institution that holds an open account with a person (its post_loan
 * right, consent.h) is told when something about that person changes at
 * another institution.  The rules run inside the write transaction that
 * stores the data, so an alert exists exactly when its data does:
 *
 *   dpd30          an account at another institution goes from < 30 to
 *                  >= 30 days past due in its current state (current.h);
 *   new_account    another institution furnishes a new account;
 *   exposure_rise  the person's total outstanding (the report's exposure
 *                  block) rises, from just before one change to just after
 *                  it, by more than the watcher's percentage AND more than
 *                  its minimum (defaults 20 % and 1,000,000 minor units);
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

#define CR_ALERT_DPD 30
#define CR_ALERT_INQUIRY_DAYS 7
#define CR_ALERT_DEFAULT_EXPOSURE_PCT 20
#define CR_ALERT_DEFAULT_EXPOSURE_MIN 1000000
#define CR_ALERT_DEFAULT_INQUIRIES 3
#define CR_ALERT_WATCHERS_MAX 64
#define CR_ALERT_PAGE_DEFAULT 100
#define CR_ALERT_PAGE_MAX 1000

/* "dpd30", "new_account", "exposure_rise", "inquiries" ("?" otherwise). */
const char *cr_alert_kind_name(uint8_t kind);

/* inst's thresholds: stored ones, else the defaults above. */
int cr_alert_config(cr_txn *txn, const char *inst, struct cr_alert_config *out /* OUT */);

/* What the rules need from just before one change. */
struct cr_alert_probe {
	int active;                  /* someone other than inst watches */
	struct cr_subject_key subject;
	char inst[CR_INST_CODE_MAX + 1]; /* whose data it is */
	int32_t asof_days;
	uint64_t acct_id;            /* the account, 0 when it is new */
	int visible;                 /* the account counted before */
	int32_t dpd;                 /* its dpd before */
	int64_t exposure;            /* total outstanding before */
	unsigned n_watchers;
	char watchers[CR_ALERT_WATCHERS_MAX][CR_INST_CODE_MAX + 1];
};

/* Does any institution other than inst hold an open account with k?
 * Fills p's watchers and sets p->active; nothing else. */
int cr_alert_watchers(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
		      struct cr_alert_probe *p /* OUT */);

/* Before data of inst about k's account acct_id (0: a new account) is
 * applied: finds the watchers and, when there are any, the state before. */
int cr_alert_before(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
		    uint64_t acct_id, int32_t asof_days, struct cr_alert_probe *p /* OUT */);

/* After the data was stored and accepted (visible): raises the dpd30,
 * new_account and exposure_rise alerts.  acct_id is the account now; at_s
 * the time of the data (an event's time, a statement's month end, an
 * account's opening day). */
int cr_alert_after(cr_txn *txn, const struct cr_alert_probe *p, uint64_t acct_id,
		   int64_t at_s);

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
