/*
 * store_codec.h - every byte layout the store writes: its keys and its
 * values (but the history years of hist_codec.h).
 *
 * The family files (store_<family>.c) never pack or unpack bytes
 * themselves: they build keys and encode values here, and decode what
 * they read here.  Each encoder writes into a caller buffer of the size
 * named next to it and returns the length; each decoder checks every
 * length against its buffer and returns CR_ECORRUPT rather than trust
 * stored bytes.  A decoder checks the layout only: whether the values it
 * decoded make a sound record is the record's check (cr_<type>_check,
 * store.h and cr_record.h), which the store runs after every decode.
 *
 * Integers are big-endian so that, in keys, byte order is numeric order.
 * Strings are a length byte and the bytes.  Dates in sort positions are
 * biased by 2^31, times by 2^63, so that the unsigned byte order of a
 * signed number is chronological.
 *
 * The layout is version 10 of the store (store_rocks.c): nothing here may
 * change without a new version.
 */
#ifndef CR_STORE_CODEC_H
#define CR_STORE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* ---- integers ---------------------------------------------------------- */

void cr_put_u64be(uint8_t *p, uint64_t x);
uint64_t cr_get_u64be(const uint8_t *p);
void cr_put_i32be(uint8_t *p, int32_t x);
int32_t cr_get_i32be(const uint8_t *p);
/* A day number in 4 bytes whose byte order is chronological. */
void cr_put_date(uint8_t *p, int32_t days);
int32_t cr_get_date(const uint8_t *p);

/* ---- keys --------------------------------------------------------------- */

/*
 * Person keys (column family person): the pid (u64 BE) and a tag byte,
 * then the tag's fields.  Everything about one person shares the pid, so a
 * report reads one short range; the tags sort in this order within it:
 *
 *   pid '@'                          subject key, then the person's secrets sealed
 *   pid 'A' n                        account n (u16 BE)
 *   pid 'C' consent                  a consent fact: the key is the fact
 *   pid 'D' dispute-id               a dispute (u64 BE)
 *   pid 'H' n year                   a year of account n's history (u16 BE each)
 *   pid 'I' institution              the identity a held line of it furnished
 *   pid 'J' digest                   one sealed copy of each distinct identity
 *                                    the 'I' records name
 *   pid 'P' platform NUL product     a holding of a product (docs/shelf.md)
 *   pid 'Q' inquiry                  an inquiry: the key is the inquiry
 *   pid 'R' n month seq              a value a correction replaced
 *   pid 'S' n                        account n's state as last derived (current.h)
 *   pid 'X' institution              records held for want of a furnish consent
 *   pid '~' n time id-hash           an event of account n (last: a person with
 *                                    many events is read without them first)
 */
#define PK_LEN 9
#define PK_IDENTITY '@'  /* first: a walk meets the person's subject key first */
#define PK_ACCOUNT 'A'
#define PK_CONSENT 'C'
#define PK_DISPUTE 'D'
#define PK_HIST 'H'
#define PK_HELD_IDENTITY 'I'
#define PK_IDENTITY_COPY 'J'
#define PK_HOLDING 'P'
#define PK_INQUIRY 'Q'
#define PK_REVISION 'R'
#define PK_EXPOSURE 'S'
#define PK_HELD 'X'
#define PK_EVENT '~'     /* last: the rest of a person is one range before them */

/* Index keys (column family index): a tag byte, then the key.  Values are
 * ids (u64 BE), but an event's (cr_event_index_encode). */
#define IK_SUBJECT 'S'   /* 'S' subject key -> pid */
#define IK_ACCOUNT 'A'   /* 'A' institution NUL account-number hash -> account id */
#define IK_EVENT 'E'     /* 'E' institution NUL event-id hash -> account id, time */

/* Meta keys of a family (column family meta) start with a control byte no
 * named value starts with (named values are lower-case ASCII: "version",
 * "next_pid", "audit_head", ...). */
