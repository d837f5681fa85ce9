#!/usr/bin/env bash
# Runs every end-to-end suite (tests/e2e/test_*.py) against the creditref
# binary in $CREDITREF; all suites run even when one fails.  Every command
# goes through logwrap.sh, and check_masking.py then searches all it printed
# for unmasked identifiers.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${CREDITREF:?set CREDITREF to the creditref binary}"
export CREDITREF_REAL=$CREDITREF
export CREDITREF=$here/logwrap.sh
E2E_LOG=$(mktemp -t creditref-e2e-log.XXXXXX)
export E2E_LOG
trap 'rm -f "$E2E_LOG"' EXIT
failed=0
for suite in "$here"/test_*.py; do
  python3 "$suite" || failed=$((failed + 1))
done
python3 "$here/check_masking.py" "$E2E_LOG" || failed=$((failed + 1))
[ "$failed" -eq 0 ]
