#!/usr/bin/env bash
# A rollout campaign end to end, driven through the CLI and the API, with real
# enrolled devices (EST certificates) that fetch their director targets and
# report over mTLS, as cradle-agent does:
#  - three waves: a canary behind a manual gate (four eyes), a second wave
#    where injected failures auto-pause the campaign (reason, security event,
#    audit), resume with a fixed release, completion;
#  - progress, audit entries, device history and /metrics are checked;
#  - abort: offered devices lose the offer, others get nothing; conflicts;
#  - every bad input gets an RFC 9457 problem naming what is wrong.
# The fleet simulator (tools/fleetsim) had not landed when this was written:
# the devices here are curl with their own certificates (12 of them).
source "$(dirname "$0")/lib.sh"

init_server || { tap_fail "init"; finish; exit 1; }
# The evaluator runs every second here (default 10 s).
sed -i 's/^evaluate_interval = .*/evaluate_interval = 1s/' "$DATA/cradled.conf"
start_server || { tap_fail "server starts"; finish; exit 1; }
identity_setup || { tap_fail "identity setup"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
RM1=$(make_token rm-1 release-manager)
RM2=$(make_token rm-2 release-manager)
AUD=$(make_token aud-1 auditor)

N=12
DEVICES=()
for i in $(seq -w 1 $N); do
  d=E$i; DEVICES+=("$d")
  make_csr "$d" "$d" && est_enroll "$d" T1-EU "serial=$d&batch=B1" || true
done
expect_eq "$N devices enroll" "$(ls "$PKI"/E*.pem | wc -l)" "$N"

openssl genpkey -algorithm ED25519 -out "$PKI/droot.key" 2>/dev/null && chmod 600 "$PKI/droot.key"
"$CRADLE" director init --root-key "$PKI/droot.key" --root-threshold 1 >/dev/null 2>&1
expect_eq "the director has a root" "$?" 0

make_release() { # VERSION SECURITY_VERSION -> REL_ID (published directly: signing is not tested here)
  api POST /api/v1/releases "$RM1" \
    "{\"product\":\"T1-EU\",\"version\":\"$1\",\"security_version\":$2,\"hardware_revisions\":[\"r2\"],\"notes\":\"n\"}"
  REL_ID=$(jqr .id)
  printf 'firmware %s' "$1" >"$E2E_TMP/fw-$1"
  printf 'Authorization: Bearer %s\n' "$RM1" >"$E2E_TMP/auth-header"
  curl -sS --cacert "$CA" -H @"$E2E_TMP/auth-header" -X PUT -H 'Content-Type: application/octet-stream' \
    --data-binary @"$E2E_TMP/fw-$1" -o /dev/null "$URL/api/v1/releases/$REL_ID/images/rootfs.img"
}
publish_row() { sqlite3 "$DATA/cradle.db" ".timeout 5000" \
  "UPDATE releases SET status = 'published', published_at = strftime('%s', 'now') WHERE id = $1"; }
make_release 1.1.0 7; BAD=$REL_ID
make_release 1.1.1 8; FIXED=$REL_ID
make_release 1.2.0 9; DRAFT=$REL_ID
publish_row "$BAD"; publish_row "$FIXED"

# A device's poll: the release its director targets name, or "".
offered() { # NAME -> prints the version offered
  mtls GET /device/v1/director/targets.json "$1"
  jq -r '[.signed.targets[]?.custom.release // empty] | first // ""' <<<"$BODY" 2>/dev/null || true
}
# report NAME STAGE VERSION [SECURITY_VERSION]
report() {
  local body
  case $2 in
    success) body="{\"stage\":\"success\",\"to_version\":\"$3\",\"security_version\":${4:-7}}" ;;
    failure|rolled-back) body="{\"stage\":\"$2\",\"to_version\":\"$3\",\"reason\":\"injected: boot check failed\"}" ;;
    *) body="{\"stage\":\"$2\",\"to_version\":\"$3\"}" ;;
  esac
  mtls POST /device/v1/status "$1" -H 'Content-Type: application/json' --data-binary "$body"
  [[ $STATUS == 200 ]] || tap_diag "report $1 $2 $3: $STATUS $BODY"
}
# install NAME VERSION SV: the stages cradle-agent reports for a good install.
declare -A INSTALLED
install_ok() {
  report "$1" downloading "$2"; report "$1" installing "$2"; report "$1" success "$2" "$3"
  INSTALLED[$1]=$2
}
campaign() { api GET "/api/v1/campaigns/$CID" "$AUD"; }
# wait_until JQ_CONDITION: polls the campaign (up to 30 s).
wait_until() {
  for _ in $(seq 1 60); do
    campaign
    [[ $(jq -r "$1" <<<"$BODY") == true ]] && return 0
    sleep 0.5
  done
  tap_diag "timed out waiting for $1: $BODY"; return 1
}
# Devices offered VERSION now (by their own poll) that do not run it yet:
# what cradle-agent would install.
devices_offered() { # VERSION
  local d out=()
  for d in "${DEVICES[@]}"; do
    [[ $(offered "$d") == "$1" && ${INSTALLED[$d]:-} != "$1" ]] && out+=("$d")
  done
  echo "${out[@]}"
}