#define MK_INST 0x01      /* code -> institution */
#define MK_APIKEY 0x02    /* key id -> API key */
#define MK_ALERT_CFG 0x03 /* code -> alert thresholds */
#define MK_WEBHOOK 0x04   /* code -> webhook */
#define MK_DISPUTE 0x05   /* dispute id (u64 BE) -> pid (u64 BE) */
#define MK_QUALITY 0x06   /* furnisher, day, kind -> ingest counts (store_quality.c) */
#define MK_PRODUCT 0x08   /* platform NUL code -> product */
#define MK_DELIST 0x07    /* order seq (u64 BE) -> delisting order */

/* The shelf (docs/shelf.md).  These families were added to layout 8
 * without changing any record of it: a store without them has no
 * products, holdings or orders. */

/* MK_PRODUCT platform NUL code; platform "" with no code: every product
 * (the tag alone), code "": one platform's (the prefix with its NUL). */
#define CR_KEY_PRODUCT_MAX (2 + CR_INST_CODE_MAX + CR_PRODUCT_CODE_MAX)
size_t cr_key_product(const char *platform, const char *code, uint8_t out[CR_KEY_PRODUCT_MAX]);
/* The platform and code a product key names; CR_ECORRUPT for another. */
int cr_key_product_parse(const uint8_t *k, size_t n, char platform[CR_INST_CODE_MAX + 1],
			 char code[CR_PRODUCT_CODE_MAX + 1]);

#define CR_KEY_DELIST_LEN 9
void cr_key_delist(uint64_t seq, uint8_t out[CR_KEY_DELIST_LEN]);

/* pid 'P' platform NUL product; returns the length. */
#define CR_KEY_HOLDING_MAX (PK_LEN + CR_INST_CODE_MAX + 1 + CR_PRODUCT_CODE_MAX)
size_t cr_key_holding(uint64_t pid, const char *platform, const char *product,
		      uint8_t out[CR_KEY_HOLDING_MAX]);
int cr_key_holding_parse(const uint8_t *k, size_t n, char platform[CR_INST_CODE_MAX + 1],
			 char product[CR_PRODUCT_CODE_MAX + 1]);

/* An account id is pid << 16 | n, n the person's account number 1..65535,
 * so an account id alone finds the person's prefix. */
#define ACCT_PID(id) ((id) >> 16)
#define ACCT_N(id) ((unsigned)((id) & 0xffff))
#define ACCT_ID(pid, n) ((pid) << 16 | (uint64_t)(n))
#define PID_MAX ((1ULL << 48) - 1)

/* Account key: institution code, NUL, the 16-byte keyed hash of the account
 * number (the number itself is stored only encrypted, in the value). */
#define CR_ACCT_HASH_LEN 16
#define CR_ACCT_KEY_MAX (CR_INST_CODE_MAX + 1 + CR_ACCT_HASH_LEN)
size_t cr_acct_key(const char *inst, const uint8_t hash[CR_ACCT_HASH_LEN],
		   uint8_t *buf);

/* pid, tag: the first PK_LEN bytes of every person key. */
void cr_key_person(uint64_t pid, uint8_t tag, uint8_t out[PK_LEN]);

#define CR_KEY_ACCOUNT_LEN (PK_LEN + 2)
void cr_key_account(uint64_t acct_id, uint8_t out[CR_KEY_ACCOUNT_LEN]);
/* The account id a person's account key names (any tag followed by n). */
uint64_t cr_key_acct_id(const uint8_t *k);

#define CR_KEY_HIST_LEN (PK_LEN + 4)
void cr_key_hist(uint64_t acct_id, int year, uint8_t out[CR_KEY_HIST_LEN]);
/* The year a history key names. */
int cr_key_hist_year(const uint8_t k[CR_KEY_HIST_LEN]);

#define CR_KEY_STATE_LEN (PK_LEN + 2)
void cr_key_state(uint64_t acct_id, uint8_t out[CR_KEY_STATE_LEN]);

/* pid 'X' institution code (not terminated); returns the length. */
#define CR_KEY_HELD_MAX (PK_LEN + CR_INST_CODE_MAX)
size_t cr_key_held(uint64_t pid, const char *inst, uint8_t out[CR_KEY_HELD_MAX]);

/* pid 'I' institution code (not terminated); returns the length.  parse
 * reads the code back: CR_ECORRUPT for a key of another tag, or a code
 * empty or too long. */
