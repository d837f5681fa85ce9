/*
 * test_codec.c - the store's byte layouts (src/store/store_codec.c) pinned
 * to the bytes store_codec.h describes, written out by hand below from
 * that description: a change of layout fails here before it reaches a
 * store (layout 8).  And the decoders refuse what the encoders never
 * write: a person's secrets with a NUL inside an account number (found by
 * the fuzz target, fuzz/corpus/store_codec/secrets_nul_in_number).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cr_err.h"
#include "store.h"
#include "store_codec.h"

static const uint8_t g_alert_cfg[] = {
	0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x42, 0x40, 0x00, 0x00,
	0x00, 0x03
};
static const uint8_t g_event_val[] = {
	0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x39, 0x00, 0x00, 0x00, 0x1f
};
static const uint8_t g_event_key[] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x7e, 0x00, 0x02, 0x80, 0x00, 0x00,
	0x00, 0x60, 0x00, 0x6a, 0x80, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11
};
static const uint8_t g_event_index_val[] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x80, 0x00, 0x00, 0x00, 0x60, 0x00,
	0x6a, 0x80
};
static const uint8_t g_alert_key[] = {
	0x4c, 0x30, 0x30, 0x30, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03
};
static const uint8_t g_alert_val[] = {
	0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07,
	0x07, 0x07, 0x02, 0x00, 0x00, 0x00, 0x00, 0x6a, 0x43, 0x23, 0x20, 0x00, 0x00, 0x00,
	0x00, 0x6a, 0x41, 0xd7, 0xe0
};
static const uint8_t g_revision_val[] = {
	0x31, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xcb, 0x20, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x13, 0x88, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x13, 0x88, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x03, 0x00, 0x00, 0x50, 0x9a
};
static const uint8_t g_revision_key[] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x52, 0x00, 0x02, 0x00, 0x00, 0x5e,
	0xc1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09
};
static const uint8_t g_apikey_val[] = {
	0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
	0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
	0x5a, 0x5a, 0x5a, 0x5a, 0x01, 0x01, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07,
	0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x00, 0x00, 0x00, 0x00, 0x6a, 0x43,
	0x23, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x42, 0x30, 0x30,
	0x30, 0x31
};
static const uint8_t g_webhook_val[] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x6a, 0x43,
	0x23, 0x20, 0x00, 0x00, 0x00, 0x00, 0x6a, 0x43, 0x23, 0x84, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x01, 0x9f, 0x16, 0x41, 0x35, 0x7b, 0x00, 0x00,
	0x01, 0x9f, 0x16, 0x41, 0x49, 0x03, 0x00, 0x00, 0x00, 0x02, 0x01, 0xf7, 0x01, 0x00,
	0x0a, 0x68, 0x74, 0x74, 0x70, 0x73, 0x3a, 0x2f, 0x2f, 0x68, 0x2f
};
static const uint8_t g_audit_head[] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
	0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
	0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xcd, 0xcd,
	0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd,
	0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd,
	0xcd, 0xcd
};
static const uint8_t g_dispute_fixed[] = {
	0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07,
	0x07, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x80, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x50, 0x9a, 0x01, 0x80, 0x00, 0x00, 0x00
};
static const uint8_t g_dispute_text[] = {
	0x42, 0x30, 0x30, 0x30, 0x31, 0x00, 0x48, 0x42, 0x2d, 0x30, 0x30, 0x30, 0x31, 0x00,
	0x6e, 0x6f, 0x74, 0x20, 0x6d, 0x69, 0x6e, 0x65
};
static const uint8_t g_hist_key[] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x48, 0x00, 0x02, 0x07, 0xe5
};
static const uint8_t g_held_key[] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x58, 0x50, 0x30, 0x30, 0x30, 0x31
};
static const uint8_t g_dispute_key[] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x03
};
static const uint8_t g_msg[] = {
	0x01, 0x42, 0x30, 0x30, 0x30, 0x31, 0x00, 0x48, 0x42, 0x2d, 0x31
};
static const uint8_t g_acct_index[] = {
	0x41, 0x42, 0x30, 0x30, 0x30, 0x31, 0x00, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11
};
static const uint8_t g_event_index[] = {
	0x45, 0x42, 0x30, 0x30, 0x30, 0x31, 0x00, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11
};

#define SAME(got, n, want)                        \
	do {                                      \
		assert_int_equal((n), sizeof(want)); \
		assert_memory_equal((got), (want), sizeof(want)); \
	} while (0)

static const uint64_t ACCT = 1 << 16 | 2; /* pid 1, account 2 */
static const int64_t AT = 1610640000;

