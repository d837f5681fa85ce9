/*
 * store_codec.c - the byte layouts of the store's keys and values; the
 * layouts themselves are described in store_codec.h.
 *
 * Plain functions over caller buffers: no allocation, no store state, so
 * the fuzz target (fuzz/store_codec.c) drives the decoders directly.
 */
#include "store_codec.h"

#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"

_Static_assert(CR_EVENT_ID_MAX <= CR_ACCOUNT_MAX,
	       "an event id fits a pseudonym message as an account number does");

void cr_put_u64be(uint8_t *p, uint64_t x)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)x;
		x >>= 8;
	}
}

uint64_t cr_get_u64be(const uint8_t *p)
{
	uint64_t x = 0;
	for (int i = 0; i < 8; i++)
		x = x << 8 | p[i];
	return x;
}

static void put_u32be(uint8_t *p, uint32_t x)
{
	p[0] = (uint8_t)(x >> 24);
	p[1] = (uint8_t)(x >> 16);
	p[2] = (uint8_t)(x >> 8);
	p[3] = (uint8_t)x;
}

static uint32_t get_u32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A signed day number biased so that byte order is chronological. */
static void put_date(uint8_t *p, int32_t days)
{
	put_u32be(p, (uint32_t)days ^ 0x80000000u);
}

static int32_t get_date(const uint8_t *p)
{
	return (int32_t)(get_u32be(p) ^ 0x80000000u);
}

void cr_put_date(uint8_t *p, int32_t days) { put_date(p, days); }
int32_t cr_get_date(const uint8_t *p) { return get_date(p); }
void cr_put_i32be(uint8_t *p, int32_t x) { put_u32be(p, (uint32_t)x); }
int32_t cr_get_i32be(const uint8_t *p) { return (int32_t)get_u32be(p); }

static void put_u64(uint8_t *p, int64_t x) { cr_put_u64be(p, (uint64_t)x); }
static int64_t get_i64(const uint8_t *p) { return (int64_t)cr_get_u64be(p); }

static void put_u16(uint8_t *p, unsigned x)
{
	p[0] = (uint8_t)(x >> 8);
	p[1] = (uint8_t)x;
}

static unsigned get_u16(const uint8_t *p)
{
	return (unsigned)(p[0] << 8 | p[1]);
}

/* A time in 8 bytes whose byte order is chronological. */
static uint64_t time_bias(int64_t s)
{
	return (uint64_t)s ^ (1ULL << 63);
}

/* Writes a length-prefixed string; max is the destination's limit. */
static size_t put_str(uint8_t *p, const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	CR_ASSERT(n <= 255);
	p[0] = (uint8_t)n;
	memcpy(p + 1, s, n);
	return n + 1;
}

/* Reads a length-prefixed string into out (capacity cap including NUL). */
static int get_str(const uint8_t *p, size_t n, size_t *pos, char *out, size_t cap)
{
	if (*pos >= n)
		return CR_ECORRUPT;
	const size_t len = p[(*pos)++];
	if (len >= cap || len > n - *pos || memchr(p + *pos, '\0', len))
		return CR_ECORRUPT; /* a NUL inside would cut the string short */
	memcpy(out, p + *pos, len);
	out[len] = '\0';
	*pos += len;
	return 0;
}

size_t cr_inst_encode(const struct cr_institution *in, uint8_t *buf)
{
	buf[0] = in->kind;
	return 1 + put_str(buf + 1, in->name, CR_INST_NAME_MAX);
}

int cr_inst_decode(const char *code, const uint8_t *p, size_t n,
		   struct cr_institution *out)
{
	memset(out, 0, sizeof *out);
	size_t pos = 1;
	if (n < 1 || strlen(code) > CR_INST_CODE_MAX)
		return CR_ECORRUPT;
	memcpy(out->code, code, strlen(code) + 1);
	out->kind = p[0];
	int rc = get_str(p, n, &pos, out->name, sizeof out->name);
	return rc ? rc : pos == n ? 0 : CR_ECORRUPT;
}

size_t cr_subject_encode(const struct cr_subject *s, uint8_t *buf)
{
	memcpy(buf, s->id, CR_ID_LEN);
	size_t n = CR_ID_LEN;
	put_date(buf + n, s->birth_days);
	n += 4;
	n += put_str(buf + n, s->name, CR_NAME_MAX);
	n += put_str(buf + n, s->phone, CR_PHONE_MAX);
	n += put_str(buf + n, s->address, CR_ADDRESS_MAX);
	return n;
}

int cr_subject_decode(const uint8_t *p, size_t n, struct cr_subject *out)
{
	memset(out, 0, sizeof *out);
	if (n < CR_ID_LEN + 4)
		return CR_ECORRUPT;
	memcpy(out->id, p, CR_ID_LEN);
	out->birth_days = get_date(p + CR_ID_LEN);
	size_t pos = CR_ID_LEN + 4;
	int rc = get_str(p, n, &pos, out->name, sizeof out->name);
	if (!rc)
		rc = get_str(p, n, &pos, out->phone, sizeof out->phone);
	if (!rc)
		rc = get_str(p, n, &pos, out->address, sizeof out->address);
	return rc ? rc : pos == n ? 0 : CR_ECORRUPT;
}

size_t cr_acct_key(const char *inst, const uint8_t hash[CR_ACCT_HASH_LEN],
		   uint8_t *buf)
{
	size_t a = strnlen(inst, CR_INST_CODE_MAX);
	memcpy(buf, inst, a);
	buf[a] = '\0';
	memcpy(buf + a + 1, hash, CR_ACCT_HASH_LEN);
	return a + 1 + CR_ACCT_HASH_LEN;
}

