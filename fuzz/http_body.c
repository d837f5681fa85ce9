/*
 * http_body.c - libFuzzer target for every HTTP request body the server
 * parses, and the query strings its handlers read, through the real
 * handlers (src/server/h_*.c), the real committer and a real store.
 *
 * The first byte of an input picks a case of the table below, a route
 * with the key that calls it; the rest is what the caller sends:
 *
 *   body        the request body, as libmicrohttpd would hand it over;
 *   param body  the path's "{id}" up to the first newline, then the
 *               body (the dispute answers); the path is routed by
 *               cr_route_find as the server routes it, and an input that
 *               reaches another route is not this target's concern;
 *   query       the query string, cut at a NUL: "&" between arguments,
 *               "=" in each, "+" and %HH decoded as the server decodes
 *               them (its unescape callback keeps an argument holding
 *               %00 as sent).
 *
 * LLVMFuzzerInitialize creates a store on tmpfs (/dev/shm when there is
 * one, so a group's sync costs nothing), furnishes institutions, people,
 * consents, accounts, products and a holding, files a few disputes and
 * issues one key per role, then starts the parts of a server the handlers
 * use, as cr_server_run does: the scorecard, the metrics, the supervision
 * cache, the audit trail's start entry and the committer thread.  There is
 * no daemon and no socket: a request is made with cr_req_new(srv, NULL,
 * path) (conn NULL, http.h), its query arguments are given in r->args,
 * and a handler that submits a job is waited for through r->resumed.  The
 * webhook deliverer does not run (it would connect to the URLs inputs
 * register); the deliverer's poke takes NULL.  The store is shared by
 * every input, as a server's is by its callers: what one input writes
 * (a consent, a key, a dispute answered) is there for the next, so a
 * failure that needs an earlier input's state reproduces by replaying
 * the inputs in order.  libFuzzer's leak check runs an input a second
 * time when more was allocated than freed (the store's caches grow), so a
 * replay may show a request twice.
 *
 * Every HTTP_BODY_RENEW inputs (default 100,000; 0 never) the store is
 * checked as at exit (committer stopped, audit trail verified), removed,
 * and made anew from the same seed.  A shared store that only grows makes
 * every input slower (each report lists every inquiry made so far): the
 * rate fell from about 2,700 to 600 inputs a second over 3.5M executions.
 * A failure that needs earlier inputs reproduces by replaying the inputs
 * since the last renewal.
 *
 * What must hold for every input (CR_ASSERT, so a failure aborts):
 *
 *   - the reply is 2xx or 4xx: a 5xx from what one caller sent is a bug
 *     (DESIGN.md rule 8: one caller's bad request fails alone);
 *   - a 2xx reply is a JSON object sent as application/json; a 4xx reply
 *     is application/problem+json, a JSON object with the members
 *     cr_reply_problem writes (type urn:creditref:problem:..., title,
 *     status equal to the reply's, detail, instance);
 *   - a furnishing reply's counts add up (submitted = accepted + rejected
 *     + held + unchanged) and lists min(rejected, CR_REJECTS_LISTED)
 *     rejects (rule 7);
 *   - no 18-character resident ID the input carries (in its bytes, in a
 *     JSON string of the body once decoded, or in a decoded query
 *     argument) appears unmasked in the reply (mask.h), except inside the
 *     members of a 2xx reply that echo what a caller sent as it was sent
 *     (a stored name or evidence, the webhook URL, an alert cursor: see
 *     echoed below);
 *   - the store stays usable: a read transaction checks the lender's key
 *     after every input;
 *   - at exit, the committer stopped, the audit trail verifies intact.
 *
 * HTTP_BODY_TRACE=1 in the environment prints each request's path, status
 * and reply on stderr (build/fuzz/http_body FILE... replays inputs).
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "audit.h"
#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "cr_limits.h"
#include "http.h"
#include "ingest.h"
#include "ops.h"
#include "scorer.h"
#include "sup_cache.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ASOF "2026-06-30"
#define PERSON_A "110105198001010016"
#define PERSON_B "310104198506150023"
#define DIR_PREFIX "creditref-fuzz-http-"
#define ARGS_MAX 16

/* What the store holds before the first input: two banks furnishing for
 * person A (one of them for person B too), a lender and a platform with
 * A's query consents, a product shelf with A's holding. */
