/*
 * test_gen.c - the synthetic data generator (src/gen).
 *
 * Runs the generator into memory and reads every line back with jansson.
 * An independent oracle (check_line) re-implements the furnishing contract:
 * each good line must pass it, and each line listed in the bad-line manifest
 * must fail it on exactly the field the manifest names.  The status-vs-dpd
 * rule is re-implemented here rather than taken from validate.c, so the test
 * does not depend on the validator it is meant to exercise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "cr_date.h"
#include "cr_err.h"
#include "cr_id.h"
#include "gen.h"

struct run {
	char *out;
	size_t out_len;
	char *bad;
	size_t bad_len;
	struct cr_gen_stats st;
	int rc;
};

static int32_t asof(void)
{
	return cr_days_from_civil(2025, 6, 30);
}

static void opts(struct cr_gen_opts *o, uint64_t subjects, uint64_t seed)
{
	cr_gen_opts_init(o);
	o->subjects = subjects;
	o->seed = seed;
	o->asof_days = asof();
}

static void run_gen(const struct cr_gen_opts *o, struct run *r)
{
	memset(r, 0, sizeof *r);
	FILE *f = open_memstream(&r->out, &r->out_len);
	FILE *m = open_memstream(&r->bad, &r->bad_len);
	assert_non_null(f);
	assert_non_null(m);
	r->rc = cr_gen_run(o, f, m, &r->st, NULL, NULL);
	fclose(f);
	fclose(m);
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->bad);
}

/* Calls fn on each line (without its newline) of buf[0..len). */
static size_t each_line(const char *buf, size_t len,
			void (*fn)(const char *line, size_t n, size_t no, void *arg),
			void *arg)
{
	size_t no = 0;
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		assert_non_null(nl);
		fn(p, (size_t)(nl - p), ++no, arg);
		p = nl + 1;
	}
	return no;
}

/* ---- The contract oracle. ---- */

#define MAX_ACCOUNTS 400000

struct oracle {
	char (*keys)[48]; /* "institution/account" of accepted accounts */
	int32_t *opened_month;
	size_t n_keys;
	int32_t asof_days;
	char **ids; /* distinct subject IDs seen on account lines, in order */
	size_t n_ids;
};

static long find_account(const struct oracle *o, const char *key)
{
	/* Accounts of one subject are close together: search backwards. */
	for (size_t i = o->n_keys; i-- > 0;)
		if (strcmp(o->keys[i], key) == 0)
			return (long)i;
	return -1;
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static int status_dpd_ok(char s, json_int_t dpd, json_int_t overdue_fen)
{
	if (s == 'N')
		return dpd == 0 && overdue_fen == 0;
	if (s >= '1' && s <= '6')
		return dpd >= 30 * (s - '0') - 29 && dpd <= 30 * (s - '0') && overdue_fen > 0;
	if (s == '7')
		return dpd >= 180 && overdue_fen > 0;
	return 1;
}

static const char *str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Returns the first key outside allowed or the first required key missing. */
static const char *shape(json_t *obj, const char *const *allowed,
			 const char *const *required)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		(void)v;
		if (!in_list(key, allowed))
			return key;
	}
	for (; *required; required++)
		if (!json_object_get(obj, *required))
			return *required;
	return NULL;
}

static const char *check_id(const char *id, int32_t asof_days)
{
	char norm[CR_ID_LEN + 1];
	int32_t birth;
	const char *why;
	if (!id || cr_id_validate(id, strlen(id), asof_days, norm, &birth, &why))
		return "id";
	return NULL;
}

static const char *check_date(json_t *obj, const char *key)
{
	const char *s = str(obj, key);
	int32_t d;
	return s && cr_date_parse(s, strlen(s), &d) == 0 ? NULL : key;
}

static const char *check_institution(json_t *obj)
{
	static const char *const allowed[] = {"type", "code", "name", "kind", NULL};
	static const char *const kinds[] = {"bank", "consumer_finance", "platform",
					    "microlender", NULL};
	const char *bad = shape(obj, allowed, allowed);
	if (bad)
		return bad;
	return in_list(str(obj, "kind"), kinds) ? NULL : "kind";
}

