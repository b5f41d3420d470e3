#!/usr/bin/env bash
# cradle-fleetsim at small N against a real cradled: 50 devices enrolled over
# EST (and reused by a second run), an assigned release installed by every
# device with downloading -> installing -> awaiting-reboot -> success in its
# history, then a release whose installs fail (--fail VERSION:1.0) reported as
# failure with the reason by every device, DDI mode against a minimal DDI
# stand-in, and errors (a server without /ddi, a closed port) counted, not fatal.
source "$(dirname "$0")/lib.sh"
: "${CRADLE_FLEETSIM:?CRADLE_FLEETSIM must point at the cradle-fleetsim binary}"
N=50

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
ota_setup || { tap_fail "ota setup"; finish; exit 1; }
openssl genpkey -algorithm ED25519 -out "$OTA/droot.key" 2>/dev/null && chmod 600 "$OTA/droot.key"
"$CRADLE" director init --root-key "$OTA/droot.key" --root-threshold 1 --out "$OTA/director-root.json" >/dev/null 2>&1 \
  || { tap_fail "director init"; finish; exit 1; }

FLEET=$E2E_TMP/fleet
sim() { "$CRADLE_FLEETSIM" "$@"; }
enroll() { CRADLE_TOKEN=$1 sim enroll --url "$URL" --cacert "$CA" --est-label T1-EU --batch B1 --dir "$FLEET" "${@:2}"; }

# --- enrollment ------------------------------------------------------------------
out=$(CRADLE_TOKEN= sim enroll --url "$URL" --cacert "$CA" --est-label T1-EU --batch B1 --count 1 --dir "$FLEET" 2>&1); rc=$?
expect_eq "enroll without a token exits 1" "$rc" 1
expect_match "and says where the token comes from" "$out" 'CRADLE_TOKEN or --token-file'

out=$(enroll "$FACTORY_TOKEN" --count $N --parallel 8 2>&1); rc=$?
expect_eq "enroll $N devices exits 0" "$rc" 0
expect_match "all $N are enrolled" "$out" "enrolled=$N skipped=0 failed=0"
expect_eq "each device has its own key and certificate" "$(ls "$FLEET"/SIM-*/cert.pem | wc -l) $(ls "$FLEET"/SIM-*/key.pem | wc -l)" "$N $N"
expect_eq "keys are 0600" "$(stat -c %a "$FLEET/SIM-000001/key.pem")" 600
expect_eq "two devices do not share a key" "$(sha256sum "$FLEET"/SIM-*/key.pem | cut -d' ' -f1 | sort -u | wc -l)" "$N"
subj=$(openssl x509 -in "$FLEET/SIM-000007/cert.pem" -noout -subject -nameopt RFC2253)
expect_match "the certificate carries the serial" "$subj" 'serialNumber=SIM-000007'
check "the certificate chains to the device CA" openssl verify -CAfile "$PKI/root.pem" -untrusted "$PKI/ca.pem" "$FLEET/SIM-000007/cert.pem"
api GET /api/v1/devices/SIM-000050 "$ADMIN_TOKEN"
expect_eq "the server knows the last device" "$STATUS" 200

printf '%s\n' "$FACTORY_TOKEN" >"$E2E_TMP/factory.token"; chmod 600 "$E2E_TMP/factory.token"
out=$(CRADLE_TOKEN= sim enroll --url "$URL" --cacert "$CA" --est-label T1-EU --batch B1 --dir "$FLEET" --count $N --token-file "$E2E_TMP/factory.token" 2>&1); rc=$?
expect_match "a second run reuses the enrolled devices" "$out" "enrolled=0 skipped=$N failed=0"

out=$(enroll "$(make_token rm-1 release-manager)" --count $((N + 1)) 2>&1); rc=$?
expect_eq "a refused enrollment exits 3" "$rc" 3
expect_match "and names the device and the answer" "$out" 'SIM-000051: HTTP 403'

# --- an update that succeeds -----------------------------------------------------
ota_publish 1.1.0 2 || { tap_fail "publish 1.1.0"; finish; exit 1; }
devs=(); for i in $(seq 1 $N); do devs+=(--device "$(printf 'SIM-%06d' "$i")"); done
check "release 1.1.0 is assigned to the fleet" "$CRADLE" device assign --release "$REL_ID" "${devs[@]}"

out=$(sim run --url "$URL" --cacert "$CA" --dir "$FLEET" --seconds 60 --until-installed 1.1.0 --interval 2 --jitter 20 \
  --install-delay 1 --progress-every 1 --seed 7 2>&1); rc=$?
expect_eq "run exits 0" "$rc" 0
expect_match "it prints progress lines" "$out" $'progress t=[0-9]+s polls=[0-9]+'
summary=$(grep '^summary' <<<"$out")
expect_match "--until-installed ends the run once every device runs 1.1.0" "$summary" 'summary t=([0-9]|[1-4][0-9])s '

