#!/usr/bin/env bash
# A publication under faults (docs/ota.md, "Files and rows"): the database
# commit fails, cradled dies after staging the files and before the commit,
# the disk is full (a small tmpfs when the test runs as root, the enospc
# fault point otherwise), and cradled dies after the commit and before the
# switch of timestamp.json. After each fault and a restart, /repo must serve
# a consistent repository whose versions never went down, the answer and
# the release must say what happened, and both cradle-agent and tuf-js (each
# keeping the trusted metadata it had before the fault) must accept it; the
# retry publishes and both install from it.
# Faults are armed with CRADLE_FAULT (src/core/fault.h), which only test
# builds compile in.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ota-agent-lib.sh"

if [[ ${CRADLE_FAULT_INJECTION:-0} != 1 ]]; then
  echo "1..0 # SKIP cradled is built without fault injection (-Dfault_injection)"; exit 0
fi

# The data directory on a small tmpfs, so the disk can really fill up (hard
# links into the repository need one file system for images and repo).
TMPFS=
mkdir -p "$E2E_TMP/data"
if mount -t tmpfs -o size=48m tmpfs "$E2E_TMP/data" 2>/dev/null; then TMPFS=$E2E_TMP/data; fi
cleanup() { stop_server; if [[ -n $TMPFS ]]; then umount "$TMPFS" 2>/dev/null && rmdir "$TMPFS"; TMPFS=; fi; }
trap cleanup EXIT
finish_faults() { cleanup; finish; }
rmdir "$E2E_TMP/data" 2>/dev/null || true
TJ=$CRADLE_SOURCE_ROOT/tests/interop/tuf-js
if [[ ! -d $TJ/node_modules/tuf-js ]]; then
  (cd "$TJ" && npm ci --silent --no-audit --no-fund >/dev/null 2>&1) || { tap_fail "npm ci tuf-js"; finish_faults; exit 1; }
fi

init_server && start_server || { tap_fail "server starts"; finish_faults; exit 1; }
ota_setup || { tap_fail "ota setup (repository, release 1.0.0)"; finish_faults; exit 1; }
R100=$REL_ID; SHA100=$IMG_SHA
repo=$DATA/repo/$OTA_MODEL
db=$DATA/cradle.db

# --- a device running 1.0.0 and a tuf-js client that saw the repository -------
SERIAL=T1-000077
agent_device_setup "$SERIAL" || { tap_fail "device setup"; finish_faults; exit 1; }
"$CRADLE" device assign --release "$R100" --device "$SERIAL" >/dev/null 2>&1
agent once >/dev/null && agent boot >/dev/null && [[ $(agent confirm) == confirmed ]] \
  || { tap_fail "the device installs 1.0.0" "$(tail -n 5 "$DEV/agent.log")"; finish_faults; exit 1; }
tufjs() { # tufjs TARGET: refresh with the same trusted store every time
  NODE_EXTRA_CA_CERTS=$CA node "$TJ/refresh.mjs" "$OTA_REPO_URL/" "$OTA_REPO_URL/targets/" "$OTA_ROOT" "$E2E_TMP/tj" "$1" 2>&1
}
expect_eq "tuf-js refreshes before any fault" "$(tufjs 1.0.0/rootfs.img)" "OK $SHA100"

