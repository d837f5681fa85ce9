/*
 * store_codec.h - byte layouts of the stored records (other than history).
 *
 * Each encoder writes into a caller buffer of the *_MAX size and returns the
 * length; each decoder checks every length against its buffer and returns
 * CR_ECORRUPT rather than trust stored bytes.  Integers are big-endian so
 * that, in keys, byte order is numeric order.  Strings are a length byte and
 * the bytes.  Dates in sort positions are biased by 2^31 so that the
 * unsigned byte order of a signed day number is chronological.
 */
#ifndef CR_STORE_CODEC_H
#define CR_STORE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Account key: institution code, NUL, the 16-byte keyed hash of the account
 * number (the number itself is stored only encrypted, in the value). */
#define CR_ACCT_HASH_LEN 16
#define CR_ACCT_KEY_MAX (CR_INST_CODE_MAX + 1 + CR_ACCT_HASH_LEN)
#define CR_ACCT_ENC_MAX (1 + CR_INST_CODE_MAX + 29 + CR_COLENDERS_MAX * (1 + CR_INST_CODE_MAX + 2))
#define CR_SUBJECT_ENC_MAX (CR_ID_LEN + 4 + 3 + CR_NAME_MAX + CR_PHONE_MAX + CR_ADDRESS_MAX)
#define CR_CONSENT_ENC_MAX (4 + 3 + 1 + CR_INST_CODE_MAX + 4 + 4 + 1 + CR_EVIDENCE_MAX)
#define CR_INQUIRY_ENC_MAX (4 + 8 + 2 + 1 + CR_INST_CODE_MAX)

void cr_put_u64be(uint8_t *p, uint64_t x);
uint64_t cr_get_u64be(const uint8_t *p);

size_t cr_inst_encode(const struct cr_institution *in, uint8_t *buf);
int cr_inst_decode(const char *code, const uint8_t *p, size_t n,
		   struct cr_institution *out /* OUT */);

size_t cr_subject_encode(const struct cr_subject *s, uint8_t *buf);
int cr_subject_decode(const uint8_t *p, size_t n, struct cr_subject *out /* OUT */);

size_t cr_acct_key(const char *inst, const uint8_t hash[CR_ACCT_HASH_LEN],
		   uint8_t *buf);
/* Encodes the institution and every field of the furnished account but
 * the number, which the store seals and appends itself; the account id and
 * the subject are the record's key, not its value. */
size_t cr_acct_encode(const struct cr_account_rec *r, uint8_t *buf);
/* Decodes what cr_acct_encode wrote; *used is the number of bytes consumed
 * (the sealed number follows). */
int cr_acct_decode(const uint8_t *p, size_t n, struct cr_account_rec *out /* OUT */,
		   size_t *used /* OUT */);
/* A day number in 4 bytes whose byte order is chronological. */
void cr_put_date(uint8_t *p, int32_t days);
int32_t cr_get_date(const uint8_t *p);
void cr_put_i32be(uint8_t *p, int32_t x);
int32_t cr_get_i32be(const uint8_t *p);

size_t cr_consent_encode(const struct cr_consent_fact *f, uint8_t *buf);
int cr_consent_decode(const uint8_t *p, size_t n, struct cr_consent_fact *out /* OUT */);

size_t cr_inquiry_encode(const struct cr_inquiry *q, uint8_t *buf);
int cr_inquiry_decode(const uint8_t *p, size_t n, struct cr_inquiry *out /* OUT */);

#endif
