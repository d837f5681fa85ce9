/*
 * parse_only.c - the parse-only ceiling of "creditref ingest", for
 * bench/run.sh.
 *
 * It maps the generated file as the ingest does (mmap, MADV_SEQUENTIAL),
 * splits it into lines the same way, and runs on every line exactly the two
 * calls cr_ingest_line makes before it touches the store: cr_jsonl_parse and
 * cr_validate_record.  Nothing is stored, nothing is committed.  Its rate is
 * what the ingest would reach if the store cost nothing, so the ratio
 * creditref/parse-only says how much of the ingest's time the store takes
 * (target: the ingest at 50% of this ceiling or more).
 *
 * The clock runs from the first line to the last, after the mapping, like
 * the ingest's own work; bench/run.sh times the process from outside too.
 *
 * Usage: parse_only JSONL_FILE AS_OF_DATE
 * Output: one line
 *   parse_only: records=N seconds=S records_per_s=R invalid=I
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cr_date.h"
#include "cr_err.h"
#include "cr_record.h"
#include "jsonl.h"
#include "validate.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Maps path read-only.  Returns the mapping (NULL for an empty file, with
 * *len 0) and sets *ok; prints why on failure. */
static const char *map_file(const char *path, size_t *len, int *ok)
{
	*ok = 0;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		perror(path);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	*len = (size_t)sb.st_size;
	void *data = NULL;
	if (*len > 0)
		data = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (data == MAP_FAILED) {
		perror("parse_only: mmap");
		return NULL;
	}
	if (data)
		madvise(data, *len, MADV_SEQUENTIAL);
	*ok = 1;
	return data;
}

/* Parses and validates every line; counts lines and refused ones. */
static void run(const char *data, size_t len, int32_t asof_days,
		uint64_t *records /* OUT */, uint64_t *invalid /* OUT */)
{
	static struct cr_record rec;
	size_t pos = 0;
	uint64_t n = 0, bad = 0;
	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		const size_t end = nl ? (size_t)(nl - data) : len;
		struct cr_diag d = {.line = n + 1, .field = "", .reason = NULL};
		int rc = cr_jsonl_parse(data + pos, end - pos, asof_days, &rec, &d);
		if (!rc)
			rc = cr_validate_record(&rec, asof_days, &d);
		bad += rc != 0;
		n++;
		pos = end + 1;
	}
	*records = n;
	*invalid = bad;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: parse_only JSONL_FILE AS_OF_DATE\n");
		return 2;
	}
	int32_t asof_days;
	if (cr_date_parse(argv[2], strlen(argv[2]), &asof_days)) {
		fprintf(stderr, "parse_only: bad as-of date '%s' (YYYY-MM-DD)\n", argv[2]);
		return 2;
	}
	size_t len;
	int ok;
	const char *data = map_file(argv[1], &len, &ok);
	if (!ok)
		return 1;
	uint64_t records, invalid;
	const double t0 = now_s();
	run(data, len, asof_days, &records, &invalid);
	const double secs = now_s() - t0;
	if (data && munmap((void *)data, len) != 0)
		perror("parse_only: munmap");
	printf("parse_only: records=%llu seconds=%.3f records_per_s=%.0f invalid=%llu\n",
	       (unsigned long long)records, secs,
	       secs > 0 ? (double)records / secs : 0.0,
	       (unsigned long long)invalid);
	return 0;
}
