#!/usr/bin/env bash
# From a vulnerability to the exact devices still running it (issue 9), end to
# end through cradled, the CLI and the API:
#  - real NVD 2.0 and CISA KEV records (tests/data/feeds, SOURCES.md) imported
#    with `cradle vuln import`;
#  - an SBOM per release: libwebp 1.3.1 (with its CPE) in release 1.0.0,
#    1.3.2 (fixed) in 1.1.0;
#  - real enrolled devices (EST): four run 1.0.0 from the factory, one was
#    updated to 1.1.0;
#  - findings listed (--new), explained (match and non-match), triaged with the
#    role rules (negative tests), the findings event and /metrics, exposure
#    naming the exact devices and the patched one, and the critical
#    "actively exploited" event after the KEV import, raised once.
# The SBOM upload and parser (fix/sbom) and the status reports that set an
# installed version (director) are not what is tested here: the SBOM's
# document and components, the releases' published status and the updated
# device's state and history are written with sqlite3 as those paths leave
# them, and queued for matching like an upload does.
source "$(dirname "$0")/lib.sh"
FEEDS=${CRADLE_SOURCE_ROOT:-$(dirname "$0")/../..}/tests/data/feeds

init_server || { tap_fail "init"; finish; exit 1; }
sed -i 's/^match_interval = .*/match_interval = 1s/' "$DATA/cradled.conf"
grep -q '^match_interval' "$DATA/cradled.conf" || printf '\n[vulns]\nmatch_interval = 1s\n' >>"$DATA/cradled.conf"
start_server || { tap_fail "server starts"; finish; exit 1; }
identity_setup || { tap_fail "identity setup"; finish; exit 1; }
SO=$(make_token so-1 security-officer)
RM=$(make_token rm-1 release-manager)
AUD=$(make_token aud-1 auditor)
db() { sqlite3 "$DATA/cradle.db" ".timeout 10000" "$@"; }

for d in E1 E2 E3 E4 E5; do
  make_csr "$d" "$d" >/dev/null 2>&1 && est_enroll "$d" T1-EU "serial=$d&batch=B1" >/dev/null
done
expect_eq "five devices enroll" "$(db "SELECT count(*) FROM devices WHERE initial_firmware_version = '1.0.0'")" 5

rel() { # VERSION -> REL_ID, published (signing is not tested here)
  api POST /api/v1/releases "$RM" \
    "{\"product\":\"T1-EU\",\"version\":\"$1\",\"security_version\":1,\"hardware_revisions\":[\"r2\"],\"notes\":\"n\"}"
  REL_ID=$(jqr .id)
  db "UPDATE releases SET status = 'published', published_at = strftime('%s', 'now') WHERE id = $REL_ID"
}
rel 1.0.0; R1=$REL_ID
rel 1.1.0; R2=$REL_ID
SHA=$(printf '%064d' 7)
sbom() { # RELEASE-ID LIBWEBP-VERSION
  db "INSERT OR IGNORE INTO images (sha256, length, created_at) VALUES ('$SHA', 1, 1);
      INSERT INTO sbom_documents (release_id, module, sha256, media_type, format, spec_version, component_count,
        quality_score, quality, created_at, created_by) VALUES ($1, '', '$SHA', 'application/vnd.cyclonedx+json',
        'cyclonedx-json', '1.6', 2, 60, '{}', 1, 'rm-1');
      INSERT INTO sbom_components (document_id, ref, name, version, top_level) VALUES
        (last_insert_rowid(), 'libwebp', 'libwebp', '$2', 1);
      INSERT INTO sbom_component_idents VALUES (last_insert_rowid(), 'cpe',
        'cpe:2.3:a:webmproject:libwebp:$2:*:*:*:*:*:*:*', 1, 'webmproject:libwebp');
      INSERT INTO sbom_components (document_id, ref, name, version, top_level)
        SELECT max(id), 'zlib', 'zlib', '1.3.1', 1 FROM sbom_documents;
      INSERT INTO sbom_component_idents VALUES (last_insert_rowid(), 'cpe',
        'cpe:2.3:a:zlib:zlib:1.3.1:*:*:*:*:*:*:*', 1, 'zlib:zlib');
      INSERT INTO sbom_match_queue SELECT max(id), 1 FROM sbom_documents;"
}
sbom "$R1" 1.3.1
sbom "$R2" 1.3.2
# E5 was updated to 1.1.0 (its success report left this state and history).
db "INSERT INTO device_update_state (device_id, installed_version, last_seen)
      SELECT id, '1.1.0', strftime('%s', 'now') FROM devices WHERE serial = 'E5';
    INSERT INTO device_update_history (device_id, time, stage, from_version, to_version, result)
      SELECT id, 1767225600, 'success', '1.0.0', '1.1.0', 'success' FROM devices WHERE serial = 'E5';"

# --- real records ---
out=$(CRADLE_TOKEN=$SO "$CRADLE" vuln import "$FEEDS/nvd-CVE-2023-4863.json" 2>&1)
expect_eq "the NVD record of CVE-2023-4863 imports" "$?" 0
out=$(CRADLE_TOKEN=$SO "$CRADLE" findings match 2>&1)
expect_match "matching makes one new finding" "$out" "new[^0-9]*1"

out=$(CRADLE_TOKEN=$AUD "$CRADLE" findings list --new 2>&1)
expect_match "findings list --new shows libwebp 1.3.1 in 1.0.0 by its CPE" "$out" \
  "T1-EU +1\.0\.0 +libwebp +1\.3\.1 +CVE-2023-4863 +high +cpe +in_triage"
