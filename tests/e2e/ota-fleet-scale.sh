#!/usr/bin/env bash
# The device request path at fleet scale, in a running cradled (issue 8):
#  - an assignment queues its devices and the director worker signs their
#    targets ahead of the poll, so the poll serves stored bytes;
#  - a canceled assignment is never served from a stale stored document;
#  - polls note last_seen in memory; it reaches the database with the
#    worker's flush, and a clean shutdown (SIGTERM) flushes what is left.
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
ota_setup >/dev/null || { tap_fail "ota setup"; finish; exit 1; }
db="$DATA/cradle.db"
for d in D1 D2 D3; do
  make_csr "$d" "$d" && est_enroll "$d" T1-EU "serial=$d&batch=B1"
  expect_eq "device $d enrolls" "$STATUS" 200
done
openssl genpkey -algorithm ED25519 -out "$PKI/droot.key" 2>/dev/null && chmod 600 "$PKI/droot.key"
"$CRADLE" director init --root-key "$PKI/droot.key" --root-threshold 1 >/dev/null 2>&1
expect_eq "director init" "$?" 0

q() { sqlite3 -cmd '.timeout 5000' "$db" "$1"; }
wait_queue_empty() { # up to 10 s
  for _ in $(seq 1 100); do [[ $(q 'SELECT count(*) FROM director_sign_queue') == 0 ]] && return 0; sleep 0.1; done
  return 1
}

"$CRADLE" device assign --release "$REL_ID" --device D1 --device D2 >/dev/null
expect_eq "assign succeeds" "$?" 0
check "the worker empties the sign-ahead queue" wait_queue_empty
expect_eq "both devices' targets are signed before they poll" \
  "$(q "SELECT count(*) FROM director_targets t JOIN devices d ON d.id = t.device_id
        WHERE d.serial IN ('D1', 'D2') AND t.document LIKE '%1.0.0/rootfs.img%'")" 2
stored=$(q "SELECT t.document FROM director_targets t JOIN devices d ON d.id = t.device_id WHERE d.serial = 'D1'")
mtls GET /device/v1/director/targets.json D1
expect_eq "D1 polls" "$STATUS" 200
expect_eq "... and is served the document signed ahead, byte for byte" "$BODY" "$stored"
expect_eq "... which offers the release" "$(jq -r '.signed.targets | keys[0]' <<<"$BODY")" "1.0.0/rootfs.img"

# Cancel D2's offer straight in the database (what director_action_cancel
# does, minus queueing the device): the worker never re-signs D2, so its stored
# document still offers the release, as if D2 polled before the worker got to
# it. The poll must see that the stored bytes disagree with the assignment.
q "BEGIN IMMEDIATE; DELETE FROM device_assignments WHERE device_id = (SELECT id FROM devices WHERE serial = 'D2');
   UPDATE update_actions SET status = 'canceling' WHERE device_id = (SELECT id FROM devices WHERE serial = 'D2')
     AND status = 'open'; COMMIT;"
mtls GET /device/v1/director/targets.json D2
expect_eq "D2 polls after the cancel" "$STATUS" 200
expect_eq "... and is not offered the release" "$(jq -c '.signed.targets' <<<"$BODY")" '{}'

# last_seen: noted by the polls, not yet written (the flush comes every 60 s).
expect_eq "last_seen is not written on the poll" \
  "$(q "SELECT count(*) FROM device_update_state u JOIN devices d ON d.id = u.device_id WHERE d.serial IN ('D1', 'D2')")" 0
mtls GET /device/v1/director/targets.json D3
expect_eq "D3 polls (never assigned)" "$STATUS" 200
stop_server
expect_eq "a clean shutdown writes last_seen of every device that polled" \
  "$(q "SELECT count(*) FROM device_update_state u JOIN devices d ON d.id = u.device_id
        WHERE d.serial IN ('D1', 'D2', 'D3') AND u.last_seen > 0")" 3
start_server >/dev/null
out=$("$CRADLE" device show D1 --json)
expect_match "cradle device show has D1's last seen" "$(jq -r .last_seen <<<"$out")" '^20[0-9]{2}-'

finish
