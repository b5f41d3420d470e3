#!/usr/bin/env bash
# Slow clients: a total deadline for the request headers (not an inactivity
# timer), a minimum body rate, a stalled TLS handshake that costs no CPU, and
# the pool policy: a pool filled with idle connections from many 127.x source
# addresses still serves a well-behaved client. Every wait here is bounded.
source "$(dirname "$0")/lib.sh"

init_server || { tap_fail "init"; finish; exit 1; }
set_conf() { # KEY VALUE: sets [server] KEY (uncommented) in cradled.conf
  sed -i -E "s/^#? *$1 *=.*/$1 = $2/" "$DATA/cradled.conf"
  grep -q "^$1 = $2\$" "$DATA/cradled.conf"
}
# The inactivity timeout stays long: the deadlines below must come from the guard.
set_conf connection_timeout 30 && set_conf header_timeout 2 && set_conf min_body_rate 1K ||
  { tap_fail "configure"; finish; exit 1; }
start_server || { tap_fail "server starts"; finish; exit 1; }

# elapsed_ms CMD...: runs CMD, prints how long it took.
elapsed_ms() { local t0; t0=$(date +%s%N); "$@" >/dev/null 2>&1; echo $(( ($(date +%s%N) - t0) / 1000000 )); }
tls() { timeout 12 openssl s_client -quiet -connect "127.0.0.1:$PORT" -CAfile "$CA"; }

# One header line every 0.5 s: each byte resets an inactivity timer, not a deadline.
slow_headers() {
  { printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n'
    for i in $(seq 1 20); do printf 'X-Slow-%d: y\r\n' "$i" || return; sleep 0.5; done; } | tls
}
ms=$(elapsed_ms slow_headers)
check "headers trickling in are cut at header_timeout (2 s), not kept for 10 s (took ${ms} ms)" test "$ms" -lt 5000

# A body of 100 kB at 100 bytes every 0.5 s: far below 1 KiB/s.
slow_body() {
  { printf 'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n'
    for i in $(seq 1 20); do head -c 100 /dev/zero || return; sleep 0.5; done; } | tls
}
ms=$(elapsed_ms slow_body)
check "a body slower than min_body_rate is cut off (took ${ms} ms)" test "$ms" -lt 6000

# A body faster than the minimum is not cut, even when it takes longer than header_timeout.
head -c 300000 /dev/zero | tr '\0' 'a' >"$E2E_TMP/300k"
status=$(curl -sS --max-time 20 --limit-rate 100K --cacert "$CA" -o /dev/null -w '%{http_code}' \
  -H 'Content-Type: application/json' --data-binary @"$E2E_TMP/300k" "$URL/healthz")
expect_eq "a 300 kB body at 100 kB/s (3 s) is read to the end and answered" "$status" 405

# A client that stops in the middle of its TLS handshake costs no CPU.
pid_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
printf '\x16\x03\x01\x02\x00' >&3   # a handshake record header, then nothing
a=$(pid_ticks); sleep 1.5; b=$(pid_ticks)
exec 3>&-
check "a stalled TLS handshake does not keep a thread busy ($((b - a)) ticks in 1.5 s)" test $((b - a)) -lt 30

# --- the pool: 32 connections, 4 per address, 8 addresses hold them all -------
stop_server
set_conf header_timeout 60 && set_conf max_connections 32 && set_conf max_connections_per_ip 4 ||
  { tap_fail "configure the pool"; finish; exit 1; }
start_server || { tap_fail "server restarts"; finish; exit 1; }
mkfifo "$E2E_TMP/silence"
exec 4<>"$E2E_TMP/silence"   # held open and never written: s_client sends nothing after the handshake
end=$(( $(date +%s) + 20 ))
attackers=()
for a in $(seq 11 18); do
  for _ in 1 2 3 4; do
    ( while (( $(date +%s) < end )); do
        timeout $(( end - $(date +%s) + 1 )) openssl s_client -quiet -bind "127.0.0.$a:0" \
          -connect "127.0.0.1:$PORT" -CAfile "$CA" <"$E2E_TMP/silence" >/dev/null 2>&1
        sleep 1
      done ) & attackers+=($!)
  done
done
sleep 5
open=$(ss -Htn state established "( sport = :$PORT )" | wc -l)
check "the idle connections fill the pool ($open open)" test "$open" -ge 24
served=0
for i in 1 2 3 4 5; do
  status=$(curl -sS --interface 127.0.0.200 --max-time 5 --cacert "$CA" -o /dev/null -w '%{http_code}' "$URL/healthz" 2>/dev/null)
  [[ "$status" == 200 ]] && served=$((served + 1))
  sleep 1
done
expect_eq "a well-behaved client from another address is served every time (5 tries, 5 s each)" "$served" 5
for p in "${attackers[@]}"; do wait "$p" 2>/dev/null; done
exec 4>&-
api GET /healthz
expect_eq "the server serves normally afterwards" "$STATUS" 200
api GET /metrics
expect_match "metrics count the evictions" "$BODY" 'cradle_http_connections_ended_total\{reason="evicted"\} [1-9]'
finish
