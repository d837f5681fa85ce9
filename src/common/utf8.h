/*
 * utf8.h - UTF-8 validation.
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

#endif
