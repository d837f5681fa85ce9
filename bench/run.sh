#!/usr/bin/env bash
# bench/run.sh - creditref against SQLite and PostgreSQL on the same file.
#
# Builds the bench programs into build/bench/, probes the disk's fsync
# latency, generates one furnishing file, then for BENCH_ROUNDS rounds, in
# the same order every round, on a file the generator has just left in the
# page cache:
#   1. creditref: init + ingest into a fresh store (wall clock);
#   2. SQLite: bench/ingest_sqlite into a fresh database file (same parser
#      and validator, equivalent tables);
#   3. parse only: bench/parse_only, the parser and validator alone, the
#      ceiling of any ingest;
#   4. PostgreSQL: bench/ingest_pg into a fresh database of a throwaway
#      server (bench/pg.sh), COPY into staging tables then set-based upserts,
#      durable commits.  When PostgreSQL cannot run, it says why and its
#      figures are n/a.
# It reports the median records/s of each, the ratios, bytes per
# account-month on disk (creditref's from `creditref stats` on the last store,
# as ingested and after `creditref compact`), the fsync latency, and the
# in-process report latency (bench/report_latency) on that compacted store.
#
# Usage: bash bench/run.sh [path/to/creditref]      (make bench does this)
# Knobs: BENCH_SUBJECTS (default 40000; raised until the file holds
#        BENCH_MIN_STATEMENTS statements, default 1000000), BENCH_ROUNDS (3),
#        BENCH_REPORTS (20000), BENCH_WARMUP (1000), BENCH_KEEP=1 keeps the
#        work directory, BENCH_PG=0 skips PostgreSQL, BENCH_PG_BATCH (lines
#        per PostgreSQL transaction, default CR_BATCH_RECORDS),
#        BENCH_PG_SETTINGS and BENCH_PG_USER (bench/pg.sh), BENCH_FSYNC_N
#        (fdatasyncs per probe, 200), BENCH_STREAM=1 adds one round of
#        "creditref gen --out - | creditref ingest -", CC.
set -euo pipefail

cd "$(dirname "$0")/.."
CREDITREF=$(realpath "${1:-build/release/creditref}")
LIBCR="$(dirname "$CREDITREF")/libcreditref.a"
SUBJECTS=${BENCH_SUBJECTS:-40000}
MIN_STATEMENTS=${BENCH_MIN_STATEMENTS:-1000000}
ROUNDS=${BENCH_ROUNDS:-3}
REPORTS=${BENCH_REPORTS:-20000}
WARMUP=${BENCH_WARMUP:-1000}
ASOF=2026-06-30
OUT=build/bench
WORK=$OUT/work/run.$$
PG_DB=crbench
PG_OK=0
PG_WHY=

