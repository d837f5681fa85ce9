/*
 * test_features.c - the scorecard's features (src/score/features.c) on
 * histories furnished through the real ingest, each value worked out by
 * hand from docs/scoring.md ("Features").
 *
 * Besides the values: only facts dated up to the as-of date count (later
 * statements, events, inquiries and a later write-off change nothing as of
 * an earlier date); held accounts and items under an overdue dispute are
 * left out as in an institution's report; the same history furnished under
 * two different people (another ID, sex digit, birth region, name, phone
 * and address) gives bit-identical features; and the training table's
 * target and rows (cr_features_dataset) on a tiny store, and on generated
 * data joined with the generator's latent risk.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cr_date.h"
#include "cr_err.h"
#include "cr_id.h"
#include "dispute.h"
#include "features.h"
#include "gen.h"
#include "ingest.h"
#include "store.h"

#include "../store_fixture.h"

/* Two people: a woman born 1949 in Beijing, a man born 1985 in Shenzhen. */
#define ID_A "11010519491231002X"
static char id_b[CR_ID_LEN + 1];

static void make_id_b(void)
{
	memcpy(id_b, "44030019850612003", 17);
	id_b[17] = cr_id_check_char(id_b);
	id_b[18] = '\0';
}

struct feed {
	char lines[160][512];
	int n;
};

static void add(struct feed *f, const char *fmt, ...)
{
	va_list ap;
	assert_true(f->n < 160);
	va_start(ap, fmt);
	vsnprintf(f->lines[f->n++], sizeof f->lines[0], fmt, ap);
	va_end(ap);
}

static int32_t day(const char *s)
{
	int y, m, d;
	assert_int_equal(sscanf(s, "%d-%d-%d", &y, &m, &d), 3);
	return cr_days_from_civil(y, m, d);
}

/* Ingests every line (none may be rejected) and empties the feed. */
static void ingest(cr_store *st, struct feed *f)
{
	struct cr_ingest *ig;
	assert_int_equal(cr_ingest_begin(st, day("2023-12-31"), NULL, NULL, &ig), 0);
	for (int i = 0; i < f->n; i++) {
		int rc = cr_ingest_line(ig, f->lines[i], strlen(f->lines[i]), (size_t)i + 1);
		if (rc == CR_OUT_REJECTED)
			fail_msg("rejected: %s", f->lines[i]);
		assert_true(rc >= 0);
	}
	struct cr_ingest_counts c;
	assert_int_equal(cr_ingest_end(ig, &c), 0);
	f->n = 0;
}

static void institutions(struct feed *f)
{
	add(f, "{\"type\":\"institution\",\"code\":\"B0001\",\"name\":\"甲银行\",\"kind\":\"bank\"}");
	add(f, "{\"type\":\"institution\",\"code\":\"B0002\",\"name\":\"乙平台\",\"kind\":\"platform\"}");
	add(f, "{\"type\":\"institution\",\"code\":\"B0003\",\"name\":\"丙小贷\",\"kind\":\"microlender\"}");
	add(f, "{\"type\":\"institution\",\"code\":\"L0001\",\"name\":\"丁银行\",\"kind\":\"bank\"}");
}

static void consent(struct feed *f, const char *id, const char *inst)
{
	add(f, "{\"type\":\"consent\",\"id\":\"%s\",\"institution\":\"%s\",\"scope\":\"furnish\","
	       "\"granted\":\"2019-01-01\"}", id, inst);
}

struct who {
	const char *id, *name, *phone, *address, *tag;
};

static void account(struct feed *f, const struct who *w, const char *inst, const char *acct,
		    const char *product, const char *opened, const char *amounts)
{
	add(f, "{\"type\":\"account\",\"institution\":\"%s\",\"account\":\"%s-%s\",\"id\":\"%s\","
	       "\"name\":\"%s\",\"phone\":\"%s\",\"address\":\"%s\",\"product\":\"%s\","
	       "\"opened\":\"%s\",%s}", inst, w->tag, acct, w->id, w->name, w->phone, w->address,
	    product, opened, amounts);
}

