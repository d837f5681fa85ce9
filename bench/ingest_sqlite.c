/*
 * ingest_sqlite.c - the SQLite peer of "creditref ingest" for bench/run.sh.
 *
 * It reads the same JSON Lines file, parses and validates every line with the
 * very same cr_jsonl_parse() and cr_validate_record() as creditref, and
 * stores the records in SQLite with tables and indexes equivalent to the
 * LMDB store, so the comparison is storage engine against storage engine,
 * not parser against parser.
 *
 * The SQLite side is set up the way a careful user would set it up for bulk
 * loading without giving up durability: WAL journal, synchronous=FULL (a
 * commit returns only once it is on disk, as cr_store_commit does), prepared
 * statements, one transaction per CR_BATCH_RECORDS lines, and a 64 MiB page
 * cache.  Statements look their account up by (institution, account number)
 * through a one-entry cache of the last account, exactly like creditref's
 * ingest, then upsert the (account, month) row.  Subjects are keyed by a
 * 16-byte keyed BLAKE2b hash of the ID, as in the store.
 *
 * What it leaves out, in SQLite's favour: the furnish-consent check and the
 * held-record counts, and the "unchanged" classification of re-ingested
 * lines.
 *
 * Usage: ingest_sqlite DB_FILE JSONL_FILE AS_OF_DATE
 * Output: one line
 *   sqlite: records=N seconds=S records_per_s=R file_bytes=B statements=M ...
 */
#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cr_date.h"
#include "cr_err.h"
#include "cr_limits.h"
#include "cr_record.h"
#include "jsonl.h"
#include "validate.h"

#define PSEUDOKEY_LEN 32
#define KEY_LEN 16

static const char *const schema_sql =
	"CREATE TABLE institution(code TEXT PRIMARY KEY, name TEXT, kind TEXT);"
	"CREATE TABLE subject(subject_key BLOB PRIMARY KEY, id TEXT, name TEXT,"
	" birth INTEGER, phone TEXT, address TEXT);"
	"CREATE TABLE account(id INTEGER PRIMARY KEY, inst TEXT, account_no TEXT,"
	" subject_key BLOB, product TEXT, status TEXT, opened INTEGER,"
	" credit_limit INTEGER, principal INTEGER, term INTEGER, currency TEXT,"
	" UNIQUE(inst, account_no));"
	"CREATE INDEX account_subject ON account(subject_key);"
	"CREATE TABLE statement(account_id INTEGER, month INTEGER, balance INTEGER,"
	" due INTEGER, paid INTEGER, overdue INTEGER, dpd INTEGER, status TEXT,"
	" PRIMARY KEY(account_id, month)) WITHOUT ROWID;"
	"CREATE TABLE consent(subject_key BLOB, inst TEXT, scope TEXT, purpose TEXT,"
	" granted INTEGER, expires INTEGER, revoked INTEGER, evidence TEXT);"
	"CREATE INDEX consent_subject ON consent(subject_key);";

enum { Q_BEGIN, Q_COMMIT, Q_INST_PUT, Q_INST_GET, Q_SUBJ_PUT, Q_ACCT_PUT,
       Q_ACCT_GET, Q_STMT_PUT, Q_CONSENT_ADD, Q_COUNT };

static const char *const query_sql[Q_COUNT] = {
	[Q_BEGIN] = "BEGIN",
	[Q_COMMIT] = "COMMIT",
	[Q_INST_PUT] = "INSERT INTO institution VALUES(?1,?2,?3)"
		" ON CONFLICT(code) DO UPDATE SET name=excluded.name,"
		" kind=excluded.kind",
	[Q_INST_GET] = "SELECT 1 FROM institution WHERE code=?1",
	[Q_SUBJ_PUT] = "INSERT INTO subject VALUES(?1,?2,?3,?4,?5,?6)"
		" ON CONFLICT(subject_key) DO UPDATE SET id=excluded.id,"
		" name=excluded.name, birth=excluded.birth,"
		" phone=excluded.phone, address=excluded.address",
	[Q_ACCT_PUT] = "INSERT INTO account(inst, account_no, subject_key,"
		" product, status, opened, credit_limit, principal, term, currency)"
		" VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"
		" ON CONFLICT(inst, account_no) DO UPDATE SET"
		" product=excluded.product, status=excluded.status,"
		" opened=excluded.opened, credit_limit=excluded.credit_limit,"
		" principal=excluded.principal, term=excluded.term,"
		" currency=excluded.currency"
		" WHERE account.subject_key = excluded.subject_key"
		" RETURNING id, opened",
	[Q_ACCT_GET] = "SELECT id, opened FROM account"
		" WHERE inst=?1 AND account_no=?2",
	[Q_STMT_PUT] = "INSERT INTO statement VALUES(?1,?2,?3,?4,?5,?6,?7,?8)"
		" ON CONFLICT(account_id, month) DO UPDATE SET"
		" balance=excluded.balance, due=excluded.due, paid=excluded.paid,"
		" overdue=excluded.overdue, dpd=excluded.dpd,"
		" status=excluded.status",
	[Q_CONSENT_ADD] = "INSERT INTO consent VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
};

