#!/usr/bin/env bash
# make run: a demo bureau on the embedded store.  Generates a synthetic
# furnishing file, ingests it, prints one person's report as a lender with
# their consent would see it, then serves the HTTP API and the web console
# on 127.0.0.1 with a demo key for each role, ready-to-paste curl commands,
# and last the console's address and the keys (Ctrl-C stops it).
# Everything lives under ./demo/.  CREDITREF_PORT picks the port (8080).
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
port=${CREDITREF_PORT:-8080}
echo "== demo API keys, one per role (also in $dir/keys.env; shown once, only hashes are stored)"
key() { "$bin" keys add --db "$dir/db" "$@" 2>/dev/null; }
furnisher=$(grep -a -m1 -F "\"id\":\"$id\",\"name\"" "$dir/furnish.jsonl" |
	sed -n 's/.*"institution":"\([A-Za-z0-9_-]*\)".*/\1/p')
{
	echo "FURNISHER_KEY=$(key --role furnisher --institution "$furnisher")"
	echo "LENDER_KEY=$(key --role lender --institution "$lender")"
	echo "SUBJECT_KEY=$(key --role subject --id "$id")"
	echo "SUPERVISOR_KEY=$(key --role supervisor)"
	echo "OPERATOR_KEY=$(key --role operator)"
	echo "DEMO_ID=$id"
} > "$dir/keys.env"
chmod 600 "$dir/keys.env"
grep _KEY= "$dir/keys.env"

"$bin" serve --db "$dir/db" --listen "127.0.0.1:$port" --as-of "$asof" --rate-limit 0 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server' INT TERM
for _ in $(seq 50); do
	curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done
u="http://127.0.0.1:$port"
cat <<EOF

== the API is up on $u (docs/api.md); paste these in another terminal:
   . $dir/keys.env
   curl -s $u/healthz
   curl -s -H "Authorization: Bearer \$LENDER_KEY" -d "{\\"id\\":\\"\$DEMO_ID\\",\\"purpose\\":\\"loan_approval\\"}" $u/v1/reports
   curl -s -H "Authorization: Bearer \$LENDER_KEY" -d "{\\"id\\":\\"\$DEMO_ID\\",\\"purpose\\":\\"loan_approval\\"}" $u/v1/scores
   curl -s -H "Authorization: Bearer \$SUBJECT_KEY" $u/v1/me/report
   curl -s -H "Authorization: Bearer \$SUBJECT_KEY" $u/v1/me/access
   grep -a '"institution":"$furnisher"' $dir/furnish.jsonl | head -1000 | curl -s -H "Authorization: Bearer \$FURNISHER_KEY" --data-binary @- $u/v1/furnish
   curl -s -H "Authorization: Bearer \$FURNISHER_KEY" "$u/v1/alerts?limit=5"
   curl -s -H "Authorization: Bearer \$SUPERVISOR_KEY" $u/v1/stats
   curl -s -H "Authorization: Bearer \$OPERATOR_KEY" $u/metrics
   curl -s -H "Authorization: Bearer \$SUPERVISOR_KEY" -d "{\\"id\\":\\"\$DEMO_ID\\",\\"purpose\\":\\"loan_approval\\"}" $u/v1/reports   # 403

== the web console (docs/console.md): open $u/ and sign in with a demo key:
   person      $(sed -n 's/^SUBJECT_KEY=//p' "$dir/keys.env")
   lender      $(sed -n 's/^LENDER_KEY=//p' "$dir/keys.env")
   furnisher   $(sed -n 's/^FURNISHER_KEY=//p' "$dir/keys.env")
   supervisor  $(sed -n 's/^SUPERVISOR_KEY=//p' "$dir/keys.env")
   operator    $(sed -n 's/^OPERATOR_KEY=//p' "$dir/keys.env")
   (the lender may ask for the person's report: ID \$DEMO_ID in $dir/keys.env, purpose loan approval)
Ctrl-C stops the server (it drains and exits cleanly).
EOF
wait $server
