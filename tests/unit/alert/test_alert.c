/*
 * test_alert.c - the post-loan monitoring rules (src/alert/alert.c), each on
 * both sides of its threshold, driven through the real ingest pipeline and
 * inquiry recording so that the hooks are tested with the rules.
 *
 * B0001 holds an open account with the person and watches; B0002 furnishes
 * (live furnish consent); B0003 furnishes without one (held data).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "alert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "ingest.h"
#include "ops.h"
#include "report.h"
#include "store.h"

#define PID "11010519491231002X"

static const char SETUP[] =
	"{\"type\":\"institution\",\"code\":\"B0001\",\"name\":\"W\",\"kind\":\"bank\"}\n"
	"{\"type\":\"institution\",\"code\":\"B0002\",\"name\":\"O\",\"kind\":\"bank\"}\n"
	"{\"type\":\"institution\",\"code\":\"B0003\",\"name\":\"H\",\"kind\":\"bank\"}\n"
	"{\"type\":\"consent\",\"id\":\"" PID "\",\"institution\":\"B0001\",\"scope\":\"furnish\",\"granted\":\"2025-01-01\"}\n"
	"{\"type\":\"consent\",\"id\":\"" PID "\",\"institution\":\"B0002\",\"scope\":\"furnish\",\"granted\":\"2025-01-01\"}\n"
	"{\"type\":\"account\",\"institution\":\"B0001\",\"account\":\"W1\",\"id\":\"" PID "\",\"name\":\"A\","
	"\"product\":\"revolving\",\"opened\":\"2025-01-05\",\"credit_limit\":100000000}\n";

struct fixture {
	char dir[64];
	cr_store *st;
	int32_t asof;
};

static int feed(struct fixture *f, const char *lines)
{
	struct cr_ingest *ig;
	struct cr_ingest_counts c;
	int rc = cr_ingest_begin(f->st, f->asof, NULL, NULL, &ig);
	if (rc)
		return rc;
	rc = cr_ingest_buffer(ig, lines, strlen(lines), 1);
	int erc = cr_ingest_end(ig, &c);
	if (rc || erc)
		return rc ? rc : erc;
	return (int)c.rejected;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "%s/creditref-unit-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	char db[96], key[96];
	const char *reason;
	snprintf(db, sizeof db, "%s/db", f->dir);
	snprintf(key, sizeof key, "%s/db.key", f->dir);
	if (cr_store_create(db, key, &reason) || cr_store_open(db, key, 0, &f->st, &reason))
		return -1;
	f->asof = cr_days_from_civil(2026, 6, 30);
	if (feed(f, SETUP) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	cr_store_close(f->st);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

struct tally {
	unsigned kinds[5];
	unsigned n;
	int64_t last_at_s;
};

static int count_alert(const struct cr_alert_rec *a, void *arg)
{
	struct tally *t = arg;
	if (a->kind < 5)
		t->kinds[a->kind]++;
	t->n++;
	t->last_at_s = a->at_s;
	return 0;
}

/* How many alerts of kind inst has (kind 0: all). */
static unsigned alerts(struct fixture *f, const char *inst, uint8_t kind)
{
	cr_txn *txn;
	struct tally t;
	memset(&t, 0, sizeof t);
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_store_alerts(txn, inst, 0, 100000, count_alert, &t), 0);
	cr_store_abort(txn);
	return kind ? t.kinds[kind] : t.n;
}

static void other_account(struct fixture *f, const char *inst, const char *acct)
{
	char line[512];
	snprintf(line, sizeof line, "{\"type\":\"account\",\"institution\":\"%s\",\"account\":\"%s\","
		 "\"id\":\"" PID "\",\"name\":\"A\",\"product\":\"revolving\",\"opened\":\"2026-06-01\","
		 "\"credit_limit\":100000000}\n", inst, acct);
	assert_int_equal(feed(f, line), 0);
}

static void ev(struct fixture *f, const char *inst, const char *acct, const char *id,
	       const char *kind, long long amount, int dpd)
{
	static unsigned minute; /* each event later than the one before */
	char line[512], d[32] = "";
	minute = (minute + 1) % 60;
	if (dpd)
		snprintf(d, sizeof d, ",\"dpd\":%d", dpd);
	snprintf(line, sizeof line, "{\"type\":\"event\",\"institution\":\"%s\",\"account\":\"%s\","
		 "\"event_id\":\"%s\",\"at\":\"2026-06-10T10:%02u:00+08:00\",\"kind\":\"%s\","
		 "\"amount\":%lld%s}\n", inst, acct, id, minute, kind, amount, d);
	assert_int_equal(feed(f, line), 0);
}

