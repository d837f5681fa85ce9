#!/usr/bin/env bash
# Runs each unit-test binary given on the command line; prints one summary line.
set -u
pass=0 fail=0
for t in "$@"; do
  if "$t" >"$t.log" 2>&1; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAILED: $t" >&2
    cat "$t.log" >&2
  fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
