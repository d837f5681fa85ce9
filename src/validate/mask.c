/*
 * mask.c - identifiers masked in messages; see mask.h for the shapes.
 *
 * One pass over the text finds each maximal run of digits (with a final X
 * for an 18-character ID) and masks it by its length and first digits; a
 * run of any other length is a number, not an identifier, and is kept.
 */
#include "mask.h"

#include <stdio.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_id.h"
#include "cr_limits.h"
#include "utf8.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Masks the run s[0..n) when it has an identifier's shape; 1 when it did. */
static int mask_run(char *s, size_t n)
{
	if (n == CR_ID_LEN) {
		char id[CR_ID_LEN + 1], m[CR_ID_LEN + 1];
		memcpy(id, s, CR_ID_LEN);
		id[CR_ID_LEN] = '\0';
		cr_id_mask(id, m);
		memcpy(s, m, CR_ID_LEN);
		return 1;
	}
	if (n == CR_ID_LEN - 1 || n == 15) {
		memset(s + 6, '*', n - 10);
		return 1;
	}
	if (n == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9') {
		memset(s + 3, '*', 4);
		return 1;
	}
	return 0;
}

size_t cr_mask_text(char *s, size_t n)
{
	size_t masked = 0;
	for (size_t i = 0; i < n;) {
		if (!is_digit(s[i])) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && is_digit(s[j]))
			j++;
		/* An 18-character ID may end in X: the X belongs to the run. */
		if (j - i == CR_ID_LEN - 1 && j < n && (s[j] == 'X' || s[j] == 'x'))
			j++;
		masked += (size_t)mask_run(s + i, j - i);
		i = j;
	}
	return masked;
}

size_t cr_mask_vformat(char *dst, size_t cap, const char *fmt, va_list ap)
{
	/* Room past the cut for a whole ID, so that one that starts before
	 * the cut is masked before it is cut. */
	char buf[CR_MASK_TEXT_MAX + CR_ID_LEN + 2];
	CR_ASSERT(dst && cap >= 1 && cap <= CR_MASK_TEXT_MAX + 1);
	const int w = vsnprintf(buf, sizeof buf, fmt, ap);
	size_t n = w < 0 ? 0 : (size_t)w < sizeof buf ? (size_t)w : sizeof buf - 1;
	cr_mask_text(buf, n);
	cr_utf8_repair(buf, n);
	n = cr_utf8_prefix(buf, n, cap - 1);
	memcpy(dst, buf, n);
	dst[n] = '\0';
	return n;
}

size_t cr_mask_format(char *dst, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const size_t n = cr_mask_vformat(dst, cap, fmt, ap);
	va_end(ap);
	return n;
}
