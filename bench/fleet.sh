#!/usr/bin/env bash
# Fleet benchmark (figures, not a test): cradle-fleetsim against a release
# build of cradled, every device polling as cradle-agent does (one new TLS
# connection per poll carrying director root N+1 (404), director targets,
# image root N+1 (404) and timestamp), with the release assigned to the fleet
# already installed. For 1,000 and 10,000 enrolled devices it prints:
#  - achievable polls/s (devices due faster than the server answers),
#    poll p50/p99, and the same at a fixed moderate rate;
#  - server CPU per poll (utime+stime of cradled from /proc/<pid>/stat over
#    the run, divided by the polls), server RSS;
#  - the simulator's own CPU per poll;
#  - a reference: the same simulator, same requests and same TLS certificate
#    against nginx serving the answers as static files (nginx-light is
#    installed when missing).
#   bench/fleet.sh [SECONDS]      (default 20 per measurement)
# The fleet (server data directory, device keys and certificates) is made
# once and kept in $FLEETSIM_CACHE (default /work/fleetsim-cache); delete it
# to start over. Enrolling 10,000 devices takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
CACHE=${FLEETSIM_CACHE:-/work/fleetsim-cache}

[[ -f build-release/build.ninja ]] || meson setup build-release --buildtype=release -Dtests=disabled >/dev/null
ninja -C build-release >/dev/null
export CRADLED=$PWD/build-release/src/server/cradled CRADLE=$PWD/build-release/src/cli/cradle
FLEETSIM=$PWD/build-release/tools/fleetsim/cradle-fleetsim
source tests/e2e/lib.sh >/dev/null
cleanup() {
  stop_server
  [[ -n "${NGINX_PID:-}" ]] && kill "$NGINX_PID" 2>/dev/null || true
  rm -rf "$E2E_TMP"
}
trap cleanup EXIT

# cradled's CPU seconds (utime + stime) and RSS (KiB).
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$SERVER_PID/stat"; }
server_rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }

mkdir -p "$CACHE"
DATA=$CACHE/data
if [[ ! -f $CACHE/setup-done ]]; then
  echo "making the fleet in $CACHE (once) ..."
  rm -rf "$CACHE"/*
  init_server "$DATA" >/dev/null
  echo "$ADMIN_TOKEN" >"$CACHE/admin.token"; chmod 600 "$CACHE/admin.token"
  E2E_TMP_SAVED=$E2E_TMP; E2E_TMP=$CACHE/work; mkdir -p "$E2E_TMP"
else
  ADMIN_TOKEN=$(cat "$CACHE/admin.token")
  PORT=$(free_port); URL="https://127.0.0.1:$PORT"; CA="$DATA/tls/ca.pem"
  sed -i "s/^port = .*/port = $PORT/" "$DATA/cradled.conf"
  export CRADLE_URL=$URL CRADLE_CA=$CA
