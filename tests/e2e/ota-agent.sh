#!/usr/bin/env bash
# cradle-agent end to end against a real cradled: a device enrolled over EST
# (its serial taken from its certificate), the director's key ceremony, a
# release signed 2 of 3 and published, assigned to the device; `cradle-agent
# once` installs it into the inactive ab-dir slot over mTLS, `boot` simulates
# the reboot, `confirm` runs the health check: success is reported and shows
# in the device's history, the floor rises. A failing health check rolls back
# automatically, is reported with its reason, and leaves the floor alone. An
# older release assigned afterwards is refused (anti-rollback).
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
ota_setup || { tap_fail "ota setup (repository, release 1.0.0)"; finish; exit 1; }
R100=$REL_ID
export CRADLE_TOKEN=$ADMIN_TOKEN
SERIAL=T1-000042

# --- the device: identity, trusted roots, configuration --------------------------
source "$(dirname "$0")/ota-agent-lib.sh"
agent_device_setup "$SERIAL"
expect_eq "the device enrolls over EST" "$STATUS" 200
check "the director's key ceremony wrote its root" test -s "$OTA/director-root.json"

out=$(agent status)
expect_eq "status works before any update" "$?" 0
expect_eq "the serial comes from the certificate" "$(jq -r .serial <<<"$out")" "$SERIAL"
expect_eq "idle at first" "$(jq -r .phase <<<"$out")" idle

out=$(agent once)
expect_eq "once with nothing assigned succeeds" "$?" 0
expect_eq "still idle" "$(state .phase)" idle
check "the trusted director root was installed into the state" test -s "$DEV/state/director/root.json"

# --- release 1.1.0 (security version 5), signed 2 of 3, published, assigned ------
OTA_IMAGE_SIZE=300000 ota_publish 1.1.0 5 r2 || { tap_fail "publish 1.1.0"; finish; exit 1; }
R110=$REL_ID; SHA110=$IMG_SHA
out=$("$CRADLE" device assign --release "$R110" --device "$SERIAL" 2>&1)
expect_eq "1.1.0 assigned to the device" "$?" 0

out=$(agent once)
expect_eq "once installs the update" "$?" 0
expect_eq "awaiting the reboot" "$(state .phase)" awaiting-reboot
expect_eq "slot B holds the released image" "$(sha256sum "$DEV/slots/slotB" | cut -d' ' -f1)" "$SHA110"
expect_eq "slot A is untouched" "$(sha256sum "$DEV/slots/slotA" | cut -d' ' -f1)" "$FACTORY_SHA"
expect_eq "slot B is pending" "$(state .ab_dir.pending)" B
expect_eq "the floor has not moved yet" "$(state .floor)" 0
check "the image repository metadata was verified and stored" test -s "$DEV/state/image-repo/timestamp.json"
check "the download file is gone" test ! -e "$DEV/state/download.part"
out=$(agent confirm)
expect_eq "confirm before the reboot does nothing" "$out" not-rebooted

expect_eq "the simulated bootloader boots slot B" "$(agent boot)" "booted slot B"
out=$(agent confirm)
expect_eq "confirm after a healthy boot" "$out" confirmed
expect_eq "idle again" "$(state .phase)" idle
expect_eq "running 1.1.0" "$(state .current.version)" 1.1.0
expect_eq "the floor rose to 5" "$(state .floor)" 5
expect_eq "slot B is active" "$(state .ab_dir.active)" B
expect_eq "no report left in the queue" "$(state '.reports | length')" 0
expect_match "the health check ran for 1.1.0" "$(cat "$DEV/health.log")" 'health 1\.1\.0'

out=$("$CRADLE" device history "$SERIAL" 2>&1)
expect_match "history: downloading" "$out" 'downloading .* 1\.1\.0'
expect_match "history: awaiting-reboot" "$out" 'awaiting-reboot .* 1\.1\.0'
expect_match "history: success to 1.1.0 with security version 5" "$(grep -E ' success ' <<<"$out" | tail -n1)" '1\.1\.0 +5'
out=$("$CRADLE" --json device show "$SERIAL")
expect_eq "the server records 1.1.0 installed" "$(jq -r .installed_version <<<"$out")" 1.1.0
expect_eq "... with security version 5" "$(jq -r .security_version <<<"$out")" 5

out=$(agent once)
expect_eq "the next cycle: up to date" "$?" 0
expect_eq "... and stays idle" "$(state .phase)" idle

