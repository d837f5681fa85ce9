#!/usr/bin/env bash
# pg.sh - a throwaway PostgreSQL 15 server for the benchmarks.
#
# It makes a new cluster (initdb) in a fresh directory under build/bench/,
# starts it listening on a Unix socket in that directory only (no TCP), and
# at the end stops it and removes the directory, also when the caller fails
# (trap).  Durability is the server's default: fsync=on,
# synchronous_commit=on, full_page_writes=on; only BENCH_PG_SETTINGS are
# added to postgresql.conf (by default a larger max_wal_size, so that the
# load is not cut by checkpoints forced by WAL volume, and the shared buffers
# a bulk load would be given; neither trades durability).  Authentication is
# "trust", which only the owner of that directory can reach.
#
# PostgreSQL refuses to run as root.  As root, the cluster is made and run
# as BENCH_PG_USER (default: nobody) through runuser; the directory is given
# to that user, and when it cannot reach build/bench/ (a parent directory it
# may not search) the server goes under ${TMPDIR:-/tmp} instead, with a note.
#
# Sourced (bench/run.sh does this), it defines:
#   pg_start [PARENT]  start a server under PARENT (default build/bench);
#                      sets PG_DIR and PG_CONNINFO (libpq keyword=value:
#                      host=PG_DIR port=5432 user=bench dbname=postgres);
#                      on failure prints why to stderr and returns 1
#   pg_stop            stop it and remove PG_DIR (safe to call twice)
#   pg_psql ARGS...    psql on that server
# Run, it starts a server, runs a command with PG_CONNINFO exported, and
# stops the server:
#   bash bench/pg.sh build/bench/ingest_pg "" data.jsonl 2026-06-30
#   bash bench/pg.sh psql            (then: \conninfo, or SQL)
# Knobs: PG_BINDIR (default /usr/lib/postgresql/15/bin), BENCH_PG_USER,
#        BENCH_PG_SETTINGS (default "max_wal_size=4GB shared_buffers=256MB").

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
BENCH_PG_SETTINGS=${BENCH_PG_SETTINGS-max_wal_size=4GB shared_buffers=256MB}
PG_DIR=
PG_CONNINFO=
PG_RUNAS=()

# pg__as CMD...: runs CMD as the server's user.
pg__as() { "${PG_RUNAS[@]}" "$@"; }

# pg__user: sets PG_RUNAS to run as a non-root user when we are root.
pg__user() {
	PG_RUNAS=()
	[ "$(id -u)" -eq 0 ] || return 0
	local user=${BENCH_PG_USER:-nobody}
	if ! id -u "$user" >/dev/null 2>&1; then
		echo "pg.sh: running as root and user '$user' does not exist; set BENCH_PG_USER to a non-root user" >&2
		return 1
	fi
	if [ "$(id -u "$user")" -eq 0 ]; then
		echo "pg.sh: BENCH_PG_USER=$user is root; PostgreSQL refuses to run as root" >&2
		return 1
	fi
	if ! command -v runuser >/dev/null; then
		echo "pg.sh: running as root and runuser (util-linux) is missing" >&2
		return 1
	fi
	PG_RUNAS=(runuser -u "$user" --)
}

