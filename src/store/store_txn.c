/*
 * store_txn.c - the write transaction's memory; see store_txn.h.
 *
 * Person images.  An image is the sorted array of the records of one
 * person that the transaction has loaded or written, each with its state:
 * CLEAN (as in the database), PUT or DEL (to be written at commit).  What
 * is loaded is tracked in two parts: the base (every record but events,
 * and the events too while a person has few, read in the same seek) and,
 * per account, its events.  Loading merges the database's records
 * into the array, keeping the image's own where both have a key, so a
 * write made before a load (a blind write, which needs no load) wins.
 *
 * Key caches.  One open-addressing hash table per family holds every key
 * the transaction read (with its value, or "not found") or wrote.
 *
 * Memory.  Records, values and table entries come from an arena of 1 MiB
 * chunks, freed at once with the transaction; a value that is replaced
 * stays in the arena until then.
 */
#include "store_txn.h"

#include <stdlib.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

/* ---- arena ------------------------------------------------------------- */

#define CHUNK_FIRST (16u << 10) /* a report's transaction needs a few KiB */
#define CHUNK_MAX (1u << 20)

struct chunk {
	struct chunk *next;
	size_t used, cap;
	uint8_t data[];
};

static void *arena_alloc(struct txn_cache *c, size_t n);

/* ---- records and images ------------------------------------------------ */

struct pimg {
	uint64_t pid;
	struct prec *r;
	uint32_t n, cap;
	uint8_t base_loaded;  /* every record but events is in r */
	uint8_t events_all;   /* every event is in r */
	uint8_t fresh;        /* created by this transaction: nothing to load */
	uint8_t dirty;
	uint8_t loaded;       /* has records from the database or the cache */
	uint8_t from_cache;   /* started from the store's cache ... */
	uint8_t grew;         /* ... and loaded more from the database since */
	/* Accounts whose events are in r: every one from the time ev_since[i]
	 * on (biased, as in the key; 0: all of them). */
	uint16_t *ev_loaded;
	uint64_t *ev_since;
	uint32_t nev, capev;
};

struct kent {
	const uint8_t *k;
	const uint8_t *v;
	uint32_t kn, vn;
	uint8_t state;
	uint64_t hash;
};

struct kmap {
	struct kent **slot;
	size_t nslot, n;
};

struct txn_cache {
	const rocksdb_snapshot_t *snap; /* a read transaction's: loads read it */
	struct chunk *arena;
	size_t chunk;          /* the size of the next chunk */
	struct pimg **pslot;  /* open addressing by pid */
	size_t npslot, np;
	struct kmap km[CF_COUNT]; /* unused for CF_PERSON */
	int person_dirty;
};

static void *arena_alloc(struct txn_cache *c, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	struct chunk *ch = c->arena;
	if (!ch || ch->cap - ch->used < n) {
		c->chunk = c->chunk ? (c->chunk < CHUNK_MAX ? 2 * c->chunk : CHUNK_MAX) : CHUNK_FIRST;
		const size_t cap = n > c->chunk ? n : c->chunk;
		ch = malloc(sizeof *ch + cap);
		if (!ch)
			return NULL;
		ch->cap = cap;
		ch->used = 0;
		ch->next = c->arena;
		c->arena = ch;
	}
	void *p = ch->data + ch->used;
	ch->used += n;
	return p;
}

static const uint8_t *arena_copy(struct txn_cache *c, const void *p, size_t n)
{
	uint8_t *q = arena_alloc(c, n ? n : 1);
	if (q && n)
		memcpy(q, p, n);
	return q;
}

int txc_new(const rocksdb_snapshot_t *snap, struct txn_cache **out)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return CR_ENOMEM;
	(*out)->snap = snap;
	return 0;
}

void txc_free(struct txn_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->npslot; i++) {
		struct pimg *p = c->pslot[i];
		if (p) {
			free(p->r);
			free(p->ev_loaded);
			free(p->ev_since);
		}
	}
	while (c->arena) {
		struct chunk *next = c->arena->next;
		free(c->arena);
		c->arena = next;
	}
	free(c->pslot);
	for (int i = 0; i < CF_COUNT; i++)
		free(c->km[i].slot);
	free(c);
}

