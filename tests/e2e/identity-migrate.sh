#!/usr/bin/env bash
# Field migration ("remote init"): a device holding only the shared fleet
# credential plus its serial-derived secret gets a per-device certificate
# exactly once; every refusal has its own reason; the window closes.
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
identity_setup || { tap_fail "identity setup"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN

# The legacy fleet: one shared credential, one per-batch key.
printf 'legacy-fleet-password-2019\n' >"$PKI/shared.cred"; chmod 600 "$PKI/shared.cred"
batch_key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$batch_key" >"$PKI/batch.key"; chmod 600 "$PKI/batch.key"
bid=$("$CRADLE" batch list --json | jq -r '.items[] | select(.name == "B1") | .id')
check "the batch migration key is set from a file" "$CRADLE" batch set-migration-key "$bid" --key-file "$PKI/batch.key"
api GET /api/v1/batches "$ADMIN_TOKEN"
expect_nomatch "the batch key is never shown" "$BODY" "$batch_key"

# device_secret = HMAC-SHA256(batch key, serial), as the legacy firmware computes it.
secret_for() { printf '%s' "$1" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$batch_key" | awk '{print $NF}'; }
claim() { # claim SERIAL CSR-NAME [credential] [secret]
  local serial=$1 name=$2 cred=${3:-legacy-fleet-password-2019} sec=${4:-$(secret_for "$1")}
  local body
  body=$(jq -cn --arg p T1-EU --arg s "$serial" --arg b B1 --arg c "$cred" --arg d "$sec" \
    --arg r "$(tr -d '\n' <"$PKI/$name.csr.b64")" \
    '{product:$p, serial:$s, batch:$b, shared_credential:$c, device_secret:$d, csr:$r}')
  STATUS=$(curl -sS --cacert "$CA" -H 'Content-Type: application/json' --data-binary "$body" \
    -o "$E2E_TMP/body" -D "$E2E_TMP/headers" -w '%{http_code}' "$URL/device/v1/claim")
  BODY=$(cat "$E2E_TMP/body"); HEADERS=$(tr -d '\r' <"$E2E_TMP/headers")
}

make_csr m1 LEG-0001
claim LEG-0001 m1
expect_eq "a claim before the window opens is refused (403)" "$STATUS" 403

check "the admin opens the migration window" "$CRADLE" migration open --product T1-EU --credential-file "$PKI/shared.cred"
claim LEG-0001 m1
expect_eq "a legacy device claims its certificate" "$STATUS" 200
jq -r .certificate <<<"$BODY" >"$PKI/m1.pem"
check "the migrated certificate verifies" openssl verify -CAfile "$PKI/root.pem" -untrusted "$PKI/ca.pem" "$PKI/m1.pem"
mtls GET /device/v1/whoami m1
expect_eq "the migrated device now authenticates with its own certificate" "$STATUS" 200

# A device whose hawkBit client cannot use the certificate yet asks for a DDI TargetToken too.
make_csr m9 LEG-0009
body=$(jq -cn --arg s LEG-0009 --arg d "$(secret_for LEG-0009)" --arg r "$(tr -d '\n' <"$PKI/m9.csr.b64")" \
  '{product:"T1-EU", serial:$s, batch:"B1", shared_credential:"legacy-fleet-password-2019", device_secret:$d, csr:$r, ddi_token:true}')
STATUS=$(curl -sS --cacert "$CA" -H 'Content-Type: application/json' --data-binary "$body" -o "$E2E_TMP/body" \
  -w '%{http_code}' "$URL/device/v1/claim"); BODY=$(cat "$E2E_TMP/body")
expect_eq "a claim asking for a DDI TargetToken" "$STATUS" 200
DDI_TOK=$(jqr .ddi_token)
expect_match "... gets one, with its certificate" "$DDI_TOK $(jqr .certificate | head -c 27)" '^ddi_[A-Za-z0-9_-]{43} -----BEGIN CERTIFICATE-----$'
printf 'Authorization: TargetToken %s\n' "$DDI_TOK" >"$E2E_TMP/ddi-auth"
STATUS=$(curl -sS --cacert "$CA" -H @"$E2E_TMP/ddi-auth" -o /dev/null -w '%{http_code}' "$URL/ddi/T1-EU/controller/v1/LEG-0009")
expect_eq "... which works on its DDI URL" "$STATUS" 200
STATUS=$(curl -sS --cacert "$CA" -H @"$E2E_TMP/ddi-auth" -o /dev/null -w '%{http_code}' "$URL/ddi/T1-EU/controller/v1/LEG-0001")
expect_eq "... and on no other device's" "$STATUS" 401
api GET "/api/v1/audit?object=device:LEG-0009" "$ADMIN_TOKEN"
expect_match "... audited as issued by the claiming device" "$(jq -c '[.items[] | select(.action == "device.ddi-token.issue") | .actor_name]' <<<"$BODY")" '"device:LEG-0009"'
claim LEG-0001 m1
expect_eq "a claim that does not ask gets no token" "$(jq -r 'has("ddi_token")' <<<"$BODY") $STATUS" "false 409"

make_csr m1b LEG-0001
claim LEG-0001 m1b
expect_eq "a second claim for a migrated serial is refused (409)" "$STATUS" 409
api GET /api/v1/security-events "$ADMIN_TOKEN"
expect_match "the second claim raised a security event" "$(jqr '[.items[].kind] | join(",")')" 'migration.duplicate-claim'
expect_match "the event names the serial" "$BODY" 'LEG-0001'

make_csr m2 LEG-0002
claim LEG-0002 m2 wrong-password
expect_eq "a wrong shared credential is 401" "$STATUS" 401
claim LEG-0002 m2 legacy-fleet-password-2019 "$(secret_for LEG-9999)"
expect_eq "a device secret for another serial is 401" "$STATUS" 401
make_csr m3 LEG-0003
claim LEG-0002 m3
expect_eq "a CSR for another serial is 400" "$STATUS" 400
make_csr m4 LEG-0004 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
claim LEG-0004 m4
expect_eq "a key outside policy is 400" "$STATUS" 400

api GET "/api/v1/audit?limit=1000" "$ADMIN_TOKEN"
expect_match "successful claims are audited" "$(jqr '[.items[].action] | join(",")')" 'device\.migrate(,|$)'
expect_match "refused claims are audited" "$(jqr '[.items[].action] | join(",")')" 'device\.migrate\.refused'

check "the admin closes the window" "$CRADLE" migration close --product T1-EU
claim LEG-0002 m2
expect_eq "after closing, the shared credential is refused (403)" "$STATUS" 403
expect_match "the refusal says the window is closed" "$BODY" 'closed'

# Claims are rate-limited per source.
"$CRADLE" migration open --product T1-EU --credential-file "$PKI/shared.cred" >/dev/null
codes=
for _ in $(seq 1 12); do claim LEG-0005 m2 wrong-password; codes+="$STATUS "; done
expect_match "repeated bad claims from one source are slowed down (429)" "$codes" '429'
finish
