# Shared helpers for the black-box tests: TAP output, a real cradled on a free
# port in a temporary directory, and curl wrappers. Source it; do not run it.
# Each test script is plain bash: `ok COND-RESULT "description"` style checks.
set -uo pipefail

: "${CRADLED:?CRADLED must point at the cradled binary}"
: "${CRADLE:?CRADLE must point at the cradle binary}"

TAP_N=0
TAP_FAILED=0
E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cradle-e2e.XXXXXX")
SERVER_PID=

# TAP has one line per result and "#" before every diagnostic line; a message
# that spans lines would otherwise leave lines meson cannot parse (or, worse,
# one starting "ok"). tap_diag prefixes every line of every argument.
tap_diag() {
  local arg line
  for arg in "$@"; do
    while IFS= read -r line || [[ -n $line ]]; do printf '# %s\n' "$line"; done <<<"$arg"
  done
}
# A description is one line, and "#" would start a TAP directive (SKIP, TODO).
tap_desc() { local d=${1//$'\n'/ }; printf '%s' "${d//#/\\#}"; }
tap_ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $(tap_desc "$1")"; }
tap_fail() {
  TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1))
  echo "not ok $TAP_N - $(tap_desc "$1")"
  shift
  local line
  for line in "$@"; do tap_diag "  $line"; done
}
# tap_skip "description" "reason": a case that cannot run here, and why.
tap_skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $(tap_desc "$1") # SKIP $(tap_desc "$2")"; }
# check "description" CMD...   -> ok when CMD succeeds
check() {
  local desc=$1; shift
  local out
  if out=$("$@" 2>&1); then tap_ok "$desc"; else tap_fail "$desc" "command: $*" "${out:0:2000}"; fi
}
# expect_eq "description" ACTUAL EXPECTED
expect_eq() {
  if [[ "$2" == "$3" ]]; then tap_ok "$1"; else tap_fail "$1" "expected: $3" "actual:   ${2:0:2000}"; fi
}
# expect_match "description" ACTUAL REGEX
expect_match() {
  if [[ "$2" =~ $3 ]]; then tap_ok "$1"; else tap_fail "$1" "expected to match: $3" "actual: ${2:0:2000}"; fi
}
expect_nomatch() {
  if [[ ! "$2" =~ $3 ]]; then tap_ok "$1"; else tap_fail "$1" "expected NOT to match: $3" "actual: ${2:0:2000}"; fi
}

finish() {
  stop_server
  echo "1..$TAP_N"
  if [[ $TAP_FAILED -eq 0 ]]; then rm -rf "$E2E_TMP"; else echo "# kept $E2E_TMP for inspection"; fi
  [[ $TAP_FAILED -eq 0 ]]
}
trap 'stop_server' EXIT

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

# init_server DIR: runs cradled init on a free port, sets DATA, PORT, URL, CA, ADMIN_TOKEN.
init_server() {
  DATA=${1:-$E2E_TMP/data}
  PORT=$(free_port)
  INIT_OUT=$("$CRADLED" init --data-dir "$DATA" --port "$PORT" 2>&1) || { tap_diag "init failed: $INIT_OUT"; return 1; }
  ADMIN_TOKEN=$(grep -oE 'cradle_[0-9a-f]{16}_[A-Za-z0-9_-]{43}' <<<"$INIT_OUT" | head -n1)
  # M-of-N approvals (issue 11, docs/keys.md) are off in the tests' one-operator
  # deployments: governed operations run at once. tests/e2e/approvals.sh turns
  # them back on (approval_on) and drives them with two users.
  sed -i 's/^approvers = .*/approvers = 0/' "$DATA/cradled.conf"
  URL="https://127.0.0.1:$PORT"
  CA="$DATA/tls/ca.pem"
  export CRADLE_URL=$URL CRADLE_CA=$CA
  unset CRADLE_TOKEN CRADLE_TOKEN_FILE
}

# start_server: runs cradled in the background on DATA and waits for /healthz.
start_server() {
  LOG=${LOG:-$E2E_TMP/cradled.log}
  "$CRADLED" run --data-dir "$DATA" >>"$LOG" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    if curl -fsS --cacert "$CA" "$URL/healthz" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then tap_diag "cradled exited:" "$(tail -n 20 "$LOG")"; SERVER_PID=; return 1; fi
    sleep 0.1
  done
  echo "# cradled did not become healthy"; return 1
}