static const char *check_consent(struct oracle *o, json_t *obj)
{
	static const char *const allowed[] = {"type", "id", "institution", "scope",
		"purpose", "granted", "expires", "evidence", NULL};
	static const char *const required[] = {"type", "id", "institution", "scope",
		"granted", "expires", "evidence", NULL};
	const char *bad = shape(obj, allowed, required);
	if (bad)
		return bad;
	if ((bad = check_id(str(obj, "id"), o->asof_days)) != NULL)
		return bad;
	if ((bad = check_date(obj, "granted")) || (bad = check_date(obj, "expires")))
		return bad;
	int query = strcmp(str(obj, "scope"), "query") == 0;
	if (query != (json_object_get(obj, "purpose") != NULL))
		return "purpose";
	if (strlen(str(obj, "evidence")) != 71)
		return "evidence";
	return NULL;
}

static const char *check_colenders(json_t *arr)
{
	size_t i;
	json_t *c;
	json_int_t sum = 0;
	if (!json_is_array(arr) || json_array_size(arr) < 2)
		return "co_lenders";
	json_array_foreach(arr, i, c)
		sum += json_integer_value(json_object_get(c, "share_bp"));
	return sum == 10000 ? NULL : "co_lenders";
}

static const char *check_account(struct oracle *o, json_t *obj)
{
	static const char *const allowed[] = {"type", "institution", "account",
		"id_type", "id", "name", "phone", "address", "product", "opened",
		"status", "currency", "credit_limit", "principal", "term_months",
		"co_lenders", NULL};
	static const char *const required[] = {"type", "institution", "account",
		"id_type", "id", "name", "product", "opened", NULL};
	static const char *const products[] = {"revolving", "installment",
		"credit_card", "mortgage", NULL};
	static const char *const statuses[] = {"open", "closed", "charged_off",
		"transferred", NULL};
	const char *bad = shape(obj, allowed, required);
	if (bad)
		return bad;
	if ((bad = check_id(str(obj, "id"), o->asof_days)) || (bad = check_date(obj, "opened")))
		return bad;
	const char *product = str(obj, "product");
	if (!in_list(product, products))
		return "product";
	if (json_object_get(obj, "status") && !in_list(str(obj, "status"), statuses))
		return "status";
	int lined = strcmp(product, "revolving") == 0 || strcmp(product, "credit_card") == 0;
	json_t *amount = json_object_get(obj, lined ? "credit_limit" : "principal");
	if (!json_is_integer(amount) || json_integer_value(amount) <= 0)
		return lined ? "credit_limit" : "principal";
	if (!lined && json_integer_value(json_object_get(obj, "term_months")) <= 0)
		return "term_months";
	json_t *cl = json_object_get(obj, "co_lenders");
	if (cl && (bad = check_colenders(cl)))
		return bad;
	assert_true(o->n_keys < MAX_ACCOUNTS);
	char *key = o->keys[o->n_keys];
	snprintf(key, 48, "%s/%s", str(obj, "institution"), str(obj, "account"));
	assert_true(find_account(o, key) < 0); /* account numbers are unique */
	int32_t opened;
	cr_date_parse(str(obj, "opened"), 10, &opened);
	o->opened_month[o->n_keys++] = cr_month_of_date(opened);
	if (o->n_ids == 0 || strcmp(o->ids[o->n_ids - 1], str(obj, "id")) != 0)
		o->ids[o->n_ids++] = strdup(str(obj, "id"));
	return NULL;
}

