#!/usr/bin/env bash
# A production batch provisioned by the CLI from a CSV of serials (test
# station mode: the CLI generates the keys), each device's credential bundle
# written, refusals reported per serial.
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
identity_setup || { tap_fail "identity setup"; finish; exit 1; }

printf 'serial\nP-0001\nP-0002\nP-0003\nP-0004\nP-0005\n' >"$E2E_TMP/serials.csv"
out=$(CRADLE_TOKEN=$FACTORY_TOKEN "$CRADLE" provision --product T1-EU --batch B1 --serials "$E2E_TMP/serials.csv" \
  --out "$E2E_TMP/bundles" --generate-keys --station line-7 2>&1); rc=$?
expect_eq "provisioning five serials succeeds" "$rc" 0
for s in P-0001 P-0005; do
  check "bundle for $s has a certificate" test -s "$E2E_TMP/bundles/$s/cert.pem"
  check "bundle for $s has the chain" test -s "$E2E_TMP/bundles/$s/chain.pem"
  expect_eq "the key of $s is private (0600)" "$(stat -c %a "$E2E_TMP/bundles/$s/key.pem")" 600
  check "the certificate of $s verifies with openssl" openssl verify -CAfile "$PKI/root.pem" -untrusted "$PKI/ca.pem" "$E2E_TMP/bundles/$s/cert.pem"
done
STATUS=$(curl -sS --cacert "$CA" --cert "$E2E_TMP/bundles/P-0003/cert.pem" --key "$E2E_TMP/bundles/P-0003/key.pem" \
  -o "$E2E_TMP/body" -w '%{http_code}' "$URL/device/v1/whoami")
expect_eq "a provisioned device authenticates with its bundle" "$STATUS" 200
api GET "/api/v1/devices?product=T1-EU" "$ADMIN_TOKEN"
expect_eq "five device records exist" "$(jqr '[.items[] | select(.serial | startswith("P-"))] | length')" 5
api GET /api/v1/devices/P-0002 "$ADMIN_TOKEN"
expect_eq "the station is recorded" "$(jqr .station)" line-7

# Re-running into the same directory skips what is done and overwrites nothing.
sum=$(sha256sum "$E2E_TMP/bundles/P-0001/cert.pem")
out=$(CRADLE_TOKEN=$FACTORY_TOKEN "$CRADLE" provision --product T1-EU --batch B1 --serials "$E2E_TMP/serials.csv" \
  --out "$E2E_TMP/bundles" --generate-keys 2>&1); rc=$?
expect_eq "a re-run over finished bundles exits 0" "$rc" 0
expect_eq "the existing bundle was not overwritten" "$(sha256sum "$E2E_TMP/bundles/P-0001/cert.pem")" "$sum"

# An already enrolled serial in a fresh run is refused, named, and exits 3.
printf 'serial\nP-0001\nP-0006\n' >"$E2E_TMP/serials2.csv"
out=$(CRADLE_TOKEN=$FACTORY_TOKEN "$CRADLE" provision --product T1-EU --batch B1 --serials "$E2E_TMP/serials2.csv" \
  --out "$E2E_TMP/bundles2" --generate-keys 2>&1); rc=$?
expect_eq "a batch with a refused serial exits 3" "$rc" 3
expect_match "the summary names the refused serial and why" "$out" 'P-0001.*(already|enrolled)'
check "the other serial was still provisioned" test -s "$E2E_TMP/bundles2/P-0006/cert.pem"
check "no key is left behind for the refused serial" test ! -e "$E2E_TMP/bundles2/P-0001/key.pem"

printf 'serial\nbad serial with spaces\n' >"$E2E_TMP/bad.csv"
out=$(CRADLE_TOKEN=$FACTORY_TOKEN "$CRADLE" provision --product T1-EU --batch B1 --serials "$E2E_TMP/bad.csv" --out "$E2E_TMP/b2" --generate-keys 2>&1); rc=$?
expect_match "a malformed CSV is refused before anything is sent" "$rc" '^[12]$'
expect_match "the error names the line" "$out" 'line 2|:2:'
finish
