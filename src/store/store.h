/*
 * store.h - the one narrow interface to persistent data.
 *
 * Everything creditref keeps goes through these functions, so a second back
 * end (PostgreSQL) can implement the same calls and pass the same tests.  The
 * interface speaks in domain records, not in raw keys and values.
 *
 * Subjects are keyed by a 16-byte pseudonym: a keyed BLAKE2b hash of the
 * normalized ID (cr_store_subject_key), never by the ID itself; accounts by
 * their institution and a keyed hash of the account number.  Identities and
 * account numbers are stored sealed (XChaCha20-Poly1305) under a data key,
 * itself sealed under the master key from a key file outside the data
 * directory (keyfile.h, docs/security.md).
 *
 * The embedded back end is RocksDB (store_rocks.c; docs/storage.md says why
 * and how the data is laid out): everything about one person is kept
 * together, so a report reads one short range.
 *
 * Record checks.  Each record type the store keeps has its invariants in
 * a cr_<type>_check function, declared next to the type (here for the
 * store's own types, in cr_record.h for the furnished ones, which says
 * what they are and the convention: 0 when the record holds them, else
 * CR_EINVAL).  The store asserts a record's check before every write (the
 * callers validate first, so a failure is a bug) and returns CR_ECORRUPT
 * for a record that fails it after a read.  Where a function below may be
 * given a record that fails its check and return CR_EINVAL instead, it
 * says so.
 *
 * Transactions: one writer at a time, any number of readers, each reader
 * seeing a consistent snapshot.  One process at a time opens a store for
 * writing; others may open it read-only meanwhile (CR_STORE_RDONLY).  Reads
 * return copies into caller-owned structs unless a function says
 * otherwise.  cr_store_commit() returns only once the data is durable on
 * disk.
 */
#ifndef CR_STORE_H
#define CR_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "cr_record.h"

typedef struct cr_store cr_store;
typedef struct cr_txn cr_txn;

#define CR_SUBJECT_KEY_LEN 16

struct cr_subject_key {
	uint8_t b[CR_SUBJECT_KEY_LEN];
};

/* What the store keeps about a person: the latest identity furnished by
 * a line that was not held (see the held identities below). */
struct cr_subject {
	char id[CR_ID_LEN + 1];
	int32_t birth_days;
	char name[CR_NAME_MAX + 1];
	char phone[CR_PHONE_MAX + 1];
	char address[CR_ADDRESS_MAX + 1];
};
/* id: 18 characters, 17 digits and a digit or 'X'; birth date in range;
 * name 1..CR_NAME_MAX bytes; phone and address within their limits. */
int cr_subject_check(const struct cr_subject *s);

/* One stored account: the furnished record plus the store's own fields. */
struct cr_account_rec {
	uint64_t acct_id;               /* assigned by the store, never reused */
	struct cr_subject_key subject;
	struct cr_account a;            /* id, name, phone, address are "" here */
};
/* acct_id non-zero (a record the store wrote or read: put assigns it) and
 * a as cr_account_check says. */
int cr_account_rec_check(const struct cr_account_rec *r);

/* One month of an account's history. */
struct cr_month_rec {
	char status; /* '\0' when the month has no statement */
	int32_t dpd;
	int64_t balance;
	int64_t due;
	int64_t paid;
	int64_t overdue;
};

/* status '\0' with every field 0 (no statement), or a repayment status
 * code (cr_status_valid) with dpd in 0..CR_DPD_MAX and the amounts in
 * 0..CR_AMOUNT_MAX. */
int cr_month_rec_check(const struct cr_month_rec *m);

/* A calendar year of one account's history, months 0 (Jan) .. 11 (Dec). */
struct cr_hist_year {
	struct cr_month_rec m[12];
};
/* Every month as cr_month_rec_check says. */
int cr_hist_year_check(const struct cr_hist_year *h);

/* One consent fact: a grant, or a revocation (revoked_days set). */
struct cr_consent_fact {
	char inst[CR_INST_CODE_MAX + 1];
	uint8_t scope;
	uint8_t purpose;
	int32_t granted_days;
	int32_t expires_days;  /* CR_NO_DATE: open-ended */
	int32_t revoked_days;  /* CR_NO_DATE: a grant */
	char evidence[CR_EVIDENCE_MAX + 1];
};
/* Institution code 1..CR_INST_CODE_MAX bytes; scope furnish or query;
 * purpose none or a known one, none for furnish (a query revocation
 * without a purpose withdraws every purpose); granted in range, expires
 * and revoked CR_NO_DATE or in range; evidence within its limit. */
