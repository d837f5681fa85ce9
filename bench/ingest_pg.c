/*
 * ingest_pg.c - the PostgreSQL peer of "creditref ingest" for bench/run.sh.
 *
 * Like bench/ingest_sqlite.c, it reads the generated JSON Lines file (mmap),
 * parses and validates every line with the very same cr_jsonl_parse() and
 * cr_validate_record() as creditref, and stores the records in tables
 * equivalent to the SQLite peer's (institution, subject, account, statement,
 * consent; subjects keyed by a 16-byte keyed BLAKE2b hash of the ID), with
 * the same rules, so the comparison is storage engine against storage engine.
 *
 * How: PostgreSQL's fast path for bulk data is COPY, and a row-at-a-time
 * INSERT per line would measure round trips, not the engine.  So each batch
 * of lines (one transaction, committed durably) goes in three steps:
 *
 *   1. COPY: every record is written, in COPY text format, to a temporary
 *      staging table of its type with its line number (temporary tables are
 *      not WAL-logged).  Statements, nearly all the lines, are streamed to
 *      the server while the file is parsed, so the client parses and the
 *      server takes rows at the same time; the few other records are kept
 *      in memory and copied at the end of the batch.
 *   2. Apply, set-based, in the order SQLite's peer applies lines one by
 *      one, with the line numbers deciding whatever order decides there:
 *      institutions (upsert; a record's institution counts as known from
 *      the first line that furnished it), accounts (institution and
 *      co-lenders known at the line; the subject upserted; refused when the
 *      account belongs to another person; the last accepted line of an
 *      account wins), statements (the account found by (institution,
 *      account number) through the unique index, as existing at the line,
 *      and the month not before the account's opening month as of that line;
 *      the last line of a repeated month wins; rows of accounts created in
 *      this batch go in with a plain INSERT, as they cannot be stored yet,
 *      the others with INSERT ... ON CONFLICT (account_id, month) DO
 *      UPDATE), consents (institution known).
 *   3. COMMIT, durable: the server's defaults (fsync, synchronous_commit and
 *      full_page_writes on) are checked at start and required.
 *
 * What it leaves out, as SQLite's peer does: furnish-consent checks, held
 * counts, the "unchanged" classification, and events (rejected).
 *
 * Usage: ingest_pg CONNINFO JSONL_FILE AS_OF_DATE [BATCH_LINES]
 *   CONNINFO is a libpq connection string naming an empty database ("" uses
 *   $PG_CONNINFO, which bench/pg.sh sets); BATCH_LINES is 65536..1048576,
 *   default CR_BATCH_RECORDS.
 * Output: one line
 *   postgres: records=N seconds=S records_per_s=R db_bytes=B statements=M
 *             bytes_per_account_month=X ...
 */
#include <fcntl.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "cr_limits.h"
#include "cr_record.h"
#include "jsonl.h"
#include "validate.h"

#define PSEUDOKEY_LEN 32
#define KEY_LEN 16
#define BATCH_MIN 65536
#define BATCH_MAX 1048576
/* Longest COPY row we write: an account with every text field at its limit,
 * each byte escaped, sixteen co-lenders, and the numbers. */
#define ROW_MAX 8192
/* Statement rows are handed to libpq once this many bytes are pending. */
#define SEND_BYTES (1u << 20)
/* A staging buffer never grows past this: a batch of 1 Mi account lines at
 * ROW_MAX is far below it. */
#define CBUF_MAX (1ull << 33)

_Static_assert(2 * (CR_INST_CODE_MAX + CR_ACCOUNT_MAX + CR_ID_LEN + CR_NAME_MAX +
		    CR_PHONE_MAX + CR_ADDRESS_MAX + CR_EVIDENCE_MAX) +
		       CR_COLENDERS_MAX * (CR_INST_CODE_MAX + 3) + 1024 < ROW_MAX,
	       "a COPY row must fit in ROW_MAX");

