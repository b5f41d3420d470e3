#!/usr/bin/env bash
# SBOM ingestion (issue 9, section 1) with the real cradled and cradle: the
# real SBOMs of tests/data/sbom (Buildroot CycloneDX, syft SPDX 2.3 and
# CycloneDX XML, Yocto SPDX 3.0.1 and a .spdx.tar.zst of SPDX 2.2) attached
# to a release per module, their quality reports, an unparseable SBOM refused
# with a problem document and nothing stored, component search across
# releases, roles, the audit trail, and the CycloneDX 1.6 export validated by
# the CycloneDX project's own validator (tests/interop/cyclonedx, from npm).
source "$(dirname "$0")/lib.sh"

D=$CRADLE_SOURCE_ROOT/tests/data/sbom
CX=$CRADLE_SOURCE_ROOT/tests/interop/cyclonedx

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
api POST /api/v1/products "$ADMIN_TOKEN" "$PRODUCT_JSON"
expect_eq "product T1-EU created" "$STATUS" 201
out=$("$CRADLE" release create --product T1-EU --version 1.0.0 --security-version 1 --hardware-revision r2 --json)
ID=$(jq -r .id <<<"$out")
out=$("$CRADLE" release create --product T1-EU --version 1.1.0 --security-version 1 --hardware-revision r2 --json)
ID2=$(jq -r .id <<<"$out")

# --- uploads, one per format ---------------------------------------------------
out=$("$CRADLE" sbom upload "$ID" "$D/buildroot.cdx.json" --json); rc=$?
expect_eq "the Buildroot CycloneDX SBOM is the release's own (exit 0)" "$rc" 0
expect_eq "7 components" "$(jq .sbom_document.components <<<"$out")" 7
check "the file is stored unchanged" cmp "$D/buildroot.cdx.json" "$DATA/images/$(jq -r .sbom.sha256 <<<"$out")"
BR_DOC=$(jq .sbom_document.document_id <<<"$out")
for m in "userland:syft-image.spdx.json" "container:syft-elixir.cdx.xml" "recipe:yocto-shadow.spdx3.json" \
  "image:yocto-shadow.spdx.tar.zst"; do
  out=$("$CRADLE" sbom upload "$ID" "$D/${m#*:}" --module "${m%%:*}" --json 2>&1); rc=$?
  expect_eq "${m#*:} attaches as module ${m%%:*}" "$rc" 0
done
out=$("$CRADLE" sbom show "$ID" --json)
expect_eq "the release holds 5 documents" "$(jq '.items | length' <<<"$out")" 5
expect_eq "in every stored format" \
  "$(jq -r '[.items[].format] | sort | unique | join(",")' <<<"$out")" \
  "cyclonedx-json,cyclonedx-xml,spdx2-json,spdx3-jsonld"
expect_eq "the archive merged into SPDX 2.2" "$(jq -r '.items[] | select(.module == "image") | .spec_version' <<<"$out")" 2.2
out=$("$CRADLE" sbom show "$ID")
expect_match "the table names the Buildroot tool" "$out" 'Buildroot generate-cyclonedx'

# --- quality -------------------------------------------------------------------
out=$("$CRADLE" sbom quality "$BR_DOC" --json)
expect_eq "Buildroot: every component lacks a supplier" "$(jq '.actions[] | select(.check == "supplier") | .count' <<<"$out")" 7
expect_eq "Buildroot: 4 components a matcher can use (their CPEs)" "$(jq .matchable <<<"$out")" 4
out=$("$CRADLE" sbom quality "$BR_DOC")
expect_match "the report is readable" "$out" 'score: [0-9]+/100'
expect_match "and says what to fix" "$out" 'SHA-512'
RECIPE=$(jq -r '.items[] | select(.module == "image") | .id' <<<"$("$CRADLE" sbom show "$ID" --json)")
out=$("$CRADLE" sbom quality "$RECIPE" --json)
expect_eq "Yocto's '*'-vendor CPE is not matchable" "$(jq .matchable <<<"$out")" 0

# --- refusals --------------------------------------------------------------------
printf '{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","version":"1"}]}' >"$E2E_TMP/bad.cdx.json"
before=$(ls "$DATA/images" | wc -l)
out=$("$CRADLE" sbom upload "$ID2" "$E2E_TMP/bad.cdx.json" 2>&1); rc=$?
expect_eq "an unparseable SBOM is refused (exit 3)" "$rc" 3
expect_match "naming the place and the fault" "$out" '/components/0/name: required'
expect_eq "and no file was kept" "$(ls "$DATA/images" | wc -l)" "$before"
code=$(curl -sS --cacert "$CA" -o "$E2E_TMP/p.json" -w '%{http_code}' -X PUT -H "Authorization: Bearer $ADMIN_TOKEN" \
  -H 'Content-Type: application/vnd.cyclonedx+xml' --data-binary \
  '<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]><bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library"><name>&x;</name></component></components></bom>' \
  "$URL/api/v1/releases/$ID2/sbom")
