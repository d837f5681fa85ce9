/*
 * store_subjects.c - the people the store has a file on, page by page
 * (cr_store_subjects, store.h).
 *
 * Every person's records start with their '@' record, the smallest tag,
 * which holds the subject key first (store_person.c).  So the walk is a
 * skip-scan of the person family: seek to (pid + 1), the iterator lands on
 * the next person's '@' record, read the key, seek past that person.  One
 * seek per person, whatever the size of their file, and nothing sealed is
 * opened: the walk never sees an identity.
 *
 * Pages, not one callback walk: a reader that builds something for each
 * person loads each person into its transaction's memory (store_txn.h), so
 * a walk of the whole store is a run of short transactions, each taking a
 * page from where the last one stopped.
 */
#include <string.h>

#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

struct page {
	uint64_t *pos;
	struct cr_subject_key *out;
	size_t max, *n;
	uint8_t next[8];       /* the first key the next person can have */
};

/* One person's '@' record (every pid's first, subject key first): take
 * the key, then skip to the next pid. */
static int take_subject(struct kv_step *s, void *arg)
{
	struct page *p = arg;
	if (s->kn < 9 || s->k[8] != PK_IDENTITY || s->vn < CR_SUBJECT_KEY_LEN)
		return CR_ECORRUPT;
	memcpy(p->out[(*p->n)++].b, s->v, CR_SUBJECT_KEY_LEN);
	*p->pos = cr_get_u64be(s->k);
	if (*p->n == p->max || *p->pos + 1 >= PID_MAX) {
		s->end = 1;
		return 0;
	}
	cr_put_u64be(p->next, *p->pos + 1);
	s->seek = p->next;
	s->seek_n = sizeof p->next;
	return 0;
}

int cr_store_subjects(cr_txn *txn, uint64_t *pos, struct cr_subject_key *out,
		      size_t max, size_t *n)
{
	uint8_t from[8];
	if (!txn || !pos || !out || !n)
		return CR_EINVAL;
	*n = 0;
	if (*pos >= PID_MAX || max == 0)
		return 0;
	struct page p = {pos, out, max, n, {0}};
	cr_put_u64be(from, *pos + 1);
	return kv_walk(txn, CF_PERSON, NULL, 0, from, sizeof from, take_subject, &p);
}
