/*
 * sup_warm.h - the server's thread that builds the as-of month's and the
 * previous month's supervision aggregates ahead of requests (sup_warm.c).
 */
#ifndef CR_SUP_WARM_H
#define CR_SUP_WARM_H

#include <stdint.h>

#include "store.h"

struct cr_sup_cache;
struct cr_sup_warm;

/* Starts the thread (asof_days CR_NO_DATE: today, each round); NULL when
 * it cannot. */
struct cr_sup_warm *cr_sup_warm_start(cr_store *st, struct cr_sup_cache *cache,
				      int32_t asof_days);
/* Stops it, after the build in progress, and frees it.  NULL: nothing. */
void cr_sup_warm_stop(struct cr_sup_warm *w);

#endif