size_t cr_acct_encode(const struct cr_account_rec *r, uint8_t *buf)
{
	const struct cr_account *a = &r->a;
	size_t n = put_str(buf, a->inst, CR_INST_CODE_MAX);
	buf[n++] = a->product;
	buf[n++] = a->status;
	buf[n++] = a->id_type;
	buf[n++] = a->n_colenders;
	put_date(buf + n, a->opened_days);
	n += 4;
	put_u64(buf + n, a->credit_limit);
	put_u64(buf + n + 8, a->principal);
	n += 16;
	buf[n++] = (uint8_t)(a->term_months >> 8);
	buf[n++] = (uint8_t)a->term_months;
	memcpy(buf + n, a->currency, 3);
	n += 3;
	for (int i = 0; i < a->n_colenders; i++) {
		n += put_str(buf + n, a->colenders[i].inst, CR_INST_CODE_MAX);
		buf[n++] = (uint8_t)(a->colenders[i].share_bp >> 8);
		buf[n++] = (uint8_t)a->colenders[i].share_bp;
	}
	CR_DEBUG_ASSERT(n <= CR_ACCT_ENC_MAX);
	return n;
}

int cr_acct_decode(const uint8_t *p, size_t n, struct cr_account_rec *out, size_t *used)
{
	memset(out, 0, sizeof *out);
	struct cr_account *a = &out->a;
	size_t pos = 0;
	if (get_str(p, n, &pos, a->inst, sizeof a->inst) || a->inst[0] == '\0' ||
	    n - pos < 4 + 4 + 16 + 2 + 3)
		return CR_ECORRUPT;
	a->product = p[pos++];
	a->status = p[pos++];
	a->id_type = p[pos++];
	a->n_colenders = p[pos++];
	a->opened_days = get_date(p + pos);
	a->credit_limit = get_i64(p + pos + 4);
	a->principal = get_i64(p + pos + 12);
	pos += 20;
	a->term_months = (uint16_t)(p[pos] << 8 | p[pos + 1]);
	memcpy(a->currency, p + pos + 2, 3);
	pos += 5;
	if (a->n_colenders > CR_COLENDERS_MAX)
		return CR_ECORRUPT;
	for (int i = 0; i < a->n_colenders; i++) {
		struct cr_colender *c = &a->colenders[i];
		if (get_str(p, n, &pos, c->inst, sizeof c->inst) || n - pos < 2)
			return CR_ECORRUPT;
		c->share_bp = (uint16_t)(p[pos] << 8 | p[pos + 1]);
		pos += 2;
	}
	*used = pos;
	return 0;
}

/* The fact's own date leads, so a subject's facts sort chronologically. */
size_t cr_consent_encode(const struct cr_consent_fact *f, uint8_t *buf)
{
	const int revoke = f->revoked_days != CR_NO_DATE;
	put_date(buf, revoke ? f->revoked_days : f->granted_days);
	size_t n = 4;
	buf[n++] = (uint8_t)revoke;
	buf[n++] = f->scope;
	buf[n++] = f->purpose;
	n += put_str(buf + n, f->inst, CR_INST_CODE_MAX);
	put_date(buf + n, f->granted_days);
	put_date(buf + n + 4, f->expires_days);
	n += 8;
	n += put_str(buf + n, f->evidence, CR_EVIDENCE_MAX);
	return n;
}

int cr_consent_decode(const uint8_t *p, size_t n, struct cr_consent_fact *out)
{
	memset(out, 0, sizeof *out);
	if (n < 7)
		return CR_ECORRUPT;
	const int32_t date = get_date(p);
	const int revoke = p[4];
	out->scope = p[5];
	out->purpose = p[6];
	size_t pos = 7;
	if (get_str(p, n, &pos, out->inst, sizeof out->inst) || n - pos < 8)
		return CR_ECORRUPT;
	out->granted_days = get_date(p + pos);
	out->expires_days = get_date(p + pos + 4);
	pos += 8;
	out->revoked_days = revoke ? date : CR_NO_DATE;
	if (revoke > 1 || (revoke && date == CR_NO_DATE) ||
	    get_str(p, n, &pos, out->evidence, sizeof out->evidence))
		return CR_ECORRUPT;
	return pos == n ? 0 : CR_ECORRUPT;
}

size_t cr_inquiry_encode(const struct cr_inquiry *q, uint8_t *buf)
{
	put_date(buf, q->date_days);
	cr_put_u64be(buf + 4, q->seq);
	buf[12] = q->purpose;
	buf[13] = q->chargeable;
	return 14 + put_str(buf + 14, q->inst, CR_INST_CODE_MAX);
}

int cr_inquiry_decode(const uint8_t *p, size_t n, struct cr_inquiry *out)
{
	memset(out, 0, sizeof *out);
	if (n < 15)
		return CR_ECORRUPT;
	out->date_days = get_date(p);
	out->seq = cr_get_u64be(p + 4);
	out->purpose = p[12];
	out->chargeable = p[13];
	size_t pos = 14;
	if (get_str(p, n, &pos, out->inst, sizeof out->inst))
		return CR_ECORRUPT;
	return pos == n ? 0 : CR_ECORRUPT;
}

/* ---- keys --------------------------------------------------------------- */

void cr_key_person(uint64_t pid, uint8_t tag, uint8_t out[PK_LEN])
{
	cr_put_u64be(out, pid);
	out[8] = tag;
}

