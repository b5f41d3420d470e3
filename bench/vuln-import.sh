#!/usr/bin/env bash
# Vulnerability feed import benchmark (issue 9; not a test; prints figures):
#  1. bench/gen-nvd.py writes N (default 250,000) synthetic CVE records shaped
#     like the NVD CVE API 2.0 yearly feeds (about 1.8 KB each);
#  2. reference lines over the same file: sha256sum (reading it once) and
#     jq -c '.vulnerabilities | length' (a whole-document JSON parse);
#  3. POST /api/v1/vulns/import of the file (as `cradle vuln import` sends
#     it; curl -T streams it, with no client deadline so a slow machine
#     still reports a figure) against a release cradled: wall time of the
#     upload + import, and cradled's peak RSS (VmHWM) and its growth;
#  4. the same file again (every record unchanged: nothing is written);
#  5. a modified delta: the same records with a new lastModified (every
#     record updated, affected rows replaced, all queued for matching).
# Goal (issue 9): the first import of 250,000 records under 60 s.
#   bench/vuln-import.sh [--records N] [--build DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
records=250000; build=build-bench
while [[ $# -gt 0 ]]; do
  case "$1" in
    --records) records=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "usage: bench/vuln-import.sh [--records N] [--build DIR]" >&2; exit 2 ;;
  esac
done

[[ -f $build/build.ninja ]] || meson setup "$build" -Dtests=disabled -Dbuildtype=release >/dev/null
ninja -C "$build" src/server/cradled src/cli/cradle >/dev/null
export CRADLED=$PWD/$build/src/server/cradled CRADLE=$PWD/$build/src/cli/cradle
source tests/e2e/lib.sh >/dev/null
trap 'stop_server; if [[ -n ${KEEP:-} ]]; then echo "kept $E2E_TMP"; else rm -rf "$E2E_TMP"; fi' EXIT

echo "machine: $(nproc) cores, $(uname -r); build $build ($(grep -m1 -o "buildtype=[a-z]*" "$build/meson-info/intro-buildoptions.json" 2>/dev/null || echo release))"
feed=$E2E_TMP/nvdcve-2.0-bench.json
delta=$E2E_TMP/nvdcve-2.0-modified.json
python3 bench/gen-nvd.py "$records" "$feed"
python3 bench/gen-nvd.py "$records" "$delta" --modified-suffix Z
size=$(stat -c %s "$feed")
printf 'feed: %d records, %.1f MB\n' "$records" "$(echo "$size / 1000000" | bc -l)"

secs() { local t0=$1 t1=$2; echo "$t1 - $t0" | bc -l; }
t0=$(date +%s.%N); sha256sum "$feed" >/dev/null; t1=$(date +%s.%N)
printf 'reference: sha256sum of the file: %.1f s\n' "$(secs "$t0" "$t1")"
ref=$( { /usr/bin/time -f '%e %M' jq -c '.vulnerabilities | length' "$feed" >/dev/null; } 2>&1 | tail -1)
printf "reference: jq '.vulnerabilities | length' (whole-document parse): %s s, peak RSS %d MB\n" \
  "${ref% *}" "$(( ${ref#* } / 1024 ))"

init_server >/dev/null
sed -i 's/^level = .*/level = warn/' "$DATA/cradled.conf"
start_server >/dev/null
SO=$(make_token so-1 security-officer)
printf 'Authorization: Bearer %s\n' "$SO" >"$E2E_TMP/auth-header"
rss() { awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$SERVER_PID/status"; }
base=$(rss)

run() {
  local label=$1 file=$2
  local t0 t1 out
  t0=$(date +%s.%N)
  out=$(curl -sS --cacert "$CA" -H @"$E2E_TMP/auth-header" -H 'Content-Type: application/octet-stream' \
    -X POST -T "$file" "$URL/api/v1/vulns/import?name=$(basename "$file")")
  t1=$(date +%s.%N)
  printf '%s: %.1f s (%.0f records/s); %s; cradled peak RSS %d MB (at start %d MB)\n' "$label" \
    "$(secs "$t0" "$t1")" "$(echo "$records / ($t1 - $t0)" | bc -l)" \
    "$(jq -r '.sources.nvd | "added \(.added), updated \(.updated), unchanged \(.unchanged), skipped \(.skipped)"' <<<"$out")" \
    "$(rss)" "$base"
}
run "first import" "$feed"
run "re-import (unchanged)" "$feed"
run "modified delta (every record changed)" "$delta"
db=$(stat -c %s "$DATA/cradle.db")
printf 'database: %.0f MB; %s affected rows; %s queued for matching\n' "$(echo "$db / 1000000" | bc -l)" \
  "$(sqlite3 "$DATA/cradle.db" 'SELECT count(*) FROM vuln_affected')" \
  "$(sqlite3 "$DATA/cradle.db" 'SELECT count(*) FROM vuln_match_queue')"
