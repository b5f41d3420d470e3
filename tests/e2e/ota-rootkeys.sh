#!/usr/bin/env bash
# Issue 7, finding 1: the director's online key must never install firmware,
# even where the image repository and the director once shared a root key.
#
#  1. The CLI and the server refuse a director root that shares a key with an
#     image repository root (the refusal is audited).
#  2. The attack, reproduced: a device provisioned with an image root and a
#     director root that share a root key (as operators could make them before
#     this fix); `cradle director rotate` (the documented recovery) signs
#     director root 2 with that key. An attacker holding only the director's
#     online key serves that director root as the image repository's
#     2.root.json, with image metadata signed by the director key, offering an
#     unpublished image with security version 99. TUF alone accepts the root
#     (it carries the shared key's signature); cradle-agent must refuse it
#     because it shares keys with the director's root, and leave the slots,
#     the floor and its trusted roots as they were.
#  3. Afterwards the genuine next release still installs.
#
# The shared-key state of step 2 cannot be made through cradled any more (step
# 1 is the proof): the director root is built here with jq and tuf-resign and
# written into the database with sqlite3, standing in for a server set up
# before the fix. Its roots carry no x-cradle-repository either
# (--no-repository-marker), as roots made before the fix do not: what stops
# the attack here is the key overlap alone. (So this script, run with
# CRADLE_AGENT pointing at an agent built before the fix, shows the attack
# installing the unpublished image.)
source "$(dirname "$0")/lib.sh"
: "${TUF_RESIGN:?TUF_RESIGN must point at tests/tools/tuf-resign}"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
OTA_INIT_FLAGS=--no-repository-marker ota_setup || { tap_fail "ota setup"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
DB=$DATA/cradle.db

# --- 1. the guards --------------------------------------------------------------------
out=$("$CRADLE" director init --root-key "$OTA/root.key" --root-threshold 1 2>&1); rc=$?
if [[ $rc -ne 0 && "$out" =~ "is a key of the image repository root of T1-EU" ]]; then
  tap_ok "cradle director init refuses the image repository's root key before signing"
else tap_fail "cradle director init refuses the image repository's root key" "rc=$rc" "$out"; fi

# The director root an operator could make before: the image root key as its
# root key, the server's online director key for the rest.
api GET /api/v1/director/online-keys "$ADMIN_TOKEN"
ONLINE_ID=$(jqr .targets.keyid); ONLINE_KEY=$(jq -c .targets.key <<<"$BODY")
ROOT_ID=$(jq -r '.signed.roles.root.keyids[0]' "$OTA_ROOT")
ROOT_KEY=$(jq -c --arg k "$ROOT_ID" '.signed.keys[$k]' "$OTA_ROOT")
EXPIRES=$(date -u -d '+300 days' +%Y-%m-%dT%H:%M:%SZ)
jq -n -c --arg rid "$ROOT_ID" --argjson rkey "$ROOT_KEY" --arg oid "$ONLINE_ID" --argjson okey "$ONLINE_KEY" \
  --arg exp "$EXPIRES" '{signed: {_type: "root", spec_version: "1.0.31", version: 1, expires: $exp,
    consistent_snapshot: false, keys: {($rid): $rkey, ($oid): $okey},
    roles: {root: {keyids: [$rid], threshold: 1}, targets: {keyids: [$oid], threshold: 1},
            snapshot: {keyids: [$oid], threshold: 1}, timestamp: {keyids: [$oid], threshold: 1}}},
    signatures: []}' >"$OTA/shared-director-1.json"
"$TUF_RESIGN" "$OTA/shared-director-1.json" "$OTA/shared-director-1.json" "$OTA/root.key" || tap_fail "tuf-resign"
api POST /api/v1/director/root "$ADMIN_TOKEN" "{\"root\": $(cat "$OTA/shared-director-1.json")}"
expect_eq "the server refuses a director root sharing the image root key (400)" "$STATUS" 400
expect_match "... and names the key and the image root" "$(jqr .detail)" "shares key ${ROOT_ID:0:16}.*image repository root of T1-EU"
expect_eq "... and records the refusal" "$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE action = 'director.root.refused'")" 1
expect_eq "... and installs nothing" "$(sqlite3 "$DB" 'SELECT count(*) FROM director_roots')" 0

