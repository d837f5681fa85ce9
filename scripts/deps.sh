#!/usr/bin/env bash
# Installs the Debian packages creditref needs to build, test and benchmark.
# Idempotent: it asks apt for only what is missing, and does nothing when all is present.
set -euo pipefail

packages=(
  build-essential pkg-config
  liblmdb-dev lmdb-utils        # embedded store
  libsodium-dev                 # keyed hashing, AEAD, audit chain
  libjansson-dev                # JSON for HTTP bodies and tools
  libmicrohttpd-dev             # HTTP server (creditref serve)
  curl                          # the demo's ready-to-paste requests; server tests
  libcmocka-dev                 # unit tests
  libsqlite3-dev sqlite3        # benchmark peer
  python3                       # end-to-end test checkers
  cppcheck                      # static analysis in make test
)
if [ "${1:-}" = "--bench" ]; then
  packages+=(libpq-dev postgresql)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