static void stmt(struct feed *f, const struct who *w, const char *inst, const char *acct,
		 int32_t month, long bal, long due, long paid, long overdue, int dpd, char status)
{
	add(f, "{\"type\":\"statement\",\"institution\":\"%s\",\"account\":\"%s-%s\","
	       "\"month\":\"%04d-%02d\",\"balance\":%ld,\"due\":%ld,\"paid\":%ld,\"overdue\":%ld,"
	       "\"dpd\":%d,\"status\":\"%c\"}", inst, w->tag, acct, month / 12, month % 12 + 1,
	    bal, due, paid, overdue, dpd, status);
}

static int32_t mon(int y, int m)
{
	return y * 12 + m - 1;
}

/*
 * The worked history, as of 2021-06-30 (docs/scoring.md works it too):
 *   R1  B0001 credit card, limit 1,000,000, opened 2019-03-10: 2020-01 ..
 *       2021-06, due 10,000 a month, paid on time but for 2020-09 (status
 *       1) and 2020-10 (status 2), cured in 2020-11; balance 300,000.
 *   I1  B0002 instalment of 600,000 over 12 months, opened 2020-07-15:
 *       2020-08 .. 2021-06, due 50,000, missed in 2021-03 (status 1),
 *       cured in 2021-04; balance 200,000 at the end.
 *   R2  B0002 revolving line, limit 200,000, opened 2021-05-20: 2021-05
 *       nothing due ('*'), 2021-06 balance 50,000, due 5,000 paid.
 */
static void history(struct feed *f, const struct who *w)
{
	consent(f, w->id, "B0001");
	consent(f, w->id, "B0002");
	account(f, w, "B0001", "R1", "credit_card", "2019-03-10", "\"credit_limit\":1000000");
	for (int32_t m = mon(2020, 1); m <= mon(2021, 6); m++) {
		if (m == mon(2020, 9))
			stmt(f, w, "B0001", "R1", m, 300000, 10000, 0, 10000, 15, '1');
		else if (m == mon(2020, 10))
			stmt(f, w, "B0001", "R1", m, 300000, 10000, 0, 20000, 45, '2');
		else if (m == mon(2020, 11))
			stmt(f, w, "B0001", "R1", m, 300000, 10000, 30000, 0, 0, 'N');
		else
			stmt(f, w, "B0001", "R1", m, 300000, 10000, 10000, 0, 0, 'N');
	}
	account(f, w, "B0002", "I1", "installment", "2020-07-15",
		"\"principal\":600000,\"term_months\":12");
	for (int32_t m = mon(2020, 8); m <= mon(2021, 6); m++) {
		const long bal = m == mon(2021, 6) ? 200000 : 600000 - 40000 * (m - mon(2020, 8));
		if (m == mon(2021, 3))
			stmt(f, w, "B0002", "I1", m, bal, 50000, 0, 50000, 10, '1');
		else if (m == mon(2021, 4))
			stmt(f, w, "B0002", "I1", m, bal, 50000, 100000, 0, 0, 'N');
		else
			stmt(f, w, "B0002", "I1", m, bal, 50000, 50000, 0, 0, 'N');
	}
	account(f, w, "B0002", "R2", "revolving", "2021-05-20", "\"credit_limit\":200000");
	stmt(f, w, "B0002", "R2", mon(2021, 5), 0, 0, 0, 0, 0, '*');
	stmt(f, w, "B0002", "R2", mon(2021, 6), 50000, 5000, 5000, 0, 0, 'N');
}

/* Inquiries about k: two credit-seeking ones in the last 6 months (one of
 * them in the last 3), and some that do not count. */
static void inquiries(cr_store *st, const struct cr_subject_key *k)
{
	static const struct {
		const char *date, *inst;
		uint8_t purpose;
	} q[] = {
		{"2021-05-01", "L0001", CR_PURPOSE_LOAN_APPROVAL}, /* 3 and 6 months */
		{"2021-02-01", "L0001", CR_PURPOSE_CARD_APPROVAL}, /* 6 months */
		{"2021-06-01", "B0001", CR_PURPOSE_POST_LOAN},     /* not an application */
		{"2021-06-10", "", CR_PURPOSE_SELF},               /* the person's own */
		{"2020-06-01", "L0001", CR_PURPOSE_LOAN_APPROVAL}, /* over 6 months ago */
		{"2021-07-05", "L0001", CR_PURPOSE_LOAN_APPROVAL}, /* after the as-of date */
	};
	cr_txn *txn;
	assert_int_equal(cr_store_begin(st, 1, &txn), 0);
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		struct cr_inquiry x;
		memset(&x, 0, sizeof x);
		x.date_days = day(q[i].date);
		x.purpose = q[i].purpose;
		snprintf(x.inst, sizeof x.inst, "%s", q[i].inst);
		assert_int_equal(cr_store_inquiry_add(txn, k, &x), 0);
	}
	assert_int_equal(cr_store_commit(txn), 0);
}

