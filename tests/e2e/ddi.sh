#!/usr/bin/env bash
# hawkBit DDI with curl: authentication (mTLS controllerId/tenant, TargetToken
# per device, GatewayToken off), the documents, artifact download (Range,
# If-Range, ETag, HEAD, .MD5SUM), feedback mapped onto the same history as
# cradle-agent's reports (success, failure, "Skipped Update.", cancel), an
# encrypted release refused (closed as rejected), the
# lenient parser, quotas, configData, and a problem for every bad input.
source "$(dirname "$0")/lib.sh"

init_server || { tap_fail "server init"; finish; exit 1; }
sed -i 's/^polling_sleep = .*/polling_sleep = 3723/; s/^action_feedback_max = .*/action_feedback_max = 6/;
  s/^config_keys_max = .*/config_keys_max = 4/' "$DATA/cradled.conf"
start_server && ota_setup || { tap_fail "server and release 1.0.0"; finish; exit 1; }
R1=$REL_ID; R1_SHA=$IMG_SHA; R1_IMG=$IMG
for d in D1 D2; do
  make_csr "$d" "$d" && est_enroll "$d" T1-EU "serial=$d&batch=B1"
  expect_eq "device $d enrolls" "$STATUS" 200
done
RM_TOKEN=$(make_token rm-1 release-manager)
B=/ddi/T1-EU/controller/v1

# ddi_tok METHOD PATH TOKEN [curl args]: a DDI request with a TargetToken (from a header file).
ddi_tok() {
  local method=$1 path=$2 tok=$3; shift 3
  printf 'Authorization: %s\n' "$tok" >"$E2E_TMP/ddi-auth"
  STATUS=$(curl -sS --cacert "$CA" -H @"$E2E_TMP/ddi-auth" -X "$method" -o "$E2E_TMP/body" -D "$E2E_TMP/headers" \
    -w '%{http_code}' "$@" "$URL$path")
  BODY=$(cat "$E2E_TMP/body" 2>/dev/null); HEADERS=$(tr -d '\r' <"$E2E_TMP/headers" 2>/dev/null)
}
# feedback NAME ACTION JSON [cancel]: POSTs feedback as device NAME (mTLS).
feedback() {
  local kind=deploymentBase; [[ "${4:-}" == cancel ]] && kind=cancelAction
  mtls POST "$B/$1/$kind/$2/feedback" "$1" -H 'Content-Type: application/json' --data-binary "$3"
}
is_problem() { [[ $(jq -r .type <<<"$BODY" 2>/dev/null) == urn:cradle:problem:* ]] && grep -qi '^content-type: application/problem+json' <<<"$HEADERS"; }
history_last() { api GET "/api/v1/devices/$1/history" "$ADMIN_TOKEN"; jq -c ".items[-1]" <<<"$BODY"; }

# --- authentication -------------------------------------------------------------
mtls GET "$B/D1" D1
expect_eq "base poll over mTLS" "$STATUS" 200
expect_eq "polling sleep is [ddi] polling_sleep as HH:MM:SS" "$(jqr .config.polling.sleep)" "01:02:03"
expect_eq "no action: no deploymentBase link" "$(jqr '._links.deploymentBase // "none"')" "none"
expect_match "configData is asked for until the device sent some" "$(jqr ._links.configData.href)" "^https://127.0.0.1:$PORT$B/D1/configData$"
STATUS=$(curl -sS --cacert "$CA" -o "$E2E_TMP/body" -D "$E2E_TMP/headers" -w '%{http_code}' "$URL$B/D1")
BODY=$(cat "$E2E_TMP/body"); HEADERS=$(tr -d '\r' <"$E2E_TMP/headers")
expect_eq "no certificate, no token: 401" "$STATUS" 401
check "... as a problem" is_problem
expect_match "... asking for a TargetToken" "$HEADERS" 'WWW-Authenticate: TargetToken'
mtls GET "$B/D2" D1
expect_eq "D1's certificate on D2's URL: 403" "$STATUS" 403
expect_match "... naming both" "$(jqr .detail)" "device D1's; this URL is controller D2's"
mtls GET "/ddi/OTHER/controller/v1/D1" D1
expect_eq "the right device under another tenant: 403" "$STATUS" 403
expect_match "... the tenant is the product model" "$(jqr .detail)" "product model"
ddi_tok GET "$B/D1" "Bearer $ADMIN_TOKEN"
expect_eq "an operator token is no DDI credential: 401" "$STATUS" 401

