#!/usr/bin/env bash
# Device-identity benchmark (not a test; prints figures beside a reference):
#  1. EST enrollments per second, device CA key in a file vs on SoftHSM2;
#  2. GET /device/v1/whoami over mTLS, keep-alive and a new handshake per
#     request, each worker presenting its own device certificate;
#     beside nginx serving a static file with the same certificate, key,
#     TLS versions and ciphers, also requesting client certificates.
#   bench/identity.sh [--seconds S] [--workers N] [--enrollments N]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=10; workers=4; enrollments=200
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --enrollments) enrollments=$2; shift 2 ;;
    *) echo "usage: bench/identity.sh [--seconds S] [--workers N] [--enrollments N]" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh --test
command -v nginx >/dev/null || { sudo=; [[ $(id -u) -ne 0 ]] && sudo=sudo; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx-light >/dev/null; }
[[ -f build-bench/build.ninja ]] || meson setup build-bench -Dtests=disabled >/dev/null
ninja -C build-bench >/dev/null
export CRADLED=$PWD/build-bench/src/server/cradled CRADLE=$PWD/build-bench/src/cli/cradle
source tests/e2e/lib.sh >/dev/null
trap 'stop_server; [[ -n "${NGINX_PID:-}" ]] && kill "$NGINX_PID" 2>/dev/null; rm -rf "$E2E_TMP"' EXIT

echo "machine: $(nproc) cores, $(uname -r); cradled $("$CRADLED" --version 2>&1 | head -1)"
init_server >/dev/null
# Log at warn so access lines do not measure the terminal.
sed -i 's/^level = .*/level = warn/' "$DATA/cradled.conf"
export SOFTHSM2_CONF=$E2E_TMP/softhsm2.conf CRADLE_PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so CRADLE_PKCS11_PIN=73519
mkdir -p "$E2E_TMP/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$E2E_TMP/tokens" >"$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label bench --so-pin 11223344 --pin 73519 >/dev/null
pkcs11-tool --module "$CRADLE_PKCS11_MODULE" --token-label bench --login --pin 73519 --keypairgen \
  --key-type EC:prime256v1 --label hsm-ca --id 0b >/dev/null 2>&1
start_server >/dev/null
identity_setup >/dev/null 2>&1

# A second product whose device CA key lives on SoftHSM2.
api POST /api/v1/products "$ADMIN_TOKEN" "$(jq -c '.model="T2-EU"' <<<"$PRODUCT_JSON")" >/dev/null
"$CRADLE" ca create --product T2-EU --name t2-hsm --key-ref "pkcs11:token=bench;object=hsm-ca;type=private" --out-csr "$PKI/ca2.csr" >/dev/null 2>&1
"$CRADLE" pki sign-intermediate --root-key "$PKI/root.key" --root-cert "$PKI/root.pem" --csr "$PKI/ca2.csr" --out "$PKI/ca2.pem" >/dev/null 2>&1
"$CRADLE" ca install t2-hsm --cert "$PKI/ca2.pem" --chain "$PKI/root.pem" >/dev/null 2>&1
"$CRADLE" batch create --product T2-EU --name B2 --hardware-revision r1 --production-date 2026-11-01 --station s --firmware 1 >/dev/null

enroll_rate() { # product batch prefix
  local dir=$E2E_TMP/csr-$3; mkdir -p "$dir"
  { echo serial; for i in $(seq -w 1 "$enrollments"); do echo "$3-$i"; done; } >"$E2E_TMP/$3.csv"
  for i in $(seq -w 1 "$enrollments"); do
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/$3-$i.key" \
      -subj "/serialNumber=$3-$i/CN=$3-$i" -out "$dir/$3-$i.csr" 2>/dev/null
  done
  local t0 t1
  t0=$(date +%s.%N)
  CRADLE_TOKEN=$FACTORY_TOKEN "$CRADLE" provision --product "$1" --batch "$2" --serials "$E2E_TMP/$3.csv" \
    --csr-dir "$dir" --out "$E2E_TMP/bundles-$3" >/dev/null
  t1=$(date +%s.%N)
  echo "$enrollments $t0 $t1" | awk '{printf "%.1f enrollments/s (%d in %.2f s)", $1/($3-$2), $1, $3-$2}'
}
echo
echo "== EST enrollment (CSR prepared by the device; one station, sequential) =="
echo "device CA key in a file:     $(enroll_rate T1-EU B1 F)"
echo "device CA key on SoftHSM2:   $(enroll_rate T2-EU B2 H)"
echo "reference: openssl signing the same CSRs locally with the file CA key:"
t0=$(date +%s.%N)
for f in "$E2E_TMP"/csr-F/*.csr; do
  openssl x509 -req -in "$f" -CA "$PKI/ca.pem" -CAkey "$DATA/pki/t1-ca.key" -CAcreateserial -days 365 -out /dev/null 2>/dev/null || true
done
t1=$(date +%s.%N)
echo "$enrollments $t0 $t1" | awk '{printf "                             %.1f signatures/s (one openssl process each)\n", $1/($3-$2)}'

# Bundles for the mTLS workers need a key beside each cert.
for d in "$E2E_TMP"/bundles-F/*/; do s=$(basename "$d"); cp "$E2E_TMP/csr-F/$s.key" "$d/key.pem"; done

# nginx with the server's certificate, the same TLS versions and AEAD ciphers, requesting client certs.
NPORT=$(free_port)
mkdir -p "$E2E_TMP/nginx/www"
# nginx workers run as www-data: let them reach the static file and the TLS files.
chmod o+x "$E2E_TMP" "$DATA" "$DATA/tls"; chmod o+r "$DATA/tls/server.pem" "$DATA/tls/server.key"; chmod -R o+rX "$E2E_TMP/nginx"; echo '{"serial":"static"}' >"$E2E_TMP/nginx/www/whoami"
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
    ssl_session_cache off;
    ssl_session_tickets off;
    ssl_verify_client optional_no_ca;
    root $E2E_TMP/nginx/www;
    location / { default_type application/json; }
  }
}
NGX
nginx -c "$E2E_TMP/nginx/nginx.conf" & NGINX_PID=$!
sleep 0.5

LG=build-bench/bench/loadgen
echo
echo "== mTLS requests, $workers workers x ${seconds}s, each with its own device certificate =="
for mode in keepalive handshake; do
  flag=; [[ $mode == handshake ]] && flag=--new-handshake
  c=$($LG --url "$URL/device/v1/whoami" --cacert "$CA" --certs "$E2E_TMP/bundles-F" --seconds "$seconds" --workers "$workers" $flag)
  n=$($LG --url "https://127.0.0.1:$NPORT/whoami" --cacert "$CA" --certs "$E2E_TMP/bundles-F" --seconds "$seconds" --workers "$workers" $flag)
  cr=$(grep -oE 'rps=[0-9]+' <<<"$c" | cut -d= -f2); nr=$(grep -oE 'rps=[0-9]+' <<<"$n" | cut -d= -f2)
  printf '%-10s cradled whoami: %s\n%-10s nginx static:   %s\n%-10s ratio cradled/nginx: %s\n' \
    "$mode" "$c" "" "$n" "" "$(awk -v a="$cr" -v b="$nr" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "n/a" }')"
done