static int build(cr_store *st, const char *id, const char *asof, struct cr_features *f)
{
	struct cr_subject_key k;
	cr_txn *txn;
	cr_store_subject_key(st, id, &k);
	assert_int_equal(cr_store_begin(st, 0, &txn), 0);
	const int rc = cr_features_build(txn, &k, day(asof), f);
	cr_store_abort(txn);
	return rc;
}

static void features(cr_store *st, const char *id, const char *asof, struct cr_features *f)
{
	assert_int_equal(build(st, id, asof, f), 0);
}

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-12)

static const struct who person_a = {ID_A, "张三", "13800000001", "北京市朝阳区建国路1号", "A"};

static void test_names(void **state)
{
	(void)state;
	for (int f = 0; f < CR_F_COUNT; f++) {
		assert_int_equal(cr_feature_parse(cr_feature_name((enum cr_feature)f)), f);
		assert_true(strlen(cr_feature_reason((enum cr_feature)f)) > 10);
		for (int g = 0; g < f; g++)
			assert_string_not_equal(cr_feature_name((enum cr_feature)f),
						cr_feature_name((enum cr_feature)g));
	}
	assert_int_equal(cr_feature_parse("birth_region"), CR_F_COUNT);
	assert_int_equal(cr_feature_parse(NULL), CR_F_COUNT);
	assert_string_equal(cr_feature_name(CR_F_COUNT), "?");
}

static void test_values(void **state)
{
	struct fixture *fx = *state;
	struct feed *f = calloc(1, sizeof *f);
	struct cr_subject_key k;
	struct cr_features v;
	institutions(f);
	history(f, &person_a);
	ingest(fx->st, f);
	cr_store_subject_key(fx->st, ID_A, &k);
	inquiries(fx->st, &k);
	features(fx->st, ID_A, "2021-06-30", &v);
	assert_true(v.v[CR_F_WORST_6M] == 1);   /* I1, 2021-03 */
	assert_true(v.v[CR_F_WORST_12M] == 2);  /* R1, 2020-10 */
	assert_true(v.v[CR_F_WORST_24M] == 2);
	assert_true(v.v[CR_F_MONTHS_SINCE_DELINQ] == 3);    /* 2021-03 to 2021-06 */
	assert_true(v.v[CR_F_DELINQ_MONTHS_24M] == 3);      /* 2020-09, 2020-10, 2021-03 */
	NEAR(v.v[CR_F_REVOLVING_UTIL], 350000.0 / 1200000.0); /* R1 and R2 */
	NEAR(v.v[CR_F_BALANCE_TO_LIMIT], 550000.0 / 1800000.0);
	assert_true(v.v[CR_F_LENDERS_WITH_BALANCE] == 2);
	assert_true(v.v[CR_F_INQUIRIES_3M] == 1);
	assert_true(v.v[CR_F_INQUIRIES_6M] == 2);
	assert_true(v.v[CR_F_OLDEST_ACCOUNT_MONTHS] == 27); /* 2019-03 to 2021-06 */
	assert_true(v.v[CR_F_OPENED_6M] == 1);              /* R2 */
	NEAR(v.v[CR_F_ONTIME_SHARE_24M], 27.0 / 30.0);      /* R1 16/18, I1 10/11, R2 1/1 */
	assert_true(isnan(v.v[CR_F_EXPOSURE_RISE]));        /* no event */
	assert_true(v.v[CR_F_OPEN_ACCOUNTS] == 3);
	assert_true(v.v[CR_F_CHARGED_OFF] == 0);
	/* A quarter earlier: R2 not open yet, I1's miss not yet made. */
	features(fx->st, ID_A, "2021-03-01", &v);
	assert_true(v.v[CR_F_WORST_6M] == 2);  /* 2020-10 .. 2021-03: R1's 2 */
	assert_true(v.v[CR_F_WORST_6M] == v.v[CR_F_WORST_24M]);
	assert_true(v.v[CR_F_MONTHS_SINCE_DELINQ] == 0);  /* I1's 1 in 2021-03 */
	assert_true(v.v[CR_F_OPEN_ACCOUNTS] == 2);
	assert_true(v.v[CR_F_OPENED_6M] == 0);
	free(f);
}

