/* Unit tests for the server's parts that need no network: the per-key
 * rate limiter, route matching and the group committer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "audit.h"
#include "committer.h"
#include "cr_err.h"
#include "cr_limits.h"
#include "http.h"
#include "ratelimit.h"

#define MS 1000000ULL

/* A burst is allowed, the next request waits, and tokens come back at the
 * rate; each key has its own bucket. */
static void rate_limit_per_key(void **state)
{
	(void)state;
	struct cr_ratelimit *rl = cr_ratelimit_new(5, 5);
	assert_non_null(rl);
	uint64_t t = 1000 * MS;
	for (int i = 0; i < 5; i++)
		assert_int_equal(cr_ratelimit_take(rl, "aaaaaaaaaaaaaaaa", t), 0);
	assert_int_equal(cr_ratelimit_take(rl, "aaaaaaaaaaaaaaaa", t), 1);
	assert_int_equal(cr_ratelimit_take(rl, "bbbbbbbbbbbbbbbb", t), 0);
	/* 5 per second: one token after 200 ms, not after 150 ms. */
	assert_int_equal(cr_ratelimit_take(rl, "aaaaaaaaaaaaaaaa", t + 150 * MS), 1);
	assert_int_equal(cr_ratelimit_take(rl, "aaaaaaaaaaaaaaaa", t + 200 * MS), 0);
	assert_int_equal(cr_ratelimit_take(rl, "aaaaaaaaaaaaaaaa", t + 200 * MS), 1);
	/* Never more than the burst, however long the key was idle. */
	for (int i = 0; i < 5; i++)
		assert_int_equal(cr_ratelimit_take(rl, "aaaaaaaaaaaaaaaa", t + 3600000 * MS), 0);
	assert_int_equal(cr_ratelimit_take(rl, "aaaaaaaaaaaaaaaa", t + 3600000 * MS), 1);
	cr_ratelimit_free(rl);
	rl = cr_ratelimit_new(0, 0); /* no limit */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(cr_ratelimit_take(rl, "aaaaaaaaaaaaaaaa", t), 0);
	cr_ratelimit_free(rl);
}

/* A slow rate waits whole seconds, rounded up. */
static void retry_after_rounds_up(void **state)
{
	(void)state;
	struct cr_ratelimit *rl = cr_ratelimit_new(1, 1);
	assert_int_equal(cr_ratelimit_take(rl, "k", 0), 0);
	assert_int_equal(cr_ratelimit_take(rl, "k", 1), 1);
	cr_ratelimit_free(rl);
}

static void routes_match_methods_and_params(void **state)
{
	(void)state;
	char param[80], allow[64];
	unsigned idx;
	const struct cr_route *r = cr_route_find("POST", "/v1/disputes/17/verify", param,
						 sizeof param, allow, sizeof allow, &idx);
	assert_non_null(r);
	assert_string_equal(param, "17");
	assert_string_equal(r->name, "dispute_verify");
	assert_string_equal(cr_route_names[idx], "dispute_verify");
	assert_null(cr_route_find("GET", "/v1/reports", param, sizeof param, allow,
				  sizeof allow, &idx));
	assert_string_equal(allow, "POST");
	assert_null(cr_route_find("GET", "/v1/keys/", param, sizeof param, allow,
				  sizeof allow, &idx));
	assert_string_equal(allow, "");
	assert_null(cr_route_find("GET", "/v1/reportsx", param, sizeof param, allow,
				  sizeof allow, &idx));
	r = cr_route_find("GET", "/v1/keys", param, sizeof param, allow, sizeof allow, &idx);
	assert_non_null(r);
	assert_int_equal(idx, (unsigned)(r - cr_routes));
	/* One path, three methods, for the lender role only. */
	r = cr_route_find("PUT", "/v1/webhook", param, sizeof param, allow, sizeof allow, &idx);
	assert_non_null(r);
	assert_string_equal(cr_route_names[idx], "webhook_put");
	assert_int_equal(r->roles, ROLE(CR_ROLE_LENDER));
	assert_null(cr_route_find("POST", "/v1/webhook", param, sizeof param, allow,
				  sizeof allow, &idx));
	assert_string_equal(allow, "PUT, GET, DELETE");
}

