/* keyfile.c - reading and writing the master key file; see keyfile.h. */
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cr_err.h"

void cr_keyfile_default(const char *dir, char *out, size_t cap)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	snprintf(out, cap, "%.*s.key", (int)n, dir);
}

/* fsyncs the directory holding path, so a new name survives a crash. */
static int sync_parent(const char *path)
{
	char copy[4096];
	snprintf(copy, sizeof copy, "%s", path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return CR_EIO;
	int rc = fsync(fd) == 0 ? 0 : CR_EIO;
	close(fd);
	return rc;
}

int cr_keyfile_write(const char *path, const uint8_t key[CR_MASTER_KEY_LEN],
		     int exclusive)
{
	char hex[2 * CR_MASTER_KEY_LEN + 2];
	sodium_bin2hex(hex, sizeof hex, key, CR_MASTER_KEY_LEN);
	hex[2 * CR_MASTER_KEY_LEN] = '\n';
	const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
			  (exclusive ? O_EXCL : O_TRUNC);
	int fd = open(path, flags, 0600);
	if (fd < 0)
		return errno == EEXIST ? CR_EEXIST : CR_EIO;
	int rc = 0;
	if (fchmod(fd, 0600) != 0 ||
	    write(fd, hex, 2 * CR_MASTER_KEY_LEN + 1) != 2 * CR_MASTER_KEY_LEN + 1 ||
	    fsync(fd) != 0)
		rc = CR_EIO;
	if (close(fd) != 0 && !rc)
		rc = CR_EIO;
	sodium_memzero(hex, sizeof hex);
	return rc ? rc : sync_parent(path);
}

int cr_keyfile_read(const char *path, uint8_t key[CR_MASTER_KEY_LEN],
		    const char **reason)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		*reason = "the key file cannot be opened (create the store with creditref init, or name the key file with --key-file)";
		return CR_ENOTFOUND;
	}
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		*reason = "the key file is not a regular file";
		return CR_EINVAL;
	}
	if (sb.st_mode & 077) {
		close(fd);
		*reason = "the key file is readable or writable by group or others; "
			  "restrict it with: chmod 600 KEYFILE";
		return CR_EDENIED;
	}
	char hex[2 * CR_MASTER_KEY_LEN + 2];
	ssize_t n = read(fd, hex, sizeof hex);
	close(fd);
	size_t bin_len = 0;
	int rc = 0;
	if (n < 2 * CR_MASTER_KEY_LEN ||
	    (n == sizeof hex) ||
	    sodium_hex2bin(key, CR_MASTER_KEY_LEN, hex, 2 * CR_MASTER_KEY_LEN,
			   NULL, &bin_len, NULL) != 0 ||
	    bin_len != CR_MASTER_KEY_LEN ||
	    (n == 2 * CR_MASTER_KEY_LEN + 1 && hex[2 * CR_MASTER_KEY_LEN] != '\n')) {
		*reason = "the key file does not hold a 64-hex-digit key";
		rc = CR_EINVAL;
	}
	sodium_memzero(hex, sizeof hex);
	return rc;
}