static void test_never_delinquent_and_unknown(void **state)
{
	struct fixture *fx = *state;
	struct feed *f = calloc(1, sizeof *f);
	struct cr_features v;
	institutions(f);
	consent(f, ID_A, "B0001");
	account(f, &person_a, "B0001", "C1", "credit_card", "2021-01-05", "\"credit_limit\":100000");
	for (int32_t m = mon(2021, 2); m <= mon(2021, 6); m++)
		stmt(f, &person_a, "B0001", "C1", m, 0, 0, 0, 0, 0, '*');
	ingest(fx->st, f);
	features(fx->st, ID_A, "2021-06-30", &v);
	assert_true(v.v[CR_F_WORST_6M] == 0);
	assert_true(isnan(v.v[CR_F_MONTHS_SINCE_DELINQ]));
	assert_true(isnan(v.v[CR_F_ONTIME_SHARE_24M]));  /* nothing was ever due */
	assert_true(v.v[CR_F_REVOLVING_UTIL] == 0);
	assert_true(v.v[CR_F_LENDERS_WITH_BALANCE] == 0);
	assert_true(v.v[CR_F_OLDEST_ACCOUNT_MONTHS] == 5);
	assert_true(v.v[CR_F_OPENED_6M] == 1);
	/* Before the account opened, nothing is known; before the first
	 * statement the account is open with nothing furnished. */
	features(fx->st, ID_A, "2020-12-31", &v);
	assert_true(isnan(v.v[CR_F_OLDEST_ACCOUNT_MONTHS]));
	assert_true(isnan(v.v[CR_F_WORST_24M]));
	assert_true(v.v[CR_F_OPEN_ACCOUNTS] == 0);
	features(fx->st, ID_A, "2021-01-20", &v);
	assert_true(isnan(v.v[CR_F_WORST_24M]));  /* no statement yet */
	assert_true(v.v[CR_F_OPEN_ACCOUNTS] == 1);
	/* Nobody: not found. */
	assert_int_equal(build(fx->st, "11010519800101001X", "2021-06-30", &v), CR_ENOTFOUND);
	free(f);
}

static void event(struct feed *f, const struct who *w, const char *inst, const char *acct,
		  const char *id, const char *at, const char *kind, long amount)
{
	add(f, "{\"type\":\"event\",\"institution\":\"%s\",\"account\":\"%s-%s\",\"event_id\":\"%s\","
	       "\"at\":\"%s\",\"kind\":\"%s\",\"amount\":%ld}", inst, w->tag, acct, id, at, kind, amount);
}

static void test_events_and_charge_off(void **state)
{
	struct fixture *fx = *state;
	struct feed *f = calloc(1, sizeof *f);
	struct cr_features v;
	institutions(f);
	consent(f, ID_A, "B0001");
	consent(f, ID_A, "B0003");
	account(f, &person_a, "B0001", "R1", "revolving", "2021-01-05", "\"credit_limit\":1000000");
	for (int32_t m = mon(2021, 2); m <= mon(2021, 5); m++)
		stmt(f, &person_a, "B0001", "R1", m, 300000, 30000, 30000, 0, 0, 'N');
	event(f, &person_a, "B0001", "R1", "E1", "2021-06-05T10:00:00+08:00", "drawdown", 300000);
	event(f, &person_a, "B0001", "R1", "E2", "2021-06-25T10:00:00+08:00", "drawdown", 100000);
	account(f, &person_a, "B0003", "M1", "installment", "2020-01-05",
		"\"principal\":100000,\"term_months\":12");
	stmt(f, &person_a, "B0003", "M1", mon(2020, 12), 80000, 10000, 0, 80000, 200, '7');
	stmt(f, &person_a, "B0003", "M1", mon(2021, 1), 80000, 0, 0, 0, 0, 'G');
	ingest(fx->st, f);
	features(fx->st, ID_A, "2021-06-20", &v);
	NEAR(v.v[CR_F_EXPOSURE_RISE], (300000.0 + 300000.0 + 80000.0) / (300000.0 + 80000.0));
	NEAR(v.v[CR_F_REVOLVING_UTIL], 0.6);            /* 600,000 now of 1,000,000 */
	assert_true(v.v[CR_F_CHARGED_OFF] == 1);
	assert_true(v.v[CR_F_WORST_6M] == 7);           /* G counts as 7 */
	assert_true(v.v[CR_F_OPEN_ACCOUNTS] == 1);
	assert_true(v.v[CR_F_LENDERS_WITH_BALANCE] == 2); /* the written-off debt is owed */
	/* The second drawdown is after the date; before the first, no event. */
	features(fx->st, ID_A, "2021-06-04", &v);
	assert_true(isnan(v.v[CR_F_EXPOSURE_RISE]));
	free(f);
}