# pg__mkdir PARENT: makes PG_DIR under PARENT, owned by the server's user
# and reachable by it; falls back to ${TMPDIR:-/tmp} when it is not.
pg__mkdir() {
	local parent=$1 base
	for base in "$parent" "${TMPDIR:-/tmp}"; do
		mkdir -p "$base" || continue
		PG_DIR=$(mktemp -d "$(realpath "$base")/pg.XXXXXX") || continue
		if [ ${#PG_RUNAS[@]} -gt 0 ]; then
			chown "${PG_RUNAS[2]}" "$PG_DIR" || { rm -rf "$PG_DIR"; PG_DIR=; continue; }
		fi
		chmod 700 "$PG_DIR"
		if pg__as test -w "$PG_DIR"; then
			[ "$base" = "$parent" ] ||
				echo "pg.sh: user ${PG_RUNAS[2]:-$(id -un)} cannot reach $parent; server under $PG_DIR" >&2
			return 0
		fi
		rm -rf "$PG_DIR"
		PG_DIR=
	done
	echo "pg.sh: no directory the server's user can write (tried $parent and ${TMPDIR:-/tmp})" >&2
	return 1
}

# pg__configure: the socket in PG_DIR, no TCP, then BENCH_PG_SETTINGS.
pg__configure() {
	local conf=$PG_DIR/data/postgresql.conf kv
	{
		echo "# bench/pg.sh"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$PG_DIR'"
		echo "port = 5432"
		for kv in $BENCH_PG_SETTINGS; do
			echo "${kv%%=*} = '${kv#*=}'"
		done
	} | pg__as tee -a "$conf" >/dev/null
}

pg_start() {
	local parent=${1:-build/bench} sock
	if [ ! -x "$PG_BINDIR/initdb" ] || [ ! -x "$PG_BINDIR/pg_ctl" ]; then
		echo "pg.sh: no initdb/pg_ctl in $PG_BINDIR (bash scripts/deps.sh --bench installs postgresql)" >&2
		return 1
	fi
	pg__user && pg__mkdir "$parent" || return 1
	sock="$PG_DIR/.s.PGSQL.5432"
	if [ ${#sock} -gt 100 ]; then
		echo "pg.sh: socket path $sock is too long for a Unix socket" >&2
		pg_stop
		return 1
	fi
	if ! pg__as "$PG_BINDIR/initdb" -D "$PG_DIR/data" -U bench --auth=trust \
		-E UTF8 --locale=C --no-instructions >"$PG_DIR/initdb.log" 2>&1; then
		echo "pg.sh: initdb failed:" >&2
		tail -n 20 "$PG_DIR/initdb.log" >&2
		pg_stop
		return 1
	fi
	pg__configure || { echo "pg.sh: cannot write postgresql.conf" >&2; pg_stop; return 1; }
	if ! pg__as "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
		start >/dev/null 2>&1; then
		echo "pg.sh: the server did not start:" >&2
		tail -n 20 "$PG_DIR/server.log" >&2
		pg_stop
		return 1
	fi
	PG_CONNINFO="host=$PG_DIR port=5432 user=bench dbname=postgres"
	export PG_CONNINFO
}

pg_stop() {
	[ -n "$PG_DIR" ] || return 0
	if [ -f "$PG_DIR/data/postmaster.pid" ]; then
		# A fast shutdown ends with a checkpoint that writes and syncs
		# what the load left in shared buffers: allow it minutes.
		if ! pg__as "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 600 stop \
			>"$PG_DIR/stop.log" 2>&1; then
			echo "pg.sh: pg_ctl stop failed; stopping immediately. The server said:" >&2
			tail -n 5 "$PG_DIR/stop.log" "$PG_DIR/server.log" >&2
			pg__as "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 60 stop \
				>/dev/null 2>&1 || echo "pg.sh: the server in $PG_DIR did not stop; it is left there" >&2
		fi
	fi
	if [ -f "$PG_DIR/data/postmaster.pid" ]; then
		PG_DIR=
		return 1
	fi
	rm -rf "$PG_DIR"
	PG_DIR=
	PG_CONNINFO=
}

pg_psql() {
	"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "$PG_CONNINFO" "$@"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	cd "$(dirname "$0")/.."
	if [ $# -eq 0 ]; then
		echo "usage: bash bench/pg.sh COMMAND [ARGS...]   (COMMAND psql: a psql session)" >&2
		exit 2
	fi
	trap pg_stop EXIT
	trap 'exit 130' INT TERM
	pg_start build/bench
	echo "pg.sh: server in $PG_DIR ($("$PG_BINDIR/postgres" --version))" >&2
	if [ "$1" = psql ]; then
		shift
		pg_psql "$@"
	else
		"$@"
	fi
fi
