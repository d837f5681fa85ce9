/*
 * cr_buf.h - a growable byte buffer with a ceiling.
 *
 * Appends grow the buffer geometrically up to max_len; past that they fail
 * with CR_ETOOBIG and leave the buffer as it was (curl's dynbuf "toobig").
 * The bytes are always NUL-terminated so they can be printed.
 */
#ifndef CR_BUF_H
#define CR_BUF_H

#include <stddef.h>
#include <stdint.h>

struct cr_buf {
	char *data;     /* owned; NUL-terminated when len > 0 */
	size_t len;
	size_t cap;
	size_t max_len; /* appends past this fail with CR_ETOOBIG */
};

void cr_buf_init(struct cr_buf *b, size_t max_len);
void cr_buf_fini(struct cr_buf *b);
/* Forgets the contents, keeps the memory. */
void cr_buf_reset(struct cr_buf *b);
int cr_buf_append(struct cr_buf *b, const void *p, size_t n);
int cr_buf_puts(struct cr_buf *b, const char *s);
int cr_buf_putc(struct cr_buf *b, char c);
int cr_buf_printf(struct cr_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cr_buf_put_i64(struct cr_buf *b, int64_t v);
/* Appends s as a JSON string literal, quotes included; control characters
 * and quotes escaped, and each byte that starts no valid UTF-8 sequence
 * shown as U+FFFD, so that the document is valid JSON whatever s holds (a
 * path, a header, a furnished line). */
int cr_buf_put_json_str(struct cr_buf *b, const char *s, size_t n);

#endif
