#!/usr/bin/env bash
# Power loss: cradle-agent is killed with SIGKILL at random points of
# `once` (verification, download, install, activation) and of `confirm`
# (health check, confirmation, rollback), and the device often "loses power"
# right after (a simulated reboot through the ab-dir bootloader). After every
# kill the test checks what a device owner would care about:
#   - the slot the bootloader starts holds a verified image (the factory image
#     or a published release, byte for byte): never a partial or unknown one;
#   - the security-version floor is never above the running image's security
#     version, and never goes down;
#   - driving the agent on afterwards always completes: the update ends
#     installed and confirmed, or rolled back, with nothing left pending.
# CRADLE_POWERLOSS_ITERATIONS sets the number of updates (default 24; 200
# with CRADLE_LONG=1, which takes about ten minutes: run it directly, or give
# meson test a --timeout-multiplier). One update of about 4 MB is published per
# iteration; every fifth gets a failing health check.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ota-agent-lib.sh"

iterations=${CRADLE_POWERLOSS_ITERATIONS:-24}
[[ ${CRADLE_LONG:-0} == 1 ]] && iterations=${CRADLE_POWERLOSS_ITERATIONS:-200}

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
OTA_IMAGE_SIZE=4000000 ota_setup || { tap_fail "ota setup"; finish; exit 1; }
R100=$REL_ID; SHA100=$IMG_SHA
export CRADLE_TOKEN=$ADMIN_TOKEN
SERIAL=T1-000099
agent_device_setup "$SERIAL" || { tap_fail "device setup"; finish; exit 1; }
echo 0.05 >"$DEV/health-sleep"

# sha256 -> security version of every image the device may legitimately run.
declare -A SV_OF=(["$FACTORY_SHA"]=0 ["$SHA100"]=1)
violations=()
last_floor=0
kills=0
declare -A KILLED_IN=()
installed=0 rolled_back=0 incomplete=0

violation() { violations+=("iteration $i: $*"); }

# The invariants, checked after every kill (and reboot).
check_device() {
  local what=$1 booted sha sv floor
  booted=$(state .ab_dir.booted)
  sha=$(sha256sum "$DEV/slots/slot$booted" 2>/dev/null | cut -d' ' -f1)
  sv=${SV_OF[$sha]:-}
  if [[ -z $sv ]]; then
    violation "$what: the bootloader starts slot $booted, whose image ($sha) is not a verified image"
    return
  fi
  floor=$(state .floor)
  if (( floor > sv )); then violation "$what: floor $floor is above the running image's security version $sv"; fi
  if (( floor < last_floor )); then violation "$what: floor went down from $last_floor to $floor"; fi
  last_floor=$floor
}

# Runs `cradle-agent CMD` and kills it with SIGKILL after a random delay of
# up to $WINDOW_VAR milliseconds (it may finish first). Records the phase it
# died in. When it finished first, the window shrinks by a quarter, down to
# half its calibrated width ($WINDOW_VAR_min): a calibration taken on a quiet
# moment must not leave a loaded machine's runs mostly unkilled, and the kills
# must still reach the late phases (install, activation).
run_and_kill() {
  local cmd=$1 window_var=$2 pid delay phase
  local max_ms=${!window_var} min_var=${window_var}_min
  "$CRADLE_AGENT" -c "$DEV/agent.conf" "$cmd" >/dev/null 2>>"$DEV/agent.log" &
  pid=$!
  delay=$((RANDOM % max_ms))
  sleep "$(printf '0.%03d' "$delay")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    kills=$((kills + 1))
    phase=$(state .phase)
    KILLED_IN[$cmd:$phase]=$(( ${KILLED_IN[$cmd:$phase]:-0} + 1 ))
  else
    wait "$pid" 2>/dev/null
    (( max_ms * 3 / 4 >= ${!min_var} )) && printf -v "$window_var" '%d' $((max_ms * 3 / 4))
  fi
}

# Power comes back: maybe the board rebooted, maybe only the agent restarted.
maybe_reboot() {
  if (( RANDOM % 2 == 0 )); then agent boot >/dev/null; fi
  check_device "$1"
}