static const char *check_statement(struct oracle *o, json_t *obj)
{
	static const char *const allowed[] = {"type", "institution", "account",
		"month", "balance", "due", "paid", "overdue", "dpd", "status", NULL};
	static const char *const amounts[] = {"balance", "due", "paid", "overdue",
					      "dpd", NULL};
	const char *bad = shape(obj, allowed, allowed);
	if (bad)
		return bad;
	for (const char *const *k = amounts; *k; k++) {
		json_t *v = json_object_get(obj, *k);
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return *k;
	}
	const char *ms = str(obj, "month");
	int32_t month;
	if (!ms || cr_month_parse(ms, strlen(ms), &month) ||
	    month > cr_month_of_date(o->asof_days))
		return "month";
	const char *status = str(obj, "status");
	if (!status || strlen(status) != 1 || !strchr("N1234567CGDZ*#", status[0]))
		return "status";
	if (!status_dpd_ok(status[0], json_integer_value(json_object_get(obj, "dpd")),
			   json_integer_value(json_object_get(obj, "overdue"))))
		return "status";
	char key[48];
	snprintf(key, sizeof key, "%s/%s", str(obj, "institution"), str(obj, "account"));
	long i = find_account(o, key);
	if (i < 0)
		return "account";
	assert_true(month >= o->opened_month[i]);
	return NULL;
}

/* Returns NULL for a line that honours the contract, else the field a
 * parser/validator/ingest would name ("" for unreadable JSON). */
static const char *check_line(struct oracle *o, const char *line, size_t n)
{
	json_error_t err;
	json_t *obj = json_loadb(line, n, JSON_REJECT_DUPLICATES, &err);
	if (!obj)
		return "";
	const char *type = str(obj, "type");
	const char *bad = "type";
	if (type && strcmp(type, "institution") == 0)
		bad = check_institution(obj);
	else if (type && strcmp(type, "consent") == 0)
		bad = check_consent(o, obj);
	else if (type && strcmp(type, "account") == 0)
		bad = check_account(o, obj);
	else if (type && strcmp(type, "statement") == 0)
		bad = check_statement(o, obj);
	/* The returned key may point into obj: copy it out before freeing. */
	static char field[64];
	if (bad) {
		snprintf(field, sizeof field, "%s", bad);
		bad = field;
	}
	json_decref(obj);
	return bad;
}

static void oracle_init(struct oracle *o)
{
	memset(o, 0, sizeof *o);
	o->keys = calloc(MAX_ACCOUNTS, sizeof *o->keys);
	o->opened_month = calloc(MAX_ACCOUNTS, sizeof *o->opened_month);
	o->ids = calloc(MAX_ACCOUNTS, sizeof *o->ids);
	o->asof_days = asof();
	assert_non_null(o->keys);
	assert_non_null(o->opened_month);
	assert_non_null(o->ids);
}

