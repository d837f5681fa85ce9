/*
 * cr_limits.h - every size limit in creditref, with the reason for its value.
 *
 * Input is bounded everywhere: a line, a field, a batch, a history.  The
 * static assertions at the end pin how the limits relate to each other.
 *
 * Per-person limits (DESIGN.md rule 10: no silent limits).  What the
 * bureau keeps about one person grows with time, so each limit on it says
 * what happens at the limit, and it is one of three things, never a silent
 * cut and never a failed read: the write is refused with its reason (an
 * ingest reject, a 4xx), the newest are kept and the answer says how many
 * there are, or the reader reads them all.  They are:
 *
 *   CR_CONSENT_FACTS_MAX        consent facts a decision reads: the newest
 *   CR_SUBJECT_ACCOUNTS_MAX     accounts: a new one past it is refused
 *   CR_REPORT_INQUIRIES_MAX     inquiries a report lists: the newest, with
 *                               the true count; every one is counted
 *   CR_HISTORY_MONTHS_MAX       months of one account read: the newest
 *   CR_SUBJECT_DISPUTES_MAX     disputes: one more is refused
 *   CR_REPORT_ACCOUNT_DISPUTES_MAX  annotations and corrections per account
 *                               in a report: the newest, with the count
 *   CR_SHELF_MAX                products a shelf answer lists: the newest
 *                               holdings, with the count
 *
 * and readers that gather a person's accounts (the alert rules and their
 * watchers, the supervision walk, reports) read them all, however many a
 * store written before CR_SUBJECT_ACCOUNTS_MAX holds.
 */
#ifndef CR_LIMITS_H
#define CR_LIMITS_H

/* Longest furnishing line.  A record is a flat object of short fields; 64 KiB
 * is far above any honest record and keeps a hostile file from growing a
 * buffer without end. */
#define CR_LINE_MAX 65536

/* Institution codes look like "B0001"; room for longer national codes.  A
 * code is 1..CR_INST_CODE_MAX characters of A-Z a-z 0-9 _ -, and nothing
 * else: cr_inst_code_valid (cr_record.h) is the one definition, asked by
 * the format parser, key issuing, validation, the audit writer, the CLI's
 * --as and --institution and every HTTP body or query that names one. */
#define CR_INST_CODE_MAX 15
/* Product codes on a shelf (docs/shelf.md) have the form of an
 * institution code. */
#define CR_PRODUCT_CODE_MAX CR_INST_CODE_MAX
/* A product's licence reference, in bytes: a regulator's number. */
#define CR_LICENCE_MAX 63
/* A supervisor's reason for delisting, in UTF-8 bytes (a few sentences). */
#define CR_DELIST_REASON_MAX 255
/* Products one shelf answer lists: the offered and the held, each.  A
 * person's holdings past it keep the newest (by the day they began), and
 * the answer says how many there are ("held_total") and that the list is
 * cut ("truncated"); the offered are a platform's products, not the
 * person's, cut in code order with "truncated" set. */
#define CR_SHELF_MAX 256
/* Institution display name, in UTF-8 bytes. */
#define CR_INST_NAME_MAX 127
/* A furnisher's account number, in bytes.  Bank account and loan numbers are
 * at most ~34 characters (IBAN); 63 leaves room for prefixes. */
#define CR_ACCOUNT_MAX 63
/* A person's name in UTF-8 bytes (about 40 CJK characters). */
#define CR_NAME_MAX 127
/* Phone number as furnished, digits and '+', '-', ' '. */
#define CR_PHONE_MAX 31
/* Postal address in UTF-8 bytes. */
#define CR_ADDRESS_MAX 255
/* Consent evidence reference such as "sha256:<64 hex>". */
#define CR_EVIDENCE_MAX 127
/* A furnisher's event id, unique per institution (idempotency key): the
 * same room as an account number, which it often embeds. */
#define CR_EVENT_ID_MAX 63
/* How far an event time may run ahead of the end of the as-of day: the
 * clocks of furnishers' systems drift, by seconds, not minutes. */
#define CR_CLOCK_SKEW_S 300
/* Resident identity number: exactly 18 characters. */
#define CR_ID_LEN 18
/* Co-lenders of one account (a syndicate larger than this is not consumer
 * credit). */
