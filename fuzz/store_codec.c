/*
 * store_codec.c - libFuzzer target for the stored-record decoders
 * (store_codec.h and hist_codec.h).
 *
 * The store decodes bytes read back from disk, which may be corrupted or
 * written by someone holding the data directory, so every decoder must
 * check every length and count and return CR_ECORRUPT rather than read out
 * of bounds.  The first input byte picks a decoder (mod 17) and the rest is
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
 * re-decode must consume exactly what the encoder wrote.  Where the layout
 * is canonical (fixed-size values, a person's secrets) the encoder must
 * give back the very bytes decoded.  Records with a key and a value take
 * the input split in two at a point its first byte picks.  A decoded
 * webhook that fails its check (cr_webhook_check, which the store runs
 * after every read) is not round-tripped: the store refuses it.
 */
#include <stdint.h>
#include <string.h>

#include "cr_assert.h"
#include "hist_codec.h"
#include "store.h"
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

/* Splits the input in two at its first byte: a key, then a value. */
static void split(const uint8_t *p, size_t n, const uint8_t **k, size_t *kn,
		  const uint8_t **v, size_t *vn)
{
	const size_t at = n ? p[0] % (n + 1) : 0;
	*k = p + (n ? 1 : 0);
	*kn = n ? (at < n ? at : n - 1) : 0;
	*v = *k + *kn;
	*vn = n ? n - 1 - *kn : 0;
}

static void check_apikey(const uint8_t *p, size_t n)
{
	static const uint8_t id[] = "0123456789abcdef";
	struct cr_apikey x, y;
	uint8_t buf[CR_APIKEY_ENC_MAX];
	if (cr_apikey_decode(id, CR_APIKEY_ID_LEN, p, n, &x) != 0)
		return;
	CR_ASSERT(TERMINATED(x.key_id) && TERMINATED(x.inst));
	const size_t len = cr_apikey_encode(&x, buf);
	CR_ASSERT(len <= n);
	CR_ASSERT(cr_apikey_decode(id, CR_APIKEY_ID_LEN, buf, len, &y) == 0);
	CR_ASSERT(memcmp(x.hash, y.hash, sizeof x.hash) == 0 && x.role == y.role &&
		  memcmp(x.subject.b, y.subject.b, CR_SUBJECT_KEY_LEN) == 0 &&
		  (x.has_subject != 0) == y.has_subject && x.created == y.created &&
		  x.revoked == y.revoked && SAME_STR(x.inst, y.inst));
}

static void check_alert(const uint8_t *p, size_t n)
{
	const uint8_t *k, *v;
	size_t kn, vn;
	struct cr_alert_rec x, y;
	uint8_t buf[CR_ALERT_VAL_LEN];
	split(p, n, &k, &kn, &v, &vn);
	if (cr_alert_decode(k, kn, v, vn, &x) != 0)
		return;
	cr_alert_encode(&x, buf);
	CR_ASSERT(memcmp(buf, v, sizeof buf) == 0);
	CR_ASSERT(cr_alert_decode(k, kn, buf, sizeof buf, &y) == 0 && memcmp(&x, &y, sizeof x) == 0);
}

static void check_config_and_head(const uint8_t *p, size_t n)
{
	struct cr_alert_config c;
	struct cr_audit_head h;
	uint8_t cb[CR_ALERT_CFG_LEN], hb[CR_AUDIT_HEAD_LEN];
	if (cr_alert_config_decode(p, n, &c) == 0) {
		cr_alert_config_encode(&c, cb);
		CR_ASSERT(n == sizeof cb && memcmp(cb, p, n) == 0);
	}
	if (cr_audit_head_decode(p, n, &h) == 0) {
		cr_audit_head_encode(&h, hb);
		CR_ASSERT(n == sizeof hb && memcmp(hb, p, n) == 0);
	}
}

static void check_event(const uint8_t *p, size_t n)
{
	const uint8_t *k, *v;
	size_t kn, vn;
	struct cr_event_rec x, y;
	uint8_t kb[CR_KEY_EVENT_LEN], vb[CR_EVENT_VAL_LEN], ib[CR_EVENT_INDEX_VAL_LEN];
	uint64_t acct;
	int64_t at;
	if (cr_event_index_decode(p, n, &acct, &at) == 0) {
		cr_event_index_encode(acct, at, ib);
		CR_ASSERT(memcmp(ib, p, n) == 0);
	}
	split(p, n, &k, &kn, &v, &vn);
	if (cr_event_decode(k, kn, v, vn, &x) != 0)
		return;
	cr_key_event(x.acct_id, x.at_s, x.id_hash, kb);
	cr_event_encode(&x, vb);
	CR_ASSERT(memcmp(vb, v, vn) == 0);
	CR_ASSERT(cr_event_decode(kb, sizeof kb, vb, sizeof vb, &y) == 0);
	CR_ASSERT(memcmp(&x, &y, sizeof x) == 0);
}

