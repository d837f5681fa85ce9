/* cr_id.c - resident identity number validation; see cr_id.h. */
#include "cr_id.h"

#include <string.h>

#include "cr_date.h"
#include "cr_err.h"

char cr_id_check_char(const char *first17)
{
	/* Weights are 2^(17-i) mod 11 for position i (ISO 7064 MOD 11-2). */
	static const int weight[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char check[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (first17[i] - '0') * weight[i];
	return check[sum % 11];
}

int cr_id_province_valid(int p)
{
	static const unsigned char provinces[] = {
		11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
		41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64,
		65, 71, 81, 82, 83};
	for (size_t i = 0; i < sizeof provinces; i++)
		if (provinces[i] == p)
			return 1;
	return 0;
}

int cr_id_validate(const char *s, size_t len, int32_t asof_days,
		   char out[CR_ID_LEN + 1], int32_t *birth_days,
		   const char **reason)
{
	if (len != CR_ID_LEN) {
		*reason = "resident ID must be 18 characters";
		return CR_EINVAL;
	}
	for (int i = 0; i < 17; i++) {
		if (s[i] < '0' || s[i] > '9') {
			*reason = "resident ID must be 17 digits and a check character";
			return CR_EINVAL;
		}
	}
	char last = s[17] == 'x' ? 'X' : s[17];
	if (!((last >= '0' && last <= '9') || last == 'X')) {
		*reason = "resident ID check character must be a digit or X";
		return CR_EINVAL;
	}
	if (!cr_id_province_valid((s[0] - '0') * 10 + (s[1] - '0'))) {
		*reason = "resident ID region code names no province";
		return CR_EINVAL;
	}
	if (memcmp(s + 2, "0000", 4) == 0 && s[0] != '8') {
		*reason = "resident ID region code names no city or county";
		return CR_EINVAL;
	}
	int32_t birth;
	if (cr_date_parse_compact(s + 6, &birth) != 0) {
		*reason = "resident ID birth date is not a real date";
		return CR_EINVAL;
	}
	if (birth > asof_days) {
		*reason = "resident ID birth date is in the future";
		return CR_EINVAL;
	}
	if (cr_id_check_char(s) != last) {
		*reason = "resident ID check character is wrong";
		return CR_EINVAL;
	}
	memcpy(out, s, 17);
	out[17] = last;
	out[18] = '\0';
	*birth_days = birth;
	return 0;
}

void cr_id_mask(const char *id, char out[CR_ID_LEN + 1])
{
	if (strlen(id) != CR_ID_LEN) {
		memcpy(out, "****", 5);
		return;
	}
	memcpy(out, id, 6);
	memset(out + 6, '*', 8);
	memcpy(out + 14, id + 14, 4);
	out[18] = '\0';
}
