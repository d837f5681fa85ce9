/*
 * webhook.c - URL rules, secrets, signatures and the retry schedule for
 * webhook deliveries; see webhook.h.
 *
 * The URL check is deliberately narrower than RFC 3986: a lender's
 * endpoint is a plain http(s) URL, and everything unusual in one (user
 * information, fragments, non-ASCII, spaces) is more likely a mistake or
 * an attempt to smuggle credentials than a real need.  The HMAC is
 * libsodium's HMAC-SHA256 with a key of any length (the secret's text).
 */
#include "webhook.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "store.h"

_Static_assert(CR_WEBHOOK_ERROR_MAX == CR_WEBHOOK_LAST_ERROR_MAX,
	       "the store checks last_error against CR_WEBHOOK_LAST_ERROR_MAX (store.h)");

#define STR(x) #x
#define XSTR(x) STR(x)

static const char *const error_names[] = {"ok", "http", "connect", "timeout",
					  "tls", "closed", "error", "stopped"};
_Static_assert(sizeof error_names / sizeof error_names[0] == CR_WEBHOOK_ERROR_MAX + 1,
	       "one name per webhook error");

const char *cr_webhook_error_name(uint8_t err)
{
	return err <= CR_WEBHOOK_ERROR_MAX ? error_names[err] : "error";
}

static int is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_';
}

/* ":port" at a[0..n): 1-65535, digits only.  n == 0 is no port. */
static int port_ok(const char *a, size_t n)
{
	if (n == 0)
		return 1;
	if (a[0] != ':' || n < 2 || n > 6)
		return 0;
	unsigned long p = 0;
	for (size_t i = 1; i < n; i++) {
		if (a[i] < '0' || a[i] > '9')
			return 0;
		p = p * 10 + (unsigned long)(a[i] - '0');
	}
	return p >= 1 && p <= 65535;
}

/* The authority a[0..n): host, or [v6], then an optional port. */
static int authority_ok(const char *a, size_t n, const char **why)
{
	size_t h = 0;
	if (n == 0)
		return *why = "url: the host is missing", 0;
	if (memchr(a, '@', n))
		return *why = "url: user information (user:password@) is not allowed; authenticate the request with the signature", 0;
	if (a[0] == '[') {
		const char *end = memchr(a, ']', n);
		if (!end || end == a + 1)
			return *why = "url: an IPv6 address must be closed with ]", 0;
		for (h = 1; a + h < end; h++)
			if (!(a[h] == ':' || a[h] == '.' || (a[h] >= '0' && a[h] <= '9') ||
			      (a[h] >= 'a' && a[h] <= 'f') || (a[h] >= 'A' && a[h] <= 'F')))
				return *why = "url: not an IPv6 address between [ and ]", 0;
		h++;
	} else {
		while (h < n && is_host_char(a[h]))
			h++;
		if (h == 0)
			return *why = "url: the host is missing", 0;
	}
	if (!port_ok(a + h, n - h))
		return *why = "url: the host is followed by something other than a port 1-65535", 0;
	return 1;
}

int cr_webhook_url_check(const char *url, size_t len, const char **why)
{
	*why = NULL;
	if (!url || len == 0)
		return *why = "url: required, an http:// or https:// URL", CR_EINVAL;
	if (len > CR_WEBHOOK_URL_MAX)
		return *why = "url: longer than " XSTR(CR_WEBHOOK_URL_MAX) " bytes", CR_EINVAL;
	for (size_t i = 0; i < len; i++)
		if (url[i] <= ' ' || url[i] >= 0x7f)
			return *why = "url: only printable ASCII, without spaces (percent-encode the rest)",
			       CR_EINVAL;
	size_t skip;
	if (len > 7 && strncasecmp(url, "http://", 7) == 0)
		skip = 7;
	else if (len > 8 && strncasecmp(url, "https://", 8) == 0)
		skip = 8;
	else
		return *why = "url: the scheme must be http:// or https://", CR_EINVAL;
	if (memchr(url, '#', len))
		return *why = "url: a fragment (#...) is never sent; leave it out", CR_EINVAL;
	const char *a = url + skip;
	size_t n = 0;
	while (n < len - skip && a[n] != '/' && a[n] != '?')
		n++;
	return authority_ok(a, n, why) ? 0 : CR_EINVAL;
}

static int v4_private(const uint8_t b[4])
{
	return b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224 ||
	       (b[0] == 169 && b[1] == 254) || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
	       (b[0] == 192 && b[1] == 168) || (b[0] == 100 && (b[1] & 0xc0) == 64);
}

