#!/usr/bin/env bash
# Device mTLS: a device route accepts only a certificate this server issued
# and that is still good; renewal over EST simplereenroll; expiry listing.
source "$(dirname "$0")/lib.sh"

# No KEK here (docs/keys.md "Secrets at rest"): the device CA key file stays
# plain PEM, as the stolen or escrowed copy the forgery below starts from.
init_server && sed -i 's/^ref = kek.key$/ref = /' "$DATA/cradled.conf" && start_server \
  || { tap_fail "server starts"; finish; exit 1; }
identity_setup || { tap_fail "identity setup"; finish; exit 1; }
make_csr dev1 SN0001 && est_enroll dev1 T1-EU "serial=SN0001&batch=B1"
[[ $STATUS == 200 ]] || tap_fail "enroll SN0001" "$STATUS $BODY"

mtls GET /device/v1/whoami dev1
expect_eq "whoami with the device's certificate is 200" "$STATUS" 200
expect_eq "whoami names the device" "$(jqr .serial)" SN0001
expect_eq "whoami names the product" "$(jqr .product)" T1-EU

STATUS=$(curl -sS --cacert "$CA" -o "$E2E_TMP/body" -w '%{http_code}' "$URL/device/v1/whoami")
expect_eq "no client certificate is 401" "$STATUS" 401
expect_match "the problem says a certificate is needed" "$(cat "$E2E_TMP/body")" '[Cc]ertificate'

# A certificate for the same serial from a CA this server does not know.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$PKI/evil-ca.key" -out "$PKI/evil-ca.pem" \
  -subj "/CN=Evil CA" -days 30 -addext basicConstraints=critical,CA:TRUE 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$PKI/evil.key" -out "$PKI/evil.csr" -subj "/serialNumber=SN0001/CN=SN0001" 2>/dev/null
printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n' >"$PKI/evil.ext"
openssl x509 -req -in "$PKI/evil.csr" -CA "$PKI/evil-ca.pem" -CAkey "$PKI/evil-ca.key" -CAcreateserial -days 30 -extfile "$PKI/evil.ext" -out "$PKI/evil.pem" 2>/dev/null
mtls GET /device/v1/whoami evil
expect_eq "a certificate from a foreign CA is 401" "$STATUS" 401
# A self-signed certificate naming the device.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$PKI/self.key" -out "$PKI/self.pem" -subj "/serialNumber=SN0001/CN=SN0001" -days 30 2>/dev/null
mtls GET /device/v1/whoami self
expect_eq "a self-signed certificate is 401" "$STATUS" 401
# The server's own device CA key, read from its data directory (what someone
# holding a stolen or escrowed copy has), signs a certificate that reuses
# SN0001's serial with the attacker's key: the chain verifies and the serial is
# known, so only the fingerprint check (the bytes this server issued) refuses it.
api GET /api/v1/device-cas/t1-ca "$ADMIN_TOKEN"
ca_key=$(jqr .key_ref)
dev1_serial=$(openssl x509 -in "$PKI/dev1.pem" -noout -serial | cut -d= -f2)
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$PKI/forged.key" -out "$PKI/forged.csr" \
  -subj "/O=T1-EU/serialNumber=SN0001/CN=SN0001" 2>/dev/null
printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:FALSE\nsubjectAltName=URI:urn:cradle:device:T1-EU:SN0001\n' >"$PKI/forged.ext"
openssl x509 -req -in "$PKI/forged.csr" -CA "$PKI/ca.pem" -CAkey "$ca_key" -set_serial "0x$dev1_serial" -days 30 \
  -extfile "$PKI/forged.ext" -out "$PKI/forged.pem" 2>/dev/null
check "the forged certificate verifies under the real device CA" \
  openssl verify -CAfile "$PKI/root.pem" -untrusted "$PKI/ca.pem" "$PKI/forged.pem"
expect_eq "it reuses SN0001's certificate serial" \
  "$(openssl x509 -in "$PKI/forged.pem" -noout -serial)" "$(openssl x509 -in "$PKI/dev1.pem" -noout -serial)"
mtls GET /device/v1/whoami forged
expect_eq "a certificate from the real CA key that reuses an issued serial is 401" "$STATUS" 401
expect_match "the refusal says the serial was issued with other contents" "$BODY" 'issued with other contents'
# A bearer token is not a device credential.
api GET /device/v1/whoami "$ADMIN_TOKEN"
expect_eq "an operator token on a device route is 401" "$STATUS" 401
# A device certificate is not an operator credential.
mtls GET /api/v1/products dev1
expect_eq "a device certificate on an operator route is 401" "$STATUS" 401