int cr_consent_fact_check(const struct cr_consent_fact *f);

struct cr_inquiry {
	int32_t date_days;
	uint64_t seq;          /* store-wide order of inquiries */
	char inst[CR_INST_CODE_MAX + 1]; /* "" for the subject's own inquiry */
	uint8_t purpose;
	uint8_t chargeable;
};
/* Date in range; seq non-zero (add assigns it); a known purpose;
 * chargeable 0 or 1; institution within its limit, "" exactly for the
 * subject's own inquiry (purpose self). */
int cr_inquiry_check(const struct cr_inquiry *q);

enum cr_dispute_status {
	CR_DISPUTE_OPEN = 1,
	CR_DISPUTE_VERIFIED = 2,  /* the furnisher confirmed the item */
	CR_DISPUTE_CORRECTED = 3, /* the furnisher replaced the item */
};

#define CR_WHOLE_ACCOUNT INT32_MIN /* a dispute about the account, not a month */

/* A person contests an account, or one month of it. */
struct cr_dispute {
	uint64_t id;              /* assigned by the store, from 1 */
	struct cr_subject_key subject;
	uint64_t acct_id;
	char inst[CR_INST_CODE_MAX + 1];
	char account[CR_ACCOUNT_MAX + 1];
	int32_t month;            /* or CR_WHOLE_ACCOUNT */
	int32_t filed_days;
	uint8_t status;           /* enum cr_dispute_status */
	int32_t resolved_days;    /* CR_NO_DATE while open */
	char reason[CR_DISPUTE_REASON_MAX + 1];
};
/* id (put assigns it) and acct_id non-zero; institution code and account
 * number 1..their limits; month CR_WHOLE_ACCOUNT or in range; filed in
 * range; a known status; resolved CR_NO_DATE exactly while open, else in
 * range; reason within CR_DISPUTE_REASON_MAX. */
int cr_dispute_check(const struct cr_dispute *d);

/* What a delisting order takes off the shelf (docs/shelf.md). */
enum cr_delist_what {
	CR_DELIST_PRODUCT = 1,  /* one product of a platform */
	CR_DELIST_CATEGORY = 2, /* every product of a category on a platform */
};

/* A supervisor's order taking products off a platform's shelf from a
 * date.  Kept forever: an order is never deleted or changed. */
struct cr_delist {
	uint64_t seq;                            /* assigned by the store, from 1 */
	uint8_t what;                            /* enum cr_delist_what */
	char platform[CR_INST_CODE_MAX + 1];
	char product[CR_PRODUCT_CODE_MAX + 1];   /* CR_DELIST_PRODUCT; else "" */
	uint8_t category;                        /* CR_DELIST_CATEGORY; else 0 */
	int32_t effective_days;                  /* offered to nobody new from this day */
	int32_t ordered_days;                    /* the business date of the order */
	char by[CR_INST_CODE_MAX + 1];           /* the ordering supervisor, or "" */
	char reason[CR_DELIST_REASON_MAX + 1];
};
/* seq non-zero; a known what; platform 1..its limit; product 1..its limit
 * and category 0 for a product order, product "" and a known category for
 * a category order; dates in range; by within its limit; reason 1..its
 * limit. */
int cr_delist_check(const struct cr_delist *d);

/* A statement value replaced by a dispute correction, kept forever. */
struct cr_revision {
	uint64_t acct_id;
	int32_t month;
	uint64_t dispute_id;
	int32_t date_days;
	struct cr_month_rec old;  /* status '\0': there was no statement */
};
/* acct_id and dispute_id non-zero; month and date in range; old as
 * cr_month_rec_check says. */
int cr_revision_check(const struct cr_revision *r);

/* Store-wide counters shown by "creditref stats". */
struct cr_store_stats {
	uint64_t institutions;
	uint64_t subjects;
	uint64_t accounts;
	uint64_t account_months;
	uint64_t consents;
	uint64_t inquiries;
	uint64_t events;
	uint64_t held_records;  /* records waiting for a furnish consent */
	uint64_t file_bytes;    /* allocated bytes of the store's files (all
				 * of the data directory but audit.log) */
	uint64_t sst_bytes;     /* of which live, compacted table files */
	uint64_t memtable_bytes; /* written, in memory, not yet in tables */
	/* Table bytes per family: where the bytes go (docs/storage.md). */
	uint64_t person_bytes;  /* everything about people, under their pid */
	uint64_t index_bytes;   /* subject, account and event-id lookups */
	uint64_t other_bytes;   /* meta, alerts, audit lines not yet synced */
	/* The engine's health, for an operator (GET /metrics): table files in
	 * level 0 (each one is read by every lookup until compacted), bytes
	 * compaction still has to rewrite, the block cache's use, and the
	 * person cache of write transactions (store_txn.h). */
	uint64_t l0_files;
	uint64_t compaction_pending_bytes;
	uint64_t block_cache_bytes;
	uint64_t person_cache_bytes;
	uint64_t person_cache_hits;
	uint64_t person_cache_misses;
};