static int v6_private(const uint8_t b[16])
{
	static const uint8_t zero[16];
	if (memcmp(b, zero, 15) == 0 && b[15] <= 1)
		return 1; /* :: and ::1 */
	if ((b[0] & 0xfe) == 0xfc || b[0] == 0xff || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80))
		return 1; /* unique local, multicast, link-local */
	if (memcmp(b, zero, 10) == 0 && b[10] == 0xff && b[11] == 0xff)
		return v4_private(b + 12);
	return 0;
}

int cr_webhook_addr_private(const struct sockaddr *a)
{
	if (a->sa_family == AF_INET) {
		struct sockaddr_in in;
		memcpy(&in, a, sizeof in);
		return v4_private((const uint8_t *)&in.sin_addr);
	}
	if (a->sa_family == AF_INET6) {
		struct sockaddr_in6 in6;
		memcpy(&in6, a, sizeof in6);
		return v6_private(in6.sin6_addr.s6_addr);
	}
	return 1;
}

int cr_webhook_url_private(const char *url, size_t len)
{
	char host[CR_WEBHOOK_URL_MAX + 1];
	uint8_t b[16];
	size_t i = strncasecmp(url, "https://", 8) == 0 ? 8 : 7, n = 0;
	if (i < len && url[i] == '[') {
		for (i++; i < len && url[i] != ']' && n < sizeof host - 1; i++)
			host[n++] = url[i];
		host[n] = '\0';
		return inet_pton(AF_INET6, host, b) != 1 || v6_private(b);
	}
	for (; i < len && is_host_char(url[i]) && n < sizeof host - 1; i++)
		host[n++] = (char)(url[i] >= 'A' && url[i] <= 'Z' ? url[i] + 32 : url[i]);
	while (n && host[n - 1] == '.')
		n--; /* "localhost." is localhost */
	host[n] = '\0';
	if (strcmp(host, "localhost") == 0 ||
	    (n > 10 && strcmp(host + n - 10, ".localhost") == 0))
		return 1;
	return inet_pton(AF_INET, host, b) == 1 && v4_private(b);
}

void cr_webhook_secret_new(char out[CR_WEBHOOK_SECRET_LEN + 1])
{
	uint8_t raw[32];
	const size_t pre = sizeof CR_WEBHOOK_SECRET_PREFIX - 1;
	_Static_assert(sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING) ==
		       CR_WEBHOOK_SECRET_LEN - 6 + 1, "43 characters of base64url and a NUL");
	randombytes_buf(raw, sizeof raw);
	memcpy(out, CR_WEBHOOK_SECRET_PREFIX, pre);
	sodium_bin2base64(out + pre, CR_WEBHOOK_SECRET_LEN + 1 - pre, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	CR_ASSERT(strlen(out) == CR_WEBHOOK_SECRET_LEN);
}

void cr_webhook_hmac_hex(const uint8_t *key, size_t keylen, const char *prefix,
			 size_t prefix_len, const char *msg, size_t len,
			 char out[CR_WEBHOOK_HMAC_HEX + 1])
{
	crypto_auth_hmacsha256_state s;
	uint8_t mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&s, key, keylen);
	crypto_auth_hmacsha256_update(&s, (const uint8_t *)prefix, prefix_len);
	crypto_auth_hmacsha256_update(&s, (const uint8_t *)msg, len);
	crypto_auth_hmacsha256_final(&s, mac);
	sodium_bin2hex(out, CR_WEBHOOK_HMAC_HEX + 1, mac, sizeof mac);
	sodium_memzero(&s, sizeof s);
}

void cr_webhook_sign(const char *secret, int64_t t, const char *body, size_t len,
		     char out[CR_WEBHOOK_SIG_MAX + 1])
{
	char prefix[24], hex[CR_WEBHOOK_HMAC_HEX + 1];
	const int pn = snprintf(prefix, sizeof prefix, "%lld.", (long long)t);
	CR_ASSERT(pn > 1 && (size_t)pn < sizeof prefix);
	cr_webhook_hmac_hex((const uint8_t *)secret, strlen(secret), prefix, (size_t)pn,
			    body, len, hex);
	snprintf(out, CR_WEBHOOK_SIG_MAX + 1, "t=%lld,v1=%s", (long long)t, hex);
}

uint64_t cr_webhook_backoff_ms(uint32_t failures, uint64_t base_ms, uint32_t rnd)
{
	const uint32_t k = failures == 0 ? 0 : failures - 1;
	CR_ASSERT(base_ms <= UINT64_MAX >> (CR_WEBHOOK_DOUBLINGS_MAX + 1));
	const uint64_t d = base_ms << (k < CR_WEBHOOK_DOUBLINGS_MAX ? k : CR_WEBHOOK_DOUBLINGS_MAX);
	return d / 2 + rnd % (d / 2 + 1);
}