static const char *const schema_sql =
	"CREATE TABLE institution(code text PRIMARY KEY, name text, kind text);"
	"CREATE TABLE subject(subject_key bytea PRIMARY KEY, id text, name text,"
	" birth integer, phone text, address text);"
	"CREATE TABLE account(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
	" inst text, account_no text, subject_key bytea, product text, status text,"
	" opened integer, credit_limit bigint, principal bigint, term integer,"
	" currency text, UNIQUE(inst, account_no));"
	"CREATE INDEX account_subject ON account(subject_key);"
	"CREATE TABLE statement(account_id bigint, month integer, balance bigint,"
	" due bigint, paid bigint, overdue bigint, dpd integer, status text,"
	" PRIMARY KEY(account_id, month));"
	"CREATE TABLE consent(subject_key bytea, inst text, scope text, purpose text,"
	" granted integer, expires integer, revoked integer, evidence text);"
	"CREATE INDEX consent_subject ON consent(subject_key);"
	/* cr_month_of_date(): year * 12 + month - 1 of days since 1970-01-01. */
	"CREATE FUNCTION cr_month(days integer) RETURNS integer LANGUAGE sql"
	" IMMUTABLE PARALLEL SAFE RETURN (extract(year FROM date '1970-01-01' + days)"
	" * 12 + extract(month FROM date '1970-01-01' + days) - 1)::integer;";

/* The staging tables (s_*) and the batch's working tables (b_*): temporary,
 * so not WAL-logged, and emptied by every commit. */
static const char *const staging_sql =
	"CREATE TEMP TABLE s_inst(line bigint, code text, name text, kind text)"
	" ON COMMIT DELETE ROWS;"
	"CREATE TEMP TABLE s_acct(line bigint, inst text, account_no text,"
	" colenders text[], subject_key bytea, id text, name text, birth integer,"
	" phone text, address text, product text, status text, opened integer,"
	" credit_limit bigint, principal bigint, term integer, currency text)"
	" ON COMMIT DELETE ROWS;"
	"CREATE TEMP TABLE s_stmt(line bigint, inst text, account_no text,"
	" month integer, balance bigint, due bigint, paid bigint, overdue bigint,"
	" dpd integer, status text) ON COMMIT DELETE ROWS;"
	"CREATE TEMP TABLE s_cons(line bigint, subject_key bytea, inst text,"
	" scope text, purpose text, granted integer, expires integer,"
	" revoked integer, evidence text) ON COMMIT DELETE ROWS;"
	"CREATE TEMP TABLE b_known(code text PRIMARY KEY, since bigint)"
	" ON COMMIT DELETE ROWS;"
	"CREATE TEMP TABLE b_acct (LIKE s_acct) ON COMMIT DELETE ROWS;"
	"CREATE TEMP TABLE b_owner(inst text, account_no text, subject_key bytea,"
	" existed boolean, pre_opened integer, PRIMARY KEY(inst, account_no))"
	" ON COMMIT DELETE ROWS;"
	"CREATE TEMP TABLE b_touch(inst text, account_no text, since bigint,"
	" opened_month integer, pre_month integer, PRIMARY KEY(inst, account_no))"
	" ON COMMIT DELETE ROWS;";

/* The apply steps of a batch, in order (the file comment, step 2). */
enum { A_KNOWN_OLD, A_KNOWN_NEW, A_INST, A_ACCT_OK, A_SUBJ, A_OWNER,
       A_FOREIGN, A_ACCT, A_TOUCH, A_STMT, A_CONSENT, A_COUNT };