static void keys(void **state)
{
	(void)state;
	uint8_t b[128], h11[16];
	memset(h11, 0x11, sizeof h11);
	cr_key_event(ACCT, AT, h11, b);
	SAME(b, (size_t)CR_KEY_EVENT_LEN, g_event_key);
	cr_key_hist(ACCT, 2021, b);
	SAME(b, (size_t)CR_KEY_HIST_LEN, g_hist_key);
	SAME(b, cr_key_held(1, "P0001", b), g_held_key);
	cr_key_dispute(1, 3, b);
	SAME(b, (size_t)CR_KEY_DISPUTE_LEN, g_dispute_key);
	cr_key_revision(ACCT, 2021 * 12 + 5, 9, b);
	SAME(b, (size_t)CR_KEY_REVISION_LEN, g_revision_key);
	cr_key_alert("L0001", 3, b);
	SAME(b, (size_t)CR_KEY_ALERT_LEN, g_alert_key);
	SAME(b, cr_pseudonym_msg(CR_DOMAIN_ACCOUNT, "B0001", "HB-1", CR_ACCOUNT_MAX, b), g_msg);
	SAME(b, cr_key_account_index("B0001", h11, b), g_acct_index);
	SAME(b, cr_key_event_index("B0001", h11, b), g_event_index);
	assert_int_equal(cr_key_acct_id(g_event_key), ACCT);
	assert_int_equal(cr_key_hist_year(g_hist_key), 2021);
	assert_int_equal(cr_key_dispute_id(g_dispute_key), 3);
	char name[CR_ALERT_SEQ_NAME_MAX];
	cr_alert_seq_name("L0001", name);
	assert_string_equal(name, "alert_seq:L0001");
}

static void events_and_alerts(void **state)
{
	(void)state;
	uint8_t b[128];
	struct cr_event_rec e, back;
	memset(&e, 0, sizeof e);
	e.acct_id = ACCT;
	e.at_s = AT;
	e.kind = CR_EV_OVERDUE;
	e.dpd = 31;
	e.amount = 12345;
	memset(e.id_hash, 0x11, sizeof e.id_hash);
	cr_event_encode(&e, b);
	SAME(b, (size_t)CR_EVENT_VAL_LEN, g_event_val);
	assert_int_equal(cr_event_decode(g_event_key, sizeof g_event_key, b, CR_EVENT_VAL_LEN, &back),
			 0);
	assert_memory_equal(&e, &back, sizeof e);
	cr_event_index_encode(ACCT, AT, b);
	SAME(b, (size_t)CR_EVENT_INDEX_VAL_LEN, g_event_index_val);
	struct cr_alert_rec a, ab;
	memset(&a, 0, sizeof a); /* padding too: the structs are compared whole */
	a.seq = 3;
	a.kind = 2;
	a.raised_s = 1782784800;
	a.at_s = 1782700000;
	memset(a.subject.b, 7, sizeof a.subject.b);
	cr_alert_encode(&a, b);
	SAME(b, (size_t)CR_ALERT_VAL_LEN, g_alert_val);
	assert_int_equal(cr_alert_decode(g_alert_key, sizeof g_alert_key, b, CR_ALERT_VAL_LEN, &ab), 0);
	assert_memory_equal(&a, &ab, sizeof a);
	struct cr_alert_config c, cb;
	memset(&c, 0, sizeof c);
	c.exposure_pct = 20;
	c.exposure_min = 1000000;
	c.inquiries = 3;
	cr_alert_config_encode(&c, b);
	SAME(b, (size_t)CR_ALERT_CFG_LEN, g_alert_cfg);
	assert_int_equal(cr_alert_config_decode(b, CR_ALERT_CFG_LEN, &cb), 0);
	assert_memory_equal(&c, &cb, sizeof c);
}

static void disputes_and_revisions(void **state)
{
	(void)state;
	uint8_t b[CR_DISPUTE_TEXT_MAX];
	struct cr_dispute d, back;
	memset(&d, 0, sizeof d);
	memset(&back, 0, sizeof back);
	memset(d.subject.b, 7, sizeof d.subject.b);
	d.acct_id = ACCT;
	d.month = CR_WHOLE_ACCOUNT;
	d.filed_days = 20634;
	d.status = CR_DISPUTE_OPEN;
	d.resolved_days = CR_NO_DATE;
	memcpy(d.inst, "B0001", 6);
	memcpy(d.account, "HB-0001", 8);
	memcpy(d.reason, "not mine", 9);
	cr_dispute_encode(&d, b);
	SAME(b, (size_t)CR_DISPUTE_FIXED, g_dispute_fixed);
	cr_dispute_decode(b, &back);
	SAME(b, cr_dispute_text_encode(&d, b), g_dispute_text);
	assert_int_equal(cr_dispute_text_decode(b, sizeof g_dispute_text, &back), 0);
	assert_memory_equal(&d, &back, sizeof d);
	/* Fewer than three strings, or one too long, is corrupt. */
	assert_int_equal(cr_dispute_text_decode(b, 6, &back), CR_ECORRUPT);
	memset(b, 'r', sizeof b);
	b[0] = b[1] = '\0';
	assert_int_equal(cr_dispute_text_decode(b, sizeof b, &back), CR_ECORRUPT);

	const struct cr_revision r = {ACCT, 2021 * 12 + 5, 3, 20634, {'1', 20, 52000, 5000, 0, 5000}};
	struct cr_revision rb;
	cr_revision_encode(&r, b);
	SAME(b, (size_t)CR_REVISION_VAL_LEN, g_revision_val);
	assert_int_equal(cr_revision_decode(ACCT, g_revision_key, sizeof g_revision_key, b,
					    CR_REVISION_VAL_LEN, &rb), 0);
	assert_int_equal(rb.month, r.month);
	assert_int_equal(rb.dispute_id, 3);
	assert_int_equal(rb.old.status, '1');
	assert_int_equal(rb.old.overdue, 5000);
}

