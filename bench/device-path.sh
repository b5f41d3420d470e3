#!/usr/bin/env bash
# The device request path (issue 8, part 4), a benchmark and not a test:
# against a release build of cradled, with 4 enrolled devices each on its
# own worker and certificate --
#  - GET /device/v1/whoami and /device/v1/director/targets.json over one
#    kept-alive mTLS connection per worker;
#  - a poll: a new connection (full handshake) carrying 4 targets.json
#    requests, as cradle-agent's poll does;
#  - whoami with a new TCP connection and a full TLS handshake per request;
#  - whoami with a new TCP connection per request offering the previous
#    TLS session, as cradle-agent does from one poll to the next (libcurl
#    7.88 with GnuTLS: never resumed, see docs/operations.md);
#  - whoami with a new connection per request, full and resumed, with
#    OpenSSL's s_time as the client (which does resume with tickets);
#  - the same four against nginx serving a static file with the same
#    certificate, key, TLS versions and AEAD ciphers, asking for client
#    certificates (nginx's session cache and tickets on in the resumption row).
# For each: requests/s, p50/p99, and the server's CPU per request (utime +
# stime of the server's processes from /proc, over the run).
#   bench/device-path.sh [--seconds S] [--workers N]
#   env: CRADLED, LOADGEN (default: build-release, built here with
#        --buildtype=release, outside the ASan build);
#        PERF_DIR: record each cradled run with `perf record -g` into
#        PERF_DIR/LABEL.data (needs linux-perf; bench-only, not in install-deps);
#        PERF_CALLGRAPH: perf record's call-graph option (default -g; e.g. "--call-graph dwarf");
#        ONLY_CRADLED=1: cradled's keep-alive, poll and handshake rows only (to compare builds);
#        KEEPALIVE_PAIRS=N: only the kept-alive rows, each cradled row right
#        before nginx's (the same load on a shared machine), N times
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=10; workers=4
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    *) echo "usage: bench/device-path.sh [--seconds S] [--workers N]" >&2; exit 2 ;;
  esac
done

command -v nginx >/dev/null || { sudo=; [[ $(id -u) -ne 0 ]] && sudo=sudo; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx-light >/dev/null; }
if [[ -z "${CRADLED:-}" ]]; then
  [[ -f build-release/build.ninja ]] || meson setup build-release --buildtype=release -Dtests=disabled >/dev/null
  ninja -C build-release -j2 >/dev/null
  CRADLED=$PWD/build-release/src/server/cradled
fi
export CRADLED CRADLE=${CRADLE:-$(dirname "$(dirname "$CRADLED")")/cli/cradle}
LG=${LOADGEN:-$(dirname "$(dirname "$(dirname "$CRADLED")")")/bench/loadgen}
source tests/e2e/lib.sh >/dev/null
trap 'stop_server; [[ -n "${NGINX_PID:-}" ]] && kill "$NGINX_PID" 2>/dev/null; rm -rf "$E2E_TMP"' EXIT

echo "machine: $(nproc) cores, $(uname -r); $("$CRADLED" --version 2>&1 | head -1); $workers workers x ${seconds}s"
init_server >/dev/null
# Log at warn so access lines do not measure the terminal.
sed -i 's/^level = .*/level = warn/' "$DATA/cradled.conf"
start_server >/dev/null
identity_setup >/dev/null 2>&1
# The director, so that targets.json is served (signed per device).
openssl genpkey -algorithm ED25519 -out "$PKI/droot.key" 2>/dev/null && chmod 600 "$PKI/droot.key"
"$CRADLE" director init --root-key "$PKI/droot.key" --root-threshold 1 >/dev/null 2>&1

dir=$E2E_TMP/csr; mkdir -p "$dir"
{ echo serial; for i in $(seq -w 1 "$workers"); do echo "BENCH-$i"; done; } >"$E2E_TMP/serials.csv"
for i in $(seq -w 1 "$workers"); do
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/BENCH-$i.key" \
    -subj "/serialNumber=BENCH-$i/CN=BENCH-$i" -out "$dir/BENCH-$i.csr" 2>/dev/null
done
CRADLE_TOKEN=$FACTORY_TOKEN "$CRADLE" provision --product T1-EU --batch B1 --serials "$E2E_TMP/serials.csv" \
  --csr-dir "$dir" --out "$E2E_TMP/bundles" >/dev/null
