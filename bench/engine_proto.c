/*
 * engine_proto.c - LMDB against RocksDB on the candidate store layout.
 *
 * The store slows down as it grows (408k records/s at 40k people, 117k/s at
 * 1M) because most of its keys are random keyed hashes: every batch dirties
 * pages all over the B+ trees.  The candidate layout gives people a
 * sequential person id (pid) and keys everything a person owns by it, so a
 * bulk load appends, and keeps only a small "index" keyspace random.  This
 * program loads that layout synthetically into one engine, LMDB or RocksDB,
 * and measures what decides between them: durable bulk-load rate and its
 * curve, bytes on disk per account-month, durable random events, and reads
 * of everything a person owns.  No JSON is parsed (the parser is measured
 * elsewhere) so that only the engine differs between two runs.
 *
 * Keys (big-endian integers, so byte order is numeric order):
 *   person  pid 'A' n                 account n: 53 packed bytes + 56 sealed
 *           pid 'C' day seq           consent fact: 13 packed + 32 evidence
 *           pid 'E' n time hash       an event of account n: 13 bytes
 *           pid 'H' n year            one year of history (hist_codec shape)
 *           pid 'I'                   identity: subject key + 160 sealed
 *           pid 'S'                   per-person summary: 200 bytes
 *   index   'S' subject               -> pid
 *           'A' inst NUL hash         -> acct_id (pid << 16 | n)
 *           'E' inst NUL hash         -> acct_id, time: event idempotency
 * With --layout subject, the person keyspace is keyed by the 16-byte subject
 * key instead of pid and there is no 'S' index: the store as it is today.
 *
 * Everything about person p is drawn from a PRNG seeded by (seed, p), so a
 * person can be regenerated at any time without keeping state: the events
 * and reads pick a random pid and rebuild its shape.  "Sealed" bytes are
 * PRNG output (incompressible, as ciphertext is); keyed hashes are BLAKE2b.
 *
 * Usage:
 *   engine_proto run --engine lmdb|rocksdb|none --dir DIR --people N
 *                [--seed S] [--layout pid|subject] [--map-size BYTES]
 *                [--rocks-compaction level|universal] [--rocks-memtable-mib M]
 *                [--rocks-person-block BYTES] [--rocks-bottom zstd|lz4]
 *                [--rocks-no-memtable-bloom] [--rocks-wbwi-load]
 *   engine_proto fsync --dir DIR [--count N]
 * "run" prints the result line (and a "#" line of details) on stdout and
 * progress on stderr; "fsync" prints the fdatasync latency of DIR's disk.
 * "none" generates the records and stores nothing: the generator's cost.
 *
 * The RocksDB options are the candidate's (rk_cf_options) plus a memtable
 * bloom filter, the best of the variants the flags select: the load's
 * lookups, which all miss, no longer search the index memtable's skip list
 * (at 1M people, 1.06 -> 1.51 M records/s, medians of three runs).  On the
 * candidate options, universal compaction (0.95 M/s), 512 MiB memtables
 * (0.67 M/s) and 4 KiB person blocks with LZ4 at the bottom (0.95 M/s;
 * reads 20 us at p50 instead of 35, but 23.5 bytes per account-month
 * instead of 18.7) did no better.  --rocks-wbwi-load prices read-your-writes
 * in the load (an indexed batch: 0.66 M/s).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <lmdb.h>
#include <rocksdb/c.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#define BATCH_RECORDS (1u << 20)  /* records per durable commit in the load */
#define MAX_ACCTS 8
#define MAX_CONSENTS 8
#define MAX_MONTHS 60
#define SUBJ_LEN 16
#define HASH_LEN 16
#define INST_LEN 5
#define INSTITUTIONS 400
#define IDENT_SEALED_LEN 160
#define ACCT_PACKED_LEN 53
#define ACCT_SEALED_LEN 56
#define CONSENT_PACKED_LEN 13
#define CONSENT_EVIDENCE_LEN 32
#define EVENT_VAL_LEN 13
#define SUMMARY_LEN 200
#define KEY_MAX 64
#define VAL_MAX 1024
#define EVENT_BATCHES 100
#define EVENTS_PER_BATCH 1000
#define READS 20000
#define READ_WARMUP 1000
#define FSYNC_BLOCK 4096
#define LAST_MONTH (2026 * 12 + 5)       /* 2026-06, months since 0000-01 */
#define DAY_2019 17897u                  /* 2019-01-01, days since 1970 */
#define DAY_2026_06_30 20634u
#define EVENT_T0_US 1782864000000000ull  /* 2026-07-01T00:00Z */
#define MIB (1024ull * 1024)

_Static_assert(MAX_MONTHS <= 64, "the month bitmap of an account is a u64");
_Static_assert(2 + 12 * (1 + 5 * 5) < VAL_MAX, "a year fits a value buffer");

enum { KS_PERSON = 0, KS_INDEX = 1, KS_COUNT = 2 };
enum { LAYOUT_PID = 0, LAYOUT_SUBJECT = 1 };

struct cfg {
	const char *engine;
	const char *dir;
	uint64_t people;
	uint64_t seed;
	int layout;
	uint64_t map_size;
	bool rocks_universal;
	uint64_t rocks_memtable_mib;    /* 0: 128 MiB person, 64 MiB index */
	uint64_t rocks_person_block;
	bool rocks_bottom_lz4;
	bool rocks_memtable_bloom;
	bool rocks_wbwi_load;
	unsigned fsync_count;
};

struct rng {
	uint64_t s[4];
};

struct acct {
	uint16_t n;                     /* 1-based number within the person */
	char inst[INST_LEN];
	uint8_t hash[HASH_LEN];
	uint8_t product;                /* 1 instalment loan, 2 mortgage, 3 card */
	int32_t first_month;            /* months since 0000-01 */
	uint8_t months;                 /* span of the history, 1..60 */
	uint64_t present;               /* bit i: first_month + i reported */
	uint64_t principal_cents;
};

struct consent {
	uint32_t day;
	char inst[INST_LEN];
	uint8_t scope;
	uint8_t purpose;
};

struct person {
	uint64_t pid;
	uint8_t subject[SUBJ_LEN];
	unsigned naccts;
	unsigned nconsents;
	struct acct accts[MAX_ACCTS];
	struct consent consents[MAX_CONSENTS];
	uint64_t records;               /* lines of the furnishing file */
	uint64_t account_months;
	uint64_t person_keys;           /* keys in the person keyspace */
	struct rng rng;                 /* draws the values, in emission order */
};

struct foot {
	uint64_t bytes;                 /* the figure per account-month */
	uint64_t bytes_before;          /* RocksDB: before the final compaction */
	uint64_t file_bytes;            /* LMDB: allocated blocks of data.mdb */
	uint64_t free_pages;            /* LMDB: pages in the free list */
	double compact_s;
};

struct engine {
	const char *name;
	void *impl;
	void (*begin)(struct engine *e, bool rmw);
	bool (*get)(struct engine *e, int ks, const uint8_t *k, size_t kl,
		    uint8_t *v, size_t cap, size_t *vl);
	void (*put)(struct engine *e, int ks, const uint8_t *k, size_t kl,
		    const uint8_t *v, size_t vl, bool append);
	void (*commit)(struct engine *e);
	uint64_t (*scan)(struct engine *e, const uint8_t *pfx, size_t pl,
			 uint64_t *touch);
	void (*footprint)(struct engine *e, struct foot *f);
	void (*close)(struct engine *e);
};

