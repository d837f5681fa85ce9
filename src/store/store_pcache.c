/*
 * store_pcache.c - the people write transactions touched lately, as
 * committed: kept across transactions (store_txn.h, "Across transactions").
 *
 * Real-time furnishing touches the same people again and again, a few
 * events at a time; loading a person's records from the database costs two
 * seeks through the memtables and every level, most of the write path's
 * time when measured on the events bench (docs/storage.md).  This process
 * is the store's only writer (RocksDB's lock), so what its last commit
 * wrote is what the database holds: a committed image stays true until the
 * next commit that touches the person, which replaces it.
 *
 * The file also keeps, for every thread, the ids found by keyed hashes
 * (below).
 *
 * An entry holds a person's records but their events.  Events are the one
 * part of a person that grows without bound under real-time furnishing
 * (every drawdown and repayment adds one), and the write path reads them
 * only to derive an account's state anew (current.c), which it rarely
 * does: kept in the cache, they would make every commit that touches the
 * person copy them all again, and crowd the people out of the budget as
 * they pile up.  A transaction that needs an account's events reads them
 * from the database (store_txn.c, load_events).
 *
 * An entry owns one block holding its records (keys and values).  Entries are evicted least
 * recently used first once their bytes pass the budget.  Only write
 * transactions use the cache, under the store's writer mutex: it has no
 * lock of its own.
 *
 * A person enters the cache on the second commit that touches them while
 * the ghost table (below) still remembers the first.  Most people a server
 * writes are touched once: every report writes an inquiry about a person
 * drawn from the whole file, and a bulk load writes each person in one
 * batch.  Admitted on their first commit, they would cost a copy each and
 * push out of the budget the people that furnishing touches again and
 * again.  A person already in the cache is always replaced by their newer
 * image, and one that cannot be (out of memory) is dropped: an entry is
 * never older than the database.
 */
#include "store_txn.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cr_err.h"
#include "store_codec.h"

struct centry {
	uint64_t pid;
	struct prec *r;
	uint32_t n;
	uint8_t base_loaded;
	size_t bytes;
	struct centry *prev, *next; /* LRU: head is the most recent */
	void *block;
};

/* The ghost table: for each of its slots, the last person a commit
 * touched there who was not admitted (stored inverted, so that the zeroed
 * table holds no pid in practice).  64 Ki slots, 512 KiB: a person touched
 * again within about as many first-time commits is remembered. */
#define PCACHE_GHOSTS 65536

