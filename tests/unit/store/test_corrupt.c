/*
 * test_corrupt.c - a stored value that decodes but breaks its record's
 * invariants reads back as CR_ECORRUPT, by every read of its family: the
 * test writes such values through the key-value layer (store_int.h), with
 * the codec's own encoders, where the store's puts would refuse them.  And
 * a put given a record that fails its check stops the process (the
 * assertion stays on in release builds) before anything is written.
 *
 * History years are not here: their decoder (hist_codec.c) already refuses
 * every value whose check would fail.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cr_date.h"
#include "cr_err.h"
#include "store.h"
#include "store_codec.h"
#include "store_int.h"

#include "../store_fixture.h"

static const char ID[] = "11010519491231002X";

static cr_txn *writer(struct fixture *f)
{
	cr_txn *txn;
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	return txn;
}

static void raw_put(cr_txn *txn, int cf, const void *k, size_t kn, const void *v, size_t vn)
{
	assert_int_equal(kv_put(txn, cf, k, kn, v, vn), 0);
}

/* Walk callbacks that must not be called: the walk fails first. */
#define NEVER(name, type)                                                        \
	static int name(const type *r, void *arg)                               \
	{                                                                        \
		(void)r;                                                         \
		(void)arg;                                                       \
		fail_msg("a walk handed out a record that fails its check");    \
		return 0;                                                        \
	}
NEVER(never_apikey, struct cr_apikey)
NEVER(never_alert, struct cr_alert_rec)
NEVER(never_webhook, struct cr_webhook)
NEVER(never_account, struct cr_account_rec)
NEVER(never_event, struct cr_event_rec)
NEVER(never_dispute, struct cr_dispute)
NEVER(never_revision, struct cr_revision)
NEVER(no_inquiry, struct cr_inquiry)

/* ---- records of meta and alert ------------------------------------------ */

static void institution(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn = writer(f);
	struct cr_institution in = {"B0001", "Example Bank", CR_KIND_MICROLENDER + 1}, out;
	uint8_t kb[1 + CR_INST_CODE_MAX], vb[CR_INST_ENC_MAX];
	raw_put(txn, CF_META, kb, cr_key_meta(MK_INST, in.code, CR_INST_CODE_MAX, kb), vb,
		cr_inst_encode(&in, vb));
	assert_int_equal(cr_store_inst_get(txn, "B0001", &out), CR_ECORRUPT);
	assert_int_equal(cr_store_commit(txn), 0);
}

static void apikey(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn = writer(f);
	struct cr_apikey k, out;
	memset(&k, 0, sizeof k);
	snprintf(k.key_id, sizeof k.key_id, "0123456789abcdef");
	k.role = CR_APIKEY_ROLE_MAX + 1;
	uint8_t kb[1 + CR_APIKEY_ID_LEN], vb[CR_APIKEY_ENC_MAX];
	raw_put(txn, CF_META, kb, cr_key_meta(MK_APIKEY, k.key_id, CR_APIKEY_ID_LEN, kb), vb,
		cr_apikey_encode(&k, vb));
	assert_int_equal(cr_store_apikey_get(txn, k.key_id, &out), CR_ECORRUPT);
	assert_int_equal(cr_store_apikeys(txn, never_apikey, NULL), CR_ECORRUPT);
	assert_int_equal(cr_store_commit(txn), 0);
}

static void alert_config_and_audit_head(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn = writer(f);
	struct cr_alert_config c = {-1, 0, 3}, cout;
	struct cr_audit_head h, hout;
	uint8_t kb[1 + CR_INST_CODE_MAX], vb[CR_ALERT_CFG_LEN], hb[CR_AUDIT_HEAD_LEN];
	cr_alert_config_encode(&c, vb);
	raw_put(txn, CF_META, kb, cr_key_meta(MK_ALERT_CFG, "B0001", CR_INST_CODE_MAX, kb), vb,
		sizeof vb);
	assert_int_equal(cr_store_alert_config_get(txn, "B0001", &cout), CR_ECORRUPT);
	memset(&h, 0xab, sizeof h);
	h.seq = 0;
	cr_audit_head_encode(&h, hb);
	raw_put(txn, CF_META, "audit_head", 10, hb, sizeof hb);
	assert_int_equal(cr_store_audit_head_get(txn, &hout), CR_ECORRUPT);
	assert_int_equal(cr_store_commit(txn), 0);
}

static void alert(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn = writer(f);
	struct cr_alert_rec a = {.seq = 1, .kind = CR_ALERT_KIND_MAX + 1, .raised_s = 1, .at_s = 1};
	uint8_t kb[CR_KEY_ALERT_LEN], vb[CR_ALERT_VAL_LEN];
	cr_key_alert("L0001", a.seq, kb);
	cr_alert_encode(&a, vb);
	raw_put(txn, CF_ALERT, kb, sizeof kb, vb, sizeof vb);
	assert_int_equal(cr_store_commit(txn), 0);
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_store_alerts(txn, "L0001", 0, 10, never_alert, NULL), CR_ECORRUPT);
	cr_store_abort(txn);
}

