#!/usr/bin/env bash
# bench/http.sh - reports over HTTP: `creditref serve` against nginx.
#
# Builds (or reuses) a store of BENCH_HTTP_SUBJECTS people, every one with a
# live query consent for loan_approval to the lender L0001 and furnish
# consents for all their accounts, starts `creditref serve` on a copy of it
# and an nginx of its own (its prefix and config under build/bench/http/run,
# as the current user), then with wrk, keep-alive:
#
#   creditref  POST /v1/reports {"id":<random person>,"purpose":"loan_approval"}
#              with a lender key (bench/wrk_report.lua);
#   nginx      GET of a static file as large as the median report body
#              (bench/wrk_static.lua), measured first with curl on a sample.
#
# Before the rounds it measures the fdatasync latency of the disk under the
# store (bench/fsync_probe.c): every report waits for the group commit that
# makes its inquiry durable, so connections in flight / sync latency bounds
# the reports a second.  Then, for each count in BENCH_HTTP_CONNECTIONS_LIST
# (default "64 256"), the same wrk threads, connections and duration on both
# sides, after a warm-up, BENCH_HTTP_ROUNDS rounds in the same order; it
# prints, per count, the medians of requests/s, p50 and p99, the ratio
# creditref/nginx and that bound side by side, and appends them as one line
# per count to build/bench/http_results.txt.  More than 1% non-200 responses
# (or socket errors) stops the run: a fast run made of refusals means nothing.
#
# Then, when the server answers POST /v1/events with anything but 404, events
# over HTTP: JSON Lines bodies of BENCH_HTTP_EVENTS_BATCH events to furnisher
# B0001's accounts (bench/wrk_events.lua), events accepted per second.
#
# Usage: bash bench/http.sh [path/to/creditref]     (make bench runs it)
# Knobs: see bench/README.md ("Reports over HTTP").
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
CREDITREF=$(realpath "${1:-build/release/creditref}")
SUBJECTS=${BENCH_HTTP_SUBJECTS:-1000000}
MONTHS=${BENCH_HTTP_MONTHS:-12}
DURATION=${BENCH_HTTP_SECONDS:-20}
WARMUP=${BENCH_HTTP_WARMUP:-5}
ROUNDS=${BENCH_HTTP_ROUNDS:-3}
# Connection counts for the report rounds; BENCH_HTTP_CONNECTIONS (one count)
# is still understood.
CONNECTIONS_LIST=${BENCH_HTTP_CONNECTIONS_LIST:-${BENCH_HTTP_CONNECTIONS:-64 256}}
CONNECTIONS=${CONNECTIONS_LIST%% *}
WRK_THREADS=${BENCH_HTTP_WRK_THREADS:-2}
SERVER_THREADS=${BENCH_HTTP_SERVER_THREADS:-2}
SAMPLE=${BENCH_HTTP_SAMPLE:-200}
EVENTS_BATCH=${BENCH_HTTP_EVENTS_BATCH:-1000}
EVENTS_CONNECTIONS=${BENCH_HTTP_EVENTS_CONNECTIONS:-8}
FSYNC_N=${BENCH_FSYNC_N:-200}

SERVER_PID="" NGINX_PID="" BASE="" NGINX_URL=""
# creditref serve --max-connections and nginx's worker_connections: at least
# their defaults, more when a count of the list needs it.
MAX_CONNS=1024

# shellcheck source=bench/http_lib.sh
. bench/http_lib.sh
RUN=$OUT/http/run
RESULTS=$OUT/http_results.txt

# The largest connection count of the list, after checking that each is a
# whole number wrk can spread over its threads.
max_connections() {
	local c max=0
	for c in $CONNECTIONS_LIST; do
		case $c in '' | *[!0-9]*) die "BENCH_HTTP_CONNECTIONS_LIST: '$c' is not a number of connections" ;; esac
		[ "$c" -ge "$WRK_THREADS" ] || die "BENCH_HTTP_CONNECTIONS_LIST: $c connections for $WRK_THREADS wrk threads"
		[ "$c" -le "$max" ] || max=$c
	done
	[ "$max" -gt 0 ] || die "BENCH_HTTP_CONNECTIONS_LIST is empty"
	echo "$max"
}