static void oracle_fini(struct oracle *o)
{
	for (size_t i = 0; i < o->n_ids; i++)
		free(o->ids[i]);
	free(o->ids);
	free(o->keys);
	free(o->opened_month);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- Tests. ---- */

static void test_deterministic(void **state)
{
	(void)state;
	struct cr_gen_opts o;
	struct run a, b, c;
	opts(&o, 300, 7);
	run_gen(&o, &a);
	run_gen(&o, &b);
	o.seed = 8;
	run_gen(&o, &c);
	assert_int_equal(a.rc, 0);
	assert_int_equal(c.rc, 0);
	assert_true(a.out_len > 0);
	assert_int_equal(a.out_len, b.out_len);
	assert_memory_equal(a.out, b.out, a.out_len);
	assert_true(a.out_len != c.out_len || memcmp(a.out, c.out, a.out_len) != 0);
	assert_int_equal(a.bad_len, 0);
	run_free(&a);
	run_free(&b);
	run_free(&c);
}

/* The latent risk file: one line per subject with its ID, the data the
 * same bytes as without it (bad lines included), and riskier grades with a
 * higher implied probability of default. */
static void test_risk_out(void **state)
{
	(void)state;
	struct cr_gen_opts o;
	struct run a, b;
	char *risk = NULL;
	size_t risk_len = 0;
	opts(&o, 500, 11);
	o.bad_rate = 0.01;
	run_gen(&o, &a);
	o.risk_out = open_memstream(&risk, &risk_len);
	assert_non_null(o.risk_out);
	run_gen(&o, &b);
	fclose(o.risk_out);
	assert_int_equal(b.rc, 0);
	assert_int_equal(a.out_len, b.out_len);
	assert_memory_equal(a.out, b.out, a.out_len);
	assert_int_equal(a.bad_len, b.bad_len);
	assert_memory_equal(a.bad, b.bad, a.bad_len);
	const char *p = risk;
	assert_true(strncmp(p, "id,latent_risk,grade\n", 21) == 0);
	p += 21;
	double pd_of[4] = {-1, -1, -1, -1};
	size_t n = 0;
	while (*p) {
		char id[CR_ID_LEN + 1], needle[40];
		double pd;
		unsigned grade;
		assert_int_equal(sscanf(p, "%18[0-9X],%lf,%u\n", id, &pd, &grade), 3);
		assert_true(grade < 4 && pd > 0 && pd < 1);
		assert_true(pd_of[grade] < 0 || pd_of[grade] == pd);
		pd_of[grade] = pd;
		snprintf(needle, sizeof needle, "\"id\":\"%s\"", id);
		assert_non_null(strstr(b.out, needle)); /* a generated person */
		n++;
		p = strchr(p, '\n') + 1;
	}
	assert_int_equal(n, 500);
	for (int g = 1; g < 4; g++)
		assert_true(pd_of[g] < 0 || pd_of[g - 1] < 0 || pd_of[g] > pd_of[g - 1]);
	free(risk);
	run_free(&a);
	run_free(&b);
}

struct good_ctx {
	struct oracle o;
	size_t statements, consents;
};

static void good_line(const char *line, size_t n, size_t no, void *arg)
{
	struct good_ctx *g = arg;
	const char *bad = check_line(&g->o, line, n);
	if (bad)
		fail_msg("line %zu breaks the contract at \"%s\": %.*s", no, bad,
			 (int)n, line);
	g->statements += memcmp(line, "{\"type\":\"statement\"", 19) == 0;
	g->consents += memcmp(line, "{\"type\":\"consent\"", 17) == 0;
}

/* Every line of a clean run honours the contract: valid IDs, status against
 * dpd, months, co-lender shares, no duplicate accounts; IDs are unique. */
static void test_clean_run_is_valid(void **state)
{
	(void)state;
	struct cr_gen_opts o;
	struct run r;
	opts(&o, 1500, 3);
	o.months = 72;
	run_gen(&o, &r);
	assert_int_equal(r.rc, 0);
	struct good_ctx g;
	memset(&g, 0, sizeof g);
	oracle_init(&g.o);
	size_t lines = each_line(r.out, r.out_len, good_line, &g);
	assert_int_equal(lines, r.st.lines);
	assert_int_equal(r.st.institutions, 40);
	assert_int_equal(r.st.subjects, 1500);
	assert_int_equal(g.o.n_keys, r.st.accounts);
	assert_int_equal(g.statements, r.st.statements);
	assert_int_equal(g.consents, r.st.consents);
	/* Each subject's accounts are contiguous, so one ID per subject. */
	assert_int_equal(g.o.n_ids, 1500);
	qsort(g.o.ids, g.o.n_ids, sizeof *g.o.ids, cmp_str);
	for (size_t i = 1; i < g.o.n_ids; i++)
		assert_true(strcmp(g.o.ids[i - 1], g.o.ids[i]) != 0);
	oracle_fini(&g.o);
	run_free(&r);
}

struct consent_ctx {
	char last_id[CR_ID_LEN + 1];
	size_t subjects_with_consent;
};

static void consent_line(const char *line, size_t n, size_t no, void *arg)
{
	struct consent_ctx *c = arg;
	(void)no;
	static const char prefix[] = "{\"type\":\"consent\",\"id\":\"";
	if (n < sizeof prefix + CR_ID_LEN || memcmp(line, prefix, sizeof prefix - 1) != 0)
		return;
	if (!memmem(line, n, "\"scope\":\"furnish\"", 17))
		return;
	const char *id = line + sizeof prefix - 1;
	if (memcmp(id, c->last_id, CR_ID_LEN) != 0) {
		memcpy(c->last_id, id, CR_ID_LEN);
		c->subjects_with_consent++;
	}
}

static size_t consenting_subjects(double rate)
{
	struct cr_gen_opts o;
	struct run r;
	opts(&o, 2000, 11);
	o.months = 12;
	o.consent_rate = rate;
	run_gen(&o, &r);
	assert_int_equal(r.rc, 0);
	struct consent_ctx c;
	memset(&c, 0, sizeof c);
	each_line(r.out, r.out_len, consent_line, &c);
	run_free(&r);
	return c.subjects_with_consent;
}

static void test_consent_rate(void **state)
{
	(void)state;
	assert_int_equal(consenting_subjects(0.0), 0);
	assert_int_equal(consenting_subjects(1.0), 2000);
	size_t half = consenting_subjects(0.5);
	assert_true(half > 900 && half < 1100);
	size_t some = consenting_subjects(0.2);
	assert_true(some > 320 && some < 480);
}

struct bad_ctx {
	struct oracle o;
	char *manifest_field[1 << 20]; /* by line number; NULL for good lines */
	size_t flagged;
};

/* A reader that ignores the manifest and keeps the first account line and
 * the last statement line per key (as tests/e2e does) must not be misled: a
 * bad account line repeats a known account, a bad statement names none. */
static void check_naive_reader(const struct oracle *o, const char *line, size_t n)
{
	json_error_t err;
	json_t *obj = json_loadb(line, n, 0, &err);
	if (!obj)
		return;
	const char *type = str(obj, "type");
	const char *inst = str(obj, "institution");
	const char *acct = str(obj, "account");
	char key[48];
	snprintf(key, sizeof key, "%s/%s", inst ? inst : "", acct ? acct : "");
	if (type && strcmp(type, "account") == 0)
		assert_true(find_account(o, key) >= 0);
	if (type && strcmp(type, "statement") == 0)
		assert_true(find_account(o, key) < 0);
	json_decref(obj);
}

static void bad_check_line(const char *line, size_t n, size_t no, void *arg)
{
	struct bad_ctx *b = arg;
	assert_true(no < (1u << 20));
	const char *want = b->manifest_field[no];
	if (want)
		check_naive_reader(&b->o, line, n);
	const char *got = check_line(&b->o, line, n);
	if (!want && got)
		fail_msg("line %zu is not in the manifest but breaks \"%s\": %.*s",
			 no, got, (int)n, line);
	if (want && (!got || strcmp(want, got) != 0))
		fail_msg("line %zu: manifest says \"%s\", oracle says \"%s\": %.*s",
			 no, want, got ? got : "(valid)", (int)n, line);
	b->flagged += want != NULL;
}

static const char *const all_rules[] = {"invalid_json", "invalid_utf8",
	"float_amount", "negative_amount", "unknown_field", "bad_product",
	"bad_kind", "bad_status", "id_check_char", "id_birth_date", "bad_date",
	"bad_month", "month_after_asof", "status_dpd", "colender_shares",
	"unknown_account", "unknown_type", "missing_field", NULL};

/* Reads the manifest into b->manifest_field and counts each rule. */
static size_t read_manifest(const struct run *r, struct bad_ctx *b, size_t *seen)
{
	json_error_t err;
	size_t n = 0;
	const char *p = r->bad, *end = r->bad + r->bad_len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		assert_non_null(nl);
		json_t *m = json_loadb(p, (size_t)(nl - p), 0, &err);
		assert_non_null(m);
		json_int_t line = json_integer_value(json_object_get(m, "line"));
		assert_true(line > 0 && line < (1 << 20));
		b->manifest_field[line] = strdup(str(m, "field"));
		for (size_t i = 0; all_rules[i]; i++)
			if (strcmp(all_rules[i], str(m, "rule")) == 0)
				seen[i]++;
		json_decref(m);
		n++;
		p = nl + 1;
	}
	return n;
}