/* A registration whose stored gen is 0; read without its secret. */
static void webhook(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn = writer(f);
	struct cr_webhook w, out;
	memset(&w, 0, sizeof w);
	snprintf(w.inst, sizeof w.inst, "L0001");
	snprintf(w.url, sizeof w.url, "https://hooks.example.com/x");
	uint8_t kb[1 + CR_INST_CODE_MAX], vb[CR_WEBHOOK_ENC_MAX];
	raw_put(txn, CF_META, kb, cr_key_meta(MK_WEBHOOK, w.inst, CR_INST_CODE_MAX, kb), vb,
		cr_webhook_encode(&w, vb));
	assert_int_equal(cr_store_webhook_get(txn, "L0001", 0, &out), CR_ECORRUPT);
	assert_int_equal(cr_store_webhooks(txn, never_webhook, NULL), CR_ECORRUPT);
	assert_int_equal(cr_store_commit(txn), 0);
}

/* ---- records of a person -------------------------------------------------- */

/* A person with one good account, committed; *pid and *acct set. */
static void person_with_account(struct fixture *f, uint64_t *pid, uint64_t *acct)
{
	struct cr_account_rec r;
	memset(&r, 0, sizeof r);
	cr_store_subject_key(f->st, ID, &r.subject);
	snprintf(r.a.inst, sizeof r.a.inst, "B0001");
	snprintf(r.a.account, sizeof r.a.account, "HB-0001");
	r.a.id_type = CR_IDTYPE_RESIDENT;
	r.a.product = CR_PROD_REVOLVING;
	r.a.status = CR_ACCT_OPEN;
	r.a.opened_days = cr_days_from_civil(2019, 5, 1);
	memcpy(r.a.currency, "CNY", 4);
	r.a.credit_limit = 1000000;
	cr_txn *txn = writer(f);
	assert_int_equal(cr_store_account_put(txn, &r), 1);
	assert_int_equal(person_pid(txn, &r.subject, pid), 0);
	assert_int_equal(cr_store_commit(txn), 0);
	*acct = r.acct_id;
}

static void account(void **state)
{
	struct fixture *f = *state;
	uint64_t pid, acct;
	person_with_account(f, &pid, &acct);
	cr_txn *txn = writer(f);
	struct cr_account_rec r;
	assert_int_equal(cr_store_account_by_id(txn, acct, &r), 0);
	r.a.product = CR_PROD_COUNT + 1;
	uint8_t kb[CR_KEY_ACCOUNT_LEN], vb[CR_ACCT_ENC_MAX];
	cr_key_account(acct, kb);
	raw_put(txn, CF_PERSON, kb, sizeof kb, vb, cr_acct_encode(&r, vb));
	assert_int_equal(cr_store_commit(txn), 0);
	for (int write = 0; write < 2; write++) {
		assert_int_equal(cr_store_begin(f->st, write, &txn), 0);
		assert_int_equal(cr_store_account_get(txn, "B0001", "HB-0001", &r), CR_ECORRUPT);
		assert_int_equal(cr_store_account_by_id(txn, acct, &r), CR_ECORRUPT);
		struct cr_subject_key k;
		cr_store_subject_key(f->st, ID, &k);
		assert_int_equal(cr_store_subject_accounts(txn, &k, never_account, NULL),
				 CR_ECORRUPT);
		assert_int_equal(cr_store_subject_accounts_bare(txn, &k, never_account, NULL),
				 CR_ECORRUPT);
		assert_int_equal(cr_store_accounts(txn, never_account, NULL), CR_ECORRUPT);
		cr_store_abort(txn);
	}
}

/* An identity with a letter in the ID, sealed as the store seals it. */
static void subject(void **state)
{
	struct fixture *f = *state;
	struct cr_subject s, out;
	struct cr_subject_key k;
	uint8_t ident[CR_SUBJECT_ENC_MAX], plain[8 + CR_SUBJECT_ENC_MAX], pk[PK_LEN];
	uint8_t val[CR_SUBJECT_KEY_LEN + sizeof plain + CR_STORE_SEAL_OVERHEAD];
	uint64_t pid;
	memset(&s, 0, sizeof s);
	snprintf(s.id, sizeof s.id, "A1010519491231002X");
	snprintf(s.name, sizeof s.name, "Name");
	cr_store_subject_key(f->st, ID, &k);
	cr_txn *txn = writer(f);
	assert_int_equal(person_pid_make(txn, &k, &pid), 0);
	const size_t idn = cr_subject_encode(&s, ident);
	const struct cr_secrets_index none = {0, 3, 0, 5, 0};
	const size_t pn = cr_secrets_encode(1, ident, idn, (const uint8_t *)"\0\0\0\0\0", 5, &none,
					    0, NULL, plain);
	memcpy(val, k.b, CR_SUBJECT_KEY_LEN);
	const size_t vn = CR_SUBJECT_KEY_LEN + cr_store__seal(f->st, k.b, CR_SUBJECT_KEY_LEN, plain,
							      pn, val + CR_SUBJECT_KEY_LEN);
	cr_key_person(pid, PK_IDENTITY, pk);
	raw_put(txn, CF_PERSON, pk, sizeof pk, val, vn);
	assert_int_equal(cr_store_commit(txn), 0);
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_store_subject_get(txn, &k, &out), CR_ECORRUPT);
	cr_store_abort(txn);
}

