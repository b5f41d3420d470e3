#!/usr/bin/env bash
# The remediation loop at fleet scale (issue 12; a benchmark, not a test: it
# prints figures). Against a release build of cradled, with N devices
# (default 10,000) enrolled over EST by cradle-fleetsim and polling as
# cradle-agent does for the whole run:
#  1. the fleet runs 1.1.0, whose SBOM ships libwebp 1.3.1, and the NVD
#     record of CVE-2023-4863 is known (the finding exists, in triage);
#  2. the KEV catalogue is imported (timed from here): until the critical
#     vuln.actively_exploited event and the case exist; until the exposure
#     answer (every device exposed);
#  3. the fix 1.1.1 (libwebp 1.3.2) is published and a security campaign
#     selecting `affected_by` the CVE runs three waves (1 %, 10 %, 100 %,
#     5 s soak each): until it completes, and until the exposure is 0;
#  4. at each milestone: cradled's CPU seconds (utime + stime, /proc) and
#     resident memory (VmRSS, peak VmHWM).
# Reference on the same machine: the same fleet polling for 30 s with no
# campaign and no import (server CPU per poll, the idle cost), and the lower
# bound the poll interval puts on a rollout (each wave needs a poll, an
# install and a report, then its soak).
# The device side is simulated (installs take --install-delay); approvals are
# off (approvers = 0: the two people's time is not what is measured).
#   bench/remediation.sh [--devices N] [--interval SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
devices=10000; interval=30
while [[ $# -gt 0 ]]; do
  case "$1" in
    --devices) devices=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    *) echo "usage: bench/remediation.sh [--devices N] [--interval SECONDS]" >&2; exit 2 ;;
  esac
done

[[ -f build-release/build.ninja ]] || meson setup build-release --buildtype=release -Dtests=disabled >/dev/null
ninja -C build-release >/dev/null
export CRADLED=$PWD/build-release/src/server/cradled CRADLE=$PWD/build-release/src/cli/cradle
FLEETSIM=$PWD/build-release/tools/fleetsim/cradle-fleetsim
FEEDS=$PWD/tests/data/feeds SBOMS=$PWD/tests/data/sbom
source tests/e2e/lib.sh >/dev/null
SIM_PID=
cleanup() {
  [[ -n $SIM_PID ]] && { kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; }
  stop_server
  if [[ -n ${KEEP:-} ]]; then echo "kept $E2E_TMP"; else rm -rf "$E2E_TMP"; fi
}
trap cleanup EXIT
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$SERVER_PID/stat"; }
server_mem() { awk '/VmRSS/ {r = $2} /VmHWM/ {h = $2} END {printf "RSS %d MiB (peak %d MiB)", r / 1024, h / 1024}' "/proc/$SERVER_PID/status"; }
now() { date +%s.%N; }
T0=
milestone() { # LABEL
  printf '  %-58s +%7.1f s   server CPU %7s s   %s\n' "$1" "$(echo "$(now) - $T0" | bc)" "$(server_cpu)" "$(server_mem)"
}
# until_true SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds.
until_true() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    ((SECONDS < deadline)) || { echo "timed out: $*" >&2; exit 1; }
    sleep 0.2
  done
}

echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg); cradled $("$CRADLED" --version 2>&1 | head -1)"
init_server >/dev/null
sed -i 's/^level = .*/level = warn/; s/^evaluate_interval = .*/evaluate_interval = 1s/; s/^match_interval = .*/match_interval = 1s/' "$DATA/cradled.conf"
# Every simulated device comes from 127.0.0.1.
sed -i 's/^max_connections_per_ip = .*/max_connections_per_ip = 0/; s/^max_connections = .*/max_connections = 4096/' "$DATA/cradled.conf"
start_server >/dev/null
ota_setup >/dev/null 2>&1 || { echo "ota setup failed"; exit 1; }
openssl genpkey -algorithm ED25519 -out "$OTA/droot.key" 2>/dev/null && chmod 600 "$OTA/droot.key"
"$CRADLE" director init --root-key "$OTA/droot.key" --root-threshold 1 --out "$OTA/director-root.json" >/dev/null 2>&1

media_sbom() { # LIBWEBP-VERSION
  jq -n --arg v "$1" '{bomFormat: "CycloneDX", specVersion: "1.6", version: 1,
    metadata: {component: {type: "firmware", "bom-ref": "media", name: "media-module", version: "1"}},
    components: [{type: "library", "bom-ref": "libwebp", name: "libwebp", version: $v,
                  cpe: "cpe:2.3:a:webmproject:libwebp:\($v):*:*:*:*:*:*:*"}],
    dependencies: [{ref: "media", dependsOn: ["libwebp"]}]}'
}
release() { # VERSION SECURITY-VERSION LIBWEBP -> REL_ID (published, with its SBOMs)
  ota_publish "$1" "$2" >/dev/null
  media_sbom "$3" >"$E2E_TMP/media-$1.json"
  "$CRADLE" sbom upload "$REL_ID" "$SBOMS/buildroot.cdx.json" --module rootfs >/dev/null
  "$CRADLE" sbom upload "$REL_ID" "$E2E_TMP/media-$1.json" --module media >/dev/null
}

