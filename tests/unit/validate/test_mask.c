/*
 * test_mask.c - unit tests for identifiers masked in messages
 * (src/validate/mask.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cr_limits.h"
#include "mask.h"
#include "utf8.h"

static void masks_every_identifier_shape(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"11010519491231002X", "110105********002X"},
		{"id 11010519491231002x, again", "id 110105********002x, again"},
		{"near '\"110105194912310021'", "near '\"110105********0021'"},
		{"x11010519491231002", "x110105*******1002"},     /* 17: an ID cut by one */
		{"110105491231002", "110105*****1002"},           /* 15: first generation */
		{"call 13812345678.", "call 138****5678."},
		{"12812345678", "12812345678"},                   /* not a mobile prefix */
		{"1101051949123100212", "1101051949123100212"},   /* 19 digits: a number */
		{"key_id=1234567890123456", "key_id=1234567890123456"}, /* 16: a key id */
		{"seq=12 after=3", "seq=12 after=3"},
		{"a11010519491231002X13812345678", "a110105********002X138****5678"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char s[64];
		snprintf(s, sizeof s, "%s", cases[i].in);
		cr_mask_text(s, strlen(s));
		assert_string_equal(s, cases[i].out);
	}
}

static void format_masks_then_cuts_on_a_character_boundary(void **state)
{
	(void)state;
	char out[16];
	/* "ab" + U+94F6 (3 bytes) x 5: the cut at 15 bytes keeps 4 whole. */
	size_t n = cr_mask_format(out, sizeof out, "ab%s", "银银银银银");
	assert_int_equal(n, 14);
	assert_true(cr_utf8_valid(out, n));
	assert_string_equal(out, "ab银银银银");
	/* An ID across the cut is masked before it is cut. */
	n = cr_mask_format(out, sizeof out, "id=%s", "11010519491231002X");
	assert_string_equal(out, "id=110105******");
	/* Bytes that are not UTF-8 become '?'. */
	n = cr_mask_format(out, sizeof out, "%s", "a\xff\xe9\x93z");
	assert_string_equal(out, "a???z");
	/* The largest room is whole. */
	static char big[CR_MASK_TEXT_MAX + 1];
	char x[CR_MASK_TEXT_MAX + 40];
	memset(x, 'x', sizeof x - 1);
	x[sizeof x - 1] = '\0';
	memcpy(x + CR_MASK_TEXT_MAX - 5, "11010519491231002X", 18);
	n = cr_mask_format(big, sizeof big, "%s", x);
	assert_int_equal(n, CR_MASK_TEXT_MAX);
	assert_memory_equal(big + CR_MASK_TEXT_MAX - 5, "11010", 5); /* the region, masked after */
	assert_null(strstr(big, "1949"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(masks_every_identifier_shape),
		cmocka_unit_test(format_masks_then_cuts_on_a_character_boundary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