static const struct { const char *name, *sql; } apply_sql[A_COUNT] = {
	/* An institution is known from line 0 if stored before this batch,
	 * else from the first line of the batch that furnished it. */
	[A_KNOWN_OLD] = {"known institutions",
		"INSERT INTO b_known SELECT code, 0 FROM institution"},
	[A_KNOWN_NEW] = {"new institutions",
		"INSERT INTO b_known SELECT code, min(line) FROM s_inst GROUP BY code"
		" ON CONFLICT (code) DO NOTHING"},
	[A_INST] = {"institution upsert",
		"INSERT INTO institution SELECT DISTINCT ON (code) code, name, kind"
		" FROM s_inst ORDER BY code, line DESC"
		" ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
		" kind = excluded.kind"},
	[A_ACCT_OK] = {"account institutions",
		"INSERT INTO b_acct SELECT a.* FROM s_acct a"
		" WHERE (SELECT k.since FROM b_known k WHERE k.code = a.inst) < a.line"
		" AND NOT EXISTS (SELECT 1 FROM unnest(a.colenders) AS c(code)"
		"  WHERE coalesce((SELECT k.since FROM b_known k WHERE k.code = c.code),"
		"  a.line) >= a.line)"},
	/* As in SQLite's peer, the subject is upserted before the account's
	 * owner is checked, so a refused account line still updates it. */
	[A_SUBJ] = {"subject upsert",
		"INSERT INTO subject SELECT DISTINCT ON (subject_key) subject_key, id,"
		" name, birth, phone, address FROM b_acct ORDER BY subject_key, line DESC"
		" ON CONFLICT (subject_key) DO UPDATE SET id = excluded.id,"
		" name = excluded.name, birth = excluded.birth, phone = excluded.phone,"
		" address = excluded.address"},
	/* An account's owner: the stored one, else its first line's person. */
	[A_OWNER] = {"account owners",
		"INSERT INTO b_owner SELECT DISTINCT ON (b.inst, b.account_no) b.inst,"
		" b.account_no, coalesce(a.subject_key, b.subject_key), a.id IS NOT NULL,"
		" a.opened FROM b_acct b LEFT JOIN account a"
		" ON a.inst = b.inst AND a.account_no = b.account_no"
		" ORDER BY b.inst, b.account_no, b.line"},
	[A_FOREIGN] = {"another person's accounts",
		"DELETE FROM b_acct b USING b_owner o WHERE o.inst = b.inst"
		" AND o.account_no = b.account_no AND o.subject_key <> b.subject_key"},
	[A_ACCT] = {"account upsert",
		"INSERT INTO account(inst, account_no, subject_key, product, status,"
		" opened, credit_limit, principal, term, currency)"
		" SELECT DISTINCT ON (inst, account_no) inst, account_no, subject_key,"
		" product, status, opened, credit_limit, principal, term, currency"
		" FROM b_acct ORDER BY inst, account_no, line DESC"
		" ON CONFLICT (inst, account_no) DO UPDATE SET product = excluded.product,"
		" status = excluded.status, opened = excluded.opened,"
		" credit_limit = excluded.credit_limit, principal = excluded.principal,"
		" term = excluded.term, currency = excluded.currency"
		" WHERE account.subject_key = excluded.subject_key"},
	/* Accounts furnished in this batch: the line they exist from, and their
	 * opening month when it is the same all through the batch (else NULL,
	 * and each statement looks up the account line before it). */
	[A_TOUCH] = {"accounts of the batch",
		"INSERT INTO b_touch SELECT b.inst, b.account_no,"
		" CASE WHEN o.existed THEN 0 ELSE min(b.line) END,"
		" CASE WHEN count(DISTINCT cr_month(b.opened)) = 1 AND (NOT o.existed"
		"  OR min(cr_month(b.opened)) = cr_month(o.pre_opened))"
		"  THEN min(cr_month(b.opened)) END, cr_month(o.pre_opened)"
		" FROM b_acct b JOIN b_owner o USING (inst, account_no)"
		" GROUP BY b.inst, b.account_no, o.existed, o.pre_opened"},
	/* Valid statement lines (v), the last line of each (account, month)
	 * (d).  An account new in this batch has no stored statement, so its
	 * rows go in with a plain INSERT; only accounts stored before the batch
	 * pay for ON CONFLICT's speculative insertion, about three times the
	 * cost of an INSERT. */
	[A_STMT] = {"statement upsert",
		"WITH v AS (SELECT s.line, a.id AS account_id, s.month, s.balance,"
		"  s.due, s.paid, s.overdue, s.dpd, s.status,"
		"  coalesce(t.since, 0) > 0 AS fresh FROM s_stmt s"
		"  JOIN account a ON a.inst = s.inst AND a.account_no = s.account_no"
		"  LEFT JOIN b_touch t ON t.inst = s.inst AND t.account_no = s.account_no"
		"  WHERE coalesce(t.since, 0) < s.line AND s.month >= CASE"
		"  WHEN t.inst IS NULL THEN cr_month(a.opened)"
		"  WHEN t.opened_month IS NOT NULL THEN t.opened_month"
		"  ELSE coalesce((SELECT cr_month(x.opened) FROM b_acct x"
		"   WHERE x.inst = s.inst AND x.account_no = s.account_no"
		"   AND x.line < s.line ORDER BY x.line DESC LIMIT 1), t.pre_month) END),"
		" d AS (SELECT DISTINCT ON (account_id, month) * FROM v"
		"  ORDER BY account_id, month, line DESC),"
		" ins_new AS (INSERT INTO statement SELECT account_id, month, balance,"
		"  due, paid, overdue, dpd, status FROM d WHERE fresh RETURNING 1),"
		" ins_old AS (INSERT INTO statement SELECT account_id, month, balance,"
		"  due, paid, overdue, dpd, status FROM d WHERE NOT fresh"
		"  ON CONFLICT (account_id, month) DO UPDATE SET balance = excluded.balance,"
		"  due = excluded.due, paid = excluded.paid, overdue = excluded.overdue,"
		"  dpd = excluded.dpd, status = excluded.status RETURNING 1)"
		" SELECT (SELECT count(*) FROM v), (SELECT count(*) FROM ins_new),"
		" (SELECT count(*) FROM ins_old)"},
	[A_CONSENT] = {"consent insert",
		"INSERT INTO consent SELECT subject_key, inst, scope, purpose, granted,"
		" expires, revoked, evidence FROM s_cons c"
		" WHERE (SELECT k.since FROM b_known k WHERE k.code = c.inst) < c.line"},
};