/* Strips the manifest's lines from out: what is left must be the clean run. */
static void strip_bad(const struct run *r, const struct bad_ctx *b,
		      char **clean, size_t *clean_len)
{
	FILE *f = open_memstream(clean, clean_len);
	const char *p = r->out, *end = r->out + r->out_len;
	for (size_t no = 1; p < end; no++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!b->manifest_field[no])
			fwrite(p, 1, (size_t)(nl - p) + 1, f);
		p = nl + 1;
	}
	fclose(f);
}

static void test_bad_lines(void **state)
{
	(void)state;
	struct cr_gen_opts o;
	struct run r, clean;
	opts(&o, 600, 5);
	o.bad_rate = 0.01;
	run_gen(&o, &r);
	assert_int_equal(r.rc, 0);
	struct bad_ctx *b = calloc(1, sizeof *b);
	assert_non_null(b);
	size_t seen[32] = {0};
	assert_int_equal(read_manifest(&r, b, seen), r.st.bad);
	assert_true(r.st.bad > 3 * 18);
	for (size_t i = 0; all_rules[i]; i++)
		if (seen[i] == 0)
			fail_msg("rule %s never appears", all_rules[i]);
	oracle_init(&b->o);
	each_line(r.out, r.out_len, bad_check_line, b);
	assert_int_equal(b->flagged, r.st.bad);

	/* The bad lines come in addition to the good ones, which are the same
	 * bytes as a run without bad lines. */
	o.bad_rate = 0.0;
	run_gen(&o, &clean);
	assert_int_equal(clean.bad_len, 0);
	assert_int_equal(clean.st.lines + r.st.bad, r.st.lines);
	char *stripped;
	size_t stripped_len;
	strip_bad(&r, b, &stripped, &stripped_len);
	assert_int_equal(stripped_len, clean.out_len);
	assert_memory_equal(stripped, clean.out, clean.out_len);
	free(stripped);
	for (size_t i = 0; i < (1u << 20); i++)
		free(b->manifest_field[i]);
	oracle_fini(&b->o);
	free(b);
	run_free(&r);
	run_free(&clean);
}

