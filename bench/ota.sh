#!/usr/bin/env bash
# OTA benchmarks (figures beside references on the same machine; not tests):
#  1. cradle-agent binary size and linked libraries beside RAUC and SWUpdate
#     from Debian;
#  2. cradle-agent peak RSS and throughput for a whole update cycle of a
#     SIZE_MB image (TUF + director verification, download over mTLS with
#     SHA-256 while streaming, write into the inactive ab-dir slot), beside
#     sha256sum over the same file;
#  3. TUF metadata requests per second from cradled (timestamp.json, 4
#     workers, keep-alive) beside nginx serving the same file.
#   bench/ota.sh [SIZE_MB]     (default 1024)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}

scripts/install-deps.sh --test
need=(); for p in rauc swupdate nginx-light time; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need+=("$p"); done
if [[ ${#need[@]} -gt 0 ]]; then
  sudo=; [[ $(id -u) -ne 0 ]] && sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
[[ -f build-bench/build.ninja ]] || meson setup build-bench -Dtests=disabled >/dev/null
ninja -C build-bench >/dev/null
export CRADLED=$PWD/build-bench/src/server/cradled CRADLE=$PWD/build-bench/src/cli/cradle
export CRADLE_AGENT=$PWD/build-bench/src/agent/cradle-agent
source tests/e2e/lib.sh >/dev/null
source tests/e2e/ota-agent-lib.sh
trap 'stop_server; [[ -n "${NGINX_PID:-}" ]] && kill "$NGINX_PID" 2>/dev/null; rm -rf "$E2E_TMP"' EXIT

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r)"
echo
echo "== 1. binaries =="
strip -o "$E2E_TMP/cradle-agent.stripped" "$CRADLE_AGENT"
printf '%-28s %10s bytes, %2d shared libraries\n' "cradle-agent (stripped)" "$(stat -c %s "$E2E_TMP/cradle-agent.stripped")" "$(ldd "$CRADLE_AGENT" | grep -c '=>')"
for b in /usr/bin/rauc /usr/bin/swupdate; do
  printf '%-28s %10s bytes, %2d shared libraries\n' "$b (Debian)" "$(stat -c %s "$b")" "$(ldd "$b" | grep -c '=>')"
done

init_server >/dev/null
sed -i 's/^level = .*/level = warn/' "$DATA/cradled.conf"
start_server >/dev/null
echo
echo "== 2. one update cycle of a ${size_mb} MiB image =="
OTA_IMAGE_SIZE=$((size_mb << 20)) ota_setup >/dev/null 2>&1 || { echo "ota_setup failed"; exit 1; }
agent_device_setup T1-BENCH >/dev/null 2>&1
sed -i 's/^timeout = 120/timeout = 3600/' "$DEV/agent.conf"
"$CRADLE" device assign --release "$REL_ID" --device T1-BENCH >/dev/null
/usr/bin/time -f '%M %e' -o "$E2E_TMP/agent.time" "$CRADLE_AGENT" -c "$DEV/agent.conf" once 2>/dev/null
read -r rss secs <"$E2E_TMP/agent.time"
echo "cradle-agent once:  peak RSS $((rss / 1024)) MiB, $secs s, $(awk -v m="$size_mb" -v s="$secs" 'BEGIN{printf "%.0f", m/s}') MiB/s (download + verify + write to slot)"
/usr/bin/time -f '%M %e' -o "$E2E_TMP/sha.time" sha256sum "$IMG" >/dev/null
read -r rss2 secs2 <"$E2E_TMP/sha.time"
echo "sha256sum (file):   peak RSS $((rss2 / 1024)) MiB, $secs2 s, $(awk -v m="$size_mb" -v s="$secs2" 'BEGIN{printf "%.0f", m/s}') MiB/s"
expect=$(sha256sum "$DEV/slots/slotB" | cut -d' ' -f1)
[[ $expect == "$IMG_SHA" ]] && echo "(slot B holds the verified image)" || echo "WARNING: slot B does not hold the image"

echo
echo "== 3. metadata requests per second (timestamp.json, 4 workers, keep-alive, 5 s) =="
NPORT=$(free_port)
mkdir -p "$E2E_TMP/nginx/www"; cp "$DATA/repo/T1-EU/timestamp.json" "$E2E_TMP/nginx/www/"
chmod o+x "$E2E_TMP" "$DATA" "$DATA/tls"; chmod o+r "$DATA/tls/server.pem" "$DATA/tls/server.key"; chmod -R o+rX "$E2E_TMP/nginx"
cat >"$E2E_TMP/nginx/nginx.conf" <<NGX
worker_processes 2;
pid $E2E_TMP/nginx/nginx.pid;
error_log $E2E_TMP/nginx/error.log warn;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$NPORT ssl;
    ssl_certificate $DATA/tls/server.pem;
    ssl_certificate_key $DATA/tls/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305;
    root $E2E_TMP/nginx/www;
  }
}
NGX
nginx -c "$E2E_TMP/nginx/nginx.conf" & NGINX_PID=$!
sleep 0.5
echo "cradled: $(build-bench/bench/loadgen --url "$URL/repo/T1-EU/timestamp.json" --cacert "$CA" --seconds 5 --workers 4)"
echo "nginx:   $(build-bench/bench/loadgen --url "https://127.0.0.1:$NPORT/timestamp.json" --cacert "$CA" --seconds 5 --workers 4)"
