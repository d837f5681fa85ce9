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

/* A chart section of the page: writes its own <section> to f. */
typedef int (*cr_sup_chart_fn)(FILE *f, const struct cr_sup_month *months, size_t n);

/* Writes the page for months[0..n) (oldest first) to f: delinquency rates
 * over time per institution, roll rates of the last month, the
 * multi-lending distribution, then each of the extra charts (NULL
 * terminated; NULL: none).  Returns 0 or CR_EIO. */
int cr_sup_html(FILE *f, const struct cr_sup_month *months, size_t n,
		const cr_sup_chart_fn *extra);

/* The extra charts of the page, NULL terminated (html.c). */
extern const cr_sup_chart_fn cr_sup_extra_charts[];

#endif