#define CR_KEY_HELD_IDENTITY_MAX (PK_LEN + CR_INST_CODE_MAX)
size_t cr_key_held_identity(uint64_t pid, const char *inst,
			    uint8_t out[CR_KEY_HELD_IDENTITY_MAX]);
int cr_key_held_identity_parse(const uint8_t *k, size_t n, char inst[CR_INST_CODE_MAX + 1]);

/* pid 'J' digest: a held identity's one sealed copy, named by its digest
 * (a keyed hash of the encoded identity, domain byte CR_DOMAIN_IDENTITY).
 * parse reads the digest back: CR_ECORRUPT for a key of another shape. */
#define CR_IDENTITY_DIGEST_LEN 16
#define CR_KEY_IDENTITY_COPY_LEN (PK_LEN + CR_IDENTITY_DIGEST_LEN)
void cr_key_identity_copy(uint64_t pid, const uint8_t digest[CR_IDENTITY_DIGEST_LEN],
			  uint8_t out[CR_KEY_IDENTITY_COPY_LEN]);
int cr_key_identity_copy_parse(const uint8_t *k, size_t n,
			       uint8_t digest[CR_IDENTITY_DIGEST_LEN] /* OUT */);

/* pid '~' n, the time biased by 2^63 (u64 BE), the id hash (hash NULL:
 * zeros, for a bound). */
#define CR_EVENT_HASH_LEN 16
#define CR_KEY_EVENT_LEN (PK_LEN + 2 + 8 + CR_EVENT_HASH_LEN)
#define CR_KEY_EVENT_PREFIX_LEN (PK_LEN + 2) /* the events of one account */
void cr_key_event(uint64_t acct_id, int64_t at_s, const uint8_t hash[CR_EVENT_HASH_LEN],
		  uint8_t out[CR_KEY_EVENT_LEN]);

#define CR_KEY_DISPUTE_LEN (PK_LEN + 8)
void cr_key_dispute(uint64_t pid, uint64_t id, uint8_t out[CR_KEY_DISPUTE_LEN]);
/* The dispute id a person's dispute key names. */
uint64_t cr_key_dispute_id(const uint8_t k[CR_KEY_DISPUTE_LEN]);

/* pid 'R' n month (i32 BE) seq (u64 BE); the first CR_KEY_REVISION_PREFIX_LEN
 * bytes are an account's revisions. */
#define CR_KEY_REVISION_LEN (PK_LEN + 2 + 4 + 8)
#define CR_KEY_REVISION_PREFIX_LEN (PK_LEN + 2)
void cr_key_revision(uint64_t acct_id, int32_t month, uint64_t seq,
		     uint8_t out[CR_KEY_REVISION_LEN]);

#define CR_KEY_SUBJECT_INDEX_LEN (1 + CR_SUBJECT_KEY_LEN)
void cr_key_subject_index(const struct cr_subject_key *k,
			  uint8_t out[CR_KEY_SUBJECT_INDEX_LEN]);

#define CR_KEY_ACCOUNT_INDEX_MAX (1 + CR_ACCT_KEY_MAX)
size_t cr_key_account_index(const char *inst, const uint8_t hash[CR_ACCT_HASH_LEN],
			    uint8_t out[CR_KEY_ACCOUNT_INDEX_MAX]);

#define CR_KEY_EVENT_INDEX_MAX (1 + CR_INST_CODE_MAX + 1 + CR_EVENT_HASH_LEN)
size_t cr_key_event_index(const char *inst, const uint8_t hash[CR_EVENT_HASH_LEN],
			  uint8_t out[CR_KEY_EVENT_INDEX_MAX]);

/* A meta family key: tag, then s (at most max bytes, not terminated). */
size_t cr_key_meta(uint8_t tag, const char *s, size_t max, uint8_t *out);

#define CR_KEY_DISPUTE_META_LEN 9
void cr_key_dispute_meta(uint64_t id, uint8_t out[CR_KEY_DISPUTE_META_LEN]);

/* Alerts (column family alert): the receiving institution's code
 * NUL-padded to CR_INST_CODE_MAX + 1 bytes, then seq (u64 BE), so one
 * institution's alerts are together in seq order. */
