/*
 * audit.c - the hash-chained audit trail; see audit.h for the format, the
 * chain, the head and the crash rules, and docs/audit.md for the reasons.
 *
 * Writing.  A line is formatted by hand into a cr_buf (fixed key order, so
 * its bytes are its canonical form), hashed over exactly those bytes, and
 * written with one write() on an O_APPEND descriptor, then fdatasync'd.
 * Before writing, the tail of the file is read back (the last complete line,
 * at most two line lengths from the end) and checked against the head in
 * the store: a trail shorter than its head is never appended to, because
 * the new entry would hide the truncation.  A final fragment without a
 * newline can only come from a crash in the middle of a write that was
 * never committed; it is cut off before the next entry is written.
 *
 * Reading.  Lines are read with a bounded reader (a hostile file cannot
 * grow a buffer) and parsed with jansson; the hash is recomputed from the
 * raw bytes, never from a re-serialisation, so any byte change shows.
 */
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cr_assert.h"
#include "cr_buf.h"
#include "cr_date.h"
#include "cr_err.h"
#include "cr_record.h"
#include "mask.h"
#include "utf8.h"

#define HASH_LEN CR_AUDIT_HASH_LEN
#define HASH_HEX (2 * HASH_LEN)
#define SUBJECT_HEX (2 * CR_SUBJECT_KEY_LEN)
/* ,"hash":"<64 hex>","mac":"<64 hex>"} */
#define SUFFIX_LEN (9 + HASH_HEX + 9 + HASH_HEX + 2)
/* Keys of an entry object and of its actor object. */
#define ENTRY_KEYS 13
#define ACTOR_KEYS 2

static const uint8_t zero_hash[HASH_LEN];

static const char *const role_names[] = {
	NULL, "subject", "lender", "furnisher", "supervisor", "operator"};
static const char *const outcome_names[] = {
	NULL, "granted", "refused", "not_found", "failed"};
#define ROLE_MAX 5
#define OUTCOME_MAX 4

/* A line read back: the entry and the three hashes it carries. */
struct parsed {
	struct cr_audit_entry e;
	uint8_t prev[HASH_LEN];
	uint8_t hash[HASH_LEN];
	uint8_t mac[HASH_LEN];
};

void cr_audit_entry_init(struct cr_audit_entry *e)
{
	memset(e, 0, sizeof *e);
}

const char *cr_audit_role_name(uint8_t role)
{
	return role >= 1 && role <= ROLE_MAX ? role_names[role] : "?";
}

static const struct {
	const char *name, *what;
} acts[CR_ACT_COUNT] = {
#define CR_AUDIT_ACT_ROW(id, n, w) [CR_ACT_##id] = {n, w},
	CR_AUDIT_ACTS(CR_AUDIT_ACT_ROW)
#undef CR_AUDIT_ACT_ROW
};

const char *cr_audit_act_name(enum cr_audit_act act)
{
	return act > CR_ACT_NONE && act < CR_ACT_COUNT ? acts[act].name : "";
}

const char *cr_audit_act_what(enum cr_audit_act act)
{
	return act > CR_ACT_NONE && act < CR_ACT_COUNT ? acts[act].what : "";
}

enum cr_audit_act cr_audit_act_parse(const char *s)
{
	for (int i = CR_ACT_NONE + 1; s && i < CR_ACT_COUNT; i++)
		if (strcmp(s, acts[i].name) == 0)
			return (enum cr_audit_act)i;
	return CR_ACT_NONE;
}

const char *cr_audit_outcome_name(uint8_t outcome)
{
	return outcome >= 1 && outcome <= OUTCOME_MAX ? outcome_names[outcome] : "?";
}