struct bench {
	struct cfg cfg;
	struct engine eng;
	uint8_t hash_key[crypto_generichash_KEYBYTES];
	uint64_t hist_bytes;            /* bytes of the history values written */
	uint64_t touch;                 /* read bytes folded here, kept live */
};

struct usage {
	double wall_s;
	double cpu_s;
	uint64_t write_bytes;
};

struct load_stats {
	uint64_t records;
	uint64_t account_months;
	uint64_t commits;
	double rps;
	double rps_last10;
	struct usage use;
};

struct event_stats {
	double per_s;
	double batch_p50_ms;
	double batch_p99_ms;
	double batch_max_ms;
	struct usage use;
};

struct read_stats {
	double p50_us;
	double p90_us;
	double p99_us;
	double max_us;
	double keys_mean;
};

__attribute__((format(printf, 1, 2), noreturn))
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("engine_proto: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		die("clock_gettime: %s", strerror(errno));
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		die("getrusage: %s", strerror(errno));
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/*
 * Bytes written to the disk that holds the store, from the block layer's
 * counters (/sys/dev/block/M:m/stat, sectors written).  The whole disk is
 * counted, other writers included; /proc/self/io was tried and counts
 * LMDB's pwrite()s into its mapped file about ten times over.
 */
static char disk_stat_path[64];

static void disk_init(const char *dir)
{
	struct stat sb;

	if (stat(dir, &sb))
		die("stat %s: %s", dir, strerror(errno));
	snprintf(disk_stat_path, sizeof disk_stat_path,
		 "/sys/dev/block/%u:%u/stat", major(sb.st_dev),
		 minor(sb.st_dev));
}

static uint64_t disk_write_bytes(void)
{
	FILE *f = fopen(disk_stat_path, "r");
	unsigned long long v[7];
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "%llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6]);
	fclose(f);
	return n == 7 ? v[6] * 512 : 0;
}

static void usage_start(struct usage *u)
{
	u->wall_s = now_s();
	u->cpu_s = cpu_s();
	u->write_bytes = disk_write_bytes();
}

static void usage_stop(struct usage *u)
{
	u->wall_s = now_s() - u->wall_s;
	u->cpu_s = cpu_s() - u->cpu_s;
	u->write_bytes = disk_write_bytes() - u->write_bytes;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static double pct(const double *sorted, size_t n, double p)
{
	size_t rank = (size_t)(p * (double)n + 0.999999);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

/* ---- PRNG: xoshiro256** seeded through splitmix64 ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in [0, n), n > 0 (the tiny modulo bias does not matter here). */
static uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

static void rng_fill(struct rng *r, uint8_t *p, size_t len)
{
	while (len) {
		uint64_t x = rng_next(r);
		size_t n = len < 8 ? len : 8;

		memcpy(p, &x, n);
		p += n;
		len -= n;
	}
}

/* ---- encodings ---- */

static size_t put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return 2;
}

static size_t put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
	return 4;
}

static size_t put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
	return 8;
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* A 16-byte keyed BLAKE2b of (domain, a, b), as the store keys IDs. */
static void keyed_hash(const struct bench *b, uint8_t domain, uint64_t a,
		       uint64_t c, uint8_t out[HASH_LEN])
{
	uint8_t in[17];

	in[0] = domain;
	put_be64(in + 1, a);
	put_be64(in + 9, c);
	if (crypto_generichash(out, HASH_LEN, in, sizeof in, b->hash_key,
			       sizeof b->hash_key))
		die("crypto_generichash failed");
}

static void inst_code(struct rng *r, char out[INST_LEN])
{
	unsigned v = 1 + (unsigned)rng_below(r, INSTITUTIONS);

	out[0] = 'L';
	for (int i = 4; i >= 1; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* ---- the synthetic person ---- */

static unsigned count_hits(struct rng *r, unsigned trials, unsigned per_mille)
{
	unsigned hits = 0;

	for (unsigned i = 0; i < trials; i++)
		hits += rng_below(r, 1000) < per_mille;
	return hits;
}

/*
 * One account: history of 1..60 months, the smaller of two uniform draws
 * (mean 20.5), ending now for four accounts in five and up to three years
 * ago for closed ones; 2% of the months inside the span are missing.
 */
static void acct_make(const struct bench *b, struct person *p, unsigned i)
{
	struct acct *a = &p->accts[i];
	struct rng *r = &p->rng;
	unsigned s1 = 1 + (unsigned)rng_below(r, MAX_MONTHS);
	unsigned s2 = 1 + (unsigned)rng_below(r, MAX_MONTHS);
	int32_t end = LAST_MONTH;

	a->n = (uint16_t)(i + 1);
	inst_code(r, a->inst);
	keyed_hash(b, 1, p->pid, a->n, a->hash);
	a->product = (uint8_t)(1 + rng_below(r, 3));
	a->months = (uint8_t)(s1 < s2 ? s1 : s2);
	if (rng_below(r, 5) == 0)
		end -= (int32_t)rng_below(r, 36);
	a->first_month = end - a->months + 1;
	a->present = a->months == 64 ? ~0ull : (1ull << a->months) - 1;
	for (unsigned m = 1; m + 1 < a->months; m++)
		if (rng_below(r, 50) == 0)
			a->present &= ~(1ull << m);
	a->principal_cents = (uint64_t)(2000 + rng_below(r, 198000)) * 100;
	p->account_months += (uint64_t)__builtin_popcountll(a->present);
}

static unsigned acct_years(const struct acct *a)
{
	unsigned years = 0;
	int y_last = -1;

	for (unsigned m = 0; m < a->months; m++) {
		int y = (a->first_month + (int)m) / 12;

		if ((a->present >> m & 1) && y != y_last) {
			years++;
			y_last = y;
		}
	}
	return years;
}

static void consents_make(struct person *p)
{
	struct rng *r = &p->rng;

	p->nconsents = 2 + count_hits(r, 6, 500);
	for (unsigned i = 0; i < p->nconsents; i++) {
		struct consent *c = &p->consents[i];

		c->day = DAY_2019 + (uint32_t)rng_below(r, DAY_2026_06_30 - DAY_2019);
		inst_code(r, c->inst);
		c->scope = (uint8_t)rng_below(r, 2);
		c->purpose = (uint8_t)rng_below(r, 6);
	}
	/* Consent keys are date first: keep them in key order. */
	for (unsigned i = 1; i < p->nconsents; i++) {
		struct consent c = p->consents[i];
		unsigned j = i;

		for (; j > 0 && p->consents[j - 1].day > c.day; j--)
			p->consents[j] = p->consents[j - 1];
		p->consents[j] = c;
	}
}

/* Rebuild person pid's shape; p->rng is left ready to draw its values. */
static void person_make(const struct bench *b, uint64_t pid, struct person *p)
{
	uint64_t years = 0;

	memset(p, 0, sizeof *p);
	rng_seed(&p->rng, b->cfg.seed ^ (pid * 0xD1B54A32D192ED03ull));
	p->pid = pid;
	keyed_hash(b, 0, pid, 0, p->subject);
	p->naccts = 1 + count_hits(&p->rng, 7, 357);
	for (unsigned i = 0; i < p->naccts; i++) {
		acct_make(b, p, i);
		years += acct_years(&p->accts[i]);
	}
	consents_make(p);
	p->records = 1 + p->naccts + p->nconsents + p->account_months;
	p->person_keys = 1 + p->naccts + p->nconsents + years;
}

/* ---- keys and values ---- */

/* Person-keyspace key: the person's prefix, the tag, then rest. */
static size_t pkey(const struct bench *b, const struct person *p, char tag,
		   const uint8_t *rest, size_t rest_len, uint8_t *k)
{
	size_t n;

	if (b->cfg.layout == LAYOUT_PID) {
		n = put_be64(k, p->pid);
	} else {
		memcpy(k, p->subject, SUBJ_LEN);
		n = SUBJ_LEN;
	}
	k[n++] = (uint8_t)tag;
	if (rest_len)
		memcpy(k + n, rest, rest_len);
	return n + rest_len;
}

static size_t prefix_len(const struct bench *b)
{
	return b->cfg.layout == LAYOUT_PID ? 8 : SUBJ_LEN;
}

/* Index key 'A'/'E' inst NUL hash. */
static size_t ikey_inst(char tag, const char inst[INST_LEN],
			const uint8_t hash[HASH_LEN], uint8_t *k)
{
	k[0] = (uint8_t)tag;
	memcpy(k + 1, inst, INST_LEN);
	k[1 + INST_LEN] = 0;
	memcpy(k + 2 + INST_LEN, hash, HASH_LEN);
	return 2 + INST_LEN + HASH_LEN;
}

static uint64_t acct_id(const struct person *p, const struct acct *a)
{
	return p->pid << 16 | a->n;
}

/* The packed account (53 bytes, mostly small numbers) + sealed number. */
static size_t acct_value(struct person *p, const struct acct *a, uint8_t *v)
{
	struct rng *r = &p->rng;
	uint32_t opened = (uint32_t)(a->first_month - 1970 * 12) * 30 +
			  (uint32_t)rng_below(r, 28);
	uint16_t term = a->product == 2 ? 360 : a->product == 1 ? 36 : 0;
	size_t n = 0;

	memcpy(v, a->inst, INST_LEN);
	n += INST_LEN;
	v[n++] = a->product;
	v[n++] = rng_below(r, 10) ? 1 : 2;        /* open, closed */
	memcpy(v + n, "CNY", 3);
	n += 3;
	n += put_be32(v + n, opened);
	n += put_be32(v + n, 0);                   /* closed on */
	n += put_be64(v + n, a->product == 3 ? a->principal_cents : 0);
	n += put_be64(v + n, a->product == 3 ? 0 : a->principal_cents);
	n += put_be16(v + n, term);
	n += put_be16(v + n, (uint16_t)(300 + rng_below(r, 900)));
	v[n++] = 1;                                /* monthly */
	v[n++] = 0;                                /* co-lenders */
	n += put_be32(v + n, (uint32_t)(a->first_month + a->months - 1));
	v[n++] = (uint8_t)rng_below(r, 3);         /* guarantee kind */
	n += put_be64(v + n, term ? a->principal_cents / term : 0);
	if (n != ACCT_PACKED_LEN)
		die("packed account is %zu bytes", n);
	rng_fill(r, v + n, ACCT_SEALED_LEN);
	return n + ACCT_SEALED_LEN;
}

/* One month of history, in the store's codec shape: flags + varints. */
static size_t month_value(struct person *p, const struct acct *a, unsigned m,
			  uint8_t *v)
{
	struct rng *r = &p->rng;
	uint64_t balance, due;
	size_t n = 1;

	if (a->product == 3) {
		balance = rng_below(r, 8) ? rng_below(r, 2000000) : 0;
		due = balance / 10;
	} else {
		unsigned term = a->product == 2 ? 360 : 36;
		unsigned left = m < term ? term - m : 1;

		balance = a->principal_cents * left / term;
		due = a->principal_cents / term;
	}
	n += put_varint(v + n, balance);
	n += put_varint(v + n, due);
	if (rng_below(r, 20)) {
		v[0] = 0x70 | 1;                   /* on time, no overdue, no dpd */
		return n;
	}
	v[0] = 2;                                  /* late: paid, overdue, dpd */
	n += put_varint(v + n, due / 2);
	n += put_varint(v + n, due - due / 2);
	n += put_varint(v + n, 1 + rng_below(r, 90));
	return n;
}

/* Calendar year y of account a: u16 bitmap + months; 0 if none present. */
static size_t hist_year(struct person *p, const struct acct *a, int y,
			uint8_t *v)
{
	uint16_t bitmap = 0;
	size_t n = 2;

	for (int mo = 0; mo < 12; mo++) {
		int m = y * 12 + mo - a->first_month;

		if (m < 0 || m >= a->months || !(a->present >> m & 1))
			continue;
		bitmap |= (uint16_t)(1u << mo);
		n += month_value(p, a, (unsigned)m, v + n);
	}
	put_be16(v, bitmap);
	return bitmap ? n : 0;
}

static size_t consent_value(struct person *p, const struct consent *c,
			    uint8_t *v)
{
	size_t n = 0;

	memcpy(v, c->inst, INST_LEN);
	n += INST_LEN;
	v[n++] = c->scope;
	v[n++] = c->purpose;
	n += put_be32(v + n, c->day + 365);       /* expires */
	v[n++] = 0;                                /* revoked */
	v[n++] = 1;                                /* source: furnished */
	if (n != CONSENT_PACKED_LEN)
		die("packed consent is %zu bytes", n);
	rng_fill(&p->rng, v + n, CONSENT_EVIDENCE_LEN);
	return n + CONSENT_EVIDENCE_LEN;
}

/* ---- the bulk load ---- */

static void emit_history(struct bench *b, struct person *p,
			 const struct acct *a, bool append)
{
	uint8_t k[KEY_MAX], v[VAL_MAX], rest[4];
	int y0 = a->first_month / 12;
	int y1 = (a->first_month + a->months - 1) / 12;

	for (int y = y0; y <= y1; y++) {
		size_t vl = hist_year(p, a, y, v);

		if (!vl)
			continue;
		put_be16(rest, a->n);
		put_be16(rest + 2, (uint16_t)y);
		b->eng.put(&b->eng, KS_PERSON, k, pkey(b, p, 'H', rest, 4, k),
			   v, vl, append);
		b->hist_bytes += vl;
	}
}

/* Every record of p into the person keyspace, in key order. */
static void emit_person(struct bench *b, struct person *p, bool append)
{
	uint8_t k[KEY_MAX], v[VAL_MAX], rest[8];
	size_t vl;

	for (unsigned i = 0; i < p->naccts; i++) {
		put_be16(rest, p->accts[i].n);
		vl = acct_value(p, &p->accts[i], v);
		b->eng.put(&b->eng, KS_PERSON, k, pkey(b, p, 'A', rest, 2, k),
			   v, vl, append);
	}
	for (unsigned i = 0; i < p->nconsents; i++) {
		put_be32(rest, p->consents[i].day);
		put_be32(rest + 4, i);
		vl = consent_value(p, &p->consents[i], v);
		b->eng.put(&b->eng, KS_PERSON, k, pkey(b, p, 'C', rest, 8, k),
			   v, vl, append);
	}
	for (unsigned i = 0; i < p->naccts; i++)
		emit_history(b, p, &p->accts[i], append);
	memcpy(v, p->subject, SUBJ_LEN);
	rng_fill(&p->rng, v + SUBJ_LEN, IDENT_SEALED_LEN);
	b->eng.put(&b->eng, KS_PERSON, k, pkey(b, p, 'I', NULL, 0, k), v,
		   SUBJ_LEN + IDENT_SEALED_LEN, append);
}

/* The lookups a new person costs (all miss), then its records and index. */
static void load_person(struct bench *b, struct person *p)
{
	struct engine *e = &b->eng;
	uint8_t k[KEY_MAX], v[VAL_MAX];
	size_t kl, vl;
	bool append = b->cfg.layout == LAYOUT_PID;

	if (b->cfg.layout == LAYOUT_PID) {
		k[0] = 'S';
		memcpy(k + 1, p->subject, SUBJ_LEN);
		kl = 1 + SUBJ_LEN;
		if (e->get(e, KS_INDEX, k, kl, v, sizeof v, &vl))
			die("person %" PRIu64 " already in the index", p->pid);
	} else if (e->get(e, KS_PERSON, v, pkey(b, p, 'I', NULL, 0, v), k,
			  sizeof k, &vl)) {
		die("person %" PRIu64 " already stored", p->pid);
	}
	for (unsigned i = 0; i < p->naccts; i++) {
		kl = ikey_inst('A', p->accts[i].inst, p->accts[i].hash, k);
		if (e->get(e, KS_INDEX, k, kl, v, sizeof v, &vl))
			die("account %" PRIu64 "/%u exists", p->pid, i + 1);
	}
	emit_person(b, p, append);
	if (b->cfg.layout == LAYOUT_PID) {
		k[0] = 'S';
		memcpy(k + 1, p->subject, SUBJ_LEN);
		put_be64(v, p->pid);
		e->put(e, KS_INDEX, k, 1 + SUBJ_LEN, v, 8, false);
	}
	for (unsigned i = 0; i < p->naccts; i++) {
		kl = ikey_inst('A', p->accts[i].inst, p->accts[i].hash, k);
		put_be64(v, acct_id(p, &p->accts[i]));
		e->put(e, KS_INDEX, k, kl, v, 8, false);
	}
}

static void load_progress(const char *name, unsigned decile, uint64_t pid,
			  uint64_t records, double rps_last, double rps_all,
			  double elapsed_s)
{
	fprintf(stderr,
		"load %s: %3u%% people=%" PRIu64 " records=%" PRIu64
		" last10_rps=%.0f overall_rps=%.0f elapsed_s=%.1f\n",
		name, decile * 10, pid, records, rps_last, rps_all, elapsed_s);
}

/* People in pid order, a durable commit every BATCH_RECORDS records. */
static void bulk_load(struct bench *b, struct load_stats *ls)
{
	struct person p;
	uint64_t n = b->cfg.people, pending = 0, rec_mark = 0;
	unsigned decile = 1;
	double t_mark;

	memset(ls, 0, sizeof *ls);
	usage_start(&ls->use);
	t_mark = now_s();
	b->eng.begin(&b->eng, b->cfg.rocks_wbwi_load);
	for (uint64_t pid = 1; pid <= n; pid++) {
		person_make(b, pid, &p);
		load_person(b, &p);
		ls->records += p.records;
		ls->account_months += p.account_months;
		pending += p.records;
		if (pending >= BATCH_RECORDS || pid == n) {
			b->eng.commit(&b->eng);
			ls->commits++;
			pending = 0;
			if (pid < n)
				b->eng.begin(&b->eng, b->cfg.rocks_wbwi_load);
		}
		if (pid == n * decile / 10) {
			double t = now_s();
			double rps = (double)(ls->records - rec_mark) / (t - t_mark);

			load_progress(b->eng.name, decile, pid, ls->records, rps,
				      (double)ls->records / (t - ls->use.wall_s),
				      t - ls->use.wall_s);
			ls->rps_last10 = rps;
			rec_mark = ls->records;
			t_mark = t;
			decile++;
		}
	}
	usage_stop(&ls->use);
	ls->rps = (double)ls->records / ls->use.wall_s;
}

/* ---- random durable events ---- */

/* The 200-byte summary: event count, last time, amount sum, then slots. */
static void summary_update(const struct person *p, const uint8_t *old,
			   size_t old_len, uint64_t time_us, uint64_t amount,
			   uint8_t *v)
{
	if (old && old_len == SUMMARY_LEN) {
		memcpy(v, old, SUMMARY_LEN);
	} else {
		memset(v, 0, SUMMARY_LEN);
		for (unsigned i = 0; i < p->naccts; i++)
			v[32 + 8 * i] = (uint8_t)p->accts[i].n;
	}
	put_be64(v, get_be64(v) + 1);
	put_be64(v + 8, time_us);
	put_be64(v + 16, get_be64(v + 16) + amount);
}

static void one_event(struct bench *b, struct rng *r, uint64_t seq)
{
	struct engine *e = &b->eng;
	struct person p;
	uint8_t k[KEY_MAX], v[VAL_MAX], old[VAL_MAX], hash[HASH_LEN], rest[26];
	uint64_t time_us = EVENT_T0_US + seq * 1000, amount;
	size_t kl, vl;
	const struct acct *a;
	bool found;

	person_make(b, 1 + rng_below(r, b->cfg.people), &p);
	a = &p.accts[rng_below(r, p.naccts)];
	keyed_hash(b, 2, seq, 0, hash);
	kl = ikey_inst('E', a->inst, hash, k);
	if (e->get(e, KS_INDEX, k, kl, v, sizeof v, &vl))
		die("event %" PRIu64 " already known", seq);
	put_be64(v, acct_id(&p, a));
	put_be64(v + 8, time_us);
	e->put(e, KS_INDEX, k, kl, v, 16, false);

	amount = rng_below(r, 500000);
	put_be16(rest, a->n);
	put_be64(rest + 2, time_us);
	memcpy(rest + 10, hash, HASH_LEN);
	v[0] = (uint8_t)(1 + rng_below(r, 4));    /* kind */
	put_be64(v + 1, amount);
	put_be16(v + 9, 0);                        /* dpd */
	put_be16(v + 11, 0);                       /* flags */
	e->put(e, KS_PERSON, k, pkey(b, &p, 'E', rest, 26, k), v,
	       EVENT_VAL_LEN, false);

	kl = pkey(b, &p, 'S', NULL, 0, k);
	found = e->get(e, KS_PERSON, k, kl, old, sizeof old, &vl);
	summary_update(&p, found ? old : NULL, found ? vl : 0, time_us, amount,
		       v);
	e->put(e, KS_PERSON, k, kl, v, SUMMARY_LEN, false);
}

static void events_run(struct bench *b, struct event_stats *es)
{
	double bt[EVENT_BATCHES];
	struct rng r;
	uint64_t seq = 0;

	rng_seed(&r, b->cfg.seed ^ 0xE7E27E27E27E27E2ull);
	usage_start(&es->use);
	for (unsigned i = 0; i < EVENT_BATCHES; i++) {
		double t0 = now_s();

		b->eng.begin(&b->eng, true);
		for (unsigned j = 0; j < EVENTS_PER_BATCH; j++)
			one_event(b, &r, seq++);
		b->eng.commit(&b->eng);
		bt[i] = now_s() - t0;
	}
	usage_stop(&es->use);
	qsort(bt, EVENT_BATCHES, sizeof bt[0], cmp_double);
	es->batch_p50_ms = pct(bt, EVENT_BATCHES, 0.50) * 1e3;
	es->batch_p99_ms = pct(bt, EVENT_BATCHES, 0.99) * 1e3;
	es->batch_max_ms = bt[EVENT_BATCHES - 1] * 1e3;
	es->per_s = EVENTS_PER_BATCH / pct(bt, EVENT_BATCHES, 0.50);
}

/* ---- random person reads ---- */

static void reads_run(struct bench *b, struct read_stats *rs)
{
	double *lat = malloc(READS * sizeof *lat);
	struct person p;
	struct rng r;
	uint8_t pfx[KEY_MAX];
	uint64_t keys = 0;

	if (!lat)
		die("out of memory");
	rng_seed(&r, b->cfg.seed ^ 0x4EAD4EAD4EAD4EADull);
	for (unsigned i = 0; i < READ_WARMUP + READS; i++) {
		uint64_t n;
		double t0;
		size_t pl;

		person_make(b, 1 + rng_below(&r, b->cfg.people), &p);
		pl = pkey(b, &p, 'A', NULL, 0, pfx) - 1;
		t0 = now_s();
		n = b->eng.scan(&b->eng, pfx, pl, &b->touch);
		if (i >= READ_WARMUP) {
			lat[i - READ_WARMUP] = (now_s() - t0) * 1e6;
			keys += n;
		}
		if (n < p.person_keys)
			die("person %" PRIu64 ": %" PRIu64 " keys, expected %"
			    PRIu64, p.pid, n, p.person_keys);
	}
	qsort(lat, READS, sizeof lat[0], cmp_double);
	rs->p50_us = pct(lat, READS, 0.50);
	rs->p90_us = pct(lat, READS, 0.90);
	rs->p99_us = pct(lat, READS, 0.99);
	rs->max_us = lat[READS - 1];
	rs->keys_mean = (double)keys / READS;
	free(lat);
}

/* ---- LMDB ---- */

struct lm {
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi[KS_COUNT];
	char dir[4096];
};

static void lm_check(int rc, const char *what)
{
	if (rc)
		die("lmdb %s: %s", what, mdb_strerror(rc));
}

static void lm_begin(struct engine *e, bool rmw)
{
	struct lm *l = e->impl;

	(void)rmw;
	lm_check(mdb_txn_begin(l->env, NULL, 0, &l->txn), "txn_begin");
}

static bool lm_get(struct engine *e, int ks, const uint8_t *k, size_t kl,
		   uint8_t *v, size_t cap, size_t *vl)
{
	struct lm *l = e->impl;
	MDB_val key = { kl, (void *)k }, val;
	int rc = mdb_get(l->txn, l->dbi[ks], &key, &val);

	if (rc == MDB_NOTFOUND)
		return false;
	lm_check(rc, "get");
	*vl = val.mv_size;
	memcpy(v, val.mv_data, val.mv_size < cap ? val.mv_size : cap);
	return true;
}

static void lm_put(struct engine *e, int ks, const uint8_t *k, size_t kl,
		   const uint8_t *v, size_t vl, bool append)
{
	struct lm *l = e->impl;
	MDB_val key = { kl, (void *)k }, val = { vl, (void *)v };

	lm_check(mdb_put(l->txn, l->dbi[ks], &key, &val,
			 append ? MDB_APPEND : 0), "put");
}

static void lm_commit(struct engine *e)
{
	struct lm *l = e->impl;

	lm_check(mdb_txn_commit(l->txn), "commit");
	l->txn = NULL;
}

static uint64_t lm_scan(struct engine *e, const uint8_t *pfx, size_t pl,
			uint64_t *touch)
{
	struct lm *l = e->impl;
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k = { pl, (void *)pfx }, v;
	uint64_t n = 0;
	int rc;

	lm_check(mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn), "read txn");
	lm_check(mdb_cursor_open(txn, l->dbi[KS_PERSON], &c), "cursor_open");
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	while (!rc && k.mv_size >= pl && !memcmp(k.mv_data, pfx, pl)) {
		const uint8_t *d = v.mv_data;

		*touch += d[0] + d[v.mv_size - 1] + v.mv_size;
		n++;
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	if (rc && rc != MDB_NOTFOUND)
		lm_check(rc, "cursor_get");
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	return n;
}

static uint64_t lm_free_pages(struct lm *l)
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	uint64_t pages = 0;
	int rc;

	lm_check(mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn), "read txn");
	lm_check(mdb_cursor_open(txn, 0, &c), "free cursor");
	while (!(rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))) {
		size_t count;

		memcpy(&count, v.mv_data, sizeof count);
		pages += count;
	}
	if (rc != MDB_NOTFOUND)
		lm_check(rc, "free list walk");
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	return pages;
}