#define CR_KEY_ALERT_PREFIX_LEN (CR_INST_CODE_MAX + 1)
#define CR_KEY_ALERT_LEN (CR_KEY_ALERT_PREFIX_LEN + 8)
void cr_key_alert(const char *inst, uint64_t seq, uint8_t out[CR_KEY_ALERT_LEN]);

/* The name of the meta counter of inst's last alert seq: "alert_seq:" and
 * the code. */
#define CR_ALERT_SEQ_NAME_MAX (10 + CR_INST_CODE_MAX + 1)
void cr_alert_seq_name(const char *inst, char out[CR_ALERT_SEQ_NAME_MAX]);

/*
 * Data-quality counters (meta 0x06): the furnisher's code NUL-padded to
 * CR_INST_CODE_MAX + 1 bytes, the ingest day (date), then a kind byte:
 * 'C' for the day's counts (cr_quality_encode), or 'R' and a reject reason
 * (at most CR_QUALITY_REASON_MAX bytes, not terminated) for that reason's
 * count (u64 BE).  Added in layout 8 without a new version: a store
 * without these keys reads as one whose ingests counted nothing.
 */
#define CR_KEY_QUALITY_PREFIX_LEN (1 + CR_INST_CODE_MAX + 1)
#define CR_KEY_QUALITY_MAX (CR_KEY_QUALITY_PREFIX_LEN + 4 + 1 + CR_QUALITY_REASON_MAX)
#define CR_QK_COUNTS 'C'
#define CR_QK_REASON 'R'
size_t cr_key_quality(const char *inst, int32_t day, uint8_t kind, const char *reason,
		      uint8_t out[CR_KEY_QUALITY_MAX]);
/* The furnisher, day, kind and reason of a quality key; CR_ECORRUPT when
 * it is not one. */
int cr_key_quality_parse(const uint8_t *k, size_t kn, char inst[CR_INST_CODE_MAX + 1],
			 int32_t *day, uint8_t *kind, char reason[CR_QUALITY_REASON_MAX + 1]);
/* A day's counts: six u64 BE and the lag histogram, u64 BE each. */
#define CR_QUALITY_ENC_LEN (8 * (6 + CR_QUALITY_LAG_BUCKETS))
void cr_quality_encode(const struct cr_quality_day *d, uint8_t out[CR_QUALITY_ENC_LEN]);
int cr_quality_decode(const uint8_t *p, size_t n, struct cr_quality_day *out /* OUT */);

/* Pending audit lines (column family audit): seq (u64 BE). */
#define CR_KEY_AUDIT_LEN 8
void cr_key_audit(uint64_t seq, uint8_t out[CR_KEY_AUDIT_LEN]);

/*
 * What a pseudonym hashes (the store keys the hash with its secret):
 * a domain byte no ID begins with, the institution code, NUL, and the
 * furnisher's text (an account number, an event id), so the spaces of
 * subject keys, account numbers and event ids cannot meet.
 */
#define CR_DOMAIN_ACCOUNT 0x01
#define CR_DOMAIN_EVENT 0x02
#define CR_DOMAIN_IDENTITY 0x03 /* a held identity's digest (pid 'J') */
#define CR_PSEUDONYM_MSG_MAX (2 + CR_INST_CODE_MAX + CR_ACCOUNT_MAX)
size_t cr_pseudonym_msg(uint8_t domain, const char *inst, const char *text, size_t text_max,
			uint8_t out[CR_PSEUDONYM_MSG_MAX]);

/* ---- values ------------------------------------------------------------- */

/* Institution: kind, name; keyed by the code. */
#define CR_INST_ENC_MAX (2 + CR_INST_NAME_MAX)
size_t cr_inst_encode(const struct cr_institution *in, uint8_t *buf);
int cr_inst_decode(const char *code, const uint8_t *p, size_t n,
		   struct cr_institution *out /* OUT */);

/* Product: issuer, category, licence, name; keyed by platform and code
 * (the decoder takes them from the key). */
