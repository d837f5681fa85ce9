/*
 * gen_bad.c - deliberately invalid lines, for testing that ingest reports
 * every rejected record with the right field and loses nothing else.
 *
 * After each good line, with probability --bad-rate, the generator writes one
 * extra bad line (the good line is always written too, so the good data set
 * is complete whatever the bad rate).  Bad lines cycle through the rules in
 * the table below in order, so a run with at least as many bad lines as rules
 * breaks every rule.  Each bad line is a corrupted copy of the last account
 * or statement written (or a made-up institution) with exactly one defect,
 * and is built so that a reader which ignores the manifest and keeps the
 * first account line and the last statement line per key still sees the
 * good data:
 *
 *   - Account copies keep the account's key and come after the good account
 *     line, so the first account line for a key is always the good one.
 *   - Statement copies name an account number that is never furnished (the
 *     original plus "X"), so they cannot stand in for a real month.  Parsing
 *     and validation run before ingest looks the account up (ingest.c), so
 *     the diagnostic still names the defect, not the account; only the
 *     unknown-account rule relies on the lookup itself.
 *
 * Bad lines use their own PRNG stream, so the good lines of a run are the
 * same bytes whatever the bad rate.  The manifest names the field the
 * diagnostic should carry: the JSON key, the unknown or missing key itself,
 * or "" when the line as a whole is unreadable (JSON syntax, UTF-8).
 */
#include "gen_int.h"

#include "cr_err.h"
#include "cr_id.h"

enum rule {
	R_JSON,
	R_UTF8,
	R_FLOAT,
	R_NEGATIVE,
	R_UNKNOWN_FIELD,
	R_PRODUCT,
	R_KIND,
	R_STATUS,
	R_ID_CHECK,
	R_ID_BIRTH,
	R_DATE,
	R_MONTH,
	R_MONTH_FUTURE,
	R_STATUS_DPD,
	R_SHARES,
	R_UNKNOWN_ACCOUNT,
	R_UNKNOWN_TYPE,
	R_MISSING,
	R_COUNT
};

static const char *const rule_names[R_COUNT] = {
	[R_JSON] = "invalid_json",
	[R_UTF8] = "invalid_utf8",
	[R_FLOAT] = "float_amount",
	[R_NEGATIVE] = "negative_amount",
	[R_UNKNOWN_FIELD] = "unknown_field",
	[R_PRODUCT] = "bad_product",
	[R_KIND] = "bad_kind",
	[R_STATUS] = "bad_status",
	[R_ID_CHECK] = "id_check_char",
	[R_ID_BIRTH] = "id_birth_date",
	[R_DATE] = "bad_date",
	[R_MONTH] = "bad_month",
	[R_MONTH_FUTURE] = "month_after_asof",
	[R_STATUS_DPD] = "status_dpd",
	[R_SHARES] = "colender_shares",
	[R_UNKNOWN_ACCOUNT] = "unknown_account",
	[R_UNKNOWN_TYPE] = "unknown_type",
	[R_MISSING] = "missing_field",
};

/* Finds the value of "key" in l as [*start, *end); the generated lines have
 * string values without quotes inside, plain integers and one flat array. */
static void find_value(const struct cr_gen_line *l, const char *key,
		       size_t *start /* OUT */, size_t *end /* OUT */)
{
	char pat[40];
	int n = snprintf(pat, sizeof pat, "\"%s\":", key);
	CR_ASSERT(n > 0 && (size_t)n < sizeof pat);
	const char *p = memmem(l->buf, l->len, pat, (size_t)n);
	CR_ASSERT(p != NULL);
	size_t i = (size_t)(p - l->buf) + (size_t)n;
	size_t j = i + 1;
	if (l->buf[i] == '"' || l->buf[i] == '[') {
		char close = l->buf[i] == '"' ? '"' : ']';
		while (l->buf[j] != close)
			j++;
		j++;
	} else {
		while (l->buf[j] != ',' && l->buf[j] != '}')
			j++;
	}
	*start = i;
	*end = j;
}

