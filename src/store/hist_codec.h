/*
 * hist_codec.h - the packed on-disk form of one account-year of history.
 *
 * Layout: a 16-bit little-endian bitmap of the months present (bit m = month
 * m, January = 0), then one entry per present month in month order:
 *
 *   u8 flags   bits 0-3: status index in "N1234567CGDZ*#"
 *              bit 4: paid == due (paid omitted)
 *              bit 5: overdue == 0 (omitted)
 *              bit 6: dpd == 0 (omitted)
 *   varint balance, varint due, [varint paid], [varint overdue], [varint dpd]
 *
 * Varints are unsigned LEB128.  A typical on-time month is 1 flag byte and
 * two short varints: 6 to 8 bytes, which is what keeps the store under the
 * 16 bytes per account-month target (docs/storage.md).
 */
#ifndef CR_HIST_CODEC_H
#define CR_HIST_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Largest encoded year: bitmap + 12 full entries of 1 + 5 varints of 10. */
#define CR_HIST_YEAR_MAX (2 + 12 * (1 + 5 * 10))

/* Encodes h into buf (at least CR_HIST_YEAR_MAX bytes); returns the length.
 * Amounts and dpd must be non-negative (validated on the way in). */
size_t cr_hist_encode(const struct cr_hist_year *h, uint8_t *buf);
/* Decodes buf[0..len) into *out; CR_ECORRUPT on any inconsistency. */
int cr_hist_decode(const uint8_t *buf, size_t len, struct cr_hist_year *out /* OUT */);

#endif
