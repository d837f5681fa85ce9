/*
 * audit.h - the append-only, hash-chained audit trail (DESIGN.md rule 4).
 *
 * Every access to personal data and every administrative act appends one
 * entry to DIR/audit.log, one JSON object per line (docs/audit.md):
 *
 *   {"seq":12,"time":"2026-06-30T10:00:00Z","as_of":"2026-06-30",
 *    "actor":{"role":"lender","institution":"L0001"},"action":"report",
 *    "subject":"<32 hex>","purpose":"loan_approval","outcome":"granted",
 *    "reason":"","detail":"","prev":"<64 hex>","hash":"<64 hex>",
 *    "mac":"<64 hex>"}
 *
 * The subject is the store's 16-byte pseudonym (cr_store_subject_key), never
 * the ID; no name, ID or account number is ever written.  The reason and
 * the detail are formatted through mask.h by their writers (ops.h), and
 * masked again here before an entry is written: nothing shaped like a
 * resident ID or a mobile number reaches the trail in clear.
 *
 * Chain.  hash = BLAKE2b-256(prev || P), where P is the line's exact bytes
 * before ',"hash":' and prev is the previous entry's hash (32 zero bytes for
 * entry 1).  Anyone can recompute it offline without a secret.  mac is a
 * keyed BLAKE2b-256 of the hash with a secret derived from the store's
 * secret (cr_store_derive_key "audit"): whoever edits an entry and
 * recomputes the chain from there on cannot make the MACs, so verify names
 * the first entry touched.
 *
 * Head.  The last entry's seq and hash, MAC'd with the same secret, are kept
 * in the store (cr_store_audit_head_put) inside the write transaction of the
 * access being recorded, so the head and the data commit together; a file
 * shorter than the head is a truncated trail.
 *
 * Durability.  A single append (cr_audit_append) writes its line with
 * O_APPEND and fdatasyncs it before the caller's commit.  A batch (the
 * server's group commit) writes its lines without a sync and puts each one
 * in the store too, in the same transaction as the head: the store's one
 * sync per group makes both durable (cr_store_audit_pending_put).  Should a
 * crash lose lines the file had not synced, the next writer copies them
 * back from the store before appending (a file behind its head is
 * truncated only when the store does not hold the missing lines), and
 * verify reads them there meanwhile.  cr_audit_checkpoint syncs the file
 * and lets the store forget the lines it holds; the server calls it about
 * once a second.
 *
 * A crash after lines were written and before their commit leaves the file
 * ahead of the head; those entries are authentic (their MACs hold), the
 * next append syncs them and chains after them, and verify accepts them.
 *
 * Appends are serialised by the caller's write transaction: the store admits
 * one writer at a time, and the head is read inside it.
 */
#ifndef CR_AUDIT_H
#define CR_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "cr_limits.h"
#include "store.h"

/* Who acted (DESIGN.md "Actors and roles"). */
enum cr_audit_role {
	CR_AUDIT_ROLE_SUBJECT = 1,    /* the person, about their own data */
	CR_AUDIT_ROLE_LENDER = 2,     /* an institution querying */
	CR_AUDIT_ROLE_FURNISHER = 3,  /* an institution furnishing or answering */
	CR_AUDIT_ROLE_SUPERVISOR = 4,
	CR_AUDIT_ROLE_OPERATOR = 5,   /* the bureau's own staff, or the CLI */
};

enum cr_audit_outcome {
	CR_AUDIT_GRANTED = 1,   /* allowed and done */
	CR_AUDIT_REFUSED = 2,   /* not allowed; reason says why */
	CR_AUDIT_NOT_FOUND = 3, /* allowed to ask, but there was nothing */
	CR_AUDIT_FAILED = 4,    /* attempted, not completed (a webhook delivery
				 * the receiver did not acknowledge); reason says why */
};

/*
 * The audited acts: one line each, the only actions an entry may name
 * (cr_audit_append refuses others).  X(ID, name, what it records); the
 * operations layer (ops.h) writes each with its own formatter, and
 * docs/audit.md lists the same names (a unit test compares the two).
 */