/* The last account a line named: statements come grouped by account. */
struct acct_cache {
	int valid;
	char inst[CR_INST_CODE_MAX + 1];
	char account[CR_ACCOUNT_MAX + 1];
	sqlite3_int64 id;
	int32_t opened_month;
};

struct peer {
	sqlite3 *db;
	sqlite3_stmt *q[Q_COUNT];
	uint8_t pseudokey[PSEUDOKEY_LEN];
	int32_t asof_days;
	struct acct_cache ac;
	struct cr_record rec;
	uint64_t records, rejected, statements;
};

static int die_sql(struct peer *p, const char *what)
{
	fprintf(stderr, "ingest_sqlite: %s: %s\n", what, sqlite3_errmsg(p->db));
	return CR_ESTORE;
}

/* Runs a prepared statement that returns no row, and resets it. */
static int run(struct peer *p, int q)
{
	int rc = sqlite3_step(p->q[q]);
	sqlite3_reset(p->q[q]);
	return rc == SQLITE_DONE ? 0 : die_sql(p, query_sql[q]);
}

static void bind_text(sqlite3_stmt *s, int i, const char *t)
{
	sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC);
}

static void bind_date(sqlite3_stmt *s, int i, int32_t days)
{
	if (days == CR_NO_DATE)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int(s, i, days);
}

static void subject_key(const struct peer *p, const char *id, uint8_t out[KEY_LEN])
{
	crypto_generichash(out, KEY_LEN, (const uint8_t *)id, strlen(id),
			   p->pseudokey, PSEUDOKEY_LEN);
}

/* 1 when the institution is known, 0 when not, or an error. */
static int inst_known(struct peer *p, const char *code)
{
	sqlite3_stmt *s = p->q[Q_INST_GET];
	bind_text(s, 1, code);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : die_sql(p, "institution lookup");
}

static int put_institution(struct peer *p, const struct cr_institution *in)
{
	sqlite3_stmt *s = p->q[Q_INST_PUT];
	bind_text(s, 1, in->code);
	bind_text(s, 2, in->name);
	bind_text(s, 3, cr_kind_name(in->kind));
	return run(p, Q_INST_PUT);
}

static int put_subject(struct peer *p, const struct cr_account *a,
		       const uint8_t key[KEY_LEN])
{
	sqlite3_stmt *s = p->q[Q_SUBJ_PUT];
	sqlite3_bind_blob(s, 1, key, KEY_LEN, SQLITE_STATIC);
	bind_text(s, 2, a->id);
	bind_text(s, 3, a->name);
	sqlite3_bind_int(s, 4, a->birth_days);
	bind_text(s, 5, a->phone);
	bind_text(s, 6, a->address);
	return run(p, Q_SUBJ_PUT);
}

/* Upserts the account; CR_EINVAL when it belongs to another person. */
static int put_account(struct peer *p, const struct cr_account *a,
		       const uint8_t key[KEY_LEN])
{
	sqlite3_stmt *s = p->q[Q_ACCT_PUT];
	bind_text(s, 1, a->inst);
	bind_text(s, 2, a->account);
	sqlite3_bind_blob(s, 3, key, KEY_LEN, SQLITE_STATIC);
	bind_text(s, 4, cr_product_name(a->product));
	bind_text(s, 5, cr_acct_status_name(a->status));
	sqlite3_bind_int(s, 6, a->opened_days);
	sqlite3_bind_int64(s, 7, a->credit_limit);
	sqlite3_bind_int64(s, 8, a->principal);
	sqlite3_bind_int(s, 9, a->term_months);
	bind_text(s, 10, a->currency);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		struct acct_cache *ac = &p->ac;
		memcpy(ac->inst, a->inst, sizeof ac->inst);
		memcpy(ac->account, a->account, sizeof ac->account);
		ac->id = sqlite3_column_int64(s, 0);
		ac->opened_month = cr_month_of_date(sqlite3_column_int(s, 1));
		ac->valid = 1;
		rc = sqlite3_step(s);
	} else if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return CR_EINVAL;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : die_sql(p, "account upsert");
}

