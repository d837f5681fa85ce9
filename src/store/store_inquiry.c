/*
 * store_inquiry.c - inquiries: who asked for a person's report, when and
 * why.  An inquiry is a key, pid 'Q' and the inquiry (cr_inquiry_encode),
 * date first, so a listing from a date on is one range; seq, from the
 * store-wide counter CTR_SEQ, orders the inquiries of one day.
 */
#include <string.h>

#include "cr_assert.h"
#include "cr_date.h"
#include "cr_err.h"
#include "store_codec.h"
#include "store_int.h"

int cr_inquiry_check(const struct cr_inquiry *q)
{
	if (!cr_days_valid(q->date_days) || q->seq == 0 || q->chargeable > 1)
		return CR_EINVAL;
	if (q->purpose < CR_PURPOSE_LOAN_APPROVAL || q->purpose > CR_PURPOSE_SELF)
		return CR_EINVAL;
	if (!cr_str_fits(q->inst, sizeof q->inst, 0))
		return CR_EINVAL;
	return (q->inst[0] == '\0') == (q->purpose == CR_PURPOSE_SELF) ? 0 : CR_EINVAL;
}

int cr_store_inquiry_add(cr_txn *txn, const struct cr_subject_key *k,
			 struct cr_inquiry *q)
{
	uint8_t kb[PK_LEN + CR_INQUIRY_ENC_MAX];
	uint64_t pid;
	int rc = person_pid_make(txn, k, &pid);
	if (!rc)
		rc = ctr_next(txn, CTR_SEQ, &q->seq);
	if (!rc)
		rc = ctr_add(txn, CTR_INQUIRIES, 1);
	if (rc)
		return rc;
	CR_ASSERT(cr_inquiry_check(q) == 0);
	cr_key_person(pid, PK_INQUIRY, kb);
	const size_t kn = PK_LEN + cr_inquiry_encode(q, kb + PK_LEN);
	return kv_put(txn, CF_PERSON, kb, kn, "", 0);
}

struct inquiry_walk {
	int32_t until_days;
	int (*fn)(const struct cr_inquiry *q, void *arg);
	void *arg;
};

static int each_inquiry(struct kv_step *s, void *arg)
{
	const struct inquiry_walk *w = arg;
	struct cr_inquiry q;
	int rc = cr_inquiry_decode(s->k + PK_LEN, s->kn - PK_LEN, &q);
	if (!rc && cr_inquiry_check(&q))
		rc = CR_ECORRUPT;
	if (rc)
		return rc;
	if (q.date_days > w->until_days) {
		s->end = 1; /* the keys sort by date: nothing later is wanted */
		return 0;
	}
	return w->fn(&q, w->arg);
}

int cr_store_inquiries(cr_txn *txn, const struct cr_subject_key *k, int32_t since_days,
		       int32_t until_days, int (*fn)(const struct cr_inquiry *q, void *arg),
		       void *arg)
{
	uint8_t from[4];
	struct inquiry_walk w = {until_days, fn, arg};
	cr_put_date(from, since_days);
	return person_walk(txn, k, PK_INQUIRY, from, sizeof from, each_inquiry, &w);
}
