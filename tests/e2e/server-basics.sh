#!/usr/bin/env bash
# cradled as an HTTP server: health, metrics, problem documents, request ids,
# TLS versions, graceful shutdown.
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }

api GET /healthz
expect_eq "healthz answers 200" "$STATUS" 200
expect_eq "healthz says ok" "$(jqr .status)" ok
expect_match "every response carries X-Request-Id" "$HEADERS" $'\n''[Xx]-[Rr]equest-[Ii]d: [0-9a-f]{16}'

api GET /api/v1/no-such-thing "$ADMIN_TOKEN"
expect_eq "unknown route is 404" "$STATUS" 404
expect_match "404 is problem+json" "$HEADERS" 'Content-Type: application/problem\+json'
expect_eq "404 problem has status" "$(jqr .status)" 404
expect_eq "404 problem names the path" "$(jqr .instance)" /api/v1/no-such-thing
expect_match "404 problem has type and title" "$(jqr '.type + "|" + .title')" '^urn:cradle:problem:not-found\|.+'
rid=$(grep -oiE '^x-request-id: [0-9a-f]+' <<<"$HEADERS" | awk '{print $2}')
expect_eq "problem carries the response's request id" "$(jqr .request_id)" "$rid"

api DELETE /api/v1/products "$ADMIN_TOKEN"
expect_eq "wrong method is 405" "$STATUS" 405
expect_match "405 has an Allow header" "$HEADERS" $'\n''Allow: [A-Z, ]*GET'
expect_match "405 is problem+json" "$HEADERS" 'Content-Type: application/problem\+json'

api GET /metrics
expect_eq "metrics answers 200" "$STATUS" 200
expect_match "metrics is Prometheus text" "$HEADERS" 'Content-Type: text/plain; version=0.0.4'
expect_match "metrics counts requests by route and status" "$BODY" 'cradle_http_requests_total\{[^}]*route="/healthz"[^}]*status="200"[^}]*\} [1-9]'
expect_match "metrics counts the 404" "$BODY" 'cradle_http_requests_total\{[^}]*status="404"[^}]*\} [1-9]'
expect_match "metrics has a latency histogram" "$BODY" 'cradle_http_request_duration_seconds_bucket\{[^}]*le="\+Inf"[^}]*\} [1-9]'
expect_match "metrics has open connections" "$BODY" $'\n''cradle_http_open_connections [0-9]+'
if command -v promtool >/dev/null; then check "promtool accepts the metrics" promtool check metrics <<<"$BODY"; fi

# TLS: 1.2 and 1.3 only.
check "TLS 1.3 is accepted" curl -fsS --cacert "$CA" --tlsv1.3 "$URL/healthz"
check "TLS 1.2 is accepted" curl -fsS --cacert "$CA" --tlsv1.2 --tls-max 1.2 "$URL/healthz"
if curl -sS --cacert "$CA" --tlsv1.0 --tls-max 1.1 "$URL/healthz" >/dev/null 2>&1; then
  tap_fail "TLS 1.1 is refused"
else tap_ok "TLS 1.1 is refused"; fi
if curl -sS "http://127.0.0.1:$PORT/healthz" -o /dev/null -m 5 2>/dev/null | grep -q 200; then
  tap_fail "plain HTTP is not served"
else tap_ok "plain HTTP is not served"; fi
out=$(gnutls-cli --x509cafile "$CA" -p "$PORT" 127.0.0.1 --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-CBC:-AEAD' </dev/null 2>&1)
expect_nomatch "CBC cipher suites are refused" "$out" 'Handshake was completed'
check "the certificate verifies for 127.0.0.1 with openssl" bash -c "openssl s_client -connect 127.0.0.1:$PORT -CAfile '$CA' -verify_ip 127.0.0.1 -verify_return_error </dev/null"

# Graceful shutdown: a slow in-flight request still gets its answer.
big=$(head -c 400000 /dev/zero | tr '\0' 'a')
printf '{"name":"%s"}' "$big" >"$E2E_TMP/slow.json"
printf 'Authorization: Bearer %s\n' "$ADMIN_TOKEN" >"$E2E_TMP/auth-header"
curl -sS --cacert "$CA" -H @"$E2E_TMP/auth-header" -H 'Content-Type: application/json' \
  --limit-rate 100k --data-binary @"$E2E_TMP/slow.json" -o "$E2E_TMP/slow.out" -w '%{http_code}' \
  "$URL/api/v1/products" >"$E2E_TMP/slow.status" 2>"$E2E_TMP/slow.err" &
cpid=$!
sleep 1.5
kill -TERM "$SERVER_PID"
wait "$cpid"
expect_eq "the in-flight request finished during shutdown (answered 400)" "$(cat "$E2E_TMP/slow.status")" 400
wait "$SERVER_PID"; rc=$?; SERVER_PID=
expect_eq "SIGTERM exits 0" "$rc" 0
if curl -sS --cacert "$CA" "$URL/healthz" -m 3 >/dev/null 2>&1; then tap_fail "server is gone after SIGTERM"; else tap_ok "server is gone after SIGTERM"; fi
expect_nomatch "the log never contains the admin token" "$(cat "$LOG")" "${ADMIN_TOKEN:-none}"
expect_match "log lines carry request ids" "$(cat "$LOG")" "$rid"

finish
