#!/usr/bin/env bash
# bench/run.sh - creditref against SQLite on the same generated file.
#
# Builds the two bench programs into build/bench/, generates one furnishing
# file, then for BENCH_ROUNDS rounds ingests it into a fresh creditref store
# (init + ingest, wall clock) and, right after, into a fresh SQLite database
# with bench/ingest_sqlite (same parser and validator, equivalent tables).
# Both sides run in the same order every round, on a file the generator has
# just left in the page cache.  It reports the median records/s of each side,
# the ratio, bytes per account-month on disk, and the in-process report
# latency (bench/report_latency) on the last creditref store.
#
# Usage: bash bench/run.sh [path/to/creditref]      (make bench does this)
# Knobs: BENCH_SUBJECTS (default 40000; raised until the file holds
#        BENCH_MIN_STATEMENTS statements, default 1000000), BENCH_ROUNDS (3),
#        BENCH_REPORTS (20000), BENCH_WARMUP (1000), BENCH_KEEP=1 keeps the
#        work directory, CC.
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

build() {
	local cflags libs incs sqlflags
	cflags="-std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wvla -O2 -g"
	libs="$(pkg-config --libs lmdb libsodium jansson) -lm -lpthread"
	incs=$(for d in src/*/; do printf -- '-I%s ' "${d%/}"; done)
	sqlflags=$(pkg-config --cflags sqlite3 libsodium)
	mkdir -p "$OUT"
	# shellcheck disable=SC2086
	${CC:-cc} $cflags $incs $sqlflags \
		-o "$OUT/ingest_sqlite" bench/ingest_sqlite.c "$LIBCR" -lsqlite3 $libs
	# shellcheck disable=SC2086
	${CC:-cc} $cflags $incs -o "$OUT/report_latency" bench/report_latency.c \
		"$LIBCR" $libs
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

# History alone, bytes per account-month: creditref's hist database
# (mdb_stat, lmdb-utils) and SQLite's statement table (dbstat); "n/a" when
# the tool is missing.
hist_bpm_creditref() {
	local psize pages
	psize=$(mdb_stat -e "$WORK/cr.db" 2>/dev/null | sed -n 's/^ *Page size: //p') || true
	pages=$(mdb_stat -s hist "$WORK/cr.db" 2>/dev/null |
		awk -F: '/Branch pages|Leaf pages|Overflow pages/ { n += $2 } END { print n + 0 }') || true
	if [ -n "$psize" ] && [ "${pages:-0}" -gt 0 ]; then
		div "$((psize * pages))" "$STATEMENTS" %.2f
	else
		echo n/a
	fi
}

hist_bpm_sqlite() {
	local bytes
	bytes=$(sqlite3 "$WORK/peer.sqlite" \
		"SELECT SUM(pgsize) FROM dbstat WHERE name = 'statement'" 2>/dev/null) || true
	if [ -n "$bytes" ]; then div "$bytes" "$STATEMENTS" %.2f; else echo n/a; fi
}

main() {
	build
	mkdir -p "$WORK"
	[ "${BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
	echo "bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $CREDITREF, sqlite $(sqlite3 --version | cut -d' ' -f1)"
	generate
	CR_SECS=() SQ_SECS=()
	for i in $(seq 1 "$ROUNDS"); do
		round_creditref "$i"
		round_sqlite "$i"
	done
	local stats cr_med sq_med cr_rps sq_rps cr_bpm sq_bpm rep
	stats=$("$CREDITREF" stats --db "$WORK/cr.db")
	cr_med=$(median "${CR_SECS[@]}")
	sq_med=$(median "${SQ_SECS[@]}")
	cr_rps=$(div "$LINES" "$cr_med")
	sq_rps=$(div "$LINES" "$sq_med")
	cr_bpm=$(div "$(field file_bytes "$(tr '\n' ' ' <<<"$stats")")" \
		"$(field account_months "$(tr '\n' ' ' <<<"$stats")")" %.2f)
	sq_bpm=$(field bytes_per_account_month "$SQ_OUT")
	echo "creditref stats: $(tr '\n' ' ' <<<"$stats")"
	rep=$("$OUT/report_latency" "$WORK/cr.db" "$WORK/data.jsonl" "$ASOF" "$REPORTS" "$WARMUP")
	echo "$rep"
	cat <<EOF

== summary (median of $ROUNDS rounds; $LINES records, $STATEMENTS statements) ==
ingest creditref: $cr_rps records/s ($cr_med s, init + ingest, durable)
ingest sqlite:    $sq_rps records/s ($sq_med s, WAL, synchronous=FULL)
ratio creditref/sqlite: $(div "$cr_rps" "$sq_rps" %.2f)x   (target >= 10x; >= 1,000,000 records/s)
bytes per account-month, whole file: creditref $cr_bpm, sqlite $sq_bpm   (target <= 16)
bytes per account-month, history alone: creditref $(hist_bpm_creditref), sqlite $(hist_bpm_sqlite)
report build p50/p99: $(field p50_us "$(grep '^report:' <<<"$rep")") / $(field p99_us "$(grep '^report:' <<<"$rep")") us   (target p99 <= 100 us)
report json  p50/p99: $(field p50_us "$(grep '^report_json:' <<<"$rep")") / $(field p99_us "$(grep '^report_json:' <<<"$rep")") us
EOF
}

main "$@"
