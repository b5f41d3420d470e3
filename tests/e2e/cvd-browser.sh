#!/usr/bin/env bash
# The CVD intake in a real headless browser (issue 10 section 4): Debian's
# Chromium (/usr/bin/chromium, the `chromium` package of
# scripts/install-deps.sh) driven by puppeteer-core from npm
# (tests/interop/puppeteer, which downloads no browser). With JavaScript off,
# the browser fills the report form, sends it, follows the secret link and
# sends a message; the security team replies with `cradle cvd reply`; then,
# with JavaScript on and the page's CSP bypassed (so that the escaping alone
# is tested), the reporter's view must hold no injected element and no
# injected script may run.
source "$(dirname "$0")/lib.sh"

PP=$CRADLE_SOURCE_ROOT/tests/interop/puppeteer
T="a reporter files a report in Chromium; injection strings stay inert"

# Then the same case runs on as an actively exploited one (issue 10, "Done
# when"): triaged and marked exploited, the 24 h and 72 h packages produced
# (every required field filled or named) and recorded, linked to its fixing
# release (final report due 14 days after its publication), and published as a
# CSAF advisory whose hashes and OpenPGP signature check with sha256sum,
# sha512sum and gpg, and which the BSI csaf-validator-lib accepts.
# Chromium must be able to start here; if it cannot, say why and skip.
if [[ ! -x /usr/bin/chromium ]]; then
  tap_skip "$T" "/usr/bin/chromium is missing (scripts/install-deps.sh installs the chromium package)"
  finish; exit 0
fi
args=(--headless=new --disable-gpu --dump-dom about:blank)
[[ $(id -u) -eq 0 ]] && args+=(--no-sandbox)
if ! start_out=$(timeout 60 /usr/bin/chromium "${args[@]}" 2>&1 >/dev/null); then
  tap_skip "$T" "chromium cannot start headless here: $(tail -n 2 <<<"$start_out" | tr '\n' ' ')"
  finish; exit 0
fi
# puppeteer-core from the npm registry (package-lock.json), as ota-tufjs.sh
# installs tuf-js: an unreachable registry is a SKIP naming it, anything else
# a failure.
if [[ ! -d $PP/node_modules/puppeteer-core ]]; then
  registry=$(cd "$PP" && npm config get registry 2>/dev/null)
  registry=${registry:-https://registry.npmjs.org/}
  if ! ping_out=$(cd "$PP" && timeout 60 npm ping --fetch-timeout=20000 --fetch-retries=1 2>&1); then
    code=$(grep -m1 -oE 'code [A-Z_]+' <<<"$ping_out" | cut -d' ' -f2)
    case ${code:-TIMEOUT} in
      ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|TIMEOUT)
        tap_skip "$T" "npm registry unreachable: npm ping $registry: ${code:-no answer within 60 s}"
        finish; exit 0 ;;
      *)
        tap_fail "npm ping $registry answers (it is reachable, but: ${code:-see below})" "$(tail -n 8 <<<"$ping_out")"
        finish; exit 1 ;;
    esac
  fi
  if ! ci_out=$(cd "$PP" && PUPPETEER_SKIP_DOWNLOAD=1 timeout 600 npm ci --no-audit --no-fund 2>&1); then
    tap_fail "npm ci installs puppeteer-core from $registry (which answers npm ping)" "$(tail -n 20 <<<"$ci_out")"
    finish; exit 1
  fi
fi

init_server || { tap_fail "init"; finish; exit 1; }
# The CSAF provider directory at the server's own URL (the advisory, below).
sed -i "/^\[csaf\]/,/^\[/ s|^base_url = .*|base_url = $URL|" "$DATA/cradled.conf"
start_server || { tap_fail "server starts"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
SO=$(make_token so security-officer)
# The browser trusts exactly this server's key (its SPKI), nothing else.
SPKI=$(openssl x509 -in "$DATA/tls/server.pem" -pubkey -noout | openssl pkey -pubin -outform der |
  openssl dgst -sha256 -binary | base64)

browse() { # browse MODE URL: runs the driver, one TAP line per result
  local out line
  out=$(cd "$PP" && timeout 180 node cvd.mjs "$1" "$2" "$SPKI" 2>&1)
  while IFS= read -r line; do
    case $line in
      "OK "*) tap_ok "${line#OK }" ;;
      "FAIL "*) tap_fail "${line#FAIL }" ;;
      "LINK "*) LINK=${line#LINK } ;;
      *) [[ -n $line ]] && tap_diag "$line" ;;
    esac
  done <<<"$out"
}
LINK=
browse report "$URL"
if [[ -z $LINK ]]; then tap_fail "the browser got a follow-up link"; finish; exit 1; fi
REF=$(grep -oE 'CASE-[0-9]{4}-[0-9]{4,}' <<<"$LINK")
printf 'Thank you. Confirmed; a fix ships in 1.1.\n' >"$E2E_TMP/reply.txt"
CRADLE_TOKEN=$SO "$CRADLE" cvd reply "$REF" --file "$E2E_TMP/reply.txt" >/dev/null 2>&1
expect_eq "the security team replies" "$?" 0
browse check "$LINK"
if grep -q "${LINK##*/}" "$LOG"; then tap_fail "the browser's follow-up secret is not in the access log"
else tap_ok "the browser's follow-up secret is not in the access log"; fi

