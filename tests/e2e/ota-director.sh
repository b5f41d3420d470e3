#!/usr/bin/env bash
# The director end to end: enrolled devices (EST), the director's key ceremony
# (cradle director init), a release assigned by device and by tag, each device
# fetching its own signed targets metadata over mTLS (verified here with
# openssl against the director root), status reports showing in the history,
# and a withdrawn release no longer offered.
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
identity_setup || { tap_fail "identity setup"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
RM_TOKEN=$(make_token rm-1 release-manager)

# --- devices: D1, D2, D3 in batch B1 (hardware revision r2) -------------------
for d in D1 D2 D3; do
  make_csr "$d" "$d" && est_enroll "$d" T1-EU "serial=$d&batch=B1"
  expect_eq "device $d enrolls" "$STATUS" 200
done

mtls GET /device/v1/director/targets.json D1
expect_eq "before director init, targets.json is 404" "$STATUS" 404
expect_match "404 says there is no root" "$(jqr .detail)" 'no root yet'

# --- the director's key ceremony -------------------------------------------------
out=$("$CRADLE" director status 2>&1)
expect_match "status before init: no root" "$out" 'root version: +-'
openssl genpkey -algorithm ED25519 -out "$PKI/droot1.key" 2>/dev/null && chmod 600 "$PKI/droot1.key"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$PKI/droot2.key" 2>/dev/null && chmod 600 "$PKI/droot2.key"
CRADLE_TOKEN=$RM_TOKEN "$CRADLE" director init --root-key "$PKI/droot1.key" --root-threshold 1 >/dev/null 2>&1
expect_eq "director init needs the admin role (exit 3)" "$?" 3
out=$("$CRADLE" director init --root-key "$PKI/droot1.key" --root-threshold 3 2>&1)
expect_eq "a threshold above the keys is a usage error" "$?" 2
out=$("$CRADLE" director init --root-key "$PKI/droot1.key" --root-key "$PKI/droot2.key" --root-threshold 2 \
  --out "$E2E_TMP/1.root.json" 2>&1)
expect_eq "cradle director init succeeds" "$?" 0
expect_match "init prints root version 1" "$out" 'root version: +1'
expect_match "init prints threshold 2" "$out" 'root threshold: +2'
check "--out wrote 1.root.json" test -s "$E2E_TMP/1.root.json"
online_keyid=$("$CRADLE" --json director status | jq -r .online_keyid)
expect_match "the online keyid is known" "$online_keyid" '^[0-9a-f]{64}$'
expect_eq "the root names the online key as targets key" \
  "$(jq -r '.signed.roles.targets.keyids | join(",")' "$E2E_TMP/1.root.json")" "$online_keyid"
check "the online key file is 0600" test "$(stat -c %a "$DATA/director-keys/targets.key")" = 600
out=$("$CRADLE" director init --root-key "$PKI/droot1.key" --root-key "$PKI/droot2.key" --root-threshold 2 2>&1)
expect_eq "a second init is refused (exit 3)" "$?" 3
expect_match "... because version 1 exists" "$out" 'next must be 2'

mtls GET /device/v1/director/root.json D1
expect_eq "device fetches root.json" "$STATUS" 200
expect_eq "root.json is the uploaded root" "$(jq -cS . <<<"$BODY")" "$(jq -cS . "$E2E_TMP/1.root.json")"
mtls GET /device/v1/director/1.root.json D1
expect_eq "device fetches 1.root.json" "$STATUS" 200
mtls GET /device/v1/director/2.root.json D1
expect_eq "2.root.json is 404 (the chain ends)" "$STATUS" 404
mtls GET /device/v1/director/01.root.json D1
expect_eq "a malformed root name is 404" "$STATUS" 404
STATUS=$(curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' "$URL/device/v1/director/root.json")
expect_eq "without a client certificate: 401" "$STATUS" 401

# --- releases (engineer A's API as far as it goes; publication needs the image
# repository's offline signing, so the row is marked published directly) -------
make_release() { # VERSION SECURITY_VERSION HW_JSON -> sets REL_ID, IMG_SHA, IMG_LEN
  api POST /api/v1/releases "$RM_TOKEN" \
    "{\"product\":\"T1-EU\",\"version\":\"$1\",\"security_version\":$2,\"hardware_revisions\":$3,\"notes\":\"n\"}"
  REL_ID=$(jqr .id)
  printf 'firmware %s' "$1" >"$E2E_TMP/fw-$1"
  printf 'Authorization: Bearer %s\n' "$RM_TOKEN" >"$E2E_TMP/auth-header"
  curl -sS --cacert "$CA" -H @"$E2E_TMP/auth-header" -X PUT -H 'Content-Type: application/octet-stream' \
    --data-binary @"$E2E_TMP/fw-$1" -o /dev/null "$URL/api/v1/releases/$REL_ID/images/rootfs.img"
  IMG_SHA=$(sha256sum "$E2E_TMP/fw-$1" | cut -d' ' -f1); IMG_LEN=$(stat -c %s "$E2E_TMP/fw-$1")
}
publish_row() { sqlite3 "$DATA/cradle.db" ".timeout 5000" \
  "UPDATE releases SET status = 'published', published_at = strftime('%s', 'now') WHERE id = $1"; }

make_release 1.2.0 7 '["r1","r2"]'; R1=$REL_ID; R1_SHA=$IMG_SHA; R1_LEN=$IMG_LEN
make_release 9.0.0 9 '["r9"]'; R9=$REL_ID
expect_match "releases were created" "$R1 $R9" '^[0-9]+ [0-9]+$'

out=$("$CRADLE" device assign --release "$R1" --device D1 2>&1)
expect_eq "a draft release cannot be assigned (exit 3)" "$?" 3
expect_match "... and the message says why" "$out" 'is draft; only a published release'
publish_row "$R1"; publish_row "$R9"

# --- assignment by device -----------------------------------------------------------
out=$(CRADLE_TOKEN=$RM_TOKEN "$CRADLE" device assign --release "$R1" --device D1 2>&1)
expect_eq "release manager assigns the release to D1" "$?" 0
expect_match "the answer lists D1" "$out" 'devices: +D1'
out=$("$CRADLE" device assign --release "$R9" --device D1 2>&1)
expect_eq "an incompatible release is refused (exit 3)" "$?" 3
expect_match "... naming the device and its hardware" "$out" 'device D1 has hardware revision r2; release .* supports r9'
out=$("$CRADLE" device assign --release "$R1" --device D1 --tag x 2>&1)
expect_eq "--device and --tag together are a usage error" "$?" 2

mtls GET /device/v1/director/targets.json D1
expect_eq "D1 fetches its targets" "$STATUS" 200
cp "$E2E_TMP/body" "$E2E_TMP/d1-targets-1.json"
expect_eq "exactly one target" "$(jq -r '.signed.targets | keys | join(",")' <<<"$BODY")" "1.2.0/rootfs.img"
expect_eq "its sha256 is the image's" "$(jq -r '.signed.targets["1.2.0/rootfs.img"].hashes.sha256' <<<"$BODY")" "$R1_SHA"
expect_eq "its length is the image's" "$(jq -r '.signed.targets["1.2.0/rootfs.img"].length' <<<"$BODY")" "$R1_LEN"
expect_eq "custom names the device" "$(jq -r '.signed.targets[].custom.serial' <<<"$BODY")" "D1"
expect_eq "custom names the hardware id" "$(jq -r '.signed.targets[].custom.hardware_id' <<<"$BODY")" "T1-EU/r2"
expect_eq "custom carries the security version" "$(jq -r '.signed.targets[].custom.security_version' <<<"$BODY")" 7
v1=$(jq -r .signed.version <<<"$BODY")
check "its version is the signing time (never behind the clock)" test "$v1" -ge "$(($(date -u +%s) - 60))" -a "$v1" -le "$(date -u +%s)"
expect_eq "signed by the online key" "$(jq -r '.signatures[0].keyid' <<<"$BODY")" "$online_keyid"
exp=$(date -u -d "$(jq -r .signed.expires <<<"$BODY")" +%s); now=$(date -u +%s)
check "expires in about 24 hours" test $((exp - now)) -gt 86000 -a $((exp - now)) -le 86400

# Independent check of the signature: openssl over the canonical "signed" (for
# this all-ASCII document, jq's sorted compact form is canonical JSON).
pub_hex=$(jq -r --arg k "$online_keyid" '.signed.keys[$k].keyval.public' "$E2E_TMP/1.root.json")
printf '302a300506032b6570032100%s' "$pub_hex" | xxd -r -p >"$E2E_TMP/online.der"
openssl pkey -pubin -inform DER -in "$E2E_TMP/online.der" -out "$E2E_TMP/online.pem" 2>/dev/null
jq -cSj .signed <<<"$BODY" >"$E2E_TMP/signed.bin"
jq -r '.signatures[0].sig' <<<"$BODY" | xxd -r -p >"$E2E_TMP/sig.bin"
check "openssl verifies the director's signature with the key from 1.root.json" \
  openssl pkeyutl -verify -pubin -inkey "$E2E_TMP/online.pem" -rawin -in "$E2E_TMP/signed.bin" -sigfile "$E2E_TMP/sig.bin"

mtls GET /device/v1/director/targets.json D1
check "a second poll serves the stored bytes" cmp -s "$E2E_TMP/body" "$E2E_TMP/d1-targets-1.json"
mtls GET /device/v1/director/targets.json D2
expect_eq "D2 gets metadata too" "$STATUS" 200
expect_eq "... with no targets" "$(jq -r '.signed.targets | length' <<<"$BODY")" 0

# --- assignment by tag --------------------------------------------------------------
out=$(CRADLE_TOKEN=$RM_TOKEN "$CRADLE" device tag D2 --tag pilot 2>&1)
expect_eq "tag D2" "$?" 0
out=$("$CRADLE" device tag D3 --tag pilot --tag eu-west 2>&1)
expect_match "tags are listed" "$out" 'tags: +eu-west, pilot'
out=$("$CRADLE" device tag D3 2>&1)
expect_eq "tag without --tag or --clear is a usage error" "$?" 2
out=$("$CRADLE" device tag D3 --tag 'Bad Tag' 2>&1)
expect_eq "a bad tag is refused (exit 3)" "$?" 3
mtls GET /device/v1/director/targets.json D3
expect_eq "D3 has nothing yet" "$(jq -r '.signed.targets | length' <<<"$BODY")" 0
d3v=$(jq -r .signed.version <<<"$BODY")
out=$("$CRADLE" device assign --release "$R1" --tag pilot 2>&1)
expect_eq "assign by tag" "$?" 0
expect_match "... reaches D2 and D3" "$out" 'devices: +D2, D3'
mtls GET /device/v1/director/targets.json D3
expect_eq "D3 now gets the image" "$(jq -r '.signed.targets | keys | join(",")' <<<"$BODY")" "1.2.0/rootfs.img"
expect_eq "... in metadata for D3" "$(jq -r '.signed.targets[].custom.serial' <<<"$BODY")" "D3"
check "... in a higher version (the content changed)" test "$(jq -r .signed.version <<<"$BODY")" -gt "$d3v"
out=$("$CRADLE" --json device show D3)
expect_eq "the device record shows the assignment" "$(jq -r .assigned_release_id <<<"$out")" "$R1"
expect_eq "... and the tags" "$(jq -c .tags <<<"$out")" '["eu-west","pilot"]'

# --- status reports and history ---------------------------------------------------
for stage in downloading installing awaiting-reboot; do
  mtls POST /device/v1/status D1 -H 'Content-Type: application/json' \
    --data-binary "{\"stage\":\"$stage\",\"from_version\":\"1.0.0\",\"to_version\":\"1.2.0\",\"security_version\":7}"
  expect_eq "D1 reports $stage" "$STATUS" 200
done
expect_eq "in progress: installed version unchanged" "$(jq -r .installed_version <<<"$BODY")" null
mtls POST /device/v1/status D1 -H 'Content-Type: application/json' \
  --data-binary '{"stage":"success","from_version":"1.0.0","to_version":"1.2.0","security_version":7}'
expect_eq "D1 reports success" "$STATUS" 200
expect_eq "installed version is 1.2.0" "$(jq -r .installed_version <<<"$BODY")" 1.2.0
mtls POST /device/v1/status D2 -H 'Content-Type: application/json' \
  --data-binary '{"stage":"rolled-back","from_version":"1.0.0","to_version":"1.2.0","reason":"health check failed"}'
expect_eq "D2 reports a rollback" "$STATUS" 200
mtls POST /device/v1/status D2 -H 'Content-Type: application/json' --data-binary '{"stage":"bogus","to_version":"1"}'
expect_eq "an unknown stage is 400" "$STATUS" 400
expect_match "... naming it" "$(jqr .detail)" "'bogus' is not a stage"
mtls POST /device/v1/status D2 -H 'Content-Type: application/json' --data-binary '{"stage":"failure","to_version":"1"}'
expect_eq "a failure without a reason is 400" "$STATUS" 400
mtls POST /device/v1/status D2 -H 'Content-Type: text/plain' --data-binary 'success'
expect_eq "a body that is not JSON is 415" "$STATUS" 415
STATUS=$(curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  --data-binary '{"stage":"success","to_version":"9","security_version":1}' "$URL/device/v1/status")
expect_eq "a status report without a client certificate: 401" "$STATUS" 401

out=$(CRADLE_TOKEN=$(make_token aud-1 auditor) "$CRADLE" device history D1 2>&1)
expect_eq "an auditor reads the history" "$?" 0
expect_eq "four entries for D1" "$(grep -cE '^[0-9]+ ' <<<"$out")" 4
expect_match "the last is a success to 1.2.0" "$(tail -n1 <<<"$out")" 'success +success +1\.0\.0 +1\.2\.0 +7'
out=$("$CRADLE" device history D2 2>&1)
expect_match "D2's rollback is there with its reason" "$out" 'rolled-back +rolled-back +1\.0\.0 +1\.2\.0 +- +health check failed'
out=$("$CRADLE" --json device show D1)
expect_eq "device record: installed version" "$(jq -r .installed_version <<<"$out")" 1.2.0
expect_eq "device record: security version" "$(jq -r .security_version <<<"$out")" 7
expect_match "device record: last seen" "$(jq -r .last_seen <<<"$out")" '^20[0-9]{2}-'
out=$("$CRADLE" --json device show D2)
expect_eq "a rolled-back device has no installed version recorded" "$(jq -r .installed_version <<<"$out")" null
api GET "/api/v1/audit?object=device:D1" "$ADMIN_TOKEN"
expect_match "the assignment is audited" "$BODY" '"action":"device.assign"'
expect_match "the success report is audited, by the device" "$BODY" '"action":"device.update.success","actor_name":"device:D1"'

# --- root rotation -------------------------------------------------------------------
openssl genpkey -algorithm ED25519 -out "$PKI/droot3.key" 2>/dev/null && chmod 600 "$PKI/droot3.key"
out=$("$CRADLE" director rotate --old-root-key "$PKI/droot3.key" --root-key "$PKI/droot3.key" --root-threshold 1 2>&1)
expect_eq "rotate with a key that is not an old root key fails locally (exit 1)" "$?" 1
out=$("$CRADLE" director rotate --old-root-key "$PKI/droot1.key" --root-key "$PKI/droot3.key" --root-threshold 1 2>&1)
expect_eq "rotate below the old threshold (1 of 2) is refused (exit 3)" "$?" 3
expect_match "... naming the old threshold" "$out" 'threshold of version 1'
out=$("$CRADLE" director rotate --old-root-key "$PKI/droot1.key" --old-root-key "$PKI/droot2.key" \
  --root-key "$PKI/droot2.key" --root-key "$PKI/droot3.key" --root-threshold 2 2>&1)
expect_eq "rotate with old and new thresholds" "$?" 0
expect_match "... to root version 2" "$out" 'root version: +2'
mtls GET /device/v1/director/2.root.json D1
expect_eq "devices fetch 2.root.json" "$STATUS" 200
expect_eq "... signed by three keys (droot2 signs once)" "$(jq '.signatures | length' <<<"$BODY")" 3
mtls GET /device/v1/director/targets.json D1
check "targets are re-signed under the new root" test "$(jq -r .signed.version <<<"$BODY")" -gt "$v1"
v1=$(jq -r .signed.version <<<"$BODY")

# --- withdrawal ----------------------------------------------------------------------
api POST "/api/v1/releases/$R1/withdraw" "$RM_TOKEN" '{"reason":"CVE-2026-0001 in rootfs"}'
expect_eq "the release is withdrawn" "$STATUS" 200
mtls GET /device/v1/director/targets.json D1
expect_eq "a withdrawn release is no longer offered" "$(jq -r '.signed.targets | length' <<<"$BODY")" 0
check "... in a higher version" test "$(jq -r .signed.version <<<"$BODY")" -gt "$v1"

out=$("$CRADLE" audit verify 2>&1)
expect_eq "the audit chain verifies" "$?" 0

finish