static int apply_account(struct peer *p, const struct cr_account *a)
{
	int rc = inst_known(p, a->inst);
	for (int i = 0; i < a->n_colenders && rc == 1; i++)
		rc = inst_known(p, a->colenders[i].inst);
	if (rc <= 0)
		return rc < 0 ? rc : CR_EINVAL;
	uint8_t key[KEY_LEN];
	subject_key(p, a->id, key);
	p->ac.valid = 0;
	rc = put_subject(p, a, key);
	return rc ? rc : put_account(p, a, key);
}

/* Points the cache at (inst, account); CR_ENOTFOUND when unknown. */
static int load_account(struct peer *p, const char *inst, const char *account)
{
	struct acct_cache *ac = &p->ac;
	if (ac->valid && strcmp(ac->account, account) == 0 &&
	    strcmp(ac->inst, inst) == 0)
		return 0;
	ac->valid = 0;
	sqlite3_stmt *s = p->q[Q_ACCT_GET];
	bind_text(s, 1, inst);
	bind_text(s, 2, account);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		ac->id = sqlite3_column_int64(s, 0);
		ac->opened_month = cr_month_of_date(sqlite3_column_int(s, 1));
		memcpy(ac->inst, inst, sizeof ac->inst);
		memcpy(ac->account, account, sizeof ac->account);
		ac->valid = 1;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? CR_ENOTFOUND : die_sql(p, "account lookup");
}

static int apply_statement(struct peer *p, const struct cr_statement *st)
{
	int rc = load_account(p, st->inst, st->account);
	if (rc == CR_ENOTFOUND)
		return CR_EINVAL;
	if (rc)
		return rc;
	if (st->month < p->ac.opened_month)
		return CR_EINVAL;
	const char status[2] = {st->status, '\0'};
	sqlite3_stmt *s = p->q[Q_STMT_PUT];
	sqlite3_bind_int64(s, 1, p->ac.id);
	sqlite3_bind_int(s, 2, st->month);
	sqlite3_bind_int64(s, 3, st->balance);
	sqlite3_bind_int64(s, 4, st->due);
	sqlite3_bind_int64(s, 5, st->paid);
	sqlite3_bind_int64(s, 6, st->overdue);
	sqlite3_bind_int(s, 7, st->dpd);
	sqlite3_bind_text(s, 8, status, 1, SQLITE_STATIC);
	p->statements++;
	return run(p, Q_STMT_PUT);
}

static int apply_consent(struct peer *p, const struct cr_consent *c)
{
	int rc = inst_known(p, c->inst);
	if (rc <= 0)
		return rc < 0 ? rc : CR_EINVAL;
	uint8_t key[KEY_LEN];
	subject_key(p, c->id, key);
	sqlite3_stmt *s = p->q[Q_CONSENT_ADD];
	sqlite3_bind_blob(s, 1, key, KEY_LEN, SQLITE_STATIC);
	bind_text(s, 2, c->inst);
	bind_text(s, 3, cr_scope_name(c->scope));
	bind_text(s, 4, c->purpose ? cr_purpose_name(c->purpose) : NULL);
	bind_date(s, 5, c->granted_days);
	bind_date(s, 6, c->expires_days);
	bind_date(s, 7, c->revoked_days);
	bind_text(s, 8, c->evidence);
	return run(p, Q_CONSENT_ADD);
}

/* Parses, validates and stores one line.  Returns 0 (stored or rejected)
 * or a store error. */
