#!/usr/bin/env bash
# The attack suite (issue 4 §6): cradle-agent is pointed at a copy of the real
# repositories of a running cradled, tampered in one way at a time and served
# by an HTTPS stand-in (tests/tools/mirror.mjs). For each, the agent must
# refuse with a reason that names the problem, and the slots must be exactly
# as they were. Where an attack needs a key, the attacker holds only what the
# attack says: an online key (timestamp, snapshot, director), or fewer targets
# keys than the threshold.
source "$(dirname "$0")/lib.sh"
: "${TUF_RESIGN:?TUF_RESIGN must point at tests/tools/tuf-resign}"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
ota_setup || { tap_fail "ota setup"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
source "$(dirname "$0")/ota-agent-lib.sh"
agent_device_setup T1-000100 || { tap_fail "device setup"; finish; exit 1; }
DEV1=$DEV; CERT1=$PKI/dev.pem; KEY1=$PKI/dev.key
REL100=$REL_ID
director_get() { curl -sS --cacert "$CA" --cert "$1" --key "$2" "$URL/device/v1/director/targets.json"; }

# A second device on another hardware revision, for metadata meant for others.
"$CRADLE" batch create --product T1-EU --name B3 --hardware-revision r3 --production-date 2026-11-02 \
  --station line-1 --firmware 1.0.0 >/dev/null
make_csr dev2 T1-000200 && est_enroll dev2 T1-EU "serial=T1-000200&batch=B3"
[[ $STATUS == 200 ]] || tap_fail "second device enrolls" "$STATUS $BODY"

# Metadata older than what the device will trust, for the rollback and replay attacks.
"$CRADLE" device assign --release "$REL100" --device T1-000100 >/dev/null
director_get "$CERT1" "$KEY1" >"$E2E_TMP/director-old.json"
cp -rL "$DATA/repo/T1-EU" "$E2E_TMP/repo-old"
sleep 1.1   # director versions grow with the signing time

# The device runs 1.1.0 (security version 2), installed and confirmed for real.
ota_publish 1.1.0 2 r2 || tap_fail "publish 1.1.0"
"$CRADLE" device assign --release "$REL_ID" --device T1-000100 >/dev/null
agent once >/dev/null && agent boot >/dev/null && agent confirm >/dev/null
expect_eq "baseline: 1.1.0 is installed and confirmed" "$(state .current.version)" 1.1.0
cp -a "$DEV1/state" "$E2E_TMP/state-base"

# A release for r3 only (security version 3), and the next update for this
# device, 1.2.0 (security version 4).
ota_publish 1.3.0-r3 3 r3 || tap_fail "publish r3 release"; REL_R3=$REL_ID; SHA_R3=$IMG_SHA
"$CRADLE" device assign --release "$REL_R3" --device T1-000200 >/dev/null
director_get "$PKI/dev2.pem" "$PKI/dev2.key" >"$E2E_TMP/director-dev2.json"
ota_publish 1.2.0 4 r2 || tap_fail "publish 1.2.0"; REL120=$REL_ID; SHA120=$IMG_SHA; LEN120=$TGT_LEN  # the served target: the container when encrypted (ota-attacks-encrypted.sh)
"$CRADLE" device assign --release "$REL120" --device T1-000100 >/dev/null
director_get "$CERT1" "$KEY1" >"$E2E_TMP/director-new.json"
jq -e '.signed.targets["1.2.0/rootfs.img"]' "$E2E_TMP/director-new.json" >/dev/null || tap_fail "director offers 1.2.0"

slots_sum() { (cd "$DEV1/slots" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum; }
BASE=$(slots_sum)
MPORT=$(free_port)
cp "$DEV1/agent.conf" "$E2E_TMP/agent-real.conf"
sed "s|^url = .*|url = https://127.0.0.1:$MPORT|" "$E2E_TMP/agent-real.conf" >"$E2E_TMP/agent-mirror.conf"
MPID=
trap '[[ -n $MPID ]] && kill $MPID 2>/dev/null; stop_server' EXIT

# mirror_new NAME: a fresh copy of the current real repositories in $M.
mirror_new() {
  M=$E2E_TMP/mirror-$1; rm -rf "$M"; mkdir -p "$M/repo" "$M/device/v1/director"
  cp -rL "$DATA/repo/T1-EU" "$M/repo/T1-EU"
  cp "$E2E_TMP/director-new.json" "$M/device/v1/director/targets.json"
  TS=$M/repo/T1-EU/timestamp.json
  SNV=$(jq -r '.signed.meta["snapshot.json"].version' "$TS"); SN=$M/repo/T1-EU/$SNV.snapshot.json
  TGV=$(jq -r '.signed.meta["targets.json"].version' "$SN"); TG=$M/repo/T1-EU/$TGV.targets.json
  IMGF=$(ls "$M/repo/T1-EU/targets/1.2.0/"*.rootfs.img); DIRT=$M/device/v1/director/targets.json
}
# edit FILE JQ: rewrites the JSON file with a jq filter.
edit() { jq -c "$2" "$1" >"$1.tmp" && mv "$1.tmp" "$1"; }
# resign FILE KEY...: new signatures (the attacker's keys).
resign() { local f=$1; shift; "$TUF_RESIGN" "$f" "$f" "$@"; }
# The meta entry for FILE inside the role above it, recomputed (an attacker
# holding the online keys keeps hashes and lengths consistent).
relink() { # relink PARENT KEYNAME FILE
  local len sha; len=$(stat -c %s "$3"); sha=$(sha256sum "$3" | cut -d' ' -f1)
  edit "$1" ".signed.meta[\"$2\"].length = $len | .signed.meta[\"$2\"].hashes.sha256 = \"$sha\""
}
ONLINE_TS=$DATA/repo-keys/T1-EU/timestamp.key; ONLINE_SN=$DATA/repo-keys/T1-EU/snapshot.key
DIRECTOR_KEY=$DATA/director-keys/targets.key
# The attacker holds the online keys, and so the KEK they are sealed under (docs/keys.md).
export TUF_RESIGN_KEK=$DATA/kek.key TUF_RESIGN_DATA_DIR=$DATA
# attack NAME REASON-REGEX: serves $M, runs one agent cycle, checks refusal and slots.
attack() {
  # Each attack starts from the device's state after the baseline: what one
  # attack made it trust (a fast-forwarded timestamp) must not mask the next.
  rm -rf "$DEV1/state"; cp -a "$E2E_TMP/state-base" "$DEV1/state"
  node "$CRADLE_SOURCE_ROOT/tests/tools/mirror.mjs" "$M" "$MPORT" "$DATA/tls/server.pem" "$DATA/tls/server.key" >/dev/null 2>&1 &
  MPID=$!
  # up to 30 s: node starts slowly on a loaded machine
  for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/$MPORT) 2>/dev/null && break; sleep 0.1; done
  local out rc
  out=$("$CRADLE_AGENT" -c "$E2E_TMP/agent-mirror.conf" once 2>&1); rc=$?
  kill $MPID 2>/dev/null; wait $MPID 2>/dev/null; MPID=
  echo "# $1: $(tail -n 1 <<<"$out")"
  if [[ $rc -ne 0 && "$out" =~ $2 ]]; then tap_ok "$1: refused ($(grep -oE "$2" <<<"$out" | head -n1))"
  else tap_fail "$1: refused with a reason matching /$2/" "rc=$rc" "$out"; fi
  expect_eq "$1: the slots are unchanged" "$(slots_sum)" "$BASE"
  expect_eq "$1: still running 1.1.0" "$("$CRADLE_AGENT" -c "$E2E_TMP/agent-mirror.conf" status 2>/dev/null | jq -r .current.version)" 1.1.0
}

# Control: the untouched mirror would be accepted — checked with the real
# server at the end, so that the attacks below start from a device that has
# seen nothing newer than the baseline.

# --- TUF attacks -----------------------------------------------------------------
mirror_new arbitrary; head -c "$LEN120" /dev/urandom >"$IMGF"
attack "arbitrary installation (image replaced on the mirror)" 'SHA-256 [0-9a-f]+ does not match'

mirror_new endless; head -c 5000000 /dev/zero >>"$IMGF"
attack "endless data (image longer than listed)" 'length|too large|more than|exceed'

mirror_new extraneous
edit "$TG" '.signed.targets["1.2.0/extra.img"] = .signed.targets["1.2.0/rootfs.img"]'
attack "extraneous dependency (a target added without the targets keys)" 'targets|signature|length|hash'

mirror_new fastforward
edit "$TS" '.signed.version = 999999 | .signed.meta["snapshot.json"].version = 999999'
resign "$TS" "$ONLINE_TS"
attack "fast-forward (timestamp and snapshot versions jumped with the stolen timestamp key)" 'snapshot|version|not found|404'

mirror_new freeze
edit "$TS" '.signed.expires = "2020-01-01T00:00:00Z" | .signed.version += 1'
resign "$TS" "$ONLINE_TS"
attack "indefinite freeze (expired timestamp re-served)" 'expired'

mirror_new mirror
edit "$SN" '.signed.meta["targets.json"].version += 0 | .signed.expires = "2099-01-01T00:00:00Z"'
attack "malicious mirror (snapshot edited, signatures kept)" 'signature|hash|length|snapshot'

mirror_new mixmatch; cp "$M/repo/T1-EU/$((TGV - 1)).targets.json" "$TG"
attack "mix-and-match (older targets under the current snapshot)" 'hash|length|version|mix'

mirror_new rollback
rm -rf "$M/repo/T1-EU"; cp -r "$E2E_TMP/repo-old" "$M/repo/T1-EU"
attack "rollback (the image repository as it was before)" 'lower than the trusted|rollback'

mirror_new belowthreshold
evil=$OTA/evil.img; head -c 4096 /dev/urandom >"$evil"
esha=$(sha256sum "$evil" | cut -d' ' -f1)
cp "$evil" "$M/repo/T1-EU/targets/1.2.0/$esha.rootfs.img"
edit "$TG" ".signed.targets[\"1.2.0/rootfs.img\"].length = 4096 | .signed.targets[\"1.2.0/rootfs.img\"].hashes.sha256 = \"$esha\""
resign "$TG" "$OTA/t1.key"
relink "$SN" targets.json "$TG"; resign "$SN" "$ONLINE_SN"
relink "$TS" snapshot.json "$SN"; resign "$TS" "$ONLINE_TS"
edit "$DIRT" ".signed.targets[\"1.2.0/rootfs.img\"].length = 4096 | .signed.targets[\"1.2.0/rootfs.img\"].hashes.sha256 = \"$esha\" | .signed.version += 1"
resign "$DIRT" "$DIRECTOR_KEY"
attack "keys compromised below the threshold (targets signed 1 of 2, online keys stolen)" 'threshold|1 valid|signature'

mirror_new wrongsoftware
cp "$E2E_TMP/director-dev2.json" "$M/dir2.json"
sha_r3=$SHA_R3
jq -c --slurpfile o "$M/dir2.json" '.signed.targets = ($o[0].signed.targets | map_values(.custom.serial = "T1-000100" | .custom.hardware_id = "T1-EU/r2")) | .signed.version += 1' "$DIRT" >"$DIRT.tmp" && mv "$DIRT.tmp" "$DIRT"
resign "$DIRT" "$DIRECTOR_KEY"
attack "wrong software installation (an r3 image sent to an r2 device)" 'hardware|revision|r3'

# --- Uptane additions ---------------------------------------------------------------
mirror_new disagree
edit "$DIRT" ".signed.targets[\"1.2.0/rootfs.img\"].hashes.sha256 = \"$esha\" | .signed.targets[\"1.2.0/rootfs.img\"].length = 4096 | .signed.version += 1"
resign "$DIRT" "$DIRECTOR_KEY"
attack "director and image repository disagree" 'disagree|image repository|sha256|length'

mirror_new otherhw
edit "$DIRT" '.signed.targets["1.2.0/rootfs.img"].custom.hardware_id = "T1-EU/r9" | .signed.version += 1'
resign "$DIRT" "$DIRECTOR_KEY"
attack "an image for another hardware id" 'hardware'

mirror_new otherdevice; cp "$E2E_TMP/director-dev2.json" "$DIRT"
attack "director metadata for another device" 'serial|another device|T1-000200'

mirror_new replay; cp "$E2E_TMP/director-old.json" "$DIRT"
attack "replayed old director metadata" 'replay|lower than the trusted'

# --- Single-difference attacks (issue 13) ------------------------------------------
# Each case changes one thing, so that each check is needed on its own: the
# refusal must name that check (scripts/mutate.sh removes each check and
# expects this suite to fail).
other_sha=$(head -c "$LEN120" /dev/urandom | sha256sum | cut -d' ' -f1)
mirror_new lengthonly
edit "$DIRT" '.signed.targets["1.2.0/rootfs.img"].length += 1 | .signed.version += 1'
resign "$DIRT" "$DIRECTOR_KEY"
attack "director and image repository disagree on the length only (same SHA-256)" 'disagree on the length'

mirror_new hashonly
edit "$DIRT" ".signed.targets[\"1.2.0/rootfs.img\"].hashes.sha256 = \"$other_sha\" | .signed.version += 1"
resign "$DIRT" "$DIRECTOR_KEY"
attack "director and image repository disagree on the SHA-256 only (same length)" 'disagree on the SHA-256'

# An expired snapshot, re-signed with the stolen online snapshot key under a
# new version, and a timestamp (stolen timestamp key) that points to it.
mirror_new expiredsnapshot
NSN=$M/repo/T1-EU/$((SNV + 1)).snapshot.json
jq -c '.signed.expires = "2020-01-01T00:00:00Z" | .signed.version += 1' "$SN" >"$NSN"
resign "$NSN" "$ONLINE_SN"
edit "$TS" ".signed.meta[\"snapshot.json\"].version = $((SNV + 1)) | .signed.version += 1"
relink "$TS" snapshot.json "$NSN"; resign "$TS" "$ONLINE_TS"
attack "expired snapshot (re-signed with the snapshot key, listed by a re-signed timestamp)" 'snapshot.json expired'
# --- end of single-difference attacks ------------------------------------------------

# The control: the real server's update is accepted and installed.
rm -rf "$DEV1/state"; cp -a "$E2E_TMP/state-base" "$DEV1/state"
out=$("$CRADLE_AGENT" -c "$E2E_TMP/agent-real.conf" once 2>&1); rc=$?
expect_eq "control: the genuine 1.2.0 from the real server is installed" "$rc:$("$CRADLE_AGENT" -c "$E2E_TMP/agent-real.conf" status 2>/dev/null | jq -r .phase)" "0:awaiting-reboot"
finish
