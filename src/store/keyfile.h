/*
 * keyfile.h - the master key, kept in a file outside the data directory.
 *
 * The key file holds one 32-byte master key as 64 hex digits and a newline.
 * It must be a regular file that neither group nor others can read or write
 * (mode 0600 or stricter): creditref refuses to use it otherwise and says
 * why, the way ssh refuses a private key with loose permissions.
 *
 * The master key only wraps the store's own keys (envelope encryption; see
 * docs/security.md), so replacing it rewrites a few bytes, not every record.
 */
#ifndef CR_KEYFILE_H
#define CR_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#define CR_MASTER_KEY_LEN 32

/* The key file used when none is named: "<dir>.key", beside the data
 * directory and outside it.  Writes into out (cap bytes). */
void cr_keyfile_default(const char *dir, char *out, size_t cap);

/* Writes key to path, created with mode 0600, durably (fsync of the file and
 * its directory).  Fails with CR_EEXIST if path exists and exclusive is set. */
int cr_keyfile_write(const char *path, const uint8_t key[CR_MASTER_KEY_LEN],
		     int exclusive);

/* Reads the key at path.  On failure returns CR_ENOTFOUND, CR_EDENIED (mode
 * too open) or CR_EINVAL (malformed), with *reason set to a sentence. */
int cr_keyfile_read(const char *path, uint8_t key[CR_MASTER_KEY_LEN] /* OUT */,
		    const char **reason /* OUT */);

#endif
