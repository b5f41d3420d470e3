#!/usr/bin/env bash
# Encrypted update payloads (docs/ota.md, "Encrypted payloads"): throughput of
# the encrypted and the plain path in one run, over the same SIZE_MB file,
# beside references on the same machine (figures, not a test):
#   - sha256sum and `openssl enc -aes-256-ctr` over the file (openssl enc has
#     no AEAD mode; CTR is GCM's cipher half) and `openssl speed` for
#     aes-256-gcm in memory;
#   - bench-ota-crypt: the agent's plain write into a slot, the server's
#     encryption of an upload, the agent's decryption into a slot, and the
#     director's per-device wrap (P-256, P-384) and the device's unwrap,
#     and, when SoftHSM2 and pkcs11-tool are installed, the unwrap with the
#     device key on a token (a throw-away SoftHSM2 token in the temp dir).
#   bench/ota-encrypt.sh [SIZE_MB]      (default 256; BUILD=build dir, default build-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-256}
bd=${BUILD:-build-bench}
[[ -f $bd/build.ninja ]] || meson setup "$bd" -Dbuildtype=release -Dtests=disabled >/dev/null
ninja -C "$bd" bench/bench-ota-crypt >/dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
head -c $((size_mb * 1024 * 1024)) /dev/urandom >"$tmp/image"
sync
rate() { awk -v mb="$size_mb" -v s="$1" 'BEGIN { printf "%8.1f MB/s", mb / s }'; }
timed() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'; }
echo "# $size_mb MiB, $(nproc) CPUs, $(uname -m); $(openssl version)"
echo "sha256sum                   $(rate "$(timed sha256sum "$tmp/image")")"
key=$(head -c 32 /dev/urandom | xxd -p -c 64); iv=$(head -c 16 /dev/urandom | xxd -p -c 32)
echo "openssl enc -aes-256-ctr    $(rate "$(timed openssl enc -aes-256-ctr -K "$key" -iv "$iv" -in "$tmp/image" -out "$tmp/ctr")")"
rm -f "$tmp/ctr"
openssl speed -evp aes-256-gcm -bytes 65536 -seconds 2 2>/dev/null | awk '/^aes-256-gcm|^AES-256-GCM/ { printf "openssl speed aes-256-gcm   %8.1f MB/s (64 KiB blocks, in memory)\n", $NF * 1000 / 1048576 }'
if command -v softhsm2-util >/dev/null && command -v pkcs11-tool >/dev/null && [[ -e /usr/lib/softhsm/libsofthsm2.so ]]; then
  mkdir -p "$tmp/tokens"
  printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$tmp/tokens" >"$tmp/softhsm2.conf"
  export SOFTHSM2_CONF=$tmp/softhsm2.conf CRADLE_PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so CRADLE_PKCS11_PIN=5678
  softhsm2-util --init-token --free --label bench --so-pin 1234 --pin 5678 >/dev/null
  pkcs11-tool --module "$CRADLE_PKCS11_MODULE" --login --pin 5678 --keypairgen --key-type EC:prime256v1 \
    --usage-derive --usage-sign --label dev --id 01 >/dev/null 2>&1
  export CRADLE_BENCH_TOKEN_KEY='pkcs11:token=bench;object=dev;type=private'
fi
"$bd/bench/bench-ota-crypt" "$tmp/image" "$tmp"
