/*
 * store_consent.c - consent facts: grants and revocations, never deleted
 * (DESIGN.md rule 9).  A fact is a key, pid 'C' and the fact itself
 * (cr_consent_encode), with an empty value: the fact's own date leads, so a
 * person's facts are listed chronologically, and an identical fact stored
 * twice is one key.
 */
#include <string.h>

#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

#define FACT_PK_MAX (PK_LEN + CR_CONSENT_ENC_MAX)

static int date_or_none(int32_t days)
{
	return days == CR_NO_DATE || cr_days_valid(days);
}

int cr_consent_fact_check(const struct cr_consent_fact *f)
{
	if (!cr_str_fits(f->inst, sizeof f->inst, 1) ||
	    !cr_str_fits(f->evidence, sizeof f->evidence, 0))
		return CR_EINVAL;
	if (f->scope != CR_SCOPE_FURNISH && f->scope != CR_SCOPE_QUERY)
		return CR_EINVAL;
	if (f->purpose > CR_PURPOSE_SELF ||
	    (f->scope == CR_SCOPE_FURNISH && f->purpose != CR_PURPOSE_NONE))
		return CR_EINVAL;
	if (!cr_days_valid(f->granted_days) || !date_or_none(f->expires_days) ||
	    !date_or_none(f->revoked_days))
		return CR_EINVAL;
	return 0;
}

int cr_store_consent_add(cr_txn *txn, const struct cr_subject_key *k,
			 const struct cr_consent_fact *f)
{
	uint8_t kb[FACT_PK_MAX];
	uint64_t pid;
	struct kv_val v = {0};
	CR_ASSERT(cr_consent_fact_check(f) == 0);
	int rc = person_pid_make(txn, k, &pid);
	if (rc)
		return rc;
	cr_key_person(pid, PK_CONSENT, kb);
	const size_t kn = PK_LEN + cr_consent_encode(f, kb + PK_LEN);
	rc = kv_get(txn, CF_PERSON, kb, kn, &v);
	kv_val_free(&v);
	if (rc != CR_ENOTFOUND)
		return rc; /* 0: stored already */
	if ((rc = ctr_add(txn, CTR_CONSENTS, 1)))
		return rc;
	kv_put(txn, CF_PERSON, kb, kn, "", 0);
	return 1;
}

/* A list of facts: up to max filled, count seen. */
struct fact_list {
	struct cr_consent_fact *out;
	size_t max, count;
};

/* Keeps the newest c->max facts: fact i goes to slot i % max, so that
 * when the walk ends the slots hold the last max facts, rotated. */
static int take_fact(struct kv_step *s, void *arg)
{
	struct fact_list *c = arg;
	if (c->max) {
		struct cr_consent_fact *f = &c->out[c->count % c->max];
		int rc = cr_consent_decode(s->k + PK_LEN, s->kn - PK_LEN, f);
		if (!rc && cr_consent_fact_check(f))
			rc = CR_ECORRUPT;
		if (rc)
			return rc;
	}
	c->count++;
	return 0;
}

static void reverse_facts(struct cr_consent_fact *f, size_t n)
{
	for (size_t i = 0; i < n / 2; i++) {
		const struct cr_consent_fact t = f[i];
		f[i] = f[n - 1 - i];
		f[n - 1 - i] = t;
	}
}

int cr_store_consent_list(cr_txn *txn, const struct cr_subject_key *k,
			  struct cr_consent_fact *out, size_t max, size_t *n)
{
	struct fact_list c = {out, max, 0};
	uint8_t pk[PK_LEN];
	uint64_t pid;
	/* The consents alone: a consent check reads nothing else of the file
	 * (kv_walk_apart). */
	int rc = person_pid(txn, k, &pid);
	if (!rc) {
		cr_key_person(pid, PK_CONSENT, pk);
		rc = kv_walk_apart(txn, pk, PK_LEN, take_fact, &c);
	} else if (rc == CR_ENOTFOUND) {
		rc = 0;
	}
	*n = c.count;
	if (rc || !max || c.count <= max)
		return rc;
	/* Slot count % max holds the oldest fact kept: rotate it to the front
	 * (three reversals, in place). */
	const size_t first = c.count % max;
	reverse_facts(out, first);
	reverse_facts(out + first, max - first);
	reverse_facts(out, max);
	return 0;
}
