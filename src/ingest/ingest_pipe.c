/*
 * ingest_pipe.c - lines parsed on a second thread while this one applies;
 * see ingest_pipe.h.
 *
 * Two blocks take turns.  The caller fills one with lines (copies: a
 * stream's buffer is reused by the next read); when it is full, the caller
 * waits for the parser to finish the other, hands it the full one, and
 * applies the one just parsed while the parser works.  So the store's work
 * on block k overlaps the parsing of block k+1, and the lines are applied
 * in their order, each exactly as cr_ingest_line would.
 */
#include "ingest_pipe.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cr_err.h"
#include "cr_limits.h"

/* A block: about 1 MiB of lines (some 6,000 lines of furnishing, 5 MB of
 * parsed records), or 8,192 lines. */
#define BLOCK_BYTES (1u << 20)
#define BLOCK_LINES 8192

struct pblock {
	char *text;                /* the lines, back to back */
	size_t used;
	struct cr_parsed *p;       /* p[i].line points into text once parsed */
	size_t *off, *len;         /* each line's place in text */
	size_t n;
	size_t lineno;             /* number of the first line */
	int parsed;
};

struct cr_ingest_pipe {
	struct cr_ingest *ig;
	int32_t asof_days;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct pblock b[2];
	int fill;                  /* the block the caller fills */
	int pending;               /* the other block holds lines to apply */
	int want;                  /* the block to parse, or -1 */
	int stop;
	size_t next_lineno;
	int err;
};

static void parse_block(struct cr_ingest_pipe *pp, struct pblock *b)
{
	for (size_t i = 0; i < b->n; i++)
		cr_ingest_parse(b->text + b->off[i], b->len[i], b->lineno + i, pp->asof_days,
				&b->p[i]);
}

static void *parse_loop(void *arg)
{
	struct cr_ingest_pipe *pp = arg;
	pthread_mutex_lock(&pp->mu);
	for (;;) {
		while (pp->want < 0 && !pp->stop)
			pthread_cond_wait(&pp->cv, &pp->mu);
		if (pp->stop)
			break;
		struct pblock *b = &pp->b[pp->want];
		pp->want = -1;
		pthread_mutex_unlock(&pp->mu);
		parse_block(pp, b);
		pthread_mutex_lock(&pp->mu);
		b->parsed = 1;
		pthread_cond_broadcast(&pp->cv);
	}
	pthread_mutex_unlock(&pp->mu);
	return NULL;
}

static void block_free(struct pblock *b)
{
	free(b->text);
	free(b->p);
	free(b->off);
	free(b->len);
}

static int block_init(struct pblock *b)
{
	memset(b, 0, sizeof *b);
	b->text = malloc(BLOCK_BYTES + CR_LINE_MAX + 1);
	b->p = malloc(BLOCK_LINES * sizeof *b->p);
	b->off = malloc(BLOCK_LINES * sizeof *b->off);
	b->len = malloc(BLOCK_LINES * sizeof *b->len);
	return b->text && b->p && b->off && b->len ? 0 : CR_ENOMEM;
}

int cr_ingest_pipe_start(struct cr_ingest *ig, int32_t asof_days, size_t first_lineno,
			 struct cr_ingest_pipe **out)
{
	struct cr_ingest_pipe *pp = calloc(1, sizeof *pp);
	*out = NULL;
	if (!pp)
		return CR_ENOMEM;
	pp->ig = ig;
	pp->asof_days = asof_days;
	pp->want = -1;
	pp->next_lineno = first_lineno;
	pthread_mutex_init(&pp->mu, NULL);
	pthread_cond_init(&pp->cv, NULL);
	int rc = block_init(&pp->b[0]);
	if (!rc)
		rc = block_init(&pp->b[1]);
	if (!rc && pthread_create(&pp->thread, NULL, parse_loop, pp) != 0)
		rc = CR_ENOMEM;
	if (rc) {
		block_free(&pp->b[0]);
		block_free(&pp->b[1]);
		pthread_mutex_destroy(&pp->mu);
		pthread_cond_destroy(&pp->cv);
		free(pp);
		return rc;
	}
	pp->b[0].lineno = first_lineno;
	*out = pp;
	return 0;
}

static void await_parsed(struct cr_ingest_pipe *pp, struct pblock *b)
{
	pthread_mutex_lock(&pp->mu);
	while (!b->parsed)
		pthread_cond_wait(&pp->cv, &pp->mu);
	pthread_mutex_unlock(&pp->mu);
}

/* Applies parsed block b, in line order, and empties it. */
static int apply_block(struct cr_ingest_pipe *pp, struct pblock *b)
{
	for (size_t i = 0; i < b->n && !pp->err; i++) {
		int rc = cr_ingest_parsed(pp->ig, &b->p[i]);
		if (rc < 0)
			pp->err = rc;
	}
	b->n = b->used = 0;
	b->parsed = 0;
	return pp->err;
}

/* The full block goes to the parser, and the block parsed before it (once
 * the parser is done with it) is applied while the parser works; its
 * buffers are filled next. */
static int dispatch(struct cr_ingest_pipe *pp)
{
	struct pblock *full = &pp->b[pp->fill], *prev = &pp->b[!pp->fill];
	if (!full->n)
		return 0;
	if (pp->pending)
		await_parsed(pp, prev);
	pthread_mutex_lock(&pp->mu);
	full->parsed = 0;
	pp->want = pp->fill;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mu);
	int rc = pp->pending ? apply_block(pp, prev) : 0;
	pp->pending = 1;
	pp->fill = !pp->fill;
	pp->b[pp->fill].lineno = pp->next_lineno;
	return rc;
}

/* The last block handed over, once parsed, applied. */
static int drain(struct cr_ingest_pipe *pp)
{
	if (!pp->pending)
		return 0;
	struct pblock *b = &pp->b[!pp->fill];
	await_parsed(pp, b);
	pp->pending = 0;
	return apply_block(pp, b);
}

int cr_ingest_pipe_line(struct cr_ingest_pipe *pp, const char *line, size_t len)
{
	if (pp->err)
		return pp->err;
	struct pblock *b = &pp->b[pp->fill];
	if (b->n == BLOCK_LINES || b->used + len > BLOCK_BYTES + CR_LINE_MAX + 1) {
		int rc = dispatch(pp);
		if (rc)
			return rc;
		b = &pp->b[pp->fill];
	}
	memcpy(b->text + b->used, line, len);
	b->off[b->n] = b->used;
	b->len[b->n] = len;
	b->used += len;
	b->n++;
	pp->next_lineno++;
	return b->used >= BLOCK_BYTES ? dispatch(pp) : 0;
}

int cr_ingest_pipe_end(struct cr_ingest_pipe *pp)
{
	int rc = dispatch(pp);
	if (!rc)
		rc = drain(pp);
	pthread_mutex_lock(&pp->mu);
	pp->stop = 1;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mu);
	pthread_join(pp->thread, NULL);
	block_free(&pp->b[0]);
	block_free(&pp->b[1]);
	pthread_mutex_destroy(&pp->mu);
	pthread_cond_destroy(&pp->cv);
	rc = rc ? rc : pp->err;
	free(pp);
	return rc;
}