/* Features as of 2021-06-30 do not move when later facts arrive: later
 * statements, a later write-off (account record and G statement), events,
 * and an inquiry. */
static void test_asof_only(void **state)
{
	struct fixture *fx = *state;
	struct feed *f = calloc(1, sizeof *f);
	struct cr_features before, after;
	struct cr_subject_key k;
	institutions(f);
	history(f, &person_a);
	ingest(fx->st, f);
	features(fx->st, ID_A, "2021-06-30", &before);
	for (int32_t m = mon(2021, 7); m <= mon(2021, 11); m++)
		stmt(f, &person_a, "B0002", "I1", m, 200000, 50000, 0, 50000 * (m - mon(2021, 6)),
		     30 * (m - mon(2021, 6)) - 5, (char)('0' + m - mon(2021, 6)));
	stmt(f, &person_a, "B0002", "I1", mon(2021, 12), 200000, 0, 0, 0, 0, 'G');
	account(f, &person_a, "B0002", "I1", "installment", "2020-07-15",
		"\"principal\":600000,\"term_months\":12,\"status\":\"charged_off\"");
	account(f, &person_a, "B0001", "R1", "credit_card", "2019-03-10",
		"\"credit_limit\":1000000,\"status\":\"closed\"");
	event(f, &person_a, "B0002", "R2", "E1", "2021-07-01T00:10:00+08:00", "drawdown", 100000);
	event(f, &person_a, "B0001", "R1", "E2", "2021-08-01T10:00:00+08:00", "close", 0);
	ingest(fx->st, f);
	cr_store_subject_key(fx->st, ID_A, &k);
	inquiries(fx->st, &k); /* all up to the date count the same before and after */
	features(fx->st, ID_A, "2021-06-30", &after);
	struct cr_features with_inquiries = after;
	/* The inquiries were not there before: compare everything else. */
	after.v[CR_F_INQUIRIES_3M] = before.v[CR_F_INQUIRIES_3M];
	after.v[CR_F_INQUIRIES_6M] = before.v[CR_F_INQUIRIES_6M];
	assert_memory_equal(&before, &after, sizeof before);
	assert_true(with_inquiries.v[CR_F_INQUIRIES_6M] == 2); /* not the 2021-07-05 one */
	/* And as of the end of 2021, the later facts do count. */
	features(fx->st, ID_A, "2021-12-31", &after);
	assert_true(after.v[CR_F_CHARGED_OFF] == 1);
	assert_true(after.v[CR_F_WORST_6M] == 7);
	assert_true(after.v[CR_F_OPEN_ACCOUNTS] == 1);  /* R2 alone: R1 closed, I1 off */
	free(f);
}

static void test_held_excluded(void **state)
{
	struct fixture *fx = *state;
	struct feed *f = calloc(1, sizeof *f);
	struct cr_features before, held, released;
	institutions(f);
	history(f, &person_a);
	ingest(fx->st, f);
	features(fx->st, ID_A, "2021-06-30", &before);
	/* B0003 has no furnish consent: its account is held. */
	account(f, &person_a, "B0003", "M1", "installment", "2020-01-05",
		"\"principal\":100000,\"term_months\":24");
	stmt(f, &person_a, "B0003", "M1", mon(2021, 6), 90000, 10000, 0, 30000, 75, '3');
	ingest(fx->st, f);
	features(fx->st, ID_A, "2021-06-30", &held);
	assert_memory_equal(&before, &held, sizeof before);
	consent(f, ID_A, "B0003");
	ingest(fx->st, f);
	features(fx->st, ID_A, "2021-06-30", &released);
	assert_true(released.v[CR_F_WORST_6M] == 3);
	assert_true(released.v[CR_F_OPEN_ACCOUNTS] == 4);
	assert_true(released.v[CR_F_LENDERS_WITH_BALANCE] == 3);
	free(f);
}

