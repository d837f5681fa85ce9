/*
 * id.c - libFuzzer target for resident ID numbers (cr_id.h).
 *
 * cr_id_validate() on an exact-size heap copy of the input (ASan sees any
 * over-read).  An ID it accepts must be 18 characters, digits then a digit
 * or 'X', with the right check character, a valid province, a birth date on
 * or before the as-of date that matches its digits, and must validate again
 * to itself; a refusal must give a reason.  cr_id_mask() of any 18 bytes
 * keeps only the first 6 and last 4, and of anything else shows none.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "cr_id.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const int32_t asof = cr_days_from_civil(2026, 6, 30);
	char *s = malloc(size ? size : 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	char out[CR_ID_LEN + 1], again[CR_ID_LEN + 1];
	int32_t birth = 0, birth2 = 0;
	const char *why = NULL;
	int rc = cr_id_validate(s, size, asof, out, &birth, &why);
	if (rc == 0) {
		CR_ASSERT(strlen(out) == CR_ID_LEN);
		for (int i = 0; i < 17; i++)
			CR_ASSERT(out[i] >= '0' && out[i] <= '9');
		CR_ASSERT(out[17] == cr_id_check_char(out));
		CR_ASSERT(cr_id_province_valid((out[0] - '0') * 10 + (out[1] - '0')));
		int32_t digits;
		CR_ASSERT(cr_date_parse_compact(out + 6, &digits) == 0 && digits == birth);
		CR_ASSERT(birth <= asof);
		CR_ASSERT(cr_id_validate(out, CR_ID_LEN, asof, again, &birth2, &why) == 0);
		CR_ASSERT(strcmp(out, again) == 0 && birth2 == birth);
	} else {
		CR_ASSERT(rc == CR_EINVAL && why && why[0]);
	}
	/* Masking: the input as a C string, cut at its first NUL. */
	char *z = malloc(size + 1);
	if (z) {
		memcpy(z, data, size);
		z[size] = '\0';
		char m[CR_ID_LEN + 1];
		cr_id_mask(z, m);
		if (strlen(z) == CR_ID_LEN) {
			CR_ASSERT(memcmp(m, z, 6) == 0 && memcmp(m + 14, z + 14, 4) == 0);
			for (int i = 6; i < 14; i++)
				CR_ASSERT(m[i] == '*');
		} else {
			CR_ASSERT(strspn(m, "*") == strlen(m));
		}
		free(z);
	}
	free(s);
	return 0;
}
