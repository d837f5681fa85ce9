/* consent.c - authorization rules over consent facts; see consent.h. */
#include "consent.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cr_assert.h"
#include "cr_err.h"

int cr_consent_facts_load(cr_txn *txn, const struct cr_subject_key *k,
			  struct cr_consent_facts *out)
{
	size_t total;
	CR_ASSERT(txn != NULL);
	CR_ASSERT(out != NULL);
	out->n = 0;
	out->total = 0;
	int rc = cr_store_consent_list(txn, k, out->f, CR_CONSENT_FACTS_MAX, &total);
	if (rc)
		return rc;
	out->total = total;
	out->n = total < CR_CONSENT_FACTS_MAX ? total : CR_CONSENT_FACTS_MAX;
	return 0;
}

int cr_consent_live(const struct cr_consent_fact *facts, size_t n,
		    const char *inst, uint8_t scope, uint8_t purpose,
		    int32_t asof_days)
{
	int live = 0;
	for (size_t i = 0; i < n; i++) {
		const struct cr_consent_fact *f = &facts[i];
		if (f->scope != scope || strcmp(f->inst, inst) != 0)
			continue;
		const int revoke = f->revoked_days != CR_NO_DATE;
		if (revoke) {
			if (f->revoked_days <= asof_days &&
			    (f->purpose == CR_PURPOSE_NONE || f->purpose == purpose))
				live = 0;
			continue;
		}
		if (f->purpose != purpose || f->granted_days > asof_days)
			continue;
		if (f->expires_days == CR_NO_DATE || asof_days < f->expires_days)
			live = 1;
	}
	return live;
}

static int holds(const struct cr_consent_fact *f, int32_t asof_days)
{
	return f->revoked_days == CR_NO_DATE && f->granted_days <= asof_days &&
	       (f->expires_days == CR_NO_DATE || asof_days < f->expires_days);
}

int cr_consent_in_force(const struct cr_consent_fact *facts, size_t n, size_t i,
			int32_t asof_days)
{
	if (i >= n)
		return 0;
	const struct cr_consent_fact *f = &facts[i];
	if (!holds(f, asof_days) ||
	    !cr_consent_live(facts, n, f->inst, f->scope, f->purpose, asof_days))
		return 0;
	for (size_t j = i + 1; j < n; j++)
		if (facts[j].scope == f->scope && facts[j].purpose == f->purpose &&
		    strcmp(facts[j].inst, f->inst) == 0 && holds(&facts[j], asof_days))
			return 0;
	return 1;
}

int cr_consent_check(cr_txn *txn, const struct cr_subject_key *k,
		     const char *inst, uint8_t scope, uint8_t purpose,
		     int32_t asof_days, int *live)
{
	static _Thread_local struct cr_consent_facts facts;
	*live = 0;
	int rc = cr_consent_facts_load(txn, k, &facts);
	if (rc)
		return rc;
	*live = cr_consent_live(facts.f, facts.n, inst, scope, purpose, asof_days);
	return 0;
}

static int same_identity(const struct cr_subject *a, const struct cr_subject *b)
{
	return strcmp(a->id, b->id) == 0 && a->birth_days == b->birth_days &&
	       strcmp(a->name, b->name) == 0 && strcmp(a->phone, b->phone) == 0 &&
	       strcmp(a->address, b->address) == 0;
}

/* A held line that says what everyone already sees keeps nothing apart:
 * releasing it would change nothing, and the newest identity wins over
 * it anyway.  What inst held before goes, so that what its consent would
 * release is always its newest line. */
static int held_identity(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
			 const struct cr_subject *s)
{
	struct cr_subject shown;
	int rc = cr_store_subject_get(txn, k, &shown);
	const int same = rc == 0 && same_identity(&shown, s);
	sodium_memzero(&shown, sizeof shown);
	if (rc && rc != CR_ENOTFOUND)
		return rc;
	return same ? cr_store_subject_held_forget(txn, k, inst)
		    : cr_store_subject_held_put(txn, k, inst, s);
}

