#!/usr/bin/env bash
# bench/engine_proto.sh - LMDB against RocksDB on the candidate store layout.
#
# Builds bench/engine_proto.c into build/bench/engine_proto, then for each N
# (default 1,000,000 and 10,000,000 people) and engine: measures the
# fdatasync latency of the disk under build/bench/ (durable commits are
# bounded by it, and it moves with the machine's load), loads a fresh store
# under build/bench/engine/, measures it (bulk load, footprint, events,
# reads: see the top of engine_proto.c), deletes it, and prints one line per
# engine and N, then a table.  The lines
# are appended to build/bench/engine_results.txt; each run's progress and
# engine statistics stay in build/bench/engine/ENGINE.N.log.
#
# Usage: bash bench/engine_proto.sh [N...]
# Knobs: ENGINE_PROTO_ENGINES (default "rocksdb lmdb"), ENGINE_PROTO_ARGS
#        (more arguments for every run, e.g. "--rocks-compaction universal"
#        or "--layout subject"), CC.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=build/bench
WORK=$OUT/engine
BIN=$OUT/engine_proto
RESULTS=$OUT/engine_results.txt
ENGINES=${ENGINE_PROTO_ENGINES:-rocksdb lmdb}
EXTRA=${ENGINE_PROTO_ARGS:-}
BYTES_PER_PERSON_PEAK=6000  # RocksDB before compaction is ~4 KB a person

build() {
	local flags
	flags="-std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wvla -O2 -g"
	mkdir -p "$OUT" "$WORK"
	# shellcheck disable=SC2046,SC2086
	${CC:-cc} $flags -o "$BIN" bench/engine_proto.c \
		$(pkg-config --cflags --libs rocksdb lmdb libsodium) -lpthread
}

# Refuses a run the disk cannot hold: 60 GB for 10,000,000 people.
check_disk() {
	local n=$1 need_gb free_gb
	need_gb=$(( (n * BYTES_PER_PERSON_PEAK + 999999999) / 1000000000 ))
	free_gb=$(df -P -k "$WORK" | awk 'NR == 2 { print int($4 / 1048576) }')
	if (( free_gb < need_gb )); then
		echo "engine_proto: $n people need about $need_gb GB free under $WORK;" \
			"only $free_gb GB are free, not running them" >&2
		return 1
	fi
}

# One engine, one N: a fresh store, the program, the store deleted.
run_one() {
	local engine=$1 n=$2 dir=$WORK/$1.$2 t0 t1 load0 rc=0
	rm -rf "$dir"
	mkdir -p "$dir"
	"$BIN" fsync --dir "$OUT" | tee -a "$RESULTS"
	load0=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)
	t0=$(date +%s.%N)
	# shellcheck disable=SC2086
	"$BIN" run --engine "$engine" --dir "$dir" --people "$n" $EXTRA \
		>"$WORK/$engine.$n.out" 2>"$WORK/$engine.$n.log" || rc=$?
	t1=$(date +%s.%N)
	rm -rf "$dir"
	if (( rc != 0 )); then
		echo "engine_proto: $engine at $n people failed ($rc):" >&2
		tail -5 "$WORK/$engine.$n.log" >&2
		return 1
	fi
	grep '^engine=' "$WORK/$engine.$n.out" | tee -a "$RESULTS" "$SESSION"
	grep '^# ' "$WORK/$engine.$n.out" |
		awk -v t0="$t0" -v t1="$t1" -v l0="$load0" \
			-v l1="$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)" \
			'{ printf "%s wall_s=%.1f loadavg_before=%s loadavg_after=%s\n", $0, t1 - t0, l0, l1 }' |
		tee -a "$RESULTS"
}

table() {
	awk 'BEGIN {
		printf "%-8s %9s %11s %11s %8s %9s %10s %9s %9s\n", "engine",
			"people", "load_rps", "last10_rps", "B/am", "events/s",
			"ev_p99_ms", "read_p50", "read_p99"
	}
	{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		printf "%-8s %9s %11s %11s %8s %9s %10s %9s %9s\n", f["engine"],
			f["people"], f["load_rps"], f["load_rps_last10"],
			f["bytes_per_am"], f["events_per_s"], f["event_batch_p99_ms"],
			f["read_p50_us"], f["read_p99_us"]
	}'
}

main() {
	local failed=0 n engine people=("$@")
	(( ${#people[@]} )) || people=(1000000 10000000)
	build
	SESSION=$WORK/session.$$
	: >"$SESSION"
	echo "# $(date -u +%FT%TZ) $(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
		"engines=\"$ENGINES\" args=\"$EXTRA\" people=\"${people[*]}\"" >>"$RESULTS"
	for n in "${people[@]}"; do
		check_disk "$n" || { failed=1; continue; }
		for engine in $ENGINES; do
			run_one "$engine" "$n" || failed=1
		done
	done
	echo
	table <"$SESSION"
	rm -f "$SESSION"
	return $failed
}

main "$@"
