#!/usr/bin/env bash
# cradle key generate: the keys `repo init`, `release sign` and `director init`
# take. A file is new (never overwritten), mode 0600, and the private key is
# never printed; the keyid it prints is the one repo init and director init put
# into their roots; a key generated on a PKCS#11 token (SoftHSM2) signs a
# release through its URI.
source "$(dirname "$0")/lib.sh"

K=$E2E_TMP/keys; mkdir -p "$K"
umask 022   # the key's mode must not depend on the caller's umask

# --- files ---------------------------------------------------------------------
out=$("$CRADLE" key generate --out "$K/root.key" 2>&1)
expect_eq "an Ed25519 key file is generated" "$?" 0
expect_eq "... with mode 0600" "$(stat -c %a "$K/root.key")" 600
expect_match "... it is a PKCS#8 PEM key" "$(head -n1 "$K/root.key")" '^-----BEGIN PRIVATE KEY-----$'
expect_match "... described as Ed25519" "$out" "key: +$K/root\\.key \\(Ed25519, mode 0600\\)"
expect_nomatch "... the private key is not printed" "$out" 'PRIVATE KEY'
expect_match "... the public key is" "$out" 'BEGIN PUBLIC KEY'
ROOT_ID=$(sed -n 's/^keyid: *//p' <<<"$out")
expect_match "... with its 64-hex-digit keyid" "$ROOT_ID" '^[0-9a-f]{64}$'

before=$(sha256sum "$K/root.key")
out=$("$CRADLE" key generate --out "$K/root.key" 2>&1)
expect_eq "an existing key file is refused (exit 1)" "$?" 1
expect_match "... saying so" "$out" 'root\.key exists already; not overwriting it'
expect_eq "... and left as it was" "$(sha256sum "$K/root.key")" "$before"

ln -s "$K/elsewhere.key" "$K/link.key"
"$CRADLE" key generate --out "$K/link.key" >/dev/null 2>&1
expect_eq "a symlink is not followed (exit 1)" "$?" 1
check "... nothing was created behind it" test ! -e "$K/elsewhere.key"

out=$("$CRADLE" --json key generate --type p256 --out "$K/targets.key" --pubout "$K/targets.pub")
expect_eq "a P-256 key with its public key in a file" "$?" 0
expect_eq "... described as ECDSA P-256" "$(jq -r .type <<<"$out")" "ECDSA P-256"
TARGETS_ID=$(jq -r .keyid <<<"$out")
expect_eq "... the public key file is what it printed" "$(cat "$K/targets.pub")" "$(jq -r .public_key <<<"$out" | sed '/^$/d')"
expect_eq "... the public key file is 0644" "$(stat -c %a "$K/targets.pub")" 644
"$CRADLE" key generate --type ecdsa-p256 --out "$K/other.key" >/dev/null
expect_eq "'ecdsa-p256' is accepted too" "$?" 0

"$CRADLE" key generate --type rsa3072 --out "$K/rsa.key" >/dev/null 2>&1
expect_eq "RSA is refused: TUF keys are Ed25519 or P-256 (exit 2)" "$?" 2
check "... and no file is made" test ! -e "$K/rsa.key"
"$CRADLE" key generate >/dev/null 2>&1
expect_eq "neither --out nor --pkcs11 is a usage error (exit 2)" "$?" 2
"$CRADLE" key generate --out "$K/x.key" --pkcs11 'pkcs11:token=t;object=x' >/dev/null 2>&1
expect_eq "both is a usage error (exit 2)" "$?" 2
check "... and no file is made" test ! -e "$K/x.key"

# --- the keyids are those repo init and director init use -------------------------
init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
api POST /api/v1/products "$ADMIN_TOKEN" "$PRODUCT_JSON"
expect_eq "product created" "$STATUS" 201
out=$("$CRADLE" repo init --product T1-EU --root-key "$K/root.key" --targets-pubkey "$K/targets.pub" \
  --targets-threshold 1 --out "$K/1.root.json" 2>&1)
expect_eq "repo init takes the generated root key and targets public key" "$?" 0
expect_eq "the root role's keyid is the one key generate printed" \
  "$(jq -r '.signed.roles.root.keyids[0]' "$K/1.root.json")" "$ROOT_ID"
expect_eq "the targets role's keyid is the one key generate printed" \
  "$(jq -r '.signed.roles.targets.keyids[0]' "$K/1.root.json")" "$TARGETS_ID"