#define CR_COLENDERS_MAX 16
/* Fields in one record; more is rejected before any is looked at. */
#define CR_FIELDS_MAX 32
/* Nesting depth of a value inside a field of a JSON Lines record
 * (src/format/jsonl.c).  Only co_lenders nests, 2 deep; any other nested
 * value is stepped over to be refused by its field, and this bounds that
 * walk, which keeps the open containers as bits of a uint64_t. */
#define CR_JSON_NEST_MAX 32
/* Members one co-lender object may have before it is refused outright.  It
 * has two (institution, share_bp); up to four, the parser still names the
 * unknown or repeated member in its reason. */
#define CR_COLENDER_MEMBERS_MAX 4

/* Consent facts read for one decision about a person (consent.h): the
 * newest ones.  A person grants and revokes a few facts per lender, so 256
 * hold the facts of dozens of lenders, and they fit in a 40 KB buffer per
 * thread, read in one pass.  Facts beyond it stay in the store, only not
 * read: leaving out the oldest can refuse where they would have allowed,
 * never allow after a revocation (consent.h says why). */
#define CR_CONSENT_FACTS_MAX 256

/* Months shown in a report's repayment grid (DESIGN.md: 60). */
#define CR_GRID_MONTHS 60
/* Accounts one person may have, at every institution together, closed ones
 * included (accounts are never deleted).  An account line that would open
 * one more is rejected (field "id", "the person already has 1024
 * accounts, ..."), and nothing of it is stored; lines about the person's
 * existing accounts go on as before.  A person borrows from tens of
 * lenders in a lifetime, and a platform that books one account per
 * instalment purchase still stays far below: 1,024 accounts are 1.9 MB of
 * a report's working memory and about 0.4 MB of its JSON.  Refusing the write is what keeps every
 * reader's work bounded (a report, the alert rules, the supervision walk
 * read all of a person's accounts); the store's own ceiling, 65,535
 * account numbers per person (store_codec.h), is far above it. */
#define CR_SUBJECT_ACCOUNTS_MAX 1024
/* Inquiries one report lists: of those dated in its two years
 * (CR_REPORT_INQUIRY_DAYS, report.h), the newest, newest first; the report
 * says how many there are ("inquiries_total") and whether the list is cut
 * ("inquiries_truncated").  Every inquiry of the two years is counted all
 * the same, in the exposure block, the score's features and the alert
 * rules.  A lender cannot be refused a report because others asked
 * before, so inquiries are never refused; 512 is 24 KB of a report. */
#define CR_REPORT_INQUIRIES_MAX 512
/* Longest history read for one account: 100 years, the newest months (in
 * reports, retention, current state and the monthly aggregate).  No credit
 * account runs for a century, and it sizes each reader's scratch array of
 * months (48 KB).  A month more than 100 years before the as-of date is
 * far outside the 60-month grid, and adverse information stops appearing
 * after five years (retention.h): leaving it unread changes nothing a
 * report shows. */
#define CR_HISTORY_MONTHS_MAX 1200

/* Disputes (dispute.h).  A person's reason for a dispute, in UTF-8 bytes:
 * a few sentences (about 170 CJK characters), stored sealed with it. */
#define CR_DISPUTE_REASON_MAX 511
/* Disputes one person may file, answered or not (disputes are never
 * deleted).  The next is refused with its reason (HTTP 409, docs/api.md);
 * nothing is filed.  A report reads every dispute of the person, to hide
 * what an overdue one hides and to annotate the rest, so this bounds its
 * work: 4,096 disputes, four for each account a person may have (a victim
 * of identity theft disputes every account opened in their name), are
 * 2.6 MB of a report's working memory at most; a person disputes a
 * handful of items in a lifetime. */
#define CR_SUBJECT_DISPUTES_MAX 4096
/* Disputes a report reads before it needs more room (report.c): most
 * people have none, and 16 are 10 KB of a report's working memory. */
#define CR_REPORT_DISPUTES_ROOM 16
/* Dispute annotations, and corrections, a report lists per account: the
 * newest (by dispute and by correction), with the count of all of them
 * ("disputes_total", "revisions_total"; docs/report.md).  An item is
 * disputed once or twice, and a report has room for this many in each of
 * its CR_SUBJECT_ACCOUNTS_MAX accounts. */
