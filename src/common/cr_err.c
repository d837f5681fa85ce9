/* cr_err.c - one table of error messages for every CR_E* code. */
#include "cr_err.h"

const char *cr_strerror(int rc)
{
	switch (rc) {
	case CR_OK: return "success";
	case CR_EINVAL: return "invalid argument or input";
	case CR_ENOMEM: return "out of memory";
	case CR_EIO: return "input/output error";
	case CR_ENOTFOUND: return "not found";
	case CR_EEXIST: return "already exists";
	case CR_ESTORE: return "store error";
	case CR_EDENIED: return "not authorized";
	case CR_ETOOBIG: return "limit exceeded";
	case CR_EAGAIN: return "more input needed";
	case CR_ECORRUPT: return "stored data is corrupt";
	case CR_EVERSION: return "unsupported data directory version";
	case CR_EBUSY: return "the store is in use by another process";
	case CR_ENOSPC: return "no space left on the store's disk (free some, then start again: what was not acknowledged was not kept)";
	case CR_EAUDIT: return "the act's audit entry was refused, so nothing of it was recorded";
	}
	return "unknown error";
}