/* Committer: jobs queued together share one commit, each sees its outcome. */
struct probe {
	struct cr_job job;
	int ran, done;
	uint64_t seq;
};

static int run_probe(struct cr_group *g, struct cr_job *j)
{
	struct probe *p = j->arg;
	struct cr_audit_entry e;
	cr_audit_entry_init(&e);
	e.asof_days = 20000;
	e.role = CR_AUDIT_ROLE_OPERATOR;
	snprintf(e.action, sizeof e.action, "report");
	e.outcome = CR_AUDIT_GRANTED;
	p->ran = 1;
	int rc = cr_audit_batch_add(g->audit, &e);
	p->seq = e.seq;
	return rc;
}

static void done_probe(struct cr_job *j)
{
	struct probe *p = j->arg;
	p->done = 1 + j->committed;
}

static void committer_groups_and_acknowledges(void **state)
{
	(void)state;
	char dir[] = "/tmp/creditref-committer-XXXXXX", db[64], key[64], cmd[96];
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/db", dir);
	snprintf(key, sizeof key, "%s/db.key", dir);
	cr_store *st;
	const char *reason;
	assert_int_equal(cr_store_create(db, key, &reason), 0);
	assert_int_equal(cr_store_open(db, key, 0, &st, &reason), 0);
	struct cr_audit_entry first;
	cr_audit_entry_init(&first);
	first.asof_days = 20000;
	first.role = CR_AUDIT_ROLE_OPERATOR;
	snprintf(first.action, sizeof first.action, "serve_start");
	first.outcome = CR_AUDIT_GRANTED;
	assert_int_equal(cr_audit_record(st, &first), 0);
	struct cr_committer *c;
	assert_int_equal(cr_committer_start(st, &c), 0);
	static struct probe p[200];
	for (int i = 0; i < 200; i++) {
		memset(&p[i], 0, sizeof p[i]);
		p[i].job.run = run_probe;
		p[i].job.done = done_probe;
		p[i].job.arg = &p[i];
		cr_committer_submit(c, &p[i].job);
	}
	cr_committer_stop(c); /* drains the queue first */
	for (int i = 0; i < 200; i++) {
		assert_int_equal(p[i].done, 2);
		assert_int_equal(p[i].seq, (uint64_t)(i + 2)); /* in submission order */
	}
	struct cr_audit_verdict v;
	assert_int_equal(cr_audit_verify(st, &v), 0);
	assert_int_equal(v.entries, 201);
	assert_int_equal(v.head_seq, 201);
	cr_store_close(st);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* Light jobs first: a job is named by a letter; one log records "r" + name
 * when it runs (on the committer thread), another "d" + name when it is
 * acknowledged (on the syncer thread, once its group is durable). */
struct named {
	struct cr_job job;
	char name;
	struct cr_committer *c;
	struct named *submit_while_running; /* arrives while this one runs */
};

struct step_log {
	char s[64];
	size_t len;
};
static struct step_log run_log, done_log;
static atomic_int h1_running, h1_release;

static void log_step(struct step_log *l, char what, char name)
{
	if (l->len + 2 < sizeof l->s) {
		l->s[l->len++] = what;
		l->s[l->len++] = name;
	}
}

static int run_named(struct cr_group *g, struct cr_job *j)
{
	(void)g;
	struct named *n = j->arg;
	log_step(&run_log, 'r', n->name);
	if (n->name == '1') {
		atomic_store(&h1_running, 1);
		for (int i = 0; i < 10000 && !atomic_load(&h1_release); i++)
			usleep(1000);
	}
	if (n->submit_while_running)
		cr_committer_submit(n->c, &n->submit_while_running->job);
	return 0;
}

static void done_named(struct cr_job *j)
{
	struct named *n = j->arg;
	log_step(&done_log, j->committed ? 'd' : 'x', n->name); /* no cmocka asserts off the main thread */
}

static void committer_puts_light_jobs_first(void **state)
{
	(void)state;
	char dir[] = "/tmp/creditref-committer-XXXXXX", db[64], key[64], cmd[96];
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/db", dir);
	snprintf(key, sizeof key, "%s/db.key", dir);
	cr_store *st;
	const char *reason;
	assert_int_equal(cr_store_create(db, key, &reason), 0);
	assert_int_equal(cr_store_open(db, key, 0, &st, &reason), 0);
	struct cr_audit_entry first;
	cr_audit_entry_init(&first);
	first.asof_days = 20000;
	first.role = CR_AUDIT_ROLE_OPERATOR;
	snprintf(first.action, sizeof first.action, "serve_start");
	first.outcome = CR_AUDIT_GRANTED;
	assert_int_equal(cr_audit_record(st, &first), 0);
	struct cr_committer *c;
	assert_int_equal(cr_committer_start(st, &c), 0);
	/* Heavy 1, 2, 3 (bulk bodies), light a and b (a report, an event). */
	static struct named jobs[5];
	const char names[5] = {'1', '2', '3', 'a', 'b'};
	for (int i = 0; i < 5; i++) {
		memset(&jobs[i], 0, sizeof jobs[i]);
		jobs[i].name = names[i];
		jobs[i].c = c;
		jobs[i].job.run = run_named;
		jobs[i].job.done = done_named;
		jobs[i].job.arg = &jobs[i];
		jobs[i].job.weight = i < 3 ? CR_COMMIT_LIGHT_BYTES * 4 : 100;
	}
	jobs[1].submit_while_running = &jobs[4]; /* b arrives while 2 runs */
	cr_committer_submit(c, &jobs[0].job);
	for (int i = 0; i < 10000 && !atomic_load(&h1_running); i++)
		usleep(1000);
	assert_true(atomic_load(&h1_running));
	/* Queued together behind 1: a goes first, and b, arriving while 2
	 * is applied, ends 2's group before 3. */
	cr_committer_submit(c, &jobs[1].job);
	cr_committer_submit(c, &jobs[2].job);
	cr_committer_submit(c, &jobs[3].job);
	atomic_store(&h1_release, 1);
	cr_committer_stop(c);
	run_log.s[run_log.len] = done_log.s[done_log.len] = '\0';
	assert_string_equal(run_log.s, "r1ra" "r2rb" "r3");
	assert_string_equal(done_log.s, "d1da" "d2db" "d3");
	cr_store_close(st);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* Isolation (committer.h): jobs queued behind a blocker share one group;
 * some fail on their own (an audit entry the trail refuses, after a store
 * write), one fails as the store would.  Each job is named by its index. */
enum { ISO_JOBS = 10 };
struct iso {
	struct cr_job job;
	int index;
	int fault;           /* 0, CR_EINVAL (a refused entry) or CR_EIO */
	atomic_int runs;
	int done, committed, alone, rc;
};
static atomic_int iso_block_running, iso_block_release;

static int run_iso(struct cr_group *g, struct cr_job *j)
{
	struct iso *p = j->arg;
	atomic_fetch_add(&p->runs, 1);
	if (p->index < 0) { /* the blocker */
		atomic_store(&iso_block_running, 1);
		for (int i = 0; i < 10000 && !atomic_load(&iso_block_release); i++)
			usleep(1000);
		return 0;
	}
	struct cr_institution in;
	memset(&in, 0, sizeof in);
	snprintf(in.code, sizeof in.code, "I%d", p->index);
	snprintf(in.name, sizeof in.name, "written by job %d", p->index);
	in.kind = CR_KIND_BANK;
	int rc = cr_store_inst_put(g->txn, &in);
	if (rc < 0)
		return rc;
	if (p->fault == CR_EIO)
		return CR_EIO;
	struct cr_audit_entry e;
	cr_audit_entry_init(&e);
	e.asof_days = 20000;
	e.role = p->fault ? 0 : CR_AUDIT_ROLE_OPERATOR; /* role 0: refused */
	snprintf(e.action, sizeof e.action, "report");
	e.outcome = CR_AUDIT_GRANTED;
	return cr_audit_batch_add(g->audit, &e);
}

static void done_iso(struct cr_job *j)
{
	struct iso *p = j->arg;
	p->committed = j->committed;
	p->alone = j->alone;
	p->rc = j->rc;
	p->done = 1;
}

static cr_store *iso_store(char *dir, size_t cap)
{
	char db[96], key[96];
	snprintf(dir, cap, "/tmp/creditref-committer-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/db", dir);
	snprintf(key, sizeof key, "%s/db.key", dir);
	cr_store *st;
	const char *reason;
	assert_int_equal(cr_store_create(db, key, &reason), 0);
	assert_int_equal(cr_store_open(db, key, 0, &st, &reason), 0);
	struct cr_audit_entry first;
	cr_audit_entry_init(&first);
	first.asof_days = 20000;
	first.role = CR_AUDIT_ROLE_OPERATOR;
	snprintf(first.action, sizeof first.action, "serve_start");
	first.outcome = CR_AUDIT_GRANTED;
	assert_int_equal(cr_audit_record(st, &first), 0);
	return st;
}

/* Runs the jobs behind a blocker, so that they are taken as one group. */
static void iso_run(cr_store *st, struct iso *jobs, int n)
{
	static struct iso blocker;
	struct cr_committer *c;
	memset(&blocker, 0, sizeof blocker);
	blocker.index = -1;
	atomic_store(&iso_block_running, 0);
	atomic_store(&iso_block_release, 0);
	assert_int_equal(cr_committer_start(st, &c), 0);
	for (int i = -1; i < n; i++) {
		struct iso *p = i < 0 ? &blocker : &jobs[i];
		p->job.run = run_iso;
		p->job.done = done_iso;
		p->job.arg = p;
		cr_committer_submit(c, &p->job);
		for (int k = 0; i < 0 && k < 10000 && !atomic_load(&iso_block_running); k++)
			usleep(1000);
	}
	atomic_store(&iso_block_release, 1);
	cr_committer_stop(c);
	assert_int_equal(blocker.committed, 1);
}

static int inst_stored(cr_store *st, int index)
{
	cr_txn *txn;
	struct cr_institution in;
	char code[16];
	snprintf(code, sizeof code, "I%d", index);
	assert_int_equal(cr_store_begin(st, 0, &txn), 0);
	int rc = cr_store_inst_get(txn, code, &in);
	cr_store_abort(txn);
	assert_true(rc == 0 || rc == CR_ENOTFOUND);
	return rc == 0;
}

static void committer_fails_a_job_alone(void **state)
{
	(void)state;
	char dir[64], cmd[96];
	cr_store *st = iso_store(dir, sizeof dir);
	static struct iso jobs[ISO_JOBS];
	memset(jobs, 0, sizeof jobs);
	for (int i = 0; i < ISO_JOBS; i++) {
		jobs[i].index = i;
		jobs[i].fault = i == 3 || i == 7 ? CR_EINVAL : 0;
	}
	iso_run(st, jobs, ISO_JOBS);
	int good = 0;
	for (int i = 0; i < ISO_JOBS; i++) {
		const struct iso *p = &jobs[i];
		assert_int_equal(p->done, 1);
		assert_true(atomic_load(&p->runs) <= 2);
		if (p->fault) {
			assert_int_equal(p->committed, 0);
			assert_int_equal(p->alone, 1);
			assert_int_equal(p->rc, CR_EINVAL);
			assert_false(inst_stored(st, i)); /* its write was dropped */
		} else {
			assert_int_equal(p->committed, 1);
			assert_int_equal(p->alone, 0);
			assert_true(inst_stored(st, i));
			good++;
		}
	}
	struct cr_audit_verdict v;
	assert_int_equal(cr_audit_verify(st, &v), 0);
	assert_int_equal(v.entries, 1 + (uint64_t)good);
	cr_store_close(st);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void committer_fails_the_group_on_a_store_error(void **state)
{
	(void)state;
	char dir[64], cmd[96];
	cr_store *st = iso_store(dir, sizeof dir);
	static struct iso jobs[3];
	memset(jobs, 0, sizeof jobs);
	for (int i = 0; i < 3; i++)
		jobs[i].index = i;
	jobs[1].fault = CR_EIO;
	iso_run(st, jobs, 3);
	/* The group ends at the job that failed: 0 and 1 fail with it, not
	 * alone; 2 runs in the next group. */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(jobs[i].committed, 0);
		assert_int_equal(jobs[i].alone, 0);
		assert_int_equal(jobs[i].rc, CR_EIO);
		assert_false(inst_stored(st, i));
	}
	assert_int_equal(jobs[2].committed, 1);
	assert_true(inst_stored(st, 2));
	cr_store_close(st);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* A request made in process (http.h: conn NULL): its query arguments come
 * from r->args, and its submitted job ends in r->resumed, once the
 * response is built. */
static atomic_int resumed_calls;

static int run_nothing(struct cr_group *g, struct cr_job *j)
{
	(void)g;
	(void)j;
	return 0;
}

static void finish_no_content(struct cr_req *r)
{
	cr_reply(r, 204, "application/json", NULL, 0);
}

static void count_resumed(struct cr_req *r)
{
	(void)r;
	atomic_fetch_add(&resumed_calls, 1);
}

static void request_without_connection(void **state)
{
	(void)state;
	char dir[64], cmd[96];
	struct cr_srv srv;
	memset(&srv, 0, sizeof srv);
	srv.st = iso_store(dir, sizeof dir);
	cr_server_opts_default(&srv.o);
	pthread_mutex_init(&srv.submit_mu, NULL);
	assert_int_equal(cr_committer_start(srv.st, &srv.com), 0);
	struct cr_req *r = cr_req_new(&srv, NULL, "/v1/alerts");
	assert_non_null(r);
	assert_null(cr_req_arg(r, "after")); /* no arguments at all */
	const char *const args[] = {"after", "7", "limit", NULL, "after", "8", NULL};
	r->args = args;
	assert_string_equal(cr_req_arg(r, "after"), "7"); /* the first one */
	assert_null(cr_req_arg(r, "limit"));              /* no value */
	assert_null(cr_req_arg(r, "month"));
	r->job.run = run_nothing;
	r->finish = finish_no_content;
	r->resumed = count_resumed;
	assert_int_equal(cr_req_submit(r), CR_H_ASYNC);
	cr_committer_stop(srv.com); /* its last group answers the request */
	srv.com = NULL;
	assert_int_equal(atomic_load(&resumed_calls), 1);
	assert_int_equal(r->status, 204);
	cr_req_free(r);
	pthread_mutex_destroy(&srv.submit_mu);
	cr_store_close(srv.st);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rate_limit_per_key),
		cmocka_unit_test(retry_after_rounds_up),
		cmocka_unit_test(routes_match_methods_and_params),
		cmocka_unit_test(committer_groups_and_acknowledges),
		cmocka_unit_test(committer_puts_light_jobs_first),
		cmocka_unit_test(committer_fails_a_job_alone),
		cmocka_unit_test(committer_fails_the_group_on_a_store_error),
		cmocka_unit_test(request_without_connection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