for d in "$E2E_TMP"/bundles/*/; do s=$(basename "$d"); cp "$dir/$s.key" "$d/key.pem"; done

NPORT=$(free_port)
mkdir -p "$E2E_TMP/nginx/www/director"
chmod o+x "$E2E_TMP" "$DATA" "$DATA/tls"; chmod o+r "$DATA/tls/server.pem" "$DATA/tls/server.key"
# Static copies of what cradled answers, so the bytes on the wire are alike.
curl -sS --cacert "$CA" --cert "$E2E_TMP/bundles/BENCH-1/cert.pem" --key "$E2E_TMP/bundles/BENCH-1/key.pem" \
  "$URL/device/v1/whoami" >"$E2E_TMP/nginx/www/whoami"
curl -sS --cacert "$CA" --cert "$E2E_TMP/bundles/BENCH-1/cert.pem" --key "$E2E_TMP/bundles/BENCH-1/key.pem" \
  "$URL/device/v1/director/targets.json" >"$E2E_TMP/nginx/www/director/targets.json"
chmod -R o+rX "$E2E_TMP/nginx"
cat >"$E2E_TMP/nginx/nginx.conf" <<NGX
worker_processes 2;
pid $E2E_TMP/nginx/nginx.pid;
error_log $E2E_TMP/nginx/error.log warn;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NPORT ssl;
    ssl_certificate $DATA/tls/server.pem;
    ssl_certificate_key $DATA/tls/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305;
    ssl_session_cache shared:bench:1m;
    ssl_session_tickets on;
    ssl_verify_client optional_no_ca;
    root $E2E_TMP/nginx/www;
    location / { default_type application/json; }
  }
}
NGX
nginx -c "$E2E_TMP/nginx/nginx.conf" & NGINX_PID=$!
sleep 0.5

# CPU ticks (utime + stime) of a process and its children's threads: cradled
# is one process; nginx is a master and its workers.
ticks() {
  local pid total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    read -r -a f <"/proc/$p/stat" || continue
    # Fields 14 and 15 (utime, stime), counted after the ")" of the name.
    total=$(( total + f[13] + f[14] ))
  done
  echo "$total"
}
hz=$(getconf CLK_TCK)

# run LABEL PID URL [loadgen flags]: one line of figures.
run() {
  local label=$1 pid=$2 url=$3; shift 3
  local t0 t1 out req
  local perf_pid=
  if [[ -n "${PERF_DIR:-}" && $label == cradled-* ]]; then
    mkdir -p "$PERF_DIR"
    perf record -q ${PERF_CALLGRAPH:--g} -p "$pid" -o "$PERF_DIR/$label.data" 2>/dev/null & perf_pid=$!
    sleep 0.3
  fi
  t0=$(ticks "$pid")
  out=$("$LG" --url "$url" --cacert "$CA" --certs "$E2E_TMP/bundles" --seconds "$seconds" --workers "$workers" "$@")
  t1=$(ticks "$pid")
  if [[ -n $perf_pid ]]; then kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true; fi
  req=$(grep -oE 'requests=[0-9]+' <<<"$out" | cut -d= -f2)
  local rps p50 p99 errs
  rps=$(grep -oE 'rps=[0-9]+' <<<"$out" | cut -d= -f2)
  p50=$(grep -oE 'p50_ms=[0-9.]+' <<<"$out" | cut -d= -f2)
  p99=$(grep -oE 'p99_ms=[0-9.]+' <<<"$out" | cut -d= -f2)
  errs=$(grep -oE 'errors=[0-9]+' <<<"$out" | cut -d= -f2)
  awk -v l="$label" -v r="$rps" -v a="$p50" -v b="$p99" -v e="$errs" -v d="$((t1 - t0))" -v n="$req" -v hz="$hz" \
    'BEGIN { printf "%-34s %7d rps  p50 %6.2f ms  p99 %6.2f ms  server CPU %7.1f us/req  errors %d\n",
             l, r, a, b, (n > 0 ? d / hz * 1e6 / n : 0), e }'
  echo "$rps" >"$E2E_TMP/rps-$label"
  awk -v d="$((t1 - t0))" -v n="$req" -v hz="$hz" 'BEGIN { printf "%.1f\n", (n > 0 ? d / hz * 1e6 / n : 0) }' >"$E2E_TMP/cpu-$label"
}

# run_stime LABEL PID HOSTPORT PATH -new|-reuse: as run, with OpenSSL's
# s_time as the client (one process per worker, each with its own device
# certificate): a new connection per request, resuming the previous TLS
# session with -reuse. libcurl 7.88's GnuTLS backend never resumes (it turns
# tickets off), so this is the row that shows what resumption saves.
run_stime() {
  local label=$1 pid=$2 hostport=$3 path=$4 mode=$5
  local t0 t1 req=0 b pids=() i=0
  t0=$(ticks "$pid")
  for b in "$E2E_TMP"/bundles/*/; do
    (( i++ < workers )) || break
    openssl s_time -connect "$hostport" -CAfile "$CA" -cert "$b/cert.pem" -key "$b/key.pem" -www "$path" \
      "$mode" -time "$seconds" >"$E2E_TMP/stime.$i" 2>&1 & pids+=($!)
  done
  wait "${pids[@]}"
  t1=$(ticks "$pid")
  for f in "$E2E_TMP"/stime.*; do
    req=$(( req + $(awk '/connections in .* real seconds/ { print $1; exit }' "$f") ))
  done
  rm -f "$E2E_TMP"/stime.*
  awk -v l="$label" -v n="$req" -v s="$seconds" -v d="$((t1 - t0))" -v hz="$hz" \
    'BEGIN { printf "%-34s %7d rps  (openssl s_time)                 server CPU %7.1f us/req\n",
             l, n / s, (n > 0 ? d / hz * 1e6 / n : 0) }'
  awk -v n="$req" -v s="$seconds" 'BEGIN { printf "%d\n", n / s }' >"$E2E_TMP/rps-$label"
}

