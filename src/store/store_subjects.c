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

/* The first key a person can have: the pid, nothing after it. */
static void person_start(uint64_t pid, uint8_t out[8])
{
	cr_put_u64be(out, pid);
}

int cr_store_subjects(cr_txn *txn, uint64_t *pos, struct cr_subject_key *out,
		      size_t max, size_t *n)
{
	struct kv_iter it;
	uint8_t from[8];
	if (!txn || !pos || !out || !n)
		return CR_EINVAL;
	*n = 0;
	if (*pos >= PID_MAX)
		return 0;
	int rc = kv_iter_open(txn, CF_PERSON, NULL, 0, NULL, 0, &it);
	while (!rc && *n < max && *pos < PID_MAX) {
		person_start(*pos + 1, from);
		kv_iter_seek(&it, from, sizeof from);
		if (!kv_iter_valid(&it))
			break;
		size_t kn, vn;
		const uint8_t *k = kv_iter_key(&it, &kn), *v = kv_iter_value(&it, &vn);
		/* Every pid's first record is its '@' record, subject key first. */
		if (kn < 9 || k[8] != PK_IDENTITY || vn < CR_SUBJECT_KEY_LEN) {
			rc = CR_ECORRUPT;
			break;
		}
		memcpy(out[(*n)++].b, v, CR_SUBJECT_KEY_LEN);
		*pos = cr_get_u64be(k);
	}
	int crc = kv_iter_close(&it);
	return rc ? rc : crc;
}
