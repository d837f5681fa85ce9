/*
 * ingest_pipe.h - furnishing lines parsed on a second thread.
 *
 * Parsing and validating a line (cr_ingest_parse) is most of its cost and
 * needs nothing but the line; applying it (cr_ingest_parsed) is the
 * store's work and must follow line order.  A pipe runs them on two
 * threads: the lines a caller gives it are copied into blocks of about
 * 1 MiB, a block is parsed on the pipe's thread while the one before it is
 * applied on the caller's, and every line is applied in order, with the
 * same counts, rejects and line numbers as cr_ingest_line.  On two cores,
 * a file's parsing and the store's work overlap.
 */
#ifndef CR_INGEST_PIPE_H
#define CR_INGEST_PIPE_H

#include <stddef.h>
#include <stdint.h>

#include "ingest.h"

struct cr_ingest_pipe;

/* Starts the parsing thread for session ig; the first line given is line
 * first_lineno.  CR_ENOMEM when it cannot (the caller may then use
 * cr_ingest_line). */
int cr_ingest_pipe_start(struct cr_ingest *ig, int32_t asof_days, size_t first_lineno,
			 struct cr_ingest_pipe **out /* OUT */);
/* Gives the next line (copied).  Returns 0, or the session's store error,
 * after which only cr_ingest_pipe_end may be called. */
int cr_ingest_pipe_line(struct cr_ingest_pipe *pp, const char *line, size_t len);
/* Applies every line given, stops the thread and frees pp; returns the
 * first store error, if any. */
int cr_ingest_pipe_end(struct cr_ingest_pipe *pp);

#endif
