/*
 * metrics.c - Prometheus counters; see metrics.h.
 *
 * Statuses are folded into a small fixed set of codes (others count as
 * "other"), which keeps the table static: routes x statuses counters and
 * routes x buckets histogram cells.
 */
#include "metrics.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "cr_err.h"

static const unsigned statuses[] = {200, 201, 400, 401, 403, 404, 405, 408,
				    409, 413, 429, 500, 503, 0};
#define N_STATUS (sizeof statuses / sizeof statuses[0]) /* the last is "other" */

/* Upper bounds in microseconds; the +Inf bucket is the count. */
static const uint64_t bounds_us[] = {100, 250, 500, 1000, 2500, 5000, 10000,
				     25000, 50000, 100000, 250000, 500000,
				     1000000, 2500000, 10000000};
#define N_BUCKET (sizeof bounds_us / sizeof bounds_us[0])

struct route_cells {
	_Atomic uint64_t by_status[N_STATUS];
	_Atomic uint64_t bucket[N_BUCKET];
	_Atomic uint64_t count;
	_Atomic uint64_t sum_ns;
};

struct cr_metrics {
	const char *const *names;
	unsigned n;
	struct route_cells r[CR_METRICS_ROUTES_MAX + 1]; /* [n]: no route */
	_Atomic uint64_t records[5]; /* accepted, rejected, held, unchanged, prohibited */
};

struct cr_metrics *cr_metrics_new(const char *const *route_names, unsigned n)
{
	if (n > CR_METRICS_ROUTES_MAX)
		return NULL;
	struct cr_metrics *m = calloc(1, sizeof *m);
	if (m) {
		m->names = route_names;
		m->n = n;
	}
	return m;
}

void cr_metrics_free(struct cr_metrics *m)
{
	free(m);
}

void cr_metrics_request(struct cr_metrics *m, unsigned route, unsigned status,
			uint64_t ns)
{
	struct route_cells *c = &m->r[route < m->n ? route : m->n];
	size_t s = 0;
	while (statuses[s] && statuses[s] != status)
		s++;
	atomic_fetch_add_explicit(&c->by_status[s], 1, memory_order_relaxed);
	const uint64_t us = ns / 1000;
	for (size_t b = 0; b < N_BUCKET; b++)
		if (us <= bounds_us[b])
			atomic_fetch_add_explicit(&c->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&c->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&c->sum_ns, ns, memory_order_relaxed);
}

void cr_metrics_records(struct cr_metrics *m, const struct cr_ingest_counts *c)
{
	const uint64_t v[5] = {c->accepted, c->rejected, c->held, c->unchanged, c->prohibited};
	for (int i = 0; i < 5; i++)
		atomic_fetch_add_explicit(&m->records[i], v[i], memory_order_relaxed);
}

static uint64_t rd(_Atomic uint64_t *p)
{
	return atomic_load_explicit(p, memory_order_relaxed);
}

static int render_requests(struct cr_metrics *m, struct cr_buf *b)
{
	int rc = cr_buf_puts(b, "# HELP creditref_http_requests_total HTTP requests answered, by route and status.\n"
			     "# TYPE creditref_http_requests_total counter\n");
	for (unsigned r = 0; r <= m->n && !rc; r++)
		for (size_t s = 0; s < N_STATUS && !rc; s++) {
			const uint64_t v = rd(&m->r[r].by_status[s]);
			if (!v)
				continue;
			rc = statuses[s]
				? cr_buf_printf(b, "creditref_http_requests_total{route=\"%s\",status=\"%u\"} %llu\n",
						r < m->n ? m->names[r] : "none", statuses[s], (unsigned long long)v)
				: cr_buf_printf(b, "creditref_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
						r < m->n ? m->names[r] : "none", (unsigned long long)v);
		}
	return rc;
}

static int render_latency(struct cr_metrics *m, struct cr_buf *b)
{
	int rc = cr_buf_puts(b, "# HELP creditref_http_request_duration_seconds Time from the request's headers to its response.\n"
			     "# TYPE creditref_http_request_duration_seconds histogram\n");
	for (unsigned r = 0; r <= m->n && !rc; r++) {
		struct route_cells *c = &m->r[r];
		const char *name = r < m->n ? m->names[r] : "none";
		const uint64_t count = rd(&c->count), sum = rd(&c->sum_ns);
		if (!count)
			continue;
		for (size_t k = 0; k < N_BUCKET && !rc; k++)
			rc = cr_buf_printf(b, "creditref_http_request_duration_seconds_bucket{route=\"%s\",le=\"%llu.%06llu\"} %llu\n",
					   name, (unsigned long long)(bounds_us[k] / 1000000),
					   (unsigned long long)(bounds_us[k] % 1000000),
					   (unsigned long long)rd(&c->bucket[k]));
		if (!rc)
			rc = cr_buf_printf(b, "creditref_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
					   "creditref_http_request_duration_seconds_sum{route=\"%s\"} %llu.%09llu\n"
					   "creditref_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
					   name, (unsigned long long)count, name,
					   (unsigned long long)(sum / 1000000000ULL),
					   (unsigned long long)(sum % 1000000000ULL), name,
					   (unsigned long long)count);
	}
	return rc;
}

