/*
 * current.h - an account's state now: the latest statement plus the events
 * since.
 *
 * A monthly statement says where an account stood at the end of its month.
 * Events (drawdowns, repayments, fees, interest, overdue marks, write-offs,
 * closures) say what happened since, to the second.  The current state is
 *
 *   base    the latest statement up to the as-of month (balance, overdue,
 *           dpd, and a status from its code); without one, the account as
 *           opened, with balance 0;
 *   events  every stored event after the end of the base's month (after the
 *           start of the opening day without a statement) and no later than
 *           the end of the as-of day plus CR_CLOCK_SKEW_S, applied in
 *           (time, event-id hash) order.
 *
 * A statement is authoritative for its month: once it arrives, events up to
 * the end of that month no longer count.  As the events come from the store
 * in one fixed order, the state is a function of the stored set alone:
 * events that arrive late, twice or out of order give the same state.  The
 * rules of each kind are in docs/FORMAT.md ("Events") and cr_current_apply.
 *
 * Kept states.  Deriving costs a read of the account's history and of its
 * events since the base.  So the state derived in a write transaction is
 * kept in the store with the as-of date it holds for (cr_store_state_put),
 * and cr_current_now returns it while the date is the same: the alert rules
 * on every write, and the next batch, read one record per account instead
 * of deriving.  The store forgets a kept state whenever the account's
 * record, history or events change, so a kept state is never older than
 * its data; an event that comes after every event applied (the common
 * case, furnishing as it happens) carries it forward instead
 * (cr_current_follow).  tests/unit/current checks kept states against
 * fresh derivations on random histories.
 */
#ifndef CR_CURRENT_H
#define CR_CURRENT_H

#include <stdint.h>

#include "store.h"

enum cr_current_status {
	CR_CUR_OPEN = 1,
	CR_CUR_OVERDUE = 2,     /* open, with an overdue amount or days past due */
	CR_CUR_CLOSED = 3,      /* settled: a close event, or a C or Z statement */
	CR_CUR_CHARGED_OFF = 4, /* written off: a writeoff event or a G statement */
	CR_CUR_TRANSFERRED = 5, /* as the account record says */
};

struct cr_current {
	int64_t balance;         /* minor units, never negative */
	int64_t overdue;
	int32_t dpd;
	uint8_t status;          /* enum cr_current_status */
	int has_base;            /* a statement is the base */
	int32_t base_month;      /* its month, when has_base */
	int64_t as_of_s;         /* time of the latest event applied, else the
				    end of the base month, else the opening day */
	uint32_t events_applied;
	int64_t base_end_s;      /* events at or before this are not applied */
	uint8_t last_hash[16];   /* id hash of the latest event applied */
};

/* Sets c to the base: the account record and its latest statement (latest
 * NULL when it has none). */
void cr_current_base(struct cr_current *c, const struct cr_account *a,
		     const struct cr_month_rec *latest, int32_t latest_month);

/* Applies one event to c; the caller applies events in (at_s, id_hash)
 * order.  Adverse events (overdue, writeoff) from a month 60 or more months
 * before asof_days's month are past retention and skipped (retention.h). */
void cr_current_apply(struct cr_current *c, const struct cr_event_rec *e,
		      int32_t asof_days);

/* The latest instant an event may carry to count at asof_days: the end of
 * the day (23:59:59+08:00) plus CR_CLOCK_SKEW_S, as ingest allows. */
int64_t cr_current_until_s(int32_t asof_days);

/* The base, then every stored event of r since the base, up to
 * cr_current_until_s(asof_days).  Returns 0 or a store error. */
int cr_current_derive(cr_txn *txn, const struct cr_account_rec *r,
		      const struct cr_month_rec *latest, int32_t latest_month,
		      int32_t asof_days, struct cr_current *out /* OUT */);

/* The kept state for asof_days, or cr_current_derive on r's latest
 * statement up to the as-of month, found by reading its history backwards
 * a year at a time (at most the CR_HISTORY_MONTHS_MAX months a report
 * reads), kept when txn is a write transaction.  Retention and disputes,
 * which a report applies to the months it shows, are not looked at. */
int cr_current_now(cr_txn *txn, const struct cr_account_rec *r, int32_t asof_days,
		   struct cr_current *out /* OUT */);

/* cr_current_now without the kept state: derived from the store, kept
 * nowhere.  For tests that hold kept states to it. */
int cr_current_fresh(cr_txn *txn, const struct cr_account_rec *r, int32_t asof_days,
		     struct cr_current *out /* OUT */);

/* The state kept for r at asof_days: 1 with *out set, 0 when none is kept
 * for that date, or a store error. */
int cr_current_kept(cr_txn *txn, const struct cr_account_rec *r, int32_t asof_days,
		    struct cr_current *out /* OUT */);

/* After event e of r was stored (which made the store forget r's kept
 * state), in a write transaction: when before (kept == 1) was r's state
 * just before, and e comes after every event it applied, or before its
 * base, the state it leads to is kept and 1 returned; otherwise nothing is
 * (0: the next cr_current_now derives it). */
int cr_current_follow(cr_txn *txn, const struct cr_account_rec *r,
		      const struct cr_current *before, int kept,
		      const struct cr_event_rec *e, int32_t asof_days);

/* "open", "overdue", "closed", "charged_off", "transferred" ("?" otherwise). */
const char *cr_current_status_name(uint8_t status);

#endif
