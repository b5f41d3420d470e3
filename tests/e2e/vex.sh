#!/usr/bin/env bash
# VEX import and export through cradled and the cradle CLI (issue 9): roles,
# refusals, a CycloneDX VEX import, the export in the three formats checked
# by validators no one here wrote (tests/interop/vex-validators: the
# CycloneDX project's 1.6 schema validator, ajv with OpenVEX's schema, the
# BSI csaf-validator-lib at basic and extended), each export imported into a
# fresh copy of the findings and exported again with the same states, the
# real Buildroot VEX document. The SBOM and feed rows are inserted directly
# (as those streams leave them), with the server stopped.
source "$(dirname "$0")/lib.sh"

VV=$CRADLE_SOURCE_ROOT/tests/interop/vex-validators
DATA_DIR=$CRADLE_SOURCE_ROOT/tests/data/vex

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
api POST /api/v1/products "$ADMIN_TOKEN" "$PRODUCT_JSON"
[[ $STATUS == 201 ]] || { tap_fail "product created" "$STATUS $BODY"; finish; exit 1; }
OFFICER=$(make_token so security-officer)
AUDITOR=$(make_token aud auditor)
RM=$(make_token rm release-manager)
stop_server

db=$DATA/cradle.db
sqlite3 "$db" <<'SQL' || { tap_fail "seed findings"; finish; exit 1; }
.timeout 5000
INSERT INTO images (sha256, length, created_at) VALUES (printf('%064d', 0), 10, 1);
INSERT INTO releases (id, product_id, version, security_version, hardware_revisions, notes, status, created_at, created_by)
  VALUES (1, 1, '2.1.0', 1, '[]', '', 'draft', 100, 'rm'), (2, 1, '2.2.0', 2, '[]', '', 'draft', 200, 'rm');
INSERT INTO sbom_documents (id, release_id, module, sha256, media_type, format, spec_version, component_count,
  quality_score, quality, created_at, created_by) VALUES
  (1, 1, '', printf('%064d', 0), 'application/vnd.cyclonedx+json', 'cyclonedx-json', '1.6', 3, 50, '{}', 1, 'rm'),
  (2, 2, '', printf('%064d', 0), 'application/vnd.cyclonedx+json', 'cyclonedx-json', '1.6', 2, 50, '{}', 1, 'rm');
INSERT INTO sbom_components (id, document_id, ref, name, version, top_level) VALUES
  (1, 1, 'pkg-openssl', 'openssl', '3.0.11', 1), (2, 1, 'busybox', 'busybox', '1.36.1', 1), (3, 1, 'zlib', 'zlib', '1.3', 1),
  (4, 2, 'package-foo', 'foo', '1.2', 1), (5, 2, 'package-bar', 'bar', '0.2', 1);
INSERT INTO sbom_component_idents VALUES
  (1, 'purl', 'pkg:generic/openssl@3.0.11', 1, 'generic/openssl'),
  (1, 'cpe', 'cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*', 1, 'openssl:openssl'),
  (2, 'cpe', 'cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*', 1, 'busybox:busybox'),
  (3, 'purl', 'pkg:generic/zlib@1.3', 1, 'generic/zlib'),
  (4, 'cpe', 'cpe:2.3:a:example:foo:1.2:*:*:*:*:*:*:*', 1, 'example:foo');
INSERT INTO vulns (id, name, updated_at) VALUES (1, 'CVE-2023-0001', 1), (2, 'CVE-2023-0002', 1), (3, 'CVE-2023-0003', 1),
  (4, 'CVE-2023-0004', 1), (5, 'OSV-2023-77', 1), (6, 'CVE-2025-0001', 1), (7, 'CVE-2025-0002', 1);
UPDATE vulns SET cvss_vector = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', cvss_score10 = 98, severity = 'critical'
  WHERE name = 'CVE-2023-0001';
INSERT INTO vuln_aliases SELECT name, id FROM vulns;
INSERT INTO vuln_aliases VALUES ('GHSA-aaaa-bbbb-cccc', 1);
INSERT INTO findings (release_id, component_id, vuln_id, confidence, explanation, state, first_seen_at, last_matched_at)
  VALUES (1, 1, 1, 'purl', '{}', 'in_triage', 1, 1), (1, 3, 1, 'purl', '{}', 'in_triage', 1, 1),
  (1, 1, 2, 'purl', '{}', 'in_triage', 1, 1), (1, 2, 2, 'cpe', '{}', 'in_triage', 1, 1),
  (1, 2, 3, 'cpe', '{}', 'in_triage', 1, 1), (1, 3, 4, 'purl', '{}', 'in_triage', 1, 1),
  (1, 2, 5, 'cpe', '{}', 'in_triage', 1, 1),
  (2, 4, 6, 'cpe', '{}', 'in_triage', 1, 1), (2, 5, 7, 'name', '{}', 'in_triage', 1, 1);