# --- release 1.2.0 with a failing health check: automatic rollback ---------------
ota_publish 1.2.0 6 r2 || { tap_fail "publish 1.2.0"; finish; exit 1; }
R120=$REL_ID; SHA120=$IMG_SHA
"$CRADLE" device assign --release "$R120" --device "$SERIAL" >/dev/null 2>&1
out=$(agent once)
expect_eq "1.2.0 installs" "$?" 0
expect_eq "into slot A this time" "$(sha256sum "$DEV/slots/slotA" | cut -d' ' -f1)" "$SHA120"
echo 1 >"$DEV/health-exit"
expect_eq "the bootloader tries slot A" "$(agent boot)" "booted slot A"
out=$(agent confirm)
expect_eq "an unhealthy boot is rolled back" "$out" rolled-back
expect_match "the reason names the health check" "$(state .last_error)" 'health check .* exited with 1'
expect_eq "the floor is unchanged" "$(state .floor)" 5
expect_eq "still running 1.1.0" "$(state .current.version)" 1.1.0
expect_eq "the next boot is slot B again" "$(agent boot)" "booted slot B"
out=$("$CRADLE" device history "$SERIAL" 2>&1)
expect_match "history: rolled-back with the reason" "$(grep -E 'rolled-back' <<<"$out" | tail -n1)" \
  '1\.1\.0 +1\.2\.0 .*health check'
out=$("$CRADLE" --json device show "$SERIAL")
expect_eq "the server still records 1.1.0" "$(jq -r .installed_version <<<"$out")" 1.1.0
rm -f "$DEV/health-exit"
out=$(agent once)
expect_eq "the rolled-back release is not retried" "$(state .phase)" idle

# --- anti-rollback: an older, properly signed release is refused -----------------
out=$("$CRADLE" device assign --release "$R100" --device "$SERIAL" 2>&1)
expect_eq "the operator assigns the old 1.0.0 (security version 1)" "$?" 0
out=$("$CRADLE_AGENT" -c "$DEV/agent.conf" once 2>&1)
expect_eq "the agent refuses 1.0.0 (exit 1)" "$?" 1
expect_match "... as below the floor" "$out" 'security version 1, below this device.s floor 5 \(rollback attack\?\)'
expect_eq "slot B (1.1.0) still active" "$(state .ab_dir.active)" B
expect_eq "nothing pending" "$(state .ab_dir.pending)" ""

# --- the device key on a PKCS#11 token (SoftHSM2): libcurl-gnutls takes the URI --
"$CRADLE" device assign --release "$R110" --device "$SERIAL" >/dev/null 2>&1
if command -v softhsm2-util >/dev/null && [[ -e /usr/lib/softhsm/libsofthsm2.so ]]; then
  mkdir -p "$DEV/tokens"
  printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$DEV/tokens" >"$DEV/softhsm2.conf"
  export SOFTHSM2_CONF=$DEV/softhsm2.conf
  softhsm2-util --init-token --free --label agent-test --so-pin 1234 --pin 5678 >/dev/null 2>&1
  softhsm2-util --import "$PKI/dev.key" --token agent-test --label dev --id 01 --pin 5678 >/dev/null 2>&1
  sed "s|^key = .*|key = pkcs11:token=agent-test;object=dev;type=private|" "$DEV/agent.conf" >"$DEV/p11.conf"
  out=$(CRADLE_PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so CRADLE_PKCS11_PIN=5678 \
    "$CRADLE_AGENT" -c "$DEV/p11.conf" once 2>&1)
  rc=$?; [[ $rc == 0 ]] || tap_diag "${out: -600}"
  expect_eq "with its key on a PKCS#11 token the agent talks mTLS to the server" "$rc" 0
  out=$(CRADLE_PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so CRADLE_PKCS11_PIN=0000 \
    "$CRADLE_AGENT" -c "$DEV/p11.conf" once 2>&1)
  expect_eq "... and fails with a wrong PIN (exit 1)" "$?" 1
  unset SOFTHSM2_CONF
else
  tap_ok "# SKIP SoftHSM2 not installed"
fi

# --- the device API needs the device's certificate ------------------------------------
sed "s|^cert = .*|cert = $PKI/../nonexistent.pem|" "$DEV/agent.conf" >"$DEV/bad.conf"
out=$("$CRADLE_AGENT" -c "$DEV/bad.conf" once 2>&1)
expect_eq "without its certificate the agent does not start (exit 2)" "$?" 2
expect_match "... and says which file" "$out" 'nonexistent\.pem'
expect_eq "... and changes nothing" "$(state .current.version)" 1.1.0

# --- run: exponential backoff against a server that is down, clean stop ---------------
sed "s|^url = .*|url = https://127.0.0.1:1|" "$DEV/agent.conf" >"$DEV/run.conf"
printf '[poll]\ninterval = 2\njitter = 0\nbackoff_min = 1\nbackoff_max = 4\n' >>"$DEV/run.conf"
"$CRADLE_AGENT" -c "$DEV/run.conf" run 2>"$DEV/run.log" &
run_pid=$!
sleep 6.5
kill -TERM "$run_pid"; wait "$run_pid"
expect_eq "run stops cleanly on SIGTERM" "$?" 0
fails=$(grep -c 'update cycle failed' "$DEV/run.log")
# Waits of 1, 2, 4, 4 s: attempts at 0, 1, 3, 7 s -> 3 in 6.5 s (2 to 4 with a
# slow start or a loaded machine), never a tight loop.
check "run backs off exponentially while the server is down ($fails attempts in 6.5 s)" \
  test "$fails" -ge 2 -a "$fails" -le 4
expect_match "... counting the failures in a row" "$(cat "$DEV/run.log")" 'failed \(2 in a row\)'

finish
