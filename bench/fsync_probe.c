/*
 * fsync_probe.c - how long the disk under DIR takes to make 4 KiB durable.
 *
 * Every durable commit ends in at least one fdatasync (or fsync), so the
 * latency of one small write made durable bounds how many commits a second
 * any engine can make on this disk, whatever it writes.  bench/run.sh prints
 * it next to the ingest figures: on a shared or virtual disk it moves from
 * tens of microseconds to tens of milliseconds, and the ingest rates of every
 * engine move with it.
 *
 * The probe creates a new file in DIR and, N times, appends 4 KiB and calls
 * fdatasync, timing each pair with CLOCK_MONOTONIC.  Appending makes each
 * sync carry the file's new size too, as a growing log's does.  The file is
 * removed at the end.
 *
 * Usage: fsync_probe DIR [N]          (N: 1..1000000, default 200)
 * Output: one line
 *   fsync: p50_us=A p90_us=B p99_us=C max_us=D n=N
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BLOCK_BYTES 4096
#define SYNCS_DEFAULT 200
#define SYNCS_MAX 1000000

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The q-quantile of sorted v[n] (nearest rank). */
static double quantile(const double *v, size_t n, double q)
{
	size_t k = (size_t)(q * (double)n + 0.999999);
	if (k < 1)
		k = 1;
	return v[(k > n ? n : k) - 1];
}

/* Appends a block and syncs it n times; fills lat_us[n].  Returns 0, or -1
 * after printing what failed. */
static int probe(int fd, const char *path, double *lat_us, size_t n)
{
	static char block[BLOCK_BYTES];
	for (size_t i = 0; i < n; i++) {
		memset(block, (int)(i & 0xff), sizeof block);
		const double t0 = now_us();
		ssize_t w = write(fd, block, sizeof block);
		if (w != (ssize_t)sizeof block) {
			fprintf(stderr, "fsync_probe: write %s: %s\n", path,
				w < 0 ? strerror(errno) : "short write");
			return -1;
		}
		if (fdatasync(fd) != 0) {
			fprintf(stderr, "fsync_probe: fdatasync %s: %s\n", path,
				strerror(errno));
			return -1;
		}
		lat_us[i] = now_us() - t0;
	}
	return 0;
}

static int parse_count(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < 1 || v > SYNCS_MAX)
		return -1;
	*out = (size_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	size_t n = SYNCS_DEFAULT;
	if (argc < 2 || argc > 3 || (argc == 3 && parse_count(argv[2], &n))) {
		fprintf(stderr, "usage: fsync_probe DIR [N]   (N: 1..%d, default %d)\n",
			SYNCS_MAX, SYNCS_DEFAULT);
		return 2;
	}
	char path[4096];
	int len = snprintf(path, sizeof path, "%s/fsync_probe.XXXXXX", argv[1]);
	if (len < 0 || (size_t)len >= sizeof path) {
		fprintf(stderr, "fsync_probe: directory name too long\n");
		return 2;
	}
	double *lat_us = malloc(n * sizeof *lat_us);
	int fd = lat_us ? mkstemp(path) : -1;
	if (fd < 0) {
		fprintf(stderr, "fsync_probe: %s: %s\n", lat_us ? path : "malloc",
			strerror(errno));
		free(lat_us);
		return 1;
	}
	int rc = probe(fd, path, lat_us, n);
	if (close(fd) != 0 && !rc) {
		fprintf(stderr, "fsync_probe: close %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	if (unlink(path) != 0)
		fprintf(stderr, "fsync_probe: unlink %s: %s\n", path, strerror(errno));
	if (!rc) {
		qsort(lat_us, n, sizeof *lat_us, cmp_double);
		printf("fsync: p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f n=%zu\n",
		       quantile(lat_us, n, 0.50), quantile(lat_us, n, 0.90),
		       quantile(lat_us, n, 0.99), lat_us[n - 1], n);
	}
	free(lat_us);
	return rc ? 1 : 0;
}