fi
# The server as a fleet needs it: every device comes from 127.0.0.1 here.
sed -i 's/^max_connections_per_ip = .*/max_connections_per_ip = 0/; s/^max_connections = .*/max_connections = 4096/' "$DATA/cradled.conf"
sed -i 's/^level = .*/level = warn/' "$DATA/cradled.conf"
start_server >/dev/null || { echo "cradled does not start"; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN

if [[ ! -f $CACHE/setup-done ]]; then
  ota_setup >/dev/null 2>&1 || { echo "ota setup failed"; exit 1; }
  openssl genpkey -algorithm ED25519 -out "$OTA/droot.key" 2>/dev/null && chmod 600 "$OTA/droot.key"
  "$CRADLE" director init --root-key "$OTA/droot.key" --root-threshold 1 --out "$OTA/director-root.json" >/dev/null 2>&1
  ota_publish 1.1.0 2 >/dev/null
  /usr/bin/time -f '%e s elapsed' -o "$CACHE/enroll.time" env CRADLE_TOKEN="$FACTORY_TOKEN" "$FLEETSIM" enroll --url "$URL" --cacert "$CA" \
    --est-label T1-EU --batch B1 --count 10000 --dir "$CACHE/fleet" --parallel 16
  echo "enrollment of 10,000 devices: $(cat "$CACHE/enroll.time")"
  for start in $(seq 1 1000 10000); do
    args=(); for i in $(seq "$start" $((start + 999))); do args+=(--device "$(printf 'SIM-%06d' "$i")"); done
    "$CRADLE" device assign --release "$REL_ID" "${args[@]}" >/dev/null
  done
  E2E_TMP=$E2E_TMP_SAVED
  touch "$CACHE/setup-done"
fi
if [[ ! -f $CACHE/warm ]]; then
  # Every device installs 1.1.0 once; the measurements below are the steady state.
  echo "installing 1.1.0 on the fleet (once) ..."
  "$FLEETSIM" run --url "$URL" --cacert "$CA" --dir "$CACHE/fleet" --seconds 1800 --until-installed 1.1.0 \
    --interval 60 --install-delay 1 --max-inflight 64 --progress-every 30 | tail -n 1
  touch "$CACHE/warm"
fi

run_sim() { # URL N INTERVAL [OPTIONS...] -> the summary JSON line
  "$FLEETSIM" run --url "$1" --cacert "$CA" --dir "$CACHE/fleet" --devices "$2" --seconds "$secs" --interval "$3" \
    --jitter 10 --max-inflight 64 --progress-every 0 --json --initial-version 1.1.0 --warm "${@:4}" | tail -n 1
}

measure() { # LABEL N INTERVAL
  local cpu0 cpu1 out polls
  cpu0=$(server_cpu)
  out=$(run_sim "$URL" "$2" "$3")
  cpu1=$(server_cpu)
  polls=$(jq .polls <<<"$out")
  jq -r --arg l "$1" --arg scpu "$(awk -v a="$cpu0" -v b="$cpu1" -v p="$polls" 'BEGIN{printf "%.3f", p ? (b - a) * 1000 / p : 0}')" \
    --arg rss "$(server_rss)" \
    '"\($l): polls/s \(.polls_per_s | floor) (\(.requests / ([.polls,1] | max) * 10 | floor / 10) req/poll), poll p50 \(.poll_p50_ms | . * 10 | floor / 10) ms, p99 \(.poll_p99_ms | . * 10 | floor / 10) ms, failed \(.failed_polls), server CPU/poll \($scpu) ms, server RSS \($rss | tonumber / 1024 | floor) MiB, sim CPU/poll \(.cpu_ms_per_poll * 1000 | floor / 1000) ms, sim RSS \(.rss_max_kib / 1024 | floor) MiB, TLS resumed \(.tls_resumed)/\(.tls_full + .tls_resumed)"' <<<"$out"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg); $secs s per line"
for n in 1000 10000; do
  # Saturation: every device due every n/4000 s (4,000 polls/s asked).
  measure "N=$n max" "$n" "$(awk -v n="$n" 'BEGIN{print n / 4000}')"
  # A moderate fixed rate: 100 polls/s asked.
  measure "N=$n 100/s" "$n" "$(awk -v n="$n" 'BEGIN{print n / 100}')"
done

# Reference: nginx serving the same four answers as static files with the
# same certificate, the client certificate requested (not verified).
need=(); dpkg-query -W -f='${Status}' nginx-light 2>/dev/null | grep -q "ok installed" || need+=(nginx-light)
if [[ ${#need[@]} -gt 0 ]]; then
  sudo=; [[ $(id -u) -ne 0 ]] && sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
NG=$E2E_TMP/nginx; mkdir -p "$NG/www/device/v1/director" "$NG/www/repo/T1-EU"
curl -sS --cacert "$CA" --cert "$CACHE/fleet/SIM-000001/cert.pem" --key "$CACHE/fleet/SIM-000001/key.pem" \
  -o "$NG/www/device/v1/director/targets.json" "$URL/device/v1/director/targets.json"
cp "$DATA"/repo/T1-EU/*.json "$NG/www/repo/T1-EU/"
cp "$DATA/tls/server.pem" "$DATA/tls/server.key" "$NG/"
chmod -R o+rX "$NG"; chmod o+x "$E2E_TMP"
NPORT=$(free_port)
cat >"$NG/nginx.conf" <<NGX
worker_processes 2;
pid $NG/nginx.pid;
error_log $NG/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$NPORT ssl;
    ssl_certificate $NG/server.pem;
    ssl_certificate_key $NG/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_verify_client optional_no_ca;
    ssl_session_tickets on;
    ssl_session_cache shared:SSL:10m;
    root $NG/www;
  }
}
NGX
nginx -c "$NG/nginx.conf" -g 'daemon off;' & NGINX_PID=$!
sleep 1
# nginx's CPU seconds: the master and its workers.
nginx_cpu() {
  local hz; hz=$(getconf CLK_TCK)
  for p in "$NGINX_PID" $(pgrep -P "$NGINX_PID"); do cat "/proc/$p/stat"; done | awk -v hz="$hz" '{s += $14 + $15} END {print s / hz}'
}
for n in 1000 10000; do
  cpu0=$(nginx_cpu)
  out=$(run_sim "https://127.0.0.1:$NPORT" "$n" "$(awk -v n="$n" 'BEGIN{print n / 4000}')")
  cpu1=$(nginx_cpu)
  polls=$(jq .polls <<<"$out")
  jq -r --arg n "$n" --arg scpu "$(awk -v a="$cpu0" -v b="$cpu1" -v p="$polls" 'BEGIN{printf "%.3f", p ? (b - a) * 1000 / p : 0}')" \
    '"nginx N=\($n) max: polls/s \(.polls_per_s | floor), poll p50 \(.poll_p50_ms | . * 10 | floor / 10) ms, p99 \(.poll_p99_ms | . * 10 | floor / 10) ms, failed \(.failed_polls), nginx CPU/poll \($scpu) ms, sim CPU/poll \(.cpu_ms_per_poll * 1000 | floor / 1000) ms"' <<<"$out"
done

# TLS session resumption (docs/fleetsim.md): which polls resume, per server and TLS version.
for tls in "" --tls12; do
  for target in "cradled $URL" "nginx https://127.0.0.1:$NPORT"; do
    set -- $target
    out=$(secs=10 run_sim "$2" 1000 0.5 --tls-resume $tls)
    jq -r --arg w "$1 ${tls:-TLS1.3}" '"resumption, \($w): \(.tls_resumed) of \(.tls_full + .tls_resumed) new connections resumed, poll p50 \(.poll_p50_ms | . * 10 | floor / 10) ms, sim CPU/poll \(.cpu_ms_per_poll * 1000 | floor / 1000) ms"' <<<"$out"
  done
done
