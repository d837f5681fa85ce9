#!/usr/bin/env bash
# Builds every fuzz/*.c target with clang's libFuzzer, ASan and UBSan against
# the library sources (all of src/*/*.c except the CLI), then runs each for
# FUZZ_SECONDS (default 60) with its corpus fuzz/corpus/<name>/ and, if
# present, its dictionary fuzz/<name>.dict.  New inputs go to a scratch
# corpus under build/fuzz/, so the seed corpus in git only grows by hand.
#
#   bash fuzz/run.sh            # every target
#   bash fuzz/run.sh jsonl      # only the named targets
#   FUZZ_SECONDS=600 bash fuzz/run.sh jsonl
#   FUZZ_RUNS=10000000 bash fuzz/run.sh http_body   # a number of executions,
#                                                   # however long they take
set -euo pipefail
cd "$(dirname "$0")/.."

# clang and its libFuzzer runtime come from scripts/deps.sh.
bash scripts/deps.sh

out=build/fuzz
mkdir -p "$out"
seconds=${FUZZ_SECONDS:-60}
incs=()
for d in src/*/; do incs+=(-iquote "${d%/}"); done
srcs=()
for f in src/*/*.c; do
  case "$f" in src/cli/*) ;; *) srcs+=("$f") ;; esac
done
# The server's sources need the OpenAPI document compiled in, as the Makefile does.
python3 scripts/embed.py docs/openapi.json cr_openapi_json > "$out/openapi_json.c"
srcs+=("$out/openapi_json.c")
python3 scripts/embed.py models/default.scorecard cr_default_model > "$out/default_model.c"
srcs+=("$out/default_model.c")
# ... and the web console's files (src/server/console.h).
python3 scripts/embed.py --assets cr_console_assets web/index.html web/console.css web/*.js \
  /usr/share/javascript/chart.js/chart.min.js > "$out/console_assets.c"
srcs+=("$out/console_assets.c")
# The Makefile's libraries (PKGS).
# shellcheck disable=SC2207
libs=($(pkg-config --libs rocksdb libsodium jansson libmicrohttpd libcurl 2>/dev/null ||
        echo -lrocksdb -lsodium -ljansson -lmicrohttpd -lcurl))
cflags=(-std=c17 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/*.c; do targets+=("$(basename "$f" .c)"); done
fi

# The library's objects, built once for every target (two at a time), and
# again only when a source or any header is newer than its object.
obj=$out/obj
mkdir -p "$obj"
newest_h=$(find src -name '*.h' -printf '%T@\n' | sort -n | tail -1)
stale=()
for f in "${srcs[@]}"; do
  o=$obj/$(echo "$f" | tr '/' '_' | sed 's/\.c$/.o/')
  if [ ! -f "$o" ] || [ "$f" -nt "$o" ] ||
     [ "$(stat -c %Y "$o")" -lt "${newest_h%.*}" ]; then
    stale+=("$f")
  fi
done
if [ ${#stale[@]} -gt 0 ]; then
  echo "fuzz: compiling ${#stale[@]} library sources" >&2
  printf '%s\n' "${stale[@]}" |
    xargs -P "${FUZZ_JOBS:-2}" -I{} sh -c \
      'clang "$@" -c "{}" -o "'"$obj"'/$(echo "{}" | tr / _ | sed "s/\.c\$/.o/")"' \
      sh "${cflags[@]/-fsanitize=fuzzer,/-fsanitize=fuzzer-no-link,}" "${incs[@]}"
fi
objs=("$obj"/*.o)

status=0
for t in "${targets[@]}"; do
  echo "fuzz: building $t" >&2
  # Linked under another name and renamed into place, and logged to a file
  # of this run's own: a long run of the same target (make fuzz) beside a
  # short one (make test) keeps its binary and its log.
  clang "${cflags[@]}" "${incs[@]}" -o "$out/$t.$$" "fuzz/$t.c" "${objs[@]}" "${libs[@]}" -lm -lpthread
  mv -f "$out/$t.$$" "$out/$t"
  log=$out/$t.$$.log
  mkdir -p "fuzz/corpus/$t" "$out/corpus/$t" "$out/artifacts/$t"
  if [ -n "${FUZZ_RUNS:-}" ]; then
    limit=(-runs="$FUZZ_RUNS")
  else
    limit=(-max_total_time="$seconds")
  fi
  args=("${limit[@]}" -max_len=4096 -timeout=10 -print_final_stats=1
        -artifact_prefix="$out/artifacts/$t/")
  [ -f "fuzz/$t.dict" ] && args+=(-dict="fuzz/$t.dict")
  echo "fuzz: running $t for ${FUZZ_RUNS:-${seconds}s}${FUZZ_RUNS:+ executions}" >&2
  started=$SECONDS
  if ! LSAN_OPTIONS="suppressions=fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
       "$out/$t" "${args[@]}" "$out/corpus/$t" "fuzz/corpus/$t" 2>"$log"; then
    tail -n 40 "$log" >&2
    echo "fuzz: $t found a failure; see $out/artifacts/$t/" >&2
    status=1
  fi
  runs=$(grep -ao 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  echo "fuzz: $t: $runs executions in $((SECONDS - started))s (log: $log)" >&2
done
exit $status
