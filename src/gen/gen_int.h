/*
 * gen_int.h - private structures of the synthetic data generator (gen.h).
 *
 * The generator is split by concern: gen.c runs the file and renders lines,
 * gen_people.c makes identities (IDs, names, phones, addresses, institution
 * names), gen_loan.c plans accounts and simulates their monthly statements,
 * gen_bad.c makes the deliberately invalid lines.  They share the state in
 * struct cr_gen and the small inline helpers below (PRNG and line
 * building), which sit on the hot path.  County codes and the names in
 * addresses come from the GB/T 2260 table (region.h, src/region/), which
 * the supervision aggregates share.
 */
#ifndef CR_GEN_INT_H
#define CR_GEN_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_record.h"
#include "gen.h"
#include "region.h"

/* ---- PRNG: xoshiro256** (Blackman and Vigna), seeded by splitmix64. ---- */

struct cr_gen_rng {
	uint64_t s[4];
};

/* Advances *x and returns the next splitmix64 output. */
static inline uint64_t cr_gen__splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t cr_gen__rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t cr_gen__next(struct cr_gen_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = cr_gen__rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = cr_gen__rotl(s[3], 45);
	return result;
}

/* Uniform in [0, n) for n > 0 (multiply-shift; the bias is below 2^-32). */
static inline uint32_t cr_gen__below(struct cr_gen_rng *r, uint32_t n)
{
	return (uint32_t)(((cr_gen__next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi] for lo <= hi. */
static inline int32_t cr_gen__range(struct cr_gen_rng *r, int32_t lo, int32_t hi)
{
	return lo + (int32_t)cr_gen__below(r, (uint32_t)(hi - lo) + 1);
}

/* Uniform in [0, 1) with 53 random bits; used for probabilities only. */
static inline double cr_gen__unit(struct cr_gen_rng *r)
{
	return (double)(cr_gen__next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Non-zero with probability p. */
static inline int cr_gen__chance(struct cr_gen_rng *r, double p)
{
	return cr_gen__unit(r) < p;
}

void cr_gen__rng_seed(struct cr_gen_rng *r, uint64_t seed);

/* ---- Line building.  Generated strings never need JSON escaping: they come
 * from fixed tables and digits, so a line is assembled by plain copies. ---- */

/* Longest generated line: an account with a 255-byte address and three
 * co-lenders stays under 1 KiB; the margin covers the bad-line edits. */
#define CR_GEN_LINE_MAX 2048

struct cr_gen_line {
	size_t len;
	char buf[CR_GEN_LINE_MAX];
};

static inline void cr_gen__put(struct cr_gen_line *l, const char *s, size_t n)
{
	CR_ASSERT(l->len + n < sizeof l->buf);
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

#define CR_GEN_PUT_LIT(l, lit) cr_gen__put((l), (lit), sizeof(lit) - 1)

static inline void cr_gen__puts(struct cr_gen_line *l, const char *s)
{
	cr_gen__put(l, s, strlen(s));
}

/* Appends the decimal digits of v (formatted by hand: printf per field would
 * cost more than the rest of the generator). */
static inline void cr_gen__put_u64(struct cr_gen_line *l, uint64_t v)
{
	char tmp[20];
	int n = 0;
	do {
		tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	cr_gen__put(l, tmp + sizeof tmp - n, (size_t)n);
}

static inline void cr_gen__put_i64(struct cr_gen_line *l, int64_t v)
{
	if (v < 0) {
		CR_GEN_PUT_LIT(l, "-");
		cr_gen__put_u64(l, (uint64_t)0 - (uint64_t)v);
	} else {
		cr_gen__put_u64(l, (uint64_t)v);
	}
}

/* Appends v as exactly width digits, zero padded (v < 10^width). */
void cr_gen__put_digits(struct cr_gen_line *l, uint64_t v, int width);
void cr_gen__put_date(struct cr_gen_line *l, int32_t days);
void cr_gen__put_month(struct cr_gen_line *l, int32_t month);

/* ---- Generator state. ---- */

struct cr_gen_inst {
	struct cr_institution rec;
	uint64_t next_account; /* per-institution counter: account numbers are unique */
};

/* A subject as generated; the account lines repeat its identity. */
struct cr_gen_subject {
	char id[CR_ID_LEN + 1];
	int32_t birth_days;
	char name[CR_NAME_MAX + 1];
	char phone[CR_PHONE_MAX + 1];
	char address[CR_ADDRESS_MAX + 1];
	uint8_t grade;   /* latent risk grade 0 (best) .. 3 (worst) */
	uint8_t consents; /* non-zero: furnish consents are emitted */
};

/* One simulated month of an account. */
struct cr_gen_month {
	int64_t balance;
	int64_t due;
	int64_t paid;
	int64_t overdue;
	int32_t month;
	int32_t dpd;
	char status;
};

/* An account planned for the current subject, with its simulated history. */
struct cr_gen_acct {
	struct cr_account rec;
	uint32_t inst;     /* index into cr_gen.insts */
	uint32_t n_months; /* statements inside the window */
	uint32_t first;    /* index of the first statement in cr_gen.hist */
};

/* Accounts one generated subject may hold (the tail of the distribution). */
#define CR_GEN_ACCOUNTS_MAX 24

struct cr_gen {
	const struct cr_gen_opts *o;
	struct cr_gen_stats *st;
	FILE *out;
	FILE *manifest;
	int rc; /* first error: CR_EIO */
	struct cr_gen_rng rng;     /* every good line */
	struct cr_gen_rng rng_bad; /* bad lines only, so bad-rate leaves the good data alone */

	char *obuf; /* output buffer, flushed with fwrite */
	size_t olen;
	uint64_t next_progress;
	void (*progress)(uint64_t lines, void *arg);
	void *progress_arg;

	int32_t asof_days;
	int32_t asof_month;
	int32_t window_start; /* first month of the history window */

	/* Identity numbers: a keyed permutation of [0, id_space) decoded into
	 * (county, birth day, sequence), so no two subjects share an ID. */
	uint64_t id_counter;
	uint64_t id_space;
	uint64_t id_keys[4];
	int32_t birth_lo;      /* earliest birth day (age 75 at as-of) */
	uint32_t n_birth_days;

	struct cr_gen_inst *insts;
	uint32_t n_insts;
	uint32_t kind_first[5]; /* insts of kind k are [kind_first[k], kind_first[k] + kind_count[k]) */
	uint32_t kind_count[5];

	struct cr_gen_subject subj;
	struct cr_gen_acct accts[CR_GEN_ACCOUNTS_MAX];
	uint32_t n_accts;
	struct cr_gen_month *hist; /* CR_GEN_ACCOUNTS_MAX * (months + 1) entries */

	/* Context for bad lines: the last account and statement written. */
	struct cr_account last_acct;
	struct cr_statement last_stmt;
	int have_acct;
	int have_stmt;
	uint64_t bad_seq;

	struct cr_gen_line line;
};

/* gen.c: writes g->line as the next line of the output. */
void cr_gen__emit(struct cr_gen *g, int good);
void cr_gen__render_account(struct cr_gen_line *l, const struct cr_account *a);
void cr_gen__render_stmt(struct cr_gen_line *l, const struct cr_statement *s);
void cr_gen__render_inst(struct cr_gen_line *l, const struct cr_institution *in);

/* gen_people.c */
int cr_gen__people_init(struct cr_gen *g);
void cr_gen__subject(struct cr_gen *g, struct cr_gen_subject *s /* OUT */);
void cr_gen__inst_name(uint8_t kind, uint32_t index, char *out, size_t cap);
void cr_gen__evidence(struct cr_gen_rng *r, char out[72] /* OUT */);

/* gen_loan.c: plans the current subject's accounts into g->accts and
 * simulates their statements into g->hist. */
void cr_gen__plan_accounts(struct cr_gen *g);
/* The probability that an account of a subject of this grade, current now,
 * reaches three months overdue within `months` months under the chain
 * (ignoring closures and months with nothing due). */
double cr_gen__pd(uint8_t grade, int months);

/* gen_bad.c: after a good line, maybe writes a bad line and its manifest
 * entry. */
void cr_gen__maybe_bad(struct cr_gen *g);

#endif