#define CR_REPORT_ACCOUNT_DISPUTES_MAX 8
/* Audit trail (audit.h).  A refusal reason and an act's detail are short
 * texts written by the code, never personal data: they are formatted
 * through mask.h (identifiers masked, cut on a character boundary). */
#define CR_AUDIT_REASON_MAX 127
#define CR_AUDIT_DETAIL_MAX 63
/* One audit line: about 450 bytes of fixed fields and keys, the two texts
 * above at worst six bytes each once escaped ("\u001f"), and the 148-byte
 * hash and MAC suffix. */
#define CR_AUDIT_LINE_MAX 2048
/* The name of an audited act, also written by the code ([a-z_]+: "report",
 * "webhook_delivery", ...; never escaped, one of the fixed fields above); a
 * verifier reads it back into this room. */
#define CR_AUDIT_ACTION_MAX 23

/* The longest text mask.h formats in one go: an error message or a
 * problem detail (a sentence naming a field and a value), an audit reason
 * or detail.  Longer text is cut, on a character boundary. */
#define CR_MASK_TEXT_MAX 1024

/* A webhook URL (webhook.h).  Real endpoints are well under 200 bytes; 512
 * leaves room for a path with a routing token and keeps the stored record
 * and the audit of a registration small. */
#define CR_WEBHOOK_URL_MAX 512
/* A webhook's signing secret as stored: CR_WEBHOOK_SECRET_LEN (webhook.h)
 * characters, 49 today; 63 leaves room for a longer form of secret without
 * changing the stored record's bounds. */
#define CR_WEBHOOK_SECRET_MAX 63

/* Options one command defines, and arguments one command line gives
 * besides options: the largest command has 16 options, and creditref ingest
 * takes its files this way (more than 32 are refused as too many
 * arguments).  It sizes struct cr_args (cli.h), kept on the stack. */
#define CR_ARGS_MAX 32

/* Post-loan alerts (alert.h).  Alerts in one page of the feed (GET /v1/alerts?limit=, creditref alerts
 * list): it bounds a response; the receiver pages on with the cursor. */
#define CR_ALERT_PAGE_MAX 1000
/* Ranges of an institution's thresholds (creditref alerts config).  The
 * exposure rise, in percent: 100,000 % is a thousandfold rise, past any
 * threshold that means something.  The rule compares rise * 100 with this
 * percentage times the total before, in int64_t: at the cap that holds for
 * totals up to about 9.2 * 10^13 minor units, not for every total
 * CR_AMOUNT_MAX allows. */
#define CR_ALERT_EXPOSURE_PCT_MAX 100000
/* Credit-seeking inquiries in CR_ALERT_INQUIRY_DAYS days that raise an
 * alert: nobody is asked about a thousand times in a week.  The rule counts
 * every one. */
#define CR_ALERT_INQUIRIES_MAX 1000

/* Latest dpd a statement may carry: 100 years of arrears is corrupt input. */
#define CR_DPD_MAX 36500
/* Largest amount in minor units: 10^15 fen = 10 trillion yuan, far above any
 * consumer exposure, and small enough that sums over CR_SUBJECT_ACCOUNTS_MAX
 * accounts cannot overflow int64_t. */
#define CR_AMOUNT_MAX 1000000000000000LL

/* Lines applied in one durable write transaction during ingest.  A batch
 * costs one sync of the write-ahead log, and holds in memory the records of
 * every person it touches (store_txn.h) until its commit: 1 Mi lines of a
 * furnishing file (about 170 MB of input) touch some 13,000 people, a few
 * tens of MB.  Measured on the 3.1M-line bench file (two runs each, 2 shared
 * cores): 64 Ki-line batches took 5.9-6.5 s, 256 Ki 3.9-4.5 s, 1 Mi 3.5 s;
 * the CPU time was the same, the difference is time waiting for syncs. */
#define CR_BATCH_RECORDS 1048576