t=$(now)
# A device whose enrollment broke off (a loaded machine) is enrolled again on
# the next attempt; those already enrolled are skipped.
for attempt in 1 2 3; do
  CRADLE_TOKEN=$FACTORY_TOKEN "$FLEETSIM" enroll --url "$URL" --cacert "$CA" --est-label T1-EU --batch B1 \
    --count "$devices" --dir "$E2E_TMP/fleet" --parallel 8 >"$E2E_TMP/enroll.out" 2>&1 && break
  ((attempt < 3)) || { tail -n 3 "$E2E_TMP/enroll.out"; exit 1; }
done
printf 'enrollment of %d devices over EST: %.1f s\n' "$devices" "$(echo "$(now) - $t" | bc)"

# 1. The fleet runs 1.1.0 (written as its success reports leave it: the
#    rollout of 1.1.0 is not what is measured); the NVD record is known.
release 1.1.0 2 1.3.1; R110=$REL_ID
sqlite3 "$DATA/cradle.db" ".timeout 30000" "
  INSERT INTO device_update_state (device_id, installed_version, last_seen)
    SELECT id, '1.1.0', strftime('%s', 'now') FROM devices WHERE 1
    ON CONFLICT (device_id) DO UPDATE SET installed_version = '1.1.0';"
"$CRADLE" vuln import "$FEEDS/nvd-CVE-2023-4863.json" >/dev/null
"$CRADLE" findings match >/dev/null
"$FLEETSIM" run --url "$URL" --cacert "$CA" --dir "$E2E_TMP/fleet" --seconds 7200 --interval "$interval" \
  --jitter 20 --install-delay 1 --initial-version 1.1.0 --warm --max-inflight 64 --progress-every 0 --json \
  >"$E2E_TMP/sim.json" 2>"$E2E_TMP/sim.err" &
SIM_PID=$!
sleep "$interval"   # every device has polled once

# Reference: the fleet idling, no campaign, no import.
c0=$(server_cpu)
sleep 30
c1=$(server_cpu)
polls_30=$(awk -v n="$devices" -v i="$interval" 'BEGIN {printf "%d", n * 30 / i}')
printf 'reference: the fleet polling every %d s, nothing to do: server CPU %.2f s over 30 s (about %.3f ms per poll of %d), %s\n' \
  "$interval" "$(echo "$c1 - $c0" | bc)" "$(echo "($c1 - $c0) * 1000 / $polls_30" | bc -l)" "$polls_30" "$(server_mem)"
printf 'reference: lower bound of a 3-wave rollout at this poll interval: 3 x (%d s poll + 1 s install + 5 s soak) = %d s\n' \
  "$interval" $((3 * (interval + 6)))

echo "the loop, from the KEV import (times since it):"
T0=$(now)
"$CRADLE" vuln import "$FEEDS/kev-trimmed.json" >/dev/null
milestone "KEV catalogue imported"
event() { api GET "/api/v1/security-events?kind=vuln.actively_exploited" "$ADMIN_TOKEN"; [[ $(jqr '.items | length') -ge 1 ]]; }
until_true 120 event
milestone "critical event raised (the monitor matched it)"
kase() { api GET /api/v1/cases "$ADMIN_TOKEN"; [[ $(jqr '.items | length') -ge 1 ]]; }
until_true 60 kase
milestone "case open, actively exploited, clocks running"
exposed=$("$CRADLE" --json exposure CVE-2023-4863 | jq -r .exposed.devices)
milestone "exposure answered: $exposed devices exposed"

release 1.1.1 3 1.3.2; R111=$REL_ID
milestone "fix 1.1.1 published with its SBOM"
api POST /api/v1/campaigns "$ADMIN_TOKEN" "{\"name\": \"fix\", \"release_id\": $R111, \"security\": true,
  \"vulnerabilities\": [\"CVE-2023-4863\"], \"selector\": {\"product\": \"T1-EU\", \"affected_by\": \"CVE-2023-4863\"},
  \"waves\": [{\"size\": \"1%\", \"soak\": 5}, {\"size\": \"10%\", \"soak\": 5}, {\"size\": \"100%\", \"soak\": 5}]}"
CID=$(jqr .id)
members=$(jqr .devices.total)
api POST "/api/v1/campaigns/$CID/start" "$ADMIN_TOKEN" ''
milestone "security campaign created ($members members) and started"
done_waves=0
while :; do
  api GET "/api/v1/campaigns/$CID" "$ADMIN_TOKEN"
  n=$(jqr '[.waves[] | select(.completed_at != null)] | length')
  while ((done_waves < n)); do
    done_waves=$((done_waves + 1))
    milestone "wave $done_waves of 3 completed ($(jqr .devices.succeeded) devices updated)"
  done
  [[ $(jqr .status) == completed ]] && break
  kill -0 "$SIM_PID" 2>/dev/null || { echo "the simulator ended: $(tail -n 3 "$E2E_TMP/sim.err")"; exit 1; }
  sleep 0.5
done
milestone "campaign completed"
zero() { [[ $("$CRADLE" --json exposure CVE-2023-4863 | jq -r .exposed.devices) == 0 ]]; }
until_true 300 zero
milestone "exposure 0"
kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null || true; SIM_PID=
summary=$(tail -n 1 "$E2E_TMP/sim.json")
echo "fleet: $(jq -r '"\(.polls) polls, \(.reports) reports, poll p50 \(.poll_p50_ms) ms, p99 \(.poll_p99_ms) ms, failed polls \(.failed_polls)"' <<<"$summary")"
