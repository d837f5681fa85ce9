/*
 * test_webhooks.c - webhooks in the store (src/store/store_webhook.c): a
 * round trip with the secret sealed (never in the clear in any key or value),
 * state updates bound to the registration's gen, deletion, the walk, and
 * the last alert seq of an institution.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cr_err.h"
#include "store.h"
#include "store_int.h"

#include "../store_fixture.h"

#define SECRET "whsec_SECRETSECRETSECRETSECRETSECRETSECRETSECRE"

static struct cr_webhook hook(const char *inst, uint64_t gen)
{
	struct cr_webhook w;
	memset(&w, 0, sizeof w);
	snprintf(w.inst, sizeof w.inst, "%s", inst);
	snprintf(w.url, sizeof w.url, "https://hooks.example.com/%s", inst);
	snprintf(w.secret, sizeof w.secret, "%s", SECRET);
	w.gen = gen;
	w.created_s = 1782784800;
	w.updated_s = 1782784900;
	w.s.cursor = 7;
	return w;
}

struct find {
	const char *needle;
	int found;
};

static int look(int cf, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn, void *arg)
{
	struct find *f = arg;
	(void)cf;
	f->found |= memmem(k, kn, f->needle, strlen(f->needle)) != NULL ||
		    memmem(v, vn, f->needle, strlen(f->needle)) != NULL;
	return 0;
}

/* Does any key or value the store holds contain needle?  Read through the
 * engine's own iterators, which see through its compression. */
static int store_has(cr_store *st, const char *needle)
{
	struct find f = {needle, 0};
	assert_int_equal(cr_store__walk_raw(st, look, &f), 0);
	return f.found;
}

static void round_trip_and_sealed_secret(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn;
	struct cr_webhook w = hook("L0001", 1), got;
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_webhook_get(txn, "L0001", 1, &got), CR_ENOTFOUND);
	assert_int_equal(cr_store_webhook_put(txn, &w), 0);
	assert_int_equal(cr_store_commit(txn), 0);
	assert_int_equal(store_has(f->st, "hooks.example.com/L0001"), 1);
	assert_int_equal(store_has(f->st, "SECRETSECRET"), 0);
	assert_int_equal(cr_store_begin(f->st, 0, &txn), 0);
	assert_int_equal(cr_store_webhook_get(txn, "L0001", 0, &got), 0);
	assert_string_equal(got.secret, "");
	assert_string_equal(got.url, w.url);
	assert_int_equal(got.gen, 1);
	assert_int_equal(got.created_s, w.created_s);
	assert_int_equal(got.updated_s, w.updated_s);
	assert_int_equal(got.s.cursor, 7);
	assert_int_equal(cr_store_webhook_get(txn, "L0001", 1, &got), 0);
	assert_string_equal(got.secret, SECRET);
	assert_int_equal(cr_store_webhook_get(txn, "L0002", 0, &got), CR_ENOTFOUND);
	cr_store_abort(txn);
}

static void state_follows_the_registration(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn;
	struct cr_webhook w = hook("L0001", 3), got;
	struct cr_webhook_state s = {.cursor = 42, .last_attempt_ms = 1782784800123,
				     .next_attempt_ms = 1782784805123, .failures = 2,
				     .last_status = 503, .last_error = 1};
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_webhook_put(txn, &w), 0);
	assert_int_equal(cr_store_webhook_state_put(txn, "L0001", 2, &s), 0);
	assert_int_equal(cr_store_webhook_state_put(txn, "L0009", 3, &s), 0);
	assert_int_equal(cr_store_webhook_get(txn, "L0001", 1, &got), 0);
	assert_int_equal(got.s.cursor, 7);
	assert_int_equal(cr_store_webhook_state_put(txn, "L0001", 3, &s), 1);
	assert_int_equal(cr_store_webhook_get(txn, "L0001", 1, &got), 0);
	assert_int_equal(got.s.cursor, 42);
	assert_int_equal(got.s.last_attempt_ms, 1782784800123);
	assert_int_equal(got.s.next_attempt_ms, 1782784805123);
	assert_int_equal(got.s.failures, 2);
	assert_int_equal(got.s.last_status, 503);
	assert_int_equal(got.s.last_error, 1);
	assert_string_equal(got.secret, SECRET);
	assert_string_equal(got.url, w.url);
	assert_int_equal(cr_store_commit(txn), 0);
}

static int count(const struct cr_webhook *w, void *arg)
{
	assert_string_equal(w->secret, "");
	char *seen = arg;
	strncat(seen, w->inst, 63 - strlen(seen));
	return 0;
}

static void walk_delete_and_alert_last(void **state)
{
	struct fixture *f = *state;
	cr_txn *txn;
	char seen[64] = "";
	struct cr_webhook a = hook("L0002", 1), b = hook("B0001", 1), bad = hook("L0003", 1);
	bad.url[0] = '\0';
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	assert_int_equal(cr_store_webhook_put(txn, &a), 0);
	assert_int_equal(cr_store_webhook_put(txn, &b), 0);
	assert_int_equal(cr_store_webhook_put(txn, &bad), CR_EINVAL);
	assert_int_equal(cr_store_webhooks(txn, count, seen), 0);
	assert_string_equal(seen, "B0001L0002");
	assert_int_equal(cr_store_webhook_del(txn, "B0001"), 0);
	assert_int_equal(cr_store_webhook_del(txn, "B0001"), CR_ENOTFOUND);
	seen[0] = '\0';
	assert_int_equal(cr_store_webhooks(txn, count, seen), 0);
	assert_string_equal(seen, "L0002");
	uint64_t last = 99;
	assert_int_equal(cr_store_alert_last(txn, "L0002", &last), 0);
	assert_int_equal(last, 0);
	struct cr_alert_rec al = {.kind = 1, .raised_s = 1, .at_s = 1};
	assert_int_equal(cr_store_alert_add(txn, "L0002", &al), 0);
	assert_int_equal(cr_store_alert_add(txn, "L0002", &al), 0);
	assert_int_equal(cr_store_alert_last(txn, "L0002", &last), 0);
	assert_int_equal(last, 2);
	assert_int_equal(cr_store_commit(txn), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(round_trip_and_sealed_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(state_follows_the_registration, setup, teardown),
		cmocka_unit_test_setup_teardown(walk_delete_and_alert_last, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
