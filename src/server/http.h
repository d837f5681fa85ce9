/*
 * http.h - the server's internals shared by server.c, routes.c and the
 * handlers (h_*.c).  Not part of the library's interface.
 *
 * A request (struct cr_req) lives from its headers to the end of its
 * response.  Its handler either answers at once, or hands a job to the
 * committer and suspends the connection; the job's done callback fills
 * the response and resumes it, and the access handler then sends it.
 */
#ifndef CR_HTTP_H
#define CR_HTTP_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "apikey.h"
#include "committer.h"
#include "cr_buf.h"
#include "cr_limits.h"
#include "deliver.h"
#include "metrics.h"
#include "ratelimit.h"
#include "report.h"
#include "server.h"
#include "store.h"

struct cr_srv {
	cr_store *st;
	struct cr_server_opts o;
	struct MHD_Daemon *d;
	struct cr_committer *com;   /* NULL once stopped; read under submit_mu */
	pthread_mutex_t submit_mu;
	struct cr_deliverer *deliverer;
	struct cr_metrics *metrics;
	struct cr_ratelimit *rl;
	atomic_int draining;
	/* Reports are large (every account's grid and history buffers, about
	 * 2 MB): built ones are kept for reuse instead of freed. */
	pthread_mutex_t pool_mu;
	struct cr_report *pool[64];
	unsigned pool_n;
};

/* A report to build into, and back when rendered. */
struct cr_report *cr_srv_report_take(struct cr_srv *srv);
void cr_srv_report_give(struct cr_srv *srv, struct cr_report *rep);

struct cr_req;
typedef int (*cr_handler)(struct cr_req *r);

/* Handler results: the response is ready, or a job was submitted. */
enum { CR_H_DONE = 0, CR_H_ASYNC = 1 };

/* Bit per role (1 << enum cr_role); CR_PUBLIC needs no key. */
#define CR_PUBLIC 1u
#define ROLE(r) (1u << (r))

struct cr_route {
	const char *method;
	const char *pattern;   /* "{x}" matches one non-empty path segment */
	unsigned roles;
	cr_handler handler;
	const char *name;      /* the metrics label */
};

struct cr_req {
	struct cr_srv *srv;
	struct MHD_Connection *conn;
	const struct cr_route *route;
	unsigned route_idx;
	int phase;                 /* enum req_phase in server.c */
	uint64_t t0_ns;
	int32_t asof;
	char path[256];
	char param[80];            /* the "{x}" segment of the path */
	struct cr_buf body;
	int too_large;
	struct cr_apikey key;      /* valid unless the route is public */

	/* The response. */
	unsigned status;
	const char *ctype;
	struct cr_buf out;
	char retry_after[16];
	char allow[64];
	int www_auth;

	/* Work handed to the committer, and what it found. */
	struct cr_job job;
	int outcome;               /* the domain result of the job */
	const char *reason;        /* a static string explaining outcome */
	struct cr_subject_key subject;
	uint8_t purpose;
	struct cr_ingest_counts counts;
	struct cr_buf rejects;     /* JSON objects, comma-separated */
	uint64_t n_rejects;
	void *data;                /* handler-owned, freed with free() */
	void (*finish)(struct cr_req *r); /* builds the response after the job */
};

/* Connections open now (for /metrics). */
unsigned cr_server_connections(const struct cr_srv *srv);

/* Responses. */
int cr_reply(struct cr_req *r, unsigned status, const char *ctype,
	     const char *body, size_t len);
int cr_reply_buf(struct cr_req *r, unsigned status); /* r->out as JSON */
int cr_reply_problem(struct cr_req *r, unsigned status, const char *detail_fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A store error as a 500 problem (nothing acknowledged). */
int cr_reply_store_error(struct cr_req *r, int rc);

/* Hands r->job (run or run_solo set by the caller) to the committer; the
 * connection is suspended until r->finish has built the response. */
int cr_req_submit(struct cr_req *r);
/* The committer's counters; zeros once it has stopped. */
struct cr_committer_stats;
void cr_server_committer_stats(struct cr_srv *srv, struct cr_committer_stats *out /* OUT */);

/* The body as a JSON object (400 problem and NULL when it is not). */
struct json_t;
struct json_t *cr_req_json(struct cr_req *r);
/* Replies 400 and returns non-zero when obj has a field not in allowed
 * (NULL-terminated). */
int cr_req_only_fields(struct cr_req *r, struct json_t *obj, const char *const *allowed);
/* Validates the person's ID in field of obj and computes r->subject;
 * replies 400 and returns non-zero when it is missing or invalid. */
int cr_req_subject(struct cr_req *r, struct json_t *obj, const char *field);
/* The audit role of the request's key. */
uint8_t cr_req_audit_role(const struct cr_req *r);
/* Fills the audit entry's actor and date from the request. */
struct cr_audit_entry;
void cr_req_audit_entry(const struct cr_req *r, const char *action,
			struct cr_audit_entry *e /* OUT */);

/* The route table and its handlers. */
extern const struct cr_route cr_routes[];
extern const unsigned cr_n_routes;
extern const char *const cr_route_names[];
/* Finds the route for method and path.  Returns the route or NULL; when
 * the path exists with other methods, *allow lists them. */
const struct cr_route *cr_route_find(const char *method, const char *path,
				     char *param, size_t param_cap,
				     char *allow, size_t allow_cap, unsigned *idx);

/* Handlers (h_*.c). */
int cr_h_healthz(struct cr_req *r);
int cr_h_openapi(struct cr_req *r);
int cr_h_metrics(struct cr_req *r);
int cr_h_furnish(struct cr_req *r);
int cr_h_events(struct cr_req *r);
int cr_h_consent_grant(struct cr_req *r);
int cr_h_consent_revoke(struct cr_req *r);
int cr_h_consent_list(struct cr_req *r);
int cr_h_me_consents(struct cr_req *r);
int cr_h_report(struct cr_req *r);
int cr_h_me_report(struct cr_req *r);
int cr_h_me_access(struct cr_req *r);
int cr_h_me_dispute_file(struct cr_req *r);
int cr_h_me_disputes(struct cr_req *r);
int cr_h_disputes(struct cr_req *r);
int cr_h_dispute_verify(struct cr_req *r);
int cr_h_dispute_correct(struct cr_req *r);
int cr_h_stats(struct cr_req *r);
int cr_h_key_add(struct cr_req *r);
int cr_h_keys(struct cr_req *r);
int cr_h_key_revoke(struct cr_req *r);
int cr_h_audit_verify(struct cr_req *r);
int cr_h_alerts(struct cr_req *r);
int cr_h_webhook_put(struct cr_req *r);
int cr_h_webhook_get(struct cr_req *r);
int cr_h_webhook_delete(struct cr_req *r);

/* The OpenAPI document, embedded at build time from docs/openapi.json. */
extern const char cr_openapi_json[];
extern const size_t cr_openapi_json_len;

#endif