/* Replaces bytes [start, end) of l with s[0..n). */
static void splice(struct cr_gen_line *l, size_t start, size_t end,
		   const char *s, size_t n)
{
	CR_ASSERT(start <= end && end <= l->len);
	CR_ASSERT(l->len - (end - start) + n < sizeof l->buf);
	memmove(l->buf + start + n, l->buf + end, l->len - end);
	memcpy(l->buf + start, s, n);
	l->len = l->len - (end - start) + n;
}

static void replace_value(struct cr_gen_line *l, const char *key, const char *s)
{
	size_t start, end;
	find_value(l, key, &start, &end);
	splice(l, start, end, s, strlen(s));
}

/* Removes ,"key":value (key is never the first member). */
static void remove_member(struct cr_gen_line *l, const char *key)
{
	size_t start, end;
	find_value(l, key, &start, &end);
	start -= strlen(key) + 4; /* the comma, the quotes and the colon */
	CR_ASSERT(l->buf[start] == ',');
	splice(l, start, end, "", 0);
}

/* Appends s right after the digits of key's integer value. */
static void append_to_value(struct cr_gen_line *l, const char *key, const char *s)
{
	size_t start, end;
	find_value(l, key, &start, &end);
	splice(l, end, end, s, strlen(s));
}

/* Replaces a date or month value with its own year followed by suffix, so
 * the value keeps its shape and only the calendar is wrong. */
static void replace_keep_year(struct cr_gen_line *l, const char *key,
			      const char *suffix)
{
	size_t start, end;
	char text[24];
	find_value(l, key, &start, &end);
	snprintf(text, sizeof text, "\"%.4s%s\"", l->buf + start + 1, suffix);
	splice(l, start, end, text, strlen(text));
}

static const char *bad_account(struct cr_gen *g, enum rule rule, uint64_t round)
{
	static const char *const unknown_keys[2] = {"religion", "nickname"};
	static const char id_chars[] = "0123456789X0";
	struct cr_gen_line *l = &g->line;
	struct cr_account a = g->last_acct;
	char text[64];
	if (rule == R_ID_CHECK) {
		a.id[17] = *(strchr(id_chars, a.id[17]) + 1);
	} else if (rule == R_ID_BIRTH) {
		a.id[10] = '1'; /* month 13 */
		a.id[11] = '3';
		a.id[17] = cr_id_check_char(a.id);
	} else if (rule == R_SHARES) {
		a.n_colenders = 2;
		memcpy(a.colenders[0].inst, a.inst, sizeof a.inst);
		a.colenders[0].share_bp = 6000;
		memcpy(a.colenders[1].inst, g->insts[0].rec.code, sizeof a.inst);
		if (strcmp(a.inst, g->insts[0].rec.code) == 0)
			memcpy(a.colenders[1].inst, g->insts[1].rec.code, sizeof a.inst);
		a.colenders[1].share_bp = 3000;
	}
	cr_gen__render_account(l, &a);
	switch (rule) {
	case R_UTF8:
		/* The name in GBK, the classic mis-encoded furnisher file. */
		replace_value(l, "name", "\"\xd5\xc5\xc8\xfd\"");
		return "";
	case R_UNKNOWN_FIELD:
		snprintf(text, sizeof text, ",\"%s\":\"x\"}", unknown_keys[round % 2]);
		splice(l, l->len - 1, l->len, text, strlen(text));
		return unknown_keys[round % 2];
	case R_PRODUCT:
		replace_value(l, "product", "\"payday\"");
		return "product";
	case R_DATE:
		replace_keep_year(l, "opened", "-02-30");
		return "opened";
	case R_SHARES:
		return "co_lenders";
	default:
		return "id";
	}
}