/* A COPY text buffer; grows up to CBUF_MAX. */
struct cbuf {
	char *data;
	size_t len, cap;
	uint64_t rows;
};

struct peer {
	PGconn *conn;
	uint8_t pseudokey[PSEUDOKEY_LEN];
	int32_t asof_days;
	size_t batch_lines;
	struct cr_record rec;
	struct cbuf inst, acct, stmt, cons; /* this batch's staged rows */
	uint64_t records, rejected, statements, batches;
	uint64_t empty_db_bytes;
	/* Seconds spent in each apply step, and in the COPY ends and commits,
	 * printed to stderr when $BENCH_PG_VERBOSE is set. */
	double step_s[A_COUNT], copy_end_s, commit_s;
};

/* ---- COPY text format ---------------------------------------------- */

/* Makes room for one more row.  Returns 0 or CR_ENOMEM / CR_ETOOBIG. */
static int cb_row(struct cbuf *b)
{
	if (b->cap - b->len >= ROW_MAX)
		return 0;
	size_t cap = b->cap ? b->cap * 2 : (size_t)4 << 20;
	if (cap > CBUF_MAX)
		return CR_ETOOBIG;
	char *d = realloc(b->data, cap);
	if (!d)
		return CR_ENOMEM;
	b->data = d;
	b->cap = cap;
	return 0;
}

static void cb_ch(struct cbuf *b, char c)
{
	b->data[b->len++] = c;
}

/* Text with COPY's escapes: backslash, tab, newline, carriage return. */
static void cb_text(struct cbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\': cb_ch(b, '\\'); cb_ch(b, '\\'); break;
		case '\t': cb_ch(b, '\\'); cb_ch(b, 't'); break;
		case '\n': cb_ch(b, '\\'); cb_ch(b, 'n'); break;
		case '\r': cb_ch(b, '\\'); cb_ch(b, 'r'); break;
		default: cb_ch(b, *s); break;
		}
	}
}

static void cb_int(struct cbuf *b, int64_t v)
{
	char tmp[24];
	int n = 0;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		cb_ch(b, '-');
	while (n)
		cb_ch(b, tmp[--n]);
}

static void cb_null(struct cbuf *b)
{
	cb_ch(b, '\\');
	cb_ch(b, 'N');
}

static void cb_date(struct cbuf *b, int32_t days)
{
	if (days == CR_NO_DATE)
		cb_null(b);
	else
		cb_int(b, days);
}

/* A bytea in hex form: \x..., its backslash escaped for COPY. */
static void cb_key(struct cbuf *b, const uint8_t key[KEY_LEN])
{
	static const char hex[] = "0123456789abcdef";
	cb_ch(b, '\\');
	cb_ch(b, '\\');
	cb_ch(b, 'x');
	for (int i = 0; i < KEY_LEN; i++) {
		cb_ch(b, hex[key[i] >> 4]);
		cb_ch(b, hex[key[i] & 15]);
	}
}

/* Ends a row whose fields the caller wrote, separated by tabs. */
static void cb_end(struct cbuf *b)
{
	cb_ch(b, '\n');
	b->rows++;
	CR_ASSERT(b->len <= b->cap);
}

/* ---- the server ---------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}


static int pg_fail(struct peer *p, const char *what)
{
	fprintf(stderr, "ingest_pg: %s: %s", what, PQerrorMessage(p->conn));
	return CR_ESTORE;
}

/* Runs sql, which must succeed with status want; *res gets the result if
 * res is not NULL (the caller clears it). */
static int pg_exec(struct peer *p, const char *what, const char *sql,
		   ExecStatusType want, PGresult **res)
{
	PGresult *r = PQexec(p->conn, sql);
	if (PQresultStatus(r) != want) {
		fprintf(stderr, "ingest_pg: %s: %s", what,
			r ? PQresultErrorMessage(r) : PQerrorMessage(p->conn));
		PQclear(r);
		return CR_ESTORE;
	}
	if (res)
		*res = r;
	else
		PQclear(r);
	return 0;
}

