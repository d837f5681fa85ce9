/*
 * ops.h - the operations layer: each act of the bureau, once.
 *
 * An act is what the bureau does for someone: furnish a batch, grant or
 * revoke a consent, build and record a report, file or answer a dispute,
 * issue or revoke an API key, register a webhook, deliver a page of
 * alerts, purge.  Each is one function here that validates, applies,
 * audits and returns a typed result.  The CLI (src/cli/) and the HTTP
 * server (src/server/) are adapters: they parse options or JSON, call the
 * act, and render what it returns.  They do not touch the store or write
 * the audit trail themselves (scripts/checksrc.sh fails the build when one
 * does), so an act behaves and is audited the same on both paths.
 *
 * The context.  An act runs in a struct cr_op: the store, a write
 * transaction, who acts (role, institution, the person for a subject's
 * key) and the business date.  The caller owns the transaction:
 *
 *   - the CLI calls cr_op_run(), which begins a transaction, runs the act,
 *     and commits it unless the act failed (cr_op_failed); audit entries
 *     are appended and synced one by one (cr_audit_append);
 *   - the server's committer runs many acts in one shared transaction with
 *     one audit batch (op.batch), and commits them together.
 *
 * Results.  An act returns 0, a refusal or a failure:
 *
 *   refusal  CR_EINVAL, CR_EDENIED, CR_ENOTFOUND, CR_ETOOBIG, CR_EEXIST (a
 *            conflict with what is stored, e.g. an answered dispute): the request
 *            was not acceptable; op->why says why (a static sentence, or
 *            op->why_buf).  Nothing but the act's audit entry was written,
 *            and that entry must be committed: refusals are audited too.
 *   failure  anything else (CR_EIO, CR_ESTORE, CR_ENOMEM, CR_ECORRUPT,
 *            CR_EBUSY, CR_EAUDIT): the transaction must be aborted;
 *            nothing of the act, audit entry included, may be committed.
 *            CR_EAUDIT says the trail refused the act's entry: an act is
 *            never committed, nor its refusal answered, without its entry.
 *            In the server's group the committer drops that act alone
 *            (committer.h); a store failure fails the group.
 *
 * Audit.  Every audited act names one of the acts of audit.h
 * (enum cr_audit_act) and writes its entry through cr_op_audit_*(), whose
 * formatter per act decides the wording of the detail; nothing else in the
 * program builds an audit entry.  Reasons and details are formatted
 * through mask.h: identifiers masked, cut on a character boundary.
 */
#ifndef CR_OPS_H
#define CR_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "apikey.h"
#include "audit.h"
#include "cr_record.h"
#include "ingest.h"
#include "report.h"
#include "store.h"
#include "webhook.h"

struct cr_op {
	cr_store *st;
	cr_txn *txn;                    /* the act's write transaction */
	struct cr_audit_batch *batch;   /* the group's batch; NULL: append */
	uint8_t role;                   /* enum cr_audit_role of who acts */
	char inst[CR_INST_CODE_MAX + 1]; /* the acting institution, or "" */
	int has_self;                   /* a person acting for themself */
	struct cr_subject_key self;
	int32_t asof;                   /* the business date */
	int64_t now;                    /* wall clock, Unix seconds */
	const struct cr_scorer *scorer; /* the bureau's scorecard; NULL: none */
	struct cr_sup_cache *sup_cache; /* months of aggregates kept; NULL: none */
	const char *why;                /* OUT: a refusal's reason */
	char why_buf[160];
};

/* Fills op for an actor; txn and batch are left NULL. */
void cr_op_init(struct cr_op *op, cr_store *st, uint8_t role, const char *inst,
		int32_t asof);

/* Non-zero when rc is a failure (the transaction must be aborted) rather
 * than 0 or a refusal (see above). */
int cr_op_failed(int rc);

/*
 * Runs act(op, arg) in a write transaction of its own, committed unless
 * the act failed.  Returns the act's result, or the commit's error.
 */
int cr_op_run(struct cr_op *op, int (*act)(struct cr_op *op, void *arg), void *arg);

/* Runs fn(op, arg) in a read snapshot (op->txn), for reads that are not
 * acts (lists, statistics).  Returns fn's result or the store's error. */
int cr_op_read(struct cr_op *op, int (*fn)(struct cr_op *op, void *arg), void *arg);

/* The pseudonym of a person's ID (normalized by cr_id_validate). */
void cr_op_subject(const struct cr_op *op, const char *id, struct cr_subject_key *out);

