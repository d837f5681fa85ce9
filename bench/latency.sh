#!/usr/bin/env bash
# bench/latency.sh - how soon an acknowledged event shows in a report and in
# the alert feed, idle and under a load of batched event ingest.
#
# Uses the store of bench/http.sh (made or reused the same way, same knobs)
# and adds to a fresh copy of it the fixture of bench/latency.py: two
# lenders, A0001 and B0002, and BENCH_LAT_SAMPLES * 2 people, each with an
# open account at both.  Then, with `creditref serve` on that copy:
#
#   idle    BENCH_LAT_SAMPLES samples of each measure, nothing else running;
#   loaded  as many again, BENCH_LAT_THREADS at a time, while wrk sends
#           POST /v1/events bodies of BENCH_HTTP_EVENTS_BATCH events to B0001's
#           accounts over
#           BENCH_HTTP_EVENTS_CONNECTIONS connections (bench/wrk_events.lua,
#           as http.sh does); wrk runs from before the first sample to after
#           the last and its rate is reported beside the latencies.
#
# The measures (bench/latency.py): from the 200 of an event to the first
# post_loan report that shows it in the account's "current" block, and from
# the 200 of an overdue event with dpd 30 to the dpd30 alert in the other
# lender's GET /v1/alerts feed.  p50/p90/p99/max per phase and measure are
# printed and appended as one line to build/bench/latency_results.txt.
#
# Usage: bash bench/latency.sh [path/to/creditref]     (make bench runs it)
# Knobs: BENCH_LAT_SAMPLES (300), BENCH_LAT_PAUSE_MS (20), BENCH_LAT_THREADS
#        (8 sampling threads under load; idle, one sample at a time), and
#        those of http.sh for the store and the load (bench/README.md).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/http.sh
source bench/http.sh "$@"
LAT_SAMPLES=${BENCH_LAT_SAMPLES:-300}
LAT_PAUSE_MS=${BENCH_LAT_PAUSE_MS:-20}
LAT_THREADS=${BENCH_LAT_THREADS:-8}
LAT_RESULTS=$OUT/latency_results.txt
WRK_PID=""

lat_cleanup() {
	if [ -n "$WRK_PID" ]; then
		kill "$WRK_PID" 2>/dev/null || true
		wait "$WRK_PID" 2>/dev/null || true
	fi
	cleanup
}

