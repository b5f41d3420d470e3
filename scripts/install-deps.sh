#!/usr/bin/env bash
# Installs the Debian 12 packages Cradle builds, runs and tests with.
# Idempotent: when everything is present it only runs dpkg-query and exits.
#   scripts/install-deps.sh          build + run dependencies
#   scripts/install-deps.sh --test   also the test and fuzz tools
set -euo pipefail

runtime=(
  build-essential meson ninja-build pkg-config
  libgnutls28-dev nettle-dev libp11-kit-dev libmicrohttpd-dev libjansson-dev
  libsqlite3-dev libcurl4-gnutls-dev libinih-dev
  libubootenv-dev libubootenv-tool
  # SBOM and feed parsing: CycloneDX XML (libxml2); OSV all.zip, Yocto .tar.zst (libarchive)
  libxml2-dev libarchive-dev
  # OpenPGP: the CVD contact key and the CSAF provider's .asc signatures (GnuPG through gpgme)
  libgpgme-dev gnupg
  # encrypted update payloads: ECDH point multiplication with nettle/hogweed over GMP (src/crypto/ota-wrap.c)
  libgmp-dev
  gnutls-bin ca-certificates
  # the docs' examples use them (docs/operations.md, docs/agent.md's walkthrough)
  curl sqlite3 jq
)
# Every command tests/ and scripts/test.sh run, by the package that has it
# (coreutils, diffutils, findutils, grep, sed, mawk and bash are Essential;
# scripts/fresh-machine-check.sh proves the list on a minimal Debian 12 root):
#   curl, openssl, jq, sqlite3, softhsm2-util (softhsm2), pkcs11-tool (opensc),
#   xxd, readelf/nm/strings (binutils), certtool (gnutls-bin), node/npm (nodejs, npm),
#   swupdate (the hawkBit DDI client of tests/e2e/ddi-swupdate.sh), cpio (builds its
#   .swu images), python3 (that test's cutting TCP proxy), chromium (the headless
#   browser tests/e2e/cvd-browser.sh drives with puppeteer-core through the CVD form).
testing=(
  libcmocka-dev clang libclang-rt-14-dev
  openssl softhsm2 opensc procps iproute2 xxd binutils
  swupdate cpio python3
  # tests/e2e/cvd-browser.sh: the CVD intake in a real browser (puppeteer-core downloads none)
  chromium
)

want=("${runtime[@]}")
if [[ "${1:-}" == "--test" ]]; then
  want+=("${testing[@]}")
fi

# Node.js and npm run the interop tests with clients someone else wrote
# (tuf-js). A machine may already have a Node.js from elsewhere; take the
# Debian packages only when there is none.
if [[ "${1:-}" == "--test" ]] && ! { command -v node >/dev/null && command -v npm >/dev/null; }; then
  want+=(nodejs npm)
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
