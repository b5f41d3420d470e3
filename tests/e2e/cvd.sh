#!/usr/bin/env bash
# The public CVD intake (issue 10 section 4) against a real cradled, with curl:
# security.txt under RFC 9116's rules (and cradled refusing settings that
# break them), the form and its CSP, a report with injection strings that stay
# inert, the secret follow-up link (never in the access log; another case's
# link opens nothing), messages both ways with `cradle cvd messages|reply`
# and their roles, the size limit (413 page), attachments refused (415), the
# per-address rate limit (429), and the [cases] clocks in `cradle case show`.
source "$(dirname "$0")/lib.sh"

init_server || { tap_fail "init"; finish; exit 1; }
conf=$DATA/cradled.conf
set_key() { sed -i "s|^$1 = .*|$1 = $2|" "$conf"; }
set_key max_report 4K
set_key max_actions 40
set_key ack_days 5
set_key disclosure_days 60
set_key contact "mailto:security@acme.example, https://acme.example/security"
set_key policy "https://acme.example/cvd-policy"
set_key preferred_languages "en, de"

# cradled refuses, at start, settings that would serve an invalid security.txt.
refuses() { # refuses DESCRIPTION KEY VALUE NEEDLE
  cp "$conf" "$conf.good"
  set_key "$2" "$3"
  out=$(timeout 20 "$CRADLED" run --data-dir "$DATA" 2>&1); rc=$?
  cp "$conf.good" "$conf"
  if [[ $rc -ne 0 && $out == *"$4"* ]]; then tap_ok "cradled refuses to start: $1"
  else tap_fail "cradled refuses to start: $1" "rc=$rc: $(tail -n 3 <<<"$out")"; fi
}
refuses "Expires in the past" expires 2020-01-01T00:00:00Z "[cvd] expires"
refuses "Expires a year or more ahead" expires "$(date -u -d '+400 days' +%Y-%m-%dT%H:%M:%SZ)" "a year or more"
refuses "a Contact that is no URI" contact "security@acme.example" "[cvd] contact"
refuses "an http:// Policy" policy "http://acme.example/policy" "[cvd] policy"
refuses "a bad language tag" preferred_languages "en;q=1" "[cvd] preferred_languages"
refuses "a base URL with a path" base_url "https://cvd.example/x" "[cvd] base_url"