static void lm_db_stats(struct lm *l)
{
	static const char *const names[KS_COUNT] = { "person", "index" };
	MDB_txn *txn;
	MDB_stat st;

	lm_check(mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn), "read txn");
	for (int i = 0; i < KS_COUNT; i++) {
		lm_check(mdb_stat(txn, l->dbi[i], &st), "stat");
		fprintf(stderr,
			"lmdb db=%s entries=%zu depth=%u branch_pages=%zu"
			" leaf_pages=%zu overflow_pages=%zu\n", names[i],
			st.ms_entries, st.ms_depth, st.ms_branch_pages,
			st.ms_leaf_pages, st.ms_overflow_pages);
	}
	mdb_txn_abort(txn);
}

static void lm_footprint(struct engine *e, struct foot *f)
{
	struct lm *l = e->impl;
	MDB_envinfo info;
	MDB_stat st;
	struct stat sb;
	char path[4200];

	lm_check(mdb_env_info(l->env, &info), "env_info");
	lm_check(mdb_env_stat(l->env, &st), "env_stat");
	f->bytes = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
	f->bytes_before = f->bytes;
	snprintf(path, sizeof path, "%s/data.mdb", l->dir);
	if (stat(path, &sb))
		die("stat %s: %s", path, strerror(errno));
	f->file_bytes = (uint64_t)sb.st_blocks * 512;
	f->free_pages = lm_free_pages(l);
	lm_db_stats(l);
}

