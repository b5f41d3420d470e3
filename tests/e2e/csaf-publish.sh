#!/usr/bin/env bash
# CSAF publication and the provider directory (issue 10 section 5), black
# box: a case is published with `cradle case publish`, then everything a
# reader would fetch is fetched over HTTPS with curl and checked with tools
# Cradle did not write: sha256sum/sha512sum -c, gpg --verify with the key the
# provider metadata names, csaf-validator-lib (basic and extended) on every
# document, OASIS's provider metadata JSON schema on provider-metadata.json,
# index.txt and changes.csv line by line against CSAF 2.0 sections 7.1.13
# and 7.1.14. Then a change and a second revision (the first still
# retrievable byte for byte), roles, TLP:AMBER kept out of the public
# directory, and the directory rebuilt from the database at start.
# Also: every document the unit test test-csaf-publish renders, and two
# official OASIS examples (tests/data/csaf/SOURCES.md) through the validator.
source "$(dirname "$0")/lib.sh"

VV=$CRADLE_SOURCE_ROOT/tests/interop/vex-validators
validators=1
if [[ ! -d $VV/node_modules/@secvisogram/csaf-validator-lib ]]; then
  if ! ping_out=$(cd "$VV" && timeout 60 npm ping --fetch-timeout=20000 --fetch-retries=1 2>&1); then
    tap_skip "csaf-validator-lib" "npm registry unreachable: $(tail -n 1 <<<"$ping_out")"; validators=0
  elif ! ci_out=$(cd "$VV" && timeout 600 npm ci --no-audit --no-fund 2>&1); then
    tap_fail "npm ci installs csaf-validator-lib" "$(tail -n 20 <<<"$ci_out")"; validators=0
  fi
fi
# Every document is collected under $V with a name saying what it is, and
# validated at the end in one run of the validator (loading it takes most of
# a minute on a busy machine).
V=$E2E_TMP/validate; mkdir -p "$V"
valid_csaf() { cp "$2" "$V/$1.json"; }  # NAME FILE: basic and extended, no warning accepted

# --- the documents the unit test makes (drafts, VEX, findings, revisions) ---
mkdir -p "$E2E_TMP/samples"
check "test-csaf-publish passes and writes its documents" \
  env CRADLE_CSAF_SAMPLES="$E2E_TMP/samples" "$CRADLE_BUILD_ROOT/tests/unit/test-csaf-publish"