SQL
start_server || { tap_fail "server restarts"; finish; exit 1; }

states() { # states RELEASE: "vuln ref state[/justification][ action]" lines, sorted
  sqlite3 "$db" ".timeout 5000" "SELECT v.name || ' ' || c.ref || ' ' || f.state || coalesce('/' || f.justification, '')
    || coalesce(' ' || f.action_statement, '') FROM findings f JOIN vulns v ON v.id = f.vuln_id
    JOIN sbom_components c ON c.id = f.component_id WHERE f.release_id = $1 ORDER BY 1"
}

# ---- import: roles and refusals ----
cat >"$E2E_TMP/triage.cdx.json" <<'EOF2'
{"bomFormat": "CycloneDX", "specVersion": "1.5", "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
 "components": [{"type": "library", "bom-ref": "pkg-openssl", "name": "openssl", "purl": "pkg:generic/openssl@3.0.11"}],
 "vulnerabilities": [
  {"id": "CVE-2023-0001", "analysis": {"state": "exploitable", "detail": "reachable from the web UI"},
   "recommendation": "Update to 3.0.12.", "affects": [{"ref": "pkg-openssl"}]},
  {"id": "CVE-2023-0002", "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
   "affects": [{"ref": "pkg-openssl"}]},
  {"id": "CVE-2023-0002", "analysis": {"state": "not_affected", "justification": "requires_configuration"},
   "affects": [{"ref": "busybox"}]},
  {"id": "CVE-2023-0003", "analysis": {"state": "resolved"}, "affects": [{"ref": "busybox"}]},
  {"id": "GHSA-aaaa-bbbb-cccc", "analysis": {"state": "in_triage"}, "affects": [{"ref": "zlib"}]},
  {"id": "CVE-2023-0004", "analysis": {"state": "not_affected", "justification": "protected_by_compiler"},
   "affects": [{"ref": "zlib"}]},
  {"id": "OSV-2023-77", "analysis": {"state": "false_positive", "detail": "another busybox"}, "affects": [{"ref": "busybox"}]},
  {"id": "CVE-1999-0001", "analysis": {"state": "resolved"}, "affects": [{"ref": "zlib"}]}
 ]}
EOF2
body=$(cat "$E2E_TMP/triage.cdx.json")
api POST "/api/v1/vex?release=1" "$RM" "$body"
expect_eq "a release manager may not import VEX (403)" "$STATUS" 403
api POST "/api/v1/vex?release=1" "$AUDITOR" "$body"
expect_eq "an auditor may not import VEX (403)" "$STATUS" 403
api POST "/api/v1/vex?release=1" "" "$body"
expect_eq "no token: 401" "$STATUS" 401
api POST "/api/v1/vex?release=1" "$OFFICER" '{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[{"id":"CVE-2023-0003","analysis":{"state":"fixed"},"affects":[{"ref":"busybox"}]}]}'
expect_eq "an unknown CycloneDX state is refused (400)" "$STATUS" 400
expect_match "... naming the place and the value" "$(jqr .detail)" "vulnerabilities\[0\]\.analysis\.state: unknown state 'fixed'"
api POST "/api/v1/vex?release=99" "$OFFICER" "$body"
expect_eq "an unknown release: 404" "$STATUS" 404
expect_eq "nothing was applied by the refusals" "$(sqlite3 "$db" ".timeout 5000" "SELECT count(*) FROM findings WHERE state != 'in_triage'")" 0

out=$(CRADLE_TOKEN=$OFFICER "$CRADLE" vex import "$E2E_TMP/triage.cdx.json" --release 1 --json); rc=$?
expect_eq "cradle vex import (security officer) succeeds" "$rc" 0
expect_eq "... six applied, one already so, one unmatched" "$(jq -c '[.format, .statements, .applied, .unchanged, .unmatched]' <<<"$out")" '["cyclonedx",8,6,1,1]'
expect_eq "... the unmatched one is the unknown CVE" "$(jq -r '.unmatched_statements[0].vulnerability' <<<"$out")" CVE-1999-0001
expected_states='CVE-2023-0001 pkg-openssl affected Update to 3.0.12.
CVE-2023-0001 zlib in_triage
CVE-2023-0002 busybox not_affected/requires_configuration
CVE-2023-0002 pkg-openssl not_affected/code_not_reachable
CVE-2023-0003 busybox fixed
CVE-2023-0004 zlib not_affected/protected_by_compiler
OSV-2023-77 busybox false_positive'
expect_eq "the findings carry the document's states" "$(states 1)" "$expected_states"
expect_eq "each change is audited with a reason naming the file, and the import once" \
  "$(sqlite3 "$db" ".timeout 5000" "SELECT count(*) FROM audit_log WHERE action = 'finding.state' AND details LIKE '%VEX cyclonedx triage.cdx.json%' AND actor_name = 'so'") $(sqlite3 "$db" ".timeout 5000" "SELECT count(*) FROM audit_log WHERE action = 'vex.import' AND object = 'release/1'")" "6 1"