/* pid tag n: the prefix of an account's records under tag. */
static void acct_prefix(uint64_t acct_id, uint8_t tag, uint8_t *out)
{
	cr_key_person(ACCT_PID(acct_id), tag, out);
	put_u16(out + PK_LEN, ACCT_N(acct_id));
}

void cr_key_account(uint64_t acct_id, uint8_t out[CR_KEY_ACCOUNT_LEN])
{
	acct_prefix(acct_id, PK_ACCOUNT, out);
}

uint64_t cr_key_acct_id(const uint8_t *k)
{
	return ACCT_ID(cr_get_u64be(k), get_u16(k + PK_LEN));
}

void cr_key_hist(uint64_t acct_id, int year, uint8_t out[CR_KEY_HIST_LEN])
{
	acct_prefix(acct_id, PK_HIST, out);
	put_u16(out + PK_LEN + 2, (unsigned)year);
}

int cr_key_hist_year(const uint8_t k[CR_KEY_HIST_LEN])
{
	return (int)get_u16(k + PK_LEN + 2);
}

void cr_key_state(uint64_t acct_id, uint8_t out[CR_KEY_STATE_LEN])
{
	acct_prefix(acct_id, PK_EXPOSURE, out);
}

size_t cr_key_held(uint64_t pid, const char *inst, uint8_t out[CR_KEY_HELD_MAX])
{
	const size_t a = strnlen(inst, CR_INST_CODE_MAX);
	cr_key_person(pid, PK_HELD, out);
	memcpy(out + PK_LEN, inst, a);
	return PK_LEN + a;
}

size_t cr_key_held_identity(uint64_t pid, const char *inst,
			    uint8_t out[CR_KEY_HELD_IDENTITY_MAX])
{
	const size_t a = strnlen(inst, CR_INST_CODE_MAX);
	cr_key_person(pid, PK_HELD_IDENTITY, out);
	memcpy(out + PK_LEN, inst, a);
	return PK_LEN + a;
}

int cr_key_held_identity_parse(const uint8_t *k, size_t n, char inst[CR_INST_CODE_MAX + 1])
{
	if (n <= PK_LEN || n > CR_KEY_HELD_IDENTITY_MAX || k[PK_LEN - 1] != PK_HELD_IDENTITY ||
	    memchr(k + PK_LEN, '\0', n - PK_LEN))
		return CR_ECORRUPT;
	memcpy(inst, k + PK_LEN, n - PK_LEN);
	inst[n - PK_LEN] = '\0';
	return 0;
}

void cr_key_identity_copy(uint64_t pid, const uint8_t digest[CR_IDENTITY_DIGEST_LEN],
			  uint8_t out[CR_KEY_IDENTITY_COPY_LEN])
{
	cr_key_person(pid, PK_IDENTITY_COPY, out);
	memcpy(out + PK_LEN, digest, CR_IDENTITY_DIGEST_LEN);
}

int cr_key_identity_copy_parse(const uint8_t *k, size_t n,
			       uint8_t digest[CR_IDENTITY_DIGEST_LEN])
{
	if (n != CR_KEY_IDENTITY_COPY_LEN || k[PK_LEN - 1] != PK_IDENTITY_COPY)
		return CR_ECORRUPT;
	memcpy(digest, k + PK_LEN, CR_IDENTITY_DIGEST_LEN);
	return 0;
}

void cr_key_event(uint64_t acct_id, int64_t at_s, const uint8_t hash[CR_EVENT_HASH_LEN],
		  uint8_t out[CR_KEY_EVENT_LEN])
{
	acct_prefix(acct_id, PK_EVENT, out);
	cr_put_u64be(out + PK_LEN + 2, time_bias(at_s));
	if (hash)
		memcpy(out + PK_LEN + 10, hash, CR_EVENT_HASH_LEN);
	else
		memset(out + PK_LEN + 10, 0, CR_EVENT_HASH_LEN);
}

void cr_key_dispute(uint64_t pid, uint64_t id, uint8_t out[CR_KEY_DISPUTE_LEN])
{
	cr_key_person(pid, PK_DISPUTE, out);
	cr_put_u64be(out + PK_LEN, id);
}

uint64_t cr_key_dispute_id(const uint8_t k[CR_KEY_DISPUTE_LEN])
{
	return cr_get_u64be(k + PK_LEN);
}

void cr_key_revision(uint64_t acct_id, int32_t month, uint64_t seq,
		     uint8_t out[CR_KEY_REVISION_LEN])
{
	acct_prefix(acct_id, PK_REVISION, out);
	cr_put_i32be(out + PK_LEN + 2, month);
	cr_put_u64be(out + PK_LEN + 6, seq);
}

void cr_key_subject_index(const struct cr_subject_key *k,
			  uint8_t out[CR_KEY_SUBJECT_INDEX_LEN])
{
	out[0] = IK_SUBJECT;
	memcpy(out + 1, k->b, CR_SUBJECT_KEY_LEN);
}

size_t cr_key_account_index(const char *inst, const uint8_t hash[CR_ACCT_HASH_LEN],
			    uint8_t out[CR_KEY_ACCOUNT_INDEX_MAX])
{
	out[0] = IK_ACCOUNT;
	return 1 + cr_acct_key(inst, hash, out + 1);
}

size_t cr_key_event_index(const char *inst, const uint8_t hash[CR_EVENT_HASH_LEN],
			  uint8_t out[CR_KEY_EVENT_INDEX_MAX])
{
	const size_t a = strnlen(inst, CR_INST_CODE_MAX);
	out[0] = IK_EVENT;
	memcpy(out + 1, inst, a);
	out[1 + a] = '\0';
	memcpy(out + 2 + a, hash, CR_EVENT_HASH_LEN);
	return 2 + a + CR_EVENT_HASH_LEN;
}