# --- bad inputs: each one an RFC 9457 problem naming what is wrong --------------
problem() { # DESCRIPTION WANT_STATUS DETAIL_REGEX METHOD PATH TOKEN [BODY]
  local desc=$1 want=$2 re=$3; shift 3
  api "$@"
  expect_eq "$desc: $want" "$STATUS" "$want"
  expect_match "$desc: a problem document" "$(grep -i '^content-type' <<<"$HEADERS")" 'application/problem\+json'
  expect_match "$desc: the detail says why" "$(jqr .detail)" "$re"
}
problem "malformed JSON" 400 'request body' POST /api/v1/campaigns "$RM1" '{"name": '
problem "no selector" 400 "'selector'" POST /api/v1/campaigns "$RM1" "{\"name\":\"x\",\"release_id\":$BAD}"
problem "selector without product" 400 "'product'" POST /api/v1/campaigns "$RM1" \
  "{\"name\":\"x\",\"release_id\":$BAD,\"selector\":{}}"
problem "an unknown selector term" 400 "'colour'" POST /api/v1/campaigns "$RM1" \
  "{\"name\":\"x\",\"release_id\":$BAD,\"selector\":{\"product\":\"T1-EU\",\"colour\":\"red\"}}"
problem "a bad wave size" 400 'waves\[1\]\.size' POST /api/v1/campaigns "$RM1" \
  "{\"name\":\"x\",\"release_id\":$BAD,\"selector\":{\"product\":\"T1-EU\"},\"waves\":[{\"size\":1},{\"size\":\"150%\"},{}]}"
problem "a bad window" 400 'window.end' POST /api/v1/campaigns "$RM1" \
  "{\"name\":\"x\",\"release_id\":$BAD,\"selector\":{\"product\":\"T1-EU\"},\"window\":{\"start\":\"01:00\",\"end\":\"1am\"}}"
problem "another product" 400 'selector.product' POST /api/v1/campaigns "$RM1" \
  "{\"name\":\"x\",\"release_id\":$BAD,\"selector\":{\"product\":\"Z9\"}}"
problem "a draft release" 409 'not published' POST /api/v1/campaigns "$RM1" \
  "{\"name\":\"x\",\"release_id\":$DRAFT,\"selector\":{\"product\":\"T1-EU\"}}"
problem "an unknown release" 404 'release' POST /api/v1/campaigns "$RM1" \
  "{\"name\":\"x\",\"release_id\":999999,\"selector\":{\"product\":\"T1-EU\"}}"
problem "no device matches" 409 'matches no active device' POST /api/v1/campaigns "$RM1" \
  "{\"name\":\"x\",\"release_id\":$BAD,\"selector\":{\"product\":\"T1-EU\",\"tags\":{\"any\":[\"nobody\"]}}}"
problem "an unknown campaign" 404 'no campaign 4242' GET /api/v1/campaigns/4242 "$AUD"
problem "a campaign id that is not a number" 400 'id' GET /api/v1/campaigns/abc "$AUD"
problem "an unknown status filter" 400 'status' GET '/api/v1/campaigns?status=sleeping' "$AUD"
problem "an auditor cannot create" 403 'role' POST /api/v1/campaigns "$AUD" \
  "{\"name\":\"x\",\"release_id\":$BAD,\"selector\":{\"product\":\"T1-EU\"}}"

# --- create (rm-1) ---------------------------------------------------------------
cat >"$E2E_TMP/campaign.json" <<EOF
{"name": "fw-1.1", "release_id": $BAD, "selector": {"product": "T1-EU", "batches": ["B1"]},
 "seed": "0123456789abcdef0123456789abcdef", "retry": {"limit": 0},
 "waves": [{"size": 1, "soak": 0, "max_failures": 0, "gate": "manual"},
           {"size": 6, "soak": 0, "max_failures": 1, "stuck_after": 600},
           {"size": "100%", "soak": 0}]}
