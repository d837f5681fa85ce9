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
#include "ops.h"
#include "scorer.h"
#include "cr_id.h"
#include "dispute.h"
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
	struct cr_scorer *scorer;   /* the bureau's scorecard (scorer.h) */
	struct cr_sup_cache *sup_cache; /* supervision months kept (sup_cache.h) */
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
#define CR_R_INST (ROLE(CR_ROLE_FURNISHER) | ROLE(CR_ROLE_LENDER))
#define CR_R_FURN ROLE(CR_ROLE_FURNISHER)
#define CR_R_LEND ROLE(CR_ROLE_LENDER)
#define CR_R_SUBJ ROLE(CR_ROLE_SUBJECT)
#define CR_R_SUPV ROLE(CR_ROLE_SUPERVISOR)
#define CR_R_OPER ROLE(CR_ROLE_OPERATOR)

/*
 * The routes, once: X(name, method, pattern, roles).  The name is the
 * metrics label and names the handler, cr_h_<name>; the table (routes.c),
 * the handlers' declarations and enum cr_route_id all come from this
 * list.  docs/openapi.json and the authorization test are checked against
 * the table (tests/e2e/test_openapi.py, test_api_authz.py).
 */
#define CR_ROUTES(X)                                                                  \
	X(healthz, "GET", "/healthz", CR_PUBLIC)                                      \
	X(console, "GET", "/", CR_PUBLIC)                                             \
	X(console_file, "GET", "/console/{file}", CR_PUBLIC)                          \
	X(whoami, "GET", "/v1/whoami", CR_R_INST | CR_R_SUBJ | CR_R_SUPV | CR_R_OPER) \
	X(openapi, "GET", "/v1/openapi.json", CR_PUBLIC)                              \
	X(metrics, "GET", "/metrics", CR_R_OPER | CR_R_SUPV)                          \
	X(furnish, "POST", "/v1/furnish", CR_R_FURN)                                  \
	X(events, "POST", "/v1/events", CR_R_FURN)                                    \
	X(consent_grant, "POST", "/v1/consents", CR_R_INST | CR_R_SUBJ)               \
	X(consent_revoke, "POST", "/v1/consents/revoke", CR_R_INST | CR_R_SUBJ)       \
	X(consent_list, "POST", "/v1/consents/list", CR_R_INST)                       \
	X(report, "POST", "/v1/reports", CR_R_LEND)                                   \
	X(score, "POST", "/v1/scores", CR_R_LEND)                                     \
	X(me_report, "GET", "/v1/me/report", CR_R_SUBJ)                               \
	X(me_consents, "GET", "/v1/me/consents", CR_R_SUBJ)                           \
	X(me_access, "GET", "/v1/me/access", CR_R_SUBJ)                               \
	X(me_dispute_file, "POST", "/v1/me/disputes", CR_R_SUBJ)                      \
	X(me_disputes, "GET", "/v1/me/disputes", CR_R_SUBJ)                           \
	X(disputes, "GET", "/v1/disputes", CR_R_FURN)                                 \
	X(dispute_verify, "POST", "/v1/disputes/{id}/verify", CR_R_FURN)              \
	X(dispute_correct, "POST", "/v1/disputes/{id}/correct", CR_R_FURN)            \
	X(stats, "GET", "/v1/stats", CR_R_SUPV | CR_R_OPER)                           \
	X(supervision_aggregates, "GET", "/v1/supervision/aggregates", CR_R_SUPV | CR_R_INST) \
	X(key_add, "POST", "/v1/keys", CR_R_OPER)                                     \
	X(keys, "GET", "/v1/keys", CR_R_OPER)                                         \
	X(key_revoke, "DELETE", "/v1/keys/{key_id}", CR_R_OPER)                       \
	X(audit_verify, "GET", "/v1/audit/verify", CR_R_OPER)                         \
	X(alerts, "GET", "/v1/alerts", CR_R_INST)                                     \
	X(webhook_put, "PUT", "/v1/webhook", CR_R_LEND)                               \
	X(webhook_get, "GET", "/v1/webhook", CR_R_LEND)                               \
	X(webhook_delete, "DELETE", "/v1/webhook", CR_R_LEND)                         \
	X(supervision_quality, "GET", "/v1/supervision/quality", CR_R_SUPV | CR_R_INST) \
	X(supervision_colending, "GET", "/v1/supervision/colending", CR_R_SUPV | CR_R_INST) \
	X(shelf_delist, "POST", "/v1/supervision/shelf/delist", CR_R_SUPV)            \
	X(shelf_query, "POST", "/v1/shelf", CR_R_INST)                                \
	X(shelf, "GET", "/v1/shelf", CR_R_SUBJ)