# served: "timestamp snapshot targets" as /repo serves them.
served() {
  local ts sn tg
  ts=$(curl -fsS --cacert "$CA" "$OTA_REPO_URL/timestamp.json") || { echo "unreachable"; return; }
  sn=$(jq -r '.signed.meta["snapshot.json"].version' <<<"$ts")
  tg=$(curl -fsS --cacert "$CA" "$OTA_REPO_URL/$sn.snapshot.json" | jq -r '.signed.meta["targets.json"].version')
  echo "$(jq -r .signed.version <<<"$ts") $sn $tg"
}
last=(0 0 0)
# monotonic WHAT: the served versions never go down (each of the three).
monotonic() {
  local now; read -r -a now <<<"$(served)"
  if (( now[0] >= last[0] && now[1] >= last[1] && now[2] >= last[2] )); then
    tap_ok "$1: served versions never go down (${last[*]} -> ${now[*]})"
  else
    tap_fail "$1: served versions went down" "before: ${last[*]}" "now: ${now[*]}"
  fi
  last=("${now[@]}")
}
monotonic "before any fault"
# clients_accept WHAT TARGET SHA: the device and tuf-js, with what they trusted before.
clients_accept() {
  local out
  out=$(agent once); expect_eq "$1: cradle-agent accepts the repository" "$?" 0
  expect_eq "$1: the agent's trusted timestamp is the served one" \
    "$(jq -r .signed.version "$DEV/state/image-repo/timestamp.json")" "$(served | cut -d' ' -f1)"
  expect_eq "$1: tuf-js accepts the repository" "$(tufjs "$2")" "OK $3"
}
release_status() { api GET "/api/v1/releases/$1" "$ADMIN_TOKEN"; jqr .status; }
publish_audits() { sqlite3 "$db" "SELECT count(*) FROM audit_log WHERE action = 'release.publish' AND object = 'release:$1'"; }
restart() { # restart [CRADLE_FAULT value]
  stop_server
  if [[ -n ${1:-} ]]; then CRADLE_FAULT=$1 start_server; else start_server; fi
}
# died WHAT: cradled exited on its own with the fault's status.
died() {
  wait "$SERVER_PID" 2>/dev/null; local rc=$?; SERVER_PID=
  expect_eq "$1: cradled died at the fault point" "$rc" 86
}

# --- release 1.1.0: signed, not yet published ----------------------------------
out=$("$CRADLE" release create --product "$OTA_MODEL" --version 1.1.0 --security-version 2 --hardware-revision r2 --json)
R110=$(jq -r .id <<<"$out")
IMG=$OTA/rootfs-1.1.0.img; head -c 65536 /dev/urandom >"$IMG"; SHA110=$(sha256sum "$IMG" | cut -d' ' -f1)
"$CRADLE" release upload "$R110" "$IMG" --name rootfs.img >/dev/null && "$CRADLE" release prepare "$R110" >/dev/null &&
  "$CRADLE" release sign "$R110" --key "$OTA/t1.key" >/dev/null && "$CRADLE" release sign "$R110" --key "$OTA/t2.key" >/dev/null \
  || { tap_fail "release 1.1.0 signed"; finish_faults; exit 1; }
before=$(sha256sum "$repo/timestamp.json")

# --- 1. the commit fails --------------------------------------------------------
restart repo.publish.commit:fail
api POST "/api/v1/releases/$R110/publish" "$ADMIN_TOKEN"
expect_eq "commit fails: the answer is an error (500)" "$STATUS" 500
expect_eq "commit fails: the release stays signed" "$(release_status "$R110")" signed
expect_eq "commit fails: no publication is audited" "$(publish_audits "$R110")" 0
expect_eq "commit fails: timestamp.json is the one served before" "$(sha256sum "$repo/timestamp.json")" "$before"
restart
monotonic "commit fails, restart"
clients_accept "commit fails, restart" 1.0.0/rootfs.img "$SHA100"

# --- 2. cradled dies after staging, before the commit ----------------------------
restart repo.publish.commit:exit
api POST "/api/v1/releases/$R110/publish" "$ADMIN_TOKEN"
died "dies before the commit"
expect_eq "dies before the commit: timestamp.json is the one served before" "$(sha256sum "$repo/timestamp.json")" "$before"
start_server
expect_eq "dies before the commit: the release stays signed" "$(release_status "$R110")" signed
expect_eq "dies before the commit: the restart leaves timestamp.json alone" "$(sha256sum "$repo/timestamp.json")" "$before"
monotonic "dies before the commit, restart"
clients_accept "dies before the commit, restart" 1.0.0/rootfs.img "$SHA100"
check "dies before the commit: the restart removed the staged timestamp" \
  bash -c "! ls -A '$repo' | grep -q '^\.timestamp'"