struct pcache {
	struct centry **slot;
	size_t nslot, n;
	size_t bytes, budget;
	struct centry *head, *tail;
	uint64_t hits, misses;
	uint64_t ghost[PCACHE_GHOSTS];
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

int pcache_new(size_t budget, struct pcache **out)
{
	struct pcache *pc = calloc(1, sizeof *pc);
	*out = pc;
	if (!pc)
		return CR_ENOMEM;
	pc->budget = budget;
	return 0;
}

static void entry_free(struct centry *e)
{
	free(e->block);
	free(e);
}

void pcache_free(struct pcache *pc)
{
	if (!pc)
		return;
	for (struct centry *e = pc->head, *next; e; e = next) {
		next = e->next;
		entry_free(e);
	}
	free(pc->slot);
	free(pc);
}

/* The slot holding pid, or the empty one where it would go. */
static size_t find(const struct pcache *pc, uint64_t pid)
{
	size_t i = mix(pid) & (pc->nslot - 1);
	while (pc->slot[i] && pc->slot[i]->pid != pid)
		i = (i + 1) & (pc->nslot - 1);
	return i;
}

static void unlink_lru(struct pcache *pc, struct centry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		pc->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		pc->tail = e->prev;
	e->prev = e->next = NULL;
}

static void push_lru(struct pcache *pc, struct centry *e)
{
	e->next = pc->head;
	if (pc->head)
		pc->head->prev = e;
	pc->head = e;
	if (!pc->tail)
		pc->tail = e;
}

/* Removes the entry at slot i, re-placing the entries after it in its run
 * (open addressing with linear probing). */
static void remove_at(struct pcache *pc, size_t i)
{
	struct centry *e = pc->slot[i];
	pc->slot[i] = NULL;
	pc->n--;
	pc->bytes -= e->bytes;
	unlink_lru(pc, e);
	entry_free(e);
	for (size_t j = (i + 1) & (pc->nslot - 1); pc->slot[j]; j = (j + 1) & (pc->nslot - 1)) {
		struct centry *m = pc->slot[j];
		pc->slot[j] = NULL;
		pc->slot[find(pc, m->pid)] = m;
	}
}

static int grow(struct pcache *pc)
{
	const size_t n = pc->nslot ? pc->nslot * 2 : 4096;
	struct centry **s = calloc(n, sizeof *s);
	if (!s)
		return CR_ENOMEM;
	struct centry **old = pc->slot;
	const size_t oldn = pc->nslot;
	pc->slot = s;
	pc->nslot = n;
	for (size_t i = 0; i < oldn; i++)
		if (old[i])
			pc->slot[find(pc, old[i]->pid)] = old[i];
	free(old);
	return 0;
}

int pcache_get(struct pcache *pc, uint64_t pid, struct pcache_view *out)
{
	if (!pc || !pc->n) {
		if (pc)
			pc->misses++;
		return CR_ENOTFOUND;
	}
	struct centry *e = pc->slot[find(pc, pid)];
	if (!e) {
		pc->misses++;
		return CR_ENOTFOUND;
	}
	pc->hits++;
	unlink_lru(pc, e);
	push_lru(pc, e);
	*out = (struct pcache_view){e->r, e->n, e->base_loaded};
	return 0;
}

/* Is r one of a person's events?  They sort last (store_codec.h). */
static int is_event(const struct prec *r)
{
	return r->kn >= CR_KEY_EVENT_PREFIX_LEN && r->k[PK_LEN - 1] == PK_EVENT;
}

/* Is r kept in an entry: live, and not an event (above)? */
static int kept(const struct prec *r)
{
	return r->state != ST_DEL && !is_event(r);
}

/* A new entry holding copies of the records of v it keeps (above), in one
 * block: every record but events, so the entry says no account's events
 * are loaded. */
static struct centry *entry_new(uint64_t pid, const struct pcache_view *v)
{
	size_t bytes = 0;
	uint32_t n = 0;
	for (uint32_t i = 0; i < v->n; i++) {
		if (!kept(&v->r[i]))
			continue;
		bytes += sizeof(struct prec) + v->r[i].kn + v->r[i].vn;
		n++;
	}
	struct centry *e = calloc(1, sizeof *e);
	uint8_t *b = malloc(bytes ? bytes : 1);
	if (!e || !b) {
		free(e);
		free(b);
		return NULL;
	}
	e->pid = pid;
	e->block = b;
	e->bytes = bytes + sizeof *e;
	e->r = (struct prec *)b;
	uint8_t *p = b + n * sizeof(struct prec);
	for (uint32_t i = 0, j = 0; i < v->n; i++) {
		const struct prec *s = &v->r[i];
		if (!kept(s))
			continue;
		memcpy(p, s->k, s->kn);
		memcpy(p + s->kn, s->v, s->vn);
		e->r[j++] = (struct prec){p, p + s->kn, s->kn, s->vn, ST_CLEAN};
		p += s->kn + s->vn;
	}
	e->n = n;
	e->base_loaded = v->base_loaded;
	return e;
}

/* Is pid admitted: remembered by the ghost table from an earlier commit?
 * If not, it is remembered now. */
static int admit(struct pcache *pc, uint64_t pid)
{
	uint64_t *g = &pc->ghost[mix(pid ^ 0x9e3779b97f4a7c15ULL) & (PCACHE_GHOSTS - 1)];
	if (*g == ~pid) {
		*g = 0;
		return 1;
	}
	*g = ~pid;
	return 0;
}

/* Forgets pid's entry, if it has one. */
static void drop(struct pcache *pc, uint64_t pid)
{
	if (pc->nslot) {
		const size_t i = find(pc, pid);
		if (pc->slot[i])
			remove_at(pc, i);
	}
}

int pcache_put(struct pcache *pc, uint64_t pid, const struct pcache_view *v)
{
	if (!pc || !pc->budget)
		return 0;
	const int held = pc->nslot && pc->slot[find(pc, pid)];
	if (!held && !admit(pc, pid))
		return 0;
	struct centry *e = NULL;
	if (((pc->n + 1) * 2 >= pc->nslot && grow(pc)) || !(e = entry_new(pid, v))) {
		drop(pc, pid);
		return CR_ENOMEM;
	}
	size_t i = find(pc, pid);
	if (pc->slot[i]) {
		remove_at(pc, i);
		i = find(pc, pid);
	}
	pc->slot[i] = e;
	pc->n++;
	pc->bytes += e->bytes;
	push_lru(pc, e);
	return 0;
}

void pcache_trim(struct pcache *pc)
{
	while (pc && pc->bytes > pc->budget && pc->tail)
		remove_at(pc, find(pc, pc->tail->pid));
}

void pcache_stats(const struct pcache *pc, uint64_t *hits, uint64_t *misses, size_t *bytes)
{
	*hits = pc ? pc->hits : 0;
	*misses = pc ? pc->misses : 0;
	*bytes = pc ? pc->bytes : 0;
}

/* ---- ids by keyed hash ------------------------------------------------- */

/*
 * The index family maps keyed hashes to ids: a subject key to a pid, an
 * account-number hash to an account id.  An id, once given, never changes,
 * so the ids the store has seen (read, or committed by its writer) can be
 * kept for every thread: a direct-mapped table, a slot per key hash, the
 * newer entry replacing the older on a collision.  A reader must still
 * check that its snapshot holds the person the id names (person_pid).
 */
#define IDKEY_MAX 40

struct idslot {
	uint64_t hash;   /* 0: empty */
	uint64_t v;
	uint8_t kn;
	uint8_t k[IDKEY_MAX];
};

struct idcache {
	pthread_mutex_t mu;
	struct idslot *slot;
	size_t n;  /* a power of two */
};

static uint64_t id_hash(const uint8_t *k, size_t kn)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ kn;
	for (size_t i = 0; i < kn; i++)
		h = (h ^ k[i]) * 0x100000001b3ULL;
	return mix(h) | 1;
}

