/*
 * utf8.h - UTF-8 validation, cutting on character boundaries, and repair.
 *
 * JSON cannot carry bytes that are not UTF-8: cr_buf_put_json_str shows
 * each as U+FFFD (a rejected furnishing line's exact bytes travel as base64
 * beside it, ingest.h).
 */
#ifndef CR_UTF8_H
#define CR_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at p[0..n), or 0 if none starts there
 * (overlong forms, surrogates and code points above U+10FFFF are invalid). */
size_t cr_utf8_seq_len(const unsigned char *p, size_t n);
/* Non-zero when p[0..n) is entirely valid UTF-8. */
int cr_utf8_valid(const char *p, size_t n);
/*
 * What may be kept of p[0..n) cut to at most max bytes: the length of the
 * longest prefix that ends on a character boundary, never inside a
 * multi-byte character.  A byte that starts no valid sequence counts as a
 * character of its own (cr_utf8_repair makes it one).
 */
size_t cr_utf8_prefix(const char *p, size_t n, size_t max);
/* Replaces, in place, each byte of p[0..n) that is not part of a valid
 * sequence with '?', so that the text is valid UTF-8 of the same length.
 * Returns the number replaced. */
size_t cr_utf8_repair(char *p, size_t n);

#endif