out=$(CRADLE_TOKEN=$RM_TOKEN "$CRADLE" device ddi-token D2 2>&1)
expect_eq "only an admin issues a TargetToken (exit 3)" "$?" 3
TOK2=$("$CRADLE" device ddi-token D2 2>/dev/null)
expect_match "cradle device ddi-token prints the token alone" "$TOK2" '^ddi_[A-Za-z0-9_-]{43}$'
n=$(sqlite3 "$DATA/cradle.db" "SELECT count(*) FROM ddi_tokens WHERE secret_sha256 = '$(printf %s "$TOK2" | sha256sum | cut -d' ' -f1)'")
expect_eq "only its SHA-256 is stored" "$n" 1
check "the token itself is nowhere in the database" bash -c "! grep -qaF -- '$TOK2' '$DATA/cradle.db'"
ddi_tok GET "$B/D2" "TargetToken $TOK2"
expect_eq "D2's TargetToken on D2's URL: 200" "$STATUS" 200
ddi_tok GET "$B/D1" "TargetToken $TOK2"
expect_eq "D2's TargetToken on D1's URL: 401" "$STATUS" 401
check "... as a problem" is_problem
ddi_tok GET "/ddi/OTHER/controller/v1/D2" "TargetToken $TOK2"
expect_eq "D2's TargetToken under another tenant: 401" "$STATUS" 401
ddi_tok GET "$B/D2" "TargetToken ${TOK2%?}x"
expect_eq "a wrong TargetToken: 401" "$STATUS" 401
ddi_tok GET "$B/D2" "GatewayToken $TOK2"
expect_eq "GatewayToken is off by default: 401" "$STATUS" 401
expect_match "... and says so" "$(jqr .detail)" 'gateway_token_sha256'

