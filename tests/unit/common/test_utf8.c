/*
 * test_utf8.c - unit tests for the UTF-8 cut and repair (src/common/utf8.c)
 * that every message formatter relies on (mask.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "utf8.h"

static void utf8_prefix_and_repair(void **state)
{
	(void)state;
	const char *s = "a\xc3\xa9\xe9\x93\xb6z"; /* a é 银 z */
	assert_int_equal(cr_utf8_prefix(s, 7, 7), 7);
	assert_int_equal(cr_utf8_prefix(s, 7, 6), 6);
	assert_int_equal(cr_utf8_prefix(s, 7, 5), 3);
	assert_int_equal(cr_utf8_prefix(s, 7, 2), 1);
	assert_int_equal(cr_utf8_prefix(s, 7, 0), 0);
	assert_int_equal(cr_utf8_prefix("\xff\xfe", 2, 1), 1);
	char t[] = "a\xe9\x93" "b\x80";
	assert_int_equal(cr_utf8_repair(t, strlen(t)), 3);
	assert_string_equal(t, "a??b?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utf8_prefix_and_repair),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