static const char seed_jsonl[] =
	"{\"type\":\"institution\",\"code\":\"B0001\",\"name\":\"First Example Bank\",\"kind\":\"bank\"}\n"
	"{\"type\":\"institution\",\"code\":\"B0002\",\"name\":\"Second Example Bank\",\"kind\":\"bank\"}\n"
	"{\"type\":\"institution\",\"code\":\"L0001\",\"name\":\"Example Lender\",\"kind\":\"consumer_finance\"}\n"
	"{\"type\":\"institution\",\"code\":\"P0001\",\"name\":\"Example Platform\",\"kind\":\"platform\"}\n"
	"{\"type\":\"consent\",\"id\":\"" PERSON_A "\",\"institution\":\"B0001\",\"scope\":\"furnish\",\"granted\":\"2025-01-01\",\"evidence\":\"sha256:a-b1\"}\n"
	"{\"type\":\"consent\",\"id\":\"" PERSON_A "\",\"institution\":\"B0002\",\"scope\":\"furnish\",\"granted\":\"2025-01-01\",\"evidence\":\"sha256:a-b2\"}\n"
	"{\"type\":\"consent\",\"id\":\"" PERSON_A "\",\"institution\":\"L0001\",\"scope\":\"query\",\"purpose\":\"loan_approval\",\"granted\":\"2026-01-01\",\"evidence\":\"sha256:a-l1\"}\n"
	"{\"type\":\"consent\",\"id\":\"" PERSON_A "\",\"institution\":\"L0001\",\"scope\":\"query\",\"purpose\":\"card_approval\",\"granted\":\"2026-01-01\",\"evidence\":\"sha256:a-l1c\"}\n"
	"{\"type\":\"consent\",\"id\":\"" PERSON_A "\",\"institution\":\"P0001\",\"scope\":\"query\",\"purpose\":\"loan_approval\",\"granted\":\"2026-01-01\",\"evidence\":\"sha256:a-p1\"}\n"
	"{\"type\":\"consent\",\"id\":\"" PERSON_B "\",\"institution\":\"B0002\",\"scope\":\"furnish\",\"granted\":\"2025-01-01\",\"evidence\":\"sha256:b-b2\"}\n"
	"{\"type\":\"account\",\"institution\":\"B0001\",\"account\":\"API-A-B1\",\"id\":\"" PERSON_A "\",\"name\":\"\xe7\x94\xb2\xe4\xb8\x80\",\"product\":\"revolving\",\"opened\":\"2025-12-15\",\"credit_limit\":2000000,\"co_lenders\":[{\"institution\":\"L0001\",\"share_bp\":7000},{\"institution\":\"B0001\",\"share_bp\":3000}]}\n"
	"{\"type\":\"statement\",\"institution\":\"B0001\",\"account\":\"API-A-B1\",\"month\":\"2026-01\",\"balance\":100000,\"due\":10000,\"paid\":10000,\"overdue\":0,\"dpd\":0,\"status\":\"N\"}\n"
	"{\"type\":\"statement\",\"institution\":\"B0001\",\"account\":\"API-A-B1\",\"month\":\"2026-02\",\"balance\":90000,\"due\":10000,\"paid\":10000,\"overdue\":0,\"dpd\":0,\"status\":\"N\"}\n"
	"{\"type\":\"statement\",\"institution\":\"B0001\",\"account\":\"API-A-B1\",\"month\":\"2026-03\",\"balance\":80000,\"due\":10000,\"paid\":0,\"overdue\":10000,\"dpd\":15,\"status\":\"1\"}\n"
	"{\"type\":\"statement\",\"institution\":\"B0001\",\"account\":\"API-A-B1\",\"month\":\"2026-04\",\"balance\":70000,\"due\":10000,\"paid\":20000,\"overdue\":0,\"dpd\":0,\"status\":\"N\"}\n"
	"{\"type\":\"statement\",\"institution\":\"B0001\",\"account\":\"API-A-B1\",\"month\":\"2026-05\",\"balance\":60000,\"due\":10000,\"paid\":10000,\"overdue\":0,\"dpd\":0,\"status\":\"N\"}\n"
	"{\"type\":\"event\",\"institution\":\"B0001\",\"account\":\"API-A-B1\",\"event_id\":\"ev-1\",\"at\":\"2026-06-10T10:00:00+08:00\",\"kind\":\"drawdown\",\"amount\":5000}\n"
	"{\"type\":\"account\",\"institution\":\"B0002\",\"account\":\"API-A-B2\",\"id\":\"" PERSON_A "\",\"name\":\"\xe7\x94\xb2\xe4\xb8\x80\",\"product\":\"installment\",\"opened\":\"2026-01-10\",\"principal\":500000,\"term_months\":24}\n"
	"{\"type\":\"statement\",\"institution\":\"B0002\",\"account\":\"API-A-B2\",\"month\":\"2026-02\",\"balance\":480000,\"due\":25000,\"paid\":25000,\"overdue\":0,\"dpd\":0,\"status\":\"N\"}\n"
	"{\"type\":\"account\",\"institution\":\"B0002\",\"account\":\"API-B-B2\",\"id\":\"" PERSON_B "\",\"name\":\"\xe4\xb9\x99\xe4\xba\x8c\",\"product\":\"credit_card\",\"opened\":\"2025-11-01\",\"credit_limit\":3000000}\n"
	"{\"type\":\"statement\",\"institution\":\"B0002\",\"account\":\"API-B-B2\",\"month\":\"2026-03\",\"balance\":110000,\"due\":12000,\"paid\":12000,\"overdue\":0,\"dpd\":0,\"status\":\"N\"}\n"
	"{\"type\":\"product\",\"institution\":\"P0001\",\"code\":\"WM-1\",\"issuer\":\"B0001\",\"category\":\"wealth\",\"licence\":\"CBIRC-2020-001\",\"name\":\"Wealth One\"}\n"
	"{\"type\":\"product\",\"institution\":\"P0001\",\"code\":\"DEP-1\",\"issuer\":\"B0001\",\"category\":\"internet_deposit\",\"licence\":\"CBIRC-2019-100\",\"name\":\"Deposit One\"}\n"
	"{\"type\":\"holding\",\"institution\":\"P0001\",\"id\":\"" PERSON_A "\",\"product\":\"WM-1\",\"since\":\"2026-01-02\"}\n";

