# bench/http_lib.sh - what bench/http.sh and bench/soak.sh share: small
# helpers, the store of generated people with a lender's query consents
# (built once in $DATA and copied to $RUN for each run), API keys, and
# starting and stopping `creditref serve`.  Sourced, after the caller has
# set CREDITREF, SUBJECTS, MONTHS, RUN, SERVER_THREADS and MAX_CONNS
# (BENCH_NAME prefixes the messages); it sets the rest below.

# The people's lender and furnisher, the purpose of the lender's consents,
# the business date, the generator's seed, and where the store is kept.
LENDER=L0001
FURNISHER=B0001
PURPOSE=loan_approval
ASOF=2026-06-30
SEED=7
OUT=build/bench
DATA=$OUT/http/data-s$SUBJECTS-m$MONTHS
TOKEN_RE='crk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}'

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
div() { awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN { printf f, (b > 0 ? a / b : 0) }'; }
# field NAME TEXT: the value of NAME=value in TEXT.
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -n1; }
die() { echo "${BENCH_NAME:-http bench}: $*" >&2; exit 1; }

# Open files: wrk holds one socket per connection, and so do nginx's workers
# and creditref serve; all of them inherit this shell's limit.  Raises the
# soft limit when the hard one allows, or stops with what to do.
check_nofile() {
	local need=$(($1 + 64)) soft hard
	soft=$(ulimit -n)
	[ "$soft" = unlimited ] || [ "$soft" -ge "$need" ] && return 0
	hard=$(ulimit -Hn)
	if [ "$hard" = unlimited ] || [ "$hard" -ge "$need" ]; then
		ulimit -n "$need"
		echo "${BENCH_NAME:-http bench}: ulimit -n raised from $soft to $need for $1 connections"
		return 0
	fi
	die "$1 connections need about $need open files; ulimit -n is $soft (hard limit $hard): raise the hard limit (limits.conf, or ulimit -Hn as root) or shorten BENCH_HTTP_CONNECTIONS_LIST"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The generated people, their query consents to the lender, and the store,
# kept in $DATA between runs (BENCH_HTTP_REBUILD=1 makes them anew, and so
# does a store this creditref cannot open).  The
# generated file itself is removed once ingested; the IDs and the
# furnisher's open accounts stay, for wrk.
prepare_data() {
	if [ -f "$DATA/ready" ] && [ "${BENCH_HTTP_REBUILD:-0}" != 1 ]; then
		if "$CREDITREF" stats --db "$DATA/db" >/dev/null 2>&1; then
			echo "data: reusing $DATA ($(cat "$DATA/ready"))"
			return
		fi
		echo "data: this creditref cannot open the store in $DATA; making it anew"
	fi
	rm -rf "$DATA"
	mkdir -p "$DATA"
	local t0 t1 t2 t3 out
	t0=$(now)
	out=$("$CREDITREF" gen --subjects "$SUBJECTS" --months "$MONTHS" --seed "$SEED" \
		--consent-rate 1 --bad-rate 0 --as-of "$ASOF" --out "$DATA/gen.jsonl")
	echo "data: gen $out"
	t1=$(now)
	# Account lines start {"type":"account","institution":X,"account":N,
	# "id_type":"resident","id":ID; a person's accounts are consecutive.
	LC_ALL=C grep '^{"type":"account",' "$DATA/gen.jsonl" |
		LC_ALL=C awk -F'"' -v ids="$DATA/ids.txt" -v accts="$DATA/accounts.txt" -v inst="$FURNISHER" '
			$6 != "institution" || $10 != "account" || $18 != "id" { exit 1 }
			$20 != last { print $20 > ids; last = $20 }
			$8 == inst && index($0, "\"status\":") == 0 { print $12 > accts }' ||
		die "account lines are not laid out as expected: $(grep -m1 '^{"type":"account",' "$DATA/gen.jsonl")"
	awk -v lender="$LENDER" -v purpose="$PURPOSE" 'BEGIN {
			print "{\"type\":\"institution\",\"code\":\"" lender "\",\"name\":\"基准银行\",\"kind\":\"bank\"}" }
		{ print "{\"type\":\"consent\",\"id\":\"" $1 "\",\"institution\":\"" lender \
			"\",\"scope\":\"query\",\"purpose\":\"" purpose \
			"\",\"granted\":\"2026-01-01\",\"expires\":\"2027-01-01\"}" }' \
		"$DATA/ids.txt" >"$DATA/lender.jsonl"
	t2=$(now)
	"$CREDITREF" init --db "$DATA/db" >/dev/null
	out=$("$CREDITREF" ingest --db "$DATA/db" --as-of "$ASOF" "$DATA/gen.jsonl" "$DATA/lender.jsonl" | tail -n1)
	t3=$(now)
	echo "data: ingest $out"
	if [ "$(field rejected "$out")" != 0 ] || [ "$(field held "$out")" != 0 ]; then
		die "expected every line accepted: $out"
	fi
	rm -f "$DATA/gen.jsonl" "$DATA/lender.jsonl" "$DATA"/*.rejects.jsonl
	echo "subjects=$SUBJECTS months=$MONTHS lines=$(field submitted "$out")" \
		"gen_s=$(elapsed "$t0" "$t1") extract_s=$(elapsed "$t1" "$t2")" \
		"ingest_s=$(elapsed "$t2" "$t3") store_bytes=$(du -sb "$DATA/db" | cut -f1)" >"$DATA/ready"
	echo "data: made $DATA ($(cat "$DATA/ready"))"
}

# A fresh copy of the store for this run, so that the inquiries and events
# of earlier runs do not pile up in the reports.
copy_store() {
	local t0
	t0=$(now)
	rm -rf "$RUN/db" "$RUN/db.key"
	mkdir -p "$RUN"
	cp -a "$DATA/db" "$RUN/db"
	cp -a "$DATA/db.key" "$RUN/db.key"
	echo "data: copied the store in $(elapsed "$t0" "$(now)") s"
	# The copy is still being written back; the fsync probe and the first
	# rounds would time that.
	t0=$(now)
	find "$RUN/db" -type f -exec sync {} +
	echo "data: synced the copy in $(elapsed "$t0" "$(now)") s"
}

# issue_key ROLE INSTITUTION: prints a new API key.
issue_key() {
	local out
	out=$("$CREDITREF" keys add --db "$RUN/db" --role "$1" --institution "$2" 2>&1) ||
		die "creditref keys add --role $1 --institution $2 failed: $out"
	grep -Eo "$TOKEN_RE" <<<"$out" | head -n1 || die "no key in: $out"
}

start_server() {
	"$CREDITREF" serve --db "$RUN/db" --listen 127.0.0.1:0 --as-of "$ASOF" \
		--rate-limit 0 --threads "$SERVER_THREADS" --max-connections "$MAX_CONNS" \
		>"$RUN/serve.out" 2>"$RUN/serve.err" &
	SERVER_PID=$!
	local i
	for i in $(seq 1 300); do
		BASE=$(grep -Eo 'http://127\.0\.0\.1:[0-9]+' "$RUN/serve.out" | head -n1 || true)
		[ -n "$BASE" ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || die "creditref serve exited: $(cat "$RUN/serve.err")"
		sleep 0.1
	done
	[ -n "$BASE" ] || die "creditref serve printed no address in 30 s"
	for i in $(seq 1 100); do
		curl -sf -o /dev/null "$BASE/healthz" && break
		sleep 0.1
	done
	curl -sf -o /dev/null "$BASE/healthz" || die "GET $BASE/healthz does not answer 200"
	echo "server: creditref serve on $BASE (pid $SERVER_PID, --threads $SERVER_THREADS)"
}

stop_server() {
	[ -n "$SERVER_PID" ] || return 0
	local rc=0
	kill -TERM "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" || rc=$?
	[ "$rc" = 0 ] || echo "server: creditref serve exited $rc after SIGTERM" >&2
	SERVER_PID=""
}
