#!/usr/bin/env bash
# Vulnerability feeds (issue 9 section 2) end to end: every real fixture of
# tests/data/feeds imported through `cradle vuln import` (a directory, file by
# file), an OSV all.zip and a gzip EPSS file, idempotent re-import, lookups by
# any alias, KEV marking, roles, and a truncated feed refused whole.
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
SO_TOKEN=$(make_token so-1 security-officer)
AUDITOR_TOKEN=$(make_token aud-1 auditor)
FACTORY_TOKEN=$(make_token fac-1 factory)
FEEDS=$CRADLE_SOURCE_ROOT/tests/data/feeds
DIR=$E2E_TMP/feeds; mkdir -p "$DIR"
cp "$FEEDS"/*.json "$DIR"/
n_files=$(ls "$DIR" | wc -l)

export CRADLE_TOKEN=$SO_TOKEN
out=$("$CRADLE" vuln import "$DIR" --json 2>&1); rc=$?
expect_eq "cradle vuln import DIR succeeds for every real fixture" "$rc" 0
expect_eq "one import per file" "$(jq '.imports | length' <<<"$out")" "$n_files"
expect_eq "no file is refused or skips a record it should read" \
  "$(jq '[.imports[].sources[] | .skipped] | add' <<<"$out")" 0
for f in nvd kev csaf osv; do
  expect_match "the $f fixtures were detected" "$(jq -r '[.imports[].feed] | join(",")' <<<"$out")" "$f"
done
expect_eq "every NVD record was added" "$(jq '[.imports[] | select(.feed=="nvd") | .sources.nvd.added] | add' <<<"$out")" 2

out=$("$CRADLE" vuln show CVE-2024-3094 --json); rc=$?
expect_eq "cradle vuln show CVE-2024-3094 succeeds" "$rc" 0
expect_eq "xz is critical from NVD's primary CVSS v3.1" "$(jq -r '.severity + " " + .cvss_score' <<<"$out")" "critical 10.0"
expect_eq "its configuration is an affected entry keyed tukaani:xz" \
  "$(jq -r '[.affected[] | .kind + ":" + .match_key] | join(",")' <<<"$out")" "cpe:tukaani:xz"

out=$("$CRADLE" vuln show GHSA-9v2f-6vcg-3hgv --json)
expect_eq "a GHSA resolves to its CVE" "$(jq -r .name <<<"$out")" CVE-2024-39236
out=$("$CRADLE" vuln show CVE-2023-4863 --json)
expect_eq "KEV marks libwebp actively exploited, with the date" "$(jq -r '.exploited_at' <<<"$out")" "2023-09-13T00:00:00Z"
expect_eq "the NVD summary is kept beside KEV" "$(jq -r '.summary | startswith("Heap buffer overflow in libwebp")' <<<"$out")" true
"$CRADLE" vuln show 'BSI-2022-0001#CVE-2022-27193' >/dev/null 2>&1; rc=$?
expect_eq "a CSAF record id is not an alias (refused, 404)" "$rc" 3
out=$("$CRADLE" vuln show CVE-2022-27193 --json)
expect_eq "the CSAF advisory's CPE products became a configuration" \
  "$(jq -r '[.affected[] | select(.source=="csaf") | .match_key] | join(",")' <<<"$out")" "csaf-tools:cvrf-csaf-converter"
out=$("$CRADLE" vuln show CVE-2015-3227 --json)
expect_match "the withdrawn GHSA withdraws its CVE" "$(jq -r .withdrawn_at <<<"$out")" '^20'
out=$("$CRADLE" vuln list --exploited --json)
expect_eq "vuln list --exploited lists the three KEV entries" "$(jq '.items | length' <<<"$out")" 3
out=$("$CRADLE" vuln list --q libwebp)
expect_match "vuln list --q finds by summary text" "$out" "CVE-2023-4863"
out=$("$CRADLE" vuln show CVE-2023-4863)
expect_match "vuln show prints the records per source" "$out" "kev +CVE-2023-4863"

# Second import of everything: nothing written.
out=$("$CRADLE" vuln import "$DIR" --json); rc=$?
expect_eq "re-import succeeds" "$rc" 0
expect_eq "re-import: nothing added, updated or withdrawn" \
  "$(jq '[.imports[].sources[] | .added + .updated + .withdrawn] | add' <<<"$out")" 0
expect_eq "re-import: nothing queued for matching" "$(jq '[.imports[].queued] | add' <<<"$out")" 0

# An ecosystem all.zip, as osv.dev publishes it (one file per record).
python3 - "$E2E_TMP/all.zip" "$FEEDS" <<'PY'
import sys, zipfile, glob, os
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for f in sorted(glob.glob(os.path.join(sys.argv[2], "osv-*.json"))):
        z.write(f, os.path.basename(f))
    z.writestr("OSV-ZIP-1.json", '{"id": "OSV-ZIP-1", "modified": "2024-01-01T00:00:00Z", "aliases": ["CVE-2099-0042"], "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"}, "versions": ["1.0.0"]}]}')
    z.writestr("broken.json", '{"id": ')
PY
out=$("$CRADLE" vuln import "$E2E_TMP/all.zip" --json); rc=$?
expect_eq "an OSV all.zip imports" "$rc" 0
expect_eq "all.zip: the new record is added, the known ones unchanged" \
  "$(jq -r '.feed + " " + (.sources.osv.added|tostring) + " " + (.sources.osv.unchanged|tostring)' <<<"$out")" "osv-zip 1 6"
expect_eq "all.zip: a broken entry is skipped with its reason" "$(jq -r '.skipped[0].record' <<<"$out")" "broken.json"
out=$("$CRADLE" vuln show CVE-2099-0042 --json)
expect_eq "the zip record's npm package is keyed" "$(jq -r '.affected[0].match_key' <<<"$out")" "npm/left-pad"

# EPSS, gzip-compressed as FIRST publishes it.
printf '#model_version:v2025.03.14,score_date:2025-08-25T00:00:00+0000\ncve,epss,percentile\nCVE-2024-3094,0.84193,0.99277\n' |
  gzip >"$E2E_TMP/epss_scores.csv.gz"
out=$("$CRADLE" vuln import "$E2E_TMP/epss_scores.csv.gz" --json); rc=$?
expect_eq "a gzip EPSS file imports" "$rc" 0
expect_eq "EPSS set the score" "$("$CRADLE" vuln show CVE-2024-3094 --json | jq -r .epss)" 0.84193

# Roles: auditors read, security officers import, factories do neither.
printf 'Authorization: Bearer %s\n' "$AUDITOR_TOKEN" >"$E2E_TMP/auth-header"
status=$(curl -sS --cacert "$CA" -H @"$E2E_TMP/auth-header" --data-binary @"$FEEDS/kev-trimmed.json" \
  -o /dev/null -w '%{http_code}' "$URL/api/v1/vulns/import")
expect_eq "an auditor cannot import (403)" "$status" 403
api GET /api/v1/vulns/CVE-2024-3094 "$AUDITOR_TOKEN"
expect_eq "an auditor can read" "$STATUS" 200
api GET /api/v1/vulns "$FACTORY_TOKEN"
expect_eq "a factory token cannot read vulnerabilities (403)" "$STATUS" 403

# A truncated feed is refused whole and names the place.
head -c 9000 "$FEEDS/nvd-CVE-2023-4863.json" | sed 's/CVE-2023-4863/CVE-2023-9999/' >"$E2E_TMP/nvd-truncated.json"
out=$("$CRADLE" vuln import "$E2E_TMP/nvd-truncated.json" 2>&1); rc=$?
expect_eq "a truncated NVD file is refused (exit 3, a 400)" "$rc" 3
expect_match "the error says truncated, with the byte" "$out" "truncated at byte"
api GET /api/v1/vulns/CVE-2023-9999 "$SO_TOKEN"
expect_eq "nothing of it was written" "$STATUS" 404
printf 'hello' >"$E2E_TMP/not-a-feed.txt"
out=$("$CRADLE" vuln import "$E2E_TMP/not-a-feed.txt" 2>&1); rc=$?
expect_match "a file that is no feed is refused (415)" "$out" "not a feed"

# One audit entry per import, with the counts.
api GET "/api/v1/audit?limit=1000" "$ADMIN_TOKEN"
expect_eq "each successful import is audited once" \
  "$(jqr '[.items[] | select(.action=="vulns.import")] | length')" "$((2 * n_files + 2))"

# The scheduled import: [vuln] import_dir, scanned every import_interval.
stop_server
mkdir -p "$DATA/feeds-in"
sed -i 's/^#* *import_dir = .*/import_dir = feeds-in/; s/^#* *import_interval = .*/import_interval = 1s/' "$DATA/cradled.conf"
start_server || tap_fail "cradled starts with [vuln] import_dir"
cat >"$DATA/feeds-in/osv-new.json" <<'JSON'
{"id": "OSV-JOB-1", "modified": "2024-06-01T00:00:00Z", "aliases": ["CVE-2099-0077"], "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"}, "versions": ["2.0.0"]}]}
JSON
for _ in $(seq 1 50); do
  api GET /api/v1/vulns/CVE-2099-0077 "$SO_TOKEN"
  [[ $STATUS == 200 ]] && break
  sleep 0.2
done
expect_eq "a file dropped in [vuln] import_dir is imported by cradled" "$STATUS" 200
api GET "/api/v1/audit?actor=system&limit=1000" "$ADMIN_TOKEN"
expect_eq "the scheduled import is audited as the system" \
  "$(jqr '[.items[] | select(.action=="vulns.import" and .object=="osv-new.json")] | length')" 1
sleep 2.5
api GET "/api/v1/audit?actor=system&limit=1000" "$ADMIN_TOKEN"
expect_eq "an unchanged file is not imported again" \
  "$(jqr '[.items[] | select(.action=="vulns.import")] | length')" 1
finish