int txc_person_dirty(const struct txn_cache *c)
{
	return c->person_dirty;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* ---- the person table -------------------------------------------------- */

static int pgrow(struct txn_cache *c)
{
	const size_t n = c->npslot ? c->npslot * 2 : 1024;
	struct pimg **s = calloc(n, sizeof *s);
	if (!s)
		return CR_ENOMEM;
	for (size_t i = 0; i < c->npslot; i++) {
		struct pimg *p = c->pslot[i];
		if (!p)
			continue;
		size_t j = mix(p->pid) & (n - 1);
		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = p;
	}
	free(c->pslot);
	c->pslot = s;
	c->npslot = n;
	return 0;
}

static int reserve(struct pimg *p, uint32_t want);

/* Starts p from the store's cache when it holds the person. */
static int from_cache(cr_store *st, struct pimg *p)
{
	struct pcache_view v;
	if (!st || pcache_get(st->pcache, p->pid, &v))
		return 0; /* st NULL: a new person, or a read transaction */
	if (reserve(p, v.n))
		return CR_ENOMEM;
	if (v.n)
		memcpy(p->r, v.r, v.n * sizeof *p->r); /* the bytes stay the cache's */
	p->n = v.n;
	p->base_loaded = v.base_loaded; /* and no events: the cache keeps none */
	p->loaded = p->from_cache = 1;
	return 0;
}

/* The image of pid if the transaction has one (read or written), else
 * NULL; creates none. */
static struct pimg *image_find(const struct txn_cache *c, uint64_t pid)
{
	if (!c->npslot)
		return NULL;
	for (size_t i = mix(pid) & (c->npslot - 1); c->pslot[i]; i = (i + 1) & (c->npslot - 1))
		if (c->pslot[i]->pid == pid)
			return c->pslot[i];
	return NULL;
}

/* The image of pid, created when new: from the store's cache, or empty
 * (nothing loaded; st NULL: a person the transaction creates). */
static struct pimg *image(cr_store *st, struct txn_cache *c, uint64_t pid)
{
	struct pimg *p = image_find(c, pid);
	if (p)
		return p;
	if (c->np * 2 >= c->npslot && pgrow(c))
		return NULL;
	size_t i = mix(pid) & (c->npslot - 1);
	while (c->pslot[i])
		i = (i + 1) & (c->npslot - 1);
	if (!(p = arena_alloc(c, sizeof *p)))
		return NULL;
	memset(p, 0, sizeof *p);
	p->pid = pid;
	c->pslot[i] = p;
	c->np++;
	return from_cache(st, p) ? NULL : p;
}

int txc_person_held(const struct txn_cache *c, uint64_t pid)
{
	return image_find(c, pid) != NULL;
}

size_t txc_person_records(const struct txn_cache *c, uint64_t pid)
{
	const struct pimg *p = image_find(c, pid);
	return p ? p->n : 0;
}

int txc_person_new(struct txn_cache *c, uint64_t pid)
{
	struct pimg *p = image(NULL, c, pid);
	if (!p)
		return CR_ENOMEM;
	CR_ASSERT(p->n == 0);
	p->fresh = p->base_loaded = p->events_all = 1;
	return 0;
}

static int keycmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	const int c = memcmp(a, b, an < bn ? an : bn);
	return c ? c : an < bn ? -1 : an > bn;
}