static void consent_and_inquiry(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	struct cr_consent_fact fact = {"L0001", CR_SCOPE_QUERY, CR_PURPOSE_LOAN_APPROVAL,
				       cr_days_from_civil(2021, 6, 1), CR_NO_DATE, CR_NO_DATE, ""};
	struct cr_inquiry q = {cr_days_from_civil(2022, 1, 1), 9, "", CR_PURPOSE_LOAN_APPROVAL, 0};
	uint8_t kb[PK_LEN + CR_CONSENT_ENC_MAX + CR_INQUIRY_ENC_MAX];
	uint64_t pid;
	size_t n;
	cr_store_subject_key(f->st, ID, &k);
	cr_txn *txn = writer(f);
	assert_int_equal(cr_store_consent_add(txn, &k, &fact), 1);
	assert_int_equal(person_pid(txn, &k, &pid), 0);
	fact.scope = CR_SCOPE_FURNISH; /* a furnish consent with a purpose */
	cr_key_person(pid, PK_CONSENT, kb);
	raw_put(txn, CF_PERSON, kb, PK_LEN + cr_consent_encode(&fact, kb + PK_LEN), "", 0);
	cr_key_person(pid, PK_INQUIRY, kb); /* a lender's inquiry without the lender */
	raw_put(txn, CF_PERSON, kb, PK_LEN + cr_inquiry_encode(&q, kb + PK_LEN), "", 0);
	assert_int_equal(cr_store_commit(txn), 0);
	struct cr_consent_fact facts[4];
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_store_consent_list(txn, &k, facts, 4, &n), CR_ECORRUPT);
	assert_int_equal(cr_store_inquiries(txn, &k, CR_DAYS_MIN, CR_DAYS_MAX, no_inquiry, NULL),
			 CR_ECORRUPT);
	cr_store_abort(txn);
}

static void held_count(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	uint8_t kb[CR_KEY_HELD_MAX], zero[8] = {0};
	uint64_t pid, count;
	cr_store_subject_key(f->st, ID, &k);
	cr_txn *txn = writer(f);
	assert_int_equal(cr_store_held_add(txn, &k, "P0001", 2), 0);
	assert_int_equal(person_pid(txn, &k, &pid), 0);
	raw_put(txn, CF_PERSON, kb, cr_key_held(pid, "P0001", kb), zero, sizeof zero);
	assert_int_equal(cr_store_held_take(txn, &k, "P0001", &count), CR_ECORRUPT);
	assert_int_equal(cr_store_held_add(txn, &k, "P0001", 1), CR_ECORRUPT);
	cr_store_abort(txn);
}

static void event(void **state)
{
	struct fixture *f = *state;
	uint64_t pid, acct;
	person_with_account(f, &pid, &acct);
	struct cr_event_rec e;
	memset(&e, 0, sizeof e);
	e.acct_id = acct;
	e.at_s = cr_day_start_s(cr_days_from_civil(2021, 1, 15));
	e.kind = CR_EV_CLOSE + 1;
	uint8_t kb[CR_KEY_EVENT_LEN], vb[CR_EVENT_VAL_LEN];
	cr_key_event(acct, e.at_s, e.id_hash, kb);
	cr_event_encode(&e, vb);
	cr_txn *txn = writer(f);
	raw_put(txn, CF_PERSON, kb, sizeof kb, vb, sizeof vb);
	assert_int_equal(cr_store_account_events(txn, acct, INT64_MIN, INT64_MAX, never_event, NULL),
			 CR_ECORRUPT);
	assert_int_equal(cr_store_commit(txn), 0);
}

