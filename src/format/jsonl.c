/*
 * jsonl.c - the JSON Lines furnishing parser (see jsonl.h).
 *
 * A line is parsed in two steps over a fixed array of members, with no
 * allocation and no tree:
 *
 *   1. collect() walks the object once and checks its JSON syntax completely:
 *      strings and their escapes, numbers, literals, and nested arrays and
 *      objects through a depth-limited skip.  For each member it records the
 *      key's field id and the value's kind and bytes; numbers are converted
 *      to a magnitude on the way, so no byte of the line is scanned twice.
 *   2. The "type" member picks one fill_*() function, which walks the members
 *      in line order and converts each value into the record.
 *
 * Collecting first is what lets "type" appear anywhere in the object without
 * scanning the line twice, and it makes the error that is reported
 * predictable: a line that is too long, then one that is not UTF-8, then a
 * JSON syntax error anywhere in the line, then the first bad field in line
 * order, then the first missing required field in FORMAT.md order.  One
 * exception: information a bureau may not collect (prohibited.h), a key or a
 * free-text marker, is reported in place of any field error, the first in
 * line order, so that such a record is always refused and counted as such.
 *
 * UTF-8 is checked for the whole line before anything else, eight bytes at a
 * time while they are ASCII, so the scanners after it can treat every byte
 * at or above 0x80 as an ordinary string byte.  String values without escapes
 * (nearly all of them) go into the record with one memcpy from the line;
 * escaped ones are decoded into a scratch buffer first.
 *
 * The record's struct for its type is zeroed before it is filled, so unused
 * bytes of its strings are zero and no bytes of an earlier record (another
 * person's name, say) can travel on with this one.
 */
#include "jsonl.h"

#include <stdio.h>
#include <string.h>

#include "cr_date.h"
#include "cr_err.h"
#include "cr_id.h"
#include "prohibited.h"

#define CR_STR_(x) #x
#define CR_STR(x) CR_STR_(x)

_Static_assert(CR_JSON_NEST_MAX <= 64, "skip_nested keeps open containers in a uint64_t");

/* Every key that some record type knows.  F_UNKNOWN is never allowed. */
enum field {
	F_UNKNOWN = 0,
	F_TYPE, F_CODE, F_NAME, F_KIND, F_INSTITUTION, F_ACCOUNT, F_ID_TYPE,
	F_ID, F_PHONE, F_ADDRESS, F_PRODUCT, F_STATUS, F_OPENED, F_CURRENCY,
	F_CREDIT_LIMIT, F_PRINCIPAL, F_TERM_MONTHS, F_CO_LENDERS, F_MONTH,
	F_BALANCE, F_DUE, F_PAID, F_OVERDUE, F_DPD, F_SCOPE, F_PURPOSE,
	F_GRANTED, F_EXPIRES, F_REVOKED, F_EVIDENCE, F_SHARE_BP, F_EVENT_ID,
	F_AT, F_AMOUNT, F_ISSUER, F_CATEGORY, F_LICENCE, F_SINCE, F_UNTIL,
	F_COUNT
};
_Static_assert(F_COUNT <= 64, "field sets are uint64_t bit masks");

static const char *const field_names[F_COUNT] = {
	"", "type", "code", "name", "kind", "institution", "account",
	"id_type", "id", "phone", "address", "product", "status", "opened",
	"currency", "credit_limit", "principal", "term_months", "co_lenders",
	"month", "balance", "due", "paid", "overdue", "dpd", "scope",
	"purpose", "granted", "expires", "revoked", "evidence", "share_bp",
	"event_id", "at", "amount", "issuer", "category", "licence", "since",
	"until",
};

#define BIT(f) (1ULL << (f))

/* The keys each record type accepts, and the ones it requires (in the order
 * a missing one is reported). */
static const uint64_t inst_fields =
	BIT(F_TYPE) | BIT(F_CODE) | BIT(F_NAME) | BIT(F_KIND);
static const uint8_t inst_required[] = {F_CODE, F_NAME, F_KIND, 0};

static const uint64_t account_fields =
	BIT(F_TYPE) | BIT(F_INSTITUTION) | BIT(F_ACCOUNT) | BIT(F_ID_TYPE) |
	BIT(F_ID) | BIT(F_NAME) | BIT(F_PHONE) | BIT(F_ADDRESS) |
	BIT(F_PRODUCT) | BIT(F_STATUS) | BIT(F_OPENED) | BIT(F_CURRENCY) |
	BIT(F_CREDIT_LIMIT) | BIT(F_PRINCIPAL) | BIT(F_TERM_MONTHS) |
	BIT(F_CO_LENDERS);
static const uint8_t account_required[] = {F_INSTITUTION, F_ACCOUNT, F_ID,
					   F_NAME, F_PRODUCT, F_OPENED, 0};

static const uint64_t stmt_fields =
	BIT(F_TYPE) | BIT(F_INSTITUTION) | BIT(F_ACCOUNT) | BIT(F_MONTH) |
	BIT(F_BALANCE) | BIT(F_DUE) | BIT(F_PAID) | BIT(F_OVERDUE) |
	BIT(F_DPD) | BIT(F_STATUS);
static const uint8_t stmt_required[] = {F_INSTITUTION, F_ACCOUNT, F_MONTH,
					F_BALANCE, F_DUE, F_PAID, F_OVERDUE,
					F_DPD, F_STATUS, 0};

static const uint64_t consent_fields =
	BIT(F_TYPE) | BIT(F_ID) | BIT(F_INSTITUTION) | BIT(F_SCOPE) |
	BIT(F_PURPOSE) | BIT(F_GRANTED) | BIT(F_EXPIRES) | BIT(F_REVOKED) |
	BIT(F_EVIDENCE);
static const uint8_t consent_required[] = {F_ID, F_INSTITUTION, F_SCOPE,
					   F_GRANTED, 0};

static const uint64_t event_fields =
	BIT(F_TYPE) | BIT(F_INSTITUTION) | BIT(F_ACCOUNT) | BIT(F_EVENT_ID) |
	BIT(F_AT) | BIT(F_KIND) | BIT(F_AMOUNT) | BIT(F_DPD);
static const uint8_t event_required[] = {F_INSTITUTION, F_ACCOUNT, F_EVENT_ID,
					 F_AT, F_KIND, F_AMOUNT, 0};

static const uint64_t product_fields =
	BIT(F_TYPE) | BIT(F_INSTITUTION) | BIT(F_CODE) | BIT(F_ISSUER) |
	BIT(F_CATEGORY) | BIT(F_LICENCE) | BIT(F_NAME);
static const uint8_t product_required[] = {F_INSTITUTION, F_CODE, F_ISSUER,
					   F_CATEGORY, F_LICENCE, F_NAME, 0};

static const uint64_t holding_fields =
	BIT(F_TYPE) | BIT(F_INSTITUTION) | BIT(F_ID) | BIT(F_PRODUCT) |
	BIT(F_SINCE) | BIT(F_UNTIL);
static const uint8_t holding_required[] = {F_INSTITUTION, F_ID, F_PRODUCT,
					   F_SINCE, 0};

/* Reasons used by more than one field. */
static const char R_MISSING[] = "required field missing";
static const char R_UNKNOWN[] = "unknown field";
static const char R_DUPLICATE[] = "duplicate field";
static const char R_STRING[] = "must be a JSON string";
static const char R_INTEGER[] = "must be a JSON integer";
static const char R_WHOLE[] = "must be an integer";
static const char R_TOO_LONG[] = "too long";
static const char R_EMPTY[] = "must not be empty";
static const char R_NUL[] = "must not contain \\u0000";
static const char R_DATE[] = "not a real date in YYYY-MM-DD form";
static const char *const R_CODE = CR_REASON_INST_CODE;

