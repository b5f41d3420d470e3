#!/usr/bin/env bash
# The operator at fleet size (issue 8, section 4): every list command pages
# through the whole collection (more than one server page of 1,000), or says
# that it stopped when one page was asked for; bulk tagging by serial list or
# file, audited per device. Rows are made with sqlite3 so the test stays fast.
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
identity_setup || { tap_fail "identity setup"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
db="$DATA/cradle.db"
N=1005

# N devices of product T1-EU, batch B1 (serials F0001..F1005), one
# device's N history entries and N update actions, N security events and N
# releases.
sqlite3 "$db" <<SQL
.timeout 10000
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO devices (serial, product_id, batch_id, hardware_revision, production_date, station,
                     initial_firmware_version, status, origin, created_at)
SELECT printf('F%04d', i), p.id, b.id, 'r2', '2026-11-01', 'line-1', '1.0.0', 'active', 'factory', 1790000000
FROM n, products p JOIN batches b ON b.product_id = p.id WHERE p.model = 'T1-EU';
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO device_update_history (device_id, time, stage, to_version, result)
SELECT d.id, 1790000000 + i, 'downloading', '1.1.0', 'in-progress' FROM n, devices d WHERE d.serial = 'F0001';
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO security_events (time, kind, severity, source, details)
SELECT 1790000000 + i, 'test.event', 'low', 'e2e', '{}' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO releases (product_id, version, security_version, hardware_revisions, notes, status, created_at, created_by)
SELECT p.id, printf('0.0.%d', i), i, '["r2"]', '', 'draft', 1790000000, 'e2e' FROM n, products p WHERE p.model = 'T1-EU';
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO update_actions (device_id, release_id, status, created_at, created_by, updated_at, closed_at)
SELECT d.id, r.id, 'superseded', 1790000000 + i, 'e2e', 1790000000 + i, 1790000000 + i
FROM n, devices d, releases r WHERE d.serial = 'F0001' AND r.version = '0.0.1';
COMMIT;
SQL

# --- every list shows the whole collection ---
out=$("$CRADLE" device list 2>&1); rc=$?
expect_eq "device list succeeds" "$rc" 0
expect_eq "device list shows all $N devices (one header line)" "$(($(wc -l <<<"$out") - 1))" "$N"
expect_match "device list reaches the last device" "$out" 'F1005'
out=$("$CRADLE" device list --json)
expect_eq "device list --json holds all $N" "$(jq '.items | length' <<<"$out")" "$N"
expect_eq "device list --json says there is no more" "$(jq -c .next_after_id <<<"$out")" null
expect_eq "device list --json has each device once" "$(jq '[.items[].serial] | unique | length' <<<"$out")" "$N"

out=$("$CRADLE" device history F0001 --json); rc=$?
expect_eq "device history succeeds" "$rc" 0
expect_eq "device history shows all $N entries" "$(jq '.items | length' <<<"$out")" "$N"
out=$("$CRADLE" device history F0001 --limit 10 --json 2>"$E2E_TMP/err")
expect_eq "device history --limit 10 shows one page of 10" "$(jq '.items | length' <<<"$out")" 10
expect_match "device history --limit says it stopped and how to go on" "$(cat "$E2E_TMP/err")" \
  'stopped after 10 entries; more follow: use --after [0-9]+'
first=$(jq '.items[0].id' <<<"$out")
out=$("$CRADLE" device history F0001 --after "$first" --json)
expect_eq "device history --after pages through the rest" "$(jq '.items | length' <<<"$out")" "$((N - 1))"

out=$("$CRADLE" device actions F0001 --json); rc=$?
expect_eq "device actions succeeds" "$rc" 0
expect_eq "device actions shows all $N actions" "$(jq '.items | length' <<<"$out")" "$N"
expect_eq "... newest first, each once" "$(jq '[.items[].id] | (. == (sort | reverse)) and (unique | length) == length' <<<"$out")" true

out=$("$CRADLE" security-events --json); rc=$?
expect_eq "security-events succeeds" "$rc" 0
expect_eq "security-events shows all $N events" "$(jq '[.items[] | select(.kind == "test.event")] | length' <<<"$out")" "$N"

out=$("$CRADLE" release list --json); rc=$?
expect_eq "release list succeeds" "$rc" 0
expect_eq "release list shows all $N releases" "$(jq '.items | length' <<<"$out")" "$N"
expect_eq "release list has each release once" "$(jq '[.items[].id] | unique | length' <<<"$out")" "$N"
api GET "/api/v1/releases?limit=2" "$ADMIN_TOKEN"
expect_eq "GET /api/v1/releases?limit=2 gives two" "$(jqr '.items | length')" 2
expect_eq "... and a cursor below the second" "$(jqr .next_before_id)" "$(jqr '.items[1].id')"
api GET "/api/v1/releases?limit=0" "$ADMIN_TOKEN"
expect_eq "a limit of 0 is refused" "$STATUS" 400

# --- bulk tags: a file streamed in chunks, one audit entry per changed device ---
seq -f 'F%04g' 1 "$N" >"$E2E_TMP/serials"
printf '# the pilot fleet\n\n' | cat - "$E2E_TMP/serials" >"$E2E_TMP/serials-commented"
audits() { sqlite3 "$db" "SELECT count(*) FROM audit_log WHERE action = 'device.tags.set';"; }
out=$("$CRADLE" device tag --add pilot --add eu --serials-file "$E2E_TMP/serials-commented" 2>&1); rc=$?
expect_eq "device tag --add --serials-file succeeds" "$rc" 0
expect_eq "it tagged all $N devices in two requests" "$out" "$N devices: $N changed, 0 already so (2 requests)"
expect_eq "every device carries both tags" \
  "$(sqlite3 "$db" "SELECT count(*) FROM device_tags WHERE tag IN ('pilot', 'eu');")" "$((2 * N))"
expect_eq "one audit entry per device" "$(audits)" "$N"
out=$("$CRADLE" audit list --object device:F1005 --json)
expect_eq "the last device's audit entry names its tags and the bulk" \
  "$(jq -c '.items[-1].details | [.tags, .previous, .bulk]' <<<"$out")" '[["eu","pilot"],[],true]'
out=$("$CRADLE" device tag --add pilot --serials-file "$E2E_TMP/serials" --json); rc=$?
expect_eq "tagging again succeeds" "$rc" 0
expect_eq "... changes nothing" "$(jq -c '[.devices, .changed, .unchanged]' <<<"$out")" "[$N,0,$N]"
expect_eq "... and audits nothing" "$(audits)" "$N"
out=$("$CRADLE" device tag --remove eu --add lab F0001 F0002 2>&1); rc=$?
expect_eq "device tag --remove --add SERIAL... succeeds" "$rc" 0
expect_eq "F0001 keeps pilot, loses eu, gains lab" "$("$CRADLE" device show F0001 --json | jq -c .tags)" '["lab","pilot"]'
expect_eq "F0003 is untouched" "$("$CRADLE" device show F0003 --json | jq -c .tags)" '["eu","pilot"]'
printf 'F0003\nNOPE-1\n' >"$E2E_TMP/bad-serials"
out=$("$CRADLE" device tag --add extra --serials-file "$E2E_TMP/bad-serials" 2>&1); rc=$?
expect_eq "an unknown serial refuses the request (exit 3)" "$rc" 3
expect_match "... naming it and saying what was applied" "$out" "NOPE-1.*stopped: the request for devices 1-2"
expect_eq "... and nothing of that request is applied" "$("$CRADLE" device show F0003 --json | jq -c .tags)" '["eu","pilot"]'
"$CRADLE" device tag --add a --tag b F0001 >/dev/null 2>&1
expect_eq "--add with --tag is a usage error" "$?" 2
"$CRADLE" device tag --serials-file "$E2E_TMP/serials" >/dev/null 2>&1
expect_eq "--serials-file without --add/--remove is a usage error" "$?" 2

bulk() { api POST /api/v1/devices/tags "$ADMIN_TOKEN" "$1"; }
bulk '{"add": ["x"], "remove": ["x"], "devices": ["F0001"]}'
expect_eq "a tag in both add and remove is 400" "$STATUS" 400
expect_match "... naming it" "$(jqr .detail)" "'x' is in both"
bulk '{"add": [], "devices": ["F0001"]}'
expect_eq "no tag at all is 400" "$STATUS" 400
bulk '{"add": ["x"], "devices": ["F0001", "F0002", "F0001"]}'
expect_eq "a serial twice is 400" "$STATUS" 400
expect_match "... naming it" "$(jqr .detail)" "F0001"
bulk '{"add": ["Bad Tag"], "devices": ["F0001"]}'
expect_eq "an invalid tag is 400" "$STATUS" 400
bulk "$(jq -c -n '{add: ["x"], devices: [range(1001) | "S\(.)"]}')"
expect_eq "1001 serials is 400" "$STATUS" 400
bulk '{"add": ["x"], "devices": []}'
expect_eq "no serial is 400" "$STATUS" 400
bulk "$(jq -c -n '{add: [range(31) | "t\(.)"], devices: ["F0001"]}')"
expect_eq "more than 32 tags on a device is 409" "$STATUS" 409
expect_match "... naming the device" "$(jqr .detail)" "F0001 would carry 33 tags"
api POST /api/v1/devices/tags "$(make_token rm-bulk release-manager)" '{"add": ["rm"], "devices": ["F0005"]}'
expect_eq "a release manager may tag" "$STATUS" 200
api POST /api/v1/devices/tags "$FACTORY_TOKEN" '{"add": ["f"], "devices": ["F0005"]}'
expect_eq "the factory role may not (403)" "$STATUS" 403

finish