static int ingest_line(struct peer *p, const char *line, size_t len)
{
	struct cr_diag d = {.line = p->records + 1, .field = "", .reason = NULL};
	p->records++;
	int rc = cr_jsonl_parse(line, len, p->asof_days, &p->rec, &d);
	if (!rc)
		rc = cr_validate_record(&p->rec, p->asof_days, &d);
	if (!rc) {
		switch (p->rec.type) {
		case CR_REC_INSTITUTION: rc = put_institution(p, &p->rec.u.inst); break;
		case CR_REC_ACCOUNT: rc = apply_account(p, &p->rec.u.account); break;
		case CR_REC_STATEMENT: rc = apply_statement(p, &p->rec.u.stmt); break;
		case CR_REC_CONSENT: rc = apply_consent(p, &p->rec.u.consent); break;
		default: rc = CR_EINVAL; break;
		}
	}
	if (rc == CR_EINVAL) {
		p->rejected++;
		return 0;
	}
	return rc;
}

/* Feeds every line, committing every CR_BATCH_RECORDS lines. */
static int feed(struct peer *p, const char *data, size_t len)
{
	size_t pos = 0, pending = 0;
	int rc = run(p, Q_BEGIN);
	while (!rc && pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		const size_t end = nl ? (size_t)(nl - data) : len;
		rc = ingest_line(p, data + pos, end - pos);
		pos = end + 1;
		if (!rc && ++pending >= CR_BATCH_RECORDS) {
			rc = run(p, Q_COMMIT);
			if (!rc)
				rc = run(p, Q_BEGIN);
			pending = 0;
		}
	}
	return rc ? rc : run(p, Q_COMMIT);
}

static int exec(struct peer *p, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(p->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	fprintf(stderr, "ingest_sqlite: %s: %s\n", sql, msg ? msg : "?");
	sqlite3_free(msg);
	return CR_ESTORE;
}

static int peer_open(struct peer *p, const char *path)
{
	if (sqlite3_open(path, &p->db) != SQLITE_OK)
		return die_sql(p, path);
	int rc = exec(p, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 " PRAGMA cache_size=-65536;");
	if (!rc)
		rc = exec(p, schema_sql);
	for (int i = 0; i < Q_COUNT && !rc; i++) {
		if (sqlite3_prepare_v3(p->db, query_sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT, &p->q[i], NULL))
			rc = die_sql(p, query_sql[i]);
	}
	randombytes_buf(p->pseudokey, sizeof p->pseudokey);
	return rc;
}

/* Finalizes the statements and closes the database; closing the last
 * connection checkpoints the WAL into the database file. */
static int peer_close(struct peer *p)
{
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(p->q[i]);
	int rc = p->db && sqlite3_close(p->db) != SQLITE_OK ? CR_ESTORE : 0;
	p->db = NULL;
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

/* Bytes on disk of path (allocated blocks, as "creditref stats" counts). */
static uint64_t disk_bytes(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (uint64_t)sb.st_blocks * 512 : 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int report(const char *db_path, const struct peer *p, double secs)
{
	char wal[4200];
	snprintf(wal, sizeof wal, "%s-wal", db_path);
	const uint64_t bytes = disk_bytes(db_path) + disk_bytes(wal);
	printf("sqlite: records=%llu seconds=%.3f records_per_s=%.0f file_bytes=%llu"
	       " statements=%llu rejected=%llu bytes_per_account_month=%.2f\n",
	       (unsigned long long)p->records, secs,
	       secs > 0 ? (double)p->records / secs : 0.0,
	       (unsigned long long)bytes, (unsigned long long)p->statements,
	       (unsigned long long)p->rejected,
	       p->statements ? (double)bytes / (double)p->statements : 0.0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: ingest_sqlite DB_FILE JSONL_FILE AS_OF_DATE\n");
		return 2;
	}
	static struct peer p;
	if (sodium_init() < 0 ||
	    cr_date_parse(argv[3], strlen(argv[3]), &p.asof_days)) {
		fprintf(stderr, "ingest_sqlite: bad as-of date or no libsodium\n");
		return 2;
	}
	size_t len = 0;
	const char *data = map_file(argv[2], &len);
	if (!data) {
		fprintf(stderr, "ingest_sqlite: cannot map %s\n", argv[2]);
		return 1;
	}
	const double t0 = now_s();
	int rc = peer_open(&p, argv[1]);
	if (!rc)
		rc = feed(&p, data, len);
	int close_rc = peer_close(&p);
	const double secs = now_s() - t0;
	munmap((void *)data, len);
	if (rc || close_rc) {
		fprintf(stderr, "ingest_sqlite: failed after %llu lines\n",
			(unsigned long long)p.records);
		return 1;
	}
	return report(argv[1], &p, secs);
}