int idcache_new(size_t slots, struct idcache **out)
{
	struct idcache *ic = calloc(1, sizeof *ic);
	*out = NULL;
	if (!ic)
		return CR_ENOMEM;
	size_t n = 1;
	while (n < slots)
		n *= 2;
	ic->slot = calloc(n, sizeof *ic->slot);
	if (!ic->slot) {
		free(ic);
		return CR_ENOMEM;
	}
	ic->n = n;
	pthread_mutex_init(&ic->mu, NULL);
	*out = ic;
	return 0;
}

void idcache_free(struct idcache *ic)
{
	if (!ic)
		return;
	pthread_mutex_destroy(&ic->mu);
	free(ic->slot);
	free(ic);
}

int idcache_get(struct idcache *ic, const uint8_t *k, size_t kn, uint64_t *v)
{
	if (!ic || kn > IDKEY_MAX)
		return CR_ENOTFOUND;
	const uint64_t h = id_hash(k, kn);
	int rc = CR_ENOTFOUND;
	pthread_mutex_lock(&ic->mu);
	const struct idslot *s = &ic->slot[h & (ic->n - 1)];
	if (s->hash == h && s->kn == kn && memcmp(s->k, k, kn) == 0) {
		*v = s->v;
		rc = 0;
	}
	pthread_mutex_unlock(&ic->mu);
	return rc;
}

void idcache_put(struct idcache *ic, const uint8_t *k, size_t kn, uint64_t v)
{
	if (!ic || kn > IDKEY_MAX)
		return;
	const uint64_t h = id_hash(k, kn);
	pthread_mutex_lock(&ic->mu);
	struct idslot *s = &ic->slot[h & (ic->n - 1)];
	s->hash = h;
	s->v = v;
	s->kn = (uint8_t)kn;
	memcpy(s->k, k, kn);
	pthread_mutex_unlock(&ic->mu);
}
