/*
 * server.c - libmicrohttpd glue: the request life cycle, authentication,
 * limits and graceful shutdown; see server.h and docs/api.md.
 *
 * The access handler is called once when the headers are in (the request
 * is routed, authenticated, role-checked and rate-limited there, so a
 * refused upload is never read), then once per chunk of body, then once
 * with no data: the handler runs.  A handler that hands work to the
 * committer suspends the connection; the committer's done callback
 * resumes it and the access handler, called again, sends the response.
 *
 * Shutdown: SIGTERM or SIGINT (waited for with sigwait, so no handler runs
 * in signal context) sets draining, closes the listening socket
 * (MHD_quiesce_daemon), waits for the connections in flight, stops the
 * webhook deliverer (whose last acts go through the committer), stops the
 * committer after its last group, then stops the daemon.
 */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cr_date.h"
#include "cr_err.h"
#include "http.h"
#include "scorer.h"
#include "sup_cache.h"
#include "sup_warm.h"
#include "webhook.h"

enum req_phase { PH_NEW, PH_BODY, PH_WAIT, PH_READY, PH_SENT };

static atomic_uint_fast64_t in_flight;

void cr_server_opts_default(struct cr_server_opts *o)
{
	memset(o, 0, sizeof *o);
	snprintf(o->host, sizeof o->host, "127.0.0.1");
	o->port = 8080;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	o->threads = n > 0 && n < 64 ? (unsigned)n : 2;
	o->asof_days = CR_NO_DATE;
	o->max_body = 64u << 20;
	o->max_connections = 1024;
	o->timeout_s = 30;
	o->rate = 1000;
	o->webhook_base_ms = CR_WEBHOOK_BASE_MS_DEFAULT;
	o->webhook_timeout_s = CR_WEBHOOK_TIMEOUT_S_DEFAULT;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct cr_req *cr_req_new(struct cr_srv *srv, struct MHD_Connection *c, const char *url)
{
	struct cr_req *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->srv = srv;
	r->conn = c;
	r->t0_ns = now_ns();
	r->asof = srv->o.asof_days != CR_NO_DATE ? srv->o.asof_days : cr_date_today();
	snprintf(r->path, sizeof r->path, "%s", url);
	cr_buf_init(&r->body, srv->o.max_body);
	cr_buf_init(&r->out, SIZE_MAX / 2);
	cr_buf_init(&r->rejects, SIZE_MAX / 2);
	r->job.arg = r;
	atomic_fetch_add(&in_flight, 1);
	return r;
}

void cr_req_free(struct cr_req *r)
{
	cr_buf_fini(&r->body);
	cr_buf_fini(&r->out);
	cr_buf_fini(&r->rejects);
	free(r);
	atomic_fetch_sub(&in_flight, 1);
}

struct cr_report *cr_srv_report_take(struct cr_srv *srv)
{
	struct cr_report *rep = NULL;
	pthread_mutex_lock(&srv->pool_mu);
	if (srv->pool_n)
		rep = srv->pool[--srv->pool_n];
	pthread_mutex_unlock(&srv->pool_mu);
	if (!rep && (rep = malloc(sizeof *rep)))
		cr_report_init(rep);
	return rep;
}

void cr_srv_report_give(struct cr_srv *srv, struct cr_report *rep)
{
	pthread_mutex_lock(&srv->pool_mu);
	if (srv->pool_n < sizeof srv->pool / sizeof srv->pool[0]) {
		srv->pool[srv->pool_n++] = rep;
		rep = NULL;
	}
	pthread_mutex_unlock(&srv->pool_mu);
	if (rep) {
		cr_report_fini(rep);
		free(rep);
	}
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	if (*con_cls)
		cr_req_free(*con_cls);
	*con_cls = NULL;
}

#define CR_CSP                                                                  \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
	"connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "     \
	"frame-ancestors 'none'"

static enum MHD_Result send_reply(struct cr_req *r)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		r->out.len, r->out.data ? r->out.data : (void *)"", MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				r->ctype ? r->ctype : "application/json");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	/* The console's page may load only this server's own scripts and
	 * styles and talk only to this server; no response may be framed,
	 * sniffed into another type or leak its URL as a referrer. */
	MHD_add_response_header(resp, "Content-Security-Policy", CR_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	if (r->retry_after[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, r->retry_after);
	if (r->allow[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	if (r->www_auth)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"creditref\"");
	enum MHD_Result ok = MHD_queue_response(r->conn, r->status, resp);
	MHD_destroy_response(resp);
	cr_metrics_request(r->srv->metrics, r->route_idx, r->status, now_ns() - r->t0_ns);
	r->phase = PH_SENT;
	return ok;
}

/* The bearer token, checked against the store in a read snapshot. */
static int authenticate(struct cr_req *r)
{
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);
	r->www_auth = 1;
	if (!h)
		return cr_reply_problem(r, 401, "send an API key as \"Authorization: Bearer crk_...\""), -1;
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return cr_reply_problem(r, 401, "the Authorization header must use the Bearer scheme"), -1;
	cr_txn *txn;
	const char *why = NULL;
	int rc = cr_store_begin(r->srv->st, 0, &txn);
	if (!rc) {
		rc = cr_apikey_check(r->srv->st, txn, h + 7, strlen(h + 7), &r->key, &why);
		cr_store_abort(txn);
	}
	if (rc == CR_EDENIED)
		return cr_reply_problem(r, 401, "the API key is not valid (%s)", why), -1;
	if (rc)
		return cr_reply_store_error(r, rc), -1;
	r->www_auth = 0;
	return 0;
}

/* At the headers: route, key, role, rate and declared size. */
static int admit(struct cr_req *r, const char *method)
{
	struct cr_srv *srv = r->srv;
	if (atomic_load(&srv->draining))
		return cr_reply_problem(r, 503, "the server is shutting down; retry on another instance or later"), -1;
	r->route = cr_route_find(method, r->path, r->param, sizeof r->param, r->allow,
				 sizeof r->allow, &r->route_idx);
	if (!r->route && r->allow[0])
		return cr_reply_problem(r, 405, "%s is not served on %s; use %s", method, r->path, r->allow), -1;
	if (!r->route)
		return cr_reply_problem(r, 404, "no route %s %s (see GET /v1/openapi.json)", method, r->path), -1;
	r->allow[0] = '\0';
	const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) > srv->o.max_body)
		return cr_reply_problem(r, 413, "the body is %s bytes; this server takes at most %zu",
					cl, srv->o.max_body), -1;
	if (r->route->roles == CR_PUBLIC)
		return 0;
	if (authenticate(r))
		return -1;
	if (!(r->route->roles & ROLE(r->key.role)))
		return cr_reply_problem(r, 403, "a %s key may not use %s %s", cr_role_name(r->key.role),
					method, r->route->pattern), -1;
	const uint32_t wait = cr_ratelimit_take(srv->rl, r->key.key_id, now_ns());
	if (wait) {
		snprintf(r->retry_after, sizeof r->retry_after, "%u", wait);
		return cr_reply_problem(r, 429, "this key made more than %u requests per second; retry after %u s",
					srv->o.rate, wait), -1;
	}
	return 0;
}

