/*
 * mask.h - personal identifiers masked in every text that leaves the
 * bureau as a message: audit reasons and details, problem details of the
 * HTTP API, error messages of the CLI (DESIGN.md rule 5: logs and errors
 * mask identifiers).
 *
 * A message is often built from what a caller sent: a field's name, a
 * value that was refused, a parser's view of a broken body.  So masking is
 * not left to each site that writes one: every such text is formatted
 * with cr_mask_format (or passed through cr_mask_text), which masks
 * whatever has the shape of an identifier, whether or not it is one:
 *
 *   - a resident ID: a run of 18 characters, 17 digits and a digit or X
 *     (x), shown as cr_id_mask shows one ("110105********002X"); a run of
 *     17 digits (such an ID without its last character) or of 15 (a
 *     first-generation ID) the same way: the first 6 and the last 4 kept;
 *   - a mainland mobile number: 11 digits, 13..19 first: "138****5678".
 *
 * A run is whole: a digit right before or after it makes it part of a
 * longer number, which is left alone (16-digit key ids, counters).  The
 * masked text has the length of the original.
 *
 * cr_mask_format also makes the text fit: it masks first, then replaces
 * any byte that is not UTF-8 with '?', then cuts on a character boundary
 * (utf8.h, cr_utf8_prefix), so an identifier at the cut is masked before
 * it is cut and a multi-byte character is never split.
 */
#ifndef CR_MASK_H
#define CR_MASK_H

#include <stdarg.h>
#include <stddef.h>

/* Masks, in place, every identifier-shaped run in s[0..n) (above).
 * Returns how many were masked. */
size_t cr_mask_text(char *s, size_t n);

/*
 * Formats fmt into dst (cap bytes, 1 <= cap <= CR_MASK_TEXT_MAX + 1, NUL
 * included) as vsnprintf would, with identifiers masked, invalid UTF-8
 * replaced and the text cut on a character boundary to fit.  Returns the
 * length written.
 */
size_t cr_mask_format(char *dst, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
size_t cr_mask_vformat(char *dst, size_t cap, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif
