#!/usr/bin/env bash
# The shell examples of README.md and docs/*.md against the real programs
# (the convention is in docs/architecture.md, "Shell examples in the docs"):
#  - every cradle, cradled and cradle-agent command the pages name (sh blocks,
#    synopses, inline code) exists with the options given, by each program's
#    own --help (docs-commands.py); docs/cli.md describes every command;
#  - the doc-test sections run for real against a cradled: README's quick
#    start (as a newcomer pastes it, the token typed on stdin), operations.md's
#    health check and backup; only the URL and the data directory are
#    replaced with the test server's;
#  - every /healthz answer the pages show is what the server answers.
# docs/agent.md's walkthrough has its own test, agent-walkthrough.sh.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/docs-lib.sh"
: "${CRADLE_AGENT:?CRADLE_AGENT must point at the cradle-agent binary}"
SRC=${CRADLE_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
DOCS=("$SRC"/docs/*.md "$SRC/README.md")

# --- every command named exists -------------------------------------------------------
while IFS=$'\t' read -r result desc detail; do
  if [[ $result == ok ]]; then tap_ok "$desc"; else
    IFS='|' read -r -a problems <<<"$detail"; tap_fail "$desc" "${problems[@]}"; fi
done < <(python3 "$(dirname "$0")/docs-commands.py" "$CRADLE" "$CRADLED" "$CRADLE_AGENT" "${DOCS[@]}")

# --- the runnable examples -------------------------------------------------------------
init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
BUILD=$(cd "$(dirname "$CRADLE")/../.." && pwd)
CLONE=$E2E_TMP/clone; mkdir -p "$CLONE" "$E2E_TMP/home"
ln -s "$BUILD" "$CLONE/build"
ln -s "$DATA" "$CLONE/data"
printf '%s\n' "$ADMIN_TOKEN" >"$E2E_TMP/typed-token"
unset CRADLE_URL CRADLE_CA CRADLE_TOKEN CRADLE_TOKEN_FILE
url_sed="s|https://127\\.0\\.0\\.1:8443|$URL|g"

(cd "$CLONE" && HOME=$E2E_TMP/home DOC_STDIN=$E2E_TMP/typed-token \
  doc_run_blocks "$SRC/README.md" readme-quickstart "$url_sed"; echo "$TAP_N $TAP_FAILED" >"$E2E_TMP/counts")
read -r TAP_N TAP_FAILED <"$E2E_TMP/counts"
expect_eq "README's quick start leaves the token in a 0600 file" "$(stat -c %a "$E2E_TMP/home/.cradle-token" 2>&1)" 600
expect_match "... and its audit verify says the chain is OK" "$(cat "$E2E_TMP/doc-readme-quickstart.log")" 'audit chain OK: [0-9]+ entries'

data_sed="$url_sed; s|/var/lib/cradle|$DATA|g"
doc_run_blocks "$SRC/docs/operations.md" healthz "$data_sed"
doc_run_blocks "$SRC/docs/operations.md" backup "$data_sed"
check "... the backup is a copy of the database" \
  test "$(sqlite3 "$DATA/backup.db" 'SELECT count(*) FROM products;')" = 1

# --- what cli.md says `audit verify --server` prints ---------------------------------------
# Its example lines, with every number made a wildcard, are the whole output.
export CRADLE_URL=$URL CRADLE_CA=$CA CRADLE_TOKEN=$ADMIN_TOKEN
live=$("$CRADLE" audit verify --server 2>&1)
shown=$(sed -n '/^### `cradle audit verify/,/^## /p' "$SRC/docs/cli.md" | grep -E '^audit chain OK: .*\(checked by the server\)$')
check "cli.md shows what 'audit verify --server' prints" test -n "$shown"
pattern=$(sed -e 's/[][\.()*^$+?{}|]/\\&/g' -e 's/[0-9][0-9]*/[0-9]+/g' <<<"$shown")
expect_match "... and that is what it prints" "$live" "^$pattern\$"
doc_json=$(sed -n '/^### `cradle audit verify/,/^## /p' "$SRC/docs/cli.md" | grep -oE '`\{"ok": true, "checked": N[^`]*\}`' | tail -n1)
expect_eq "... with --json, the keys cli.md lists" \
  "$("$CRADLE" --json audit verify --server | jq -c 'keys')" "$(tr -d '`' <<<"$doc_json" | sed 's/: N/: 0/g' | jq -c 'keys' 2>&1)"
unset CRADLE_URL CRADLE_CA CRADLE_TOKEN

# --- what the pages say /healthz answers --------------------------------------------------
live=$(curl -sS --cacert "$CA" "$URL/healthz")
shown=$(grep -ohE '\{[^{}]*"status": ?"ok"[^{}]*\}' "${DOCS[@]}" | sort -u)
check "the pages show a /healthz answer" test -n "$shown"
while IFS= read -r doc_body; do
  [[ -z $doc_body ]] && continue
  expect_eq "the pages' /healthz answer $doc_body is what cradled serves" "$doc_body" "$live"
done <<<"$shown"
finish
