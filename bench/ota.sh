#!/usr/bin/env bash
# OTA benchmarks (figures beside references on the same machine; not tests):
#  1. cradle-agent binary size and linked libraries beside RAUC and SWUpdate
#     from Debian;
#  2. cradle-agent peak RSS and throughput for a whole update cycle of a
#     SIZE_MB image (TUF + director verification, download over mTLS with
#     SHA-256 while streaming, write into the inactive ab-dir slot), beside
#     sha256sum over the same file;
# 2b. RAUC 1.8 and SWUpdate 2022.12 from Debian installing the same image
#     file into a file-backed slot (signed bundle / signed .swu, raw slot),
#     peak RSS and elapsed time in the same format;
#  3. TUF metadata requests per second from cradled (timestamp.json, 4
#     workers, keep-alive) beside nginx serving the same file.
#   bench/ota.sh [SIZE_MB]     (default 1024)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}

scripts/install-deps.sh --test
need=(); for p in rauc swupdate nginx-light time squashfs-tools cpio openssl dbus-daemon; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need+=("$p"); done
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
cleanup() {
  stop_server
  [[ -n "${NGINX_PID:-}" ]] && kill "$NGINX_PID" 2>/dev/null || true
  [[ -n "${RAUC_PID:-}" ]] && kill "$RAUC_PID" 2>/dev/null || true
  [[ -n "${DBUS_PID:-}" ]] && kill "$DBUS_PID" 2>/dev/null || true
  rm -rf "$E2E_TMP"
}
trap cleanup EXIT

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
echo "== 2b. the same ${size_mb} MiB image installed by RAUC and SWUpdate (Debian) into a file-backed slot =="
# One RSA-2048 CA and a signing certificate issued by it, shared by both tools.
REF=$E2E_TMP/ref; mkdir -p "$REF"
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=bench-ca -keyout "$REF/ca.key" -out "$REF/ca.pem" \
  -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj /CN=bench-sign -keyout "$REF/sign.key" -out "$REF/sign.csr" >/dev/null 2>&1
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=emailProtection,codeSigning\n' >"$REF/sign.ext"
openssl x509 -req -days 3650 -in "$REF/sign.csr" -CA "$REF/ca.pem" -CAkey "$REF/ca.key" -CAcreateserial \
  -extfile "$REF/sign.ext" -out "$REF/sign.pem" >/dev/null 2>&1
slot_check() { [[ $(sha256sum "$1" | cut -d' ' -f1) == "$IMG_SHA" ]] && echo "($2 holds the image)" || echo "WARNING: $2 does not hold the image"; }

# SWUpdate: .swu = cpio (crc) of sw-description, its CMS signature (Debian builds
# swupdate with CONFIG_SIGNED_IMAGES + CMS) and rootfs.img, "raw" handler to a file.
SWU=$E2E_TMP/swu; mkdir -p "$SWU/in"
ln -s "$IMG" "$SWU/in/rootfs.img"
truncate -s "$IMG_LEN" "$E2E_TMP/swu-slot"
cat >"$SWU/in/sw-description" <<SWD
software = {
  version = "1.0.0";
  hardware-compatibility: [ "1.0" ];
  images: ( {
    filename = "rootfs.img";
    type = "raw";
    device = "$E2E_TMP/swu-slot";
    sha256 = "$IMG_SHA";
  } );
}
SWD
if openssl cms -sign -binary -nosmimecap -outform DER -in "$SWU/in/sw-description" -out "$SWU/in/sw-description.sig" \
     -signer "$REF/sign.pem" -inkey "$REF/sign.key" 2>"$SWU/err" &&
   (cd "$SWU/in" && printf '%s\n' sw-description sw-description.sig rootfs.img | cpio -o -L -H crc --quiet >"$SWU/u.swu") 2>>"$SWU/err" &&
   /usr/bin/time -f '%M %e' -o "$SWU/time" swupdate -v -H bench:1.0 -k "$REF/ca.pem" -i "$SWU/u.swu" >"$SWU/log" 2>&1; then
  read -r rss3 secs3 <"$SWU/time"
  echo "swupdate -i:        peak RSS $((rss3 / 1024)) MiB, $secs3 s, $(awk -v m="$size_mb" -v s="$secs3" 'BEGIN{printf "%.0f", m/s}') MiB/s (verify signed .swu + sha256 + raw write to slot)"
  slot_check "$E2E_TMP/swu-slot" "swupdate slot"