enum value_kind { V_STR = 1, V_NUM, V_TRUE, V_FALSE, V_NULL, V_ARR, V_OBJ };

/* Number flags. */
#define NUM_NEG 1  /* a leading minus sign */
#define NUM_FRAC 2 /* a fraction or an exponent: not a JSON integer */
#define NUM_BIG 4  /* magnitude at or above 10^18; mag is meaningless */

/* One "key": value pair of an object, as collect() saw it. */
struct member {
	const char *key; /* the key's bytes between the quotes, undecoded */
	const char *val; /* a string's bytes between the quotes, or a container */
	uint64_t mag;    /* a number's magnitude */
	uint32_t key_len;
	uint32_t val_len;
	uint8_t fid;  /* enum field */
	uint8_t kind; /* enum value_kind */
	uint8_t esc;  /* the string value contains backslash escapes */
	uint8_t num;  /* NUM_* flags */
};

/* A read position in a line (or in a container inside it). */
struct cur {
	const char *s;
	size_t len;
	size_t pos;
	struct cr_diag *diag;
};

/* The state of one cr_jsonl_parse() call. */
struct jp {
	struct cur c;
	int32_t asof_days;
	uint8_t type;     /* cr_jsonl_parse_as: the type taken without "type" */
	char scratch[CR_ADDRESS_MAX + 1]; /* escaped strings, decoded */
};
_Static_assert(CR_ADDRESS_MAX >= CR_NAME_MAX && CR_ADDRESS_MAX >= CR_INST_NAME_MAX &&
		       CR_ADDRESS_MAX >= CR_EVIDENCE_MAX && CR_ADDRESS_MAX >= CR_ACCOUNT_MAX &&
		       CR_ADDRESS_MAX >= CR_EVENT_ID_MAX,
	       "the scratch buffer holds the longest string field");

static int fail(struct jp *p, const char *field, const char *reason)
{
	return cr_diag_set(p->c.diag, field, reason);
}

static int bad_json(struct cur *c, const char *reason)
{
	return cr_diag_set(c->diag, "", reason);
}

/* ---- Scanning: JSON syntax, step 1. ---- */

static int peek(const struct cur *c)
{
	return c->pos < c->len ? (unsigned char)c->s[c->pos] : -1;
}

static void skip_ws_slow(struct cur *c)
{
	while (c->pos < c->len) {
		const char ch = c->s[c->pos];
		if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
			break;
		c->pos++;
	}
}

/* Most records have no whitespace between tokens: one test decides that. */
static inline void skip_ws(struct cur *c)
{
	if (c->pos < c->len && (unsigned char)c->s[c->pos] > ' ')
		return;
	skip_ws_slow(c);
}

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
 * U+10FFFF.  ASCII runs are skipped eight bytes at a time. */
static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (n - i >= 8) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ULL) == 0) {
				i += 8;
				continue;
			}
		}
		const unsigned ch = s[i];
		if (ch < 0x80) {
			i++;
			continue;
		}
		size_t more;
		unsigned lo = 0x80, hi = 0xBF; /* range of the second byte */
		if (ch >= 0xC2 && ch <= 0xDF) {
			more = 1;
		} else if (ch >= 0xE0 && ch <= 0xEF) {
			more = 2;
			lo = ch == 0xE0 ? 0xA0 : 0x80;
			hi = ch == 0xED ? 0x9F : 0xBF;
		} else if (ch >= 0xF0 && ch <= 0xF4) {
			more = 3;
			lo = ch == 0xF0 ? 0x90 : 0x80;
			hi = ch == 0xF4 ? 0x8F : 0xBF;
		} else {
			return 0;
		}
		if (n - i - 1 < more || s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (size_t k = 2; k <= more; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
		i += more + 1;
	}
	return 1;
}

/* Reads four hex digits; returns -1 if any is not one. */
static int32_t hex4(const char *s)
{
	int32_t v = 0;
	for (int i = 0; i < 4; i++) {
		const char h = s[i];
		int d;
		if (h >= '0' && h <= '9')
			d = h - '0';
		else if (h >= 'a' && h <= 'f')
			d = h - 'a' + 10;
		else if (h >= 'A' && h <= 'F')
			d = h - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* Checks the escape whose backslash is just before c->pos and steps over it.
 * A \u escape of a high surrogate must be followed by one of a low surrogate. */
static int scan_escape(struct cur *c)
{
	const char *s = c->s;
	size_t i = c->pos;
	switch (s[i]) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r':
	case 't':
		c->pos = i + 1;
		return 0;
	case 'u':
		break;
	default:
		return bad_json(c, "invalid JSON: unknown escape in string");
	}
	int32_t cp;
	if (c->len - i < 5 || (cp = hex4(s + i + 1)) < 0)
		return bad_json(c, "invalid JSON: \\u needs four hex digits");
	i += 5;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return bad_json(c, "invalid JSON: unpaired surrogate in \\u escape");
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		int32_t lo;
		if (c->len - i < 6 || s[i] != '\\' || s[i + 1] != 'u' ||
		    (lo = hex4(s + i + 2)) < 0xDC00 || lo > 0xDFFF)
			return bad_json(c, "invalid JSON: unpaired surrogate in \\u escape");
		i += 6;
	}
	c->pos = i;
	return 0;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/*
 * Skips string bytes that need no attention (not '"', '\\' or a control
 * character) eight at a time, and returns where the run ends or fewer than
 * eight bytes remain.  A byte b below n is flagged by (w - n * ONES) & ~w &
 * HIGHS; a flag can be wrong only above a right one, so the lowest flag is
 * the first special byte (the words are read little-endian).
 */
static size_t plain_run(const char *s, size_t i, size_t len)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (len - i >= 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		const uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');
		const uint64_t t = ((w - ONES * 0x20) & ~w) |
				   ((q - ONES) & ~q) | ((b - ONES) & ~b);
		if (t & HIGHS)
			return i + (size_t)(__builtin_ctzll(t & HIGHS) / 8);
		i += 8;
	}
#else
	(void)s;
	(void)len;
#endif
	return i;
}

/* Scans the string whose opening quote is at c->pos; sets *body and *n to
 * the bytes between the quotes and *esc when there is an escape. */
static inline __attribute__((always_inline)) int
scan_string(struct cur *c, const char **body, uint32_t *n, uint8_t *esc)
{
	const char *s = c->s;
	const size_t start = c->pos + 1;
	size_t i = start;
	*esc = 0;
	for (;;) {
		i = plain_run(s, i, c->len);
		while (i < c->len) {
			const unsigned char ch = (unsigned char)s[i];
			if (ch < 0x20 || ch == '"' || ch == '\\')
				break;
			i++;
		}
		if (i >= c->len)
			return bad_json(c, "invalid JSON: unterminated string");
		if (s[i] == '"')
			break;
		if (s[i] != '\\')
			return bad_json(c, "invalid JSON: control character in string");
		*esc = 1;
		c->pos = i + 1;
		if (c->pos >= c->len)
			return bad_json(c, "invalid JSON: unterminated string");
		int rc = scan_escape(c);
		if (rc)
			return rc;
		i = c->pos;
	}
	*body = s + start;
	*n = (uint32_t)(i - start);
	c->pos = i + 1;
	return 0;
}

