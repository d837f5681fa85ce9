#!/usr/bin/env bash
# scripts/model.sh - fits the bureau's default scorecard, models/default.scorecard,
# on generated data, reproducibly (make model; docs/scoring.md, "The default model").
#
# 40,000 people, 60 months to 2026-06-30, generator seed 11, streamed into a
# fresh store; the scorecard is fitted on the bureau's own files: features as
# of 2025-06-30, bad = 90+ days past due within the next 12 months.  The same
# binary and seed give the same model, byte for byte.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CREDITREF=${1:-build/release/creditref}
OUT=${2:-models/default.scorecard}
work=$(mktemp -d -t creditref-model.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$CREDITREF" init --db "$work/db" >/dev/null
"$CREDITREF" gen --subjects 40000 --months 60 --seed 11 --as-of 2026-06-30 --out - |
	"$CREDITREF" ingest --db "$work/db" --as-of 2026-06-30 - >/dev/null
"$CREDITREF" scorecard fit --db "$work/db" --observe 2025-06-30 --horizon 12 \
	--model-id cr-default-1 --out "$OUT" --report "$work/report" | tail -n 1
echo "model: $OUT"