size_t cr_key_meta(uint8_t tag, const char *s, size_t max, uint8_t *out)
{
	const size_t n = strnlen(s, max);
	out[0] = tag;
	memcpy(out + 1, s, n);
	return 1 + n;
}

void cr_key_dispute_meta(uint64_t id, uint8_t out[CR_KEY_DISPUTE_META_LEN])
{
	out[0] = MK_DISPUTE;
	cr_put_u64be(out + 1, id);
}

void cr_key_alert(const char *inst, uint64_t seq, uint8_t out[CR_KEY_ALERT_LEN])
{
	memset(out, 0, CR_KEY_ALERT_LEN);
	memcpy(out, inst, strnlen(inst, CR_INST_CODE_MAX));
	cr_put_u64be(out + CR_KEY_ALERT_PREFIX_LEN, seq);
}

void cr_alert_seq_name(const char *inst, char out[CR_ALERT_SEQ_NAME_MAX])
{
	const size_t n = strnlen(inst, CR_INST_CODE_MAX);
	memcpy(out, "alert_seq:", 10);
	memcpy(out + 10, inst, n);
	out[10 + n] = '\0';
}

void cr_key_audit(uint64_t seq, uint8_t out[CR_KEY_AUDIT_LEN])
{
	cr_put_u64be(out, seq);
}

size_t cr_pseudonym_msg(uint8_t domain, const char *inst, const char *text, size_t text_max,
			uint8_t out[CR_PSEUDONYM_MSG_MAX])
{
	const size_t a = strnlen(inst, CR_INST_CODE_MAX), b = strnlen(text, text_max);
	CR_ASSERT(text_max <= CR_ACCOUNT_MAX);
	out[0] = domain;
	memcpy(out + 1, inst, a);
	out[1 + a] = '\0';
	memcpy(out + 2 + a, text, b);
	return 2 + a + b;
}

/* ---- a person's secrets -------------------------------------------------- */

int cr_secrets_parse(const uint8_t *p, size_t n, struct cr_secrets_index *x)
{
	memset(x, 0, sizeof *x);
	if (n < CR_SECRETS_EMPTY_LEN || p[0] > 1)
		return CR_ECORRUPT;
	x->has_ident = p[0];
	x->ident_n = get_u16(p + 1);
	x->ident_off = 3;
	size_t pos = 3 + x->ident_n;
	if (pos + 2 > n || (!x->has_ident && x->ident_n))
		return CR_ECORRUPT;
	x->n_acc = get_u16(p + pos);
	x->acc_off = pos + 2;
	pos = x->acc_off;
	for (unsigned i = 0; i < x->n_acc; i++) {
		if (pos + 3 > n || p[pos + 2] == 0 || p[pos + 2] > CR_ACCOUNT_MAX ||
		    p[pos + 2] > n - pos - 3)
			return CR_ECORRUPT;
		/* A NUL inside would cut the number short. */
		if (memchr(p + pos + 3, '\0', p[pos + 2]))
			return CR_ECORRUPT;
		pos += 3 + p[pos + 2];
	}
	return pos == n ? 0 : CR_ECORRUPT;
}

int cr_secrets_number(const uint8_t *p, const struct cr_secrets_index *x, unsigned n,
		      char out[CR_ACCOUNT_MAX + 1])
{
	size_t pos = x->acc_off;
	for (unsigned i = 0; i < x->n_acc; i++) {
		const uint8_t *e = p + pos;
		const unsigned len = e[2];
		if (get_u16(e) == n) {
			memcpy(out, e + 3, len);
			out[len] = '\0';
			return 0;
		}
		pos += 3 + len;
	}
	return CR_ECORRUPT;
}

size_t cr_secrets_size(size_t ident_n, size_t n, const struct cr_secrets_index *x,
		       const char *number)
{
	const size_t an = number ? strnlen(number, CR_ACCOUNT_MAX) : 0;
	return 3 + ident_n + 2 + (n - x->acc_off) + (number ? 3 + an : 0);
}

size_t cr_secrets_encode(int has_ident, const uint8_t *ident, size_t ident_n,
			 const uint8_t *old, size_t n, const struct cr_secrets_index *x,
			 unsigned acct_n, const char *number, uint8_t *out)
{
	const size_t accs = n - x->acc_off;
	CR_ASSERT(ident_n <= 0xffff);
	out[0] = (uint8_t)(has_ident != 0);
	put_u16(out + 1, (unsigned)ident_n);
	memcpy(out + 3, ident, ident_n);
	put_u16(out + 3 + ident_n, x->n_acc + (number != NULL));
	memcpy(out + 5 + ident_n, old + x->acc_off, accs);
	size_t len = 5 + ident_n + accs;
	if (number) {
		const size_t an = strnlen(number, CR_ACCOUNT_MAX);
		put_u16(out + len, acct_n);
		out[len + 2] = (uint8_t)an;
		memcpy(out + len + 3, number, an);
		len += 3 + an;
	}
	return len;
}

/* ---- events ------------------------------------------------------------- */

void cr_event_encode(const struct cr_event_rec *e, uint8_t out[CR_EVENT_VAL_LEN])
{
	out[0] = e->kind;
	cr_put_u64be(out + 1, (uint64_t)e->amount);
	cr_put_i32be(out + 9, e->dpd);
}