/* Creates the data directory (mode 0700), a new master key in key_file
 * (mode 0600; it must not exist yet and should live outside dir, see
 * cr_keyfile_default) and an empty store sealed under that key.
 * CR_EEXIST if a store is already in dir or the key file exists (*reason
 * says which). */
int cr_store_create(const char *dir, const char *key_file,
		    const char **reason /* OUT */);
/* Opens the store in dir with the master key in key_file.  flags:
 * CR_STORE_RDONLY for read-only use; CR_STORE_BULK for a process that
 * loads whole files (creditref ingest): larger write buffers, which a
 * load of sorted batches fills and flushes in fewer, larger steps, while
 * the random writes of a server are cheaper in small ones (docs/storage.md,
 * "Engine settings").  On failure *out is NULL, the error is
 * returned, and for key problems (missing, mode too open, wrong key:
 * CR_ENOTFOUND, CR_EDENIED, CR_EINVAL) *reason says what to do. */
#define CR_STORE_RDONLY 1
#define CR_STORE_BULK 2
int cr_store_open(const char *dir, const char *key_file, int flags,
		  cr_store **out /* OUT */, const char **reason /* OUT */);
void cr_store_close(cr_store *st);
/* Replaces the master key: writes a new key file, re-seals the store's own
 * keys under it and commits; the old key no longer opens the store.  Costs
 * the same whatever the size of the store (envelope encryption). */
int cr_store_rotate_key(cr_store *st, const char *key_file,
			const char **reason /* OUT */);

/* Computes the pseudonymous key of a normalized ID with the store's secret. */
void cr_store_subject_key(const cr_store *st, const char *id,
			  struct cr_subject_key *out /* OUT */);

int cr_store_begin(cr_store *st, int write, cr_txn **out /* OUT */);
/* Commits and frees the transaction (durably, for a write).  On failure the
 * transaction is aborted and freed all the same. */
int cr_store_commit(cr_txn *txn);
void cr_store_abort(cr_txn *txn);
/*
 * Group commit in two steps, for a committer that overlaps the disk sync of
 * one group with the work of the next: commit_async makes txn's writes
 * visible to every later transaction at once, without waiting for the
 * disk; cr_store_sync returns once every write committed before it was
 * called is durable.  Nothing committed async may be acknowledged before
 * such a sync returns.  If the sync fails, the store is unusable for
 * writes (the data may be visible but not durable): stop serving writes.
 */
int cr_store_commit_async(cr_txn *txn);
int cr_store_sync(cr_store *st);
/* Rewrites the store's tables compactly (what background compaction does
 * over time), so that its size on disk is its steady-state size. */
int cr_store_compact(cr_store *st);

/* Institutions.  put returns 1 when the stored record changed, 0 when it was
 * identical, or a negative error. */
int cr_store_inst_put(cr_txn *txn, const struct cr_institution *in);
int cr_store_inst_get(cr_txn *txn, const char *code,
		      struct cr_institution *out /* OUT */);

/* Subjects.  put returns 1 when it changed, 0 when identical. */
int cr_store_subject_put(cr_txn *txn, const struct cr_subject_key *k,
			 const struct cr_subject *s);
int cr_store_subject_get(cr_txn *txn, const struct cr_subject_key *k,
			 struct cr_subject *out /* OUT */);

/*
 * Held identities (DESIGN.md rule 11): the identity an institution's
 * account line furnished while it held no live furnish consent from the
 * person, kept apart from the identity above, one per (person,
 * institution).  Each distinct identity of a person is sealed once and
 * the institutions that held it share the copy.  The consent module decides when
 * one shows or becomes the person's identity (consent.h, "Identities").
 *
 * put keeps s as inst's held identity and gives it the next place in the
 * store-wide order (so a later put sorts after every earlier one): 1 when
 * it changed, 0 when the same identity was held for inst already.  get
 * reads inst's, with its place (*seq), or CR_ENOTFOUND.  list calls fn
 * with the institution and place of each, in institution order, opening
 * none; a non-zero return from fn stops the walk and is returned.  drop
 * removes those placed at or before upto.  forget removes inst's: 1 when
 * there was one, 0 when not.
 */