out=$(CRADLE_TOKEN=$OFFICER "$CRADLE" vex import "$E2E_TMP/triage.cdx.json" --release 1); rc=$?
expect_match "importing it again changes nothing and says so" "$out" "unchanged: +7"

# ---- export ----
for f in cyclonedx openvex csaf; do
  CRADLE_TOKEN=$AUDITOR "$CRADLE" vex export 1 --format $f --out "$E2E_TMP/r1.$f.json"; rc=$?
  expect_eq "cradle vex export --format $f (auditor)" "$rc" 0
done
api GET "/api/v1/releases/1/vex?format=cyclonedx" "$RM"
expect_eq "a release manager may not export VEX (403)" "$STATUS" 403
api GET "/api/v1/releases/1/vex?format=spdx" "$AUDITOR"
expect_eq "an unknown format: 400" "$STATUS" 400
api GET "/api/v1/releases/1/vex?format=openvex" "$OFFICER"
expect_eq "the same state exports the same bytes" "$BODY" "$(cat "$E2E_TMP/r1.openvex.json" | head -c -1)"
api GET "/api/v1/releases/1/vex?format=cyclonedx" "$OFFICER"
expect_match "CycloneDX is served as its media type" "$HEADERS" "Content-Type: application/vnd.cyclonedx\+json; version=1.6"

# ---- independent validators ----
validators=1
if [[ ! -d $VV/node_modules/@secvisogram/csaf-validator-lib ]]; then
  registry=$(cd "$VV" && npm config get registry 2>/dev/null)
  if ! ping_out=$(cd "$VV" && timeout 60 npm ping --fetch-timeout=20000 --fetch-retries=1 2>&1); then
    code=$(grep -m1 -oE 'code [A-Z_]+' <<<"$ping_out" | cut -d' ' -f2)
    case ${code:-TIMEOUT} in
      ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|TIMEOUT)
        tap_skip "independent VEX validators" "npm registry unreachable: npm ping ${registry}: ${code:-no answer within 60 s}"
        validators=0 ;;
      *) tap_fail "npm ping ${registry} answers" "$(tail -n 8 <<<"$ping_out")"; validators=0 ;;
    esac
  elif ! ci_out=$(cd "$VV" && timeout 600 npm ci --no-audit --no-fund 2>&1); then
    tap_fail "npm ci installs the VEX validators" "$(tail -n 20 <<<"$ci_out")"; validators=0
  fi
fi
validate() { node "$VV/validate.mjs" "$@" 2>&1; }
if [[ $validators == 1 ]]; then
  out=$(validate cyclonedx "$E2E_TMP/r1.cyclonedx.json"); expect_match "CycloneDX 1.6 export: the CycloneDX library's strict JSON schema validator" "$out" "^OK"
  out=$(validate openvex "$E2E_TMP/r1.openvex.json"); expect_match "OpenVEX export: ajv with OpenVEX's JSON schema" "$out" "^OK"
  out=$(validate csaf-basic "$E2E_TMP/r1.csaf.json"); expect_match "CSAF export: csaf-validator-lib basic (schema + mandatory tests)" "$out" "^OK"
    # Two optional tests ask for what only the publisher can decide: a TLP
  # label (6.2.10) and the canonical URL it publishes the file at (6.2.11).
  # Every other optional test passes without a warning.
  out=$(validate csaf-extended "$E2E_TMP/r1.csaf.json" optionalTest_6_2_10,optionalTest_6_2_11)
  expect_match "CSAF export: csaf-validator-lib extended (+ optional tests)" "$out" "^OK"
  # The validators are not rubber stamps: a broken document fails each.
  jq '.vulnerabilities[0].analysis.state = "fixed"' "$E2E_TMP/r1.cyclonedx.json" >"$E2E_TMP/bad.cdx.json"
  out=$(validate cyclonedx "$E2E_TMP/bad.cdx.json"); expect_match "... the CycloneDX validator refuses an unknown state" "$out" "^FAIL"
  jq 'del(.statements[0].action_statement) | .statements[0].status = "affected"' "$E2E_TMP/r1.openvex.json" >"$E2E_TMP/bad.ovx.json"
  out=$(validate openvex "$E2E_TMP/bad.ovx.json"); expect_match "... the OpenVEX schema refuses affected without an action statement" "$out" "^FAIL"
  jq 'del(.vulnerabilities[0].remediations)' "$E2E_TMP/r1.csaf.json" >"$E2E_TMP/bad.csaf.json"
  out=$(validate csaf-basic "$E2E_TMP/bad.csaf.json"); expect_match "... csaf-validator-lib refuses known_affected without a remediation" "$out" "^FAIL"