enum cr_route_id {
#define CR_ROUTE_ENUM(name, method, pattern, roles) CR_ROUTE_##name,
	CR_ROUTES(CR_ROUTE_ENUM)
#undef CR_ROUTE_ENUM
	CR_ROUTE_COUNT
};

struct cr_route {
	const char *method;
	const char *pattern;   /* "{x}" matches one non-empty path segment */
	unsigned roles;
	cr_handler handler;
	const char *name;      /* the metrics label */
	enum cr_route_id id;
};

/* What a route carries from its parse to its response, one member per
 * route that needs more than the common fields of struct cr_req. */
struct cr_req_key_add {
	struct cr_key_request q;
	char inst[CR_INST_CODE_MAX + 2];
	char id[CR_ID_LEN + 1];
	char token[CR_APIKEY_TOKEN_LEN + 1];
	struct cr_apikey k;
};
struct cr_req_consent {
	struct cr_consent c;
	struct cr_consent_result res;
};
struct cr_req_dispute {
	char inst[CR_INST_CODE_MAX + 1];
	char account[CR_ACCOUNT_MAX + 1];
	char reason[CR_DISPUTE_REASON_MAX + 1];
	struct cr_dispute_request q;
	uint64_t id;
	struct cr_record rec;      /* the correction */
	int corrected;
};
struct cr_req_webhook {
	struct cr_webhook_request q;
	struct cr_webhook_result res;
	char url[CR_WEBHOOK_URL_MAX + 1];
};
struct cr_req_page {
	uint64_t after, next;
	unsigned n;
};
struct cr_req_delist {
	char platform[CR_INST_CODE_MAX + 2];
	char product[CR_PRODUCT_CODE_MAX + 2];
	char category[24];
	char reason[CR_DELIST_REASON_MAX + 2];
	struct cr_delist_request q;
	struct cr_delist out;
};
struct cr_req_sup {
	int32_t month;             /* the first month */
	size_t n;                  /* months: 1, or from..to */
	int by;                    /* enum cr_sup_by */
	int refused;               /* the scope refused: audited, then 403 */
};
union cr_req_data {
	struct cr_req_key_add key_add;
	struct cr_req_consent consent;
	struct cr_req_dispute dispute;
	struct cr_req_webhook webhook;
	struct cr_req_page page;
	struct cr_webhook wh;      /* webhook_get, webhook_delete */
	enum cr_audit_act read_act; /* an audited read: access_list, ... */
	struct cr_person_score score; /* score */
	struct cr_req_delist delist; /* shelf_delist */
	struct cr_req_sup sup;     /* supervision_aggregates */
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

