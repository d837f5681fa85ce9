/* cr_buf.c - growable byte buffer with a ceiling; see cr_buf.h. */
#include "cr_buf.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr_err.h"

void cr_buf_init(struct cr_buf *b, size_t max_len)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max_len = max_len;
}

void cr_buf_fini(struct cr_buf *b)
{
	free(b->data);
	cr_buf_init(b, b->max_len);
}

void cr_buf_reset(struct cr_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int reserve(struct cr_buf *b, size_t n)
{
	if (n > b->max_len - b->len)
		return CR_ETOOBIG;
	const size_t need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (!p)
		return CR_ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int cr_buf_append(struct cr_buf *b, const void *p, size_t n)
{
	int rc = reserve(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int cr_buf_puts(struct cr_buf *b, const char *s)
{
	return cr_buf_append(b, s, strlen(s));
}

int cr_buf_putc(struct cr_buf *b, char c)
{
	return cr_buf_append(b, &c, 1);
}

int cr_buf_printf(struct cr_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return CR_EINVAL;
	if ((size_t)n < sizeof small)
		return cr_buf_append(b, small, (size_t)n);
	int rc = reserve(b, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int cr_buf_put_i64(struct cr_buf *b, int64_t v)
{
	char tmp[24];
	int i = sizeof tmp;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	return cr_buf_append(b, tmp + i, sizeof tmp - (size_t)i);
}

/* Escapes s[0..n), valid UTF-8, into b without the quotes. */
static int put_json_escaped(struct cr_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	int rc = 0;
	size_t run = 0; /* start of the current run of plain bytes */
	for (size_t i = 0; i < n && !rc; i++) {
		const unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		rc = cr_buf_append(b, s + run, i - run);
		run = i + 1;
		if (rc)
			break;
		if (c == '"' || c == '\\') {
			const char esc[2] = {'\\', (char)c};
			rc = cr_buf_append(b, esc, 2);
		} else {
			const char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4],
					     hex[c & 15]};
			rc = cr_buf_append(b, esc, 6);
		}
	}
	return rc ? rc : cr_buf_append(b, s + run, n - run);
}

int cr_buf_put_json_str(struct cr_buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	int rc = cr_buf_putc(b, '"');
	/* Runs of valid UTF-8, each byte that starts no valid sequence as
	 * U+FFFD: the document stays valid whatever the bytes. */
	for (size_t i = 0, run = 0; !rc && i <= n;) {
		size_t k = i < n ? (u[i] < 0x80 ? 1 : cr_utf8_seq_len(u + i, n - i)) : 0;
		if (i < n && k) {
			i += k;
			continue;
		}
		rc = put_json_escaped(b, s + run, i - run);
		if (!rc && i < n)
			rc = cr_buf_puts(b, "\\ufffd");
		run = ++i;
	}
	return rc ? rc : cr_buf_putc(b, '"');
}
