#!/usr/bin/env bash
# bench/scale.sh - creditref as the store grows: the same measures at
# 40,000, 1,000,000 and 10,000,000 people.
#
# For each size N (people), on a fresh store in build/bench/scale/sN/:
#   1. ingest: creditref gen --subjects N --months M --out - piped straight
#      into creditref ingest - (no intermediate file; 10M people at 60
#      months is about 135 GB of JSON Lines), wall clock around the whole
#      pipe and the ingest's CPU time; a progress line on stderr every
#      BENCH_SCALE_PROGRESS seconds;
#   2. footprint: creditref compact, then creditref stats: bytes per
#      account-month and where they go;
#   3. people: a second streamed gen pass (not timed) keeps, by reservoir
#      sampling with a fixed seed, BENCH_SCALE_PEOPLE account holders
#      (ids.txt) and BENCH_SCALE_ACCOUNTS open accounts of furnisher B0001
#      whose holder gave B0001 a live furnish consent (accounts.txt);
#   4. in process: bench/report_latency on the compacted store, IDs from
#      ids.txt: report build p50/p99;
#   5. over HTTP: the people of ids.txt get a query consent for lender L0001,
#      then creditref serve on the store, wrk POST /v1/reports at
#      BENCH_SCALE_CONNECTIONS connections for BENCH_SCALE_SECONDS (reports/s,
#      p50, p99), then POST /v1/events bodies of 1,000 events on the accounts
#      of accounts.txt for as long (events accepted/s); SIGTERM ends the server;
# then prints one line per size,
#   scale: people=N lines=L ingest_s=S ingest_rps=R ingest_cpu_s=C bytes_per_am=B
#          report_p50_us=.. report_p99_us=.. http_reports_per_s=.. http_p50_us=..
#          http_p99_us=.. events_per_s=.. months=.. ...
# appends it to build/bench/scale_results.txt, and deletes the store (unless
# BENCH_SCALE_KEEP=1).  At the end, a table of the sizes and of each figure's
# ratio to the 40,000-person one.
#
# Usage: bash bench/scale.sh [SIZES...]      (make bench-scale; not in make bench)
#        CREDITREF=path/to/creditref bash bench/scale.sh 40000 1000000
# Knobs: BENCH_SCALE_SIZES ("40000 1000000 10000000", when no SIZES are given),
#        BENCH_SCALE_MONTHS (60), BENCH_SCALE_SECONDS (10), BENCH_SCALE_WARMUP
#        (2), BENCH_SCALE_CONNECTIONS (64), BENCH_SCALE_PEOPLE (20000),
#        BENCH_SCALE_ACCOUNTS (2000), BENCH_SCALE_PROGRESS (10),
#        BENCH_SCALE_KEEP (0), BENCH_REPORTS (20000), BENCH_WARMUP (1000), and
#        http.sh's BENCH_HTTP_WRK_THREADS, BENCH_HTTP_SERVER_THREADS,
#        BENCH_HTTP_EVENTS_BATCH, BENCH_HTTP_EVENTS_CONNECTIONS.
#        bench/README.md ("Scale") says more.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# http.sh's steps: the server, keys, wrk runs and its checks, the fsync probe.
# shellcheck source=bench/http.sh
source bench/http.sh "${CREDITREF:-build/release/creditref}"
die() { echo "scale bench: $*" >&2; exit 1; }

