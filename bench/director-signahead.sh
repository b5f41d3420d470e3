#!/usr/bin/env bash
# The device request path at fleet scale (issue 8, section 4), one cradled,
# N enrolled devices each with its own certificate (not a test; prints figures):
#  1. every device polls director targets once (nothing assigned yet);
#  2. a release is assigned to all N (by tag) and every device polls once:
#     the time until all N were served (before: each poll re-signed its own
#     metadata in its own transaction; now the worker signs ahead in batches);
#     also how long the worker took to drain the queue;
#  3. after DIRECTOR_SEEN_INTERVAL (61 s) every device polls again: each
#     poll used to write last_seen in its own transaction (one fdatasync);
#     now they are noted in memory and written in one transaction;
#  4. tagging every device: one `cradle device tag` process per device (a
#     sample of 200, extrapolated) and `cradle device tag --add --serials-file`.
#   bench/director-signahead.sh [--devices N] [--workers W] [--wait-for-worker]
# With --wait-for-worker, step 2 polls only once the worker emptied the queue
# (the poll then only serves stored bytes); without it, polls start right
# after the assignment and race the worker.
# Uses the release build in build-release (meson setup build-release
# --buildtype=release), or CRADLED/CRADLE/FIRSTPOLL from the environment
# (to measure another tree, e.g. the code before this change).
set -euo pipefail
cd "$(dirname "$0")/.."
devices=10000; workers=8; wait_worker=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --devices) devices=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --wait-for-worker) wait_worker=1; shift ;;
    *) echo "usage: bench/director-signahead.sh [--devices N] [--workers W] [--wait-for-worker]" >&2; exit 2 ;;
  esac
done
if [[ -z "${CRADLED:-}" ]]; then
  [[ -f build-release/build.ninja ]] || meson setup build-release --buildtype=release >/dev/null
  ninja -C build-release >/dev/null
  export CRADLED=$PWD/build-release/src/server/cradled CRADLE=$PWD/build-release/src/cli/cradle
fi
FIRSTPOLL=${FIRSTPOLL:-$PWD/build-release/bench/firstpoll}
source tests/e2e/lib.sh >/dev/null
trap 'stop_server; rm -rf "$E2E_TMP"' EXIT
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", b-a}'; }

echo "machine: $(nproc) cores, $(uname -r); cradled $("$CRADLED" --version 2>&1 | head -1); $devices devices, $workers workers"
init_server >/dev/null
sed -i 's/^level = .*/level = warn/' "$DATA/cradled.conf"
start_server >/dev/null
ota_setup >/dev/null 2>&1 || { echo "ota_setup failed"; exit 1; }
openssl genpkey -algorithm ED25519 -out "$PKI/droot.key" 2>/dev/null && chmod 600 "$PKI/droot.key"
"$CRADLE" director init --root-key "$PKI/droot.key" --root-threshold 1 >/dev/null
db=$DATA/cradle.db

{ echo serial; seq -f 'B%05g' 1 "$devices"; } >"$E2E_TMP/serials.csv"
t0=$(now)
# A serial with a cert.pem is skipped, so a run cut short (a timeout on a
# loaded machine) is simply run again.
for _ in 1 2 3; do
  CRADLE_TOKEN=$FACTORY_TOKEN "$CRADLE" provision --product T1-EU --batch B1 --serials "$E2E_TMP/serials.csv" \
    --generate-keys --out "$E2E_TMP/bundles" >"$E2E_TMP/provision.out" 2>&1 && break
  echo "provision: exit $? ($(tail -1 "$E2E_TMP/provision.out")); again"
