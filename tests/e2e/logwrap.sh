#!/usr/bin/env bash
# Runs the real creditref binary ($CREDITREF_REAL) and appends what it says on
# stderr, and on stdout for commands that print no personal data to an
# authorized reader, to $E2E_LOG, so that check_masking.py can search every
# byte the end-to-end suites made creditref print.
set -uo pipefail
case "${1:-}" in
  report|gen) exec "$CREDITREF_REAL" "$@" 2>> >(tee -a "$E2E_LOG" >&2) ;;
  dispute|consent|alerts)
    # list prints the person's own items to the person or the furnisher, or
    # an institution's alerts with its own account numbers to it.
    if [ "${2:-}" = list ]; then exec "$CREDITREF_REAL" "$@" 2>> >(tee -a "$E2E_LOG" >&2); fi ;;
esac
"$CREDITREF_REAL" "$@" > >(tee -a "$E2E_LOG") 2> >(tee -a "$E2E_LOG" >&2)
rc=$?
wait
exit $rc