# The fsync probe, built with the flags bench/run.sh builds it with.
build_probe() {
	mkdir -p "$OUT"
	# shellcheck disable=SC2086
	${CC:-cc} -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
		-Wformat=2 -Wvla -O2 -g -o "$OUT/fsync_probe" bench/fsync_probe.c ||
		die "cannot build bench/fsync_probe.c"
}

# fsync_line DIR: the probe's line for the disk under DIR (BENCH_FSYNC_N
# appends of 4 KiB, each made durable with fdatasync), or n/a.
fsync_line() {
	"$OUT/fsync_probe" "$1" "$FSYNC_N" 2>&1 || echo "fsync: n/a (the probe failed)"
}

# bound CONNECTIONS: requests/s if each of CONNECTIONS requests in flight
# waited for exactly one sync of FSYNC_P50 us and nothing else.
bound() {
	case $FSYNC_P50 in '' | n/a | 0) echo n/a ;; *) div "$1" "${FSYNC_P50}e-6" %.0f ;; esac
}

# nginx as the current user: its own prefix, config, pid and error log under
# $RUN/nginx, no access log, not the system service.
start_nginx() {
	local dir=$RUN/nginx port user=""
	dir=$(realpath -m "$dir")
	mkdir -p "$dir/www" "$dir/tmp"
	cp "$RUN/report.json" "$dir/www/report.json"
	port=$(free_port)
	# Workers of a root master switch to another user unless told.
	[ "$(id -u)" = 0 ] && user="user root root;"
	cat >"$dir/nginx.conf" <<EOF
$user
worker_processes 2;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections $MAX_CONNS; }
http {
	access_log off;
	default_type application/json;
	sendfile on;
	tcp_nodelay on;
	keepalive_timeout 65;
	keepalive_requests 1000000000;
	client_body_temp_path $dir/tmp/body;
	proxy_temp_path $dir/tmp/proxy;
	fastcgi_temp_path $dir/tmp/fastcgi;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	server {
		listen 127.0.0.1:$port;
		root $dir/www;
	}
}
EOF
	nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" &
	NGINX_PID=$!
	NGINX_URL=http://127.0.0.1:$port/report.json
	local i
	for i in $(seq 1 100); do
		curl -sf -o /dev/null "$NGINX_URL" && break
		kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited: $(cat "$dir/error.log")"
		sleep 0.1
	done
	curl -sf -o /dev/null "$NGINX_URL" || die "nginx does not answer on $NGINX_URL"
	echo "server: $(nginx -v 2>&1 | sed 's/.*: //') on $NGINX_URL (pid $NGINX_PID, 2 workers)"
}

stop_nginx() {
	[ -n "$NGINX_PID" ] || return 0
	kill -QUIT "$NGINX_PID" 2>/dev/null || true
	wait "$NGINX_PID" 2>/dev/null || true
	NGINX_PID=""
}

cleanup() {
	stop_server
	stop_nginx
	[ "${BENCH_HTTP_KEEP:-0}" = 1 ] || rm -rf "$RUN/db" "$RUN/db.key"
}

# post_report ID OUTFILE: prints "STATUS BYTES".
post_report() {
	curl -s -o "$2" -w '%{http_code} %{size_download}\n' \
		-H "Authorization: Bearer $LENDER_KEY" -H 'Content-Type: application/json' \
		--data "{\"id\":\"$1\",\"purpose\":\"$PURPOSE\"}" "$BASE/v1/reports" || true
}