/* The server's group commit (src/server/committer.c).  A job whose body is
 * under CR_COMMIT_LIGHT_BYTES (a report's inquiry, a consent, a real-time
 * event or a few dozen of them) is light: it is committed ahead of the bulk
 * bodies queued with it, and a group of bulk bodies ends early when one
 * arrives, so that it waits for at most the body being applied.  A group of
 * bulk bodies holds up to CR_COMMIT_GROUP_BYTES of them (about 100 bodies
 * of 1,000 events), which bounds a transaction's size; bigger groups share
 * more B-tree pages per commit: a cap of 1 MiB (6 bodies) gave 10-15% fewer
 * events/s than no cap, in two paired runs on the 20,000-person bench store. */
#define CR_COMMIT_LIGHT_BYTES (16u << 10)
#define CR_COMMIT_GROUP_BYTES (16u << 20)
/* Jobs in one group, whatever their weight.  Light jobs weigh next to
 * nothing, so without it a flood of reports or consents could hold one
 * transaction open without bound.  A connection has one request in flight
 * at a time, and a server takes 1,024 connections unless told otherwise:
 * the cap binds only in a flood. */
#define CR_COMMIT_GROUP_JOBS 4096

/* The webhook deliverer (src/server/deliver.c).  Transfers in flight at
 * once, one per institution: each holds a connection and its page in
 * memory; when all are busy, the other institutions' pages wait for a
 * free one. */
#define CR_DELIVER_INFLIGHT_MAX 64
/* A page's body: CR_WEBHOOK_BATCH alerts at most, each naming the person
 * masked and the receiver's own accounts with them: at most
 * CR_SUBJECT_ACCOUNTS_MAX account numbers of printable ASCII, 129 bytes
 * each once quoted and escaped, 13.2 MB for a page of such people (a
 * static assertion in deliver.c).  The cap keeps a person with more (a
 * store written before that limit) from growing a buffer without end. */
#define CR_DELIVER_BODY_MAX (16u << 20)

/* Accounts whose history one write transaction of a retention purge
 * rewrites (cr_retention_purge): a purge of the whole store commits after
 * each batch, so a transaction's writes, held in memory until its commit
 * (store_txn.h), stay bounded, and an interrupted purge loses at most one
 * batch, which the next run redoes (a purge is idempotent). */
#define CR_PURGE_BATCH 4096

/* People whose features one read transaction of the scorecard's training
 * walk reads (cr_features_dataset): a read transaction keeps every person
 * it loads in memory until it ends (store_txn.h), a few KB each, so a page
 * of 4,096 holds tens of MB at most, and a transaction per page costs
 * nothing next to the people read. */
#define CR_FEATURES_PAGE 4096

/* Accounts one monthly aggregate may cover (monthly.h): 64 Mi, above any
 * single platform's book, so that the working array (about 64 bytes an
 * account) stays bounded at 4 GiB. */
#define CR_MONTHLY_ACCOUNTS_MAX (64u << 20)

/* Supervision aggregates (docs/supervision.md).  A published cell covers
 * at least this many borrowers, and what a grouping suppresses is nothing
 * or at least this many: 10 is the smallest count statistical offices
 * commonly publish for counts of people, and above the number of lenders
 * or products a reader could know a person to have. */
#define CR_SUPERVISION_MIN_CELL 10
/* Cells one grouping may hold: 4,096, a power of two, above the number of
 * prefectures (about 350) and of institutions a bureau serves; the cells
 * are held in a fixed table of this size while the walk runs. */
#define CR_SUPERVISION_CELLS_MAX 4096
/* Months one walk of the store builds at once (cr_monthly_walk_months):
 * five years, the longest view of the supervision report and cache below;
 * the walk holds one month's flows per month for the account it is on. */
#define CR_MONTHLY_WALK_MONTHS_MAX 60
/* Months one GET /v1/supervision/aggregates?from=&to= answers: two years,
 * a supervisor's trend view; by prefecture (some 350 cells of about 1 KB
 * of JSON) that is about 8 MB, the most one answer should carry. */
#define CR_SUPERVISION_RANGE_MONTHS 24
/* Months one supervision report (creditref supervision report) draws:
 * five years, the history a report shows. */