static void check_dispute(const uint8_t *p, size_t n)
{
	struct cr_dispute x, y;
	uint8_t text[CR_DISPUTE_TEXT_MAX], fixed[CR_DISPUTE_FIXED];
	memset(&x, 0, sizeof x);
	if (n >= CR_DISPUTE_FIXED) {
		cr_dispute_decode(p, &x);
		cr_dispute_encode(&x, fixed);
		CR_ASSERT(memcmp(fixed, p, sizeof fixed) == 0);
	}
	if (cr_dispute_text_decode(p, n, &x) != 0)
		return;
	CR_ASSERT(TERMINATED(x.inst) && TERMINATED(x.account) && TERMINATED(x.reason));
	memset(&y, 0, sizeof y);
	const size_t len = cr_dispute_text_encode(&x, text);
	CR_ASSERT(cr_dispute_text_decode(text, len, &y) == 0);
	CR_ASSERT(SAME_STR(x.inst, y.inst) && SAME_STR(x.account, y.account) &&
		  SAME_STR(x.reason, y.reason));
}

static void check_revision(const uint8_t *p, size_t n)
{
	const uint8_t *k, *v;
	size_t kn, vn;
	struct cr_revision x, y;
	uint8_t kb[CR_KEY_REVISION_LEN], vb[CR_REVISION_VAL_LEN];
	split(p, n, &k, &kn, &v, &vn);
	if (cr_revision_decode(5, k, kn, v, vn, &x) != 0)
		return;
	cr_revision_encode(&x, vb);
	CR_ASSERT(memcmp(vb, v, vn) == 0);
	cr_key_revision(5, x.month, 1, kb);
	CR_ASSERT(cr_revision_decode(5, kb, sizeof kb, vb, sizeof vb, &y) == 0);
	CR_ASSERT(memcmp(&x, &y, sizeof x) == 0);
}

static void check_webhook(const uint8_t *p, size_t n)
{
	static const uint8_t inst[] = "L0001";
	struct cr_webhook x, y;
	uint8_t buf[CR_WEBHOOK_ENC_MAX];
	size_t used, used2;
	if (cr_webhook_decode(inst, 5, p, n, &x, &used) != 0)
		return;
	CR_ASSERT(used <= n && TERMINATED(x.url) && x.secret[0] == '\0');
	if (cr_webhook_check(&x) != 0)
		return; /* the store reads it as CR_ECORRUPT (an empty URL, ...) */
	const size_t len = cr_webhook_encode(&x, buf);
	CR_ASSERT(cr_webhook_decode(inst, 5, buf, len, &y, &used2) == 0 && used2 == len);
	CR_ASSERT(SAME_STR(x.url, y.url) && x.gen == y.gen && x.created_s == y.created_s &&
		  x.updated_s == y.updated_s && memcmp(&x.s, &y.s, sizeof x.s) == 0);
}

/* A day of data-quality counters is fixed-size: canonical.  Its key
 * names the furnisher, the day and a reason within their arrays. */
static void check_quality(const uint8_t *p, size_t n)
{
	struct cr_quality_day x;
	uint8_t buf[CR_QUALITY_ENC_LEN];
	char inst[CR_INST_CODE_MAX + 1], reason[CR_QUALITY_REASON_MAX + 1];
	int32_t day;
	uint8_t kind;
	if (cr_key_quality_parse(p, n, inst, &day, &kind, reason) == 0)
		CR_ASSERT(TERMINATED(inst) && TERMINATED(reason));
	memset(&x, 0, sizeof x);
	if (cr_quality_decode(p, n, &x) != 0)
		return;
	cr_quality_encode(&x, buf);
	CR_ASSERT(n == sizeof buf && memcmp(buf, p, n) == 0);
}