/* The keys, one per role (and a platform's lender key for the shelf). */
enum fkey { K_FURN, K_LEND, K_SUBJ, K_SUPV, K_OPER, K_PLAT, K_COUNT };

static const struct {
	uint8_t role;
	const char *inst, *id;
} key_specs[K_COUNT] = {
	[K_FURN] = {CR_ROLE_FURNISHER, "B0001", NULL},
	[K_LEND] = {CR_ROLE_LENDER, "L0001", NULL},
	[K_SUBJ] = {CR_ROLE_SUBJECT, NULL, PERSON_A},
	[K_SUPV] = {CR_ROLE_SUPERVISOR, NULL, NULL},
	[K_OPER] = {CR_ROLE_OPERATOR, NULL, NULL},
	[K_PLAT] = {CR_ROLE_LENDER, "P0001", NULL},
};

enum finput { IN_BODY, IN_PARAM_BODY, IN_QUERY };

/* Disputes filed at start (ids 1.. in this order): the answers' seeds
 * name them; the last is about another bank's account. */
static const struct {
	const char *id, *inst, *account, *month;
} dispute_specs[] = {
	{PERSON_A, "B0001", "API-A-B1", "2026-03"},
	{PERSON_A, "B0001", "API-A-B1", NULL},
	{PERSON_A, "B0001", "API-A-B1", "2026-04"},
	{PERSON_A, "B0001", "API-A-B1", "2026-05"},
	{PERSON_B, "B0002", "API-B-B2", "2026-03"},
};

/* Every route that reads a body or a query string, with a key of a role
 * it admits.  Routes with more than one kind of caller come once per
 * kind whose handling differs (a person's consent is checked against
 * the person, an institution's against the institution). */