int cr_store_subject_held_put(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
			      const struct cr_subject *s);
int cr_store_subject_held_get(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
			      struct cr_subject *out /* OUT */, uint64_t *seq /* OUT */);
int cr_store_subject_held_list(cr_txn *txn, const struct cr_subject_key *k,
			       int (*fn)(const char *inst, uint64_t seq, void *arg), void *arg);
int cr_store_subject_held_drop(cr_txn *txn, const struct cr_subject_key *k, uint64_t upto);
int cr_store_subject_held_forget(cr_txn *txn, const struct cr_subject_key *k, const char *inst);

/* Accounts, keyed by (institution, account number).  put assigns acct_id
 * when r->acct_id is 0 and links the account to its subject; returns 1 when
 * it changed, 0 when identical. */
int cr_store_account_put(cr_txn *txn, struct cr_account_rec *r /* IN/OUT */);
int cr_store_account_get(cr_txn *txn, const char *inst, const char *account,
			 struct cr_account_rec *out /* OUT */);
/* Calls fn for each account of the subject, in (institution, account) order.
 * A non-zero return from fn stops the walk and is returned. */
int cr_store_subject_accounts(cr_txn *txn, const struct cr_subject_key *k,
			      int (*fn)(const struct cr_account_rec *r, void *arg),
			      void *arg);
/* The same walk without opening the sealed account numbers: r->a.account is
 * "" in fn.  For callers that need the other fields only (institution,
 * status, dates, amounts), such as the alert rules on every write: it saves
 * one AEAD decryption per account. */
int cr_store_subject_accounts_bare(cr_txn *txn, const struct cr_subject_key *k,
				   int (*fn)(const struct cr_account_rec *r, void *arg),
				   void *arg);

/* The number of the subject's accounts (0 for an unknown person), read
 * from their keys alone. */
int cr_store_subject_account_count(cr_txn *txn, const struct cr_subject_key *k,
				   size_t *n /* OUT */);

/* History of an account by calendar year.  get returns CR_ENOTFOUND when
 * the year has no statement; put with an all-empty year deletes it. */
int cr_store_hist_get(cr_txn *txn, uint64_t acct_id, int year,
		      struct cr_hist_year *out /* OUT */);
int cr_store_hist_put(cr_txn *txn, uint64_t acct_id, int year,
		      const struct cr_hist_year *h);

/* Accounts that have history, in account-id order: fills up to max with
 * the ids greater than after and the first year each has a statement in;
 * *n is the number filled (0 at the end). */
struct cr_hist_account {
	uint64_t acct_id;
	int first_year;
};
int cr_store_hist_accounts(cr_txn *txn, uint64_t after,
			   struct cr_hist_account *out /* OUT */, size_t max,
			   size_t *n /* OUT */);

/* One stored event of an account (the event_id is kept only as a keyed
 * hash, like an account number: see cr_store_event_put). */
struct cr_event_rec {
	uint64_t acct_id;
	int64_t at_s;         /* UTC seconds */
	uint8_t id_hash[16];  /* keyed hash of (institution, event_id) */
	uint8_t kind;         /* enum cr_event_kind */
	int32_t dpd;
	int64_t amount;
};
/* acct_id non-zero; at_s in range; a known kind; amount in
 * 0..CR_AMOUNT_MAX; dpd in 0..CR_DPD_MAX. */
int cr_event_rec_check(const struct cr_event_rec *e);

/*
 * Stores event e of account e->acct_id, furnished by inst, under its
 * event_id, which is unique per institution: the idempotency key.  Fills
 * e->id_hash.  Returns 1 when the event is new, 0 when the identical event
 * (same account, time, kind, amount and dpd) is stored already, and
 * CR_EEXIST when the institution used event_id for a different event (the
 * stored one is kept).
 */
int cr_store_event_put(cr_txn *txn, const char *inst, const char *event_id,
		       struct cr_event_rec *e /* IN/OUT */);
/*
 * Calls fn for each event of account acct_id with after_s < at_s <=
 * until_s, in (at_s, id_hash) order: one cursor range, so the cost is the
 * events in the window, not the account's whole feed.  A non-zero return
 * from fn stops the walk and is returned.
 */
int cr_store_account_events(cr_txn *txn, uint64_t acct_id, int64_t after_s,
			    int64_t until_s,
			    int (*fn)(const struct cr_event_rec *e, void *arg),
			    void *arg);

