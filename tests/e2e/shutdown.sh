#!/usr/bin/env bash
# SIGTERM under keep-alive write load: clients on kept-alive connections are
# not served new requests after the signal, the answers in flight say
# "Connection: close", cradled exits promptly, and every write it committed
# was answered (what clients saw as 201 equals what the database holds).
source "$(dirname "$0")/lib.sh"

CLIENTS=4
PER_CLIENT=400

init_server || { tap_fail "init"; finish; exit 1; }
# A long grace period: a prompt exit must not come from running out of it.
sed -i 's/^#\?shutdown_grace *=.*/shutdown_grace = 20/' "$DATA/cradled.conf"
grep -q '^shutdown_grace = 20' "$DATA/cradled.conf" || { tap_fail "shutdown_grace set"; finish; exit 1; }
start_server || { tap_fail "server starts"; finish; exit 1; }

# One curl per client: PER_CLIENT product creations on one kept-alive
# connection (curl reuses it across --next), each printing its status and the
# Connection header of its answer.
printf 'Authorization: Bearer %s\n' "$ADMIN_TOKEN" >"$E2E_TMP/auth-header"
for c in $(seq 1 $CLIENTS); do
  jq -r --argjson n "$PER_CLIENT" --arg c "$c" --arg url "$URL" --arg ca "$CA" --arg auth "$E2E_TMP/auth-header" '
    [range(1; $n + 1) as $i | (.model = "SD-\($c)-\($i)" | tojson) as $body |
      "url = \($url + "/api/v1/products" | tojson)\ncacert = \($ca | tojson)\nheader = \("@" + $auth | tojson)\n" +
      "header = \"Content-Type: application/json\"\ndata-binary = \($body | tojson)\noutput = \"/dev/null\"\n" +
      "silent\nmax-time = 10\nwrite-out = \"%{http_code} [%header{connection}]\\n\"\n"] | join("next\n")' \
    <<<"$PRODUCT_JSON" >"$E2E_TMP/load-$c.curl"
done
pids=()
for c in $(seq 1 $CLIENTS); do
  curl -K "$E2E_TMP/load-$c.curl" >"$E2E_TMP/seen-$c" 2>/dev/null & pids+=($!)
done
# Let the load run, then stop the server in the middle of it.
for _ in $(seq 1 100); do
  [[ $(cat "$E2E_TMP"/seen-* 2>/dev/null | grep -c '^201') -ge 40 ]] && break
  sleep 0.1
done
before=$(cat "$E2E_TMP"/seen-* | grep -c '^201')
check "the load is running before the signal ($before writes answered)" test "$before" -ge 40
t0=$(date +%s%N)
kill -TERM "$SERVER_PID"
rc=0
# Bounded: cradled must be gone well before its 20 s grace period.
for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.05; done
exit_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if kill -0 "$SERVER_PID" 2>/dev/null; then
  kill -KILL "$SERVER_PID"; rc=killed
else
  wait "$SERVER_PID"; rc=$?
fi
SERVER_PID=
expect_eq "cradled exits 0 on SIGTERM under load" "$rc" 0
check "... within 5 s (took ${exit_ms} ms)" test "$exit_ms" -lt 5000
for p in "${pids[@]}"; do
  ( sleep 15; kill "$p" 2>/dev/null ) & killer=$!
  wait "$p" 2>/dev/null
  kill "$killer" 2>/dev/null; wait "$killer" 2>/dev/null
done

# Each client's last answer before the connection went away closed it.
last_close=0
for c in $(seq 1 $CLIENTS); do
  last=$(grep -v '^000' "$E2E_TMP/seen-$c" | tail -n1)
  [[ "$last" == *"[close]" ]] && last_close=$((last_close + 1))
done
expect_eq "every kept-alive client's last answer said Connection: close" "$last_close" "$CLIENTS"
# Requests that arrived after the signal were refused (503, close) or found
# the server gone; none was served as a write.
served=$(cat "$E2E_TMP"/seen-* | grep -c '^201')
refused=$(cat "$E2E_TMP"/seen-* | grep -c '^503 \[close\]')
after=$(grep -c 'POST /api/v1/products 201' <(sed -n '/shutting down/,$p' "$LOG"))
check "at most one write per client completed after the signal ($after)" test "$after" -le "$CLIENTS"
echo "# answered 201: $served, refused 503: $refused, writes completed after the signal: $after"
# Nothing committed without an answer: the database holds exactly the writes
# clients saw answered.
rows=$(sqlite3 "$DATA/cradle.db" "SELECT count(*) FROM products WHERE model LIKE 'SD-%';")
expect_eq "every committed write was answered 201 (database rows = answers seen)" "$rows" "$served"
finish