NG=https://127.0.0.1:$NPORT
echo
if [[ -n "${KEEPALIVE_PAIRS:-}" ]]; then
  # Each kept-alive row of cradled right before the same row of nginx, so
  # both see the same load from whatever else runs on the machine; each
  # pair KEEPALIVE_PAIRS times.
  for ((r = 1; r <= KEEPALIVE_PAIRS; r++)); do
    for k in whoami targets; do
      p=whoami; [[ $k == targets ]] && p=director/targets.json
      run "cradled-$k-keepalive" "$SERVER_PID" "$URL/device/v1/$p"
      run "nginx-$k-keepalive" "$NGINX_PID" "$NG/$p"
      awk -v k="$k" -v a="$(cat "$E2E_TMP/rps-cradled-$k-keepalive")" -v b="$(cat "$E2E_TMP/rps-nginx-$k-keepalive")" \
        -v c="$(cat "$E2E_TMP/cpu-cradled-$k-keepalive")" -v d="$(cat "$E2E_TMP/cpu-nginx-$k-keepalive")" \
        'BEGIN { printf "ratio cradled/nginx %-20s %.2f  (server CPU per request %.2fx nginx)\n", k "-keepalive", (b > 0 ? a / b : 0), (c > 0 ? d / c : 0) }'
    done
  done
  exit 0
fi
run cradled-whoami-keepalive "$SERVER_PID" "$URL/device/v1/whoami"
run cradled-targets-keepalive "$SERVER_PID" "$URL/device/v1/director/targets.json"
run cradled-poll "$SERVER_PID" "$URL/device/v1/director/targets.json" --poll 4
run cradled-whoami-handshake "$SERVER_PID" "$URL/device/v1/whoami" --new-handshake
if [[ -n "${ONLY_CRADLED:-}" ]]; then
  awk -v c="$(cat "$E2E_TMP/cpu-cradled-poll")" 'BEGIN { printf "cradled server CPU per poll: %.0f us\n", 4 * c }'
  exit 0
fi
run cradled-whoami-resumed "$SERVER_PID" "$URL/device/v1/whoami" --resume
run_stime cradled-whoami-handshake-ossl "$SERVER_PID" "127.0.0.1:$PORT" /device/v1/whoami -new
run_stime cradled-whoami-resumed-ossl "$SERVER_PID" "127.0.0.1:$PORT" /device/v1/whoami -reuse
curl -s --cacert "$CA" "$URL/metrics" | awk '/^cradle_tls_sessions_total/ { printf "  %s %s\n", $1, $2 }'
run nginx-whoami-keepalive "$NGINX_PID" "$NG/whoami"
run nginx-targets-keepalive "$NGINX_PID" "$NG/director/targets.json"
run nginx-poll "$NGINX_PID" "$NG/director/targets.json" --poll 4
run nginx-whoami-handshake "$NGINX_PID" "$NG/whoami" --new-handshake
run nginx-whoami-resumed "$NGINX_PID" "$NG/whoami" --resume
run_stime nginx-whoami-handshake-ossl "$NGINX_PID" "127.0.0.1:$NPORT" /whoami -new
run_stime nginx-whoami-resumed-ossl "$NGINX_PID" "127.0.0.1:$NPORT" /whoami -reuse
echo
for x in cradled nginx; do
  awk -v x="$x" -v c="$(cat "$E2E_TMP/cpu-$x-poll")" \
    'BEGIN { printf "%-8s server CPU per poll (a new connection, 4 x targets.json): %.0f us\n", x, 4 * c }'
done
for k in whoami-keepalive targets-keepalive poll whoami-handshake whoami-resumed whoami-handshake-ossl whoami-resumed-ossl; do
  awk -v k="$k" -v a="$(cat "$E2E_TMP/rps-cradled-$k")" -v b="$(cat "$E2E_TMP/rps-nginx-$k")" \
    'BEGIN { printf "ratio cradled/nginx %-20s %.2f\n", k, (b > 0 ? a / b : 0) }'
done