#define CR_SUPERVISION_REPORT_MONTHS 60
_Static_assert(CR_SUPERVISION_REPORT_MONTHS <= CR_MONTHLY_WALK_MONTHS_MAX &&
		       CR_SUPERVISION_RANGE_MONTHS <= CR_MONTHLY_WALK_MONTHS_MAX,
	       "a report's months and a range's are built in one walk");
/* Months of aggregates the server keeps in memory (sup_cache.h): five
 * years, a supervisor's longest view, at tens of KB a month. */
#define CR_SUPERVISION_CACHE_MONTHS 60
/* How long a kept month answers before it is built again: 10 minutes.
 * Building one takes about 40 s over a million people; data furnished
 * since shows within this much more. */
#define CR_SUPERVISION_CACHE_S 600
/* A kept month read in the last hour is built again ahead of its expiry
 * (sup_warm.c); one nobody read for longer is left to expire, so a server
 * whose supervisors are away walks nothing. */
#define CR_SUPERVISION_WANTED_S 3600

/* Address space the store needs beside its block cache: write buffers
 * (up to 128 + 4 x 64 MiB for a bulk load), the person cache (256 MiB by
 * default), table readers and the process itself.  A smaller limit
 * (ulimit -v) is refused at open (store_rocks.c). */
#define CR_STORE_ADDRESS_SPACE_BYTES (1ULL << 30)

/* Held identities newer than a released one that the release compares
 * with it, to drop those that say the same (consent.c): one per other
 * institution holding a line about the person; more are left in place,
 * which costs only their bytes. */
#define CR_HELD_NEWER_MAX 64
/* One grouping's aggregates as JSON: about 1.5 KB a cell (a region's
 * name, under 70 bytes, included), at most CR_SUPERVISION_CELLS_MAX
 * cells. */
#define CR_SUPERVISION_JSON_MAX (8u << 20)

/* The server (creditref serve).  Rejected lines a furnishing response
 * lists (POST /v1/furnish), about 150 bytes each: it bounds the response,
 * while the counts cover every line and rejects_truncated says the list
 * stopped. */
#define CR_REJECTS_LISTED 1000
/* Routes the metrics keep counters for (metrics.c): the route table
 * (routes.c) has 33, which a static assertion there checks; each is a
 * fixed array of counters per status class, so room for a few more. */
#define CR_METRICS_ROUTES_MAX 48
/* API keys the rate limiter tracks (ratelimit.c): 16,384 buckets of 40
 * bytes in 64 stripes.  A key keeps its bucket for the server's life from
 * its first request on, and a key whose stripe's 256 buckets are all taken
 * is not limited. */
#define CR_RATELIMIT_SLOTS 16384
/* Ranges of serve's options.  Worker threads: every write goes through one
 * committer, so threads past the cores gain nothing, and 256 is above the
 * cores of a large server. */
#define CR_SERVE_THREADS_MAX 256
/* Connections at once, each a file descriptor and a buffer: 65,536 is as
 * many as the port numbers of one client address (a load balancer) allow. */
#define CR_SERVE_CONNECTIONS_MAX 65536
/* An idle connection's timeout, in seconds: an hour.  Shutdown waits this
 * long, and five seconds more, for requests in flight (server.c). */
#define CR_SERVE_TIMEOUT_S_MAX 3600
/* Requests a second per API key, and the burst: far above what one server
 * answers, and the bucket's millitokens (uint64_t) stay far from overflow. */
#define CR_SERVE_RATE_MAX 10000000
/* A webhook's first retry delay, in ms: an hour, which the doublings of
 * cr_webhook_backoff_ms (webhook.h) stretch to at most about 21 days
 * between attempts. */
#define CR_WEBHOOK_BACKOFF_MS_MAX 3600000
/* A webhook request's timeout, in seconds: five minutes, during which a
 * slow receiver holds one of the CR_DELIVER_INFLIGHT_MAX transfers. */
#define CR_WEBHOOK_TIMEOUT_S_MAX 300

/* Bounds of creditref gen's options (gen.h): cr_gen_run refuses what is
 * outside them, except institutions, which are clamped.  At least one
 * institution of each of the four kinds; at most 200, fewer than the 256
 * brand pairs that keep their names distinct (gen_people.c). */
