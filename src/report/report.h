/*
 * report.h - the credit report: what a member institution or the person sees.
 *
 * The one way a report leaves the bureau is the report act of the
 * operations layer (ops.h, cr_report_request): it checks the authorization
 * rules (consent.h) and builds the report here (cr_report_prepare), records
 * the inquiry here (cr_report_inquire) and audits the request, granted or
 * refused, in the same durable write transaction, so a report is never
 * returned without its inquiry on disk and a refused request leaves no
 * inquiry behind.
 *
 * Visibility (DESIGN.md rules 2 and 11): an account whose furnisher has no
 * live furnish consent for the person is "held".  Held accounts are left
 * out of reports to institutions; the person's own report shows them,
 * marked.  The identity is the one consent.h shows ("Identities"): what a
 * held line furnished never shows to an institution, and to the person
 * only, marked, when nothing else is known.
 *
 * Disputes (dispute.h): a disputed account or month is annotated.  One still
 * unanswered 20 days after filing is left out of reports to institutions
 * until the furnisher answers; the person still sees it.
 *
 * Retention (DESIGN.md rule 3, retention.h): adverse months past their five
 * years at the as-of date are left out, as if never furnished, whether or
 * not a purge has removed them yet.
 *
 * The grid is CR_GRID_MONTHS status codes, oldest first, ending at the as-of
 * month: '/' before the account opened, the furnished status where there is
 * a statement, '*' (nothing due) after the account ended (C, G or Z), and
 * '#' (unknown) for a month of its life with no statement.
 *
 * Dates.  A report reads statements up to the as-of month, and events and
 * inquiries up to the as-of date.  The status on an account's record
 * (closed, charged off, transferred) carries no date: a report takes it as
 * it is, so one built as of a past date shows today's status.  A reader
 * that must not see later facts asks for CR_REPORT_DATED (cr_report_build).
 */
#ifndef CR_REPORT_H
#define CR_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "cr_buf.h"
#include "cr_limits.h"
#include "current.h"
#include "model.h"
#include "store.h"

_Static_assert(CR_REPORT_ACCOUNT_DISPUTES_MAX <= UINT8_MAX,
	       "n_disputes and n_revisions are uint8_t");

struct cr_report_account {
	struct cr_account_rec rec;
	char grid[CR_GRID_MONTHS + 1];
	int has_latest;           /* a statement exists up to the as-of month */
	int32_t latest_month;
	struct cr_month_rec latest;
	int ended;                /* a C, G or Z statement up to the as-of month */
	int held;                 /* no live furnish consent (self reports only) */
	int ever_overdue;         /* any 1..7 status up to the as-of month */
	int32_t last_adverse_month; /* the latest month shown with an adverse
				       status (1..7, G, D, Z; retention.h), or
				       CR_NO_DATE */
	uint8_t due_months_24m;   /* months of the last 24 shown with due > 0 */
	uint8_t ontime_months_24m; /* ... of which paid >= due, status N */
	struct cr_current current; /* latest statement + events since (current.h) */
	uint8_t n_disputes;       /* disputes about this account (annotations):
				     the newest, of disputes_total */
	uint32_t disputes_total;
	struct cr_report_dispute {
		uint64_t id;
		int32_t month;        /* CR_WHOLE_ACCOUNT for the whole account */
		int32_t filed_days;
		uint8_t status;       /* enum cr_dispute_status */
	} disputes[CR_REPORT_ACCOUNT_DISPUTES_MAX];
	uint8_t n_revisions;      /* corrections (self reports only): the
				     newest, of revisions_total */
	uint32_t revisions_total;
	struct cr_revision revisions[CR_REPORT_ACCOUNT_DISPUTES_MAX];
};

struct cr_report_summary {
	uint32_t accounts_by_product[CR_PROD_COUNT + 1]; /* index: enum cr_product */
	uint32_t lenders_with_open_balance;
	int64_t total_credit_limit; /* open revolving and credit-card lines */
	int64_t total_balance;
	int64_t total_overdue;
	uint32_t accounts_ever_overdue;
	char worst_status_24m;      /* 'N' when nothing adverse, '\0' without data */
};

/* A figure of the exposure block and the time of the latest event that fed
 * it (CR_NO_TIME when nothing did). */
#define CR_NO_TIME INT64_MIN
struct cr_report_figure {
	int64_t value;
	int64_t as_of_s;
};

/* Exposure now, across every lender the report shows, from the accounts'
 * current states: what a monthly summary cannot tell a lender. */
struct cr_report_exposure {
	struct cr_report_figure outstanding;          /* sum of current balances */
	struct cr_report_figure lenders_with_balance; /* institutions with balance > 0 */
	struct cr_report_figure credit_used;          /* open revolving and credit-card balances */
	int64_t credit_limit;                         /* and their limits */
	struct cr_report_figure opened_30d;           /* accounts opened in the last 30 days */
	struct cr_report_figure opened_90d;           /* ... 90 days */
	struct cr_report_figure inquiries_30d;        /* inquiries in the last 30 days */
};