done
have=$(ls "$E2E_TMP"/bundles/*/cert.pem | wc -l)
[[ $have == "$devices" ]] || { echo "only $have of $devices devices provisioned"; exit 1; }
echo "provisioned $devices devices (EST, one key each) in $(secs "$t0" "$(now)") s"
# Server CPU (user + system, seconds) as well as wall time: on a machine
# shared with other work the wall time of a pass varies with their load, the
# server's CPU per poll much less.
cpu_s() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$SERVER_PID/stat"; }
# What the server had written to storage (bytes, /proc/PID/io write_bytes):
# a transaction per poll shows here as WAL pages.
io_w() { awk '/^write_bytes/ {print $2}' "/proc/$SERVER_PID/io"; }
poll() {
  local c0 w0 out
  c0=$(cpu_s); w0=$(io_w)
  out=$("$FIRSTPOLL" --url "$URL/device/v1/director/targets.json" --cacert "$CA" --certs "$E2E_TMP/bundles" --workers "$workers" "$@") || true
  echo "$out"
  echo "  server CPU for the pass: $(awk -v a="$c0" -v b="$(cpu_s)" -v n="$devices" 'BEGIN{printf "%.1f s, %.2f ms per poll", b-a, (b-a)*1000/n}');" \
    "written to storage: $(awk -v a="$w0" -v b="$(io_w)" 'BEGIN{printf "%.1f MiB", (b-a)/1048576}')"
}

echo
echo "== 1. every device polls once, nothing assigned =="
poll

echo
echo "== 2. a release assigned to all $devices devices, then every device polls once =="
# The tag is written straight into the table: old and new builds alike, and
# tagging is measured on its own below.
sqlite3 -cmd '.timeout 10000' "$db" "INSERT INTO device_tags (device_id, tag) SELECT id, 'fleet' FROM devices WHERE serial LIKE 'B%';"
has_queue=$(sqlite3 -cmd '.timeout 10000' "$db" "SELECT count(*) FROM sqlite_master WHERE name = 'director_sign_queue'")
queued() { sqlite3 -cmd '.timeout 10000' "$db" 'SELECT count(*) FROM director_sign_queue'; }
# assign_and_poll VERSION WAIT: assigns release VERSION ($2 = 1: poll once the
# worker has emptied the queue; 0: poll at once, racing it).
assign_and_poll() {
  local rel=$1 wait=$2 t0 t1 t2
  t0=$(now)
  "$CRADLE" device assign --release "$rel" --tag fleet >/dev/null
  t1=$(now)
  echo "assign release $rel --tag fleet ($devices devices): $(secs "$t0" "$t1") s"
  if [[ $wait == 1 && $has_queue == 1 ]]; then
    while [[ $(queued) != 0 ]]; do sleep 0.2; done
    echo "the worker signed all $devices ahead in $(secs "$t1" "$(now)") s after the assignment"
  fi
  t2=$(now)
  poll --expect "$3/rootfs.img"
  echo "from the assignment until every device was served the release: $(secs "$t1" "$(now)") s (polls started $(secs "$t1" "$t2") s after it)"
}
echo "-- 2a. polls start right after the assignment (racing the worker where there is one)"
assign_and_poll "$REL_ID" 0 1.0.0
ota_publish 1.1.0 2 r2 >/dev/null 2>&1 || { echo "publishing 1.1.0 failed"; exit 1; }
echo "-- 2b. release 1.1.0 assigned; polls start once the sign-ahead queue is empty (no queue before this change: at once)"
assign_and_poll "$REL_ID" 1 1.1.0
grep -E "signed targets ahead" "$LOG" | tail -2 || true

echo
echo "== 3. an interval later (61 s), every device polls again: each is due a last_seen =="
sleep 61
t3=$(date +%s)
poll
sqlite3 -cmd '.timeout 10000' "$db" "SELECT 'devices whose last_seen from this pass is in the database when it ends: ' || count(*) FROM device_update_state WHERE last_seen >= $t3;"

echo
echo "== 4. tagging every device =="
sample=$(( devices < 200 ? devices : 200 ))
t0=$(now)
for s in $(seq -f 'B%05g' 1 "$sample"); do "$CRADLE" device tag "$s" --tag fleet --tag pilot >/dev/null; done
t1=$(now)
echo "one process per device (cradle device tag SERIAL --tag ...): $sample in $(secs "$t0" "$t1") s," \
  "$(awk -v a="$t0" -v b="$t1" -v n="$sample" -v d="$devices" 'BEGIN{printf "%.0f s for %d devices", (b-a)/n*d, d}')"
if "$CRADLE" device tag --help 2>&1 | grep -q -- --serials-file; then
  seq -f 'B%05g' 1 "$devices" >"$E2E_TMP/serials.txt"
  t0=$(now)
  out=$("$CRADLE" device tag --add wave-1 --serials-file "$E2E_TMP/serials.txt")
  echo "cradle device tag --add wave-1 --serials-file ($devices devices): $(secs "$t0" "$(now)") s: $out"
fi
echo
echo "server RSS at the end: $(awk '/VmRSS/ {print $2, $3}' /proc/"$SERVER_PID"/status)"
