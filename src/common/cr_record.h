/*
 * cr_record.h - the furnishing records, as parsed and validated.
 *
 * One struct per record type of the JSON Lines contract (docs/FORMAT.md).
 * Strings are copied into fixed arrays sized by cr_limits.h and always
 * NUL-terminated, so a record owns no memory and can be copied by value.
 * Money is int64_t minor units (fen); dates are days since 1970-01-01 and
 * months are year * 12 + month - 1 (cr_date.h).
 */
#ifndef CR_RECORD_H
#define CR_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "cr_limits.h"

enum cr_record_type {
	CR_REC_NONE = 0,
	CR_REC_INSTITUTION = 1,
	CR_REC_ACCOUNT = 2,
	CR_REC_STATEMENT = 3,
	CR_REC_CONSENT = 4,
	CR_REC_EVENT = 5,
	CR_REC_PRODUCT = 6,  /* a product on a platform's shelf (docs/shelf.md) */
	CR_REC_HOLDING = 7,  /* who holds a product since when */
};
#define CR_REC_TYPE_COUNT 7

/* What kind of financial product a platform distributes (docs/shelf.md). */
enum cr_category {
	CR_CAT_INTERNET_DEPOSIT = 1,
	CR_CAT_WEALTH = 2,
	CR_CAT_LOAN = 3,
	CR_CAT_INSURANCE = 4,
};
#define CR_CAT_COUNT 4

enum cr_inst_kind {
	CR_KIND_BANK = 1,
	CR_KIND_CONSUMER_FINANCE = 2,
	CR_KIND_PLATFORM = 3,
	CR_KIND_MICROLENDER = 4,
};

/* The longest term of an installment loan or mortgage, in months (50
 * years); the parser refuses more (jsonl.c). */
#define CR_TERM_MONTHS_MAX 600

enum cr_product {
	CR_PROD_REVOLVING = 1,
	CR_PROD_INSTALLMENT = 2,
	CR_PROD_CREDIT_CARD = 3,
	CR_PROD_MORTGAGE = 4,
};
#define CR_PROD_COUNT 4

enum cr_acct_status {
	CR_ACCT_OPEN = 1,
	CR_ACCT_CLOSED = 2,
	CR_ACCT_CHARGED_OFF = 3,
	CR_ACCT_TRANSFERRED = 4,
};

enum cr_scope {
	CR_SCOPE_FURNISH = 1,
	CR_SCOPE_QUERY = 2,
};

enum cr_purpose {
	CR_PURPOSE_NONE = 0, /* furnish consents carry no purpose */
	CR_PURPOSE_LOAN_APPROVAL = 1,
	CR_PURPOSE_CARD_APPROVAL = 2,
	CR_PURPOSE_POST_LOAN = 3,
	CR_PURPOSE_GUARANTEE = 4,
	CR_PURPOSE_SELF = 5,
};

enum cr_id_type {
	CR_IDTYPE_RESIDENT = 1, /* 18-character PRC resident identity number */
};

/* What a real-time event reports (docs/FORMAT.md, "Events"). */
enum cr_event_kind {
	CR_EV_DRAWDOWN = 1,  /* money lent: adds to the balance */
	CR_EV_REPAYMENT = 2, /* money repaid: reduces overdue first, then balance */
	CR_EV_FEE = 3,       /* a fee charged: adds to the balance */
	CR_EV_INTEREST = 4,  /* interest charged: adds to the balance */
	CR_EV_OVERDUE = 5,   /* sets the overdue amount and days past due */
	CR_EV_WRITEOFF = 6,  /* the lender wrote the debt off: charged off */
	CR_EV_CLOSE = 7,     /* the account was settled and closed */
};
#define CR_EV_KIND_COUNT 7

/* Sentinel for "no date" (an open-ended consent, an unrevoked one). */
#define CR_NO_DATE INT32_MIN

struct cr_institution {
	char code[CR_INST_CODE_MAX + 1];
	char name[CR_INST_NAME_MAX + 1];
	uint8_t kind; /* enum cr_inst_kind */
};

struct cr_colender {
	char inst[CR_INST_CODE_MAX + 1];
	uint16_t share_bp; /* basis points; an account's shares sum to 10000 */
};

