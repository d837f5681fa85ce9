#!/usr/bin/env bash
# bench/supervision.sh - how long the supervision aggregates of one month
# take over a large store (docs/supervision.md, "Speed").  Not part of make
# test.
#
# usage: bench/supervision.sh [SRC_DB [MONTH [AS_OF]]]
# (env: SERVE_ONLY=1 skips the command-line runs; WARM_WAIT, COLD_MONTH,
# RANGE_FROM and RANGE_TO: the range built in one request)
#
# SRC_DB defaults to the kept 1M-person store of bench/scale.sh.  Reading
# aggregates writes an audit entry, so the store is copied first (into
# build/bench/supervision/db) and the source is only read.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=${1:-/work/main/build/bench/scale/s1000000/db}
MONTH=${2:-2026-05}
ASOF=${3:-2026-06-30}
OUT=${BENCH_OUT:-build/bench/supervision}
make -s -j2 all
mkdir -p "$OUT"
cp build/release/creditref "$OUT/creditref" # a rebuild meanwhile leaves the run alone
BIN=$OUT/creditref
if [ ! -d "$OUT/db" ]; then
	echo "copying $SRC ($(du -sh "$SRC" | cut -f1)) ..."
	cp -r "$SRC" "$OUT/db"
	cp "$SRC.key" "$OUT/db.key"
	chmod 600 "$OUT/db.key"
fi
echo "store: $($BIN stats --db "$OUT/db" | tr '\n' ' ')"
for by in $([ "${SERVE_ONLY:-0}" = 1 ] || echo institution product province prefecture); do
	/usr/bin/time -f "by=$by month=$MONTH: %e s wall, %M KB max RSS" \
		$BIN supervision aggregates --db "$OUT/db" --month "$MONTH" \
		--as-of "$ASOF" --by "$by" --format json > "$OUT/$by.json"
done
# The server keeps a month once built (sup_cache.h), and builds again
# ahead of expiry the months supervisors read (sup_warm.c).  A month's first
# request pays the walk; every grouping after that answers from memory.
SERVE_ONLY=${SERVE_ONLY:-0}
TOKEN=$($BIN keys add --db "$OUT/db" --role supervisor | head -1 | cut -c1-64)
$BIN serve --db "$OUT/db" --listen 127.0.0.1:0 --as-of "$ASOF" --timeout 600 \
	--rate-limit 0 > "$OUT/serve.out" 2> "$OUT/serve.err" &
SERVE=$!
trap 'kill $SERVE 2>/dev/null || true' EXIT
for _ in $(seq 100); do
	grep -q "serving on" "$OUT/serve.out" 2>/dev/null && break
	sleep 0.2
done
URL=$(grep -o "http://[0-9.:]*" "$OUT/serve.out")
get() {
	curl -s -o "$OUT/http-$2-$1.json" -H "Authorization: Bearer $TOKEN" \
		-w "GET month=$2 by=$1 $3: %{http_code} in %{time_total} s\n" \
		"$URL/v1/supervision/aggregates?month=$2&by=$1"
}
COLD=${COLD_MONTH:-2026-03}
for by in institution product province prefecture; do
	get $by "$MONTH" "$([ $by = institution ] && echo "(the first pays the walk)" || echo "(kept)")"
done
for by in institution product province prefecture institution; do
	get $by "$COLD" "$([ $by = institution ] && echo "(another month: the first pays the walk)" || echo "(kept)")"
done
# A range of months none of which is kept: one request, one walk for all
# of them (cr_sup_build_months), against the cold month above times the
# number of months.
RANGE_FROM=${RANGE_FROM:-2025-03}
RANGE_TO=${RANGE_TO:-2026-02}
curl -s -o "$OUT/http-range.json" -H "Authorization: Bearer $TOKEN" \
	-w "GET from=$RANGE_FROM to=$RANGE_TO by=product (none kept: one walk for every month): %{http_code} in %{time_total} s\n" \
	"$URL/v1/supervision/aggregates?from=$RANGE_FROM&to=$RANGE_TO&by=product"
curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" \
	-w "GET from=$RANGE_FROM to=$RANGE_TO by=institution (kept): %{http_code} in %{time_total} s\n" \
	"$URL/v1/supervision/aggregates?from=$RANGE_FROM&to=$RANGE_TO&by=institution"
kill $SERVE
wait $SERVE || true
/usr/bin/time -f "stats --monthly (the monthly aggregate's walk alone): %e s wall" \
	$BIN stats --monthly --db "$OUT/db" --month "$MONTH" --as-of "$ASOF" > /dev/null