# Reports of SAMPLE random people with curl: every one must be a 200; the
# median body size becomes the size of nginx's static file.
sample_reports() {
	local id res sizes=() dir=$RUN/sample
	rm -rf "$dir"
	mkdir -p "$dir"
	while read -r id; do
		res=$(post_report "$id" "$dir/body")
		if [ "${res%% *}" != 200 ]; then
			echo "sample: POST /v1/reports {\"id\":\"$id\",\"purpose\":\"$PURPOSE\"} answered ${res%% *}:" >&2
			cat "$dir/body" >&2
			echo >&2
			die "a lender with a live query consent should get 200 and the report"
		fi
		sizes+=("${res##* }")
		[ -f "$dir/first.json" ] || cp "$dir/body" "$dir/first.json"
	done < <(shuf -n "$SAMPLE" --random-source=<(yes) "$DATA/ids.txt")
	REPORT_BYTES=$(median "${sizes[@]}")
	local min max
	min=$(printf '%s\n' "${sizes[@]}" | sort -g | head -n1)
	max=$(printf '%s\n' "${sizes[@]}" | sort -g | tail -n1)
	echo "sample: ${#sizes[@]} reports, all 200; body bytes median $REPORT_BYTES, min $min, max $max"
	# The static file: report bodies back to back, cut to the median size.
	while [ "$(stat -c %s "$dir/pad" 2>/dev/null || echo 0)" -lt "$REPORT_BYTES" ]; do
		cat "$dir/first.json" >>"$dir/pad"
	done
	head -c "$REPORT_BYTES" "$dir/pad" >"$RUN/report.json"
}

# run_wrk NAME SECONDS WRK_ARGS...: runs wrk, prints its summary line and sets
# WRK_LINE; stops the bench when more than 1% of the responses are not 200
# or more than 1% of the requests met a socket error.
run_wrk() {
	local name=$1 secs=$2 log
	shift 2
	log=$RUN/wrk-$name.log
	wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${secs}s" "$@" >"$log" 2>&1 ||
		{ cat "$log" >&2; die "wrk failed ($name)"; }
	WRK_LINE=$(grep '^wrk: requests=' "$log" || true)
	[ -n "$WRK_LINE" ] || { cat "$log" >&2; die "no summary from wrk ($name)"; }
	echo "$name: ${WRK_LINE#wrk: }"
	grep '^wrk: non-200 sample' "$log" | sed "s/^wrk:/$name:/" || true
	local n bad errs
	n=$(field requests "$WRK_LINE")
	bad=$(field non200 "$WRK_LINE")
	errs=$(field socket_errors "$WRK_LINE")
	[ "$n" -gt 0 ] || die "$name: no request completed"
	if [ $((bad * 100)) -gt "$n" ] || [ $((errs * 100)) -gt "$n" ]; then
		die "$name: $bad of $n responses were not 200 and $errs socket errors (over 1%): figures discarded"
	fi
}

wrk_creditref() {
	run_wrk "$1" "$2" -H "Authorization: Bearer $LENDER_KEY" -s bench/wrk_report.lua \
		"$BASE" -- "$DATA/ids.txt" "$PURPOSE"
}

wrk_nginx() {
	run_wrk "$1" "$2" -s bench/wrk_static.lua "$NGINX_URL"
}

# bench_reports_at C: a warm-up of each side, then BENCH_HTTP_ROUNDS rounds of
# creditref then nginx, all at C connections; sets the medians CR_RPS, CR_P50,
# CR_P99, NG_RPS, NG_P50, NG_P99, the ratio RATIO and the bound BOUND.
bench_reports_at() {
	local c=$1 i cr_rps=() cr_p50=() cr_p99=() ng_rps=() ng_p50=() ng_p99=()
	CONNECTIONS=$c
	wrk_creditref "creditref-c$c-warmup" "$WARMUP"
	wrk_nginx "nginx-c$c-warmup" "$WARMUP"
	for i in $(seq 1 "$ROUNDS"); do
		wrk_creditref "creditref-c$c-round$i" "$DURATION"
		cr_rps+=("$(field rps "$WRK_LINE")")
		cr_p50+=("$(field p50_us "$WRK_LINE")")
		cr_p99+=("$(field p99_us "$WRK_LINE")")
		wrk_nginx "nginx-c$c-round$i" "$DURATION"
		ng_rps+=("$(field rps "$WRK_LINE")")
		ng_p50+=("$(field p50_us "$WRK_LINE")")
		ng_p99+=("$(field p99_us "$WRK_LINE")")
	done
	CR_RPS=$(median "${cr_rps[@]}") CR_P50=$(median "${cr_p50[@]}") CR_P99=$(median "${cr_p99[@]}")
	NG_RPS=$(median "${ng_rps[@]}") NG_P50=$(median "${ng_p50[@]}") NG_P99=$(median "${ng_p99[@]}")
	RATIO=$(div "$CR_RPS" "$NG_RPS" %.3f)
	BOUND=$(bound "$c")
}

