/* Unit tests for webhook.c: the HMAC against RFC 4231, the signature
 * header, secrets, the retry schedule and the URL rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>

#include "cr_err.h"
#include "webhook.h"

/* RFC 4231 test cases 1, 2 and 6 (a key longer than the block size). */
static void hmac_matches_rfc_4231(void **state)
{
	(void)state;
	char hex[CR_WEBHOOK_HMAC_HEX + 1];
	uint8_t k1[20], k6[131];
	memset(k1, 0x0b, sizeof k1);
	memset(k6, 0xaa, sizeof k6);
	cr_webhook_hmac_hex(k1, sizeof k1, "", 0, "Hi There", 8, hex);
	assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	cr_webhook_hmac_hex((const uint8_t *)"Jefe", 4, "what do ya ", 11, "want for nothing?", 17, hex);
	assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
	cr_webhook_hmac_hex(k6, sizeof k6, "", 0, m6, strlen(m6), hex);
	assert_string_equal(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

/* The header is t=<seconds>,v1=<HMAC(secret text, "<t>.<body>")>. */
static void signature_header_signs_time_and_body(void **state)
{
	(void)state;
	const char *secret = "whsec_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
	const char *body = "{\"alerts\":[],\"next\":\"0\"}";
	char sig[CR_WEBHOOK_SIG_MAX + 1], want[CR_WEBHOOK_HMAC_HEX + 1], line[128];
	cr_webhook_sign(secret, 1782784800, body, strlen(body), sig);
	cr_webhook_hmac_hex((const uint8_t *)secret, strlen(secret), "", 0,
			    "1782784800.{\"alerts\":[],\"next\":\"0\"}",
			    strlen(body) + 11, want);
	snprintf(line, sizeof line, "t=1782784800,v1=%s", want);
	assert_string_equal(sig, line);
	/* Computed independently (Python's hmac module). */
	assert_string_equal(sig, "t=1782784800,v1=2e375978a6a68f5b6ba6ffeae64517c738510a8357607591cc0ec02fe387ea46");
	char other[CR_WEBHOOK_SIG_MAX + 1];
	cr_webhook_sign(secret, 1782784801, body, strlen(body), other);
	assert_string_not_equal(sig + 16, other + 16);
	cr_webhook_sign(secret, -1, body, strlen(body), other);
	assert_int_equal(strncmp(other, "t=-1,v1=", 8), 0);
}

static void secrets_are_random_base64url(void **state)
{
	(void)state;
	char a[CR_WEBHOOK_SECRET_LEN + 1], b[CR_WEBHOOK_SECRET_LEN + 1];
	cr_webhook_secret_new(a);
	cr_webhook_secret_new(b);
	assert_int_equal(strlen(a), CR_WEBHOOK_SECRET_LEN);
	assert_int_equal(strncmp(a, "whsec_", 6), 0);
	assert_int_equal(strspn(a + 6, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
	assert_string_not_equal(a, b);
}

/* Each delay lies in [d/2, d] for d = base * 2^(n-1), capped at 2^9. */
static void backoff_doubles_with_jitter_up_to_the_cap(void **state)
{
	(void)state;
	const uint64_t base = 5000;
	for (uint32_t n = 1; n <= 14; n++) {
		const uint64_t d = base << (n - 1 < 9 ? n - 1 : 9);
		assert_int_equal(cr_webhook_backoff_ms(n, base, 0), d / 2);
		assert_int_equal(cr_webhook_backoff_ms(n, base, (uint32_t)(d / 2)), d);
		for (uint32_t r = 1; r < 4000000000u; r += 123456789) {
			const uint64_t ms = cr_webhook_backoff_ms(n, base, r);
			assert_true(ms >= d / 2 && ms <= d);
		}
	}
	assert_int_equal(cr_webhook_backoff_ms(10, base, UINT32_MAX) <= 2560000, 1);
	assert_int_equal(cr_webhook_backoff_ms(1000000, base, 0), 1280000);
	/* The schedule at the default base, without jitter (the top). */
	const uint64_t top[] = {5000, 10000, 20000, 40000, 80000, 160000, 320000,
				640000, 1280000, 2560000, 2560000};
	for (uint32_t n = 1; n <= 11; n++)
		assert_int_equal(cr_webhook_backoff_ms(n, base, UINT32_MAX) <= top[n - 1], 1);
	/* A millisecond base for tests: 10 ms, 20 ms, 40 ms. */
	assert_int_equal(cr_webhook_backoff_ms(3, 10, 20), 40);
	/* Successive gaps never shrink before the cap, whatever the draw. */
	assert_true(cr_webhook_backoff_ms(2, base, 0) >= cr_webhook_backoff_ms(1, base, UINT32_MAX) - 1);
}

static void url_rules(void **state)
{
	(void)state;
	static const char *const good[] = {
		"https://hooks.example.com/creditref",
		"http://127.0.0.1:8081/hook?token=abc",
		"HTTPS://Example.COM",
		"https://[::1]:443/x",
		"http://a.b-c_d.example:65535/",
		"https://example.com?x=1",
	};
	static const char *const bad[] = {
		"", "ftp://example.com/", "file:///etc/passwd", "https://", "https:///path",
		"https://user:pw@example.com/", "https://user@example.com/",
		"https://example.com/#frag", "https://exa mple.com/", "https://example.com:0/",
		"https://example.com:65536/", "https://example.com:80a/", "https://[::1/",
		"https://[]/", "https://[zz::1]/", "javascript:alert(1)", "https:/example.com",
		"https://example.com/\x01", "https://ex\xc3\xa4mple.com/", "//example.com/",
		"https://example.com:/",
	};
	const char *why;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (cr_webhook_url_check(good[i], strlen(good[i]), &why) != 0)
			fail_msg("%s refused: %s", good[i], why);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (cr_webhook_url_check(bad[i], strlen(bad[i]), &why) != CR_EINVAL)
			fail_msg("%s accepted", bad[i]);
		assert_non_null(why);
		assert_int_equal(strncmp(why, "url: ", 5), 0);
		assert_null(strstr(why, "example"));
	}
	char longest[CR_WEBHOOK_URL_MAX + 2];
	memset(longest, 'a', sizeof longest);
	memcpy(longest, "https://example.com/", 20);
	assert_int_equal(cr_webhook_url_check(longest, CR_WEBHOOK_URL_MAX, &why), 0);
	assert_int_equal(cr_webhook_url_check(longest, CR_WEBHOOK_URL_MAX + 1, &why), CR_EINVAL);
	assert_string_equal(why, "url: longer than 512 bytes");
	/* Only len bytes count: what follows is not looked at. */
	assert_int_equal(cr_webhook_url_check("https://example.com/ x", 20, &why), 0);
}

static int addr_private(int family, const char *text)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	ss.ss_family = (sa_family_t)family;
	void *dst = family == AF_INET ? (void *)&((struct sockaddr_in *)&ss)->sin_addr
				      : (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr;
	assert_int_equal(inet_pton(family, text, dst), 1);
	return cr_webhook_addr_private((const struct sockaddr *)&ss);
}

/* Loopback, private, link-local and the like are refused unless allowed. */
static void private_destinations(void **state)
{
	(void)state;
	static const char *const v4_private[] = {"127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.0.1",
						 "172.31.255.255", "192.168.1.1", "169.254.169.254",
						 "100.64.0.1", "0.0.0.0", "224.0.0.1"};
	static const char *const v4_public[] = {"8.8.8.8", "172.32.0.1", "192.169.0.1", "100.128.0.1",
						"11.0.0.1"};
	static const char *const v6_private[] = {"::1", "::", "fd00::1", "fc00::1", "fe80::1",
						 "ff02::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3"};
	static const char *const v6_public[] = {"2001:db8::1", "2606:4700::1111", "::ffff:8.8.8.8"};
	for (size_t i = 0; i < sizeof v4_private / sizeof v4_private[0]; i++)
		assert_int_equal(addr_private(AF_INET, v4_private[i]), 1);
	for (size_t i = 0; i < sizeof v4_public / sizeof v4_public[0]; i++)
		assert_int_equal(addr_private(AF_INET, v4_public[i]), 0);
	for (size_t i = 0; i < sizeof v6_private / sizeof v6_private[0]; i++)
		assert_int_equal(addr_private(AF_INET6, v6_private[i]), 1);
	for (size_t i = 0; i < sizeof v6_public / sizeof v6_public[0]; i++)
		assert_int_equal(addr_private(AF_INET6, v6_public[i]), 0);
	struct sockaddr other = {.sa_family = AF_UNIX};
	assert_int_equal(cr_webhook_addr_private(&other), 1);
	static const char *const url_private[] = {"http://127.0.0.1:8080/x", "http://LOCALHOST/",
						  "https://localhost.:443", "http://a.localhost/",
						  "https://[::1]/", "http://10.9.8.7?x", "https://[fe80::1]:8443/"};
	static const char *const url_public[] = {"https://hooks.example.com/", "http://8.8.8.8/",
						 "https://[2001:db8::1]/", "https://localhost.example.com/"};
	for (size_t i = 0; i < sizeof url_private / sizeof url_private[0]; i++)
		if (!cr_webhook_url_private(url_private[i], strlen(url_private[i])))
			fail_msg("%s not private", url_private[i]);
	for (size_t i = 0; i < sizeof url_public / sizeof url_public[0]; i++)
		if (cr_webhook_url_private(url_public[i], strlen(url_public[i])))
			fail_msg("%s private", url_public[i]);
}

static void error_names(void **state)
{
	(void)state;
	assert_string_equal(cr_webhook_error_name(CR_WEBHOOK_CONNECT), "connect");
	assert_string_equal(cr_webhook_error_name(CR_WEBHOOK_STOPPED), "stopped");
	assert_string_equal(cr_webhook_error_name(200), "error");
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hmac_matches_rfc_4231),
		cmocka_unit_test(signature_header_signs_time_and_body),
		cmocka_unit_test(secrets_are_random_base64url),
		cmocka_unit_test(backoff_doubles_with_jitter_up_to_the_cap),
		cmocka_unit_test(url_rules),
		cmocka_unit_test(private_destinations),
		cmocka_unit_test(error_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
