#!/usr/bin/env bash
# A 3-wave rollout campaign over a simulated fleet (issue 8): a few hundred
# devices enrolled over EST by cradle-fleetsim, polling as cradle-agent does.
#  - canary (2 %, no failure allowed) passes, the auto gate starts wave 2;
#  - the bad release 1.1.0 fails on six wave-2 devices (--fail-devices, so the
#    failing devices are known: members of wave 2 read from the database),
#    which is more than the wave allows: the campaign pauses itself (reason,
#    security event, audit) and offers nothing more while devices already
#    offered finish;
#  - resume with the fixed release 1.1.1: the failed devices get it, wave 3
#    starts on its own, the campaign completes;
#  - progress per state and per wave, audit trail and chain, device versions,
#    actions and histories, /metrics and the simulator's own view agree.
# One fleetsim run polls throughout, as a fleet would; the operator acts.
source "$(dirname "$0")/lib.sh"
: "${CRADLE_FLEETSIM:?CRADLE_FLEETSIM must point at the cradle-fleetsim binary}"
N=${CAMPAIGN_FLEET_N:-240}
NBAD=6          # wave-2 devices on which 1.1.0 fails
MAXFAIL=3       # failures wave 2 allows

init_server || { tap_fail "init"; finish; exit 1; }
# The evaluator every second (default 10 s); fleetsim polls every 3 s.
sed -i 's/^evaluate_interval = .*/evaluate_interval = 1s/' "$DATA/cradled.conf"
start_server || { tap_fail "server starts"; finish; exit 1; }
ota_setup || { tap_fail "ota setup"; finish; exit 1; }
openssl genpkey -algorithm ED25519 -out "$OTA/droot.key" 2>/dev/null && chmod 600 "$OTA/droot.key"
"$CRADLE" director init --root-key "$OTA/droot.key" --root-threshold 1 --out "$OTA/director-root.json" >/dev/null 2>&1 \
  || { tap_fail "director init"; finish; exit 1; }
RM1=$(make_token rm-1 release-manager)
AUD=$(make_token aud-1 auditor)

FLEET=$E2E_TMP/fleet
t0=$SECONDS
out=$(CRADLE_TOKEN=$FACTORY_TOKEN "$CRADLE_FLEETSIM" enroll --url "$URL" --cacert "$CA" --est-label T1-EU --batch B1 \
  --count "$N" --dir "$FLEET" --parallel 16 2>&1)
expect_match "$N devices enroll over EST" "$out" "enrolled=$N skipped=0 failed=0"
tap_diag "enrollment of $N devices: $((SECONDS - t0)) s"

ota_publish 1.1.0 2 || { tap_fail "publish 1.1.0"; finish; exit 1; }
BAD=$REL_ID
ota_publish 1.1.1 3 || { tap_fail "publish 1.1.1"; finish; exit 1; }
FIXED=$REL_ID

# --- the campaign ------------------------------------------------------------------
cat >"$E2E_TMP/campaign.json" <<EOF
{"name": "fleet-1.1", "release_id": $BAD, "selector": {"product": "T1-EU", "batches": ["B1"]},
 "seed": "00112233445566778899aabbccddeeff", "retry": {"limit": 0},
 "waves": [{"size": "2%", "soak": 1, "max_failures": 0},
           {"size": "30%", "soak": 1, "max_failures": $MAXFAIL, "stuck_after": 600},
           {"size": "100%", "soak": 0}]}
EOF
out=$(CRADLE_TOKEN=$RM1 "$CRADLE" --json campaign create --file "$E2E_TMP/campaign.json" 2>&1)
expect_eq "cradle campaign create" "$?" 0
CID=$(jq -r .id <<<"$out")
W0=$(( (N * 2 + 99) / 100 )); W1=$(( (N * 30 + 99) / 100 - W0 )); W2=$(( N - W0 - W1 ))
expect_eq "waves of 2 %, 30 % and 100 % (cumulative, rounded up)" "$(jq -c '[.waves[].devices.total]' <<<"$out")" "[$W0,$W1,$W2]"