# The report rounds at every count of the list; one row of figures per count
# in ROWS (key=value, as appended to the results file).
bench_reports() {
	local c of_bound
	ROWS=()
	for c in $CONNECTIONS_LIST; do
		echo "== reports at $c connections"
		bench_reports_at "$c"
		of_bound=$(case $BOUND in n/a) echo n/a ;; *) div "$CR_RPS" "$BOUND" %.3f ;; esac)
		echo "c=$c: creditref $CR_RPS reports/s p50 $CR_P50 us p99 $CR_P99 us;" \
			"nginx $NG_RPS requests/s p99 $NG_P99 us; ratio $RATIO;" \
			"bound $c / sync p50 $FSYNC_P50 us = $BOUND requests/s (creditref at $of_bound of it)"
		ROWS+=("connections=$c creditref_rps=$CR_RPS creditref_p50_us=$CR_P50 creditref_p99_us=$CR_P99 nginx_rps=$NG_RPS nginx_p50_us=$NG_P50 nginx_p99_us=$NG_P99 ratio=$RATIO bound_rps=$BOUND of_bound=$of_bound")
	done
}

# Events over HTTP, once the server has the route: one probe event first.
bench_events() {
	EVENTS_PER_S=n/a
	local code probe
	probe="{\"type\":\"event\",\"institution\":\"$FURNISHER\",\"account\":\"$(head -n1 "$DATA/accounts.txt")\",\"event_id\":\"probe-$(date +%s%N)\",\"at\":\"${ASOF}T09:00:00+08:00\",\"kind\":\"drawdown\",\"amount\":100}"
	code=$(curl -s -o "$RUN/events-probe.json" -w '%{http_code}' \
		-H "Authorization: Bearer $FURNISHER_KEY" -H 'Content-Type: application/x-ndjson' \
		--data-binary "$probe"$'\n' "$BASE/v1/events" || true)
	if [ "$code" = 404 ]; then
		echo "events: POST /v1/events answers 404: no events over HTTP yet, skipped"
		return
	fi
	echo "events: probe answered $code $(head -c 300 "$RUN/events-probe.json")"
	local i rates=() tag
	tag=bench$(date +%s)
	for i in $(seq 1 "$ROUNDS"); do
		CONNECTIONS=$EVENTS_CONNECTIONS run_wrk "events-round$i" "$DURATION" --timeout 30s \
			-H "Authorization: Bearer $FURNISHER_KEY" -s bench/wrk_events.lua "$BASE" -- \
			"$DATA/accounts.txt" "$FURNISHER" "$EVENTS_BATCH" "$tag-$i" "${ASOF}T10:00:00+08:00"
		local sub acc
		sub=$(field submitted "$WRK_LINE")
		acc=$(field accepted "$WRK_LINE")
		grep '^wrk: note' "$RUN/wrk-events-round$i.log" | sed "s/^wrk:/events-round$i:/" || true
		if [ "$acc" -eq 0 ] || [ $(((sub - acc) * 100)) -gt "$sub" ]; then
			die "events: $acc of $sub events accepted (under 99%): figures discarded"
		fi
		rates+=("$(field accepted_per_s "$WRK_LINE")")
	done
	EVENTS_PER_S=$(median "${rates[@]}")
}