/*
 * An account's state as the current module last derived it (current.h),
 * kept so that the alert rules and the next batch read it instead of
 * deriving it again: the bytes are the current module's.  The store
 * forgets it whenever the account's record, history or events change
 * (cr_store_account_put, cr_store_hist_put, cr_store_event_put), so a kept
 * state is never older than the data under it; a writer that can carry it
 * forward (an event after every event applied) puts it again.  get returns
 * CR_ENOTFOUND when none is kept.
 */
#define CR_STORE_STATE_MAX 96
int cr_store_state_get(cr_txn *txn, uint64_t acct_id, uint8_t *buf /* OUT */,
		       size_t *n /* OUT */);
int cr_store_state_put(cr_txn *txn, uint64_t acct_id, const uint8_t *buf, size_t n);
/* The account with id acct_id, without its number (r->a.account ""). */
int cr_store_account_by_id(cr_txn *txn, uint64_t acct_id,
			   struct cr_account_rec *out /* OUT */);
/* Is txn a write transaction? */
int cr_store_writable(const cr_txn *txn);

/* Calls fn for every account in the store, person by person (in no order a
 * caller may rely on).  A non-zero return from fn stops the walk and is
 * returned. */
int cr_store_accounts(cr_txn *txn,
		      int (*fn)(const struct cr_account_rec *r, void *arg),
		      void *arg);

/*
 * The people the store has a file on, a page at a time, in the order they
 * first arrived: fills out with the subject keys of up to max people after
 * position *pos (0: from the first) and moves *pos past the last one
 * filled; *n is the number filled, 0 at the end.  *pos is opaque: pass back
 * what the last call left.  A person with any record has a file (a consent
 * alone makes one; cr_store_subject_get tells whether an identity was ever
 * furnished).  One seek per person; nothing sealed is opened.  In a write
 * transaction the walk reads the database, and must run before the
 * transaction writes about people.
 */
int cr_store_subjects(cr_txn *txn, uint64_t *pos /* IN/OUT */,
		      struct cr_subject_key *out /* OUT */, size_t max, size_t *n /* OUT */);

/* Consent facts of a subject, never deleted.  add returns 1 when new, 0 when
 * the identical fact was already stored. */
int cr_store_consent_add(cr_txn *txn, const struct cr_subject_key *k,
			 const struct cr_consent_fact *f);
/* Fills out with the subject's newest facts, at most max of them, oldest
 * first: in the order they were granted or revoked (by the date of the
 * grant or revocation).  *n is the number stored, which may exceed max:
 * then the *n - max oldest were left out. */
int cr_store_consent_list(cr_txn *txn, const struct cr_subject_key *k,
			  struct cr_consent_fact *out /* OUT */, size_t max,
			  size_t *n /* OUT */);

/* Held-record counts per (subject, institution): data furnished without a
 * live furnish consent.  add adds delta; take returns the count and clears
 * it (the data is released). */
int cr_store_held_add(cr_txn *txn, const struct cr_subject_key *k,
		      const char *inst, uint64_t delta);
int cr_store_held_take(cr_txn *txn, const struct cr_subject_key *k,
		       const char *inst, uint64_t *count /* OUT */);

/* Inquiries.  add assigns q->seq.  inquiries calls fn for each inquiry of
 * k dated since_days..until_days, oldest first (by date, then seq): every
 * one, however many; a non-zero return from fn stops the walk and is
 * returned. */
int cr_store_inquiry_add(cr_txn *txn, const struct cr_subject_key *k,
			 struct cr_inquiry *q /* IN/OUT */);
int cr_store_inquiries(cr_txn *txn, const struct cr_subject_key *k, int32_t since_days,
		       int32_t until_days, int (*fn)(const struct cr_inquiry *q, void *arg),
		       void *arg);

/* Disputes.  put assigns d->id when 0 (a new dispute) and indexes it under
 * the subject; later puts update it.  The reason and account number are
 * stored sealed. */
int cr_store_dispute_put(cr_txn *txn, struct cr_dispute *d /* IN/OUT */);
int cr_store_dispute_get(cr_txn *txn, uint64_t id, struct cr_dispute *out /* OUT */);
/* Calls fn for each dispute of subject k (k NULL: every dispute), in id
 * order; a non-zero return from fn stops the walk and is returned.  count
 * gives the number of k's disputes from their keys alone (nothing is
 * opened). */