#define CR_PRODUCT_ENC_MAX (4 + CR_INST_CODE_MAX + CR_LICENCE_MAX + CR_INST_NAME_MAX)
size_t cr_product_encode(const struct cr_product_rec *p, uint8_t *buf);
int cr_product_decode(const uint8_t *p, size_t n, struct cr_product_rec *out /* IN/OUT */);

/* Holding: since, until (dates, CR_NO_DATE as itself); keyed by the
 * person, platform and product; the ID is not stored. */
#define CR_HOLDING_ENC_LEN 8
size_t cr_holding_encode(const struct cr_holding *h, uint8_t *buf);
int cr_holding_decode(const uint8_t *p, size_t n, struct cr_holding *out /* IN/OUT */);

/* Delisting order: what (1 product, 2 category), platform, product code,
 * category, effective date, ordered date, who ordered, reason. */
#define CR_DELIST_ENC_MAX (4 + 8 + CR_INST_CODE_MAX + CR_PRODUCT_CODE_MAX + \
			   CR_INST_CODE_MAX + CR_DELIST_REASON_MAX)
size_t cr_delist_encode(const struct cr_delist *d, uint8_t *buf);
int cr_delist_decode(uint64_t seq, const uint8_t *p, size_t n, struct cr_delist *out /* OUT */);

/* Identity: the 18 ID characters, birth date, name, phone, address. */
#define CR_SUBJECT_ENC_MAX (CR_ID_LEN + 4 + 3 + CR_NAME_MAX + CR_PHONE_MAX + CR_ADDRESS_MAX)
size_t cr_subject_encode(const struct cr_subject *s, uint8_t *buf);
int cr_subject_decode(const uint8_t *p, size_t n, struct cr_subject *out /* OUT */);

/* A held identity (pid 'I' institution): u64 BE seq, its place in the
 * store-wide order (CTR_SEQ), then the digest (CR_IDENTITY_DIGEST_LEN
 * bytes) of its sealed copy (pid 'J' digest): the identity
 * (cr_subject_encode) sealed under the data key, bound to the subject key
 * and the digest.  Institutions that held the same identity share the
 * copy.  A layout 9 store wrote the sealed identity itself after the seq,
 * bound to the subject key and the institution; such a value (longer than
 * a digest) is still read (store_held.c). */
#define CR_HELD_IDENTITY_FIXED 8

/*
 * A person's secrets: the sealed part of their '@' record, opened.
 *
 *   u8       1 when an identity follows, else 0
 *   u16 BE   identity length, and the identity (cr_subject_encode)
 *   u16 BE   number of accounts, then per account in n order:
 *            u16 BE n, u8 length (1..CR_ACCOUNT_MAX), the account
 *            number (no NUL in it)
 *
 * parse indexes the bytes (which stay the caller's); number finds account
 * n's number; encode lays out an identity and the account entries of old
 * secrets, with one account's number added.
 */
struct cr_secrets_index {
	int has_ident;
	size_t ident_off, ident_n;
	size_t acc_off;   /* the first account entry */
	unsigned n_acc;
};
/* The secrets of a person without any: no identity, no accounts. */
#define CR_SECRETS_EMPTY_LEN 5
int cr_secrets_parse(const uint8_t *p, size_t n, struct cr_secrets_index *out /* OUT */);
/* The number of account n into out; CR_ECORRUPT when it has none. */
int cr_secrets_number(const uint8_t *p, const struct cr_secrets_index *x, unsigned n,
		      char out[CR_ACCOUNT_MAX + 1] /* OUT */);
/* The bytes cr_secrets_encode writes for an identity of ident_n bytes, the
 * accounts of old (p, n bytes, x) and a number (NULL: none added). */
size_t cr_secrets_size(size_t ident_n, size_t n, const struct cr_secrets_index *x,
		       const char *number);
/* Lays out the secrets: an identity ident[0..ident_n) when has_ident, the
 * account entries of old, and when number is not NULL account acct_n's
 * number (at most CR_ACCOUNT_MAX bytes).  out holds cr_secrets_size bytes;
 * returns that size. */
size_t cr_secrets_encode(int has_ident, const uint8_t *ident, size_t ident_n,
			 const uint8_t *old, size_t n, const struct cr_secrets_index *x,
			 unsigned acct_n, const char *number, uint8_t *out);