/* The first value of a one-row query, as an unsigned integer. */
static int pg_u64(struct peer *p, const char *what, const char *sql,
		  uint64_t *out /* OUT */)
{
	PGresult *r;
	int rc = pg_exec(p, what, sql, PGRES_TUPLES_OK, &r);
	if (rc)
		return rc;
	if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0)) {
		fprintf(stderr, "ingest_pg: %s: no value\n", what);
		rc = CR_ESTORE;
	} else {
		*out = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	}
	PQclear(r);
	return rc;
}

/* Starts "COPY table FROM STDIN" (text format). */
static int copy_begin(struct peer *p, const char *table)
{
	char sql[128];
	snprintf(sql, sizeof sql, "COPY %s FROM STDIN", table);
	return pg_exec(p, sql, sql, PGRES_COPY_IN, NULL);
}

static int copy_send(struct peer *p, struct cbuf *b)
{
	if (b->len && PQputCopyData(p->conn, b->data, (int)b->len) != 1)
		return pg_fail(p, "COPY data");
	b->len = 0;
	return 0;
}

/* Sends what is left of b, ends the COPY and checks its result. */
static int copy_end(struct peer *p, struct cbuf *b, const char *table)
{
	int rc = copy_send(p, b);
	if (PQputCopyEnd(p->conn, rc ? "aborted" : NULL) != 1)
		return pg_fail(p, "COPY end");
	PGresult *r = PQgetResult(p->conn);
	if (!rc && PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "ingest_pg: COPY %s: %s", table, PQresultErrorMessage(r));
		rc = CR_ESTORE;
	}
	PQclear(r);
	while ((r = PQgetResult(p->conn)))
		PQclear(r);
	return rc;
}

/* Copies a whole buffered table; nothing is sent when it holds no row.
 * COPY data goes in pieces of SEND_BYTES so that an int never overflows. */
static int copy_table(struct peer *p, struct cbuf *b, const char *table)
{
	if (!b->rows)
		return 0;
	int rc = copy_begin(p, table);
	for (size_t off = 0; !rc && off < b->len; off += SEND_BYTES) {
		const size_t n = b->len - off < SEND_BYTES ? b->len - off : SEND_BYTES;
		if (PQputCopyData(p->conn, b->data + off, (int)n) != 1)
			rc = pg_fail(p, "COPY data");
	}
	b->len = 0;
	const int end_rc = copy_end(p, b, table);
	return rc ? rc : end_rc;
}

/* ---- records to staged rows ---------------------------------------- */

static void subject_key(const struct peer *p, const char *id, uint8_t out[KEY_LEN])
{
	crypto_generichash(out, KEY_LEN, (const uint8_t *)id, strlen(id),
			   p->pseudokey, PSEUDOKEY_LEN);
}

static int stage_institution(struct peer *p, const struct cr_institution *in)
{
	struct cbuf *b = &p->inst;
	int rc = cb_row(b);
	if (rc)
		return rc;
	cb_int(b, (int64_t)p->records);
	cb_ch(b, '\t');
	cb_text(b, in->code);
	cb_ch(b, '\t');
	cb_text(b, in->name);
	cb_ch(b, '\t');
	cb_text(b, cr_kind_name(in->kind));
	cb_end(b);
	return 0;
}

/* Co-lenders as a text[] literal; codes are [A-Za-z0-9_-], quoted so that
 * a code spelled NULL stays a code. */
static void cb_colenders(struct cbuf *b, const struct cr_account *a)
{
	cb_ch(b, '{');
	for (int i = 0; i < a->n_colenders; i++) {
		if (i)
			cb_ch(b, ',');
		cb_ch(b, '"');
		cb_text(b, a->colenders[i].inst);
		cb_ch(b, '"');
	}
	cb_ch(b, '}');
}

static int stage_account(struct peer *p, const struct cr_account *a)
{
	struct cbuf *b = &p->acct;
	uint8_t key[KEY_LEN];
	int rc = cb_row(b);
	if (rc)
		return rc;
	subject_key(p, a->id, key);
	cb_int(b, (int64_t)p->records);
	cb_ch(b, '\t');
	cb_text(b, a->inst);
	cb_ch(b, '\t');
	cb_text(b, a->account);
	cb_ch(b, '\t');
	cb_colenders(b, a);
	cb_ch(b, '\t');
	cb_key(b, key);
	const char *texts[] = {a->id, a->name};
	for (size_t i = 0; i < 2; i++) {
		cb_ch(b, '\t');
		cb_text(b, texts[i]);
	}
	cb_ch(b, '\t');
	cb_int(b, a->birth_days);
	const char *more[] = {a->phone, a->address, cr_product_name(a->product),
			      cr_acct_status_name(a->status)};
	for (size_t i = 0; i < 4; i++) {
		cb_ch(b, '\t');
		cb_text(b, more[i]);
	}
	const int64_t nums[] = {a->opened_days, a->credit_limit, a->principal,
				a->term_months};
	for (size_t i = 0; i < 4; i++) {
		cb_ch(b, '\t');
		cb_int(b, nums[i]);
	}
	cb_ch(b, '\t');
	cb_text(b, a->currency);
	cb_end(b);
	return 0;
}