static const struct fcase {
	enum cr_route_id route;
	enum fkey key;
	enum finput in;
} cases[] = {
	{CR_ROUTE_furnish, K_FURN, IN_BODY},
	{CR_ROUTE_events, K_FURN, IN_BODY},
	{CR_ROUTE_consent_grant, K_LEND, IN_BODY},
	{CR_ROUTE_consent_grant, K_SUBJ, IN_BODY},
	{CR_ROUTE_consent_grant, K_FURN, IN_BODY},
	{CR_ROUTE_consent_revoke, K_LEND, IN_BODY},
	{CR_ROUTE_consent_revoke, K_SUBJ, IN_BODY},
	{CR_ROUTE_consent_list, K_LEND, IN_BODY},
	{CR_ROUTE_report, K_LEND, IN_BODY},
	{CR_ROUTE_score, K_LEND, IN_BODY},
	{CR_ROUTE_me_dispute_file, K_SUBJ, IN_BODY},
	{CR_ROUTE_dispute_verify, K_FURN, IN_PARAM_BODY},
	{CR_ROUTE_dispute_correct, K_FURN, IN_PARAM_BODY},
	{CR_ROUTE_key_add, K_OPER, IN_BODY},
	{CR_ROUTE_webhook_put, K_LEND, IN_BODY},
	{CR_ROUTE_shelf_delist, K_SUPV, IN_BODY},
	{CR_ROUTE_shelf_query, K_PLAT, IN_BODY},
	{CR_ROUTE_alerts, K_LEND, IN_QUERY},
	{CR_ROUTE_supervision_quality, K_SUPV, IN_QUERY},
	{CR_ROUTE_supervision_quality, K_LEND, IN_QUERY},
	{CR_ROUTE_supervision_colending, K_SUPV, IN_QUERY},
	{CR_ROUTE_supervision_colending, K_FURN, IN_QUERY},
	{CR_ROUTE_supervision_aggregates, K_SUPV, IN_QUERY},
	{CR_ROUTE_supervision_aggregates, K_FURN, IN_QUERY},
};
#define N_CASES (sizeof cases / sizeof cases[0])

/* Members of a 2xx reply that echo what a caller sent as it was sent:
 * text stored by earlier requests (a name, an account number, a consent's
 * evidence, a product's licence), the caller's own webhook URL, and the
 * alert feed's cursor (an empty page answers "next" = the "after" asked
 * for, docs/alerts.md, whatever digits it has).  The masking rule is about
 * what a reply says of a person, not about these. */
static const char *const echoed[] = {"url", "name", "account", "evidence", "licence",
				     "address", "phone", "issuer", "next", "cursor", NULL};

static char dir[96];
static cr_store *st;
static struct cr_srv srv;
static struct cr_apikey keys[K_COUNT];
static char tokens[K_COUNT][CR_APIKEY_TOKEN_LEN + 1];
static int32_t asof;
static sem_t replied;
static int trace; /* HTTP_BODY_TRACE set: each reply on stderr */

static void die(const char *what, int rc)
{
	fprintf(stderr, "http_body: %s: %s\n", what, cr_strerror(rc));
	abort();
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

static void rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A crash leaves its store behind (libFuzzer exits without atexit then):
 * the stores of processes that are gone are removed at the next start. */
static void rm_stale(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, DIR_PREFIX, strlen(DIR_PREFIX)) != 0)
			continue;
		const long pid = strtol(e->d_name + strlen(DIR_PREFIX), NULL, 10);
		if (pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno == ESRCH)) {
			char path[512];
			snprintf(path, sizeof path, "%s/%s", base, e->d_name);
			rm_tree(path);
		}
	}
	closedir(d);
}

static int reject_seed(const struct cr_diag *d, const char *line, size_t len, void *arg)
{
	(void)arg;
	fprintf(stderr, "http_body: seed line %zu %s: %s: %.*s\n", d->line, d->field,
		d->reason ? d->reason : "rejected", (int)len, line);
	return 0;
}

struct key_add {
	struct cr_key_request q;
	char *token;
	struct cr_apikey k;
};

static int act_key_add(struct cr_op *op, void *arg)
{
	struct key_add *x = arg;
	return cr_keys_add(op, &x->q, x->token, &x->k);
}

static int act_dispute(struct cr_op *op, void *arg)
{
	uint64_t id;
	return cr_dispute_open(op, arg, &id);
}