int cr_consent_identity_furnished(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
				  int live, const struct cr_subject *s)
{
	if (!live)
		return held_identity(txn, k, inst, s);
	int changed = cr_store_subject_put(txn, k, s);
	if (changed <= 0)
		return changed;
	int rc = cr_store_subject_held_drop(txn, k, UINT64_MAX);
	return rc ? rc : changed;
}

/* The institutions whose held identity is newer than a released one. */
struct newer {
	uint64_t after;
	size_t n;
	char inst[CR_HELD_NEWER_MAX][CR_INST_CODE_MAX + 1];
};

static int take_newer(const char *inst, uint64_t seq, void *arg)
{
	struct newer *w = arg;
	if (seq > w->after && w->n < CR_HELD_NEWER_MAX)
		snprintf(w->inst[w->n++], sizeof w->inst[0], "%s", inst);
	return 0;
}

/* inst's held identity becomes the person's; the held identities placed
 * before it are older than the person's identity now, and go, and so do
 * the newer ones that say the same (they would change nothing: see
 * held_identity). */
static int release_identity(cr_txn *txn, const struct cr_subject_key *k, const char *inst)
{
	static _Thread_local struct newer w;
	struct cr_subject s, other;
	uint64_t seq, oseq;
	int rc = cr_store_subject_held_get(txn, k, inst, &s, &seq);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	rc = cr_store_subject_put(txn, k, &s);
	if (rc >= 0)
		rc = cr_store_subject_held_drop(txn, k, seq);
	w.after = seq;
	w.n = 0;
	if (!rc)
		rc = cr_store_subject_held_list(txn, k, take_newer, &w);
	for (size_t i = 0; i < w.n && !rc; i++) {
		rc = cr_store_subject_held_get(txn, k, w.inst[i], &other, &oseq);
		if (!rc && same_identity(&other, &s))
			rc = cr_store_subject_held_forget(txn, k, w.inst[i]);
		if (rc == CR_ENOTFOUND || rc > 0)
			rc = 0;
	}
	sodium_memzero(&s, sizeof s);
	sodium_memzero(&other, sizeof other);
	return rc;
}

/* The newest held identity, and the newest whose institution holds a live
 * furnish consent. */
struct identity_pick {
	const struct cr_consent_facts *facts;
	int32_t asof_days;
	uint64_t seq_any, seq_live;
	char inst_any[CR_INST_CODE_MAX + 1], inst_live[CR_INST_CODE_MAX + 1];
};

static int pick_identity(const char *inst, uint64_t seq, void *arg)
{
	struct identity_pick *p = arg;
	if (seq > p->seq_any) {
		p->seq_any = seq;
		snprintf(p->inst_any, sizeof p->inst_any, "%s", inst);
	}
	if (seq > p->seq_live && p->facts &&
	    cr_consent_live(p->facts->f, p->facts->n, inst, CR_SCOPE_FURNISH, CR_PURPOSE_NONE,
			    p->asof_days)) {
		p->seq_live = seq;
		snprintf(p->inst_live, sizeof p->inst_live, "%s", inst);
	}
	return 0;
}

int cr_consent_identity(cr_txn *txn, const struct cr_subject_key *k,
			const struct cr_consent_facts *facts, int32_t asof_days, int self,
			struct cr_subject *out, int *held)
{
	struct identity_pick p;
	uint64_t seq;
	memset(&p, 0, sizeof p);
	p.facts = facts;
	p.asof_days = asof_days;
	*held = 0;
	int rc = cr_store_subject_held_list(txn, k, pick_identity, &p);
	if (rc)
		return rc;
	/* Every held identity is newer than the person's: one that shows wins. */
	if (p.seq_live)
		return cr_store_subject_held_get(txn, k, p.inst_live, out, &seq);
	rc = cr_store_subject_get(txn, k, out);
	if (rc != CR_ENOTFOUND || !self || !p.seq_any)
		return rc;
	*held = 1;
	return cr_store_subject_held_get(txn, k, p.inst_any, out, &seq);
}

