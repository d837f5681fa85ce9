#!/usr/bin/env bash
# bench/supervision.sh - how long the supervision aggregates of one month
# take over a large store (docs/supervision.md, "Speed").  Not part of make
# test.
#
# usage: bench/supervision.sh [SRC_DB [MONTH [AS_OF]]]
#
# SRC_DB defaults to the kept 1M-person store of bench/scale.sh.  Reading
# aggregates writes an audit entry, so the store is copied first (into
# build/bench/supervision/db) and the source is only read.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=${1:-/work/main/build/bench/scale/s1000000/db}
MONTH=${2:-2026-10}
ASOF=${3:-2026-11-30}
BIN=build/release/creditref
OUT=build/bench/supervision
make -s -j2 all
mkdir -p "$OUT"
if [ ! -d "$OUT/db" ]; then
	echo "copying $SRC ($(du -sh "$SRC" | cut -f1)) ..."
	cp -r "$SRC" "$OUT/db"
	cp "$SRC.key" "$OUT/db.key"
	chmod 600 "$OUT/db.key"
fi
echo "store: $($BIN stats --db "$OUT/db" | tr '\n' ' ')"
for by in institution product province prefecture; do
	/usr/bin/time -f "by=$by month=$MONTH: %e s wall, %M KB max RSS" \
		$BIN supervision aggregates --db "$OUT/db" --month "$MONTH" \
		--as-of "$ASOF" --by "$by" --format json > "$OUT/$by.json"
done
/usr/bin/time -f "stats --monthly (the monthly aggregate's walk alone): %e s wall" \
	$BIN stats --monthly --db "$OUT/db" --month "$MONTH" --as-of "$ASOF" > /dev/null