static void new_account_elsewhere_not_at_the_same_lender(void **state)
{
	struct fixture *f = *state;
	other_account(f, "B0001", "W2");
	assert_int_equal(alerts(f, "B0001", 0), 0);
	other_account(f, "B0002", "O1");
	assert_int_equal(alerts(f, "B0001", CR_ALERT_NEW_ACCOUNT), 1);
	assert_int_equal(alerts(f, "B0002", 0), 0);
	/* Furnished again, the account is not new. */
	other_account(f, "B0002", "O1");
	assert_int_equal(alerts(f, "B0001", CR_ALERT_NEW_ACCOUNT), 1);
}

static void an_account_opened_long_ago_is_not_news(void **state)
{
	struct fixture *f = *state; /* as of 2026-06-30: 30 days go back to 06-01 */
	assert_int_equal(feed(f, "{\"type\":\"account\",\"institution\":\"B0002\",\"account\":\"O9\","
			      "\"id\":\"" PID "\",\"name\":\"A\",\"product\":\"revolving\","
			      "\"opened\":\"2026-05-31\",\"credit_limit\":100}\n"), 0);
	assert_int_equal(alerts(f, "B0001", CR_ALERT_NEW_ACCOUNT), 0);
	/* Opened 2026-06-01 with a statement in the same batch: the alert is
	 * at the opening day, not the statement's month end. */
	assert_int_equal(feed(f, "{\"type\":\"account\",\"institution\":\"B0002\",\"account\":\"O1\","
			      "\"id\":\"" PID "\",\"name\":\"A\",\"product\":\"revolving\","
			      "\"opened\":\"2026-06-01\",\"credit_limit\":100}\n"
			      "{\"type\":\"statement\",\"institution\":\"B0002\",\"account\":\"O1\","
			      "\"month\":\"2026-06\",\"balance\":50,\"due\":0,\"paid\":0,"
			      "\"overdue\":0,\"dpd\":0,\"status\":\"N\"}\n"), 0);
	assert_int_equal(alerts(f, "B0001", CR_ALERT_NEW_ACCOUNT), 1);
	cr_txn *txn;
	struct tally t;
	memset(&t, 0, sizeof t);
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_store_alerts(txn, "B0001", 0, 10, count_alert, &t), 0);
	cr_store_abort(txn);
	assert_int_equal(t.last_at_s, cr_day_start_s(cr_days_from_civil(2026, 6, 1)));
}

static void dpd_29_is_not_30(void **state)
{
	struct fixture *f = *state;
	other_account(f, "B0002", "O1");
	ev(f, "B0002", "O1", "e1", "overdue", 100, 29);
	assert_int_equal(alerts(f, "B0001", CR_ALERT_DPD30), 0);
	ev(f, "B0002", "O1", "e2", "overdue", 100, 30);
	assert_int_equal(alerts(f, "B0001", CR_ALERT_DPD30), 1);
	ev(f, "B0002", "O1", "e3", "overdue", 100, 45); /* still 30+: no transition */
	assert_int_equal(alerts(f, "B0001", CR_ALERT_DPD30), 1);
}

static void dpd_30_from_a_statement(void **state)
{
	struct fixture *f = *state;
	other_account(f, "B0002", "O1");
	assert_int_equal(feed(f, "{\"type\":\"statement\",\"institution\":\"B0002\",\"account\":\"O1\","
			      "\"month\":\"2026-06\",\"balance\":5000,\"due\":100,\"paid\":0,"
			      "\"overdue\":100,\"dpd\":29,\"status\":\"1\"}\n"), 0);
	assert_int_equal(alerts(f, "B0001", CR_ALERT_DPD30), 0);
	assert_int_equal(feed(f, "{\"type\":\"statement\",\"institution\":\"B0002\",\"account\":\"O1\","
			      "\"month\":\"2026-06\",\"balance\":5000,\"due\":100,\"paid\":0,"
			      "\"overdue\":100,\"dpd\":30,\"status\":\"1\"}\n"), 0);
	assert_int_equal(alerts(f, "B0001", CR_ALERT_DPD30), 1);
}