if [ $# -gt 0 ]; then SIZES=$*; else SIZES=${BENCH_SCALE_SIZES:-40000 1000000 10000000}; fi
SCALE_MONTHS=${BENCH_SCALE_MONTHS:-60}
SCALE_SECS=${BENCH_SCALE_SECONDS:-10}
SCALE_WARMUP=${BENCH_SCALE_WARMUP:-2}
SCALE_CONNECTIONS=${BENCH_SCALE_CONNECTIONS:-64}
SCALE_PEOPLE=${BENCH_SCALE_PEOPLE:-20000}
SCALE_ACCOUNTS=${BENCH_SCALE_ACCOUNTS:-2000}
PROGRESS_SECS=${BENCH_SCALE_PROGRESS:-10}
REPORTS=${BENCH_REPORTS:-20000}
REPORT_WARMUP=${BENCH_WARMUP:-1000}
LIBCR="$(dirname "$CREDITREF")/libcreditref.a"
SCALE_DIR=$OUT/scale
SCALE_RESULTS=$OUT/scale_results.txt
# Free space asked for before a size: bytes per person-month of history.  The
# compacted store takes about 18 (14.8 per account-month, 1.2 account-months
# per person-month); while the ingest runs, files not yet compacted take up
# to about 25 (1.5 GB at most for 1M people).
NEED_PER_PERSON_MONTH=50
GEN_ARGS=(--months "$SCALE_MONTHS" --seed "$SEED" --consent-rate 0.6 --bad-rate 0 --as-of "$ASOF")

GEN_PID="" INGEST_SUB="" INGEST_PID="" TICK_PID=""
SUMMARIES=()

say() { echo "scale: $*"; }

# cpu_seconds: the children's user + system seconds of a `times` output.
cpu_seconds() {
	tail -n1 | awk '{ t = 0
		for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] }
		printf "%.1f", t }'
}

# dir_bytes DIR: bytes under DIR (0 when it cannot be read, as while files go).
dir_bytes() {
	local b
	b=$({ du -sb "$1" 2>/dev/null || true; } | cut -f1 | head -n1)
	echo "${b:-0}"
}

# ticking LABEL OUTFILE COMMAND...: runs COMMAND in the background, its
# output to OUTFILE, printing its elapsed time to stderr every PROGRESS_SECS;
# returns its status.
ticking() {
	local label=$1 outfile=$2 waited=0 rc=0
	shift 2
	"$@" >"$outfile" 2>&1 &
	TICK_PID=$!
	while kill -0 "$TICK_PID" 2>/dev/null; do
		sleep 1
		waited=$((waited + 1))
		[ $((waited % PROGRESS_SECS)) != 0 ] || echo "scale: $label: $waited s" >&2
	done
	wait "$TICK_PID" || rc=$?
	TICK_PID=""
	return "$rc"
}

# human BYTES: in MiB or GiB, for progress lines.
human() {
	awk -v b="$1" 'BEGIN { if (b >= 2^30) printf "%.1f GiB", b / 2^30; else printf "%.0f MiB", b / 2^20 }'
}

scale_cleanup() {
	local pid
	# Only what this script started and is still waiting for.
	if [ -n "$INGEST_SUB" ] && [ -z "$INGEST_PID" ]; then
		INGEST_PID=$(cat "$RUN/ingest.pid" 2>/dev/null || true)
	fi
	# A ticking function's pipeline (gen | grep | awk) runs in a subshell.
	[ -z "$TICK_PID" ] || pkill -P "$TICK_PID" 2>/dev/null || true
	for pid in $GEN_PID $INGEST_PID $INGEST_SUB $TICK_PID; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in $GEN_PID $INGEST_SUB $TICK_PID; do
		wait "$pid" 2>/dev/null || true
	done
	stop_server
	rm -f "$RUN/gen.fifo"
	if [ "${BENCH_SCALE_KEEP:-0}" != 1 ] && [ -n "${RUN:-}" ]; then
		rm -rf "$RUN/db" "$RUN/db.key"
	fi
}

