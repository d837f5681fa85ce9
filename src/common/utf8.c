/* utf8.c - UTF-8 validation (RFC 3629 table 3-7); see utf8.h. */
#include "utf8.h"

#include "cr_err.h"

size_t cr_utf8_seq_len(const unsigned char *p, size_t n)
{
	const unsigned c = p[0];
	if (c < 0x80)
		return 1;
	size_t len;
	unsigned lo = 0x80, hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

int cr_utf8_valid(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	for (size_t i = 0; i < n;) {
		size_t k = cr_utf8_seq_len(u + i, n - i);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

int cr_utf8_put_json_lossy(struct cr_buf *b, const char *p, size_t n)
{
	if (cr_utf8_valid(p, n))
		return cr_buf_put_json_str(b, p, n);
	struct cr_buf clean;
	cr_buf_init(&clean, 3 * n + 16);
	const unsigned char *u = (const unsigned char *)p;
	int rc = 0;
	for (size_t i = 0; i < n && !rc;) {
		size_t k = cr_utf8_seq_len(u + i, n - i);
		rc = k ? cr_buf_append(&clean, p + i, k)
		       : cr_buf_append(&clean, "\xef\xbf\xbd", 3);
		i += k ? k : 1;
	}
	if (!rc)
		rc = cr_buf_put_json_str(b, clean.data ? clean.data : "", clean.len);
	cr_buf_fini(&clean);
	return rc;
}

size_t cr_utf8_prefix(const char *p, size_t n, size_t max)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;
	while (i < n) {
		const size_t k = cr_utf8_seq_len(u + i, n - i);
		const size_t step = k ? k : 1;
		if (step > max - i)
			break;
		i += step;
	}
	return i;
}

size_t cr_utf8_repair(char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t fixed = 0;
	for (size_t i = 0; i < n;) {
		const size_t k = cr_utf8_seq_len(u + i, n - i);
		if (k) {
			i += k;
			continue;
		}
		p[i++] = '?';
		fixed++;
	}
	return fixed;
}