expect_match "the summary counts every device on 1.1.0" "$summary" "versions:1.1.0=$N( |$)"
expect_match "and no failed poll" "$summary" 'errors: none'

bad=0; badmsg=
for i in $(seq 1 $N); do
  s=$(printf 'SIM-%06d' "$i")
  api GET "/api/v1/devices/$s/history" "$ADMIN_TOKEN"
  stages=$(jqr '[.items[] | select(.to_version == "1.1.0") | .stage] | join(",")')
  if [[ $stages != downloading,installing,awaiting-reboot,success ]]; then bad=$((bad + 1)); badmsg="$s: $stages"; fi
  api GET "/api/v1/devices/$s" "$ADMIN_TOKEN"
  if [[ $(jqr .installed_version) != 1.1.0 ]]; then bad=$((bad + 1)); badmsg="$s installed $(jqr .installed_version)"; fi
done
expect_eq "every device's history is downloading,installing,awaiting-reboot,success and it runs 1.1.0" "$bad" 0
[[ $bad -gt 0 ]] && tap_diag "last: $badmsg"
api GET /api/v1/devices/SIM-000003/history "$ADMIN_TOKEN"
expect_eq "the reports carry from_version and security_version" \
  "$(jqr '[.items[] | select(.stage == "success")][0] | "\(.from_version) \(.security_version)"')" "1.0.0 2"

# --- an update whose installs fail -------------------------------------------------
ota_publish 1.2.0 3 || { tap_fail "publish 1.2.0"; finish; exit 1; }
check "release 1.2.0 is assigned to the fleet" "$CRADLE" device assign --release "$REL_ID" "${devs[@]}"
out=$(sim run --url "$URL" --cacert "$CA" --dir "$FLEET" --seconds 60 --until-reported failure --interval 2 --install-delay 1 \
  --progress-every 0 --json --fail 1.2.0:1.0 --initial-version 1.1.0 --warm --download 2>&1); rc=$?
expect_eq "run --fail exits 0" "$rc" 0
[[ $rc -ne 0 ]] && tap_diag "$out"
summary=$(tail -n1 <<<"$out")
expect_eq "--json ends with a summary object" "$(jq -r .kind <<<"$summary")" summary
expect_eq "--until-reported ends the run once every device reported failure" "$(jq -r '.t < 60' <<<"$summary")" true
expect_eq "no device installed 1.2.0" "$(jq -r '.versions["1.2.0"] // 0' <<<"$summary")" 0
expect_eq "no failed poll (the image downloads from where the agent takes it)" "$(jq -r .failed_polls <<<"$summary")" 0
bad=0
for i in $(seq 1 $N); do
  s=$(printf 'SIM-%06d' "$i")
  api GET "/api/v1/devices/$s/history" "$ADMIN_TOKEN"
  reason=$(jqr '[.items[] | select(.to_version == "1.2.0" and .stage == "failure")][0].reason')
  [[ $reason == "simulated install failure of 1.2.0 (cradle-fleetsim --fail)" ]] || { bad=$((bad + 1)); badmsg="$s: $reason"; }
  api GET "/api/v1/devices/$s" "$ADMIN_TOKEN"
  [[ $(jqr .installed_version) == 1.1.0 ]] || { bad=$((bad + 1)); badmsg="$s installed $(jqr .installed_version)"; }
done
expect_eq "every device reported failure with the reason and still runs 1.1.0" "$bad" 0
[[ $bad -gt 0 ]] && tap_diag "last: $badmsg"

# --- DDI mode against a minimal hawkBit DDI stand-in ------------------------------
# (tests/e2e/fleetsim-ddi-stub.py; cradled's own /ddi has its tests.)
DPORT=$(free_port); DLOG=$E2E_TMP/ddi.log
python3 "$(dirname "$0")/fleetsim-ddi-stub.py" "$DPORT" "$DATA/tls/server.pem" "$DATA/tls/server.key" "$DLOG" &
DDI_PID=$!
for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$DPORT) 2>/dev/null && break; sleep 0.1; done
out=$(sim run --url "https://127.0.0.1:$DPORT" --cacert "$CA" --dir "$FLEET" --devices 3 --seconds 8 --interval 1 \
  --install-delay 0.5 --mode ddi --tenant T1-EU --progress-every 0 --json --fail 2.0.0:0 2>&1); rc=$?
expect_eq "a DDI run exits 0" "$rc" 0
expect_eq "with no failed poll" "$(tail -n1 <<<"$out" | jq -r .failed_polls)" 0
# The stand-in (Python's TLS) keeps TLS 1.2 sessions; libcurl with GnuTLS
# resumes by session id only (it turns tickets off), so --tls12.
out=$(sim run --url "https://127.0.0.1:$DPORT" --cacert "$CA" --dir "$FLEET" --devices 2 --seconds 3 --interval 0.5 \
  --jitter 0 --mode ddi --progress-every 0 --json --tls-resume --tls12 2>&1)