static void set_config(struct fixture *f, int32_t pct, int64_t min, int32_t n)
{
	cr_txn *txn;
	const struct cr_alert_config cfg = {pct, min, n};
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_alert_config_put(txn, "B0001", &cfg), 0);
	assert_int_equal(cr_store_commit(txn), 0);
}

static void exposure_19_is_not_over_20_but_21_is(void **state)
{
	struct fixture *f = *state;
	set_config(f, 20, 0, 3);
	other_account(f, "B0002", "O1");
	ev(f, "B0002", "O1", "e1", "drawdown", 1000000, 0);
	const unsigned base = alerts(f, "B0001", CR_ALERT_EXPOSURE_RISE);
	ev(f, "B0002", "O1", "e2", "drawdown", 190000, 0);     /* +19 % */
	assert_int_equal(alerts(f, "B0001", CR_ALERT_EXPOSURE_RISE), base);
	ev(f, "B0002", "O1", "e3", "drawdown", 249900, 0);     /* +21 % of 1,190,000 */
	assert_int_equal(alerts(f, "B0001", CR_ALERT_EXPOSURE_RISE), base + 1);
}

static void exposure_needs_the_minimum_too(void **state)
{
	struct fixture *f = *state; /* defaults: > 20 % and > 1,000,000 */
	other_account(f, "B0002", "O1");
	ev(f, "B0002", "O1", "e1", "drawdown", 1000000, 0);   /* from 0, but not > min */
	assert_int_equal(alerts(f, "B0001", CR_ALERT_EXPOSURE_RISE), 0);
	ev(f, "B0002", "O1", "e2", "drawdown", 1000001, 0);   /* +100 %, > min */
	assert_int_equal(alerts(f, "B0001", CR_ALERT_EXPOSURE_RISE), 1);
}

struct inquiry {
	struct cr_op op;
	struct cr_subject_key k;
	const char *inst;
	struct cr_report r;
};

static int report_act(struct cr_op *op, void *arg)
{
	struct inquiry *q = arg;
	return cr_report_request(op, &q->k, q->inst, CR_PURPOSE_LOAN_APPROVAL, &q->r);
}

static void inquire(struct fixture *f, const char *inst)
{
	char line[300];
	snprintf(line, sizeof line, "{\"type\":\"institution\",\"code\":\"%s\",\"name\":\"Q\",\"kind\":\"bank\"}\n"
		 "{\"type\":\"consent\",\"id\":\"" PID "\",\"institution\":\"%s\",\"scope\":\"query\","
		 "\"purpose\":\"loan_approval\",\"granted\":\"2026-06-01\"}\n", inst, inst);
	assert_int_equal(feed(f, line), 0);
	struct inquiry q;
	cr_report_init(&q.r);
	cr_op_init(&q.op, f->st, CR_AUDIT_ROLE_LENDER, inst, f->asof);
	cr_op_subject(&q.op, PID, &q.k);
	q.inst = inst;
	assert_int_equal(cr_op_run(&q.op, report_act, &q), 0);
	cr_report_fini(&q.r);
}

static void two_inquiries_are_not_three(void **state)
{
	struct fixture *f = *state;
	inquire(f, "L0001");
	inquire(f, "L0002");
	assert_int_equal(alerts(f, "B0001", CR_ALERT_INQUIRIES), 0);
	inquire(f, "L0003");
	assert_int_equal(alerts(f, "B0001", CR_ALERT_INQUIRIES), 1);
	inquire(f, "L0004"); /* raised once, when the count reaches N */
	assert_int_equal(alerts(f, "B0001", CR_ALERT_INQUIRIES), 1);
}

static void held_data_raises_nothing(void **state)
{
	struct fixture *f = *state;
	other_account(f, "B0003", "H1");
	ev(f, "B0003", "H1", "h1", "drawdown", 50000000, 0);
	ev(f, "B0003", "H1", "h2", "overdue", 100, 90);
	assert_int_equal(alerts(f, "B0001", 0), 0);
}

/* An event line for one batch: no trailing feed. */
static void ev_line(char *buf, size_t cap, const char *inst, const char *acct, const char *id,
		    const char *kind, long long amount, int dpd, unsigned minute)
{
	char d[32] = "";
	if (dpd)
		snprintf(d, sizeof d, ",\"dpd\":%d", dpd);
	const size_t len = strlen(buf);
	snprintf(buf + len, cap - len, "{\"type\":\"event\",\"institution\":\"%s\",\"account\":\"%s\","
		 "\"event_id\":\"%s\",\"at\":\"2026-06-11T09:%02u:00+08:00\",\"kind\":\"%s\","
		 "\"amount\":%lld%s}\n", inst, acct, id, minute, kind, amount, d);
}