/* Furnishes seed_jsonl, issues the keys and files the disputes. */
static void seed(void)
{
	struct cr_ingest *ig;
	struct cr_ingest_counts c;
	int rc = cr_ingest_begin(st, asof, reject_seed, NULL, &ig);
	if (!rc) {
		rc = cr_ingest_buffer(ig, seed_jsonl, sizeof seed_jsonl - 1, 1);
		const int erc = cr_ingest_end(ig, &c);
		rc = rc ? rc : erc;
	}
	if (rc)
		die("seeding the store", rc);
	CR_ASSERT(c.rejected == 0);
	CR_ASSERT(c.held == 0);
	for (int i = 0; i < K_COUNT; i++) {
		struct cr_op op;
		struct key_add x = {{key_specs[i].role, key_specs[i].inst, key_specs[i].id},
				    tokens[i], {.role = 0}};
		cr_op_init(&op, st, CR_AUDIT_ROLE_OPERATOR, NULL, asof);
		if ((rc = cr_op_run(&op, act_key_add, &x)) != 0)
			die("issuing a key", rc);
		cr_txn *txn;
		const char *why;
		if ((rc = cr_store_begin(st, 0, &txn)) != 0)
			die("reading a key", rc);
		rc = cr_apikey_check(st, txn, tokens[i], strlen(tokens[i]), &keys[i], &why);
		cr_store_abort(txn);
		if (rc)
			die("checking a key", rc);
	}
	for (size_t i = 0; i < sizeof dispute_specs / sizeof dispute_specs[0]; i++) {
		struct cr_op op;
		int32_t month = CR_WHOLE_ACCOUNT;
		if (dispute_specs[i].month)
			cr_month_parse(dispute_specs[i].month, 7, &month);
		struct cr_dispute_request q = {dispute_specs[i].inst, dispute_specs[i].account,
					       "the fuzz target's dispute", month};
		cr_op_init(&op, st, CR_AUDIT_ROLE_SUBJECT, NULL, asof);
		op.has_self = 1;
		cr_op_subject(&op, dispute_specs[i].id, &op.self);
		if ((rc = cr_op_run(&op, act_dispute, &q)) != 0)
			die("filing a dispute", rc);
	}
}

/* The parts of cr_server_run the handlers use, without the daemon and the
 * deliverer; the audit trail's start entry as the server writes it. */
static void start_server(void)
{
	struct cr_diag d = {0, "", NULL};
	memset(&srv, 0, sizeof srv);
	srv.st = st;
	cr_server_opts_default(&srv.o);
	srv.o.asof_days = asof;
	pthread_mutex_init(&srv.pool_mu, NULL);
	pthread_mutex_init(&srv.submit_mu, NULL);
	int rc = cr_scorer_open(NULL, &srv.scorer, &d);
	if (rc)
		die("loading the scorecard", rc);
	struct cr_op op;
	cr_op_init(&op, st, CR_AUDIT_ROLE_OPERATOR, NULL, asof);
	if ((rc = cr_op_audit_serve_start(&op, "in-process", 0)) != 0)
		die("starting the audit trail", rc);
	srv.metrics = cr_metrics_new(cr_route_names, cr_n_routes);
	srv.sup_cache = cr_sup_cache_new(CR_SUPERVISION_CACHE_S);
	CR_ASSERT(srv.metrics != NULL);
	CR_ASSERT(srv.sup_cache != NULL);
	if ((rc = cr_committer_start(st, &srv.com)) != 0)
		die("starting the committer", rc);
	sem_init(&replied, 0, 0);
}

/* Stops the committer (its last group lands), verifies the audit trail
 * and removes the store. */
static void finish(void)
{
	cr_committer_stop(srv.com);
	srv.com = NULL;
	struct cr_audit_verdict v;
	const int rc = cr_audit_verify(st, &v);
	if (rc) {
		fprintf(stderr, "http_body: the audit trail does not verify: %s (%s)\n", v.msg,
			cr_strerror(rc));
		abort();
	}
	if (trace)
		fprintf(stderr, "http_body: the audit trail verifies: %llu entries\n",
			(unsigned long long)v.entries);
	while (srv.pool_n) {
		cr_report_fini(srv.pool[--srv.pool_n]);
		free(srv.pool[srv.pool_n]);
	}
	cr_metrics_free(srv.metrics);
	cr_sup_cache_free(srv.sup_cache);
	cr_scorer_free(srv.scorer);
	cr_store_close(st);
	st = NULL;
	rm_tree(dir);
	pthread_mutex_destroy(&srv.pool_mu);
	pthread_mutex_destroy(&srv.submit_mu);
	sem_destroy(&replied);
}

