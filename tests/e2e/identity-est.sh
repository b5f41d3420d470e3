#!/usr/bin/env bash
# Factory enrollment over EST (RFC 7030), driven by curl, openssl and certtool
# exactly as an EST client does it, and each refusal with its own reason.
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
identity_setup || { tap_fail "identity setup"; finish; exit 1; }

# cacerts and csrattrs are public.
STATUS=$(curl -sS --cacert "$CA" -D "$E2E_TMP/h" -o "$PKI/cacerts.b64" -w '%{http_code}' "$URL/.well-known/est/T1-EU/cacerts")
expect_eq "cacerts answers 200 without credentials" "$STATUS" 200
expect_match "cacerts is application/pkcs7-mime" "$(tr -d '\r' <"$E2E_TMP/h")" 'Content-Type: application/pkcs7-mime'
base64 -d "$PKI/cacerts.b64" >"$PKI/cacerts.p7"
out=$(openssl pkcs7 -inform DER -in "$PKI/cacerts.p7" -print_certs -noout 2>&1)
expect_match "cacerts holds the device CA" "$out" 'subject=.*'
expect_match "cacerts holds the root" "$out" 'Acme Root CA'
STATUS=$(curl -sS --cacert "$CA" -D "$E2E_TMP/h" -o "$PKI/attrs.b64" -w '%{http_code}' "$URL/.well-known/est/T1-EU/csrattrs")
expect_eq "csrattrs answers 200" "$STATUS" 200
expect_match "csrattrs is application/csrattrs" "$(tr -d '\r' <"$E2E_TMP/h")" 'Content-Type: application/csrattrs'
out=$(base64 -d "$PKI/attrs.b64" | openssl asn1parse -inform DER 2>&1)
expect_match "csrattrs asks for serialNumber" "$out" 'serialNumber'

# A device enrolled with openssl.
make_csr dev1 SN0001
est_enroll dev1 T1-EU "serial=SN0001&batch=B1&station=line-1"
expect_eq "simpleenroll with a factory token answers 200" "$STATUS" 200
expect_match "the answer is certs-only PKCS#7" "$HEADERS" 'Content-Type: application/pkcs7-mime; ?smime-type=certs-only'
expect_match "the answer says base64" "$HEADERS" 'Content-Transfer-Encoding: base64'
subj=$(openssl x509 -in "$PKI/dev1.pem" -noout -subject -nameopt RFC2253)
expect_match "the certificate carries the serial in serialNumber" "$subj" 'serialNumber=SN0001'
text=$(openssl x509 -in "$PKI/dev1.pem" -noout -text)
expect_match "SAN URI names product and serial" "$text" 'URI:urn:cradle:device:T1-EU:SN0001'
expect_match "key usage is digitalSignature" "$text" 'Digital Signature'
expect_match "extended key usage is clientAuth" "$text" 'TLS Web Client Authentication'
expect_match "it has a CRL distribution point" "$text" 'pki/crl/t1-ca.crl'
expect_match "it is not a CA" "$text" 'CA:FALSE'
check "openssl verify accepts the chain" openssl verify -CAfile "$PKI/root.pem" -untrusted "$PKI/ca.pem" "$PKI/dev1.pem"
cat "$PKI/dev1.pem" "$PKI/ca.pem" "$PKI/root.pem" >"$PKI/dev1-chain.pem"
check "certtool --verify-chain accepts the chain" certtool --verify-chain --infile "$PKI/dev1-chain.pem"
cat "$PKI/dev1.pem" "$PKI/ca.pem" >"$PKI/dev1-bundle.pem"
check "certtool --verify against the root accepts it" certtool --verify --load-ca-certificate "$PKI/root.pem" --infile "$PKI/dev1-bundle.pem"

api GET /api/v1/devices/SN0001 "$ADMIN_TOKEN"
expect_eq "the device record exists" "$STATUS" 200
expect_eq "the record has product, batch, hardware revision, station, firmware" \
  "$(jqr '[.product, .batch, .hardware_revision, .station, .initial_firmware_version, .production_date] | join("|")')" \
  "T1-EU|B1|r2|line-1|1.0.0|2026-11-01"

# A device enrolled with certtool (GnuTLS) instead.
certtool --generate-privkey --key-type ecdsa --curve secp384r1 --outfile "$PKI/dev2.key" 2>/dev/null
chmod 600 "$PKI/dev2.key"
printf 'dn = "CN=SN0002,serialNumber=SN0002"\n' >"$PKI/dev2.tmpl"
certtool --generate-request --load-privkey "$PKI/dev2.key" --template "$PKI/dev2.tmpl" --outder --outfile "$PKI/dev2.csr.der" 2>/dev/null
base64 "$PKI/dev2.csr.der" >"$PKI/dev2.csr.b64"
est_enroll dev2 T1-EU "serial=SN0002&batch=B1"
expect_eq "a certtool P-384 CSR enrolls" "$STATUS" 200
check "certtool verifies the P-384 device certificate" certtool --verify --load-ca-certificate "$PKI/root.pem" --infile <(cat "$PKI/dev2.pem" "$PKI/ca.pem")