/* A statement row goes to the server as soon as SEND_BYTES are pending. */
static int stage_statement(struct peer *p, const struct cr_statement *st)
{
	struct cbuf *b = &p->stmt;
	int rc = cb_row(b);
	if (rc)
		return rc;
	cb_int(b, (int64_t)p->records);
	cb_ch(b, '\t');
	cb_text(b, st->inst);
	cb_ch(b, '\t');
	cb_text(b, st->account);
	const int64_t nums[] = {st->month, st->balance, st->due, st->paid,
				st->overdue, st->dpd};
	for (size_t i = 0; i < 6; i++) {
		cb_ch(b, '\t');
		cb_int(b, nums[i]);
	}
	cb_ch(b, '\t');
	cb_ch(b, st->status);
	cb_end(b);
	return b->len >= SEND_BYTES ? copy_send(p, b) : 0;
}

static int stage_consent(struct peer *p, const struct cr_consent *c)
{
	struct cbuf *b = &p->cons;
	uint8_t key[KEY_LEN];
	int rc = cb_row(b);
	if (rc)
		return rc;
	subject_key(p, c->id, key);
	cb_int(b, (int64_t)p->records);
	cb_ch(b, '\t');
	cb_key(b, key);
	cb_ch(b, '\t');
	cb_text(b, c->inst);
	cb_ch(b, '\t');
	cb_text(b, cr_scope_name(c->scope));
	cb_ch(b, '\t');
	if (c->purpose)
		cb_text(b, cr_purpose_name(c->purpose));
	else
		cb_null(b);
	const int32_t dates[] = {c->granted_days, c->expires_days, c->revoked_days};
	for (size_t i = 0; i < 3; i++) {
		cb_ch(b, '\t');
		cb_date(b, dates[i]);
	}
	cb_ch(b, '\t');
	cb_text(b, c->evidence);
	cb_end(b);
	return 0;
}

/* ---- batches ------------------------------------------------------- */

/* Opens the batch's transaction and its statement COPY. */
static int batch_begin(struct peer *p)
{
	int rc = pg_exec(p, "BEGIN", "BEGIN", PGRES_COMMAND_OK, NULL);
	return rc ? rc : copy_begin(p, "s_stmt");
}

/* The number of rows a command touched (its tag). */
static uint64_t cmd_rows(PGresult *r)
{
	return strtoull(PQcmdTuples(r), NULL, 10);
}

/* Runs the apply steps; adds refused lines to p->rejected and valid
 * statement lines to p->statements. */
static int batch_apply(struct peer *p)
{
	uint64_t acct_ok = 0, acct_foreign = 0, cons_ok = 0, stmt_ok = 0;
	for (int i = 0; i < A_COUNT; i++) {
		PGresult *r;
		const double t0 = now_s();
		int rc = pg_exec(p, apply_sql[i].name, apply_sql[i].sql,
				 i == A_STMT ? PGRES_TUPLES_OK : PGRES_COMMAND_OK, &r);
		p->step_s[i] += now_s() - t0;
		if (rc)
			return rc;
		if (i == A_ACCT_OK)
			acct_ok = cmd_rows(r);
		else if (i == A_FOREIGN)
			acct_foreign = cmd_rows(r);
		else if (i == A_CONSENT)
			cons_ok = cmd_rows(r);
		else if (i == A_STMT)
			stmt_ok = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
	}
	CR_ASSERT(acct_foreign <= acct_ok && acct_ok <= p->acct.rows);
	CR_ASSERT(stmt_ok <= p->stmt.rows && cons_ok <= p->cons.rows);
	p->rejected += p->acct.rows - (acct_ok - acct_foreign);
	p->rejected += p->stmt.rows - stmt_ok;
	p->rejected += p->cons.rows - cons_ok;
	p->statements += stmt_ok;
	return 0;
}

/* Ends the statement COPY, copies the other staged rows, applies them and
 * commits durably. */
