#!/usr/bin/env bash
# The remediation loop end to end (issue 12): docs/tutorial.md run literally --
# every sh block between its doc-test markers, in order, in one shell, against
# a fresh cradled with its default governance (two approvers) -- then the
# checks of what the page promises, read from the server and the devices:
#  - 202 devices enrolled over EST (200 simulated, 2 real cradle-agents);
#  - 1.1.0 (signed 2 of 3, with a Buildroot SBOM and libwebp 1.3.1) rolled out;
#  - the NVD record gives a finding, the KEV entry a critical event and a case
#    with its Art. 14 clocks; exposure names every device, by Member State;
#  - the 24 h and 72 h packages complete and recorded; the fix 1.1.1 starts
#    the final report's clock from its publication;
#  - the security campaign needs two approvers other than its requester,
#    pauses itself on the canary's failures, resumes and completes;
#  - exposure 0, both real devices run 1.1.1 from their B slot, the final
#    package counts the patched units;
#  - the audit chain verifies and names each person at their step.
# The test plays the newcomer's machine: a directory like the clone with
# build/ (the binaries under test), data/ (the server's data directory) and
# tests/data (the fixtures the page imports). Only the server's URL is
# changed in the page's text. The server's intervals are shortened in its
# config (matching, campaign evaluation), which the page does not see.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/docs-lib.sh"
: "${CRADLE_AGENT:?CRADLE_AGENT must point at the cradle-agent binary}"
: "${CRADLE_FLEETSIM:?CRADLE_FLEETSIM must point at the cradle-fleetsim binary}"
SRC=${CRADLE_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
DOC=$SRC/docs/tutorial.md

init_server || { tap_fail "init"; finish; exit 1; }
approval_on 2   # the default of a fresh deployment, which lib.sh turns off
sed -i 's/^evaluate_interval = .*/evaluate_interval = 1s/; s/^match_interval = .*/match_interval = 1s/' "$DATA/cradled.conf"
# As scripts/quickstart.sh does: the CSAF directory is published at the server's own URL.
sed -i "/^\\[csaf\\]/,/^\\[/ s|^base_url = \$|base_url = $URL|" "$DATA/cradled.conf"
start_server || { tap_fail "server starts"; finish; exit 1; }

BUILD=$(cd "$(dirname "$CRADLE")/../.." && pwd)
check "the build has cradle-fleetsim where the page says (build/tools/fleetsim)" \
  test "$BUILD/tools/fleetsim/cradle-fleetsim" -ef "$CRADLE_FLEETSIM"
CLONE=$E2E_TMP/clone; mkdir -p "$CLONE/tests" "$E2E_TMP/home"
ln -s "$BUILD" "$CLONE/build"
ln -s "$DATA" "$CLONE/data"
ln -s "$SRC/tests/data" "$CLONE/tests/data"
(umask 077; printf '%s\n' "$ADMIN_TOKEN" >"$E2E_TMP/home/.cradle-token")
unset CRADLE_URL CRADLE_CA CRADLE_TOKEN CRADLE_TOKEN_FILE
W=$CLONE/remediation
# The page starts background processes (the fleet, two device loops) and
# stops them at its end; if a block fails first, stop them here.
stop_background() {
  local f
  for f in "$W"/*.pid; do [[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null; done
  return 0
}
trap 'stop_background; stop_server' EXIT

t0=$SECONDS
(cd "$CLONE" && HOME=$E2E_TMP/home doc_run_blocks "$DOC" remediation-loop "s|https://127\.0\.0\.1:8443|$URL|g"; \
  echo "$TAP_N $TAP_FAILED" >"$E2E_TMP/tap-counts")
read -r TAP_N TAP_FAILED <"$E2E_TMP/tap-counts"
stop_background
tap_diag "the tutorial ran in $((SECONDS - t0)) s"

# --- what the page promises, read back ------------------------------------------------
export CRADLE_URL=$URL CRADLE_CA=$CA CRADLE_TOKEN=$ADMIN_TOKEN
db() { sqlite3 "$DATA/cradle.db" ".timeout 10000" "$@"; }
expect_eq "202 devices enrolled over EST, each with its own certificate" \
  "$(db "SELECT count(DISTINCT d.id) FROM devices d JOIN certificates c ON c.device_id = d.id JOIN products p ON p.id = d.product_id WHERE p.model = 'G2-EU'")" 202

# 1.1.0 went into slot B, the fix 1.1.1 back into slot A.
for d in G2-REAL-1 G2-REAL-2; do
  st=$("$CRADLE_AGENT" -c "$W/$d/agent.conf" status 2>/dev/null)
  expect_eq "$d runs 1.1.1 from slot A, its floor at 1.1.1's security version 3" \
    "$(jq -r '"\(.current.version) \(.ab_dir.active) \(.floor)"' <<<"$st")" "1.1.1 A 3"
  expect_eq "$d's slot A holds the 1.1.1 image byte for byte" \
    "$(sha256sum "$W/$d/slots/slotA" 2>&1 | cut -d' ' -f1)" "$(sha256sum "$W/rootfs-1.1.1.img" 2>&1 | cut -d' ' -f1)"
  expect_eq "$d's slot B still holds 1.1.0 (the fallback)" \
    "$(sha256sum "$W/$d/slots/slotB" 2>&1 | cut -d' ' -f1)" "$(sha256sum "$W/rootfs-1.1.0.img" 2>&1 | cut -d' ' -f1)"
done

api GET "/api/v1/devices?product=G2-EU&limit=1000" "$ADMIN_TOKEN"
expect_eq "the server: every device of G2-EU runs 1.1.1" \
  "$(jqr '[.items[] | .installed_version] | group_by(.) | map("\(.[0])=\(length)") | join(" ")')" "1.1.1=202"

out=$("$CRADLE" --json exposure CVE-2023-4863 --patched)
expect_eq "exposure: 0 exposed, 202 patched" "$(jq -r '"\(.exposed.devices) \(.patched.devices)"' <<<"$out")" "0 202"

api GET "/api/v1/security-events?kind=vuln.actively_exploited" "$ADMIN_TOKEN"
expect_eq "one critical actively-exploited event for CVE-2023-4863, naming release 1.1.0" \
  "$(jqr '"\(.items | length) \(.items[0].severity) \(.items[0].details.vulnerability) \(.items[0].details.releases | join(","))"')" \
  "1 critical CVE-2023-4863 1.1.0"

out=$("$CRADLE" --json case list)
ref=$(jq -r '.items[0].reference' <<<"$out")
expect_eq "one case, opened by the KEV entry" "$(jq -r '.items | length' <<<"$out")" 1
out=$("$CRADLE" --json case show "$ref")
expect_eq "the case is actively exploited, linked to the fix 1.1.1 and to the security campaign" \
  "$(jq -r '"\(.exploited) \(.fix_release_id) \(.fix_campaign_id)"' <<<"$out")" \
  "true $(db "SELECT id FROM releases WHERE version = '1.1.1'") $(db "SELECT id FROM campaigns WHERE name = 'fix-CVE-2023-4863'")"
expect_eq "the affected release is 1.1.0 (from the findings)" \
  "$(jq -c '[.affected[] | .release_id]' <<<"$out")" "[$(db "SELECT id FROM releases WHERE version = '1.1.0'")]"
fix_pub=$(db "SELECT published_at FROM releases WHERE version = '1.1.1'")
expect_eq "the fix became available at 1.1.1's publication" \
  "$(jq -r '.fix_available_at' <<<"$out")" "$(date -u -d "@$fix_pub" +%Y-%m-%dT%H:%M:%SZ)"
expect_eq "the final report is due 14 days after it" \
  "$(jq -r '.clocks[] | select(.report == "final_report") | .due' <<<"$out")" \
  "$(date -u -d "@$((fix_pub + 14 * 86400))" +%Y-%m-%dT%H:%M:%SZ)"

api GET "/api/v1/cases/$ref/submissions" "$ADMIN_TOKEN"
expect_eq "three submissions recorded: early warning, notification, final" \
  "$(jqr '[.items[] | .stage] | join(",")')" "early-warning,notification,final"
expect_eq "each with who submitted it (sam, not sam's token)" "$(jqr '[.items[] | .submitted_by] | unique | join(",")')" "sam"
expect_eq "none late" "$(jqr '[.items[] | .late] | unique | join(",")')" "false"
final=$(jqr '.items[] | select(.stage == "final") | .content')
expect_eq "the final package counts 202 patched units and 0 still affected" \
  "$(jq -r '.fields | "\(.patched_units) \(.affected_units)"' <<<"$final")" "202 0"
expect_match "... and carries the update details of 1.1.1" "$(jq -r '.fields.update_details' <<<"$final")" "1\.1\.1"

cid=$(db "SELECT id FROM campaigns WHERE name = 'fix-CVE-2023-4863'")
# The last wave completes on its success threshold (95 %); the evaluator (every
# second here) reads back the devices that answer after it.
for _ in $(seq 1 30); do
  api GET "/api/v1/campaigns/$cid" "$ADMIN_TOKEN"
  [[ $(jqr .devices.succeeded) == 202 ]] && break
  sleep 0.5
done
expect_eq "the security campaign completed over all 202 devices" \
  "$(jqr '"\(.status) \(.devices.total) \(.devices.succeeded)"')" "completed 202 202"
api GET "/api/v1/audit?object=campaign:$cid&limit=1000" "$ADMIN_TOKEN"
expect_eq "it paused itself once on the canary's failures, and rita resumed it" \
  "$(jqr '[.items[] | select(.action == "campaign.auto-pause" or .action == "campaign.resume") | "\(.action):\(.actor_name // .actor.name)"] | join(" ")')" \
  "campaign.auto-pause:system campaign.resume:rita-laptop"

api GET "/api/v1/approvals?state=executed" "$ADMIN_TOKEN"
expect_eq "its start was approved by sam and ada, requested by rita" \
  "$(jqr '[.items[] | select(.operation == "campaign.security-start")] | .[0] | "\(.state) \(.requester.user) \([.votes[] | .user] | sort | join(","))"')" \
  "executed rita ada,sam"

# The advisory and the VEX in the provider directory: valid CSAF 2.0 for the
# BSI's csaf-validator-lib (basic and extended, no warning), and the VEX says
# 1.1.0 known affected and 1.1.1 fixed.
VV=$SRC/tests/interop/vex-validators
validators=1
if [[ ! -d $VV/node_modules/@secvisogram/csaf-validator-lib ]]; then
  if ! ping_out=$(cd "$VV" && timeout 60 npm ping --fetch-timeout=20000 --fetch-retries=1 2>&1); then
    tap_skip "csaf-validator-lib" "npm registry unreachable: $(tail -n 1 <<<"$ping_out")"; validators=0
  elif ! ci_out=$(cd "$VV" && timeout 600 npm ci --no-audit --no-fund 2>&1); then
    tap_fail "npm ci installs csaf-validator-lib" "$(tail -n 20 <<<"$ci_out")"; validators=0
  fi
fi
V=$E2E_TMP/validate; mkdir -p "$V"
index=$(curl -fsS --cacert "$CA" "$URL/.well-known/csaf/white/index.txt")
expect_eq "index.txt lists the advisory and the VEX" "$(wc -l <<<"$index")" 2
adv=$(grep -v vex <<<"$index"); vex=$(grep vex <<<"$index")
curl -fsS --cacert "$CA" -o "$V/advisory.json" "$URL/.well-known/csaf/white/$adv"
curl -fsS --cacert "$CA" -o "$V/vex.json" "$URL/.well-known/csaf/white/$vex"
expect_eq "the advisory is final, of the case's CVE" \
  "$(jq -r '"\(.document.category) \(.document.tracking.status) \(.vulnerabilities[0].cve)"' "$V/advisory.json")" \
  "csaf_security_advisory final CVE-2023-4863"
pid_of() { jq -r --arg v "$1" '[.. | objects | select(.product_id? and (.name? // "" | endswith($v))) | .product_id] | first' "$V/vex.json"; }
expect_eq "the VEX: 1.1.1 fixed" "$(jq -r --arg p "$(pid_of 1.1.1)" '.vulnerabilities[0].product_status.fixed | index($p) != null' "$V/vex.json")" true
expect_eq "the VEX: 1.1.0 known affected" \
  "$(jq -r --arg p "$(pid_of 1.1.0)" '.vulnerabilities[0].product_status.known_affected | index($p) != null' "$V/vex.json")" true
if [[ $validators == 1 ]]; then
  res=$(cd "$V" && node "$VV/validate.mjs" csaf-batch advisory.json vex.json 2>&1)
  for f in advisory.json vex.json; do
    expect_match "$f: csaf-validator-lib basic" "$res" "(^|"$'\n'")OK basic $f($|"$'\n'")"
    expect_match "$f: csaf-validator-lib extended, no warning" "$res" "(^|"$'\n'")OK extended $f($|"$'\n'")"
  done
fi

# Every step with its person: the actions of the story and who did them.
who() { db "SELECT group_concat(DISTINCT actor_user) FROM audit_log WHERE action = '$1'"; }
expect_eq "audit: rita published the releases" "$(who release.publish)" rita
expect_eq "audit: sam triaged the case" "$(db "SELECT group_concat(DISTINCT actor_user) FROM audit_log WHERE action LIKE 'case.%' AND actor_user IS NOT NULL AND actor_user <> 'system'")" sam
expect_eq "audit: sam recorded the submissions" "$(who case.submitted)" sam
expect_eq "audit: sam published the advisories" "$(who case.advisory-publish)" sam
expect_eq "audit: sam and ada approved" "$(db "SELECT group_concat(DISTINCT actor_user) FROM (SELECT actor_user FROM audit_log WHERE action = 'approval.approve' ORDER BY actor_user)")" "ada,sam"
out=$("$CRADLE" audit verify 2>&1)
expect_match "cradle audit verify: the chain holds over the whole story" "$out" "audit chain OK"
finish