# --- 2. the state from before the fix -------------------------------------------------
# Written past the server's check on purpose (see the header).
sqlite3 "$DB" "INSERT INTO director_roots (version, document, expires, installed_at) VALUES (1, CAST(readfile('$OTA/shared-director-1.json') AS TEXT), $(date -d "$EXPIRES" +%s), $(date +%s));"
cp "$OTA/shared-director-1.json" "$OTA/director-root.json"
source "$(dirname "$0")/ota-agent-lib.sh"
agent_device_setup T1-000100 || { tap_fail "device setup"; finish; exit 1; }
CERT1=$PKI/dev.pem; KEY1=$PKI/dev.key

# The documented recovery: a new director root key, signed with the old one.
openssl genpkey -algorithm ED25519 -out "$OTA/droot2.key" 2>/dev/null && chmod 600 "$OTA/droot2.key"
out=$("$CRADLE" director rotate --old-root-key "$OTA/root.key" --root-key "$OTA/droot2.key" --root-threshold 1 \
  --out "$OTA/director-2.root.json" --no-repository-marker 2>&1)
expect_eq "cradle director rotate moves the director to a key of its own" "$?" 0 || echo "# $out"

# ... and the image repository cannot take the director's new key either.
out=$("$CRADLE" repo rotate-root --product T1-EU --old-root-key "$OTA/root.key" --root-key "$OTA/droot2.key" \
  --no-repository-marker 2>&1); rc=$?
if [[ $rc -ne 0 && "$out" =~ "--root-key: key ".*" is a key of the director root (root, version 2)" ]]; then
  tap_ok "cradle repo rotate-root refuses the director's root key before signing"
else tap_fail "cradle repo rotate-root refuses the director's root key" "rc=$rc" "$out"; fi

# The genuine repositories work: the device follows the director to version 2,
# which shares nothing with the image root, and installs 1.1.0.
ota_publish 1.1.0 2 r2 || tap_fail "publish 1.1.0"
"$CRADLE" device assign --release "$REL_ID" --device T1-000100 >/dev/null
agent once >/dev/null && agent boot >/dev/null && agent confirm >/dev/null
expect_eq "baseline: 1.1.0 installed and confirmed" "$(state .current.version):$(state .floor)" "1.1.0:2"
expect_eq "baseline: the device trusts director root 2" \
  "$(jq -r .signed.version "$DEV/state/director/root.json")" 2

# --- the attack -----------------------------------------------------------------------
slots_sum() { (cd "$DEV/slots" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum; }
BASE=$(slots_sum)
MPORT=$(free_port)
MPID=
trap '[[ -n $MPID ]] && kill $MPID 2>/dev/null; stop_server' EXIT
M=$E2E_TMP/mirror; mkdir -p "$M/repo" "$M/device/v1/director"
cp -rL "$DATA/repo/T1-EU" "$M/repo/T1-EU"
R=$M/repo/T1-EU
DIRECTOR_KEY=$DATA/director-keys/targets.key
# The attacker holds the online keys, and so the KEK they are sealed under (docs/keys.md).
export TUF_RESIGN_KEK=$DATA/kek.key TUF_RESIGN_DATA_DIR=$DATA
curl -sS --cacert "$CA" --cert "$CERT1" --key "$KEY1" "$URL/device/v1/director/targets.json" >"$M/device/v1/director/targets.json"
# The director's root 2 as the image repository's 2.root.json. It has no
# consistent snapshots, so the device will fetch snapshot.json, targets.json
# and targets/<path> by their plain names.
cp "$OTA/director-2.root.json" "$R/2.root.json"
EVIL=$E2E_TMP/evil.img; head -c 4096 /dev/urandom >"$EVIL"
ESHA=$(sha256sum "$EVIL" | cut -d' ' -f1)
mkdir -p "$R/targets/6.6.6"; cp "$EVIL" "$R/targets/6.6.6/rootfs.img"
custom='{"release": "6.6.6", "security_version": 99, "hardware_revisions": ["r2"], "product": "T1-EU"}'
jq -n -c --arg sha "$ESHA" --argjson c "$custom" --arg exp "$EXPIRES" '{signed: {_type: "targets",
  spec_version: "1.0.31", version: 100, expires: $exp,
  targets: {"6.6.6/rootfs.img": {length: 4096, hashes: {sha256: $sha}, custom: $c}}}, signatures: []}' >"$R/targets.json"
