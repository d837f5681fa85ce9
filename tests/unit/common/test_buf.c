/*
 * test_buf.c - unit tests for the growable buffer (src/common/cr_buf.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cr_buf.h"
#include "cr_err.h"

static void test_ceiling_leaves_buffer_intact(void **state)
{
	(void)state;
	struct cr_buf b;
	cr_buf_init(&b, 10);
	assert_int_equal(cr_buf_append(&b, "abcdefgh", 8), 0);
	assert_int_equal(cr_buf_append(&b, "xyz", 3), CR_ETOOBIG);
	assert_int_equal(b.len, 8);
	assert_string_equal(b.data, "abcdefgh");
	assert_int_equal(cr_buf_puts(&b, "ij"), 0);
	assert_int_equal(b.len, 10);
	assert_int_equal(cr_buf_putc(&b, 'k'), CR_ETOOBIG);
	assert_int_equal(cr_buf_printf(&b, "%d", 1), CR_ETOOBIG);
	assert_int_equal(cr_buf_put_i64(&b, 5), CR_ETOOBIG);
	assert_int_equal(cr_buf_put_json_str(&b, "", 0), CR_ETOOBIG);
	assert_string_equal(b.data, "abcdefghij");
	assert_int_equal(cr_buf_append(&b, "", 0), 0);
	cr_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_true(b.cap > 0);
	assert_string_equal(b.data, "");
	cr_buf_fini(&b);
	assert_null(b.data);
	assert_int_equal(b.max_len, 10);
}

static void test_growth_and_printf(void **state)
{
	(void)state;
	struct cr_buf b;
	char big[1000];
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	cr_buf_init(&b, 3500); /* room for three copies of big, not four */
	for (int i = 0; i < 3; i++)
		assert_int_equal(cr_buf_printf(&b, "%s", big), 0);
	assert_int_equal(b.len, 3 * 999);
	assert_int_equal(strlen(b.data), 3 * 999);
	assert_int_equal(cr_buf_printf(&b, "%s", big), CR_ETOOBIG);
	assert_int_equal(b.len, 3 * 999);
	assert_int_equal(cr_buf_printf(&b, "<%d>", 42), 0);
	assert_string_equal(b.data + 3 * 999, "<42>");
	cr_buf_fini(&b);
}

static void test_json_string(void **state)
{
	(void)state;
	struct cr_buf b;
	cr_buf_init(&b, 1024);
	const char in[] = "a\"b\\c\nd\x01\x1f\x7f\xe4\xb8\xad/";
	assert_int_equal(cr_buf_put_json_str(&b, in, sizeof in - 1), 0);
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\u000ad\\u0001\\u001f\x7f\xe4\xb8\xad/\"");
	cr_buf_reset(&b);
	assert_int_equal(cr_buf_put_json_str(&b, "", 0), 0);
	assert_string_equal(b.data, "\"\"");
	cr_buf_reset(&b);
	/* An embedded NUL is escaped, not a terminator. */
	assert_int_equal(cr_buf_put_json_str(&b, "a\0b", 3), 0);
	assert_string_equal(b.data, "\"a\\u0000b\"");
	cr_buf_reset(&b);
	/* Bytes that start no UTF-8 sequence (a stray continuation byte, a
	 * truncated sequence, an overlong form, a surrogate) are each U+FFFD;
	 * the valid text around them is kept. */
	const char bad[] = "x\xffy\xe4\xb8z\xc0\xaf\xed\xa0\x80\xe4\xb8\xad";
	assert_int_equal(cr_buf_put_json_str(&b, bad, sizeof bad - 1), 0);
	assert_string_equal(b.data, "\"x\\ufffdy\\ufffd\\ufffdz\\ufffd\\ufffd"
				    "\\ufffd\\ufffd\\ufffd\xe4\xb8\xad\"");
	cr_buf_fini(&b);
}

static void test_i64(void **state)
{
	(void)state;
	static const struct {
		int64_t v;
		const char *text;
	} cases[] = {
		{0, "0"}, {7, "7"}, {-1, "-1"}, {1000000000000000LL, "1000000000000000"},
		{INT64_MAX, "9223372036854775807"}, {INT64_MIN, "-9223372036854775808"},
	};
	struct cr_buf b;
	cr_buf_init(&b, 64);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_buf_reset(&b);
		assert_int_equal(cr_buf_put_i64(&b, cases[i].v), 0);
		assert_string_equal(b.data, cases[i].text);
	}
	cr_buf_fini(&b);
	cr_buf_init(&b, 19);
	assert_int_equal(cr_buf_put_i64(&b, INT64_MIN), CR_ETOOBIG);
	assert_int_equal(b.len, 0);
	cr_buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ceiling_leaves_buffer_intact),
		cmocka_unit_test(test_growth_and_printf),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_i64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