static uint8_t name_index(const char *const *names, uint8_t max, const char *s)
{
	for (uint8_t i = 1; s && i <= max; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return 0;
}

static void chain_hash(const uint8_t prev[HASH_LEN], const char *p, size_t n,
		       uint8_t out[HASH_LEN])
{
	crypto_generichash_state s;
	crypto_generichash_init(&s, NULL, 0, HASH_LEN);
	crypto_generichash_update(&s, prev, HASH_LEN);
	crypto_generichash_update(&s, (const uint8_t *)p, n);
	crypto_generichash_final(&s, out, HASH_LEN);
}

/* The MACs: one secret, a tag byte and a different length per use. */
static void entry_mac(const uint8_t key[CR_DERIVED_KEY_LEN],
		      const uint8_t hash[HASH_LEN], uint8_t out[HASH_LEN])
{
	uint8_t msg[1 + HASH_LEN] = {'E'};
	memcpy(msg + 1, hash, HASH_LEN);
	crypto_generichash(out, HASH_LEN, msg, sizeof msg, key, CR_DERIVED_KEY_LEN);
}

static void head_mac(const uint8_t key[CR_DERIVED_KEY_LEN],
		     const struct cr_audit_head *h, uint8_t out[HASH_LEN])
{
	uint8_t msg[1 + 8 + HASH_LEN] = {'H'};
	for (int i = 0; i < 8; i++)
		msg[1 + i] = (uint8_t)(h->seq >> (56 - 8 * i));
	memcpy(msg + 9, h->hash, HASH_LEN);
	crypto_generichash(out, HASH_LEN, msg, sizeof msg, key, CR_DERIVED_KEY_LEN);
}

static int head_mac_ok(const uint8_t key[CR_DERIVED_KEY_LEN],
		       const struct cr_audit_head *h)
{
	uint8_t m[HASH_LEN];
	head_mac(key, h, m);
	return sodium_memcmp(m, h->mac, HASH_LEN) == 0;
}

static int log_path(const cr_store *st, char *out, size_t n)
{
	int len = snprintf(out, n, "%s/audit.log", cr_store_dir(st));
	return len < 0 || (size_t)len >= n ? CR_ETOOBIG : 0;
}

/* A NUL within the array, and valid UTF-8 before it. */
static int text_ok(const char *s, size_t cap)
{
	const char *end = memchr(s, '\0', cap);
	return end && cr_utf8_valid(s, (size_t)(end - s));
}

/* "" (an act of no institution) or an institution code. */
static int inst_ok(const char *s, size_t cap)
{
	const char *end = memchr(s, '\0', cap);
	return end && (end == s || cr_inst_code_valid(s, (size_t)(end - s)));
}

static int entry_ok(const struct cr_audit_entry *e)
{
	return e->role >= 1 && e->role <= ROLE_MAX &&
	       e->outcome >= 1 && e->outcome <= OUTCOME_MAX &&
	       (e->purpose == CR_PURPOSE_NONE ||
		strcmp(cr_purpose_name(e->purpose), "?") != 0) &&
	       (e->has_subject == 0 || e->has_subject == 1) &&
	       memchr(e->action, '\0', sizeof e->action) &&
	       cr_audit_act_parse(e->action) != CR_ACT_NONE &&
	       inst_ok(e->institution, sizeof e->institution) &&
	       text_ok(e->reason, sizeof e->reason) &&
	       text_ok(e->detail, sizeof e->detail);
}

static int put_str_field(struct cr_buf *b, const char *key, const char *v)
{
	int rc = cr_buf_printf(b, ",\"%s\":", key);
	return rc ? rc : cr_buf_put_json_str(b, v, strlen(v));
}

/* Formats e as one line after prev, newline included; sets *hash. */
static int format_line(struct cr_buf *b, const struct cr_audit_entry *e,
		       const uint8_t prev[HASH_LEN],
		       const uint8_t key[CR_DERIVED_KEY_LEN], uint8_t hash[HASH_LEN])
{
	char asof[11], subject[SUBJECT_HEX + 1] = "", hex[HASH_HEX + 1], mhex[HASH_HEX + 1];
	cr_date_format(e->asof_days, asof);
	if (e->has_subject)
		sodium_bin2hex(subject, sizeof subject, e->subject.b, CR_SUBJECT_KEY_LEN);
	int rc = cr_buf_printf(b, "{\"seq\":%llu,\"time\":\"%s\",\"as_of\":\"%s\","
			       "\"actor\":{\"role\":\"%s\",\"institution\":\"%s\"},"
			       "\"action\":\"%s\",\"subject\":\"%s\",\"purpose\":\"%s\","
			       "\"outcome\":\"%s\"",
			       (unsigned long long)e->seq, e->time, asof,
			       cr_audit_role_name(e->role), e->institution, e->action,
			       subject, e->purpose ? cr_purpose_name(e->purpose) : "",
			       cr_audit_outcome_name(e->outcome));
	if (!rc)
		rc = put_str_field(b, "reason", e->reason);
	if (!rc)
		rc = put_str_field(b, "detail", e->detail);
	sodium_bin2hex(hex, sizeof hex, prev, HASH_LEN);
	if (!rc)
		rc = cr_buf_printf(b, ",\"prev\":\"%s\"", hex);
	if (rc)
		return rc;
	uint8_t mac[HASH_LEN];
	chain_hash(prev, b->data, b->len, hash);
	entry_mac(key, hash, mac);
	sodium_bin2hex(hex, sizeof hex, hash, HASH_LEN);
	sodium_bin2hex(mhex, sizeof mhex, mac, HASH_LEN);
	rc = cr_buf_printf(b, ",\"hash\":\"%s\",\"mac\":\"%s\"}\n", hex, mhex);
	CR_ASSERT(rc || b->len <= CR_AUDIT_LINE_MAX + 1);
	return rc;
}

static const char *json_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int copy_str(char *dst, size_t cap, const char *s)
{
	if (!s || strlen(s) >= cap)
		return CR_EINVAL;
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

/* Lower-case hex only: an upper-case digit would decode to the same bytes
 * and let the hash or MAC field change unnoticed. */
static int hex_decode(const char *s, uint8_t *out, size_t n)
{
	size_t bin_len;
	if (!s || strlen(s) != 2 * n || strspn(s, "0123456789abcdef") != 2 * n)
		return CR_EINVAL;
	if (sodium_hex2bin(out, n, s, 2 * n, NULL, &bin_len, NULL) || bin_len != n)
		return CR_EINVAL;
	return 0;
}

static int parse_actor(const json_t *o, struct cr_audit_entry *e)
{
	const json_t *actor = json_object_get(o, "actor");
	if (!json_is_object(actor) || json_object_size(actor) != ACTOR_KEYS)
		return CR_EINVAL;
	e->role = name_index(role_names, ROLE_MAX, json_str(actor, "role"));
	if (!e->role)
		return CR_EINVAL;
	return copy_str(e->institution, sizeof e->institution,
			json_str(actor, "institution"));
}

static int parse_fields(const json_t *o, struct parsed *p, const char **why)
{
	struct cr_audit_entry *e = &p->e;
	const json_t *seq = json_object_get(o, "seq");
	const char *asof = json_str(o, "as_of"), *subject = json_str(o, "subject");
	const char *purpose = json_str(o, "purpose");
	*why = "a field is missing or has the wrong type or length";
	if (json_object_size(o) != ENTRY_KEYS || !json_is_integer(seq) ||
	    json_integer_value(seq) < 1 || !asof || !subject || !purpose)
		return CR_EINVAL;
	e->seq = (uint64_t)json_integer_value(seq);
	if (cr_date_parse(asof, strlen(asof), &e->asof_days) ||
	    copy_str(e->time, sizeof e->time, json_str(o, "time")) ||
	    copy_str(e->action, sizeof e->action, json_str(o, "action")) ||
	    copy_str(e->reason, sizeof e->reason, json_str(o, "reason")) ||
	    copy_str(e->detail, sizeof e->detail, json_str(o, "detail")) ||
	    parse_actor(o, e))
		return CR_EINVAL;
	e->outcome = name_index(outcome_names, OUTCOME_MAX, json_str(o, "outcome"));
	if (!e->outcome || (*purpose && cr_purpose_parse(purpose, strlen(purpose), &e->purpose)))
		return CR_EINVAL;
	e->has_subject = *subject != '\0';
	if (e->has_subject && hex_decode(subject, e->subject.b, CR_SUBJECT_KEY_LEN))
		return CR_EINVAL;
	*why = "a hash field is not 64 lower-case hex digits";
	if (hex_decode(json_str(o, "prev"), p->prev, HASH_LEN) ||
	    hex_decode(json_str(o, "hash"), p->hash, HASH_LEN) ||
	    hex_decode(json_str(o, "mac"), p->mac, HASH_LEN))
		return CR_EINVAL;
	return 0;
}

/* Parses one line (without its newline).  0, or CR_EINVAL with *why set. */
static int parse_line(const char *line, size_t n, struct parsed *p, const char **why)
{
	memset(p, 0, sizeof *p);
	if (n < SUFFIX_LEN + 2 || memcmp(line + n - SUFFIX_LEN, ",\"hash\":\"", 9) != 0 ||
	    memcmp(line + n - SUFFIX_LEN + 9 + HASH_HEX, "\",\"mac\":\"", 9) != 0 ||
	    memcmp(line + n - 2, "\"}", 2) != 0) {
		*why = "it does not end with its hash and MAC";
		return CR_EINVAL;
	}
	json_error_t err;
	json_t *o = json_loadb(line, n, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(o)) {
		json_decref(o);
		*why = "it is not a JSON object";
		return CR_EINVAL;
	}
	int rc = parse_fields(o, p, why);
	json_decref(o);
	return rc;
}

/* Checks a line's own seal: well-formed, hash over its bytes, MAC. */
static uint8_t check_sealed(const char *line, size_t n,
			    const uint8_t key[CR_DERIVED_KEY_LEN], struct parsed *p,
			    const char **why)
{
	uint8_t h[HASH_LEN], m[HASH_LEN];
	if (parse_line(line, n, p, why))
		return CR_AUDIT_MALFORMED;
	chain_hash(p->prev, line, n - SUFFIX_LEN, h);
	if (sodium_memcmp(h, p->hash, HASH_LEN) != 0)
		return CR_AUDIT_ALTERED;
	entry_mac(key, h, m);
	if (sodium_memcmp(m, p->mac, HASH_LEN) != 0)
		return CR_AUDIT_FORGED;
	return CR_AUDIT_INTACT;
}

/* Checks one line as entry number pos, following prev; returns a fault.
 * The seal comes first, so an edited entry is named as altered even when
 * the edit is to its seq or prev. */
static uint8_t check_entry(const char *line, size_t n, uint64_t pos,
			   const uint8_t prev[HASH_LEN],
			   const uint8_t key[CR_DERIVED_KEY_LEN], struct parsed *p,
			   const char **why)
{
	const uint8_t fault = check_sealed(line, n, key, p, why);
	if (fault)
		return fault;
	if (p->e.seq != pos)
		return CR_AUDIT_ORDER;
	if (memcmp(prev, p->prev, HASH_LEN) != 0)
		return CR_AUDIT_CHAIN;
	return CR_AUDIT_INTACT;
}

/* The end of the file as append sees it. */
struct tail {
	uint64_t size;      /* bytes in the file */
	uint64_t good_len;  /* bytes up to and including the last newline */
	int has_entry;      /* a complete last line exists */
	struct parsed last; /* that line, checked on its own */
};

static int pread_all(int fd, char *buf, size_t n, off_t off)
{
	while (n) {
		ssize_t got = pread(fd, buf, n, off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return CR_EIO;
		buf += got;
		n -= (size_t)got;
		off += got;
	}
	return 0;
}

/* Reads the last complete line (a torn fragment may follow it) and checks
 * its own hash and MAC.  CR_ECORRUPT when it is not a sound entry. */
static int read_tail(int fd, const uint8_t key[CR_DERIVED_KEY_LEN], struct tail *t)
{
	char buf[2 * CR_AUDIT_LINE_MAX + 2];
	struct stat sb;
	memset(t, 0, sizeof *t);
	if (fstat(fd, &sb) != 0)
		return CR_EIO;
	t->size = (uint64_t)sb.st_size;
	const size_t want = t->size < sizeof buf ? (size_t)t->size : sizeof buf;
	const off_t off = (off_t)(t->size - want);
	if (pread_all(fd, buf, want, off))
		return CR_EIO;
	size_t end = want; /* one past the last newline */
	while (end > 0 && buf[end - 1] != '\n')
		end--;
	if (end == 0)
		return off == 0 ? 0 : CR_ECORRUPT; /* only a fragment, or a huge line */
	t->good_len = (uint64_t)off + end;
	size_t start = end - 1;
	while (start > 0 && buf[start - 1] != '\n')
		start--;
	if (start == 0 && off != 0)
		return CR_ECORRUPT;
	const char *why;
	if (check_sealed(buf + start, end - 1 - start, key, &t->last, &why))
		return CR_ECORRUPT;
	t->has_entry = 1;
	return 0;
}

/* May the next entry go after this tail?  Never after a trail shorter than
 * its head, nor one whose last entry is not the one the head names. */
static int tail_agrees(const struct tail *t, const struct cr_audit_head *head)
{
	const uint64_t tail_seq = t->has_entry ? t->last.e.seq : 0;
	if (!head)
		return tail_seq <= 1; /* at most one entry from a first, interrupted commit */
	if (tail_seq < head->seq)
		return 0;
	return tail_seq > head->seq || memcmp(t->last.hash, head->hash, HASH_LEN) == 0;
}

static void stamp_time(char out[CR_AUDIT_TIME_LEN + 1])
{
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm) ||
	    strftime(out, CR_AUDIT_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, CR_AUDIT_TIME_LEN + 1, "%s", "0000-00-00T00:00:00Z");
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t put = write(fd, p, n);
		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return CR_EIO;
		p += put;
		n -= (size_t)put;
	}
	return 0;
}

/* The directory entry of a new file must be durable too. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return CR_EIO;
	int rc = fsync(fd) == 0 ? 0 : CR_EIO;
	close(fd);
	return rc;
}

/* Entries on their way to the trail, all chained after the same tail and
 * written with one write() and one fdatasync() (see cr_audit_batch_begin). */
struct cr_audit_batch {
	cr_store *st;
	cr_txn *txn;
	struct cr_audit_trail *trail; /* the fd is the trail's (cr_audit_trail_batch) */
	int fd;
	int single;            /* cr_audit_append: synced here, not in the store */
	int fresh;             /* the trail was empty: sync its directory entry */
	uint64_t next_seq;
	uint8_t prev[HASH_LEN];
	uint8_t key[CR_DERIVED_KEY_LEN];
	struct cr_audit_head head;
	struct cr_buf lines;   /* the formatted entries, newlines included */
	struct cr_buf line;    /* one entry being formatted */
	size_t n;
};

/* A writer's trail kept open across batches (audit.h): the file, the key,
 * and where the last batch ended it, when that is known. */
struct cr_audit_trail {
	cr_store *st;
	int fd;
	dev_t dev;            /* the file the fd is, which must stay the one */
	ino_t ino;            /* at the path (not removed nor replaced) */
	char path[4200];
	int known;            /* the fields below hold */
	uint64_t size;        /* the file's bytes after the last batch */
	uint64_t seq;         /* its last entry */
	uint8_t hash[HASH_LEN];
	uint8_t key[CR_DERIVED_KEY_LEN];
};

static void batch_free(struct cr_audit_batch *b)
{
	if (b->fd >= 0 && !b->trail)
		close(b->fd);
	sodium_memzero(b->key, sizeof b->key);
	cr_buf_fini(&b->lines);
	cr_buf_fini(&b->line);
	free(b);
}

/* The trail ends before its head: the entries after the file's last one
 * were committed with their lines in the store, and the file lost them in
 * a crash before it was synced (see audit.h).  Appends them from the
 * store, each checked as the next entry of the chain, and syncs.  A line
 * the store does not hold means the file was cut: CR_ECORRUPT. */
static int recover(struct cr_audit_batch *b, struct tail *t)
{
	static _Thread_local char line[CR_AUDIT_LINE_MAX + 2];
	uint64_t seq = t->has_entry ? t->last.e.seq : 0;
	uint8_t prev[HASH_LEN];
	memcpy(prev, t->has_entry ? t->last.hash : zero_hash, HASH_LEN);
	if (t->good_len < t->size && ftruncate(b->fd, (off_t)t->good_len) != 0)
		return CR_EIO;
	while (seq < b->head.seq) {
		size_t n;
		struct parsed p;
		const char *why;
		int rc = cr_store_audit_pending_get(b->txn, seq + 1, line, sizeof line, &n);
		if (rc)
			return rc == CR_ENOTFOUND ? CR_ECORRUPT : rc;
		if (n < 2 || line[n - 1] != '\n' ||
		    check_entry(line, n - 1, seq + 1, prev, b->key, &p, &why) != CR_AUDIT_INTACT)
			return CR_ECORRUPT;
		if ((rc = write_all(b->fd, line, n)))
			return rc;
		memcpy(prev, p.hash, HASH_LEN);
		seq++;
	}
	if (fdatasync(b->fd) != 0)
		return CR_EIO;
	return read_tail(b->fd, b->key, t);
}

/* Brings the file into agreement with the head: lines the store holds are
 * copied back, and entries ahead of the head (a commit that failed after
 * its lines were written) are synced before anything chains after them,
 * since the store holds no copy of theirs. */
static int reconcile(struct cr_audit_batch *b, struct tail *t, int has_head)
{
	const uint64_t tail_seq = t->has_entry ? t->last.e.seq : 0;
	if (has_head && tail_seq < b->head.seq) {
		int rc = recover(b, t);
		if (rc)
			return rc;
	} else if (has_head && tail_seq > b->head.seq && fdatasync(b->fd) != 0) {
		return CR_EIO;
	}
	return tail_agrees(t, has_head ? &b->head : NULL) ? 0 : CR_ECORRUPT;
}

/* Opens the trail and checks its tail against the head in txn.  A batch
 * of more than one entry needs a head: without one, an interrupted first
 * commit would leave several entries that verify reads as a removed head. */
/* Where the trail's file ends now, with its last entry seq and hash, if
 * ok (the write before succeeded).  The next batch starts there only if
 * its head names that entry: a commit that failed after a batch's write
 * leaves the head behind, and the file is checked again. */
static void trail_note(struct cr_audit_trail *tr, int ok, uint64_t seq,
		       const uint8_t hash[HASH_LEN])
{
	struct stat sb;
	tr->known = ok && fstat(tr->fd, &sb) == 0;
	if (!tr->known)
		return;
	tr->size = (uint64_t)sb.st_size;
	tr->seq = seq;
	memcpy(tr->hash, hash, HASH_LEN);
}

/* Does the trail's file end where its last batch left it, with the entry
 * the head names?  Then a batch starts there without reading the file. */
static int trail_current(const struct cr_audit_trail *tr, const struct cr_audit_head *head)
{
	struct stat sb;
	return tr->known && head->seq == tr->seq && memcmp(head->hash, tr->hash, HASH_LEN) == 0 &&
	       stat(tr->path, &sb) == 0 && sb.st_dev == tr->dev && sb.st_ino == tr->ino &&
	       (uint64_t)sb.st_size == tr->size;
}

static int open_log(cr_store *st, int *fd)
{
	char path[4200];
	int rc = log_path(st, path, sizeof path);
	if (!rc && (*fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0)
		rc = CR_EIO;
	return rc;
}

/* Opens the file at the trail's path anew (tr->fd -1 when that fails). */
static int trail_reopen(struct cr_audit_trail *tr)
{
	struct stat sb;
	if (tr->fd >= 0)
		close(tr->fd);
	tr->fd = -1;
	int rc = open_log(tr->st, &tr->fd);
	if (!rc && fstat(tr->fd, &sb) != 0)
		rc = CR_EIO;
	if (rc) {
		if (tr->fd >= 0)
			close(tr->fd);
		tr->fd = -1;
		return rc;
	}
	tr->dev = sb.st_dev;
	tr->ino = sb.st_ino;
	return 0;
}

static int batch_open(cr_store *st, struct cr_audit_trail *tr, cr_txn *txn, int single,
		      struct cr_audit_batch **out)
{
	struct tail t;
	*out = NULL;
	struct cr_audit_batch *b = calloc(1, sizeof *b);
	if (!b)
		return CR_ENOMEM;
	b->st = st;
	b->txn = txn;
	b->trail = tr;
	b->fd = -1;
	b->single = single;
	cr_buf_init(&b->lines, SIZE_MAX / 2);
	cr_buf_init(&b->line, CR_AUDIT_LINE_MAX + 1);
	int rc = cr_store_audit_head_get(txn, &b->head);
	const int has_head = rc == 0;
	if (rc == CR_ENOTFOUND)
		rc = single ? 0 : CR_EINVAL;
	if (tr) {
		memcpy(b->key, tr->key, sizeof b->key);
		b->fd = tr->fd;
		if (!rc && !head_mac_ok(b->key, &b->head))
			rc = CR_ECORRUPT;
		if (!rc && trail_current(tr, &b->head)) {
			b->next_seq = tr->seq + 1;
			memcpy(b->prev, tr->hash, HASH_LEN);
			*out = b;
			return 0;
		}
		/* Checked as a new batch is: on the file at the path now. */
		tr->known = 0;
		if (!rc)
			rc = trail_reopen(tr);
		b->fd = tr->fd;
	} else {
		cr_store_derive_key(st, "audit", b->key);
		if (!rc)
			rc = open_log(st, &b->fd);
	}
	if (!rc)
		rc = has_head && !head_mac_ok(b->key, &b->head) ? CR_ECORRUPT
								: read_tail(b->fd, b->key, &t);
	if (!rc)
		rc = reconcile(b, &t, has_head);
	/* A fragment after the last newline is a write cut short by a crash;
	 * its transaction never committed, so it is no entry. */
	if (!rc && t.good_len < t.size && ftruncate(b->fd, (off_t)t.good_len) != 0)
		rc = CR_EIO;
	if (rc) {
		batch_free(b);
		return rc;
	}
	b->fresh = t.good_len == 0;
	b->next_seq = (t.has_entry ? t.last.e.seq : 0) + 1;
	memcpy(b->prev, t.has_entry ? t.last.hash : zero_hash, HASH_LEN);
	if (tr)
		trail_note(tr, 1, b->next_seq - 1, b->prev);
	*out = b;
	return 0;
}

int cr_audit_batch_begin(cr_store *st, cr_txn *txn, struct cr_audit_batch **out)
{
	if (!st || !txn || !out)
		return CR_EINVAL;
	return batch_open(st, NULL, txn, 0, out);
}

int cr_audit_trail_open(cr_store *st, struct cr_audit_trail **out)
{
	*out = NULL;
	if (!st)
		return CR_EINVAL;
	struct cr_audit_trail *tr = calloc(1, sizeof *tr);
	if (!tr)
		return CR_ENOMEM;
	tr->st = st;
	tr->fd = -1;
	int rc = log_path(st, tr->path, sizeof tr->path);
	if (!rc)
		rc = trail_reopen(tr);
	if (rc) {
		free(tr);
		return rc;
	}
	cr_store_derive_key(st, "audit", tr->key);
	*out = tr;
	return 0;
}

int cr_audit_trail_batch(struct cr_audit_trail *tr, cr_txn *txn, struct cr_audit_batch **out)
{
	if (!tr || !txn || !out)
		return CR_EINVAL;
	return batch_open(tr->st, tr, txn, 0, out);
}

void cr_audit_trail_close(struct cr_audit_trail *tr)
{
	if (!tr)
		return;
	if (tr->fd >= 0)
		close(tr->fd);
	sodium_memzero(tr->key, sizeof tr->key);
	free(tr);
}

/* The last gate of rule 5: whatever wrote the entry, nothing shaped like
 * an identifier reaches the trail (mask.h; lengths are unchanged). */
static void mask_texts(struct cr_audit_entry *e)
{
	cr_mask_text(e->reason, strnlen(e->reason, sizeof e->reason));
	cr_mask_text(e->detail, strnlen(e->detail, sizeof e->detail));
}

int cr_audit_batch_add(struct cr_audit_batch *b, struct cr_audit_entry *e)
{
	if (!b || !e || !entry_ok(e))
		return CR_EINVAL;
	mask_texts(e);
	e->seq = b->next_seq;
	stamp_time(e->time);
	cr_buf_reset(&b->line);
	uint8_t hash[HASH_LEN];
	int rc = format_line(&b->line, e, b->prev, b->key, hash);
	if (!rc)
		rc = cr_buf_append(&b->lines, b->line.data, b->line.len);
	if (!rc && !b->single)
		rc = cr_store_audit_pending_put(b->txn, e->seq, b->line.data, b->line.len);
	if (rc)
		return rc;
	memcpy(b->prev, hash, HASH_LEN);
	b->next_seq++;
	b->n++;
	return 0;
}

int cr_audit_batch_end(struct cr_audit_batch *b)
{
	int rc = 0;
	if (b->n) {
		/* A batch's lines are in the store with its commit; the file is
		 * synced later (cr_audit_checkpoint).  A single append is synced
		 * here, for callers that commit on their own. */
		rc = write_all(b->fd, b->lines.data, b->lines.len);
		if (!rc && b->single && fdatasync(b->fd) != 0)
			rc = CR_EIO;
		if (!rc && b->fresh)
			rc = sync_dir(cr_store_dir(b->st));
		b->head.seq = b->next_seq - 1;
		memcpy(b->head.hash, b->prev, HASH_LEN);
		head_mac(b->key, &b->head, b->head.mac);
		if (!rc)
			rc = cr_store_audit_head_put(b->txn, &b->head);
		if (b->trail)
			trail_note(b->trail, rc == 0, b->head.seq, b->head.hash);
	}
	batch_free(b);
	return rc;
}

void cr_audit_batch_abort(struct cr_audit_batch *b)
{
	if (b)
		batch_free(b);
}

int cr_audit_sync_file(cr_store *st)
{
	char path[4200];
	int rc = log_path(st, path, sizeof path);
	if (rc)
		return rc;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : CR_EIO;
	rc = fdatasync(fd) == 0 ? 0 : CR_EIO;
	close(fd);
	return rc;
}

int cr_audit_checkpoint(cr_store *st, cr_txn *txn)
{
	struct cr_audit_head head;
	char path[4200];
	int rc = cr_store_audit_head_get(txn, &head);
	if (rc)
		return rc == CR_ENOTFOUND ? 0 : rc;
	if ((rc = log_path(st, path, sizeof path)))
		return rc;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return CR_EIO;
	uint8_t key[CR_DERIVED_KEY_LEN];
	struct tail t;
	cr_store_derive_key(st, "audit", key);
	rc = read_tail(fd, key, &t);
	sodium_memzero(key, sizeof key);
	/* Only a file that holds the head's entry may let the store forget. */
	if (!rc && (!t.has_entry || t.last.e.seq < head.seq))
		rc = CR_ECORRUPT;
	if (!rc && fdatasync(fd) != 0)
		rc = CR_EIO;
	close(fd);
	return rc ? rc : cr_store_audit_pending_drop(txn, 0, head.seq);
}

int cr_audit_append(cr_store *st, cr_txn *txn, struct cr_audit_entry *e)
{
	if (!st || !txn || !e || !entry_ok(e))
		return CR_EINVAL;
	struct cr_audit_batch *b;
	int rc = batch_open(st, NULL, txn, 1, &b);
	if (rc)
		return rc;
	rc = cr_audit_batch_add(b, e);
	if (rc) {
		batch_free(b);
		return rc;
	}
	return cr_audit_batch_end(b);
}

enum { LINE_EOF, LINE_OK, LINE_TORN, LINE_LONG, LINE_ERR };

/* Reads one line without its newline, keeping at most CR_AUDIT_LINE_MAX
 * bytes.  LINE_TORN: the file ended before a newline. */
static int read_line(FILE *f, char *line, size_t *n)
{
	int c, too_long = 0;
	*n = 0;
	while ((c = getc_unlocked(f)) != EOF && c != '\n') {
		if (*n < CR_AUDIT_LINE_MAX)
			line[(*n)++] = (char)c;
		else
			too_long = 1;
	}
	if (c == EOF && ferror(f))
		return LINE_ERR;
	if (c == EOF)
		return *n == 0 && !too_long ? LINE_EOF : LINE_TORN;
	return too_long ? LINE_LONG : LINE_OK;
}

/* Calls fn for each complete line (too_long set when it was cut).  A
 * missing file has no lines.  Sets *torn for a final fragment. */
static int walk_lines(const cr_store *st,
		      int (*fn)(const char *line, size_t n, int too_long, void *arg),
		      void *arg, int *torn)
{
	static _Thread_local char line[CR_AUDIT_LINE_MAX + 1];
	char path[4200];
	int rc = log_path(st, path, sizeof path), kind;
	size_t n;
	*torn = 0;
	if (rc)
		return rc;
	FILE *f = fopen(path, "rbe");
	if (!f)
		return errno == ENOENT ? 0 : CR_EIO;
	while (!rc && (kind = read_line(f, line, &n)) != LINE_EOF) {
		if (kind == LINE_ERR)
			rc = CR_EIO;
		else if (kind == LINE_TORN)
			*torn = 1;
		else
			rc = fn(line, n, kind == LINE_LONG, arg);
		if (kind == LINE_TORN)
			break;
	}
	fclose(f);
	return rc;
}

struct verify_ctx {
	uint8_t key[CR_DERIVED_KEY_LEN];
	uint8_t prev[HASH_LEN];
	const struct cr_audit_head *head; /* NULL when the store has none */
	struct cr_audit_verdict *v;
};

static void set_fault(struct cr_audit_verdict *v, uint8_t fault, uint64_t pos,
		      uint64_t found, const char *why)
{
	const unsigned long long k = pos, f = found;
	v->fault = fault;
	v->bad_seq = pos;
	v->found_seq = found;
	switch (fault) {
	case CR_AUDIT_MALFORMED:
		snprintf(v->msg, sizeof v->msg, "entry %llu (line %llu) was altered: %s", k, k, why);
		break;
	case CR_AUDIT_ALTERED:
		snprintf(v->msg, sizeof v->msg, "entry %llu (line %llu) was altered: its hash does not match", k, k);
		break;
	case CR_AUDIT_FORGED:
		snprintf(v->msg, sizeof v->msg, "entry %llu (line %llu) was altered or forged: "
			 "its MAC does not match (rewritten without the bureau's key)", k, k);
		break;
	case CR_AUDIT_ORDER:
		snprintf(v->msg, sizeof v->msg, "entry %llu is missing or out of order "
			 "(expected seq %llu, found %llu)", k, k, f);
		break;
	case CR_AUDIT_CHAIN:
		snprintf(v->msg, sizeof v->msg, "entry %llu (line %llu) does not follow "
			 "entry %llu: its prev hash does not match", k, k, k - 1);
		break;
	default:
		snprintf(v->msg, sizeof v->msg, "%s", why);
		break;
	}
}

static int verify_line(const char *line, size_t n, int too_long, void *arg)
{
	struct verify_ctx *ctx = arg;
	struct cr_audit_verdict *v = ctx->v;
	const uint64_t pos = v->entries + 1;
	const char *why = "the line is longer than any entry";
	struct parsed p;
	const uint8_t fault = too_long ? CR_AUDIT_MALFORMED
				       : check_entry(line, n, pos, ctx->prev, ctx->key, &p, &why);
	if (fault) {
		set_fault(v, fault, pos, too_long ? 0 : p.e.seq, why);
		return CR_ECORRUPT;
	}
	if (ctx->head && pos == ctx->head->seq &&
	    memcmp(p.hash, ctx->head->hash, HASH_LEN) != 0) {
		snprintf(v->msg, sizeof v->msg, "entry %llu is not the entry the head "
			 "names: the trail was replaced from there on", (unsigned long long)pos);
		v->fault = CR_AUDIT_HEAD;
		v->bad_seq = pos;
		return CR_ECORRUPT;
	}
	memcpy(ctx->prev, p.hash, HASH_LEN);
	v->entries = pos;
	return 0;
}

/* Entries after the file's last one that the store holds (committed, the
 * file not yet synced past them): checked as the trail's continuation. */
static int verify_pending(cr_store *st, struct verify_ctx *ctx)
{
	static _Thread_local char line[CR_AUDIT_LINE_MAX + 2];
	cr_txn *txn;
	int rc = cr_store_begin(st, 0, &txn);
	while (!rc && ctx->v->entries < ctx->head->seq) {
		size_t n;
		rc = cr_store_audit_pending_get(txn, ctx->v->entries + 1, line, sizeof line, &n);
		if (rc == CR_ENOTFOUND) {
			rc = 0; /* the file was cut: check_end names it */
			break;
		}
		if (!rc)
			rc = verify_line(line, n > 0 && line[n - 1] == '\n' ? n - 1 : n, 0, ctx);
		if (!rc)
			ctx->v->pending++;
	}
	if (txn)
		cr_store_abort(txn);
	return rc;
}

/* The end of the trail against the head: never behind it. */
static int check_end(const struct cr_audit_head *head, struct cr_audit_verdict *v)
{
	const unsigned long long n = v->entries, h = head ? head->seq : 0;
	if (n < h) {
		v->fault = CR_AUDIT_TRUNCATED;
		v->bad_seq = n + 1;
		snprintf(v->msg, sizeof v->msg, "the trail ends at entry %llu but the head "
			 "says %llu: the tail was truncated", n, h);
		return CR_ECORRUPT;
	}
	if (!head && n > 1) {
		v->fault = CR_AUDIT_HEAD;
		snprintf(v->msg, sizeof v->msg, "the store holds no audit head but the trail "
			 "has %llu entries: the head was removed", n);
		return CR_ECORRUPT;
	}
	v->ahead = n - h;
	return 0;
}

int cr_audit_verify(cr_store *st, struct cr_audit_verdict *out)
{
	if (!st || !out)
		return CR_EINVAL;
	memset(out, 0, sizeof *out);
	struct cr_audit_head head;
	struct verify_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.v = out;
	cr_txn *txn;
	int rc = cr_store_begin(st, 0, &txn);
	if (rc)
		return rc;
	rc = cr_store_audit_head_get(txn, &head);
	cr_store_abort(txn);
	if (rc && rc != CR_ENOTFOUND)
		return rc;
	const int has_head = rc == 0;
	cr_store_derive_key(st, "audit", ctx.key);
	/* The entries first, so that an edit is named by its entry even when
	 * the head was touched as well; an unauthentic head compares nothing. */
	const int head_ok = has_head && head_mac_ok(ctx.key, &head);
	ctx.head = head_ok ? &head : NULL;
	out->head_seq = has_head ? head.seq : 0;
	rc = walk_lines(st, verify_line, &ctx, &out->torn_tail);
	if (!rc && ctx.head && out->entries < ctx.head->seq)
		rc = verify_pending(st, &ctx);
	if (!rc && has_head && !head_ok) {
		out->fault = CR_AUDIT_HEAD;
		snprintf(out->msg, sizeof out->msg, "the head was altered: its MAC does not match");
		rc = CR_ECORRUPT;
	}
	if (!rc)
		rc = check_end(ctx.head, out);
	sodium_memzero(ctx.key, sizeof ctx.key);
	return rc;
}

struct list_ctx {
	const struct cr_subject_key *k;
	int (*fn)(const struct cr_audit_entry *e, void *arg);
	void *arg;
};

static int list_line(const char *line, size_t n, int too_long, void *arg)
{
	struct list_ctx *ctx = arg;
	struct parsed p;
	const char *why;
	if (too_long || parse_line(line, n, &p, &why))
		return 0;
	if (!p.e.has_subject || memcmp(p.e.subject.b, ctx->k->b, CR_SUBJECT_KEY_LEN) != 0)
		return 0;
	return ctx->fn(&p.e, ctx->arg);
}

int cr_audit_list_subject(cr_store *st, const struct cr_subject_key *k,
			  int (*fn)(const struct cr_audit_entry *e, void *arg),
			  void *arg)
{
	if (!st || !k || !fn)
		return CR_EINVAL;
	struct list_ctx ctx = {k, fn, arg};
	int torn;
	return walk_lines(st, list_line, &ctx, &torn);
}

int cr_audit_record(cr_store *st, struct cr_audit_entry *e)
{
	cr_txn *txn;
	int rc = cr_store_begin(st, 1, &txn);
	if (rc)
		return rc;
	rc = cr_audit_append(st, txn, e);
	if (rc) {
		cr_store_abort(txn);
		return rc;
	}
	return cr_store_commit(txn);
}