/* A request whose job failed on its own (committer.h): nothing of it was
 * recorded, and no other request was hurt.  A refusal-type fault is the
 * request's to fix; a refused audit entry is the bureau's. */
static void reply_alone(struct cr_req *r, int rc)
{
	const unsigned status = rc == CR_EDENIED ? 403 : rc == CR_ENOTFOUND ? 404 :
				rc == CR_EEXIST ? 409 : rc == CR_EAUDIT ? 500 : 400;
	cr_reply_problem(r, status, "the request could not be applied (%s); nothing of it was "
			 "recorded", cr_strerror(rc));
}

static void job_done(struct cr_job *j)
{
	struct cr_req *r = j->arg;
	if (!j->committed && j->alone)
		reply_alone(r, j->rc);
	else if (!j->committed)
		cr_reply_store_error(r, j->rc);
	else if (r->finish)
		r->finish(r);
	if (j->committed) /* it may have raised alerts */
		cr_deliverer_poke(r->srv->deliverer, 0);
	r->phase = PH_READY;
	if (r->conn)
		MHD_resume_connection(r->conn);
	else if (r->resumed)
		r->resumed(r);
}

/* A request whose body was still arriving when the drain gave up waiting
 * finds the committer stopped: it is refused, never queued to a freed one. */
int cr_req_submit(struct cr_req *r)
{
	struct cr_srv *srv = r->srv;
	pthread_mutex_lock(&srv->submit_mu);
	if (!srv->com) {
		pthread_mutex_unlock(&srv->submit_mu);
		return cr_reply_problem(r, 503, "the server is shutting down; nothing was stored, retry"),
		       CR_H_DONE;
	}
	r->job.done = job_done;
	r->phase = PH_WAIT;
	if (r->conn)
		MHD_suspend_connection(r->conn);
	cr_committer_submit(srv->com, &r->job);
	pthread_mutex_unlock(&srv->submit_mu);
	return CR_H_ASYNC;
}

