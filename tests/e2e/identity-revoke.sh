#!/usr/bin/env bash
# Revocation by device serial and by certificate serial, with RFC 5280
# reasons, effective on the next request; the CRL as openssl sees it.
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
identity_setup || { tap_fail "identity setup"; finish; exit 1; }
for n in 1 2 3; do
  make_csr dev$n SN000$n && est_enroll dev$n T1-EU "serial=SN000$n&batch=B1"
  [[ $STATUS == 200 ]] || tap_fail "enroll SN000$n" "$STATUS $BODY"
done

# The CRL is published unauthenticated at the URL in the certificates.
crl_url=$(openssl x509 -in "$PKI/dev1.pem" -noout -ext crlDistributionPoints | grep -oE 'URI:[^ ]+' | cut -c5-)
expect_match "certificates name the CRL URL" "$crl_url" '/pki/crl/t1-ca\.crl$'
curl -sS --cacert "$CA" -o "$PKI/crl0.der" -D "$E2E_TMP/h" "$crl_url"
expect_match "the CRL is served as application/pkix-crl" "$(tr -d '\r' <"$E2E_TMP/h")" 'Content-Type: application/pkix-crl'
out=$(openssl crl -inform DER -in "$PKI/crl0.der" -noout -text 2>&1)
expect_match "openssl parses the CRL (v2)" "$out" 'Version 2'
expect_match "the CRL has a nextUpdate" "$out" 'Next Update: '
expect_match "with nothing revoked it lists no certificates" "$out" 'No Revoked Certificates'

mtls GET /device/v1/whoami dev1
expect_eq "SN0001 works before revocation" "$STATUS" 200

# Revoke by device serial.
out=$(CRADLE_TOKEN=$ADMIN_TOKEN "$CRADLE" device revoke SN0001 --reason keyCompromise 2>&1); rc=$?
expect_eq "cradle device revoke succeeds" "$rc" 0
mtls GET /device/v1/whoami dev1
expect_eq "the revoked certificate is refused on the next request (no restart)" "$STATUS" 401
expect_match "the refusal names the reason" "$BODY" 'keyCompromise'

# Revoke by certificate serial, with the API.
serial2=$(openssl x509 -in "$PKI/dev2.pem" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')
SO=$(make_token so-1 security-officer)
api POST "/api/v1/certificates/$serial2/revoke" "$SO" '{"reason":"cessationOfOperation"}'
expect_eq "a security officer revokes a certificate by serial" "$STATUS" 200
mtls GET /device/v1/whoami dev2
expect_eq "that certificate is refused at once" "$STATUS" 401
api POST "/api/v1/certificates/$serial2/revoke" "$SO" '{"reason":"keyCompromise"}'
expect_eq "revoking twice is a conflict" "$STATUS" 409
api POST "/api/v1/certificates/00ff/revoke" "$SO" '{"reason":"keyCompromise"}'
expect_eq "an unknown certificate is 404" "$STATUS" 404
serial3=$(openssl x509 -in "$PKI/dev3.pem" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')
api POST "/api/v1/certificates/$serial3/revoke" "$SO" '{"reason":"notAReason"}'
expect_eq "an unknown reason code is 400" "$STATUS" 400
expect_match "the 400 names the reason" "$(jqr .detail)" 'notAReason'
api POST "/api/v1/certificates/$serial3/revoke" "$SO" '{"reason":7}'
expect_eq "reason code 7 (unused in RFC 5280) is 400" "$STATUS" 400
FAC=$FACTORY_TOKEN
api POST "/api/v1/certificates/$serial3/revoke" "$FAC" '{"reason":"keyCompromise"}'
expect_eq "a factory token may not revoke" "$STATUS" 403
mtls GET /device/v1/whoami dev3
expect_eq "a certificate nobody revoked still works" "$STATUS" 200

# The CRL was regenerated: both serials, with reasons, signed by the device CA.
curl -sS --cacert "$CA" -o "$PKI/crl1.der" "$crl_url"
out=$(openssl crl -inform DER -in "$PKI/crl1.der" -noout -text 2>&1)
serial1=$(openssl x509 -in "$PKI/dev1.pem" -noout -serial | cut -d= -f2)
expect_match "the CRL lists the certificate revoked by device serial" "$out" "Serial Number: $serial1"
expect_match "the CRL lists the certificate revoked by certificate serial" "$out" "Serial Number: ${serial2^^}"
expect_match "the CRL carries the reason keyCompromise" "$out" 'Key Compromise'
expect_match "the CRL carries the reason cessationOfOperation" "$out" 'Cessation Of Operation'
n0=$(openssl crl -inform DER -in "$PKI/crl0.der" -noout -crlnumber | cut -d= -f2)
n1=$(openssl crl -inform DER -in "$PKI/crl1.der" -noout -crlnumber | cut -d= -f2)
expect_eq "the CRL number grew" "$(( 16#$n1 > 16#$n0 ))" 1
openssl crl -inform DER -in "$PKI/crl1.der" -out "$PKI/crl1.pem"
check "openssl verifies the CRL signature with the device CA" openssl crl -in "$PKI/crl1.pem" -CAfile <(cat "$PKI/ca.pem" "$PKI/root.pem") -noout
cat "$PKI/ca.pem" "$PKI/root.pem" >"$PKI/trust.pem"
if openssl verify -crl_check -CRLfile "$PKI/crl1.pem" -CAfile "$PKI/trust.pem" "$PKI/dev1.pem" >/dev/null 2>&1; then
  tap_fail "openssl verify -crl_check refuses the revoked certificate"
else tap_ok "openssl verify -crl_check refuses the revoked certificate"; fi
check "openssl verify -crl_check accepts a good certificate" openssl verify -crl_check -CRLfile "$PKI/crl1.pem" -CAfile "$PKI/trust.pem" "$PKI/dev3.pem"

api GET "/api/v1/audit?limit=1000" "$ADMIN_TOKEN"
expect_eq "each revocation is in the audit chain" "$(jqr '[.items[] | select(.action | startswith("certificate.revoke") or startswith("device.revoke"))] | length >= 2')" true
finish