static int batch_end(struct peer *p)
{
	double t0 = now_s();
	int rc = copy_end(p, &p->stmt, "s_stmt");
	if (!rc)
		rc = copy_table(p, &p->inst, "s_inst");
	if (!rc)
		rc = copy_table(p, &p->acct, "s_acct");
	if (!rc)
		rc = copy_table(p, &p->cons, "s_cons");
	p->copy_end_s += now_s() - t0;
	if (!rc)
		rc = batch_apply(p);
	t0 = now_s();
	if (!rc)
		rc = pg_exec(p, "COMMIT", "COMMIT", PGRES_COMMAND_OK, NULL);
	p->commit_s += now_s() - t0;
	p->inst.rows = p->acct.rows = p->stmt.rows = p->cons.rows = 0;
	p->batches++;
	return rc;
}

/* Parses, validates and stages one line.  Returns 0 (staged or rejected)
 * or an error. */
static int ingest_line(struct peer *p, const char *line, size_t len)
{
	struct cr_diag d = {.line = p->records + 1, .field = "", .reason = NULL};
	p->records++;
	int rc = cr_jsonl_parse(line, len, p->asof_days, &p->rec, &d);
	if (!rc)
		rc = cr_validate_record(&p->rec, p->asof_days, &d);
	if (!rc) {
		switch (p->rec.type) {
		case CR_REC_INSTITUTION: rc = stage_institution(p, &p->rec.u.inst); break;
		case CR_REC_ACCOUNT: rc = stage_account(p, &p->rec.u.account); break;
		case CR_REC_STATEMENT: rc = stage_statement(p, &p->rec.u.stmt); break;
		case CR_REC_CONSENT: rc = stage_consent(p, &p->rec.u.consent); break;
		default: rc = CR_EINVAL; break;
		}
	}
	if (rc == CR_EINVAL) {
		p->rejected++;
		return 0;
	}
	return rc;
}

/* Feeds every line, one transaction per p->batch_lines lines. */
static int feed(struct peer *p, const char *data, size_t len)
{
	size_t pos = 0, pending = 0;
	int rc = batch_begin(p);
	while (!rc && pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		const size_t end = nl ? (size_t)(nl - data) : len;
		rc = ingest_line(p, data + pos, end - pos);
		pos = end + 1;
		if (!rc && ++pending >= p->batch_lines) {
			rc = batch_end(p);
			if (!rc)
				rc = batch_begin(p);
			pending = 0;
		}
	}
	return rc ? rc : batch_end(p);
}

/* ---- setup, sizes, main -------------------------------------------- */

/* Refuses a server that would not make commits durable. */
static int check_durable(struct peer *p)
{
	static const char *const must_be_on[] = {"fsync", "synchronous_commit",
						  "full_page_writes"};
	for (size_t i = 0; i < sizeof must_be_on / sizeof must_be_on[0]; i++) {
		char sql[64];
		snprintf(sql, sizeof sql, "SHOW %s", must_be_on[i]);
		PGresult *r;
		int rc = pg_exec(p, sql, sql, PGRES_TUPLES_OK, &r);
		if (rc)
			return rc;
		const int on = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "on") == 0;
		PQclear(r);
		if (!on) {
			fprintf(stderr, "ingest_pg: the server runs with %s off: commits"
				" would not be durable\n", must_be_on[i]);
			return CR_EINVAL;
		}
	}
	return 0;
}

/* Connects, checks durability, makes the tables.  Sorting a batch's rows
 * and keeping its staging tables in memory needs more than the 4 MB and
 * 8 MB session defaults; neither setting touches durability. */
static int peer_open(struct peer *p, const char *conninfo)
{
	p->conn = PQconnectdb(conninfo);
	if (PQstatus(p->conn) != CONNECTION_OK)
		return pg_fail(p, "connect");
	int rc = check_durable(p);
	if (!rc)
		rc = pg_exec(p, "session settings",
			     "SET work_mem = '256MB'; SET temp_buffers = '1GB';"
			     " SET client_min_messages = warning",
			     PGRES_COMMAND_OK, NULL);
	if (!rc)
		rc = pg_exec(p, "schema", schema_sql, PGRES_COMMAND_OK, NULL);
	if (!rc)
		rc = pg_exec(p, "staging tables", staging_sql, PGRES_COMMAND_OK, NULL);
	if (!rc)
		rc = pg_u64(p, "database size", "SELECT pg_database_size(current_database())",
			    &p->empty_db_bytes);
	randombytes_buf(p->pseudokey, sizeof p->pseudokey);
	return rc;
}

static const char *map_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_size == 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	*len = (size_t)sb.st_size;
	void *data = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (data == MAP_FAILED)
		return NULL;
	madvise(data, *len, MADV_SEQUENTIAL);
	return data;
}