#define CR_AUDIT_ACTS(X)                                                          \
	X(REPORT, "report", "a credit report, for an institution or the person (purpose self)") \
	X(SCORE, "score", "a score, for an institution or the person (purpose self)") \
	X(SCORE_ALL, "score_all", "every person scored (creditref score --all)")      \
	X(FURNISH, "furnish", "a furnished body over HTTP, by its counts")              \
	X(CONSENT_GRANT, "consent_grant", "a consent granted")                       \
	X(CONSENT_REVOKE, "consent_revoke", "a consent revoked")                     \
	X(CONSENT_LIST, "consent_list", "a person's consents listed")                \
	X(DISPUTE_LIST, "dispute_list", "a person's disputes listed")                \
	X(ACCESS_LIST, "access_list", "who looked at a file, listed for the person")  \
	X(DISPUTE_FILE, "dispute_file", "a dispute filed by the person")             \
	X(DISPUTE_VERIFY, "dispute_verify", "a dispute answered: the item stands")    \
	X(DISPUTE_CORRECT, "dispute_correct", "a dispute answered with a correction") \
	X(ALERT_DELIVERY, "alert_delivery", "a page of alerts read from the feed")    \
	X(ALERT_CONFIG, "alert_config", "an institution's alert thresholds set")     \
	X(WEBHOOK_REGISTER, "webhook_register", "a webhook registered or its secret rotated") \
	X(WEBHOOK_DELETE, "webhook_delete", "a webhook deleted")                     \
	X(WEBHOOK_DELIVERY, "webhook_delivery", "a webhook delivery attempt")        \
	X(KEY_ADD, "key_add", "an API key issued")                                   \
	X(KEY_REVOKE, "key_revoke", "an API key revoked")                            \
	X(KEYS_ROTATE, "keys_rotate", "the master key rotated")                      \
	X(SUPERVISION_READ, "supervision_read", "a month of market aggregates read (no person)") \
	X(AUDIT_SHOW, "audit_show", "an operator's look at a person's entries")      \
	X(PURGE, "purge", "adverse data past retention purged")                      \
	X(COMPACT, "compact", "the store compacted")                                 \
	X(SERVE_START, "serve_start", "the server started")                          \
	X(QUALITY_READ, "quality_read", "data-quality figures per furnisher read")   \
	X(COLENDING_READ, "colending_read", "co-lending funding shares read") \
	X(SHELF_DELIST, "shelf_delist", "a supervisor's order taking products off a shelf") \
	X(SHELF_QUERY, "shelf_query", "what a person is offered and holds, for a platform or the person")

enum cr_audit_act {
	CR_ACT_NONE = 0,
#define CR_AUDIT_ACT_ENUM(id, name, what) CR_ACT_##id,
	CR_AUDIT_ACTS(CR_AUDIT_ACT_ENUM)
#undef CR_AUDIT_ACT_ENUM
	CR_ACT_COUNT
};

/* The act's action name, or "" for an unknown one. */
const char *cr_audit_act_name(enum cr_audit_act act);
/* What the act records, one phrase (for docs and help). */
const char *cr_audit_act_what(enum cr_audit_act act);
/* The act named s, or CR_ACT_NONE. */
enum cr_audit_act cr_audit_act_parse(const char *s);

#define CR_AUDIT_TIME_LEN 20 /* "YYYY-MM-DDTHH:MM:SSZ" */

struct cr_audit_entry {
	uint64_t seq;                         /* set by cr_audit_append */
	char time[CR_AUDIT_TIME_LEN + 1];     /* UTC; set by cr_audit_append */
	int32_t asof_days;                    /* the business date (--as-of) */
	uint8_t role;                         /* enum cr_audit_role */
	char institution[CR_INST_CODE_MAX + 1]; /* the acting institution, or "" */
	char action[CR_AUDIT_ACTION_MAX + 1]; /* [a-z_]+: report, consent_grant, ... */
	int has_subject;                      /* 0 for acts about no person */
	struct cr_subject_key subject;
	uint8_t purpose;                      /* enum cr_purpose; 0 for none */
	uint8_t outcome;                      /* enum cr_audit_outcome */
	char reason[CR_AUDIT_REASON_MAX + 1]; /* why refused; "" when granted */
	char detail[CR_AUDIT_DETAIL_MAX + 1]; /* what was acted on, e.g.
					       * "institution=L0001 scope=query" */
};

/* Zeroes e; the caller then fills the fields it knows. */
void cr_audit_entry_init(struct cr_audit_entry *e);

const char *cr_audit_role_name(uint8_t role);
const char *cr_audit_outcome_name(uint8_t outcome);

/*
 * Appends e to the trail of st and records the new head in txn, which must
 * be a write transaction that the caller then commits (or aborts: the line
 * stays, one entry ahead of the head, see above).  Sets e->seq and e->time.
 * The line is on disk when this returns 0.  The reason and detail are
 * masked in place (mask.h).  Errors: CR_EINVAL for a bad entry (unknown
 * role, outcome or purpose, an action not in CR_AUDIT_ACTS, an
 * institution that is neither "" nor a code (cr_inst_code_valid), a
 * reason or detail that is not UTF-8 within its field);
 * CR_ECORRUPT when the trail does not agree with its head (truncated or
 * edited: nothing is appended on top of a damaged trail, so the access
 * must be refused); CR_EIO; store errors.
 */
int cr_audit_append(cr_store *st, cr_txn *txn,
		    struct cr_audit_entry *e /* IN/OUT */);