static int gauge(struct cr_buf *b, const char *name, const char *type, const char *help,
		 uint64_t v)
{
	return cr_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name,
			     type, name, (unsigned long long)v);
}

static int render_webhooks(struct cr_buf *out, const struct cr_metric_gauges *g)
{
	int rc = gauge(out, "creditref_webhooks", "gauge", "Webhooks registered.", g->webhooks);
	if (!rc)
		rc = gauge(out, "creditref_webhook_attempts_total", "counter", "Webhook deliveries attempted (POSTs finished, whatever the outcome).", g->webhook_attempts);
	if (!rc)
		rc = gauge(out, "creditref_webhook_failures_total", "counter", "Webhook attempts without a 2xx answer (each one is retried).", g->webhook_failures);
	if (!rc)
		rc = gauge(out, "creditref_webhook_delivered_alerts_total", "counter", "Alerts acknowledged by webhook receivers.", g->webhook_delivered);
	if (!rc)
		rc = gauge(out, "creditref_webhook_backlog_alerts", "gauge", "Alerts raised and not yet acknowledged by a registered webhook.", g->webhook_backlog);
	return rc;
}

int cr_metrics_render(struct cr_metrics *m, const struct cr_metric_gauges *g,
		      struct cr_buf *out)
{
	static const char *const outcome[5] = {"accepted", "rejected", "held", "unchanged",
					       "prohibited"};
	int rc = render_requests(m, out);
	if (!rc)
		rc = render_latency(m, out);
	if (!rc)
		rc = cr_buf_puts(out, "# HELP creditref_records_total Records furnished over the API, by outcome (prohibited is a part of rejected).\n"
				 "# TYPE creditref_records_total counter\n");
	for (int i = 0; i < 5 && !rc; i++)
		rc = cr_buf_printf(out, "creditref_records_total{outcome=\"%s\"} %llu\n", outcome[i],
				   (unsigned long long)rd(&m->records[i]));
	if (!rc)
		rc = gauge(out, "creditref_store_file_bytes", "gauge", "Size of the store's files on disk (audit.log aside).", g->store_file_bytes);
	if (!rc)
		rc = gauge(out, "creditref_store_memtable_bytes", "gauge", "Written data held in memory, not yet in table files.", g->store_memtable_bytes);
	if (!rc)
		rc = gauge(out, "creditref_store_l0_files", "gauge", "Table files in level 0, each read by every lookup until compaction merges it (RocksDB slows writes at 20).", g->store_l0_files);
	if (!rc)
		rc = gauge(out, "creditref_store_compaction_pending_bytes", "gauge", "Bytes compaction estimates it still has to rewrite.", g->store_compaction_pending_bytes);
	if (!rc)
		rc = gauge(out, "creditref_store_block_cache_bytes", "gauge", "Table blocks held in memory (CREDITREF_CACHE_MB bounds it).", g->store_block_cache_bytes);
	if (!rc)
		rc = gauge(out, "creditref_store_person_cache_bytes", "gauge", "People's records kept by the writer across transactions (CREDITREF_PERSON_CACHE_MB bounds it).", g->store_person_cache_bytes);
	if (!rc)
		rc = gauge(out, "creditref_store_person_cache_hits_total", "counter", "Writes that found the person in the writer's cache.", g->store_person_cache_hits);
	if (!rc)
		rc = gauge(out, "creditref_store_person_cache_misses_total", "counter", "Writes that read the person from the table files.", g->store_person_cache_misses);
	if (!rc)
		rc = gauge(out, "creditref_http_connections", "gauge", "Connections open now.", g->connections);
	if (!rc)
		rc = gauge(out, "creditref_commit_groups_total", "counter", "Shared write transactions committed or failed.", g->commit_groups);
	if (!rc)
		rc = gauge(out, "creditref_commit_jobs_total", "counter", "Requests written through the committer.", g->commit_jobs);
	if (!rc)
		rc = gauge(out, "creditref_commit_failed_groups_total", "counter", "Shared transactions that failed; their requests got 500.", g->commit_failed_groups);
	if (!rc)
		rc = gauge(out, "creditref_commit_max_group", "gauge", "Most requests in one shared transaction so far.", g->commit_max_group);
	if (!rc)
		rc = gauge(out, "creditref_commit_isolated_total", "counter", "Requests that failed on their own and were left out of their shared transaction; the others committed.", g->commit_isolated);
	if (!rc)
		rc = render_webhooks(out, g);
	return rc;
}
