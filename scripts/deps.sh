#!/usr/bin/env bash
# Installs the Debian packages creditref needs to build, test and benchmark.
# Idempotent: it asks apt for only what is missing, and does nothing when all is present.
set -euo pipefail

packages=(
  build-essential pkg-config
  librocksdb-dev                # embedded store (docs/storage.md: chosen by measurement)
  rocksdb-tools                 # ldb: the engine's own reader, for the privacy tests
  libsodium-dev                 # keyed hashing, AEAD, audit chain
  libjansson-dev                # JSON for HTTP bodies and tools
  libmicrohttpd-dev             # HTTP server (creditref serve)
  libcurl4-openssl-dev          # HTTP client for webhook deliveries (creditref serve)
  libjemalloc-dev               # the optimised build's allocator (Makefile)
  curl                          # the demo's ready-to-paste requests; server tests
  libcmocka-dev                 # unit tests
  libsqlite3-dev sqlite3        # benchmark peer
  python3                       # end-to-end test checkers
  cppcheck                      # static analysis in make test
  clang libclang-rt-14-dev      # libFuzzer: the fuzz smoke in make test, make fuzz
  libjs-chart.js                # the web console's charts, compiled into the server
  chromium chromium-driver python3-selenium   # the console's tests in a real browser
  fonts-wqy-microhei            # Chinese text in the browser tests' screenshots
)
bench=0
if [ "${1:-}" = "--bench" ]; then
  bench=1
  packages+=(libpq-dev postgresql)
  packages+=(liblmdb-dev)       # the engine comparison (bench/engine_proto.sh)
  packages+=(wrk)               # HTTP bench load generator (curl is above)
  # The scorecard's public-data comparison (bench/scorecard_public.sh): R,
  # and the packages that ship the credit data sets (modeldata's
  # credit_data, caret's GermanCredit).
  packages+=(r-base-core r-cran-modeldata r-cran-caret)
fi

# The HTTP bench's static peer: any of Debian's nginx builds will do.
nginx_pkg=""
if [ $bench = 1 ]; then
  nginx_pkg=nginx-light
  for p in nginx-light nginx nginx-core nginx-full nginx-extras; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      nginx_pkg=""
      break
    fi
  done
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && [ -z "$nginx_pkg" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
[ -n "$nginx_pkg" ] || exit 0

# nginx: bench/http.sh runs its own instance as the current user; the system
# service must not start (nor take port 80).  A policy-rc.d that answers 101
# keeps the package's scripts from starting it; one already in place (as in
# containers) is left as it is.
if ! apt-cache show "$nginx_pkg" >/dev/null 2>&1; then
  nginx_pkg=nginx
fi
echo "deps: installing $nginx_pkg (service not started)" >&2
policy=/usr/sbin/policy-rc.d
if [ ! -e $policy ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee $policy >/dev/null
  $SUDO chmod 755 $policy
  trap '$SUDO rm -f '"$policy" EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends "$nginx_pkg" >&2
if [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true
fi
