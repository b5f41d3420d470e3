#!/usr/bin/env bash
# docs/agent.md's walkthrough, run literally: every sh block between its
# doc-test markers, in order, in one shell, against a real cradled. The test
# plays the newcomer's machine: a directory like the clone, with build/ (the
# binaries under test) and data/ (the server's data directory), and a HOME
# whose ~/.cradle-token holds the admin token as `cradled init` told them to
# save it. The only change to the page's text is the server's port.
# Then it checks what the page promises: the device runs the released image
# from slot B, its floor rose, and the server's history shows the success.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/docs-lib.sh"
: "${CRADLE_AGENT:?CRADLE_AGENT must point at the cradle-agent binary}"
DOC=${CRADLE_SOURCE_ROOT:-$(dirname "$0")/../..}/docs/agent.md

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }

BUILD=$(cd "$(dirname "$CRADLE")/../.." && pwd)
check "the build has cradle-agent where the page says (build/src/agent)" test "$BUILD/src/agent/cradle-agent" -ef "$CRADLE_AGENT"
CLONE=$E2E_TMP/clone; mkdir -p "$CLONE" "$E2E_TMP/home"
ln -s "$BUILD" "$CLONE/build"
ln -s "$DATA" "$CLONE/data"
(umask 077; printf '%s\n' "$ADMIN_TOKEN" >"$E2E_TMP/home/.cradle-token")
unset CRADLE_URL CRADLE_CA CRADLE_TOKEN CRADLE_TOKEN_FILE

(cd "$CLONE" && HOME=$E2E_TMP/home doc_run_blocks "$DOC" agent-walkthrough "s|https://127\.0\.0\.1:8443|$URL|g"; \
  echo "$TAP_N $TAP_FAILED" >"$E2E_TMP/tap-counts")
read -r TAP_N TAP_FAILED <"$E2E_TMP/tap-counts"

W=$CLONE/walkthrough
agent_status=$("$CRADLE_AGENT" -c "$W/device/agent.conf" status 2>/dev/null)
expect_eq "the device runs 1.1.0" "$(jq -r .current.version <<<"$agent_status")" 1.1.0
expect_eq "... its floor rose to the release's security version" "$(jq -r .floor <<<"$agent_status")" 1
expect_eq "... slot B is the active slot" "$(jq -r .ab_dir.active <<<"$agent_status")" B
expect_eq "... and holds the released image byte for byte" \
  "$(sha256sum "$W/device/slots/slotB" 2>&1 | cut -d' ' -f1)" "$(sha256sum "$W/rootfs.img" 2>&1 | cut -d' ' -f1)"
export CRADLE_TOKEN=$ADMIN_TOKEN CRADLE_URL=$URL CRADLE_CA=$CA
out=$("$CRADLE" --json device show T1-000001 2>&1)
expect_eq "the server records 1.1.0 installed on T1-000001" "$(jq -r .installed_version <<<"$out" 2>&1)" 1.1.0
finish
