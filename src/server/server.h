/*
 * server.h - creditref serve: the bureau over HTTP/JSON (docs/api.md).
 *
 * libmicrohttpd runs the connections: epoll, a pool of worker threads,
 * bounded connections, idle timeouts.  Workers authenticate, check roles,
 * read in parallel (each request in its own LMDB read snapshot) and build
 * reports; everything that writes (furnishing, consents, and the inquiry
 * and audit entry of every report) is handed to one committer thread,
 * which gathers the requests waiting at that moment into one transaction
 * with one audit sync (group commit, committer.h).  A connection waiting
 * for its commit is suspended, so a worker never blocks on the disk.  A
 * deliverer thread pushes alerts to registered webhooks (deliver.h).
 */
#ifndef CR_SERVER_H
#define CR_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct cr_server_opts {
	char host[64];          /* numeric IPv4 address to listen on */
	uint16_t port;          /* 0: a free port, printed on start */
	unsigned threads;       /* HTTP worker threads */
	int32_t asof_days;      /* CR_NO_DATE: today, per request */
	size_t max_body;        /* bytes; larger bodies get 413 */
	unsigned max_connections;
	unsigned timeout_s;     /* idle connection timeout */
	uint32_t rate;          /* requests per second per key; 0: no limit */
	uint32_t burst;         /* bucket size; 0: same as rate */
	uint64_t webhook_base_ms;   /* first webhook retry delay (webhook.h) */
	unsigned webhook_timeout_s; /* per webhook attempt */
	int webhook_allow_private;  /* webhooks may target loopback and private addresses */
	const char *model;          /* scorecard file; NULL: the built-in one (scorer.h) */
};

void cr_server_opts_default(struct cr_server_opts *o /* OUT */);

/* Serves st until SIGTERM or SIGINT, then drains: no new connections,
 * requests in flight finish and the last group commits.  Prints
 * "creditref: serving on http://HOST:PORT" on stdout once listening.
 * Returns 0 after a clean shutdown, or an error when it cannot start. */
int cr_server_run(cr_store *st, const struct cr_server_opts *o);
/* Blocks SIGTERM, SIGINT and SIGPIPE in the calling thread, so that every
 * thread started after it inherits the mask and cr_server_run's sigwait
 * alone receives them.  Call it before opening the store. */
void cr_server_block_signals(void);

#endif
