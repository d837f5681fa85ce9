/*
 * jsonl.h - the native furnishing format: JSON Lines, one record per line.
 *
 * cr_jsonl_parse() turns one line into a struct cr_record.  It is a
 * single-pass parser specialised for the flat records of docs/FORMAT.md
 * (string and integer fields, plus the co_lenders array of small objects),
 * written for the ingest hot path: no allocation, no intermediate tree.
 *
 * It checks everything that can be checked from the line alone: JSON syntax,
 * UTF-8, known fields for the record type, required fields, field types,
 * closed enumerations, string lengths, integers (a number with a fraction or
 * exponent is refused with "amounts are integers in minor units"), dates and
 * months, the resident ID (cr_id.h), and information a bureau may not
 * collect (prohibited.h), refused with CR_REASON_PROHIBITED whether it comes
 * as a key or as a marker in free text.  Cross-field rules (status against
 * dpd, co-lender shares) are in validate.h; rules that need the store
 * (unknown account) are in ingest.
 */
#ifndef CR_JSONL_H
#define CR_JSONL_H

#include <stddef.h>
#include <stdint.h>

#include "cr_record.h"

/*
 * Parses line[0..len) (no trailing newline; a trailing '\r' is tolerated).
 * asof_days is "today" for the ID birth-date check.
 * Returns 0 and fills *out, or CR_EINVAL and fills diag->field and
 * diag->reason (diag->line is left to the caller).  Never allocates, never
 * reads outside line[0..len).
 */
int cr_jsonl_parse(const char *line, size_t len, int32_t asof_days,
		   struct cr_record *out /* OUT */, struct cr_diag *diag /* OUT */);

/*
 * The same for a request that names its record type itself (POST
 * /v1/consents): without a "type" member the record is of type type; with
 * one, it must be that type.  Only CR_REC_CONSENT is taken without it.
 */
int cr_jsonl_parse_as(const char *line, size_t len, int32_t asof_days, uint8_t type,
		      struct cr_record *out /* OUT */, struct cr_diag *diag /* OUT */);

#endif
