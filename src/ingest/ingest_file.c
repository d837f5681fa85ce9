/*
 * ingest_file.c - ingest of a furnishing file from disk, or of a stream.
 *
 * A file is memory-mapped and read sequentially, so lines are parsed in
 * place with no copy and no line-length buffer to overflow.  Parsing is
 * most of a line's cost and needs nothing but the line, so a second thread
 * parses the next block of lines while this one applies the last
 * (cr_ingest_parse, cr_ingest_parsed): on two cores the store's work and
 * the parsing overlap.
 *
 * A stream (standard input, a pipe from "creditref gen --out -") cannot be
 * mapped.  It is read into one buffer of STREAM_CHUNK bytes plus room for a
 * line: complete lines go to cr_ingest_line where they lie, and a partial
 * last line is moved to the front to be completed by the next read.  A line
 * that outgrows CR_LINE_MAX before its newline arrives is submitted cut to
 * CR_LINE_MAX + 1 bytes, which the parser rejects as too long under its own
 * line number (the rejects line carries its first CR_LINE_MAX bytes, as for
 * a mapped file), and the rest of it is skipped up to the next newline.  So
 * memory stays bounded whatever the input, and every line is counted.
 *
 * Rejected lines go to the rejects stream as they are found.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "cr_limits.h"
#include "ingest.h"

/* Bytes asked of each read(2) of a stream.  4 MiB is about 23,000 lines of
 * furnishing: reads and the carry-over of a partial line cost nothing next
 * to parsing them, and the buffer stays small. */
#define STREAM_CHUNK (4u << 20)
/* What the kernel may hold in a pipe we read (F_SETPIPE_SZ; 1 MiB is the
 * default cap for unprivileged processes).  The default 64 KiB lets a writer
 * such as "creditref gen" run only 64 KiB ahead of us; 1 MiB lets both sides
 * work at once instead of in turns. */
#define STREAM_PIPE_BYTES (1 << 20)

static int write_reject(const struct cr_diag *d, const char *line, size_t len,
			void *arg)
{
	return cr_ingest_write_reject(arg, d, line, len);
}

/* Lines parsed per block: a block is parsed while the one before it is
 * applied.  4,096 lines of furnishing are about 700 KB of input and 3.6 MB
 * of parsed records, twice over. */
#define BLOCK_LINES 4096
/* Below this size a file is parsed on the applying thread. */
#define PARALLEL_MIN_BYTES (1u << 20)

struct block {
	struct cr_parsed *p;
	size_t n;       /* lines parsed */
	size_t start;   /* offset of its first line */
	size_t next;    /* offset after its last line */
	size_t lineno;  /* number of its first line */
};

/* The parsing thread and the two blocks it fills in turn. */
struct parser {
	const char *data;
	size_t len;
	int32_t asof_days;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct block b[2];
	int want;       /* the block to fill next, or -1 */
	int ready[2];
	int stop;
};

static void fill(struct parser *ps, struct block *b)
{
	size_t pos = b->start;
	b->n = 0;
	while (pos < ps->len && b->n < BLOCK_LINES) {
		const char *nl = memchr(ps->data + pos, '\n', ps->len - pos);
		const size_t end = nl ? (size_t)(nl - ps->data) : ps->len;
		cr_ingest_parse(ps->data + pos, end - pos, b->lineno + b->n, ps->asof_days,
				&b->p[b->n]);
		b->n++;
		pos = end + 1;
	}
	b->next = pos < ps->len ? pos : ps->len;
}

static void *parse_loop(void *arg)
{
	struct parser *ps = arg;
	pthread_mutex_lock(&ps->mu);
	for (;;) {
		while (ps->want < 0 && !ps->stop)
			pthread_cond_wait(&ps->cv, &ps->mu);
		if (ps->stop)
			break;
		const int i = ps->want;
		ps->want = -1;
		pthread_mutex_unlock(&ps->mu);
		fill(ps, &ps->b[i]);
		pthread_mutex_lock(&ps->mu);
		ps->ready[i] = 1;
		pthread_cond_broadcast(&ps->cv);
	}
	pthread_mutex_unlock(&ps->mu);
	return NULL;
}

