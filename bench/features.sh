#!/usr/bin/env bash
# bench/features.sh - the score's features for every person, next to one
# sequential read of the store (bench/features_rate.c says what is timed).
#
# Builds a store of BENCH_FEATURES_PEOPLE people (default 40,000) the way
# bench/scale.sh does, creditref gen --out - piped into creditref ingest -
# (60 months, seed 7, consent rate 0.6, as of 2026-06-30), compacts it, and
# keeps it in build/bench/features/ for later runs (delete the directory to
# build it again); then runs features_rate on it: features as of
# 2026-06-30, and a training table observed a year earlier with a 12-month
# horizon.
#
# Usage: bash bench/features.sh [path/to/creditref]     (not part of make test)
# Then times creditref score --all over the same store: people/s, next to
# features_rate's sequential read of the store, the ceiling.
# Knobs: BENCH_FEATURES_PEOPLE (40000; make bench uses 1,000,000),
# BENCH_FEATURES_ROUNDS (5), CC.
set -euo pipefail

cd "$(dirname "$0")/.."
CREDITREF=$(realpath "${1:-build/release/creditref}")
LIBCR="$(dirname "$CREDITREF")/libcreditref.a"
PEOPLE=${BENCH_FEATURES_PEOPLE:-40000}
ROUNDS=${BENCH_FEATURES_ROUNDS:-5}
ASOF=2026-06-30
OUT=build/bench
WORK=$OUT/features/p$PEOPLE

cflags="-std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wvla -O2 -g"
incs=$(for d in src/*/; do printf -- '-iquote %s ' "${d%/}"; done)
libs="$(pkg-config --libs rocksdb libsodium jansson) -lm -lpthread"
mkdir -p "$WORK"
# shellcheck disable=SC2086
${CC:-cc} $cflags $incs $(pkg-config --cflags rocksdb libsodium) \
	-o "$OUT/features_rate" bench/features_rate.c "$LIBCR" $libs

if [ ! -f "$WORK/done" ]; then
	rm -rf "$WORK/db" "$WORK/db.key"
	"$CREDITREF" init --db "$WORK/db" --key-file "$WORK/db.key" >/dev/null
	t0=$(date +%s.%N)
	"$CREDITREF" gen --subjects "$PEOPLE" --months 60 --seed 7 --consent-rate 0.6 \
		--bad-rate 0 --as-of "$ASOF" --out - 2>/dev/null |
		"$CREDITREF" ingest --db "$WORK/db" --key-file "$WORK/db.key" --as-of "$ASOF" -
	"$CREDITREF" compact --db "$WORK/db" --key-file "$WORK/db.key"
	echo "store: $PEOPLE people built in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
	touch "$WORK/done"
fi
"$CREDITREF" stats --db "$WORK/db" --key-file "$WORK/db.key" | grep -E '^(subjects|accounts|account_months|held_records)='
"$OUT/features_rate" "$WORK/db" "$WORK/db.key" "$ASOF" "$ROUNDS"
# Batch rescoring as the operator runs it: every person, the built-in
# model, one CSV row each (creditref score --all), wall clock around it.
t0=$(date +%s.%N)
"$CREDITREF" score --all --db "$WORK/db" --key-file "$WORK/db.key" --as-of "$ASOF" \
	--out "$WORK/scores.csv" 2>/dev/null | tail -n 1
awk -v a="$t0" -v b="$(date +%s.%N)" -v n="$(($(wc -l <"$WORK/scores.csv") - 1))" \
	'BEGIN { printf "rescore: people=%d seconds=%.1f people_per_s=%.0f\n", n, b - a, n / (b - a) }'
rm -f "$WORK/scores.csv"