else
  echo "swupdate:           not measured: install failed: $(grep -m1 -E 'ERROR' "$SWU/log" "$SWU/err" 2>/dev/null | cut -c1-160)"
fi
rm -f "$SWU/u.swu" "$E2E_TMP/swu-slot"

# RAUC: plain signed bundle (squashfs), installed by `rauc service` on a private
# D-Bus system bus, noop bootloader, booted slot A forced, two raw file slots.
RA=$E2E_TMP/rauc; mkdir -p "$RA/content" "$RA/data" "$RA/mnt"
ln "$IMG" "$RA/content/rootfs.img" 2>/dev/null || cp "$IMG" "$RA/content/rootfs.img"
printf '[update]\ncompatible=cradle-bench\nversion=1.0.0\n\n[image.rootfs]\nfilename=rootfs.img\n' >"$RA/content/manifest.raucm"
truncate -s "$IMG_LEN" "$RA/slot0" "$RA/slot1"
cat >"$RA/system.conf" <<SYS
[system]
compatible=cradle-bench
bootloader=noop
data-directory=$RA/data
mountprefix=$RA/mnt

[keyring]
path=$REF/ca.pem

[slot.rootfs.0]
device=$RA/slot0
type=raw
bootname=A

[slot.rootfs.1]
device=$RA/slot1
type=raw
bootname=B
SYS
cat >"$RA/dbus.conf" <<DBC
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$RA/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
DBC
rauc_fail() { echo "rauc:               not measured: $1"; }
if ! rauc bundle --cert "$REF/sign.pem" --key "$REF/sign.key" --keyring "$REF/ca.pem" "$RA/content" "$RA/u.raucb" >"$RA/bundle.log" 2>&1; then
  rauc_fail "rauc bundle failed: $(grep -m1 -iE 'error|fail' "$RA/bundle.log" | cut -c1-160)"
else
  rm -rf "$RA/content"
  dbus-daemon --config-file="$RA/dbus.conf" --nofork >"$RA/dbus.log" 2>&1 & DBUS_PID=$!
  export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$RA/bus.sock
  for _ in $(seq 50); do [[ -S $RA/bus.sock ]] && break; sleep 0.1; done
  rauc service --conf="$RA/system.conf" --override-boot-slot=A >"$RA/service.log" 2>&1 & RAUC_PID=$!
  for _ in $(seq 50); do
    kill -0 "$RAUC_PID" 2>/dev/null || break
    timeout 2 rauc status >/dev/null 2>&1 && break; sleep 0.1
  done
  # The install runs inside `rauc service`; the client only waits for it, so
  # peak RSS is the service's VmHWM and time is the client's wall time.
  if kill -0 "$RAUC_PID" 2>/dev/null &&
     /usr/bin/time -f '%M %e' -o "$RA/time" timeout 3600 rauc install "$RA/u.raucb" >"$RA/install.log" 2>&1; then
    read -r _ secs4 <"$RA/time"
    rss4=$(awk '/^VmHWM:/ {print $2}' "/proc/$RAUC_PID/status")
    echo "rauc install:       peak RSS $((rss4 / 1024)) MiB, $secs4 s, $(awk -v m="$size_mb" -v s="$secs4" 'BEGIN{printf "%.0f", m/s}') MiB/s (rauc service: verify signed bundle + mount + raw write to slot)"
    slot_check "$RA/slot1" "rauc slot B"
  else
    rauc_fail "rauc install failed: $(cat "$RA/install.log" "$RA/service.log" 2>/dev/null | grep -m1 -iE 'error|fail' | cut -c1-200)"
    tail -n3 "$RA/install.log" "$RA/service.log" 2>&1 | sed "s/^/#   /" || true
  fi
  kill "$RAUC_PID" "$DBUS_PID" 2>/dev/null; wait "$RAUC_PID" "$DBUS_PID" 2>/dev/null || true; RAUC_PID= DBUS_PID=
  unset DBUS_SYSTEM_BUS_ADDRESS
fi
rm -rf "$RA/u.raucb" "$RA/slot0" "$RA/slot1"

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
