/*
 * deliver.c - the webhook deliverer; see deliver.h and docs/alerts.md.
 *
 * One thread, one libcurl multi handle, at most CR_DELIVER_INFLIGHT_MAX
 * transfers at once (one per institution: an institution's pages go out in
 * cursor order).  A round of the loop: when poked or when the poll
 * interval or a retry time has come, scan the registered webhooks in a read snapshot
 * and start a transfer for each one that has alerts after its cursor, is
 * due and is not in flight; drive the transfers; for each one finished,
 * write its outcome through the committer and wait for that commit (a few
 * milliseconds, while the other transfers wait in their sockets); sleep in
 * curl_multi_poll until something happens.
 *
 * The page is built, and the secret unsealed, from the same snapshot that
 * found it due; the secret is wiped once the signature is made.  The
 * outcome is applied only to the registration it was made for (gen), so a
 * re-registration during a transfer wins.
 */
#include "deliver.h"
#include "ops.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "alert.h"
#include "audit.h"
#include "cr_buf.h"
#include "cr_date.h"
#include "cr_err.h"
#include "cr_limits.h"
#include "webhook.h"

/* A page holds CR_WEBHOOK_BATCH alerts, each with at most
 * CR_SUBJECT_ACCOUNTS_MAX of the receiver's account numbers (printable
 * ASCII: at most two bytes a character once escaped, two quotes and a
 * comma) and a few hundred bytes besides. */
_Static_assert((size_t)CR_WEBHOOK_BATCH *
		       (512 + (size_t)CR_SUBJECT_ACCOUNTS_MAX * (2 * CR_ACCOUNT_MAX + 3)) <=
	       CR_DELIVER_BODY_MAX,
	       "a page of alerts about people with the most accounts must fit a body");

#define POLL_MS 1000

struct slot {
	int busy;
	CURL *easy;
	struct curl_slist *hdrs;
	char inst[CR_INST_CODE_MAX + 1];
	uint64_t gen, after, next;
	unsigned n;
	uint32_t failures;           /* before this attempt */
	struct cr_buf body;
	char err[CURL_ERROR_SIZE];
};

struct cr_deliverer {
	cr_store *st;
	struct cr_committer *com;
	struct cr_deliverer_opts o;
	CURLM *multi;
	pthread_t thread;
	atomic_int stopping;
	int joined;
	atomic_int dirty;
	int64_t hold_until_ms;       /* after a failed commit: no attempt before */
	struct slot slots[CR_DELIVER_INFLIGHT_MAX];
	pthread_mutex_t mu;          /* the commit being waited for */
	pthread_cond_t cv;
	_Atomic uint64_t attempts, failures, delivered, backlog, registered;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- one attempt's outcome, written through the committer ---------------- */

struct attempt {
	struct cr_job job;
	struct cr_deliverer *d;
	const struct slot *slot;
	int ok;
	uint16_t status;
	uint8_t err;
	int64_t at_ms;
	uint32_t rnd;
	int done;
};

static int run_attempt(struct cr_group *g, struct cr_job *j)
{
	const struct attempt *a = j->arg;
	const struct slot *s = a->slot;
	const struct cr_deliverer *d = a->d;
	const struct cr_webhook_attempt at = {s->gen, s->after, s->next, s->n, s->failures,
					      a->status, a->err, s->err, a->at_ms, d->o.base_ms,
					      a->rnd};
	struct cr_op op;
	cr_op_init(&op, g->st, CR_AUDIT_ROLE_LENDER, s->inst,
		   d->o.asof_days != CR_NO_DATE ? d->o.asof_days : cr_date_today());
	op.txn = g->txn;
	op.batch = g->audit;
	return cr_webhook_attempted(&op, &at);
}

static void attempt_done(struct cr_job *j)
{
	struct attempt *a = j->arg;
	pthread_mutex_lock(&a->d->mu);
	a->done = 1;
	pthread_cond_broadcast(&a->d->cv);
	pthread_mutex_unlock(&a->d->mu);
}

/* Writes the outcome and waits for its commit; 1 when it committed. */
static int commit_attempt(struct cr_deliverer *d, struct attempt *a)
{
	memset(&a->job, 0, sizeof a->job);
	a->d = d;
	a->at_ms = now_ms();
	a->rnd = randombytes_random();
	a->job.run = run_attempt;
	a->job.done = attempt_done;
	a->job.arg = a;
	cr_committer_submit(d->com, &a->job);
	pthread_mutex_lock(&d->mu);
	while (!a->done)
		pthread_cond_wait(&d->cv, &d->mu);
	pthread_mutex_unlock(&d->mu);
	return a->job.committed;
}

/* ---- transfers ------------------------------------------------------------- */

static uint8_t curl_error_kind(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT: case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return CR_WEBHOOK_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return CR_WEBHOOK_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR: case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM: case CURLE_SSL_CIPHER: case CURLE_SSL_CACERT_BADFILE:
		return CR_WEBHOOK_TLS;
	case CURLE_GOT_NOTHING: case CURLE_RECV_ERROR: case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
		return CR_WEBHOOK_CLOSED;
	default:
		return CR_WEBHOOK_OTHER;
	}
}

