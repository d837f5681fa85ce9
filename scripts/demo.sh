#!/usr/bin/env bash
# make run: a demo bureau on the embedded store.  Generates a synthetic
# furnishing file, ingests it, and prints one person's report as a lender
# with their consent would see it.  Everything lives under ./demo/.
set -euo pipefail
bin=${1:-build/release/creditref}
dir=demo
asof=2026-06-30
rm -rf "$dir"
mkdir -p "$dir"
echo "== generating a synthetic bureau: 20000 people, 60 months, 1% bad lines"
"$bin" gen --subjects 20000 --seed 7 --consent-rate 0.6 --bad-rate 0.01 \
	--as-of "$asof" --out "$dir/furnish.jsonl"
echo "== creating the store and ingesting"
"$bin" init --db "$dir/db"
"$bin" ingest --db "$dir/db" --as-of "$asof" "$dir/furnish.jsonl"
echo "   (rejected lines, with line, field and reason: $dir/furnish.jsonl.rejects.jsonl)"
"$bin" stats --db "$dir/db"

# A person who consented to furnishing, with the most accounts among the first few.
id=$(grep -m 200 '"scope":"furnish"' "$dir/furnish.jsonl" | sed -n 's/.*"id":"\([0-9X]*\)".*/\1/p' |
	sort | uniq -c | sort -rn | awk 'NR==1{print $2}')
lender=$(grep -m1 '"type":"institution"' "$dir/furnish.jsonl" | sed -n 's/.*"code":"\([A-Z0-9]*\)".*/\1/p')
echo "== the person authorizes $lender to query for a loan approval"
"$bin" consent grant --db "$dir/db" --id "$id" --institution "$lender" --scope query \
	--purpose loan_approval --as-of "$asof"
echo "== the report $lender receives"
"$bin" report --db "$dir/db" --id "$id" --as "$lender" --purpose loan_approval \
	--format text --as-of "$asof"
echo
echo "Try: $bin report --db $dir/db --id <ID> --purpose self --format json --as-of $asof"
