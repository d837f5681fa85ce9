/*
 * suppress.c - the rule that keeps every individual out of the aggregates;
 * see aggregates.h and docs/supervision.md.
 *
 * 1. A cell of 1..min_cell-1 borrowers is suppressed (small).
 * 2. Within a group of cells whose sum is known (a whole grouping; the
 *    prefectures of one province, whose sum the province publishes), the
 *    suppressed borrowers must be 0 or at least min_cell: while they are
 *    not, the smallest cell still shown is suppressed too (complement).
 *    So a published total minus the published cells gives at most the sum
 *    of min_cell people or more, never one cell of fewer.
 * 3. A suppressed province suppresses its prefectures.
 * 4. A cell's multi-lending histogram is top-coded (the highest bins
 *    merged downwards while under min_cell), then hidden when a bin is
 *    still under min_cell, since its bins sum to the published borrowers.
 */
#include "aggregates.h"

#include <string.h>

static int shown(const struct cr_sup_cell *c)
{
	return c->suppressed == CR_SUP_SHOWN;
}

/* Rule 2 over the cells of t whose key starts with prefix (plen 0: all). */
static void complement(struct cr_sup_table *t, const char *prefix, size_t plen,
		       uint64_t min_cell)
{
	for (;;) {
		uint64_t hidden = 0;
		struct cr_sup_cell *smallest = NULL;
		for (size_t i = 0; i < t->n; i++) {
			struct cr_sup_cell *c = &t->cells[i];
			if (plen && strncmp(c->key, prefix, plen) != 0)
				continue;
			if (!shown(c))
				hidden += c->borrowers;
			else if (!smallest || c->borrowers < smallest->borrowers)
				smallest = c;
		}
		if (hidden == 0 || hidden >= min_cell || !smallest)
			return;
		smallest->suppressed = CR_SUP_COMPLEMENT;
	}
}

static void multi_rule(struct cr_sup_cell *c, uint64_t min_cell)
{
	int top = CR_SUP_LENDER_BINS - 1;
	while (top > 1 && c->multi[top] < min_cell) {
		c->multi[top - 1] += c->multi[top];
		c->multi_outstanding[top - 1] += c->multi_outstanding[top];
		c->multi[top] = 0;
		c->multi_outstanding[top] = 0;
		top--;
	}
	c->multi_top = (uint8_t)top;
	c->multi_shown = shown(c);
	for (int i = 0; i <= top; i++)
		if (c->multi[i] > 0 && c->multi[i] < min_cell)
			c->multi_shown = 0;
}

void cr_sup_suppress(struct cr_sup_table *t, const struct cr_sup_table *parents,
		     uint64_t min_cell)
{
	for (size_t i = 0; i < t->n; i++) {
		struct cr_sup_cell *c = &t->cells[i];
		c->suppressed = c->borrowers < min_cell ? CR_SUP_SMALL : CR_SUP_SHOWN;
	}
	if (!parents) {
		complement(t, "", 0, min_cell);
	} else {
		for (size_t p = 0; p < parents->n; p++) {
			const struct cr_sup_cell *pc = &parents->cells[p];
			const size_t plen = strlen(pc->key);
			for (size_t i = 0; !shown(pc) && i < t->n; i++)
				if (strncmp(t->cells[i].key, pc->key, plen) == 0 && shown(&t->cells[i]))
					t->cells[i].suppressed = CR_SUP_COMPLEMENT;
			if (shown(pc))
				complement(t, pc->key, plen, min_cell);
		}
	}
	for (size_t i = 0; i < t->n; i++)
		multi_rule(&t->cells[i], min_cell);
}