static struct cr_dispute dispute(cr_store *st, const char *acct, int32_t month, const char *on)
{
	struct cr_subject_key k;
	struct cr_dispute d;
	const char *why;
	cr_txn *txn;
	cr_store_subject_key(st, ID_A, &k);
	assert_int_equal(cr_store_begin(st, 1, &txn), 0);
	assert_int_equal(cr_dispute_file(txn, &k, "B0001", acct, month, "not mine", day(on),
					 &d, &why), 0);
	assert_int_equal(cr_store_commit(txn), 0);
	return d;
}

static void test_disputes_hide(void **state)
{
	struct fixture *fx = *state;
	struct feed *f = calloc(1, sizeof *f);
	struct cr_features v;
	institutions(f);
	history(f, &person_a);
	ingest(fx->st, f);
	/* R1's status 2 month, disputed on 2021-06-01: hidden from 2021-06-21. */
	dispute(fx->st, "A-R1", mon(2020, 10), "2021-06-01");
	features(fx->st, ID_A, "2021-06-20", &v);
	assert_true(v.v[CR_F_WORST_24M] == 2);
	assert_true(v.v[CR_F_DELINQ_MONTHS_24M] == 3);
	features(fx->st, ID_A, "2021-06-21", &v);
	assert_true(v.v[CR_F_WORST_24M] == 1);
	assert_true(v.v[CR_F_DELINQ_MONTHS_24M] == 2);
	NEAR(v.v[CR_F_ONTIME_SHARE_24M], 27.0 / 29.0);  /* the month is not shown */
	/* The whole of R1 disputed: R1 is gone from the features. */
	dispute(fx->st, "A-R1", CR_WHOLE_ACCOUNT, "2021-06-02");
	features(fx->st, ID_A, "2021-06-30", &v);
	assert_true(v.v[CR_F_OPEN_ACCOUNTS] == 2);
	assert_true(v.v[CR_F_OLDEST_ACCOUNT_MONTHS] == 11);  /* I1, 2020-07 */
	assert_true(v.v[CR_F_WORST_24M] == 1);
	NEAR(v.v[CR_F_REVOLVING_UTIL], 50000.0 / 200000.0);
	free(f);
}

/* The same history under two people who share nothing of identity. */
static void test_no_identity(void **state)
{
	struct fixture *fx = *state;
	struct feed *f = calloc(1, sizeof *f);
	struct cr_features a, b;
	const struct who person_b = {id_b, "李四光", "+86 139 0000 0002",
				     "广东省深圳市南山区科技园南路88号", "B"};
	make_id_b();
	assert_int_not_equal(ID_A[16] % 2, id_b[16] % 2);      /* sex digit */
	assert_memory_not_equal(ID_A, id_b, 6);                 /* birth region */
	institutions(f);
	history(f, &person_a);
	history(f, &person_b);
	ingest(fx->st, f);
	struct cr_subject_key ka, kb;
	cr_store_subject_key(fx->st, ID_A, &ka);
	cr_store_subject_key(fx->st, id_b, &kb);
	inquiries(fx->st, &ka);
	inquiries(fx->st, &kb);
	const char *dates[] = {"2020-10-31", "2021-03-15", "2021-06-30", "2023-01-01"};
	for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
		features(fx->st, ID_A, dates[i], &a);
		features(fx->st, id_b, dates[i], &b);
		assert_memory_equal(&a, &b, sizeof a);
	}
	free(f);
}

/* ---- the training table ------------------------------------------------- */

/* A person whose instalment loan goes 1, 2, 3 from the month after `from`,
 * N before; held when consent is 0. */
static void rolls(struct feed *f, const struct who *w, int32_t from, int consent_given)
{
	if (consent_given)
		consent(f, w->id, "B0001");
	account(f, w, "B0001", "L", "installment", "2020-01-10",
		"\"principal\":2400000,\"term_months\":48");
	for (int32_t m = mon(2020, 2); m <= mon(2023, 6); m++) {
		const int late = m > from ? (m - from < 3 ? m - from : 3) : 0;
		if (late)
			stmt(f, w, "B0001", "L", m, 2000000, 50000, 0, 50000L * late, 30 * late - 5,
			     (char)('0' + late));
		else
			stmt(f, w, "B0001", "L", m, 2000000, 50000, 50000, 0, 0, 'N');
	}
}