static void lm_close(struct engine *e)
{
	struct lm *l = e->impl;

	if (l->txn)
		mdb_txn_abort(l->txn);
	mdb_env_close(l->env);
	free(l);
}

static void lm_open(struct bench *b)
{
	struct lm *l = calloc(1, sizeof *l);
	static const char *const names[KS_COUNT] = { "person", "index" };
	MDB_txn *txn;

	if (!l)
		die("out of memory");
	snprintf(l->dir, sizeof l->dir, "%s", b->cfg.dir);
	lm_check(mdb_env_create(&l->env), "env_create");
	lm_check(mdb_env_set_maxdbs(l->env, 4), "set_maxdbs");
	lm_check(mdb_env_set_mapsize(l->env, b->cfg.map_size), "set_mapsize");
	lm_check(mdb_env_open(l->env, b->cfg.dir, MDB_NOTLS, 0600), "env_open");
	lm_check(mdb_txn_begin(l->env, NULL, 0, &txn), "txn_begin");
	for (int i = 0; i < KS_COUNT; i++)
		lm_check(mdb_dbi_open(txn, names[i], MDB_CREATE, &l->dbi[i]),
			 "dbi_open");
	lm_check(mdb_txn_commit(txn), "commit");
	b->eng = (struct engine){
		.name = "lmdb", .impl = l, .begin = lm_begin, .get = lm_get,
		.put = lm_put, .commit = lm_commit, .scan = lm_scan,
		.footprint = lm_footprint, .close = lm_close,
	};
}