build() {
	local cflags libs incs sqlflags pqflags pqlibs
	cflags="-std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wvla -O2 -g"
	# What libcreditref.a's store and report code link against.
	libs="$(pkg-config --libs rocksdb libsodium jansson) -lm -lpthread"
	incs=$(for d in src/*/; do printf -- '-iquote %s ' "${d%/}"; done)
	sqlflags=$(pkg-config --cflags sqlite3 libsodium)
	mkdir -p "$OUT"
	# shellcheck disable=SC2086
	${CC:-cc} $cflags $incs $sqlflags \
		-o "$OUT/ingest_sqlite" bench/ingest_sqlite.c "$LIBCR" -lsqlite3 $libs
	# shellcheck disable=SC2086
	${CC:-cc} $cflags $incs -o "$OUT/report_latency" bench/report_latency.c \
		"$LIBCR" $libs
	# shellcheck disable=SC2086
	${CC:-cc} $cflags $incs -o "$OUT/parse_only" bench/parse_only.c "$LIBCR" $libs
	# shellcheck disable=SC2086
	${CC:-cc} $cflags -o "$OUT/fsync_probe" bench/fsync_probe.c
	# The PostgreSQL peer needs libpq (libpq-dev); without it, its rounds say n/a.
	rm -f "$OUT/ingest_pg"
	if pkg-config --exists libpq; then
		pqflags=$(pkg-config --cflags libpq libsodium)
		pqlibs=$(pkg-config --libs libpq)
		# shellcheck disable=SC2086
		${CC:-cc} $cflags $incs $pqflags \
			-o "$OUT/ingest_pg" bench/ingest_pg.c "$LIBCR" $pqlibs $libs
	else
		echo "bench: libpq (libpq-dev) not found; the PostgreSQL peer is skipped"
	fi
}

# field NAME TEXT: the value of NAME=value in TEXT.
field() {
	tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -n1
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
div() { awk -v a="$1" -v b="$2" -v f="${3:-%.0f}" 'BEGIN { printf f, (b > 0 ? a / b : 0) }'; }

generate() {
	local subjects=$SUBJECTS out
	while :; do
		out=$("$CREDITREF" gen --subjects "$subjects" --months 60 --seed 7 \
			--consent-rate 0.6 --bad-rate 0 --as-of "$ASOF" --out "$WORK/data.jsonl" 2>/dev/null)
		STATEMENTS=$(field statements "$out")
		LINES=$(field lines "$out")
		[ "$STATEMENTS" -ge "$MIN_STATEMENTS" ] && break
		subjects=$(awk -v s="$subjects" -v m="$MIN_STATEMENTS" -v n="$STATEMENTS" \
			'BEGIN { printf "%d", s * m / (n > 0 ? n : 1) * 1.1 + 1 }')
		echo "gen: $STATEMENTS statements is under $MIN_STATEMENTS; regenerating with --subjects $subjects"
	done
	SUBJECTS=$subjects
	echo "gen: $out"
	echo "gen: file $(stat -c %s "$WORK/data.jsonl") bytes, $LINES records, $STATEMENTS statements, --subjects $SUBJECTS"
}

# One creditref round: init + ingest on a fresh store, wall clock.
round_creditref() {
	local db=$WORK/cr.db t0 t1 out
	rm -rf "$db" "$db.key"
	t0=$(now)
	"$CREDITREF" init --db "$db" >/dev/null
	out=$("$CREDITREF" ingest --db "$db" --as-of "$ASOF" "$WORK/data.jsonl" 2>/dev/null)
	t1=$(now)
	CR_SECS+=("$(elapsed "$t0" "$t1")")
	echo "creditref round $1: ${CR_SECS[-1]} s  $out"
	if [ "$(field rejected "$out")" != 0 ] || [ "$(field submitted "$out")" != "$LINES" ]; then
		echo "creditref: expected $LINES lines and no rejects" >&2
		exit 1
	fi
}

# One SQLite round: a fresh database file, wall clock around the peer.
round_sqlite() {
	local db=$WORK/peer.sqlite t0 t1 out
	rm -f "$db" "$db-wal" "$db-shm"
	t0=$(now)
	out=$("$OUT/ingest_sqlite" "$db" "$WORK/data.jsonl" "$ASOF")
	t1=$(now)
	SQ_SECS+=("$(elapsed "$t0" "$t1")")
	SQ_OUT=$out
	echo "sqlite    round $1: ${SQ_SECS[-1]} s  $out"
	if [ "$(field rejected "$out")" != 0 ] || [ "$(field records "$out")" != "$LINES" ]; then
		echo "ingest_sqlite: expected $LINES lines and no rejects" >&2
		exit 1
	fi
}

# One parse-only round: the parser and validator alone, wall clock.
round_parse_only() {
	local t0 t1 out
	t0=$(now)
	out=$("$OUT/parse_only" "$WORK/data.jsonl" "$ASOF")
	t1=$(now)
	PO_SECS+=("$(elapsed "$t0" "$t1")")
	echo "parse     round $1: ${PO_SECS[-1]} s  $out"
	if [ "$(field invalid "$out")" != 0 ] || [ "$(field records "$out")" != "$LINES" ]; then
		echo "parse_only: expected $LINES lines, all valid" >&2
		exit 1
	fi
}

# pg_setup: starts the throwaway PostgreSQL server (bench/pg.sh), or says
# why not in PG_WHY; the bench goes on either way.
pg_setup() {
	if [ "${BENCH_PG:-1}" = 0 ]; then
		PG_WHY="BENCH_PG=0"
	elif [ ! -x "$OUT/ingest_pg" ]; then
		PG_WHY="ingest_pg not built (no libpq; bash scripts/deps.sh --bench)"
	else
		# shellcheck source=bench/pg.sh
		source bench/pg.sh
		local log=$WORK/pg_start.log
		if pg_start "$OUT" 2>"$log"; then
			PG_OK=1
			PG_CONN="host=$PG_DIR port=5432 user=bench dbname=$PG_DB"
			cat "$log"
			echo "postgres: $("$PG_BINDIR/postgres" --version), server in $PG_DIR," \
				"settings: ${BENCH_PG_SETTINGS:-defaults}"
			return 0
		fi
		PG_WHY="the server did not start: $(tr '\n' ' ' <"$log")"
	fi
	echo "postgres: skipped: $PG_WHY"
}

# pg_sql SQL: runs SQL in the maintenance database (notices silenced).
pg_sql() { PGOPTIONS="-c client_min_messages=warning" pg_psql -c "$1" >/dev/null; }

# One PostgreSQL round: a fresh database (made outside the clock), wall
# clock around the peer; then, outside the clock, a CHECKPOINT (timed and
# shown: it writes the tables the WAL already made durable) and the drop,
# so that the next rounds of the others run on a quiet server.  A failed
# round turns PostgreSQL off for the rest of the run with the reason.
round_pg() {
	local t0 t1 out ckpt
	[ "$PG_OK" = 1 ] || return 0
	if ! pg_sql "DROP DATABASE IF EXISTS $PG_DB" || ! pg_sql "CREATE DATABASE $PG_DB"; then
		PG_OK=0 PG_WHY="cannot create database $PG_DB"
		echo "postgres  round $1: $PG_WHY"
		return 0
	fi
	t0=$(now)
	if ! out=$("$OUT/ingest_pg" "$PG_CONN" "$WORK/data.jsonl" "$ASOF" ${BENCH_PG_BATCH:+"$BENCH_PG_BATCH"}); then
		PG_OK=0 PG_WHY="ingest_pg failed in round $1 (its message is above)"
		echo "postgres  round $1: $PG_WHY"
		return 0
	fi
	t1=$(now)
	PG_SECS+=("$(elapsed "$t0" "$t1")")
	PG_OUT=$out
	t0=$(now)
	pg_sql "CHECKPOINT" || true
	ckpt=$(elapsed "$t0" "$(now)")
	pg_sql "DROP DATABASE $PG_DB" || true
	echo "postgres  round $1: ${PG_SECS[-1]} s  $out  checkpoint_after_s=$ckpt"
	if [ "$(field rejected "$out")" != 0 ] || [ "$(field records "$out")" != "$LINES" ]; then
		echo "ingest_pg: expected $LINES lines and no rejects" >&2
		exit 1
	fi
}

# One streamed round (BENCH_STREAM=1): gen --out - | ingest - into a fresh
# store; generation and ingest overlap, so it is shown, not compared.
round_stream() {
	local db=$WORK/stream.db t0 t1 out
	rm -rf "$db" "$db.key"
	"$CREDITREF" init --db "$db" >/dev/null
	t0=$(now)
	out=$("$CREDITREF" gen --subjects "$SUBJECTS" --months 60 --seed 7 --consent-rate 0.6 \
		--bad-rate 0 --as-of "$ASOF" --out - 2>/dev/null |
		"$CREDITREF" ingest --db "$db" --as-of "$ASOF" - 2>/dev/null)
	t1=$(now)
	echo "stream    gen | ingest: $(elapsed "$t0" "$t1") s  $out"
	STREAM_RPS=$(div "$LINES" "$(elapsed "$t0" "$t1")")
	if [ "$(field submitted "$out")" != "$LINES" ] || [ "$(field rejected "$out")" != 0 ]; then
		echo "stream: expected $LINES lines and no rejects" >&2
		exit 1
	fi
	rm -rf "$db" "$db.key"
}

# fsync_line: the probe's figures on the disk of the work directory.
fsync_line() {
	"$OUT/fsync_probe" "$WORK" "${BENCH_FSYNC_N:-200}" 2>&1 || echo "fsync: n/a (the probe failed)"
}

cleanup() {
	if [ -n "${PG_DIR:-}" ]; then
		pg_stop || true
	fi
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$WORK"
}

# cr_stat NAME STATS: the value of NAME in the output of `creditref stats`.
cr_stat() { field "$1" "$(tr '\n' ' ' <<<"$2")"; }

# bpm BYTES: BYTES per account-month of the last creditref store.
bpm() { div "$1" "$ACCOUNT_MONTHS" %.2f; }

# History alone, bytes per account-month: SQLite's statement table (dbstat)
# and PostgreSQL's; "n/a" when the tool is missing.  creditref keeps no
# history apart: a person's record holds identity, accounts and grids
# (creditref stats: person_bytes, index_bytes, other_bytes).
hist_bpm_sqlite() {
	local bytes
	bytes=$(sqlite3 "$WORK/peer.sqlite" \
		"SELECT SUM(pgsize) FROM dbstat WHERE name = 'statement'" 2>/dev/null) || true
	if [ -n "$bytes" ]; then div "$bytes" "$STATEMENTS" %.2f; else echo n/a; fi
}

hist_bpm_pg() {
	if [ -n "${PG_OUT:-}" ]; then field hist_bytes_per_account_month "$PG_OUT"; else echo n/a; fi
}

# rate_or_na SECONDS...: records/s at the median, or n/a with no rounds.
rate_or_na() {
	if [ $# -gt 0 ]; then div "$LINES" "$(median "$@")"; else echo n/a; fi
}

# ratio A B: A / B to two decimals, or n/a.
ratio() {
	case "$1$2" in *n/a*) echo n/a ;; *) div "$1" "$2" %.2f ;; esac
}

# fsync_summary LINE: "p50 / p90 / p99 / max" of a probe's line.
fsync_summary() {
	if [ -n "$(field p50_us "$1")" ]; then
		echo "$(field p50_us "$1") / $(field p90_us "$1") / $(field p99_us "$1") / $(field max_us "$1") us"
	else
		echo n/a
	fi
}

summary() {
	local stats=$1 rep=$2 cr_rps sq_rps pg_rps po_rps cr_bpm sq_bpm pg_bpm pg_note
	cr_rps=$(rate_or_na "${CR_SECS[@]}")
	sq_rps=$(rate_or_na "${SQ_SECS[@]}")
	po_rps=$(rate_or_na "${PO_SECS[@]}")
	pg_rps=$(rate_or_na "${PG_SECS[@]}")
	cr_bpm=$(cr_stat bytes_per_account_month "$stats")
	sq_bpm=$(field bytes_per_account_month "$SQ_OUT")
	pg_bpm=$(if [ -n "${PG_OUT:-}" ]; then field bytes_per_account_month "$PG_OUT"; else echo n/a; fi)
	if [ "${#PG_SECS[@]}" -gt 0 ]; then
		pg_note="$(median "${PG_SECS[@]}") s, COPY + upserts, $(field batch_lines "$PG_OUT")-line durable transactions"
		[ -z "$PG_WHY" ] || pg_note="$pg_note; then $PG_WHY"
	else
		pg_note=$PG_WHY
	fi
	cat <<EOF

== summary (median of $ROUNDS rounds; $LINES records, $STATEMENTS statements) ==
ingest creditref: $cr_rps records/s ($(median "${CR_SECS[@]}") s, init + ingest, durable)
ingest sqlite:    $sq_rps records/s ($(median "${SQ_SECS[@]}") s, WAL, synchronous=FULL)
ingest postgres:  $pg_rps records/s ($pg_note)
parse only:       $po_rps records/s ($(median "${PO_SECS[@]}") s, cr_jsonl_parse + cr_validate_record, no store: the ceiling)
ratio creditref/sqlite: $(ratio "$cr_rps" "$sq_rps")x   (target >= 10x; >= 1,000,000 records/s)
ratio creditref/postgres: $(ratio "$cr_rps" "$pg_rps")x
ratio creditref/parse-only: $(ratio "$cr_rps" "$po_rps")   (target >= 0.50)
bytes per account-month, whole store: creditref $cr_bpm compacted ($(cr_stat bytes_per_account_month "$STATS_INGESTED") as ingested), sqlite $sq_bpm, postgres $pg_bpm   (target <= 16; postgres: pg_database_size, catalogs included, WAL not)
bytes per account-month, history alone: sqlite $(hist_bpm_sqlite), postgres $(hist_bpm_pg); creditref keeps it in each person's record
creditref where the bytes go, per account-month: person $(bpm "$(cr_stat person_bytes "$stats")"), index $(bpm "$(cr_stat index_bytes "$stats")"), other $(bpm "$(cr_stat other_bytes "$stats")"), the rest of the files $(bpm "$(($(cr_stat file_bytes "$stats") - $(cr_stat sst_bytes "$stats")))") (write-ahead log, manifest)
fsync 4 KiB p50/p90/p99/max: $(fsync_summary "$FSYNC_BEFORE") before the rounds, $(fsync_summary "$FSYNC_AFTER") after
report build p50/p99: $(field p50_us "$(grep '^report:' <<<"$rep")") / $(field p99_us "$(grep '^report:' <<<"$rep")") us   (target p99 <= 100 us)
report json  p50/p99: $(field p50_us "$(grep '^report_json:' <<<"$rep")") / $(field p99_us "$(grep '^report_json:' <<<"$rep")") us
EOF
	if [ -n "${STREAM_RPS:-}" ]; then
		echo "stream gen | ingest: $STREAM_RPS records/s (one round, generation included)"
	fi
}

main() {
	build
	mkdir -p "$WORK"
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	echo "bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $CREDITREF, sqlite $(sqlite3 --version | cut -d' ' -f1)"
	FSYNC_BEFORE=$(fsync_line)
	echo "$FSYNC_BEFORE"
	pg_setup
	generate
	CR_SECS=() SQ_SECS=() PO_SECS=() PG_SECS=()
	for i in $(seq 1 "$ROUNDS"); do
		round_creditref "$i"
		round_sqlite "$i"
		round_parse_only "$i"
		round_pg "$i"
	done
	[ "${BENCH_STREAM:-0}" != 1 ] || round_stream
	FSYNC_AFTER=$(fsync_line)
	echo "$FSYNC_AFTER"
	local stats rep
	# The footprint as the ingest leaves it, then compacted: the steady state
	# background compaction reaches over time.
	STATS_INGESTED=$("$CREDITREF" stats --db "$WORK/cr.db")
	echo "creditref stats, as ingested: $(tr '\n' ' ' <<<"$STATS_INGESTED")"
	"$CREDITREF" compact --db "$WORK/cr.db"
	stats=$("$CREDITREF" stats --db "$WORK/cr.db")
	echo "creditref stats, compacted: $(tr '\n' ' ' <<<"$stats")"
	ACCOUNT_MONTHS=$(cr_stat account_months "$stats")
	rep=$("$OUT/report_latency" "$WORK/cr.db" "$WORK/data.jsonl" "$ASOF" "$REPORTS" "$WARMUP")
	echo "$rep"
	summary "$stats" "$rep"
}

main "$@"
