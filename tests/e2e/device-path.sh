#!/usr/bin/env bash
# The device request path at fleet scale (issue 8, part 4), as a client sees it:
#  - the TLS groups: a client sending an X25519 or P-256 key share (GnuTLS,
#    OpenSSL) gets no HelloRetryRequest; a P-384-only client still connects;
#  - the per-connection buffer (64 KiB): a header section within the
#    documented 48 KiB works, a larger one is 431 and the server goes on;
#    uploads of several MiB still stream, with and without Content-Length;
#  - TLS session resumption (tickets, TLS 1.3 and 1.2): a resumed session
#    is still the device of the full handshake, is refused as soon as that
#    device's certificate is revoked, and a session that had no client
#    certificate never becomes a device.
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
identity_setup || { tap_fail "identity setup"; finish; exit 1; }
make_csr dev1 SN0001 && est_enroll dev1 T1-EU "serial=SN0001&batch=B1"
expect_eq "device SN0001 enrolls (EST body through the smaller buffer)" "$STATUS" 200

# --- TLS groups: no HelloRetryRequest ------------------------------------------
# gnutls-cli's defaults send key shares for P-256 and X25519, as cradle-agent's
# GnuTLS does.
out=$(timeout 10 gnutls-cli -d 4 --x509cafile "$CA" -p "$PORT" 127.0.0.1 </dev/null 2>&1)
expect_match "GnuTLS client: it sent X25519 and P-256 key shares" "$out" 'sending key share for X25519'
check "GnuTLS client: no HelloRetryRequest" bash -c '! grep -q "HELLO RETRY REQUEST" <<<"$1"' _ "$out"
expect_match "GnuTLS client: TLS 1.3 on a group it sent a share for" "$out" 'Description: \(TLS1.3-X.509\)-\(ECDHE-(X25519|SECP256R1)\)'
# OpenSSL sends one share, for its first group; the second is only offered.
for g in X25519:P-256 P-256:X25519; do
  out=$(timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$CA" -groups "$g" -msg </dev/null 2>&1)
  expect_eq "OpenSSL client, groups $g: one ServerHello (no HelloRetryRequest)" "$(grep -c '<<< TLS 1.3, Handshake.*ServerHello' <<<"$out")" 1
done
out=$(timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$CA" -groups P-384 -verify_return_error </dev/null 2>&1)
expect_match "a P-384-only client still connects" "$out" 'Server Temp Key: ECDH, secp384r1'

# --- the connection buffer -------------------------------------------------------
pad=$(head -c 990 /dev/zero | tr '\0' a)
hdrs=(); for i in $(seq 1 48); do hdrs+=(-H "X-Pad-$i: $pad"); done   # 48 fields of 1000 bytes
STATUS=$(curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' "${hdrs[@]}" "$URL/healthz")
expect_eq "a 48 KiB header section is served" "$STATUS" 200
hdrs=(); for i in $(seq 1 253); do hdrs+=(-H "X-F-$i: value-$i-$(head -c 100 /dev/zero | tr '\0' b)"); done
STATUS=$(curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' "${hdrs[@]}" "$URL/healthz")
expect_eq "256 header fields (the field limit) are served" "$STATUS" 200
hdrs=(); for i in $(seq 1 70); do hdrs+=(-H "X-Pad-$i: $pad"); done
STATUS=$(curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' "${hdrs[@]}" "$URL/healthz")
expect_eq "a 70 KiB header section is 431" "$STATUS" 431
api GET /healthz
expect_eq "the server answers the next request" "$STATUS" 200

RM_TOKEN=$(make_token rm-1 release-manager)
api POST /api/v1/releases "$RM_TOKEN" '{"product":"T1-EU","version":"1.0.0","security_version":1,"hardware_revisions":["r2"],"notes":"n"}'
REL=$(jqr .id)
head -c $((6 * 1024 * 1024 + 17)) /dev/urandom >"$E2E_TMP/big.img"
SHA=$(sha256sum "$E2E_TMP/big.img" | cut -d' ' -f1)
printf 'Authorization: Bearer %s\n' "$RM_TOKEN" >"$E2E_TMP/auth-header"
for how in content-length chunked; do
  extra=(); [[ $how == chunked ]] && extra=(-H 'Transfer-Encoding: chunked')
  STATUS=$(curl -sS --cacert "$CA" -H @"$E2E_TMP/auth-header" -X PUT -H 'Content-Type: application/octet-stream' \
    "${extra[@]}" --data-binary @"$E2E_TMP/big.img" -o "$E2E_TMP/up.json" -w '%{http_code}' \
    "$URL/api/v1/releases/$REL/images/$how.img")
  expect_match "a 6 MiB upload ($how) is accepted" "$STATUS" '^20[01]$'
  expect_eq "... and hashed whole as sha256sum does ($how)" \
    "$(jq -r --arg n "$how.img" '.images[] | select(.name == $n) | .sha256' "$E2E_TMP/up.json")" "$SHA"
done
check "the stored image is the uploaded one" cmp "$E2E_TMP/big.img" "$DATA/images/$SHA"

# --- session resumption ----------------------------------------------------------
resumed_count() { curl -s --cacert "$CA" "$URL/metrics" | awk '/^cradle_tls_sessions_total\{resumed="true"\}/ { print $2 }'; }
GET_WHOAMI=$'GET /device/v1/whoami HTTP/1.1\r\nHost: device\r\nConnection: close\r\n\r\n'
for v in 1.3 1.2; do
  before=$(resumed_count)
  out=$(printf '%s' "$GET_WHOAMI" | timeout 15 gnutls-cli -r --priority "NORMAL:-VERS-ALL:+VERS-TLS$v" --x509cafile "$CA" \
    --x509certfile "$PKI/dev1.pem" --x509keyfile "$PKI/dev1.key" -p "$PORT" 127.0.0.1 2>&1)
  expect_match "TLS $v: the second connection resumes the session (ticket)" "$out" 'This is a resumed session'
  expect_match "TLS $v: on the resumed session the device is still SN0001" "$out" '"serial":"SN0001"'
  expect_eq "TLS $v: the server counted one resumed session" "$(resumed_count)" "$((before + 1))"
done

# A session without a client certificate, resumed, is no device.
out=$(printf '%s' "$GET_WHOAMI" | timeout 15 gnutls-cli -r --x509cafile "$CA" -p "$PORT" 127.0.0.1 2>&1)
expect_match "a certificate-less session resumes" "$out" 'This is a resumed session'
expect_match "... and a device route refuses it (401)" "$out" 'HTTP/1.1 401'

# Revocation between the full handshake and a request on the resumed session:
# the request is refused. gnutls-cli resumes first, then reads its stdin.
make_csr dev2 SN0002 && est_enroll dev2 T1-EU "serial=SN0002&batch=B1"
mkfifo "$E2E_TMP/in"
gnutls-cli -r --x509cafile "$CA" --x509certfile "$PKI/dev2.pem" --x509keyfile "$PKI/dev2.key" -p "$PORT" 127.0.0.1 \
  <"$E2E_TMP/in" >"$E2E_TMP/revoked.out" 2>&1 & cli_pid=$!
exec 7>"$E2E_TMP/in"
for _ in $(seq 1 100); do grep -q 'This is a resumed session' "$E2E_TMP/revoked.out" && break; sleep 0.1; done
expect_match "SN0002's session is resumed" "$(cat "$E2E_TMP/revoked.out")" 'This is a resumed session'
out=$(CRADLE_TOKEN=$ADMIN_TOKEN "$CRADLE" device revoke SN0002 --reason keyCompromise 2>&1)
expect_eq "SN0002 is revoked while its resumed session is open" "$?" 0
printf '%s' "$GET_WHOAMI" >&7
exec 7>&-
for _ in $(seq 1 100); do kill -0 "$cli_pid" 2>/dev/null || break; sleep 0.1; done
kill "$cli_pid" 2>/dev/null; wait "$cli_pid" 2>/dev/null
expect_match "the next request on the resumed session is refused (401)" "$(cat "$E2E_TMP/revoked.out")" 'HTTP/1.1 401'
expect_match "... because the certificate is revoked" "$(cat "$E2E_TMP/revoked.out")" 'revoked'

finish
