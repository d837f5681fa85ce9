#!/usr/bin/env bash
# Rejects unsafe or banned C calls in the tree (in the spirit of curl's checksrc)
# and floating point near money fields.
set -u
cd "$(dirname "$0")/.."
status=0
if git grep -nE '\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|gets)\s*\(' -- 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c' 'fuzz/*.c'; then
  echo "checksrc: banned function above (use snprintf, memcpy with a length, strtol)" >&2
  status=1
fi
if git grep -nE '\b(double|float)\b[^;]*\b(amount|balance|limit|principal|paid|due|overdue)' -- 'src/*.c' 'src/*.h'; then
  echo "checksrc: floating point near a money field; money is int64_t minor units" >&2
  status=1
fi
# The operations layer (src/ops/ops.h) is the one place where the bureau
# acts: CLI commands and HTTP handlers parse, call an act and render.  They
# open, create and close a store, and nothing else of it.
if git grep -nE '\bcr_store_[a-z_]+\s*\(' -- 'src/cli/cmd_*.c' 'src/server/h_*.c' |
   grep -vE '\bcr_store_(open|close|create)\s*\('; then
  echo "checksrc: a command or handler calls the store above; call an act of src/ops/ops.h" >&2
  status=1
fi
# Audit entries are written by the operations layer only (op_audit.c), one
# writer per act of audit.h's CR_AUDIT_ACTS.
if git grep -nE '\bcr_audit_(append|batch_add|record|entry_init)\s*\(' -- 'src/*.c' |
   grep -vE '^src/(audit|ops)/'; then
  echo "checksrc: an audit entry is written above outside src/ops/; use a cr_op_audit_* writer" >&2
  status=1
fi
if command -v cppcheck >/dev/null; then
  incs=$(for d in src/*/; do printf -- '-I%s ' "$d"; done)
  # shellcheck disable=SC2086
  if ! cppcheck --enable=warning,performance,portability --inline-suppr --quiet \
       --error-exitcode=1 $incs src/; then
    echo "checksrc: cppcheck found problems above" >&2
    status=1
  fi
fi
exit $status