/* A new store in a new directory, seeded, with its server parts started. */
static void make_store(void)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof dir, "%s/" DIR_PREFIX "%ld-XXXXXX", base, (long)getpid());
	if (!mkdtemp(dir))
		die("creating a directory", CR_EIO);
	char db[128], key[128];
	const char *why = NULL;
	snprintf(db, sizeof db, "%s/db", dir);
	snprintf(key, sizeof key, "%s/db.key", dir);
	int rc = cr_store_create(db, key, &why);
	if (!rc)
		rc = cr_store_open(db, key, 0, &st, &why);
	if (rc)
		die(why ? why : "opening the store", rc);
	seed();
	start_server();
}

static unsigned long renew_every = 100000, inputs;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	rm_stale(access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	CR_ASSERT(cr_date_parse(ASOF, strlen(ASOF), &asof) == 0);
	const char *renew = getenv("HTTP_BODY_RENEW");
	if (renew)
		renew_every = strtoul(renew, NULL, 10);
	make_store();
	trace = getenv("HTTP_BODY_TRACE") != NULL;
	atexit(finish);
	return 0;
}

static void on_resumed(struct cr_req *r)
{
	(void)r;
	sem_post(&replied);
}

/* Decodes a query argument in place as the server does: "+" is a space
 * (libmicrohttpd), then %HH unless the argument holds %00 (server.c). */
static void unescape(char *s)
{
	for (char *p = s; *p; p++)
		if (*p == '+')
			*p = ' ';
	if (!strstr(s, "%00"))
		MHD_http_unescape(s);
}

/* Splits q (NUL-terminated, changed in place) into name and value pairs,
 * ended by a NULL name; an argument without "=" has a NULL value, as
 * libmicrohttpd gives one. */
static void split_query(char *q, const char **args)
{
	size_t n = 0;
	for (char *s = q; *s && n + 2 < 2 * ARGS_MAX + 1;) {
		char *amp = strchr(s, '&'), *next = amp ? amp + 1 : s + strlen(s);
		if (amp)
			*amp = '\0';
		if (*s) {
			char *eq = strchr(s, '=');
			if (eq)
				*eq++ = '\0';
			unescape(s);
			if (eq)
				unescape(eq);
			args[n++] = s;
			args[n++] = eq;
		}
		s = next;
	}
	args[n] = NULL;
}

/* The IDs an input carries, normalized (X upper case). */
struct ids {
	char v[64][19];
	size_t n;
};

static int digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Calls found(arg, run) for each whole resident-ID-shaped run of s[0..n)
 * (mask.h): 17 digits and a digit or X (x), no digit right before or
 * after it. */
static void id_runs(const char *s, size_t n, void (*found)(void *arg, const char *run),
		    void *arg)
{
	size_t i = 0;
	while (i < n) {
		if (!digit(s[i])) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && digit(s[j]))
			j++;
		const size_t len = j - i;
		if (len == 18)
			found(arg, s + i);
		else if (len == 17 && j < n && (s[j] == 'X' || s[j] == 'x') &&
			 (j + 1 == n || !digit(s[j + 1])))
			found(arg, s + i);
		i = j;
	}
}

static void ids_add(void *arg, const char *run)
{
	struct ids *ids = arg;
	if (ids->n == sizeof ids->v / sizeof ids->v[0])
		return;
	memcpy(ids->v[ids->n], run, 18);
	ids->v[ids->n][17] = run[17] == 'x' ? 'X' : run[17];
	ids->v[ids->n++][18] = '\0';
}

static void ids_scan(struct ids *ids, const char *s, size_t n)
{
	id_runs(s, n, ids_add, ids);
}