/* Asks the thread for block i from offset start, line lineno. */
static void request(struct parser *ps, int i, size_t start, size_t lineno)
{
	pthread_mutex_lock(&ps->mu);
	ps->b[i].start = start;
	ps->b[i].lineno = lineno;
	ps->ready[i] = 0;
	ps->want = i;
	pthread_cond_broadcast(&ps->cv);
	pthread_mutex_unlock(&ps->mu);
}

static void await(struct parser *ps, int i)
{
	pthread_mutex_lock(&ps->mu);
	while (!ps->ready[i])
		pthread_cond_wait(&ps->cv, &ps->mu);
	pthread_mutex_unlock(&ps->mu);
}

/* Applies the lines of block b in order. */
static int apply_block(struct cr_ingest *ig, struct block *b)
{
	for (size_t i = 0; i < b->n; i++) {
		int rc = cr_ingest_parsed(ig, &b->p[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The mapped file with a parsing thread: block k+1 is parsed while block k
 * is applied.  CR_ENOMEM when the thread or its blocks cannot be had (the
 * caller then parses on its own thread). */
static int feed_parallel(struct cr_ingest *ig, const char *data, size_t len, int32_t asof,
			 void (*progress)(uint64_t done, uint64_t total))
{
	struct parser ps = {.data = data, .len = len, .asof_days = asof, .want = -1};
	ps.b[0].p = malloc(BLOCK_LINES * sizeof *ps.b[0].p);
	ps.b[1].p = malloc(BLOCK_LINES * sizeof *ps.b[1].p);
	pthread_mutex_init(&ps.mu, NULL);
	pthread_cond_init(&ps.cv, NULL);
	int rc = ps.b[0].p && ps.b[1].p ? 0 : CR_ENOMEM;
	if (!rc && pthread_create(&ps.thread, NULL, parse_loop, &ps) != 0)
		rc = CR_ENOMEM;
	const int started = rc == 0;
	int cur = 0;
	if (!rc)
		request(&ps, 0, 0, 1);
	while (!rc) {
		await(&ps, cur);
		struct block *b = &ps.b[cur];
		if (b->n == 0)
			break;
		if (b->next < len)
			request(&ps, !cur, b->next, b->lineno + b->n);
		rc = apply_block(ig, b);
		if (progress)
			progress(b->next, len);
		if (b->next >= len)
			break;
		cur = !cur;
	}
	if (started) {
		pthread_mutex_lock(&ps.mu);
		ps.stop = 1;
		pthread_cond_broadcast(&ps.cv);
		pthread_mutex_unlock(&ps.mu);
		pthread_join(ps.thread, NULL);
	}
	pthread_mutex_destroy(&ps.mu);
	pthread_cond_destroy(&ps.cv);
	free(ps.b[0].p);
	free(ps.b[1].p);
	return rc;
}

/* Feeds the mapped file to the session line by line, reporting progress. */
static int feed(struct cr_ingest *ig, const char *data, size_t len,
		void (*progress)(uint64_t done, uint64_t total))
{
	size_t pos = 0, lineno = 1;
	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		const size_t end = nl ? (size_t)(nl - data) : len;
		int rc = cr_ingest_line(ig, data + pos, end - pos, lineno);
		if (rc < 0)
			return rc;
		if (progress && (lineno & 0x3ffff) == 0)
			progress(end, len);
		lineno++;
		pos = end + 1;
	}
	if (progress)
		progress(len, len);
	return 0;
}

int cr_ingest_file(cr_store *st, const char *path, int32_t asof_days,
		   FILE *rejects, void (*progress)(uint64_t done, uint64_t total),
		   struct cr_ingest_counts *out)
{
	memset(out, 0, sizeof *out);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return CR_ENOTFOUND;
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return CR_EINVAL;
	}
	const size_t len = (size_t)sb.st_size;
	const char *data = NULL;
	if (len > 0) {
		data = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (data == MAP_FAILED) {
			close(fd);
			return CR_EIO;
		}
		madvise((void *)data, len, MADV_SEQUENTIAL);
	}
	close(fd);
	struct cr_ingest *ig;
	int rc = cr_ingest_begin(st, asof_days, rejects ? write_reject : NULL,
				 rejects, &ig);
	if (!rc) {
		rc = len >= PARALLEL_MIN_BYTES
			     ? feed_parallel(ig, data, len, asof_days, progress)
			     : CR_ENOMEM;
		if (rc == CR_ENOMEM && !cr_ingest_counts(ig)->submitted)
			rc = feed(ig, data, len, progress);
		int end_rc = cr_ingest_end(ig, out);
		if (!rc)
			rc = end_rc;
	}
	if (data)
		munmap((void *)data, len);
	return rc;
}

/* A stream being read: the buffer and where the reader stands. */
struct stream {
	struct cr_ingest *ig;
	char *buf;
	size_t have;    /* bytes in buf, from the start of the current line */
	size_t lineno;  /* number of the next line to submit */
	int skipping;   /* inside an over-long line already rejected */
	uint64_t bytes; /* bytes read so far */
};

static int stream_submit(struct stream *s, const char *line, size_t len)
{
	int rc = cr_ingest_line(s->ig, line, len, s->lineno++);
	return rc < 0 ? rc : 0;
}

/* Submits the complete lines in the buffer and keeps the partial last one
 * at its front; at eof the partial line, if any, is the last line. */
static int stream_lines(struct stream *s, int eof)
{
	size_t pos = 0;
	if (s->skipping) {
		const char *nl = memchr(s->buf, '\n', s->have);
		s->skipping = nl == NULL;
		pos = nl ? (size_t)(nl - s->buf) + 1 : s->have;
	}
	int rc = 0;
	while (!rc && pos < s->have) {
		const char *nl = memchr(s->buf + pos, '\n', s->have - pos);
		if (!nl)
			break;
		const size_t end = (size_t)(nl - s->buf);
		rc = stream_submit(s, s->buf + pos, end - pos);
		pos = end + 1;
	}
	const size_t tail = s->have - pos;
	if (!rc && tail > CR_LINE_MAX) {
		/* Too long to be a record, whatever follows: the parser rejects
		 * any line of more than CR_LINE_MAX bytes. */
		rc = cr_ingest_line(s->ig, s->buf + pos, CR_LINE_MAX + 1, s->lineno++);
		CR_ASSERT(rc < 0 || rc == CR_OUT_REJECTED);
		rc = rc < 0 ? rc : 0;
		s->skipping = 1;
		s->have = 0;
	} else if (!rc && eof && tail > 0) {
		rc = stream_submit(s, s->buf + pos, tail);
		s->have = 0;
	} else if (!rc) {
		memmove(s->buf, s->buf + pos, tail);
		s->have = tail;
	}
	return rc;
}

/* Reads fd to its end, handing every line to the session. */
static int stream_feed(struct stream *s, int fd,
		       void (*progress)(uint64_t lines, uint64_t bytes, int done))
{
	const size_t cap = STREAM_CHUNK + CR_LINE_MAX + 1;
	for (;;) {
		CR_ASSERT(s->have <= CR_LINE_MAX);
		const ssize_t n = read(fd, s->buf + s->have, cap - s->have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return CR_EIO;
		s->have += (size_t)n;
		s->bytes += (uint64_t)n;
		int rc = stream_lines(s, n == 0);
		if (rc)
			return rc;
		if (progress)
			progress(s->lineno - 1, s->bytes, n == 0);
		if (n == 0)
			return 0;
	}
}

int cr_ingest_stream(cr_store *st, int fd, int32_t asof_days, FILE *rejects,
		     void (*progress)(uint64_t lines, uint64_t bytes, int done),
		     struct cr_ingest_counts *out)
{
	memset(out, 0, sizeof *out);
	if (fd < 0)
		return CR_EINVAL;
	struct stat sb;
	if (fstat(fd, &sb) != 0)
		return CR_EIO;
	if (S_ISFIFO(sb.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, STREAM_PIPE_BYTES); /* a hint only */
	struct stream s = {.ig = NULL, .buf = malloc(STREAM_CHUNK + CR_LINE_MAX + 1),
			   .have = 0, .lineno = 1, .skipping = 0, .bytes = 0};
	if (!s.buf)
		return CR_ENOMEM;
	int rc = cr_ingest_begin(st, asof_days, rejects ? write_reject : NULL,
				 rejects, &s.ig);
	if (!rc) {
		rc = stream_feed(&s, fd, progress);
		int end_rc = cr_ingest_end(s.ig, out);
		if (!rc)
			rc = end_rc;
	}
	free(s.buf);
	return rc;
}
