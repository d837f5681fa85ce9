/* store_codec.c - byte layouts of stored records; see store_codec.h. */
#include "store_codec.h"

#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"

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