int cr_event_decode(const uint8_t *k, size_t kn, const uint8_t *p, size_t n,
		    struct cr_event_rec *e)
{
	memset(e, 0, sizeof *e);
	if (kn != CR_KEY_EVENT_LEN || n != CR_EVENT_VAL_LEN)
		return CR_ECORRUPT;
	e->acct_id = cr_key_acct_id(k);
	e->at_s = (int64_t)time_bias((int64_t)cr_get_u64be(k + PK_LEN + 2));
	memcpy(e->id_hash, k + PK_LEN + 10, CR_EVENT_HASH_LEN);
	e->kind = p[0];
	e->amount = get_i64(p + 1);
	e->dpd = cr_get_i32be(p + 9);
	return 0;
}

void cr_event_index_encode(uint64_t acct_id, int64_t at_s,
			   uint8_t out[CR_EVENT_INDEX_VAL_LEN])
{
	cr_put_u64be(out, acct_id);
	cr_put_u64be(out + 8, time_bias(at_s));
}

int cr_event_index_decode(const uint8_t *p, size_t n, uint64_t *acct_id, int64_t *at_s)
{
	if (n != CR_EVENT_INDEX_VAL_LEN)
		return CR_ECORRUPT;
	*acct_id = cr_get_u64be(p);
	*at_s = (int64_t)time_bias((int64_t)cr_get_u64be(p + 8));
	return 0;
}

/* ---- disputes and revisions --------------------------------------------- */

void cr_dispute_encode(const struct cr_dispute *d, uint8_t out[CR_DISPUTE_FIXED])
{
	memcpy(out, d->subject.b, CR_SUBJECT_KEY_LEN);
	uint8_t *p = out + CR_SUBJECT_KEY_LEN;
	cr_put_u64be(p, d->acct_id);
	cr_put_i32be(p + 8, d->month);
	cr_put_i32be(p + 12, d->filed_days);
	p[16] = d->status;
	cr_put_i32be(p + 17, d->resolved_days);
}

void cr_dispute_decode(const uint8_t p[CR_DISPUTE_FIXED], struct cr_dispute *out)
{
	memcpy(out->subject.b, p, CR_SUBJECT_KEY_LEN);
	p += CR_SUBJECT_KEY_LEN;
	out->acct_id = cr_get_u64be(p);
	out->month = cr_get_i32be(p + 8);
	out->filed_days = cr_get_i32be(p + 12);
	out->status = p[16];
	out->resolved_days = cr_get_i32be(p + 17);
}

size_t cr_dispute_text_encode(const struct cr_dispute *d, uint8_t out[CR_DISPUTE_TEXT_MAX])
{
	const char *parts[3] = {d->inst, d->account, d->reason};
	const size_t caps[3] = {CR_INST_CODE_MAX, CR_ACCOUNT_MAX, CR_DISPUTE_REASON_MAX};
	size_t n = 0;
	for (int i = 0; i < 3; i++) {
		const size_t len = strnlen(parts[i], caps[i]);
		memcpy(out + n, parts[i], len);
		n += len;
		if (i < 2)
			out[n++] = '\0';
	}
	return n;
}

/* Three NUL-separated strings, each within its field's limit. */
int cr_dispute_text_decode(const uint8_t *p, size_t n, struct cr_dispute *out)
{
	char *fields[3] = {out->inst, out->account, out->reason};
	const size_t caps[3] = {sizeof out->inst, sizeof out->account, sizeof out->reason};
	size_t pos = 0;
	for (int i = 0; i < 3; i++) {
		const uint8_t *nul = pos < n ? memchr(p + pos, '\0', n - pos) : NULL;
		const size_t len = nul ? (size_t)(nul - (p + pos)) : n - pos;
		if (len >= caps[i] || (i < 2 && !nul))
			return CR_ECORRUPT;
		memcpy(fields[i], p + pos, len);
		fields[i][len] = '\0';
		pos += len + 1;
	}
	return 0;
}

void cr_revision_encode(const struct cr_revision *r, uint8_t out[CR_REVISION_VAL_LEN])
{
	out[0] = (uint8_t)r->old.status;
	cr_put_i32be(out + 1, r->old.dpd);
	put_u64(out + 5, r->old.balance);
	put_u64(out + 13, r->old.due);
	put_u64(out + 21, r->old.paid);
	put_u64(out + 29, r->old.overdue);
	cr_put_u64be(out + 37, r->dispute_id);
	cr_put_i32be(out + 45, r->date_days);
}

int cr_revision_decode(uint64_t acct_id, const uint8_t *k, size_t kn, const uint8_t *p,
		       size_t n, struct cr_revision *out)
{
	memset(out, 0, sizeof *out);
	if (kn != CR_KEY_REVISION_LEN || n != CR_REVISION_VAL_LEN)
		return CR_ECORRUPT;
	out->acct_id = acct_id;
	out->month = cr_get_i32be(k + PK_LEN + 2);
	out->old.status = (char)p[0];
	out->old.dpd = cr_get_i32be(p + 1);
	out->old.balance = get_i64(p + 5);
	out->old.due = get_i64(p + 13);
	out->old.paid = get_i64(p + 21);
	out->old.overdue = get_i64(p + 29);
	out->dispute_id = cr_get_u64be(p + 37);
	out->date_days = cr_get_i32be(p + 45);
	return 0;
}

/* ---- API keys, alerts, the audit head ----------------------------------- */