stop_server() {
  if [[ -n "${SERVER_PID:-}" ]]; then
    kill -TERM "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_RC=$?
    SERVER_PID=
  fi
}

# api METHOD PATH [TOKEN] [BODY] -> sets STATUS, BODY, HEADERS
api() {
  local method=$1 path=$2 token=${3:-} data=${4-__none__}
  rm -f "$E2E_TMP/body" "$E2E_TMP/headers"
  local args=(-sS --cacert "$CA" -X "$method" -o "$E2E_TMP/body" -D "$E2E_TMP/headers" -w '%{http_code}')
  if [[ -n "$token" ]]; then
    # The token goes through a header file, not argv.
    printf 'Authorization: Bearer %s\n' "$token" >"$E2E_TMP/auth-header"
    args+=(-H @"$E2E_TMP/auth-header")
  fi
  if [[ "$data" != "__none__" ]]; then
    args+=(-H 'Content-Type: application/json' --data-binary "$data")
  fi
  STATUS=$(curl "${args[@]}" "$URL$path")
  BODY=$(cat "$E2E_TMP/body" 2>/dev/null)
  HEADERS=$(tr -d '\r' <"$E2E_TMP/headers" 2>/dev/null)
}

# jqr FILTER: applies jq to $BODY
jqr() { jq -r "$1" <<<"$BODY"; }

# approval_on N: M-of-N approvals with N approvers (the [approval] default is 2);
# takes effect at the next start_server.
approval_on() {
  sed -i "s/^approvers = .*/approvers = $1/" "$DATA/cradled.conf"
}

# Creates a token of ROLE named NAME with the admin token; prints the secret.
make_token() {
  api POST /api/v1/tokens "$ADMIN_TOKEN" "{\"name\":\"$1\",\"role\":\"$2\"}"
  jq -r .token <<<"$BODY"
}

PRODUCT_JSON='{"name":"Thermostat T1","model":"T1-EU","manufacturer":{"name":"Acme GmbH","address":"Hauptstr. 1, 10115 Berlin, DE","contact":"security@acme.example"},"support":{"start":"2026-01-01","end":"2031-12-31"},"member_states":["DE","FR","IT"]}'

# --- device identity -------------------------------------------------------

# identity_setup: an offline root (file key), product T1-EU, its device CA
# signed by the root and installed, an open batch B1, and a factory token.
# Sets PKI (dir), FACTORY_TOKEN.
identity_setup() {
  PKI=$E2E_TMP/pki; mkdir -p "$PKI"
  export CRADLE_TOKEN=$ADMIN_TOKEN
  "$CRADLE" pki root-create --generate-key --key "$PKI/root.key" --cn "Acme Root CA" --org "Acme GmbH" --out "$PKI/root.pem" >/dev/null || return 1
  api POST /api/v1/products "$ADMIN_TOKEN" "$PRODUCT_JSON"; [[ $STATUS == 201 ]] || { tap_diag "product: $STATUS $BODY"; return 1; }
  "$CRADLE" ca create --product T1-EU --name t1-ca --out-csr "$PKI/ca.csr" >/dev/null || return 1
  "$CRADLE" pki sign-intermediate --root-key "$PKI/root.key" --root-cert "$PKI/root.pem" --csr "$PKI/ca.csr" --out "$PKI/ca.pem" >/dev/null || return 1
  "$CRADLE" ca install t1-ca --cert "$PKI/ca.pem" --chain "$PKI/root.pem" >/dev/null || return 1
  "$CRADLE" batch create --product T1-EU --name B1 --hardware-revision r2 --production-date 2026-11-01 \
    --station line-1 --firmware 1.0.0 >/dev/null || return 1
  FACTORY_TOKEN=$(make_token factory-1 factory)
}

