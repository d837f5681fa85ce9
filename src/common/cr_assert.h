/*
 * cr_assert.h - assertions.
 *
 * CR_ASSERT stays on in release builds: it guards cheap invariants on the
 * write path, where a crash beats a corrupt credit file.  CR_DEBUG_ASSERT is
 * for costly checks and compiles away under NDEBUG.
 */
#ifndef CR_ASSERT_H
#define CR_ASSERT_H

#include <stdio.h>
#include <stdlib.h>

#define CR_ASSERT(cond)                                                    \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "creditref: assertion failed: %s " \
				"(%s:%d)\n", #cond, __FILE__, __LINE__);   \
			abort();                                           \
		}                                                          \
	} while (0)

#ifdef NDEBUG
#define CR_DEBUG_ASSERT(cond) ((void)0)
#else
#define CR_DEBUG_ASSERT(cond) CR_ASSERT(cond)
#endif

#endif
