/*
 * metrics.h - counters and latency histograms for GET /metrics.
 *
 * Everything is a relaxed atomic counter indexed by route and status, so
 * a request adds to its cells without a lock; a scrape reads them all and
 * prints the Prometheus text exposition format (version 0.0.4).
 */
#ifndef CR_METRICS_H
#define CR_METRICS_H

#include <stdint.h>

#include "cr_buf.h"
#include "cr_limits.h"
#include "ingest.h"

struct cr_metrics;

/* route_names[0 .. n) label the routes; the strings must outlive m.  NULL
 * when n is above CR_METRICS_ROUTES_MAX or memory runs out. */
struct cr_metrics *cr_metrics_new(const char *const *route_names, unsigned n);
void cr_metrics_free(struct cr_metrics *m);
/* One finished request: route index (n for "no route"), status, seconds*1e9. */
void cr_metrics_request(struct cr_metrics *m, unsigned route, unsigned status,
			uint64_t ns);
/* Records furnished through the API. */
void cr_metrics_records(struct cr_metrics *m, const struct cr_ingest_counts *c);
/* Appends the exposition; gauges are passed in by the caller. */
struct cr_metric_gauges {
	uint64_t store_file_bytes;
	uint64_t store_memtable_bytes;
	uint64_t store_l0_files;
	uint64_t store_compaction_pending_bytes;
	uint64_t store_block_cache_bytes;
	uint64_t store_person_cache_bytes;
	uint64_t store_person_cache_hits;
	uint64_t store_person_cache_misses;
	uint64_t connections;
	uint64_t commit_groups;
	uint64_t commit_jobs;
	uint64_t commit_failed_groups;
	uint64_t commit_max_group;
	uint64_t commit_isolated;      /* requests that failed alone */
	uint64_t webhooks;             /* registered */
	uint64_t webhook_attempts;
	uint64_t webhook_failures;
	uint64_t webhook_delivered;    /* alerts acknowledged and committed */
	uint64_t webhook_backlog;      /* alerts after the webhooks' cursors */
};
int cr_metrics_render(struct cr_metrics *m, const struct cr_metric_gauges *g,
		      struct cr_buf *out);

#endif