static void slot_release(struct cr_deliverer *d, struct slot *s)
{
	if (s->easy) {
		curl_multi_remove_handle(d->multi, s->easy);
		curl_easy_cleanup(s->easy);
	}
	curl_slist_free_all(s->hdrs);
	s->easy = NULL;
	s->hdrs = NULL;
	s->busy = 0;
	cr_buf_reset(&s->body);
}

/* A transfer ended (or was abandoned: stopped): commit, count, free. */
static void finish(struct cr_deliverer *d, struct slot *s, CURLcode res, int stopped)
{
	struct attempt a;
	long status = 0;
	memset(&a, 0, sizeof a);
	a.slot = s;
	if (stopped) {
		a.err = CR_WEBHOOK_STOPPED;
	} else {
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
		a.status = status > 0 && status < 1000 ? (uint16_t)status : 0;
		a.ok = res == CURLE_OK && status >= 200 && status < 300;
		a.err = a.ok ? CR_WEBHOOK_OK : res == CURLE_OK ? CR_WEBHOOK_HTTP : curl_error_kind(res);
	}
	/* The attempt is counted before its record is committed: the record
	 * is visible to readers as soon as its group commits, before the
	 * group's sync answers us, and /metrics must not lag behind it. */
	atomic_fetch_add(&d->attempts, 1);
	atomic_fetch_add(a.ok ? &d->delivered : &d->failures, a.ok ? s->n : 1);
	const int committed = commit_attempt(d, &a);
	if (!committed)
		d->hold_until_ms = now_ms() + (int64_t)d->o.base_ms;
	slot_release(d, s);
	atomic_store(&d->dirty, 1);
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* Refuses loopback and private destinations unless allowed (the address
 * each connection is about to use, after DNS). */
static curl_socket_t open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	const struct cr_deliverer *d = arg;
	(void)purpose;
	if (!d->o.allow_private && cr_webhook_addr_private(&a->addr))
		return CURL_SOCKET_BAD;
	return socket(a->family, a->socktype, a->protocol);
}

/* Appends "name: value", or "name:" (value NULL: libcurl leaves the
 * header out). */
static int add_header(struct curl_slist **l, const char *name, const char *value)
{
	char line[CR_WEBHOOK_SIG_MAX + 64];
	if (value)
		snprintf(line, sizeof line, "%s: %s", name, value);
	else
		snprintf(line, sizeof line, "%s:", name);
	struct curl_slist *n = curl_slist_append(*l, line);
	if (!n)
		return CR_ENOMEM;
	*l = n;
	return 0;
}