# The devices of each wave, by the membership the create fixed (the API shows
# counts only). The failing devices are six of wave 2.
members() { sqlite3 "$DATA/cradle.db" ".timeout 5000" "SELECT d.serial FROM campaign_devices m JOIN devices d ON d.id = m.device_id
  WHERE m.campaign_id = $CID AND m.wave = $1 ORDER BY m.rank, m.device_id"; }
mapfile -t CANARY < <(members 0)
mapfile -t WAVE1 < <(members 1)
mapfile -t WAVE2 < <(members 2)
BADDEV=("${WAVE1[@]:0:NBAD}")
printf '# wave 2 devices on which 1.1.0 fails\n' >"$E2E_TMP/bad-serials"
printf '%s\n' "${BADDEV[@]}" >>"$E2E_TMP/bad-serials"
expect_eq "the database agrees with the plan" "${#CANARY[@]} ${#WAVE1[@]} ${#WAVE2[@]}" "$W0 $W1 $W2"

out=$(CRADLE_TOKEN=$RM1 "$CRADLE" campaign start "$CID" 2>&1)
expect_eq "cradle campaign start" "$?" 0

# One simulated fleet for the whole campaign; stopped once it completes.
"$CRADLE_FLEETSIM" run --url "$URL" --cacert "$CA" --dir "$FLEET" --seconds 150 --interval 3 --jitter 20 \
  --install-delay 0.5 --progress-every 5 --json --seed 3 --fail-devices "1.1.0:$E2E_TMP/bad-serials" \
  >"$E2E_TMP/sim.out" 2>"$E2E_TMP/sim.err" &
SIM_PID=$!
stop_sim() { kill -TERM "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; }

campaign() { api GET "/api/v1/campaigns/$CID" "$AUD"; }
# wait_until JQ_CONDITION [SECONDS]: polls the campaign (default 60 s).
wait_until() {
  local deadline=$((SECONDS + ${2:-60}))
  while ((SECONDS < deadline)); do
    campaign
    [[ $(jq -r "$1" <<<"$BODY") == true ]] && return 0
    kill -0 "$SIM_PID" 2>/dev/null || { tap_diag "fleetsim ended: $(tail -n3 "$E2E_TMP/sim.err")"; break; }
    sleep 0.5
  done
  tap_diag "timed out waiting for $1: $BODY"; return 1
}
# waited DESCRIPTION JQ_CONDITION [SECONDS]: a TAP line for wait_until (in this
# shell: BODY stays the campaign as it was when the condition held).
waited() {
  local desc=$1; shift
  if wait_until "$@"; then tap_ok "$desc"; else tap_fail "$desc"; fi
}

# --- canary, wave 2, auto-pause --------------------------------------------------------
t0=$SECONDS
waited "the canary completes" '.waves[0].completed_at != null'
expect_eq "every canary device succeeded" "$(jqr '.waves[0].devices | "\(.succeeded) \(.failed)"')" "$W0 0"
waited "the auto gate starts wave 2" '.waves[1].started_at != null'
waited "the campaign pauses itself" '.status == "paused"'
tap_diag "start to auto-pause: $((SECONDS - t0)) s"
expect_match "the pause reason names the failures, the wave (0-based, as in the API) and the limit" "$(jqr .pause_reason)" \
  "^failures: [0-9]+ device\\(s\\) of wave 1 failed or rolled back \\(at most $MAXFAIL allowed\\)"
api GET '/api/v1/security-events?kind=campaign.auto-pause' "$AUD"
expect_eq "one security event records the auto-pause" "$(jqr '.items | length')" 1
expect_eq "... of severity high, naming the campaign" "$(jqr '.items[0] | "\(.severity) \(.details.campaign)"')" "high fleet-1.1"
api GET "/api/v1/audit?object=campaign:$CID&limit=1000" "$AUD"
expect_eq "the audit trail has the auto-pause" "$(jqr '[.items[] | select(.action == "campaign.auto-pause")] | length')" 1

# Paused: devices already offered finish, nothing new is offered.
waited "the offered devices of wave 2 finish while paused" ".waves[1].devices.failed == $NBAD and .waves[1].devices.succeeded == $((W1 - NBAD))"
expect_eq "still paused, wave 3 not started, nobody in it offered" \
  "$(jqr '"\(.status) \(.waves[2].started_at) \(.waves[2].devices.offered)"')" "paused null 0"
# The evaluator refreshes the campaign gauges after it wrote the progress the
# API shows: wait (5 s at most) for the last of them.
metrics_until() { # REGEX... -> METRICS (every one matches)
  local r ok
  for _ in $(seq 1 20); do
    metrics=$(curl -sS --cacert "$CA" "$URL/metrics"); ok=1
    for r in "$@"; do grep -Eq "$r" <<<"$metrics" || ok=0; done
    ((ok)) && return 0
    sleep 0.25
  done
}
metrics_until "cradle_campaign_devices\\{campaign=\"fleet-1.1\",state=\"failed\"\\} $NBAD([^0-9]|$)" \
  "cradle_campaign_devices\\{campaign=\"fleet-1.1\",state=\"succeeded\"\\} $((W0 + W1 - NBAD))([^0-9]|$)"
expect_match "/metrics: one paused campaign" "$metrics" 'cradle_campaigns\{status="paused"\} 1'
expect_match "/metrics: its failed devices" "$metrics" "cradle_campaign_devices\\{campaign=\"fleet-1.1\",state=\"failed\"\\} $NBAD([^0-9]|$)"
expect_match "/metrics: its succeeded devices" "$metrics" \
  "cradle_campaign_devices\\{campaign=\"fleet-1.1\",state=\"succeeded\"\\} $((W0 + W1 - NBAD))([^0-9]|$)"
expect_match "/metrics: its current wave (0-based)" "$metrics" 'cradle_campaign_wave\{campaign="fleet-1.1"\} 1'

# --- resume with the fixed release --------------------------------------------------------
out=$(CRADLE_TOKEN=$RM1 "$CRADLE" campaign resume "$CID" --release "$FIXED" 2>&1)
expect_eq "cradle campaign resume --release (the fix)" "$?" 0
t0=$SECONDS
waited "the campaign completes" '.status == "completed"' 90
tap_diag "resume to completion: $((SECONDS - t0)) s"
stop_sim

campaign
expect_eq "it rolled out 1.1.1 in the end" "$(jqr .release)" 1.1.1
expect_eq "progress: every device succeeded, none pending, offered, failed, retrying or canceled" \
  "$(jqr '.devices | "\(.total) \(.succeeded) \(.pending) \(.offered) \(.failed) \(.retrying) \(.canceled)"')" "$N $N 0 0 0 0 0"
expect_eq "progress per wave: every member succeeded" \
  "$(jqr '[.waves[].devices | "\(.total)/\(.succeeded)/\(.failed)"] | join(" ")')" "$W0/$W0/0 $W1/$W1/0 $W2/$W2/0"
expect_eq "every wave has start and completion times" "$(jqr '[.waves[] | (.started_at != null and .completed_at != null)] | all')" true

api GET "/api/v1/audit?object=campaign:$CID&limit=1000" "$AUD"
for a in campaign.create campaign.start campaign.auto-pause campaign.resume campaign.complete; do
  expect_eq "audit: one $a" "$(jqr "[.items[] | select(.action == \"$a\")] | length")" 1
done
expect_eq "audit: three waves started and completed" \
  "$(jqr '[.items[] | select(.action == "campaign.wave.start")] | length') $(jqr '[.items[] | select(.action == "campaign.wave.complete")] | length')" "3 3"
expect_eq "audit: offers cover every device once and the $NBAD failed ones again" \
  "$(jqr '[.items[] | select(.action == "campaign.offer") | .details.devices] | add')" $((N + NBAD))
expect_eq "audit: no pause by hand, no retry" "$(jqr '[.items[] | select(.action == "campaign.pause" or .action == "campaign.retry")] | length')" 0
expect_eq "cradle audit verify: the chain holds" "$(CRADLE_TOKEN=$AUD "$CRADLE" audit verify >/dev/null 2>&1; echo $?)" 0
metrics_until 'cradle_campaigns\{status="completed"\} 1'
expect_match "/metrics: one completed campaign" "$metrics" 'cradle_campaigns\{status="completed"\} 1'
expect_nomatch "/metrics: no paused one any more" "$metrics" 'cradle_campaigns\{status="paused"\} [1-9]'

# --- every device: the version it runs, by the server and by the simulator ---------------------
api GET "/api/v1/devices?product=T1-EU&limit=1000" "$AUD"
expect_eq "the server: devices that took 1.1.0 before the pause keep it, the rest run 1.1.1" \
  "$(jqr '[.items[] | .installed_version] | group_by(.) | map("\(.[0])=\(length)") | join(" ")')" \
  "1.1.0=$((W0 + W1 - NBAD)) 1.1.1=$((W2 + NBAD))"
summary=$(tail -n1 "$E2E_TMP/sim.out")
expect_eq "the simulator ends with a summary" "$(jq -r .kind <<<"$summary")" summary
expect_eq "... and sees the same versions" "$(jq -c .versions <<<"$summary")" \
  "{\"1.1.0\":$((W0 + W1 - NBAD)),\"1.1.1\":$((W2 + NBAD))}"
expect_eq "... with no failed poll" "$(jq -r .failed_polls <<<"$summary")" 0
tap_diag "fleetsim: $(jq -r '"\(.polls) polls, \(.reports) reports, poll p99 \(.poll_p99_ms) ms"' <<<"$summary")"

# Actions and history: the canary, the failed devices and a sample of wave 3.
actions() { api GET "/api/v1/devices/$1/actions" "$AUD"; jqr '[.items[] | "\(.release):\(.status):\(.campaign_id)"] | join(",")'; }
bad=0; badmsg=
for d in "${CANARY[@]}"; do
  a=$(actions "$d"); [[ $a == "1.1.0:succeeded:$CID" ]] || { bad=$((bad + 1)); badmsg="$d: $a"; }
done
expect_eq "canary devices: one action, 1.1.0 succeeded" "$bad" 0; [[ $bad -gt 0 ]] && tap_diag "last: $badmsg"
bad=0
for d in "${BADDEV[@]}"; do
  a=$(actions "$d"); [[ $a == "1.1.1:succeeded:$CID,1.1.0:failed:$CID" ]] || { bad=$((bad + 1)); badmsg="$d actions: $a"; }
  api GET "/api/v1/devices/$d/history?limit=1000" "$AUD"
  h=$(jqr '[.items[] | select(.stage == "failure" or .stage == "success") | "\(.stage) \(.to_version)"] | unique | join(",")')
  [[ $h == "failure 1.1.0,success 1.1.1" ]] || { bad=$((bad + 1)); badmsg="$d history: $h"; }
  [[ $(jqr '.items[-1] | "\(.stage) \(.to_version) \(.from_version)"') == "success 1.1.1 1.0.0" ]] || { bad=$((bad + 1)); badmsg="$d last: $(jqr '.items[-1]')"; }
  [[ $(jqr '[.items[] | select(.stage == "failure") | .reason] | unique | join("|")') == \
     "simulated install failure of 1.1.0 (cradle-fleetsim --fail)" ]] || { bad=$((bad + 1)); badmsg="$d reason"; }
done
expect_eq "failed devices: 1.1.0 failed (with the reason), then 1.1.1 succeeded, in actions and history" "$bad" 0
[[ $bad -gt 0 ]] && tap_diag "last: $badmsg"
bad=0
for d in "${WAVE2[@]:0:20}"; do
  a=$(actions "$d"); [[ $a == "1.1.1:succeeded:$CID" ]] || { bad=$((bad + 1)); badmsg="$d: $a"; }
  api GET "/api/v1/devices/$d/history?limit=1000" "$AUD"
  h=$(jqr '[.items[] | "\(.stage):\(.to_version):\(.action_id != null)"] | join(",")')
  [[ $h == "downloading:1.1.1:true,installing:1.1.1:true,awaiting-reboot:1.1.1:true,success:1.1.1:true" ]] \
    || { bad=$((bad + 1)); badmsg="$d history: $h"; }
done
expect_eq "wave 3 (20 devices): one action, 1.1.1, and a clean history naming it" "$bad" 0
[[ $bad -gt 0 ]] && tap_diag "last: $badmsg"
out=$(CRADLE_TOKEN=$AUD "$CRADLE" campaign status "$CID" 2>&1)
expect_match "cradle campaign status sums it up" "$out" "completed, wave 3/3; $N devices: $N succeeded, 0 failed"
finish
