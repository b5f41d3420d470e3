#!/usr/bin/env bash
# A release from upload through 2-of-3 offline signing to publication, with
# the real cradled and cradle: the key ceremony (one targets key on a
# SoftHSM2 token), a streamed 5 MB image, the static repository with HEAD,
# Range (206/416), ETag and path checks, withdrawal, and the Art. 13(9)
# refusal to delete a published image.
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
api POST /api/v1/products "$ADMIN_TOKEN" "$PRODUCT_JSON"
expect_eq "product T1-EU created" "$STATUS" 201

K=$E2E_TMP/keys; mkdir -p "$K"
openssl genpkey -algorithm ed25519 -out "$K/root.key" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$K/t1.key" 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$K/t3.key" 2>/dev/null
chmod 600 "$K"/*.key
openssl pkey -in "$K/t1.key" -pubout -out "$K/t1.pub" 2>/dev/null
openssl pkey -in "$K/t3.key" -pubout -out "$K/t3.pub" 2>/dev/null
# Release manager 2 keeps the targets key on a token (SoftHSM2, P-256).
export SOFTHSM2_CONF=$E2E_TMP/softhsm2.conf
mkdir -p "$E2E_TMP/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$E2E_TMP/tokens" >"$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label ota --so-pin 11223344 --pin 24680 >/dev/null
pkcs11-tool --module /usr/lib/softhsm/libsofthsm2.so --token-label ota --login --pin 24680 \
  --keypairgen --key-type EC:prime256v1 --label targets-2 --id 02 >/dev/null 2>&1
export CRADLE_PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so CRADLE_PKCS11_PIN=24680
T2="pkcs11:token=ota;object=targets-2;type=private"

# --- the key ceremony ---------------------------------------------------------
api GET /api/v1/repos/T1-EU/online-keys "$(make_token rm-0 release-manager)"
expect_eq "only admins see the online keys" "$STATUS" 403
out=$("$CRADLE" repo init --product T1-EU --root-key "$K/root.key" --targets-pubkey "$K/t1.pub" \
  --targets-key "$T2" --targets-pubkey "$K/t3.pub" --targets-threshold 2 --out "$K/1.root.json" 2>&1); rc=$?
expect_eq "cradle repo init installs root version 1" "$rc" 0
expect_match "the ceremony reports 3 targets keys, threshold 2" "$out" '3 targets key\(s\) \(threshold 2\)'
expect_nomatch "no private key or PIN in the output" "$out" 'PRIVATE KEY|24680'
code=$(curl -sS --cacert "$CA" -o "$E2E_TMP/served-root.json" -w '%{http_code}' "$URL/repo/T1-EU/1.root.json")
expect_eq "1.root.json is served publicly" "$code" 200
check "the served root is the one the ceremony wrote" cmp "$E2E_TMP/served-root.json" "$K/1.root.json"
expect_eq "root.json is version 1" "$(curl -sS --cacert "$CA" "$URL/repo/T1-EU/root.json" | jq .signed.version)" 1
expect_eq "the root's targets threshold is 2" "$(jq '.signed.roles.targets.threshold' "$K/1.root.json")" 2
expect_eq "the root names 3 targets keys" "$(jq '.signed.roles.targets.keyids | length' "$K/1.root.json")" 3
expect_eq "consistent snapshots" "$(jq '.signed.consistent_snapshot' "$K/1.root.json")" true
snap_key=$(ls "$DATA"/repo-keys/T1-EU/snapshot.key 2>/dev/null)
expect_eq "the online key file is 0600" "$(stat -c %a "$snap_key" 2>/dev/null)" 600
out=$("$CRADLE" repo init --product T1-EU --root-key "$K/root.key" --targets-pubkey "$K/t1.pub" --targets-threshold 1 2>&1); rc=$?
expect_eq "a second init is refused (exit 3)" "$rc" 3
expect_match "and says to rotate instead" "$out" 'rotate'

# --- a release ----------------------------------------------------------------
out=$("$CRADLE" release create --product T1-EU --version 1.0.0 --security-version 3 --hardware-revision r2 \
  --hardware-revision r3 --notes "first field release" --json); rc=$?
expect_eq "release created" "$rc" 0
ID=$(jq -r .id <<<"$out")
expect_eq "it is a draft" "$(jq -r .status <<<"$out")" draft
out=$("$CRADLE" release create --product T1-EU --version 0.9.0 --security-version 2 --hardware-revision r2 2>&1); rc=$?
expect_eq "a lower security version is refused (exit 3)" "$rc" 3
expect_match "naming both releases" "$out" 'lower than 3 of release 1.0.0'

IMG=$E2E_TMP/rootfs.img
head -c 5000000 /dev/urandom >"$IMG"
SHA=$(sha256sum "$IMG" | cut -d' ' -f1)
out=$("$CRADLE" release upload "$ID" "$IMG" --json 2>&1); rc=$?
expect_eq "a 5 MB image is uploaded (streamed)" "$rc" 0
expect_eq "the server hashed it as sha256sum does" "$(jq -r '.images[0].sha256' <<<"$out")" "$SHA"
expect_eq "its target is 1.0.0/rootfs.img" "$(jq -r '.images[0].target' <<<"$out")" 1.0.0/rootfs.img
check "the image is stored once, by SHA-256" cmp "$IMG" "$DATA/images/$SHA"
expect_eq "no upload is left in the temp directory" "$(ls "$DATA/tmp" | wc -l)" 0
code=$(curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' -T "$IMG" "$URL/api/v1/releases/$ID/images/x.img")
expect_eq "an upload without a token is refused before its body is stored (401)" "$code" 401
expect_eq "and nothing was written" "$(ls "$DATA/tmp" | wc -l)" 0
printf '{"bomFormat":"CycloneDX","specVersion":"1.5","components":[]}\n' >"$E2E_TMP/sbom.cdx.json"
out=$("$CRADLE" release upload "$ID" --sbom "$E2E_TMP/sbom.cdx.json" --json); rc=$?
expect_eq "the SBOM is attached" "$(jq -r .sbom.media_type <<<"$out")" application/vnd.cyclonedx+json
check "the SBOM is stored unchanged" cmp "$E2E_TMP/sbom.cdx.json" "$DATA/images/$(jq -r .sbom.sha256 <<<"$out")"

# --- prepare, 2-of-3 offline signatures, publish ------------------------------
out=$("$CRADLE" release prepare "$ID" 2>&1); rc=$?
expect_eq "the targets metadata is prepared" "$rc" 0
expect_match "prepare lists the new target" "$out" "\+ 1.0.0/rootfs.img  5000000 bytes  sha256 $SHA"
head -c 5000000 /dev/urandom >"$E2E_TMP/other.img"
out=$("$CRADLE" release sign "$ID" --key "$K/t1.key" --image "$E2E_TMP/other.img" 2>&1); rc=$?
expect_eq "signing stops when a local image does not match (exit 5)" "$rc" 5
out=$("$CRADLE" release sign "$ID" --key "$K/root.key" 2>&1); rc=$?
expect_eq "a key that is no targets key signs nothing (exit 1)" "$rc" 1
expect_match "and says so" "$out" 'not one of the targets keys'
out=$("$CRADLE" release sign "$ID" --key "$K/t1.key" --image "$IMG" 2>&1); rc=$?
expect_eq "release manager 1 signs (file key)" "$rc" 0
expect_match "the local image was checked" "$out" "checked .*rootfs.img: 5000000 bytes, SHA-256 $SHA matches"
expect_match "1 of 2: still a draft" "$out" '1 of 2 signatures; release 1.0.0 is draft'
out=$("$CRADLE" release sign "$ID" --key "$K/t1.key" 2>&1); rc=$?
expect_eq "the same key twice is refused (exit 3)" "$rc" 3
out=$("$CRADLE" release publish "$ID" 2>&1); rc=$?
expect_eq "a draft cannot be published" "$rc" 3
out=$("$CRADLE" release sign "$ID" --key "$T2" 2>&1); rc=$?
expect_eq "release manager 2 signs (PKCS#11 token)" "$rc" 0
expect_match "2 of 2: signed" "$out" '2 of 2 signatures; release 1.0.0 is signed'
expect_nomatch "the PIN never appears" "$out" '24680'
out=$("$CRADLE" release publish "$ID" --json); rc=$?
expect_eq "the release is published" "$(jq -r .status <<<"$out")" published
expect_match "with its retention date" "$(jq -r .retain_until <<<"$out")" '^20[0-9]{2}-'
out=$("$CRADLE" release upload "$ID" "$IMG" --name other.img 2>&1); rc=$?
expect_eq "no image can be added once published (exit 3, before uploading)" "$rc" 3
expect_match "and the CLI says why" "$out" 'draft only'
code=$(curl -sS --cacert "$CA" -H @"$E2E_TMP/auth-header" -H 'Content-Type: application/octet-stream' \
  -T "$IMG" -o "$E2E_TMP/body" -w '%{http_code}' "$URL/api/v1/releases/$ID/images/other.img")
expect_eq "the server refuses it too (409)" "$code" 409
# The temp file is removed when the exchange ends, just after the answer is
# sent: give that a moment rather than race it.
for _ in $(seq 1 20); do [[ -z $(ls "$DATA/tmp") ]] && break; sleep 0.1; done
expect_eq "and keeps nothing of the body" "$(ls "$DATA/tmp" | wc -l)" 0

R=$URL/repo/T1-EU
for f in 1.root.json root.json timestamp.json 1.snapshot.json 1.targets.json; do
  expect_eq "$f is served" "$(curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' "$R/$f")" 200
done
T=$R/targets/1.0.0/$SHA.rootfs.img
expect_eq "the target file exists in the repository" "$(stat -c %s "$DATA/repo/T1-EU/targets/1.0.0/$SHA.rootfs.img")" 5000000
tj=$(curl -sS --cacert "$CA" "$R/1.targets.json")
expect_eq "targets lists the image's hash" "$(jq -r '.signed.targets["1.0.0/rootfs.img"].hashes.sha256' <<<"$tj")" "$SHA"
expect_eq "with the security version" "$(jq -r '.signed.targets["1.0.0/rootfs.img"].custom.security_version' <<<"$tj")" 3
expect_eq "targets carries two signatures" "$(jq '.signatures | length' <<<"$tj")" 2
expect_eq "the timestamp names snapshot 1" "$(curl -sS --cacert "$CA" "$R/timestamp.json" | jq '.signed.meta["snapshot.json"].version')" 1

# --- static serving: whole, HEAD, Range, ETag, paths ---------------------------
curl -sS --cacert "$CA" -o "$E2E_TMP/dl.img" "$T"
check "the whole target downloads intact" cmp "$IMG" "$E2E_TMP/dl.img"
range_check() { # range dd-skip dd-count description
  local code
  code=$(curl -sS --cacert "$CA" -r "$1" -o "$E2E_TMP/part" -D "$E2E_TMP/h" -w '%{http_code}' "$T")
  dd if="$IMG" of="$E2E_TMP/want" bs=1 skip="$2" count="$3" status=none
  expect_eq "Range $1 is 206 ($4)" "$code" 206
  check "Range $1 returns exactly those bytes" cmp "$E2E_TMP/part" "$E2E_TMP/want"
}
range_check 100-199 100 100 "first-last"
range_check 4999000- 4999000 1000 "open end"
range_check -500 4999500 500 "suffix"
range_check 4999990-9999999 4999990 10 "end cut to the file"
curl -sS --cacert "$CA" -r 0-99 -D "$E2E_TMP/h" -o /dev/null "$T"
expect_match "Content-Range names the range and the length" "$(tr -d '\r' <"$E2E_TMP/h")" 'Content-Range: bytes 0-99/5000000'
code=$(curl -sS --cacert "$CA" -r 5000000- -D "$E2E_TMP/h" -o "$E2E_TMP/body" -w '%{http_code}' "$T")
expect_eq "a range beyond the end is 416" "$code" 416
expect_match "416 names the length" "$(tr -d '\r' <"$E2E_TMP/h")" 'Content-Range: bytes \*/5000000'
code=$(curl -sS --cacert "$CA" -H 'Range: bytes=0-1,5-6' -o "$E2E_TMP/multi" -w '%{http_code}' "$T")
expect_eq "several ranges get the whole file (200)" "$code" 200
expect_eq "whole indeed" "$(stat -c %s "$E2E_TMP/multi")" 5000000
head=$(curl -sS --cacert "$CA" -I "$T" | tr -d '\r')
expect_match "HEAD is 200" "$head" '^HTTP/[0-9.]+ 200'
expect_match "HEAD gives the length" "$head" 'Content-Length: 5000000'
expect_match "the ETag is the SHA-256" "$head" "ETag: \"$SHA\""
expect_match "ranges are advertised" "$head" 'Accept-Ranges: bytes'
expect_match "targets never change" "$head" 'Cache-Control: public, max-age=31536000, immutable'
code=$(curl -sS --cacert "$CA" -H "If-None-Match: \"$SHA\"" -o /dev/null -w '%{http_code}' "$T")
expect_eq "If-None-Match with the ETag is 304" "$code" 304
code=$(curl -sS --cacert "$CA" -r 0-9 -H 'If-Range: "0000"' -o "$E2E_TMP/ir" -w '%{http_code}' "$T")
expect_eq "If-Range with another ETag gets the whole file" "$code" 200
head=$(curl -sS --cacert "$CA" -I "$R/timestamp.json" | tr -d '\r')
expect_match "timestamp.json must be revalidated" "$head" 'Cache-Control: public, no-cache'
code=$(curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' "$R/1.root.json%00")
expect_eq "a NUL in a name is refused by the router (400)" "$code" 400
for p in "..%2F..%2Fcradle.db" "..%2Fimages%2F$SHA" "%2E%2E" "x.json" "01.root.json" ".." "targets"; do
  expect_eq "repo/T1-EU/$p is 404" "$(curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' "$R/$p")" 404
done
expect_eq "a target under another directory is 404" \
  "$(curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' "$R/targets/..%2F..%2F/$SHA.rootfs.img")" 404
expect_eq "another product's path is 404" \
  "$(curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' "$URL/repo/..%2Fimages/$SHA")" 404

# --- status, withdrawal, retention ---------------------------------------------
out=$("$CRADLE" repo status --product T1-EU --json)
expect_eq "repo status: targets version 1" "$(jq .targets.version <<<"$out")" 1
expect_eq "repo status: one published release" "$(jq .published_releases <<<"$out")" 1
out=$("$CRADLE" release withdraw "$ID" --reason "boot loop on r3 boards" --json); rc=$?
expect_eq "the release is withdrawn" "$(jq -r .status <<<"$out")" withdrawn
api DELETE "/api/v1/images/$SHA" "$ADMIN_TOKEN"
expect_eq "deleting a published image is refused (409)" "$STATUS" 409
expect_match "citing CRA Art. 13(9) and the date" "$(jqr .detail)" 'CRA Art\. 13\(9\).*may be deleted from 20[0-9]{2}-[0-9]{2}-[0-9]{2}'
check "the image is still stored" test -f "$DATA/images/$SHA"
expect_eq "and still served" "$(curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' -I "$T")" 200
out=$("$CRADLE" release list --product T1-EU --json)
expect_eq "release list shows it withdrawn" "$(jq -r '.items[0].status' <<<"$out")" withdrawn
audit=$(api GET "/api/v1/audit?object=release:$ID" "$ADMIN_TOKEN"; echo "$BODY")
for a in release.create release.image release.sbom release.prepare release.signature release.signed release.publish release.withdraw; do
  expect_match "audited: $a" "$audit" "\"$a\""
done

# --- root rotation with the CLI ----------------------------------------------------
openssl genpkey -algorithm ed25519 -out "$K/root2.key" 2>/dev/null; chmod 600 "$K/root2.key"
out=$("$CRADLE" repo rotate-root --product T1-EU --root-key "$K/root.key" --root-key "$K/root2.key" \
  --out "$K/2.root.json" 2>&1); rc=$?
expect_eq "cradle repo rotate-root installs root 2" "$rc" 0
check "2.root.json is served as written" cmp "$K/2.root.json" <(curl -sS --cacert "$CA" "$R/2.root.json")
expect_eq "root 2: two root keys, threshold 2" "$(jq -c '[(.signed.roles.root.keyids | length), .signed.roles.root.threshold]' "$K/2.root.json")" "[2,2]"
expect_eq "root 2 keeps the targets keys" "$(jq -c .signed.roles.targets "$K/2.root.json")" "$(jq -c .signed.roles.targets "$K/1.root.json")"
out=$("$CRADLE" repo rotate-root --product T1-EU --root-key "$K/root2.key" 2>&1); rc=$?
expect_eq "a root signed by 1 of root 2's 2 keys is refused (exit 3)" "$rc" 3
expect_match "naming the old threshold" "$out" 'threshold of the current root'
out=$("$CRADLE" repo online-keys --product T1-EU --next --json); rc=$?
next_ts=$(jq -r .next.timestamp.keyid <<<"$out")
expect_match "cradle repo online-keys --next makes a second pair" "$next_ts" '^[0-9a-f]{64}$'
ts_before=$(curl -sS --cacert "$CA" "$R/timestamp.json" | jq .signed.version)
out=$("$CRADLE" repo rotate-root --product T1-EU --root-key "$K/root.key" --root-key "$K/root2.key" \
  --online-keys next --out "$K/3.root.json" 2>&1); rc=$?
expect_eq "root 3 moves to the next online keys" "$rc" 0
expect_eq "root 3 names the new timestamp key" "$(jq -r '.signed.roles.timestamp.keyids[0]' "$K/3.root.json")" "$next_ts"
ts=$(curl -sS --cacert "$CA" "$R/timestamp.json")
expect_eq "the timestamp was re-signed at once" "$(jq .signed.version <<<"$ts")" "$((ts_before + 1))"
expect_eq "with the new key" "$(jq -r '.signatures[0].keyid' <<<"$ts")" "$next_ts"

# --- the upload limit ------------------------------------------------------------
stop_server
sed -i 's/^max_image_size = .*/max_image_size = 1M/' "$DATA/cradled.conf"
start_server || tap_fail "server restarts"
out=$("$CRADLE" release create --product T1-EU --version 1.0.1 --security-version 3 --hardware-revision r2 --json)
ID2=$(jq -r .id <<<"$out")
out=$("$CRADLE" release upload "$ID2" "$IMG" 2>&1); rc=$?
expect_eq "an image over [ota] max_image_size is refused (exit 3)" "$rc" 3
expect_match "with 413's reason" "$out" 'max_image_size'
expect_eq "and leaves nothing behind" "$(ls "$DATA/tmp" | wc -l)" 0
expect_nomatch "the log never shows a token" "$(cat "$LOG")" "${ADMIN_TOKEN:24}"

# --- lib.sh's ota_setup, which the director and agent tests build on -------------
stop_server
unset CRADLE_PKCS11_MODULE CRADLE_PKCS11_PIN
init_server "$E2E_TMP/data2" && start_server || tap_fail "a second server starts"
if ota_setup; then tap_ok "ota_setup makes a repository with a published release"; else tap_fail "ota_setup"; fi
expect_eq "ota_setup: release 1.0.0 is published" "$("$CRADLE" release show "$REL_ID" --json | jq -r .status)" published
curl -sS --cacert "$CA" -o "$E2E_TMP/setup.img" "$IMG_URL"
check "ota_setup: its image is served at IMG_URL" cmp "$IMG" "$E2E_TMP/setup.img"
if ota_publish 1.1.0 2 r2 r3; then tap_ok "ota_publish publishes a second release"; else tap_fail "ota_publish"; fi
expect_eq "the repository is at targets version 2" "$(curl -sS --cacert "$CA" "$OTA_REPO_URL/2.targets.json" | jq '.signed.targets | length')" 2
check "the trusted root is OTA_ROOT" cmp "$OTA_ROOT" <(curl -sS --cacert "$CA" "$OTA_REPO_URL/1.root.json")
finish