static void one_batch_raises_each_alert_once(void **state)
{
	struct fixture *f = *state;
	other_account(f, "B0002", "O1");
	const unsigned base = alerts(f, "B0001", 0);
	char batch[8192] = "";
	for (unsigned i = 0; i < 20; i++) {
		char id[16];
		snprintf(id, sizeof id, "b%u", i);
		ev_line(batch, sizeof batch, "B0002", "O1", id, i % 2 ? "overdue" : "drawdown",
			i % 2 ? 100 : 2000000, i % 2 ? (int)(30 + i) : 0, i);
	}
	assert_int_equal(feed(f, batch), 0);
	assert_int_equal(alerts(f, "B0001", CR_ALERT_DPD30), 1);
	assert_int_equal(alerts(f, "B0001", CR_ALERT_EXPOSURE_RISE), 1);
	assert_int_equal(alerts(f, "B0001", 0), base + 2);
}

static void rises_at_two_accounts_add_up(void **state)
{
	struct fixture *f = *state; /* defaults: > 20 % and > 1,000,000 */
	other_account(f, "B0002", "O1");
	other_account(f, "B0002", "O2");
	const unsigned base = alerts(f, "B0001", CR_ALERT_EXPOSURE_RISE);
	char batch[1024] = "";
	ev_line(batch, sizeof batch, "B0002", "O1", "s1", "drawdown", 600000, 0, 1);
	ev_line(batch, sizeof batch, "B0002", "O2", "s2", "drawdown", 600000, 0, 2);
	assert_int_equal(feed(f, batch), 0);
	assert_int_equal(alerts(f, "B0001", CR_ALERT_EXPOSURE_RISE), base + 1);
}

static void own_drawdown_is_not_a_rise_for_oneself(void **state)
{
	struct fixture *f = *state;
	other_account(f, "B0002", "O1");
	ev(f, "B0001", "W1", "w1", "drawdown", 50000000, 0);
	assert_int_equal(alerts(f, "B0001", CR_ALERT_EXPOSURE_RISE), 0);
	/* B0002 watches too (open account O1) and is told of B0001's rise. */
	assert_int_equal(alerts(f, "B0002", CR_ALERT_EXPOSURE_RISE), 1);
}

static void overdue_cured_in_the_same_batch_raises_nothing(void **state)
{
	struct fixture *f = *state;
	other_account(f, "B0002", "O1");
	char batch[1024] = "";
	ev_line(batch, sizeof batch, "B0002", "O1", "c1", "drawdown", 1000, 0, 1);
	ev_line(batch, sizeof batch, "B0002", "O1", "c2", "overdue", 1000, 31, 2);
	ev_line(batch, sizeof batch, "B0002", "O1", "c3", "repayment", 1000, 0, 3);
	assert_int_equal(feed(f, batch), 0);
	assert_int_equal(alerts(f, "B0001", CR_ALERT_DPD30), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(new_account_elsewhere_not_at_the_same_lender, setup, teardown),
		cmocka_unit_test_setup_teardown(dpd_29_is_not_30, setup, teardown),
		cmocka_unit_test_setup_teardown(an_account_opened_long_ago_is_not_news, setup, teardown),
		cmocka_unit_test_setup_teardown(one_batch_raises_each_alert_once, setup, teardown),
		cmocka_unit_test_setup_teardown(rises_at_two_accounts_add_up, setup, teardown),
		cmocka_unit_test_setup_teardown(own_drawdown_is_not_a_rise_for_oneself, setup, teardown),
		cmocka_unit_test_setup_teardown(overdue_cured_in_the_same_batch_raises_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(dpd_30_from_a_statement, setup, teardown),
		cmocka_unit_test_setup_teardown(exposure_19_is_not_over_20_but_21_is, setup, teardown),
		cmocka_unit_test_setup_teardown(exposure_needs_the_minimum_too, setup, teardown),
		cmocka_unit_test_setup_teardown(two_inquiries_are_not_three, setup, teardown),
		cmocka_unit_test_setup_teardown(held_data_raises_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