static const char *bad_statement(struct cr_gen *g, enum rule rule, uint64_t round)
{
	static const char *const required[2] = {"month", "institution"};
	struct cr_gen_line *l = &g->line;
	struct cr_statement s = g->last_stmt;
	char text[48];
	size_t n = strlen(s.account);
	CR_ASSERT(n + 1 < sizeof s.account);
	s.account[n] = 'X';
	s.account[n + 1] = '\0';
	if (rule == R_MONTH_FUTURE)
		s.month = g->asof_month + 1 + (int32_t)cr_gen__below(&g->rng_bad, 3);
	if (rule == R_STATUS_DPD) {
		s.status = 'N';
		s.dpd = cr_gen__range(&g->rng_bad, 31, 89);
		s.overdue = 0;
	}
	if (rule == R_UNKNOWN_ACCOUNT)
		snprintf(s.account, sizeof s.account, "ZZ-%llu",
			 (unsigned long long)g->bad_seq);
	cr_gen__render_stmt(l, &s);
	switch (rule) {
	case R_JSON:
		l->len--; /* the closing brace */
		return "";
	case R_FLOAT:
		append_to_value(l, "balance", ".5");
		return "balance";
	case R_NEGATIVE:
		snprintf(text, sizeof text, "-%lld", (long long)(s.paid ? s.paid : 100));
		replace_value(l, "paid", text);
		return "paid";
	case R_STATUS:
		replace_value(l, "status", "\"X\"");
		return "status";
	case R_MONTH:
		replace_keep_year(l, "month", "-13");
		return "month";
	case R_UNKNOWN_TYPE:
		replace_value(l, "type", "\"repayment_plan\"");
		return "type";
	case R_MISSING:
		remove_member(l, required[round % 2]);
		return required[round % 2];
	case R_UNKNOWN_ACCOUNT:
		return "account";
	case R_MONTH_FUTURE:
		return "month";
	default:
		return "status";
	}
}

static const char *bad_institution(struct cr_gen *g, uint64_t round)
{
	struct cr_institution in;
	memset(&in, 0, sizeof in);
	snprintf(in.code, sizeof in.code, "Q%04u", (unsigned)(round % 10000));
	cr_gen__inst_name(CR_KIND_BANK, (uint32_t)(round % 200), in.name, sizeof in.name);
	in.kind = CR_KIND_BANK;
	cr_gen__render_inst(&g->line, &in);
	replace_value(&g->line, "kind", "\"pawnshop\"");
	return "kind";
}

static void write_manifest(struct cr_gen *g, uint64_t line, const char *field,
			   const char *rule)
{
	if (!g->manifest)
		return;
	if (fprintf(g->manifest, "{\"line\":%llu,\"field\":\"%s\",\"rule\":\"%s\"}\n",
		    (unsigned long long)line, field, rule) < 0)
		g->rc = CR_EIO;
}

void cr_gen__maybe_bad(struct cr_gen *g)
{
	if (!g->have_acct || !g->have_stmt || g->o->bad_rate <= 0.0)
		return;
	if (!cr_gen__chance(&g->rng_bad, g->o->bad_rate))
		return;
	enum rule rule = (enum rule)(g->bad_seq % R_COUNT);
	uint64_t round = g->bad_seq / R_COUNT;
	const char *field;
	switch (rule) {
	case R_UTF8:
	case R_UNKNOWN_FIELD:
	case R_PRODUCT:
	case R_ID_CHECK:
	case R_ID_BIRTH:
	case R_DATE:
	case R_SHARES:
		field = bad_account(g, rule, round);
		break;
	case R_KIND:
		field = bad_institution(g, round);
		break;
	default:
		field = bad_statement(g, rule, round);
		break;
	}
	g->bad_seq++;
	g->st->bad++;
	write_manifest(g, g->st->lines + 1, field, rule_names[rule]);
	cr_gen__emit(g, 0);
}
