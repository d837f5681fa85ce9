/*
 * ratelimit.c - token buckets; see ratelimit.h.
 *
 * Tokens are kept in millitokens as integers, so refill arithmetic is
 * exact and needs no floating point.
 */
#include "ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr_limits.h"
#include "store.h"

#define SLOTS CR_RATELIMIT_SLOTS
#define STRIPES 64
#define MILLI 1000ULL

_Static_assert(SLOTS % STRIPES == 0, "each stripe owns SLOTS / STRIPES slots");

struct bucket {
	char key[CR_APIKEY_ID_LEN + 1]; /* "" for a free slot */
	uint64_t milli;                 /* tokens * 1000 */
	uint64_t last_ns;
};

struct cr_ratelimit {
	uint32_t rate, burst;
	pthread_mutex_t stripe[STRIPES];
	struct bucket slot[SLOTS];
};

struct cr_ratelimit *cr_ratelimit_new(uint32_t rate, uint32_t burst)
{
	struct cr_ratelimit *rl = calloc(1, sizeof *rl);
	if (!rl)
		return NULL;
	rl->rate = rate;
	rl->burst = burst ? burst : rate;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&rl->stripe[i], NULL);
	return rl;
}

void cr_ratelimit_free(struct cr_ratelimit *rl)
{
	if (!rl)
		return;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&rl->stripe[i]);
	free(rl);
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

/* Refills b to now and takes a token; returns the wait in seconds or 0. */
static uint32_t take(const struct cr_ratelimit *rl, struct bucket *b, uint64_t now_ns)
{
	const uint64_t cap = (uint64_t)rl->burst * MILLI;
	if (now_ns > b->last_ns) {
		const uint64_t add = (now_ns - b->last_ns) / 1000000ULL * rl->rate; /* per ms */
		b->milli = b->milli + add > cap ? cap : b->milli + add;
		if (add)
			b->last_ns = now_ns;
	}
	if (b->milli >= MILLI) {
		b->milli -= MILLI;
		return 0;
	}
	const uint64_t missing = MILLI - b->milli;          /* millitokens */
	const uint64_t ms = (missing + rl->rate - 1) / rl->rate;  /* at rate per ms */
	return (uint32_t)((ms + 999) / 1000);
}

uint32_t cr_ratelimit_take(struct cr_ratelimit *rl, const char *key, uint64_t now_ns)
{
	if (!rl || !rl->rate)
		return 0;
	const uint32_t h = hash(key);
	/* Probes stay within one stripe's share of slots: slot i belongs to
	 * stripe i % STRIPES, and a probe steps by STRIPES. */
	pthread_mutex_t *mu = &rl->stripe[h % STRIPES];
	uint32_t wait = 0;
	pthread_mutex_lock(mu);
	for (uint32_t i = 0, s = h % SLOTS; i < SLOTS / STRIPES; i++, s = (s + STRIPES) % SLOTS) {
		struct bucket *b = &rl->slot[s];
		if (!b->key[0]) {
			snprintf(b->key, sizeof b->key, "%s", key);
			b->milli = (uint64_t)rl->burst * MILLI;
			b->last_ns = now_ns;
		} else if (strcmp(b->key, key) != 0) {
			continue;
		}
		wait = take(rl, b, now_ns);
		break;
	}
	pthread_mutex_unlock(mu);
	return wait;
}
