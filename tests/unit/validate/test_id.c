/*
 * test_id.c - unit tests for resident identity numbers (src/validate/cr_id.c).
 *
 * The check character is recomputed here from the ISO 7064 MOD 11-2
 * definition (weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11,
 * 10 written X), so the test does not trust the code it tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cr_date.h"
#include "cr_err.h"
#include "cr_id.h"

static int32_t asof(void)
{
	return cr_days_from_civil(2024, 6, 30);
}

static int weighted_sum(const char *first17)
{
	int sum = 0, w = 1;
	for (int i = 16; i >= 0; i--) {
		w = w * 2 % 11; /* 2^(17-i) mod 11 */
		sum += (first17[i] - '0') * w;
	}
	return sum;
}

static char mod11_2(const char *first17)
{
	const int c = (12 - weighted_sum(first17) % 11) % 11;
	return c == 10 ? 'X' : (char)('0' + c);
}

/* Writes first17 and its check character into out (19 bytes). */
static void make_id(const char *first17, char out[CR_ID_LEN + 1])
{
	memcpy(out, first17, 17);
	out[17] = mod11_2(first17);
	out[18] = '\0';
}

static int validate(const char *s, size_t len, const char **reason)
{
	char out[CR_ID_LEN + 1];
	int32_t birth;
	return cr_id_validate(s, len, asof(), out, &birth, reason);
}

static void expect_reason(const char *s, size_t len, const char *want)
{
	const char *reason = NULL;
	assert_int_equal(validate(s, len, &reason), CR_EINVAL);
	assert_string_equal(reason, want);
}

static void test_published_example(void **state)
{
	(void)state;
	char out[CR_ID_LEN + 1];
	int32_t birth;
	const char *reason = NULL;
	assert_int_equal(mod11_2("11010519491231002"), 'X');
	assert_int_equal(cr_id_check_char("11010519491231002"), 'X');
	assert_int_equal(cr_id_validate("11010519491231002X", 18, asof(), out,
					&birth, &reason), 0);
	assert_string_equal(out, "11010519491231002X");
	assert_int_equal(birth, cr_days_from_civil(1949, 12, 31));
}

static void test_generated_ids(void **state)
{
	(void)state;
	static const char *const bodies[] = {
		"44030119900307123", "31011520000229004", "65010219851111567",
		"81000019700101001", "51010720240630009", "33010619991231998",
	};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		char id[CR_ID_LEN + 1], out[CR_ID_LEN + 1];
		int32_t birth;
		const char *reason = NULL;
		make_id(bodies[i], id);
		assert_int_equal(cr_id_check_char(bodies[i]), id[17]);
		if (cr_id_validate(id, 18, asof(), out, &birth, &reason) != 0)
			print_error("%s: %s\n", id, reason);
		assert_int_equal(cr_id_validate(id, 18, asof(), out, &birth, &reason), 0);
		assert_string_equal(out, id);
	}
}

/* Any one substituted character changes the MOD 11-2 sum (each weight is a
 * unit mod the prime 11), so every single-character corruption fails. */
static void test_every_substitution(void **state)
{
	(void)state;
	static const char alphabet[] = "0123456789X";
	const char *good = "11010519491231002X";
	const int sum = weighted_sum(good);
	int tried = 0;
	for (int pos = 0; pos < CR_ID_LEN; pos++) {
		for (const char *c = alphabet; *c; c++) {
			if (*c == good[pos])
				continue;
			char bad[CR_ID_LEN + 1];
			memcpy(bad, good, sizeof bad);
			bad[pos] = *c;
			if (pos < 17 && *c != 'X')
				assert_int_not_equal((weighted_sum(bad) - sum) % 11, 0);
			const char *reason = NULL;
			assert_int_equal(validate(bad, 18, &reason), CR_EINVAL);
			assert_non_null(reason);
			tried++;
		}
	}
	assert_int_equal(tried, CR_ID_LEN * 10);
}

static void test_lowercase_x(void **state)
{
	(void)state;
	char out[CR_ID_LEN + 1];
	int32_t birth;
	const char *reason = NULL;
	assert_int_equal(cr_id_validate("11010519491231002x", 18, asof(), out,
					&birth, &reason), 0);
	assert_string_equal(out, "11010519491231002X");
}

static void test_rejections(void **state)
{
	(void)state;
	char id[CR_ID_LEN + 1];
	expect_reason("11010519491231002", 17, "resident ID must be 18 characters");
	expect_reason("11010519491231002X1", 19, "resident ID must be 18 characters");
	expect_reason("", 0, "resident ID must be 18 characters");
	expect_reason("1101051949123100AX", 18,
		      "resident ID must be 17 digits and a check character");
	expect_reason("11010519491231002Y", 18,
		      "resident ID check character must be a digit or X");
	make_id("99010519491231002", id);
	expect_reason(id, 18, "resident ID region code names no province");
	make_id("10010519491231002", id);
	expect_reason(id, 18, "resident ID region code names no province");
	make_id("11000019491231002", id);
	expect_reason(id, 18, "resident ID region code names no city or county");
	make_id("11010520230230002", id); /* 30 February */
	expect_reason(id, 18, "resident ID birth date is not a real date");
	make_id("11010519491331002", id); /* month 13 */
	expect_reason(id, 18, "resident ID birth date is not a real date");
	make_id("11010518991231002", id); /* before 1900 */
	expect_reason(id, 18, "resident ID birth date is not a real date");
	make_id("11010520240701002", id); /* the day after as-of */
	expect_reason(id, 18, "resident ID birth date is in the future");
	make_id("11010520240630002", id); /* born on the as-of day */
	const char *reason = NULL;
	assert_int_equal(validate(id, 18, &reason), 0);
	memcpy(id, "110105194912310021", 19);
	expect_reason(id, 18, "resident ID check character is wrong");
}

static void test_mask(void **state)
{
	(void)state;
	char out[CR_ID_LEN + 1];
	cr_id_mask("11010519491231002X", out);
	assert_string_equal(out, "110105********002X");
	cr_id_mask("1101", out);
	assert_string_equal(out, "****");
	cr_id_mask("", out);
	assert_string_equal(out, "****");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_published_example),
		cmocka_unit_test(test_generated_ids),
		cmocka_unit_test(test_every_substitution),
		cmocka_unit_test(test_lowercase_x),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
