#!/usr/bin/env bash
# Installs everything schemac needs to build, test and run on Debian 12 (bookworm).
# Non-interactive and idempotent: re-running it is a no-op once everything is present.
# PostgreSQL 15 is installed with --no-upgrade so an existing server is never upgraded under a running cluster.
set -euo pipefail

packages=(
  # toolchain
  cmake ninja-build g++ pkg-config ccache make git
  # parser generator (tool 4.7.2 + C++ runtime 4.9) and what its CMake target links
  antlr4 libantlr4-runtime-dev default-jre-headless uuid-dev
  # libraries
  libpqxx-dev libfmt-dev catch2 libpg-query-dev libprotobuf-c-dev libcli11-dev nlohmann-json3-dev
  # tests and benchmarks
  iproute2 time util-linux
)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}" postgresql-15; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
regular=()
for p in "${missing[@]}"; do [ "$p" = postgresql-15 ] || regular+=("$p"); done
if [ "${#regular[@]}" -gt 0 ]; then
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${regular[@]}" >/dev/null
fi
for p in "${missing[@]}"; do
  if [ "$p" = postgresql-15 ]; then
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends --no-upgrade postgresql-15 >/dev/null
  fi
done
echo "install-deps: done"