#define CR_GEN_INSTITUTIONS_MIN 4
#define CR_GEN_INSTITUTIONS_MAX 200
/* Months of history: 30 years, the longest term the generator gives a loan
 * (a mortgage). */
#define CR_GEN_MONTHS_MAX 360
/* Subjects one run may generate: far above a national population, and small
 * enough that the identity-number space can never run out. */
#define CR_GEN_SUBJECTS_MAX 2000000000ULL

/* Scorecards (src/score/).  Columns of a training table (dataset.h) and of
 * a CSV file read for one (csv.h): a credit data set has tens of columns;
 * 256 leaves room for wide exports, and sizes the trainer's per-column
 * summary (fit.h). */
#define CR_DATASET_COLS_MAX 256
/* Cells of one training table, rows times columns: 2^28 doubles are 2 GiB,
 * a tenth of this machine's memory, and 10 million people with 26 columns. */
#define CR_DATASET_CELLS_MAX (1ULL << 28)
/* Distinct levels of one categorical column: a column with more is an
 * identifier or free text, not a category, and is refused by name.  4,096
 * keeps interning (csv.c's per-column hash) small. */
#define CR_DATASET_LEVELS_MAX 4096
/* A CSV file read whole for training or scoring: 4 GiB, above any table
 * the cell limit lets through as text. */
#define CR_CSV_BYTES_MAX (4ULL << 30)
/* One CSV record, quoted line breaks included: a row of 256 short fields is
 * a few KiB; 64 KiB refuses a runaway quote early, with its line. */
#define CR_CSV_RECORD_MAX 65536
/* Features one model scores (model.h): the bureau has 16 (features.h); a
 * CSV-trained model keeps at most this many of its best by information
 * value.  It sizes struct cr_model, which is allocated whole. */
#define CR_MODEL_FEATURES_MAX 64
/* Bins of one feature, the missing bin included.  The trainer starts from
 * CR_FIT_INITIAL_BINS quantile bins and only merges; a hand-made model may
 * use more, up to this. */
#define CR_MODEL_BINS_MAX 32
/* Levels one categorical feature lists.  Levels under the minimum bin
 * share are pooled into "others" and not listed, so the trainer lists at
 * most 100 / CR_FIT_BIN_SHARE_MIN_PCT of them; 128 leaves a hand-made
 * model room. */
#define CR_MODEL_LEVELS_MAX 128
/* A feature's name and a level, in bytes: column headers and category
 * labels are short words. */
#define CR_MODEL_NAME_MAX 63
#define CR_MODEL_LEVEL_MAX 63
/* A feature's reason sentence for the borrower, and the model's
 * description, in UTF-8 bytes: one sentence; a paragraph. */
#define CR_MODEL_REASON_MAX 159
#define CR_MODEL_DESC_MAX 511
/* A model id ([A-Za-z0-9._-]) and the metadata lines one model keeps
 * (key and value): a handful of training facts. */
#define CR_MODEL_ID_MAX 63
#define CR_MODEL_META_MAX 32
#define CR_MODEL_META_KEY_MAX 31
#define CR_MODEL_META_VALUE_MAX 127
/* One line of a model file, and the whole file: a bin line with all 128
 * levels, every byte escaped, is under 17 KiB; the largest model the limits
 * above allow is under 1 MiB of text. */
#define CR_MODEL_LINE_MAX 32768
#define CR_MODEL_FILE_MAX (4u << 20)
/* Reason codes a score carries: the four features that cost the most
 * points, the number lenders' adverse-action notices customarily give. */
#define CR_SCORE_REASONS 4
/* The trainer (fit.h).  Quantile bins a numeric feature starts from, before
 * merging: 30 bins of 3.3 % each, as many as a model's 32 bins leave room
 * for with a missing bin and one to spare.  The penalised fit keeps fine
 * bins from overfitting (neighbours' points are pulled together), and fine
 * bins keep more of a continuous value: on the public data sets the
 * cross-validated likelihood gains from 10 to 20 bins and changes little
 * beyond (docs/scoring.md, "Binning and weight of evidence"). */
