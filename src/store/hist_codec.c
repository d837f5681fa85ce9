/* hist_codec.c - packed account-year history; the layout is in hist_codec.h. */
#include "hist_codec.h"

#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"

static const char status_codes[] = "N1234567CGDZ*#";

#define F_PAID_IS_DUE 0x10
#define F_NO_OVERDUE 0x20
#define F_NO_DPD 0x40

static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static int get_varint(const uint8_t *p, size_t len, size_t *pos, uint64_t *v)
{
	uint64_t r = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*pos >= len)
			return CR_ECORRUPT;
		const uint8_t b = p[(*pos)++];
		/* Only the encoder's own form: no bits beyond 64, no padding
		 * (a last byte of 0 after others), so stored bytes decode one way. */
		if ((shift == 63 && (b & 0x7e)) || (shift && b == 0))
			return CR_ECORRUPT;
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return 0;
		}
	}
	return CR_ECORRUPT;
}

size_t cr_hist_encode(const struct cr_hist_year *h, uint8_t *buf)
{
	uint16_t present = 0;
	size_t n = 2;
	for (int m = 0; m < 12; m++) {
		const struct cr_month_rec *r = &h->m[m];
		if (!r->status)
			continue;
		const char *s = strchr(status_codes, r->status);
		CR_ASSERT(s != NULL);
		CR_ASSERT(r->balance >= 0 && r->due >= 0 && r->paid >= 0);
		CR_ASSERT(r->overdue >= 0 && r->dpd >= 0);
		present |= (uint16_t)(1u << m);
		uint8_t flags = (uint8_t)(s - status_codes);
		flags |= r->paid == r->due ? F_PAID_IS_DUE : 0;
		flags |= r->overdue == 0 ? F_NO_OVERDUE : 0;
		flags |= r->dpd == 0 ? F_NO_DPD : 0;
		buf[n++] = flags;
		n += put_varint(buf + n, (uint64_t)r->balance);
		n += put_varint(buf + n, (uint64_t)r->due);
		if (!(flags & F_PAID_IS_DUE))
			n += put_varint(buf + n, (uint64_t)r->paid);
		if (!(flags & F_NO_OVERDUE))
			n += put_varint(buf + n, (uint64_t)r->overdue);
		if (!(flags & F_NO_DPD))
			n += put_varint(buf + n, (uint64_t)r->dpd);
	}
	buf[0] = (uint8_t)(present & 0xff);
	buf[1] = (uint8_t)(present >> 8);
	CR_DEBUG_ASSERT(n <= CR_HIST_YEAR_MAX);
	return n;
}

/* Reads one amount varint and checks it against the amount ceiling. */
static int get_amount(const uint8_t *p, size_t len, size_t *pos, int64_t *out)
{
	uint64_t v;
	int rc = get_varint(p, len, pos, &v);
	if (rc)
		return rc;
	if (v > (uint64_t)CR_AMOUNT_MAX)
		return CR_ECORRUPT;
	*out = (int64_t)v;
	return 0;
}

static int decode_month(const uint8_t *buf, size_t len, size_t *pos,
			struct cr_month_rec *r)
{
	if (*pos >= len)
		return CR_ECORRUPT;
	const uint8_t flags = buf[(*pos)++];
	if ((flags & 0x0f) >= sizeof status_codes - 1 || (flags & 0x80))
		return CR_ECORRUPT;
	r->status = status_codes[flags & 0x0f];
	int rc = get_amount(buf, len, pos, &r->balance);
	if (!rc)
		rc = get_amount(buf, len, pos, &r->due);
	r->paid = r->due;
	if (!rc && !(flags & F_PAID_IS_DUE))
		rc = get_amount(buf, len, pos, &r->paid);
	r->overdue = 0;
	if (!rc && !(flags & F_NO_OVERDUE))
		rc = get_amount(buf, len, pos, &r->overdue);
	int64_t dpd = 0;
	if (!rc && !(flags & F_NO_DPD))
		rc = get_amount(buf, len, pos, &dpd);
	if (!rc && dpd > CR_DPD_MAX)
		rc = CR_ECORRUPT;
	r->dpd = (int32_t)dpd;
	return rc;
}

int cr_hist_decode(const uint8_t *buf, size_t len, struct cr_hist_year *out)
{
	memset(out, 0, sizeof *out);
	if (len < 2)
		return CR_ECORRUPT;
	const uint16_t present = (uint16_t)(buf[0] | buf[1] << 8);
	if (present >> 12)
		return CR_ECORRUPT;
	size_t pos = 2;
	for (int m = 0; m < 12; m++) {
		if (!(present & (1u << m)))
			continue;
		int rc = decode_month(buf, len, &pos, &out->m[m]);
		if (rc)
			return rc;
	}
	return pos == len ? 0 : CR_ECORRUPT;
}