"$TUF_RESIGN" "$R/targets.json" "$R/targets.json" "$DIRECTOR_KEY"
meta() { jq -n -c --arg n "$1" --argjson v "$2" --argjson l "$(stat -c %s "$3")" --arg h "$(sha256sum "$3" | cut -d' ' -f1)" \
  '{($n): {version: $v, length: $l, hashes: {sha256: $h}}}'; }
jq -n -c --argjson m "$(meta targets.json 100 "$R/targets.json")" --arg exp "$EXPIRES" '{signed: {_type: "snapshot",
  spec_version: "1.0.31", version: 100, expires: $exp, meta: $m}, signatures: []}' >"$R/snapshot.json"
"$TUF_RESIGN" "$R/snapshot.json" "$R/snapshot.json" "$DIRECTOR_KEY"
jq -n -c --argjson m "$(meta snapshot.json 100 "$R/snapshot.json")" --arg exp "$EXPIRES" '{signed: {_type: "timestamp",
  spec_version: "1.0.31", version: 100, expires: $exp, meta: $m}, signatures: []}' >"$R/timestamp.json"
"$TUF_RESIGN" "$R/timestamp.json" "$R/timestamp.json" "$DIRECTOR_KEY"
DIRT=$M/device/v1/director/targets.json
jq -c --arg sha "$ESHA" '.signed.version += 1 | .signed.targets = {"6.6.6/rootfs.img": {length: 4096,
  hashes: {sha256: $sha}, custom: (.signed.targets | to_entries[0].value.custom
  | .release = "6.6.6" | .security_version = 99)}}' "$DIRT" >"$DIRT.tmp" && mv "$DIRT.tmp" "$DIRT"
"$TUF_RESIGN" "$DIRT" "$DIRT" "$DIRECTOR_KEY"

sed "s|^url = .*|url = https://127.0.0.1:$MPORT|" "$DEV/agent.conf" >"$E2E_TMP/agent-mirror.conf"
node "$CRADLE_SOURCE_ROOT/tests/tools/mirror.mjs" "$M" "$MPORT" "$DATA/tls/server.pem" "$DATA/tls/server.key" >/dev/null 2>&1 &
MPID=$!
for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$MPORT) 2>/dev/null && break; sleep 0.1; done
out=$("$CRADLE_AGENT" -c "$E2E_TMP/agent-mirror.conf" once 2>&1); rc=$?
kill $MPID 2>/dev/null; wait $MPID 2>/dev/null; MPID=
echo "# attack: $(tail -n 1 <<<"$out")"
if [[ $rc -ne 0 && "$out" =~ image\ repository\ 2\.root\.json\ \(version\ 2\)\ shares\ key ]]; then
  tap_ok "the director's root replayed as the image repository's 2.root.json is refused (shares keys)"
else tap_fail "the director's root replayed as the image repository's 2.root.json is refused (shares keys)" "rc=$rc" "$out"; fi
expect_eq "attack: the slots are unchanged" "$(slots_sum)" "$BASE"
expect_eq "attack: still 1.1.0, floor 2, nothing in progress" \
  "$(state .current.version):$(state .floor):$(state .phase)" "1.1.0:2:idle"
expect_eq "attack: the trusted image root is still version 1" "$(jq -r .signed.version "$DEV/state/image-repo/root.json")" 1

# --- 3. the genuine next release ------------------------------------------------------
ota_publish 1.2.0 4 r2 || tap_fail "publish 1.2.0"
"$CRADLE" device assign --release "$REL_ID" --device T1-000100 >/dev/null
agent once >/dev/null
expect_eq "afterwards the genuine 1.2.0 installs" "$(state .phase):$(state .target.version)" "awaiting-reboot:1.2.0"
finish
