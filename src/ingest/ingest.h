/*
 * ingest.h - furnishing: records in, reconciled counts out.
 *
 * An ingest session parses each line (jsonl.h), validates it (validate.h and
 * the store-dependent rules here), applies it to the store, and classifies it
 * as exactly one of accepted, rejected, held or unchanged, so that
 * submitted = accepted + rejected + held + unchanged always.
 *
 *   accepted   stored, and visible in reports (furnish consent is live)
 *   held       stored, but the furnisher has no live furnish consent for the
 *              person; released when the consent arrives (rule 2)
 *   unchanged  identical to what the store already had (re-ingest is a no-op)
 *   rejected   refused; the caller gets the line, field and reason
 *
 * Records are applied in batches of CR_BATCH_RECORDS in one durable write
 * transaction; a batch is acknowledged (counted in *durable) only after its
 * commit returned.  Statements for the same account-year are merged in
 * memory and written once per batch, which is what makes bulk ingest fast.
 */
#ifndef CR_INGEST_H
#define CR_INGEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cr_record.h"
#include "store.h"

enum cr_outcome {
	CR_OUT_ACCEPTED = 0,
	CR_OUT_REJECTED = 1,
	CR_OUT_HELD = 2,
	CR_OUT_UNCHANGED = 3,
};

struct cr_ingest_counts {
	uint64_t submitted;
	uint64_t accepted;
	uint64_t rejected;
	uint64_t held;
	uint64_t unchanged;
	uint64_t prohibited; /* of the rejected: prohibited information (rule 6) */
	uint64_t released; /* held records released by consents in this run */
	uint64_t durable;  /* lines whose batch has been committed */
};

/* Called for each rejected line with the diagnostic and the original bytes. */
typedef int (*cr_reject_fn)(const struct cr_diag *d, const char *line,
			    size_t len, void *arg);

struct cr_ingest;

/* Starts a session on st with "today" = asof_days.  *out is freed by
 * cr_ingest_end. */
int cr_ingest_begin(cr_store *st, int32_t asof_days, cr_reject_fn on_reject,
		    void *reject_arg, struct cr_ingest **out /* OUT */);
/* Starts a session inside txn, a write transaction the caller owns and
 * commits: flush and end write pending data into txn but never commit, and
 * nothing counts as durable until the caller's commit returns.  Used by the
 * server to put concurrent requests in one shared commit. */
int cr_ingest_begin_in(cr_store *st, cr_txn *txn, int32_t asof_days,
		       cr_reject_fn on_reject, void *reject_arg,
		       struct cr_ingest **out /* OUT */);
/* Limits what the session accepts (the rights of an API key); any of them
 * may be NULL or 0.  inst: every record must be furnished by this
 * institution (field "institution", or "code" for an institution record).
 * subject: only consent records about this person.  only_type: only records
 * of this enum cr_record_type.  Other records are rejected, never stored. */
void cr_ingest_restrict(struct cr_ingest *ig, const char *inst,
			const struct cr_subject_key *subject, uint8_t only_type);
/*
 * A line in two steps, so that parsing (most of a line's cost, and needing
 * nothing but the line) can run on another thread than the store's work:
 * cr_ingest_parse parses and validates the line into out, and may run on
 * any thread; cr_ingest_parsed applies it in the session, in line order,
 * exactly as cr_ingest_line would.  out->line must stay valid until then.
 */
struct cr_parsed {
	const char *line;
	size_t len;
	int rc;              /* 0, or CR_EINVAL with d naming the fault */
	struct cr_diag d;
	struct cr_record rec;
};
void cr_ingest_parse(const char *line, size_t len, size_t lineno, int32_t asof_days,
		     struct cr_parsed *out /* OUT */);
int cr_ingest_parsed(struct cr_ingest *ig, struct cr_parsed *p);

/* Submits one line (without its newline).  lineno is reported in rejects.
 * Returns the enum cr_outcome (>= 0), or a negative error when the store
 * failed: the current batch is then lost and the session must be ended. */
int cr_ingest_line(struct cr_ingest *ig, const char *line, size_t len,
		   size_t lineno);
/* Submits a buffer of newline-separated lines; line numbers start at
 * first_lineno.  A final line without a newline counts. */
int cr_ingest_buffer(struct cr_ingest *ig, const char *data, size_t len,
		     size_t first_lineno);
/* Commits the current batch durably. */
int cr_ingest_flush(struct cr_ingest *ig);
/* Commits what is pending (unless an error occurred), copies the counts and
 * frees the session.  Returns the first error of the session, if any. */
int cr_ingest_end(struct cr_ingest *ig, struct cr_ingest_counts *out /* OUT */);
const struct cr_ingest_counts *cr_ingest_counts(const struct cr_ingest *ig);

/*
 * Ingests the file at path.  Rejected lines are written to rejects as JSON
 * lines {"line":N,"field":"...","reason":"...","record":"<original>"}.
 * progress, if not NULL, is called about every 256 Ki lines with bytes done
 * and total.  Returns 0 when the file was processed (rejects included).
 */
int cr_ingest_file(cr_store *st, const char *path, int32_t asof_days,
		   FILE *rejects, void (*progress)(uint64_t done, uint64_t total),
		   struct cr_ingest_counts *out /* OUT */);

/*
 * Ingests the furnishing lines read from fd (standard input, a pipe) to its
 * end, in chunks of 4 MiB, with the same line numbers, counts and rejects
 * as cr_ingest_file.  A line longer than CR_LINE_MAX is rejected under its
 * number and skipped to the next newline; memory stays bounded.  progress,
 * if not NULL, is called after each read with lines and bytes so far, the
 * last time (end of input) with done = 1.  fd is not closed.  Returns 0
 * when the stream was processed (rejects included), CR_EINVAL for a bad fd,
 * CR_ENOMEM, CR_EIO when a read failed, or the first store error.
 */
int cr_ingest_stream(cr_store *st, int fd, int32_t asof_days, FILE *rejects,
		     void (*progress)(uint64_t lines, uint64_t bytes, int done),
		     struct cr_ingest_counts *out /* OUT */);

/* Writes one rejects-file line for d and the original line to f. */
int cr_ingest_write_reject(FILE *f, const struct cr_diag *d, const char *line,
			   size_t len);

#endif