EOF
out=$(CRADLE_TOKEN=$AUD "$CRADLE" campaign create --file "$E2E_TMP/campaign.json" 2>&1)
expect_eq "cradle campaign create as an auditor: refused (exit 3)" "$?" 3
out=$(CRADLE_TOKEN=$RM1 "$CRADLE" --json campaign create --file "$E2E_TMP/campaign.json" 2>&1)
expect_eq "cradle campaign create" "$?" 0
CID=$(jq -r .id <<<"$out")
expect_eq "the campaign is a draft" "$(jq -r .status <<<"$out")" draft
expect_eq "it holds every device" "$(jq -r .devices.total <<<"$out")" "$N"
expect_eq "waves of 1, 5 and 6 devices" "$(jq -c '[.waves[].devices.total]' <<<"$out")" '[1,5,6]'
expect_eq "nothing is offered before start" "$(devices_offered 1.1.0)" ""
api POST /api/v1/campaigns "$RM1" "$(jq -c '.name = "fw-1.1-again"' "$E2E_TMP/campaign.json")"
expect_eq "a second campaign over the same devices: 409" "$STATUS" 409
expect_match "... naming the other campaign" "$(jqr .detail)" "active campaign 'fw-1.1'"
out=$(CRADLE_TOKEN=$AUD "$CRADLE" campaign list 2>&1)
expect_match "an auditor lists campaigns" "$out" 'fw-1.1 +T1-EU +1.1.0 +draft'

# --- start: the canary -------------------------------------------------------------
out=$(CRADLE_TOKEN=$AUD "$CRADLE" campaign start "$CID" 2>&1)
expect_eq "an auditor cannot start it (exit 3)" "$?" 3
out=$(CRADLE_TOKEN=$RM1 "$CRADLE" campaign start "$CID" 2>&1)
expect_eq "cradle campaign start" "$?" 0
problem "starting twice" 409 'is running' POST "/api/v1/campaigns/$CID/start" "$RM1" ''
wait_until '.waves[0].devices.offered == 1'
canary=$(devices_offered 1.1.0)
expect_eq "exactly one device (the canary) is offered 1.1.0 by the director" "$(wc -w <<<"$canary")" 1
install_ok "$canary" 1.1.0 7
wait_until '.status == "waiting"'
expect_eq "the canary succeeded" "$(jqr '.waves[0].devices.succeeded')" 1
check "wave 0 completed with a time" test "$(jqr '.waves[0].completed_at')" != null
expect_eq "the manual gate holds wave 1" "$(jqr '.waves[1].started_at')" null
out=$(CRADLE_TOKEN=$RM1 "$CRADLE" campaign approve "$CID" 2>&1)
expect_eq "the creator cannot approve (exit 3)" "$?" 3
expect_match "... the four-eyes rule is named" "$out" 'four-eyes'
problem "approve by the creator over the API" 403 'four-eyes' POST "/api/v1/campaigns/$CID/approve" "$RM1" ''
out=$(CRADLE_TOKEN=$RM2 "$CRADLE" campaign approve "$CID" 2>&1)
expect_eq "another release manager approves" "$?" 0

# --- wave 1: injected failures auto-pause ------------------------------------------------
wait_until '.waves[1].devices.offered == 5'
wave1=$(devices_offered 1.1.0)
expect_eq "five more devices are offered 1.1.0" "$(wc -w <<<"$wave1")" 5
read -r -a w1 <<<"$wave1"
install_ok "${w1[0]}" 1.1.0 7
report "${w1[1]}" downloading 1.1.0
report "${w1[1]}" failure 1.1.0
report "${w1[2]}" rolled-back 1.1.0
wait_until '.status == "paused"'
expect_match "the campaign paused itself for failures" "$(jqr .pause_reason)" '^failures: 2 device'
expect_eq "wave 2 never started" "$(jqr '.waves[2].started_at')" null
api GET '/api/v1/security-events?kind=campaign.auto-pause' "$AUD"
expect_eq "a security event records the auto-pause" "$(jqr '.items | length')" 1
expect_match "... naming the campaign" "$(jqr '.items[0].details.campaign')" 'fw-1.1'
api GET "/api/v1/audit?object=campaign:$CID" "$AUD"
expect_eq "the audit trail has the auto-pause" "$(jqr '[.items[] | select(.action == "campaign.auto-pause")] | length')" 1
sleep 2
expect_eq "paused: nothing more is offered" "$(devices_offered 1.1.0 | wc -w)" 4
problem "approve is only for a waiting campaign" 409 'is paused' POST "/api/v1/campaigns/$CID/approve" "$RM2" ''
problem "resume with a release of nothing" 400 'release_id' POST "/api/v1/campaigns/$CID/resume" "$RM1" '{"release_id": "x"}'