expect_nomatch "the fixed 1.3.2 of 1.1.0 is no finding" "$out" "1\.3\.2"
api GET "/api/v1/findings?new=true" "$AUD"
FID=$(jqr '.items[0].id')
expect_eq "the finding's explanation names the NVD record" "$(jqr '.items[0].explanation.record.source')" nvd

out=$(CRADLE_TOKEN=$AUD "$CRADLE" vuln explain libwebp@1.3.1 CVE-2023-4863 --release "$R1" 2>&1)
expect_match "vuln explain: libwebp 1.3.1 matches by CPE" "$out" "matched by: +cpe"
out=$(CRADLE_TOKEN=$AUD "$CRADLE" vuln explain libwebp@1.3.2 CVE-2023-4863 --release "$R2" --json 2>&1)
expect_eq "vuln explain: 1.3.2 does not match, and says so" "$(jq -r .matched <<<"$out")" false
expect_match "  with the reason per entry" "$(jq -c '.entries[0]' <<<"$out")" '"result":"no"'

# --- the event of a new finding on a released version, and /metrics ---
for _ in $(seq 1 30); do
  api GET "/api/v1/security-events?kind=vuln.finding" "$AUD"; [[ $(jqr '.items | length') -ge 1 ]] && break; sleep 0.2
done
expect_eq "a vuln.finding event, severity high (CVSS)" "$(jqr '.items[0].severity') $(jqr '.items[0].details.vulnerability')" \
  "high CVE-2023-4863"
for _ in $(seq 1 30); do
  m=$(curl -sS --cacert "$CA" "$URL/metrics"); [[ $m == *'cradle_findings_created_total 1'* ]] && break; sleep 0.2
done
expect_match "/metrics counts the finding by state and severity" "$m" 'cradle_findings\{state="in_triage",severity="high"\} 1'

# --- exposure: the exact devices ---
out=$(CRADLE_TOKEN=$AUD "$CRADLE" exposure CVE-2023-4863 2>&1)
expect_match "exposure: four devices exposed" "$out" "exposed devices: +4"
for d in E1 E2 E3 E4; do expect_match "exposure names $d" "$out" "$d +T1-EU +r2 +B1 +1\.0\.0"; done
expect_nomatch "the patched E5 is not exposed" "$(sed -n '/Exposed devices/,$p' <<<"$out")" "E5"
expect_match "by member state (the product's)" "$out" "DE +4"
out=$(CRADLE_TOKEN=$AUD "$CRADLE" exposure CVE-2023-4863 --patched --json 2>&1)
expect_eq "patched: E5 on 1.1.0 since its update" \
  "$(jq -r '.patched.devices, (.devices.items[] | "\(.serial) \(.version) \(.since)")' <<<"$out" | tr '\n' ' ')" \
  "1 E5 1.1.0 2026-01-01T00:00:00Z "
api GET /api/v1/exposure/CVE-1999-0001 "$AUD"
expect_eq "an unknown vulnerability is 404" "$STATUS" 404

# --- triage and its access rules ---
api POST "/api/v1/findings/$FID/state" "$RM" '{"state":"affected","action_statement":"update","reason":"r"}'
expect_eq "a release manager may not triage (403)" "$STATUS" 403
api POST "/api/v1/findings/$FID/state" "$AUD" '{"state":"affected","action_statement":"update","reason":"r"}'
expect_eq "an auditor may not triage (403)" "$STATUS" 403
api GET "/api/v1/findings" "$FACTORY_TOKEN"
expect_eq "the factory role reads no findings (403)" "$STATUS" 403
api GET "/api/v1/exposure/CVE-2023-4863" "$FACTORY_TOKEN"
expect_eq "the factory role reads no exposure (403)" "$STATUS" 403
api POST "/api/v1/findings/$FID/state" "$SO" '{"state":"not_affected","reason":"r"}'
expect_eq "not_affected without a justification is 400" "$STATUS" 400
expect_match "  naming the field" "$(jqr .detail)" "justification"
out=$(CRADLE_TOKEN=$SO "$CRADLE" findings set "$FID" --state affected --action "Update to 1.1.0" \
  --reason "the image decoder is reachable from the web UI" 2>&1)
expect_match "a security officer triages: affected, with an action" "$out" "state: +affected"
expect_eq "the change is audited with the officer and the reason" \
  "$(db "SELECT count(*) FROM audit_log WHERE action = 'finding.state' AND actor_name = 'so-1' AND object = 'finding/$FID' AND details LIKE '%web UI%'")" 1

# --- KEV: actively exploited, the Art. 14 event, once ---
api GET "/api/v1/security-events?kind=vuln.actively_exploited" "$AUD"
expect_eq "no exploited event before KEV lists it" "$(jqr '.items | length')" 0
out=$(CRADLE_TOKEN=$SO "$CRADLE" vuln import "$FEEDS/kev-trimmed.json" 2>&1)
expect_eq "the KEV catalogue imports" "$?" 0
CRADLE_TOKEN=$SO "$CRADLE" findings match >/dev/null 2>&1
api GET "/api/v1/security-events?kind=vuln.actively_exploited" "$AUD"
expect_eq "a critical vuln.actively_exploited event naming CVE-2023-4863, T1-EU and release 1.0.0" \
  "$(jqr '.items | length') $(jqr '.items[0].severity') $(jqr '.items[0].details.vulnerability') $(jqr '.items[0].product') $(jq -c '.items[0].details.releases' <<<"$BODY")" \
  '1 critical CVE-2023-4863 T1-EU ["1.0.0"]'
CRADLE_TOKEN=$SO "$CRADLE" findings match >/dev/null 2>&1
sleep 1.5 # and a round of the monitor
api GET "/api/v1/security-events?kind=vuln.actively_exploited" "$AUD"
expect_eq "raised once" "$(jqr '.items | length')" 1

finish