int cr_store_dispute_count(cr_txn *txn, const struct cr_subject_key *k, size_t *n /* OUT */);
int cr_store_disputes(cr_txn *txn, const struct cr_subject_key *k,
		      int (*fn)(const struct cr_dispute *d, void *arg), void *arg);

/* The shelf (docs/shelf.md).  Products are keyed by (platform, code): put
 * returns 1 when it wrote, 0 when the same product was stored.  products
 * calls fn for each product of platform ("" : of every platform), in
 * (platform, code) order; a non-zero return from fn stops the walk. */
int cr_store_product_put(cr_txn *txn, const struct cr_product_rec *p);
int cr_store_product_get(cr_txn *txn, const char *platform, const char *code,
			 struct cr_product_rec *out /* OUT */);
int cr_store_products(cr_txn *txn, const char *platform,
		      int (*fn)(const struct cr_product_rec *p, void *arg), void *arg);
/* Holdings of subject k, keyed by (platform, product); the ID is not kept
 * (h->id is ignored, and "" in what is read).  put returns 1 or 0 as for
 * products; holdings calls fn for each of k's, in (platform, product)
 * order (none for an unknown person). */
int cr_store_holding_put(cr_txn *txn, const struct cr_subject_key *k,
			 const struct cr_holding *h);
int cr_store_holdings(cr_txn *txn, const struct cr_subject_key *k,
		      int (*fn)(const struct cr_holding *h, void *arg), void *arg);
/* Delisting orders: add assigns d->seq; orders calls fn for each, oldest
 * first. */
int cr_store_delist_add(cr_txn *txn, struct cr_delist *d /* IN/OUT */);
int cr_store_delists(cr_txn *txn, int (*fn)(const struct cr_delist *d, void *arg),
		     void *arg);

/* Appends a revision (the value a correction replaced). */
int cr_store_revision_add(cr_txn *txn, const struct cr_revision *r);
/* Calls fn for each revision of an account, oldest first. */
int cr_store_revisions(cr_txn *txn, uint64_t acct_id,
		       int (*fn)(const struct cr_revision *r, void *arg), void *arg);

/* API keys (apikey.h): only a keyed hash of the secret is stored, under
 * the key's public id.  put adds or replaces (revocation sets revoked). */
#define CR_APIKEY_ID_LEN 16   /* hex digits */
#define CR_APIKEY_HASH_LEN 32
struct cr_apikey {
	char key_id[CR_APIKEY_ID_LEN + 1];
	uint8_t hash[CR_APIKEY_HASH_LEN];
	uint8_t role;                     /* enum cr_role (apikey.h) */
	char inst[CR_INST_CODE_MAX + 1];  /* furnisher, lender: the institution */
	int has_subject;                  /* subject: the person's pseudonym */
	struct cr_subject_key subject;
	int64_t created;                  /* Unix seconds */
	int64_t revoked;                  /* Unix seconds; 0 while live */
};
#define CR_APIKEY_ROLE_MAX 5  /* the last enum cr_role (apikey.h) */
/* key_id 16 lower-case hex digits; role 1..CR_APIKEY_ROLE_MAX; has_subject
 * 0 or 1; institution within its limit; created and revoked in range.
 * (cr_apikey_check, apikey.h, checks a bearer token.) */
int cr_apikey_rec_check(const struct cr_apikey *k);
/* put returns CR_EINVAL, storing nothing, for a key id that is not
 * CR_APIKEY_ID_LEN characters or an institution code too long. */
int cr_store_apikey_put(cr_txn *txn, const struct cr_apikey *k);
int cr_store_apikey_get(cr_txn *txn, const char *key_id,
			struct cr_apikey *out /* OUT */);
/* Calls fn for each key in key-id order; a non-zero return stops the walk. */
int cr_store_apikeys(cr_txn *txn, int (*fn)(const struct cr_apikey *k, void *arg),
		     void *arg);

/* Alerts for post-loan monitoring (alert.h), per receiving institution.
 * add assigns a->seq, the institution's next number from 1. */
struct cr_alert_rec {
	uint64_t seq;
	struct cr_subject_key subject;
	uint8_t kind;          /* enum cr_alert_kind (alert.h) */
	int64_t raised_s;      /* UTC seconds when it was raised */
	int64_t at_s;          /* UTC seconds of the data that raised it */
};
#define CR_ALERT_KIND_MAX 4  /* the last enum cr_alert_kind (alert.h) */
/* seq non-zero (add assigns it); kind 1..CR_ALERT_KIND_MAX; raised_s and
 * at_s in range. */
