#!/usr/bin/env bash
# The tamper-evident audit chain: every change appends an entry; cradle audit
# verify recomputes the chain and names the first bad entry after a row is
# edited, deleted or two rows are swapped directly in SQLite.
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN

for i in 1 2 3; do
  api POST /api/v1/products "$ADMIN_TOKEN" "$(jq -c ".model=\"M$i\"" <<<"$PRODUCT_JSON")"
done
make_token ops release-manager >/dev/null
api PATCH /api/v1/products/1 "$ADMIN_TOKEN" '{"name":"Renamed"}'

out=$("$CRADLE" audit list --json); rc=$?
expect_eq "audit list succeeds" "$rc" 0
n=$(jq '.items | length' <<<"$out")
# The first start registers the TLS CA and server key in the key registry
# (issue 11, docs/keys.md): two key.register entries by the system.
expect_eq "init + 2 key registrations + 3 creates + token + update = 8 entries" "$n" 8
expect_eq "entries are numbered from 1" "$(jq -c '[.items[].seq]' <<<"$out")" '[1,2,3,4,5,6,7,8]'
expect_eq "first entry chains from the genesis hash" "$(jq -r '.items[0].prev_hash' <<<"$out")" "$(printf '0%.0s' $(seq 64))"
expect_eq "the key registrations are the system's" "$(jq -r '.items[1:3] | map(.action + "/" + .actor_name) | join(",")' <<<"$out")" "key.register/system,key.register/system"
expect_eq "actor is the token name and role" "$(jq -r '.items[3] | .actor_name + "/" + .actor_role' <<<"$out")" "admin/admin"

out=$("$CRADLE" audit list --object product:1 --json)
expect_eq "filter by object" "$(jq -r '[.items[].action] | join(",")' <<<"$out")" "product.create,product.update"
out=$("$CRADLE" audit list --actor admin --limit 2 --json)
expect_eq "limit pages the result" "$(jq '.items | length' <<<"$out")" 2
expect_eq "next_after points past the page" "$(jq .next_after <<<"$out")" "$(jq '.items[1].seq' <<<"$out")"
out=$("$CRADLE" audit list --actor admin --limit 2 --all --json)
expect_eq "--all follows every page" "$(jq '.items | length' <<<"$out")" 5
out=$("$CRADLE" audit list --since 2000-01-01T00:00:00Z --until 2000-12-31T00:00:00Z --json)
expect_eq "a time range with nothing in it is empty" "$(jq '.items | length' <<<"$out")" 0
api GET "/api/v1/audit?since=yesterday" "$ADMIN_TOKEN"
expect_eq "a bad time is a 400" "$STATUS" 400
expect_match "the 400 names the parameter" "$(jqr .detail)" 'since'
api GET "/api/v1/audit?limit=100000" "$ADMIN_TOKEN"
expect_eq "an out-of-range limit is a 400" "$STATUS" 400

out=$("$CRADLE" audit verify 2>&1); rc=$?
expect_eq "an untouched chain verifies" "$rc" 0
expect_match "verify reports the count" "$out" '8'
api GET /api/v1/audit/verify "$ADMIN_TOKEN"
expect_eq "server-side verify agrees" "$(jqr .ok)" true

db="$DATA/cradle.db"
snapshot() { stop_server; cp "$db" "$E2E_TMP/clean.db"; rm -f "$db-wal" "$db-shm"; }
restore() { stop_server; cp "$E2E_TMP/clean.db" "$db"; rm -f "$db-wal" "$db-shm"; start_server; }
stop_server; sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null; snapshot; start_server

# 1. Edit a row.
stop_server; sqlite3 "$db" "UPDATE audit_log SET details = replace(details, 'M2', 'M9') WHERE seq = 5;"; start_server
out=$("$CRADLE" audit verify 2>&1); rc=$?
expect_eq "an edited row fails verification (exit 5)" "$rc" 5
expect_match "verify names the edited entry" "$out" 'entry 5'
api GET /api/v1/audit/verify "$ADMIN_TOKEN"
expect_eq "server-side verify names the same entry" "$(jqr .bad_seq)" 5
restore

# 2. Delete a row.
stop_server; sqlite3 "$db" "DELETE FROM audit_log WHERE seq = 4;"; start_server
out=$("$CRADLE" audit verify 2>&1); rc=$?
expect_eq "a deleted row fails verification" "$rc" 5
expect_match "verify names the missing entry" "$out" 'entry 4'
restore

# 3. Swap two rows (contents exchanged, seq kept).
stop_server
sqlite3 "$db" <<'SQL'
CREATE TEMP TABLE t AS SELECT * FROM audit_log WHERE seq IN (2, 5);
UPDATE audit_log SET time=(SELECT time FROM t WHERE seq=5), actor_name=(SELECT actor_name FROM t WHERE seq=5), actor_role=(SELECT actor_role FROM t WHERE seq=5), action=(SELECT action FROM t WHERE seq=5), object=(SELECT object FROM t WHERE seq=5), details=(SELECT details FROM t WHERE seq=5), prev_hash=(SELECT prev_hash FROM t WHERE seq=5), hash=(SELECT hash FROM t WHERE seq=5) WHERE seq=2;
UPDATE audit_log SET time=(SELECT time FROM t WHERE seq=2), actor_name=(SELECT actor_name FROM t WHERE seq=2), actor_role=(SELECT actor_role FROM t WHERE seq=2), action=(SELECT action FROM t WHERE seq=2), object=(SELECT object FROM t WHERE seq=2), details=(SELECT details FROM t WHERE seq=2), prev_hash=(SELECT prev_hash FROM t WHERE seq=2), hash=(SELECT hash FROM t WHERE seq=2) WHERE seq=5;
SQL
start_server
out=$("$CRADLE" audit verify 2>&1); rc=$?
expect_eq "swapped rows fail verification" "$rc" 5
expect_match "verify names the first swapped entry" "$out" 'entry 2'
restore

# Restored from the snapshot, the chain is whole again.
out=$("$CRADLE" audit verify 2>&1); rc=$?
expect_eq "the restored chain verifies again" "$rc" 0
finish