start_server || { tap_fail "server starts"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
SO=$(make_token so security-officer)
AUD=$(make_token aud auditor)
RM=$(make_token rm release-manager)

# ---- security.txt ----
curl -sS --cacert "$CA" -D "$E2E_TMP/h" -o "$E2E_TMP/security.txt" "$URL/.well-known/security.txt"
expect_match "security.txt is text/plain; charset=utf-8" "$(tr -d '\r' <"$E2E_TMP/h")" $'(^|\n)Content-Type: text/plain; charset=utf-8(\n|$)'
v=$(python3 - "$E2E_TMP/security.txt" "$URL/.well-known/security.txt" <<'PY'
# An independent RFC 9116 check: line syntax and endings, Contact present,
# Expires exactly once, in the future and less than a year ahead, Canonical
# equal to the URL it was fetched from, the URI schemes.
import re, sys, datetime
raw = open(sys.argv[1], 'rb').read()
errs = []
try: text = raw.decode('utf-8')
except UnicodeDecodeError: errs.append('not UTF-8'); text = ''
if '\r' in text.replace('\r\n', ''): errs.append('a bare CR')
if not text.endswith('\n'): errs.append('the last line has no line end')
fields = {}
for n, line in enumerate(text.replace('\r\n', '\n').split('\n')[:-1], 1):
    if line == '' or line.startswith('#'): continue
    m = re.fullmatch(r'([A-Za-z0-9!#$%&\'*+.^_`|~-]+): (\S.*)', line)
    if not m: errs.append(f'line {n} is not "Field: value": {line!r}'); continue
    fields.setdefault(m.group(1).lower(), []).append(m.group(2))
if not fields.get('contact'): errs.append('no Contact')
for c in fields.get('contact', []):
    if not re.match(r'(mailto:[^@\s]+@\S+|https://\S+|tel:\S+)$', c): errs.append(f'Contact {c!r}')
exp = fields.get('expires', [])
if len(exp) != 1: errs.append(f'{len(exp)} Expires fields')
else:
    t = datetime.datetime.strptime(exp[0], '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)
    now = datetime.datetime.now(datetime.timezone.utc)
    if t <= now: errs.append('Expires is past')
    if t - now >= datetime.timedelta(days=365): errs.append('Expires a year or more ahead')
if sys.argv[2] not in fields.get('canonical', []): errs.append(f'Canonical {fields.get("canonical")} is not {sys.argv[2]}')
for k in ('policy', 'encryption', 'acknowledgments', 'canonical', 'csaf'):
    for u in fields.get(k, []):
        if not u.startswith('https://'): errs.append(f'{k} {u!r} is not https')
if len(fields.get('preferred-languages', [])) > 1: errs.append('Preferred-Languages twice')
print('; '.join(errs) if errs else 'valid')
PY
)
expect_eq "security.txt follows RFC 9116 (Contact, one future Expires < 1 year, Canonical = served URL)" "$v" valid
st=$(cat "$E2E_TMP/security.txt")
expect_match "it carries both contacts" "$st" $'Contact: mailto:security@acme.example\nContact: https://acme.example/security'
expect_match "it carries the policy and languages" "$st" $'Preferred-Languages: en, de\n.*Policy: https://acme.example/cvd-policy'
expect_match "it points at the CSAF provider metadata" "$st" "CSAF: $URL/.well-known/csaf/provider-metadata.json"

# ---- the form ----
curl -sS --cacert "$CA" -D "$E2E_TMP/h" -o "$E2E_TMP/form.html" "$URL/cvd/report"
h=$(tr -d '\r' <"$E2E_TMP/h"); form=$(cat "$E2E_TMP/form.html")
expect_match "the form is text/html; charset=utf-8" "$h" 'Content-Type: text/html; charset=utf-8'
expect_match "its CSP forbids scripts" "$h" "Content-Security-Policy: default-src 'none'; script-src 'none'"
expect_match "it sends no Referer onwards" "$h" 'Referrer-Policy: no-referrer'
expect_nomatch "it sets no cookie" "$h" 'Set-Cookie'
expect_match "it is accessible: lang, labels, fieldsets" "$form" '<html lang="en">.*<fieldset>.*<legend>.*<label for="title">'
expect_nomatch "it has no script" "$form" '<script'

# ---- a report with injection strings ----
INJ_TITLE='<script>alert(1)</script>"><img src=x onerror=alert(2)>'
INJ_DETAILS=$'Steps:\n<a href="javascript:alert(3)">x</a>\n\'" onmouseover="alert(4)\n+ADw-script+AD4-alert(5)+ADw-/script+AD4-\n</pre></textarea><svg onload=alert(6)>'
report() { # report TITLE DETAILS CREDIT -> STATUS, PAGE
  STATUS=$(curl -sS --cacert "$CA" -o "$E2E_TMP/page" -D "$E2E_TMP/h" -w '%{http_code}' \
    --data-urlencode "title=$1" --data-urlencode "details=$2" --data-urlencode "product=T1 1.0" \
    --data-urlencode "credit=$3" "$URL/cvd/report")
  PAGE=$(cat "$E2E_TMP/page")
}
report "$INJ_TITLE" "$INJ_DETAILS" '<b>Eve</b>'
expect_eq "a report is accepted (201)" "$STATUS" 201
REF_A=$(grep -oE 'CASE-[0-9]{4}-[0-9]{4,}' <<<"$PAGE" | head -1)
LINK_A=$(grep -oE 'https://[^"<]+/cvd/follow/[^"<]+' <<<"$PAGE" | head -1)
SECRET_A=${LINK_A##*/}
expect_match "the receipt gives the case reference" "$REF_A" '^CASE-'
expect_match "and a follow-up link with a 256-bit secret" "$SECRET_A" '^[0-9a-f]{64}$'
report "Second report" "other details" ""
REF_B=$(grep -oE 'CASE-[0-9]{4}-[0-9]{4,}' <<<"$PAGE" | head -1)
LINK_B=$(grep -oE 'https://[^"<]+/cvd/follow/[^"<]+' <<<"$PAGE" | head -1)
SECRET_B=${LINK_B##*/}

get() { STATUS=$(curl -sS --cacert "$CA" -o "$E2E_TMP/page" -w '%{http_code}' "$1"); PAGE=$(cat "$E2E_TMP/page"); }
get "$LINK_A"
expect_eq "the follow-up link opens the reporter's view" "$STATUS" 200
expect_match "it shows the state and the clocks" "$PAGE" 'received, not yet triaged.*Acknowledgement due.*Disclosure target'
expect_match "the injected title is shown as text" "$PAGE" '&lt;script&gt;alert\(1\)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert\(2\)&gt;'
for raw in '<script' '<img' '<svg' 'href="javascript' '" onmouseover' '<b>Eve'; do
  expect_nomatch "no raw '$raw' in the reporter's view" "$PAGE" "$raw"
done
expect_match "the credit is kept (escaped)" "$PAGE" '&lt;b&gt;Eve&lt;/b&gt;'

# ---- the secret stays out of the log; other cases stay closed ----
sleep 0.3
if grep -q "$SECRET_A" "$LOG"; then tap_fail "the access log does not contain the follow-up secret"
else tap_ok "the access log does not contain the follow-up secret"; fi
expect_match "the access log shows the follow-up GET redacted" "$(cat "$LOG")" "GET /cvd/follow/$REF_A/\[redacted\] 200"
get "$URL/cvd/follow/$REF_B/$SECRET_A"
expect_eq "reporter A's secret does not open reporter B's case" "$STATUS" 404
expect_nomatch "and shows nothing of it" "$PAGE" 'Second report'
get "$URL/cvd/follow/$REF_A/${SECRET_A:0:63}0"
expect_eq "a changed secret opens nothing" "$STATUS" 404
get "$LINK_B"
expect_nomatch "reporter B's view has nothing of A's case" "$PAGE" "alert|$REF_A"

# ---- messages both ways ----
STATUS=$(curl -sS --cacert "$CA" -o "$E2E_TMP/page" -w '%{http_code}' --data-urlencode "secret=$SECRET_A" \
  --data-urlencode "message=Any news? <script>alert(7)</script>" "$URL/cvd/follow/$REF_A/messages")
expect_eq "the reporter sends a message" "$STATUS" 200
expect_match "it shows in their view, escaped" "$(cat "$E2E_TMP/page")" 'Any news\? &lt;script&gt;alert\(7\)'
STATUS=$(curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' --data-urlencode "secret=$SECRET_B" \
  --data-urlencode "message=sneaking in" "$URL/cvd/follow/$REF_A/messages")
expect_eq "B's secret cannot post on A's case" "$STATUS" 404
out=$(CRADLE_TOKEN=$AUD "$CRADLE" cvd messages "$REF_A" 2>&1); rc=$?
expect_eq "an auditor reads the messages" "$rc" 0
expect_match "the report and the reporter's message are there" "$out" 'reporter.*Steps:.*Any news\?'
out=$(CRADLE_TOKEN=$RM "$CRADLE" cvd messages "$REF_A" 2>&1); rc=$?
expect_eq "a release manager may not (refused, exit 3)" "$rc" 3
expect_match "with 403" "$out" '403|[Ff]orbidden|not allowed'
printf 'Thank you. Confirmed; a fix ships in 1.1.\n' >"$E2E_TMP/reply.txt"
out=$(CRADLE_TOKEN=$AUD "$CRADLE" cvd reply "$REF_A" --file "$E2E_TMP/reply.txt" 2>&1); rc=$?
expect_eq "an auditor may not reply (refused, exit 3)" "$rc" 3
expect_match "with 403" "$out" '403|[Ff]orbidden|not allowed'
out=$(CRADLE_TOKEN=$SO "$CRADLE" cvd reply "$REF_A" --file "$E2E_TMP/reply.txt" 2>&1); rc=$?
expect_eq "a security officer replies" "$rc" 0
get "$LINK_A"
expect_match "the reporter reads the reply" "$PAGE" 'Security team.*Confirmed; a fix ships in 1.1.'
out=$(CRADLE_TOKEN=$SO "$CRADLE" cvd reply CASE-1999-0001 --file "$E2E_TMP/reply.txt" 2>&1); rc=$?
expect_eq "a reply to an unknown case is refused (exit 3)" "$rc" 3
expect_match "naming it" "$out" 'CASE-1999-0001'
api GET "/api/v1/audit?object=case/$REF_A" "$AUD"
expect_eq "the report, the message and the reply are audited" "$(jqr '[.items[].action] | map(select(startswith("cvd."))) | join(",")')" "cvd.report,cvd.message,cvd.reply"

# ---- the contact key: public only; encrypted reports stored as they are ----
export GNUPGHOME=$E2E_TMP/team-gnupg; mkdir -m 700 "$GNUPGHOME"
gpg --batch --passphrase '' --quick-gen-key "Acme PSIRT <security@acme.example>" default default 1y >/dev/null 2>&1
FPR=$(gpg --batch --with-colons --list-secret-keys | awk -F: '/^fpr/ {print $10; exit}')
gpg --batch --armor --export "$FPR" >"$E2E_TMP/contact.asc"
gpg --batch --armor --pinentry-mode loopback --passphrase '' --export-secret-keys "$FPR" >"$E2E_TMP/contact-secret.asc"
out=$("$CRADLED" cvd-key import --data-dir "$DATA" "$E2E_TMP/contact-secret.asc" 2>&1); rc=$?
expect_eq "cradled refuses to import the contact's private key" "$rc" 1
expect_match "saying why" "$out" 'private key.*must not hold the key that decrypts'
out=$("$CRADLED" cvd-key import --data-dir "$DATA" "$E2E_TMP/contact.asc" 2>&1); rc=$?
expect_eq "cradled imports the contact's public key" "$rc" 0
expect_match "naming its fingerprint" "$out" "$FPR"
curl -sS --cacert "$CA" -o "$E2E_TMP/served.asc" "$URL/cvd/openpgp-key.asc"
served_fpr=$(gpg --batch --with-colons --import-options show-only --import "$E2E_TMP/served.asc" 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}')
expect_eq "cradled serves that key" "$served_fpr" "$FPR"
expect_match "security.txt names it (Encryption)" "$(curl -sS --cacert "$CA" "$URL/.well-known/security.txt")" "Encryption: $URL/cvd/openpgp-key.asc"
expect_eq "the keyring under the data dir holds no secret key" "$(GNUPGHOME=$DATA/cvd/gnupg gpg --batch --with-colons --list-secret-keys 2>/dev/null | grep -c '^sec')" 0
api GET "/api/v1/audit?object=cvd-key/$FPR" "$AUD"
expect_eq "the import is audited" "$(jqr '.items[0].action')" cvd.key-import
printf 'Remote code execution in the updater.\n' | gpg --batch --armor --trust-model always -r "$FPR" --encrypt >"$E2E_TMP/enc.asc"
report "Encrypted report" "$(cat "$E2E_TMP/enc.asc")" ""
expect_eq "an encrypted report is accepted" "$STATUS" 201
REF_E=$(grep -oE 'CASE-[0-9]{4}-[0-9]{4,}' <<<"$PAGE" | head -1)
out=$(CRADLE_TOKEN=$SO "$CRADLE" cvd messages "$REF_E" --json)
expect_eq "it is stored as sent and marked encrypted" "$(jq -r '.items[0].encrypted' <<<"$out")" true
plain=$(jq -r '.items[0].body' <<<"$out" | gpg --batch --decrypt 2>/dev/null)
expect_eq "the team decrypts it offline" "$plain" "Remote code execution in the updater."
printf 'not secret\n' | gpg --batch --armor --sign >"$E2E_TMP/signed.asc" 2>/dev/null
report "Signed only" "$(cat "$E2E_TMP/signed.asc")" ""
expect_eq "a signed (not encrypted) armoured message is refused (400)" "$STATUS" 400
expect_match "saying it is not encrypted" "$PAGE" 'not encrypted'
unset GNUPGHOME

# ---- the case and its clocks ----
out=$(CRADLE_TOKEN=$SO "$CRADLE" case show "$REF_A" --json 2>&1)
created=$(date -u -d "$(jq -r .created_at <<<"$out")" +%s)
ack=$(date -u -d "$(jq -r .ack_due_at <<<"$out")" +%s)
disc=$(date -u -d "$(jq -r .disclosure_target_at <<<"$out")" +%s)
expect_eq "the CVD case: source cvd, state received, credit kept" "$(jq -r '[.source,.state,.reporter_credit]|join(" ")' <<<"$out")" "cvd received <b>Eve</b>"
expect_eq "its acknowledgement clock is [cases] ack_days (5)" "$(( (ack - created) / 86400 ))" 5
expect_eq "its disclosure target is [cases] disclosure_days (60)" "$(( (disc - created) / 86400 ))" 60
out=$(CRADLE_TOKEN=$SO "$CRADLE" case list 2>&1)
expect_match "cradle case list shows the ack and disclosure dates" "$out" 'ACK DUE.*DISCLOSURE TARGET'
expect_match "with the CVD case in it" "$out" "$REF_A"

# ---- size, media type ----
big=$(head -c 5000 /dev/zero | tr '\0' 'a')
report "Too big" "$big" ""
expect_eq "a report over [cvd] max_report gets 413" "$STATUS" 413
expect_match "with a page that says why" "$PAGE" 'Too large.*details: larger than this server accepts \(4096 bytes at most\)'
STATUS=$(curl -sS --cacert "$CA" -o "$E2E_TMP/page" -w '%{http_code}' -F "title=x" -F "details=@$E2E_TMP/reply.txt" "$URL/cvd/report")
expect_eq "a multipart body (an attachment) is refused with 415" "$STATUS" 415
expect_match "saying attachments are not accepted" "$(cat "$E2E_TMP/page")" 'attachments are not accepted'
report "" "x" ""
expect_eq "a report without a title is refused (400)" "$STATUS" 400
expect_match "the form comes back saying what is wrong" "$PAGE" 'title: is required.*<form'
STATUS=$(curl -sS --cacert "$CA" -o "$E2E_TMP/page" -w '%{http_code}' --data 'title=%C0%BCscript&details=x' "$URL/cvd/report")
expect_eq "an overlong UTF-8 sequence is refused (400)" "$STATUS" 400

# ---- the per-address rate limit ----
seen=0 n=0
for i in $(seq 1 40); do
  report "flood $i" "x" ""
  n=$i
  if [[ $STATUS == 429 ]]; then seen=1; break; fi
done
expect_eq "reports beyond [cvd] max_actions from one address get 429" "$seen" 1
expect_match "with Retry-After" "$(tr -d '\r' <"$E2E_TMP/h")" $'\nRetry-After: [0-9]+'
get "$URL/cvd/follow/$REF_B/$SECRET_A"
expect_eq "a limited address cannot go on guessing links" "$STATUS" 429
api GET /healthz
expect_eq "the operator API is not affected" "$STATUS" 200
tap_diag "429 came at report $n of this loop (40 actions per window in all)"
finish
