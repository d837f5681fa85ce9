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
