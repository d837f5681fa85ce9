/*
 * ingest_file.c - ingest of a furnishing file from disk.
 *
 * The file is memory-mapped and read sequentially, so lines are parsed in
 * place with no copy and no line-length buffer to overflow.  Rejected lines
 * go to the rejects stream as they are found.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cr_err.h"
#include "ingest.h"

static int write_reject(const struct cr_diag *d, const char *line, size_t len,
			void *arg)
{
	return cr_ingest_write_reject(arg, d, line, len);
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
		rc = feed(ig, data, len, progress);
		int end_rc = cr_ingest_end(ig, out);
		if (!rc)
			rc = end_rc;
	}
	if (data)
		munmap((void *)data, len);
	return rc;
}