# --- 3. the disk is full ---------------------------------------------------------
if [[ -n $TMPFS ]]; then
  head -c 100M /dev/zero >"$DATA/filler" 2>/dev/null
  api POST "/api/v1/releases/$R110/publish" "$ADMIN_TOKEN"
  expect_match "disk full (tmpfs): the answer is 507 (insufficient storage)" "$STATUS" '^507$'
  rm -f "$DATA/filler"
else
  echo "# no tmpfs (not root?): the full disk is the enospc fault point"
  restart repo.stage.snapshot:enospc
  api POST "/api/v1/releases/$R110/publish" "$ADMIN_TOKEN"
  expect_match "disk full (fault point): the answer is 507 (insufficient storage)" "$STATUS" '^507$'
fi
expect_eq "disk full: the release stays signed" "$(release_status "$R110")" signed
expect_eq "disk full: timestamp.json is the one served before" "$(sha256sum "$repo/timestamp.json")" "$before"
restart
monotonic "disk full, restart"
clients_accept "disk full, restart" 1.0.0/rootfs.img "$SHA100"

# --- the retry publishes ---------------------------------------------------------
api POST "/api/v1/releases/$R110/publish" "$ADMIN_TOKEN"
expect_eq "the retry publishes" "$STATUS" 200
expect_eq "the retry: published" "$(release_status "$R110")" published
expect_eq "the retry: one publication audited" "$(publish_audits "$R110")" 1
monotonic "the retry"
clients_accept "the retry" 1.1.0/rootfs.img "$SHA110"
"$CRADLE" device assign --release "$R110" --device "$SERIAL" >/dev/null 2>&1
agent once >/dev/null; agent boot >/dev/null
expect_eq "the retry: the device installs 1.1.0" "$(agent confirm) $(state .current.version)" "confirmed 1.1.0"
restart
monotonic "the retry, restart"

# --- 4. cradled dies after the commit, before the switch --------------------------
out=$("$CRADLE" release create --product "$OTA_MODEL" --version 1.2.0 --security-version 3 --hardware-revision r2 --json)
R120=$(jq -r .id <<<"$out")
IMG=$OTA/rootfs-1.2.0.img; head -c 65536 /dev/urandom >"$IMG"; SHA120=$(sha256sum "$IMG" | cut -d' ' -f1)
"$CRADLE" release upload "$R120" "$IMG" --name rootfs.img >/dev/null && "$CRADLE" release prepare "$R120" >/dev/null &&
  "$CRADLE" release sign "$R120" --key "$OTA/t1.key" >/dev/null && "$CRADLE" release sign "$R120" --key "$OTA/t2.key" >/dev/null \
  || tap_fail "release 1.2.0 signed"
before=$(sha256sum "$repo/timestamp.json")
restart repo.publish.switch:exit
api POST "/api/v1/releases/$R120/publish" "$ADMIN_TOKEN"
died "dies after the commit"
expect_eq "dies after the commit: timestamp.json is still the previous one" "$(sha256sum "$repo/timestamp.json")" "$before"
start_server
expect_eq "dies after the commit: the release is published (the commit happened)" "$(release_status "$R120")" published
for _ in $(seq 1 50); do [[ $(sha256sum "$repo/timestamp.json") != "$before" ]] && break; sleep 0.1; done
monotonic "dies after the commit, restart rolls forward"
expect_eq "dies after the commit: the restart serves the published targets" "$(served | cut -d' ' -f3)" \
  "$(sqlite3 "$db" "SELECT targets_version FROM releases WHERE id = $R120")"
clients_accept "dies after the commit, restart" 1.2.0/rootfs.img "$SHA120"
"$CRADLE" device assign --release "$R120" --device "$SERIAL" >/dev/null 2>&1
agent once >/dev/null; agent boot >/dev/null
expect_eq "dies after the commit: the device installs 1.2.0" "$(agent confirm) $(state .current.version)" "confirmed 1.2.0"
finish_faults