/* ---- Audit: one writer per kind of detail (op_audit.c). ---- */

/* An act about no detail: the act, the person (or NULL), the purpose (0
 * for none), the outcome and its reason (NULL when granted). */
int cr_op_audit(struct cr_op *op, enum cr_audit_act act, const struct cr_subject_key *who,
		uint8_t purpose, uint8_t outcome, const char *reason);
int cr_op_audit_furnish(struct cr_op *op, const struct cr_ingest_counts *c);
int cr_op_audit_consent(struct cr_op *op, const struct cr_subject_key *who,
			const struct cr_consent *c, const char *refusal);
int cr_op_audit_key(struct cr_op *op, enum cr_audit_act act, const struct cr_apikey *k);
int cr_op_audit_webhook(struct cr_op *op, enum cr_audit_act act, const struct cr_webhook *w);
int cr_op_audit_dispute(struct cr_op *op, enum cr_audit_act act, const struct cr_dispute *d);
/* A page of alerts (alert_delivery) or a webhook attempt (webhook_delivery:
 * http is the status, err an enum cr_webhook_error, errmsg the failure). */
int cr_op_audit_alert_page(struct cr_op *op, uint64_t after, uint64_t next, unsigned n);
int cr_op_audit_delivery(struct cr_op *op, uint64_t after, uint64_t next, unsigned n,
			 unsigned http, uint8_t err, const char *errmsg);
int cr_op_audit_alert_config(struct cr_op *op, const char *inst,
			      const struct cr_alert_config *c);
int cr_op_audit_purge(struct cr_op *op, int failed, uint64_t accounts, uint64_t months);
/* An act over many people, by their count: "what=n" (score_all). */
int cr_op_audit_count(struct cr_op *op, enum cr_audit_act act, int failed, const char *what,
		      uint64_t n);
/* A read of supervision aggregates: "month=YYYY-MM by=GROUPING". */
int cr_op_audit_supervision(struct cr_op *op, int32_t month, const char *by,
			    const char *refusal);
int cr_op_audit_serve_start(struct cr_op *op, const char *host, unsigned port);
/* A delisting order (shelf_delist): d as stored when granted, as asked
 * when refused (reason set). */
int cr_op_audit_delist(struct cr_op *op, const struct cr_delist *d, const char *refusal);
/* A shelf answer (shelf_query) about k: platform ("" : every one) and the
 * counts shown; refusal set when refused. */
int cr_op_audit_shelf(struct cr_op *op, const struct cr_subject_key *k, const char *platform,
		      size_t offered, size_t held, const char *refusal);

/* ---- Keys (op_keys.c) ---- */

struct cr_key_request {
	uint8_t role;                   /* enum cr_role, 0 when unknown */
	const char *inst;               /* NULL: none */
	const char *id;                 /* a person's normalized ID, or NULL */
};
/* Issues a key (key_add).  token gets the secret, shown once. */
int cr_keys_add(struct cr_op *op, const struct cr_key_request *q,
		char token[CR_APIKEY_TOKEN_LEN + 1] /* OUT */, struct cr_apikey *out /* OUT */);
/* Revokes key_id (key_revoke); CR_ENOTFOUND when there is none. */
int cr_keys_revoke(struct cr_op *op, const char *key_id, struct cr_apikey *out /* OUT */);
/* Every key, in key_id order (a read). */
int cr_keys_list(struct cr_op *op, int (*fn)(const struct cr_apikey *k, void *arg), void *arg);
/* Rotates the master key (keys_rotate), audited in a transaction of its
 * own: it is not one store transaction.  *why on a refusal. */
int cr_keys_rotate(struct cr_op *op, const char *key_file);

/* ---- The shelf (op_shelf.c, docs/shelf.md) ---- */

struct cr_shelf;
/* A delisting order: a product (product set; platform NULL when the code
 * names one product of one platform), or a category (its name) of a
 * platform; a reason and the day it takes effect. */
struct cr_delist_request {
	const char *platform;
	const char *product;
	const char *category;
	const char *reason;
	int32_t effective_days;
};
/* Orders products off a shelf (shelf_delist): a supervisor's act (or the
 * operator's).  out gets the stored order. */
int cr_shelf_order(struct cr_op *op, const struct cr_delist_request *q,
		   struct cr_delist *out /* OUT */);