# --- the same case on to its reports and its advisory (issue 10, "Done when") -----------
# Triaged: the product and release the report names, a CVE and a CVSS vector;
# marked actively exploited. Devices and the releases' published state are
# written with sqlite3 (enrolment and signing are tested elsewhere).
db() { sqlite3 "$DATA/cradle.db" ".timeout 10000" "$@"; }
so() { CRADLE_TOKEN=$SO "$CRADLE" "$@"; }
api POST /api/v1/products "$ADMIN_TOKEN" "$PRODUCT_JSON"; pid=$(jqr .id)
rel() { # VERSION PUBLISHED_AT -> REL_ID
  api POST /api/v1/releases "$ADMIN_TOKEN" \
    "{\"product\":\"T1-EU\",\"version\":\"$1\",\"security_version\":1,\"hardware_revisions\":[\"r2\"],\"notes\":\"n\"}"
  REL_ID=$(jqr .id)
  db "UPDATE releases SET status = 'published', published_at = $2 WHERE id = $REL_ID"
}
now=$(date +%s)
rel 1.0.0 $((now - 30 * 86400)); R1=$REL_ID
db "INSERT INTO devices (serial, product_id, initial_firmware_version, status, origin, created_at) VALUES
      ('D1', $pid, '1.0.0', 'active', 'factory', 0), ('D2', $pid, '1.0.0', 'active', 'factory', 0);"
so case set "$REF" --state triaging --reason "reproduced from the report" --affected "$pid:$R1" \
  --cve CVE-2026-40001 --cvss31 "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" >/dev/null 2>&1
expect_eq "the reported case is triaged: product, release, CVE, CVSS" "$?" 0
so case aware "$REF" --exploited --how "a CSIRT saw it exploited" >/dev/null 2>&1
expect_eq "... and marked actively exploited" "$(so --json case show "$REF" | jq -r .exploited)" true
so case set "$REF" --state confirmed --reason "exploitable as reported" >/dev/null 2>&1
out=$(so case report "$REF" --stage early-warning --json 2>/dev/null)
expect_eq "the 24 h package has every required field" "$(jq -r '.missing | length' <<<"$out")" 0
so case submitted "$REF" --stage early-warning --srp-ref SRP-EW-1 >/dev/null 2>&1
expect_eq "... and is recorded as submitted" "$?" 0
out=$(so case report "$REF" --stage notification --json 2>/dev/null)
expect_match "the 72 h package names what only people know" "$(jq -r '.missing | join(",")' <<<"$out")" "measures_taken"
printf '{"measures_taken": "Input validation fixed in 1.1.0", "measures_users_can_take": "Update",
  "sensitivity": "TLP:AMBER", "product_type": "default", "category": "firmware",
  "mitigation_expected_shortly": true, "user_action": "update", "general_information": "As reported"}' >"$E2E_TMP/n.json"
so case submitted "$REF" --stage notification --srp-ref SRP-N-2 --fields "$E2E_TMP/n.json" >/dev/null 2>&1
expect_eq "... filled and recorded" "$?" 0
rel 1.1.0 $((now - 3600)); R2=$REL_ID
so case link "$REF" --fix-release "$R2" --reason "fixed in 1.1.0" >/dev/null 2>&1
out=$(so --json case show "$REF")
expect_eq "linked to the fix: the final report is due 14 days after its publication" \
  "$(jq -r '.clocks[] | select(.report == "final_report") | .due' <<<"$out")" \
  "$(date -u -d "@$((now - 3600 + 14 * 86400))" +%Y-%m-%dT%H:%M:%SZ)"
so case publish "$REF" --status final >/dev/null 2>&1
expect_eq "the CSAF advisory is published" "$?" 0
csaf=$URL/.well-known/csaf
doc=$(curl -fsS --cacert "$CA" "$csaf/white/index.txt" | head -n 1)
A=$E2E_TMP/adv; mkdir -p "$A"
for ext in "" .sha256 .sha512 .asc; do curl -fsS --cacert "$CA" -o "$A/advisory.json$ext" "$csaf/white/$doc$ext"; done
sed -i "s| .*$| advisory.json|" "$A/advisory.json.sha256" "$A/advisory.json.sha512"
check "its .sha256 matches (sha256sum -c)" bash -c "cd '$A' && sha256sum -c --quiet advisory.json.sha256"
check "its .sha512 matches (sha512sum -c)" bash -c "cd '$A' && sha512sum -c --quiet advisory.json.sha512"
keyurl=$(curl -fsS --cacert "$CA" "$csaf/provider-metadata.json" | jq -r '.public_openpgp_keys[0].url')
curl -fsS --cacert "$CA" -o "$A/key.asc" "$keyurl"
mkdir -m 700 "$A/gnupg"; gpg --homedir "$A/gnupg" --quiet --import "$A/key.asc" 2>/dev/null
check "its .asc verifies against the published key (gpg --verify)" \
  gpg --homedir "$A/gnupg" --quiet --verify "$A/advisory.json.asc" "$A/advisory.json"
gpgconf --homedir "$A/gnupg" --kill gpg-agent >/dev/null 2>&1
expect_eq "the advisory credits the reporter's CVE and says 1.1.0 fixes it" \
  "$(jq -r '"\(.vulnerabilities[0].cve) \(.vulnerabilities[0].product_status.fixed | length)"' "$A/advisory.json")" \
  "CVE-2026-40001 1"
VV=$CRADLE_SOURCE_ROOT/tests/interop/vex-validators
if [[ -d $VV/node_modules/@secvisogram/csaf-validator-lib ]] || (cd "$VV" && timeout 600 npm ci --no-audit --no-fund >/dev/null 2>&1); then
  res=$(cd "$A" && node "$VV/validate.mjs" csaf-batch advisory.json 2>&1)
  expect_match "csaf-validator-lib: basic" "$res" "(^|"$'\n'")OK basic advisory.json($|"$'\n'")"
  expect_match "csaf-validator-lib: extended, no warning" "$res" "(^|"$'\n'")OK extended advisory.json($|"$'\n'")"
else
  tap_skip "csaf-validator-lib" "npm ci failed in $VV (registry unreachable?)"
fi
finish
