#!/usr/bin/env bash
# The cradle CLI as a user meets it: settings precedence, --help everywhere,
# exit codes for usage errors, server refusals and connection failures,
# tables and --json, tokens.
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }

out=$("$CRADLE" --help 2>&1); rc=$?
expect_eq "cradle --help exits 0" "$rc" 0
for cmd in "token" "token create" "token list" "token revoke" "product" "product create" "product list" \
           "product show" "product update" "audit" "audit list" "audit verify" "whoami"; do
  out=$("$CRADLE" $cmd --help 2>&1); rc=$?
  if [[ $rc -eq 0 && "$out" =~ [Uu]sage ]]; then tap_ok "cradle $cmd --help"; else tap_fail "cradle $cmd --help" "rc=$rc" "$out"; fi
done

out=$("$CRADLE" frobnicate 2>&1); rc=$?
expect_eq "an unknown command is a usage error (2)" "$rc" 2
out=$("$CRADLE" product create --name x 2>&1); rc=$?
expect_eq "a missing required option is a usage error (2)" "$rc" 2
expect_match "the usage error names the option" "$out" 'model'
out=$("$CRADLE" token create --name x --role admin --token "$ADMIN_TOKEN" 2>&1); rc=$?
expect_eq "a token is never accepted in argv" "$rc" 2

# Token from the environment.
out=$(CRADLE_TOKEN=$ADMIN_TOKEN "$CRADLE" whoami --json); rc=$?
expect_eq "CRADLE_TOKEN authenticates" "$(jq -r .name <<<"$out")" admin
# Token from a 0600 file given by flag beats the environment.
ops=$(make_token ops auditor)
printf '%s\n' "$ops" >"$E2E_TMP/ops.token"; chmod 600 "$E2E_TMP/ops.token"
out=$(CRADLE_TOKEN=$ADMIN_TOKEN "$CRADLE" --token-file "$E2E_TMP/ops.token" whoami --json)
expect_eq "--token-file beats CRADLE_TOKEN" "$(jq -r .name <<<"$out")" ops
chmod 644 "$E2E_TMP/ops.token"
out=$("$CRADLE" --token-file "$E2E_TMP/ops.token" whoami 2>&1); rc=$?
expect_match "a world-readable token file is refused" "$rc:$out" '^[12]:.*(permission|mode|readable)'
chmod 600 "$E2E_TMP/ops.token"

# Config file, overridden by the environment and by flags.
mkdir -p "$E2E_TMP/xdg/cradle"
printf '[server]\nurl = %s\nca = %s\ntoken_file = %s\n' "$URL" "$CA" "$E2E_TMP/ops.token" >"$E2E_TMP/xdg/cradle/config"
chmod 600 "$E2E_TMP/xdg/cradle/config"
out=$(env -u CRADLE_URL -u CRADLE_CA XDG_CONFIG_HOME="$E2E_TMP/xdg" "$CRADLE" whoami --json)
expect_eq "the config file alone is enough" "$(jq -r .name <<<"$out")" ops
out=$(env -u CRADLE_URL -u CRADLE_CA XDG_CONFIG_HOME="$E2E_TMP/xdg" CRADLE_TOKEN=$ADMIN_TOKEN "$CRADLE" whoami --json)
expect_eq "the environment beats the config file" "$(jq -r .name <<<"$out")" admin
out=$(env -u CRADLE_CA XDG_CONFIG_HOME="$E2E_TMP/xdg" CRADLE_URL=https://127.0.0.1:1 "$CRADLE" --url "$URL" whoami --json)
expect_eq "--url beats CRADLE_URL" "$(jq -r .name <<<"$out")" ops

export CRADLE_TOKEN=$ADMIN_TOKEN
# Exit codes.
out=$("$CRADLE" product show 424242 2>&1); rc=$?
expect_eq "a server refusal exits 3" "$rc" 3
expect_match "the problem's title and detail are printed" "$out" '[Nn]ot [Ff]ound.*424242|424242.*[Nn]ot'
out=$(CRADLE_TOKEN=$ops "$CRADLE" token create --name y --role admin 2>&1); rc=$?
expect_eq "a 403 exits 3" "$rc" 3
out=$("$CRADLE" --url https://127.0.0.1:1 whoami 2>&1); rc=$?
expect_eq "a connection failure exits 4" "$rc" 4
expect_match "the connection failure names the URL" "$out" '127.0.0.1:1'
out=$(env -u CRADLE_CA "$CRADLE" whoami 2>&1); rc=$?
expect_eq "an untrusted server certificate exits 4" "$rc" 4

# Tokens through the CLI.
out=$("$CRADLE" token create --name factory-line-1 --role factory 2>&1); rc=$?
expect_eq "token create succeeds" "$rc" 0
tok=$(grep -oE 'cradle_[0-9a-f]{16}_[A-Za-z0-9_-]{43}' <<<"$out")
expect_match "token create prints the token once" "$tok" '^cradle_'
out=$("$CRADLE" token list 2>&1)
expect_match "token list shows a table with the new token" "$out" 'factory-line-1.*factory'
expect_nomatch "token list shows no secret" "$out" 'cradle_[0-9a-f]{16}_'
out=$("$CRADLE" token list --json)
expect_match "token list --json is JSON" "$(jq -r '.items[].name' <<<"$out" | tr '\n' ' ')" 'factory-line-1'
check "token revoke succeeds" "$CRADLE" token revoke factory-line-1
out=$(CRADLE_TOKEN=$tok "$CRADLE" whoami 2>&1); rc=$?
expect_eq "the revoked token is refused at once" "$rc" 3
out=$("$CRADLE" audit verify 2>&1); rc=$?
expect_eq "the chain verifies after CLI changes" "$rc" 0
finish
