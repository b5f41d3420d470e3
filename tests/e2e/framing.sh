#!/usr/bin/env bash
# HTTP/1.1 framing (RFC 9112 §6): a request whose body length is ambiguous is
# refused with 400 (501 for an unknown transfer coding) and its connection is
# closed, so nothing after its headers is ever read as another request.
source "$(dirname "$0")/lib.sh"

init_server || { tap_fail "init"; finish; exit 1; }
start_server || { tap_fail "server starts"; finish; exit 1; }

# raw REQUEST: sends the bytes over TLS and reads until the server closes.
# Sets OUT (what came back) and CLOSED (1 if the server closed within 4 s;
# a kept-alive connection would stay open for header_timeout, 10 s).
raw() {
  local start
  start=$(date +%s%N)
  OUT=$(printf '%b' "$1" | timeout 6 openssl s_client -quiet -connect "127.0.0.1:$PORT" -CAfile "$CA" 2>/dev/null | tr -d '\r')
  local ms=$(( ($(date +%s%N) - start) / 1000000 ))
  CLOSED=0; [[ $ms -lt 4000 ]] && CLOSED=1
  STATUSES=$(grep -c '^HTTP/1.1 ' <<<"$OUT")
  FIRST=$(grep -m1 '^HTTP/1.1 ' <<<"$OUT" | cut -d' ' -f2)
}

raw 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
expect_eq "control: a plain request is answered" "$FIRST" 200
expect_eq "control: ... and Connection: close is honoured" "$CLOSED" 1

# Two different lengths; the rest of the "body" is a second request.
raw 'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 45\r\n\r\nhelloGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'
expect_eq "two different Content-Length values: 400" "$FIRST" 400
expect_eq "... one answer only (the smuggled request is not served)" "$STATUSES" 1
expect_eq "... and the connection is closed" "$CLOSED" 1
expect_match "... with a problem document naming the field" "$OUT" '"detail":"Content-Length: two different values'

raw 'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
expect_eq "Content-Length with Transfer-Encoding: 400" "$FIRST" 400
expect_eq "... and the connection is closed" "$CLOSED" 1

raw 'POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'
expect_eq "whitespace before the colon: 400" "$FIRST" 400
expect_eq "... one answer only" "$STATUSES" 1
expect_eq "... and the connection is closed" "$CLOSED" 1
expect_match "... the detail names the field" "$OUT" "header field 'Transfer-Encoding ': whitespace"

raw 'POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nxxxx'
expect_eq "an unknown transfer coding: 501" "$FIRST" 501
expect_eq "... and the connection is closed" "$CLOSED" 1
expect_match "... as a problem document" "$OUT" '"status":501'

raw 'POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n'
expect_eq "gzip then chunked: 501" "$FIRST" 501

raw 'POST /healthz HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
expect_eq "Transfer-Encoding in HTTP/1.0: 400" "$FIRST" 400

# Equal duplicates are one length said twice: not refused for framing.
raw 'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}'
expect_eq "two equal Content-Length values are one length (405 from the route)" "$FIRST" 405

api GET /healthz
expect_eq "the server still serves" "$STATUS" 200
finish