#define CR_FIT_INITIAL_BINS 30
/* The smallest share of the training rows a bin of values or a listed level
 * may hold, in percent: just under one of the 30 quantile bins, so that
 * only the splinters that ties and the last rows leave are merged.  Levels
 * under it are pooled into "others".  A missing bin stands alone at any
 * size: the penalty pulls a small bin's points towards no effect. */
#define CR_FIT_BIN_SHARE_MIN_PCT 3
/* Folds of the cross-validation on the training rows that chooses the
 * penalty and the features (fit.c): 5, the usual choice, fits 4/5 of the
 * rows each time. */
#define CR_FIT_CV_FOLDS 5
/* Newton (IRLS) iterations, and step halvings in one iteration: with its
 * L2 penalty the fit converges in under 30 iterations even on perfectly
 * separable data; the cap turns a bug into a reported non-convergence. */
#define CR_FIT_IRLS_ITER_MAX 100
#define CR_FIT_IRLS_HALVINGS_MAX 40

_Static_assert(CR_FIT_INITIAL_BINS < CR_MODEL_BINS_MAX,
	       "a feature's initial bins and its missing bin must fit in a model");
_Static_assert(100 / CR_FIT_BIN_SHARE_MIN_PCT <= CR_MODEL_LEVELS_MAX,
	       "every level above the minimum share must fit in a model");
_Static_assert(CR_MODEL_FEATURES_MAX <= CR_DATASET_COLS_MAX,
	       "a model's features come from a table's columns");
_Static_assert(CR_MODEL_LINE_MAX >= 256 + CR_MODEL_LEVELS_MAX * (2 * CR_MODEL_LEVEL_MAX + 3),
	       "a model line must hold a bin with every level of a feature, escaped");

/* Threads that score a page of people at once in creditref score --all:
 * the machines this runs on have two cores; each thread holds a read
 * transaction and one report's buffers (about 2 MB). */
#define CR_SCORE_THREADS 2

/* ---- Supervision: data quality and co-lending (docs/quality.md) ---- */

/* Reporting lag is kept per furnisher and day as a histogram of log2
 * buckets of seconds: bucket 0 holds lags under 1 s, bucket i >= 1 lags in
 * [2^(i-1), 2^i) s; the last bucket holds everything longer (2^30 s is
 * some 34 years, past any event the validator lets in). */
#define CR_QUALITY_LAG_BUCKETS 32
/* Distinct reject reasons kept per furnisher per batch; further reasons
 * are counted under "other".  A reason is a validator's sentence. */
#define CR_QUALITY_REASONS_MAX 32
#define CR_QUALITY_REASON_MAX 120
/* The furnisher a rejected line is counted under when nothing names one
 * (the line did not parse and the session was not restricted to one). */
#define CR_QUALITY_NO_INST "-"
/* Days a quality read covers at most (--from .. --to), and months a
 * co-lending read covers at most. */
#define CR_QUALITY_DAYS_MAX 3660
#define CR_COLENDING_MONTHS_MAX 120
/* A co-lending platform whose own share of the outstanding it arranged
 * falls below this floor (basis points) is flagged: the 30% regulators
 * ask a platform to keep on its own books.  Overridable per read. */
#define CR_COLENDING_FLOOR_BP 3000

_Static_assert(CR_COMMIT_LIGHT_BYTES < CR_COMMIT_GROUP_BYTES,
	       "a heavy group must hold more than a light job");
_Static_assert(CR_LINE_MAX >= 4096, "a line must hold a full account record");
_Static_assert(CR_GRID_MONTHS == 60, "the report contract is a 60-month grid");
_Static_assert(CR_AUDIT_LINE_MAX >= 600 + 6 * (CR_AUDIT_REASON_MAX + CR_AUDIT_DETAIL_MAX),
	       "an audit line must hold the longest escaped reason and detail");
_Static_assert(CR_MASK_TEXT_MAX > CR_AUDIT_REASON_MAX && CR_MASK_TEXT_MAX > CR_AUDIT_DETAIL_MAX,
	       "audit texts are formatted through mask.h");
_Static_assert(CR_AMOUNT_MAX < (1LL << 62) / CR_SUBJECT_ACCOUNTS_MAX,
	       "sums of amounts over a subject's accounts must not overflow");

#endif
