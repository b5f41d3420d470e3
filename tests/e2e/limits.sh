#!/usr/bin/env bash
# Limits on outside input: body size (413), nesting depth, header and idle
# timeouts, connection limits.
source "$(dirname "$0")/lib.sh"

init_server || { tap_fail "init"; finish; exit 1; }
# Small limits so the test is quick.
sed -i -e 's/^connection_timeout *=.*/connection_timeout = 2/' -e 's/^max_connections_per_ip *=.*/max_connections_per_ip = 4/' "$DATA/cradled.conf"
grep -q '^connection_timeout = 2' "$DATA/cradled.conf" || printf '[server]\nconnection_timeout = 2\n' >>"$DATA/cradled.conf"
start_server || { tap_fail "server starts"; finish; exit 1; }

head -c 2000000 /dev/zero | tr '\0' ' ' >"$E2E_TMP/big.json"
printf 'Authorization: Bearer %s\n' "$ADMIN_TOKEN" >"$E2E_TMP/auth-header"
status=$(curl -sS --cacert "$CA" -H @"$E2E_TMP/auth-header" -H 'Content-Type: application/json' \
  --data-binary @"$E2E_TMP/big.json" -o "$E2E_TMP/out" -w '%{http_code}' "$URL/api/v1/products")
expect_eq "a body over the limit (Content-Length) is 413" "$status" 413
expect_match "413 is a problem document" "$(cat "$E2E_TMP/out")" '"status": ?413'
status=$(curl -sS --cacert "$CA" -H @"$E2E_TMP/auth-header" -H 'Content-Type: application/json' \
  -H 'Transfer-Encoding: chunked' --data-binary @"$E2E_TMP/big.json" -o "$E2E_TMP/out" -w '%{http_code}' "$URL/api/v1/products")
expect_eq "a chunked body over the limit is 413" "$status" 413

deep=$(printf '%.0s[' $(seq 1 200)); deep+=$(printf '%.0s]' $(seq 1 200))
api POST /api/v1/products "$ADMIN_TOKEN" "{\"name\":$deep}"
expect_eq "JSON nested too deep is 400" "$STATUS" 400
expect_match "the error says depth" "$(jqr .detail)" '[Dd]epth|nest'

# An idle connection is closed by the server.
start=$(date +%s)
timeout 20 openssl s_client -connect 127.0.0.1:$PORT -CAfile "$CA" -quiet < <(sleep 20) >/dev/null 2>&1
elapsed=$(( $(date +%s) - start ))
expect_match "an idle connection is closed after the timeout (took ${elapsed}s)" "$elapsed" '^([2-9]|1[0-2])$'

# A source may hold only max_connections_per_ip connections.
pids=()
for _ in 1 2 3 4 5 6; do
  (sleep 6 | openssl s_client -connect 127.0.0.1:$PORT -CAfile "$CA" -quiet >/dev/null 2>&1) & pids+=($!)
done
sleep 1
api GET /healthz
expect_match "past the per-IP connection limit new connections are refused" "$STATUS" '^000$'
for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
sleep 2.5
api GET /healthz
expect_eq "the server serves again once they close" "$STATUS" 200
finish
