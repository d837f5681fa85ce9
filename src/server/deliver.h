/*
 * deliver.h - the webhook deliverer of creditref serve (docs/alerts.md,
 * "Webhooks").
 *
 * One thread pushes each registered institution's alerts after its
 * webhook cursor to its URL, a page (CR_WEBHOOK_BATCH alerts) per POST,
 * signed (webhook.h).  Every attempt's outcome, and the cursor on a 2xx,
 * is written through the committer with its audit entry; only once that
 * commit is done is the page delivered.  Transfers run concurrently on one
 * libcurl multi handle, each with its own timeout, so a slow or dead
 * receiver delays nobody else, neither other institutions nor the
 * committer (which never waits for the network).
 *
 * The thread sleeps in curl_multi_poll until a transfer moves, a retry is
 * due, a commit pokes it (cr_deliverer_poke), or the poll interval passes
 * (a fallback for alerts written by another process, e.g. creditref
 * ingest).
 */
#ifndef CR_DELIVER_H
#define CR_DELIVER_H

#include <stdint.h>

#include "committer.h"
#include "store.h"

struct cr_deliverer_opts {
	uint64_t base_ms;     /* first retry delay (webhook.h schedule) */
	unsigned timeout_s;   /* per attempt, connection included */
	int32_t asof_days;    /* CR_NO_DATE: today; the audit entries' date */
	int allow_private;    /* may deliver to loopback and private addresses */
};

struct cr_deliverer;

/* Starts the thread; deliveries are written through com, which must
 * outlive the deliverer.  Returns 0, CR_ENOMEM, or CR_EIO when libcurl
 * cannot start. */
int cr_deliverer_start(cr_store *st, struct cr_committer *com,
		       const struct cr_deliverer_opts *o,
		       struct cr_deliverer **out /* OUT */);
/* Something was committed that may have raised alerts (force: a webhook
 * was registered or removed).  Cheap when nothing is registered, and at
 * most one wake-up per round of the thread; safe from any thread. */
void cr_deliverer_poke(struct cr_deliverer *d, int force);
/* Stops the thread: transfers in flight are abandoned (audited as
 * "stopped"; their pages are sent again after a restart).  Must run before
 * the committer is stopped; a second call does nothing.  Pokes after it
 * are harmless until cr_deliverer_free.  d may be NULL. */
void cr_deliverer_stop(struct cr_deliverer *d);
/* Frees a stopped deliverer (d may be NULL). */
void cr_deliverer_free(struct cr_deliverer *d);

/* For /metrics. */
struct cr_deliverer_stats {
	uint64_t attempts;    /* POSTs finished, whatever their outcome */
	uint64_t failures;    /* attempts without a 2xx */
	uint64_t delivered;   /* alerts acknowledged and committed */
	uint64_t backlog;     /* alerts after the cursors, at the last look */
	uint64_t registered;  /* webhooks registered, at the last look */
};
void cr_deliverer_stats(struct cr_deliverer *d, struct cr_deliverer_stats *out /* OUT */);

#endif