static void keys_heads_and_webhooks(void **state)
{
	(void)state;
	uint8_t b[CR_WEBHOOK_ENC_MAX];
	struct cr_apikey k, kb;
	memset(&k, 0, sizeof k);
	memcpy(k.key_id, "0123456789abcdef", 17);
	memset(k.hash, 0x5a, sizeof k.hash);
	k.role = 1;
	k.has_subject = 1;
	memset(k.subject.b, 7, sizeof k.subject.b);
	memcpy(k.inst, "B0001", 6);
	k.created = 1782784800;
	SAME(b, cr_apikey_encode(&k, b), g_apikey_val);
	assert_int_equal(cr_apikey_decode((const uint8_t *)k.key_id, 16, b, sizeof g_apikey_val, &kb),
			 0);
	assert_memory_equal(&k, &kb, sizeof k);

	struct cr_audit_head h, hb;
	h.seq = 42;
	memset(h.hash, 0xab, sizeof h.hash);
	memset(h.mac, 0xcd, sizeof h.mac);
	cr_audit_head_encode(&h, b);
	SAME(b, (size_t)CR_AUDIT_HEAD_LEN, g_audit_head);
	assert_int_equal(cr_audit_head_decode(b, CR_AUDIT_HEAD_LEN, &hb), 0);
	assert_memory_equal(&h, &hb, sizeof h);

	struct cr_webhook w, wb;
	size_t used;
	memset(&w, 0, sizeof w);
	memcpy(w.inst, "L0001", 6);
	memcpy(w.url, "https://h/", 11);
	w.gen = 2;
	w.created_s = 1782784800;
	w.updated_s = 1782784900;
	w.s = (struct cr_webhook_state){7, 1782784800123, 1782784805123, 2, 503, 1};
	SAME(b, cr_webhook_encode(&w, b), g_webhook_val);
	assert_int_equal(cr_webhook_gen(b), 2);
	assert_int_equal(cr_webhook_decode((const uint8_t *)"L0001", 5, b, sizeof g_webhook_val, &wb,
					   &used), 0);
	assert_int_equal(used, sizeof g_webhook_val);
	assert_memory_equal(&w, &wb, sizeof w);
}

/* One identity and one account, laid out and parsed; a NUL inside the
 * number is refused. */
static void secrets(void **state)
{
	(void)state;
	static const uint8_t empty[CR_SECRETS_EMPTY_LEN] = {0};
	static const uint8_t want[] = {1, 0, 3, 'I', 'D', '!', 0, 1, 0, 2, 7,
				       'H', 'B', '-', '0', '0', '0', '1'};
	struct cr_secrets_index x, y;
	uint8_t b[64];
	char number[CR_ACCOUNT_MAX + 1];
	assert_int_equal(cr_secrets_parse(empty, sizeof empty, &x), 0);
	assert_int_equal(cr_secrets_size(3, sizeof empty, &x, "HB-0001"), sizeof want);
	SAME(b, cr_secrets_encode(1, (const uint8_t *)"ID!", 3, empty, sizeof empty, &x, 2,
				  "HB-0001", b), want);
	assert_int_equal(cr_secrets_parse(b, sizeof want, &y), 0);
	assert_int_equal(y.has_ident, 1);
	assert_int_equal(y.ident_n, 3);
	assert_int_equal(y.n_acc, 1);
	assert_int_equal(cr_secrets_number(b, &y, 2, number), 0);
	assert_string_equal(number, "HB-0001");
	assert_int_equal(cr_secrets_number(b, &y, 1, number), CR_ECORRUPT);
	b[sizeof want - 4] = '\0';
	assert_int_equal(cr_secrets_parse(b, sizeof want, &y), CR_ECORRUPT);
	b[sizeof want - 4] = '0';
	assert_int_equal(cr_secrets_parse(b, sizeof want - 1, &y), CR_ECORRUPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys),
		cmocka_unit_test(events_and_alerts),
		cmocka_unit_test(disputes_and_revisions),
		cmocka_unit_test(keys_heads_and_webhooks),
		cmocka_unit_test(secrets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