static int set_headers(struct slot *s, const char *secret)
{
	char sig[CR_WEBHOOK_SIG_MAX + 1], id[48], attempt[16];
	cr_webhook_sign(secret, (int64_t)time(NULL), s->body.data, s->body.len, sig);
	snprintf(id, sizeof id, "%llu-%llu", (unsigned long long)s->after + 1,
		 (unsigned long long)s->next);
	snprintf(attempt, sizeof attempt, "%u", (unsigned)s->failures + 1);
	const char *const h[][2] = {
		{"Content-Type", "application/json"},
		{"User-Agent", "creditref-webhook/1"},
		{"Expect", NULL}, /* no wait for 100-continue */
		{"Creditref-Institution", s->inst},
		{"Creditref-Delivery", id},
		{"Creditref-Attempt", attempt},
		{"Creditref-Signature", sig},
	};
	int rc = 0;
	for (size_t i = 0; i < sizeof h / sizeof h[0] && !rc; i++)
		rc = add_header(&s->hdrs, h[i][0], h[i][1]);
	return rc;
}

static int set_options(struct cr_deliverer *d, struct slot *s, const char *url)
{
	CURL *e = s->easy;
	const long timeout_ms = (long)d->o.timeout_s * 1000;
	int bad = curl_easy_setopt(e, CURLOPT_URL, url) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_POST, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_POSTFIELDS, s->body.data) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->body.len) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->hdrs) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->err) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, d) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_PRIVATE, s) != CURLE_OK;
	return bad ? CR_ENOMEM : 0;
}

/* Starts the attempt for w in s: its page and signature from txn. */
static int start(struct cr_deliverer *d, cr_txn *txn, const struct cr_webhook *w,
		 struct slot *s)
{
	struct cr_webhook full;
	snprintf(s->inst, sizeof s->inst, "%s", w->inst);
	s->gen = w->gen;
	s->after = w->s.cursor;
	s->failures = w->s.failures;
	s->err[0] = '\0';
	cr_buf_reset(&s->body);
	int rc = cr_alert_page(txn, w->inst, w->s.cursor, CR_WEBHOOK_BATCH, &s->body, &s->n,
			       &s->next);
	if (rc || s->n == 0)
		return rc;
	rc = cr_store_webhook_get(txn, w->inst, 1, &full);
	if (!rc)
		rc = set_headers(s, full.secret);
	sodium_memzero(full.secret, sizeof full.secret);
	if (!rc && !(s->easy = curl_easy_init()))
		rc = CR_ENOMEM;
	if (!rc)
		rc = set_options(d, s, w->url);
	if (!rc && curl_multi_add_handle(d->multi, s->easy) != CURLM_OK)
		rc = CR_ENOMEM;
	if (rc) {
		slot_release(d, s);
		return rc;
	}
	s->busy = 1;
	return 0;
}

/* ---- the round ---------------------------------------------------------------- */

struct scan {
	struct cr_deliverer *d;
	cr_txn *txn;
	int64_t now;
	int64_t wait_ms;
	uint64_t backlog, registered;
};

static struct slot *find_slot(struct cr_deliverer *d, const char *inst)
{
	struct slot *free_slot = NULL;
	for (int i = 0; i < CR_DELIVER_INFLIGHT_MAX; i++) {
		struct slot *s = &d->slots[i];
		if (s->busy && strcmp(s->inst, inst) == 0)
			return NULL;
		if (!s->busy && !free_slot)
			free_slot = s;
	}
	return free_slot;
}

static int scan_one(const struct cr_webhook *w, void *arg)
{
	struct scan *c = arg;
	uint64_t last;
	int rc = cr_store_alert_last(c->txn, w->inst, &last);
	if (rc)
		return rc;
	c->registered++;
	if (last <= w->s.cursor)
		return 0;
	c->backlog += last - w->s.cursor;
	if (w->s.next_attempt_ms > c->now) {
		if (w->s.next_attempt_ms - c->now < c->wait_ms)
			c->wait_ms = w->s.next_attempt_ms - c->now;
		return 0;
	}
	struct slot *s = find_slot(c->d, w->inst);
	if (!s)
		return 0; /* in flight, or no free slot: the round after a finish */
	rc = start(c->d, c->txn, w, s);
	if (rc)
		fprintf(stderr, "creditref serve: webhook of %s: cannot start a delivery: %s\n",
			w->inst, cr_strerror(rc));
	return 0;
}

