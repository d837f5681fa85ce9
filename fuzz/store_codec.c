/*
 * store_codec.c - libFuzzer target for the stored-record decoders
 * (store_codec.h and hist_codec.h).
 *
 * The store decodes bytes read back from disk, which may be corrupted or
 * written by someone holding the data directory, so every decoder must
 * check every length and count and return CR_ECORRUPT rather than read out
 * of bounds.  The first input byte picks a decoder (mod 6) and the rest is
 * handed to it; libFuzzer's input buffer is a heap block of exactly the
 * input's size, so AddressSanitizer catches any read past its end.
 *
 * What a decoder accepts must be a value the store could have written:
 * strings NUL-terminated within their arrays, counts within their limits,
 * and a round trip through the matching encoder back to an equal value.
 * The encodings are not canonical (a string may hold bytes after a NUL,
 * varints need not be minimal, a grant's leading date is ignored, ...), so
 * the round trip compares decoded values field by field, strings as C
 * strings, never bytes.  For cr_acct_decode, which stops where the sealed
 * account number begins, only the fields it decodes are compared, and the
 * re-decode must consume exactly what the encoder wrote.
 */
#include <stdint.h>
#include <string.h>

#include "cr_assert.h"
#include "hist_codec.h"
#include "store_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A string field decoded into char s[cap] must end within the array. */
#define TERMINATED(s) (memchr((s), '\0', sizeof(s)) != NULL)
#define SAME_STR(a, b) (strcmp((a), (b)) == 0)

static const char inst_code[] = "BANK001";

static void check_inst(const uint8_t *p, size_t n)
{
	struct cr_institution x, y;
	uint8_t buf[2 + CR_INST_NAME_MAX];
	if (cr_inst_decode(inst_code, p, n, &x) != 0)
		return;
	CR_ASSERT(TERMINATED(x.name) && SAME_STR(x.code, inst_code));
	const size_t len = cr_inst_encode(&x, buf);
	CR_ASSERT(len <= sizeof buf);
	CR_ASSERT(cr_inst_decode(inst_code, buf, len, &y) == 0);
	CR_ASSERT(SAME_STR(x.code, y.code) && SAME_STR(x.name, y.name) &&
		  x.kind == y.kind);
}

static void check_subject(const uint8_t *p, size_t n)
{
	struct cr_subject x, y;
	uint8_t buf[CR_SUBJECT_ENC_MAX];
	if (cr_subject_decode(p, n, &x) != 0)
		return;
	CR_ASSERT(x.id[CR_ID_LEN] == '\0' && TERMINATED(x.name) &&
		  TERMINATED(x.phone) && TERMINATED(x.address));
	const size_t len = cr_subject_encode(&x, buf);
	CR_ASSERT(len <= sizeof buf);
	CR_ASSERT(cr_subject_decode(buf, len, &y) == 0);
	/* The id is copied as 18 raw bytes both ways. */
	CR_ASSERT(memcmp(x.id, y.id, CR_ID_LEN) == 0 && x.birth_days == y.birth_days &&
		  SAME_STR(x.name, y.name) && SAME_STR(x.phone, y.phone) &&
		  SAME_STR(x.address, y.address));
}

static void check_acct(const uint8_t *p, size_t n)
{
	struct cr_account_rec xr, yr;
	size_t used = 0, used2 = 0;
	uint8_t buf[CR_ACCT_ENC_MAX];
	if (cr_acct_decode(p, n, &xr, &used) != 0)
		return;
	const struct cr_account *x = &xr.a, *y = &yr.a;
	CR_ASSERT(used <= n && x->inst[0] != '\0' && TERMINATED(x->inst) &&
		  x->currency[3] == '\0' && x->n_colenders <= CR_COLENDERS_MAX);
	for (int i = 0; i < x->n_colenders; i++)
		CR_ASSERT(TERMINATED(x->colenders[i].inst));
	const size_t len = cr_acct_encode(&xr, buf);
	CR_ASSERT(len <= sizeof buf);
	CR_ASSERT(cr_acct_decode(buf, len, &yr, &used2) == 0 && used2 == len);
	CR_ASSERT(SAME_STR(x->inst, y->inst) && x->product == y->product &&
		  x->status == y->status && x->id_type == y->id_type &&
		  x->n_colenders == y->n_colenders &&
		  x->opened_days == y->opened_days &&
		  x->credit_limit == y->credit_limit &&
		  x->principal == y->principal &&
		  x->term_months == y->term_months &&
		  memcmp(x->currency, y->currency, 3) == 0);
	for (int i = 0; i < x->n_colenders; i++)
		CR_ASSERT(SAME_STR(x->colenders[i].inst, y->colenders[i].inst) &&
			  x->colenders[i].share_bp == y->colenders[i].share_bp);
}

