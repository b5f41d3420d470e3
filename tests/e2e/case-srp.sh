#!/usr/bin/env bash
# SRP report packages (issue 10 section 3) through the CLI and the API: an
# actively exploited case -> the 24 h and 72 h packages with every required
# field filled or named as missing -> submitted (evidence with its SHA-256,
# due time and lateness) -> the final package after a fix release, due 14
# days after the fix's publication. Devices and the releases' published
# status are written with sqlite3 (enrolment and signing are tested elsewhere).
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
SO=$(make_token so security-officer)
AUD=$(make_token aud auditor)
RM=$(make_token rm release-manager)
db() { sqlite3 "$DATA/cradle.db" ".timeout 10000" "$@"; }
api POST /api/v1/products "$ADMIN_TOKEN" "$PRODUCT_JSON"
pid=$(jqr .id)
rel() { # VERSION PUBLISHED_AT -> REL_ID
  api POST /api/v1/releases "$ADMIN_TOKEN" \
    "{\"product\":\"T1-EU\",\"version\":\"$1\",\"security_version\":1,\"hardware_revisions\":[\"r2\"],\"notes\":\"n\"}"
  REL_ID=$(jqr .id)
  db "UPDATE releases SET status = 'published', published_at = $2 WHERE id = $REL_ID"
}
rel 1.0.0 1767225600; R1=$REL_ID
db "INSERT INTO devices (serial, product_id, initial_firmware_version, status, origin, created_at) VALUES
      ('D1', $pid, '1.0.0', 'active', 'factory', 0), ('D2', $pid, '1.0.0', 'active', 'factory', 0),
      ('D3', $pid, '1.0.0', 'active', 'factory', 0), ('D4', $pid, '1.0.0', 'active', 'factory', 0);"

out=$(CRADLE_TOKEN=$SO "$CRADLE" case create --title "Overflow in the OTA parser" \
  --summary "A crafted manifest overflows a stack buffer." --cve CVE-2026-12345 --affected "$pid:$R1" --json 2>&1)
ref=$(jq -r .reference <<<"$out")
CRADLE_TOKEN=$SO "$CRADLE" case set "$ref" --state triaging --reason "looking" >/dev/null 2>&1
CRADLE_TOKEN=$SO "$CRADLE" case aware "$ref" --exploited --at 2026-12-01T23:30:00Z --how "CSIRT saw it exploited" >/dev/null 2>&1

# 24 h: every required field is prefilled.
out=$(CRADLE_TOKEN=$AUD "$CRADLE" case report "$ref" --stage early-warning --json 2>&1); rc=$?
expect_eq "an auditor produces the early-warning package" "$rc" 0
expect_eq "nothing required is missing at 24 h" "$(jq -r '.missing | length' <<<"$out")" 0
expect_eq "Member States and manufacturer come from the product" \
  "$(jq -r '.package.fields | .member_states + " / " + .manufacturer' <<<"$out")" "DE, FR, IT / Acme GmbH"
expect_eq "affected units come from the fleet" "$(jq -r .package.fields.affected_units <<<"$out")" 4
md=$(CRADLE_TOKEN=$SO "$CRADLE" case report "$ref" --stage early-warning 2>&1)
expect_match "the Markdown lists the fields in the form's order" "$md" "## 1\. Notification type.*## 2\. Title"

# 72 h: what Cradle cannot know is named.
out=$(CRADLE_TOKEN=$SO "$CRADLE" case report "$ref" --stage notification 2>&1 >/dev/null)
expect_match "the notification names its missing fields" "$out" "missing required fields:.*sensitivity measures_taken"
big=$(head -c 256 /dev/zero | tr '\0' a)
printf '{"title": "%s"}' "$big" >"$E2E_TMP/long.json"
out=$(CRADLE_TOKEN=$SO "$CRADLE" case report "$ref" --stage notification --fields "$E2E_TMP/long.json" 2>&1); rc=$?
expect_eq "an over-long title is refused (exit 3)" "$rc" 3
expect_match "naming the field and its limit" "$out" '"title" is 256 characters, over its limit of 255'

# Submitted: evidence with hash, due time and lateness.
out=$(CRADLE_TOKEN=$SO "$CRADLE" case submitted "$ref" --stage early-warning --srp-ref SRP-EW-77 \
  --at 2026-12-03T01:30:00Z --json 2>&1); rc=$?