out=$("$CRADLE" key generate --out "$K/director-root.key")
DROOT_ID=$(sed -n 's/^keyid: *//p' <<<"$out")
out=$("$CRADLE" director init --root-key "$K/director-root.key" --root-threshold 1 --out "$K/director-1.root.json" 2>&1)
expect_eq "director init takes a generated root key" "$?" 0
expect_eq "... under the keyid key generate printed" \
  "$(jq -r '.signed.roles.root.keyids[0]' "$K/director-1.root.json")" "$DROOT_ID"

# A release signed with the generated targets key publishes.
head -c 4096 /dev/urandom >"$K/rootfs.img"
rel=$("$CRADLE" --json release create --product T1-EU --version 1.0.0 --security-version 1 \
  --hardware-revision r2 | jq -r .id)
"$CRADLE" release upload "$rel" "$K/rootfs.img" >/dev/null && "$CRADLE" release prepare "$rel" >/dev/null
out=$("$CRADLE" release sign "$rel" --key "$K/targets.key" --image "$K/rootfs.img" 2>&1)
expect_match "release sign with the generated targets key" "$out" '1 of 1 signatures; release 1\.0\.0 is signed'
"$CRADLE" release publish "$rel" >/dev/null
expect_eq "... and the release publishes" "$?" 0

# --- on a PKCS#11 token (SoftHSM2) ------------------------------------------------
if command -v softhsm2-util >/dev/null && [[ -e /usr/lib/softhsm/libsofthsm2.so ]]; then
  mkdir -p "$E2E_TMP/tokens"
  printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$E2E_TMP/tokens" >"$E2E_TMP/softhsm2.conf"
  export SOFTHSM2_CONF=$E2E_TMP/softhsm2.conf CRADLE_PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so
  softhsm2-util --init-token --free --label rm2 --so-pin 1234 --pin 5678 >/dev/null 2>&1
  URI='pkcs11:token=rm2;object=targets'

  out=$("$CRADLE" key generate --type p256 --pkcs11 "$URI" 2>&1)
  expect_eq "without a PIN the token is not touched (exit 1)" "$?" 1
  expect_match "... and the error says where the PIN comes from" "$out" 'CRADLE_PKCS11_PIN'
  export CRADLE_PKCS11_PIN=5678
  out=$("$CRADLE" key generate --pkcs11 "$URI" 2>&1)
  expect_eq "Ed25519 on SoftHSM2 through GnuTLS: refused (exit 1)" "$?" 1
  expect_match "... pointing at --type p256" "$out" 'unsupported.*--type p256'
  out=$("$CRADLE" --json key generate --type p256 --pkcs11 "$URI" --pubout "$K/rm2.pub" 2>&1)
  expect_eq "a P-256 key is generated on the token" "$?" 0
  expect_eq "... reported as on the token" "$(jq -r .pkcs11 <<<"$out")" true
  P11_ID=$(jq -r .keyid <<<"$out")
  out=$("$CRADLE" key generate --type p256 --pkcs11 "$URI" 2>&1)
  expect_eq "the same label again is refused (exit 1)" "$?" 1
  expect_match "... naming it" "$out" "labelled 'targets'"

  # The token key becomes a targets key of a second product's repository and signs.
  api POST /api/v1/products "$ADMIN_TOKEN" "${PRODUCT_JSON/T1-EU/T2-EU}"
  "$CRADLE" repo init --product T2-EU --root-key "$K/other.key" --targets-key "$URI" --targets-threshold 1 \
    --out "$K/T2-1.root.json" >/dev/null 2>&1
  expect_eq "repo init reads the token key's public half" \
    "$(jq -r '.signed.roles.targets.keyids[0]' "$K/T2-1.root.json")" "$P11_ID"
  rel=$("$CRADLE" --json release create --product T2-EU --version 1.0.0 --security-version 1 \
    --hardware-revision r2 | jq -r .id)
  "$CRADLE" release upload "$rel" "$K/rootfs.img" >/dev/null && "$CRADLE" release prepare "$rel" >/dev/null
  out=$("$CRADLE" release sign "$rel" --key "$URI" 2>&1)
  expect_match "release sign with the key on the token" "$out" '1 of 1 signatures'
  unset SOFTHSM2_CONF CRADLE_PKCS11_MODULE CRADLE_PKCS11_PIN
else
  tap_ok "# SKIP SoftHSM2 not installed"
fi

finish
