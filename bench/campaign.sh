#!/usr/bin/env bash
# Campaign benchmark (not a test; prints figures):
#  1. 100,000 devices (rows written directly with sqlite3: enrolment is not
#     what is measured) plus a few enrolled ones that make real requests;
#  2. POST /api/v1/campaigns over all of them: selection, conflict check,
#     reproducible ranking and wave membership (one INSERT ... SELECT);
#  3. start, and cradled's own evaluator offers the release to every device
#     (waves with success threshold 0 and no soak chain at once: 100,000
#     actions and assignments, 500 per transaction);
#  4. meanwhile, enrolled devices poll over mTLS (bench/loadgen: whoami and
#     director targets.json, which re-signs after an assignment and writes);
#     their p99 is compared with the same load without a campaign running;
#  5. GET /api/v1/campaigns/ID (progress over 100,000 members).
#   bench/campaign.sh [--devices N] [--workers N] [--build DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
devices=100000; workers=4; build=build-bench
while [[ $# -gt 0 ]]; do
  case "$1" in
    --devices) devices=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "usage: bench/campaign.sh [--devices N] [--workers N] [--build DIR]" >&2; exit 2 ;;
  esac
done

[[ -f $build/build.ninja ]] || meson setup "$build" -Dtests=disabled >/dev/null
ninja -C "$build" src/server/cradled src/cli/cradle bench/loadgen >/dev/null
export CRADLED=$PWD/$build/src/server/cradled CRADLE=$PWD/$build/src/cli/cradle
LG=$PWD/$build/bench/loadgen
source tests/e2e/lib.sh >/dev/null
trap 'stop_server; if [[ -n ${KEEP:-} ]]; then echo "kept $E2E_TMP"; else rm -rf "$E2E_TMP"; fi' EXIT

echo "machine: $(nproc) cores, $(uname -r); cradled $("$CRADLED" --version 2>&1 | head -1); build $build"
init_server >/dev/null
sed -i 's/^level = .*/level = warn/; s/^evaluate_interval = .*/evaluate_interval = 1s/' "$DATA/cradled.conf"
start_server >/dev/null
identity_setup >/dev/null 2>&1
RM=$(make_token rm-1 release-manager)

# Enrolled devices for the load (one per worker).
mkdir -p "$E2E_TMP/certs"
for i in $(seq 1 "$workers"); do
  d=L$i
  make_csr "$d" "$d" >/dev/null 2>&1 && est_enroll "$d" T1-EU "serial=$d&batch=B1" >/dev/null
  mkdir -p "$E2E_TMP/certs/$d"; cp "$PKI/$d.pem" "$E2E_TMP/certs/$d/cert.pem"; cp "$PKI/$d.key" "$E2E_TMP/certs/$d/key.pem"
done
openssl genpkey -algorithm ED25519 -out "$PKI/droot.key" 2>/dev/null && chmod 600 "$PKI/droot.key"
"$CRADLE" director init --root-key "$PKI/droot.key" --root-threshold 1 >/dev/null 2>&1

t0=$(date +%s.%N)
sqlite3 "$DATA/cradle.db" ".timeout 10000" "
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $devices)
INSERT INTO devices (serial, product_id, batch_id, hardware_revision, production_date, station,
  initial_firmware_version, status, origin, created_at)
SELECT printf('S%07d', i), (SELECT id FROM products WHERE model = 'T1-EU'), (SELECT id FROM batches WHERE name = 'B1'),
  'r2', '2026-11-01', 'line-1', '1.0.' || (i % 3), 'active', 'factory', strftime('%s', 'now') FROM n;"
t1=$(date +%s.%N)
printf 'devices: %d rows inserted in %.1f s\n' "$devices" "$(echo "$t1 - $t0" | bc)"

api POST /api/v1/releases "$RM" '{"product":"T1-EU","version":"2.0.0","security_version":2,"hardware_revisions":["r2"],"notes":"n"}'
REL=$(jqr .id)
sqlite3 "$DATA/cradle.db" ".timeout 10000" "UPDATE releases SET status = 'published', published_at = strftime('%s', 'now') WHERE id = $REL"

load() { # URL-PATH SECONDS [--new-handshake] -> loadgen's line
  "$LG" --url "$URL$1" --cacert "$CA" --certs "$E2E_TMP/certs" --seconds "$2" --workers "$workers" ${3:+"$3"}
}
echo "baseline (no campaign), $workers devices, keep-alive:"
echo "  whoami:       $(load /device/v1/whoami 10)"
echo "  targets.json: $(load /device/v1/director/targets.json 10)"

body=$(jq -nc --argjson r "$REL" '{name: "bench", release_id: $r,
  selector: {product: "T1-EU", installed_version: {min: "1.0", below: "1.1"}},
  waves: [{size: "1%", soak: 0, success_threshold: 0, max_failures: "100%"},
          {size: "10%", soak: 0, success_threshold: 0, max_failures: "100%"},
          {size: "50%", soak: 0, success_threshold: 0, max_failures: "100%"},
          {size: "100%", soak: 0, success_threshold: 0, max_failures: "100%"}]}')
printf 'Authorization: Bearer %s\n' "$RM" >"$E2E_TMP/auth-header"
# Let the evaluator thread compute the version keys of the new rows first
# (as it would have long before, in a real fleet), then load during create.
sleep 3
load /device/v1/director/targets.json 10 >"$E2E_TMP/during-create.txt" &
lp=$!
sleep 1
create=$(curl -sS --cacert "$CA" -H @"$E2E_TMP/auth-header" -H 'Content-Type: application/json' \
  --data-binary "$body" -o "$E2E_TMP/created.json" -w '%{http_code} %{time_total}' "$URL/api/v1/campaigns")
CID=$(jq -r .id "$E2E_TMP/created.json")
members=$(jq -r .devices.total "$E2E_TMP/created.json")
wait "$lp"
echo "create: HTTP ${create% *}, ${create#* } s for $members members (selector: product and a version range), waves $(jq -c '[.waves[].devices.total]' "$E2E_TMP/created.json")"
echo "during the create (10 s window), targets.json: $(cat "$E2E_TMP/during-create.txt")"

# Start, and load the device API while the evaluator offers to everyone.
api POST "/api/v1/campaigns/$CID/start" "$RM" ''
ts=$(date +%s.%N)
load /device/v1/director/targets.json 20 >"$E2E_TMP/during-targets.txt" &
lp=$!
offered=0
while :; do
  api GET "/api/v1/campaigns/$CID" "$RM"
  offered=$(jqr '.devices.offered + .devices.succeeded')
  [[ $offered -ge $members || $(jqr .status) == completed ]] && break
  sleep 1
done
te=$(date +%s.%N)
wait "$lp"
printf 'evaluate: %d offers (actions + assignments) in %.1f s (from start, cradled evaluator, chunks of 500)\n' \
  "$offered" "$(echo "$te - $ts" | bc)"
echo "during the evaluation (20 s window), targets.json: $(cat "$E2E_TMP/during-targets.txt")"
echo "after, whoami: $(load /device/v1/whoami 5)"
pt=$(curl -sS --cacert "$CA" -H @"$E2E_TMP/auth-header" -o /dev/null -w '%{time_total}' "$URL/api/v1/campaigns/$CID")
echo "progress: GET /api/v1/campaigns/$CID in $pt s over $members members"
