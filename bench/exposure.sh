#!/usr/bin/env bash
# Exposure benchmark (not a test; prints figures): "which devices run a
# release affected by CVE-X and are not patched", over a large fleet.
#  1. a product with releases 1.0.0 and 1.1.0 (libwebp 1.3.1 in their SBOMs)
#     and 2.0.0 (libwebp 1.3.2), the real NVD record of CVE-2023-4863
#     imported and matched: 1.0.0 and 1.1.0 are affected, 2.0.0 is the fix;
#  2. N devices written straight into SQLite (enrolment is not what is
#     measured): all left the factory with 1.0.0; 60% updated to 1.1.0, 30% to
#     2.0.0 (with their success in the history), 10% never reported; three
#     batches made one after the other (consecutive ids, as enrolment at the
#     factory gives them), two hardware revisions. So 70% are exposed, 30%
#     patched;
#  3. `cradle exposure CVE-2023-4863` (counts by product, release, hardware
#     revision, member state and batch, and the first 100 devices), then with
#     --patched (with each device's update time), three times each: the
#     server's time from its access log, and the CLI's wall time.
# Reference on the same machine: one full pass over the fleet in the same
# database (sqlite3: COUNT(*) of devices joined with their update state),
# i.e. what any answer that reads every device costs at least.
#   bench/exposure.sh [--devices N] [--build DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
devices=1000000; build=build-bench
while [[ $# -gt 0 ]]; do
  case "$1" in
    --devices) devices=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "usage: bench/exposure.sh [--devices N] [--build DIR]" >&2; exit 2 ;;
  esac
done

[[ -f $build/build.ninja ]] || meson setup "$build" --buildtype=release -Dtests=disabled >/dev/null
ninja -C "$build" src/server/cradled src/cli/cradle >/dev/null
export CRADLED=$PWD/$build/src/server/cradled CRADLE=$PWD/$build/src/cli/cradle
source tests/e2e/lib.sh >/dev/null
trap 'stop_server; if [[ -n ${KEEP:-} ]]; then echo "kept $E2E_TMP"; else rm -rf "$E2E_TMP"; fi' EXIT

echo "machine: $(nproc) cores, $(uname -r); sqlite $(sqlite3 --version | cut -d' ' -f1); build $build"
init_server >/dev/null
sed -i 's/^level = .*/level = info/' "$DATA/cradled.conf"
start_server >/dev/null
identity_setup >/dev/null 2>&1
SO=$(make_token so-1 security-officer)
RM=$(make_token rm-1 release-manager)
db() { sqlite3 "$DATA/cradle.db" ".timeout 30000" "$@"; }

rel() { # VERSION LIBWEBP-VERSION
  api POST /api/v1/releases "$RM" \
    "{\"product\":\"T1-EU\",\"version\":\"$1\",\"security_version\":1,\"hardware_revisions\":[\"r1\",\"r2\"],\"notes\":\"n\"}"
  local id; id=$(jqr .id)
  db "UPDATE releases SET status = 'published', published_at = strftime('%s', 'now') WHERE id = $id;
      INSERT OR IGNORE INTO images (sha256, length, created_at) VALUES ('$(printf '%064d' 7)', 1, 1);
      INSERT INTO sbom_documents (release_id, module, sha256, media_type, format, spec_version, component_count,
        quality_score, quality, created_at, created_by) VALUES ($id, '', '$(printf '%064d' 7)',
        'application/vnd.cyclonedx+json', 'cyclonedx-json', '1.6', 1, 60, '{}', 1, 'rm-1');
      INSERT INTO sbom_components (document_id, ref, name, version, top_level) VALUES
        (last_insert_rowid(), 'libwebp', 'libwebp', '$2', 1);
      INSERT INTO sbom_component_idents VALUES (last_insert_rowid(), 'cpe',
        'cpe:2.3:a:webmproject:libwebp:$2:*:*:*:*:*:*:*', 1, 'webmproject:libwebp');
      INSERT INTO sbom_match_queue SELECT max(id), 1 FROM sbom_documents;"
}
rel 1.0.0 1.3.1; rel 1.1.0 1.3.1; rel 2.0.0 1.3.2
CRADLE_TOKEN=$SO "$CRADLE" vuln import tests/data/feeds/nvd-CVE-2023-4863.json >/dev/null
CRADLE_TOKEN=$SO "$CRADLE" findings match >/dev/null

t0=$(date +%s.%N)
db "INSERT INTO batches (product_id, name, hardware_revision, production_date, initial_firmware_version, created_at)
      SELECT product_id, 'B2', 'r1', '2026-11-02', '1.0.0', 1 FROM batches WHERE name = 'B1';
    INSERT INTO batches (product_id, name, hardware_revision, production_date, initial_firmware_version, created_at)
      SELECT product_id, 'B3', 'r2', '2026-11-03', '1.0.0', 1 FROM batches WHERE name = 'B1';
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $devices)
    INSERT INTO devices (serial, product_id, batch_id, hardware_revision, production_date, station,
      initial_firmware_version, status, origin, created_at)
    SELECT printf('S%08d', i), (SELECT id FROM products WHERE model = 'T1-EU'),
      (SELECT id FROM batches WHERE name = 'B' || (1 + (i - 1) * 3 / $devices)),
      CASE WHEN (i - 1) * 3 / $devices = 1 THEN 'r1' ELSE 'r2' END,
      '2026-11-01', 'line-1', '1.0.0', 'active', 'factory', 1 FROM n;
    INSERT INTO device_update_state (device_id, installed_version, last_seen)
      SELECT id, CASE WHEN id % 10 < 6 THEN '1.1.0' ELSE '2.0.0' END, 1 FROM devices WHERE id % 10 < 9;
    INSERT INTO device_update_history (device_id, time, stage, from_version, to_version, result)
      SELECT device_id, 1767225600 + device_id % 86400, 'success', '1.0.0', installed_version, 'success'
      FROM device_update_state;"
