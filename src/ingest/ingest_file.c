/*
 * ingest_file.c - ingest of a furnishing file from disk, or of a stream.
 *
 * A file is memory-mapped and read sequentially, so lines are parsed in
 * place with no line-length buffer to overflow.  Either way the lines go
 * through a parsing pipe (ingest_pipe.h): a second thread parses the next
 * block of lines while this one applies the last, so on two cores the
 * store's work and the parsing overlap.
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
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "cr_limits.h"
#include "ingest.h"
#include "ingest_pipe.h"

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

/* Where lines go: the parsing pipe (ingest_pipe.h), or the session
 * directly when the pipe could not start. */
struct sink {
	struct cr_ingest *ig;
	struct cr_ingest_pipe *pp;
	size_t lineno;  /* of the next line */
};

static int sink_line(struct sink *k, const char *line, size_t len)
{
	k->lineno++;
	if (k->pp)
		return cr_ingest_pipe_line(k->pp, line, len);
	int rc = cr_ingest_line(k->ig, line, len, k->lineno - 1);
	return rc < 0 ? rc : 0;
}

/* $CREDITREF_INGEST_PIPE=0 parses on the applying thread (to measure
 * what the pipe gains, or on a single core). */
static void sink_open(struct sink *k, struct cr_ingest *ig, int32_t asof_days)
{
	const char *v = getenv("CREDITREF_INGEST_PIPE");
	k->ig = ig;
	k->lineno = 1;
	k->pp = NULL;
	if ((!v || strcmp(v, "0") != 0) && cr_ingest_pipe_start(ig, asof_days, 1, &k->pp))
		k->pp = NULL;
}

/* Applies what the pipe holds; rc is the feeding's own result. */
static int sink_close(struct sink *k, int rc)
{
	if (!k->pp)
		return rc;
	int prc = cr_ingest_pipe_end(k->pp);
	k->pp = NULL;
	return rc ? rc : prc;
}

/* Feeds the mapped file to the session line by line, reporting progress. */
static int feed(struct sink *k, const char *data, size_t len,
		void (*progress)(uint64_t done, uint64_t total))
{
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		const size_t end = nl ? (size_t)(nl - data) : len;
		int rc = sink_line(k, data + pos, end - pos);
		if (rc < 0)
			return rc;
		if (progress && (k->lineno & 0x3ffff) == 0)
			progress(end, len);
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
		struct sink k;
		sink_open(&k, ig, asof_days);
		rc = sink_close(&k, feed(&k, data, len, progress));
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
	struct sink k;
	char *buf;
	size_t have;    /* bytes in buf, from the start of the current line */
	size_t lineno;  /* number of the next line to submit */
	int skipping;   /* inside an over-long line already rejected */
	uint64_t bytes; /* bytes read so far */
};

static int stream_submit(struct stream *s, const char *line, size_t len)
{
	s->lineno++;
	return sink_line(&s->k, line, len);
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
		rc = stream_submit(s, s->buf + pos, CR_LINE_MAX + 1);
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
		sink_open(&s.k, s.ig, asof_days);
		rc = sink_close(&s.k, stream_feed(&s, fd, progress));
		int end_rc = cr_ingest_end(s.ig, out);
		if (!rc)
			rc = end_rc;
	}
	free(s.buf);
	return rc;
}