/* ---- RocksDB ---- */

enum { RK_DEFAULT = 0, RK_PERSON = 1, RK_INDEX = 2, RK_CFS = 3 };

struct rk {
	rocksdb_t *db;
	rocksdb_column_family_handle_t *cf[RK_CFS];
	rocksdb_options_t *opts[RK_CFS];
	rocksdb_cache_t *cache;
	rocksdb_writeoptions_t *wo;
	rocksdb_readoptions_t *ro;
	rocksdb_readoptions_t *ro_scan;
	rocksdb_writebatch_t *wb;
	rocksdb_writebatch_wi_t *wbi;
	bool use_wbi;
	char dir[4096];
};

static void rk_check(char *err, const char *what)
{
	if (err)
		die("rocksdb %s: %s", what, err);
}

static rocksdb_column_family_handle_t *rk_cf(struct rk *r, int ks)
{
	return r->cf[ks == KS_PERSON ? RK_PERSON : RK_INDEX];
}

static void rk_begin(struct engine *e, bool rmw)
{
	struct rk *r = e->impl;

	r->use_wbi = rmw;
	rocksdb_writebatch_clear(r->wb);
	rocksdb_writebatch_wi_clear(r->wbi);
}

/*
 * A get in a batch that needs read-your-writes (the events' summary
 * read-modify-write) goes through the indexed batch; the bulk load's
 * lookups only ever miss, so they read the database alone.
 */
