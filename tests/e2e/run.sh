#!/usr/bin/env bash
# Runs every end-to-end suite (tests/e2e/test_*.py) against the creditref
# binary in $CREDITREF; all suites run even when one fails.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${CREDITREF:?set CREDITREF to the creditref binary}"
export CREDITREF
failed=0
for suite in "$here"/test_*.py; do
  python3 "$suite" || failed=$((failed + 1))
done
[ "$failed" -eq 0 ]