/* Encodes the institution and every field of the furnished account but
 * the number, which the store seals with the person's secrets; the account
 * id and the subject are the record's key, not its value. */
#define CR_ACCT_ENC_MAX (1 + CR_INST_CODE_MAX + 29 + CR_COLENDERS_MAX * (1 + CR_INST_CODE_MAX + 2))
size_t cr_acct_encode(const struct cr_account_rec *r, uint8_t *buf);
/* Decodes what cr_acct_encode wrote; *used is the number of bytes consumed. */
int cr_acct_decode(const uint8_t *p, size_t n, struct cr_account_rec *out /* OUT */,
		   size_t *used /* OUT */);

/* A consent fact is a key: its own date first (the revocation's, or the
 * grant's), so a subject's facts sort chronologically. */
#define CR_CONSENT_ENC_MAX (4 + 3 + 1 + CR_INST_CODE_MAX + 4 + 4 + 1 + CR_EVIDENCE_MAX)
size_t cr_consent_encode(const struct cr_consent_fact *f, uint8_t *buf);
int cr_consent_decode(const uint8_t *p, size_t n, struct cr_consent_fact *out /* OUT */);

/* An inquiry is a key: date, seq, purpose, chargeable, institution. */
#define CR_INQUIRY_ENC_MAX (4 + 8 + 2 + 1 + CR_INST_CODE_MAX)
size_t cr_inquiry_encode(const struct cr_inquiry *q, uint8_t *buf);
int cr_inquiry_decode(const uint8_t *p, size_t n, struct cr_inquiry *out /* OUT */);

/* Event: kind u8, amount i64, dpd i32 (the account, time and id hash are
 * the key's). */
#define CR_EVENT_VAL_LEN 13
void cr_event_encode(const struct cr_event_rec *e, uint8_t out[CR_EVENT_VAL_LEN]);
/* Decodes an event from its person key k and value p. */
int cr_event_decode(const uint8_t *k, size_t kn, const uint8_t *p, size_t n,
		    struct cr_event_rec *out /* OUT */);
/* The event index's value: account id, time biased by 2^63 (u64 BE each). */
#define CR_EVENT_INDEX_VAL_LEN 16
void cr_event_index_encode(uint64_t acct_id, int64_t at_s,
			   uint8_t out[CR_EVENT_INDEX_VAL_LEN]);
int cr_event_index_decode(const uint8_t *p, size_t n, uint64_t *acct_id /* OUT */,
			  int64_t *at_s /* OUT */);

/*
 * Dispute: subject key, account id u64, month i32, filed i32, status u8,
 * resolved i32 (the fixed part), then "inst NUL account NUL reason", which
 * the store seals with the dispute id as associated data.
 */
#define CR_DISPUTE_FIXED (CR_SUBJECT_KEY_LEN + 8 + 4 + 4 + 1 + 4)
#define CR_DISPUTE_TEXT_MAX (CR_INST_CODE_MAX + CR_ACCOUNT_MAX + CR_DISPUTE_REASON_MAX + 2)
void cr_dispute_encode(const struct cr_dispute *d, uint8_t out[CR_DISPUTE_FIXED]);
/* Fills every field of out but id and the texts from the fixed part p
 * (at least CR_DISPUTE_FIXED bytes). */
void cr_dispute_decode(const uint8_t p[CR_DISPUTE_FIXED], struct cr_dispute *out /* OUT */);
size_t cr_dispute_text_encode(const struct cr_dispute *d, uint8_t out[CR_DISPUTE_TEXT_MAX]);
int cr_dispute_text_decode(const uint8_t *p, size_t n, struct cr_dispute *out /* OUT */);

/* Revision: old status u8, dpd i32, balance, due, paid, overdue, dispute id
 * (u64 BE each), date i32; the account and month are the key's. */
#define CR_REVISION_VAL_LEN (1 + 4 + 8 * 4 + 8 + 4)
void cr_revision_encode(const struct cr_revision *r, uint8_t out[CR_REVISION_VAL_LEN]);
int cr_revision_decode(uint64_t acct_id, const uint8_t *k, size_t kn, const uint8_t *p,
		       size_t n, struct cr_revision *out /* OUT */);

