#!/usr/bin/env bash
# make crashtest: kill -9 trials against `creditref serve` under write load
# (tests/e2e/test_crash.py, CREDITREF_CRASH_ROUNDS of them) and against
# `creditref ingest` (tests/crash/ingest_kill.py).  Not part of make test.
# An ingest trial takes about 1.3 s on a 2-core machine (1,000 in about 22
# minutes).  A serve trial checks, after each restart, every write
# acknowledged since the first trial (the audit trail verified whole, every
# body sent again, every account's events counted), so trial n costs about n
# times the first: the first 24 took ten minutes, the 24th alone about a minute,
# and 1,000 would need those checks to become incremental.
#
# Usage: tests/crash/run.sh CREDITREF_BINARY [TRIALS]   (default 1000)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:?usage: run.sh CREDITREF_BINARY [TRIALS]}")
trials=${2:-1000}
failed=0
echo "== kill -9 of creditref serve under write load: $trials trials"
CREDITREF=$bin CREDITREF_CRASH_ROUNDS=$trials python3 "$here/../e2e/test_crash.py" || failed=1
echo "== kill -9 of creditref ingest: $trials trials"
CREDITREF=$bin python3 "$here/ingest_kill.py" "$trials" || failed=1
exit $failed
