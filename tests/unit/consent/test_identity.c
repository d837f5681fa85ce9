/*
 * Unit tests for the identities of consent.h (DESIGN.md rule 11): the
 * identity an account line furnished without a live furnish consent is
 * held apart, sealed, changes the identity no reader sees, shows from its
 * institution's consent on and is released with it, unless a newer
 * identity that shows outweighs it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "consent.h"
#include "cr_date.h"
#include "cr_err.h"
#include "store_int.h"

#include "../store_fixture.h"

static const char *const person = "11010519491231002X";

static struct cr_subject ident(const char *name)
{
	struct cr_subject s;
	memset(&s, 0, sizeof s);
	memcpy(s.id, person, CR_ID_LEN);
	s.birth_days = cr_days_from_civil(1949, 12, 31);
	snprintf(s.name, sizeof s.name, "%s", name);
	snprintf(s.phone, sizeof s.phone, "13900000000");
	return s;
}

static int32_t today(void)
{
	return cr_days_from_civil(2026, 6, 30);
}

/* Grants inst a furnish consent from the person today. */
static void grant(cr_txn *txn, const struct cr_subject_key *k, const char *inst)
{
	struct cr_consent c;
	uint64_t released = 0;
	memset(&c, 0, sizeof c);
	memcpy(c.id, person, CR_ID_LEN);
	snprintf(c.inst, sizeof c.inst, "%s", inst);
	snprintf(c.evidence, sizeof c.evidence, "sha256:%s", inst);
	c.scope = CR_SCOPE_FURNISH;
	c.purpose = CR_PURPOSE_NONE;
	c.granted_days = today() - 1;
	c.expires_days = CR_NO_DATE;
	c.revoked_days = CR_NO_DATE;
	assert_int_equal(cr_consent_apply(txn, k, &c, today(), &released), 1);
}

/* The name institutions see (self 0) or the person (self 1), and whether
 * it is held; "" when there is none. */
static const char *shown(cr_txn *txn, const struct cr_subject_key *k, int self, int *held)
{
	static struct cr_consent_facts facts;
	static struct cr_subject s;
	assert_int_equal(cr_consent_facts_load(txn, k, &facts), 0);
	int rc = cr_consent_identity(txn, k, &facts, today(), self, &s, held);
	if (rc == CR_ENOTFOUND)
		return "";
	assert_int_equal(rc, 0);
	return s.name;
}

static void furnish(cr_txn *txn, const struct cr_subject_key *k, const char *inst, int live,
		    const char *name, int changed)
{
	const struct cr_subject s = ident(name);
	assert_int_equal(cr_consent_identity_furnished(txn, k, inst, live, &s), changed);
}

struct find {
	const char *needle;
	int found;
};

static int look(int cf, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn, void *arg)
{
	struct find *f = arg;
	const size_t n = strlen(f->needle);
	(void)cf;
	for (size_t i = 0; i + n <= kn; i++)
		f->found |= memcmp(k + i, f->needle, n) == 0;
	for (size_t i = 0; i + n <= vn; i++)
		f->found |= memcmp(v + i, f->needle, n) == 0;
	return 0;
}

static void a_held_identity_changes_nothing_and_is_sealed(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	struct cr_subject base;
	cr_txn *txn;
	int held;
	cr_store_subject_key(f->st, person, &k);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	furnish(txn, &k, "B0001", 1, "甲一", 1);
	furnish(txn, &k, "L0002", 0, "冒名顶替", 1);
	furnish(txn, &k, "L0002", 0, "冒名顶替", 0); /* the same again: unchanged */
	assert_int_equal(cr_store_subject_get(txn, &k, &base), 0);
	assert_string_equal(base.name, "甲一");
	assert_string_equal(shown(txn, &k, 0, &held), "甲一");
	assert_int_equal(held, 0);
	assert_string_equal(shown(txn, &k, 1, &held), "甲一");
	assert_int_equal(held, 0);
	assert_int_equal(cr_store_commit(txn), 0);
	struct find fd = {"冒名顶替", 0};
	assert_int_equal(cr_store__walk_raw(f->st, look, &fd), 0);
	assert_false(fd.found);
}

static void a_person_known_from_held_data_only_shows_to_themself(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	cr_txn *txn;
	int held;
	cr_store_subject_key(f->st, person, &k);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	furnish(txn, &k, "L0002", 0, "冒名顶替", 1);
	assert_string_equal(shown(txn, &k, 0, &held), "");
	assert_string_equal(shown(txn, &k, 1, &held), "冒名顶替");
	assert_int_equal(held, 1);
	/* Its consent shows it, then releases it. */
	grant(txn, &k, "L0002");
	assert_string_equal(shown(txn, &k, 0, &held), "冒名顶替");
	assert_int_equal(held, 0);
	struct cr_subject base;
	assert_int_equal(cr_store_subject_get(txn, &k, &base), 0);
	assert_string_equal(base.name, "冒名顶替");
	cr_store_abort(txn);
}

/* Two held identities, released in either order: the newer stays. */
static void the_newest_released_identity_wins(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	cr_txn *txn;
	int held;
	cr_store_subject_key(f->st, person, &k);
	for (int order = 0; order < 2; order++) {
		assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
		furnish(txn, &k, "B0001", 1, "甲一", 1);
		furnish(txn, &k, "L0002", 0, "乙二", 1);
		furnish(txn, &k, "L0003", 0, "丙三", 1);
		grant(txn, &k, order ? "L0003" : "L0002");
		assert_string_equal(shown(txn, &k, 0, &held), order ? "丙三" : "乙二");
		grant(txn, &k, order ? "L0002" : "L0003");
		assert_string_equal(shown(txn, &k, 0, &held), "丙三");
		cr_store_abort(txn);
	}
}

/* A newer identity that shows drops the held ones: they are older. */
static void a_newer_identity_that_shows_outweighs_a_held_one(void **state)
{
	struct fixture *f = *state;
	struct cr_subject_key k;
	struct cr_subject s;
	uint64_t seq;
	cr_txn *txn;
	int held;
	cr_store_subject_key(f->st, person, &k);
	assert_int_equal(cr_store_begin(f->st, 1, &txn), 0);
	furnish(txn, &k, "B0001", 1, "甲一", 1);
	furnish(txn, &k, "L0002", 0, "乙二", 1);
	furnish(txn, &k, "B0001", 1, "甲一新", 1);
	assert_int_equal(cr_store_subject_held_get(txn, &k, "L0002", &s, &seq), CR_ENOTFOUND);
	grant(txn, &k, "L0002");
	assert_string_equal(shown(txn, &k, 0, &held), "甲一新");
	/* The same identity again drops nothing: it is not newer. */
	furnish(txn, &k, "L0003", 0, "丙三", 1);
	furnish(txn, &k, "B0001", 1, "甲一新", 0);
	assert_int_equal(cr_store_subject_held_get(txn, &k, "L0003", &s, &seq), 0);
	assert_string_equal(s.name, "丙三");
	cr_store_abort(txn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_held_identity_changes_nothing_and_is_sealed, setup, teardown),
		cmocka_unit_test_setup_teardown(a_person_known_from_held_data_only_shows_to_themself, setup, teardown),
		cmocka_unit_test_setup_teardown(the_newest_released_identity_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(a_newer_identity_that_shows_outweighs_a_held_one, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