/* API key: hash[32] role[1] has_subject[1] subject[16] created[8]
 * revoked[8] inst_len[1] inst; keyed by the key id. */
#define CR_APIKEY_FIXED (CR_APIKEY_HASH_LEN + 2 + CR_SUBJECT_KEY_LEN + 16 + 1)
#define CR_APIKEY_ENC_MAX (CR_APIKEY_FIXED + CR_INST_CODE_MAX)
size_t cr_apikey_encode(const struct cr_apikey *k, uint8_t out[CR_APIKEY_ENC_MAX]);
/* Decodes the key whose id is id[0..idn) (the key after its tag). */
int cr_apikey_decode(const uint8_t *id, size_t idn, const uint8_t *p, size_t n,
		     struct cr_apikey *out /* OUT */);

/* Alert: subject key, kind u8, raised_s i64, at_s i64; the seq is the key's. */
#define CR_ALERT_VAL_LEN (CR_SUBJECT_KEY_LEN + 1 + 8 + 8)
void cr_alert_encode(const struct cr_alert_rec *a, uint8_t out[CR_ALERT_VAL_LEN]);
int cr_alert_decode(const uint8_t *k, size_t kn, const uint8_t *p, size_t n,
		    struct cr_alert_rec *out /* OUT */);

/* Alert thresholds: pct i32, min i64, inquiries i32. */
#define CR_ALERT_CFG_LEN 16
void cr_alert_config_encode(const struct cr_alert_config *c, uint8_t out[CR_ALERT_CFG_LEN]);
int cr_alert_config_decode(const uint8_t *p, size_t n, struct cr_alert_config *out /* OUT */);

/* The audit head (meta "audit_head"): seq u64, hash, mac. */
#define CR_AUDIT_HEAD_LEN (8 + 2 * CR_AUDIT_HASH_LEN)
void cr_audit_head_encode(const struct cr_audit_head *h, uint8_t out[CR_AUDIT_HEAD_LEN]);
int cr_audit_head_decode(const uint8_t *p, size_t n, struct cr_audit_head *out /* OUT */);

/*
 * Webhook:  gen u64, created_s i64, updated_s i64, then the delivery state
 * (cursor u64, last_attempt_ms i64, next_attempt_ms i64, failures u32,
 * last_status u16, last_error u8), url_len u16: CR_WEBHOOK_FIXED bytes;
 * the URL; then the secret, sealed by the store with cr_webhook_ad as
 * associated data.  The state sits in front so that the deliverer rewrites
 * it in place, without unsealing anything.
 */
#define CR_WEBHOOK_FIXED 57
#define CR_WEBHOOK_STATE_OFF 24
#define CR_WEBHOOK_STATE_LEN 31
#define CR_WEBHOOK_ENC_MAX (CR_WEBHOOK_FIXED + CR_WEBHOOK_URL_MAX)
/* Encodes w but its secret (the URL at most CR_WEBHOOK_URL_MAX bytes). */
size_t cr_webhook_encode(const struct cr_webhook *w, uint8_t out[CR_WEBHOOK_ENC_MAX]);
/* Decodes the webhook of institution inst[0..il) but its secret (out->secret
 * ""); *used is where the sealed secret begins. */
int cr_webhook_decode(const uint8_t *inst, size_t il, const uint8_t *p, size_t n,
		      struct cr_webhook *out /* OUT */, size_t *used /* OUT */);
void cr_webhook_state_encode(const struct cr_webhook_state *s,
			     uint8_t out[CR_WEBHOOK_STATE_LEN]);
void cr_webhook_state_decode(const uint8_t p[CR_WEBHOOK_STATE_LEN],
			     struct cr_webhook_state *out /* OUT */);
/* The generation of a stored webhook value (at least CR_WEBHOOK_FIXED bytes). */
uint64_t cr_webhook_gen(const uint8_t *p);
/* What the secret is bound to: "webhook", NUL, the institution code. */
#define CR_WEBHOOK_AD_MAX (8 + CR_INST_CODE_MAX)
size_t cr_webhook_ad(const char *inst, uint8_t out[CR_WEBHOOK_AD_MAX]);

#endif