/* The IDs in every string and key of a decoded JSON value. */
static void ids_scan_json(struct ids *ids, json_t *v, int depth)
{
	const char *k;
	json_t *m;
	size_t i;
	if (depth > 64)
		return;
	if (json_is_string(v))
		ids_scan(ids, json_string_value(v), json_string_length(v));
	if (json_is_object(v))
		json_object_foreach(v, k, m) {
			ids_scan(ids, k, strlen(k));
			ids_scan_json(ids, m, depth + 1);
		}
	if (json_is_array(v))
		json_array_foreach(v, i, m)
			ids_scan_json(ids, m, depth + 1);
}

/* Removes the echoed members (above) from v and what it holds. */
static void drop_echoed(json_t *v, int depth)
{
	const char *k;
	json_t *m;
	void *tmp;
	size_t i;
	if (depth > 64)
		return;
	if (json_is_object(v))
		json_object_foreach_safe(v, tmp, k, m) {
			size_t e = 0;
			while (echoed[e] && strcmp(echoed[e], k) != 0)
				e++;
			if (echoed[e])
				json_object_del(v, k);
			else
				drop_echoed(m, depth + 1);
		}
	if (json_is_array(v))
		json_array_foreach(v, i, m)
			drop_echoed(m, depth + 1);
}

static void id_shown(void *arg, const char *run)
{
	const struct ids *ids = arg;
	const char last = run[17] == 'x' ? 'X' : run[17];
	for (size_t k = 0; k < ids->n; k++) {
		const int same = memcmp(run, ids->v[k], 17) == 0 && last == ids->v[k][17];
		if (same)
			fprintf(stderr, "http_body: the reply shows an ID of the input: %.18s\n", run);
		CR_ASSERT(!same);
	}
}

/* No ID of the input is in the reply's text unmasked. */
static void check_masked(const struct ids *ids, const char *text, size_t n)
{
	id_runs(text, n, id_shown, (void *)ids);
}

static void check_problem(const struct cr_req *r, json_t *o)
{
	const char *type = json_string_value(json_object_get(o, "type"));
	CR_ASSERT(strcmp(r->ctype, "application/problem+json") == 0);
	CR_ASSERT(type && strncmp(type, "urn:creditref:problem:", 22) == 0);
	CR_ASSERT(json_is_string(json_object_get(o, "title")));
	CR_ASSERT(json_is_string(json_object_get(o, "detail")));
	CR_ASSERT(json_is_string(json_object_get(o, "instance")));
	CR_ASSERT(json_integer_value(json_object_get(o, "status")) == (json_int_t)r->status);
}

static uint64_t member_u64(json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	CR_ASSERT(json_is_integer(v) && json_integer_value(v) >= 0);
	return (uint64_t)json_integer_value(v);
}

/* Rule 7 on a furnishing reply. */
static void check_counts(json_t *o)
{
	const uint64_t rejected = member_u64(o, "rejected");
	CR_ASSERT(member_u64(o, "submitted") == member_u64(o, "accepted") + rejected +
						   member_u64(o, "held") + member_u64(o, "unchanged"));
	const json_t *list = json_object_get(o, "rejects");
	CR_ASSERT(json_is_array(list));
	CR_ASSERT(json_array_size(list) ==
		  (rejected < CR_REJECTS_LISTED ? rejected : CR_REJECTS_LISTED));
	CR_ASSERT(json_is_true(json_object_get(o, "rejects_truncated")) ==
		  (rejected > CR_REJECTS_LISTED));
}

static void check_reply(const struct cr_req *r, const struct ids *ids)
{
	if (r->status < 200 || r->status >= 500)
		fprintf(stderr, "http_body: %s answered %u: %.*s\n", r->route->name, r->status,
			(int)r->out.len, r->out.data ? r->out.data : "");
	CR_ASSERT(r->status >= 200);
	CR_ASSERT(r->status < 500);
	CR_ASSERT(r->ctype != NULL);
	json_error_t err;
	json_t *o = json_loadb(r->out.data ? r->out.data : "", r->out.len, 0, &err);
	if (!json_is_object(o))
		fprintf(stderr, "http_body: %s answered %u with no JSON object (%s): %.*s\n",
			r->route->name, r->status, err.text, (int)r->out.len,
			r->out.data ? r->out.data : "");
	CR_ASSERT(json_is_object(o));
	if (r->status >= 400) {
		check_problem(r, o);
	} else {
		CR_ASSERT(strcmp(r->ctype, "application/json") == 0);
		if (r->route->id == CR_ROUTE_furnish || r->route->id == CR_ROUTE_events)
			check_counts(o);
		drop_echoed(o, 0);
	}
	/* The reply as jansson writes it back: any \u escape decoded. */
	char *text = json_dumps(o, JSON_COMPACT);
	CR_ASSERT(text != NULL);
	check_masked(ids, text, strlen(text));
	free(text);
	json_decref(o);
}