static void test_dataset(void **state)
{
	struct fixture *fx = *state;
	struct feed *f = calloc(1, sizeof *f);
	static char ids[4][CR_ID_LEN + 1];
	struct who w[4];
	static const char *const first17[4] = {"11010519700101001", "11010519700101002",
					       "11010519700101003", "11010519700101004"};
	/* Observation 2021-06-30, horizon 12 months (2021-07 .. 2022-06). */
	const int32_t starts[4] = {mon(2021, 6), mon(2022, 4), mon(2030, 1), mon(2021, 6)};
	const int expect_bad[4] = {1, 0, 0, -1};   /* -1: held, no row */
	institutions(f);
	for (int i = 0; i < 4; i++) {
		memcpy(ids[i], first17[i], 17);
		ids[i][17] = cr_id_check_char(ids[i]);
		w[i] = (struct who){ids[i], "王五", "13800000003", "上海市黄浦区中山东一路1号",
				    i == 0 ? "P0" : i == 1 ? "P1" : i == 2 ? "P2" : "P3"};
		rolls(f, &w[i], starts[i], i != 3);
		if (f->n > 100)
			ingest(fx->st, f);
	}
	ingest(fx->st, f);
	struct cr_dataset d;
	struct cr_subject_key *keys = NULL;
	assert_int_equal(cr_features_dataset_keys(fx->st, day("2021-06-30"), 12, 0.5, &d, &keys), 0);
	assert_int_equal(d.rows, 3);
	assert_int_equal(d.cols, CR_F_COUNT);
	assert_string_equal(d.name[CR_F_WORST_24M], "worst_status_24m");
	for (size_t r = 0; r < d.rows; r++) {
		int who = -1;
		for (int i = 0; i < 4; i++) {
			struct cr_subject_key k;
			cr_store_subject_key(fx->st, ids[i], &k);
			if (memcmp(k.b, keys[r].b, sizeof k.b) == 0)
				who = i;
		}
		assert_true(who >= 0 && expect_bad[who] >= 0);
		assert_int_equal(d.y[r], expect_bad[who]);
		/* As of the observation date nobody was late yet. */
		assert_true(d.x[r * d.cols + CR_F_WORST_24M] == 0);
	}
	free(keys);
	cr_dataset_fini(&d);
	/* The held-out flag: none, every row, and the same rows every time. */
	assert_int_equal(cr_features_dataset(fx->st, day("2021-06-30"), 12, 0.0, &d), 0);
	for (size_t r = 0; r < d.rows; r++)
		assert_int_equal(d.test[r], 0);
	cr_dataset_fini(&d);
	assert_int_equal(cr_features_dataset(fx->st, day("2021-06-30"), 12, 1.0, &d), 0);
	for (size_t r = 0; r < d.rows; r++)
		assert_int_equal(d.test[r], 1);
	cr_dataset_fini(&d);
	/* A horizon of 2 months misses P0's 3 in 2021-09. */
	assert_int_equal(cr_features_dataset(fx->st, day("2021-06-30"), 2, 0.5, &d), 0);
	for (size_t r = 0; r < d.rows; r++)
		assert_int_equal(d.y[r], 0);
	cr_dataset_fini(&d);
	assert_int_equal(cr_features_dataset(fx->st, day("2021-06-30"), 0, 0.5, &d), CR_EINVAL);
	assert_int_equal(cr_features_dataset(fx->st, day("2021-06-30"), 12, NAN, &d), CR_EINVAL);
	free(f);
}

/* On generated data, the table joined with the generator's latent risk
 * (gen --risk-out) through the row keys: the riskier the grade, the more
 * often bad and the worse the features.  A check that target and features
 * mean what they say, not a model. */
