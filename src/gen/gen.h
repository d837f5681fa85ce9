/*
 * gen.h - synthetic furnishing data: institutions, subjects, accounts,
 * monthly statements and consents, as JSON Lines (docs/FORMAT.md).
 *
 * The generator exists so that ingest, reports, scores and benchmarks have
 * realistic input at any scale without touching real personal data.  The
 * output is a pure function of the options: the same options give the same
 * bytes on every machine, because every random draw comes from the
 * generator's own PRNG (xoshiro256** seeded by splitmix64), never rand().
 *
 * Optionally it salts the output with deliberately invalid lines, one per
 * rule the parser, validator and ingest enforce, and writes a manifest that
 * says which line breaks which rule and which field the diagnostic will name,
 * so tests can check that every bad line is caught and nothing else is.
 * docs/generator.md describes the data model and the distributions.
 */
#ifndef CR_GEN_H
#define CR_GEN_H

#include <stdint.h>
#include <stdio.h>

#include "cr_limits.h"

struct cr_gen_opts {
	uint64_t subjects;      /* --subjects N */
	uint32_t institutions;  /* --institutions M, default 40, clamped 4..200 */
	uint32_t months;        /* --months K: history length, default 60, 1..360 */
	uint64_t seed;          /* --seed S, default 1 */
	double consent_rate;    /* --consent-rate R in [0,1], default 1.0 (a rate, not money) */
	double bad_rate;        /* --bad-rate R in [0,1], default 0 */
	int32_t asof_days;      /* --as-of; last generated month is the as-of month */
	FILE *risk_out;         /* --risk-out: the latent risk of each subject, or
				   NULL (below) */
};

struct cr_gen_stats {
	uint64_t lines;        /* every line written, bad ones included */
	uint64_t institutions; /* good institution lines */
	uint64_t subjects;
	uint64_t accounts;     /* good account lines */
	uint64_t statements;   /* good statement lines */
	uint64_t consents;     /* good consent lines, furnish and query */
	uint64_t bad;          /* deliberately invalid lines (= manifest lines) */
};

/* Sets the defaults: 0 subjects, 40 institutions, 60 months, seed 1,
 * consent rate 1, bad rate 0, as-of today (UTC+8). */
void cr_gen_opts_init(struct cr_gen_opts *o);

/*
 * The latent risk file (o->risk_out, docs/generator.md "Latent risk"): a
 * CSV header "id,latent_risk,grade", then one line per generated subject,
 * in the order they are generated: the resident ID, the probability that an
 * account of the subject, current today, is 90+ days past due (status 3)
 * within 12 months under the generator's delinquency chain (six decimals),
 * and the subject's risk grade 0 (A, best) .. 3 (D).  Writing it draws
 * nothing from the generator's random streams: the data are the same bytes
 * with or without it.  The IDs are personal data as much as the data file's.
 *
 * Writes the data set described by o to out.  When bad_manifest is not NULL,
 * writes one JSON line per deliberately invalid line:
 *   {"line":N,"field":"<field the parser/validator/ingest will name>","rule":"<rule>"}
 * with N the 1-based line number in out.  progress (may be NULL) is called
 * with progress_arg about every million lines with the lines written so far.
 *
 * Returns 0, CR_EINVAL when an option is out of range (nothing is written),
 * CR_ENOMEM, or CR_EIO when a write to out, bad_manifest or o->risk_out
 * fails.  *st is
 * filled in every case with what was written.  Neither stream is closed.
 */
int cr_gen_run(const struct cr_gen_opts *o, FILE *out, FILE *bad_manifest,
	       struct cr_gen_stats *st /* OUT */,
	       void (*progress)(uint64_t lines, void *arg), void *progress_arg);

#endif