/* The index of the first record >= k. */
static uint32_t lower(const struct pimg *p, const uint8_t *k, size_t kn)
{
	uint32_t lo = 0, hi = p->n;
	while (lo < hi) {
		const uint32_t mid = lo + (hi - lo) / 2;
		if (keycmp(p->r[mid].k, p->r[mid].kn, k, kn) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int reserve(struct pimg *p, uint32_t want)
{
	if (want <= p->cap)
		return 0;
	uint32_t cap = p->cap ? p->cap : 16;
	while (cap < want)
		cap *= 2;
	struct prec *r = realloc(p->r, cap * sizeof *r);
	if (!r)
		return CR_ENOMEM;
	p->r = r;
	p->cap = cap;
	return 0;
}

/* Sets key k of p to v in state; k and v are copied into the arena. */
static int pset(struct txn_cache *c, struct pimg *p, const uint8_t *k, size_t kn,
		const uint8_t *v, size_t vn, uint8_t state)
{
	const uint32_t i = lower(p, k, kn);
	const uint8_t *vc = arena_copy(c, v, vn);
	if (!vc)
		return CR_ENOMEM;
	if (i < p->n && keycmp(p->r[i].k, p->r[i].kn, k, kn) == 0) {
		p->r[i].v = vc;
		p->r[i].vn = (uint32_t)vn;
		p->r[i].state = state;
		return 0;
	}
	const uint8_t *kc = arena_copy(c, k, kn);
	if (!kc || reserve(p, p->n + 1))
		return CR_ENOMEM;
	memmove(p->r + i + 1, p->r + i, (p->n - i) * sizeof *p->r);
	p->r[i] = (struct prec){kc, vc, (uint32_t)kn, (uint32_t)vn, state};
	p->n++;
	return 0;
}

/* ---- loading from the database ----------------------------------------- */

/* A load: the image the database's records go into. */
struct load {
	struct txn_cache *c;
	struct pimg *p;
	uint32_t events, last_n; /* load_base: events seen, the last account's n */
	int cut;                 /* load_base: stopped before the last event */
};

/* A record read from the database joins the image unless the image has
 * its key already: written by this transaction, which wins. */
static int load_record(struct load *l, const struct kv_step *s)
{
	struct pimg *p = l->p;
	const uint32_t i = lower(p, s->k, s->kn);
	if (i < p->n && keycmp(p->r[i].k, p->r[i].kn, s->k, s->kn) == 0)
		return 0;
	return pset(l->c, p, s->k, s->kn, s->v, s->vn, ST_CLEAN);
}

static int load_one(struct kv_step *s, void *arg)
{
	return load_record(arg, s);
}

/* Merges the database's records under prefix into p, the image's own
 * records winning. */
static int load_range(cr_store *st, struct txn_cache *c, struct pimg *p,
		      const uint8_t *prefix, size_t pn)
{
	struct load l = {c, p, 0, 0, 0};
	return kv_walk_db(st, c->snap, CF_PERSON, prefix, pn, load_one, &l);
}

/* The place of account n in p->ev_loaded, or -1. */
static int64_t ev_find(const struct pimg *p, uint16_t n)
{
	for (uint32_t i = 0; i < p->nev; i++)
		if (p->ev_loaded[i] == n)
			return i;
	return -1;
}

/* Are the events of account n from time since on (biased) in p? */
static int ev_has(const struct pimg *p, uint16_t n, uint64_t since)
{
	const int64_t i = ev_find(p, n);
	return p->events_all || (i >= 0 && p->ev_since[i] <= since);
}

static int ev_is_loaded(const struct pimg *p, uint16_t n)
{
	return ev_has(p, n, 0);
}

/* Records that every event of account n from time since on is in p. */
static int mark_events_since(struct pimg *p, uint16_t n, uint64_t since)
{
	const int64_t i = ev_find(p, n);
	if (i >= 0) {
		if (since < p->ev_since[i])
			p->ev_since[i] = since;
		return 0;
	}
	if (p->nev == p->capev) {
		const uint32_t cap = p->capev ? p->capev * 2 : 8;
		uint16_t *e = realloc(p->ev_loaded, cap * sizeof *e);
		if (e)
			p->ev_loaded = e;
		uint64_t *t = e ? realloc(p->ev_since, cap * sizeof *t) : NULL;
		if (!t)
			return CR_ENOMEM;
		p->ev_since = t;
		p->capev = cap;
	}
	p->ev_loaded[p->nev] = n;
	p->ev_since[p->nev++] = since;
	return 0;
}

/* Records that every event of account n is in p. */
static int mark_events(struct pimg *p, uint16_t n)
{
	return mark_events_since(p, n, 0);
}

/* The events of account n of p (n > 0xffff: every account's). */
static int load_events(cr_store *st, struct txn_cache *c, struct pimg *p, uint32_t n)
{
	uint8_t prefix[CR_KEY_EVENT_LEN];
	if (n > 0xffff ? p->events_all : ev_is_loaded(p, (uint16_t)n))
		return 0;
	/* pid '~' n, or pid '~' for every account's. */
	cr_key_event(ACCT_ID(p->pid, n & 0xffff), 0, NULL, prefix);
	int rc = load_range(st, c, p, prefix, n <= 0xffff ? CR_KEY_EVENT_PREFIX_LEN : PK_LEN);
	if (rc)
		return rc;
	p->loaded = p->grew = 1;
	if (n > 0xffff) {
		p->events_all = 1;
		return 0;
	}
	return mark_events(p, (uint16_t)n);
}

/* The events of account n of p from key from[0..fn) on: an account's
 * events after a time, as a derivation of its state reads them (the events
 * since its last statement), without reading the years before. */
static int load_events_since(cr_store *st, struct txn_cache *c, struct pimg *p, uint16_t n,
			     const uint8_t *from, size_t fn)
{
	const uint64_t since = cr_get_u64be(from + CR_KEY_EVENT_PREFIX_LEN);
	if (ev_has(p, n, since))
		return 0;
	struct load l = {c, p, 0, 0, 0};
	int rc = kv_walk_db_from(st, c->snap, CF_PERSON, from, CR_KEY_EVENT_PREFIX_LEN, from, fn,
				 load_one, &l);
	if (rc)
		return rc;
	p->loaded = p->grew = 1;
	return mark_events_since(p, n, since);
}

/* Events read with the rest of a person in one pass: beyond this many, an
 * account's events are read when first asked for (load_events). */
#define EVENTS_INLINE 256

/* One record of load_base: an event counts towards the inline limit, and
 * each account whose events were all read is marked loaded. */
static int base_one(struct kv_step *s, void *arg)
{
	struct load *l = arg;
	if (s->kn >= CR_KEY_EVENT_PREFIX_LEN && s->k[PK_LEN - 1] == PK_EVENT) {
		const uint32_t n = ACCT_N(cr_key_acct_id(s->k));
		if (n != l->last_n && l->last_n <= 0xffff) {
			int rc = mark_events(l->p, (uint16_t)l->last_n);
			if (rc)
				return rc;
		}
		l->last_n = n;
		if (++l->events > EVENTS_INLINE) {
			l->cut = 1;
			s->end = 1;
			return 0;
		}
	}
	return load_record(l, s);
}

/* Everything of p in one seek: the records before its events (the event
 * tag sorts last) and, while they are few, its events; an account whose
 * events were all read is marked loaded. */
static int load_base(cr_store *st, struct txn_cache *c, struct pimg *p)
{
	uint8_t prefix[8];
	if (p->base_loaded)
		return 0;
	cr_put_u64be(prefix, p->pid);
	struct load l = {c, p, 0, 0x10000, 0};
	int rc = kv_walk_db(st, c->snap, CF_PERSON, prefix, sizeof prefix, base_one, &l);
	if (!rc && !l.cut)
		p->events_all = 1;
	p->base_loaded = rc == 0;
	p->loaded = p->grew = 1;
	return rc;
}

/* Loads what a read of keys starting with k[0..kn) (kn >= PK_LEN) needs. */
static int ensure(cr_store *st, struct txn_cache *c, struct pimg *p, const uint8_t *k,
		  size_t kn)
{
	if (p->fresh)
		return 0;
	int rc = load_base(st, c, p);
	if (rc || (kn >= PK_LEN && k[PK_LEN - 1] != PK_EVENT))
		return rc;
	return load_events(st, c, p,
			   kn >= CR_KEY_EVENT_PREFIX_LEN ? ACCT_N(cr_key_acct_id(k)) : 0x10000);
}

/* Is k[0..kn) an event prefix and a time, with nothing after the time but
 * zeros (the first key of that time)? */
static int time_key(const uint8_t *k, size_t kn)
{
	if (kn < CR_KEY_EVENT_PREFIX_LEN + 8)
		return 0;
	for (size_t i = CR_KEY_EVENT_PREFIX_LEN + 8; i < kn; i++)
		if (k[i])
			return 0;
	return 1;
}

/* Loads what a walk of one account's events from key from[0..fn) on
 * needs (fn >= the event prefix and a time). */
static int ensure_since(cr_store *st, struct txn_cache *c, struct pimg *p, const uint8_t *from,
			size_t fn)
{
	if (p->fresh)
		return 0;
	int rc = load_base(st, c, p);
	return rc ? rc : load_events_since(st, c, p, ACCT_N(cr_key_acct_id(from)), from, fn);
}

/* ---- key caches -------------------------------------------------------- */

static uint64_t key_hash(const uint8_t *k, size_t kn)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ kn;
	for (size_t i = 0; i < kn; i++)
		h = (h ^ k[i]) * 0x100000001b3ULL;
	return mix(h);
}

static int kgrow(struct kmap *m)
{
	const size_t n = m->nslot ? m->nslot * 2 : 256;
	struct kent **s = calloc(n, sizeof *s);
	if (!s)
		return CR_ENOMEM;
	for (size_t i = 0; i < m->nslot; i++) {
		struct kent *e = m->slot[i];
		if (!e)
			continue;
		size_t j = e->hash & (n - 1);
		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = e;
	}
	free(m->slot);
	m->slot = s;
	m->nslot = n;
	return 0;
}

/* The entry of k in m, or the empty slot where it goes (*slot). */
static struct kent *kfind(struct kmap *m, const uint8_t *k, size_t kn, uint64_t h,
			  size_t *slot)
{
	size_t i = h & (m->nslot - 1);
	for (; m->slot[i]; i = (i + 1) & (m->nslot - 1)) {
		struct kent *e = m->slot[i];
		if (e->hash == h && e->kn == kn && memcmp(e->k, k, kn) == 0)
			return e;
	}
	*slot = i;
	return NULL;
}

/* The entry of k, created (state as given, value v) when absent. */
static struct kent *kset(struct txn_cache *c, struct kmap *m, const uint8_t *k, size_t kn,
			 const uint8_t *v, size_t vn, uint8_t state)
{
	if ((m->n + 1) * 2 >= m->nslot && kgrow(m))
		return NULL;
	const uint64_t h = key_hash(k, kn);
	size_t slot = 0;
	struct kent *e = kfind(m, k, kn, h, &slot);
	const uint8_t *vc = v ? arena_copy(c, v, vn) : NULL;
	if (v && !vc)
		return NULL;
	if (!e) {
		e = arena_alloc(c, sizeof *e);
		const uint8_t *kc = arena_copy(c, k, kn);
		if (!e || !kc)
			return NULL;
		*e = (struct kent){kc, NULL, (uint32_t)kn, 0, 0, h};
		m->slot[slot] = e;
		m->n++;
	}
	e->v = vc;
	e->vn = (uint32_t)vn;
	e->state = state;
	return e;
}

static int kget(cr_store *st, struct txn_cache *c, int cf, const uint8_t *k, size_t kn,
		struct kv_val *out)
{
	struct kmap *m = &c->km[cf];
	if (!m->nslot && kgrow(m))
		return CR_ENOMEM;
	size_t slot;
	struct kent *e = kfind(m, k, kn, key_hash(k, kn), &slot);
	uint8_t idv[8];
	uint64_t id;
	if (!e && cf == CF_INDEX && idcache_get(st->ids, k, kn, &id) == 0) {
		cr_put_u64be(idv, id);
		if (!(e = kset(c, m, k, kn, idv, 8, ST_CLEAN)))
			return CR_ENOMEM;
	}
	if (!e) {
		char *err = NULL;
		rocksdb_pinnableslice_t *pin = rocksdb_get_pinned_cf(st->db, st->ro_latest,
								      st->cf[cf], (const char *)k, kn, &err);
		if (err) {
			rocksdb_free(err);
			return CR_ESTORE;
		}
		size_t vn = 0;
		const uint8_t *v = pin ? (const uint8_t *)rocksdb_pinnableslice_value(pin, &vn) : NULL;
		if (v && vn == 8 && cf == CF_INDEX && (k[0] == IK_SUBJECT || k[0] == IK_ACCOUNT))
			idcache_put(st->ids, k, kn, cr_get_u64be(v));
		e = kset(c, m, k, kn, v, vn, v ? ST_CLEAN : ST_MISSING);
		if (pin)
			rocksdb_pinnableslice_destroy(pin);
		if (!e)
			return CR_ENOMEM;
	}
	if (e->state == ST_MISSING || e->state == ST_DEL)
		return CR_ENOTFOUND;
	out->p = e->v;
	out->n = e->vn;
	return 0;
}

/* ---- the interface ----------------------------------------------------- */

int txc_get(cr_store *st, struct txn_cache *c, int cf, const uint8_t *k, size_t kn,
	    struct kv_val *out)
{
	if (cf != CF_PERSON)
		return kget(st, c, cf, k, kn, out);
	CR_ASSERT(kn >= PK_LEN);
	struct pimg *p = image(c->snap ? NULL : st, c, cr_get_u64be(k));
	if (!p)
		return CR_ENOMEM;
	int rc = ensure(st, c, p, k, kn);
	if (rc)
		return rc;
	const uint32_t i = lower(p, k, kn);
	if (i == p->n || keycmp(p->r[i].k, p->r[i].kn, k, kn) != 0 || p->r[i].state == ST_DEL)
		return CR_ENOTFOUND;
	out->p = p->r[i].v;
	out->n = p->r[i].vn;
	return 0;
}

static int set(cr_store *st, struct txn_cache *c, int cf, const uint8_t *k, size_t kn,
	       const uint8_t *v, size_t vn, uint8_t state)
{
	(void)st;
	if (cf != CF_PERSON) {
		struct kmap *m = &c->km[cf];
		if (!m->nslot && kgrow(m))
			return CR_ENOMEM;
		return kset(c, m, k, kn, v, vn, state) ? 0 : CR_ENOMEM;
	}
	CR_ASSERT(kn >= PK_LEN);
	struct pimg *p = image(st, c, cr_get_u64be(k));
	if (!p)
		return CR_ENOMEM;
	p->dirty = 1;
	c->person_dirty = 1;
	return pset(c, p, k, kn, v, vn, state);
}

int txc_put(cr_store *st, struct txn_cache *c, int cf, const uint8_t *k, size_t kn,
	    const uint8_t *v, size_t vn)
{
	return set(st, c, cf, k, kn, v ? v : (const uint8_t *)"", vn, ST_PUT);
}

int txc_note(struct txn_cache *c, int cf, const uint8_t *k, size_t kn, const uint8_t *v,
	     size_t vn)
{
	struct kmap *m = &c->km[cf];
	size_t slot;
	CR_ASSERT(cf != CF_PERSON);
	if (!m->nslot && kgrow(m))
		return CR_ENOMEM;
	if (kfind(m, k, kn, key_hash(k, kn), &slot))
		return 0;
	return kset(c, m, k, kn, v, vn, ST_CLEAN) ? 0 : CR_ENOMEM;
}

int txc_del(cr_store *st, struct txn_cache *c, int cf, const uint8_t *k, size_t kn)
{
	return set(st, c, cf, k, kn, (const uint8_t *)"", 0, ST_DEL);
}

static int pimg_cmp(const void *a, const void *b)
{
	const struct pimg *x = *(struct pimg *const *)a, *y = *(struct pimg *const *)b;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static int kent_order(const void *a, const void *b);

/* The writes go to the batch in key order: the memtable's skip list then
 * inserts each next to the one before (a short search), not anywhere. */
int txc_flush(cr_store *st, struct txn_cache *c, rocksdb_writebatch_t *wb)
{
	struct pimg **ps = malloc((c->np ? c->np : 1) * sizeof *ps);
	size_t n = 0;
	if (!ps)
		return CR_ENOMEM;
	for (size_t i = 0; i < c->npslot; i++)
		if (c->pslot[i] && c->pslot[i]->dirty)
			ps[n++] = c->pslot[i];
	qsort(ps, n, sizeof *ps, pimg_cmp);
	for (size_t i = 0; i < n; i++) {
		for (uint32_t j = 0; j < ps[i]->n; j++) {
			const struct prec *r = &ps[i]->r[j];
			if (r->state == ST_PUT)
				rocksdb_writebatch_put_cf(wb, st->cf[CF_PERSON], (const char *)r->k,
							  r->kn, (const char *)r->v, r->vn);
			else if (r->state == ST_DEL)
				rocksdb_writebatch_delete_cf(wb, st->cf[CF_PERSON],
							     (const char *)r->k, r->kn);
		}
	}
	free(ps);
	for (int cf = 0; cf < CF_COUNT; cf++) {
		const struct kmap *m = &c->km[cf];
		struct kent **es = malloc((m->n ? m->n : 1) * sizeof *es);
		if (!es)
			return CR_ENOMEM;
		n = 0;
		for (size_t i = 0; i < m->nslot; i++)
			if (m->slot[i] && (m->slot[i]->state == ST_PUT || m->slot[i]->state == ST_DEL))
				es[n++] = m->slot[i];
		qsort(es, n, sizeof *es, kent_order);
		for (size_t i = 0; i < n; i++) {
			if (es[i]->state == ST_PUT)
				rocksdb_writebatch_put_cf(wb, st->cf[cf], (const char *)es[i]->k,
							  es[i]->kn, (const char *)es[i]->v, es[i]->vn);
			else
				rocksdb_writebatch_delete_cf(wb, st->cf[cf], (const char *)es[i]->k,
							     es[i]->kn);
		}
		free(es);
	}
	return 0;
}

void txc_committed(cr_store *st, struct txn_cache *c)
{
	const struct kmap *m = &c->km[CF_INDEX];
	for (size_t i = 0; i < m->nslot; i++) {
		const struct kent *e = m->slot[i];
		if (e && e->state == ST_PUT && e->vn == 8 &&
		    (e->k[0] == IK_SUBJECT || e->k[0] == IK_ACCOUNT))
			idcache_put(st->ids, e->k, e->kn, cr_get_u64be(e->v));
	}
	if (!st->pcache)
		return;
	for (size_t i = 0; i < c->npslot; i++) {
		const struct pimg *p = c->pslot[i];
		if (!p || p->fresh || !p->loaded || (p->from_cache && !p->dirty && !p->grew))
			continue;
		const struct pcache_view v = {p->r, p->n, p->base_loaded};
		/* Out of memory, the person's entry is dropped, not left stale:
		 * the cache is only an aid. */
		(void)pcache_put(st->pcache, p->pid, &v);
	}
	pcache_trim(st->pcache);
}

/* ---- iteration --------------------------------------------------------- */

struct txc_iter {
	const uint8_t *prefix;
	size_t pn;
	/* a person's image */
	struct pimg *img;
	uint32_t pos;
	/* a key cache's writes under the prefix, merged with the database */
	struct kent **ov;
	size_t nov, ovpos;
	struct kv_iter db;  /* the database's records under the prefix */
	int from_ov;        /* the current entry is ov[ovpos] */
};

static int has_prefix(const struct txc_iter *it, const uint8_t *k, size_t kn)
{
	return kn >= it->pn && memcmp(k, it->prefix, it->pn) == 0;
}

/* Image: skip deleted records. */
static void img_settle(struct txc_iter *it)
{
	while (it->pos < it->img->n && it->img->r[it->pos].state == ST_DEL)
		it->pos++;
}

static int kent_order(const void *a, const void *b)
{
	const struct kent *x = *(struct kent *const *)a, *y = *(struct kent *const *)b;
	return keycmp(x->k, x->kn, y->k, y->kn);
}

/* Merge: pick the smaller of the two heads; a write hides the database's
 * record of the same key; deletions are skipped. */
static void merge_settle(struct txc_iter *it)
{
	for (;;) {
		size_t dn = 0;
		const uint8_t *dk = kv_iter_valid(&it->db) ? kv_iter_key(&it->db, &dn) : NULL;
		const struct kent *o = it->ovpos < it->nov ? it->ov[it->ovpos] : NULL;
		if (!o) {
			it->from_ov = 0;
			return;
		}
		const int c = dk ? keycmp(o->k, o->kn, dk, dn) : -1;
		if (c == 0)
			kv_iter_next(&it->db);
		if (c > 0) {
			it->from_ov = 0;
			return;
		}
		if (o->state == ST_PUT) {
			it->from_ov = 1;
			return;
		}
		it->ovpos++; /* a deletion: skip it and what it hides */
	}
}

static int open_merge(cr_store *st, struct txn_cache *c, int cf, const uint8_t *from,
		      size_t fn, struct txc_iter *it)
{
	struct kmap *m = &c->km[cf];
	size_t n = 0;
	for (size_t i = 0; i < m->nslot; i++) {
		const struct kent *e = m->slot[i];
		n += e && (e->state == ST_PUT || e->state == ST_DEL) && has_prefix(it, e->k, e->kn) &&
		     keycmp(e->k, e->kn, from, fn) >= 0;
	}
	it->ov = n ? malloc(n * sizeof *it->ov) : NULL;
	if (n && !it->ov)
		return CR_ENOMEM;
	for (size_t i = 0; i < m->nslot; i++) {
		struct kent *e = m->slot[i];
		if (e && (e->state == ST_PUT || e->state == ST_DEL) && has_prefix(it, e->k, e->kn) &&
		    keycmp(e->k, e->kn, from, fn) >= 0)
			it->ov[it->nov++] = e;
	}
	if (it->nov > 1)
		qsort(it->ov, it->nov, sizeof *it->ov, kent_order);
	int rc = kv_iter_open_db(st, c->snap, cf, it->prefix, it->pn, from, fn, &it->db);
	if (!rc)
		merge_settle(it);
	return rc;
}

int txc_iter_open(cr_store *st, struct txn_cache *c, int cf, const uint8_t *prefix,
		  size_t pn, const uint8_t *from, size_t fn, struct txc_iter **out)
{
	struct txc_iter *it = calloc(1, sizeof *it);
	*out = it;
	if (!it)
		return CR_ENOMEM;
	it->prefix = prefix;
	it->pn = pn;
	if (!from) {
		from = prefix;
		fn = pn;
	}
	if (cf != CF_PERSON)
		return open_merge(st, c, cf, from, fn, it);
	CR_ASSERT(pn >= 8);
	const uint64_t pid = cr_get_u64be(prefix);
	it->img = image(c->snap ? NULL : st, c, pid);
	if (!it->img)
		return CR_ENOMEM;
	/* A walk of one account's events from a time on loads those alone. */
	const int window = pn == CR_KEY_EVENT_PREFIX_LEN && prefix[PK_LEN - 1] == PK_EVENT &&
			   time_key(from, fn) && memcmp(from, prefix, pn) == 0;
	int rc = window ? ensure_since(st, c, it->img, from, fn) : ensure(st, c, it->img, prefix, pn);
	if (rc)
		return rc;
	it->pos = lower(it->img, from, fn);
	img_settle(it);
	return 0;
}

int txc_iter_valid(struct txc_iter *it)
{
	size_t kn;
	const uint8_t *k;
	if (it->img) {
		if (it->pos >= it->img->n)
			return 0;
		k = it->img->r[it->pos].k;
		kn = it->img->r[it->pos].kn;
	} else if (it->from_ov) {
		k = it->ov[it->ovpos]->k;
		kn = it->ov[it->ovpos]->kn;
	} else {
		if (!kv_iter_valid(&it->db))
			return 0;
		k = kv_iter_key(&it->db, &kn);
	}
	return has_prefix(it, k, kn);
}

const uint8_t *txc_iter_key(struct txc_iter *it, size_t *n)
{
	if (it->img) {
		*n = it->img->r[it->pos].kn;
		return it->img->r[it->pos].k;
	}
	if (it->from_ov) {
		*n = it->ov[it->ovpos]->kn;
		return it->ov[it->ovpos]->k;
	}
	return kv_iter_key(&it->db, n);
}

const uint8_t *txc_iter_value(struct txc_iter *it, size_t *n)
{
	if (it->img) {
		*n = it->img->r[it->pos].vn;
		return it->img->r[it->pos].v;
	}
	if (it->from_ov) {
		*n = it->ov[it->ovpos]->vn;
		return it->ov[it->ovpos]->v;
	}
	return kv_iter_value(&it->db, n);
}

void txc_iter_next(struct txc_iter *it)
{
	if (it->img) {
		it->pos++;
		img_settle(it);
		return;
	}
	if (it->from_ov)
		it->ovpos++;
	else
		kv_iter_next(&it->db);
	merge_settle(it);
}

int txc_iter_close(struct txc_iter *it)
{
	if (!it)
		return 0;
	const int rc = kv_iter_close(&it->db);
	free(it->ov);
	free(it);
	return rc;
}