static void test_dataset_against_latent_risk(void **state)
{
	struct fixture *fx = *state;
	struct cr_gen_opts o;
	struct cr_gen_stats gs;
	char *data = NULL, *risk = NULL;
	size_t data_len = 0, risk_len = 0;
	cr_gen_opts_init(&o);
	o.subjects = 2000;
	o.months = 36;
	o.seed = 5;
	o.asof_days = day("2024-06-30");
	FILE *out = open_memstream(&data, &data_len);
	o.risk_out = open_memstream(&risk, &risk_len);
	assert_int_equal(cr_gen_run(&o, out, NULL, &gs, NULL, NULL), 0);
	fclose(out);
	fclose(o.risk_out);
	struct cr_ingest *ig;
	struct cr_ingest_counts c;
	assert_int_equal(cr_ingest_begin(fx->st, o.asof_days, NULL, NULL, &ig), 0);
	assert_int_equal(cr_ingest_buffer(ig, data, data_len, 1), 0);
	assert_int_equal(cr_ingest_end(ig, &c), 0);
	assert_int_equal(c.rejected, 0);
	/* Grades by subject key, from the risk file. */
	struct cr_subject_key *gk = calloc(o.subjects, sizeof *gk);
	uint8_t *grade = calloc(o.subjects, 1);
	size_t n = 0;
	for (char *p = strchr(risk, '\n') + 1; *p; p = strchr(p, '\n') + 1, n++) {
		char id[CR_ID_LEN + 1];
		double pd;
		unsigned g;
		assert_int_equal(sscanf(p, "%18[0-9X],%lf,%u", id, &pd, &g), 3);
		cr_store_subject_key(fx->st, id, &gk[n]);
		grade[n] = (uint8_t)g;
	}
	assert_int_equal(n, o.subjects);
	struct cr_dataset d;
	struct cr_subject_key *keys;
	assert_int_equal(cr_features_dataset_keys(fx->st, day("2023-06-30"), 12, 0.3, &d, &keys), 0);
	assert_true(d.rows > 1500);
	double rows[4] = {0}, bad[4] = {0}, worst[4] = {0}, test = 0;
	for (size_t r = 0; r < d.rows; r++) {
		size_t i = 0;
		while (i < n && memcmp(gk[i].b, keys[r].b, sizeof gk[i].b) != 0)
			i++;
		assert_true(i < n);
		rows[grade[i]]++;
		bad[grade[i]] += d.y[r];
		const double w = d.x[r * d.cols + CR_F_WORST_24M];
		worst[grade[i]] += isnan(w) ? 0 : w;
		test += d.test[r];
	}
	for (int g = 0; g < 4; g++)
		print_message("grade %d: rows %.0f bad %.3f mean worst_status_24m %.3f\n", g,
			      rows[g], rows[g] ? bad[g] / rows[g] : 0, rows[g] ? worst[g] / rows[g] : 0);
	assert_true(rows[0] > 0 && rows[2] > 0 && rows[3] > 0);
	assert_true(bad[3] / rows[3] > 5 * (bad[0] / rows[0]));
	assert_true(bad[2] / rows[2] > bad[0] / rows[0]);
	assert_true(worst[3] / rows[3] > worst[0] / rows[0]);
	assert_true(test > 0.2 * (double)d.rows && test < 0.4 * (double)d.rows);
	free(keys);
	cr_dataset_fini(&d);
	free(gk);
	free(grade);
	free(data);
	free(risk);
}

/* The i-th (0..9) of ten people born on 1970-01-01 in Beijing. */
static void seq_id(char id[CR_ID_LEN + 1], int i)
{
	memcpy(id, "11010519700101000", 17);
	id[16] = (char)('0' + i);
	id[17] = cr_id_check_char(id);
	id[18] = '\0';
}

/* The walk of people (cr_store_subjects) pages through everyone once. */
static void test_subjects_walk(void **state)
{
	struct fixture *fx = *state;
	struct feed *f = calloc(1, sizeof *f);
	struct cr_subject_key page[3];
	institutions(f);
	for (int i = 0; i < 7; i++) {
		char id[CR_ID_LEN + 1];
		seq_id(id, i);
		consent(f, id, "B0001");
	}
	ingest(fx->st, f);
	cr_txn *txn;
	uint64_t pos = 0;
	size_t n, total = 0;
	assert_int_equal(cr_store_begin(fx->st, 0, &txn), 0);
	do {
		assert_int_equal(cr_store_subjects(txn, &pos, page, 3, &n), 0);
		for (size_t i = 0; i < n; i++) {
			char id[CR_ID_LEN + 1];
			struct cr_subject_key k;
			seq_id(id, (int)(total + i));
			cr_store_subject_key(fx->st, id, &k);
			assert_memory_equal(k.b, page[i].b, sizeof k.b); /* order of arrival */
		}
		total += n;
	} while (n > 0);
	cr_store_abort(txn);
	assert_int_equal(total, 7);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_delinquent_and_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_and_charge_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_asof_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_excluded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disputes_hide, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dataset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dataset_against_latent_risk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subjects_walk, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