# Drives the agent until the update is finished (idle, nothing pending).
complete_update() {
  local n
  for n in $(seq 1 12); do
    if [[ $(state .phase) == idle && -z $(state .ab_dir.pending) ]]; then return 0; fi
    agent once >/dev/null
    if [[ $(state .phase) == awaiting-reboot ]]; then agent boot >/dev/null; fi
    agent confirm >/dev/null
    check_device "completing"
  done
  return 1
}

# Calibration: an undisturbed update to 1.0.0 measures how long `once` and
# `confirm` take here, so the kills spread over the whole of each.
"$CRADLE" device assign --release "$R100" --device "$SERIAL" >/dev/null 2>&1
t0=$(date +%s%3N); agent once >/dev/null; t1=$(date +%s%3N)
agent boot >/dev/null
t2=$(date +%s%3N); out=$(agent confirm); t3=$(date +%s%3N)
expect_eq "calibration: 1.0.0 installs and confirms undisturbed" "$out" confirmed
once_ms=$(( (t1 - t0) * 12 / 10 + 1 )); confirm_ms=$(( (t3 - t2) * 12 / 10 + 1 ))
(( once_ms > 999 )) && once_ms=999; (( confirm_ms > 999 )) && confirm_ms=999
once_ms_min=$((once_ms / 2)); confirm_ms_min=$((confirm_ms / 2))
echo "# once takes $((t1 - t0)) ms, confirm $((t3 - t2)) ms: kills within ${once_ms} and ${confirm_ms} ms"
last_floor=$(state .floor)

start_ms=$(date +%s%3N)
for i in $(seq 1 "$iterations"); do
  version="2.$i.0"
  OTA_IMAGE_SIZE=$((4000000 + RANDOM * 30)) ota_publish "$version" $((i + 1)) r2 >/dev/null \
    || { tap_fail "publish $version"; finish; exit 1; }
  SV_OF[$IMG_SHA]=$((i + 1))
  "$CRADLE" device assign --release "$REL_ID" --device "$SERIAL" >/dev/null 2>&1 \
    || { tap_fail "assign $version"; finish; exit 1; }
  if (( i % 5 == 0 )); then echo 1 >"$DEV/health-exit"; else echo 0 >"$DEV/health-exit"; fi

  # A kill during verification, download, install or activation...
  run_and_kill once once_ms
  maybe_reboot "after a kill during once"
  # ...a second one, often later in the same update...
  run_and_kill once once_ms
  maybe_reboot "after a second kill during once"
  # ...and one during the post-boot confirmation (health check, confirm or
  # rollback), when the update got that far.
  agent once >/dev/null
  if [[ $(state .phase) == awaiting-reboot ]]; then
    agent boot >/dev/null
    run_and_kill confirm confirm_ms
    maybe_reboot "after a kill during confirm"
  fi
  if ! complete_update; then
    incomplete=$((incomplete + 1))
    violation "the update to $version did not complete: phase $(state .phase), pending '$(state .ab_dir.pending)'"
    continue
  fi
  check_device "after the update"
  if [[ $(state .current.version) == "$version" ]]; then installed=$((installed + 1)); else rolled_back=$((rolled_back + 1)); fi
done
elapsed=$(( $(date +%s%3N) - start_ms ))

echo "# $iterations updates in $((elapsed / 1000)) s, $kills agents killed (kill windows at the end: once ${once_ms} ms, confirm ${confirm_ms} ms); where they died:"
for k in $(printf '%s\n' "${!KILLED_IN[@]}" | sort); do echo "#   $k: ${KILLED_IN[$k]}"; done
echo "# installed $installed, rolled back $rolled_back, incomplete $incomplete"

expect_eq "no invariant was violated in $iterations updates with $kills kills" "${#violations[@]}" 0
for v in "${violations[@]:0:10}"; do echo "#   $v"; done
check "agents were killed at least once per update on average" test "$kills" -ge "$iterations"
check "kills landed in at least three different phases" test "${#KILLED_IN[@]}" -ge 3
expect_eq "every update completed" "$incomplete" 0
expect_eq "the failing health checks were rolled back (1 in 5)" "$rolled_back" $((iterations / 5))
expect_eq "the others were installed" "$installed" $((iterations - iterations / 5))
expect_eq "the floor ends at the last installed release's security version" "$(state .floor)" \
  "$(state .current.security_version)"
check "no download file is left behind" test ! -e "$DEV/state/download.part"

finish
