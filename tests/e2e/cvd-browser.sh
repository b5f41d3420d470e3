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

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
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
finish