# The summary table, one row per connection count.
summary() {
	local row
	cat <<EOF

== HTTP summary (median of $ROUNDS rounds of ${DURATION}s; wrk -t$WRK_THREADS keep-alive; $SUBJECTS people) ==
fdatasync of 4 KiB on the store's disk: p50 $FSYNC_P50 us, p99 $FSYNC_P99 us before the rounds; p50 $FSYNC_AFTER_P50 us, p99 $FSYNC_AFTER_P99 us after
creditref POST /v1/reports (target >= 50,000/s, p99 <= 2 ms, >= 0.5x nginx); nginx GET of a $REPORT_BYTES-byte file;
bound = connections / sync p50: the reports/s if every request in flight waited for one sync and nothing else
EOF
	printf '%11s %12s %10s %10s %12s %10s %8s %10s %9s\n' connections creditref/s p50_us p99_us \
		nginx/s nginx_p99 ratio bound/s of_bound
	for row in "${ROWS[@]}"; do
		printf '%11s %12s %10s %10s %12s %10s %8s %10s %9s\n' "$(field connections "$row")" \
			"$(field creditref_rps "$row")" "$(field creditref_p50_us "$row")" \
			"$(field creditref_p99_us "$row")" "$(field nginx_rps "$row")" \
			"$(field nginx_p99_us "$row")" "$(field ratio "$row")" "$(field bound_rps "$row")" \
			"$(field of_bound "$row")"
	done
	echo "events over HTTP: $EVENTS_PER_S events accepted/s   ($EVENTS_BATCH events per POST /v1/events, wrk -c$EVENTS_CONNECTIONS)"
}

main() {
	local tool max_c row stamp
	for tool in wrk nginx curl; do
		command -v $tool >/dev/null || die "needs wrk, nginx and curl: bash scripts/deps.sh --bench"
	done
	if ! "$CREDITREF" help serve >/dev/null 2>&1; then
		echo "http bench: $CREDITREF has no serve command; skipped"
		return 0
	fi
	max_c=$(max_connections)
	[ $((max_c + 64)) -le "$MAX_CONNS" ] || MAX_CONNS=$((max_c + 64))
	check_nofile "$max_c"
	build_probe
	echo "http bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $CREDITREF"
	echo "http bench: $SUBJECTS subjects, $ROUNDS rounds of ${DURATION}s after ${WARMUP}s, wrk -t$WRK_THREADS, connections: $CONNECTIONS_LIST"
	prepare_data
	trap cleanup EXIT
	copy_store
	FSYNC_LINE=$(fsync_line "$RUN")
	echo "$FSYNC_LINE (the store's disk, before the rounds)"
	FSYNC_P50=$(field p50_us "$FSYNC_LINE") FSYNC_P99=$(field p99_us "$FSYNC_LINE")
	: "${FSYNC_P50:=n/a}" "${FSYNC_P99:=n/a}"
	LENDER_KEY=$(issue_key lender "$LENDER")
	FURNISHER_KEY=$(issue_key furnisher "$FURNISHER")
	start_server
	sample_reports
	start_nginx
	bench_reports
	stop_nginx
	bench_events
	stop_server
	FSYNC_LINE=$(fsync_line "$RUN")
	echo "$FSYNC_LINE (the store's disk, after the rounds)"
	FSYNC_AFTER_P50=$(field p50_us "$FSYNC_LINE") FSYNC_AFTER_P99=$(field p99_us "$FSYNC_LINE")
	: "${FSYNC_AFTER_P50:=n/a}" "${FSYNC_AFTER_P99:=n/a}"
	summary
	stamp=$(date -u +%Y-%m-%dT%H:%MZ)
	for row in "${ROWS[@]}"; do
		echo "$stamp subjects=$SUBJECTS months=$MONTHS rounds=$ROUNDS seconds=$DURATION" \
			"wrk_threads=$WRK_THREADS server_threads=$SERVER_THREADS report_bytes=$REPORT_BYTES" \
			"fsync_p50_us=$FSYNC_P50 fsync_p99_us=$FSYNC_P99 fsync_after_p50_us=$FSYNC_AFTER_P50" \
			"fsync_after_p99_us=$FSYNC_AFTER_P99 $row events_per_s=$EVENTS_PER_S" \
			"events_batch=$EVENTS_BATCH events_connections=$EVENTS_CONNECTIONS" >>"$RESULTS"
	done
	echo "results: appended ${#ROWS[@]} lines to $RESULTS"
}

# Sourced (for trying one step alone), it defines the functions and stops.
[ "${BASH_SOURCE[0]}" != "$0" ] || main "$@"