/* Products, and the keys of products, holdings and held identities. */
static void check_product(const uint8_t *p, size_t n)
{
	struct cr_product_rec x, y;
	uint8_t buf[CR_PRODUCT_ENC_MAX];
	char a[CR_INST_CODE_MAX + 1], b[CR_PRODUCT_CODE_MAX + 1];
	if (cr_key_product_parse(p, n, a, b) == 0)
		CR_ASSERT(TERMINATED(a) && TERMINATED(b) && a[0] && b[0]);
	if (cr_key_holding_parse(p, n, a, b) == 0)
		CR_ASSERT(TERMINATED(a) && TERMINATED(b) && a[0] && b[0]);
	/* A held identity's key (pid 'I' code) gives back its own bytes. */
	if (cr_key_held_identity_parse(p, n, a) == 0) {
		uint8_t k[CR_KEY_HELD_IDENTITY_MAX];
		CR_ASSERT(TERMINATED(a) && a[0] && n >= 8);
		const size_t kn = cr_key_held_identity(cr_get_u64be(p), a, k);
		CR_ASSERT(kn == n && memcmp(k, p, n) == 0);
	}
	memset(&x, 0, sizeof x);
	if (cr_product_decode(p, n, &x) != 0)
		return;
	CR_ASSERT(TERMINATED(x.issuer) && TERMINATED(x.licence) && TERMINATED(x.name));
	const size_t len = cr_product_encode(&x, buf);
	CR_ASSERT(len <= sizeof buf);
	memset(&y, 0, sizeof y);
	CR_ASSERT(cr_product_decode(buf, len, &y) == 0);
	CR_ASSERT(SAME_STR(x.issuer, y.issuer) && SAME_STR(x.licence, y.licence) &&
		  SAME_STR(x.name, y.name) && x.category == y.category);
}

/* A holding is fixed-size (canonical); an order is strings and dates. */
static void check_holding_delist(const uint8_t *p, size_t n)
{
	struct cr_holding h;
	struct cr_delist x, y;
	uint8_t hb[CR_HOLDING_ENC_LEN], buf[CR_DELIST_ENC_MAX];
	if (cr_holding_decode(p, n, &h) == 0) {
		cr_holding_encode(&h, hb);
		CR_ASSERT(n == sizeof hb && memcmp(hb, p, n) == 0);
	}
	if (cr_delist_decode(7, p, n, &x) != 0)
		return;
	CR_ASSERT(x.seq == 7 && TERMINATED(x.platform) && TERMINATED(x.product) &&
		  TERMINATED(x.by) && TERMINATED(x.reason));
	const size_t len = cr_delist_encode(&x, buf);
	CR_ASSERT(len <= sizeof buf && cr_delist_decode(7, buf, len, &y) == 0);
	CR_ASSERT(x.what == y.what && SAME_STR(x.platform, y.platform) &&
		  SAME_STR(x.product, y.product) && x.category == y.category &&
		  x.effective_days == y.effective_days && x.ordered_days == y.ordered_days &&
		  SAME_STR(x.by, y.by) && SAME_STR(x.reason, y.reason));
}

/* Secrets are canonical: what parses is laid out again byte for byte. */
static void check_secrets(const uint8_t *p, size_t n)
{
	struct cr_secrets_index x;
	char number[CR_ACCOUNT_MAX + 1];
	static uint8_t buf[4096 + 8];
	if (cr_secrets_parse(p, n, &x) != 0 || n > sizeof buf)
		return;
	CR_ASSERT(x.ident_off + x.ident_n <= n && x.acc_off <= n);
	if (x.n_acc) {
		const uint8_t *e = p + x.acc_off;
		CR_ASSERT(cr_secrets_number(p, &x, (unsigned)(e[0] << 8 | e[1]), number) == 0);
		CR_ASSERT(TERMINATED(number) && number[0] != '\0');
	}
	CR_ASSERT(cr_secrets_size(x.ident_n, n, &x, NULL) == n);
	const size_t len = cr_secrets_encode(x.has_ident, p + x.ident_off, x.ident_n, p, n, &x, 0,
					     NULL, buf);
	CR_ASSERT(len == n && memcmp(buf, p, n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *p = data + 1;
	const size_t n = size - 1;
	switch (data[0] % 17) {
	case 0: check_inst(p, n); break;
	case 1: check_subject(p, n); break;
	case 2: check_acct(p, n); break;
	case 3: check_consent(p, n); break;
	case 4: check_inquiry(p, n); break;
	case 5: check_hist(p, n); break;
	case 6: check_apikey(p, n); break;
	case 7: check_alert(p, n); break;
	case 8: check_config_and_head(p, n); break;
	case 9: check_event(p, n); break;
	case 10: check_dispute(p, n); break;
	case 11: check_revision(p, n); break;
	case 12: check_webhook(p, n); break;
	case 13: check_quality(p, n); break;
	case 14: check_product(p, n); break;
	case 15: check_holding_delist(p, n); break;
	default: check_secrets(p, n); break;
	}
	return 0;
}
