/* cmd_serve.c - creditref serve: the HTTP/JSON API (docs/api.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cr_date.h"
#include "cr_limits.h"
#include "server.h"
#include "store.h"

/* "HOST:PORT" or ":PORT" or "PORT". */
static int parse_listen(const char *s, struct cr_server_opts *o)
{
	const char *colon = strrchr(s, ':');
	const char *port = colon ? colon + 1 : s;
	char *end;
	unsigned long p = strtoul(port, &end, 10);
	if (*port == '\0' || *end || p > 65535)
		return -1;
	o->port = (uint16_t)p;
	if (colon && colon > s) {
		size_t n = (size_t)(colon - s);
		if (n >= sizeof o->host)
			return -1;
		memcpy(o->host, s, n);
		o->host[n] = '\0';
	}
	return 0;
}

static int read_opts(const struct cr_args *a, struct cr_server_opts *o)
{
	uint64_t threads, body, conns, timeout, rate, burst, wh_base, wh_timeout;
	cr_server_opts_default(o);
	const char *listen = cr_args_get(a, "listen");
	if (listen && parse_listen(listen, o)) {
		cr_cli_err("serve", "--listen must be HOST:PORT (e.g. 127.0.0.1:8080)");
		return CR_EXIT_USAGE;
	}
	if (cr_args_u64(a, "threads", o->threads, &threads) ||
	    cr_args_u64(a, "max-body", o->max_body, &body) ||
	    cr_args_u64(a, "max-connections", o->max_connections, &conns) ||
	    cr_args_u64(a, "timeout", o->timeout_s, &timeout) ||
	    cr_args_u64(a, "rate-limit", o->rate, &rate) ||
	    cr_args_u64(a, "burst", 0, &burst) ||
	    cr_args_u64(a, "webhook-backoff", o->webhook_base_ms, &wh_base) ||
	    cr_args_u64(a, "webhook-timeout", o->webhook_timeout_s, &wh_timeout))
		return CR_EXIT_USAGE;
	if (wh_base < 1 || wh_base > CR_WEBHOOK_BACKOFF_MS_MAX || wh_timeout < 1 ||
	    wh_timeout > CR_WEBHOOK_TIMEOUT_S_MAX) {
		cr_cli_err("serve", "out of range: --webhook-backoff 1-%d (ms), --webhook-timeout 1-%d (s)",
			   CR_WEBHOOK_BACKOFF_MS_MAX, CR_WEBHOOK_TIMEOUT_S_MAX);
		return CR_EXIT_USAGE;
	}
	o->webhook_base_ms = wh_base;
	o->webhook_timeout_s = (unsigned)wh_timeout;
	o->webhook_allow_private = cr_args_get(a, "webhook-allow-private") != NULL;
	if (threads < 1 || threads > CR_SERVE_THREADS_MAX || conns < 1 ||
	    conns > CR_SERVE_CONNECTIONS_MAX || timeout < 1 || timeout > CR_SERVE_TIMEOUT_S_MAX ||
	    body < 1 || rate > CR_SERVE_RATE_MAX || burst > CR_SERVE_RATE_MAX) {
		cr_cli_err("serve", "out of range: --threads 1-%d, --max-connections 1-%d, "
			   "--timeout 1-%d, --max-body >= 1, --rate-limit and --burst <= %d",
			   CR_SERVE_THREADS_MAX, CR_SERVE_CONNECTIONS_MAX, CR_SERVE_TIMEOUT_S_MAX,
			   CR_SERVE_RATE_MAX);
		return CR_EXIT_USAGE;
	}
	o->threads = (unsigned)threads;
	o->max_body = (size_t)body;
	o->max_connections = (unsigned)conns;
	o->timeout_s = (unsigned)timeout;
	o->rate = (uint32_t)rate;
	o->burst = (uint32_t)burst;
	if (cr_args_get(a, "as-of") && cr_args_asof(a, &o->asof_days))
		return CR_EXIT_USAGE;
	o->model = cr_args_get(a, "model");
	return 0;
}

int cr_cmd_serve(int argc, char **argv)
{
	static const struct cr_opt_spec spec[] = {
		{"db", 1}, {"key-file", 1}, {"listen", 1}, {"threads", 1}, {"as-of", 1},
		{"max-body", 1}, {"max-connections", 1}, {"timeout", 1}, {"rate-limit", 1},
		{"burst", 1}, {"webhook-backoff", 1}, {"webhook-timeout", 1},
		{"webhook-allow-private", 0}, {"model", 1}, {NULL, 0}};
	struct cr_args a;
	struct cr_server_opts o;
	int ex = cr_args_parse(&a, "serve", spec, argc, argv);
	if (ex || (ex = read_opts(&a, &o)))
		return ex;
	/* The store starts threads of its own (flushes, compactions): they
	 * must inherit the mask that leaves SIGTERM to the server's sigwait. */
	cr_server_block_signals();
	cr_store *st;
	if ((ex = cr_cli_open_store(&a, 0, &st)))
		return ex;
	int rc = cr_server_run(st, &o);
	cr_store_close(st);
	return rc ? CR_EXIT_FAIL : 0;
}
