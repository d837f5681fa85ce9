#!/usr/bin/env bash
# Runs the end-to-end suites against the creditref binary in $CREDITREF.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${CREDITREF:?set CREDITREF to the creditref binary}"
export CREDITREF
python3 "$here/test_e2e.py"
python3 "$here/test_prohibited.py"
