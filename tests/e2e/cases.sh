#!/usr/bin/env bash
# CRA reporting cases (issue 10 sections 1-2) through the CLI and the API:
# create, the state machine, awareness, the fixing-release link, the Art. 14
# clocks in `case show`, list with its next due clock, and the roles.
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
SO=$(make_token so security-officer)
AUD=$(make_token aud auditor)
RM=$(make_token rm release-manager)
api POST /api/v1/products "$ADMIN_TOKEN" "$PRODUCT_JSON"
pid=$(jqr .id)

out=$(CRADLE_TOKEN=$SO "$CRADLE" case create --title "Overflow in the OTA parser" \
  --summary "A crafted manifest overflows a stack buffer." --cve CVE-2026-12345 --cwe CWE-787 \
  --affected "$pid" --cvss31 "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" --owner alice --json 2>&1); rc=$?
expect_eq "a security officer creates a case" "$rc" 0
ref=$(jq -r .reference <<<"$out")
expect_match "it gets a reference" "$ref" '^CASE-[0-9]{4}-[0-9]{4,}$'
expect_eq "it starts received" "$(jq -r .state <<<"$out")" received
expect_eq "CVSS 3.1 is scored (9.8 -> critical)" "$(jq -r '.cvss31_score10,.severity' <<<"$out" | tr '\n' ' ')" "98 critical "

out=$(CRADLE_TOKEN=$SO "$CRADLE" case create --title t --summary s --cve CVE-26-1 2>&1); rc=$?
expect_eq "a malformed CVE id is refused (exit 3)" "$rc" 3
expect_match "the error names the id" "$out" 'CVE-26-1'

out=$(CRADLE_TOKEN=$SO "$CRADLE" case set "$ref" --state disclosed --reason "skip ahead" 2>&1); rc=$?
expect_eq "an impossible transition is refused" "$rc" 3
expect_match "naming both states" "$out" 'from received to disclosed'
out=$(CRADLE_TOKEN=$SO "$CRADLE" case set "$ref" --state triaging 2>&1); rc=$?
expect_eq "a state change without a reason is a usage error" "$rc" 2
CRADLE_TOKEN=$SO "$CRADLE" case set "$ref" --state triaging --reason "looking at it" >/dev/null 2>&1
CRADLE_TOKEN=$SO "$CRADLE" case set "$ref" --state confirmed --reason "reproduced on 1.0" >/dev/null 2>&1
out=$(CRADLE_TOKEN=$SO "$CRADLE" case aware "$ref" --exploited --at 2026-12-01T23:30:00Z --how "seen in the wild by a CSIRT" --json 2>&1); rc=$?
expect_eq "case aware --exploited succeeds" "$rc" 0
expect_eq "awareness is recorded" "$(jq -r .aware_at <<<"$out")" 2026-12-01T23:30:00Z

out=$(CRADLE_TOKEN=$AUD "$CRADLE" case show "$ref" --json 2>&1); rc=$?
expect_eq "an auditor reads a case" "$rc" 0
expect_eq "early warning due at awareness + 24 h" \
  "$(jq -r '.clocks[] | select(.report=="early_warning") | .due' <<<"$out")" 2026-12-02T23:30:00Z
expect_eq "its latest moment under Reg. 1182/71 Art. 3" \
  "$(jq -r '.clocks[] | select(.report=="early_warning") | .latest_reg_1182_71_art3' <<<"$out")" 2026-12-02T23:59:59Z
expect_eq "notification due at awareness + 72 h" \
  "$(jq -r '.clocks[] | select(.report=="notification") | .due' <<<"$out")" 2026-12-04T23:30:00Z
expect_eq "the final report waits for the fix" \
  "$(jq -r '.clocks[] | select(.report=="final_report") | .known' <<<"$out")" false
expect_eq "an overdue report says by how much" \
  "$(jq -r '.clocks[] | select(.report=="early_warning") | .late_seconds > 0' <<<"$out")" true
expect_eq "the timeline has every change" "$(jq -r '[.timeline[].action] | join(",")' <<<"$out")" \
  "create,state,state,aware"

out=$(CRADLE_TOKEN=$SO "$CRADLE" case link "$ref" --mitigation-at 2026-12-03T10:00:00Z --reason "workaround advisory" --json 2>&1); rc=$?
expect_eq "a mitigation time is recorded" "$rc" 0
out=$(CRADLE_TOKEN=$SO "$CRADLE" case show "$ref" --json)
expect_eq "final report due 14 days after the mitigation, not after awareness" \
  "$(jq -r '.clocks[] | select(.report=="final_report") | .due' <<<"$out")" 2026-12-17T10:00:00Z

out=$(CRADLE_TOKEN=$AUD "$CRADLE" case list 2>&1); rc=$?
expect_eq "case list works for an auditor" "$rc" 0
expect_match "it shows the case and its next due report" "$out" "$ref.*confirmed.*early_warning"
out=$(CRADLE_TOKEN=$AUD "$CRADLE" case list --json)
expect_eq "list --json has the disclosure target" "$(jq -r '.items[0].disclosure_target_at | test("^20")' <<<"$out")" true

# Roles: security-officer and admin own cases; auditor reads; others neither.
api POST /api/v1/cases "$AUD" '{"title":"t","summary":"s"}'
expect_eq "an auditor cannot create a case" "$STATUS" 403
api POST "/api/v1/cases/$ref/state" "$AUD" '{"state":"fix_in_progress","reason":"x"}'
expect_eq "an auditor cannot change a case" "$STATUS" 403
api GET /api/v1/cases "$RM"
expect_eq "a release manager cannot read cases" "$STATUS" 403
api POST /api/v1/cases "$ADMIN_TOKEN" '{"title":"t","summary":"s","colour":"red"}'
expect_eq "an unknown field is 400" "$STATUS" 400
api GET /api/v1/cases/CASE-1999-0001 "$SO"
expect_eq "an unknown case is 404" "$STATUS" 404
api GET "/api/v1/audit?object=case/$ref" "$ADMIN_TOKEN"
expect_eq "every change is audited with the user" "$(jqr '[.items[] | .action + ":" + .actor_name] | join(",")')" \
  "case.create:so,case.state:so,case.state:so,case.aware:so,case.link:so"

stop_server
finish
