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
