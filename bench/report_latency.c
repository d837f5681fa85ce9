/*
 * report_latency.c - in-process report latency for bench/run.sh.
 *
 * DESIGN.md asks for a full report (identity, up to 20 accounts with their
 * 60-month grids, inquiries, summary) built in process with p99 <= 100 us.
 * This program opens a creditref store read-only, collects the IDs of every
 * person who holds an account from the furnishing file the store was built
 * from (the "id" of account lines, parsed with cr_jsonl_parse so the field
 * order of the file does not matter) or from a plain list of IDs, one a line
 * (bench/scale.sh, whose stores are built from a pipe and leave no file),
 * and times, for randomly drawn people,
 * the person's own full report (include_held: every account, held or not,
 * which is the most work a report can take):
 *
 *   build  begin a read transaction, cr_report_build, abort
 *   json   cr_report_json of a built report (rendering alone)
 *   total  build and render together
 *
 * Each timing is one clock_gettime(CLOCK_MONOTONIC) pair around one report;
 * warm-up reports are run first and not counted.  The draw is a fixed-seed
 * xorshift, so runs are comparable.
 *
 * Usage: report_latency DB_DIR JSONL_FILE|IDS_FILE AS_OF_DATE [N [WARMUP]]
 * A line that starts with '{' is a furnishing record; any other line is an
 * ID, taken as it is when it has the length of one (an unknown ID fails the
 * run, as a report for it does).  The two kinds may be mixed.
 * Output: one line per measure,
 *   report: n=20000 p50_us=... p90_us=... p99_us=... max_us=... mean_accounts=...
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cr_buf.h"
#include "cr_date.h"
#include "cr_err.h"
#include "keyfile.h"
#include "cr_record.h"
#include "jsonl.h"
#include "report.h"
#include "store.h"

/* Upper bound on the people sampled from the file: plenty for a random draw,
 * and it bounds the ID table at 19 MiB. */
#define IDS_MAX (1u << 20)
#define RUNS_MAX 10000000L

struct person_id {
	char id[CR_ID_LEN + 1];
};

struct id_set {
	struct person_id *v;
	size_t n;
};

struct sample {
	uint64_t *build_ns;
	uint64_t *json_ns;
	uint64_t *total_ns;
	uint64_t accounts;
	size_t n;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct person_id));
}

static int cmp_u64(const void *a, const void *b)
{
	const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Adds the holder of one account line, or the ID of a plain line, to ids;
 * other lines are skipped. */
static void take_line(struct id_set *ids, const char *line, size_t len,
		      int32_t asof_days, struct cr_record *rec)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (ids->n < IDS_MAX && len == CR_ID_LEN && line[0] != '{') {
		memcpy(ids->v[ids->n].id, line, CR_ID_LEN);
		ids->v[ids->n].id[CR_ID_LEN] = '\0';
		ids->n++;
		return;
	}
	/* Only account and consent lines carry "id"; skip the statements
	 * without parsing them. */
	if (ids->n >= IDS_MAX || !memmem(line, len, "\"id\"", 4))
		return;
	struct cr_diag d;
	if (cr_jsonl_parse(line, len, asof_days, rec, &d) ||
	    rec->type != CR_REC_ACCOUNT)
		return;
	memcpy(ids->v[ids->n].id, rec->u.account.id, sizeof ids->v[0].id);
	ids->n++;
}

/* Fills ids with the distinct account holders, or IDs, of the file at path. */
static int collect_ids(const char *path, int32_t asof_days, struct id_set *ids)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_size == 0) {
		if (fd >= 0)
			close(fd);
		return CR_ENOTFOUND;
	}
	const size_t len = (size_t)sb.st_size;
	const char *data = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	ids->v = calloc(IDS_MAX, sizeof *ids->v);
	static struct cr_record rec;
	if (data == MAP_FAILED || !ids->v)
		return CR_ENOMEM;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		const size_t end = nl ? (size_t)(nl - data) : len;
		take_line(ids, data + pos, end - pos, asof_days, &rec);
		pos = end + 1;
	}
	munmap((void *)data, len);
	qsort(ids->v, ids->n, sizeof *ids->v, cmp_id);
	size_t u = 0;
	for (size_t i = 0; i < ids->n; i++)
		if (u == 0 || cmp_id(&ids->v[u - 1], &ids->v[i]) != 0)
			ids->v[u++] = ids->v[i];
	ids->n = u;
	return u ? 0 : CR_ENOTFOUND;
}

/* Builds and renders one report, timing the phases into slot i (when
 * counted).  Returns 0 or the first error. */