/* Scans a JSON number, keeping its magnitude while it is below 10^18. */
static int scan_number(struct cur *c, struct member *m)
{
	const char *s = c->s;
	size_t i = c->pos;
	uint64_t mag = 0;
	uint8_t flags = 0;
	if (s[i] == '-') {
		flags |= NUM_NEG;
		i++;
	}
	if (i >= c->len || s[i] < '0' || s[i] > '9')
		return bad_json(c, "invalid JSON: expected a digit");
	if (s[i] == '0' && i + 1 < c->len && s[i + 1] >= '0' && s[i + 1] <= '9')
		return bad_json(c, "invalid JSON: number with a leading zero");
	for (; i < c->len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (mag >= 100000000000000000ULL)
			flags |= NUM_BIG;
		else
			mag = mag * 10 + (uint64_t)(s[i] - '0');
	}
	if (i < c->len && s[i] == '.') {
		flags |= NUM_FRAC;
		if (++i >= c->len || s[i] < '0' || s[i] > '9')
			return bad_json(c, "invalid JSON: expected a digit");
		while (i < c->len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < c->len && (s[i] == 'e' || s[i] == 'E')) {
		flags |= NUM_FRAC;
		if (++i < c->len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= c->len || s[i] < '0' || s[i] > '9')
			return bad_json(c, "invalid JSON: expected a digit");
		while (i < c->len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	m->mag = mag;
	m->num = flags;
	c->pos = i;
	return 0;
}

static int scan_literal(struct cur *c, const char *word, size_t n)
{
	if (c->len - c->pos < n || memcmp(c->s + c->pos, word, n) != 0)
		return bad_json(c, "invalid JSON: expected a value");
	c->pos += n;
	return 0;
}

/* A string, number or literal at c->pos. */
static int scan_scalar(struct cur *c, struct member *m)
{
	switch (peek(c)) {
	case '"':
		m->kind = V_STR;
		return scan_string(c, &m->val, &m->val_len, &m->esc);
	case '-': case '0': case '1': case '2': case '3': case '4': case '5':
	case '6': case '7': case '8': case '9':
		m->kind = V_NUM;
		return scan_number(c, m);
	case 't':
		m->kind = V_TRUE;
		return scan_literal(c, "true", 4);
	case 'f':
		m->kind = V_FALSE;
		return scan_literal(c, "false", 5);
	case 'n':
		m->kind = V_NULL;
		return scan_literal(c, "null", 4);
	default:
		return bad_json(c, "invalid JSON: expected a value");
	}
}

/* A key at c->pos, then ':' and the whitespace after it. */
static int scan_key(struct cur *c, struct member *m)
{
	uint8_t esc;
	if (peek(c) != '"')
		return bad_json(c, "invalid JSON: expected '\"' to start a key");
	int rc = scan_string(c, &m->key, &m->key_len, &esc);
	if (rc)
		return rc;
	m->esc = esc;
	skip_ws(c);
	if (peek(c) != ':')
		return bad_json(c, "invalid JSON: expected ':'");
	c->pos++;
	skip_ws(c);
	return 0;
}

/* After a value inside skip_nested(): closes finished containers, or steps
 * over ',' (and the next key in an object).  *depth 0 means done. */
static int skip_after_value(struct cur *c, uint64_t objs, int *depth)
{
	struct member tmp;
	while (*depth > 0) {
		skip_ws(c);
		const int obj = (int)((objs >> (*depth - 1)) & 1);
		const int ch = peek(c);
		if (ch == (obj ? '}' : ']')) {
			c->pos++;
			(*depth)--;
			continue;
		}
		if (ch != ',')
			return bad_json(c, obj ? "invalid JSON: expected ',' or '}'"
					       : "invalid JSON: expected ',' or ']'");
		c->pos++;
		skip_ws(c);
		return obj ? scan_key(c, &tmp) : 0;
	}
	return 0;
}

/*
 * Checks the array or object at c->pos and steps over it, keeping nothing:
 * the only nested value a record has (co_lenders) is read again by
 * get_colenders(), and any other is refused by its field's getter.  The
 * open containers are a bit stack, one bit per level (1 = object).
 */
static int skip_nested(struct cur *c)
{
	uint64_t objs = 0;
	int depth = 0;
	struct member tmp;
	do {
		const int ch = peek(c);
		int rc;
		if (ch == '{' || ch == '[') {
			if (depth == CR_JSON_NEST_MAX)
				return bad_json(c, "invalid JSON: nested too deeply");
			const int obj = ch == '{';
			objs = (objs & ~BIT(depth)) | ((uint64_t)obj << depth);
			depth++;
			c->pos++;
			skip_ws(c);
			if (peek(c) != (obj ? '}' : ']')) {
				rc = obj ? scan_key(c, &tmp) : 0;
				if (rc)
					return rc;
				continue;
			}
			c->pos++;
			depth--;
		} else {
			rc = scan_scalar(c, &tmp);
			if (rc)
				return rc;
		}
		rc = skip_after_value(c, objs, &depth);
		if (rc)
			return rc;
	} while (depth > 0);
	return 0;
}

/* Maps a key to its field id.  The switch on length and first letter leaves
 * one name to compare, two at most, and each memcmp() has a constant length,
 * which compilers turn into a few word compares. */
static uint8_t field_id(const char *k, size_t n)
{
#define KEY(f, name) (memcmp(k, name, sizeof name - 1) == 0 ? (f) : F_UNKNOWN)
	switch (n) {
	case 2: return k[0] == 'i' ? KEY(F_ID, "id") : KEY(F_AT, "at");
	case 3: return k[1] == 'u' ? KEY(F_DUE, "due") : KEY(F_DPD, "dpd");
	case 4:
		switch (k[0]) {
		case 't': return KEY(F_TYPE, "type");
		case 'c': return KEY(F_CODE, "code");
		case 'n': return KEY(F_NAME, "name");
		case 'k': return KEY(F_KIND, "kind");
		case 'p': return KEY(F_PAID, "paid");
		default: return F_UNKNOWN;
		}
	case 5:
		switch (k[0]) {
		case 'p': return KEY(F_PHONE, "phone");
		case 'm': return KEY(F_MONTH, "month");
		case 's': return k[1] == 'c' ? KEY(F_SCOPE, "scope")
					     : KEY(F_SINCE, "since");
		case 'u': return KEY(F_UNTIL, "until");
		default: return F_UNKNOWN;
		}
	case 6:
		switch (k[0]) {
		case 's': return KEY(F_STATUS, "status");
		case 'o': return KEY(F_OPENED, "opened");
		case 'a': return KEY(F_AMOUNT, "amount");
		case 'i': return KEY(F_ISSUER, "issuer");
		default: return F_UNKNOWN;
		}
	case 7:
		switch (k[0]) {
		case 'a': return k[1] == 'c' ? KEY(F_ACCOUNT, "account")
					     : KEY(F_ADDRESS, "address");
		case 'p': return k[1] == 'r' ? KEY(F_PRODUCT, "product")
					     : KEY(F_PURPOSE, "purpose");
		case 'i': return KEY(F_ID_TYPE, "id_type");
		case 'b': return KEY(F_BALANCE, "balance");
		case 'o': return KEY(F_OVERDUE, "overdue");
		case 'g': return KEY(F_GRANTED, "granted");
		case 'e': return KEY(F_EXPIRES, "expires");
		case 'r': return KEY(F_REVOKED, "revoked");
		case 'l': return KEY(F_LICENCE, "licence");
		default: return F_UNKNOWN;
		}
	case 8:
		switch (k[0]) {
		case 'c': return k[1] == 'u' ? KEY(F_CURRENCY, "currency")
					     : KEY(F_CATEGORY, "category");
		case 'e': return k[2] == 'i' ? KEY(F_EVIDENCE, "evidence")
					     : KEY(F_EVENT_ID, "event_id");
		case 's': return KEY(F_SHARE_BP, "share_bp");
		default: return F_UNKNOWN;
		}
	case 9: return KEY(F_PRINCIPAL, "principal");
	case 10: return KEY(F_CO_LENDERS, "co_lenders");
	case 11: return k[0] == 'i' ? KEY(F_INSTITUTION, "institution")
				    : KEY(F_TERM_MONTHS, "term_months");
	case 12: return KEY(F_CREDIT_LIMIT, "credit_limit");
	default: return F_UNKNOWN;
	}
#undef KEY
}

#define DEC_LONG 1 /* did not fit; the bytes that fit were written */
#define DEC_NUL 2  /* a \u0000, which no C string can hold */

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Reads the escape at src[*i] (a backslash) and advances *i past it.  The
 * string was checked by scan_string(); the bounds are checked again so a
 * broken invariant cannot read outside the line. */
static uint32_t unescape(const char *src, size_t n, size_t *i)
{
	const size_t at = *i;
	if (n - at < 2) {
		*i = n;
		return 0xFFFD;
	}
	*i = at + 2;
	switch (src[at + 1]) {
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'u': break;
	default: return (unsigned char)src[at + 1];
	}
	int32_t cp = n - at >= 6 ? hex4(src + at + 2) : -1;
	if (cp < 0) {
		*i = n;
		return 0xFFFD;
	}
	*i = at + 6;
	if (cp >= 0xD800 && cp <= 0xDBFF && n - at >= 12) {
		const int32_t lo = hex4(src + at + 8);
		if (lo >= 0xDC00 && lo <= 0xDFFF) {
			*i = at + 12;
			return 0x10000 + (((uint32_t)cp - 0xD800) << 10) +
			       ((uint32_t)lo - 0xDC00);
		}
	}
	return (uint32_t)cp;
}

/* Decodes a checked string body into dst, at most cap bytes and no NUL.
 * Returns 0, DEC_LONG or DEC_NUL; *out_len is the bytes written. */
static int decode(const char *src, size_t n, char *dst, size_t cap,
		  size_t *out_len)
{
	size_t i = 0, o = 0;
	int rc = 0;
	while (i < n) {
		if (src[i] != '\\') {
			if (o == cap) {
				rc = DEC_LONG;
				break;
			}
			dst[o++] = src[i++];
			continue;
		}
		char u[4];
		const uint32_t cp = unescape(src, n, &i);
		if (cp == 0) {
			rc = DEC_NUL;
			break;
		}
		const size_t k = put_utf8(u, cp);
		if (cap - o < k) {
			rc = DEC_LONG;
			break;
		}
		memcpy(dst + o, u, k);
		o += k;
	}
	*out_len = o;
	return rc;
}

/* A key and its value at c->pos, into m.  Inlined by force: collect() is on
 * the hot path, and the cold second caller, colender_prohibited(), must not
 * turn it into a call there. */
static inline __attribute__((always_inline)) int
scan_member(struct cur *c, struct member *m)
{
	int rc = scan_key(c, m);
	if (rc)
		return rc;
	if (!m->esc) {
		m->fid = field_id(m->key, m->key_len);
	} else {
		char k[16];
		size_t n;
		m->fid = decode(m->key, m->key_len, k, sizeof k, &n) == 0
				 ? field_id(k, n) : F_UNKNOWN;
	}
	m->esc = 0;
	const int ch = peek(c);
	if (ch != '{' && ch != '[')
		return scan_scalar(c, m);
	const size_t start = c->pos;
	m->kind = ch == '{' ? V_OBJ : V_ARR;
	rc = skip_nested(c);
	m->val = c->s + start;
	m->val_len = (uint32_t)(c->pos - start);
	return rc;
}

/* Scans the object whose '{' is at c->pos into ms[0..max).  Returns
 * CR_ETOOBIG, without setting the diagnostic, for more than max members. */
static int collect(struct cur *c, struct member *ms, int max, int *n_out)
{
	int n = 0;
	c->pos++;
	skip_ws(c);
	if (peek(c) == '}') {
		c->pos++;
		*n_out = 0;
		return 0;
	}
	for (;;) {
		if (n == max)
			return CR_ETOOBIG;
		int rc = scan_member(c, &ms[n++]);
		if (rc)
			return rc;
		skip_ws(c);
		const int ch = peek(c);
		c->pos++;
		if (ch == '}')
			break;
		if (ch != ',') {
			c->pos--;
			return bad_json(c, "invalid JSON: expected ',' or '}'");
		}
		skip_ws(c);
	}
	*n_out = n;
	return 0;
}

/* ---- Converting values: step 2. ---- */

/* Writes a member's key, decoded and cut at a UTF-8 boundary to fit, as a
 * C string into out (cap bytes). */
static void key_text(const struct member *m, char *out, size_t cap)
{
	size_t n;
	if (decode(m->key, m->key_len, out, cap - 1, &n) == DEC_LONG) {
		/* Only a raw multi-byte character can have been cut short. */
		size_t j = n;
		while (j > 0 && ((unsigned char)out[j - 1] & 0xC0) == 0x80)
			j--;
		if (j > 0) {
			const unsigned char lead = (unsigned char)out[j - 1];
			const size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3
					    : lead >= 0xC0 ? 2 : 1;
			if (n - (j - 1) < need)
				n = j - 1;
		}
	}
	out[n] = '\0';
}

/* Points *v at a string value's bytes: the line itself when the string has
 * no escapes, else p->scratch, valid until the next call. */
static int str_view(struct jp *p, const struct member *m, const char *field,
		    size_t max, const char **v, size_t *n)
{
	if (m->kind != V_STR)
		return fail(p, field, R_STRING);
	if (!m->esc) {
		if (m->val_len > max)
			return fail(p, field, R_TOO_LONG);
		*v = m->val;
		*n = m->val_len;
		return 0;
	}
	if (max > sizeof p->scratch)
		max = sizeof p->scratch;
	const int rc = decode(m->val, m->val_len, p->scratch, max, n);
	if (rc == DEC_LONG)
		return fail(p, field, R_TOO_LONG);
	if (rc == DEC_NUL)
		return fail(p, field, R_NUL);
	*v = p->scratch;
	return 0;
}

/* A free-text string of at most max bytes into dst (which holds max + 1). */
static int get_text(struct jp *p, const struct member *m, const char *field,
		    char *dst, size_t max, int nonempty)
{
	const char *v;
	size_t n;
	int rc = str_view(p, m, field, max, &v, &n);
	if (rc)
		return rc;
	if (nonempty && n == 0)
		return fail(p, field, R_EMPTY);
	if (cr_prohibited_text(v, n))
		return fail(p, field, CR_REASON_PROHIBITED);
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

/* An institution code (cr_inst_code_valid). */
static int get_code(struct jp *p, const struct member *m, const char *field,
		    char dst[CR_INST_CODE_MAX + 1])
{
	const char *v;
	size_t n;
	int rc = str_view(p, m, field, CR_INST_CODE_MAX, &v, &n);
	if (rc)
		return rc;
	if (!cr_inst_code_valid(v, n))
		return fail(p, field, R_CODE);
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

/* A furnisher's identifier (an account number, an event id): 1..max bytes
 * of printable ASCII without spaces; dst holds max + 1. */
static int get_ascii_id(struct jp *p, const struct member *m,
			const char *field, char *dst, size_t max)
{
	const char *v;
	size_t n;
	int rc = str_view(p, m, field, max, &v, &n);
	if (rc)
		return rc;
	if (n == 0)
		return fail(p, field, R_EMPTY);
	for (size_t i = 0; i < n; i++)
		if (v[i] <= ' ' || v[i] > '~')
			return fail(p, field, "must be printable ASCII without spaces");
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

static int get_account_no(struct jp *p, const struct member *m,
			  const char *field, char dst[CR_ACCOUNT_MAX + 1])
{
	return get_ascii_id(p, m, field, dst, CR_ACCOUNT_MAX);
}

static int get_phone(struct jp *p, const struct member *m, const char *field,
		     char dst[CR_PHONE_MAX + 1])
{
	const char *v;
	size_t n;
	int rc = str_view(p, m, field, CR_PHONE_MAX, &v, &n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (!((v[i] >= '0' && v[i] <= '9') || v[i] == '+' || v[i] == '-' ||
		      v[i] == ' '))
			return fail(p, field, "may hold only digits, '+', '-' and spaces");
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

static int get_currency(struct jp *p, const struct member *m,
			const char *field, char dst[4])
{
	static const char reason[] = "must be three upper-case letters (ISO 4217)";
	const char *v;
	size_t n;
	int rc = str_view(p, m, field, sizeof p->scratch, &v, &n);
	if (rc)
		return rc;
	if (n != 3)
		return fail(p, field, reason);
	for (size_t i = 0; i < 3; i++)
		if (v[i] < 'A' || v[i] > 'Z')
			return fail(p, field, reason);
	memcpy(dst, v, 3);
	dst[3] = '\0';
	return 0;
}

typedef int (*enum_parse_fn)(const char *s, size_t n, uint8_t *out);

static int get_enum(struct jp *p, const struct member *m, const char *field,
		    enum_parse_fn parse, const char *reason, uint8_t *dst)
{
	const char *v;
	size_t n;
	int rc = str_view(p, m, field, sizeof p->scratch, &v, &n);
	if (rc)
		return rc;
	return parse(v, n, dst) == 0 ? 0 : fail(p, field, reason);
}

static int get_date(struct jp *p, const struct member *m, const char *field,
		    int32_t *dst)
{
	const char *v;
	size_t n;
	int rc = str_view(p, m, field, sizeof p->scratch, &v, &n);
	if (rc)
		return rc;
	return cr_date_parse(v, n, dst) == 0 ? 0 : fail(p, field, R_DATE);
}

static int get_month(struct jp *p, const struct member *m, const char *field,
		     int32_t *dst)
{
	const char *v;
	size_t n;
	int rc = str_view(p, m, field, sizeof p->scratch, &v, &n);
	if (rc)
		return rc;
	if (cr_month_parse(v, n, dst) != 0)
		return fail(p, field, "not a month in YYYY-MM form");
	return 0;
}

/* An instant: an RFC 3339 date-time with its UTC offset (cr_date.h). */
static int get_time(struct jp *p, const struct member *m, const char *field,
		    int64_t *dst)
{
	const char *v;
	size_t n;
	int rc = str_view(p, m, field, sizeof p->scratch, &v, &n);
	if (rc)
		return rc;
	if (cr_time_parse(v, n, dst) != 0)
		return fail(p, field, "not an RFC 3339 time with a UTC offset in "
			    "whole seconds (YYYY-MM-DDThh:mm:ss+08:00)");
	return 0;
}

/* A money amount: a non-negative JSON integer up to CR_AMOUNT_MAX. */
static int get_money(struct jp *p, const struct member *m, const char *field,
		     int64_t *dst)
{
	if (m->kind != V_NUM)
		return fail(p, field, R_INTEGER);
	if (m->num & NUM_FRAC)
		return fail(p, field, "amounts are integers in minor units");
	if ((m->num & NUM_NEG) && m->mag != 0)
		return fail(p, field, "amounts must not be negative");
	if ((m->num & NUM_BIG) || m->mag > (uint64_t)CR_AMOUNT_MAX)
		return fail(p, field, "amount too large");
	*dst = (int64_t)m->mag;
	return 0;
}

/* A JSON integer in lo..hi; range names the range for the furnisher. */
static int get_int(struct jp *p, const struct member *m, const char *field,
		   int32_t lo, int32_t hi, const char *range, int32_t *dst)
{
	if (m->kind != V_NUM)
		return fail(p, field, R_INTEGER);
	if (m->num & NUM_FRAC)
		return fail(p, field, R_WHOLE);
	if ((m->num & NUM_BIG) || m->mag > (uint64_t)INT32_MAX)
		return fail(p, field, range);
	const int64_t v = (m->num & NUM_NEG) ? -(int64_t)m->mag : (int64_t)m->mag;
	if (v < lo || v > hi)
		return fail(p, field, range);
	*dst = (int32_t)v;
	return 0;
}

/* A statement's repayment status: a one-character string. */
static int get_status_code(struct jp *p, const struct member *m,
			   const char *field, char *dst)
{
	const char *v;
	size_t n;
	int rc = str_view(p, m, field, sizeof p->scratch, &v, &n);
	if (rc)
		return rc;
	if (n != 1 || !cr_status_valid(v[0]))
		return fail(p, field, "not one of: N 1 2 3 4 5 6 7 C G D Z * #");
	*dst = v[0];
	return 0;
}

static int get_id(struct jp *p, const struct member *m, const char *field,
		  char dst[CR_ID_LEN + 1], int32_t *birth_days)
{
	const char *v, *reason;
	size_t n;
	int rc = str_view(p, m, field, sizeof p->scratch, &v, &n);
	if (rc)
		return rc;
	if (cr_id_validate(v, n, p->asof_days, dst, birth_days, &reason) != 0)
		return fail(p, field, reason);
	return 0;
}

static int get_id_type(struct jp *p, const struct member *m, const char *field,
		       uint8_t *dst)
{
	const char *v;
	size_t n;
	int rc = str_view(p, m, field, sizeof p->scratch, &v, &n);
	if (rc)
		return rc;
	if (n != 8 || memcmp(v, "resident", 8) != 0)
		return fail(p, field, "unsupported id_type");
	*dst = CR_IDTYPE_RESIDENT;
	return 0;
}

/*
 * The checks every member goes through before its getter: a key the record
 * type knows, not seen before.  Returns 1 when the member needs no getter
 * (null, which counts as absent, and "type"), 0 when it does, or an error.
 */
static int admit(struct jp *p, const struct member *m, uint64_t allowed,
		 uint64_t *seen, uint64_t *present)
{
	const uint64_t bit = BIT(m->fid);
	if (!(allowed & bit)) {
		char key[sizeof p->c.diag->field];
		key_text(m, key, sizeof key);
		return fail(p, key, R_UNKNOWN);
	}
	if (*seen & bit)
		return fail(p, field_names[m->fid], R_DUPLICATE);
	*seen |= bit;
	if (m->kind == V_NULL || m->fid == F_TYPE)
		return 1;
	*present |= bit;
	return 0;
}

/* Reports the first required field that is not present. */
static int require(struct jp *p, uint64_t present, const uint8_t *required)
{
	for (; *required; required++)
		if (!(present & BIT(*required)))
			return fail(p, field_names[*required], R_MISSING);
	return 0;
}

/* ---- Filling the record for each type. ---- */

static int fill_institution(struct jp *p, const struct member *ms, int n,
			    struct cr_institution *r)
{
	uint64_t seen = 0, present = 0;
	memset(r, 0, sizeof *r);
	for (int i = 0; i < n; i++) {
		const struct member *m = &ms[i];
		const char *f = field_names[m->fid];
		int rc = admit(p, m, inst_fields, &seen, &present);
		if (rc > 0)
			continue;
		if (rc < 0)
			return rc;
		switch (m->fid) {
		case F_CODE:
			rc = get_code(p, m, f, r->code);
			break;
		case F_NAME:
			rc = get_text(p, m, f, r->name, CR_INST_NAME_MAX, 1);
			break;
		case F_KIND:
			rc = get_enum(p, m, f, cr_kind_parse,
				      "not one of: bank, consumer_finance, "
				      "platform, microlender", &r->kind);
			break;
		default:
			break;
		}
		if (rc)
			return rc;
	}
	return require(p, present, inst_required);
}

/* One co-lender object, the idx-th of the array.  Its fields are named
 * "co_lenders[idx].key" in the diagnostic. */
static int fill_colender(struct jp *p, const struct member *ms, int n, int idx,
			 struct cr_colender *cl)
{
	uint64_t seen = 0, present = 0;
	char path[sizeof p->c.diag->field];
	const size_t at = (size_t)snprintf(path, sizeof path, "co_lenders[%d].", idx);
	for (int i = 0; i < n; i++) {
		const struct member *m = &ms[i];
		int rc = 0;
		if (m->fid != F_INSTITUTION && m->fid != F_SHARE_BP) {
			key_text(m, path + at, sizeof path - at);
			return fail(p, path, R_UNKNOWN);
		}
		snprintf(path + at, sizeof path - at, "%s", field_names[m->fid]);
		if (seen & BIT(m->fid))
			return fail(p, path, R_DUPLICATE);
		seen |= BIT(m->fid);
		if (m->kind == V_NULL)
			continue;
		present |= BIT(m->fid);
		if (m->fid == F_INSTITUTION) {
			rc = get_code(p, m, path, cl->inst);
		} else {
			int32_t bp = 0;
			rc = get_int(p, m, path, 1, 10000,
				     "must be an integer 1..10000", &bp);
			cl->share_bp = (uint16_t)bp;
		}
		if (rc)
			return rc;
	}
	const int missing = !(present & BIT(F_INSTITUTION)) ? F_INSTITUTION
			    : !(present & BIT(F_SHARE_BP)) ? F_SHARE_BP : 0;
	if (!missing)
		return 0;
	snprintf(path + at, sizeof path - at, "%s", field_names[missing]);
	return fail(p, path, R_MISSING);
}

/* The co_lenders array, checked by collect() already, read a second time. */
static int get_colenders(struct jp *p, const struct member *m,
			 struct cr_account *a)
{
	static const char shape[] =
		"must be an array of {\"institution\", \"share_bp\"} objects";
	if (m->kind != V_ARR)
		return fail(p, field_names[F_CO_LENDERS], shape);
	struct cur sub = {.s = m->val, .len = m->val_len, .pos = 1,
			  .diag = p->c.diag};
	skip_ws(&sub);
	if (peek(&sub) == ']')
		return 0;
	for (int i = 0;; i++) {
		struct member in[CR_COLENDER_MEMBERS_MAX];
		int k, rc;
		if (peek(&sub) != '{')
			return fail(p, field_names[F_CO_LENDERS], shape);
		if (i == CR_COLENDERS_MAX)
			return fail(p, field_names[F_CO_LENDERS],
				    "more than " CR_STR(CR_COLENDERS_MAX) " co-lenders");
		rc = collect(&sub, in, CR_COLENDER_MEMBERS_MAX, &k);
		if (rc == CR_ETOOBIG)
			return fail(p, field_names[F_CO_LENDERS],
				    "a co-lender has only institution and share_bp");
		if (rc == 0)
			rc = fill_colender(p, in, k, i, &a->colenders[i]);
		if (rc)
			return rc;
		a->n_colenders = (uint8_t)(i + 1);
		skip_ws(&sub);
		if (peek(&sub) != ',')
			return 0;
		sub.pos++;
		skip_ws(&sub);
	}
}

/* One account member into a.  The ID waits in *id until id_type is known,
 * so that an unsupported id_type is reported rather than a bad ID. */
static int account_field(struct jp *p, const struct member *m,
			 struct cr_account *a, const struct member **id)
{
	const char *f = field_names[m->fid];
	switch (m->fid) {
	case F_INSTITUTION:
		return get_code(p, m, f, a->inst);
	case F_ACCOUNT:
		return get_account_no(p, m, f, a->account);
	case F_ID_TYPE:
		return get_id_type(p, m, f, &a->id_type);
	case F_ID:
		*id = m;
		return 0;
	case F_NAME:
		return get_text(p, m, f, a->name, CR_NAME_MAX, 1);
	case F_PHONE:
		return get_phone(p, m, f, a->phone);
	case F_ADDRESS:
		return get_text(p, m, f, a->address, CR_ADDRESS_MAX, 0);
	case F_PRODUCT:
		return get_enum(p, m, f, cr_product_parse,
				"not one of: revolving, installment, "
				"credit_card, mortgage", &a->product);
	case F_STATUS:
		return get_enum(p, m, f, cr_acct_status_parse,
				"not one of: open, closed, charged_off, "
				"transferred", &a->status);
	case F_OPENED:
		return get_date(p, m, f, &a->opened_days);
	case F_CURRENCY:
		return get_currency(p, m, f, a->currency);
	case F_CREDIT_LIMIT:
		return get_money(p, m, f, &a->credit_limit);
	case F_PRINCIPAL:
		return get_money(p, m, f, &a->principal);
	case F_TERM_MONTHS: {
		int32_t t = 0;
		int rc = get_int(p, m, f, 1, CR_TERM_MONTHS_MAX,
				 "must be an integer 1.." CR_STR(CR_TERM_MONTHS_MAX), &t);
		a->term_months = (uint16_t)t;
		return rc;
	}
	case F_CO_LENDERS:
		return get_colenders(p, m, a);
	default:
		return 0;
	}
}

static int fill_account(struct jp *p, const struct member *ms, int n,
			struct cr_account *a)
{
	uint64_t seen = 0, present = 0;
	const struct member *id = NULL;
	memset(a, 0, sizeof *a);
	a->id_type = CR_IDTYPE_RESIDENT;
	a->status = CR_ACCT_OPEN;
	memcpy(a->currency, "CNY", 4);
	for (int i = 0; i < n; i++) {
		int rc = admit(p, &ms[i], account_fields, &seen, &present);
		if (rc > 0)
			continue;
		if (rc == 0)
			rc = account_field(p, &ms[i], a, &id);
		if (rc)
			return rc;
	}
	if (id) {
		int rc = get_id(p, id, field_names[F_ID], a->id, &a->birth_days);
		if (rc)
			return rc;
	}
	return require(p, present, account_required);
}

static int fill_statement(struct jp *p, const struct member *ms, int n,
			  struct cr_statement *st)
{
	uint64_t seen = 0, present = 0;
	memset(st, 0, sizeof *st);
	for (int i = 0; i < n; i++) {
		const struct member *m = &ms[i];
		const char *f = field_names[m->fid];
		int rc = admit(p, m, stmt_fields, &seen, &present);
		if (rc > 0)
			continue;
		if (rc < 0)
			return rc;
		switch (m->fid) {
		case F_INSTITUTION: rc = get_code(p, m, f, st->inst); break;
		case F_ACCOUNT: rc = get_account_no(p, m, f, st->account); break;
		case F_MONTH: rc = get_month(p, m, f, &st->month); break;
		case F_BALANCE: rc = get_money(p, m, f, &st->balance); break;
		case F_DUE: rc = get_money(p, m, f, &st->due); break;
		case F_PAID: rc = get_money(p, m, f, &st->paid); break;
		case F_OVERDUE: rc = get_money(p, m, f, &st->overdue); break;
		case F_DPD:
			rc = get_int(p, m, f, 0, CR_DPD_MAX,
				     "must be an integer 0.." CR_STR(CR_DPD_MAX),
				     &st->dpd);
			break;
		case F_STATUS: rc = get_status_code(p, m, f, &st->status); break;
		default: break;
		}
		if (rc)
			return rc;
	}
	return require(p, present, stmt_required);
}

static int consent_field(struct jp *p, const struct member *m,
			 struct cr_consent *r)
{
	const char *f = field_names[m->fid];
	int32_t birth_days;
	switch (m->fid) {
	case F_ID:
		return get_id(p, m, f, r->id, &birth_days);
	case F_INSTITUTION:
		return get_code(p, m, f, r->inst);
	case F_SCOPE:
		return get_enum(p, m, f, cr_scope_parse,
				"not one of: furnish, query", &r->scope);
	case F_PURPOSE:
		return get_enum(p, m, f, cr_purpose_parse,
				"not one of: loan_approval, card_approval, "
				"post_loan, guarantee, self", &r->purpose);
	case F_GRANTED:
		return get_date(p, m, f, &r->granted_days);
	case F_EXPIRES:
		return get_date(p, m, f, &r->expires_days);
	case F_REVOKED:
		return get_date(p, m, f, &r->revoked_days);
	case F_EVIDENCE:
		return get_text(p, m, f, r->evidence, CR_EVIDENCE_MAX, 0);
	default:
		return 0;
	}
}

static int fill_consent(struct jp *p, const struct member *ms, int n,
			struct cr_consent *r)
{
	uint64_t seen = 0, present = 0;
	memset(r, 0, sizeof *r);
	r->purpose = CR_PURPOSE_NONE;
	r->expires_days = CR_NO_DATE;
	r->revoked_days = CR_NO_DATE;
	for (int i = 0; i < n; i++) {
		int rc = admit(p, &ms[i], consent_fields, &seen, &present);
		if (rc > 0)
			continue;
		if (rc == 0)
			rc = consent_field(p, &ms[i], r);
		if (rc)
			return rc;
	}
	return require(p, present, consent_required);
}

static int event_field(struct jp *p, const struct member *m,
		       struct cr_event *e)
{
	const char *f = field_names[m->fid];
	switch (m->fid) {
	case F_INSTITUTION:
		return get_code(p, m, f, e->inst);
	case F_ACCOUNT:
		return get_account_no(p, m, f, e->account);
	case F_EVENT_ID:
		return get_ascii_id(p, m, f, e->event_id, CR_EVENT_ID_MAX);
	case F_AT:
		return get_time(p, m, f, &e->at_s);
	case F_KIND:
		return get_enum(p, m, f, cr_event_kind_parse,
				"not one of: drawdown, repayment, fee, interest, "
				"overdue, writeoff, close", &e->kind);
	case F_AMOUNT:
		return get_money(p, m, f, &e->amount);
	case F_DPD:
		e->has_dpd = 1;
		return get_int(p, m, f, 0, CR_DPD_MAX,
			       "must be an integer 0.." CR_STR(CR_DPD_MAX), &e->dpd);
	default:
		return 0;
	}
}

static int fill_event(struct jp *p, const struct member *ms, int n,
		      struct cr_event *e)
{
	uint64_t seen = 0, present = 0;
	memset(e, 0, sizeof *e);
	for (int i = 0; i < n; i++) {
		int rc = admit(p, &ms[i], event_fields, &seen, &present);
		if (rc > 0)
			continue;
		if (rc == 0)
			rc = event_field(p, &ms[i], e);
		if (rc)
			return rc;
	}
	return require(p, present, event_required);
}

static int product_field(struct jp *p, const struct member *m,
			 struct cr_product_rec *r)
{
	const char *f = field_names[m->fid];
	switch (m->fid) {
	case F_INSTITUTION:
		return get_code(p, m, f, r->platform);
	case F_CODE:
		return get_code(p, m, f, r->code);
	case F_ISSUER:
		return get_code(p, m, f, r->issuer);
	case F_CATEGORY:
		return get_enum(p, m, f, cr_category_parse,
				"not one of: internet_deposit, wealth, loan, "
				"insurance", &r->category);
	case F_LICENCE:
		return get_ascii_id(p, m, f, r->licence, CR_LICENCE_MAX);
	case F_NAME:
		return get_text(p, m, f, r->name, CR_INST_NAME_MAX, 1);
	default:
		return 0;
	}
}

static int fill_product(struct jp *p, const struct member *ms, int n,
			struct cr_product_rec *r)
{
	uint64_t seen = 0, present = 0;
	memset(r, 0, sizeof *r);
	for (int i = 0; i < n; i++) {
		int rc = admit(p, &ms[i], product_fields, &seen, &present);
		if (rc > 0)
			continue;
		if (rc == 0)
			rc = product_field(p, &ms[i], r);
		if (rc)
			return rc;
	}
	return require(p, present, product_required);
}

static int holding_field(struct jp *p, const struct member *m,
			 struct cr_holding *r)
{
	const char *f = field_names[m->fid];
	int32_t birth_days;
	switch (m->fid) {
	case F_INSTITUTION:
		return get_code(p, m, f, r->platform);
	case F_ID:
		return get_id(p, m, f, r->id, &birth_days);
	case F_PRODUCT:
		return get_code(p, m, f, r->product);
	case F_SINCE:
		return get_date(p, m, f, &r->since_days);
	case F_UNTIL:
		return get_date(p, m, f, &r->until_days);
	default:
		return 0;
	}
}

static int fill_holding(struct jp *p, const struct member *ms, int n,
			struct cr_holding *r)
{
	uint64_t seen = 0, present = 0;
	memset(r, 0, sizeof *r);
	r->until_days = CR_NO_DATE;
	for (int i = 0; i < n; i++) {
		int rc = admit(p, &ms[i], holding_fields, &seen, &present);
		if (rc > 0)
			continue;
		if (rc == 0)
			rc = holding_field(p, &ms[i], r);
		if (rc)
			return rc;
	}
	return require(p, present, holding_required);
}

/* ---- Information a bureau may not collect (prohibited.h). ---- */

/* Whether a member's key names a prohibited category. */
static int key_prohibited(const struct member *m)
{
	char k[64]; /* longer than any listed key */
	size_t n;
	if (decode(m->key, m->key_len, k, sizeof k, &n) != 0)
		return 0;
	return cr_prohibited_key(k, n) != CR_PROHIB_NONE;
}

/* Whether a string member's value carries a free-text marker.  An escaped
 * value is decoded into p->scratch as far as it fits. */
static int text_prohibited(struct jp *p, const struct member *m)
{
	size_t n;
	if (!m->esc)
		return cr_prohibited_text(m->val, m->val_len) != CR_PROHIB_NONE;
	decode(m->val, m->val_len, p->scratch, sizeof p->scratch, &n);
	return cr_prohibited_text(p->scratch, n) != CR_PROHIB_NONE;
}

/* Looks for a prohibited key in the co-lender objects of the array m, which
 * collect() has checked already, so the scan cannot fail.  On a hit writes
 * "co_lenders[i].key" into path and returns 1. */
static int colender_prohibited(struct jp *p, const struct member *m,
			       char *path, size_t cap)
{
	struct cur sub = {.s = m->val, .len = m->val_len, .pos = 1,
			  .diag = p->c.diag};
	for (int i = 0;; i++) {
		skip_ws(&sub);
		if (peek(&sub) != '{')
			return 0;
		sub.pos++;
		skip_ws(&sub);
		while (peek(&sub) == '"') {
			struct member in;
			if (scan_member(&sub, &in) != 0)
				return 0;
			if (in.fid == F_UNKNOWN && key_prohibited(&in)) {
				const size_t at = (size_t)snprintf(path, cap, "co_lenders[%d].", i);
				key_text(&in, path + at, cap - at);
				return 1;
			}
			skip_ws(&sub);
			if (peek(&sub) == ',')
				sub.pos++;
			skip_ws(&sub);
		}
		sub.pos++; /* the '}' */
		skip_ws(&sub);
		if (peek(&sub) != ',')
			return 0;
		sub.pos++;
	}
}

/*
 * Prohibited information outranks every other fault of a record, so that it
 * is reported, and counted, as what it is.  Called for a record that failed
 * with rc, this reports the first prohibited key (top level or in a
 * co-lender) or free-text marker in line order instead, if there is one, and
 * otherwise leaves rc and the diagnostic as they were.
 *
 * A record that passes has no unknown keys, and get_text() checked its free
 * text, so nothing here runs for a good line: the statement hot path does
 * not pay for the rule.  Only keys that no record type knows (F_UNKNOWN) are
 * looked up; no known field is a prohibited name.
 */
static int prohibited_first(struct jp *p, const struct member *ms, int n,
			    uint64_t text_fields, int rc)
{
	const struct cr_diag saved = *p->c.diag;
	char path[sizeof p->c.diag->field];
	for (int i = 0; i < n; i++) {
		const struct member *m = &ms[i];
		if (m->fid == F_UNKNOWN && key_prohibited(m)) {
			key_text(m, path, sizeof path);
			return fail(p, path, CR_REASON_PROHIBITED);
		}
		if (m->fid == F_CO_LENDERS && m->kind == V_ARR &&
		    colender_prohibited(p, m, path, sizeof path))
			return fail(p, path, CR_REASON_PROHIBITED);
		if ((text_fields & BIT(m->fid)) && m->kind == V_STR &&
		    text_prohibited(p, m))
			return fail(p, field_names[m->fid], CR_REASON_PROHIBITED);
	}
	*p->c.diag = saved;
	return rc;
}

/* Finds the first "type" member (admit() reports a second one) and fills
 * the record for it; *text_fields gets the type's free-text fields. */
static int fill_typed(struct jp *p, const struct member *ms, int n,
		      struct cr_record *out, uint64_t *text_fields)
{
	const struct member *t = NULL;
	const char *v;
	size_t len;
	for (int i = 0; i < n && !t; i++)
		if (ms[i].fid == F_TYPE)
			t = &ms[i];
	if ((!t || t->kind == V_NULL) && p->type == CR_REC_CONSENT) {
		*text_fields = BIT(F_EVIDENCE);
		out->type = CR_REC_CONSENT;
		return fill_consent(p, ms, n, &out->u.consent);
	}
	if (!t || t->kind == V_NULL)
		return fail(p, "type", R_MISSING);
	int rc = str_view(p, t, "type", sizeof p->scratch, &v, &len);
	if (rc)
		return rc;
	if (p->type && !(len == strlen(cr_record_type_name(p->type)) &&
			 memcmp(v, cr_record_type_name(p->type), len) == 0))
		return fail(p, "type", "this request takes another record type");
	if (len == 9 && memcmp(v, "statement", 9) == 0) {
		rc = fill_statement(p, ms, n, &out->u.stmt);
		out->type = CR_REC_STATEMENT;
	} else if (len == 5 && memcmp(v, "event", 5) == 0) {
		rc = fill_event(p, ms, n, &out->u.event);
		out->type = CR_REC_EVENT;
	} else if (len == 7 && memcmp(v, "account", 7) == 0) {
		*text_fields = BIT(F_NAME) | BIT(F_ADDRESS);
		rc = fill_account(p, ms, n, &out->u.account);
		out->type = CR_REC_ACCOUNT;
	} else if (len == 7 && memcmp(v, "consent", 7) == 0) {
		*text_fields = BIT(F_EVIDENCE);
		rc = fill_consent(p, ms, n, &out->u.consent);
		out->type = CR_REC_CONSENT;
	} else if (len == 11 && memcmp(v, "institution", 11) == 0) {
		*text_fields = BIT(F_NAME);
		rc = fill_institution(p, ms, n, &out->u.inst);
		out->type = CR_REC_INSTITUTION;
	} else if (len == 7 && memcmp(v, "product", 7) == 0) {
		*text_fields = BIT(F_NAME);
		rc = fill_product(p, ms, n, &out->u.product);
		out->type = CR_REC_PRODUCT;
	} else if (len == 7 && memcmp(v, "holding", 7) == 0) {
		rc = fill_holding(p, ms, n, &out->u.holding);
		out->type = CR_REC_HOLDING;
	} else {
		return fail(p, "type", "unknown record type (institution, "
			    "account, statement, event, consent, product or holding)");
	}
	return rc;
}

static int fill_record(struct jp *p, const struct member *ms, int n,
		       struct cr_record *out)
{
	uint64_t text_fields = 0;
	const int rc = fill_typed(p, ms, n, out, &text_fields);
	return rc ? prohibited_first(p, ms, n, text_fields, rc) : 0;
}

int cr_jsonl_parse(const char *line, size_t len, int32_t asof_days,
		   struct cr_record *out, struct cr_diag *diag)
{
	return cr_jsonl_parse_as(line, len, asof_days, CR_REC_NONE, out, diag);
}

int cr_jsonl_parse_as(const char *line, size_t len, int32_t asof_days, uint8_t type,
		      struct cr_record *out, struct cr_diag *diag)
{
	struct member ms[CR_FIELDS_MAX];
	struct jp p; /* not zeroed: scratch is written before it is read */
	int n, rc;
	if (!out || !diag || (!line && len))
		return cr_diag_set(diag, "", "no line or no record to fill");
	out->type = CR_REC_NONE;
	if (len > CR_LINE_MAX)
		return cr_diag_set(diag, "", "line too long");
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (!utf8_valid((const unsigned char *)line, len))
		return cr_diag_set(diag, "", "line is not valid UTF-8");
	p.c.s = line;
	p.c.len = len;
	p.c.pos = 0;
	p.c.diag = diag;
	p.asof_days = asof_days;
	p.type = type;
	skip_ws(&p.c);
	if (p.c.pos == len)
		return cr_diag_set(diag, "", "empty line");
	if (line[p.c.pos] != '{')
		return bad_json(&p.c, "invalid JSON: expected '{'");
	rc = collect(&p.c, ms, CR_FIELDS_MAX, &n);
	if (rc == CR_ETOOBIG)
		return cr_diag_set(diag, "", "too many fields");
	if (rc)
		return rc;
	skip_ws(&p.c);
	if (p.c.pos != len)
		return bad_json(&p.c, "invalid JSON: unexpected text after the object");
	rc = fill_record(&p, ms, n, out);
	if (rc)
		out->type = CR_REC_NONE;
	return rc;
}