# --- an action: documents and artifacts ------------------------------------------
"$CRADLE" device assign --release "$R1" --device D1 >/dev/null
act() { api GET "/api/v1/devices/$1/actions" "$ADMIN_TOKEN"; jq -r '.items[0].id' <<<"$BODY"; }
A1=$(act D1)
mtls GET "$B/D1" D1
expect_eq "the base poll links the open action" "$(jqr ._links.deploymentBase.href)" "https://127.0.0.1:$PORT$B/D1/deploymentBase/$A1"
mtls GET "$B/D1/deploymentBase/$A1?c=-123" D1
expect_eq "deploymentBase (hawkBit's ?c= accepted)" "$STATUS" 200
expect_eq "id is the action id, as a string" "$(jqr .id)" "$A1"
expect_eq "download and update are forced" "$(jqr '.deployment.download + "/" + .deployment.update')" "forced/forced"
expect_eq "one chunk: part os, the release version, the product" "$(jqr '.deployment.chunks[0] | .part + " " + .version + " " + .name')" "os 1.0.0 T1-EU"
art=$(jqr '.deployment.chunks[0].artifacts[0]')
expect_eq "artifact file name" "$(jq -r .filename <<<"$art")" rootfs.img
expect_eq "artifact size" "$(jq -r .size <<<"$art")" "$(stat -c %s "$R1_IMG")"
expect_eq "artifact sha256" "$(jq -r .hashes.sha256 <<<"$art")" "$R1_SHA"
expect_eq "artifact sha1" "$(jq -r .hashes.sha1 <<<"$art")" "$(sha1sum "$R1_IMG" | cut -d' ' -f1)"
expect_eq "artifact md5" "$(jq -r .hashes.md5 <<<"$art")" "$(md5sum "$R1_IMG" | cut -d' ' -f1)"
n=$(sqlite3 "$DATA/cradle.db" "SELECT count(*) FROM image_digests WHERE sha256 = '$R1_SHA'")
expect_eq "SHA-1 and MD5 are computed once and kept" "$n" 1
DL=$(jq -r ._links.download.href <<<"$art"); DL=${DL#https://127.0.0.1:$PORT}
expect_eq "the download link is under the device's URL" "$DL" "$B/D1/softwaremodules/$R1/artifacts/rootfs.img"
expect_eq "download-http names the same URL" "$(jq -r '._links["download-http"].href' <<<"$art")" "$(jq -r ._links.download.href <<<"$art")"
mtls GET "$DL" D1
check "the artifact downloads whole" cmp -s "$E2E_TMP/body" "$R1_IMG"
expect_match "ETag is the SHA-256" "$HEADERS" "ETag: \"$R1_SHA\""
mtls GET "$DL" D1 -H 'Range: bytes=100-199'
expect_eq "a range: 206" "$STATUS" 206
check "... with those bytes" cmp -s "$E2E_TMP/body" <(tail -c +101 "$R1_IMG" | head -c 100)
mtls GET "$DL" D1 -H 'Range: bytes=100-199' -H "If-Range: \"$R1_SHA\""
expect_eq "If-Range with the ETag: 206" "$STATUS" 206
mtls GET "$DL" D1 -H 'Range: bytes=100-199' -H 'If-Range: "other"'
expect_eq "If-Range with another ETag: the whole file" "$STATUS" 200
mtls GET "$DL" D1 -H 'Range: bytes=999999999-'
expect_eq "an unsatisfiable range: 416" "$STATUS" 416
mtls HEAD "$DL" D1 -I
expect_match "HEAD tells the length" "$HEADERS" "Content-Length: $(stat -c %s "$R1_IMG")"
mtls GET "$DL.MD5SUM" D1
expect_eq ".MD5SUM is md5sum's line" "$BODY" "$(md5sum "$R1_IMG" | cut -d' ' -f1)  rootfs.img"
ddi_tok GET "$B/D2/softwaremodules/$R1/artifacts/rootfs.img" "TargetToken $TOK2"
expect_eq "a module not offered to this device: 404" "$STATUS" 404
check "... as a problem" is_problem
mtls GET "$B/D1/softwaremodules/$R1/artifacts/nope.img" D1
expect_eq "an unknown artifact: 404" "$STATUS" 404
ddi_tok GET "$B/D2/deploymentBase/$A1" "TargetToken $TOK2"
expect_eq "another device's action: 404" "$STATUS" 404
expect_match "... like a missing one" "$(jqr .detail)" "has no update action $A1"
mtls GET "$B/D1/deploymentBase/999999" D1
expect_eq "an unknown action: 404" "$STATUS" 404
check "... as a problem" is_problem

# --- feedback ---------------------------------------------------------------------
feedback D1 "$A1" '{"status":{"execution":"bogus","result":{"finished":"none"}}}'
expect_eq "bad feedback (execution): 400" "$STATUS" 400
expect_match "... names the field" "$(jqr .detail)" "status.execution"
feedback D1 "$A1" '{"id":1}'
expect_eq "bad feedback (no status): 400" "$STATUS" 400
feedback D1 "$A1" '{"status":{"execution":"closed","result":{"finished":"none"}}}'
expect_eq "closed without a result: 400" "$STATUS" 400
feedback D1 "$A1" "{\"id\":$((A1 + 1)),\"status\":{\"execution\":\"proceeding\"}}"
expect_eq "an id that is not this action: 400" "$STATUS" 400
lines=$(printf '"l%d",' $(seq 1 65)); lines=${lines%,}
feedback D1 "$A1" "{\"status\":{\"execution\":\"proceeding\",\"details\":[$lines]}}"
expect_eq "65 detail lines in one report: 413" "$STATUS" 413
check "... as a problem" is_problem
long=$(head -c 5000 /dev/zero | tr '\0' x)
feedback D1 "$A1" "{\"status\":{\"execution\":\"proceeding\",\"details\":[\"$long\"]}}"
expect_eq "a 5000-byte detail line: 413" "$STATUS" 413
feedback D1 "$A1" '{"status":{"execution":"proceeding","details":"x"}}'
expect_eq "details that are not an array: 400" "$STATUS" 400
feedback D1 "$A1" '{"status":'
expect_eq "truncated JSON: 400" "$STATUS" 400
check "... as a problem" is_problem
lines=$(printf '"%s",' $(for i in $(seq 1 48); do head -c 1000 /dev/zero | tr '\0' y; echo; done)); lines=${lines%,}
feedback D1 "$A1" "{\"id\":\"$A1\",\"time\":\"20261205T010203\",\"status\":{\"execution\":\"proceeding\",\"result\":{\"finished\":\"none\",\"progress\":{\"cnt\":7,\"of\":0}},\"details\":[$lines]}}"
expect_eq "48 lines of 1000 bytes, id as a string, cnt > of, of = 0: 200" "$STATUS" 200
expect_eq "... recorded as downloading" "$(jqr .recorded)" downloading
feedback D1 "$A1" "{\"id\":$A1,\"status\":{\"execution\":\"proceeding\",\"result\":{\"finished\":\"none\",\"progress\":{\"cnt\":1,\"of\":1}},\"details\":[\"Installed Chunk.\"]}}"
expect_eq "a part done: installing" "$(jqr .recorded)" installing
expect_eq "... in the history, naming the action" "$(history_last D1 | jq -r '.stage + " " + (.action_id|tostring) + " " + .to_version')" "installing $A1 1.0.0"
# A raw newline inside a string (suricatta's failure reports): taken, stored escaped.
printf '{"id":%s,"status":{"execution":"closed","result":{"finished":"failure"},"details":["ERROR : bad\nthing","tab\there"]}}' "$A1" >"$E2E_TMP/fb"
mtls POST "$B/D1/deploymentBase/$A1/feedback" D1 --data-binary @"$E2E_TMP/fb"
expect_eq "a failure report with a raw newline in a string: 200" "$STATUS" 200
h=$(history_last D1)
expect_eq "... recorded as failure" "$(jq -r .result <<<"$h")" failure
expect_eq "... its reason the details, control characters escaped" "$(jq -r .reason <<<"$h")" 'ERROR : bad\nthing | tab\there'
api GET /api/v1/devices/D1/actions "$ADMIN_TOKEN"
expect_eq "the action is failed" "$(jq -r '.items[0].status' <<<"$BODY")" failed
feedback D1 "$A1" '{"status":{"execution":"proceeding"}}'
expect_eq "feedback after the action closed: 410" "$STATUS" 410
check "... as a problem" is_problem
mtls GET "$B/D1/deploymentBase/$A1" D1
expect_eq "a closed action's deployment: 410" "$STATUS" 410
mtls GET "$B/D1" D1
expect_eq "a closed action is not linked" "$(jqr '._links.deploymentBase // "none"')" none

# "Skipped Update." (suricatta's answer to update=skip) never counts as installed.
"$CRADLE" device assign --release "$R1" --device D1 >/dev/null; A2=$(act D1)
feedback D1 "$A2" "{\"id\":$A2,\"status\":{\"execution\":\"closed\",\"result\":{\"finished\":\"success\",\"progress\":{\"cnt\":0,\"of\":0}},\"details\":[\"Skipped Update.\"]}}"
expect_eq "closed/success 'Skipped Update.': 200" "$STATUS" 200
expect_eq "... recorded as rejected" "$(jqr .recorded)" rejected
api GET /api/v1/devices/D1 "$ADMIN_TOKEN"
expect_eq "... nothing counted as installed" "$(jqr '.installed_version // "none"')" none
api GET /api/v1/devices/D1/actions "$ADMIN_TOKEN"
expect_eq "... the action is rejected, not succeeded" "$(jq -r '.items[0].status' <<<"$BODY")" rejected

# Quota: in-progress reports past [ddi] action_feedback_max get 413; a closing one is taken.
"$CRADLE" device assign --release "$R1" --device D1 >/dev/null; A3=$(act D1)
codes=""
for _ in 1 2 3 4 5 6 7; do feedback D1 "$A3" '{"status":{"execution":"proceeding"}}'; codes+="$STATUS "; done
expect_eq "the 7th in-progress report of an action: 413" "$codes" "200 200 200 200 200 200 413 "
feedback D1 "$A3" "{\"id\":$A3,\"status\":{\"execution\":\"closed\",\"result\":{\"finished\":\"success\"},\"details\":[\"Update Installed.\"]}}"
expect_eq "a closing report past the quota is still taken" "$STATUS" 200
expect_eq "... as success" "$(jqr .recorded)" success
api GET /api/v1/devices/D1 "$ADMIN_TOKEN"
expect_eq "installed version from the action's release" "$(jqr .installed_version)" 1.0.0
expect_eq "security version from the action's release" "$(jqr .security_version)" 1
expect_eq "history entry as an agent's success" "$(history_last D1 | jq -c '{stage,result,to_version,security_version}')" '{"stage":"success","result":"success","to_version":"1.0.0","security_version":1}'
api GET "/api/v1/audit?object=device:D1" "$ADMIN_TOKEN"
expect_eq "audited device.update.success by the device, via ddi" "$(jq -r '[.items[] | select(.action == "device.update.success")][-1] | .actor_name + " " + .details.via' <<<"$BODY")" "device:D1 ddi"
mtls GET "$B/D1" D1
expect_eq "installedBase links the succeeded action" "$(jqr ._links.installedBase.href)" "https://127.0.0.1:$PORT$B/D1/installedBase/$A3"
mtls GET "$B/D1/installedBase/$A3" D1
expect_eq "installedBase: 200 with its chunk" "$STATUS $(jqr '.deployment.chunks[0].version')" "200 1.0.0"
mtls GET "$B/D1/installedBase/$A1" D1
expect_eq "installedBase of a failed action: 404" "$STATUS" 404

# --- cancel ---------------------------------------------------------------------------
"$CRADLE" device assign --release "$R1" --device D1 >/dev/null; A4=$(act D1)
out=$(CRADLE_TOKEN=$FACTORY_TOKEN "$CRADLE" device cancel D1 --action "$A4" 2>&1)
expect_eq "a factory token may not cancel (exit 3)" "$?" 3
out=$("$CRADLE" device cancel D1 --action "$A3" 2>&1)
expect_eq "canceling a closed action: exit 3" "$?" 3
expect_match "... saying it is not open" "$out" 'not open'
out=$("$CRADLE" device cancel D1 --action "$A4" --reason "bad build" 2>&1)
expect_eq "cradle device cancel" "$?" 0
expect_match "... the action is canceling" "$out" 'canceling'
mtls GET "$B/D1" D1
expect_eq "the base poll links cancelAction" "$(jqr ._links.cancelAction.href)" "https://127.0.0.1:$PORT$B/D1/cancelAction/$A4"
expect_eq "... and no deploymentBase" "$(jqr '._links.deploymentBase // "none"')" none
mtls GET "$B/D1/cancelAction/$A4" D1
expect_eq "cancelAction: stopId is the action" "$(jqr '.id + " " + .cancelAction.stopId')" "$A4 $A4"
mtls GET "$B/D1/deploymentBase/$A4" D1
expect_eq "a canceling action's deployment: 410" "$STATUS" 410
feedback D1 "$A3" '{"status":{"execution":"closed","result":{"finished":"success"}}}' cancel
expect_eq "cancel feedback for a closed action: 410" "$STATUS" 410
feedback D1 "$A4" "{\"id\":$A4,\"status\":{\"execution\":\"closed\",\"result\":{\"finished\":\"success\"},\"details\":[\"cancellation acknowledged.\"]}}" cancel
expect_eq "cancel confirmed: 200" "$STATUS" 200
expect_eq "... recorded as canceled" "$(history_last D1 | jq -r '.stage + " " + (.action_id|tostring)')" "canceled $A4"
api GET /api/v1/devices/D1/actions "$ADMIN_TOKEN"
expect_eq "... the action is canceled" "$(jq -r '.items[0].status' <<<"$BODY")" canceled
api GET /api/v1/devices/D1 "$ADMIN_TOKEN"
expect_eq "... the installed version stays" "$(jqr .installed_version)" 1.0.0
api GET "/api/v1/audit?object=device:D1" "$ADMIN_TOKEN"
expect_match "the cancel is audited with its reason" "$(jq -c '[.items[] | select(.action == "device.action.cancel")][-1].details' <<<"$BODY")" '"reason":"bad build"'

# --- configData ----------------------------------------------------------------------
mtls PUT "$B/D1/configData" D1 --data-binary '{"id":"","time":"20261205T000000","status":{"result":{"finished":"success"},"execution":"closed","details":[""]},"data":{"board":"t1","hw_revision":"r2","mac":"00:11:22:33:44:55"}}'
expect_eq "configData as suricatta sends it: 200" "$STATUS" 200
expect_eq "allow-listed keys stored" "$(jqr '.stored | sort | join(",")')" "board,hw_revision"
expect_eq "others ignored" "$(jqr '.ignored | join(",")')" "mac"
"$CRADLE" --json device config-data D1 >"$E2E_TMP/cd"
expect_eq "cradle device config-data shows only what is kept" "$(jq -c .attributes "$E2E_TMP/cd")" '{"board":"t1","hw_revision":"r2"}'
check "the ignored value is nowhere in the database" bash -c "! grep -qaF '00:11:22:33:44:55' '$DATA/cradle.db'"
mtls GET "$B/D1" D1
expect_eq "configData is no longer asked for" "$(jqr '._links.configData // "none"')" none
mtls PUT "$B/D1/configData" D1 --data-binary '{"mode":"remove","data":{"board":""}}'
"$CRADLE" --json device config-data D1 >"$E2E_TMP/cd"
expect_eq "mode remove" "$(jq -c .attributes "$E2E_TMP/cd")" '{"hw_revision":"r2"}'
mtls PUT "$B/D1/configData" D1 --data-binary '{"data":{"a":"1","b":"2","c":"3","d":"4","e":"5"}}'
expect_eq "more keys than [ddi] config_keys_max: 413" "$STATUS" 413
mtls PUT "$B/D1/configData" D1 --data-binary '{"data":{"board":7}}'
expect_eq "a value that is not a string: 400" "$STATUS" 400
mtls PUT "$B/D1/configData" D1 --data-binary '{"mode":"swap","data":{}}'
expect_eq "an unknown mode: 400" "$STATUS" 400
check "... as a problem" is_problem

# --- another device's objects -------------------------------------------------------------
out=$("$CRADLE" device cancel D2 --action "$A3" 2>&1)
expect_eq "canceling D1's action under D2's serial: exit 3" "$?" 3
expect_match "... not found" "$out" "device D2 has no update action $A3"
ota_publish 1.1.0 2 >/dev/null; R2=$REL_ID
"$CRADLE" device assign --release "$R2" --device D2 >/dev/null
ddi_tok GET "$B/D2/softwaremodules/$R2/artifacts/rootfs.img" "TargetToken $TOK2"
expect_eq "D2 downloads its own release's artifact" "$STATUS" 200
ddi_tok GET "$B/D2/softwaremodules/$R1/artifacts/rootfs.img" "TargetToken $TOK2"
expect_eq "... but not D1's release (same image name): 404" "$STATUS" 404

# --- an encrypted release is never given to a DDI client (no field for the wrapped key) ------
OTA_UPLOAD_FLAGS=--encrypt ota_publish 1.2.0 3 >/dev/null; R3=$REL_ID
"$CRADLE" device assign --release "$R3" --device D2 >/dev/null
ddi_tok GET "$B/D2/softwaremodules/$R3/artifacts/rootfs.img" "TargetToken $TOK2"
expect_eq "its artifact (the container) is refused before any poll: 409" "$STATUS" 409
expect_match "... saying why" "$(jqr .detail)" 'release 1.2.0 has encrypted images: hawkBit DDI has no field for the wrapped content key'
ddi_tok GET "$B/D2" "TargetToken $TOK2"
expect_eq "the base poll answers" "$STATUS" 200
expect_eq "... without a deploymentBase for the encrypted release" "$(jqr '._links.deploymentBase // "none"')" none
api GET /api/v1/devices/D2/actions "$ADMIN_TOKEN"
expect_eq "the action is closed as rejected, with the reason" \
  "$(jqr '.items[0] | .release + " " + .status')" "1.2.0 rejected"
expect_match "... naming cradle-agent" "$(jqr '.items[0].reason')" 'encrypted releases are for cradle-agent devices'
expect_eq "the refusal is audited as the server's" \
  "$(sqlite3 "$DATA/cradle.db" "SELECT actor_name || ' ' || object FROM audit_log WHERE action = 'device.update.refused' ORDER BY seq DESC LIMIT 1")" \
  "system:ddi device:D2"

# --- GatewayToken, when an operator turns it on -----------------------------------------------
stop_server
GW=gw_$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')
sed -i "s/^gateway_token_sha256 = .*/gateway_token_sha256 = $(printf %s "$GW" | sha256sum | cut -d' ' -f1)/" "$DATA/cradled.conf"
start_server || tap_fail "restart with a gateway token"
ddi_tok GET "$B/D1" "GatewayToken $GW"
expect_eq "the configured GatewayToken: 200" "$STATUS" 200
ddi_tok GET "$B/D1" "GatewayToken ${GW%?}x"
expect_eq "another GatewayToken: 401" "$STATUS" 401
ddi_tok GET "$B/NOPE" "GatewayToken $GW"
expect_eq "the GatewayToken for an unknown controller: 401" "$STATUS" 401

# --- a decommissioned device's TargetToken ------------------------------------------------
TOK1=$("$CRADLE" device ddi-token D1 2>/dev/null)
ddi_tok GET "$B/D1" "TargetToken $TOK1"
expect_eq "D1's new TargetToken: 200" "$STATUS" 200
"$CRADLE" device decommission D1 >/dev/null
ddi_tok GET "$B/D1" "TargetToken $TOK1"
expect_eq "... refused once D1 is decommissioned: 401" "$STATUS" 401

# --- revoking the token -----------------------------------------------------------------
"$CRADLE" device ddi-token D2 --revoke >/dev/null
ddi_tok GET "$B/D2" "TargetToken $TOK2"
expect_eq "a revoked TargetToken: 401" "$STATUS" 401

# --- failures are rate limited per source, like operator tokens (last: it locks 127.0.0.1 out) ---
codes=""
for _ in 1 2 3 4 5 6; do ddi_tok GET "$B/D2" "TargetToken ddi_guess"; codes+="$STATUS "; done
expect_match "repeated wrong TargetTokens from one address: 429" "$codes" '429 $'
expect_match "... with Retry-After" "$HEADERS" 'Retry-After: [0-9]+'

stop_server
finish