size_t cr_apikey_encode(const struct cr_apikey *k, uint8_t out[CR_APIKEY_ENC_MAX])
{
	const size_t il = strnlen(k->inst, CR_INST_CODE_MAX);
	uint8_t *p = out;
	memcpy(p, k->hash, CR_APIKEY_HASH_LEN);
	p += CR_APIKEY_HASH_LEN;
	*p++ = k->role;
	*p++ = (uint8_t)(k->has_subject != 0);
	memcpy(p, k->subject.b, CR_SUBJECT_KEY_LEN);
	p += CR_SUBJECT_KEY_LEN;
	put_u64(p, k->created);
	put_u64(p + 8, k->revoked);
	p += 16;
	*p++ = (uint8_t)il;
	memcpy(p, k->inst, il);
	return CR_APIKEY_FIXED + il;
}

int cr_apikey_decode(const uint8_t *id, size_t idn, const uint8_t *p, size_t n,
		     struct cr_apikey *out)
{
	memset(out, 0, sizeof *out);
	if (idn != CR_APIKEY_ID_LEN || n < CR_APIKEY_FIXED)
		return CR_ECORRUPT;
	const size_t il = p[CR_APIKEY_FIXED - 1];
	if (il > CR_INST_CODE_MAX || n != CR_APIKEY_FIXED + il)
		return CR_ECORRUPT;
	memcpy(out->key_id, id, CR_APIKEY_ID_LEN);
	memcpy(out->hash, p, CR_APIKEY_HASH_LEN);
	p += CR_APIKEY_HASH_LEN;
	out->role = *p++;
	out->has_subject = *p++;
	memcpy(out->subject.b, p, CR_SUBJECT_KEY_LEN);
	p += CR_SUBJECT_KEY_LEN;
	out->created = get_i64(p);
	out->revoked = get_i64(p + 8);
	memcpy(out->inst, p + 17, il);
	return 0;
}

void cr_alert_encode(const struct cr_alert_rec *a, uint8_t out[CR_ALERT_VAL_LEN])
{
	memcpy(out, a->subject.b, CR_SUBJECT_KEY_LEN);
	out[CR_SUBJECT_KEY_LEN] = a->kind;
	put_u64(out + CR_SUBJECT_KEY_LEN + 1, a->raised_s);
	put_u64(out + CR_SUBJECT_KEY_LEN + 9, a->at_s);
}

int cr_alert_decode(const uint8_t *k, size_t kn, const uint8_t *p, size_t n,
		    struct cr_alert_rec *out)
{
	memset(out, 0, sizeof *out);
	if (kn != CR_KEY_ALERT_LEN || n != CR_ALERT_VAL_LEN)
		return CR_ECORRUPT;
	out->seq = cr_get_u64be(k + CR_KEY_ALERT_PREFIX_LEN);
	memcpy(out->subject.b, p, CR_SUBJECT_KEY_LEN);
	out->kind = p[CR_SUBJECT_KEY_LEN];
	out->raised_s = get_i64(p + CR_SUBJECT_KEY_LEN + 1);
	out->at_s = get_i64(p + CR_SUBJECT_KEY_LEN + 9);
	return 0;
}

void cr_alert_config_encode(const struct cr_alert_config *c, uint8_t out[CR_ALERT_CFG_LEN])
{
	cr_put_i32be(out, c->exposure_pct);
	put_u64(out + 4, c->exposure_min);
	cr_put_i32be(out + 12, c->inquiries);
}

int cr_alert_config_decode(const uint8_t *p, size_t n, struct cr_alert_config *out)
{
	memset(out, 0, sizeof *out);
	if (n != CR_ALERT_CFG_LEN)
		return CR_ECORRUPT;
	out->exposure_pct = cr_get_i32be(p);
	out->exposure_min = get_i64(p + 4);
	out->inquiries = cr_get_i32be(p + 12);
	return 0;
}

void cr_audit_head_encode(const struct cr_audit_head *h, uint8_t out[CR_AUDIT_HEAD_LEN])
{
	cr_put_u64be(out, h->seq);
	memcpy(out + 8, h->hash, CR_AUDIT_HASH_LEN);
	memcpy(out + 8 + CR_AUDIT_HASH_LEN, h->mac, CR_AUDIT_HASH_LEN);
}

int cr_audit_head_decode(const uint8_t *p, size_t n, struct cr_audit_head *out)
{
	memset(out, 0, sizeof *out);
	if (n != CR_AUDIT_HEAD_LEN)
		return CR_ECORRUPT;
	out->seq = cr_get_u64be(p);
	memcpy(out->hash, p + 8, CR_AUDIT_HASH_LEN);
	memcpy(out->mac, p + 8 + CR_AUDIT_HASH_LEN, CR_AUDIT_HASH_LEN);
	return 0;
}

/* ---- webhooks ----------------------------------------------------------- */

void cr_webhook_state_encode(const struct cr_webhook_state *s,
			     uint8_t out[CR_WEBHOOK_STATE_LEN])
{
	cr_put_u64be(out, s->cursor);
	put_u64(out + 8, s->last_attempt_ms);
	put_u64(out + 16, s->next_attempt_ms);
	put_u32be(out + 24, s->failures);
	put_u16(out + 28, s->last_status);
	out[30] = s->last_error;
}

void cr_webhook_state_decode(const uint8_t p[CR_WEBHOOK_STATE_LEN],
			     struct cr_webhook_state *out)
{
	out->cursor = cr_get_u64be(p);
	out->last_attempt_ms = get_i64(p + 8);
	out->next_attempt_ms = get_i64(p + 16);
	out->failures = get_u32be(p + 24);
	out->last_status = (uint16_t)get_u16(p + 28);
	out->last_error = p[30];
}