int cr_consent_apply(cr_txn *txn, const struct cr_subject_key *k,
		     const struct cr_consent *c, int32_t asof_days,
		     uint64_t *released)
{
	struct cr_consent_fact f;
	memset(&f, 0, sizeof f);
	memcpy(f.inst, c->inst, sizeof f.inst);
	f.scope = c->scope;
	f.purpose = c->purpose;
	f.granted_days = c->granted_days;
	f.expires_days = c->expires_days;
	f.revoked_days = c->revoked_days;
	memcpy(f.evidence, c->evidence, sizeof f.evidence);
	int rc = cr_store_consent_add(txn, k, &f);
	if (rc <= 0 || c->scope != CR_SCOPE_FURNISH || c->revoked_days != CR_NO_DATE)
		return rc;
	int live;
	int err = cr_consent_check(txn, k, c->inst, CR_SCOPE_FURNISH,
				   CR_PURPOSE_NONE, asof_days, &live);
	if (err)
		return err;
	if (live) {
		uint64_t count;
		err = cr_store_held_take(txn, k, c->inst, &count);
		if (!err)
			err = release_identity(txn, k, c->inst);
		if (err)
			return err;
		*released += count;
	}
	return rc;
}

int cr_consent_shows(const struct cr_consent_facts *facts, const struct cr_account_rec *r,
		     int32_t asof_days)
{
	CR_ASSERT(facts != NULL);
	return r->a.opened_days <= asof_days &&
	       cr_consent_live(facts->f, facts->n, r->a.inst, CR_SCOPE_FURNISH, CR_PURPOSE_NONE,
			       asof_days);
}

int cr_consent_relates(const struct cr_consent_facts *facts, const struct cr_account_rec *r,
		       int32_t asof_days)
{
	return r->a.status == CR_ACCT_OPEN && cr_consent_shows(facts, r, asof_days);
}

struct relation_ctx {
	const struct cr_consent_facts *facts;
	const char *inst;
	int32_t asof_days;
	int found;
};

/* Finds an account of ctx->inst that relates it with the person. */
static int find_relation(const struct cr_account_rec *r, void *arg)
{
	struct relation_ctx *ctx = arg;
	if (strcmp(r->a.inst, ctx->inst) != 0 || !cr_consent_relates(ctx->facts, r, ctx->asof_days))
		return 0;
	ctx->found = 1;
	return 1;
}

/* Does inst hold an account with k that relates them (post_loan)? */
static int relates(cr_txn *txn, const struct cr_subject_key *k, const char *inst,
		   int32_t asof_days, int *found)
{
	static _Thread_local struct cr_consent_facts facts;
	*found = 0;
	int rc = cr_consent_facts_load(txn, k, &facts);
	if (rc)
		return rc;
	/* Without a live furnish consent every account of inst is held. */
	if (!cr_consent_live(facts.f, facts.n, inst, CR_SCOPE_FURNISH, CR_PURPOSE_NONE, asof_days))
		return 0;
	struct relation_ctx ctx = {&facts, inst, asof_days, 0};
	rc = cr_store_subject_accounts_bare(txn, k, find_relation, &ctx);
	*found = ctx.found;
	return rc < 0 ? rc : 0;
}

int cr_consent_may_query(cr_txn *txn, const struct cr_subject_key *k,
			 const char *inst, uint8_t purpose, int32_t asof_days,
			 const char **reason)
{
	*reason = NULL;
	if (purpose == CR_PURPOSE_SELF)
		return 0;
	CR_ASSERT(inst != NULL);
	if (purpose == CR_PURPOSE_POST_LOAN) {
		int found;
		int rc = relates(txn, k, inst, asof_days, &found);
		if (rc)
			return rc;
		if (found)
			return 0;
	}
	int live;
	int rc = cr_consent_check(txn, k, inst, CR_SCOPE_QUERY, purpose,
				  asof_days, &live);
	if (rc)
		return rc;
	if (live)
		return 0;
	*reason = purpose == CR_PURPOSE_POST_LOAN
		? "no open account with this person that others see (held ones do not count) and no live query consent for post_loan"
		: "no live query consent from this person for this institution and purpose";
	return CR_EDENIED;
}
