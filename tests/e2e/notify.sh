#!/usr/bin/env bash
# Informing users (CRA Art. 14(8)) and end of support (Art. 13(19)), issue 10
# section 6, through the CLI and the API:
#  - owner references on a batch and on devices (admin only; an e-mail address,
#    a name or an over-long reference is refused), shown by device show;
#  - a case's notification list: the unpatched devices of the affected product
#    grouped by owner with the fixing release, as a table, JSON and
#    spreadsheet-safe CSV (auditors read it; factory tokens do not);
#  - sending it through the signed webhook (409 while none is configured);
#  - the public support.json and the end-of-support reminders at 12 and 6
#    months, time-shifted with CRADLE_TEST_CLOCK_FILE, each firing once, as
#    security events and webhook deliveries.
# Devices and the releases' published status are written with sqlite3
# (enrolment and signing are tested elsewhere).
source "$(dirname "$0")/lib.sh"

if [[ "${CRADLE_FAULT_INJECTION:-0}" != 1 ]]; then
  tap_skip "informing users and end of support" "needs a test build (CRADLE_FAULT_INJECTION)"; finish; exit 0
fi
command -v python3 >/dev/null || { tap_skip "informing users" "no python3"; finish; exit 0; }

init_server || { tap_fail "init"; finish; exit 1; }
export CRADLE_TEST_CLOCK_FILE=$E2E_TMP/now
date -ud 2026-12-01T00:00:00Z +%s >"$CRADLE_TEST_CLOCK_FILE"
sed -i "/^\[cases\]/,/^\[/{s|^#* *reminder_interval = .*|reminder_interval = 1s|}" "$DATA/cradled.conf"
start_server || { tap_fail "server starts"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
SO=$(make_token so security-officer)
AUD=$(make_token aud auditor)
FAC=$(make_token fac factory)
db() { sqlite3 "$DATA/cradle.db" ".timeout 10000" "$@"; }
api POST /api/v1/products "$ADMIN_TOKEN" "$PRODUCT_JSON"
pid=$(jqr .id)
rel() { # VERSION -> REL_ID
  api POST /api/v1/releases "$ADMIN_TOKEN" \
    "{\"product\":\"T1-EU\",\"version\":\"$1\",\"security_version\":1,\"hardware_revisions\":[\"r2\"],\"notes\":\"n\"}"
  REL_ID=$(jqr .id)
  db "UPDATE releases SET status = 'published', published_at = 1767225600 WHERE id = $REL_ID"
}
rel 1.0.0; R1=$REL_ID
rel 1.1.0; R2=$REL_ID
"$CRADLE" batch create --product T1-EU --name B1 --hardware-revision r2 --production-date 2026-11-01 \
  --firmware 1.0.0 >/dev/null
bid=$(db "SELECT id FROM batches WHERE name = 'B1'")
db "INSERT INTO devices (serial, product_id, batch_id, initial_firmware_version, status, origin, created_at) VALUES
      ('D1', $pid, $bid, '1.0.0', 'active', 'factory', 0), ('D2', $pid, $bid, '1.0.0', 'active', 'factory', 0),
      ('D3', $pid, $bid, '1.0.0', 'active', 'factory', 0), ('D4', $pid, NULL, '1.0.0', 'active', 'factory', 0),
      ('D5', $pid, $bid, '1.0.0', 'active', 'factory', 0), ('D6', $pid, $bid, '1.0.0', 'decommissioned', 'factory', 0);
    INSERT INTO device_update_state (device_id, installed_version, last_seen)
      SELECT id, '1.1.0', 1 FROM devices WHERE serial = 'D5';"

# --- owner references ---
out=$("$CRADLE" batch set-owner "$bid" CUST-B1 2>&1)
expect_eq "admin sets the batch's owner reference" "$?" 0
out=$("$CRADLE" device set-owner D1 CUST-42 2>&1)
expect_eq "admin sets a device's owner reference" "$?" 0
"$CRADLE" device set-owner D2 -- -7 >/dev/null 2>&1
out=$("$CRADLE" device show D1 --json)
expect_eq "device show: the device's own reference" "$(jq -r '.owner_ref + " " + .owner_ref_from' <<<"$out")" \
  "CUST-42 device"
out=$("$CRADLE" device show D3 --json)
expect_eq "device show: a device without one inherits its batch's" \
  "$(jq -r '.owner_ref + " " + .owner_ref_from' <<<"$out")" "CUST-B1 batch"
out=$("$CRADLE" device show D1)
expect_match "device show prints the owner reference" "$out" 'owner reference: *CUST-42'
api PUT /api/v1/devices/D1/owner "$ADMIN_TOKEN" '{"owner_ref":"alice@example.com"}'
expect_eq "an e-mail address is refused" "$STATUS" 400
expect_match "the refusal names what is wrong" "$(jqr .detail)" "never a name or an e-mail"
api PUT /api/v1/devices/D1/owner "$ADMIN_TOKEN" '{"owner_ref":"Alice Smith"}'
expect_eq "a name (with a space) is refused" "$STATUS" 400
api PUT /api/v1/devices/D1/owner "$ADMIN_TOKEN" "{\"owner_ref\":\"$(printf 'C%.0s' $(seq 1 65))\"}"
expect_eq "65 characters are refused" "$STATUS" 400
api PUT /api/v1/devices/D1/owner "$ADMIN_TOKEN" "{\"owner_ref\":\"$(printf 'C%.0s' $(seq 1 64))\"}"
expect_eq "64 characters are accepted" "$STATUS" 200
"$CRADLE" device set-owner D1 CUST-42 >/dev/null 2>&1
api PUT /api/v1/devices/NOPE/owner "$ADMIN_TOKEN" '{"owner_ref":"X"}'
expect_eq "an unknown device is 404" "$STATUS" 404
api PUT /api/v1/devices/D1/owner "$SO" '{"owner_ref":"X"}'
expect_eq "a security officer cannot set an owner reference" "$STATUS" 403
api PUT "/api/v1/batches/$bid/owner" "$FAC" '{"owner_ref":"X"}'
expect_eq "a factory token cannot set a batch's" "$STATUS" 403
expect_eq "the owner references are audited" \
  "$(db "SELECT count(*) FROM audit_log WHERE action IN ('device.owner.set', 'batch.owner.set')" 2>/dev/null)" 5

# --- the notification list ---
ref=$(CRADLE_TOKEN=$SO "$CRADLE" case create --title "Overflow in the OTA parser" \
  --summary "A crafted manifest overflows a stack buffer." --affected "$pid" --json | jq -r .reference)
CRADLE_TOKEN=$SO "$CRADLE" case link "$ref" --fix-release "$R2" --reason "fixed in 1.1.0" >/dev/null 2>&1
out=$(CRADLE_TOKEN=$AUD "$CRADLE" case notify-list "$ref" --format json 2>&1)
expect_eq "an auditor reads the list" "$?" 0
expect_eq "grouped by owner: own reference, batch's, none; patched and decommissioned units left out" \
  "$(jq -r '[.groups[] | "\(.owner_ref) \(.product) \(.devices) \(.fixing_release)"] | join(",")' <<<"$out")" \
  "-7 T1-EU 1 1.1.0,CUST-42 T1-EU 1 1.1.0,CUST-B1 T1-EU 1 1.1.0,null T1-EU 1 1.1.0"
expect_eq "the totals" "$(jq -r '"\(.devices_total) \(.devices_without_owner) \(.fixing_release.version)"' <<<"$out")" \
  "4 1 1.1.0"
out=$(CRADLE_TOKEN=$AUD "$CRADLE" case notify-list "$ref" --format csv 2>&1)
expect_eq "CSV: RFC 4180 lines end with CRLF" "$(grep -c $'\r$' <<<"$out")" 5
expect_eq "CSV rows; the formula-like cell quoted and defused" "$(tr -d '\r' <<<"$out" | paste -sd'|')" \
  "owner_ref,product,devices,fixing_release|\"'-7\",T1-EU,1,1.1.0|CUST-42,T1-EU,1,1.1.0|CUST-B1,T1-EU,1,1.1.0|,T1-EU,1,1.1.0"
out=$(CRADLE_TOKEN=$SO "$CRADLE" case notify-list "$ref" 2>&1)
expect_match "the table names the unreachable units" "$out" "4 impacted device\\(s\\), 1 without an owner reference"
api GET "/api/v1/cases/$ref/notify-list" "$FAC"
expect_eq "a factory token cannot read the list" "$STATUS" 403
api GET "/api/v1/cases/$ref/notify-list?format=xml" "$SO"
expect_eq "an unknown format is 400" "$STATUS" 400
api GET "/api/v1/cases/CASE-2099-9999/notify-list" "$SO"
expect_eq "an unknown case is 404" "$STATUS" 404
api POST "/api/v1/cases/$ref/notify-list/send" "$SO" '{}'
expect_eq "sending without a webhook is 409" "$STATUS" 409
api POST "/api/v1/cases/$ref/publish" "$SO" '{"status": "interim", "notify": true}'
expect_eq "publishing with notify but no webhook is 409" "$STATUS" 409
expect_match "  naming the webhook" "$(jqr .detail)" "webhook"

# --- with the webhook: the list is sent; support reminders ---
stop_server
SECRET=$DATA/webhook.secret
head -c 32 /dev/urandom | base64 >"$SECRET"; chmod 600 "$SECRET"
HOOK_LOG=$E2E_TMP/hook.log; : >"$HOOK_LOG"
HOOK_PORT=$(free_port)
python3 "$(dirname "$0")/webhook-receiver.py" "$HOOK_PORT" "$SECRET" "$HOOK_LOG" >"$E2E_TMP/hook.out" 2>&1 &
HOOK_PID=$!
trap 'kill $HOOK_PID 2>/dev/null' EXIT
for _ in $(seq 1 50); do [[ -s "$E2E_TMP/hook.out" ]] && break; sleep 0.1; done
sed -i "/^\[cases\]/,/^\[/{s|^#* *webhook_url = .*|webhook_url = http://127.0.0.1:$HOOK_PORT/hook|; s|^#* *webhook_secret_file = .*|webhook_secret_file = webhook.secret|}" "$DATA/cradled.conf"
start_server || { tap_fail "server restarts"; finish; exit 1; }
api POST "/api/v1/cases/$ref/notify-list/send" "$AUD" '{}'
expect_eq "an auditor cannot send the list" "$STATUS" 403
api POST "/api/v1/cases/$ref/notify-list/send" "$SO" '{}'
expect_eq "a security officer sends it" "$STATUS" 202
for _ in $(seq 1 30); do grep -q notify_list "$HOOK_LOG" && break; sleep 0.5; done
expect_eq "the receiver got the signed list once" "$(grep -c "case.notify_list $ref 4" "$HOOK_LOG")" 1
out=$("$CRADLE" case show "$ref" --json)
expect_eq "the timeline records it" "$(jq '[.timeline[] | select(.action=="notify_list")] | length' <<<"$out")" 1
expect_eq "the audit trail records it" "$(db "SELECT count(*) FROM audit_log WHERE action = 'case.notify-list.sent'")" 1

# --- publishing the advisory with --notify sends the list too (issue 10 section 6) ---
stop_server
sed -i "/^\[csaf\]/,/^\[/ s|^base_url = .*|base_url = $URL|" "$DATA/cradled.conf"
start_server || { tap_fail "server restarts"; finish; exit 1; }
out=$(CRADLE_TOKEN=$SO "$CRADLE" --json case publish "$ref" --status interim --notify 2>&1)
expect_eq "case publish --notify: the advisory is out and the list queued" \
  "$(jq -r '"\(.number) \(.notification_list.devices_total) \(.notification_list.queued)"' <<<"$out")" "1 4 true"
for _ in $(seq 1 30); do [[ $(grep -c "case.notify_list $ref 4" "$HOOK_LOG") -ge 2 ]] && break; sleep 0.5; done
expect_eq "the receiver got the list a second time" "$(grep -c "case.notify_list $ref 4" "$HOOK_LOG")" 2
api POST "/api/v1/cases/$ref/publish" "$SO" '{"status": "interim", "summary": "again", "notify": "yes"}'
expect_eq "notify must be a boolean (400)" "$STATUS" 400

# --- end of support ---
out=$(curl -sS --cacert "$CA" "$URL/.well-known/cradle/support.json")
expect_eq "support.json is public: model, name, support end" \
  "$(jq -r '.products[] | "\(.model) \(.name) \(.support_end) \(.support_ended)"' <<<"$out")" \
  "T1-EU Thermostat T1 2031-12-31 false"
expect_eq "support.json carries no internal id" "$(jq '[.. | objects | select(has("id"))] | length' <<<"$out")" 0
set_now() { date -ud "$1" +%s >"$CRADLE_TEST_CLOCK_FILE"; sleep 2.5; }
events() {
  api GET "/api/v1/security-events?kind=product.support.reminder" "$ADMIN_TOKEN"
  jq -r '[.items[] | .details.product + " " + .details.point] | sort | join(",")' <<<"$BODY"
}
expect_eq "2026: no end-of-support reminder" "$(events)" ""
set_now 2030-12-30T23:00:00Z
expect_eq "the day before 12 months ahead: none" "$(events)" ""
set_now 2030-12-31T00:00:00Z
expect_eq "12 months before 2031-12-31: the 12m reminder" "$(events)" "T1-EU 12m"
set_now 2031-03-01T00:00:00Z
expect_eq "it fires once" "$(events)" "T1-EU 12m"
set_now 2031-06-30T12:00:00Z
expect_eq "6 months before: the 6m reminder" "$(events)" "T1-EU 12m,T1-EU 6m"
api GET "/api/v1/security-events?kind=product.support.reminder" "$ADMIN_TOKEN"
expect_eq "the 6m reminder is high, the 12m medium" \
  "$(jq -r '[.items[] | .details.point + "=" + .severity] | sort | join(",")' <<<"$BODY")" "12m=medium,6m=high"
for _ in $(seq 1 30); do [[ $(grep -c support "$HOOK_LOG") -ge 2 ]] && break; sleep 0.5; done
expect_eq "the receiver got both, signed, once each, in order" \
  "$(grep support "$HOOK_LOG" | paste -sd,)" \
  "product.support.reminder T1-EU 12m,product.support.reminder T1-EU 6m"
expect_nomatch "no delivery had a bad signature" "$(cat "$HOOK_LOG")" 'BAD'
set_now 2032-01-02T00:00:00Z
expect_eq "after the support end: nothing more" "$(events)" "T1-EU 12m,T1-EU 6m"

# --- SRP report drafts (issue 10 section 3) ---
echo '{"measures_taken": "Parser hardened", "sensitivity": "TLP:AMBER"}' >"$E2E_TMP/draft.json"
out=$(CRADLE_TOKEN=$SO "$CRADLE" case report "$ref" --stage notification --fields "$E2E_TMP/draft.json" --save-draft --json 2>/dev/null)
expect_eq "--save-draft keeps the fields with the case" "$(jq -r .package.fields.sensitivity <<<"$out")" "TLP:AMBER"
out=$(CRADLE_TOKEN=$AUD "$CRADLE" case report "$ref" --stage notification --json 2>/dev/null)
expect_eq "a later report without --fields uses the draft" "$(jq -r .package.fields.measures_taken <<<"$out")" \
  "Parser hardened"
api GET "/api/v1/cases/$ref/report-draft?stage=notification" "$AUD"
expect_eq "an auditor reads the draft" "$(jqr .fields.sensitivity)" "TLP:AMBER"
api PUT "/api/v1/cases/$ref/report-draft" "$AUD" '{"stage":"notification","fields":{"sensitivity":"TLP:RED"}}'
expect_eq "an auditor cannot save a draft" "$STATUS" 403
api PUT "/api/v1/cases/$ref/report-draft" "$SO" '{"stage":"notification","fields":{"nature":"x"}}'
expect_eq "a field of the other track is refused" "$STATUS" 400
CRADLE_TOKEN=$SO "$CRADLE" case report "$ref" --stage notification --discard-draft >/dev/null 2>&1
out=$(CRADLE_TOKEN=$SO "$CRADLE" case report "$ref" --stage notification --json 2>/dev/null)
expect_eq "--discard-draft removes it" "$(jq -r '.package.fields.measures_taken // "none"' <<<"$out")" "none"
expect_eq "saving and removing are audited" \
  "$(db "SELECT group_concat(action) FROM (SELECT action FROM audit_log WHERE action LIKE 'case.report-draft.%' ORDER BY seq)")" \
  "case.report-draft.saved,case.report-draft.removed"

stop_server
finish