/* What k is offered and holds (shelf_query): for the person themself
 * (op->has_self) every platform's shelf; for an institution (lender or
 * furnisher) its own shelf, with a live query consent of k to it, of any
 * purpose.  out is large (shelf.h): callers allocate it. */
int cr_shelf_show(struct cr_op *op, const struct cr_subject_key *k, struct cr_shelf *out /* OUT */);

/* ---- Consents (op_consent.c) ---- */

struct cr_consent_result {
	int fresh;                      /* 0: the same fact was already recorded */
	uint64_t released;              /* held records the grant released */
	struct cr_diag diag;            /* CR_EINVAL: the field at fault */
};
/*
 * Records a grant or a revocation (consent_grant, consent_revoke).  A
 * person's key changes only that person's consents, an institution's key
 * only the institution's (CR_EDENIED); the record is validated as a
 * furnished line would be (CR_EINVAL, with res->diag), and names a known
 * institution (CR_ENOTFOUND).  A query-scope revocation without a purpose
 * withdraws every purpose.  Every outcome is audited.
 */
int cr_consent_change(struct cr_op *op, const struct cr_consent *c,
		      struct cr_consent_result *res /* OUT */);
/* The person's consent facts (oldest first), those of inst only when inst
 * is not NULL, audited as consent_list when audit is set; in_force says
 * whether the fact is the grant in force at op's date (cr_consent_in_force). */
int cr_consent_show(struct cr_op *op, const struct cr_subject_key *who, const char *inst,
		    int audit, int (*fn)(const struct cr_consent_fact *f, int in_force, void *arg),
		    void *arg);

/* ---- Reports (op_report.c) ---- */

/*
 * A report in one act (report): consent rules, inquiry, audit, build;
 * with op->scorer, the report carries the person's score (the person's own
 * report: with its reasons).  inst is "" for the person's own (purpose self).  The two halves, for
 * the server: prepare in a read snapshot (build in parallel), then record
 * in the group (rules again on the newest state, inquiry, audit); the
 * report may be sent only when record returns 0 and the group committed.
 */
int cr_report_request(struct cr_op *op, const struct cr_subject_key *who, const char *inst,
		      uint8_t purpose, struct cr_report *out /* OUT */);
int cr_report_request_prepare(struct cr_op *op, const struct cr_subject_key *who,
			      const char *inst, uint8_t purpose, struct cr_report *out /* OUT */);
int cr_report_request_record(struct cr_op *op, const struct cr_subject_key *who,
			     const char *inst, uint8_t purpose, int prepared);
/* The write half of a request about a person (report, score): the
 * consent rules again on the newest state, the inquiry when granted
 * (cr_report_inquire), and the audit entry of act with the outcome. */
int cr_op_inquiry(struct cr_op *op, enum cr_audit_act act, const struct cr_subject_key *who,
		  const char *inst, uint8_t purpose, int prepared);
/* Who looked at the person's file, oldest first (access_list, audited
 * once listed); the trail is read outside any transaction. */
int cr_access_list(cr_store *st, const struct cr_subject_key *who,
		   int (*fn)(const struct cr_audit_entry *e, void *arg), void *arg);
/* ---- Scores (op_score.c) ---- */

/*
 * A person's score for inst (score; purpose self: the person's own), under
 * the same consent rules as a report, recorded as an inquiry and audited,
 * granted or refused.  CR_EINVAL when op has no scorer.  The two halves
 * are the server's, as for reports: prepare in a snapshot, record in the
 * group.
 */
struct cr_person_score;
int cr_score_request(struct cr_op *op, const struct cr_subject_key *who, const char *inst,
		     uint8_t purpose, struct cr_person_score *out /* OUT */);
int cr_score_request_prepare(struct cr_op *op, const struct cr_subject_key *who,
			     const char *inst, uint8_t purpose,
			     struct cr_person_score *out /* OUT */);
int cr_score_request_record(struct cr_op *op, const struct cr_subject_key *who,
			    const char *inst, uint8_t purpose, int prepared);

/* Every person with a file, scored (score_all): fn gets each person who
 * has anything institutions see, with the score; *scored counts them.  A
 * read of the whole store, a page per transaction; audited once. */
int cr_score_all(struct cr_op *op, int (*fn)(const struct cr_subject_key *k,
					     const struct cr_person_score *s, void *arg),
		 void *arg, uint64_t *scored /* OUT */);

/* ---- Disputes (op_dispute.c) ---- */

