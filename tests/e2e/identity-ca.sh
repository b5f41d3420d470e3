#!/usr/bin/env bash
# The CA hierarchy: an offline root made by the CLI (file key and SoftHSM2
# PKCS#11 key), device-issuing CAs created on the server and signed offline.
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
PKI=$E2E_TMP/pki; mkdir -p "$PKI"

check "cradle pki root-create makes a root with a new file key" \
  "$CRADLE" pki root-create --generate-key --key "$PKI/root.key" --cn "Acme Root CA" --org "Acme GmbH" --out "$PKI/root.pem"
expect_eq "the root key file is 0600" "$(stat -c %a "$PKI/root.key")" 600
text=$(openssl x509 -in "$PKI/root.pem" -noout -text)
expect_match "the root is a CA" "$text" 'CA:TRUE'
expect_match "the root may sign certificates and CRLs" "$text" 'Certificate Sign, CRL Sign'
chmod 644 "$PKI/root.key"
out=$("$CRADLE" pki root-create --key "$PKI/root.key" --cn X --out "$PKI/x.pem" 2>&1); rc=$?
expect_match "a world-readable key file is refused" "$rc:$out" '^1:.*(mode|permission|readable)'
chmod 600 "$PKI/root.key"

api POST /api/v1/products "$ADMIN_TOKEN" "$PRODUCT_JSON"
out=$("$CRADLE" ca create --product T1-EU --name t1-ca --out-csr "$PKI/ca.csr" 2>&1); rc=$?
expect_eq "the server creates a device CA key and CSR" "$rc" 0
check "the CA CSR is a valid PKCS#10" openssl req -in "$PKI/ca.csr" -noout -verify
check "cradle pki sign-intermediate signs it offline" \
  "$CRADLE" pki sign-intermediate --root-key "$PKI/root.key" --root-cert "$PKI/root.pem" --csr "$PKI/ca.csr" --out "$PKI/ca.pem"
check "the intermediate verifies against the root (openssl)" openssl verify -CAfile "$PKI/root.pem" "$PKI/ca.pem"
expect_match "the intermediate may not sign further CAs (pathlen 0)" "$(openssl x509 -in "$PKI/ca.pem" -noout -text)" 'pathlen:0'
out=$("$CRADLE" ca install t1-ca --cert "$PKI/root.pem" --chain "$PKI/root.pem" 2>&1); rc=$?
expect_eq "installing a certificate for another key is refused" "$rc" 3
check "installing the signed certificate activates the CA" "$CRADLE" ca install t1-ca --cert "$PKI/ca.pem" --chain "$PKI/root.pem"
out=$("$CRADLE" ca list --json)
expect_eq "the CA is active" "$(jq -r '.items[] | select(.name == "t1-ca") | .status' <<<"$out")" active
expect_nomatch "no key material is listed" "$out" 'PRIVATE KEY'

# A chain whose root key is outside policy (RSA-3072 with public exponent 3,
# made and used by OpenSSL) is refused, though it verifies.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -pkeyopt rsa_keygen_pubexp:3 -out "$PKI/e3root.key" 2>/dev/null
openssl req -x509 -new -key "$PKI/e3root.key" -subj "/CN=Weak Root" -days 3650 \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -out "$PKI/e3root.pem"
"$CRADLE" ca create --product T1-EU --name t1-ca-e3 --out-csr "$PKI/ca-e3.csr" >/dev/null
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' >"$PKI/ca-ext.cnf"
openssl x509 -req -in "$PKI/ca-e3.csr" -CA "$PKI/e3root.pem" -CAkey "$PKI/e3root.key" -CAcreateserial -days 365 \
  -extfile "$PKI/ca-ext.cnf" -out "$PKI/ca-e3.pem" 2>/dev/null
check "(the weak chain verifies in openssl)" openssl verify -CAfile "$PKI/e3root.pem" "$PKI/ca-e3.pem"
out=$("$CRADLE" ca install t1-ca-e3 --cert "$PKI/ca-e3.pem" --chain "$PKI/e3root.pem" 2>&1); rc=$?
expect_match "a chain with an RSA key of public exponent 3 is refused (exit 3)" "$rc:$out" '^3:.*chain certificate 1: key RSA 3072 is outside policy.*exponent is 3, not 65537'
expect_eq "and t1-ca stays the active CA" "$("$CRADLE" ca list --json | jq -r '.items[] | select(.status == "active" and .product == "T1-EU") | .name')" t1-ca

# The same with a root key on a PKCS#11 token (SoftHSM2).
export SOFTHSM2_CONF=$E2E_TMP/softhsm2.conf
mkdir -p "$E2E_TMP/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$E2E_TMP/tokens" >"$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label e2e-root --so-pin 11223344 --pin 73519 >/dev/null
pkcs11-tool --module /usr/lib/softhsm/libsofthsm2.so --token-label e2e-root --login --pin 73519 \
  --keypairgen --key-type EC:prime256v1 --label root-key --id 0a >/dev/null 2>&1
export CRADLE_PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so CRADLE_PKCS11_PIN=73519
uri="pkcs11:token=e2e-root;object=root-key;type=private"
check "a root CA with its key on a PKCS#11 token" "$CRADLE" pki root-create --key "$uri" --cn "HSM Root CA" --out "$PKI/hsm-root.pem"
check "the HSM root is a valid self-signed CA" openssl verify -CAfile "$PKI/hsm-root.pem" "$PKI/hsm-root.pem"
api POST /api/v1/products "$ADMIN_TOKEN" "$(jq -c '.model="T2-EU"' <<<"$PRODUCT_JSON")"
"$CRADLE" ca create --product T2-EU --name t2-ca --out-csr "$PKI/ca2.csr" >/dev/null
check "the HSM root signs an intermediate" "$CRADLE" pki sign-intermediate --root-key "$uri" --root-cert "$PKI/hsm-root.pem" --csr "$PKI/ca2.csr" --out "$PKI/ca2.pem"
check "certtool verifies the HSM-signed chain" certtool --verify --load-ca-certificate "$PKI/hsm-root.pem" --infile "$PKI/ca2.pem"
out=$(CRADLE_PKCS11_PIN=86420 "$CRADLE" pki root-create --key "$uri" --cn X --out "$PKI/y.pem" 2>&1); rc=$?
expect_eq "a wrong PIN fails cleanly" "$rc" 1
expect_nomatch "the PIN never appears in output" "$out" '73519|86420'
out=$("$CRADLE" pki root-create --key "pkcs11:token=e2e-root;object=root-key;pin-value=73519" --cn X --out "$PKI/z.pem" 2>&1); rc=$?
expect_eq "a PIN inside the URI is refused" "$rc" 1
finish
