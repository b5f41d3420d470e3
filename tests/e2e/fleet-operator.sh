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
# device's N history entries, N security events and N releases.
sqlite3 "$db" <<SQL
PRAGMA busy_timeout = 10000;
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

finish
