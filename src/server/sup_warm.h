/*
 * sup_warm.h - the server's thread that builds again, ahead of requests,
 * the supervision months supervisors are reading (sup_warm.c).
 */
#ifndef CR_SUP_WARM_H
#define CR_SUP_WARM_H

#include <stdint.h>

#include "store.h"

struct cr_sup_cache;
struct cr_sup_warm;

/* Starts the thread; NULL when it cannot. */
struct cr_sup_warm *cr_sup_warm_start(cr_store *st, struct cr_sup_cache *cache);
/* Stops it, after the build in progress, and frees it.  NULL: nothing. */
void cr_sup_warm_stop(struct cr_sup_warm *w);

#endif