struct cr_dispute_request {
	const char *inst, *account, *reason;
	int32_t month;                  /* CR_WHOLE_ACCOUNT for the whole account */
};
/* The person op->self disputes an item (dispute_file); *id the new one.
 * CR_EINVAL for a reason that is not UTF-8 text of 1 to
 * CR_DISPUTE_REASON_MAX bytes; CR_ENOTFOUND for an item not in the file. */
int cr_dispute_open(struct cr_op *op, const struct cr_dispute_request *q, uint64_t *id /* OUT */);
/* The institution op->inst answers dispute id (dispute_verify, or
 * dispute_correct with the corrected statement). */
int cr_dispute_answer(struct cr_op *op, uint64_t id, const struct cr_statement *corrected);
/*
 * Lists disputes, each through fn: the person's own (who set, inst NULL;
 * one dispute_list entry), or an institution's (who NULL, inst set; one
 * dispute_list entry per person listed, in that person's access log).
 * Reads in op->txn and, with audit, audits in the same act.
 */
int cr_dispute_show(struct cr_op *op, const struct cr_subject_key *who, const char *inst,
		    int audit, int (*fn)(const struct cr_dispute *d, void *arg), void *arg);

/* ---- Furnishing (op_furnish.c) ---- */

/*
 * Applies a body of JSON Lines for op's actor (furnish): an institution's
 * key furnishes only its own records, a person's only their own consents;
 * only_type (0: any) restricts the record type.  Each rejected line goes
 * to on_reject; counts as ingest.h.
 */
int cr_furnish_body(struct cr_op *op, const char *body, size_t len, uint8_t only_type,
		    cr_reject_fn on_reject, void *arg, struct cr_ingest_counts *counts /* OUT */);

/* ---- Webhooks and alerts (op_webhook.c) ---- */

struct cr_webhook_request {
	const char *url;
	size_t url_len;
	int allow_private;              /* the server delivers to private addresses */
	int has_after;
	uint64_t after;
};
struct cr_webhook_result {
	struct cr_webhook w;            /* as stored, with the new secret */
	uint64_t last;                  /* the feed's last alert seq */
	int created;
};
/* Registers or replaces op->inst's webhook (webhook_register); CR_EINVAL
 * for a URL the bureau will not deliver to or a cursor past the feed. */
int cr_webhook_register(struct cr_op *op, const struct cr_webhook_request *q,
			struct cr_webhook_result *res /* OUT */);
/* Deletes it (webhook_delete); CR_ENOTFOUND when there is none. */
int cr_webhook_remove(struct cr_op *op, struct cr_webhook *old /* OUT */);
/* The registration and the feed's last seq (a read: no secret leaves). */
int cr_webhook_show(struct cr_op *op, struct cr_webhook *w /* OUT */, uint64_t *last /* OUT */);
/*
 * A page of op->inst's alerts after the cursor, rendered into out
 * (alert.h); *n alerts, *next the new cursor.  Read in op->txn; the
 * delivery is audited by cr_op_audit_alert_page in the group.
 */
int cr_alerts_page(struct cr_op *op, uint64_t after, unsigned limit, struct cr_buf *out,
		   unsigned *n /* OUT */, uint64_t *next /* OUT */);

/* An institution's alert thresholds (alert_config): each has_* field
 * given replaces the stored value (or the default).  CR_ENOTFOUND for an
 * unknown institution, CR_EINVAL (with op->why) for a value out of range
 * (cr_limits.h). */
struct cr_alert_config_request {
	const char *inst;
	int has_pct, has_min, has_inquiries;
	uint64_t pct, min, inquiries;
};
int cr_alerts_configure(struct cr_op *op, const struct cr_alert_config_request *q,
			struct cr_alert_config *out /* OUT */);

/* One delivery attempt of the deliverer, for the registration (gen) and
 * cursor (after) it was made for; failures is the count before it. */
struct cr_webhook_attempt {
	uint64_t gen, after, next;
	unsigned n;
	uint32_t failures;
	uint16_t status;                /* the receiver's HTTP status, 0 for none */
	uint8_t err;                    /* enum cr_webhook_error */
	const char *errmsg;             /* what failed, for the audit reason */
	int64_t at_ms;
	uint64_t base_ms;               /* the back-off's base */
	uint32_t rnd;                   /* the back-off's jitter */
};
/* Records the attempt on op->inst's webhook (webhook_delivery): the new
 * delivery state (cursor on success, back-off on failure) and its entry. */