fi

# ---- round trips: each export into a fresh copy of the findings ----
reset_states() {
  stop_server
  sqlite3 "$db" ".timeout 5000" "UPDATE findings SET state = 'in_triage', justification = NULL, action_statement = NULL, state_reason = NULL, state_by = NULL, state_at = NULL WHERE release_id = 1"
  start_server
}
lossy() { # what OpenVEX and CSAF keep of release 1's states (docs/vulnerabilities.md, ## VEX)
  sed -e 's|requires_configuration|cannot_be_controlled_by_adversary|; s|protected_by_compiler|inline_mitigations_exist|' \
      -e 's|OSV-2023-77 busybox false_positive|OSV-2023-77 busybox not_affected/code_not_present|' <<<"$expected_states"
}
for f in cyclonedx openvex csaf; do
  reset_states
  out=$(CRADLE_TOKEN=$OFFICER "$CRADLE" vex import "$E2E_TMP/r1.$f.json" --release 1 --json); rc=$?
  expect_eq "$f export imports into a fresh copy" "$rc $(jq -c '[.applied, .unmatched]' <<<"$out")" "0 [6,0]"
  want=$expected_states; [[ $f != cyclonedx ]] && want=$(lossy)
  expect_eq "... with every state it can express" "$(states 1)" "$want"
  CRADLE_TOKEN=$AUDITOR "$CRADLE" vex export 1 --format $f --out "$E2E_TMP/r1b.$f.json"
  strip='del(.serialNumber, .metadata.timestamp, ."@id", .timestamp, .document.tracking)'
  [[ $f == cyclonedx ]] && strip='[.vulnerabilities[] | {id, s: .analysis.state, j: .analysis.justification, r: .recommendation, a: [.affects[].ref]}]'
  [[ $f == openvex ]] && strip='[.statements[] | {v: .vulnerability.name, status, justification, action_statement, p: [.products[].subcomponents[].identifiers]}]'
  [[ $f == csaf ]] && strip='[.vulnerabilities[] | {cve, ids, product_status, flags, r: [.remediations[]?.product_ids]}]'
  expect_eq "... and exports the same statements again" "$(jq -cS "$strip" "$E2E_TMP/r1b.$f.json")" "$(jq -cS "$strip" "$E2E_TMP/r1.$f.json")"
done
# Across the formats: CycloneDX -> Cradle -> OpenVEX -> Cradle -> CSAF -> Cradle.
reset_states
CRADLE_TOKEN=$OFFICER "$CRADLE" vex import "$E2E_TMP/r1.cyclonedx.json" --release 1 >/dev/null
CRADLE_TOKEN=$AUDITOR "$CRADLE" vex export 1 --format openvex --out "$E2E_TMP/x.openvex.json"
reset_states
CRADLE_TOKEN=$OFFICER "$CRADLE" vex import "$E2E_TMP/x.openvex.json" --release 1 >/dev/null
CRADLE_TOKEN=$AUDITOR "$CRADLE" vex export 1 --format csaf --out "$E2E_TMP/x.csaf.json"
reset_states
CRADLE_TOKEN=$OFFICER "$CRADLE" vex import "$E2E_TMP/x.csaf.json" --release 1 >/dev/null
expect_eq "CycloneDX -> OpenVEX -> CSAF keeps every state and justification both sides can express" "$(states 1)" "$(lossy)"

# ---- the real Buildroot document (tests/data/vex/SOURCES.md) ----
out=$(CRADLE_TOKEN=$OFFICER "$CRADLE" vex import "$DATA_DIR/buildroot-generate-cyclonedx.json" --json); rc=$?
expect_eq "Buildroot's VEX without a release: its bom-refs match nothing" "$rc $(jq -c '[.applied, .unmatched]' <<<"$out")" "0 [0,2]"
out=$(CRADLE_TOKEN=$OFFICER "$CRADLE" vex import "$DATA_DIR/buildroot-generate-cyclonedx.json" --release 2 --json); rc=$?
expect_eq "Buildroot's VEX on release 2: one applied, one already in triage" "$rc $(jq -c '[.applied, .unchanged]' <<<"$out")" "0 [1,1]"
expect_eq "... resolved_with_pedigree is fixed, in_triage stays" "$(states 2)" 'CVE-2025-0001 package-foo fixed
CVE-2025-0002 package-bar in_triage'

finish
