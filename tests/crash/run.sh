#!/usr/bin/env bash
# make crashtest: kill -9 trials against `creditref serve` under write load
# (tests/e2e/test_crash.py, CREDITREF_CRASH_ROUNDS of them) and against
# `creditref ingest` (tests/crash/ingest_kill.py).  Not part of make test.
# An ingest trial takes about 1.3 s on a 2-core machine (1,000 in about 22
# minutes).  A serve trial takes about 4 s, the same at the thousandth as at
# the first: its checks send again this round's writes and a sample of
# earlier ones, and the store is built anew every CREDITREF_CRASH_EPOCH (20)
# trials (tests/e2e/test_crash.py), so 1,000 take a little over an hour.
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
