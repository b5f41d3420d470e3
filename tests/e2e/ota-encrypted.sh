#!/usr/bin/env bash
# Encrypted update payloads end to end (docs/ota.md, "Encrypted payloads";
# issue 11 section 5): `cradle release upload --encrypt` on a real cradled,
# the published target is the container (no plaintext on the mirror), the
# content key is sealed under the KEK in the database and listed in the key
# registry, the director wraps it to the device's P-256 certificate key, and
# cradle-agent installs, boots and confirms the plaintext, once with the device
# key in a file and once with it made on a PKCS#11 token. Then the refusals a
# user can cause: a device with an Ed25519 key is named at assignment, and an
# encrypted upload without a KEK is refused.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ota-agent-lib.sh"

init_server && sed -i "s/^evaluate_interval = .*/evaluate_interval = 1s/" "$DATA/cradled.conf" && start_server || { tap_fail "server starts"; finish; exit 1; }
ota_setup || { tap_fail "ota setup"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
SERIAL=T1-000200
agent_device_setup "$SERIAL" || { tap_fail "device setup"; finish; exit 1; }

# 1. Upload encrypted, publish.
OTA_UPLOAD_FLAGS=--encrypt OTA_IMAGE_SIZE=300000 ota_publish 2.0.0 2 r2 || { tap_fail "publish 2.0.0 encrypted"; finish; exit 1; }
R200=$REL_ID
show=$("$CRADLE" release show "$R200" --json)
expect_eq "the release lists the plaintext's SHA-256 in its image's encryption" \
  "$(jq -r '.images[0].encryption.plaintext_sha256' <<<"$show")" "$IMG_SHA"
expect_eq "the scheme is named" "$(jq -r '.images[0].encryption.scheme' <<<"$show")" cradle-aes256gcm-chunked-v1
check "the stored target is not the plaintext" test "$TGT_SHA" != "$IMG_SHA"
expect_eq "the container is 32 + 16 per 64 KiB chunk bytes longer" "$TGT_LEN" $((IMG_LEN + 32 + 16 * 5))

curl -fsS --cacert "$CA" -o "$E2E_TMP/served" "$IMG_URL"
expect_eq "the mirror serves the container (its SHA-256 is the TUF target's)" \
  "$(sha256sum "$E2E_TMP/served" | cut -d' ' -f1)" "$TGT_SHA"
expect_eq "it starts with the container's magic" "$(head -c 8 "$E2E_TMP/served")" CRDOTAE1
head -c 4096 "$IMG" | tail -c 64 >"$E2E_TMP/needle"
check "no 64-byte run of the plaintext is in the served file" \
  python3 -c 'import sys; sys.exit(open(sys.argv[2],"rb").read() in open(sys.argv[1],"rb").read())' \
  "$E2E_TMP/served" "$E2E_TMP/needle"
targets=$(curl -fsS --cacert "$CA" "$OTA_REPO_URL/timestamp.json" >/dev/null && ls -t "$DATA"/repo/T1-EU/*.targets.json | head -n1)
expect_eq "the offline-signed targets custom carries the plaintext hash" \
  "$(jq -r '.signed.targets["2.0.0/rootfs.img"].custom.encryption.plaintext_sha256' "$targets")" "$IMG_SHA"

sealed=$(sqlite3 "$DATA/cradle.db" "SELECT content_key_sealed FROM image_encryption WHERE sha256 = '$TGT_SHA'")
expect_match "the content key is stored sealed under the KEK" "$sealed" '^kek1:[0-9a-f]{32}:'
expect_eq "the registry lists the content key (class ota-encryption, sealed)" \
  "$(sqlite3 "$DATA/cradle.db" "SELECT class || ' ' || storage || ' ' || state FROM keys WHERE fingerprint = '$TGT_SHA'")" \
  "ota-encryption sealed active"
entry=$(sqlite3 "$DATA/cradle.db" "SELECT details FROM audit_log WHERE action = 'release.image' ORDER BY seq DESC LIMIT 1")
expect_eq "the upload's audit entry says encrypted, with the plaintext hash" \
  "$(jq -r '[.encrypted, .plaintext_sha256] | join(" ")' <<<"$entry")" "true $IMG_SHA"

# 2. Assign and install with cradle-agent.
"$CRADLE" device assign --release "$R200" --device "$SERIAL" >/dev/null 2>&1
mtls GET /device/v1/director/targets.json dev
expect_eq "the director's target carries a wrapped key for this device" \
  "$(jq -r '.signed.targets["2.0.0/rootfs.img"].custom.encryption_key.alg' <<<"$BODY")" ECDH-ES+HKDF-SHA256+A256KW
check "the director's target names the device key it wraps to" \
  test "$(jq -r '.signed.targets["2.0.0/rootfs.img"].custom.encryption_key_for | length' <<<"$BODY")" = 64
agent once >/dev/null
expect_eq "cradle-agent installs it: awaiting the reboot" "$(state .phase)" awaiting-reboot
expect_eq "the inactive slot holds the plaintext, byte for byte" \
  "$(sha256sum "$DEV/slots/slotB" | cut -d' ' -f1)" "$IMG_SHA"
agent boot >/dev/null
expect_eq "it boots and is confirmed" "$(agent confirm)" confirmed
expect_eq "the running version is 2.0.0" "$(state .current.version)" 2.0.0
check "no plaintext copy is left in the state directory" test ! -e "$DEV/state/download.part.plain"
api GET "/api/v1/devices/$SERIAL" "$ADMIN_TOKEN"
expect_eq "the server records the success" "$(jqr .installed_version)" 2.0.0

# 2b. A device whose key was made on a PKCS#11 token (SoftHSM2 standing in for
# a secure element) and never leaves it: the CSR is signed there by certtool,
# and cradle-agent runs the ECDH on the token to unwrap the content key.
DEV_FILE=$DEV
if command -v softhsm2-util >/dev/null && [[ -e /usr/lib/softhsm/libsofthsm2.so ]]; then
  SE=$E2E_TMP/se; mkdir -p "$SE/tokens"
  printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$SE/tokens" >"$SE/softhsm2.conf"
  export SOFTHSM2_CONF=$SE/softhsm2.conf CRADLE_PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so
  softhsm2-util --init-token --free --label dev-se --so-pin 1234 --pin 5678 >/dev/null 2>&1
  # The PIN on these tools' command lines is a test fixture; cradle-agent
  # takes it from the environment only.
  pkcs11-tool --module "$CRADLE_PKCS11_MODULE" --login --pin 5678 --keypairgen --key-type EC:prime256v1 \
    --usage-derive --usage-sign --label devkey --id 01 >"$SE/keygen.log" 2>&1
  SE_URI='pkcs11:token=dev-se;object=devkey;type=private'
  printf 'dn = "serialNumber=T1-000202,CN=T1-000202"\n' >"$SE/csr.tmpl"
  GNUTLS_PIN=5678 certtool --generate-request --provider "$CRADLE_PKCS11_MODULE" --load-privkey "$SE_URI" \
    --template "$SE/csr.tmpl" --outder --outfile "$PKI/se.csr.der" >"$SE/certtool.log" 2>&1
  base64 "$PKI/se.csr.der" >"$PKI/se.csr.b64"
  est_enroll se T1-EU "serial=T1-000202&batch=B1"
  expect_eq "a device with its key on the token enrolls (CSR signed on the token)" "$STATUS" 200
  check "no private key file exists for it" test ! -e "$PKI/se.key"
  agent_device_setup T1-000202 se "$SE_URI" || tap_fail "token device setup"
  export CRADLE_PKCS11_PIN=5678
  "$CRADLE" device assign --release "$R200" --device T1-000202 >/dev/null 2>&1
  agent once >/dev/null
  expect_eq "cradle-agent with a token key unwraps and installs: awaiting the reboot" "$(state .phase)" awaiting-reboot
  expect_eq "its inactive slot holds the plaintext, byte for byte" \
    "$(sha256sum "$DEV/slots/slotB" | cut -d' ' -f1)" "$IMG_SHA"
  agent boot >/dev/null
  expect_eq "it boots and is confirmed" "$(agent confirm)" confirmed
  api GET "/api/v1/devices/T1-000202" "$ADMIN_TOKEN"
  expect_eq "the server records 2.0.0 on the token device" "$(jqr .installed_version)" 2.0.0
  unset CRADLE_PKCS11_PIN SOFTHSM2_CONF CRADLE_PKCS11_MODULE
else
  tap_ok "# SKIP SoftHSM2 not installed"
fi
DEV=$DEV_FILE

# 2c. The KEK is rotated while the encrypted release is assigned: the content
# key is re-sealed with the other secrets, and a device assigned afterwards
# still gets a wrap the director made with the key opened under the new KEK.
stop_server
old_sealed=$(sqlite3 "$DATA/cradle.db" "SELECT content_key_sealed FROM image_encryption WHERE sha256 = '$TGT_SHA'")
"$CRADLE" kek generate --file "$E2E_TMP/new-kek.key" >/dev/null
out=$("$CRADLED" kek-rotate --data-dir "$DATA" --to "$E2E_TMP/new-kek.key" 2>&1); rc=$?
expect_eq "cradled kek-rotate succeeds with an encrypted release assigned" "$rc" 0
expect_match "... and re-seals its content key" "$out" ', 1 content key\(s\)'
new_sealed=$(sqlite3 "$DATA/cradle.db" "SELECT content_key_sealed FROM image_encryption WHERE sha256 = '$TGT_SHA'")
check "the stored content key changed (sealed under the new KEK)" test "$new_sealed" != "$old_sealed"
expect_eq "... and names the new KEK's fingerprint" "${new_sealed:5:32}" \
  "$(grep -o 'under KEK [0-9a-f]*' <<<"$out" | cut -d' ' -f3)"
start_server || { tap_fail "start after the KEK rotation"; finish; exit 1; }
agent_device_setup T1-000203 dev3 || tap_fail "device T1-000203 setup"
"$CRADLE" device assign --release "$R200" --device T1-000203 >/dev/null 2>&1
agent once >/dev/null
expect_eq "a device assigned after the rotation unwraps and installs" "$(state .phase)" awaiting-reboot
expect_eq "... the plaintext, byte for byte" "$(sha256sum "$DEV/slots/slotB" | cut -d' ' -f1)" "$IMG_SHA"
DEV=$DEV_FILE

# 3. A device whose key cannot take a wrapped key is named at assignment.
make_csr ed T1-000201 -algorithm ED25519 && est_enroll ed T1-EU "serial=T1-000201&batch=B1"
expect_eq "an Ed25519 device enrolls" "$STATUS" 200
out=$("$CRADLE" device assign --release "$R200" --device T1-000201 2>&1); rc=$?
check "assigning the encrypted release to it is refused" test "$rc" -ne 0
expect_match "the refusal names the device and why" "$out" "T1-000201 cannot receive encrypted releases: its key is an Ed25519 key"

# 3b. Campaigns of the encrypted release check every member's key too: at
# creation the Ed25519 device is named, and a dynamic campaign refuses it
# when it joins later (failed, never offered), so the director is never asked
# to wrap to a key it cannot use at each of the device's polls.
cat >"$E2E_TMP/enc-campaign.json" <<EOF
{"name": "enc-all", "release_id": $R200, "selector": {"product": "T1-EU"}, "waves": [{"size": "100%", "soak": 0}]}
EOF
out=$("$CRADLE" campaign create --file "$E2E_TMP/enc-campaign.json" 2>&1); rc=$?
check "a campaign over every device of the product is refused" test "$rc" -ne 0
expect_match "the refusal counts and names the device that cannot take it" "$out" \
  '1 device\(s\) the selector matches cannot receive them: device T1-000201 cannot receive encrypted releases: its key is an Ed25519 key'
expect_eq "no campaign was left behind" "$(sqlite3 "$DATA/cradle.db" 'SELECT count(*) FROM campaigns')" 0
cat >"$E2E_TMP/enc-late.json" <<EOF
{"name": "enc-late", "release_id": $R200, "dynamic": true, "selector": {"product": "T1-EU", "tags": {"any": ["late"]}},
 "waves": [{"size": "100%", "soak": 0}]}
EOF
out=$("$CRADLE" --json campaign create --file "$E2E_TMP/enc-late.json" 2>&1); rc=$?
expect_eq "a dynamic campaign over a tag nobody has yet is created" "$rc" 0
LATE_ID=$(jq -r .id <<<"$out")
"$CRADLE" campaign start "$LATE_ID" >/dev/null 2>&1 || tap_fail "start enc-late"
"$CRADLE" device tag --add late T1-000201 >/dev/null 2>&1
joined=
for _ in $(seq 1 100); do
  joined=$(sqlite3 "$DATA/cradle.db" "SELECT details FROM audit_log WHERE action = 'campaign.join' ORDER BY seq DESC LIMIT 1")
  [[ -n $joined ]] && break; sleep 0.2
done
expect_eq "the Ed25519 device joins and is refused at once (audited)" \
  "$(jq -c '[.devices, .refused_no_wrap_key]' <<<"$joined")" '[1,["T1-000201"]]'
expect_eq "its membership is failed, never offered" \
  "$(sqlite3 "$DATA/cradle.db" "SELECT m.state || ' ' || m.attempts FROM campaign_devices m JOIN devices d ON d.id = m.device_id WHERE d.serial = 'T1-000201'")" \
  "failed 0"
expect_eq "nothing was assigned to it" \
  "$(sqlite3 "$DATA/cradle.db" "SELECT count(*) FROM device_assignments a JOIN devices d ON d.id = a.device_id WHERE d.serial = 'T1-000201'")" 0
"$CRADLE" campaign abort "$LATE_ID" --reason "test done" >/dev/null 2>&1

# 4. Without a KEK, an encrypted upload is refused (and a plain one is not).
stop_server
sed -i 's|^ref = .*kek.key$|ref =|' "$DATA/cradled.conf"
start_server || { tap_fail "restart without a KEK"; finish; exit 1; }
out=$("$CRADLE" release create --product T1-EU --version 3.0.0 --security-version 3 --hardware-revision r2 --json)
R300=$(jq -r .id <<<"$out")
head -c 1000 /dev/urandom >"$E2E_TMP/img3"
out=$("$CRADLE" release upload "$R300" "$E2E_TMP/img3" --name rootfs.img --encrypt 2>&1); rc=$?
check "an encrypted upload without a KEK is refused" test "$rc" -ne 0
expect_match "the refusal names the setting" "$out" 'set \[kek\] ref'
check "a plain upload still works" "$CRADLE" release upload "$R300" "$E2E_TMP/img3" --name rootfs.img

finish