/* The store answers a read after the input: the lender's key checks. */
static void check_store(void)
{
	cr_txn *txn;
	struct cr_apikey k;
	const char *why;
	CR_ASSERT(cr_store_begin(st, 0, &txn) == 0);
	const int rc = cr_apikey_check(st, txn, tokens[K_LEND], strlen(tokens[K_LEND]), &k, &why);
	cr_store_abort(txn);
	CR_ASSERT(rc == 0);
}

/* The path of c's route for param, routed as the server routes it into r;
 * 0 when it reaches c's route. */
static int route(struct cr_req *r, const struct fcase *c, const char *param)
{
	const struct cr_route *want = &cr_routes[c->route];
	const char *open = strchr(want->pattern, '{');
	char path[sizeof r->path];
	if (open)
		snprintf(path, sizeof path, "%.*s%s%s", (int)(open - want->pattern), want->pattern,
			 param, strchr(open, '}') + 1);
	else
		snprintf(path, sizeof path, "%s", want->pattern);
	snprintf(r->path, sizeof r->path, "%s", path);
	r->route = cr_route_find(want->method, r->path, r->param, sizeof r->param, r->allow,
				 sizeof r->allow, &r->route_idx);
	r->allow[0] = '\0';
	return r->route == want ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (renew_every && ++inputs % renew_every == 0) {
		finish();
		make_store();
	}
	const struct fcase *c = &cases[data[0] % N_CASES];
	const char *in = (const char *)data + 1;
	size_t n = size - 1;
	CR_ASSERT(cr_routes[c->route].roles & ROLE(keys[c->key].role));
	/* The input as a string: the param or the query string. */
	char *text = malloc(n + 1);
	const char *args[2 * ARGS_MAX + 1] = {NULL};
	CR_ASSERT(text != NULL);
	memcpy(text, in, n);
	text[n] = '\0';
	const char *param = "", *body = in;
	size_t body_len = c->in == IN_BODY ? n : 0;
	if (c->in == IN_PARAM_BODY) {
		char *nl = memchr(text, '\n', n);
		param = text;
		if (nl) {
			*nl = '\0';
			body = in + (nl - text) + 1;
			body_len = n - (size_t)(nl - text) - 1;
		}
	}
	struct cr_req *r = cr_req_new(&srv, NULL, "");
	CR_ASSERT(r != NULL);
	if (route(r, c, param)) {
		cr_req_free(r);
		free(text);
		return 0;
	}
	struct ids ids = {.n = 0};
	ids_scan(&ids, in, n);
	if (c->in == IN_QUERY) {
		split_query(text, args);
		for (size_t i = 0; args[i]; i += 2) {
			ids_scan(&ids, args[i], strlen(args[i]));
			if (args[i + 1])
				ids_scan(&ids, args[i + 1], strlen(args[i + 1]));
		}
		r->args = args;
	}
	json_error_t err;
	json_t *decoded = body_len ? json_loadb(body, body_len, 0, &err) : NULL;
	ids_scan_json(&ids, decoded, 0);
	json_decref(decoded);
	r->key = keys[c->key];
	r->resumed = on_resumed;
	if (body_len)
		CR_ASSERT(cr_buf_append(&r->body, body, body_len) == 0);
	if (r->route->handler(r) == CR_H_ASYNC)
		while (sem_wait(&replied) != 0)
			CR_ASSERT(errno == EINTR);
	if (trace)
		fprintf(stderr, "%s %s -> %u %.*s\n", cr_routes[c->route].method, r->path, r->status,
			(int)r->out.len, r->out.data ? r->out.data : "");
	check_reply(r, &ids);
	cr_req_free(r);
	free(text);
	check_store();
	return 0;
}