static int one_report(cr_store *st, const struct cr_subject_key *k,
		      int32_t asof_days, struct cr_buf *out,
		      struct sample *s, size_t i, int counted)
{
	struct cr_report r;
	cr_report_init(&r);
	cr_txn *txn;
	const uint64_t t0 = now_ns();
	int rc = cr_store_begin(st, 0, &txn);
	if (rc)
		return rc;
	rc = cr_report_build(txn, k, asof_days, CR_REPORT_HELD, &r);
	cr_store_abort(txn);
	const uint64_t t1 = now_ns();
	cr_buf_reset(out);
	if (!rc)
		rc = cr_report_json(&r, out);
	const uint64_t t2 = now_ns();
	if (counted && !rc) {
		s->build_ns[i] = t1 - t0;
		s->json_ns[i] = t2 - t1;
		s->total_ns[i] = t2 - t0;
		s->accounts += r.n_accounts;
	}
	cr_report_fini(&r);
	return rc;
}

static int run_reports(cr_store *st, const struct id_set *ids, int32_t asof_days,
		       long warmup, struct sample *s)
{
	struct cr_buf out;
	cr_buf_init(&out, (size_t)1 << 24);
	uint64_t seed = 0x9e3779b97f4a7c15u;
	int rc = 0;
	for (long i = -warmup; i < (long)s->n && !rc; i++) {
		const struct person_id *p = &ids->v[xorshift(&seed) % ids->n];
		struct cr_subject_key k;
		cr_store_subject_key(st, p->id, &k);
		rc = one_report(st, &k, asof_days, &out, s, i < 0 ? 0 : (size_t)i,
				i >= 0);
		if (rc)
			fprintf(stderr, "report_latency: report for %.6s...: %s\n",
				p->id, cr_strerror(rc));
	}
	cr_buf_fini(&out);
	return rc;
}

static void print_line(const char *name, uint64_t *ns, size_t n,
		       uint64_t accounts)
{
	qsort(ns, n, sizeof *ns, cmp_u64);
	const double us = 1e-3;
	printf("%s: n=%zu p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f"
	       " mean_accounts=%.2f\n", name, n,
	       (double)ns[n / 2] * us, (double)ns[n * 90 / 100] * us,
	       (double)ns[n * 99 / 100] * us, (double)ns[n - 1] * us,
	       (double)accounts / (double)n);
}

static long arg_long(int argc, char **argv, int i, long dflt)
{
	if (argc <= i)
		return dflt;
	char *end;
	const long v = strtol(argv[i], &end, 10);
	return *end || v < 0 || v > RUNS_MAX ? -1 : v;
}

int main(int argc, char **argv)
{
	int32_t asof;
	const long n = arg_long(argc, argv, 4, 20000);
	const long warmup = arg_long(argc, argv, 5, 1000);
	if (argc < 4 || argc > 6 || n < 1 || warmup < 0 ||
	    cr_date_parse(argv[3], strlen(argv[3]), &asof)) {
		fprintf(stderr, "usage: report_latency DB_DIR JSONL_FILE|IDS_FILE AS_OF_DATE [N [WARMUP]]\n");
		return 2;
	}
	struct id_set ids = {NULL, 0};
	int rc = collect_ids(argv[2], asof, &ids);
	if (rc) {
		fprintf(stderr, "report_latency: no account holders or IDs in %s\n", argv[2]);
		return 1;
	}
	cr_store *st;
	char key_file[4096];
	const char *reason;
	cr_keyfile_default(argv[1], key_file, sizeof key_file);
	rc = cr_store_open(argv[1], key_file, CR_STORE_RDONLY, &st, &reason);
	if (rc) {
		fprintf(stderr, "report_latency: %s: %s\n", argv[1],
			reason ? reason : cr_strerror(rc));
		return 1;
	}
	struct sample s = {calloc((size_t)n, 8), calloc((size_t)n, 8),
			   calloc((size_t)n, 8), 0, (size_t)n};
	if (!s.build_ns || !s.json_ns || !s.total_ns)
		rc = CR_ENOMEM;
	if (!rc)
		rc = run_reports(st, &ids, asof, warmup, &s);
	cr_store_close(st);
	if (!rc) {
		printf("report_people: distinct_account_holders=%zu\n", ids.n);
		print_line("report", s.build_ns, s.n, s.accounts);
		print_line("report_json", s.json_ns, s.n, s.accounts);
		print_line("report_total", s.total_ns, s.n, s.accounts);
	}
	free(s.build_ns);
	free(s.json_ns);
	free(s.total_ns);
	free(ids.v);
	return rc ? 1 : 0;
}
