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
 * Deriving on read costs one cursor range per account over the events since
 * the base, which a monthly statement keeps to about a month of events; no
 * summary has to be kept in step at ingest, so nothing can drift.
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

/* cr_current_derive on r's latest statement up to the as-of month, found
 * by reading its history backwards a year at a time (at most the
 * CR_HISTORY_MONTHS_MAX months a report reads).  Retention and disputes,
 * which a report applies to the months it shows, are not looked at. */
int cr_current_now(cr_txn *txn, const struct cr_account_rec *r, int32_t asof_days,
		   struct cr_current *out /* OUT */);

/* "open", "overdue", "closed", "charged_off", "transferred" ("?" otherwise). */
const char *cr_current_status_name(uint8_t status);

#endif