summary=$(tail -n1 <<<"$out")
expect_eq "--tls-resume: every poll is a new connection" \
  "$(jq -r '(.tls_full + .tls_resumed) as $t | $t >= .polls + .failed_polls and $t <= .polls + .failed_polls + .unfinished' <<<"$summary")" true
expect_eq "and most of them resume the device's session" "$(jq -r '.tls_resumed > 0 and .tls_resumed * 2 >= .tls_full + .tls_resumed' <<<"$summary")" true
tap_diag "TLS: $(jq -r '"\(.tls_resumed) of \(.tls_full + .tls_resumed) resumed"' <<<"$summary")"
kill "$DDI_PID" 2>/dev/null; wait "$DDI_PID" 2>/dev/null
fb() { jq -c --arg c "$1" 'select(.method == "POST" and (.path | contains("/" + $c + "/"))) | [(.path | sub(".*/v1/[^/]+/"; "")), .body.id, .body.status.execution, .body.status.result.finished] ' "$DLOG" | tr '\n' ' '; }
expect_eq "SIM-000001 follows deploymentBase and reports proceeding, proceeding, closed/success" "$(fb SIM-000001)" \
  '["deploymentBase/7/feedback",7,"proceeding","none"] ["deploymentBase/7/feedback",7,"proceeding","none"] ["deploymentBase/7/feedback",7,"closed","success"] '
expect_eq "SIM-000002 answers cancelAction with closed/success cancel feedback" "$(fb SIM-000002)" \
  '["cancelAction/8/feedback",8,"closed","success"] '
expect_eq "SIM-000003 (update: skip) downloads and does not install" "$(fb SIM-000003)" \
  '["deploymentBase/7/feedback",7,"proceeding","none"] ["deploymentBase/7/feedback",7,"proceeding","none"] '
expect_match "the feedback details say what happened" "$(jq -r 'select(.method == "POST") | .body.status.details[0]' "$DLOG" | sort -u | tr '\n' '|')" \
  'canceled by the server.*downloaded 2.0.0; installation deferred.*installed 2.0.0'
expect_eq "the base poll is GET /ddi/TENANT/controller/v1/SERIAL" \
  "$(jq -r 'select(.method == "GET") | .path' "$DLOG" | grep -c '^/ddi/T1-EU/controller/v1/SIM-00000[123]$' | awk '{print ($1 >= 3)}')" 1
out=$(sim run --url "https://127.0.0.1:$DPORT" --cacert "$CA" --dir "$FLEET" --devices 2 --seconds 2 --interval 1 \
  --mode ddi --progress-every 0 --json 2>&1)
expect_match "with the stand-in gone, a DDI run counts connect errors" "$(tail -n1 <<<"$out" | jq -r .errors.connect)" '^[1-9]'

# --- errors are counted, never fatal --------------------------------------------------
# cradled speaks DDI itself (docs/ddi.md): its own tenant works, another is refused (403).
out=$(sim run --url "$URL" --cacert "$CA" --dir "$FLEET" --devices 5 --seconds 3 --interval 1 --mode ddi \
  --progress-every 0 --json 2>&1); rc=$?
expect_eq "a DDI run against cradled's own DDI API exits 0" "$rc" 0
expect_eq "and gets no errors" "$(tail -n1 <<<"$out" | jq -r '[.errors | to_entries[] | select(.value > 0)] | length')" 0
out=$(sim run --url "$URL" --cacert "$CA" --dir "$FLEET" --devices 5 --seconds 3 --interval 1 --mode ddi \
  --tenant NO-SUCH --progress-every 0 --json 2>&1); rc=$?
expect_eq "a DDI run under a tenant that is not the devices' still exits 0" "$rc" 0
expect_match "and counts what it got as errors" "$(tail -n1 <<<"$out" | jq -r '.errors | to_entries | map(select(.value > 0) | .key) | join(",")')" 'http-4xx'
out=$(sim run --url "https://127.0.0.1:1" --cacert "$CA" --dir "$FLEET" --devices 3 --seconds 2 --interval 1 \
  --progress-every 0 --json 2>&1); rc=$?
expect_eq "a run against a closed port exits 0" "$rc" 0
expect_match "and counts connect errors" "$(tail -n1 <<<"$out" | jq -r .errors.connect)" '^[1-9]'
out=$(sim run --url "$URL" --cacert "$CA" --dir "$FLEET" --devices 999 2>&1); rc=$?
expect_eq "more devices than enrolled is a usage error" "$rc" 1
expect_match "that says how many there are" "$out" "holds only $N enrolled devices"
out=$(sim run --url "$URL" --cacert "$CA" --dir "$FLEET" --fail 1.2.0:1.5 2>&1); rc=$?
expect_eq "a probability above 1 is refused" "$rc" 1
finish