# make_csr NAME SERIAL [openssl key args...]: writes $PKI/NAME.key and the
# base64 DER PKCS#10 $PKI/NAME.csr.b64 exactly as an EST client sends it.
make_csr() {
  local name=$1 serial=$2; shift 2
  local keyargs=("$@")
  [[ ${#keyargs[@]} -eq 0 ]] && keyargs=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256)
  openssl genpkey "${keyargs[@]}" -out "$PKI/$name.key" 2>/dev/null || return 1
  chmod 600 "$PKI/$name.key"
  openssl req -new -key "$PKI/$name.key" -subj "/serialNumber=$serial/CN=$serial" -outform DER -out "$PKI/$name.csr.der" || return 1
  base64 "$PKI/$name.csr.der" >"$PKI/$name.csr.b64"
}

# est_enroll NAME LABEL QUERY [TOKEN]: POSTs $PKI/NAME.csr.b64; STATUS, and on
# success $PKI/NAME.pem (the issued certificate, via openssl pkcs7).
est_enroll() {
  local name=$1 label=$2 query=$3 token=${4:-$FACTORY_TOKEN}
  printf 'Authorization: Bearer %s\n' "$token" >"$E2E_TMP/auth-header"
  STATUS=$(curl -sS --cacert "$CA" -H @"$E2E_TMP/auth-header" -H 'Content-Type: application/pkcs10' \
    --data-binary @"$PKI/$name.csr.b64" -D "$E2E_TMP/headers" -o "$PKI/$name.resp" -w '%{http_code}' \
    "$URL/.well-known/est/$label/simpleenroll?$query")
  HEADERS=$(tr -d '\r' <"$E2E_TMP/headers"); BODY=$(cat "$PKI/$name.resp")
  if [[ $STATUS == 200 ]]; then
    base64 -d "$PKI/$name.resp" >"$PKI/$name.p7" && \
      openssl pkcs7 -inform DER -in "$PKI/$name.p7" -print_certs -out "$PKI/$name.pem"
  fi
}

# mtls GET|POST PATH NAME [curl args...]: a device request presenting $PKI/NAME.pem/.key.
mtls() {
  local method=$1 path=$2 name=$3; shift 3
  STATUS=$(curl -sS --cacert "$CA" --cert "$PKI/$name.pem" --key "$PKI/$name.key" -X "$method" \
    -o "$E2E_TMP/body" -D "$E2E_TMP/headers" -w '%{http_code}' "$@" "$URL$path")
  BODY=$(cat "$E2E_TMP/body" 2>/dev/null); HEADERS=$(tr -d '\r' <"$E2E_TMP/headers" 2>/dev/null)
}

# flip_byte FILE OFFSET: flips the low bit of one byte (negative offset counts
# from the end), to tamper with signatures.
flip_byte() {
  local f=$1 off=$2 size b
  size=$(stat -c %s "$f")
  (( off < 0 )) && off=$((size + off))
  b=$(od -An -tu1 -j "$off" -N1 "$f" | tr -d ' ')
  printf "\\x$(printf '%02x' $((b ^ 1)))" | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
}

# --- OTA: releases and the image repository (issue 4) ---------------------------

# ota_setup [--no-identity]: a product with a working image repository and a
# published release, the way an operator makes them (cradle repo init, release
# create/upload/prepare/sign/publish), for tests of the director and the agent.
#  - product T1-EU (OTA_MODEL), with identity_setup's device CA, batch B1
#    (hardware revision r2) and FACTORY_TOKEN unless --no-identity;
#  - its repository: root key $OTA/root.key (threshold 1), targets keys
#    $OTA/t1.key $OTA/t2.key $OTA/t3.key (threshold 2), all files; the trusted
#    root devices install is $OTA_ROOT ($OTA/1.root.json);
#  - release 1.0.0, security version 1, hardware r2, one image, published.
# OTA_INIT_FLAGS (optional): more options for `cradle repo init`.
# Sets OTA, OTA_MODEL, OTA_ROOT, OTA_REPO_URL ($URL/repo/T1-EU) and what
# ota_publish sets. Needs init_server and start_server first; exports
# CRADLE_TOKEN=$ADMIN_TOKEN.
ota_setup() {
  OTA=$E2E_TMP/ota; OTA_MODEL=T1-EU; mkdir -p "$OTA"
  export CRADLE_TOKEN=$ADMIN_TOKEN
  if [[ "${1:-}" == --no-identity ]]; then
    api POST /api/v1/products "$ADMIN_TOKEN" "$PRODUCT_JSON"; [[ $STATUS == 201 ]] || { tap_diag "product: $STATUS $BODY"; return 1; }
  else
    identity_setup || return 1
  fi
  openssl genpkey -algorithm ed25519 -out "$OTA/root.key" 2>/dev/null || return 1
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$OTA/t1.key" 2>/dev/null || return 1
  openssl genpkey -algorithm ed25519 -out "$OTA/t2.key" 2>/dev/null || return 1
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$OTA/t3.key" 2>/dev/null || return 1
  chmod 600 "$OTA"/*.key
  OTA_ROOT=$OTA/1.root.json; rm -f "$OTA_ROOT"
  # shellcheck disable=SC2086 # OTA_INIT_FLAGS: extra options, word-split on purpose
  "$CRADLE" repo init --product "$OTA_MODEL" --root-key "$OTA/root.key" --targets-key "$OTA/t1.key" \
    --targets-key "$OTA/t2.key" --targets-key "$OTA/t3.key" --targets-threshold 2 --out "$OTA_ROOT" ${OTA_INIT_FLAGS:-} >/dev/null 2>&1 \
    || { echo "# cradle repo init failed"; return 1; }
  OTA_REPO_URL=$URL/repo/$OTA_MODEL
  ota_publish 1.0.0 1 r2
}

# ota_publish VERSION SECURITY_VERSION [HW_REVISION...]: one more release of
# $OTA_MODEL (hardware r2 unless given) with one random image rootfs.img of
# OTA_IMAGE_SIZE bytes (default 65536; OTA_IMAGE_SRC: a copy of that file
# instead, OTA_IMAGE_NAME: another image name), prepared, signed with targets
# keys 1 and 2, and published. Sets REL_ID, IMG (the local file), IMG_SHA, IMG_LEN,
# IMG_URL ($OTA_REPO_URL/targets/VERSION/IMG_SHA.rootfs.img).
ota_publish() {
  local version=$1 sv=$2; shift 2
  local hw=("$@") args=() out
  [[ ${#hw[@]} -eq 0 ]] && hw=(r2)
  for h in "${hw[@]}"; do args+=(--hardware-revision "$h"); done
  out=$("$CRADLE" release create --product "$OTA_MODEL" --version "$version" --security-version "$sv" "${args[@]}" --json) \
    || { echo "# release create $version failed"; return 1; }
  REL_ID=$(jq -r .id <<<"$out")
  IMG=$OTA/rootfs-$version.img
  if [[ -n "${OTA_IMAGE_SRC:-}" ]]; then cp "$OTA_IMAGE_SRC" "$IMG"; else head -c "${OTA_IMAGE_SIZE:-65536}" /dev/urandom >"$IMG"; fi
  IMG_SHA=$(sha256sum "$IMG" | cut -d' ' -f1); IMG_LEN=$(stat -c %s "$IMG")
  # shellcheck disable=SC2086 # OTA_UPLOAD_FLAGS (e.g. --encrypt, docs/ota.md "Encrypted payloads"): word-split on purpose
  "$CRADLE" release upload "$REL_ID" "$IMG" --name "${OTA_IMAGE_NAME:-rootfs.img}" ${OTA_UPLOAD_FLAGS:-} >/dev/null &&
    "$CRADLE" release prepare "$REL_ID" >/dev/null 2>&1 &&
    "$CRADLE" release sign "$REL_ID" --key "$OTA/t1.key" >/dev/null 2>&1 &&
    "$CRADLE" release sign "$REL_ID" --key "$OTA/t2.key" >/dev/null 2>&1 &&
    "$CRADLE" release publish "$REL_ID" >/dev/null || { echo "# publishing $version failed"; return 1; }
  IMG_URL=$OTA_REPO_URL/targets/$version/$IMG_SHA.rootfs.img
  # The target as served: the image itself, or its encrypted container
  # (IMG_SHA and IMG_LEN stay the plaintext's: what a slot holds).
  TGT_SHA=$IMG_SHA; TGT_LEN=$IMG_LEN
  if [[ "${OTA_UPLOAD_FLAGS:-}" == *--encrypt* ]]; then
    out=$("$CRADLE" release show "$REL_ID" --json) || return 1
    TGT_SHA=$(jq -r '.images[0].sha256' <<<"$out"); TGT_LEN=$(jq -r '.images[0].length' <<<"$out")
    IMG_URL=$OTA_REPO_URL/targets/$version/$TGT_SHA.rootfs.img
  fi
}