# --- resume with the fixed release ---------------------------------------------------------
out=$(CRADLE_TOKEN=$RM1 "$CRADLE" campaign resume "$CID" --release "$FIXED" 2>&1)
expect_eq "cradle campaign resume --release (the fix)" "$?" 0
wait_until '.release == "1.1.1" and .waves[1].devices.offered == 4'
fixed=$(devices_offered 1.1.1)
expect_eq "the failed and unfinished devices of wave 1 are offered 1.1.1" "$(wc -w <<<"$fixed")" 4
for d in $fixed; do install_ok "$d" 1.1.1 8; done
wait_until '.waves[2].devices.offered == 6'
expect_eq "wave 2 started on its own (auto gate)" "$(jqr '.waves[2].started_at != null')" true
for d in $(devices_offered 1.1.1); do install_ok "$d" 1.1.1 8; done
CRADLE_TOKEN=$AUD "$CRADLE" campaign status "$CID" --watch --interval 1 >"$E2E_TMP/watch.txt" 2>&1
expect_eq "status --watch returns when the campaign completes" "$?" 0
expect_match "... printing plain lines (not a terminal)" "$(tail -n1 "$E2E_TMP/watch.txt")" \
  "campaign $CID fw-1.1: completed, wave 3/3; 12 devices: 12 succeeded, 0 failed"
check "... and no escape sequences" bash -c "! grep -q $'\e' '$E2E_TMP/watch.txt'"

# --- progress, audit, history ---------------------------------------------------------
campaign
expect_eq "completed" "$(jqr .status)" completed
expect_eq "every device succeeded" "$(jqr '.devices.succeeded')" "$N"
expect_eq "every wave has start and completion times" "$(jqr '[.waves[] | (.started_at != null and .completed_at != null)] | all')" true
expect_eq "wave 1 was approved by rm-2" "$(jqr '.waves[1].approved_by')" rm-2
api GET "/api/v1/audit?object=campaign:$CID&limit=1000" "$AUD"
for a in campaign.create campaign.start campaign.approve campaign.auto-pause campaign.resume campaign.complete; do
  expect_eq "audit: one $a" "$(jqr "[.items[] | select(.action == \"$a\")] | length")" 1
done
expect_eq "audit: three waves started" "$(jqr '[.items[] | select(.action == "campaign.wave.start")] | length')" 3
expect_eq "audit: three waves completed" "$(jqr '[.items[] | select(.action == "campaign.wave.complete")] | length')" 3
expect_eq "audit: offers cover 1 + 5 + 4 + 6 devices" "$(jqr '[.items[] | select(.action == "campaign.offer") | .details.devices] | add')" 16
expect_eq "the chain verifies" "$(CRADLE_TOKEN=$AUD "$CRADLE" audit verify >/dev/null 2>&1; echo $?)" 0
api GET "/api/v1/devices/${w1[1]}/actions" "$AUD"
expect_eq "the failed device's actions: 1.1.1 succeeded, 1.1.0 failed, both of the campaign" \
  "$(jqr '[.items[] | "\(.release):\(.status):\(.campaign_id)"] | join(",")')" "1.1.1:succeeded:$CID,1.1.0:failed:$CID"
api GET "/api/v1/devices/${w1[1]}/history" "$AUD"
expect_eq "its history names the actions it answered" "$(jqr '[.items[] | .action_id != null] | all')" true
expect_eq "... ending in success on 1.1.1" "$(jqr '.items[-1] | "\(.stage) \(.to_version)"')" "success 1.1.1"
metrics=$(curl -sS --cacert "$CA" "$URL/metrics")
expect_match "/metrics counts the completed campaign" "$metrics" 'cradle_campaigns\{status="completed"\} 1'

# --- abort: offered devices lose the offer, the others get nothing -------------------------
make_release 1.3.0 10; publish_row "$REL_ID"; R3=$REL_ID
api POST /api/v1/campaigns "$RM1" "{\"name\":\"fw-1.3\",\"release_id\":$R3,\"selector\":{\"product\":\"T1-EU\"},\"waves\":[{\"size\":2},{}]}"
expect_eq "a new campaign over the same devices (the first is over)" "$STATUS" 201
CID=$(jqr .id)
api POST "/api/v1/campaigns/$CID/start" "$RM1" ''
wait_until '.waves[0].devices.offered == 2'
expect_eq "two devices are offered 1.3.0" "$(devices_offered 1.3.0 | wc -w)" 2
out=$(CRADLE_TOKEN=$RM2 "$CRADLE" campaign abort "$CID" --reason "wrong build" 2>&1)
expect_eq "cradle campaign abort" "$?" 0
expect_eq "no device is offered 1.3.0 any more" "$(devices_offered 1.3.0)" ""
api GET "/api/v1/audit?object=campaign:$CID" "$AUD"
expect_eq "the abort is audited with the canceled actions" "$(jqr '.items[] | select(.action == "campaign.abort") | .details.actions_canceled')" 2
sleep 2
campaign
expect_eq "aborted" "$(jqr .status)" aborted
expect_eq "... and nothing was offered afterwards" "$(jqr '.devices.offered')" 0
problem "an aborted campaign cannot be resumed" 409 'is aborted' POST "/api/v1/campaigns/$CID/resume" "$RM1" ''

finish