static bool rk_get(struct engine *e, int ks, const uint8_t *k, size_t kl,
		   uint8_t *v, size_t cap, size_t *vl)
{
	struct rk *r = e->impl;
	char *err = NULL;

	if (r->use_wbi) {
		char *val = rocksdb_writebatch_wi_get_from_batch_and_db_cf(
			r->wbi, r->db, r->ro, rk_cf(r, ks), (const char *)k, kl,
			vl, &err);

		rk_check(err, "get (batch and db)");
		if (!val)
			return false;
		memcpy(v, val, *vl < cap ? *vl : cap);
		rocksdb_free(val);
		return true;
	}
	rocksdb_pinnableslice_t *ps = rocksdb_get_pinned_cf(
		r->db, r->ro, rk_cf(r, ks), (const char *)k, kl, &err);
	rk_check(err, "get");
	if (!ps)
		return false;
	const char *val = rocksdb_pinnableslice_value(ps, vl);
	memcpy(v, val, *vl < cap ? *vl : cap);
	rocksdb_pinnableslice_destroy(ps);
	return true;
}

static void rk_put(struct engine *e, int ks, const uint8_t *k, size_t kl,
		   const uint8_t *v, size_t vl, bool append)
{
	struct rk *r = e->impl;

	(void)append;
	if (r->use_wbi)
		rocksdb_writebatch_wi_put_cf(r->wbi, rk_cf(r, ks),
					     (const char *)k, kl,
					     (const char *)v, vl);
	else
		rocksdb_writebatch_put_cf(r->wb, rk_cf(r, ks), (const char *)k,
					  kl, (const char *)v, vl);
}

static void rk_commit(struct engine *e)
{
	struct rk *r = e->impl;
	char *err = NULL;

	if (r->use_wbi)
		rocksdb_write_writebatch_wi(r->db, r->wo, r->wbi, &err);
	else
		rocksdb_write(r->db, r->wo, r->wb, &err);
	rk_check(err, "write");
	rocksdb_writebatch_clear(r->wb);
	rocksdb_writebatch_wi_clear(r->wbi);
}

static uint64_t rk_scan(struct engine *e, const uint8_t *pfx, size_t pl,
			uint64_t *touch)
{
	struct rk *r = e->impl;
	rocksdb_iterator_t *it;
	uint64_t n = 0;
	char *err = NULL;

	it = rocksdb_create_iterator_cf(r->db, r->ro_scan, r->cf[RK_PERSON]);
	rocksdb_iter_seek(it, (const char *)pfx, pl);
	while (rocksdb_iter_valid(it)) {
		size_t kl, vl;
		const char *k = rocksdb_iter_key(it, &kl);
		const uint8_t *d;

		if (kl < pl || memcmp(k, pfx, pl))
			break;
		d = (const uint8_t *)rocksdb_iter_value(it, &vl);
		*touch += d[0] + d[vl - 1] + vl;
		n++;
		rocksdb_iter_next(it);
	}
	rocksdb_iter_get_error(it, &err);
	rk_check(err, "iterator");
	rocksdb_iter_destroy(it);
	return n;
}

/* Allocated bytes of the files of dir, the info LOG files left out. */
static uint64_t dir_bytes(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	uint64_t total = 0;

	if (!d)
		die("opendir %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		struct stat sb;

		if (de->d_name[0] == '.' || !strncmp(de->d_name, "LOG", 3))
			continue;
		if (fstatat(dirfd(d), de->d_name, &sb, 0))
			die("stat %s/%s: %s", dir, de->d_name, strerror(errno));
		if (S_ISREG(sb.st_mode))
			total += (uint64_t)sb.st_blocks * 512;
	}
	closedir(d);
	return total;
}

static void rk_print_property(struct rk *r, int cf, const char *prop)
{
	char *s = rocksdb_property_value_cf(r->db, r->cf[cf], prop);

	if (s) {
		fprintf(stderr, "---- %s (cf %d)\n%s\n", prop, cf, s);
		rocksdb_free(s);
	}
}

static void rk_footprint(struct engine *e, struct foot *f)
{
	struct rk *r = e->impl;
	rocksdb_flushoptions_t *fo = rocksdb_flushoptions_create();
	char *err = NULL;
	double t0;

	f->bytes_before = dir_bytes(r->dir);
	rk_print_property(r, RK_PERSON, "rocksdb.stats");
	rk_print_property(r, RK_INDEX, "rocksdb.cfstats-no-file-histogram");
	t0 = now_s();
	rocksdb_flushoptions_set_wait(fo, 1);
	for (int i = RK_PERSON; i <= RK_INDEX; i++) {
		rocksdb_flush_cf(r->db, fo, r->cf[i], &err);
		rk_check(err, "flush");
		rocksdb_compact_range_cf(r->db, r->cf[i], NULL, 0, NULL, 0);
	}
	rocksdb_flushoptions_destroy(fo);
	f->compact_s = now_s() - t0;
	f->bytes = dir_bytes(r->dir);
	f->file_bytes = f->bytes;
	rk_print_property(r, RK_PERSON, "rocksdb.levelstats");
	rk_print_property(r, RK_INDEX, "rocksdb.levelstats");
}

