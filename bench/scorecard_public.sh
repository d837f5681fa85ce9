#!/usr/bin/env bash
# The scorecard trainer on public credit data, next to plain logistic
# regression in R on the same rows (docs/scoring.md, "On public data").
#
#   bash bench/scorecard_public.sh [path/to/creditref]
#   SPLITS=20 bash bench/scorecard_public.sh
#
# Needs R with the modeldata and caret packages, which ship the data sets
# (credit_data: 4,454 loans; GermanCredit: 1,000): scripts/deps.sh --bench
# installs them.  For each set it exports a CSV with a fixed 30% test
# split, runs creditref scorecard fit and apply on it, fits glm(bad ~ .,
# binomial) on the same training rows, and prints the held-out AUCs side by
# side, with R's own AUC of creditref's probabilities as a check of
# creditref's metric.  It takes under a minute.  Not part of make test.
#
# With SPLITS=N it then does the same on N other random splits (seeds 1 to
# N), one line each, and the mean difference of the held-out AUCs: one
# split of 1,346 or 308 test rows is a noisy yardstick, and the fixed one
# must not be the only one the trainer is judged on.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/release/creditref}
out=build/bench/scorecard
if ! command -v Rscript >/dev/null 2>&1 ||
   ! Rscript -e 'stopifnot(requireNamespace("modeldata", quietly = TRUE), requireNamespace("caret", quietly = TRUE))' >/dev/null 2>&1; then
  bash scripts/deps.sh --bench
fi
[ -x "$bin" ] || make --no-print-directory all
mkdir -p "$out"
Rscript bench/scorecard_public.R export "$out"
get() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2" | head -n 1; }
# compare DIR SET [REPORT]: fits and applies creditref and glm on DIR/SET.csv;
# prints one line.
compare() {
  local csv=$1/$2.csv report=() fit last features r
  [ -n "${3:-}" ] && report=(--report "$3")
  fit=$("$bin" scorecard fit --csv "$csv" --target bad --split-column split \
        --out "$1/$2.scorecard" "${report[@]}")
  last=$(tail -n 1 <<<"$fit")
  features=$(sed -n 's/^features=\([0-9]*\) .*/\1/p' <<<"$fit")
  "$bin" scorecard apply --model "$1/$2.scorecard" --csv "$csv" --out "$1/$2.scores.csv" >/dev/null
  r=$(Rscript bench/scorecard_public.R glm "$csv" "$1/$2.scores.csv")
  printf '%-12s %6s %6s %12s %12s %10s %12s\n' "$2" "$(get rows_train "$last")" \
    "$(get rows_test "$last")" "$(get auc_test "$last")" "$(get glm_auc_test "$r")" \
    "$features" "$(get creditref_auc_test_by_r "$r")"
}
printf '%-12s %6s %6s %12s %12s %10s %12s\n' "data" "train" "test" "creditref" "R glm" "features" "R on ours"
for set in credit_data german; do
  compare "$out" "$set" "$out/$set-report"
done
echo "held-out AUC; reports in $out/*-report/report.html"

if [ "${SPLITS:-0}" -gt 0 ]; then
  for seed in $(seq 1 "$SPLITS"); do
    mkdir -p "$out/seed$seed"
    Rscript bench/scorecard_public.R export "$out/seed$seed" "$seed"
    for set in credit_data german; do
      printf 'seed %-3s ' "$seed"
      compare "$out/seed$seed" "$set"
    done
  done | tee "$out/splits.txt"
  awk '{ d = $6 - $7; n[$3]++; s[$3] += d; if (d >= 0) w[$3]++ }
       END { for (k in n) printf "%-12s %d splits: creditref - glm = %+.4f on average, creditref at least glm on %d\n", k, n[k], s[k] / n[k], w[k] }' \
    "$out/splits.txt" | sort
fi

# Scoring speed in process, one core, on the larger model.
# shellcheck disable=SC2046
${CC:-cc} -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -g \
  $(for d in src/*/; do printf -- '-iquote %s ' "${d%/}"; done) \
  -o "$out/score_speed" bench/score_speed.c build/release/libcreditref.a \
  $(pkg-config --libs rocksdb libsodium jansson libmicrohttpd libcurl) -lm -lpthread
"$out/score_speed" "$out/credit_data.scorecard"