# Renewal: simplereenroll with the current certificate, a new key.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$PKI/op1.key" 2>/dev/null
openssl req -new -key "$PKI/op1.key" -subj "/serialNumber=SN0001/CN=SN0001" -outform DER | base64 >"$PKI/op1.csr.b64"
mtls POST /.well-known/est/T1-EU/simplereenroll dev1 -H 'Content-Type: application/pkcs10' --data-binary @"$PKI/op1.csr.b64"
expect_eq "simplereenroll with the birth certificate answers 200" "$STATUS" 200
base64 -d <<<"$BODY" | openssl pkcs7 -inform DER -print_certs -out "$PKI/op1.pem"
check "the operational certificate verifies" openssl verify -CAfile "$PKI/root.pem" -untrusted "$PKI/ca.pem" "$PKI/op1.pem"
mtls GET /device/v1/whoami op1
expect_eq "the operational certificate authenticates" "$STATUS" 200
op1_serial=$(openssl x509 -in "$PKI/op1.pem" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$PKI/op2.key" 2>/dev/null
openssl req -new -key "$PKI/op2.key" -subj "/serialNumber=SN0001/CN=SN0001" -outform DER | base64 >"$PKI/op2.csr.b64"
mtls POST /.well-known/est/T1-EU/simplereenroll op1 -H 'Content-Type: application/pkcs10' --data-binary @"$PKI/op2.csr.b64"
expect_eq "renewing with the operational certificate answers 200" "$STATUS" 200
base64 -d <<<"$BODY" | openssl pkcs7 -inform DER -print_certs -out "$PKI/op2.pem"
mtls GET /device/v1/whoami op1
expect_eq "the superseded operational certificate is refused at once (401)" "$STATUS" 401
expect_match "the refusal says superseded" "$BODY" 'superseded'
mtls GET /device/v1/whoami op2
expect_eq "the renewed certificate works" "$STATUS" 200
api GET /api/v1/devices/SN0001 "$ADMIN_TOKEN"
expect_eq "the old certificate is marked superseded" \
  "$(jqr ".certificates[] | select(.serial == \"$op1_serial\") | .status")" superseded

# A CSR for another serial cannot be renewed with this device's certificate.
openssl req -new -key "$PKI/op2.key" -subj "/serialNumber=SN0002/CN=SN0002" -outform DER | base64 >"$PKI/x.csr.b64"
mtls POST /.well-known/est/T1-EU/simplereenroll op2 -H 'Content-Type: application/pkcs10' --data-binary @"$PKI/x.csr.b64"
expect_eq "reenroll for another serial is refused (400)" "$STATUS" 400
STATUS=$(curl -sS --cacert "$CA" -H 'Content-Type: application/pkcs10' --data-binary @"$PKI/x.csr.b64" -o /dev/null -w '%{http_code}' "$URL/.well-known/est/T1-EU/simplereenroll")
expect_eq "reenroll without a certificate is 401" "$STATUS" 401

# Expiry listing: the operational certificate (365 days) expires within 400 days, not within 30.
out=$(CRADLE_TOKEN=$ADMIN_TOKEN "$CRADLE" device list --expiring-within 400 --json)
expect_match "a device expiring within 400 days is listed" "$(jq -r '.items[].serial' <<<"$out")" 'SN0001'
out=$(CRADLE_TOKEN=$ADMIN_TOKEN "$CRADLE" device list --expiring-within 30 --json)
expect_nomatch "but not within 30 days" "$(jq -r '.items[].serial' <<<"$out")" 'SN0001'

# Decommissioning: every certificate revoked, device routes refused.
CRADLE_TOKEN=$ADMIN_TOKEN "$CRADLE" device decommission SN0001 >/dev/null
mtls GET /device/v1/whoami op2
expect_match "a decommissioned device is refused" "$STATUS" '^(401|403)$'
api GET /api/v1/devices/SN0001 "$ADMIN_TOKEN"
expect_eq "no certificate of it is valid any more" "$(jqr '[.certificates[] | select(.status == "valid")] | length')" 0
expect_eq "it is marked decommissioned" "$(jqr .status)" decommissioned
finish