void cr_server_committer_stats(struct cr_srv *srv, struct cr_committer_stats *out)
{
	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&srv->submit_mu);
	if (srv->com)
		cr_committer_stats(srv->com, out);
	pthread_mutex_unlock(&srv->submit_mu);
}

/* Decodes %HH escapes in a path or a query argument, except in one that
 * holds an escaped NUL: decoded, the NUL would end the string early
 * ("/v1/stats%00" routed to /v1/stats); kept as sent, it matches no route
 * and no argument's syntax. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	for (const char *p = s; (p = strchr(p, '%')) != NULL; p++)
		if (p[1] == '0' && p[2] == '0')
			return strlen(s);
	return MHD_http_unescape(s);
}

const char *cr_req_arg(struct cr_req *r, const char *name)
{
	if (r->conn)
		return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
	for (const char *const *a = r->args; a && a[0]; a += 2)
		if (strcmp(a[0], name) == 0)
			return a[1];
	return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **con_cls)
{
	(void)version;
	struct cr_req *r = *con_cls;
	if (!r) {
		if (!(r = cr_req_new(cls, c, url)))
			return MHD_NO;
		*con_cls = r;
		r->phase = PH_BODY;
		/* Refused at the headers: answered before any body is read
		 * (libmicrohttpd then closes the connection). */
		return admit(r, method) ? send_reply(r) : MHD_YES;
	}
	if (*upload_size) {
		if (r->phase == PH_BODY && !r->too_large &&
		    cr_buf_append(&r->body, upload, *upload_size))
			r->too_large = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->phase == PH_BODY) {
		if (r->too_large) {
			cr_reply_problem(r, 413, "the body exceeds %zu bytes", r->srv->o.max_body);
		} else if (r->route->handler(r) == CR_H_ASYNC) {
			return MHD_YES;
		}
		r->phase = PH_READY;
	}
	if (r->phase == PH_READY)
		return send_reply(r);
	return MHD_YES; /* PH_WAIT: resumed early; PH_SENT: nothing more */
}

static int parse_host(const char *host, uint16_t port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : CR_EINVAL;
}

static int start_daemon(struct cr_srv *srv)
{
	struct sockaddr_in sa;
	if (parse_host(srv->o.host, srv->o.port, &sa)) {
		fprintf(stderr, "creditref serve: --listen %s: not a numeric IPv4 address\n", srv->o.host);
		return CR_EINVAL;
	}
	const unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			       MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC;
	srv->d = MHD_start_daemon(flags, srv->o.port, NULL, NULL, on_request, srv,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				  MHD_OPTION_THREAD_POOL_SIZE, (unsigned)srv->o.threads,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)srv->o.max_connections,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)srv->o.timeout_s,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				  MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
				  MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
				  MHD_OPTION_END);
	if (!srv->d) {
		fprintf(stderr, "creditref serve: cannot listen on %s:%u: %s\n", srv->o.host,
			(unsigned)srv->o.port, strerror(errno));
		return CR_EIO;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	printf("creditref: serving on http://%s:%u\n", srv->o.host,
	       di ? (unsigned)di->port : (unsigned)srv->o.port);
	fflush(stdout);
	return 0;
}

/* The trail must have a head before the first group (audit.h). */
static int mark_start(struct cr_srv *srv)
{
	struct cr_op op;
	cr_op_init(&op, srv->st, CR_AUDIT_ROLE_OPERATOR, NULL,
		   srv->o.asof_days != CR_NO_DATE ? srv->o.asof_days : cr_date_today());
	return cr_op_audit_serve_start(&op, srv->o.host, (unsigned)srv->o.port);
}