for f in "$E2E_TMP/samples"/*.json; do
  b=$(basename "$f" .json)
  if [[ $b == provider-metadata ]]; then cp "$f" "$V/unit-provider-metadata.json"; else valid_csaf "unit-$b" "$f"; fi
done
# the official OASIS examples go through the same harness: basic accepts
# them, extended names the optional fields they leave out
for f in bsi-2022-0001 2022-evd-uc-01-na-001; do cp "$CRADLE_SOURCE_ROOT/tests/data/csaf/$f.json" "$V/oasis-$f.json"; done

# --- a server with [csaf] base_url ---
init_server || { tap_fail "init"; finish; exit 1; }
# base_url is the server's own https URL (the [csaf] section's key)
sed -i "/^\[csaf\]/,/^\[/ s|^base_url = .*|base_url = $URL|" "$DATA/cradled.conf"
start_server || { tap_fail "server starts"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
SO=$(make_token so security-officer)
AUD=$(make_token aud auditor)
RM=$(make_token rm release-manager)
db() { sqlite3 "$DATA/cradle.db" ".timeout 10000" "$@"; }
api POST /api/v1/products "$ADMIN_TOKEN" "$PRODUCT_JSON"
pid=$(jqr .id)
rel() { # VERSION -> REL_ID (published: signing is tested elsewhere)
  api POST /api/v1/releases "$ADMIN_TOKEN" \
    "{\"product\":\"T1-EU\",\"version\":\"$1\",\"security_version\":1,\"hardware_revisions\":[\"r2\"],\"notes\":\"n\"}"
  REL_ID=$(jqr .id)
  db "UPDATE releases SET status = 'published', published_at = 1767225600 WHERE id = $REL_ID"
}
rel 1.0.0; R1=$REL_ID
rel 1.1.0; R2=$REL_ID
mkcase() { # TITLE -> ref
  local out
  out=$(CRADLE_TOKEN=$SO "$CRADLE" case create --title "$1" --summary "A crafted manifest overflows a stack buffer." \
    --cve CVE-2026-12345 --cwe CWE-121 --cvss31 "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" \
    --credit "Jane Doe (Example Labs)" --affected "$pid:$R1" --json 2>&1)
  local r; r=$(jq -r .reference <<<"$out")
  CRADLE_TOKEN=$SO "$CRADLE" case set "$r" --state triaging --reason "looking" >/dev/null 2>&1
  CRADLE_TOKEN=$SO "$CRADLE" case set "$r" --state confirmed --reason "reproduced" >/dev/null 2>&1
  CRADLE_TOKEN=$SO "$CRADLE" case link "$r" --fix-release "$R2" --reason "the fix" >/dev/null 2>&1
  echo "$r"
}
ref=$(mkcase "Overflow in the OTA parser")
lower=$(tr 'A-Z' 'a-z' <<<"$ref")
year=$(date -u +%Y)
file=cradle-$lower.json

# A draft publishes nothing, and an auditor may read it.
out=$(CRADLE_TOKEN=$AUD "$CRADLE" case advisory "$ref" --out "$E2E_TMP/draft.json" 2>&1); rc=$?
expect_eq "an auditor renders a draft (cradle case advisory)" "$rc" 0
expect_eq "... with status draft" "$(jq -r .document.tracking.status "$E2E_TMP/draft.json")" draft
valid_csaf "served-draft" "$E2E_TMP/draft.json"
CRADLE_TOKEN=$AUD "$CRADLE" case advisory "$ref" --type vex --out "$E2E_TMP/draft-vex.json" >/dev/null 2>&1
expect_eq "the VEX draft is a csaf_vex" "$(jq -r .document.category "$E2E_TMP/draft-vex.json")" csaf_vex
valid_csaf "served-draft-vex" "$E2E_TMP/draft-vex.json"
api GET /.well-known/csaf/provider-metadata.json
expect_eq "no provider metadata before the first publication" "$STATUS" 404

# Roles: only the security officer (and admin) publish.
out=$(CRADLE_TOKEN=$AUD "$CRADLE" case publish "$ref" --status interim 2>&1); rc=$?
expect_eq "an auditor cannot publish (exit 3)" "$rc" 3
api POST "/api/v1/cases/$ref/publish" "$RM" '{"status":"interim"}'
expect_eq "a release manager cannot publish (403)" "$STATUS" 403
api POST "/api/v1/cases/$ref/publish" "" '{"status":"interim"}'
expect_eq "nobody without a token (401)" "$STATUS" 401
api POST "/api/v1/cases/$ref/publish" "$SO" '{"status":"draft"}'
expect_eq "a draft is not published (400)" "$STATUS" 400

out=$(CRADLE_TOKEN=$SO "$CRADLE" case publish "$ref" --status interim --json 2>&1); rc=$?
expect_eq "the security officer publishes revision 1" "$rc:$(jq -r .number <<<"$out" 2>/dev/null)" "0:1"
expect_eq "... at the directory URL" "$(jq -r .url <<<"$out" 2>/dev/null)" "$URL/.well-known/csaf/white/$year/$file"

# --- fetch it all over HTTPS, as a reader would ---
D=$E2E_TMP/fetched; mkdir -p "$D/$year"
get() { curl -fsS --cacert "$CA" -o "$2" "$URL/.well-known/csaf/$1"; }
check "provider-metadata.json is served" get provider-metadata.json "$D/provider-metadata.json"
PM=$(cat "$D/provider-metadata.json")
expect_eq "role csaf_trusted_provider" "$(jq -r .role <<<"$PM")" csaf_trusted_provider
expect_eq "canonical_url is itself" "$(jq -r .canonical_url <<<"$PM")" "$URL/.well-known/csaf/provider-metadata.json"
expect_eq "the distribution directory" "$(jq -r '.distributions[0].directory_url' <<<"$PM")" "$URL/.well-known/csaf/white/"
expect_eq "not listed on aggregators unless configured" "$(jq -r .list_on_CSAF_aggregators <<<"$PM")" false
expect_eq "the publisher is the manufacturer" "$(jq -r .publisher.name <<<"$PM")" "Acme GmbH"
cp "$D/provider-metadata.json" "$V/served-provider-metadata.json"
check "index.txt is served" get white/index.txt "$D/index.txt"
check "changes.csv is served" get white/changes.csv "$D/changes.csv"
for ext in "" .sha256 .sha512 .asc; do
  check "$file$ext is served" get "white/$year/$file$ext" "$D/$year/$file$ext"
done
(cd "$D/$year" && sha256sum -c --strict "$file.sha256" >/dev/null 2>&1); expect_eq "sha256sum -c accepts the .sha256" "$?" 0
(cd "$D/$year" && sha512sum -c --strict "$file.sha512" >/dev/null 2>&1); expect_eq "sha512sum -c accepts the .sha512" "$?" 0
fpr=$(jq -r '.public_openpgp_keys[0].fingerprint' <<<"$PM")
keyurl=$(jq -r '.public_openpgp_keys[0].url' <<<"$PM")
check "the public key is served at the URL the metadata gives" curl -fsS --cacert "$CA" -o "$D/key.asc" "$keyurl"
G=$E2E_TMP/gpg; mkdir -m 700 "$G"
gpg -q --batch --homedir "$G" --import "$D/key.asc" 2>/dev/null
expect_eq "the key's fingerprint is the one the metadata names" \
  "$(gpg --batch --homedir "$G" --with-colons --fingerprint 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}')" "$fpr"
st=$(gpg --batch --homedir "$G" --status-fd 1 --verify "$D/$year/$file.asc" "$D/$year/$file" 2>/dev/null)
expect_match "gpg --verify: a good signature by that key" "$st" "VALIDSIG $fpr"
cp "$D/$year/$file" "$E2E_TMP/tampered.json"; sed -i 's/overflows/is fine/' "$E2E_TMP/tampered.json"
gpg -q --batch --homedir "$G" --verify "$D/$year/$file.asc" "$E2E_TMP/tampered.json" >/dev/null 2>&1
expect_eq "... and a changed copy does not verify" "$?" 1
valid_csaf "served-revision-1" "$D/$year/$file"
expect_eq "the document's self URL is where it was fetched" \
  "$(jq -r '.document.references[] | select(.category == "self") | .url' "$D/$year/$file")" "$URL/.well-known/csaf/white/$year/$file"

# index.txt and changes.csv, line by line (CSAF 2.0 7.1.13, 7.1.14)
check_indexes() { # N_EXPECTED
  local bad=0 n=0 line
  while IFS= read -r line; do
    n=$((n + 1))
    [[ $line =~ ^[0-9]{4}/[a-z0-9+_-]+\.json$ ]] || { bad=1; tap_diag "index.txt: '$line'"; }
    curl -fsS --cacert "$CA" -o /dev/null "$URL/.well-known/csaf/white/$line" || { bad=1; tap_diag "not served: $line"; }
  done <"$D/index.txt"
  expect_eq "index.txt: $1 line(s), each a YYYY/file.json path that is served" "$bad:$n" "0:$1"
  bad=0; n=0
  local prev="9999"
  while IFS= read -r line; do
    n=$((n + 1))
    if [[ $line =~ ^\"([0-9]{4}/[a-z0-9+_-]+\.json)\",\"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)\"$ ]]; then
      grep -qxF "${BASH_REMATCH[1]}" "$D/index.txt" || { bad=1; tap_diag "changes.csv names $line, index.txt does not"; }
      local cur; cur=$(jq -r .document.tracking.current_release_date < <(curl -fsS --cacert "$CA" "$URL/.well-known/csaf/white/${BASH_REMATCH[1]}"))
      [[ $cur == "${BASH_REMATCH[2]}" ]] || { bad=1; tap_diag "changes.csv date ${BASH_REMATCH[2]} != current_release_date $cur"; }
      [[ ! ${BASH_REMATCH[2]} > $prev ]] || { bad=1; tap_diag "changes.csv not newest first"; }
      prev=${BASH_REMATCH[2]}
    else
      bad=1; tap_diag "changes.csv: '$line'"
    fi
  done <"$D/changes.csv"
  expect_eq "changes.csv: $1 line(s) \"path\",\"current_release_date\", newest first, as index.txt" "$bad:$n" "0:$1"
}
check_indexes 1
cp "$D/$year/$file" "$E2E_TMP/rev1.json"
cp "$D/$year/$file.sha256" "$E2E_TMP/rev1.sha256"

# --- a change, then revision 2 ---
out=$(CRADLE_TOKEN=$SO "$CRADLE" case publish "$ref" --status final 2>&1); rc=$?
expect_eq "a second revision without --summary is refused (exit 3)" "$rc" 3
expect_match "... naming it" "$out" "summary"
CRADLE_TOKEN=$SO "$CRADLE" case set "$ref" --summary "A crafted manifest overflows a stack buffer; 1.1.0 fixes it." >/dev/null 2>&1
sleep 1
out=$(CRADLE_TOKEN=$SO "$CRADLE" case publish "$ref" --status final --summary "Fix confirmed; final." --json 2>&1); rc=$?
expect_eq "revision 2, final" "$rc:$(jq -r '"\(.number) \(.status)"' <<<"$out" 2>/dev/null)" "0:2 final"
get "white/$year/$file" "$D/$year/$file"; get white/index.txt "$D/index.txt"; get white/changes.csv "$D/changes.csv"
get "white/$year/$file.sha256" "$D/$year/$file.sha256"; get "white/$year/$file.asc" "$D/$year/$file.asc"
expect_eq "the directory serves version 2 with two revisions in its history" \
  "$(jq -r '"\(.document.tracking.version) \(.document.tracking.revision_history | length)"' "$D/$year/$file")" "2 2"
(cd "$D/$year" && sha256sum -c --strict "$file.sha256" >/dev/null 2>&1); expect_eq "the new .sha256 matches the new file" "$?" 0
gpg -q --batch --homedir "$G" --verify "$D/$year/$file.asc" "$D/$year/$file" >/dev/null 2>&1
expect_eq "the new signature verifies" "$?" 0
valid_csaf "served-revision-2" "$D/$year/$file"
check_indexes 1
CRADLE_TOKEN=$AUD "$CRADLE" case advisory "$ref" --revision 1 --out "$E2E_TMP/back1.json" >/dev/null 2>&1
check "revision 1 is still retrievable, byte for byte (cradle case advisory --revision 1)" cmp "$E2E_TMP/rev1.json" "$E2E_TMP/back1.json"
expect_eq "... and matches its published .sha256" "$(sha256sum "$E2E_TMP/back1.json" | cut -d' ' -f1)" "$(cut -d' ' -f1 "$E2E_TMP/rev1.sha256")"
out=$(CRADLE_TOKEN=$AUD "$CRADLE" case advisory "$ref" --revisions --json 2>&1)
expect_eq "two revisions listed" "$(jq -r '[.items[].number] | join(",")' <<<"$out")" "1,2"
out=$(CRADLE_TOKEN=$SO "$CRADLE" case publish "$ref" --status interim --summary "back" 2>&1); rc=$?
expect_eq "final cannot go back to interim (exit 3)" "$rc" 3
out=$(db "UPDATE csaf_revisions SET summary = 'rewritten' WHERE number = 1" 2>&1); rc=$?
expect_match "the database refuses to change a published revision" "$rc $out" "^[1-9][0-9]* .*cannot be changed"
api GET "/api/v1/audit?object=case/$ref" "$ADMIN_TOKEN"
expect_eq "each publication is audited" "$(jqr '[.items[] | select(.action == "case.advisory-publish")] | length')" 2

# --- TLP:AMBER stays out of the public directory ---
ref2=$(mkcase "Debug console reachable")
file2=cradle-$(tr 'A-Z' 'a-z' <<<"$ref2").json
out=$(CRADLE_TOKEN=$SO "$CRADLE" case publish "$ref2" --status interim --tlp amber --json 2>&1); rc=$?
expect_eq "a TLP:AMBER advisory is recorded" "$rc:$(jq -r .tlp <<<"$out" 2>/dev/null)" "0:AMBER"
api GET "/.well-known/csaf/white/$year/$file2"
expect_eq "... and not served publicly" "$STATUS" 404
get white/index.txt "$D/index.txt"; get white/changes.csv "$D/changes.csv"
expect_eq "... nor in index.txt or changes.csv" "$(grep -c "$file2" "$D/index.txt" "$D/changes.csv" | cut -d: -f2 | tr '\n' ' ')" "0 0 "
CRADLE_TOKEN=$AUD "$CRADLE" case advisory "$ref2" --revision 1 --out "$E2E_TMP/amber.json" >/dev/null 2>&1
expect_eq "operators get its bytes" "$(jq -r .document.distribution.tlp.label "$E2E_TMP/amber.json")" AMBER
valid_csaf "served-amber" "$E2E_TMP/amber.json"

# --- names outside the directory are not served ---
# (each of these names a file that exists under the data directory)
for p in "white/..%2F..%2Fcradled.conf" "..%2Fgnupg/gpg.conf" "white/$year/..%2F..%2F..%2Fcradle.db" \
    "gnupg/gpg.conf" "white/.index.txt" "white/20x6/$file"; do
  api GET "/.well-known/csaf/$p"
  expect_eq "GET /.well-known/csaf/$p is 404" "$STATUS" 404
done

# --- the directory is rebuilt from the database at start ---
stop_server
rm -rf "$DATA/csaf/white"
start_server || { tap_fail "server restarts"; finish; exit 1; }
get "white/$year/$file" "$E2E_TMP/rebuilt.json"
check "after a restart the directory is rebuilt from the rows, byte for byte" cmp "$D/$year/$file" "$E2E_TMP/rebuilt.json"
stop_server
gpgconf --homedir "$DATA/gnupg" --kill gpg-agent >/dev/null 2>&1
gpgconf --homedir "$G" --kill gpg-agent >/dev/null 2>&1

# --- csaf-validator-lib on every document, the provider schema on every provider-metadata.json ---
has_line() { if grep -qE "$2" <<<"$1"; then echo yes; else echo no; fi; }  # TEXT ERE
if [[ $validators == 1 ]]; then
  # two broken copies, so that the harness is seen to fail
  jq '.role = "csaf_boss"' "$V/served-provider-metadata.json" >"$V/neg-role-provider-metadata.json"
  jq 'del(.document.tracking.revision_history[0])' "$V/served-revision-2.json" >"$V/neg-history.json"
  res=$(cd "$V" && node "$VV/validate.mjs" csaf-batch *.json 2>&1)
  for f in "$V"/*.json; do
    b=$(basename "$f")
    case $b in
      neg-*) ;;
      oasis-*)
        expect_eq "$b: csaf-validator-lib basic" "$(has_line "$res" "^OK basic $b\$")" yes ;;
      *provider-metadata.json)
        expect_eq "$b: the OASIS provider metadata schema" "$(has_line "$res" "^OK provider $b\$")" yes ;;
      *)
        expect_eq "$b: csaf-validator-lib basic" "$(has_line "$res" "^OK basic $b\$")" yes
        expect_eq "$b: csaf-validator-lib extended, no warning" "$(has_line "$res" "^OK extended $b\$")" yes ;;
    esac
  done
  expect_eq "the harness can fail: extended names what the OASIS example leaves out (6.2.11)" "$(has_line "$res" "^FAIL extended oasis-bsi-2022-0001.json .*optionalTest_6_2_11")" yes
  expect_eq "... and refuses a provider metadata with an unknown role" "$(has_line "$res" "^FAIL provider neg-role-provider-metadata.json")" yes
  expect_eq "... and a document whose version its history does not have" "$(has_line "$res" "^FAIL basic neg-history.json")" yes
  [[ $TAP_FAILED -eq 0 ]] || tap_diag "$res"
fi
finish