/*
 * Group commit: many entries in one write transaction, written with one
 * write() and made durable with one fdatasync() by cr_audit_batch_end,
 * which records the new head in txn; the caller then commits txn.  begin
 * checks the trail like cr_audit_append and needs a trail that already has
 * a head (CR_EINVAL otherwise: start it with cr_audit_append).  add sets
 * e->seq and e->time and writes nothing yet.  After a failed add the batch
 * may still be ended with the entries added before; abort writes nothing.
 * A crash after end and before the commit leaves the batch's entries ahead
 * of the head, authentic, as for a single append.
 */
struct cr_audit_batch;
int cr_audit_batch_begin(cr_store *st, cr_txn *txn,
			 struct cr_audit_batch **out /* OUT */);
int cr_audit_batch_add(struct cr_audit_batch *b, struct cr_audit_entry *e /* IN/OUT */);
int cr_audit_batch_end(struct cr_audit_batch *b);
void cr_audit_batch_abort(struct cr_audit_batch *b);

/*
 * A writer's trail, kept open across batches: the server's committer
 * begins a batch for every group, and opening the file, reading its last
 * line and checking it each time cost several system calls and a parse per
 * group.  The trail keeps the file open and remembers where its last batch
 * ended it (the size, the last entry's seq and hash).  A batch begun on it
 * starts there without reading the file when the head in its transaction
 * names that entry and the file still has that size; otherwise (the last
 * group's commit failed after its lines were written, or the file changed)
 * it checks the file as cr_audit_batch_begin does.  One writer at a time:
 * a trail is used by one thread, the store's writer.
 */
struct cr_audit_trail;
int cr_audit_trail_open(cr_store *st, struct cr_audit_trail **out /* OUT */);
int cr_audit_trail_batch(struct cr_audit_trail *t, cr_txn *txn,
			 struct cr_audit_batch **out /* OUT */);
void cr_audit_trail_close(struct cr_audit_trail *t);

/* Syncs the trail's file: every line written before the call is durable
 * in it when this returns 0. */
int cr_audit_sync_file(cr_store *st);

/* Syncs the trail's file and drops, in txn, the store's copies of the
 * lines it now holds durably.  CR_ECORRUPT when the file does not reach
 * the head (nothing is dropped). */
int cr_audit_checkpoint(cr_store *st, cr_txn *txn);

/* What went wrong, for the first bad entry verify finds. */
enum cr_audit_fault {
	CR_AUDIT_INTACT = 0,
	CR_AUDIT_MALFORMED,  /* a line that is not a well-formed entry */
	CR_AUDIT_ALTERED,    /* the entry's hash does not match its bytes */
	CR_AUDIT_FORGED,     /* hash consistent, MAC wrong: rewritten without the key */
	CR_AUDIT_ORDER,      /* seq is not the next one: removed, reordered or inserted */
	CR_AUDIT_CHAIN,      /* prev is not the previous entry's hash */
	CR_AUDIT_TRUNCATED,  /* the file ends before the head */
	CR_AUDIT_HEAD,       /* the head's MAC is wrong, or it names another entry */
};

struct cr_audit_verdict {
	uint64_t entries;    /* well-formed entries read before any fault */
	uint64_t head_seq;   /* 0 when the store has no head */
	uint64_t ahead;      /* authentic entries after the head (interrupted commits) */
	uint64_t pending;    /* entries read from the store, not yet in the file */
	int torn_tail;       /* a final line without its newline (a crash mid-write) */
	uint8_t fault;       /* enum cr_audit_fault */
	uint64_t bad_seq;    /* the entry at fault (its position, 1-based) */
	uint64_t found_seq;  /* CR_AUDIT_ORDER: the seq found there */
	char msg[200];       /* one sentence naming the fault, "" when intact */
};

/*
 * Re-reads the whole trail, recomputes every hash and MAC, checks the order
 * and compares the end with the head.  Returns 0 when intact, CR_ECORRUPT
 * with *out naming the first fault, or CR_EIO / a store error.  st may be
 * read-only; the head is read before the file so that concurrent appends
 * only ever make the file ahead.
 */
int cr_audit_verify(cr_store *st, struct cr_audit_verdict *out /* OUT */);

/* Appends e in a write transaction of its own and commits it: for acts that
 * are not one store transaction (purge, key rotation). */
int cr_audit_record(cr_store *st, struct cr_audit_entry *e /* IN/OUT */);

/*
 * Calls fn for each entry about subject k, oldest first (lines that do not
 * parse are skipped; cr_audit_verify reports them).  A non-zero return from
 * fn stops the walk and is returned.  The entry is valid during the call.
 */
int cr_audit_list_subject(cr_store *st, const struct cr_subject_key *k,
			  int (*fn)(const struct cr_audit_entry *e, void *arg),
			  void *arg);

#endif