int cr_alert_rec_check(const struct cr_alert_rec *a);
int cr_store_alert_add(cr_txn *txn, const char *inst, struct cr_alert_rec *a /* IN/OUT */);
/* Calls fn for up to max alerts of inst with seq > after, in seq order; a
 * non-zero return from fn stops the walk and is returned. */
int cr_store_alerts(cr_txn *txn, const char *inst, uint64_t after, size_t max,
		    int (*fn)(const struct cr_alert_rec *a, void *arg), void *arg);

/* The last seq assigned to inst's alerts (0 when it has none). */
int cr_store_alert_last(cr_txn *txn, const char *inst, uint64_t *seq /* OUT */);

/* An institution's alert thresholds; get returns CR_ENOTFOUND when it has
 * set none (the defaults of alert.h apply). */
struct cr_alert_config {
	int32_t exposure_pct;  /* a rise must exceed this percentage ... */
	int64_t exposure_min;  /* ... and this many minor units */
	int32_t inquiries;     /* inquiries in 7 days that raise an alert */
};
/* What creditref alerts accepts: exposure_pct 0..CR_ALERT_EXPOSURE_PCT_MAX,
 * exposure_min 0..CR_AMOUNT_MAX, inquiries 1..CR_ALERT_INQUIRIES_MAX
 * (cr_limits.h). */
int cr_alert_config_check(const struct cr_alert_config *c);
int cr_store_alert_config_put(cr_txn *txn, const char *inst,
			      const struct cr_alert_config *cfg);
int cr_store_alert_config_get(cr_txn *txn, const char *inst,
			      struct cr_alert_config *out /* OUT */);

/*
 * An institution's webhook (webhook.h, docs/alerts.md): where its alerts
 * are pushed, the signing secret (stored sealed, like identities) and the
 * delivery state.  gen grows with every registration, so a delivery begun
 * under an older registration cannot move the cursor of a newer one.
 */
struct cr_webhook_state {
	uint64_t cursor;          /* alerts up to this seq were acknowledged */
	int64_t last_attempt_ms;  /* Unix milliseconds; 0: never attempted */
	int64_t next_attempt_ms;  /* not before; 0: as soon as there are alerts */
	uint32_t failures;        /* consecutive failed attempts */
	uint16_t last_status;     /* HTTP status of the last attempt; 0: no answer */
	uint8_t last_error;       /* enum cr_webhook_error of the last attempt */
};
#define CR_WEBHOOK_LAST_ERROR_MAX 7  /* the last enum cr_webhook_error (webhook.h) */
/* The attempt times (milliseconds) in range; last_status 0..999;
 * last_error 0..CR_WEBHOOK_LAST_ERROR_MAX. */
int cr_webhook_state_check(const struct cr_webhook_state *s);
struct cr_webhook {
	char inst[CR_INST_CODE_MAX + 1];
	char url[CR_WEBHOOK_URL_MAX + 1];
	char secret[CR_WEBHOOK_SECRET_MAX + 1]; /* "" unless asked for */
	uint64_t gen;
	int64_t created_s;        /* first registration, Unix seconds */
	int64_t updated_s;        /* last registration (URL or secret change) */
	struct cr_webhook_state s;
};
/* Institution code 1..CR_INST_CODE_MAX bytes; url 1..CR_WEBHOOK_URL_MAX;
 * secret within CR_WEBHOOK_SECRET_MAX (or ""); gen non-zero; created_s and
 * updated_s in range; s as cr_webhook_state_check says. */
int cr_webhook_check(const struct cr_webhook *w);
/* Adds or replaces w->inst's webhook.  CR_EINVAL, storing nothing, outside
 * a write transaction or for an institution code, URL or secret that is
 * empty or too long. */
int cr_store_webhook_put(cr_txn *txn, const struct cr_webhook *w);
/* Reads inst's webhook; with_secret 0 leaves out->secret "" (nothing is
 * unsealed).  CR_ENOTFOUND when none is registered.  A caller that asked
 * for the secret wipes it (sodium_memzero) when done. */
int cr_store_webhook_get(cr_txn *txn, const char *inst, int with_secret,
			 struct cr_webhook *out /* OUT */);
/* Replaces the delivery state of inst's webhook if its registration is
 * still gen.  Returns 1 when updated, 0 when the webhook is gone or was
 * registered again meanwhile, or an error (CR_EINVAL outside a write
 * transaction or for an institution code empty or too long). */
int cr_store_webhook_state_put(cr_txn *txn, const char *inst, uint64_t gen,
			       const struct cr_webhook_state *s);