size_t cr_webhook_encode(const struct cr_webhook *w, uint8_t out[CR_WEBHOOK_ENC_MAX])
{
	const size_t ul = strnlen(w->url, CR_WEBHOOK_URL_MAX);
	cr_put_u64be(out, w->gen);
	put_u64(out + 8, w->created_s);
	put_u64(out + 16, w->updated_s);
	cr_webhook_state_encode(&w->s, out + CR_WEBHOOK_STATE_OFF);
	put_u16(out + CR_WEBHOOK_FIXED - 2, (unsigned)ul);
	memcpy(out + CR_WEBHOOK_FIXED, w->url, ul);
	return CR_WEBHOOK_FIXED + ul;
}

int cr_webhook_decode(const uint8_t *inst, size_t il, const uint8_t *p, size_t n,
		      struct cr_webhook *out, size_t *used)
{
	memset(out, 0, sizeof *out);
	if (il == 0 || il > CR_INST_CODE_MAX || n < CR_WEBHOOK_FIXED)
		return CR_ECORRUPT;
	const size_t ul = get_u16(p + CR_WEBHOOK_FIXED - 2);
	if (ul == 0 || ul > CR_WEBHOOK_URL_MAX || n < CR_WEBHOOK_FIXED + ul)
		return CR_ECORRUPT;
	memcpy(out->inst, inst, il);
	out->gen = cr_get_u64be(p);
	out->created_s = get_i64(p + 8);
	out->updated_s = get_i64(p + 16);
	cr_webhook_state_decode(p + CR_WEBHOOK_STATE_OFF, &out->s);
	memcpy(out->url, p + CR_WEBHOOK_FIXED, ul);
	*used = CR_WEBHOOK_FIXED + ul;
	return 0;
}

uint64_t cr_webhook_gen(const uint8_t *p)
{
	return cr_get_u64be(p);
}

size_t cr_webhook_ad(const char *inst, uint8_t out[CR_WEBHOOK_AD_MAX])
{
	const size_t n = strnlen(inst, CR_INST_CODE_MAX);
	memcpy(out, "webhook", 8); /* with its NUL */
	memcpy(out + 8, inst, n);
	return 8 + n;
}

/* ---- data-quality counters ---------------------------------------------- */

size_t cr_key_quality(const char *inst, int32_t day, uint8_t kind, const char *reason,
		      uint8_t out[CR_KEY_QUALITY_MAX])
{
	memset(out, 0, CR_KEY_QUALITY_PREFIX_LEN);
	out[0] = MK_QUALITY;
	memcpy(out + 1, inst, strnlen(inst, CR_INST_CODE_MAX));
	cr_put_date(out + CR_KEY_QUALITY_PREFIX_LEN, day);
	size_t n = CR_KEY_QUALITY_PREFIX_LEN + 4;
	out[n++] = kind;
	if (kind == CR_QK_REASON) {
		const size_t rl = strnlen(reason, CR_QUALITY_REASON_MAX);
		memcpy(out + n, reason, rl);
		n += rl;
	}
	return n;
}

int cr_key_quality_parse(const uint8_t *k, size_t kn, char inst[CR_INST_CODE_MAX + 1],
			 int32_t *day, uint8_t *kind, char reason[CR_QUALITY_REASON_MAX + 1])
{
	const size_t fixed = CR_KEY_QUALITY_PREFIX_LEN + 5;
	if (kn < fixed || kn > CR_KEY_QUALITY_MAX || k[0] != MK_QUALITY ||
	    k[CR_KEY_QUALITY_PREFIX_LEN - 1] != 0)
		return CR_ECORRUPT;
	memcpy(inst, k + 1, CR_INST_CODE_MAX + 1);
	*day = cr_get_date(k + CR_KEY_QUALITY_PREFIX_LEN);
	*kind = k[fixed - 1];
	reason[0] = '\0';
	if (*kind == CR_QK_COUNTS)
		return kn == fixed ? 0 : CR_ECORRUPT;
	if (*kind != CR_QK_REASON || kn == fixed || memchr(k + fixed, 0, kn - fixed))
		return CR_ECORRUPT;
	memcpy(reason, k + fixed, kn - fixed);
	reason[kn - fixed] = '\0';
	return 0;
}

void cr_quality_encode(const struct cr_quality_day *d, uint8_t out[CR_QUALITY_ENC_LEN])
{
	const uint64_t head[6] = {d->submitted, d->accepted, d->rejected,
				  d->held, d->unchanged, d->late};
	for (int i = 0; i < 6; i++)
		cr_put_u64be(out + 8 * i, head[i]);
	for (int i = 0; i < CR_QUALITY_LAG_BUCKETS; i++)
		cr_put_u64be(out + 8 * (6 + i), d->lag[i]);
}

int cr_quality_decode(const uint8_t *p, size_t n, struct cr_quality_day *out)
{
	if (n != CR_QUALITY_ENC_LEN)
		return CR_ECORRUPT;
	uint64_t *head[6] = {&out->submitted, &out->accepted, &out->rejected,
			     &out->held, &out->unchanged, &out->late};
	for (int i = 0; i < 6; i++)
		*head[i] = cr_get_u64be(p + 8 * i);
	for (int i = 0; i < CR_QUALITY_LAG_BUCKETS; i++)
		out->lag[i] = cr_get_u64be(p + 8 * (6 + i));
	return 0;
}

/* ---- the shelf ----------------------------------------------------------- */

size_t cr_key_product(const char *platform, const char *code, uint8_t out[CR_KEY_PRODUCT_MAX])
{
	size_t n = strnlen(platform, CR_INST_CODE_MAX), c;
	out[0] = MK_PRODUCT;
	if (n == 0)
		return 1;
	memcpy(out + 1, platform, n);
	out[1 + n] = '\0';
	c = strnlen(code, CR_PRODUCT_CODE_MAX);
	memcpy(out + 2 + n, code, c);
	return 2 + n + c;
}