build_programs() {
	local cflags incs libs
	libs="$(pkg-config --libs rocksdb libsodium jansson) -lm -lpthread"
	cflags="-std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wvla -O2 -g"
	incs=$(for d in src/*/; do printf -- '-iquote %s ' "${d%/}"; done)
	[ -f "$LIBCR" ] || die "$LIBCR not found: build creditref first (make)"
	mkdir -p "$OUT"
	# shellcheck disable=SC2086
	${CC:-cc} $cflags $incs -o "$OUT/report_latency" bench/report_latency.c "$LIBCR" \
		$libs ||
		die "cannot build bench/report_latency.c"
	build_probe
}

# preview N: generates a few thousand people to learn the bytes and lines per
# person of this data, for the progress line's estimates and the disk check.
preview() {
	local p=$(($1 < 20000 ? $1 : 20000)) wc
	wc=$("$CREDITREF" gen --subjects "$p" "${GEN_ARGS[@]}" --out - 2>/dev/null | wc -lc)
	EST_BYTES=$(awk -v w="$wc" -v p="$p" -v n="$1" 'BEGIN { split(w, f, " "); printf "%.0f", f[2] / p * n }')
	EST_LINES=$(awk -v w="$wc" -v p="$p" -v n="$1" 'BEGIN { split(w, f, " "); printf "%.0f", f[1] / p * n }')
}

# check_space N: refuses a size when the disk under build/bench/scale has less
# free than NEED_PER_PERSON_MONTH bytes per person-month (30 GB for 10M people
# at 60 months; at least 1 GiB).
check_space() {
	local need avail
	need=$(awk -v n="$1" -v m="$SCALE_MONTHS" -v b="$NEED_PER_PERSON_MONTH" \
		'BEGIN { x = n * m * b; if (x < 2^30) x = 2^30; printf "%.0f", x }')
	avail=$(df -P -B1 "$SCALE_DIR" | awk 'NR == 2 { print $4 }')
	if [ "$avail" -lt "$need" ]; then
		die "$1 people at $SCALE_MONTHS months need about $(human "$need") free under $SCALE_DIR" \
			"(the store while it is built); $(human "$avail") are free. Free some space, or run smaller sizes."
	fi
	say "disk: $(human "$avail") free under $SCALE_DIR, $(human "$need") needed"
}

# ingest_pipe N: gen --out - | ingest - into $RUN/db through a FIFO, so that
# the ingest's process can be watched.  Sets LINES, INGEST_S, INGEST_RPS,
# INGEST_CPU_S, PEAK_STORE_BYTES.
ingest_pipe() {
	local n=$1 fifo=$RUN/gen.fifo t0 t_end waited=0 wchar store out gen_out rc
	rm -f "$fifo" "$RUN/ingest.pid" "$RUN/ingest.end"
	mkfifo "$fifo"
	PEAK_STORE_BYTES=0
	t0=$(now)
	"$CREDITREF" gen --subjects "$n" "${GEN_ARGS[@]}" --out - >"$fifo" 2>"$RUN/gen.err" &
	GEN_PID=$!
	# A subshell runs the ingest as its only child, so that `times` gives the
	# ingest's CPU; it notes the ingest's pid, status and end time.
	(
		"$CREDITREF" ingest --db "$RUN/db" --as-of "$ASOF" --rejects "$RUN/rejects.jsonl" - \
			<"$fifo" >"$RUN/ingest.out" 2>"$RUN/ingest.err" &
		echo $! >"$RUN/ingest.pid"
		rc=0
		wait $! || rc=$?
		times >"$RUN/ingest.times"
		date +%s.%N >"$RUN/ingest.end"
		exit "$rc"
	) &
	INGEST_SUB=$!
	while kill -0 "$INGEST_SUB" 2>/dev/null; do
		sleep 1
		waited=$((waited + 1))
		[ $((waited % PROGRESS_SECS)) = 0 ] || continue
		[ -n "$INGEST_PID" ] || INGEST_PID=$(cat "$RUN/ingest.pid" 2>/dev/null || true)
		# What gen has written into the pipe, the ingest has read but for
		# the pipe's buffer (the ingest's own counter also counts its
		# store's reads); after gen ends, all of it.
		wchar=$({ sed -n 's/^wchar: //p' "/proc/$GEN_PID/io" 2>/dev/null || true; } | head -n1)
		[ -n "$wchar" ] || wchar=$EST_BYTES
		store=$(dir_bytes "$RUN/db")
		[ "$store" -le "$PEAK_STORE_BYTES" ] || PEAK_STORE_BYTES=$store
		awk -v n="$n" -v s="$waited" -v r="$wchar" -v eb="$EST_BYTES" -v el="$EST_LINES" \
			-v st="$(human "$store")" 'BEGIN {
			f = eb > 0 ? r / eb : 0
			printf "scale: %d people: %d s, %.1f GiB through the pipe (%.0f%% of about %.1f GiB, about %.1f M of %.1f M lines), %.0f MiB/s, store %s\n",
				n, s, r / 2^30, 100 * f, eb / 2^30, f * el / 1e6, el / 1e6, r / 2^20 / s, st }' >&2
	done
	rc=0
	wait "$INGEST_SUB" || rc=$?
	INGEST_SUB="" INGEST_PID=""
	rm -f "$RUN/ingest.pid"
	[ "$rc" = 0 ] || die "creditref ingest exited $rc: $(tail -n5 "$RUN/ingest.err")"
	rc=0
	wait "$GEN_PID" || rc=$?
	GEN_PID=""
	[ "$rc" = 0 ] || die "creditref gen exited $rc: $(tail -n5 "$RUN/gen.err")"
	t_end=$(cat "$RUN/ingest.end")
	rm -f "$fifo"
	store=$(dir_bytes "$RUN/db")
	[ "$store" -le "$PEAK_STORE_BYTES" ] || PEAK_STORE_BYTES=$store
	out=$(tail -n1 "$RUN/ingest.out")
	gen_out=$(tail -n1 "$RUN/gen.err")
	say "gen $gen_out"
	say "ingest $out"
	LINES=$(field submitted "$out")
	if [ "$LINES" != "$(field lines "$gen_out")" ] || [ "$(field rejected "$out")" != 0 ]; then
		die "expected the $(field lines "$gen_out") generated lines submitted and none rejected: $out"
	fi
	INGEST_S=$(awk -v a="$t0" -v b="$t_end" 'BEGIN { printf "%.1f", b - a }')
	INGEST_RPS=$(div "$LINES" "$INGEST_S" %.0f)
	INGEST_CPU_S=$(cpu_seconds <"$RUN/ingest.times")
	say "ingest: $LINES lines in $INGEST_S s (gen | ingest, wall clock): $INGEST_RPS lines/s;" \
		"ingest CPU $INGEST_CPU_S s; store $(human "$store") as ingested, $(human "$PEAK_STORE_BYTES") at most"
}

# footprint: compacted, the store's bytes per account-month and where they go.
footprint() {
	local t0 st
	STATS_INGESTED=$("$CREDITREF" stats --db "$RUN/db" | tr '\n' ' ')
	t0=$(now)
	ticking compact "$RUN/compact.out" "$CREDITREF" compact --db "$RUN/db" ||
		die "creditref compact failed: $(cat "$RUN/compact.out")"
	COMPACT_S=$(elapsed "$t0" "$(now)")
	say "$(cat "$RUN/compact.out")"
	st=$("$CREDITREF" stats --db "$RUN/db" | tr '\n' ' ')
	STATS=$st
	BPM=$(field bytes_per_account_month "$st")
	AM=$(field account_months "$st")
	say "stats, compacted in $COMPACT_S s: $st"
	say "bytes per account-month: $BPM compacted ($(field bytes_per_account_month "$STATS_INGESTED") as ingested);" \
		"person $(div "$(field person_bytes "$st")" "$AM")," \
		"index $(div "$(field index_bytes "$st")" "$AM")," \
		"other $(div "$(field other_bytes "$st")" "$AM")," \
		"the rest of the files $(div "$(($(field file_bytes "$st") - $(field sst_bytes "$st")))" "$AM")"
}

# pick_stream N: the second, untimed, streamed gen pass: SCALE_PEOPLE account
# holders and SCALE_ACCOUNTS open B0001 accounts with a live furnish consent,
# each drawn uniformly (reservoir sampling, fixed seed).  A person's consent
# lines come just before their account lines.
pick_stream() {
	"$CREDITREF" gen --subjects "$1" "${GEN_ARGS[@]}" --out - 2>/dev/null |
		LC_ALL=C grep -E '^\{"type":"(account|consent)",' |
		LC_ALL=C awk -F'"' -v np="$SCALE_PEOPLE" -v na="$SCALE_ACCOUNTS" -v inst="$FURNISHER" \
			-v asof="$ASOF" -v ids="$RUN/ids.txt" -v accts="$RUN/accounts.txt" '
			BEGIN { srand(7) }
			$4 == "consent" {
				if ($8 != cid) { delete furnish; cid = $8 }
				if ($10 == "institution" && index($0, "\"scope\":\"furnish\"") &&
				    match($0, /"expires":"[0-9-]+"/) && substr($0, RSTART + 11, 10) > asof)
					furnish[$12] = 1
				next
			}
			$6 != "institution" || $10 != "account" || $18 != "id" { bad = 1; exit 1 }
			$20 != last {
				last = $20
				k++
				if (k <= np) p[k] = $20
				else { j = int(rand() * k) + 1; if (j <= np) p[j] = $20 }
			}
			$8 == inst && !index($0, "\"status\":") && $20 == cid && furnish[inst] {
				a++
				if (a <= na) q[a] = $12
				else { j = int(rand() * a) + 1; if (j <= na) q[j] = $12 }
			}
			END {
				if (bad) exit 1
				for (i = 1; i <= (k < np ? k : np); i++) print p[i] > ids
				for (i = 1; i <= (a < na ? a : na); i++) print q[i] > accts
				printf "%d %d\n", k, a
			}' >"$RUN/pick.out"
}

pick_people() {
	local t0 holders open
	t0=$(now)
	ticking "picking people" "$RUN/pick.err" pick_stream "$1" ||
		die "account or consent lines are not laid out as expected: $(cat "$RUN/pick.err")"
	read -r holders open <"$RUN/pick.out"
	say "picked $(wc -l <"$RUN/ids.txt") of $holders account holders and $(wc -l <"$RUN/accounts.txt")" \
		"of $open open $FURNISHER accounts with a live furnish consent in $(elapsed "$t0" "$(now)") s" \
		"(second gen pass, untimed)"
	if [ ! -s "$RUN/ids.txt" ] || [ ! -s "$RUN/accounts.txt" ]; then
		die "no people or no accounts picked"
	fi
}

# report_inprocess: bench/report_latency on the compacted store.
report_inprocess() {
	local out line
	out=$("$OUT/report_latency" "$RUN/db" "$RUN/ids.txt" "$ASOF" "$REPORTS" "$REPORT_WARMUP") ||
		die "report_latency failed"
	while read -r line; do say "$line"; done <<<"$out"
	REPORT_P50=$(field p50_us "$(grep '^report:' <<<"$out")")
	REPORT_P99=$(field p99_us "$(grep '^report:' <<<"$out")")
	REPORT_TOTAL_P99=$(field p99_us "$(grep '^report_total:' <<<"$out")")
}

# The lender L0001 and a query consent to it from every picked person, as
# http.sh gives them (granted 2026-01-01, expiring 2027-01-01).
lender_consents() {
	local out
	awk -v lender="$LENDER" -v purpose="$PURPOSE" 'BEGIN {
			print "{\"type\":\"institution\",\"code\":\"" lender "\",\"name\":\"基准银行\",\"kind\":\"bank\"}" }
		{ print "{\"type\":\"consent\",\"id\":\"" $1 "\",\"institution\":\"" lender \
			"\",\"scope\":\"query\",\"purpose\":\"" purpose \
			"\",\"granted\":\"2026-01-01\",\"expires\":\"2027-01-01\"}" }' \
		"$RUN/ids.txt" >"$RUN/lender.jsonl"
	out=$("$CREDITREF" ingest --db "$RUN/db" --as-of "$ASOF" "$RUN/lender.jsonl" | tail -n1)
	say "lender consents: $out"
	if [ "$(field rejected "$out")" != 0 ] || [ "$(field held "$out")" != 0 ]; then
		die "expected every lender line accepted: $out"
	fi
}

# Reports and events over HTTP, one wrk run of each after a warm-up.
over_http() {
	local code probe sub acc
	LENDER_KEY=$(issue_key lender "$LENDER")
	FURNISHER_KEY=$(issue_key furnisher "$FURNISHER")
	start_server
	code=$(post_report "$(head -n1 "$RUN/ids.txt")" "$RUN/report-check.json")
	[ "${code%% *}" = 200 ] || die "POST /v1/reports answered ${code%% *}: $(head -c 300 "$RUN/report-check.json")"
	CONNECTIONS=$SCALE_CONNECTIONS
	run_wrk reports-warmup "$SCALE_WARMUP" -H "Authorization: Bearer $LENDER_KEY" \
		-s bench/wrk_report.lua "$BASE" -- "$RUN/ids.txt" "$PURPOSE"
	run_wrk reports "$SCALE_SECS" -H "Authorization: Bearer $LENDER_KEY" \
		-s bench/wrk_report.lua "$BASE" -- "$RUN/ids.txt" "$PURPOSE"
	HTTP_RPS=$(field rps "$WRK_LINE") HTTP_P50=$(field p50_us "$WRK_LINE") HTTP_P99=$(field p99_us "$WRK_LINE")
	probe="{\"type\":\"event\",\"institution\":\"$FURNISHER\",\"account\":\"$(head -n1 "$RUN/accounts.txt")\",\"event_id\":\"probe-$(date +%s%N)\",\"at\":\"${ASOF}T09:00:00+08:00\",\"kind\":\"drawdown\",\"amount\":100}"
	code=$(curl -s -o "$RUN/events-probe.json" -w '%{http_code}' \
		-H "Authorization: Bearer $FURNISHER_KEY" -H 'Content-Type: application/x-ndjson' \
		--data-binary "$probe"$'\n' "$BASE/v1/events" || true)
	[ "$code" = 200 ] || die "POST /v1/events answered $code: $(head -c 300 "$RUN/events-probe.json")"
	CONNECTIONS=$EVENTS_CONNECTIONS
	run_wrk events "$SCALE_SECS" --timeout 30s -H "Authorization: Bearer $FURNISHER_KEY" \
		-s bench/wrk_events.lua "$BASE" -- "$RUN/accounts.txt" "$FURNISHER" "$EVENTS_BATCH" \
		"scale$(date +%s)" "${ASOF}T10:00:00+08:00"
	sub=$(field submitted "$WRK_LINE")
	acc=$(field accepted "$WRK_LINE")
	grep '^wrk: note' "$RUN/wrk-events.log" | sed 's/^wrk:/scale: events:/' || true
	if [ "$acc" -eq 0 ] || [ $(((sub - acc) * 100)) -gt "$sub" ]; then
		die "events: $acc of $sub events accepted (under 99%): figures discarded"
	fi
	EVENTS_PER_S=$(field accepted_per_s "$WRK_LINE")
	stop_server
}

scale_one() {
	local n=$1 line fs
	case $n in '' | *[!0-9]* | 0) die "'$n' is not a number of people" ;; esac
	RUN=$SCALE_DIR/s$n
	rm -rf "$RUN" "$RUN.key"
	mkdir -p "$RUN"
	echo
	say "== $n people, $SCALE_MONTHS months, in $RUN ($(date -u +%H:%MZ))"
	check_space "$n"
	preview "$n"
	say "about $(human "$EST_BYTES") and $(awk -v l="$EST_LINES" 'BEGIN { printf "%.1f", l / 1e6 }') M lines to generate and ingest"
	"$CREDITREF" init --db "$RUN/db" >/dev/null
	ingest_pipe "$n"
	footprint
	pick_people "$n"
	report_inprocess
	lender_consents
	fs=$(fsync_line "$RUN")
	say "$fs"
	FSYNC_P50=$(field p50_us "$fs")
	over_http
	line="scale: people=$n lines=$LINES ingest_s=$INGEST_S ingest_rps=$INGEST_RPS ingest_cpu_s=$INGEST_CPU_S"
	line="$line bytes_per_am=$BPM report_p50_us=$REPORT_P50 report_p99_us=$REPORT_P99"
	line="$line http_reports_per_s=$HTTP_RPS http_p50_us=$HTTP_P50 http_p99_us=$HTTP_P99 events_per_s=$EVENTS_PER_S"
	line="$line months=$SCALE_MONTHS account_months=$AM file_bytes=$(field file_bytes "$STATS")"
	line="$line bytes_per_am_ingested=$(field bytes_per_account_month "$STATS_INGESTED")"
	line="$line peak_store_bytes=$PEAK_STORE_BYTES compact_s=$COMPACT_S report_total_p99_us=$REPORT_TOTAL_P99"
	line="$line fsync_p50_us=${FSYNC_P50:-n/a} connections=$SCALE_CONNECTIONS seconds=$SCALE_SECS"
	echo "$line"
	echo "$(date -u +%Y-%m-%dT%H:%MZ) $line" >>"$SCALE_RESULTS"
	SUMMARIES+=("$line")
	if [ "${BENCH_SCALE_KEEP:-0}" != 1 ]; then
		rm -rf "$RUN/db" "$RUN/db.key"
		say "store removed (BENCH_SCALE_KEEP=1 keeps it)"
	fi
}

# The table of this run's sizes, then each figure's ratio to the 40,000-person
# line: this run's, else the last one in the results file, else this run's
# first size.
scale_table() {
	local ref="" row f v r cols=(ingest_rps bytes_per_am report_p50_us report_p99_us
		http_reports_per_s http_p50_us http_p99_us events_per_s)
	local heads=(ingest/s B/acct-mo report_p50 report_p99 http_rep/s http_p50 http_p99 events/s)
	for row in "${SUMMARIES[@]}"; do
		[ "$(field people "$row")" = 40000 ] && ref=$row
	done
	if [ -z "$ref" ] && [ -f "$SCALE_RESULTS" ]; then
		ref=$(grep ' people=40000 ' "$SCALE_RESULTS" | tail -n1 | sed 's/^[^ ]* //' || true)
	fi
	[ -n "$ref" ] || ref=${SUMMARIES[0]}
	echo
	echo "== scale ($SCALE_MONTHS months of history; reports over HTTP at $SCALE_CONNECTIONS connections, ${SCALE_SECS}s) =="
	printf '%10s' people
	printf ' %11s' "${heads[@]}"
	echo "   (latencies in us)"
	for row in "${SUMMARIES[@]}"; do
		printf '%10s' "$(field people "$row")"
		for f in "${cols[@]}"; do printf ' %11s' "$(field "$f" "$row")"; done
		echo
	done
	echo "ratio to people=$(field people "$ref") (flat: 0.75 to 1.25; ! marks a figure outside)"
	for row in "${SUMMARIES[@]}"; do
		printf '%10s' "$(field people "$row")"
		for f in "${cols[@]}"; do
			v=$(field "$f" "$row")
			r=$(awk -v a="$v" -v b="$(field "$f" "$ref")" 'BEGIN {
				if (b + 0 <= 0 || a == "" || a == "n/a") { print "n/a"; exit }
				x = sprintf("%.2f", a / b) + 0; printf "%.2f%s", x, (x < 0.75 || x > 1.25) ? "!" : "" }')
			printf ' %11s' "$r"
		done
		echo
	done
	echo "results: appended to $SCALE_RESULTS"
}

scale_main() {
	local tool n
	for tool in wrk curl; do
		command -v $tool >/dev/null || die "needs wrk and curl: bash scripts/deps.sh --bench"
	done
	"$CREDITREF" help serve >/dev/null 2>&1 || die "$CREDITREF has no serve command"
	build_programs
	mkdir -p "$SCALE_DIR"
	RUN=$SCALE_DIR
	trap scale_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	say "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $CREDITREF; sizes: $SIZES"
	for n in $SIZES; do
		scale_one "$n"
	done
	scale_table
}

[ "${BASH_SOURCE[0]}" != "$0" ] || scale_main
