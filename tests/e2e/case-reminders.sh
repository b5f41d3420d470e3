#!/usr/bin/env bash
# Art. 14 reminders (issue 10 section 3), time-shifted: cradled's reminder
# thread reads "now" from CRADLE_TEST_CLOCK_FILE (test builds only); the test
# moves it forward and sees the reminders fire in order, once each, as
# security events, in /metrics, and through the signed webhook to a local
# receiver that checks the HMAC (and fails the first delivery, so the retry
# is exercised too).
source "$(dirname "$0")/lib.sh"

if [[ "${CRADLE_FAULT_INJECTION:-0}" != 1 ]]; then
  tap_skip "time-shifted reminders" "needs a test build (CRADLE_FAULT_INJECTION)"; finish; exit 0
fi
command -v python3 >/dev/null || { tap_skip "time-shifted reminders" "no python3"; finish; exit 0; }

init_server || { tap_fail "init"; finish; exit 1; }
SECRET=$DATA/webhook.secret
head -c 32 /dev/urandom | base64 >"$SECRET"; chmod 600 "$SECRET"
HOOK_LOG=$E2E_TMP/hook.log; : >"$HOOK_LOG"
HOOK_PORT=$(free_port)
FAIL_FIRST=1 python3 "$(dirname "$0")/webhook-receiver.py" "$HOOK_PORT" "$SECRET" "$HOOK_LOG" >"$E2E_TMP/hook.out" 2>&1 &
HOOK_PID=$!
trap 'kill $HOOK_PID 2>/dev/null' EXIT
for _ in $(seq 1 50); do [[ -s "$E2E_TMP/hook.out" ]] && break; sleep 0.1; done

sed -i "/^\[cases\]/,/^\[/{s|^#* *reminder_interval = .*|reminder_interval = 1s|; s|^#* *webhook_url = .*|webhook_url = http://127.0.0.1:$HOOK_PORT/hook|; s|^#* *webhook_secret_file = .*|webhook_secret_file = webhook.secret|}" "$DATA/cradled.conf"
expect_match "the config has the [cases] webhook" "$(cat "$DATA/cradled.conf")" "webhook_url = http://127.0.0.1:$HOOK_PORT"

AWARE=2026-11-02T06:00:00Z
A=$(date -ud "$AWARE" +%s)
export CRADLE_TEST_CLOCK_FILE=$E2E_TMP/now
echo $((A + 3600)) >"$CRADLE_TEST_CLOCK_FILE"
start_server || { tap_fail "server starts"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
api POST /api/v1/products "$ADMIN_TOKEN" "$PRODUCT_JSON"
ref=$("$CRADLE" case create --title "Exploited overflow" --summary "In the wild." --affected "$(jqr .id)" --json | jq -r .reference)
"$CRADLE" case aware "$ref" --exploited --at "$AWARE" --how "CSIRT notice" >/dev/null
expect_match "a case is exploited since $AWARE" "$ref" '^CASE-'

# set_now SECONDS_AFTER_AWARENESS, then wait for two rounds of the thread
set_now() { echo $((A + $1)) >"$CRADLE_TEST_CLOCK_FILE"; sleep 2.5; }
events() {
  api GET "/api/v1/security-events?kind=case.clock.reminder" "$ADMIN_TOKEN"
  jq -r '[.items[] | .details.report + " " + .details.point] | sort | join(",")' <<<"$BODY"
}

set_now 3600
expect_eq "1 h after awareness: nothing fires" "$(events)" ""
set_now $((12 * 3600))
expect_eq "12 h (50 % of 24 h): the early warning's 50 % reminder" "$(events)" "early_warning 50%"
set_now $((19 * 3600 + 13 * 60))
expect_eq "19 h 13 min (80 %): the 80 % one, the 50 % one not again" "$(events)" \
  "early_warning 50%,early_warning 80%"
set_now $((24 * 3600 + 1))
expect_eq "24 h + 1 s: overdue" "$(events)" "early_warning 50%,early_warning 80%,early_warning overdue"
out=$(curl -sS --cacert "$CA" "$URL/metrics")
expect_match "/metrics counts the case as overdue" "$out" 'cradle_case_clocks\{status="overdue"\} 1'
set_now $((36 * 3600))
expect_eq "36 h: the notification's 50 %" "$(events)" \
  "early_warning 50%,early_warning 80%,early_warning overdue,notification 50%"
api GET "/api/v1/security-events?kind=case.clock.reminder" "$ADMIN_TOKEN"
expect_eq "an overdue reminder is a critical event" \
  "$(jq -r '.items[] | select(.details.point=="overdue") | .severity' <<<"$BODY")" critical

# The webhook: every reminder arrived once, signed, in order; the first
# delivery failed (500) and was retried.
for _ in $(seq 1 30); do [[ $(wc -l <"$HOOK_LOG") -ge 4 ]] && break; sleep 0.5; done
expect_eq "the receiver got each reminder once, in order, with a valid signature" "$(paste -sd, "$HOOK_LOG")" \
  "early_warning 50%,early_warning 80%,early_warning overdue,notification 50%"
expect_nomatch "no delivery had a bad signature" "$(cat "$HOOK_LOG")" 'BAD'
attempts=$(sqlite3 "$DATA/cradle.db" "SELECT webhook_attempts FROM case_reminders WHERE point = '50%' AND report = 'early_warning'" 2>/dev/null)
expect_eq "the failed first delivery was retried" "$attempts" 2
expect_match "the secret never reaches the log" "$(grep -c "$(cat "$SECRET")" "$E2E_TMP/cradled.log" || true)" '^0$'
out=$("$CRADLE" case show "$ref" --json)
expect_eq "reminders are in the timeline" "$(jq '[.timeline[] | select(.action=="reminder")] | length' <<<"$out")" 4

stop_server
finish