# The fixture goes into the copy before the server starts.
add_fixture() {
	local out
	python3 bench/latency.py --fixture "$RUN/latency.jsonl" --people "$((LAT_SAMPLES * 2))"
	out=$("$CREDITREF" ingest --db "$RUN/db" --as-of "$ASOF" "$RUN/latency.jsonl" | tail -n1)
	echo "latency: fixture $out"
	# The copy is still being written back; idle samples would time that.
	sync "$RUN"/db/*
	if [ "$(field rejected "$out")" != 0 ] || [ "$(field held "$out")" != 0 ]; then
		die "latency fixture: expected every line accepted: $out"
	fi
}

# run_phase NAME FIRST THREADS: BENCH_LAT_SAMPLES samples of both measures.
run_phase() {
	python3 bench/latency.py --base "$BASE" --events-key "$A_KEY" --lender-key "$B_KEY" \
		--phase "$1" --first "$2" --samples "$LAT_SAMPLES" --pause-ms "$LAT_PAUSE_MS" \
		--parallel "$3" | tee "$RUN/latency-$1.log"
	[ "${PIPESTATUS[0]}" = 0 ] || die "latency.py failed in phase $1"
}

# The loaded phase: wrk first, then the samples, then wrk's own figures.
run_loaded() {
	local secs=3600 log=$RUN/wrk-latency-load.log
	wrk -t "$WRK_THREADS" -c "$EVENTS_CONNECTIONS" -d "${secs}s" --timeout 30s \
		-H "Authorization: Bearer $FURNISHER_KEY" -s bench/wrk_events.lua "$BASE" -- \
		"$DATA/accounts.txt" "$FURNISHER" "$EVENTS_BATCH" "lat$(date +%s)" \
		"${ASOF}T10:00:00+08:00" >"$log" 2>&1 &
	WRK_PID=$!
	sleep 3
	local t0 t1
	t0=$(now)
	run_phase loaded "$LAT_SAMPLES" "$LAT_THREADS"
	t1=$(now)
	# SIGINT makes wrk stop and print its summary.
	kill -INT "$WRK_PID" 2>/dev/null || true
	wait "$WRK_PID" || true
	WRK_PID=""
	WRK_LINE=$(grep '^wrk: requests=' "$log" || true)
	[ -n "$WRK_LINE" ] || { cat "$log" >&2; die "no summary from the background wrk"; }
	echo "load: ${WRK_LINE#wrk: }"
	LOAD_EPS=$(field accepted_per_s "$WRK_LINE")
	LOAD_P50=$(field p50_us "$WRK_LINE")
	echo "load: $(elapsed "$t0" "$t1") s of samples under the load"
}

# line PHASE MEASURE: the results line of latency.py for them.
line() { grep "phase=$1 measure=$2 " "$RUN/latency-$1.log"; }
ms() { awk -v u="$(field "$3" "$(line "$1" "$2")")" 'BEGIN { printf "%.1f", u / 1000 }'; }

lat_main() {
	for tool in wrk curl python3; do
		command -v $tool >/dev/null || die "needs wrk, curl and python3: bash scripts/deps.sh --bench"
	done
	if ! "$CREDITREF" help serve >/dev/null 2>&1; then
		echo "latency bench: $CREDITREF has no serve command; skipped"
		return 0
	fi
	echo "latency bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $CREDITREF"
	prepare_data
	trap lat_cleanup EXIT
	copy_store
	add_fixture
	A_KEY=$(issue_key furnisher A0001)
	B_KEY=$(issue_key lender B0002)
	FURNISHER_KEY=$(issue_key furnisher "$FURNISHER")
	start_server
	run_phase idle 0 1
	run_loaded
	stop_server
	cat <<EOF

== latency from an event's 200 to its effect ($LAT_SAMPLES samples per row; $SUBJECTS people) ==
phase   measure                     p50 ms   p90 ms   p99 ms   max ms   (target p99 <= 1000 ms)
idle    report shows the event   $(printf '%8s %8s %8s %8s' "$(ms idle report p50_us)" "$(ms idle report p90_us)" "$(ms idle report p99_us)" "$(ms idle report max_us)")
idle    dpd30 alert in the feed  $(printf '%8s %8s %8s %8s' "$(ms idle alert p50_us)" "$(ms idle alert p90_us)" "$(ms idle alert p99_us)" "$(ms idle alert max_us)")
loaded  report shows the event   $(printf '%8s %8s %8s %8s' "$(ms loaded report p50_us)" "$(ms loaded report p90_us)" "$(ms loaded report p99_us)" "$(ms loaded report max_us)")
loaded  dpd30 alert in the feed  $(printf '%8s %8s %8s %8s' "$(ms loaded alert p50_us)" "$(ms loaded alert p90_us)" "$(ms loaded alert p99_us)" "$(ms loaded alert max_us)")
load: $LOAD_EPS events accepted/s in the background ($EVENTS_BATCH per POST, wrk -c$EVENTS_CONNECTIONS, p50 $LOAD_P50 us per POST)
EOF
	{
		printf '%s subjects=%s samples=%s pause_ms=%s load_events_per_s=%s load_p50_us=%s' \
			"$(date -u +%Y-%m-%dT%H:%MZ)" "$SUBJECTS" "$LAT_SAMPLES" "$LAT_PAUSE_MS" "$LOAD_EPS" "$LOAD_P50"
		for p in idle loaded; do
			for m in report alert; do
				printf ' %s_%s_p50_us=%s %s_%s_p99_us=%s' "$p" "$m" "$(field p50_us "$(line $p $m)")" \
					"$p" "$m" "$(field p99_us "$(line $p $m)")"
			done
		done
		echo
	} >>"$LAT_RESULTS"
	echo "results: appended to $LAT_RESULTS"
}

[ "${BASH_SOURCE[0]}" != "$0" ] || lat_main