/* Removes inst's webhook; CR_ENOTFOUND when there is none. */
int cr_store_webhook_del(cr_txn *txn, const char *inst);
/* Calls fn for each webhook (without its secret) in institution order; a
 * non-zero return from fn stops the walk and is returned. */
int cr_store_webhooks(cr_txn *txn, int (*fn)(const struct cr_webhook *w, void *arg),
		      void *arg);

int cr_store_stats(cr_txn *txn, struct cr_store_stats *out /* OUT */);

/* The data directory the store was opened in; valid while st is open.
 * Files kept beside the store (the audit trail) live there. */
const char *cr_store_dir(const cr_store *st);
/* Derives a 32-byte secret for one use (name, e.g. "audit") from the store's
 * secret, so that a use never sees the pseudonym key itself. */
#define CR_DERIVED_KEY_LEN 32
void cr_store_derive_key(const cr_store *st, const char *name,
			 uint8_t out[CR_DERIVED_KEY_LEN] /* OUT */);

/* The audit trail's head (audit.h): the sequence number and hash of the
 * last entry, with a MAC made by the audit module.  The store keeps it
 * opaque, in the same write transactions as the accesses it records.  get
 * returns CR_ENOTFOUND before the first entry. */
#define CR_AUDIT_HASH_LEN 32
struct cr_audit_head {
	uint64_t seq;
	uint8_t hash[CR_AUDIT_HASH_LEN];
	uint8_t mac[CR_AUDIT_HASH_LEN];
};
/* seq non-zero (the hash and MAC are the audit module's to check). */
int cr_audit_head_check(const struct cr_audit_head *h);
int cr_store_audit_head_put(cr_txn *txn, const struct cr_audit_head *h);
int cr_store_audit_head_get(cr_txn *txn, struct cr_audit_head *out /* OUT */);

/*
 * Audit lines written to the trail but not yet synced there (audit.h,
 * "One sync per group"): kept in the store, in the transaction of the
 * access they record, until the trail's file is synced past them.  get
 * copies line seq into buf (cap bytes) or returns CR_ENOTFOUND; drop
 * removes every line up to seq upto.  A line is 1..CR_AUDIT_LINE_MAX + 1
 * bytes, its newline included, and seq is never 0.
 */
int cr_store_audit_pending_put(cr_txn *txn, uint64_t seq, const char *line, size_t n);
int cr_store_audit_pending_get(cr_txn *txn, uint64_t seq, char *buf, size_t cap,
			       size_t *n /* OUT */);
/* Drops the lines after seq `after` up to `upto` (after 0: from the first);
 * a caller that has dropped up to some seq passes it, so the walk never
 * steps over the deletions it made before. */
int cr_store_audit_pending_drop(cr_txn *txn, uint64_t after, uint64_t upto);

/* ---- Data-quality counters (store_quality.c) ---------------------------- */

/* What one furnisher's ingests did on one ingest day (docs/quality.md). */
struct cr_quality_day {
	char inst[CR_INST_CODE_MAX + 1];   /* or CR_QUALITY_NO_INST */
	int32_t day;                       /* the ingest's as-of day */
	uint64_t submitted, accepted, rejected, held, unchanged;
	uint64_t late;     /* statements changing a month already reported */
	uint64_t lag[CR_QUALITY_LAG_BUCKETS]; /* events, by reporting lag */
};
/* inst a code (or CR_QUALITY_NO_INST), day in range, submitted the sum of
 * the four outcomes, late and the lag total within the accepted and held. */
int cr_quality_day_check(const struct cr_quality_day *d);
/* Adds d's counts to those stored for (d->inst, d->day). */
int cr_store_quality_add(cr_txn *txn, const struct cr_quality_day *d);
/* Adds n to the count of reason for (inst, day); reason is cut to
 * CR_QUALITY_REASON_MAX bytes. */
int cr_store_quality_reason_add(cr_txn *txn, const char *inst, int32_t day,
				const char *reason, uint64_t n);
/* Calls day_fn for each stored day's counts and reason_fn for each reason
 * count, of inst (NULL: every furnisher), with from <= day <= to, in
 * (furnisher, day) order.  A non-zero return stops the walk. */
struct cr_quality_walk {
	int (*day_fn)(const struct cr_quality_day *d, void *arg);
	int (*reason_fn)(const char *inst, int32_t day, const char *reason, uint64_t n,
			 void *arg);
	void *arg;
};
int cr_store_quality(cr_txn *txn, const char *inst, int32_t from, int32_t to,
		     const struct cr_quality_walk *w);

#endif