static void rk_close(struct engine *e)
{
	struct rk *r = e->impl;

	for (int i = 0; i < RK_CFS; i++)
		rocksdb_column_family_handle_destroy(r->cf[i]);
	rocksdb_close(r->db);
	for (int i = 0; i < RK_CFS; i++)
		rocksdb_options_destroy(r->opts[i]);
	rocksdb_writebatch_destroy(r->wb);
	rocksdb_writebatch_wi_destroy(r->wbi);
	rocksdb_writeoptions_destroy(r->wo);
	rocksdb_readoptions_destroy(r->ro);
	rocksdb_readoptions_destroy(r->ro_scan);
	rocksdb_cache_destroy(r->cache);
	free(r);
}

/* Options of the person or index column family (the brief's table). */
static rocksdb_options_t *rk_cf_options(struct rk *r, const struct cfg *c,
					int cf, size_t pfx_len)
{
	rocksdb_options_t *o = rocksdb_options_create();
	rocksdb_block_based_table_options_t *t =
		rocksdb_block_based_options_create();
	uint64_t mem = cf == RK_PERSON ? 128 * MIB : 64 * MIB;

	if (c->rocks_memtable_mib)
		mem = c->rocks_memtable_mib * MIB;
	rocksdb_block_based_options_set_block_size(t, cf == RK_PERSON ?
						   c->rocks_person_block : 4096);
	rocksdb_block_based_options_set_block_cache(t, r->cache);
	/* The table options own the filter policy from here on. */
	rocksdb_block_based_options_set_filter_policy(
		t, rocksdb_filterpolicy_create_bloom_full(10));
	rocksdb_block_based_options_set_whole_key_filtering(t, 1);
	rocksdb_options_set_block_based_table_factory(o, t);
	rocksdb_block_based_options_destroy(t);
	rocksdb_options_set_write_buffer_size(o, mem);
	rocksdb_options_set_compression(o, rocksdb_lz4_compression);
	rocksdb_options_set_level_compaction_dynamic_level_bytes(o, 1);
	if (cf == RK_PERSON) {
		rocksdb_options_set_bottommost_compression(
			o, c->rocks_bottom_lz4 ? rocksdb_lz4_compression :
			rocksdb_zstd_compression);
		/* The options own the prefix extractor from here on. */
		rocksdb_options_set_prefix_extractor(
			o, rocksdb_slicetransform_create_fixed_prefix(pfx_len));
	}
	if (c->rocks_memtable_bloom) {
		rocksdb_options_set_memtable_prefix_bloom_size_ratio(o, 0.1);
		rocksdb_options_set_memtable_whole_key_filtering(o, 1);
	}
	if (c->rocks_universal)
		rocksdb_options_set_compaction_style(
			o, rocksdb_universal_compaction);
	return o;
}

static void rk_open(struct bench *b)
{
	static const char *const names[RK_CFS] = { "default", "person",
						   "index" };
	struct rk *r = calloc(1, sizeof *r);
	char *err = NULL;

	if (!r)
		die("out of memory");
	snprintf(r->dir, sizeof r->dir, "%s", b->cfg.dir);
	r->cache = rocksdb_cache_create_lru(512 * MIB);
	r->opts[RK_DEFAULT] = rocksdb_options_create();
	rocksdb_options_set_create_if_missing(r->opts[RK_DEFAULT], 1);
	rocksdb_options_set_create_missing_column_families(r->opts[RK_DEFAULT],
							   1);
	rocksdb_options_increase_parallelism(r->opts[RK_DEFAULT], 2);
	rocksdb_options_set_max_background_jobs(r->opts[RK_DEFAULT], 2);
	for (int i = RK_PERSON; i <= RK_INDEX; i++)
		r->opts[i] = rk_cf_options(r, &b->cfg, i, prefix_len(b));
	r->db = rocksdb_open_column_families(
		r->opts[RK_DEFAULT], b->cfg.dir, RK_CFS, names,
		(const rocksdb_options_t *const *)r->opts, r->cf, &err);
	rk_check(err, "open");
	r->wo = rocksdb_writeoptions_create();
	rocksdb_writeoptions_set_sync(r->wo, 1);
	r->ro = rocksdb_readoptions_create();
	r->ro_scan = rocksdb_readoptions_create();
	rocksdb_readoptions_set_prefix_same_as_start(r->ro_scan, 1);
	r->wb = rocksdb_writebatch_create();
	r->wbi = rocksdb_writebatch_wi_create(0, 1);
	b->eng = (struct engine){
		.name = "rocksdb", .impl = r, .begin = rk_begin, .get = rk_get,
		.put = rk_put, .commit = rk_commit, .scan = rk_scan,
		.footprint = rk_footprint, .close = rk_close,
	};
}

/* ---- no engine: the generator's own cost ---- */

static void nil_begin(struct engine *e, bool rmw)
{
	(void)e;
	(void)rmw;
}

static bool nil_get(struct engine *e, int ks, const uint8_t *k, size_t kl,
		    uint8_t *v, size_t cap, size_t *vl)
{
	(void)e, (void)ks, (void)k, (void)kl, (void)v, (void)cap, (void)vl;
	return false;
}

static void nil_put(struct engine *e, int ks, const uint8_t *k, size_t kl,
		    const uint8_t *v, size_t vl, bool append)
{
	(void)e, (void)ks, (void)k, (void)kl, (void)v, (void)vl, (void)append;
}

static void nil_commit(struct engine *e)
{
	(void)e;
}

static void nil_close(struct engine *e)
{
	(void)e;
}

static void nil_open(struct bench *b)
{
	b->eng = (struct engine){
		.name = "none", .begin = nil_begin, .get = nil_get,
		.put = nil_put, .commit = nil_commit, .close = nil_close,
	};
}

/* ---- driver ---- */

static void print_results(const struct bench *b, const struct load_stats *ls,
			  const struct foot *f, const struct event_stats *es,
			  const struct read_stats *rs, double total_s)
{
	double am = (double)ls->account_months;

	printf("engine=%s people=%" PRIu64 " records=%" PRIu64
	       " account_months=%" PRIu64 " load_rps=%.0f load_rps_last10=%.0f"
	       " bytes=%" PRIu64 " bytes_per_am=%.2f events_per_s=%.0f"
	       " event_batch_p99_ms=%.1f read_p50_us=%.1f read_p99_us=%.1f\n",
	       b->eng.name, b->cfg.people, ls->records, ls->account_months,
	       ls->rps, ls->rps_last10, f->bytes, (double)f->bytes / am,
	       es->per_s, es->batch_p99_ms, rs->p50_us, rs->p99_us);
	printf("# engine=%s people=%" PRIu64 " layout=%s", b->eng.name,
	       b->cfg.people, b->cfg.layout == LAYOUT_PID ? "pid" : "subject");
	if (!strcmp(b->eng.name, "rocksdb"))
		printf(" compaction=%s memtable_mib=%" PRIu64 " person_block=%"
		       PRIu64 " bottom=%s memtable_bloom=%d wbwi_load=%d",
		       b->cfg.rocks_universal ? "universal" : "level",
		       b->cfg.rocks_memtable_mib, b->cfg.rocks_person_block,
		       b->cfg.rocks_bottom_lz4 ? "lz4" : "zstd",
		       b->cfg.rocks_memtable_bloom, b->cfg.rocks_wbwi_load);
	printf(" load_s=%.1f load_cpu_s=%.1f load_disk_write_bytes=%" PRIu64
	       " commits=%" PRIu64 " hist_bytes_per_am=%.2f"
	       " bytes_before_compaction=%" PRIu64 " compact_s=%.1f"
	       " file_bytes=%" PRIu64 " free_pages=%" PRIu64
	       " event_batch_p50_ms=%.1f event_batch_max_ms=%.1f"
	       " events_disk_write_bytes=%" PRIu64 " read_p90_us=%.1f"
	       " read_max_us=%.1f read_keys_mean=%.1f total_s=%.1f\n",
	       ls->use.wall_s, ls->use.cpu_s, ls->use.write_bytes, ls->commits,
	       (double)b->hist_bytes / am, f->bytes_before, f->compact_s,
	       f->file_bytes, f->free_pages, es->batch_p50_ms,
	       es->batch_max_ms, es->use.write_bytes, rs->p90_us, rs->max_us,
	       rs->keys_mean, total_s);
	fflush(stdout);
}

