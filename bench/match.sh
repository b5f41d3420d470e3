#!/usr/bin/env bash
# Matching benchmark (issue 9 section 6; not a test, prints figures beside a
# reference): a 2,000-component SBOM against 250,000 synthetic affected
# entries shaped like the NVD 2.0 and OSV feeds, in memory (see bench/match.c;
# the store-backed figure is the findings engine's). The reference is
# sha256sum over the same entries written as JSON lines: the cost of merely
# reading those bytes once on this machine.
#   bench/match.sh [--entries N] [--components N] [--build DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
entries=250000; components=2000; build=build-bench
while [[ $# -gt 0 ]]; do
  case "$1" in
    --entries) entries=$2; shift 2 ;;
    --components) components=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "usage: bench/match.sh [--entries N] [--components N] [--build DIR]" >&2; exit 2 ;;
  esac
done
[[ -f $build/build.ninja ]] || meson setup "$build" --buildtype=release -Dtests=disabled >/dev/null
ninja -C "$build" bench/bench-match >/dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

echo "machine: $(nproc) cores, $(uname -r), load $(cut -d" " -f1-3 /proc/loadavg); build $build"
"$build/bench/bench-match" --entries "$entries" --components "$components" --dump "$tmp/entries.jsonl"
size=$(stat -c %s "$tmp/entries.jsonl")
/usr/bin/time -f '%e %U %S' -o "$tmp/sha.time" sha256sum "$tmp/entries.jsonl" >/dev/null
read -r wall usr sys < "$tmp/sha.time"
printf 'reference: sha256sum over the same %d entries as JSON lines (%.1f MiB): %s s wall, %.2f s CPU\n' \
  "$entries" "$(echo "$size / 1048576" | bc -l)" "$wall" "$(echo "$usr + $sys" | bc)"
