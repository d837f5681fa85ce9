/*
 * cr_err.h - error codes shared by every creditref module.
 *
 * A function that can fail returns int: 0 on success, a negative CR_E* code on
 * failure, so a non-negative count can share the return value.  cr_strerror()
 * names every code; it never returns NULL.
 */
#ifndef CR_ERR_H
#define CR_ERR_H

enum {
	CR_OK = 0,
	CR_EINVAL = -1,    /* bad argument or bad input record */
	CR_ENOMEM = -2,    /* allocation failed */
	CR_EIO = -3,       /* read, write or fsync failed */
	CR_ENOTFOUND = -4, /* no such key, subject, account or file */
	CR_EEXIST = -5,    /* already present (and identical) */
	CR_ESTORE = -6,    /* the store reported an error */
	CR_EDENIED = -7,   /* not authorized */
	CR_ETOOBIG = -8,   /* a limit from cr_limits.h was exceeded */
	CR_EAGAIN = -9,    /* a parser needs more input */
	CR_ECORRUPT = -10, /* stored data failed its own checks */
	CR_EVERSION = -11, /* the data directory has an unknown layout version */
	CR_EBUSY = -12,    /* the store is open for writing by another process */
	CR_ENOSPC = -13,   /* the store's disk is full */
	CR_EAUDIT = -14,   /* the audit trail refused an act's entry: the act
			    * fails and nothing of it is committed */
};

/* Returns a static, human-readable description of rc. */
const char *cr_strerror(int rc);

#endif
