/*
 * webhook.h - pushing alerts to an institution's URL: the parts that need
 * no network (URL rules, secrets, signatures, the retry schedule).
 *
 * A lender registers one URL for its institution (PUT /v1/webhook) and is
 * given a signing secret, "whsec_" + 43 characters of base64url (32 random
 * bytes), shown once.  The deliverer (src/server/deliver.c) POSTs the
 * institution's alert feed after its webhook cursor, one page at a time, in
 * the JSON shape of GET /v1/alerts, with
 *
 *   Creditref-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
 *
 * where the HMAC key is the secret's text, all of it, as the receiver holds
 * it (the Stripe scheme: the timestamp is signed too, so a receiver can
 * refuse old replays).  A 2xx response advances the cursor; anything else
 * is retried after cr_webhook_backoff_ms.  Delivery is at least once.
 */
#ifndef CR_WEBHOOK_H
#define CR_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include "cr_limits.h"

#define CR_WEBHOOK_SECRET_PREFIX "whsec_"
#define CR_WEBHOOK_SECRET_LEN (6 + 43)
_Static_assert(CR_WEBHOOK_SECRET_LEN <= CR_WEBHOOK_SECRET_MAX, "a secret fits its stored field");
/* "t=" + up to 20 characters of seconds + ",v1=" + 64 hex digits. */
#define CR_WEBHOOK_SIG_MAX (2 + 20 + 4 + 64)
#define CR_WEBHOOK_HMAC_HEX 64

/* Alerts in one delivery: the feed's default page. */
#define CR_WEBHOOK_BATCH 100
/* Default first retry delay, and the cap as doublings of it: 5 s doubling
 * to 5 s * 2^9 = 2,560 s (about 43 minutes), where it stays. */
#define CR_WEBHOOK_BASE_MS_DEFAULT 5000
#define CR_WEBHOOK_DOUBLINGS_MAX 9
/* Default per-request timeout, connection included, in seconds. */
#define CR_WEBHOOK_TIMEOUT_S_DEFAULT 10

/* Why an attempt failed (stored with the delivery state). */
enum cr_webhook_error {
	CR_WEBHOOK_OK = 0,
	CR_WEBHOOK_HTTP = 1,     /* an answer, but not 2xx (redirects included) */
	CR_WEBHOOK_CONNECT = 2,  /* no connection: refused, unreachable, unresolved */
	CR_WEBHOOK_TIMEOUT = 3,  /* no complete answer within the timeout */
	CR_WEBHOOK_TLS = 4,      /* the TLS handshake or the certificate failed */
	CR_WEBHOOK_CLOSED = 5,   /* the receiver closed the connection without an answer */
	CR_WEBHOOK_OTHER = 6,
	CR_WEBHOOK_STOPPED = 7,  /* the server shut down during the attempt */
};
#define CR_WEBHOOK_ERROR_MAX 7

/* "ok", "http", "connect", "timeout", "tls", "closed", "error", "stopped". */
const char *cr_webhook_error_name(uint8_t err);

/*
 * Checks a URL given for registration: http:// or https:// (either case),
 * a host (a name, an IPv4 address or a bracketed IPv6 one) and an optional
 * port 1-65535, then an optional path and query; printable ASCII only, no
 * user information (user:password@), no fragment, at most
 * CR_WEBHOOK_URL_MAX bytes.  Returns 0, or CR_EINVAL with *why, a static
 * sentence that does not repeat the URL.
 */
int cr_webhook_url_check(const char *url, size_t len, const char **why /* OUT */);

/*
 * Addresses a bureau should not post personal data to unless its operator
 * says so (serve --webhook-allow-private): loopback, private (RFC 1918,
 * fc00::/7), link-local, shared (100.64/10), unspecified and multicast
 * ones, IPv4-mapped IPv6 forms of those, and any family but IPv4 and IPv6.
 * addr_private judges an address about to be connected to (after DNS);
 * url_private a URL whose host is such an address written out, or
 * localhost, so that registration can refuse it at once.  url must have
 * passed cr_webhook_url_check.
 */
struct sockaddr;
int cr_webhook_addr_private(const struct sockaddr *a);
int cr_webhook_url_private(const char *url, size_t len);

/* Writes a new random secret, NUL-terminated.  Needs sodium_init(). */
void cr_webhook_secret_new(char out[CR_WEBHOOK_SECRET_LEN + 1] /* OUT */);

/* HMAC-SHA256 with key[0..keylen) over prefix then msg, as 64 lower-case
 * hex digits and a NUL. */
void cr_webhook_hmac_hex(const uint8_t *key, size_t keylen, const char *prefix,
			 size_t prefix_len, const char *msg, size_t len,
			 char out[CR_WEBHOOK_HMAC_HEX + 1] /* OUT */);

/* The Creditref-Signature value for body sent at Unix time t with secret
 * (its text), NUL-terminated. */
void cr_webhook_sign(const char *secret, int64_t t, const char *body, size_t len,
		     char out[CR_WEBHOOK_SIG_MAX + 1] /* OUT */);

/*
 * The delay before the next attempt after `failures` consecutive failed
 * ones (>= 1): d = base_ms * 2^min(failures - 1, CR_WEBHOOK_DOUBLINGS_MAX),
 * and the delay is drawn from [d/2, d] by rnd (any 32 random bits), so
 * receivers failing together do not retry together, and each gap is at
 * least the previous one until the cap.
 */
uint64_t cr_webhook_backoff_ms(uint32_t failures, uint64_t base_ms, uint32_t rnd);

#endif