t1=$(date +%s.%N)
printf 'devices: %d rows (with update state and history) inserted in %.1f s\n' "$devices" "$(echo "$t1 - $t0" | bc)"

server_ms() { # the duration of the last exposure request in the access log
  grep -o 'GET /api/v1/exposure/[^ ]* 200 [0-9.]*ms' "$E2E_TMP/cradled.log" | tail -1 | grep -o '[0-9.]*ms$'
}
cpu_ms() { # cradled's user + system CPU so far, in ms (the machine is shared: wall time includes waiting)
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 1000 / hz }' "/proc/$SERVER_PID/stat"
}
run() { # LABEL ARGS...
  local label=$1; shift
  for k in 1 2 3; do
    local a b c0 c1 out
    c0=$(cpu_ms); a=$(date +%s.%N)
    out=$(CRADLE_TOKEN=$SO "$CRADLE" exposure CVE-2023-4863 --json "$@")
    b=$(date +%s.%N); c1=$(cpu_ms)
    printf '  %s run %d: server %s (CPU %d ms), cradle wall %.0f ms (exposed %s, patched %s, listed %s)\n' \
      "$label" "$k" "$(server_ms)" "$((c1 - c0))" "$(echo "($b - $a) * 1000" | bc)" "$(jq .exposed.devices <<<"$out")" \
      "$(jq .patched.devices <<<"$out")" "$(jq '.devices.items | length' <<<"$out")"
  done
}
echo "exposure over $devices devices:"
run "exposed list"
run "patched list" --patched
ref=$(printf '.timer on\nSELECT count(*) FROM devices d LEFT JOIN device_update_state st ON st.device_id = d.id WHERE d.status = %s;\n' "'active'" |
  sqlite3 "$DATA/cradle.db")
printf 'reference: one full pass over the fleet (sqlite3: COUNT(*) of active devices with their update state): %s devices, %s\n' \
  "$(head -1 <<<"$ref")" "$(grep -o 'real [0-9.]* user [0-9.]* sys [0-9.]*' <<<"$ref")"
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
