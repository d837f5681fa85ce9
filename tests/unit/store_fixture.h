/*
 * store_fixture.h - a fresh store in a temporary directory, for the unit
 * tests that need one: cmocka setup and teardown functions.
 */
#ifndef CR_STORE_FIXTURE_H
#define CR_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store.h"

struct fixture {
	char dir[64];
	cr_store *st;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	/* Many small durable commits: on tmpfs when there is one, where fsync
	 * costs nothing. */
	snprintf(f->dir, sizeof f->dir, "%s/creditref-unit-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	char db[128], key[128];
	const char *reason;
	snprintf(db, sizeof db, "%s/db", f->dir);
	snprintf(key, sizeof key, "%s/db.key", f->dir);
	if (cr_store_create(db, key, &reason) || cr_store_open(db, key, 0, &f->st, &reason))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	cr_store_close(f->st);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

#endif
