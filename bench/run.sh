#!/usr/bin/env bash
# BackyDB benchmark: bench/run.sh [--scale S] [--check] [--backy-config auto|full|zstd|raw] ...
# Installs what it needs (Debian: mydumper, zstd, time, mariadb-client), builds BackyDB, then runs
# bench/bench.py, which builds the dataset and compares the tools. See bench/README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

need=()
command -v mydumper >/dev/null 2>&1 || need+=(mydumper)
command -v myloader >/dev/null 2>&1 || need+=(mydumper)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
[ -x /usr/bin/time ] || need+=(time)
command -v mariadb-dump >/dev/null 2>&1 || need+=(mariadb-client)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  echo "bench: installing ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo apt-get install -y "${need[@]}" >/dev/null; then
    $sudo apt-get update >/dev/null
    $sudo apt-get install -y "${need[@]}" >/dev/null
  fi
fi

# build BackyDB now so that no timing includes the build (bin/backy builds on first use)
"$root/bin/backy" --version >/dev/null

exec python3 "$here/bench.py" "$@"
