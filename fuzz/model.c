/*
 * model.c - libFuzzer target for cr_model_parse() and the model's writer
 * and scorer.
 *
 * The input is copied into a heap buffer of exactly its size, so
 * AddressSanitizer catches any read past the end (the parser is given no
 * NUL terminator).  A rejected file must come with a line within the input
 * (or one past its last line) and a reason.  An accepted model must be
 * written back (cr_model_format), and that text must parse to a model that
 * formats to the same bytes; then a few rows are scored, values chosen to
 * hit every edge, and each score must stay in the model's range with at
 * most CR_SCORE_REASONS reasons, most points lost first.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_buf.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t lines_of(const char *p, size_t n)
{
	size_t lines = 1;
	for (size_t i = 0; i < n; i++)
		lines += p[i] == '\n';
	return lines;
}

static void score_edges(const struct cr_model *m)
{
	static const double values[] = {NAN, -INFINITY, INFINITY, 0, -1, 1, 2, 1e300, -1e300, 0.5};
	struct cr_model_bind b;
	double x[CR_MODEL_FEATURES_MAX];
	for (size_t i = 0; i < m->n_features; i++)
		b.col[i] = (uint32_t)i;
	for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
		for (size_t i = 0; i < m->n_features; i++)
			x[i] = m->feature[i].categorical && values[v] >= 0 && values[v] < 1e6
				       ? (double)((size_t)values[v] % (m->feature[i].n_levels + 1u))
				       : values[v];
		struct cr_score s;
		cr_model_score(m, &b, x, &s);
		CR_ASSERT(s.score >= m->score_min && s.score <= m->score_max);
		CR_ASSERT(s.n_reasons <= CR_SCORE_REASONS);
		CR_ASSERT(s.pd >= 0 && s.pd <= 1);
		for (size_t k = 0; k < s.n_reasons; k++) {
			CR_ASSERT(s.reason[k].points_lost > 0);
			CR_ASSERT(k == 0 || s.reason[k].points_lost <= s.reason[k - 1].points_lost);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The two models (about 640 KiB each) live for the whole run: a fresh
	 * pair per input cost more in page faults than the parse itself, and
	 * cr_model_parse clears the model it is given. */
	static struct cr_model *m, *again;
	if (!m && !(m = cr_model_new()))
		return 0;
	if (!again && !(again = cr_model_new()))
		return 0;
	char *text = malloc(size ? size : 1);
	if (!text)
		goto out;
	if (size)
		memcpy(text, data, size);
	struct cr_diag d;
	if (cr_model_parse(text, size, m, &d) != 0) {
		CR_ASSERT(d.reason != NULL);
		CR_ASSERT(d.line <= lines_of(text, size) + 1);
		goto out;
	}
	struct cr_buf one, two;
	cr_buf_init(&one, CR_MODEL_FILE_MAX);
	cr_buf_init(&two, CR_MODEL_FILE_MAX);
	CR_ASSERT(cr_model_format(m, &one) == 0);
	CR_ASSERT(cr_model_parse(one.data, one.len, again, &d) == 0);
	CR_ASSERT(cr_model_format(again, &two) == 0);
	CR_ASSERT(one.len == two.len && memcmp(one.data, two.data, one.len) == 0);
	score_edges(m);
	cr_buf_fini(&one);
	cr_buf_fini(&two);
out:
	free(text);
	return 0;
}
