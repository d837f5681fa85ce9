/*
 * sup_render.h - the supervision aggregates rendered: JSON (render.c) for
 * the CLI and the HTTP API, and the self-contained HTML page of charts
 * (html.c) for creditref supervision report.
 */
#ifndef CR_SUP_RENDER_H
#define CR_SUP_RENDER_H

#include <stdio.h>

#include "aggregates.h"
#include "cr_buf.h"

/* The cells of grouping by of m as one JSON document (a line); only, when
 * not NULL, keeps the cell with that key alone (a lender's own row). */
int cr_sup_json(const struct cr_sup_month *m, enum cr_sup_by by, const char *only,
		struct cr_buf *out);

/* Writes the page for months[0..n) (oldest first) to f: delinquency rates
 * over time per institution, roll rates of the last month, the
 * multi-lending distribution, the last month's share past due per province
 * (named from the region table), then extra[0..extra_len): further
 * sections (funding shares, data quality), already rendered.  Returns 0 or
 * CR_EIO. */
int cr_sup_html(FILE *f, const struct cr_sup_month *months, size_t n, const char *extra,
		size_t extra_len);

#endif