/* Splits "a NUL b" at k[0..n) into a and b, each 1..CR_INST_CODE_MAX. */
static int split_codes(const uint8_t *k, size_t n, char *a, char *b)
{
	const uint8_t *nul = memchr(k, '\0', n);
	if (!nul)
		return CR_ECORRUPT;
	const size_t an = (size_t)(nul - k), bn = n - an - 1;
	if (an == 0 || an > CR_INST_CODE_MAX || bn == 0 || bn > CR_INST_CODE_MAX ||
	    memchr(nul + 1, '\0', bn))
		return CR_ECORRUPT;
	memcpy(a, k, an);
	a[an] = '\0';
	memcpy(b, nul + 1, bn);
	b[bn] = '\0';
	return 0;
}

int cr_key_product_parse(const uint8_t *k, size_t n, char platform[CR_INST_CODE_MAX + 1],
			 char code[CR_PRODUCT_CODE_MAX + 1])
{
	if (n < 1 || k[0] != MK_PRODUCT)
		return CR_ECORRUPT;
	return split_codes(k + 1, n - 1, platform, code);
}

void cr_key_delist(uint64_t seq, uint8_t out[CR_KEY_DELIST_LEN])
{
	out[0] = MK_DELIST;
	cr_put_u64be(out + 1, seq);
}

size_t cr_key_holding(uint64_t pid, const char *platform, const char *product,
		      uint8_t out[CR_KEY_HOLDING_MAX])
{
	const size_t n = strnlen(platform, CR_INST_CODE_MAX);
	const size_t c = strnlen(product, CR_PRODUCT_CODE_MAX);
	cr_key_person(pid, PK_HOLDING, out);
	memcpy(out + PK_LEN, platform, n);
	out[PK_LEN + n] = '\0';
	memcpy(out + PK_LEN + n + 1, product, c);
	return PK_LEN + n + 1 + c;
}

int cr_key_holding_parse(const uint8_t *k, size_t n, char platform[CR_INST_CODE_MAX + 1],
			 char product[CR_PRODUCT_CODE_MAX + 1])
{
	if (n <= PK_LEN || k[PK_LEN - 1] != PK_HOLDING)
		return CR_ECORRUPT;
	return split_codes(k + PK_LEN, n - PK_LEN, platform, product);
}

size_t cr_product_encode(const struct cr_product_rec *p, uint8_t *buf)
{
	size_t n = put_str(buf, p->issuer, CR_INST_CODE_MAX);
	buf[n++] = p->category;
	n += put_str(buf + n, p->licence, CR_LICENCE_MAX);
	return n + put_str(buf + n, p->name, CR_INST_NAME_MAX);
}

int cr_product_decode(const uint8_t *p, size_t n, struct cr_product_rec *out)
{
	size_t pos = 0;
	int rc = get_str(p, n, &pos, out->issuer, sizeof out->issuer);
	if (rc || pos >= n)
		return CR_ECORRUPT;
	out->category = p[pos++];
	if ((rc = get_str(p, n, &pos, out->licence, sizeof out->licence)) ||
	    (rc = get_str(p, n, &pos, out->name, sizeof out->name)))
		return rc;
	return pos == n ? 0 : CR_ECORRUPT;
}

size_t cr_holding_encode(const struct cr_holding *h, uint8_t *buf)
{
	cr_put_i32be(buf, h->since_days);
	cr_put_i32be(buf + 4, h->until_days);
	return CR_HOLDING_ENC_LEN;
}

int cr_holding_decode(const uint8_t *p, size_t n, struct cr_holding *out)
{
	if (n != CR_HOLDING_ENC_LEN)
		return CR_ECORRUPT;
	out->id[0] = '\0';
	out->since_days = cr_get_i32be(p);
	out->until_days = cr_get_i32be(p + 4);
	return 0;
}

size_t cr_delist_encode(const struct cr_delist *d, uint8_t *buf)
{
	size_t n = 0;
	buf[n++] = d->what;
	n += put_str(buf + n, d->platform, CR_INST_CODE_MAX);
	n += put_str(buf + n, d->product, CR_PRODUCT_CODE_MAX);
	buf[n++] = d->category;
	cr_put_i32be(buf + n, d->effective_days);
	cr_put_i32be(buf + n + 4, d->ordered_days);
	n += 8;
	n += put_str(buf + n, d->by, CR_INST_CODE_MAX);
	return n + put_str(buf + n, d->reason, CR_DELIST_REASON_MAX);
}

int cr_delist_decode(uint64_t seq, const uint8_t *p, size_t n, struct cr_delist *out)
{
	size_t pos = 1;
	memset(out, 0, sizeof *out);
	out->seq = seq;
	if (n < 1)
		return CR_ECORRUPT;
	out->what = p[0];
	int rc = get_str(p, n, &pos, out->platform, sizeof out->platform);
	if (!rc)
		rc = get_str(p, n, &pos, out->product, sizeof out->product);
	if (rc || n - pos < 9)
		return CR_ECORRUPT;
	out->category = p[pos++];
	out->effective_days = cr_get_i32be(p + pos);
	out->ordered_days = cr_get_i32be(p + pos + 4);
	pos += 8;
	if ((rc = get_str(p, n, &pos, out->by, sizeof out->by)) ||
	    (rc = get_str(p, n, &pos, out->reason, sizeof out->reason)))
		return rc;
	return pos == n ? 0 : CR_ECORRUPT;
}