static void check_consent(const uint8_t *p, size_t n)
{
	struct cr_consent_fact x, y;
	uint8_t buf[CR_CONSENT_ENC_MAX];
	if (cr_consent_decode(p, n, &x) != 0)
		return;
	CR_ASSERT(TERMINATED(x.inst) && TERMINATED(x.evidence));
	const size_t len = cr_consent_encode(&x, buf);
	CR_ASSERT(len <= sizeof buf);
	CR_ASSERT(cr_consent_decode(buf, len, &y) == 0);
	CR_ASSERT(SAME_STR(x.inst, y.inst) && x.scope == y.scope &&
		  x.purpose == y.purpose && x.granted_days == y.granted_days &&
		  x.expires_days == y.expires_days &&
		  x.revoked_days == y.revoked_days &&
		  SAME_STR(x.evidence, y.evidence));
}

static void check_inquiry(const uint8_t *p, size_t n)
{
	struct cr_inquiry x, y;
	uint8_t buf[CR_INQUIRY_ENC_MAX];
	if (cr_inquiry_decode(p, n, &x) != 0)
		return;
	CR_ASSERT(TERMINATED(x.inst));
	const size_t len = cr_inquiry_encode(&x, buf);
	CR_ASSERT(len <= sizeof buf);
	CR_ASSERT(cr_inquiry_decode(buf, len, &y) == 0);
	CR_ASSERT(x.date_days == y.date_days && x.seq == y.seq &&
		  SAME_STR(x.inst, y.inst) && x.purpose == y.purpose &&
		  x.chargeable == y.chargeable);
}

static void check_hist(const uint8_t *p, size_t n)
{
	struct cr_hist_year x, y;
	uint8_t buf[CR_HIST_YEAR_MAX];
	if (cr_hist_decode(p, n, &x) != 0)
		return;
	/* The encoder asserts what the store validates on the way in. */
	for (int m = 0; m < 12; m++) {
		const struct cr_month_rec *r = &x.m[m];
		if (!r->status)
			continue;
		CR_ASSERT(strchr("N1234567CGDZ*#", r->status) != NULL);
		CR_ASSERT(r->balance >= 0 && r->balance <= CR_AMOUNT_MAX &&
			  r->due >= 0 && r->due <= CR_AMOUNT_MAX &&
			  r->paid >= 0 && r->paid <= CR_AMOUNT_MAX &&
			  r->overdue >= 0 && r->overdue <= CR_AMOUNT_MAX &&
			  r->dpd >= 0 && r->dpd <= CR_DPD_MAX);
	}
	const size_t len = cr_hist_encode(&x, buf);
	CR_ASSERT(len <= sizeof buf);
	CR_ASSERT(cr_hist_decode(buf, len, &y) == 0);
	for (int m = 0; m < 12; m++) {
		const struct cr_month_rec *a = &x.m[m], *b = &y.m[m];
		CR_ASSERT(a->status == b->status && a->dpd == b->dpd &&
			  a->balance == b->balance && a->due == b->due &&
			  a->paid == b->paid && a->overdue == b->overdue);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *p = data + 1;
	const size_t n = size - 1;
	switch (data[0] % 6) {
	case 0: check_inst(p, n); break;
	case 1: check_subject(p, n); break;
	case 2: check_acct(p, n); break;
	case 3: check_consent(p, n); break;
	case 4: check_inquiry(p, n); break;
	default: check_hist(p, n); break;
	}
	return 0;
}