static int start_deliverer(struct cr_srv *srv)
{
	const struct cr_deliverer_opts o = {srv->o.webhook_base_ms, srv->o.webhook_timeout_s,
					    srv->o.asof_days, srv->o.webhook_allow_private};
	int rc = cr_deliverer_start(srv->st, srv->com, &o, &srv->deliverer);
	if (rc)
		fprintf(stderr, "creditref serve: cannot start the webhook deliverer: %s\n",
			cr_strerror(rc));
	return rc;
}

static void drain(struct cr_srv *srv)
{
	atomic_store(&srv->draining, 1);
	MHD_quiesce_daemon(srv->d);
	/* Requests in flight finish; idle keep-alive connections time out. */
	for (unsigned i = 0; i < 100u * (srv->o.timeout_s + 5) && atomic_load(&in_flight); i++)
		usleep(10000);
	cr_deliverer_stop(srv->deliverer);
	pthread_mutex_lock(&srv->submit_mu);
	struct cr_committer *com = srv->com;
	srv->com = NULL; /* from here on, cr_req_submit refuses */
	pthread_mutex_unlock(&srv->submit_mu);
	cr_committer_stop(com); /* lands what was queued; those connections resume */
	MHD_stop_daemon(srv->d);
	srv->d = NULL;
}

static void signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGPIPE);
}

void cr_server_block_signals(void)
{
	sigset_t set;
	signal_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int cr_server_run(cr_store *st, const struct cr_server_opts *o)
{
	struct cr_srv srv;
	memset(&srv, 0, sizeof srv);
	srv.st = st;
	srv.o = *o;
	pthread_mutex_init(&srv.pool_mu, NULL);
	pthread_mutex_init(&srv.submit_mu, NULL);
	sigset_t set;
	signal_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* every thread started below inherits it */
	struct cr_diag d = {0, "", NULL};
	int rc = cr_scorer_open(o->model, &srv.scorer, &d);
	if (rc) {
		fprintf(stderr, "creditref serve: cannot load the scorecard %s: line %zu %s: %s\n",
			o->model ? o->model : "(built in)", d.line, d.field,
			d.reason ? d.reason : cr_strerror(rc));
		return rc;
	}
	rc = mark_start(&srv);
	if (rc) {
		fprintf(stderr, "creditref serve: cannot write the audit trail: %s\n", cr_strerror(rc));
		cr_scorer_free(srv.scorer);
		return rc;
	}
	srv.metrics = cr_metrics_new(cr_route_names, cr_n_routes);
	srv.rl = cr_ratelimit_new(o->rate, o->burst);
	srv.sup_cache = cr_sup_cache_new(CR_SUPERVISION_CACHE_S);
	struct cr_sup_warm *warm = srv.sup_cache ? cr_sup_warm_start(st, srv.sup_cache)
						      : NULL;
	rc = !srv.metrics || !srv.rl || !warm ? CR_ENOMEM : cr_committer_start(st, &srv.com);
	if (!rc)
		rc = start_deliverer(&srv);
	if (!rc)
		rc = start_daemon(&srv);
	if (!rc) {
		int sig = 0;
		sigdelset(&set, SIGPIPE);
		while (sigwait(&set, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
			;
		fprintf(stderr, "creditref serve: %s received, draining\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
		drain(&srv);
	}
	cr_deliverer_stop(srv.deliverer);
	cr_committer_stop(srv.com);
	cr_deliverer_free(srv.deliverer);
	while (srv.pool_n) {
		cr_report_fini(srv.pool[--srv.pool_n]);
		free(srv.pool[srv.pool_n]);
	}
	pthread_mutex_destroy(&srv.pool_mu);
	pthread_mutex_destroy(&srv.submit_mu);
	cr_metrics_free(srv.metrics);
	cr_scorer_free(srv.scorer);
	cr_ratelimit_free(srv.rl);
	cr_sup_warm_stop(warm);
	cr_sup_cache_free(srv.sup_cache);
	return rc;
}

unsigned cr_server_connections(const struct cr_srv *srv)
{
	const union MHD_DaemonInfo *di =
		MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	return di ? di->num_connections : 0;
}