	/* Work handed to the committer, and what it found.  The job's run may
	 * be called more than once (committer.h): what it reads is set before
	 * it is submitted and never written by it (prepared, prepared_why:
	 * the read half of a report or score), and what it writes it sets
	 * afresh each time (outcome, reason, counts, rejects, out). */
	struct cr_job job;
	int prepared;              /* the read half's result */
	char prepared_why[160];    /* and its reason, "" for none */
	int outcome;               /* the domain result of the job */
	const char *reason;        /* explains outcome: static, or why_buf */
	char why_buf[160];
	struct cr_subject_key subject;
	uint8_t purpose;
	struct cr_ingest_counts counts;
	struct cr_buf rejects;     /* JSON objects, comma-separated */
	uint64_t n_rejects;
	void (*finish)(struct cr_req *r); /* builds the response after the job */
	union cr_req_data u;       /* the route's own request, by route */

	/* A request made in process has no connection (conn NULL; the fuzz
	 * target fuzz/http_body.c drives handlers so): its query arguments
	 * are args, name and value pairs ended by a NULL name, and a
	 * submitted job, once its response is built, calls resumed where a
	 * connection would be resumed.  Both are unused when conn is set. */
	const char *const *args;
	void (*resumed)(struct cr_req *r);
};

/* A request for srv as the server makes one at its headers (conn NULL:
 * in process, above); NULL when out of memory.  Freed by cr_req_free. */
struct cr_req *cr_req_new(struct cr_srv *srv, struct MHD_Connection *conn, const char *url);
void cr_req_free(struct cr_req *r);
/* The query argument name as decoded by the server, or NULL when the
 * request has none (or it has no value). */
const char *cr_req_arg(struct cr_req *r, const char *name);

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
/* A string member of a request body into dst (cap bytes, NUL included):
 * 0 when it was copied, or absent and not CR_STR_REQUIRED (dst left as
 * it was); -1 after a 400 naming the member when it is not a string (a
 * null counts as absent with CR_STR_NULL_OK), too long, or empty with
 * CR_STR_NONEMPTY. */
enum { CR_STR_REQUIRED = 1, CR_STR_NONEMPTY = 2, CR_STR_NULL_OK = 4 };
int cr_req_str(struct cr_req *r, struct json_t *o, const char *name, char *dst, size_t cap,
	       unsigned flags);
/* Replies 400 and returns non-zero unless v (field's value) is an
 * institution code (cr_inst_code_valid); NULL passes (an absent field). */
int cr_req_code(struct cr_req *r, const char *field, const char *v);
/* The audit role of the request's key. */
uint8_t cr_req_audit_role(const struct cr_req *r);

/* The route table and its handlers. */
extern const struct cr_route cr_routes[];
extern const unsigned cr_n_routes;
extern const char *const cr_route_names[];
/* Finds the route for method and path.  Returns the route or NULL; when
 * the path exists with other methods, *allow lists them. */
const struct cr_route *cr_route_find(const char *method, const char *path,
				     char *param, size_t param_cap,
				     char *allow, size_t allow_cap, unsigned *idx);

/* Handlers (h_*.c), one per route: cr_h_<name>. */
#define CR_ROUTE_DECL(name, method, pattern, roles) int cr_h_##name(struct cr_req *r);
CR_ROUTES(CR_ROUTE_DECL)
#undef CR_ROUTE_DECL

/* The act's context for r: its actor and date, in the group g (NULL: no
 * transaction yet, for reads in a snapshot with cr_op_read). */
void cr_req_op(const struct cr_req *r, struct cr_group *g, struct cr_op *op /* OUT */);
/* Keeps an act's result as r's outcome (and its reason); returns what a
 * group job returns: the act's failure (committer.h), or 0. */
int cr_req_took(struct cr_req *r, const struct cr_op *op, int rc);
/* Keeps the read half's result and reason for the write half (prepared,
 * prepared_why) and as r's outcome until the write half runs. */
void cr_req_prepared(struct cr_req *r, int rc, const char *why);
/* The read half's reason, for the write half's op->why (NULL: none). */
const char *cr_req_prepared_why(const struct cr_req *r);

/* The OpenAPI document, embedded at build time from docs/openapi.json. */
extern const char cr_openapi_json[];
extern const size_t cr_openapi_json_len;

#endif
