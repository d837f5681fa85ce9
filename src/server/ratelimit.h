/*
 * ratelimit.h - per-key token buckets for 429 Too Many Requests.
 *
 * Each API key has a bucket of `burst` tokens refilled at `rate` per
 * second; a request takes one.  Buckets live in a fixed open-addressing
 * table under striped locks; a key that finds the table full is not
 * limited (and the limiter counts it), which fails open rather than
 * refusing a legitimate institution.
 */
#ifndef CR_RATELIMIT_H
#define CR_RATELIMIT_H

#include <stdint.h>

struct cr_ratelimit;

/* rate 0: no limit (cr_ratelimit_take always allows). */
struct cr_ratelimit *cr_ratelimit_new(uint32_t rate, uint32_t burst);
void cr_ratelimit_free(struct cr_ratelimit *rl);
/* Takes a token for key at now_ns (CLOCK_MONOTONIC).  Returns 0 when
 * allowed, else the whole seconds to wait before a token is there (>= 1). */
uint32_t cr_ratelimit_take(struct cr_ratelimit *rl, const char *key, uint64_t now_ns);

#endif
