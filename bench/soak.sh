#!/usr/bin/env bash
# bench/soak.sh - make soak: `creditref serve` under a mixed load at a share
# of its measured peak for SOAK_MINUTES minutes, minute by minute.
#
# On a copy of the HTTP bench's store (bench/http.sh builds it, or reuses
# it: BENCH_HTTP_SUBJECTS people, a live query consent for the lender L0001
# each), with a lender key and a furnisher key (B0001), the load is
# bench/wrk_soak.lua: 70% reports, 10% event bodies, 10% statement bodies,
# 10% alert pages.  The peak is measured on a settled store: first
# SOAK_SETTLE_SECONDS (120) at full speed that are not counted (the first
# minutes on a fresh copy, before its write buffers fill and compaction
# starts, run faster than the store can keep up with, and a peak taken
# there sets a target the server cannot hold), then SOAK_PEAK_ROUNDS (3)
# rounds of SOAK_PEAK_SECONDS (40) at full speed; the peak is their median.
# Then SOAK_MINUTES one-minute wrk runs at SOAK_SHARE of it: each
# connection pauses between requests, and after each minute the pause is
# scaled by the rate reached over the rate wanted, so
# that the load settles on the target within a few minutes.  After each
# minute it samples the server's resident memory (VmRSS), its open files
# (/proc/PID/fd) and wrk's figures, and prints the row:
#
#   minute rps p50_us p99_us errors rss_mb open_files table_files pause_ms
#
# into build/soak/curve.csv as well.  At the end the server is stopped with
# SIGTERM (it must exit 0) and `creditref audit verify` must pass on the
# store.  The verdict, with the figures it rests on:
#   errors       every response 200 and no socket error, or the soak fails;
#   open files   besides the store's table files (which compaction bounds
#                and the store's growth moves), the most in any minute after
#                the first sixth of the run no more than SOAK_FD_SLACK (8)
#                above the count then, or it fails (a leak grows without
#                bound);
#   memory       the resident memory at the end no more than SOAK_RSS_GROWTH
#                (1.25) times that at the first sixth of the run (caches
#                fill during the first minutes), or it fails;
#   latency      the median p50 of every sixth of the run no more than
#                SOAK_P50_GROWTH (2) times that of the first sixth, and the
#                median p99 of the last sixth no more than SOAK_P99_GROWTH
#                (1.5) times that of the first, or it fails (medians over
#                minutes: one noisy minute on shared cores does not decide
#                it, a slow stretch anywhere in the run does);
#   load         the median rate of the last sixth against the target,
#                reported (a store that slowed down shows here first).
# One summary line is appended to build/soak_results.txt.
#
# Usage: bash bench/soak.sh [path/to/creditref]       (make soak runs it)
# Knobs: SOAK_MINUTES (30), SOAK_SHARE (0.8), SOAK_CONNECTIONS (32),
#        SOAK_SETTLE_SECONDS (120), SOAK_PEAK_ROUNDS (3),
#        SOAK_PEAK_SECONDS (40), SOAK_RSS_GROWTH (1.25),
#        SOAK_P50_GROWTH (2), SOAK_P99_GROWTH (1.5), SOAK_FD_SLACK (8),
#        BENCH_HTTP_SUBJECTS (the store's people, 1000000; the store is
#        shared with bench/http.sh in build/bench/http/).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
CREDITREF=$(realpath "${1:-build/release/creditref}")
SUBJECTS=${BENCH_HTTP_SUBJECTS:-1000000}
MONTHS=${BENCH_HTTP_MONTHS:-12}
MINUTES=${SOAK_MINUTES:-30}
SHARE=${SOAK_SHARE:-0.8}
CONNECTIONS=${SOAK_CONNECTIONS:-32}
SETTLE_SECONDS=${SOAK_SETTLE_SECONDS:-120}
PEAK_ROUNDS=${SOAK_PEAK_ROUNDS:-3}
PEAK_SECONDS=${SOAK_PEAK_SECONDS:-40}
RSS_GROWTH=${SOAK_RSS_GROWTH:-1.25}
P50_GROWTH=${SOAK_P50_GROWTH:-2}
P99_GROWTH=${SOAK_P99_GROWTH:-1.5}
FD_SLACK=${SOAK_FD_SLACK:-8}
WRK_THREADS=2
SERVER_THREADS=2
MAX_CONNS=1024
RUN=build/soak/run
CURVE=build/soak/curve.csv
RESULTS=build/soak_results.txt
BENCH_NAME=soak
SERVER_PID="" BASE=""