struct cr_scorer;

struct cr_report {
	int32_t asof_days;
	uint8_t purpose;
	char requester[CR_INST_CODE_MAX + 1]; /* "" for the person's own report */
	struct cr_subject subject;            /* as consent.h shows it */
	int subject_held;                     /* a held identity (self reports only) */
	struct cr_report_summary summary;
	struct cr_report_exposure exposure;
	size_t n_accounts;
	struct cr_report_account *accounts;   /* owned, room for cap_accounts */
	size_t cap_accounts;
	size_t n_inquiries;                   /* listed: at most CR_REPORT_INQUIRIES_MAX */
	struct cr_inquiry *inquiries;         /* owned, newest first */
	uint64_t inquiries_total;             /* every inquiry of the two years */
	struct cr_report_inquiry_day {
		uint32_t all, seeking;
	} *inquiry_days;                      /* owned: the counts by age in days */
	struct cr_month_rec *scratch;         /* owned: one account's history */
	uint8_t *suppress;                    /* owned: retention marks */
	struct cr_dispute *all_disputes;      /* owned: the person's disputes, all */
	size_t n_all_disputes, cap_all_disputes;
	/* The person's score (scorer.h), when the request came with the
	 * bureau's scorecard (ops.h); the scorer renders its reasons. */
	int has_score;
	struct cr_score score;
	const struct cr_scorer *scorer;
};

/* Inquiries a report covers: those dated on the as-of date and in the 730
 * days before it (two years).  It counts every one, and lists the newest
 * CR_REPORT_INQUIRIES_MAX (cr_limits.h). */
#define CR_REPORT_INQUIRY_DAYS 731

void cr_report_init(struct cr_report *r);

/* r's inquiries dated in the `days` days up to its as-of date (0 ..
 * CR_REPORT_INQUIRY_DAYS), listed or not; with seeking, only the
 * credit-seeking ones of institutions (cr_purpose_seeks_credit). */
uint64_t cr_report_inquiries_within(const struct cr_report *r, int32_t days, int seeking);
void cr_report_fini(struct cr_report *r);

/*
 * Builds the report for subject k as of asof_days inside txn.  flags, any of:
 *
 *   CR_REPORT_HELD   held accounts too, marked, and every disputed item:
 *                    the person's own report (an institution's has neither);
 *   CR_REPORT_BARE   no identity and no account number is opened: subject
 *                    and each rec.a.account stay "" (a reader that must not
 *                    see who the person is, such as the score's features,
 *                    and saves their decryption);
 *   CR_REPORT_DATED  only facts dated up to the as-of date: an account's
 *                    record status (closed, charged off, transferred), which
 *                    carries no date, counts only when nothing about the
 *                    account is dated after the as-of date (no event, and
 *                    no statement later in the as-of year or in the next);
 *                    otherwise its state comes from its statements and
 *                    events alone.
 *
 * CR_ENOTFOUND when the bureau has no file on the subject that the reader
 * may see: no identity that shows (cr_consent_identity; BARE: no account
 * that shows, held ones counting for HELD only).  out's buffers are allocated on first use and kept: build many
 * reports into one struct, then cr_report_fini.
 */
#define CR_REPORT_HELD 1
#define CR_REPORT_BARE 2
#define CR_REPORT_DATED 4
int cr_report_build(cr_txn *txn, const struct cr_subject_key *k,
		    int32_t asof_days, int flags,
		    struct cr_report *out /* OUT */);

/*
 * The request in two halves, for a caller that builds reports in parallel
 * and writes in shared commits.  prepare checks the consent rules for inst
 * asking about subject k for purpose (inst is ignored for CR_PURPOSE_SELF)
 * and builds the report in txn, which may be a read transaction; its
 * result (0, CR_EDENIED with *reason, CR_ENOTFOUND when there is no file,
 * or an error) goes to inquire, which runs in a write transaction: it
 * checks the rules again on the newer state and adds the inquiry (and the
 * inquiry alert) when granted.  Its result is the request's outcome; the
 * report may be sent only when it is 0 and txn has committed.
 */
int cr_report_prepare(cr_txn *txn, const struct cr_subject_key *k,
		      const char *inst, uint8_t purpose, int32_t asof_days,
		      struct cr_report *out /* OUT */, const char **reason /* OUT */);
int cr_report_inquire(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
		      uint8_t purpose, int32_t asof_days, int prepared,
		      const char **reason /* IN/OUT */);

/* Renders the report; see docs/report.md for the JSON schema. */
int cr_report_json(const struct cr_report *r, struct cr_buf *out);
int cr_report_text(const struct cr_report *r, struct cr_buf *out);

#endif