/* Sizes after the load: the whole database (tables, indexes, TOAST, free
 * space and visibility maps, and the system catalogs every database
 * carries; not the WAL) and the statement table with its primary key. */
static int report(struct peer *p, double secs)
{
	uint64_t db_bytes, hist_bytes;
	int rc = pg_u64(p, "database size", "SELECT pg_database_size(current_database())",
			&db_bytes);
	if (!rc)
		rc = pg_u64(p, "statement size", "SELECT pg_total_relation_size('statement')",
			    &hist_bytes);
	if (rc)
		return rc;
	const double st = p->statements ? (double)p->statements : 1.0;
	printf("postgres: records=%llu seconds=%.3f records_per_s=%.0f db_bytes=%llu"
	       " statements=%llu bytes_per_account_month=%.2f empty_db_bytes=%llu"
	       " hist_bytes_per_account_month=%.2f rejected=%llu batches=%llu"
	       " batch_lines=%zu server=%d.%d\n",
	       (unsigned long long)p->records, secs,
	       secs > 0 ? (double)p->records / secs : 0.0,
	       (unsigned long long)db_bytes, (unsigned long long)p->statements,
	       p->statements ? (double)db_bytes / st : 0.0,
	       (unsigned long long)p->empty_db_bytes,
	       p->statements ? (double)hist_bytes / st : 0.0,
	       (unsigned long long)p->rejected, (unsigned long long)p->batches,
	       p->batch_lines, PQserverVersion(p->conn) / 10000,
	       PQserverVersion(p->conn) % 100);
	return 0;
}

/* Where the time went, for $BENCH_PG_VERBOSE. */
static void report_steps(const struct peer *p, double secs)
{
	double applied = 0;
	for (int i = 0; i < A_COUNT; i++)
		applied += p->step_s[i];
	fprintf(stderr, "ingest_pg: seconds: total %.3f, parse + stage + statement COPY"
		" %.3f, COPY ends %.3f, apply %.3f, commit %.3f\n", secs,
		secs - p->copy_end_s - applied - p->commit_s, p->copy_end_s, applied,
		p->commit_s);
	for (int i = 0; i < A_COUNT; i++)
		fprintf(stderr, "ingest_pg:   %-26s %.3f\n", apply_sql[i].name, p->step_s[i]);
}

static int parse_args(int argc, char **argv, struct peer *p, const char **conninfo)
{
	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: ingest_pg CONNINFO JSONL_FILE AS_OF_DATE [BATCH_LINES]\n");
		return 2;
	}
	*conninfo = argv[1][0] ? argv[1] : getenv("PG_CONNINFO");
	if (!*conninfo) {
		fprintf(stderr, "ingest_pg: empty CONNINFO and no $PG_CONNINFO\n");
		return 2;
	}
	if (cr_date_parse(argv[3], strlen(argv[3]), &p->asof_days)) {
		fprintf(stderr, "ingest_pg: bad as-of date '%s' (YYYY-MM-DD)\n", argv[3]);
		return 2;
	}
	char *end = NULL;
	p->batch_lines = argc == 5 ? strtoull(argv[4], &end, 10) : CR_BATCH_RECORDS;
	if ((end && *end) || p->batch_lines < BATCH_MIN || p->batch_lines > BATCH_MAX) {
		fprintf(stderr, "ingest_pg: BATCH_LINES must be %d..%d\n", BATCH_MIN, BATCH_MAX);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct peer p;
	const char *conninfo;
	int ex = parse_args(argc, argv, &p, &conninfo);
	if (ex)
		return ex;
	if (sodium_init() < 0) {
		fprintf(stderr, "ingest_pg: libsodium failed to initialize\n");
		return 1;
	}
	size_t len = 0;
	const char *data = map_file(argv[2], &len);
	if (!data) {
		fprintf(stderr, "ingest_pg: cannot map %s (missing or empty)\n", argv[2]);
		return 1;
	}
	const double t0 = now_s();
	int rc = peer_open(&p, conninfo);
	if (!rc)
		rc = feed(&p, data, len);
	const double secs = now_s() - t0;
	munmap((void *)data, len);
	if (!rc)
		rc = report(&p, secs);
	if (rc)
		fprintf(stderr, "ingest_pg: failed after %llu lines\n",
			(unsigned long long)p.records);
	else if (getenv("BENCH_PG_VERBOSE"))
		report_steps(&p, secs);
	PQfinish(p.conn);
	free(p.inst.data);
	free(p.acct.data);
	free(p.stmt.data);
	free(p.cons.data);
	return rc ? 1 : 0;
}
