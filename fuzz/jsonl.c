/*
 * jsonl.c - libFuzzer target for cr_jsonl_parse() and cr_validate_record().
 *
 * The input is copied into a heap buffer of exactly its size, so
 * AddressSanitizer catches any read past the end of the line (the parser is
 * given no NUL terminator, as in ingest).  A record the parser accepts is
 * also run through the validator, and its strings must be NUL-terminated
 * within their arrays; a valid product or holding must pass its record
 * check.
 *
 * jansson, the project's general JSON library, is the oracle for syntax: a
 * line the parser accepts must be a JSON object to jansson too, and a line
 * it calls invalid JSON or invalid UTF-8 must not be a JSON object to
 * jansson.  Two
 * exceptions: nesting deeper than the parser's limit, which jansson allows,
 * and a raw NUL byte, which jansson 2.14 takes for the end of a number token
 * and then skips ({"a":5<NUL>,"b":1} loads as an object).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cr_assert.h"
#include "jsonl.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size ? size : 1);
	if (!line)
		return 0;
	if (size)
		memcpy(line, data, size);
	struct cr_record r;
	struct cr_diag d = {0}, vd = {0};
	/* 2024-06-30 as days since 1970-01-01. */
	const int32_t asof_days = 19904;
	const int rc = cr_jsonl_parse(line, size, asof_days, &r, &d);
	if (rc == 0) {
		CR_ASSERT(r.type >= CR_REC_INSTITUTION && r.type <= CR_REC_TYPE_COUNT);
		if (r.type == CR_REC_EVENT)
			CR_ASSERT(memchr(r.u.event.event_id, '\0', sizeof r.u.event.event_id));
		if (r.type == CR_REC_ACCOUNT) {
			CR_ASSERT(memchr(r.u.account.name, '\0', sizeof r.u.account.name));
			CR_ASSERT(r.u.account.n_colenders <= CR_COLENDERS_MAX);
		}
		const int bad = cr_validate_record(&r, asof_days, &vd);
		if (bad)
			CR_ASSERT(vd.reason != NULL);
		/* A valid shelf record holds what the store checks (docs/shelf.md). */
		if (!bad && r.type == CR_REC_PRODUCT)
			CR_ASSERT(cr_product_check(&r.u.product) == 0);
		if (!bad && r.type == CR_REC_HOLDING)
			CR_ASSERT(cr_holding_check(&r.u.holding) == 0);
	} else {
		CR_ASSERT(d.reason != NULL);
		CR_ASSERT(memchr(d.field, '\0', sizeof d.field) != NULL);
	}
	json_error_t err;
	json_t *oracle = json_loadb(line, size, 0, &err);
	if (rc == 0) {
		CR_ASSERT(oracle != NULL && json_is_object(oracle));
	} else if ((strncmp(d.reason, "invalid JSON", 12) == 0 ||
		    strcmp(d.reason, "line is not valid UTF-8") == 0) &&
		   memchr(line, '\0', size) == NULL) {
		CR_ASSERT(oracle == NULL || !json_is_object(oracle) ||
			  strcmp(d.reason, "invalid JSON: nested too deeply") == 0);
	}
	json_decref(oracle);
	free(line);
	return 0;
}