# Ed25519 and RSA-3072 are in policy.
make_csr dev3 SN0003 -algorithm ED25519
est_enroll dev3 T1-EU "serial=SN0003&batch=B1"
expect_eq "an Ed25519 key enrolls" "$STATUS" 200
make_csr dev4 SN0004 -algorithm RSA -pkeyopt rsa_keygen_bits:3072
est_enroll dev4 T1-EU "serial=SN0004&batch=B1"
expect_eq "an RSA-3072 key enrolls" "$STATUS" 200

# --- refusals, each with its reason, each audited ----------------------------
refused_before=$(api GET "/api/v1/audit?limit=1000" "$ADMIN_TOKEN"; jqr '[.items[] | select(.action == "device.enroll.refused")] | length')

make_csr bad1 SN0101
flip_byte "$PKI/bad1.csr.der" -3
base64 "$PKI/bad1.csr.der" >"$PKI/bad1.csr.b64"
est_enroll bad1 T1-EU "serial=SN0101&batch=B1"
expect_eq "a CSR whose signature fails is 400" "$STATUS" 400
expect_match "the reason says signature" "$BODY" '[Ss]ignature'

make_csr bad2 SN0102
est_enroll bad2 T1-EU "serial=SN9999&batch=B1"
expect_eq "a CSR whose serial differs from the requested one is 400" "$STATUS" 400
expect_match "the reason names both serials" "$BODY" 'SN0102.*SN9999|SN9999.*SN0102'

make_csr bad3 SN0001
est_enroll bad3 T1-EU "serial=SN0001&batch=B1"
expect_eq "an already enrolled serial is 409 for a factory token" "$STATUS" 409
expect_match "the reason says already enrolled" "$BODY" '[Aa]lready'

make_csr bad4 SN0104 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
est_enroll bad4 T1-EU "serial=SN0104&batch=B1"
expect_eq "an RSA-2048 key is outside policy (400)" "$STATUS" 400
expect_match "the reason names the policy" "$BODY" 'policy'

# RSA of a size in policy but with public exponent 3: refused for the exponent.
make_csr bad4e SN0114 -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -pkeyopt rsa_keygen_pubexp:3
est_enroll bad4e T1-EU "serial=SN0114&batch=B1"
expect_eq "an RSA-3072 key with public exponent 3 is refused (400)" "$STATUS" 400
expect_match "the reason names the exponent" "$BODY" 'exponent is 3, not 65537'
api GET "/api/v1/devices/SN0114" "$ADMIN_TOKEN"
expect_eq "no device was created for it" "$STATUS" 404
api GET "/api/v1/audit?limit=1000" "$ADMIN_TOKEN"
expect_eq "its refusal is audited with the reason key-policy" \
  "$(jqr '[.items[] | select(.action == "device.enroll.refused" and .details.serial == "SN0114")][-1].details.reason')" key-policy

make_csr bad5 SN0105
est_enroll bad5 NOPE-1 "serial=SN0105&batch=B1"
expect_eq "an unknown product label is 404" "$STATUS" 404

"$CRADLE" batch create --product T1-EU --name B-closed --hardware-revision r1 --production-date 2026-10-01 --station line-2 --firmware 0.9.0 >/dev/null
bid=$("$CRADLE" batch list --json | jq -r '.items[] | select(.name == "B-closed") | .id')
"$CRADLE" batch close "$bid" >/dev/null
make_csr bad6 SN0106
est_enroll bad6 T1-EU "serial=SN0106&batch=B-closed"
expect_eq "a closed batch refuses enrollment (409)" "$STATUS" 409
expect_match "the reason says closed" "$BODY" 'closed'

est_enroll bad6 T1-EU "serial=SN0106&batch=B1" "$(make_token rm-1 release-manager)"
expect_eq "a release-manager token may not enroll (403)" "$STATUS" 403
STATUS=$(curl -sS --cacert "$CA" -H 'Content-Type: application/pkcs10' --data-binary @"$PKI/bad6.csr.b64" -o /dev/null -w '%{http_code}' "$URL/.well-known/est/T1-EU/simpleenroll?serial=SN0106&batch=B1")
expect_eq "enrollment without a credential is 401" "$STATUS" 401
printf 'not base64 !!!' >"$PKI/junk.csr.b64"
est_enroll junk T1-EU "serial=SN0107&batch=B1"
expect_eq "a body that is not base64 is 400" "$STATUS" 400

api GET "/api/v1/audit?limit=1000" "$ADMIN_TOKEN"
refused_after=$(jqr '[.items[] | select(.action == "device.enroll.refused")] | length')
expect_eq "each of the seven refusals is in the audit chain" "$((refused_after - refused_before))" 7

# Re-provisioning: only an admin, audited.
make_csr re1 SN0001
est_enroll re1 T1-EU "serial=SN0001&batch=B1&reprovision=true"
expect_match "reprovision with a factory token is still refused" "$STATUS" '^(403|409)$'
est_enroll re1 T1-EU "serial=SN0001&batch=B1&reprovision=true" "$ADMIN_TOKEN"
expect_eq "an admin may re-provision" "$STATUS" 200
api GET "/api/v1/audit?object=device:SN0001" "$ADMIN_TOKEN"
expect_match "re-provisioning is audited" "$(jqr '[.items[].action] | join(",")')" 'device.reprovision'
check "the audit chain verifies after enrollment" "$CRADLE" audit verify
finish