static void run(struct bench *b)
{
	struct load_stats ls;
	struct foot f = { 0 };
	struct event_stats es = { 0 };
	struct read_stats rs = { 0 };
	double t0 = now_s();

	if (!strcmp(b->cfg.engine, "lmdb"))
		lm_open(b);
	else if (!strcmp(b->cfg.engine, "rocksdb"))
		rk_open(b);
	else
		nil_open(b);
	bulk_load(b, &ls);
	if (b->eng.footprint) {
		b->eng.footprint(&b->eng, &f);
		fprintf(stderr, "footprint %s: bytes=%" PRIu64 " before=%" PRIu64
			" compact_s=%.1f\n", b->eng.name, f.bytes,
			f.bytes_before, f.compact_s);
		events_run(b, &es);
		fprintf(stderr, "events %s: per_s=%.0f p99_ms=%.1f\n",
			b->eng.name, es.per_s, es.batch_p99_ms);
		reads_run(b, &rs);
	}
	print_results(b, &ls, &f, &es, &rs, now_s() - t0);
	b->eng.close(&b->eng);
}

/* fdatasync after a 4 KiB write: appending (a log) and in place (a page). */
static void fsync_run(const struct cfg *c)
{
	char path[4200];
	uint8_t buf[FSYNC_BLOCK];
	double *lat = calloc(2 * (size_t)c->fsync_count, sizeof *lat);
	struct rng r;
	int fd;

	if (!lat)
		die("out of memory");
	rng_seed(&r, 1);
	rng_fill(&r, buf, sizeof buf);
	snprintf(path, sizeof path, "%s/fsync.probe", c->dir);
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	for (unsigned i = 0; i < 2 * c->fsync_count; i++) {
		bool append = i < c->fsync_count;
		off_t off = append ? (off_t)i * FSYNC_BLOCK : 0;
		double t0 = now_s();

		if (pwrite(fd, buf, sizeof buf, off) != (ssize_t)sizeof buf)
			die("pwrite %s: %s", path, strerror(errno));
		if (fdatasync(fd))
			die("fdatasync %s: %s", path, strerror(errno));
		lat[i] = (now_s() - t0) * 1e6;
	}
	if (close(fd) || unlink(path))
		die("close/unlink %s: %s", path, strerror(errno));
	qsort(lat, c->fsync_count, sizeof *lat, cmp_double);
	qsort(lat + c->fsync_count, c->fsync_count, sizeof *lat, cmp_double);
	printf("fdatasync dir=%s count=%u append_p50_us=%.0f append_p99_us=%.0f"
	       " overwrite_p50_us=%.0f overwrite_p99_us=%.0f\n", c->dir,
	       c->fsync_count, pct(lat, c->fsync_count, 0.5),
	       pct(lat, c->fsync_count, 0.99),
	       pct(lat + c->fsync_count, c->fsync_count, 0.5),
	       pct(lat + c->fsync_count, c->fsync_count, 0.99));
	free(lat);
}

static uint64_t parse_u64(const char *s, const char *opt)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		die("%s wants a number, not '%s'", opt, s);
	return v;
}

static void parse_opt(struct cfg *c, const char *opt, const char *val)
{
	if (!strcmp(opt, "--engine"))
		c->engine = val;
	else if (!strcmp(opt, "--dir"))
		c->dir = val;
	else if (!strcmp(opt, "--people"))
		c->people = parse_u64(val, opt);
	else if (!strcmp(opt, "--seed"))
		c->seed = parse_u64(val, opt);
	else if (!strcmp(opt, "--layout"))
		c->layout = !strcmp(val, "subject") ? LAYOUT_SUBJECT : LAYOUT_PID;
	else if (!strcmp(opt, "--map-size"))
		c->map_size = parse_u64(val, opt);
	else if (!strcmp(opt, "--rocks-compaction"))
		c->rocks_universal = !strcmp(val, "universal");
	else if (!strcmp(opt, "--rocks-memtable-mib"))
		c->rocks_memtable_mib = parse_u64(val, opt);
	else if (!strcmp(opt, "--rocks-person-block"))
		c->rocks_person_block = parse_u64(val, opt);
	else if (!strcmp(opt, "--rocks-bottom"))
		c->rocks_bottom_lz4 = !strcmp(val, "lz4");
	else if (!strcmp(opt, "--count"))
		c->fsync_count = (unsigned)parse_u64(val, opt);
	else
		die("unknown option %s", opt);
}

static void parse_args(struct cfg *c, int argc, char **argv)
{
	*c = (struct cfg){ .engine = "", .seed = 7, .map_size = 1ull << 40,
			   .rocks_person_block = 16384,
			   .rocks_memtable_bloom = true, .fsync_count = 200 };
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--rocks-wbwi-load")) {
			c->rocks_wbwi_load = true;
			continue;
		}
		if (!strcmp(argv[i], "--rocks-no-memtable-bloom")) {
			c->rocks_memtable_bloom = false;
			continue;
		}
		if (i + 1 >= argc)
			die("%s wants a value", argv[i]);
		parse_opt(c, argv[i], argv[i + 1]);
		i++;
	}
	if (!c->dir)
		die("--dir is required");
}

int main(int argc, char **argv)
{
	struct bench *b;

	if (argc < 2)
		die("usage: engine_proto run|fsync --dir DIR ... (see the top of"
		    " engine_proto.c)");
	if (sodium_init() < 0)
		die("sodium_init failed");
	b = calloc(1, sizeof *b);
	if (!b)
		die("out of memory");
	parse_args(&b->cfg, argc, argv);
	disk_init(b->cfg.dir);
	if (!strcmp(argv[1], "fsync")) {
		fsync_run(&b->cfg);
	} else if (!strcmp(argv[1], "run")) {
		if (strcmp(b->cfg.engine, "lmdb") &&
		    strcmp(b->cfg.engine, "rocksdb") &&
		    strcmp(b->cfg.engine, "none"))
			die("--engine lmdb|rocksdb|none");
		if (b->cfg.people < 10)
			die("--people must be at least 10 (the curve has ten points)");
		struct rng r;

		rng_seed(&r, b->cfg.seed);
		rng_fill(&r, b->hash_key, sizeof b->hash_key);
		run(b);
	} else {
		die("unknown command %s", argv[1]);
	}
	free(b);
	return 0;
}
