#!/usr/bin/env bash
# CSAF security advisories (issue 10 section 5): every advisory the renderer
# produces in tests/unit/test-csaf-advisory.c (a case with a fix, without
# one, under investigation, not a vulnerability) is handed to the BSI
# csaf-validator-lib (tests/interop/vex-validators) at the basic level
# (schema + mandatory tests) and the extended level (+ optional tests), with
# no warning accepted; and a broken copy is refused, so the check can fail.
source "$(dirname "$0")/lib.sh"

VV=$CRADLE_SOURCE_ROOT/tests/interop/vex-validators
SAMPLER=$CRADLE_BUILD_ROOT/tests/unit/test-csaf-advisory
mkdir -p "$E2E_TMP/csaf"
check "the renderer's tests pass and write their advisories" env CRADLE_CSAF_SAMPLES="$E2E_TMP/csaf" "$SAMPLER"
n=$(ls "$E2E_TMP/csaf"/*.json 2>/dev/null | wc -l)
expect_eq "four advisories written" "$n" "4"

validators=1
if [[ ! -d $VV/node_modules/@secvisogram/csaf-validator-lib ]]; then
  if ! ping_out=$(cd "$VV" && timeout 60 npm ping --fetch-timeout=20000 --fetch-retries=1 2>&1); then
    tap_skip "csaf-validator-lib" "npm registry unreachable: $(tail -n 1 <<<"$ping_out")"; validators=0
  elif ! ci_out=$(cd "$VV" && timeout 600 npm ci --no-audit --no-fund 2>&1); then
    tap_fail "npm ci installs csaf-validator-lib" "$(tail -n 20 <<<"$ci_out")"; validators=0
  fi
fi
# One run of the validator for every file (loading it is most of the time
# on a busy machine): the four advisories and two broken copies.
has_line() { if grep -qE "$2" <<<"$1"; then echo yes; else echo no; fi; }  # TEXT ERE
if [[ $validators == 1 ]]; then
  jq 'del(.vulnerabilities[0].remediations)' "$E2E_TMP/csaf/fix-available.json" >"$E2E_TMP/neg-no-remediation.json"
  jq '.document.tracking.version = "3"' "$E2E_TMP/csaf/fix-available.json" >"$E2E_TMP/neg-version.json"
  res=$(cd "$E2E_TMP" && node "$VV/validate.mjs" csaf-batch csaf/*.json neg-no-remediation.json neg-version.json 2>&1)
  for f in "$E2E_TMP/csaf"/*.json; do
    b=$(basename "$f" .json)
    expect_eq "advisory '$b': csaf-validator-lib basic" "$(has_line "$res" "^OK basic csaf/$b.json\$")" yes
    expect_eq "advisory '$b': csaf-validator-lib extended, no warning" "$(has_line "$res" "^OK extended csaf/$b.json\$")" yes
  done
  expect_eq "... extended refuses known_affected without a remediation (6.2.2)" \
    "$(has_line "$res" "^FAIL extended neg-no-remediation.json")" yes
  expect_eq "... refuses a version the revision history does not have" "$(has_line "$res" "^FAIL basic neg-version.json")" yes
  [[ $TAP_FAILED -eq 0 ]] || tap_diag "$res"
fi
finish