static void test_options(void **state)
{
	(void)state;
	struct cr_gen_opts o;
	struct run r;
	opts(&o, 1, 1);
	o.months = 0;
	run_gen(&o, &r);
	assert_int_equal(r.rc, CR_EINVAL);
	assert_int_equal(r.out_len, 0);
	run_free(&r);
	opts(&o, 1, 1);
	o.bad_rate = 1.5;
	run_gen(&o, &r);
	assert_int_equal(r.rc, CR_EINVAL);
	run_free(&r);
	opts(&o, 1, 1);
	o.consent_rate = -0.1;
	run_gen(&o, &r);
	assert_int_equal(r.rc, CR_EINVAL);
	run_free(&r);

	/* Institutions are clamped to 4..200, at least one of each kind. */
	opts(&o, 0, 1);
	o.institutions = 1;
	run_gen(&o, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.st.institutions, 4);
	assert_int_equal(r.st.lines, 4);
	assert_non_null(strstr(r.out, "\"kind\":\"microlender\""));
	run_free(&r);
	opts(&o, 0, 1);
	o.institutions = 5000;
	run_gen(&o, &r);
	assert_int_equal(r.st.institutions, 200);
	run_free(&r);

	/* One month of history: every statement is in the as-of month. */
	opts(&o, 50, 2);
	o.months = 1;
	run_gen(&o, &r);
	assert_int_equal(r.rc, 0);
	assert_true(r.st.statements > 0);
	assert_null(strstr(r.out, "\"month\":\"2025-05\""));
	run_free(&r);
}

static void count_progress(uint64_t lines, void *arg)
{
	uint64_t *calls = arg;
	assert_true(lines >= 1000000 * (*calls + 1));
	(*calls)++;
}

static void test_progress(void **state)
{
	(void)state;
	struct cr_gen_opts o;
	struct cr_gen_stats st;
	uint64_t calls = 0;
	opts(&o, 14000, 1);
	FILE *f = fopen("/dev/null", "w");
	assert_non_null(f);
	assert_int_equal(cr_gen_run(&o, f, NULL, &st, count_progress, &calls), 0);
	fclose(f);
	assert_int_equal(calls, st.lines / 1000000);
	assert_true(calls >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_risk_out),
		cmocka_unit_test(test_clean_run_is_valid),
		cmocka_unit_test(test_consent_rate),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_progress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
