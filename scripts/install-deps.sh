#!/usr/bin/env bash
# Installs every Debian package cirrus needs to build, test and benchmark.
# Idempotent and non-interactive: packages already present are left alone, so
# the Makefile can call it before every build at the cost of one dpkg query.
#
#   scripts/install-deps.sh           install what is missing
#   scripts/install-deps.sh --check   exit 1 (and list them) if any are missing
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build make python3 clang-format-14 gawk sqlite3 time
  # libraries (see docs/dependencies.md for why each one)
  libfmt-dev libcli11-dev nlohmann-json3-dev libeigen3-dev libboost-math-dev
  # the registry: SQLite (embedded default) and SHA-256 for the audit chain
  libsqlite3-dev libsodium-dev
  # PostgreSQL: the server the registry tests run against, and the client library
  postgresql libpqxx-dev
  # the simulator: TOML configs, portable random distributions, MPI across machines
  libtomlplusplus-dev libboost-random-dev libopenmpi-dev openmpi-bin
  # the R oracle for the survival engine
  r-base-core r-cran-survival r-cran-cmprsk r-cran-rpact
  # the R oracle for the longitudinal statistics (gls, emmeans, lmerTest)
  r-cran-nlme r-cran-emmeans r-cran-lmertest r-cran-numderiv
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # report checks: a real browser renders, screenshots and prints each report
  chromium poppler-utils libxml2-utils
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
if [[ "${1:-}" == "--check" ]]; then
  echo "missing packages: ${missing[*]}" >&2
  exit 1
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
