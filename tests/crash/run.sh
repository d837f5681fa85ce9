#!/usr/bin/env bash
# make crashtest: kill -9 trials against `creditref serve` under write load
# (tests/e2e/test_crash.py, CREDITREF_CRASH_ROUNDS of them) and against
# `creditref ingest` (tests/crash/ingest_kill.py).  Not part of make test:
# 1,000 trials of each take about an hour on a 2-core machine.
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
