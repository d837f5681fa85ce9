/* help.c - the text of "creditref help COMMAND". */
#include <string.h>

#include "cli.h"

static const struct {
	const char *cmd;
	const char *text;
} help[] = {
	{"init",
	 "usage: creditref init --db DIR [--key-file F]\n\n"
	 "Creates DIR (mode 0700) and an empty store in it, and a new master key in\n"
	 "F (mode 0600; default DIR.key beside the data directory, or\n"
	 "$CREDITREF_KEY_FILE).  Keep the key file out of the data directory's\n"
	 "backups: identities and account numbers in the store are encrypted under\n"
	 "it.  Every command takes --key-file the same way.  Nothing to start: the\n"
	 "store is an LMDB file, crash-safe, read through memory mapping.\n"},
	{"gen",
	 "usage: creditref gen --subjects N [--institutions M] [--months K] [--seed S]\n"
	 "                     [--consent-rate R] [--bad-rate R] [--as-of YYYY-MM-DD]\n"
	 "                     [--bad-manifest FILE] [--risk-out FILE.csv]\n"
	 "                     --out FILE.jsonl|-\n\n"
	 "Writes a synthetic furnishing file: institutions, people with valid\n"
	 "resident IDs, their accounts and K months of statements driven by a\n"
	 "delinquency model (docs/generator.md).  A share R of people carry a\n"
	 "furnish consent (the rest will be held); a share of deliberately invalid\n"
	 "lines covers every validation rule, listed in --bad-manifest.  The same\n"
	 "options and seed always give the same bytes.  The last line printed is\n"
	 "  lines=N institutions=I subjects=S accounts=A statements=M consents=C bad=B\n"
	 "--out - writes the data to standard output instead, the summary line to\n"
	 "stderr, and shows no progress, for a pipe into ingest:\n"
	 "  creditref gen --subjects 1000000 --out - | creditref ingest --db DIR -\n"
	 "--risk-out writes, per person, id,latent_risk,grade: the generator's own\n"
	 "risk (the chance of 90+ days past due within 12 months) and grade 0..3,\n"
	 "to check a score against (mode 0600: it holds IDs).  It changes nothing\n"
	 "in the data.\n"},
	{"ingest",
	 "usage: creditref ingest --db DIR [--as-of YYYY-MM-DD] [--rejects FILE] FILE...|-\n\n"
	 "Loads JSON Lines furnishing files (docs/FORMAT.md); - reads standard input\n"
	 "(a pipe from creditref gen --out -, say) to its end, in 4 MiB chunks.\n"
	 "Every line is accepted, held (no furnish consent yet), unchanged (already\n"
	 "stored) or rejected; rejected lines go to FILE.rejects.jsonl, or for\n"
	 "standard input to stdin.rejects.jsonl in the current directory (mode 0600,\n"
	 "removed when nothing was rejected), with line, field and reason.\n"
	 "--rejects FILE names that file instead, for a single input.  A line over\n"
	 "64 KiB is rejected as too long under its line number, and reading goes on\n"
	 "at the next line.  Batches are committed durably.  On a terminal, progress\n"
	 "shows MiB done of a file, or lines and MiB read from standard input.\n"
	 "The last line printed is\n"
	 "  submitted=N accepted=A rejected=R held=H unchanged=U\n"
	 "preceded, when some were refused as information a bureau may not collect\n"
	 "(docs/FORMAT.md), by a line prohibited=N.\n"
	 "Exit status 0 when the files were processed, rejects included.\n"},
	{"consent",
	 "usage: creditref consent grant|revoke|list --db DIR --id ID --institution CODE\n"
	 "                         --scope furnish|query [--purpose P] [--expires YYYY-MM-DD]\n"
	 "                         [--evidence REF] [--as-of YYYY-MM-DD]\n\n"
	 "Records a person's authorization for an institution, or its withdrawal,\n"
	 "dated --as-of (default today).  Nothing is ever deleted: a revocation is\n"
	 "a new fact and takes effect at once.  A furnish grant releases the data\n"
	 "held for that institution.  list shows every fact for the person.\n"},
	{"report",
	 "usage: creditref report --db DIR --id ID --as CODE --purpose P\n"
	 "                        [--format json|text] [--as-of YYYY-MM-DD]\n\n"
	 "The person's credit report for institution CODE.  P is loan_approval,\n"
	 "card_approval, post_loan, guarantee or self (the person's own report;\n"
	 "--as is not needed).  Refused (exit 3) unless CODE has a live query\n"
	 "consent for P, or P is post_loan and CODE holds an open account with the\n"
	 "person, or P is self.  Every report served is recorded as an inquiry.\n"
	 "Exit 4 when the bureau has no file on the person.\n"},
	{"supervision",
	 "usage: creditref supervision aggregates --db DIR [--month YYYY-MM]\n"
	 "                 [--by institution|product|province|prefecture]\n"
	 "                 [--format json|text] [--as-of YYYY-MM-DD]\n"
	 "       creditref supervision report --db DIR --html FILE [--months N]\n"
	 "                 [--month YYYY-MM] [--as-of YYYY-MM-DD]\n\n"
	 "aggregates prints the market aggregates of the month (default: the as-of\n"
	 "month) in one grouping (default: institution; region means province):\n"
	 "borrowers, accounts, outstanding, new lending, repayments, accounts by\n"
	 "days past due (0, 1-30, 31-60, 61-90, 91-180, 180+) and their rates, roll\n"
	 "rates from the month before, and borrowers by number of lenders with a\n"
	 "balance.  A province or prefecture cell also carries the region's name\n"
	 "(GB/T 2260).  A cell of fewer than 10 borrowers is suppressed, with others\n"
	 "so that no difference reveals it (docs/supervision.md).  report writes a\n"
	 "self-contained HTML page of charts over the N months (default 12) ending\n"
	 "with --month, the last month's provinces among them.\n"
	 "Every month read is recorded in the audit trail (supervision_read).\n"},
	{"stats",
	 "usage: creditref stats --db DIR\n"
	 "       creditref stats --monthly --db DIR [--month YYYY-MM] [--as-of YYYY-MM-DD]\n"
	 "                       [--format json|text]\n\n"
	 "Counts of institutions, people, accounts, account-months, consents,\n"
	 "inquiries, events and held records, and the store's size on disk.\n\n"
	 "--monthly prints the monthly aggregate per institution and product for\n"
	 "the month (default: the as-of month): borrowers, accounts, outstanding\n"
	 "(month-end balances), accounts opened and drawdowns in the month, and the\n"
	 "delinquency buckets M0, M1 (dpd 1-30), M2 (31-60), M3+ (61+), as JSON lines\n"
	 "or a table.  docs/monthly.md says what it hides that the event feed shows.\n"},
	{"alerts",
	 "usage: creditref alerts config --db DIR --institution CODE [--exposure-pct P]\n"
	 "                 [--exposure-min AMOUNT] [--inquiries N]\n"
	 "       creditref alerts list --db DIR --institution CODE [--after CURSOR]\n\n"
	 "config sets the thresholds of the institution's post-loan monitoring alerts\n"
	 "(docs/alerts.md): an exposure_rise alert needs a rise of the person's total\n"
	 "outstanding by more than P percent (default 20) AND more than AMOUNT minor\n"
	 "units (default 1000000) in one batch (one request, or one batch of a file);\n"
	 "an inquiries alert is raised when credit-seeking inquiries in 7 days reach\n"
	 "N (default 3).  Options not given keep their current value.\n\n"
	 "list prints up to 1000 of the institution's alerts after CURSOR as JSON, as\n"
	 "GET /v1/alerts does.\n"},
	{"keys",
	 "usage: creditref keys rotate --db DIR [--key-file F]\n"
	 "       creditref keys add --db DIR --role ROLE [--institution CODE | --id ID]\n"
	 "       creditref keys list --db DIR\n"
	 "       creditref keys revoke --db DIR KEY_ID\n\n"
	 "rotate replaces the master key in the key file with a new random one.\n"
	 "The store's own keys are re-sealed under it (envelope encryption), so this\n"
	 "takes the same time whatever the size of the store; afterwards the old key\n"
	 "no longer opens the store.  The key file defaults to DIR.key beside the data\n"
	 "directory, or $CREDITREF_KEY_FILE.\n\n"
	 "add issues an API key for the HTTP server (docs/api.md) and prints it once\n"
	 "on standard output; only a keyed hash of it is stored.  ROLE is furnisher\n"
	 "or lender (with --institution), subject (with --id, the person's ID),\n"
	 "supervisor or operator.  list shows every key without its secret; revoke\n"
	 "refuses the key from the next request on.  Each act is audited.\n"},
	{"serve",
	 "usage: creditref serve --db DIR [--key-file F] [--listen HOST:PORT] [--threads N]\n"
	 "                       [--as-of YYYY-MM-DD] [--max-body BYTES] [--max-connections N]\n"
	 "                       [--timeout SECONDS] [--rate-limit N] [--burst N]\n"
	 "                       [--webhook-backoff MS] [--webhook-timeout SECONDS]\n"
	 "                       [--webhook-allow-private]\n\n"
	 "Serves the HTTP/JSON API described in docs/api.md and docs/openapi.json,\n"
	 "by default on 127.0.0.1:8080 (port 0: any free port).  Prints\n"
	 "\"creditref: serving on http://HOST:PORT\" once listening.  Clients send API\n"
	 "keys from \"creditref keys add\".  Limits: bodies up to --max-body (64 MiB),\n"
	 "--max-connections (1024) at once, --timeout (30 s) idle, --rate-limit (1000)\n"
	 "requests per second per key with bursts of --burst (0: no limit).  SIGTERM or\n"
	 "SIGINT drains: requests in flight finish, the last commit lands, exit 0.\n\n"
	 "Alerts are also pushed to the webhooks lenders register (PUT /v1/webhook,\n"
	 "docs/alerts.md): a failed delivery is retried after --webhook-backoff ms\n"
	 "(5000), doubling to 512 times that, with jitter; each attempt may take\n"
	 "--webhook-timeout seconds (10).  Deliveries to loopback and private\n"
	 "addresses are refused unless --webhook-allow-private is given.\n"},
	{"purge",
	 "usage: creditref purge --db DIR [--as-of YYYY-MM-DD]\n\n"
	 "Removes from the store the adverse information (statuses 1-7, G, D, Z\n"
	 "and their dpd and amounts) of every episode that ended more than five\n"
	 "years before the as-of date: an overdue run ends when the account is\n"
	 "cured (N) or settled (C), or with its last G, D or Z.  Reports apply the\n"
	 "same rule at their own as-of date whether or not purge has run.  Prints\n"
	 "what it removed; running it again at the same date removes nothing.\n"},
	{"compact",
	 "usage: creditref compact --db DIR [--key-file F] [--as-of YYYY-MM-DD]\n\n"
	 "Writes the store's in-memory data to its table files and rewrites them\n"
	 "compactly, as background compaction does over time: replaced and deleted\n"
	 "records are dropped and the bottom level is compressed with zstd.  Run it\n"
	 "after a bulk load to see the store's steady-state size in creditref stats;\n"
	 "a server does not need it.  It needs the store to itself (stop serve\n"
	 "first) and prints the size before and after.  Audited.\n"},
	{"dispute",
	 "usage: creditref dispute file --db DIR --id ID --institution CODE --account ACC\n"
	 "                              [--month YYYY-MM] --reason TEXT [--as-of DATE]\n"
	 "       creditref dispute resolve DISPUTE --db DIR --as CODE --verified\n"
	 "       creditref dispute resolve DISPUTE --db DIR --as CODE --corrected --statement LINE\n"
	 "       creditref dispute list --db DIR (--id ID | --institution CODE)\n\n"
	 "A person contests an account or one month of it (file).  Reports show the\n"
	 "item annotated as disputed.  The furnishing institution answers (resolve):\n"
	 "--verified keeps the item; --corrected replaces the month with LINE, a\n"
	 "statement record in the furnishing format, and keeps the old value as a\n"
	 "revision.  An item unanswered 20 days after filing stops appearing in\n"
	 "reports to institutions until it is answered; the person still sees it.\n"},
	{"shelf",
	 "usage: creditref shelf delist --db DIR (--product CODE [--platform CODE] |\n"
	 "                              --platform CODE --category CAT) --reason TEXT\n"
	 "                              --effective YYYY-MM-DD [--as-of DATE]\n"
	 "       creditref shelf show --db DIR --id ID [--as CODE] [--as-of DATE]\n\n"
	 "A supervisor orders a product, or every product of a category (internet_deposit,\n"
	 "wealth, loan, insurance) on one platform, off the shelf from the effective date\n"
	 "(delist; the order is kept forever).  From that day it is offered to nobody, while\n"
	 "the people who hold it still see it among what they hold.  show prints, as JSON,\n"
	 "what the person is offered and holds: on platform CODE's shelf (--as, with a live\n"
	 "query consent of the person to CODE), or on every shelf for the person.  Both are\n"
	 "audited, granted or refused (docs/shelf.md).\n"},
	{"audit",
	 "usage: creditref audit verify --db DIR [--key-file F]\n"
	 "       creditref audit show --db DIR [--key-file F] --id ID [--as-of YYYY-MM-DD]\n\n"
	 "Every access to a person's data and every administrative act is an\n"
	 "entry in DIR/audit.log, hash-chained, with its head kept in the store\n"
	 "(docs/audit.md).  verify recomputes the chain and exits 1 naming the\n"
	 "first entry altered, removed, reordered or inserted, or the truncation\n"
	 "of the tail; it writes nothing.  show lists who looked at the person's\n"
	 "data, when, why and what was decided (entries up to --as-of); the look\n"
	 "itself is audited first.\n"},
	{"score",
	 "usage: creditref score --db DIR --id ID --as CODE --purpose PURPOSE [--as-of DATE]\n"
	 "                       [--model MODEL]\n"
	 "       creditref score --db DIR --all --out FILE.csv [--as-of DATE] [--model MODEL]\n\n"
	 "The first form scores one person for institution CODE, under the same consent\n"
	 "rules as a report (purpose self: the person's own score, no --as), recorded as\n"
	 "an inquiry and audited; it prints the score (350-950, higher is lower risk), the\n"
	 "probability of 90+ days past due within a year, the model id and up to four\n"
	 "reasons, as JSON.  --all scores every person with a file into FILE.csv\n"
	 "(subject,score,pd,reason1..reason4; the subject is the store's pseudonym, never\n"
	 "the ID), with a progress bar on stderr, audited once.  The model is the built-in\n"
	 "one (models/default.scorecard) unless --model names a model file fitted on the\n"
	 "bureau's features (creditref scorecard fit --db).  docs/scoring.md.\n"},
	{"scorecard",
	 "usage: creditref scorecard fit --csv FILE --target COL [--split-column COL]\n"
	 "                     [--drop COL,...] --out MODEL [--report DIR] [--model-id ID]\n"
	 "                     [--pdo N] [--anchor-score N] [--anchor-odds N] [--l2 X] [--iv-min X]\n"
	 "       creditref scorecard fit --db DIR --observe YYYY-MM-DD [--horizon MONTHS] --out MODEL ...\n"
	 "       creditref scorecard apply --model MODEL --csv FILE --out SCORES.csv\n\n"
	 "fit learns a credit scorecard (docs/scoring.md) from a table whose column\n"
	 "COL is 1 for a bad outcome and 0 for a good one; every other column not\n"
	 "dropped is a candidate feature, numeric when all its cells are numbers,\n"
	 "categorical otherwise (empty cells and NA are missing).  Rows whose\n"
	 "--split-column value is test are held out; without one, 30% of rows are,\n"
	 "chosen by a fixed hash of the row number.  Scores run from 350 to 950:\n"
	 "--pdo points (20) double the odds good:bad, which are --anchor-odds (50)\n"
	 "to 1 at --anchor-score (600).  Every bin gets its own points from a penalised\n"
	 "logistic regression whose weight --l2 is chosen by cross-validation on the\n"
	 "training rows unless given; columns under --iv-min (0.02) of information\n"
	 "value are left out.  The model file is text; --report DIR adds\n"
	 "report.html with AUC, KS, Gini, gains by decile, PSI and two SVG plots.\n"
	 "The last line printed is\n"
	 "  rows_train=N rows_test=M auc_train=X auc_test=Y ks_test=Z\n"
	 "--db fits on the bureau's own files instead: features as of --observe,\n"
	 "bad when an account is 90+ days past due within --horizon months (12).\n\n"
	 "apply scores every row of FILE, in order, into SCORES.csv:\n"
	 "  row,score,pd,reason1,reason2,reason3,reason4\n"
	 "the reasons being the features that cost the most points, most first.\n"},
	{"quality",
	 "usage: creditref quality --db DIR [--institution CODE] [--from DATE] [--to DATE]\n"
	 "                         [--as-of DATE]\n\n"
	 "Data quality per furnisher, as one JSON object (docs/quality.md): records\n"
	 "submitted, accepted, rejected, held and unchanged per ingest day from --from\n"
	 "(90 days before --to) to --to (the as-of day), rejects by reason, late\n"
	 "corrections, reporting lag p50/p99 of events, and as of the as-of day the\n"
	 "share of borrowers covered by a furnish consent and the accounts with\n"
	 "months missing.  Audited (quality_read).\n"},
	{"colending",
	 "usage: creditref colending --db DIR [--month YYYY-MM | --from YYYY-MM --to YYYY-MM]\n"
	 "                           [--institution CODE] [--floor PCT] [--as-of DATE]\n\n"
	 "Co-lending funding shares, as one JSON object (docs/quality.md): per month,\n"
	 "arranging platform and partner, the outstanding each funded from the\n"
	 "accounts' co-lender shares, and each platform's own share, flagged\n"
	 "below_floor when under --floor percent (30).  Without --month, the 12\n"
	 "months to the as-of month.  Audited (colending_read).\n"},
	{"help", "usage: creditref help [COMMAND]\n"},
};

const char *cr_cli_help_text(const char *cmd)
{
	for (size_t i = 0; i < sizeof help / sizeof help[0]; i++)
		if (strcmp(help[i].cmd, cmd) == 0)
			return help[i].text;
	return NULL;
}