/* A dispute's status is in its fixed part, outside the sealed text. */
static void dispute(void **state)
{
	struct fixture *f = *state;
	uint64_t pid, acct;
	person_with_account(f, &pid, &acct);
	struct cr_dispute d, out;
	memset(&d, 0, sizeof d);
	cr_store_subject_key(f->st, ID, &d.subject);
	d.acct_id = acct;
	snprintf(d.inst, sizeof d.inst, "B0001");
	snprintf(d.account, sizeof d.account, "HB-0001");
	d.month = CR_WHOLE_ACCOUNT;
	d.filed_days = cr_days_from_civil(2026, 6, 30);
	d.status = CR_DISPUTE_OPEN;
	d.resolved_days = CR_NO_DATE;
	cr_txn *txn = writer(f);
	assert_int_equal(cr_store_dispute_put(txn, &d), 0);
	uint8_t pk[CR_KEY_DISPUTE_LEN], copy[1024];
	struct kv_val v = {0};
	cr_key_dispute(pid, d.id, pk);
	assert_int_equal(kv_get(txn, CF_PERSON, pk, sizeof pk, &v), 0);
	assert_true(v.n <= sizeof copy);
	memcpy(copy, v.p, v.n);
	const size_t n = v.n;
	kv_val_free(&v);
	copy[CR_SUBJECT_KEY_LEN + 16] = CR_DISPUTE_CORRECTED + 1;
	raw_put(txn, CF_PERSON, pk, sizeof pk, copy, n);
	assert_int_equal(cr_store_commit(txn), 0);
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_store_dispute_get(txn, d.id, &out), CR_ECORRUPT);
	assert_int_equal(cr_store_disputes(txn, &d.subject, never_dispute, NULL), CR_ECORRUPT);
	assert_int_equal(cr_store_disputes(txn, NULL, never_dispute, NULL), CR_ECORRUPT);
	cr_store_abort(txn);
}

static void revision(void **state)
{
	struct fixture *f = *state;
	uint64_t pid, acct;
	person_with_account(f, &pid, &acct);
	struct cr_revision r = {acct, 2021 * 12, 1, cr_days_from_civil(2026, 6, 30),
				{'N', -4, 0, 0, 0, 0}};
	uint8_t kb[CR_KEY_REVISION_LEN], vb[CR_REVISION_VAL_LEN];
	cr_key_revision(acct, r.month, 1, kb);
	cr_revision_encode(&r, vb);
	cr_txn *txn = writer(f);
	raw_put(txn, CF_PERSON, kb, sizeof kb, vb, sizeof vb);
	assert_int_equal(cr_store_revisions(txn, acct, never_revision, NULL), CR_ECORRUPT);
	assert_int_equal(cr_store_commit(txn), 0);
}

/* ---- a broken record is never written ------------------------------------- */

/* Runs put(f) in a child process: it must die of the failed assertion. */
static void aborts(struct fixture *f, void (*put)(struct fixture *f))
{
	fflush(NULL);
	const pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(3);
		put(f);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void put_event_of_kind_0(struct fixture *f)
{
	cr_txn *txn;
	struct cr_event_rec e;
	memset(&e, 0, sizeof e);
	e.acct_id = 5;
	if (cr_store_begin(f->st, 1, &txn) == 0)
		cr_store_event_put(txn, "B0001", "ev-1", &e);
}

static void put_consent_without_institution(struct fixture *f)
{
	cr_txn *txn;
	struct cr_subject_key k;
	struct cr_consent_fact fact = {"", CR_SCOPE_FURNISH, CR_PURPOSE_NONE,
				       cr_days_from_civil(2021, 6, 1), CR_NO_DATE, CR_NO_DATE, ""};
	cr_store_subject_key(f->st, ID, &k);
	if (cr_store_begin(f->st, 1, &txn) == 0)
		cr_store_consent_add(txn, &k, &fact);
}

static void a_broken_record_stops_the_write(void **state)
{
	struct fixture *f = *state;
	aborts(f, put_event_of_kind_0);
	aborts(f, put_consent_without_institution);
	/* Nothing reached the store. */
	struct cr_store_stats s;
	cr_txn *txn;
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_store_stats(txn, &s), 0);
	cr_store_abort(txn);
	assert_int_equal(s.events, 0);
	assert_int_equal(s.consents, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(institution, setup, teardown),
		cmocka_unit_test_setup_teardown(apikey, setup, teardown),
		cmocka_unit_test_setup_teardown(alert_config_and_audit_head, setup, teardown),
		cmocka_unit_test_setup_teardown(alert, setup, teardown),
		cmocka_unit_test_setup_teardown(webhook, setup, teardown),
		cmocka_unit_test_setup_teardown(account, setup, teardown),
		cmocka_unit_test_setup_teardown(subject, setup, teardown),
		cmocka_unit_test_setup_teardown(consent_and_inquiry, setup, teardown),
		cmocka_unit_test_setup_teardown(held_count, setup, teardown),
		cmocka_unit_test_setup_teardown(event, setup, teardown),
		cmocka_unit_test_setup_teardown(dispute, setup, teardown),
		cmocka_unit_test_setup_teardown(revision, setup, teardown),
		cmocka_unit_test_setup_teardown(a_broken_record_stops_the_write, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