expect_eq "the early warning is recorded" "$rc" 0
expect_eq "due 24 h after awareness" "$(jq -r '.items[0].due_at' <<<"$out")" 2026-12-02T23:30:00Z
expect_eq "2 h late, and it says so" "$(jq -r '.items[0] | "\(.late) \(.late_by_seconds)"' <<<"$out")" "true 7200"
sha=$(jq -r '.items[0].content_sha256' <<<"$out")
expect_eq "the SHA-256 is that of the stored content" \
  "$(db "SELECT content FROM case_submissions" | tr -d '\n' | sha256sum | cut -d' ' -f1)" "$sha"
out=$(db "DELETE FROM case_submissions" 2>&1); rc=$?
expect_eq "the database refuses to delete evidence" "$(( rc != 0 ))" 1
printf '{"measures_taken": "Parser hardened", "measures_users_can_take": "Update", "sensitivity": "TLP:AMBER",
  "product_type": "default", "category": "firmware", "mitigation_expected_shortly": true, "user_action": "update",
  "general_information": "Stack overflow via manifest"}' >"$E2E_TMP/n.json"
out=$(CRADLE_TOKEN=$SO "$CRADLE" case submitted "$ref" --stage notification --srp-ref SRP-N-78 \
  --at 2026-12-04T10:00:00Z --fields "$E2E_TMP/n.json" --json 2>&1); rc=$?
expect_eq "the notification is recorded on time" "$(jq -r '.items[1].late' <<<"$out")" false
out=$(CRADLE_TOKEN=$SO "$CRADLE" case show "$ref" --json)
expect_eq "case show's clocks read the submission" \
  "$(jq -r '.clocks[] | select(.report=="notification") | .submitted_at' <<<"$out")" 2026-12-04T10:00:00Z
api POST "/api/v1/cases/$ref/submissions" "$AUD" '{"stage":"final","srp_ref":"x"}'
expect_eq "an auditor cannot record a submission" "$STATUS" 403
api GET "/api/v1/cases/$ref/submissions" "$RM"
expect_eq "a release manager cannot read submissions" "$STATUS" 403
api GET "/api/v1/cases/$ref/submissions" "$AUD"
expect_eq "an auditor reads them" "$(jqr '.items | length')" 2

# The fix: final package and its due time from the fix's publication.
rel 1.1.0 1796342400; R2=$REL_ID
db "INSERT INTO device_update_state (device_id, installed_version, last_seen)
      SELECT id, '1.1.0', 1 FROM devices WHERE serial IN ('D1', 'D2', 'D3');"
CRADLE_TOKEN=$SO "$CRADLE" case link "$ref" --fix-release "$R2" --reason "fixed in 1.1.0" >/dev/null 2>&1
out=$(CRADLE_TOKEN=$SO "$CRADLE" case report "$ref" --stage final --json 2>/dev/null)
expect_eq "the final package defaults to the notification's values" "$(jq -r .package.fields.measures_taken <<<"$out")" \
  "Parser hardened"
expect_eq "patched and affected units after the fix" \
  "$(jq -r '.package.fields | "\(.patched_units) \(.affected_units)"' <<<"$out")" "3 1"
expect_eq "the final report lacks only severity and impact (update details come from the fix)" \
  "$(jq -r '.missing | join(",")' <<<"$out")" "severity_impact"
out=$(CRADLE_TOKEN=$SO "$CRADLE" case submitted "$ref" --stage final --srp-ref SRP-F-79 --at 2026-12-04T12:00:00Z 2>&1); rc=$?
expect_eq "an incomplete final report cannot be recorded" "$rc" 3
expect_match "naming the field" "$out" "severity_impact"
printf '{"severity_impact": "Critical: remote code execution"}' >"$E2E_TMP/f.json"
out=$(CRADLE_TOKEN=$SO "$CRADLE" case submitted "$ref" --stage final --srp-ref SRP-F-79 --at 2026-12-04T12:00:00Z \
  --fields "$E2E_TMP/f.json" --json 2>&1)
expect_eq "final due 14 days after the fix was published (2026-12-04T00:00:00Z + 14 d)" \
  "$(jq -r '.items[2].due_at' <<<"$out")" 2026-12-18T00:00:00Z
expect_eq "and on time" "$(jq -r '.items[2].late' <<<"$out")" false
api GET "/api/v1/audit?object=case/$ref" "$ADMIN_TOKEN"
expect_eq "each submission is audited" "$(jqr '[.items[] | select(.action == "case.submitted")] | length')" 3
finish