struct cr_account {
	char inst[CR_INST_CODE_MAX + 1];
	char account[CR_ACCOUNT_MAX + 1];
	uint8_t id_type;          /* enum cr_id_type */
	char id[CR_ID_LEN + 1];   /* normalized: upper-case check character */
	int32_t birth_days;       /* derived from the ID */
	char name[CR_NAME_MAX + 1];
	char phone[CR_PHONE_MAX + 1];     /* "" when not furnished */
	char address[CR_ADDRESS_MAX + 1]; /* "" when not furnished */
	uint8_t product;          /* enum cr_product */
	uint8_t status;           /* enum cr_acct_status; CR_ACCT_OPEN if absent */
	int32_t opened_days;
	char currency[4];         /* ISO 4217, "CNY" if absent */
	int64_t credit_limit;     /* minor units; revolving and credit_card */
	int64_t principal;        /* minor units; installment and mortgage */
	uint16_t term_months;     /* installment and mortgage */
	uint8_t n_colenders;      /* 0 when the lender funds it alone */
	struct cr_colender colenders[CR_COLENDERS_MAX];
};

struct cr_statement {
	char inst[CR_INST_CODE_MAX + 1];
	char account[CR_ACCOUNT_MAX + 1];
	int32_t month;
	int64_t balance;
	int64_t due;
	int64_t paid;
	int64_t overdue;
	int32_t dpd;
	char status; /* one of N 1-7 C G D Z * # (cr_status_valid) */
};

struct cr_consent {
	char id[CR_ID_LEN + 1];
	char inst[CR_INST_CODE_MAX + 1];
	uint8_t scope;   /* enum cr_scope */
	uint8_t purpose; /* enum cr_purpose; CR_PURPOSE_NONE for furnish */
	int32_t granted_days;
	int32_t expires_days; /* CR_NO_DATE: until revoked */
	int32_t revoked_days; /* CR_NO_DATE: a grant; otherwise a revocation */
	char evidence[CR_EVIDENCE_MAX + 1];
};

/* One real-time event.  at_s is UTC seconds since 1970-01-01T00:00:00Z,
 * converted from the furnished RFC 3339 time and its offset. */
struct cr_event {
	char inst[CR_INST_CODE_MAX + 1];
	char account[CR_ACCOUNT_MAX + 1];
	char event_id[CR_EVENT_ID_MAX + 1];
	int64_t at_s;
	uint8_t kind;    /* enum cr_event_kind */
	uint8_t has_dpd; /* the dpd field was present (and not null) */
	int32_t dpd;     /* days past due; overdue events only, else 0 */
	int64_t amount;  /* minor units */
};

/* A financial product a platform distributes: the platform is the
 * furnishing institution; the issuer another (or the same) institution. */
struct cr_product_rec {
	char platform[CR_INST_CODE_MAX + 1];
	char code[CR_PRODUCT_CODE_MAX + 1];
	char issuer[CR_INST_CODE_MAX + 1];
	uint8_t category;                    /* enum cr_category */
	char licence[CR_LICENCE_MAX + 1];    /* the issuer's licence reference */
	char name[CR_INST_NAME_MAX + 1];
};

/* A person holds a product of a platform since a date, until another
 * (CR_NO_DATE: still held). */
struct cr_holding {
	char platform[CR_INST_CODE_MAX + 1];
	char id[CR_ID_LEN + 1];
	char product[CR_PRODUCT_CODE_MAX + 1];
	int32_t since_days;
	int32_t until_days;                  /* CR_NO_DATE: still held */
};

struct cr_record {
	uint8_t type; /* enum cr_record_type */
	union {
		struct cr_institution inst;
		struct cr_account account;
		struct cr_statement stmt;
		struct cr_consent consent;
		struct cr_event event;
		struct cr_product_rec product;
		struct cr_holding holding;
	} u;
};

/*
 * Record checks.  cr_<type>_check(x) returns 0 when x holds the invariants
 * every stored record of its type holds, else CR_EINVAL (naming no field:
 * these are not the furnisher's diagnostics).  The invariants are the
 * record's shape, cheap to test and allocation-free: enumerations in
 * range, dates within the parsers' years (cr_date.h), amounts in
 * 0..CR_AMOUNT_MAX, strings NUL-terminated within their arrays and limits,
 * ids non-zero.  They are not the furnishing rules of validate.h, which are
 * stricter: a record the parser and validator accept passes its check.
 *
 * The store runs the check of a record type before every write, as an
 * assertion that stays on in release builds (its callers validate first,
 * so a failure is a bug, and a crash beats a corrupt credit file), and
 * after every read, where a failure is CR_ECORRUPT.  The checks of the
 * store's own record types are in store.h.
 *
 * cr_institution_check: code 1..CR_INST_CODE_MAX bytes, name
 * 1..CR_INST_NAME_MAX, kind a known institution kind.
 */