# shellcheck source=bench/http_lib.sh
. bench/http_lib.sh

cleanup() {
	stop_server
	[ "${SOAK_KEEP:-0}" = 1 ] || rm -rf "$RUN/db" "$RUN/db.key"
}

# soak_wrk NAME SECONDS DELAY_MS: one wrk run of the mix; sets WRK_LINE.
soak_wrk() {
	local log=$RUN/wrk-$1.log
	wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${2}s" --timeout 30s -s bench/wrk_soak.lua \
		"$BASE" -- "$DATA/ids.txt" "$DATA/accounts.txt" "$LENDER_KEY" "$FURNISHER_KEY" \
		"$FURNISHER" "$PURPOSE" "$ASOF" "$3" "soak$(date +%s)-$1" >"$log" 2>&1 ||
		{ cat "$log" >&2; die "wrk failed ($1)"; }
	WRK_LINE=$(grep '^wrk: requests=' "$log" || true)
	[ -n "$WRK_LINE" ] || { cat "$log" >&2; die "no summary from wrk ($1)"; }
}

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }
# The server's open files: all of them, and the store's table files among
# them (RocksDB keeps every table open; compaction bounds their number as
# the store grows, so they are reported, and the rest is what is judged).
open_files() { find "/proc/$SERVER_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
table_files() {
	find "/proc/$SERVER_PID/fd" -mindepth 1 -maxdepth 1 -lname '*.sst' 2>/dev/null | wc -l
}

main() {
	local tool
	for tool in wrk curl; do
		command -v $tool >/dev/null || die "needs wrk and curl: bash scripts/deps.sh --bench"
	done
	check_nofile "$CONNECTIONS"
	mkdir -p build/soak
	echo "soak: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $CREDITREF"
	echo "soak: $SUBJECTS people, $MINUTES minutes at $SHARE of the peak, wrk -t$WRK_THREADS -c$CONNECTIONS"
	prepare_data
	trap cleanup EXIT
	copy_store
	LENDER_KEY=$(issue_key lender "$LENDER")
	FURNISHER_KEY=$(issue_key furnisher "$FURNISHER")
	start_server

	soak_wrk settle "$SETTLE_SECONDS" 0
	echo "settle: ${WRK_LINE#wrk: }"
	no_errors settle
	local peak target delay_ms r rates=()
	for r in $(seq 1 "$PEAK_ROUNDS"); do
		soak_wrk "peak$r" "$PEAK_SECONDS" 0
		echo "peak round $r: ${WRK_LINE#wrk: }"
		no_errors "peak round $r"
		rates+=("$(field rps "$WRK_LINE")")
	done
	peak=$(median "${rates[@]}")
	target=$(awk -v p="$peak" -v s="$SHARE" 'BEGIN { printf "%.0f", p * s }')
	delay_ms=$(awk -v c="$CONNECTIONS" -v t="$target" 'BEGIN { printf "%.1f", c * 1000 / t }')
	echo "soak: peak $peak requests/s; target $target/s: each of $CONNECTIONS connections pauses $delay_ms ms on average"

	echo "minute,rps,p50_us,p99_us,errors,rss_mb,open_files,table_files,pause_ms" >"$CURVE"
	printf '%6s %8s %8s %9s %7s %8s %10s %11s %8s\n' minute rps p50_us p99_us errors rss_mb \
		open_files table_files pause_ms
	local m errs rss fds tables errors_total=0 requests_total=0
	for m in $(seq 1 "$MINUTES"); do
		soak_wrk "minute$m" 60 "$delay_ms"
		errs=$(($(field non200 "$WRK_LINE") + $(field socket_errors "$WRK_LINE")))
		kill -0 "$SERVER_PID" 2>/dev/null || die "creditref serve died in minute $m: $(tail -5 "$RUN/serve.err")"
		rss=$(rss_mb)
		fds=$(open_files)
		tables=$(table_files)
		errors_total=$((errors_total + errs))
		requests_total=$((requests_total + $(field requests "$WRK_LINE")))
		echo "$m,$(field rps "$WRK_LINE"),$(field p50_us "$WRK_LINE"),$(field p99_us "$WRK_LINE"),$errs,$rss,$fds,$tables,$delay_ms" >>"$CURVE"
		printf '%6s %8s %8s %9s %7s %8s %10s %11s %8s\n' "$m" "$(field rps "$WRK_LINE")" \
			"$(field p50_us "$WRK_LINE")" "$(field p99_us "$WRK_LINE")" "$errs" "$rss" "$fds" \
			"$tables" "$delay_ms"
		[ "$errs" = 0 ] || grep '^wrk: non-200 sample' "$RUN/wrk-minute$m.log" | head -3 || true
		# The pause that would have given the target this minute, within
		# a factor of 3 of this one.
		delay_ms=$(awk -v d="$delay_ms" -v r="$(field rps "$WRK_LINE")" -v t="$target" 'BEGIN {
			f = t > 0 && r > 0 ? r / t : 1; if (f < 1 / 3) f = 1 / 3; if (f > 3) f = 3
			printf "%.2f", d * f }')
	done
	stop_server_checked
	local verify
	verify=$("$CREDITREF" audit verify --db "$RUN/db" 2>&1) || die "audit verify failed after the soak: $verify"
	echo "after the soak: $verify"
	verdict "$peak" "$target" "$errors_total" "$requests_total"
}

# no_errors PHASE: a full-speed run must answer every request.
no_errors() {
	if [ "$(field non200 "$WRK_LINE")" != 0 ] || [ "$(field socket_errors "$WRK_LINE")" != 0 ]; then
		die "the $1 run had errors: ${WRK_LINE#wrk: }"
	fi
}

# stop_server_checked: SIGTERM, and the server must exit 0.
stop_server_checked() {
	local rc=0
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID" || rc=$?
	SERVER_PID=""
	[ "$rc" = 0 ] || die "creditref serve exited $rc after SIGTERM: $(tail -5 "$RUN/serve.err")"
	echo "server: stopped cleanly"
}

# verdict PEAK TARGET ERRORS REQUESTS: the judgement over the curve.
verdict() {
	local base last fd_base fd_max rss_base rss_last rss_max p99_first p99_last rps_last failed=0 line
	base=$((MINUTES / 6 > 0 ? MINUTES / 6 : 1))
	last=$((MINUTES - base + 1))
	read -r fd_base rss_base < <(awk -F, -v b="$base" 'NR > 1 && $1 == b { print $7 - $8, $6 }' "$CURVE")
	fd_max=$(awk -F, -v b="$base" 'NR > 1 && $1 >= b { if ($7 - $8 > m) m = $7 - $8 } END { print m + 0 }' "$CURVE")
	local tables_base tables_max
	tables_base=$(awk -F, -v b="$base" 'NR > 1 && $1 == b { print $8 }' "$CURVE")
	tables_max=$(awk -F, 'NR > 1 { if ($8 > m) m = $8 } END { print m + 0 }' "$CURVE")
	rss_last=$(awk -F, 'NR > 1 { v = $6 } END { print v }' "$CURVE")
	rss_max=$(awk -F, 'NR > 1 { if ($6 > m) m = $6 } END { print m + 0 }' "$CURVE")
	# shellcheck disable=SC2046
	p99_first=$(median $(awk -F, -v b="$base" 'NR > 1 && $1 <= b { print $4 }' "$CURVE"))
	# shellcheck disable=SC2046
	p99_last=$(median $(awk -F, -v l="$last" 'NR > 1 && $1 >= l { print $4 }' "$CURVE"))
	echo
	echo "== soak summary ($MINUTES minutes, $4 requests at $SHARE of a $1/s peak, target $2/s) =="
	# The median p50 of each sixth of the run, and the highest after the first.
	local sixths p50_first="" p50_worst=0 p50_worst_at="" s a z p50
	sixths=""
	for s in $(seq 0 5); do
		a=$((s * MINUTES / 6 + 1)) z=$(((s + 1) * MINUTES / 6))
		[ "$z" -ge "$a" ] || z=$a
		# shellcheck disable=SC2046
		p50=$(median $(awk -F, -v a="$a" -v z="$z" 'NR > 1 && $1 >= a && $1 <= z { print $3 }' "$CURVE"))
		[ -n "$p50" ] || continue
		sixths="$sixths $p50"
		if [ "$s" = 0 ]; then
			p50_first=$p50
		elif [ "$p50" -gt "$p50_worst" ]; then
			p50_worst=$p50 p50_worst_at="$a-$z"
		fi
	done
	# shellcheck disable=SC2046
	rps_last=$(median $(awk -F, -v l="$last" 'NR > 1 && $1 >= l { print $2 }' "$CURVE"))
	echo "load: median $rps_last requests/s over minutes $last-$MINUTES (target $2/s)"
	echo "errors: $3 (non-200 responses and socket errors)"
	echo "open files besides table files: $fd_base at minute $base, at most $fd_max after it (slack $FD_SLACK)"
	echo "table files open: $tables_base at minute $base, at most $tables_max (compaction bounds them)"
	echo "resident memory: $rss_base MB at minute $base, $rss_last MB at the end, at most $rss_max MB" \
		"(growth allowed: x$RSS_GROWTH)"
	echo "p50 latency: median$sixths us by sixth of the run; the highest after the first," \
		"${p50_worst}us over minutes $p50_worst_at (allowed: x$P50_GROWTH of $p50_first us)"
	echo "p99 latency: median $p99_first us over minutes 1-$base, $p99_last us over minutes" \
		"$last-$MINUTES (growth allowed: x$P99_GROWTH)"
	[ "$3" = 0 ] || { echo "soak: FAILED: $3 errors"; failed=1; }
	[ "$fd_max" -le $((fd_base + FD_SLACK)) ] || { echo "soak: FAILED: open files grew"; failed=1; }
	awk -v a="$rss_last" -v b="$rss_base" -v g="$RSS_GROWTH" 'BEGIN { exit !(a <= b * g) }' ||
		{ echo "soak: FAILED: resident memory grew past x$RSS_GROWTH"; failed=1; }
	awk -v a="$p50_worst" -v b="$p50_first" -v g="$P50_GROWTH" 'BEGIN { exit !(a <= b * g) }' ||
		{ echo "soak: FAILED: p50 latency rose past x$P50_GROWTH in minutes $p50_worst_at"; failed=1; }
	awk -v a="$p99_last" -v b="$p99_first" -v g="$P99_GROWTH" 'BEGIN { exit !(a <= b * g) }' ||
		{ echo "soak: FAILED: p99 latency grew past x$P99_GROWTH"; failed=1; }
	line="$(date -u +%Y-%m-%dT%H:%MZ) soak: minutes=$MINUTES people=$SUBJECTS peak_rps=$1 target_rps=$2 requests=$4 errors=$3 fd_base=$fd_base fd_max=$fd_max tables_base=$tables_base tables_max=$tables_max rss_base_mb=$rss_base rss_end_mb=$rss_last rss_max_mb=$rss_max p50_first_us=$p50_first p50_worst_us=$p50_worst p99_first_us=$p99_first p99_last_us=$p99_last rps_last=$rps_last failed=$failed"
	echo "$line" >>"$RESULTS"
	echo "soak: curve in $CURVE; summary appended to $RESULTS"
	[ "$failed" = 0 ] && echo "soak: passed"
	return "$failed"
}

main "$@"