int cr_webhook_attempted(struct cr_op *op, const struct cr_webhook_attempt *a);

/* ---- Administration (op_admin.c) ---- */

/* Purges adverse data past retention (purge), audited by what it removed. */
struct cr_purge_counts;
int cr_admin_purge(struct cr_op *op, struct cr_purge_counts *out /* OUT */);
/* Compacts the store (compact). */
int cr_admin_compact(struct cr_op *op);
/* The store's counts and sizes (a read). */
int cr_admin_stats(struct cr_op *op, struct cr_store_stats *out /* OUT */);
/* The month's market table (monthly.h), a read. */
struct cr_monthly;
int cr_admin_monthly(struct cr_op *op, int32_t month, struct cr_monthly *out /* OUT */);
/* Records the operator's look at a person's trail (audit_show). */
int cr_admin_audit_show(struct cr_op *op, const struct cr_subject_key *who);

/* ---- Supervision: data quality and co-lending (op_quality.c) ---- */

/*
 * Data quality per furnisher (quality.h) for ingest days from..to
 * (quality_read), and co-lending funding shares (colending.h) for months
 * from..to against floor_bp (colending_read).  A supervisor or operator
 * reads every institution, or inst alone when inst is not NULL; a lender
 * or furnisher reads its own institution only (inst NULL or its own code;
 * another is refused, CR_EDENIED); a person is refused.  Bad ranges are
 * CR_EINVAL.  Both are audited, granted or refused.
 */
struct cr_quality;
struct cr_colending;
int cr_quality_read(struct cr_op *op, const char *inst, int32_t from, int32_t to,
		    struct cr_quality *out /* OUT */);
int cr_colending_read(struct cr_op *op, const char *inst, int32_t from, int32_t to,
		      uint32_t floor_bp, struct cr_colending *out /* OUT */);
/* The same in two halves, for the server: prepare checks who may read what
 * and builds the figures (in op->txn, or a read snapshot of its own when
 * op->txn is NULL), writing nothing; record audits act (CR_ACT_QUALITY_READ
 * or CR_ACT_COLENDING_READ) by prepare's result rc, and returns rc (or the
 * audit's failure).  A failure rc is returned unaudited. */
int cr_quality_prepare(struct cr_op *op, const char *inst, int32_t from, int32_t to,
		       struct cr_quality *out /* OUT */);
int cr_colending_prepare(struct cr_op *op, const char *inst, int32_t from, int32_t to,
			 uint32_t floor_bp, struct cr_colending *out /* OUT */);
int cr_quality_record(struct cr_op *op, enum cr_audit_act act, int rc);

/* ---- Supervision aggregates (op_supervision.c) ---- */

struct cr_sup_month;
/* Who may read grouping by (enum cr_sup_by): a supervisor or operator
 * every cell, a furnisher or lender only by institution and only its own
 * cell (*only = op->inst; NULL for all).  0 or CR_EDENIED with op->why. */
int cr_supervision_scope(struct cr_op *op, int by, const char **only /* OUT */);
/* The month's aggregates built in a read snapshot (aggregates.h), with
 * CR_SUPERVISION_MIN_CELL, or taken from op->sup_cache (and kept there
 * when built); not audited (see cr_supervision_audit). */
int cr_supervision_build(struct cr_op *op, int32_t month, struct cr_sup_month *out);
/* The n months from first (1 <= n <= CR_MONTHLY_WALK_MONTHS_MAX) into
 * out[0..n): those kept answer from memory, the others are built together
 * in one walk (cr_sup_build_months) and kept; not audited. */
int cr_supervision_build_months(struct cr_op *op, int32_t first, size_t n,
				struct cr_sup_month *out /* OUT: n */);
/* The audit entry of one read (supervision_read), refused when refusal
 * is not NULL. */
int cr_supervision_audit(struct cr_op *op, int32_t month, int by, const char *refusal);
/* The act in one go, for the CLI: scope, build, audit. */
int cr_supervision_read(struct cr_op *op, int32_t month, int by,
			struct cr_sup_month *out /* OUT */, const char **only /* OUT */);
/* cr_supervision_read for the n months from first, built together
 * (cr_supervision_build_months), each month audited as a read of its own. */
int cr_supervision_read_months(struct cr_op *op, int32_t first, size_t n, int by,
			       struct cr_sup_month *out /* OUT: n */, const char **only /* OUT */);

#endif