int cr_institution_check(const struct cr_institution *in);
/*
 * cr_account_check: institution code 1..CR_INST_CODE_MAX bytes; account
 * number, ID, name, phone and address within their limits, any of them ""
 * (the store keeps the identity apart, and some walks leave out the
 * number); id_type resident; a known product and status; opening and
 * birth dates in range; currency three upper-case letters; credit limit
 * and principal in 0..CR_AMOUNT_MAX; term up to CR_TERM_MONTHS_MAX;
 * co-lenders up to CR_COLENDERS_MAX, each with a code and a share in
 * 1..10000, the shares summing to 10000.
 */
int cr_account_check(const struct cr_account *a);
/*
 * cr_product_check: platform, code and issuer 1..their limits of bytes; a
 * known category; licence and name 1..their limits.
 */
int cr_product_check(const struct cr_product_rec *p);
/*
 * cr_holding_check: platform and product code 1..their limits; id within
 * CR_ID_LEN (may be "": the store keys a holding by the person instead);
 * since in range; until CR_NO_DATE or in range and not before since.
 */
int cr_holding_check(const struct cr_holding *h);
/* Is s NUL-terminated within its array of cap bytes, and at least min
 * bytes long?  1 when it is. */
int cr_str_fits(const char *s, size_t cap, size_t min);

/*
 * Is s[0..n) an institution code: 1..CR_INST_CODE_MAX characters of
 * A-Z a-z 0-9 _ - (cr_limits.h)?  1 when it is.  The one definition of a
 * code, asked wherever one enters the bureau or leaves it in an audit
 * entry; product codes have the same form.  CR_REASON_INST_CODE says it
 * to whoever sent something else.
 */
int cr_inst_code_valid(const char *s, size_t n);
extern const char CR_REASON_INST_CODE[];

/*
 * Where and why a record was refused.  Filled by parsers and validators
 * without allocating; field names the JSON key ("" for the line itself) and
 * reason is a static string a furnisher can act on.
 */
struct cr_diag {
	size_t line;       /* 1-based line (or record) number, set by the caller */
	char field[32];
	const char *reason;
};

/* The reason for a record that carries information a bureau may not collect
 * (DESIGN.md rule 6, prohibited.h): "prohibited information".  Ingest counts
 * rejections with this reason apart; compare with strcmp(). */
extern const char CR_REASON_PROHIBITED[];

/* Sets field and reason; returns CR_EINVAL so callers can "return cr_diag_set()". */
int cr_diag_set(struct cr_diag *d, const char *field, const char *reason);

/* Names and parsers for the closed enumerations.  *_parse return 0 and set
 * *out, or CR_EINVAL.  *_name return a static string ("?" if out of range). */
int cr_kind_parse(const char *s, size_t n, uint8_t *out);
const char *cr_kind_name(uint8_t kind);
int cr_product_parse(const char *s, size_t n, uint8_t *out);
const char *cr_product_name(uint8_t product);
int cr_acct_status_parse(const char *s, size_t n, uint8_t *out);
const char *cr_acct_status_name(uint8_t status);
int cr_category_parse(const char *s, size_t n, uint8_t *out);
const char *cr_category_name(uint8_t category);
int cr_scope_parse(const char *s, size_t n, uint8_t *out);
const char *cr_scope_name(uint8_t scope);
/* "institution", ... "event" as in the "type" member; "?" for another. */
const char *cr_record_type_name(uint8_t type);
int cr_purpose_parse(const char *s, size_t n, uint8_t *out);
const char *cr_purpose_name(uint8_t purpose);
/* Is an inquiry for this purpose an application for credit (loan_approval,
 * card_approval, guarantee), as against post-loan monitoring by an
 * existing lender or the person's own look?  The inquiry alert and the
 * score's inquiry counts take these only. */
int cr_purpose_seeks_credit(uint8_t purpose);
int cr_event_kind_parse(const char *s, size_t n, uint8_t *out);
const char *cr_event_kind_name(uint8_t kind);
/* Drawdown, repayment, fee, interest and overdue move money: their amount
 * must be greater than 0. */
int cr_event_kind_moves_money(uint8_t kind);

/* Repayment status codes (PBoC convention, DESIGN.md). */
int cr_status_valid(char c);
/* 0 for N and the non-adverse codes, 1..7 for months overdue. */
int cr_status_overdue_months(char c);
/* Severity used for "worst status": higher is worse.  N, C and * are 0, 1..7, then
 * D (guarantor paid) 8, Z (asset disposal) 9, G (ended otherwise) 10. */
int cr_status_severity(char c);

#endif
