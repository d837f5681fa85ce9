/*
 * cr_id.h - PRC resident identity numbers (GB 11643-1999).
 *
 * Eighteen characters: a six-digit region code, the birth date as YYYYMMDD,
 * a three-digit sequence (odd for men, even for women) and a check character
 * computed with ISO 7064 MOD 11-2 ('0'..'9' or 'X').
 *
 * The province (first two digits) is checked strictly against the GB/T 2260
 * list; the county part is only checked for shape, because IDs issued long
 * ago keep county codes that have since been abolished.
 */
#ifndef CR_ID_H
#define CR_ID_H

#include <stddef.h>
#include <stdint.h>

#include "cr_limits.h"

/* Check character for the first 17 digits (which must be digits). */
char cr_id_check_char(const char *first17);

/*
 * Validates s[0..len) as of the date asof_days (no birth after it).  On
 * success writes the normalized ID (lower-case 'x' made 'X') and a NUL into
 * out, sets *birth_days and returns 0.  On failure returns CR_EINVAL and
 * points *reason at a static explanation.
 */
int cr_id_validate(const char *s, size_t len, int32_t asof_days,
		   char out[CR_ID_LEN + 1] /* OUT */,
		   int32_t *birth_days /* OUT */, const char **reason /* OUT */);

/* Non-zero when the two-digit province code p is a GB/T 2260 province (or
 * 71/81/82/83 for Taiwan, Hong Kong, Macau and residence permits). */
int cr_id_province_valid(int p);

/* Writes the masked form "110105********002X" (6 + 8 stars + 4) and a NUL.
 * A string that is not 18 bytes long is masked entirely as "****". */
void cr_id_mask(const char *id, char out[CR_ID_LEN + 1]);

#endif