/* Starts what is due; returns the milliseconds until the next look. */
static int64_t scan(struct cr_deliverer *d, int64_t now)
{
	struct scan c = {d, NULL, now, POLL_MS, 0, 0};
	if (now < d->hold_until_ms)
		return d->hold_until_ms - now;
	int rc = cr_store_begin(d->st, 0, &c.txn);
	if (!rc) {
		rc = cr_store_webhooks(c.txn, scan_one, &c);
		cr_store_abort(c.txn);
	}
	if (rc) {
		fprintf(stderr, "creditref serve: webhooks: cannot read the store: %s\n", cr_strerror(rc));
		return POLL_MS;
	}
	atomic_store(&d->backlog, c.backlog);
	atomic_store(&d->registered, c.registered);
	return c.wait_ms;
}

static void reap(struct cr_deliverer *d)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(d->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		char *p = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &p);
		if (p)
			finish(d, (struct slot *)p, m->data.result, 0);
	}
}

static void *loop(void *arg)
{
	struct cr_deliverer *d = arg;
	int64_t next_look = 0;
	while (!atomic_load(&d->stopping)) {
		int64_t now = now_ms();
		if (atomic_exchange(&d->dirty, 0) || now >= next_look)
			next_look = now + scan(d, now);
		int running = 0;
		curl_multi_perform(d->multi, &running);
		reap(d);
		if (atomic_load(&d->dirty))
			continue;
		now = now_ms();
		const int64_t wait = next_look > now ? next_look - now : 0;
		curl_multi_poll(d->multi, NULL, 0, (int)(wait < POLL_MS ? wait : POLL_MS), NULL);
	}
	for (int i = 0; i < CR_DELIVER_INFLIGHT_MAX; i++)
		if (d->slots[i].busy)
			finish(d, &d->slots[i], CURLE_OK, 1);
	return NULL;
}

/* ---- life cycle ------------------------------------------------------------- */

static void free_deliverer(struct cr_deliverer *d)
{
	for (int i = 0; i < CR_DELIVER_INFLIGHT_MAX; i++) {
		slot_release(d, &d->slots[i]);
		cr_buf_fini(&d->slots[i].body);
	}
	if (d->multi)
		curl_multi_cleanup(d->multi);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->cv);
	free(d);
}

int cr_deliverer_start(cr_store *st, struct cr_committer *com,
		       const struct cr_deliverer_opts *o, struct cr_deliverer **out)
{
	*out = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return CR_EIO;
	struct cr_deliverer *d = calloc(1, sizeof *d);
	if (!d)
		return CR_ENOMEM;
	d->st = st;
	d->com = com;
	d->o = *o;
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	for (int i = 0; i < CR_DELIVER_INFLIGHT_MAX; i++)
		cr_buf_init(&d->slots[i].body, CR_DELIVER_BODY_MAX);
	atomic_store(&d->dirty, 1);
	d->multi = curl_multi_init();
	if (!d->multi || pthread_create(&d->thread, NULL, loop, d) != 0) {
		free_deliverer(d);
		curl_global_cleanup();
		return CR_ENOMEM;
	}
	*out = d;
	return 0;
}

void cr_deliverer_poke(struct cr_deliverer *d, int force)
{
	if (!d || (!force && atomic_load(&d->registered) == 0))
		return;
	if (!atomic_exchange(&d->dirty, 1))
		curl_multi_wakeup(d->multi);
}

void cr_deliverer_stop(struct cr_deliverer *d)
{
	if (!d || d->joined)
		return;
	atomic_store(&d->stopping, 1);
	curl_multi_wakeup(d->multi);
	pthread_join(d->thread, NULL);
	d->joined = 1;
}

void cr_deliverer_free(struct cr_deliverer *d)
{
	if (!d)
		return;
	cr_deliverer_stop(d);
	free_deliverer(d);
	curl_global_cleanup();
}

void cr_deliverer_stats(struct cr_deliverer *d, struct cr_deliverer_stats *out)
{
	memset(out, 0, sizeof *out);
	if (!d)
		return;
	out->attempts = atomic_load(&d->attempts);
	out->failures = atomic_load(&d->failures);
	out->delivered = atomic_load(&d->delivered);
	out->backlog = atomic_load(&d->backlog);
	out->registered = atomic_load(&d->registered);
}