expect_eq "an XXE document gets 400" "$code" 400
expect_eq "as a problem document" "$(jq -r .type "$E2E_TMP/p.json")" urn:cradle:problem:invalid
expect_match "naming the DOCTYPE" "$(jq -r .detail "$E2E_TMP/p.json")" 'DOCTYPE or ENTITY'
expect_eq "release 1.1.0 still has no SBOM" "$("$CRADLE" sbom show "$ID2" --json | jq '.items | length')" 0
out=$("$CRADLE" sbom upload "$ID" "$D/syft-image.spdx.json" --module 'a/b' 2>&1); rc=$?
expect_eq "a bad module name is refused (exit 3)" "$rc" 3

# --- a stored file attached later, search across releases --------------------------
SHA=$(sha256sum "$D/syft-elixir.cdx.xml" | cut -d' ' -f1)
out=$("$CRADLE" sbom attach "$ID2" --sha256 "$SHA" --module base --json); rc=$?
expect_eq "a stored file attaches to another release" "$rc" 0
expect_eq "parsed as CycloneDX XML" "$(jq -r .format <<<"$out")" cyclonedx-xml
out=$("$CRADLE" sbom components --purl pkg:deb/debian/bash --json)
expect_eq "a purl finds the package in both releases" "$(jq -r '[.items[].release] | sort | join(",")' <<<"$out")" "1.0.0,1.1.0"
out=$("$CRADLE" sbom components --cpe 'cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*' --json)
expect_eq "a CPE of another version finds busybox by vendor:product" "$(jq -r '.items[0].version' <<<"$out")" 1.38.0
out=$("$CRADLE" sbom components "$BR_DOC" --limit 3 --json 2>/dev/null)
expect_eq "one page of 3" "$(jq '.items | length' <<<"$out")" 3
expect_eq "with a cursor" "$(jq '.next_after_id | type' <<<"$out")" '"number"'
out=$("$CRADLE" sbom components "$BR_DOC")
expect_match "all pages as one table" "$out" 'host-pkgconf'

# --- roles -----------------------------------------------------------------------------
SO=$(make_token so-1 security-officer); AU=$(make_token au-1 auditor); FA=$(make_token fa-1 factory)
api GET "/api/v1/sboms/$BR_DOC/quality" "$SO"
expect_eq "a security officer reads the quality report" "$STATUS" 200
api GET "/api/v1/components?name=busybox" "$AU"
expect_eq "an auditor searches components" "$STATUS" 200
api GET "/api/v1/components?name=busybox" "$FA"
expect_eq "the factory may not" "$STATUS" 403
api POST "/api/v1/releases/$ID2/sboms" "$SO" "{\"sha256\":\"$SHA\",\"module\":\"x\"}"
expect_eq "a security officer may not attach" "$STATUS" 403

# --- audit -------------------------------------------------------------------------------
out=$("$CRADLE" audit list --object "release:$ID" --json)
expect_eq "every upload is audited" "$(jq '[.items[] | select(.action == "release.sbom")] | length' <<<"$out")" 5
out=$("$CRADLE" audit list --object "release:$ID2" --json)
expect_eq "the attach is audited" "$(jq '[.items[] | select(.action == "sbom.attach")] | length' <<<"$out")" 1

# --- export, validated by the CycloneDX project's validator ------------------------------
"$CRADLE" sbom export "$ID" --output "$E2E_TMP/export.cdx.json"; rc=$?
expect_eq "the release exports as CycloneDX" "$rc" 0
expect_eq "version 1.6" "$(jq -r .specVersion "$E2E_TMP/export.cdx.json")" 1.6
expect_eq "with every module's components" "$(jq '.components | length' "$E2E_TMP/export.cdx.json")" \
  "$(( 7 + 3 + 20 + 1 + 2 ))"
expect_eq "Buildroot's patches keep what they resolve" \
  "$(jq -r '.components[] | select(.name == "busybox") | [.pedigree.patches[].resolves[]?.id] | join(",")' "$E2E_TMP/export.cdx.json")" \
  "CVE-2022-28391,CVE-2023-42366,CVE-2024-58251"
if [[ ! -d $CX/node_modules/@cyclonedx/cyclonedx-library ]]; then
  if ! timeout 60 npm ping --fetch-timeout=20000 --fetch-retries=1 >/dev/null 2>&1; then
    tap_skip "the export validates against the CycloneDX 1.6 schema" "npm registry unreachable"
    finish; exit 0
  fi
  ci_out=$(cd "$CX" && timeout 600 npm ci --no-audit --no-fund 2>&1) ||
    tap_fail "npm ci installs @cyclonedx/cyclonedx-library" "$(tail -n 20 <<<"$ci_out")"
fi
out=$(cd "$CX" && node validate.mjs "$E2E_TMP/export.cdx.json" 2>&1); rc=$?
expect_eq "the export validates against the official CycloneDX 1.6 schema" "$rc" 0
[[ $rc == 0 ]] || tap_diag "$out"
out=$(cd "$CX" && node validate.mjs "$D/buildroot.cdx.json" 2>&1); rc=$?
expect_eq "(the validator accepts Buildroot's own output too)" "$rc" 0
jq 'del(.components[0].name)' "$E2E_TMP/export.cdx.json" >"$E2E_TMP/broken.cdx.json"
out=$(cd "$CX" && node validate.mjs "$E2E_TMP/broken.cdx.json" 2>&1); rc=$?
expect_eq "and refuses a component without a name (the validator can fail)" "$rc" 1

finish
